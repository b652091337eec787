/*
 * An analysis run from start to end, and its record in analysis_run:
 *
 *   1. INSERT the run (status 'running', every parameter value, window,
 *      seed, code version, OS user) and take a session-level advisory
 *      lock on (IFFA_ANALYSE__LOCK_TEXT, id) for as long as it runs;
 *   2. read the flow graph (its own REPEATABLE READ snapshot);
 *   3. run the passes;
 *   4. BEGIN; findings and members; when the exposure pass ran, the
 *      exposure of every vertex within reach of a source (vertex_exposure
 *      and exposure_edge, for screening) at the same time on a second
 *      connection, in a transaction of its own (analyse.parallel_store;
 *      in turn on this one without it or without a second connection);
 *      when both sides have written everything, the exposure's COMMIT,
 *      then status 'completed', row counts and end time, the audit row
 *      and the run's COMMIT.
 *
 * A failure at any step after 1 marks the run 'failed' with the error,
 * reconnecting once if the connection was lost; a failure on either side
 * of step 4 before the exposure's COMMIT rolls back both. If the server
 * cannot be reached at all, the row stays 'running' without its lock,
 * which readers report as abandoned: a run that did not complete never
 * looks complete.
 *
 * The two COMMITs are not atomic: if the process dies, or the run's
 * COMMIT fails, after the exposure's, vertex_exposure and exposure_edge
 * hold rows of a run that is not 'completed' (and that no role but the
 * owner may delete). Every reader of those tables must therefore take a
 * run's rows only when its status is 'completed', as the screener does
 * (src/screen/exposure.c); findings are in the run's own transaction and
 * never outlive a failed run.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyse/analyse.h"
#include "core/jsonbuf.h"
#include "core/osuser.h"
#include "crypto/crypto.h"
#include "db/db.h"
#include "graph/flowgraph.h"
#include "iffa/ingest.h"

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void stage(const iffa_analyse_options *o, const char *what)
{
	if (o->stage)
		o->stage(o->stage_payload, what);
	if (o->progress)
		fprintf(o->progress, "iffa: analyse: %s\n", what);
}

/* The window bound as ISO text, or NULL when open. */
static const char *bound_text(char *buf, size_t size, int64_t t, int64_t open)
{
	if (t == open || iffa_flowgraph_time_format(buf, size, t) < 0)
		return NULL;
	return buf;
}

