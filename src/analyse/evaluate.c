/*
 * Scoring a run against a ground truth (truth.csv of docs/GENERATOR.md),
 * at account level:
 *
 * - truth accounts: the accounts listed, and every account of every
 *   party listed (truth.csv lists both; a structure counts each account
 *   once);
 * - flagged by the run: every finding_member.account_id of the run, and
 *   every account of every finding_member.party_id (a flagged party stands
 *   for all its accounts; passes name an account vertex's owner);
 * - the one-hop baseline: designated parties' vertices and every vertex
 *   one edge (either direction) from one, in the flow graph read with the
 *   run's level and window, expanded to accounts the same way.
 *
 * Precision and F1 are overall; recall is also given per planted
 * structure. The exposure ranking is scored by the share of its top k
 * subjects that are planted (a party subject counts when any account of
 * it is). The set algebra runs in SQL over a temporary table.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyse/analyse.h"
#include "core/csvrec.h"
#include "core/jsonbuf.h"
#include "db/db.h"
#include "graph/flowgraph.h"
#include "iffa/ingest.h"

void iffa_evaluation_dispose(iffa_evaluation *ev)
{
	free(ev->structures);
	memset(ev, 0, sizeof(*ev));
}

/* truth.csv as a JSON array [{"s": structure, "e": entity_type, "r": ref}]. */
static int read_truth(iffa_jsonbuf *out, const char *path)
{
	char *data = NULL;
	size_t len = 0;
	iffa_csvrec c;
	int error, col[3] = {-1, -1, -1}, rows = 0;
	static const char *const names[3] = {"structure", "entity_type", "ref"};

	if ((error = iffa_csvrec__read_file(&data, &len, path, (size_t)1 << 30)) < 0)
		return error;
	iffa_csvrec__init(&c, path, data, len);
	if ((error = iffa_csvrec__next(&c)) <= 0) {
		if (error == 0)
			error = iffa_error_set(IFFA_EINVAL, "%s: empty file", path);
		goto done;
	}
	for (int i = 0; i < c.nfields; i++)
		for (int k = 0; k < 3; k++)
			if (strcmp(c.fields[i], names[k]) == 0)
				col[k] = i;
	for (int k = 0; k < 3; k++)
		if (col[k] < 0) {
			error = iffa_error_set(IFFA_EINVAL, "%s:1: no column '%s' (expected structure,"
					       "structure_id,entity_type,ref,role)", path, names[k]);
			goto done;
		}
	iffa_jsonbuf__puts(out, "[");
	while ((error = iffa_csvrec__next(&c)) > 0) {
		const char *e;
		if (c.nfields == 1 && c.fields[0][0] == '\0')
			continue;
		for (int k = 0; k < 3; k++)
			if (col[k] >= c.nfields) {
				error = iffa_error_set(IFFA_EINVAL, "%s:%ld: %d fields, too few", path,
						       c.record_line, c.nfields);
				goto done;
			}
		e = c.fields[col[1]];
		if (strcmp(e, "party") != 0 && strcmp(e, "account") != 0) {
			error = iffa_error_set(IFFA_EINVAL, "%s:%ld: entity_type '%.32s' is neither party "
					       "nor account", path, c.record_line, e);
			goto done;
		}
		iffa_jsonbuf__puts(out, rows++ ? ",{\"s\":" : "{\"s\":");
		iffa_jsonbuf__str(out, c.fields[col[0]]);
		iffa_jsonbuf__puts(out, ",\"e\":");
		iffa_jsonbuf__str(out, e);
		iffa_jsonbuf__puts(out, ",\"r\":");
		iffa_jsonbuf__str(out, c.fields[col[2]]);
		iffa_jsonbuf__puts(out, "}");
	}
	if (error < 0)
		goto done;
	iffa_jsonbuf__puts(out, "]");
	error = out->oom ? iffa_error_set(IFFA_ENOMEM, "out of memory") : 0;
done:
	iffa_csvrec__dispose(&c);
	free(data);
	return error;
}

