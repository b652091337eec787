/*
 * iffa share export: the flows of the database with every identifier
 * replaced by its pseudonym (key.c), as CSV (docs/FORMATS.md, "Shared
 * pseudonymised flows").
 *
 * One REPEATABLE READ READ ONLY snapshot and one parameterised query: it
 * groups the flows by (kind, from, to, UTC month, channel) with counts and
 * XOF sums rounded to whole francs, and counts the flows whose currency has
 * no rate; when there are any, a second query names the first and the
 * export is refused. Rows stream in single-row mode; each is
 * pseudonymised as it arrives, so raw identifiers are held one row at a
 * time. The pseudonymised rows are then sorted by pseudonym (an order that
 * says nothing about the identifiers), and rows whose identifiers become
 * equal once normalised are merged.
 * Time complexity: O(g log g) for g groups, plus the server's work.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonbuf.h"
#include "crypto/crypto.h"
#include "db/db.h"
#include "share/share.h"

/* Each record becomes one flow or more; the window [$1, $2) applies to the
 * record's time, NULL meaning unbounded. Money of a gold lot goes from the
 * buyer to the seller. Flows carry database ids until they are grouped;
 * references and countries are joined to the groups, which are fewer. */
#define FLOWS_SQL                                                                          \
	"WITH f AS ("                                                                      \
	" SELECT 'transfer'::text AS kind, t.id, 'account'::text AS from_type,"            \
	"  t.from_account AS from_id, 'account'::text AS to_type, t.to_account AS to_id,"  \
	"  t.ts AS at, t.channel, t.amount, t.currency::text AS currency"                 \
	" FROM transfer t"                                                                 \
	" WHERE ($1::date IS NULL OR t.ts >= ($1::date)::timestamp AT TIME ZONE 'UTC')"     \
	"  AND ($2::date IS NULL OR t.ts < ($2::date)::timestamp AT TIME ZONE 'UTC')"       \
	" UNION ALL"                                                                       \
	" SELECT 'ransom', r.id, 'party', h.path[i], 'party', h.path[i + 1], r.paid_at,"   \
	"  'none', r.amount, r.currency"                                                   \
	" FROM ransom r"                                                                   \
	"  CROSS JOIN LATERAL (SELECT ARRAY[r.payer] || coalesce(array_agg(l.party_id"     \
	"   ORDER BY l.seq), '{}'::bigint[]) || r.recipient AS path"                       \
	"   FROM ransom_leg l WHERE l.ransom_id = r.id) h"                                 \
	"  CROSS JOIN LATERAL generate_series(1, cardinality(h.path) - 1) AS i"            \
	" WHERE ($1::date IS NULL OR r.paid_at >= ($1::date)::timestamp AT TIME ZONE 'UTC')" \
	"  AND ($2::date IS NULL OR r.paid_at < ($2::date)::timestamp AT TIME ZONE 'UTC')"  \
	" UNION ALL"                                                                       \
	" SELECT 'gold_lot', g.id, 'party', g.buyer, 'party', g.seller, g.traded_at,"      \
	"  'none', g.value, g.currency"                                                    \
	" FROM gold_lot g"                                                                 \
	" WHERE ($1::date IS NULL OR g.traded_at >= ($1::date)::timestamp AT TIME ZONE 'UTC')" \
	"  AND ($2::date IS NULL OR g.traded_at < ($2::date)::timestamp AT TIME ZONE 'UTC')" \
	" UNION ALL"                                                                       \
	" SELECT 'levy', v.id, 'party', v.payer, 'party', v.collector, v.levied_at,"       \
	"  'none', v.amount, v.currency"                                                   \
	" FROM levy v"                                                                     \
	" WHERE ($1::date IS NULL OR v.levied_at >= ($1::date)::timestamp AT TIME ZONE 'UTC')" \
	"  AND ($2::date IS NULL OR v.levied_at < ($2::date)::timestamp AT TIME ZONE 'UTC')" \
	"), r AS ("                                                                        \
	" SELECT currency::text AS currency, valid_from, lead(valid_from) OVER"            \
	"  (PARTITION BY currency ORDER BY valid_from) AS valid_to, xof_per_unit"         \
	" FROM fx_rate"                                                                    \
	"), x AS ("                                                                        \
	" SELECT f.*, CASE WHEN f.currency = 'XOF' THEN 1::numeric ELSE r.xof_per_unit END"  \
	"  AS rate"                                                                        \
	" FROM f LEFT JOIN r ON r.currency = f.currency"                                   \
	"  AND r.valid_from <= (f.at AT TIME ZONE 'UTC')::date"                           \
	"  AND (r.valid_to IS NULL OR (f.at AT TIME ZONE 'UTC')::date < r.valid_to)"      \
	") "

