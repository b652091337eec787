/*
 * Graph exposure of screened counterparties. `iffa analyse` leaves the
 * exposure of every vertex within reach of a source in vertex_exposure
 * (src/analyse/exposure.c); a screening reads it for the accounts it is
 * given, never the flow graph itself, so it costs one statement per batch
 * of counterparties.
 *
 * The run: the latest completed analysis run whose row counts say it
 * stored exposure (row_counts.exposure, with the highest account id it
 * knew, which tells an account loaded after the run from one that was in
 * its graph without exposure). The statement, prepared once per screener:
 * the batch's account references as a JSON array, each joined to
 * account, then to the run's row of its vertex (the account itself at
 * account level, its owning party at party level), one result row per
 * counterparty with an account. The path comes back as the text the
 * analysis stored (a json column: no re-serialising on the server) and is
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
};

static const char *const status_names[] = {"not assessed", "no analysis run", "unknown account",
					   "not in run", "none", "exposed"};

const char *iffa_screen_exposure_status_name(iffa_screen_exposure_status s)
{
	return (unsigned)s <= IFFA_SCREEN_EXPOSURE_EXPOSED ? status_names[s] : "not assessed";
}

/*
 * Column 12 is the path of a row written since sql/012: one JSON array
 * per edge, in path order, of [from account id, from party id, from ref,
 * from name, to account id, to party id, to ref, to name, amount_xof,
 * flows, first, last, channel, kind, record id, records], which
 * rebuild_path() turns into the text earlier rows stored in `path`
 * (column 11). An end without an account is a party; its name is its
 * own, an account's is its owner's.
 */
static const char lookup_sql[] =
	"SELECT (q->>'i')::int, a.id, a.party_id, x.way, x.flagged, x.score, x.taint,"
	" x.tainted_xof, x.funding, x.funding_xof, x.hops, x.path::text,"
	" CASE WHEN x.path_edges IS NOT NULL THEN coalesce((SELECT json_agg(json_build_array("
	"   e.from_account_id, e.from_party_id,"
	"   CASE WHEN e.from_account_id IS NULL THEN fp.ref ELSE fa.ref END, fp.name,"
	"   e.to_account_id, e.to_party_id,"
	"   CASE WHEN e.to_account_id IS NULL THEN tp.ref ELSE ta.ref END, tp.name,"
	"   e.amount_xof, e.flows, e.first_ts, e.last_ts, e.channel, e.kind, e.record_id,"
	"   e.records) ORDER BY u.o)"
	"  FROM unnest(x.path_edges) WITH ORDINALITY u(edge, o)"
	"  JOIN exposure_edge e ON e.run_id = $1::bigint AND e.edge = u.edge"
	"  LEFT JOIN account fa ON fa.id = e.from_account_id"
	"  LEFT JOIN party fp ON fp.id = e.from_party_id"
	"  LEFT JOIN account ta ON ta.id = e.to_account_id"
	"  LEFT JOIN party tp ON tp.id = e.to_party_id)::text, '[]') END"
	" FROM jsonb_array_elements($3::jsonb) q"
	" LEFT JOIN account a ON a.ref = q->>'ref'"
	" LEFT JOIN LATERAL ("
	"  SELECT * FROM vertex_exposure v WHERE v.run_id = $1::bigint AND v.account_id = a.id"
	"   AND ($2::text = 'account' OR a.party_id IS NULL)"
	"  UNION ALL SELECT * FROM vertex_exposure v WHERE v.run_id = $1::bigint"
	"   AND $2::text = 'party' AND v.party_id = a.party_id AND v.account_id IS NULL"
	"  LIMIT 1) x ON true";

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
				    "SELECT to_regclass('vertex_exposure') IS NOT NULL", 0, NULL)) < 0)
		goto done;
	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
		error = iffa_error_set(IFFA_EDB, "the database has no vertex_exposure table: run "
				       "`iffa db init` to upgrade the schema");
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
	/* A name of its own, so that screeners may share a connection. */
	snprintf(x->stmt, sizeof(x->stmt), "iffa_screen_exposure_%llx",
		 (unsigned long long)(uintptr_t)x);
	res = PQprepare(iffa_db_conn(db), x->stmt, lookup_sql, 0, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		error = iffa_db__fail(db, res, "preparing the exposure look-up");
		x->stmt[0] = '\0';
	}
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

/* The text of a number or string node, NULL for other types. */
static const char *scalar(const iffa_json__doc *d, int node)
{
	if (d->nodes[node].type != IFFA_JSON_STRING && d->nodes[node].type != IFFA_JSON_NUMBER)
		return NULL;
	return d->chars + d->nodes[node].str;
}

/* The id of an edge end: its account's, or its party's when it has no account. */
static const char *end_id(const iffa_json__doc *d, const int *el)
{
	return scalar(d, el[d->nodes[el[0]].type == IFFA_JSON_NULL ? 1 : 0]);
}

/* One end of an edge as the stored form wrote it: ref (or "account 12"
 * when the row is gone), name, type and id. `el` points at its 4 values. */
