/*
 * Graph exposure of screened counterparties. `iffa analyse` leaves the
 * exposure of every vertex within reach of a source in vertex_exposure,
 * the edges of their paths once each in exposure_edge
 * (src/analyse/exposure.c, sql/012); a screening reads them for the
 * accounts it is given, never the flow graph itself, so it costs at most
 * three statements per batch of counterparties.
 *
 * The run: the latest completed analysis run whose row counts say it
 * stored exposure (row_counts.exposure, with the highest account id it
 * knew, which tells an account loaded after the run from one that was in
 * its graph without exposure). The statements, prepared once per screener:
 * the batch's account references as a JSON array, each joined to
 * account, then to the run's row of its vertex (the account itself at
 * account level, its owning party at party level), one result row per
 * counterparty with an account, its path as edge numbers; then the edges
 * the batch names that this screener has not read yet, then the
 * references and names of their ends not read yet (account, and the
 * owner's party). Each edge becomes, once, the JSON object the analysis
 * used to store, byte for byte, kept for the next batches (up to 64 MB);
 * a row's path is its edges' objects in order. A row of a run before
 * sql/012 has that text in its json `path`, read as it is. The path is
 * read here with the JSON reader of src/lists/json.c.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/db.h"
#include "iffa/graph.h"
#include "lists/json.h"
#include "screen/exposure.h"

struct iffa_screen__exposure {
	iffa_db *db;                /* borrowed */
	long long run;              /* 0: no run */
	char finished[40];          /* ISO 8601 UTC */
	char from[40], to[40];      /* data window, "" when open */
	double finished_epoch;      /* seconds */
	long long max_account;      /* highest account id the run's graph could hold */
	char level[8];
	char stmt[64];              /* prepared statement name, "" when none */
	char estmt[64];             /* the same for edges_sql */
	/* Path edges read so far (the paths of a file's counterparties share
	 * many), each as its JSON object, NUL-terminated, in `edge_text`:
	 * edge_at[n] is 1 + the offset of edge n's, 0 when not read. */
	size_t *edge_at;
	size_t nedge_at;
	iffa_jsonbuf edge_text;
	/* The ends of those edges: an open-addressing map from 2 id (account)
	 * or 2 id + 1 (party) to 1 + the offset of "ref\0name\0" in
	 * `label_text`, 0 when the row is gone. */
	int64_t *label_key;         /* 0: free slot */
	size_t *label_at;
	size_t label_cap, nlabel;
	iffa_jsonbuf label_text;
	char lstmt[64];             /* the prepared labels_sql */
};

static const char *const status_names[] = {"not assessed", "no analysis run", "unknown account",
					   "not in run", "none", "exposed"};

const char *iffa_screen_exposure_status_name(iffa_screen_exposure_status s)
{
	return (unsigned)s <= IFFA_SCREEN_EXPOSURE_EXPOSED ? status_names[s] : "not assessed";
}

/* Column 12: the path of a row written since sql/012 as its edge numbers
 * ("{3,17,4}"); rows of earlier runs have their path text in column 11. */
static const char lookup_sql[] =
	"SELECT (q->>'i')::int, a.id, a.party_id, x.way, x.flagged, x.score, x.taint,"
	" x.tainted_xof, x.funding, x.funding_xof, x.hops, x.path::text, x.path_edges::text"
	" FROM jsonb_array_elements($3::jsonb) q"
	" LEFT JOIN account a ON a.ref = q->>'ref'"
	" LEFT JOIN LATERAL ("
	"  SELECT * FROM vertex_exposure v WHERE v.run_id = $1::bigint AND v.account_id = a.id"
	"   AND ($2::text = 'account' OR a.party_id IS NULL)"
	"  UNION ALL SELECT * FROM vertex_exposure v WHERE v.run_id = $1::bigint"
	"   AND $2::text = 'party' AND v.party_id = a.party_id AND v.account_id IS NULL"
	"  LIMIT 1) x ON true";

/*
 * The edges the paths of a batch name, those not read yet: the ends' ids
 * (an end without an account is a party), then the edge's own values,
 * times in UTC with microseconds.
 */
static const char edges_sql[] =
	"SELECT e.edge, e.from_account_id, e.from_party_id, e.to_account_id, e.to_party_id,"
	" e.amount_xof, e.flows,"
	" to_char(e.first_ts AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),"
	" to_char(e.last_ts AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),"
	" e.channel, e.kind, e.record_id, e.records"
	" FROM exposure_edge e WHERE e.run_id = $1::bigint AND e.edge = ANY ($2::int[])";

/* The reference and name of the ends not read yet, keyed 2 id (account)
 * or 2 id + 1 (party): an account is named by its owner. */