/* The one-hop baseline as JSON {"a": [account ids], "p": [party ids]}. */
static int baseline(iffa_jsonbuf *out, iffa_db *db, iffa_level level, int64_t from, int64_t to)
{
	iffa_ingest_options io = IFFA_INGEST_OPTIONS_INIT;
	iffa_flowgraph *g = NULL;
	uint8_t *flag = NULL;
	int error, na = 0, np = 0;

	io.level = level;
	io.from = from;
	io.to = to;
	if ((error = iffa_ingest(&g, db, &io)) < 0)
		return error;
	if (!(flag = calloc((size_t)g->nv + 1, 1))) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	for (igraph_integer_t v = 0; v < g->nv; v++)
		if (g->vflags[v] & IFFA_VERTEX_DESIGNATED)
			flag[v] = 1;
	for (igraph_integer_t e = 0; e < g->ne; e++) {
		igraph_integer_t f = IGRAPH_FROM(&g->graph, e), t = IGRAPH_TO(&g->graph, e);
		if (g->vflags[f] & IFFA_VERTEX_DESIGNATED)
			flag[t] = 1;
		if (g->vflags[t] & IFFA_VERTEX_DESIGNATED)
			flag[f] = 1;
	}
	iffa_jsonbuf__puts(out, "{\"a\":[");
	for (igraph_integer_t v = 0; v < g->nv; v++)
		if (flag[v] && !(g->vkey[v] & 1))
			iffa_jsonbuf__printf(out, "%s%lld", na++ ? "," : "", (long long)(g->vkey[v] >> 1));
	iffa_jsonbuf__puts(out, "],\"p\":[");
	for (igraph_integer_t v = 0; v < g->nv; v++)
		if (flag[v] && g->vparty[v] >= 0)
			iffa_jsonbuf__printf(out, "%s%lld", np++ ? "," : "", (long long)g->vparty[v]);
	iffa_jsonbuf__puts(out, "]}");
	if (out->oom)
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
done:
	free(flag);
	iffa_flowgraph_free(g);
	return error;
}

static void score(iffa_evaluation_score *s, size_t truth)
{
	s->precision = s->flagged ? (double)s->true_pos / (double)s->flagged : 0;
	s->recall = truth ? (double)s->true_pos / (double)truth : 0;
	s->f1 = s->precision + s->recall > 0
			? 2 * s->precision * s->recall / (s->precision + s->recall)
			: 0;
}

static const char truth_sql[] =
	"CREATE TEMP TABLE iffa_eval_truth ON COMMIT DROP AS"
	" WITH t AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(s text, e text, r text))"
	" SELECT t.s, a.id FROM t JOIN account a ON t.e = 'account' AND a.ref = t.r"
	" UNION"
	" SELECT t.s, a.id FROM t JOIN party p ON t.e = 'party' AND p.ref = t.r"
	" JOIN account a ON a.party_id = p.id";

static const char unknown_sql[] =
	"SELECT count(*) FROM jsonb_to_recordset($1::jsonb) AS t(s text, e text, r text)"
	" WHERE NOT (t.e = 'account' AND EXISTS (SELECT 1 FROM account a WHERE a.ref = t.r))"
	" AND NOT (t.e = 'party' AND EXISTS (SELECT 1 FROM party p WHERE p.ref = t.r))";

static const char sets_sql[] =
	"CREATE TEMP TABLE iffa_eval_sets ON COMMIT DROP AS"
	" SELECT 'run'::text AS who, m.account_id AS id FROM finding f"
	"  JOIN finding_member m ON m.finding_id = f.id"
	"  WHERE f.run_id = $1::bigint AND m.account_id IS NOT NULL"
	" UNION SELECT 'run', a.id FROM finding f JOIN finding_member m ON m.finding_id = f.id"
	"  JOIN account a ON a.party_id = m.party_id WHERE f.run_id = $1::bigint"
	" UNION SELECT 'baseline', (x.v)::bigint FROM jsonb_array_elements_text($2::jsonb->'a') AS x(v)"
	" UNION SELECT 'baseline', a.id FROM jsonb_array_elements_text($2::jsonb->'p') AS x(v)"
	"  JOIN account a ON a.party_id = (x.v)::bigint";

static const char overall_sql[] =
	"SELECT (SELECT count(DISTINCT id) FROM iffa_eval_truth),"
	" (SELECT count(*) FROM account),"
	" (SELECT count(*) FROM iffa_eval_sets WHERE who = 'run'),"
	" (SELECT count(*) FROM iffa_eval_sets s WHERE who = 'run'"
	"   AND EXISTS (SELECT 1 FROM iffa_eval_truth t WHERE t.id = s.id)),"
	" (SELECT count(*) FROM iffa_eval_sets WHERE who = 'baseline'),"
	" (SELECT count(*) FROM iffa_eval_sets s WHERE who = 'baseline'"
	"   AND EXISTS (SELECT 1 FROM iffa_eval_truth t WHERE t.id = s.id))";

static const char structures_sql[] =
	"SELECT t.s, count(*),"
	" count(*) FILTER (WHERE EXISTS (SELECT 1 FROM iffa_eval_sets s"
	"   WHERE s.who = 'run' AND s.id = t.id)),"
	" count(*) FILTER (WHERE EXISTS (SELECT 1 FROM iffa_eval_sets s"
	"   WHERE s.who = 'baseline' AND s.id = t.id))"
	" FROM iffa_eval_truth t GROUP BY t.s ORDER BY t.s";

