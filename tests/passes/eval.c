/*
 * Scoring a pass on a generated scenario (see eval.h). Members of every
 * finding are the flagged vertices; an account is a true flag when
 * truth.csv names it in any structure (a member of one planted structure
 * found by the rule meant for another is still a planted account), and
 * recall counts the accounts of the structures in `scope`. At party level
 * a flagged account stands for its owner.
 *
 * By hand: IFFA_EVAL_SEED=3 IFFA_EVAL_TRANSFERS=1000000 IFFA_EVAL_CAMOUFLAGE=0.6
 *          build-R/tests/iffa_tests --filter 'passes_eval/...'
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "passes/eval.h"
#include "support/testdb.h"

static const iffa_load_kind order[] = {
	IFFA_LOAD_PARTY, IFFA_LOAD_ACCOUNT, IFFA_LOAD_DESIGNATION, IFFA_LOAD_FX_RATE,
	IFFA_LOAD_TRANSFER, IFFA_LOAD_RANSOM, IFFA_LOAD_GOLD_LOT, IFFA_LOAD_LEVY,
};

void eval_from_env(eval_setup *s)
{
	const char *v;

	if ((v = getenv("IFFA_EVAL_SEED")))
		s->seed = strtoull(v, NULL, 10);
	if ((v = getenv("IFFA_EVAL_TRANSFERS")))
		s->transfers = strtoull(v, NULL, 10);
	if ((v = getenv("IFFA_EVAL_CAMOUFLAGE")))
		s->camouflage = strtod(v, NULL);
	if ((v = getenv("IFFA_EVAL_PARALLEL")))
		s->keep_parallel = atoi(v);
}

static void exec_ok(PGconn *c, const char *sql)
{
	PGresult *res = PQexec(c, sql);

	cr_assert(PQresultStatus(res) == PGRES_COMMAND_OK, "%s: %s", sql, PQerrorMessage(c));
	PQclear(res);
}

/* truth.csv into a temporary table `truth`. */
static void load_truth(PGconn *c, const char *path)
{
	FILE *f = fopen(path, "rb");
	char buf[65536];
	size_t n;
	PGresult *res;

	cr_assert(f, "%s", path);
	exec_ok(c, "CREATE TEMP TABLE truth (structure text, structure_id int, entity_type text, "
		   "ref text, role text)");
	res = PQexec(c, "COPY truth FROM STDIN (FORMAT csv, HEADER true)");
	cr_assert_eq(PQresultStatus(res), PGRES_COPY_IN, "%s", PQerrorMessage(c));
	PQclear(res);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		cr_assert_eq(PQputCopyData(c, buf, (int)n), 1);
	fclose(f);
	cr_assert_eq(PQputCopyEnd(c, NULL), 1);
	res = PQgetResult(c);
	cr_assert_eq(PQresultStatus(res), PGRES_COMMAND_OK, "%s", PQerrorMessage(c));
	PQclear(res);
	while ((res = PQgetResult(c)))
		PQclear(res);
}

/* For each account or party id, 0 ordinary, 1 planted, 2 planted in scope. */
static unsigned char *truth_map(PGconn *c, const char *table, const char *scope_list,
				int64_t *nmax)
{
	char sql[1024];
	PGresult *res;
	unsigned char *m;
	int64_t max = 0;

	snprintf(sql, sizeof(sql), "SELECT coalesce(max(id), 0) FROM %s", table);
	res = PQexec(c, sql);
	cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK);
	max = atoll(PQgetvalue(res, 0, 0));
	PQclear(res);
	m = calloc((size_t)max + 1, 1);
	cr_assert(m);
	snprintf(sql, sizeof(sql),
		 "SELECT x.id, bool_or(t.structure = ANY('{%s}'::text[])) FROM %s x JOIN truth t "
		 "ON t.entity_type = '%s' AND t.ref = x.ref GROUP BY x.id",
		 scope_list, table, strcmp(table, "account") == 0 ? "account" : "party");
	res = PQexec(c, sql);
	cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQerrorMessage(c));
	for (int i = 0; i < PQntuples(res); i++)
		m[atoll(PQgetvalue(res, i, 0))] = PQgetvalue(res, i, 1)[0] == 't' ? 2 : 1;
	PQclear(res);
	*nmax = max;
	return m;
}