static const char labels_sql[] =
	"SELECT 2 * a.id, a.ref, coalesce(p.name, '') FROM account a"
	" LEFT JOIN party p ON p.id = a.party_id WHERE a.id = ANY ($1::bigint[])"
	" UNION ALL SELECT 2 * id + 1, ref, name FROM party WHERE id = ANY ($2::bigint[])";

/*
 * Prepare `sql` as iffa_screen_exposure_<kind><x>, named in `name`; on
 * failure `name` is left empty (nothing to deallocate).
 */
static int prepare(char *name, size_t size, iffa_db *db, const void *x, const char *kind,
		   const char *sql)
{
	PGresult *res;
	int error = 0;

	snprintf(name, size, "iffa_screen_exposure_%s%llx", kind, (unsigned long long)(uintptr_t)x);
	res = PQprepare(iffa_db_conn(db), name, sql, 0, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		error = iffa_db__fail(db, res, "preparing the exposure look-up");
		name[0] = '\0';
	}
	PQclear(res);
	return error;
}

int iffa_screen__exposure_open(iffa_screen__exposure **out, iffa_db *db)
{
	iffa_screen__exposure *x;
	PGresult *res = NULL;
	int error;

	*out = NULL;
	if (!(x = calloc(1, sizeof(*x))))
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	x->db = db;
	if ((error = iffa_db__query(&res, db, "reading the schema",
				    "SELECT to_regclass('vertex_exposure') IS NOT NULL"
				    " AND to_regclass('exposure_edge') IS NOT NULL", 0, NULL)) < 0)
		goto done;
	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
		error = iffa_error_set(IFFA_EDB, "the database has no vertex_exposure or "
				       "exposure_edge table: run `iffa db init` to upgrade the schema");
		goto done;
	}
	PQclear(res);
	res = NULL;
	if ((error = iffa_db__query(
		     &res, db, "finding the latest analysis run with exposure",
		     "SELECT id, to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
		     " extract(epoch FROM finished_at)::float8, level,"
		     " coalesce((row_counts->'exposure'->>'max_account_id')::bigint, 0),"
		     " coalesce(to_char(data_from AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), ''),"
		     " coalesce(to_char(data_to AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '')"
		     " FROM analysis_run WHERE status = 'completed' AND row_counts ? 'exposure'"
		     " ORDER BY finished_at DESC, id DESC LIMIT 1", 0, NULL)) < 0)
		goto done;
	if (PQntuples(res) == 1) {
		x->run = atoll(PQgetvalue(res, 0, 0));
		snprintf(x->finished, sizeof(x->finished), "%s", PQgetvalue(res, 0, 1));
		x->finished_epoch = atof(PQgetvalue(res, 0, 2));
		snprintf(x->level, sizeof(x->level), "%s", PQgetvalue(res, 0, 3));
		x->max_account = atoll(PQgetvalue(res, 0, 4));
		snprintf(x->from, sizeof(x->from), "%s", PQgetvalue(res, 0, 5));
		snprintf(x->to, sizeof(x->to), "%s", PQgetvalue(res, 0, 6));
	}
	PQclear(res);
	res = NULL;
	if (x->run == 0)
		goto done;
	/* Names of their own, so that screeners may share a connection. */
	if ((error = prepare(x->stmt, sizeof(x->stmt), db, x, "", lookup_sql)) == 0 &&
	    (error = prepare(x->estmt, sizeof(x->estmt), db, x, "edges_", edges_sql)) == 0)
		error = prepare(x->lstmt, sizeof(x->lstmt), db, x, "labels_", labels_sql);
done:
	PQclear(res);
	if (error < 0) {
		iffa_screen__exposure_free(x);
		return error;
	}
	*out = x;
	return 0;
}

void iffa_screen__exposure_free(iffa_screen__exposure *x)
{
	if (!x)
		return;
	if (x->stmt[0]) {
		char sql[96];
		snprintf(sql, sizeof(sql), "DEALLOCATE %s", x->stmt);
		PQclear(PQexec(iffa_db_conn(x->db), sql));
	}
	if (x->estmt[0]) {
		char sql[96];
		snprintf(sql, sizeof(sql), "DEALLOCATE %s", x->estmt);
		PQclear(PQexec(iffa_db_conn(x->db), sql));
	}
	if (x->lstmt[0]) {
		char sql[96];
		snprintf(sql, sizeof(sql), "DEALLOCATE %s", x->lstmt);
		PQclear(PQexec(iffa_db_conn(x->db), sql));
	}
	free(x->edge_at);
	iffa_jsonbuf__dispose(&x->edge_text);
	free(x->label_key);
	free(x->label_at);
	iffa_jsonbuf__dispose(&x->label_text);
	free(x);
}