static const char topk_sql[] =
	"SELECT count(*), count(*) FILTER (WHERE hit) FROM ("
	" SELECT CASE WHEN f.subject_type = 'account'"
	"  THEN EXISTS (SELECT 1 FROM iffa_eval_truth t WHERE t.id = f.subject_id)"
	"  ELSE EXISTS (SELECT 1 FROM iffa_eval_truth t JOIN account a ON a.id = t.id"
	"   WHERE a.party_id = f.subject_id) END AS hit"
	" FROM finding f WHERE f.run_id = $1::bigint AND f.pass = 'exposure'"
	" ORDER BY f.score DESC, f.id LIMIT $2::bigint) x";

int iffa_evaluate(iffa_evaluation *out, iffa_db *db, int64_t run, const char *truth_path, size_t k)
{
	iffa_jsonbuf truth = IFFA_JSONBUF_INIT, bl = IFFA_JSONBUF_INIT;
	PGresult *res = NULL;
	char id[32], ktext[32];
	const char *p[2];
	iffa_level level;
	int64_t from = IFFA_TIME_MIN, to = IFFA_TIME_MAX;
	int error, in_tx = 0;

	memset(out, 0, sizeof(*out));
	out->run = run;
	out->top_k = k;
	snprintf(id, sizeof(id), "%lld", (long long)run);
	snprintf(ktext, sizeof(ktext), "%zu", k);
	p[0] = id;
	if ((error = iffa_db__query(&res, db, "reading the analysis run",
				    "SELECT level, coalesce(to_char(data_from AT TIME ZONE 'UTC',"
				    " 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), ''),"
				    " coalesce(to_char(data_to AT TIME ZONE 'UTC',"
				    " 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), ''), status"
				    " FROM analysis_run WHERE id = $1::bigint",
				    1, p)) < 0)
		goto done;
	if (PQntuples(res) == 0) {
		error = iffa_error_set(IFFA_ENOTFOUND, "no analysis run %s", id);
		goto done;
	}
	if (strcmp(PQgetvalue(res, 0, 3), "completed") != 0) {
		error = iffa_error_set(IFFA_EINVAL, "analysis run %s is %s, not completed", id,
				       PQgetvalue(res, 0, 3));
		goto done;
	}
	level = strcmp(PQgetvalue(res, 0, 0), "party") == 0 ? IFFA_LEVEL_PARTY : IFFA_LEVEL_ACCOUNT;
	if ((*PQgetvalue(res, 0, 1) && (error = iffa_flowgraph_time_parse(&from, PQgetvalue(res, 0, 1))) < 0) ||
	    (*PQgetvalue(res, 0, 2) && (error = iffa_flowgraph_time_parse(&to, PQgetvalue(res, 0, 2))) < 0))
		goto done;
	PQclear(res);
	res = NULL;
	if ((error = read_truth(&truth, truth_path)) < 0 ||
	    (error = baseline(&bl, db, level, from, to)) < 0)
		goto done;
	if ((error = iffa_db__exec(db, "evaluating", "BEGIN", 0, NULL)) < 0)
		goto done;
	in_tx = 1;
	p[0] = truth.ptr;
	if ((error = iffa_db__exec(db, "reading the truth accounts", truth_sql, 1, p)) < 0 ||
	    (error = iffa_db__query(&res, db, "counting unknown refs", unknown_sql, 1, p)) < 0)
		goto done;
	out->truth_unknown = (size_t)atoll(PQgetvalue(res, 0, 0));
	PQclear(res);
	res = NULL;
	p[0] = id;
	p[1] = bl.ptr;
	if ((error = iffa_db__exec(db, "gathering the flagged accounts", sets_sql, 2, p)) < 0 ||
	    (error = iffa_db__query(&res, db, "counting", overall_sql, 0, NULL)) < 0)
		goto done;
	out->truth_accounts = (size_t)atoll(PQgetvalue(res, 0, 0));
	out->accounts = (size_t)atoll(PQgetvalue(res, 0, 1));
	out->run_score.flagged = (size_t)atoll(PQgetvalue(res, 0, 2));
	out->run_score.true_pos = (size_t)atoll(PQgetvalue(res, 0, 3));
	out->baseline.flagged = (size_t)atoll(PQgetvalue(res, 0, 4));
	out->baseline.true_pos = (size_t)atoll(PQgetvalue(res, 0, 5));
	score(&out->run_score, out->truth_accounts);
	score(&out->baseline, out->truth_accounts);
	PQclear(res);
	res = NULL;
	if ((error = iffa_db__query(&res, db, "recall per structure", structures_sql, 0, NULL)) < 0)
		goto done;
	if (PQntuples(res) > 0 &&
	    !(out->structures = calloc((size_t)PQntuples(res), sizeof(*out->structures)))) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	for (int i = 0; i < PQntuples(res); i++) {
		iffa_evaluation_structure *s = &out->structures[out->nstructures++];
		snprintf(s->structure, sizeof(s->structure), "%s", PQgetvalue(res, i, 0));
		s->truth = (size_t)atoll(PQgetvalue(res, i, 1));
		s->found = (size_t)atoll(PQgetvalue(res, i, 2));
		s->found_baseline = (size_t)atoll(PQgetvalue(res, i, 3));
	}
	PQclear(res);
	res = NULL;
	p[1] = ktext;
	if ((error = iffa_db__query(&res, db, "scoring the exposure ranking", topk_sql, 2, p)) < 0)
		goto done;
	out->top_k_used = (size_t)atoll(PQgetvalue(res, 0, 0));
	out->top_k_precision = out->top_k_used
				       ? (double)atoll(PQgetvalue(res, 0, 1)) / (double)out->top_k_used
				       : 0;
	PQclear(res);
	res = NULL;
	error = iffa_db__exec(db, "evaluating", "COMMIT", 0, NULL);
	in_tx = 0;
done:
	if (in_tx)
		PQclear(PQexec(iffa_db_conn(db), "ROLLBACK"));
	PQclear(res);
	iffa_jsonbuf__dispose(&truth);
	iffa_jsonbuf__dispose(&bl);
	if (error < 0) {
		char msg[1024];
		snprintf(msg, sizeof(msg), "%s", iffa_error_last());
		iffa_evaluation_dispose(out);
		iffa_error_set(error, "%s", msg);
	}
	return error;
}