/* The flow a missing rate is reported on (run only when there is one). */
#define MISSING_RATE_SQL                                                                   \
	FLOWS_SQL "SELECT kind, id, currency, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD')"  \
		  " FROM x WHERE rate IS NULL ORDER BY at, kind, id LIMIT 1"

/* Rate lookups join the rate's validity interval (lead() over fx_rate): a
 * hash join on the currency, where a subquery per flow cost an index scan
 * each. The last column counts flows without a rate. */
#define GROUPS_SQL                                                                         \
	FLOWS_SQL ", g AS ("                                                               \
		  " SELECT kind, from_type, from_id, to_type, to_id,"                      \
		  "  date_trunc('month', at AT TIME ZONE 'UTC') AS month, channel,"          \
		  "  count(*) AS n, sum(amount * rate) AS xof,"                              \
		  "  count(*) FILTER (WHERE rate IS NULL) AS unrated"                       \
		  " FROM x GROUP BY 1, 2, 3, 4, 5, 6, 7)"                                   \
		  " SELECT g.kind, g.from_type, coalesce(fa.ref, fp.ref),"                  \
		  "  coalesce(fa.country::text, fp.country::text, ''), g.to_type,"          \
		  "  coalesce(ta.ref, tp.ref), coalesce(ta.country::text, tp.country::text, ''),"  \
		  "  to_char(g.month, 'YYYY-MM'), g.channel, g.n, round(g.xof)::bigint,"    \
		  "  g.unrated"                                                             \
		  " FROM g"                                                                 \
		  "  LEFT JOIN account fa ON g.from_type = 'account' AND fa.id = g.from_id" \
		  "  LEFT JOIN party fp ON g.from_type = 'party' AND fp.id = g.from_id"     \
		  "  LEFT JOIN account ta ON g.to_type = 'account' AND ta.id = g.to_id"     \
		  "  LEFT JOIN party tp ON g.to_type = 'party' AND tp.id = g.to_id"

/* One group, pseudonymised. Field order is the sort order. */
typedef struct {
	unsigned char from[32], to[32]; /* HMAC of the identifiers */
	char month[8];                  /* YYYY-MM */
	unsigned char kind, channel;    /* indexes in the name tables */
	unsigned char from_type, to_type;
	char from_country[3], to_country[3];
	long long count, amount;
} group;

typedef struct {
	iffa_db *db;
	const iffa_share_key *key;
	group *v;
	size_t n, cap;
	long long flows;
	long long unrated; /* flows without a rate (the export is then refused) */
} exporter;

/* Days in a month of the proleptic Gregorian calendar. */
static int month_days(int y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

static int check_date(const char *s, const char *what)
{
	int y, m, d;

	if (!s)
		return 0;
	for (int i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : !(s[i] >= '0' && s[i] <= '9'))
			goto bad;
	if (s[10] != '\0')
		goto bad;
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > month_days(y, m))
		goto bad;
	return 0;
bad:
	return iffa_error_set(IFFA_EINVAL, "%s '%s' is not a date (YYYY-MM-DD)", what, s);
}