static size_t len0(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

static const char *copy(char **at, const char *s)
{
	char *d = *at;

	if (!s)
		return NULL;
	memcpy(d, s, strlen(s) + 1);
	*at += strlen(s) + 1;
	return d;
}

/* Text of member `name` of object `obj`: a string, or a number's text. */
static const char *member(const iffa_json__doc *d, int obj, const char *name)
{
	int k = iffa_json__get(d, obj, name);

	if (k < 0 || (d->nodes[k].type != IFFA_JSON_STRING && d->nodes[k].type != IFFA_JSON_NUMBER))
		return NULL;
	return d->chars + d->nodes[k].str;
}

/* The edges of a stored path into r->xpath, strings at *at. */
static int read_path(iffa_screen_result *r, const char *text, char **at)
{
	iffa_screen_exposure *e = &r->exposure;
	iffa_json__doc d;
	size_t col, n = 0;
	int error;

	memset(&d, 0, sizeof(d));
	if ((error = iffa_json__parse(&d, text, strlen(text), &col)) < 0) {
		error = iffa_error_set(error, "the stored exposure path of account %lld, byte %zu: %s",
				       e->account_id, col, iffa_error_last());
		goto done;
	}
	if (d.nodes[0].type != IFFA_JSON_ARRAY)
		goto done;
	for (int c = d.nodes[0].first; c >= 0; c = d.nodes[c].next)
		n++;
	if (n == 0)
		goto done;
	if (!(r->xpath = calloc(n, sizeof(*r->xpath)))) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	for (int c = d.nodes[0].first; c >= 0; c = d.nodes[c].next) {
		iffa_screen_path_edge *pe = &r->xpath[e->npath];
		const char *num;
		int rec;
		if (d.nodes[c].type != IFFA_JSON_OBJECT)
			continue;
		pe->from = copy(at, member(&d, c, "from"));
		pe->from_name = copy(at, member(&d, c, "from_name"));
		pe->to = copy(at, member(&d, c, "to"));
		pe->to_name = copy(at, member(&d, c, "to_name"));
		pe->amount_xof = (num = member(&d, c, "amount_xof")) ? atof(num) : 0;
		pe->flows = (num = member(&d, c, "flows")) ? atoll(num) : 0;
		pe->first = copy(at, member(&d, c, "first"));
		pe->last = copy(at, member(&d, c, "last"));
		pe->channel = copy(at, member(&d, c, "channel"));
		pe->kind = copy(at, member(&d, c, "kind"));
		/* the record ids again as a JSON array (numbers only: no escaping) */
		pe->records = *at;
		rec = iffa_json__get(&d, c, "records");
		if (rec >= 0 && d.nodes[rec].type == IFFA_JSON_ARRAY) {
			int first = 1;
			*(*at)++ = '[';
			for (int k = d.nodes[rec].first; k >= 0; k = d.nodes[k].next) {
				if (d.nodes[k].type != IFFA_JSON_NUMBER)
					continue;
				if (!first)
					*(*at)++ = ',';
				copy(at, d.chars + d.nodes[k].str);
				(*at)--; /* over the NUL */
				first = 0;
			}
			*(*at)++ = ']';
			*(*at)++ = '\0';
		} else {
			copy(at, "null");
		}
		e->npath++;
	}
	e->path = r->xpath;
done:
	iffa_json__dispose(&d);
	return error;
}

/*
 * The numbers of an int[] as PostgreSQL writes it ("{3,17,4}", "{}")
 * into out (NULL: only count them); -1 when it is not one.
 */
static long int_array(int32_t *out, const char *s)
{
	long n = 0;

	if (*s++ != '{')
		return -1;
	if (*s == '}')
		return s[1] ? -1 : 0;
	for (;;) {
		long long v = 0;
		int digits = 0;
		for (; *s >= '0' && *s <= '9' && digits < 10; s++, digits++)
			v = v * 10 + (*s - '0');
		if (!digits || v > INT32_MAX)
			return -1;
		if (out)
			out[n] = (int32_t)v;
		n++;
		if (*s == '}')
			return s[1] ? -1 : n;
		if (*s++ != ',')
			return -1;
	}
}

static int by_num(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

/* The map's slot for `key`: the key's own, or the free one where it would go. */
static size_t label_slot(const iffa_screen__exposure *x, int64_t key)
{
	size_t i = (size_t)(((uint64_t)key * UINT64_C(0x9E3779B97F4A7C15)) >> 20) & (x->label_cap - 1);

	while (x->label_key[i] && x->label_key[i] != key)
		i = (i + 1) & (x->label_cap - 1);
	return i;
}

/* Enter `key` (at 0: asked for, not read) unless it is there; 1 when new. */
static int label_put(iffa_screen__exposure *x, int64_t key)
{
	size_t i;

	if (2 * (x->nlabel + 1) > x->label_cap) {
		size_t cap = x->label_cap ? 2 * x->label_cap : 4096;
		int64_t *k = calloc(cap, sizeof(*k)), *old_key = x->label_key;
		size_t *at = calloc(cap, sizeof(*at)), *old_at = x->label_at, old_cap = x->label_cap;
		if (!k || !at) {
			free(k);
			free(at);
			return iffa_error_set(IFFA_ENOMEM, "out of memory");
		}
		x->label_key = k;
		x->label_at = at;
		x->label_cap = cap;
		for (size_t j = 0; j < old_cap; j++)
			if (old_key[j]) {
				size_t s = label_slot(x, old_key[j]);
				x->label_key[s] = old_key[j];
				x->label_at[s] = old_at[j];
			}
		free(old_key);
		free(old_at);
	}
	i = label_slot(x, key);
	if (x->label_key[i])
		return 0;
	x->label_key[i] = key;
	x->label_at[i] = 0;
	x->nlabel++;
	return 1;
}

/* One end of an edge (columns c, c + 1: account id, party id). */
static void end_text(iffa_jsonbuf *b, const iffa_screen__exposure *x, const PGresult *res, int row,
		     int c, const char *side)
{
	int party = PQgetisnull(res, row, c);
	const char *type = party ? "party" : "account";
	const char *id = PQgetvalue(res, row, party ? c + 1 : c);
	size_t i = x->label_cap ? label_slot(x, 2 * (int64_t)atoll(id) + party) : 0;
	size_t at = x->label_cap && x->label_key[i] ? x->label_at[i] : 0;
	char fallback[48], key[16];

	/* a row gone from account or party: as the analysis named a vertex without one */
	snprintf(fallback, sizeof(fallback), "%s %s", type, id);
	iffa_jsonbuf__kv(b, side, at ? x->label_text.ptr + at - 1 : fallback);
	snprintf(key, sizeof(key), "%s_name", side);
	iffa_jsonbuf__puts(b, ",");
	iffa_jsonbuf__kv(b, key, at ? x->label_text.ptr + at + strlen(x->label_text.ptr + at - 1) : "");
	iffa_jsonbuf__printf(b, ",\"%s_type\":\"%s\",\"%s_id\":%s", side, type, side, id);
}

/* A time as the analysis wrote it: without microseconds when it has none;
 * "?" when it had none. */
static void time_text(iffa_jsonbuf *b, const char *key, const PGresult *res, int row, int c)
{
	char t[32];
	int64_t us;

	if (PQgetisnull(res, row, c) || iffa_flowgraph_time_parse(&us, PQgetvalue(res, row, c)) < 0 ||
	    iffa_flowgraph_time_format(t, sizeof(t), us) < 0)
		snprintf(t, sizeof(t), "?");
	iffa_jsonbuf__kv(b, key, t);
}

/* One row of edges_sql as the object a path holds. */
static void edge_text(iffa_jsonbuf *b, const iffa_screen__exposure *x, const PGresult *res, int row)
{
	const char *rec;

	iffa_jsonbuf__puts(b, "{");
	end_text(b, x, res, row, 1, "from");
	iffa_jsonbuf__puts(b, ",");
	end_text(b, x, res, row, 3, "to");
	/* amount_xof is numeric with the two decimals the analysis wrote */
	iffa_jsonbuf__printf(b, ",\"amount_xof\":%s,\"flows\":%s,", PQgetvalue(res, row, 5),
			     PQgetvalue(res, row, 6));
	time_text(b, "first", res, row, 7);
	iffa_jsonbuf__puts(b, ",");
	time_text(b, "last", res, row, 8);
	iffa_jsonbuf__puts(b, ",");
	iffa_jsonbuf__kv(b, "channel", PQgetvalue(res, row, 9));
	iffa_jsonbuf__puts(b, ",");
	iffa_jsonbuf__kv(b, "kind", PQgetvalue(res, row, 10));
	if (!PQgetisnull(res, row, 11)) {
		/* a one-flow edge: its record */
		iffa_jsonbuf__printf(b, ",\"record\":%s,\"records\":[%s]}", PQgetvalue(res, row, 11),
				     PQgetvalue(res, row, 11));
		return;
	}
	iffa_jsonbuf__puts(b, ",\"record\":null,\"records\":");
	if (PQgetisnull(res, row, 12)) {
		iffa_jsonbuf__puts(b, "null}");
		return;
	}
	/* "{1,2}" as jsonb wrote the ids of a merged edge: "[1, 2]" */
	rec = PQgetvalue(res, row, 12);
	iffa_jsonbuf__puts(b, "[");
	for (const char *c = rec + 1; *c && *c != '}'; c++) {
		if (*c == ',')
			iffa_jsonbuf__puts(b, ", ");
		else
			iffa_jsonbuf__put(b, c, 1);
	}
	iffa_jsonbuf__puts(b, "]}");
}

/* Read the reference and name of the ends of the edges `er` holds that
 * earlier batches did not, in one statement. */
static int fetch_labels(iffa_screen__exposure *x, const PGresult *er)
{
	iffa_jsonbuf ids[2] = {IFFA_JSONBUF_INIT, IFFA_JSONBUF_INIT};
	PGresult *res = NULL;
	const char *p[2];
	int error = 0, any[2] = {0, 0};

	for (int k = 0; k < 2; k++)
		iffa_jsonbuf__puts(&ids[k], "{");
	for (int i = 0; i < PQntuples(er); i++)
		for (int c = 1; c <= 3; c += 2) {
			int party = PQgetisnull(er, i, c);
			const char *id = PQgetvalue(er, i, party ? c + 1 : c);
			int fresh = label_put(x, 2 * (int64_t)atoll(id) + party);
			if (fresh < 0) {
				error = fresh;
				goto done;
			}
			if (fresh) {
				iffa_jsonbuf__printf(&ids[party], "%s%s", any[party] ? "," : "", id);
				any[party] = 1;
			}
		}
	for (int k = 0; k < 2; k++)
		iffa_jsonbuf__puts(&ids[k], "}");
	if (ids[0].oom || ids[1].oom) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	if (!any[0] && !any[1])
		goto done;
	p[0] = ids[0].ptr;
	p[1] = ids[1].ptr;
	res = PQexecPrepared(iffa_db_conn(x->db), x->lstmt, 2, p, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		error = iffa_db__fail(x->db, res, "reading the names on exposure paths");
		goto done;
	}
	for (int i = 0; i < PQntuples(res); i++) {
		size_t s = label_slot(x, (int64_t)atoll(PQgetvalue(res, i, 0))), at = x->label_text.len;
		if (!x->label_key[s])
			continue;
		iffa_jsonbuf__put(&x->label_text, PQgetvalue(res, i, 1),
				  (size_t)PQgetlength(res, i, 1) + 1);
		iffa_jsonbuf__put(&x->label_text, PQgetvalue(res, i, 2),
				  (size_t)PQgetlength(res, i, 2) + 1);
		if (x->label_text.oom) {
			error = iffa_error_set(IFFA_ENOMEM, "out of memory");
			goto done;
		}
		x->label_at[s] = at + 1;
	}
done:
	PQclear(res);
	iffa_jsonbuf__dispose(&ids[0]);
	iffa_jsonbuf__dispose(&ids[1]);
	return error;
}

/* Past this many bytes of edges read, the next batch starts afresh. */
#define EDGE_CACHE_MAX (64u << 20)

/*
 * Read the edges that the new-form rows of `res` (column 12) name and
 * earlier batches did not, in one statement, each as the JSON object
 * earlier runs stored on their paths, byte for byte: what a screening
 * shows does not depend on the form its run stored.
 */
static int fetch_edges(iffa_screen__exposure *x, const PGresult *res)
{
	iffa_jsonbuf list = IFFA_JSONBUF_INIT;
	PGresult *er = NULL;
	size_t total = 0, m = 0;
	int32_t *all = NULL;
	char run[32];
	const char *p[2];
	int error = 0, any = 0;

	for (int i = 0; i < PQntuples(res); i++) {
		long k;
		if (PQgetisnull(res, i, 12))
			continue;
		if ((k = int_array(NULL, PQgetvalue(res, i, 12))) < 0)
			return iffa_error_set(IFFA_EINVAL, "the stored exposure path of account %s is "
					      "not a list of edges: %.40s", PQgetvalue(res, i, 1),
					      PQgetvalue(res, i, 12));
		total += (size_t)k;
	}
	if (total == 0)
		return 0;
	if (x->edge_text.len + x->label_text.len > EDGE_CACHE_MAX) {
		iffa_jsonbuf__clear(&x->edge_text);
		memset(x->edge_at, 0, x->nedge_at * sizeof(*x->edge_at));
		iffa_jsonbuf__clear(&x->label_text);
		if (x->label_cap)
			memset(x->label_key, 0, x->label_cap * sizeof(*x->label_key));
		x->nlabel = 0;
	}
	if (!(all = malloc(total * sizeof(*all)))) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	for (int i = 0; i < PQntuples(res); i++)
		if (!PQgetisnull(res, i, 12))
			m += (size_t)int_array(all + m, PQgetvalue(res, i, 12));
	qsort(all, m, sizeof(*all), by_num);
	if ((size_t)all[m - 1] >= x->nedge_at) {
		size_t n = (size_t)all[m - 1] + 1 + x->nedge_at / 2, *at;
		if (!(at = realloc(x->edge_at, n * sizeof(*at)))) {
			error = iffa_error_set(IFFA_ENOMEM, "out of memory");
			goto done;
		}
		memset(at + x->nedge_at, 0, (n - x->nedge_at) * sizeof(*at));
		x->edge_at = at;
		x->nedge_at = n;
	}
	iffa_jsonbuf__puts(&list, "{");
	for (size_t i = 0; i < m; i++)
		if ((i == 0 || all[i] != all[i - 1]) && !x->edge_at[all[i]]) {
			iffa_jsonbuf__printf(&list, "%s%d", any ? "," : "", (int)all[i]);
			any = 1;
		}
	iffa_jsonbuf__puts(&list, "}");
	if (list.oom) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	if (!any)
		goto done;
	snprintf(run, sizeof(run), "%lld", x->run);
	p[0] = run;
	p[1] = list.ptr;
	er = PQexecPrepared(iffa_db_conn(x->db), x->estmt, 2, p, NULL, NULL, 0);
	if (PQresultStatus(er) != PGRES_TUPLES_OK) {
		error = iffa_db__fail(x->db, er, "reading the edges of exposure paths");
		goto done;
	}
	if ((error = fetch_labels(x, er)) < 0)
		goto done;
	for (int i = 0; i < PQntuples(er); i++) {
		long long k = atoll(PQgetvalue(er, i, 0));
		size_t at = x->edge_text.len;
		if (k < 0 || (size_t)k >= x->nedge_at)
			continue;
		edge_text(&x->edge_text, x, er, i);
		iffa_jsonbuf__put(&x->edge_text, "", 1); /* each object NUL-terminated */
		if (x->edge_text.oom) {
			error = iffa_error_set(IFFA_ENOMEM, "out of memory");
			goto done;
		}
		x->edge_at[k] = at + 1;
	}
done:
	PQclear(er);
	iffa_jsonbuf__dispose(&list);
	free(all);
	return error;
}

/* The path of a new-form row as the JSON text earlier rows stored. */
static int rebuild_path(iffa_jsonbuf *b, const iffa_screen__exposure *x, const char *edges,
			long long account)
{
	long n = int_array(NULL, edges);
	int32_t *num = NULL;
	int error = 0;

	if (n < 0)
		return iffa_error_set(IFFA_EINVAL, "the stored exposure path of account %lld is not "
				      "a list of edges", account);
	if (n > 0 && !(num = malloc((size_t)n * sizeof(*num))))
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	int_array(num, edges);
	iffa_jsonbuf__puts(b, "[");
	for (long k = 0; k < n; k++) {
		size_t at = (size_t)num[k] < x->nedge_at ? x->edge_at[num[k]] : 0;
		if (!at) {
			error = iffa_error_set(IFFA_EINVAL, "the stored exposure path of account %lld "
					       "names edge %d, which run %lld does not hold",
					       account, (int)num[k], x->run);
			goto done;
		}
		iffa_jsonbuf__puts(b, k ? "," : "");
		iffa_jsonbuf__puts(b, x->edge_text.ptr + at - 1);
	}
	iffa_jsonbuf__puts(b, "]");
	if (b->oom)
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
done:
	free(num);
	return error;
}

/* Fill one result from its row of the look-up. */
static int fill(iffa_screen_result *r, const iffa_screen__exposure *x, const PGresult *res, int row)
{
	iffa_screen_exposure *e = &r->exposure;
	iffa_jsonbuf rebuilt = IFFA_JSONBUF_INIT;
	size_t size = len0(x->finished) + len0(x->from) + len0(x->to);
	const char *path = "[]";
	char *at;
	int error = 0;

	if (PQgetisnull(res, row, 1)) {
		e->status = IFFA_SCREEN_EXPOSURE_UNKNOWN_ACCOUNT;
	} else {
		e->account_id = atoll(PQgetvalue(res, row, 1));
		e->party_id = PQgetisnull(res, row, 2) ? 0 : atoll(PQgetvalue(res, row, 2));
		if (!PQgetisnull(res, row, 3))
			e->status = IFFA_SCREEN_EXPOSURE_EXPOSED;
		else if (e->account_id > x->max_account)
			e->status = IFFA_SCREEN_EXPOSURE_NOT_IN_RUN;
		else
			e->status = IFFA_SCREEN_EXPOSURE_NONE;
	}
	e->hops = -1;
	if (e->status == IFFA_SCREEN_EXPOSURE_EXPOSED) {
		/* a row of a run before sql/012 has its path as text, a later one as edges */
		if (!PQgetisnull(res, row, 12)) {
			if ((error = rebuild_path(&rebuilt, x, PQgetvalue(res, row, 12),
						  e->account_id)) < 0)
				goto done;
			path = rebuilt.ptr;
		} else if (!PQgetisnull(res, row, 11)) {
			path = PQgetvalue(res, row, 11);
		}
		/* Decoded strings and the records re-written never outgrow the text
		 * they come from; "null" (5 bytes) stands for at most 13 ("records":null). */
		size += len0(PQgetvalue(res, row, 3)) + 2 * len0(path);
	}
	if (!(r->xstrings = malloc(size + 1))) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	at = r->xstrings;
	e->run_finished_at = copy(&at, x->finished);
	e->run_from = x->from[0] ? copy(&at, x->from) : NULL;
	e->run_to = x->to[0] ? copy(&at, x->to) : NULL;
	if (e->status != IFFA_SCREEN_EXPOSURE_EXPOSED)
		goto done;
	e->flagged = strcmp(PQgetvalue(res, row, 4), "t") == 0;
	e->score = atof(PQgetvalue(res, row, 5));
	e->taint = atof(PQgetvalue(res, row, 6));
	e->tainted_xof = atof(PQgetvalue(res, row, 7));
	e->funding = atof(PQgetvalue(res, row, 8));
	e->funding_xof = atof(PQgetvalue(res, row, 9));
	e->hops = atoi(PQgetvalue(res, row, 10));
	e->way = copy(&at, PQgetvalue(res, row, 3));
	e->path_json = copy(&at, path);
	error = read_path(r, e->path_json, &at);
done:
	iffa_jsonbuf__dispose(&rebuilt);
	return error;
}

int iffa_screen__exposure_lookup(iffa_screen__exposure *x, iffa_screen_result *out,
				 const iffa_screen_request *reqs, size_t n)
{
	iffa_jsonbuf q = IFFA_JSONBUF_INIT;
	PGresult *res = NULL;
	char run[32];
	const char *p[3];
	double age = x->run ? ((double)time(NULL) - x->finished_epoch) / 86400.0 : 0;
	int any = 0, error = 0;

	for (size_t i = 0; i < n; i++) {
		iffa_screen_exposure *e = &out[i].exposure;
		memset(e, 0, sizeof(*e));
		e->hops = -1;
		if (!reqs[i].account || !*reqs[i].account)
			continue;
		e->run_id = x->run;
		e->run_age_days = age < 0 ? 0 : age;
		if (!x->run) {
			e->status = IFFA_SCREEN_EXPOSURE_NO_RUN;
			continue;
		}
		iffa_jsonbuf__printf(&q, "%s{\"i\":%zu,", any ? "," : "[", i);
		iffa_jsonbuf__kv(&q, "ref", reqs[i].account);
		iffa_jsonbuf__puts(&q, "}");
		any = 1;
	}
	if (!any)
		goto done;
	iffa_jsonbuf__puts(&q, "]");
	if (q.oom) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	snprintf(run, sizeof(run), "%lld", x->run);
	p[0] = run;
	p[1] = x->level;
	p[2] = q.ptr;
	res = PQexecPrepared(iffa_db_conn(x->db), x->stmt, 3, p, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		error = iffa_db__fail(x->db, res, "looking up the exposure of accounts");
		goto done;
	}
	if ((error = fetch_edges(x, res)) < 0)
		goto done;
	for (int i = 0; i < PQntuples(res); i++) {
		size_t k = (size_t)atoll(PQgetvalue(res, i, 0));
		if (k >= n || out[k].xstrings)
			continue;
		if ((error = fill(&out[k], x, res, i)) < 0)
			goto done;
	}
done:
	PQclear(res);
	iffa_jsonbuf__dispose(&q);
	return error;
}

void iffa_screen__exposure_combine(iffa_screen_result *r)
{
	iffa_screen_exposure *e = &r->exposure;
	iffa_screen_verdict v = r->name_verdict;

	r->verdict = v;
	if (e->status != IFFA_SCREEN_EXPOSURE_EXPOSED)
		return;
	if (e->way && strcmp(e->way, "source") == 0)
		r->verdict = IFFA_SCREEN_MATCH;
	else if (e->flagged && v < IFFA_SCREEN_POSSIBLE)
		r->verdict = IFFA_SCREEN_POSSIBLE;
	e->raised = r->verdict > v;
}

void iffa_screen__exposure_json(iffa_jsonbuf *b, const iffa_screen_exposure *e, int brief)
{
	iffa_jsonbuf__puts(b, "{");
	iffa_jsonbuf__kv(b, "status", iffa_screen_exposure_status_name(e->status));
	if (e->status == IFFA_SCREEN_EXPOSURE_NOT_ASSESSED) {
		iffa_jsonbuf__puts(b, "}");
		return;
	}
	if (e->run_id) {
		iffa_jsonbuf__printf(b, ",\"run\":%lld,", e->run_id);
		iffa_jsonbuf__kv(b, "run_finished_at", e->run_finished_at);
		iffa_jsonbuf__printf(b, ",\"run_age_days\":%.2f,", e->run_age_days);
		iffa_jsonbuf__kv(b, "run_from", e->run_from);
		iffa_jsonbuf__puts(b, ",");
		iffa_jsonbuf__kv(b, "run_to", e->run_to);
	}
	if (e->account_id)
		iffa_jsonbuf__printf(b, ",\"account_id\":%lld", e->account_id);
	if (e->party_id)
		iffa_jsonbuf__printf(b, ",\"party_id\":%lld", e->party_id);
	if (e->status == IFFA_SCREEN_EXPOSURE_EXPOSED) {
		iffa_jsonbuf__puts(b, ",");
		iffa_jsonbuf__kv(b, "way", e->way);
		iffa_jsonbuf__printf(b, ",\"flagged\":%s,\"raised_verdict\":%s,\"score\":%.4f,"
				     "\"taint\":%.4f,\"tainted_xof\":%.2f,\"funding\":%.4f,"
				     "\"funding_xof\":%.2f,\"hops\":",
				     e->flagged ? "true" : "false", e->raised ? "true" : "false",
				     e->score, e->taint, e->tainted_xof, e->funding, e->funding_xof);
		if (e->hops >= 0)
			iffa_jsonbuf__printf(b, "%d", e->hops);
		else
			iffa_jsonbuf__puts(b, "null");
		iffa_jsonbuf__puts(b, ",\"path\":");
		if (!brief) {
			iffa_jsonbuf__puts(b, e->path_json ? e->path_json : "[]");
		} else {
			iffa_jsonbuf__puts(b, "[");
			for (size_t k = 0; k < e->npath; k++) {
				const iffa_screen_path_edge *pe = &e->path[k];
				iffa_jsonbuf__puts(b, k ? ",{" : "{");
				iffa_jsonbuf__kv(b, "from", pe->from);
				iffa_jsonbuf__puts(b, ",");
				iffa_jsonbuf__kv(b, "to", pe->to);
				iffa_jsonbuf__printf(b, ",\"amount_xof\":%.2f,", pe->amount_xof);
				iffa_jsonbuf__kv(b, "first", pe->first);
				iffa_jsonbuf__puts(b, ",");
				iffa_jsonbuf__kv(b, "last", pe->last);
				iffa_jsonbuf__printf(b, ",\"records\":%s}", pe->records ? pe->records : "null");
			}
			iffa_jsonbuf__puts(b, "]");
		}
	}
	iffa_jsonbuf__puts(b, "}");
}

/* 1234567.5 as "1,234,568". */
static void grouped(char *out, size_t size, double xof)
{
	char digits[40];
	size_t n, o = 0;

	snprintf(digits, sizeof(digits), "%.0f", isfinite(xof) && xof >= 0 ? xof : 0.0);
	n = strlen(digits);
	for (size_t i = 0; i < n && o + 2 < size; i++) {
		if (i && (n - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
}

void iffa_screen__exposure_path_words(iffa_jsonbuf *b, const iffa_screen_exposure *e)
{
	for (size_t k = 0; k < e->npath; k++) {
		const iffa_screen_path_edge *pe = &e->path[k];
		char amount[48];
		grouped(amount, sizeof(amount), pe->amount_xof);
		iffa_jsonbuf__puts(b, k ? "; " : "");
		iffa_jsonbuf__puts(b, pe->from ? pe->from : "?");
		if (pe->from_name && *pe->from_name)
			iffa_jsonbuf__printf(b, " (%s)", pe->from_name);
		iffa_jsonbuf__puts(b, " -> ");
		iffa_jsonbuf__puts(b, pe->to ? pe->to : "?");
		if (pe->to_name && *pe->to_name)
			iffa_jsonbuf__printf(b, " (%s)", pe->to_name);
		iffa_jsonbuf__printf(b, " %s XOF %s %.10s", amount, pe->kind ? pe->kind : "",
				     pe->first ? pe->first : "");
		if (pe->flows > 1 && pe->last)
			iffa_jsonbuf__printf(b, "..%.10s (%lld flows)", pe->last, pe->flows);
	}
}