int iffa_evaluation_write(const iffa_evaluation *ev, FILE *to, int json)
{
	const iffa_evaluation_score *r = &ev->run_score, *b = &ev->baseline;

	if (json) {
		fprintf(to, "{\"run\":%lld,\"truth_accounts\":%zu,\"truth_unknown_refs\":%zu,"
			    "\"accounts\":%zu,", (long long)ev->run, ev->truth_accounts,
			ev->truth_unknown, ev->accounts);
		for (int i = 0; i < 2; i++) {
			const iffa_evaluation_score *s = i ? b : r;
			fprintf(to, "\"%s\":{\"flagged\":%zu,\"true_positives\":%zu,\"precision\":%.4f,"
				    "\"recall\":%.4f,\"f1\":%.4f},", i ? "baseline" : "run", s->flagged,
				s->true_pos, s->precision, s->recall, s->f1);
		}
		fprintf(to, "\"structures\":[");
		for (size_t i = 0; i < ev->nstructures; i++) {
			const iffa_evaluation_structure *s = &ev->structures[i];
			fprintf(to, "%s{\"structure\":\"%s\",\"accounts\":%zu,\"found\":%zu,"
				    "\"recall\":%.4f,\"found_baseline\":%zu,\"recall_baseline\":%.4f}",
				i ? "," : "", s->structure, s->truth, s->found,
				s->truth ? (double)s->found / (double)s->truth : 0, s->found_baseline,
				s->truth ? (double)s->found_baseline / (double)s->truth : 0);
		}
		fprintf(to, "],\"top_k\":%zu,\"top_k_used\":%zu,\"top_k_precision\":%.4f}\n", ev->top_k,
			ev->top_k_used, ev->top_k_precision);
	} else {
		fprintf(to, "Run %lld against the truth: %zu planted accounts of %zu (%zu truth refs "
			    "not in the database)\n\n", (long long)ev->run, ev->truth_accounts,
			ev->accounts, ev->truth_unknown);
		fprintf(to, "                      flagged  true pos  precision  recall      F1\n");
		fprintf(to, "  run                %8zu  %8zu     %6.3f  %6.3f  %6.3f\n", r->flagged,
			r->true_pos, r->precision, r->recall, r->f1);
		fprintf(to, "  one-hop baseline   %8zu  %8zu     %6.3f  %6.3f  %6.3f\n\n", b->flagged,
			b->true_pos, b->precision, b->recall, b->f1);
		fprintf(to, "  recall per structure    accounts     run  baseline\n");
		for (size_t i = 0; i < ev->nstructures; i++) {
			const iffa_evaluation_structure *s = &ev->structures[i];
			fprintf(to, "  %-22s %9zu  %6.3f    %6.3f\n", s->structure, s->truth,
				s->truth ? (double)s->found / (double)s->truth : 0,
				s->truth ? (double)s->found_baseline / (double)s->truth : 0);
		}
		fprintf(to, "\n  exposure ranking: precision of the top %zu: %.3f (%zu findings)\n",
			ev->top_k, ev->top_k_precision, ev->top_k_used);
	}
	return ferror(to) ? iffa_error_set(IFFA_EIO, "writing the evaluation failed") : 0;
}