static int subject_of(iffa_share_subject *out, const char *s)
{
	if (strcmp(s, "account") == 0)
		*out = IFFA_SHARE_ACCOUNT;
	else if (strcmp(s, "party") == 0)
		*out = IFFA_SHARE_PARTY;
	else
		return -1;
	return 0;
}

static int take_row(exporter *x, const PGresult *res)
{
	iffa_share_subject fs, ts;
	group *g;
	int kind, channel, error;

	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 1024;
		group *v = realloc(x->v, cap * sizeof(*v));
		if (!v)
			return iffa_error_set(IFFA_ENOMEM, "out of memory");
		x->v = v;
		x->cap = cap;
	}
	g = &x->v[x->n];
	memset(g, 0, sizeof(*g));
	kind = iffa_share__lookup(iffa_share__kinds, iffa_share__nkinds, PQgetvalue(res, 0, 0));
	channel = iffa_share__lookup(iffa_share__channels, iffa_share__nchannels,
				     PQgetvalue(res, 0, 8));
	if (PQgetisnull(res, 0, 2) || PQgetisnull(res, 0, 5))
		return iffa_error_set(IFFA_EDB, "reading the flows: a %s names an account or party "
						"that does not exist",
				      PQgetvalue(res, 0, 0));
	x->unrated += atoll(PQgetvalue(res, 0, 11));
	if (x->unrated > 0)
		return 0; /* the export is refused; the rest is drained */
	if (kind < 0 || channel < 0 || subject_of(&fs, PQgetvalue(res, 0, 1)) < 0 ||
	    subject_of(&ts, PQgetvalue(res, 0, 4)) < 0 || strlen(PQgetvalue(res, 0, 3)) > 2 ||
	    strlen(PQgetvalue(res, 0, 6)) > 2 || strlen(PQgetvalue(res, 0, 7)) != 7)
		return iffa_error_set(IFFA_EDB, "reading the flows: unexpected row (kind %s, "
						"channel %s)",
				      PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 8));
	/* Raw identifiers stop here: only their HMAC is kept. */
	if ((error = iffa_share__hmac(g->from, x->key, fs, PQgetvalue(res, 0, 2))) < 0 ||
	    (error = iffa_share__hmac(g->to, x->key, ts, PQgetvalue(res, 0, 5))) < 0)
		return iffa_error_set(error, "%s: the %s of a flow: %s", PQgetvalue(res, 0, 0),
				      error == IFFA_EINVAL ? "reference" : "pseudonym",
				      iffa_error_last());
	g->kind = (unsigned char)kind;
	g->channel = (unsigned char)channel;
	g->from_type = (unsigned char)fs;
	g->to_type = (unsigned char)ts;
	memcpy(g->from_country, PQgetvalue(res, 0, 3), strlen(PQgetvalue(res, 0, 3)));
	memcpy(g->to_country, PQgetvalue(res, 0, 6), strlen(PQgetvalue(res, 0, 6)));
	memcpy(g->month, PQgetvalue(res, 0, 7), 7);
	g->count = atoll(PQgetvalue(res, 0, 9));
	g->amount = atoll(PQgetvalue(res, 0, 10));
	x->flows += g->count;
	x->n++;
	return 0;
}

/* Run GROUPS_SQL in single-row mode, pseudonymising each row. */
static int read_groups(exporter *x, const char *const *params)
{
	PGconn *conn = iffa_db_conn(x->db);
	PGresult *res;
	int error = 0, failed = 0;

	if (!PQsendQueryParams(conn, GROUPS_SQL, 2, NULL, params, NULL, NULL, 0))
		return iffa_db__fail(x->db, NULL, "reading the flows");
	if (!PQsetSingleRowMode(conn))
		error = iffa_db__fail(x->db, NULL, "reading the flows");
	/* Every result is consumed, even after a failure, so the connection
	 * stays usable for the ROLLBACK. */
	while ((res = PQgetResult(conn)) != NULL) {
		ExecStatusType st = PQresultStatus(res);

		if (st == PGRES_SINGLE_TUPLE) {
			if (!failed && error == 0 && (error = take_row(x, res)) < 0)
				failed = 1;
		} else if (st != PGRES_TUPLES_OK && !failed && error == 0) {
			error = iffa_db__fail(x->db, res, "reading the flows");
			failed = 1;
		}
		PQclear(res);
	}
	return error;
}