void eval_pass(const eval_setup *s, eval_run_fn run, void *arg, eval_result *r)
{
	iffa_generate_options go = IFFA_GENERATE_OPTIONS_INIT;
	iffa_ingest_options io = IFFA_INGEST_OPTIONS_INIT;
	char dir[256], path[400], ci[128], scope[512] = "";
	iffa_flowgraph *g = NULL;
	iffa_findings *f = NULL;
	iffa_db *db;
	PGconn *c;
	unsigned char *acc, *par, *fa, *fp;
	int64_t namax, npmax;
	struct timespec t0, t1;

	memset(r, 0, sizeof(*r));
	snprintf(dir, sizeof(dir), "/tmp/iffa-eval-%ld-%s", (long)getpid(), s->dbname);
	go.seed = s->seed;
	go.transfers = s->transfers;
	go.camouflage = s->camouflage;
	go.out_dir = dir;
	cr_assert_eq(iffa_generate(NULL, &go), 0, "%s", iffa_error_last());
	testdb_fresh(ci, sizeof(ci), s->dbname, 1);
	db = testdb_connect(ci);
	c = iffa_db_conn(db);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		iffa_load_options lo = IFFA_LOAD_OPTIONS_INIT;
		iffa_load_result lr;
		snprintf(path, sizeof(path), "%s/%s.csv", dir, iffa_load_kind_name(order[i]));
		iffa_load_result_init(&lr);
		cr_assert_eq(iffa_load_file(&lr, db, order[i], path, &lo), 0, "%s: %s", path,
			     lr.errors_count ? lr.errors[0].message : iffa_error_last());
		iffa_load_result_dispose(&lr);
	}
	{
		/* affected zones, when the generator writes them and the loader knows them */
		iffa_load_kind k;
		snprintf(path, sizeof(path), "%s/affected_zone.csv", dir);
		if (access(path, R_OK) == 0 && iffa_load_kind_from_name(&k, "affected_zone") == 0) {
			iffa_load_options lo = IFFA_LOAD_OPTIONS_INIT;
			iffa_load_result lr;
			iffa_load_result_init(&lr);
			cr_assert_eq(iffa_load_file(&lr, db, k, path, &lo), 0, "%s: %s", path,
				     lr.errors_count ? lr.errors[0].message : iffa_error_last());
			iffa_load_result_dispose(&lr);
		}
	}
	io.keep_parallel = s->keep_parallel;
	cr_assert_eq(iffa_ingest(&g, db, &io), 0, "%s", iffa_error_last());
	cr_assert_eq(iffa_findings_new(&f), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cr_assert_eq(run(f, g, db, arg), 0, "%s", iffa_error_last());
	clock_gettime(CLOCK_MONOTONIC, &t1);
	r->seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
	r->findings = iffa_findings_count(f);

	snprintf(path, sizeof(path), "%s/truth.csv", dir);
	load_truth(c, path);
	for (size_t i = 0; s->scope[i]; i++) {
		strcat(scope, i ? "," : "");
		strcat(scope, s->scope[i]);
	}
	acc = truth_map(c, "account", scope, &namax);
	par = truth_map(c, "party", scope, &npmax);
	fa = calloc((size_t)namax + 1, 1);
	fp = calloc((size_t)npmax + 1, 1);
	cr_assert(fa && fp);
	for (size_t i = 0; i < iffa_findings_count(f); i++) {
		const iffa_finding *fd = iffa_findings_get(f, i);
		for (size_t k = 0; k < fd->nmembers; k++) {
			igraph_integer_t v = fd->members[k];
			int64_t id = iffa_flowgraph_vertex_db_id(g, v);
			int64_t p = iffa_flowgraph_vertex_party(g, v);
			if (!iffa_flowgraph_vertex_is_party(g, v) && id <= namax)
				fa[id] = 1;
			if (p >= 0 && p <= npmax)
				fp[p] = 1;
		}
	}
	for (int64_t i = 0; i <= namax; i++) {
		r->scope_accounts += acc[i] == 2;
		r->flagged_accounts += fa[i];
		r->flagged_true += fa[i] && acc[i];
		r->scope_found += fa[i] && acc[i] == 2;
	}
	for (int64_t i = 0; i <= npmax; i++) {
		r->scope_parties += par[i] == 2;
		r->flagged_parties += fp[i];
		r->parties_true += fp[i] && par[i];
		r->scope_parties_found += fp[i] && par[i] == 2;
	}
	r->precision = r->flagged_accounts ? (double)r->flagged_true / (double)r->flagged_accounts : 1;
	r->recall = r->scope_accounts ? (double)r->scope_found / (double)r->scope_accounts : 1;
	r->party_precision =
		r->flagged_parties ? (double)r->parties_true / (double)r->flagged_parties : 1;
	r->party_recall =
		r->scope_parties ? (double)r->scope_parties_found / (double)r->scope_parties : 1;
	fprintf(stderr,
		"eval %s: seed %llu, %llu transfers, camouflage %.2f, %s: %zu findings in %.3f s; "
		"accounts: precision %.3f (%zu/%zu) recall %.3f (%zu/%zu); parties: precision %.3f "
		"(%zu/%zu) recall %.3f (%zu/%zu)\n",
		s->dbname, (unsigned long long)s->seed, (unsigned long long)s->transfers, s->camouflage,
		s->keep_parallel ? "parallel edges" : "aggregated", r->findings, r->seconds,
		r->precision, r->flagged_true, r->flagged_accounts, r->recall, r->scope_found,
		r->scope_accounts, r->party_precision, r->parties_true, r->flagged_parties,
		r->party_recall, r->scope_parties_found, r->scope_parties);
	if (getenv("IFFA_EVAL_VERBOSE")) {
		for (size_t i = 0; i < iffa_findings_count(f); i++) {
			const iffa_finding *fd = iffa_findings_get(f, i);
			size_t wrong = 0;
			for (size_t k = 0; k < fd->nmembers; k++) {
				igraph_integer_t v = fd->members[k];
				int64_t id = iffa_flowgraph_vertex_db_id(g, v);
				if (!iffa_flowgraph_vertex_is_party(g, v) && id <= namax && !acc[id])
					wrong++;
			}
			if (wrong || getenv("IFFA_EVAL_VERBOSE")[0] == '2')
				fprintf(stderr, "  %s %.2f, %zu of %zu members not planted: %s\n", fd->kind,
					fd->score, wrong, fd->nmembers, fd->reason);
		}
	}
	if (getenv("IFFA_EVAL_VERBOSE")) {
		/* missed members of the structures in scope, by role */
		char sql[1024];
		PGresult *res;
		exec_ok(c, "CREATE TEMP TABLE flagged (id bigint)");
		for (int64_t i = 0; i <= namax; i++)
			if (fa[i]) {
				snprintf(sql, sizeof(sql), "INSERT INTO flagged VALUES (%lld)", (long long)i);
				exec_ok(c, sql);
			}
		snprintf(sql, sizeof(sql),
			 "SELECT t.structure, t.role, a.kind, count(*) FILTER (WHERE f.id IS NULL), "
			 "count(*) FROM truth t JOIN account a ON a.ref = t.ref AND t.entity_type = "
			 "'account' LEFT JOIN flagged f ON f.id = a.id WHERE t.structure = "
			 "ANY('{%s}'::text[]) GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
			 scope);
		res = PQexec(c, sql);
		cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQerrorMessage(c));
		for (int i = 0; i < PQntuples(res); i++)
			fprintf(stderr, "  missed %s %s %s: %s of %s\n", PQgetvalue(res, i, 0),
				PQgetvalue(res, i, 1), PQgetvalue(res, i, 2), PQgetvalue(res, i, 3),
				PQgetvalue(res, i, 4));
		PQclear(res);
	}
	free(acc);
	free(par);
	free(fa);
	free(fp);
	iffa_findings_free(f);
	iffa_flowgraph_free(g);
	iffa_db_free(db);
	if (!getenv("IFFA_EVAL_KEEP")) {
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		cr_assert_eq(system(cmd), 0);
	}
}