static void end_text(iffa_jsonbuf *b, const iffa_json__doc *d, const int *el, const char *side)
{
	int party = d->nodes[el[0]].type == IFFA_JSON_NULL;
	const char *type = party ? "party" : "account";
	const char *id = end_id(d, el), *ref = scalar(d, el[2]),
		   *name = scalar(d, el[3]);
	char fallback[48], key[16];

	if (!ref) {
		snprintf(fallback, sizeof(fallback), "%s %s", type, id);
		ref = fallback;
	}
	iffa_jsonbuf__kv(b, side, ref);
	snprintf(key, sizeof(key), "%s_name", side);
	iffa_jsonbuf__puts(b, ",");
	iffa_jsonbuf__kv(b, key, name ? name : "");
	iffa_jsonbuf__printf(b, ",\"%s_type\":\"%s\",\"%s_id\":%s", side, type, side, id);
}

/* A time as the stored form wrote it ("?" when it had none). */
static void time_text(iffa_jsonbuf *b, const char *key, const char *pg)
{
	char t[32];
	int64_t us;

	if (!pg || iffa_flowgraph_time_parse(&us, pg) < 0 ||
	    iffa_flowgraph_time_format(t, sizeof(t), us) < 0)
		snprintf(t, sizeof(t), "?");
	iffa_jsonbuf__kv(b, key, t);
}

#define EDGE_VALUES 16

/*
 * The path of a row written since sql/012 (column 12 of lookup_sql) as the
 * JSON text earlier rows stored, byte for byte: what a screening shows
 * does not depend on the form its run stored.
 */
static int rebuild_path(iffa_jsonbuf *b, const char *compact, long long account)
{
	iffa_json__doc d;
	size_t col;
	int error, first = 1;

	memset(&d, 0, sizeof(d));
	if ((error = iffa_json__parse(&d, compact, strlen(compact), &col)) < 0) {
		error = iffa_error_set(error, "the stored exposure path of account %lld, byte %zu: %s",
				       account, col, iffa_error_last());
		goto done;
	}
	if (d.nodes[0].type != IFFA_JSON_ARRAY)
		goto bad;
	iffa_jsonbuf__puts(b, "[");
	for (int c = d.nodes[0].first; c >= 0; c = d.nodes[c].next) {
		int el[EDGE_VALUES], n = 0, rec;
		if (d.nodes[c].type != IFFA_JSON_ARRAY)
			goto bad;
		for (int k = d.nodes[c].first; k >= 0; k = d.nodes[k].next) {
			if (n == EDGE_VALUES)
				goto bad;
			el[n++] = k;
		}
		if (n != EDGE_VALUES || !end_id(&d, el) || !end_id(&d, el + 4) || !scalar(&d, el[8]) ||
		    !scalar(&d, el[9]) || !scalar(&d, el[12]) || !scalar(&d, el[13]))
			goto bad;
		iffa_jsonbuf__puts(b, first ? "{" : ",{");
		first = 0;
		end_text(b, &d, el, "from");
		iffa_jsonbuf__puts(b, ",");
		end_text(b, &d, el + 4, "to");
		iffa_jsonbuf__printf(b, ",\"amount_xof\":%s,\"flows\":%s,", scalar(&d, el[8]),
				     scalar(&d, el[9]));
		time_text(b, "first", scalar(&d, el[10]));
		iffa_jsonbuf__puts(b, ",");
		time_text(b, "last", scalar(&d, el[11]));
		iffa_jsonbuf__puts(b, ",");
		iffa_jsonbuf__kv(b, "channel", scalar(&d, el[12]));
		iffa_jsonbuf__puts(b, ",");
		iffa_jsonbuf__kv(b, "kind", scalar(&d, el[13]));
		iffa_jsonbuf__puts(b, ",");
		if (scalar(&d, el[14])) {
			/* a one-flow edge: its record */
			iffa_jsonbuf__printf(b, "\"record\":%s,\"records\":[%s]}", scalar(&d, el[14]),
					     scalar(&d, el[14]));
			continue;
		}
		iffa_jsonbuf__puts(b, "\"record\":null,\"records\":");
		rec = el[15];
		if (d.nodes[rec].type != IFFA_JSON_ARRAY) {
			iffa_jsonbuf__puts(b, "null}");
			continue;
		}
		/* as jsonb wrote the ids of a merged edge: ", " between them */
		iffa_jsonbuf__puts(b, "[");
		for (int k = d.nodes[rec].first; k >= 0; k = d.nodes[k].next) {
			if (d.nodes[k].type != IFFA_JSON_NUMBER)
				goto bad;
			iffa_jsonbuf__puts(b, k == d.nodes[rec].first ? "" : ", ");
			iffa_jsonbuf__puts(b, scalar(&d, k));
		}
		iffa_jsonbuf__puts(b, "]}");
	}
	iffa_jsonbuf__puts(b, "]");
	if (b->oom)
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
	goto done;
bad:
	error = iffa_error_set(IFFA_EINVAL, "the stored exposure path of account %lld is malformed",
			       account);
done:
	iffa_json__dispose(&d);
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
			if ((error = rebuild_path(&rebuilt, PQgetvalue(res, row, 12), e->account_id)) < 0)
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