static int cmp_group(const void *a, const void *b)
{
	const group *x = a, *y = b;
	int c;

	if ((c = memcmp(x->from, y->from, 32)) || (c = memcmp(x->to, y->to, 32)) ||
	    (c = strcmp(x->month, y->month)))
		return c;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->channel != y->channel)
		return x->channel < y->channel ? -1 : 1;
	if (x->from_type != y->from_type)
		return x->from_type < y->from_type ? -1 : 1;
	if (x->to_type != y->to_type)
		return x->to_type < y->to_type ? -1 : 1;
	if ((c = strcmp(x->from_country, y->from_country)))
		return c;
	return strcmp(x->to_country, y->to_country);
}

/* Sort, and merge groups whose identifiers met once normalised. */
static void sort_merge(exporter *x)
{
	size_t w = 0;

	if (x->n == 0)
		return;
	qsort(x->v, x->n, sizeof(group), cmp_group);
	for (size_t i = 1; i < x->n; i++) {
		if (cmp_group(&x->v[w], &x->v[i]) == 0) {
			x->v[w].count += x->v[i].count;
			x->v[w].amount += x->v[i].amount;
		} else {
			x->v[++w] = x->v[i];
		}
	}
	x->n = w + 1;
}

static int write_csv(iffa_atomicfile *f, const exporter *x, const char *key_id)
{
	iffa_jsonbuf line = IFFA_JSONBUF_INIT;
	int error = 0;

	if ((error = iffa_atomicfile__write(f, IFFA_SHARE__HEADER "\n",
						sizeof(IFFA_SHARE__HEADER))) < 0)
		return error;
	for (size_t i = 0; i < x->n && error == 0; i++) {
		const group *g = &x->v[i];
		char from[65], to[65];

		iffa_crypto__hex(from, g->from, 32);
		iffa_crypto__hex(to, g->to, 32);
		iffa_jsonbuf__clear(&line);
		iffa_jsonbuf__printf(&line, "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%lld,%lld\n", key_id,
				     iffa_share__kinds[g->kind],
				     iffa_share_subject_name((iffa_share_subject)g->from_type), from,
				     g->from_country, iffa_share_subject_name((iffa_share_subject)g->to_type),
				     to, g->to_country, g->month, iffa_share__channels[g->channel],
				     g->count, g->amount);
		if (line.oom)
			error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		else
			error = iffa_atomicfile__write(f, line.ptr, line.len);
	}
	iffa_jsonbuf__dispose(&line);
	return error;
}