static int insert_run(int64_t *out, iffa_db *db, const iffa_analysis *a, const iffa_analyse_options *o)
{
	char *params = NULL, from[32], to[32], seed[32], user[256];
	iffa_jsonbuf pj = IFFA_JSONBUF_INIT;
	const char *p[7];
	PGresult *res = NULL;
	int error;

	if ((error = iffa_analysis_params_json(&params, a)) < 0)
		return error;
	/* the window and level belong to the values used too */
	iffa_jsonbuf__put(&pj, params, strlen(params) - 1);
	iffa_jsonbuf__printf(&pj, ",\"level\":\"%s\",\"from\":",
			     o->level == IFFA_LEVEL_PARTY ? "party" : "account");
	iffa_jsonbuf__str(&pj, bound_text(from, sizeof(from), o->from, IFFA_TIME_MIN));
	iffa_jsonbuf__puts(&pj, ",\"to\":");
	iffa_jsonbuf__str(&pj, bound_text(to, sizeof(to), o->to, IFFA_TIME_MAX));
	iffa_jsonbuf__puts(&pj, "}");
	free(params);
	if (pj.oom) {
		iffa_jsonbuf__dispose(&pj);
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	}
	snprintf(seed, sizeof(seed), "%lld", (long long)iffa_analysis_seed(a));
	iffa_core__os_user(user, sizeof(user));
	p[0] = o->level == IFFA_LEVEL_PARTY ? "party" : "account";
	p[1] = bound_text(from, sizeof(from), o->from, IFFA_TIME_MIN);
	p[2] = bound_text(to, sizeof(to), o->to, IFFA_TIME_MAX);
	p[3] = pj.ptr;
	p[4] = seed; /* bigint: a seed above 2^63 is stored as its two's complement */
	p[5] = iffa_version();
	p[6] = user;
	error = iffa_db__query(&res, db, "recording the analysis run",
			       "INSERT INTO analysis_run (level, data_from, data_to, params, seed,"
			       " code_version, os_user) VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7)"
			       " RETURNING id",
			       7, p);
	iffa_jsonbuf__dispose(&pj);
	if (error < 0)
		return error;
	*out = atoll(PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

static int lock_run(iffa_db *db, int64_t run, int take)
{
	char id[32];
	const char *p[1] = {id};

	snprintf(id, sizeof(id), "%lld", (long long)run);
	return iffa_db__exec(db, take ? "locking the analysis run" : "unlocking the analysis run",
			     take ? "SELECT pg_advisory_lock(" IFFA_ANALYSE__LOCK_TEXT ", " IFFA_ANALYSE__LOCK_RUN ")"
				  : "SELECT pg_advisory_unlock(" IFFA_ANALYSE__LOCK_TEXT ", " IFFA_ANALYSE__LOCK_RUN ")",
			     1, p);
}

static int row_counts(char **out, const iffa_flowgraph *g, const double *seconds,
		      const size_t *counts, double ingest_s, double passes_s)
{
	iffa_jsonbuf b = IFFA_JSONBUF_INIT;
	int64_t flows = 0;
	int first = 1;

	for (igraph_integer_t e = 0; e < iffa_flowgraph_edge_count(g); e++)
		flows += iffa_flowgraph_edge_flows(g, e);
	iffa_jsonbuf__printf(&b, "{\"vertices\":%lld,\"edges\":%lld,\"flows\":%lld,\"records\":{",
			     (long long)iffa_flowgraph_vertex_count(g),
			     (long long)iffa_flowgraph_edge_count(g), (long long)flows);
	for (int k = 0; k < IFFA_KIND_COUNT; k++)
		iffa_jsonbuf__printf(&b, "%s\"%s\":%lld", k ? "," : "",
				     iffa_record_kind_name((iffa_record_kind)k),
				     (long long)iffa_flowgraph_record_count(g, (iffa_record_kind)k));
	iffa_jsonbuf__puts(&b, "},\"findings\":{");
	for (size_t i = 1; i < iffa_analyse__npasses; i++) {
		if (counts[i] == (size_t)-1)
			continue;
		iffa_jsonbuf__printf(&b, "%s\"%s\":%zu", first ? "" : ",", iffa_analyse__passes[i].name,
				     counts[i]);
		first = 0;
	}
	/* "passes": their wall time together (with analyse.overlap some run at
	 * once, so it is less than the sum of theirs) */
	iffa_jsonbuf__printf(&b, "},\"seconds\":{\"ingest\":%.3f,\"passes\":%.3f", ingest_s,
			     passes_s);
	for (size_t i = 1; i < iffa_analyse__npasses; i++)
		if (counts[i] != (size_t)-1)
			iffa_jsonbuf__printf(&b, ",\"%s\":%.3f", iffa_analyse__passes[i].name, seconds[i]);
	iffa_jsonbuf__puts(&b, "}}");
	if (b.oom) {
		iffa_jsonbuf__dispose(&b);
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	}
	*out = b.ptr;
	return 0;
}

/*
 * The digest of a run's findings as stored, for the audit row: one line
 * per finding in id order. Computed once the findings are written, while
 * the exposure rows may still be going in on the other connection.
 */
static const char digest_sql[] =
	"SELECT encode(sha256(convert_to(coalesce(string_agg(concat_ws(E'\\t', f.id, f.pass, "
	"f.kind, f.subject_type, coalesce(f.subject_id::text, ''), f.subject_label, f.score, "
	"f.reason, f.evidence), E'\\n' ORDER BY f.id), ''), 'UTF8')), 'hex') "
	"FROM finding f WHERE f.run_id = $1::bigint";

/*
 * The audit row of a run, from its analysis_run row: command `analyse`,
 * the run's parameters, the number of findings and, as output_sha256, the
 * SHA-256 of the findings as stored (docs/SECURITY.md gives the recipe;
 * none for a failed run). $1 run id, $2 OS user, $3 detail (JSON) merged with the
 * run's status and row counts.
 * $4 the findings' digest (digest_sql) of a completed run, NULL otherwise.
 */
static const char audit_sql[] =
	"INSERT INTO audit_log (os_user, command, params, rows_affected, output_sha256, detail) "
	"SELECT $2, 'analyse', jsonb_build_object('run', r.id, 'level', r.level, "
	"'from', r.data_from, 'to', r.data_to, 'seed', r.seed, 'params', r.params), "
	"(SELECT count(*) FROM finding f WHERE f.run_id = r.id), "
	"CASE WHEN r.status = 'completed' THEN $4::text END, "
	"$3::jsonb || jsonb_build_object('status', r.status, 'code_version', r.code_version, "
	"'row_counts', r.row_counts) FROM analysis_run r WHERE r.id = $1::bigint";

/* The stored findings' digest (digest_sql): 64 hex digits and NUL in `out`. */
static int findings_digest(char out[65], iffa_db *db, int64_t run)
{
	PGresult *res = NULL;
	char id[32];
	const char *p[1] = {id};
	int error;

	snprintf(id, sizeof(id), "%lld", (long long)run);
	if ((error = iffa_db__query(&res, db, "digesting the stored findings", digest_sql, 1, p)) < 0)
		return error;
	snprintf(out, 65, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

/*
 * The findings, and when the exposure pass ran, its per-vertex values for
 * screening, with the values the pass used: with analyse.parallel_store
 * the exposure rows go on a second connection, on a thread of their own
 * and in a transaction of their own, while this connection writes the
 * findings (src/analyse/exposure.c); that transaction commits last here,
 * once every other row is written, and the caller commits the run's right
 * after. `extra` receives what row_counts adds:
 * {"exposure": {"rows": n, "max_account_id": id}}, the highest account id
 * the graph could hold (so that a screening tells an account loaded after
 * the run from one without exposure), or {} when the pass did not run.
 */
static int store_all(char *extra, size_t size, char digest[65], iffa_db *db, int64_t run,
		     const iffa_analysis *a, const iffa_flowgraph *g, const iffa_findings *f,
		     const iffa_exposure *scores)
{
	iffa_exposure_params p;
	iffa_analyse__exposure_store *st = NULL;
	long long max_account = 0;
	size_t rows;
	int error;

	snprintf(extra, size, "{}");
	for (size_t i = 1; i < iffa_analyse__npasses; i++) {
		if (strcmp(iffa_analyse__passes[i].name, "exposure") != 0 || !a->selected[i])
			continue;
		iffa_analyse__effective(&p, a, i);
		if ((error = iffa_analyse__store_exposure_begin(&st, db, run, &p, g, scores,
								iffa_analyse__own(a)->parallel_store)) < 0)
			return error;
	}
	if ((error = iffa_analyse__store(db, run, f, g)) < 0 ||
	    (error = findings_digest(digest, db, run)) < 0 || !st)
		goto done;
	if ((error = iffa_analyse__store_exposure_end(st, db, &rows)) < 0)
		goto done;
	if (g->level == IFFA_LEVEL_ACCOUNT) {
		/* every account is a vertex at account level */
		for (igraph_integer_t v = 0; v < g->nv; v++)
			if (!(g->vkey[v] & 1) && (long long)(g->vkey[v] >> 1) > max_account)
				max_account = (long long)(g->vkey[v] >> 1);
	} else {
		PGresult *res = NULL;
		if ((error = iffa_db__query(&res, db, "reading the highest account id",
					    "SELECT coalesce(max(id), 0) FROM account", 0,
					    NULL)) < 0)
			goto done;
		max_account = atoll(PQgetvalue(res, 0, 0));
		PQclear(res);
	}
	snprintf(extra, size, "{\"exposure\":{\"rows\":%zu,\"max_account_id\":%lld}}", rows,
		 max_account);
	error = iffa_analyse__store_exposure_commit(st);
done:
	/* on failure the exposure's own transaction, if any, is rolled back */
	iffa_analyse__store_exposure_free(st);
	return error;
}

/* Mark the run failed with `message`; reconnect once if the connection is gone. */
static void mark_failed(iffa_db *db, int64_t run, const char *message)
{
	PGconn *c = iffa_db_conn(db);
	char id[32];
	const char *p[2];
	PGresult *res;
	int reset = PQstatus(c) != CONNECTION_OK;

	if (reset)
		PQreset(c);
	if (PQstatus(c) != CONNECTION_OK)
		return;
	if (PQtransactionStatus(c) != PQTRANS_IDLE)
		PQclear(PQexec(c, "ROLLBACK"));
	snprintf(id, sizeof(id), "%lld", (long long)run);
	p[0] = id;
	p[1] = message;
	res = PQexecParams(c,
			   "UPDATE analysis_run SET status = 'failed', error = $2,"
			   " finished_at = clock_timestamp() WHERE id = $1 AND status = 'running'",
			   2, NULL, p, NULL, NULL, 0);
	PQclear(res);
	{
		/* The failure is in the audit log too (best effort). */
		iffa_jsonbuf detail = IFFA_JSONBUF_INIT;
		char user[256];
		const char *a[4] = {id, user, NULL, NULL}; /* no digest: the run failed */

		iffa_core__os_user(user, sizeof(user));
		iffa_jsonbuf__puts(&detail, "{\"ok\":false,\"error\":");
		iffa_crypto__json_str(&detail, message);
		iffa_jsonbuf__puts(&detail, "}");
		a[2] = detail.ptr;
		if (!detail.oom)
			PQclear(PQexecParams(c, audit_sql, 4, NULL, a, NULL, NULL, 0));
		iffa_jsonbuf__dispose(&detail);
	}
	/* a new session holds no lock; the old one's went with it */
	if (!reset)
		lock_run(db, run, 0);
}

int iffa_analyse(int64_t *out_run, iffa_db *db, const iffa_analysis *a,
		 const iffa_analyse_options *opts)
{
	iffa_analyse_options o = IFFA_ANALYSE_OPTIONS_INIT;
	iffa_ingest_options io = IFFA_INGEST_OPTIONS_INIT;
	iffa_flowgraph *g = NULL;
	iffa_findings *f = NULL;
	iffa_exposure *scores = NULL; /* the exposure pass's, for the store */
	double seconds[64], t0, ingest_s, passes_s;
	size_t counts[64];
	char *rc = NULL, id[32], extra[128], digest[65] = "";
	int64_t run = 0;
	int error;

	*out_run = 0;
	if (opts)
		o = *opts;
	if (iffa_analyse__npasses > 64)
		return iffa_error_set(IFFA_ERROR, "too many passes");
	for (size_t i = 0; i < 64; i++) {
		seconds[i] = 0;
		counts[i] = (size_t)-1;
	}
	if ((error = insert_run(&run, db, a, &o)) < 0)
		return error;
	*out_run = run;
	snprintf(id, sizeof(id), "%lld", (long long)run);
	if ((error = lock_run(db, run, 1)) < 0)
		goto fail;

	stage(&o, "ingest");
	io.level = o.level;
	io.from = o.from;
	io.to = o.to;
	io.keep_parallel = iffa_analyse__own(a)->keep_parallel;
	io.progress = o.progress;
	/* passes that read tables of their own (gold) see the graph's snapshot */
	io.keep_snapshot = 1;
	t0 = now_seconds();
	if ((error = iffa_ingest(&g, db, &io)) < 0)
		goto fail;
	ingest_s = now_seconds() - t0;

	stage(&o, "passes");
	t0 = now_seconds();
	if ((error = iffa_findings_new(&f)) < 0 ||
	    (error = iffa_analyse__run_passes(f, a, g, db, o.progress, seconds, counts,
						      &scores)) < 0)
		goto fail;
	passes_s = now_seconds() - t0;
	if ((error = iffa_db__exec(db, "ending the analysis snapshot", "COMMIT", 0, NULL)) < 0)
		goto fail;
	iffa_findings_sort(f);
	if ((error = row_counts(&rc, g, seconds, counts, ingest_s, passes_s)) < 0)
		goto fail;

	stage(&o, "store");
	if ((error = iffa_db__exec(db, "storing findings", "BEGIN", 0, NULL)) < 0)
		goto fail;
	if ((error = store_all(extra, sizeof(extra), digest, db, run, a, g, f, scores)) < 0)
		goto fail;
	{
		const char *p[3] = {id, rc, extra};
		if ((error = iffa_db__exec(db, "completing the analysis run",
					   "UPDATE analysis_run SET status = 'completed',"
					   " finished_at = clock_timestamp(),"
					   " row_counts = $2::jsonb || $3::jsonb WHERE id = $1",
					   3, p)) < 0)
			goto fail;
	}
	{
		char user[256];
		const char *p[4] = {id, user, "{\"ok\":true}", digest};

		iffa_core__os_user(user, sizeof(user));
		if ((error = iffa_db__exec(db, "recording the run in the audit log", audit_sql, 4,
					   p)) < 0)
			goto fail;
	}
	if ((error = iffa_db__exec(db, "committing the findings", "COMMIT", 0, NULL)) < 0)
		goto fail;
	lock_run(db, run, 0);
	stage(&o, "completed");
	goto done;
fail:
	{
		char msg[1024];
		snprintf(msg, sizeof(msg), "%s", iffa_error_last());
		mark_failed(db, run, msg);
		/* the caller sees the first failure, not what marking it did */
		iffa_error_set(error, "%s", msg);
	}
done:
	free(rc);
	iffa_findings_free(f);
	iffa_exposure_free(scores);
	iffa_flowgraph_free(g);
	return error;
}