int iffa_share_export(iffa_share_export_result *out, iffa_db *db, const char *path,
		      const iffa_share_export_options *opts)
{
	exporter x;
	iffa_share_key *key = NULL;
	iffa_atomicfile *f = NULL;
	iffa_jsonbuf params = IFFA_JSONBUF_INIT, detail = IFFA_JSONBUF_INIT;
	PGresult *res = NULL;
	const char *p[2];
	int error = 0, in_tx = 0, audited = 0;

	memset(out, 0, sizeof(*out));
	memset(&x, 0, sizeof(x));
	if (!db || !path || !*path || !opts)
		return iffa_error_set(IFFA_EINVAL, "share export: a connection, an output file and "
						   "options are needed");
	iffa_jsonbuf__puts(&params, "{\"out\":");
	iffa_crypto__json_str(&params, path);
	iffa_jsonbuf__puts(&params, ",\"key_file\":");
	iffa_crypto__json_str(&params, opts->key_file);
	iffa_jsonbuf__puts(&params, ",\"from\":");
	iffa_crypto__json_str(&params, opts->from);
	iffa_jsonbuf__puts(&params, ",\"to\":");
	iffa_crypto__json_str(&params, opts->to);
	iffa_jsonbuf__puts(&params, "}");
	if (params.oom) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	if ((error = check_date(opts->from, "--from")) < 0 ||
	    (error = check_date(opts->to, "--to")) < 0)
		goto done;
	if (opts->from && opts->to && strcmp(opts->from, opts->to) >= 0) {
		error = iffa_error_set(IFFA_EINVAL, "--from %s is not before --to %s", opts->from,
				       opts->to);
		goto done;
	}
	if ((error = iffa_share_key_load(&key, opts->key_file)) < 0)
		goto done;
	x.db = db;
	x.key = key;
	memcpy(out->key_id, iffa_share_key_id(key), 17);
	if (PQtransactionStatus(iffa_db_conn(db)) != PQTRANS_IDLE) {
		error = iffa_error_set(IFFA_ERROR, "share export: the connection is inside a "
						   "transaction; an export reads in its own");
		goto done;
	}

	p[0] = opts->from;
	p[1] = opts->to;
	if ((error = iffa_db__exec(db, "starting the export",
				   "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL)) < 0)
		goto done;
	in_tx = 1;
	/* The planner's estimates for this query (a rate looked up per flow,
	 * the ransom hops) pass jit_above_cost even on a few rows, and JIT
	 * compilation then took 3.5 s for the 13 flows of the test fixtures,
	 * against 20 ms for the whole query without it. */
	if ((error = iffa_db__exec(db, "starting the export", "SET LOCAL jit = off", 0, NULL)) < 0)
		goto done;
	if ((error = read_groups(&x, p)) < 0)
		goto done;
	if (x.unrated > 0) {
		if ((error = iffa_db__query(&res, db, "looking for the flow without a rate",
					    MISSING_RATE_SQL, 2, p)) < 0)
			goto done;
		if (PQntuples(res) != 1) {
			error = iffa_error_set(IFFA_EDB, "%lld flows without a rate, none found again",
					       x.unrated);
			goto done;
		}
		error = iffa_error_set(IFFA_EINVAL, "%s %s: no fx_rate for %s on or before %s; "
						    "nothing was written",
				       PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1),
				       PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 3));
		goto done;
	}
	in_tx = 0;
	if ((error = iffa_db__exec(db, "ending the export", "COMMIT", 0, NULL)) < 0)
		goto done;
	sort_merge(&x);
	out->rows = x.n;
	out->flows = x.flows;

	if ((error = iffa_atomicfile__open(&f, path, 0600, IFFA_ATOMICFILE_SHA256)) < 0 ||
	    (error = write_csv(f, &x, out->key_id)) < 0 ||
	    (error = iffa_atomicfile__finish(f, out->file_sha256)) < 0)
		goto done;
	iffa_jsonbuf__printf(&detail, "{\"ok\":true,\"key_id\":\"%s\",\"rows\":%zu,\"flows\":%lld}",
			     out->key_id, out->rows, out->flows);
	if (detail.oom) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	/* Recorded before the file is in place: nothing leaves unrecorded. */
	audited = 1;
	if ((error = iffa_crypto__audit(&out->audit_id, db, "share export", params.ptr,
					(long long)out->rows, out->file_sha256, detail.ptr)) < 0 ||
	    (error = iffa_atomicfile__commit(f)) < 0)
		goto done;
done:
	PQclear(res);
	if (in_tx) {
		PGresult *r = PQexec(iffa_db_conn(db), "ROLLBACK");
		PQclear(r);
	}
	if (error < 0 && !audited && db && params.ptr)
		iffa_crypto__audit_failure(db, "share export", params.ptr, error);
	if (error < 0)
		out->audit_id = 0;
	iffa_atomicfile__free(f);
	iffa_share_key_free(key);
	free(x.v);
	iffa_jsonbuf__dispose(&params);
	iffa_jsonbuf__dispose(&detail);
	return error;
}
