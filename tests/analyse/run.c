/*
 * iffa_analyse end to end on the real server: a generated scenario is
 * loaded, analysed and recorded; the findings carry evidence and find the
 * planted members. A run whose connection is cut while it stores its
 * findings ends marked failed, never completed; so does one whose rows
 * are refused on either connection of the store, leaving none of its
 * rows. The rows are the same stored beside the findings or in turn.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support/testdb.h"

static const iffa_load_kind order[] = {
	IFFA_LOAD_PARTY, IFFA_LOAD_ACCOUNT, IFFA_LOAD_DESIGNATION, IFFA_LOAD_FX_RATE,
	IFFA_LOAD_TRANSFER, IFFA_LOAD_RANSOM, IFFA_LOAD_GOLD_LOT, IFFA_LOAD_LEVY,
};

/* The generator's affected zones (docs/GENERATOR.md; `iffa load` does not load them yet). */
static const char zones[] =
	"INSERT INTO affected_zone (country, region) VALUES ('ML', 'Nioro du Sahel'),"
	" ('ML', 'Diéma'), ('ML', 'Ségou'), ('ML', 'Mopti'), ('ML', 'Tombouctou'), ('ML', 'Gao'),"
	" ('ML', 'Kidal'), ('ML', 'Ménaka'), ('BF', 'Djibo'), ('BF', 'Dori'),"
	" ('BF', 'Fada N''Gourma'), ('NE', 'Tillabéri')";

static char dir[256];

static void cleanup(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

static void exec(iffa_db *db, const char *sql)
{
	PGresult *res = PQexec(iffa_db_conn(db), sql);

	cr_assert(PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK,
		  "%s: %s", sql, PQerrorMessage(iffa_db_conn(db)));
	PQclear(res);
}

static iffa_db *scenario(const char *name, uint64_t seed, uint64_t transfers)
{
	iffa_generate_options o = IFFA_GENERATE_OPTIONS_INIT;
	iffa_generate_result r;
	char ci[128];
	iffa_db *db;

	iffa_init();
	snprintf(dir, sizeof(dir), "/tmp/iffa-test-analyse-%ld", (long)getpid());
	o.seed = seed;
	o.transfers = transfers;
	o.out_dir = dir;
	cr_assert_eq(iffa_generate(&r, &o), 0, "%s", iffa_error_last());
	testdb_fresh(ci, sizeof(ci), name, 1);
	db = testdb_connect(ci);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		iffa_load_options lo = IFFA_LOAD_OPTIONS_INIT;
		iffa_load_result lr;
		char path[400];
		snprintf(path, sizeof(path), "%s/%s.csv", dir, iffa_load_kind_name(order[i]));
		iffa_load_result_init(&lr);
		cr_assert_eq(iffa_load_file(&lr, db, order[i], path, &lo), 0, "%s", iffa_error_last());
		iffa_load_result_dispose(&lr);
	}
	exec(db, zones);
	return db;
}

Test(analyse_run, a_generated_scenario_is_analysed_recorded_and_finds_the_planted, .fini = cleanup)
{
	iffa_db *db = scenario("t_analyse_run_scenario", 21, 4000);
	iffa_analysis *a;
	iffa_evaluation ev;
	int64_t run;
	char truth[300], sql[768], *buf = NULL;
	size_t len = 0;
	FILE *mem;

	cr_assert_eq(iffa_analysis_new(&a), 0);
	cr_assert_eq(iffa_analyse(&run, db, a, NULL), 0, "%s", iffa_error_last());
	cr_assert_gt(run, 0);

	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM analysis_run WHERE id = %lld AND status = 'completed'"
		 " AND finished_at >= started_at AND seed = 1 AND code_version = '%s'"
		 " AND os_user IS NOT NULL AND error IS NULL AND level = 'account'"
		 " AND data_from IS NULL AND params->>'clusters.method' = 'leiden'"
		 " AND (row_counts->>'vertices')::int > 0",
		 (long long)run, iffa_version());
	cr_assert_eq(testdb_scalar(db, sql), 1);
	/* every parameter value is in the record, and the window */
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM analysis_run, jsonb_object_keys(params) k WHERE id = %lld",
		 (long long)run);
	cr_assert_eq(testdb_scalar(db, sql), (long long)iffa_analysis_param_count() + 4);
	/* both passes found something, and the row counts say how much */
	cr_assert_gt(testdb_scalar(db, "SELECT count(*) FROM finding WHERE pass = 'clusters'"), 0);
	cr_assert_gt(testdb_scalar(db, "SELECT count(*) FROM finding WHERE pass = 'exposure'"), 0);
	cr_assert_eq(testdb_scalar(db, "SELECT (row_counts->'findings'->>'exposure')::int FROM analysis_run"),
		     testdb_scalar(db, "SELECT count(*) FROM finding WHERE pass = 'exposure'"));
	/* every finding has evidence edges with refs, amounts and times, and members */
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM finding f, jsonb_array_elements(f.evidence) e"
				       " WHERE e->>'from' IS NULL OR e->>'to' IS NULL OR"
				       " (e->>'amount_xof')::float8 <= 0 OR e->>'first' IS NULL OR"
				       " e->>'kind' IS NULL OR e->>'channel' IS NULL"),
		     0);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM finding f WHERE NOT EXISTS"
				       " (SELECT 1 FROM finding_member m WHERE m.finding_id = f.id)"),
		     0);
	/* evidence names refs the database knows */
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM finding f, jsonb_array_elements(f.evidence) e"
				       " WHERE NOT EXISTS (SELECT 1 FROM account a WHERE a.ref = e->>'from')"
				       " AND NOT EXISTS (SELECT 1 FROM party p WHERE p.ref = e->>'from')"),
		     0);

	/* the audit row's digest is that of the findings as committed */
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM audit_log WHERE command = 'analyse' AND (params->>'run')::bigint"
		 " = %lld AND output_sha256 = (SELECT encode(sha256(convert_to(coalesce(string_agg("
		 "concat_ws(E'\\t', f.id, f.pass, f.kind, f.subject_type, coalesce(f.subject_id::text,"
		 " ''), f.subject_label, f.score, f.reason, f.evidence), E'\\n' ORDER BY f.id), ''),"
		 " 'UTF8')), 'hex') FROM finding f WHERE f.run_id = %lld)",
		 (long long)run, (long long)run);
	cr_assert_eq(testdb_scalar(db, sql), 1);

	/* the planted members are found, and few others */
	snprintf(truth, sizeof(truth), "%s/truth.csv", dir);
	cr_assert_eq(iffa_evaluate(&ev, db, run, truth, 50), 0, "%s", iffa_error_last());
	cr_assert_geq(ev.run_score.precision, 0.8, "precision %.3f", ev.run_score.precision);
	for (size_t i = 0; i < ev.nstructures; i++) {
		const iffa_evaluation_structure *s = &ev.structures[i];
		if (strcmp(s->structure, "ransom_chain") == 0 || strcmp(s->structure, "zakat") == 0)
			cr_assert_geq((double)s->found / (double)s->truth, 0.9, "%s: %zu of %zu",
				      s->structure, s->found, s->truth);
	}
	cr_assert_gt(ev.run_score.recall, ev.baseline.recall);
	cr_assert_geq(ev.top_k_precision, 0.9);
	iffa_evaluation_dispose(&ev);

	/* listed again, for people and for programs */
	mem = open_memstream(&buf, &len);
	cr_assert_eq(iffa_findings_write(mem, db, run, "exposure", 3, 0), 0, "%s", iffa_error_last());
	fclose(mem);
	cr_assert(strstr(buf, ": completed, account level") != NULL, "%s", buf);
	cr_assert(strstr(buf, "\nexposure:\n  #1 [") != NULL, "%s", buf);
	cr_assert(strstr(buf, " XOF  ") != NULL, "%s", buf);
	cr_assert(strstr(buf, "clusters:") == NULL, "%s", buf);
	free(buf);
	mem = open_memstream(&buf, &len);
	cr_assert_eq(iffa_findings_write(mem, db, run, NULL, 0, 1), 0);
	fclose(mem);
	cr_assert(strncmp(buf, "{\"run\": {", 9) == 0, "%.80s", buf);
	cr_assert(strstr(buf, "\"abandoned\": false") != NULL);
	free(buf);
	cr_assert_eq(iffa_findings_write(stdout, db, run + 1, NULL, 0, 0), IFFA_ENOTFOUND);

	iffa_analysis_free(a);
	iffa_db_free(db);
}

/* Cut the analysing session when it starts storing. */
static void cut_connection(void *payload, const char *stage)
{
	iffa_db *db = payload;
	char sql[128];
	PGconn *other;
	PGresult *res;

	if (strcmp(stage, "store") != 0)
		return;
	snprintf(sql, sizeof(sql), "dbname=%s", PQdb(iffa_db_conn(db)));
	other = PQconnectdb(sql);
	cr_assert(PQstatus(other) == CONNECTION_OK);
	snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%d)", PQbackendPID(iffa_db_conn(db)));
	res = PQexec(other, sql);
	cr_assert(PQresultStatus(res) == PGRES_TUPLES_OK, "%s", PQerrorMessage(other));
	PQclear(res);
	PQfinish(other);
}

Test(analyse_run, a_run_whose_connection_is_lost_is_marked_failed, .fini = cleanup)
{
	iffa_db *db = scenario("t_analyse_run_cut", 22, 600);
	iffa_analyse_options o = IFFA_ANALYSE_OPTIONS_INIT;
	iffa_analysis *a;
	int64_t run = 0;
	char ci[64];

	snprintf(ci, sizeof(ci), "dbname=%s", PQdb(iffa_db_conn(db)));
	o.stage = cut_connection;
	o.stage_payload = db;
	cr_assert_eq(iffa_analysis_new(&a), 0);
	cr_assert_eq(iffa_analyse(&run, db, a, &o), IFFA_EDB);
	cr_assert_gt(run, 0);
	iffa_db_free(db);

	db = testdb_connect(ci);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM analysis_run WHERE status = 'failed'"
				       " AND error <> '' AND finished_at IS NOT NULL"),
		     1);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM analysis_run WHERE status = 'completed'"), 0);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM finding"), 0);
	/* The failure is in the audit log, with no findings and no digest of any. */
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM audit_log WHERE command = 'analyse' "
				       "AND detail->>'ok' = 'false' AND detail->>'status' = 'failed' "
				       "AND detail->>'error' <> '' AND rows_affected = 0 AND "
				       "output_sha256 IS NULL"),
		     1);
	iffa_analysis_free(a);
	iffa_db_free(db);
}

/* The command refuses a bad configuration before touching the database. */
Test(analyse_run, the_command_names_a_bad_key_with_file_and_line)
{
	char args[1024], out[4096];
	int status;

	snprintf(args, sizeof(args), "analyse --config '%s'", testdb_resource("analyse/bad-key.conf"));
	status = testdb_run_iffa(out, sizeof(out), args);
	cr_assert_eq(status, 2, "status %d: %s", status, out);
	cr_assert(strstr(out, "bad-key.conf:3: unknown parameter 'exposure.treshold'") != NULL, "%s", out);
	/* an option without its value is named */
	status = testdb_run_iffa(out, sizeof(out), "analyse --top");
	cr_assert_eq(status, 2, "status %d: %s", status, out);
	cr_assert(strstr(out, "iffa: analyse: --top needs a value") != NULL, "%s", out);
}

/* A run's stored rows of each table, less their ids: what two runs of one graph share. */
static const char *const stored_rows[] = {
	"SELECT pass, kind, subject_type, subject_id, subject_label, score, reason,"
	" evidence::text FROM finding WHERE run_id = ",
	"SELECT level, account_id, party_id, way, flagged, score, taint, tainted_xof, funding,"
	" funding_xof, ppr_from, ppr_to, hops, path::text, path_edges FROM vertex_exposure"
	" WHERE run_id = ",
	"SELECT edge, from_account_id, from_party_id, to_account_id, to_party_id, amount_xof,"
	" flows, first_ts, last_ts, channel, kind, record_id, records FROM exposure_edge"
	" WHERE run_id = ",
};

/* Rows of run `x` or `y` that the other lacks, in every table of stored_rows. */
static long long differences(iffa_db *db, int64_t x, int64_t y)
{
	long long n = 0;
	char sql[1024];

	for (size_t t = 0; t < sizeof(stored_rows) / sizeof(stored_rows[0]); t++) {
		const char *q = stored_rows[t];
		snprintf(sql, sizeof(sql),
			 "SELECT count(*) FROM ((%s%lld EXCEPT ALL %s%lld)"
			 " UNION ALL (%s%lld EXCEPT ALL %s%lld)) d",
			 q, (long long)x, q, (long long)y, q, (long long)y, q, (long long)x);
		n += testdb_scalar(db, sql);
	}
	return n;
}

Test(analyse_run, the_rows_are_the_same_stored_beside_the_findings_or_in_turn, .fini = cleanup)
{
	iffa_db *db = scenario("t_analyse_run_parallel_store", 23, 4000);
	iffa_analysis *a;
	int64_t run[2];
	char sql[1024];

	for (int k = 0; k < 2; k++) {
		cr_assert_eq(iffa_analysis_new(&a), 0);
		cr_assert_eq(iffa_analysis_set(a, "analyse.parallel_store", k ? "false" : "true"), 0,
			     "%s", iffa_error_last());
		cr_assert_eq(iffa_analyse(&run[k], db, a, NULL), 0, "%s", iffa_error_last());
		iffa_analysis_free(a);
	}
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM analysis_run WHERE status = 'completed'"),
		     2);
	/* both store every kind of row, merged edges' records included */
	for (int k = 0; k < 2; k++) {
		long long r = (long long)run[k];
		snprintf(sql, sizeof(sql),
			 "SELECT (SELECT count(*) > 0 FROM finding WHERE run_id = %lld)::int"
			 " + (SELECT count(*) > 0 FROM vertex_exposure WHERE run_id = %lld)::int"
			 " + (SELECT count(*) > 0 FROM exposure_edge WHERE run_id = %lld"
			 "    AND records IS NOT NULL)::int"
			 " + ((row_counts->'exposure'->>'rows')::bigint = (SELECT count(*)"
			 "    FROM vertex_exposure WHERE run_id = %lld))::int FROM analysis_run"
			 " WHERE id = %lld",
			 r, r, r, r, r);
		cr_assert_eq(testdb_scalar(db, sql), 4, "run %lld", (long long)run[k]);
	}
	cr_assert_eq(differences(db, run[0], run[1]), 0);
	iffa_db_free(db);
}

/*
 * A failure on either side of the store, the exposure's connection or the
 * run's, fails the run and leaves none of its rows: a trigger refuses the
 * rows of one table at a time.
 */
Test(analyse_run, a_failure_storing_either_side_fails_the_run_with_no_rows, .fini = cleanup)
{
	static const char *const tables[] = {"vertex_exposure", "exposure_edge", "finding_member"};
	iffa_db *db = scenario("t_analyse_run_store_fails", 24, 1500);
	char sql[512];

	exec(db, "CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS"
		 " $$BEGIN RAISE EXCEPTION 'refused by the test on %', TG_TABLE_NAME; END$$");
	for (size_t k = 0; k < sizeof(tables) / sizeof(tables[0]); k++) {
		iffa_analysis *a;
		int64_t run = 0;
		char want[128];

		snprintf(sql, sizeof(sql),
			 "CREATE TRIGGER test_refuse BEFORE INSERT ON %s FOR EACH ROW"
			 " EXECUTE FUNCTION test_refuse()", tables[k]);
		exec(db, sql);
		cr_assert_eq(iffa_analysis_new(&a), 0);
		cr_assert_eq(iffa_analyse(&run, db, a, NULL), IFFA_EDB, "%s", tables[k]);
		snprintf(want, sizeof(want), "refused by the test on %s", tables[k]);
		cr_assert(strstr(iffa_error_last(), want) != NULL, "%s", iffa_error_last());
		iffa_analysis_free(a);
		snprintf(sql, sizeof(sql),
			 "SELECT count(*) FROM analysis_run WHERE id = %lld AND status = 'failed'"
			 " AND error LIKE '%%refused by the test on %s%%' AND finished_at IS NOT NULL",
			 (long long)run, tables[k]);
		cr_assert_eq(testdb_scalar(db, sql), 1, "%s", tables[k]);
		snprintf(sql, sizeof(sql), "DROP TRIGGER test_refuse ON %s", tables[k]);
		exec(db, sql);
	}
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM analysis_run WHERE status <> 'failed'"), 0);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM finding"), 0);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM finding_member"), 0);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM vertex_exposure"), 0);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM exposure_edge"), 0);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM audit_log WHERE command = 'analyse'"
				       " AND detail->>'ok' = 'false' AND output_sha256 IS NULL"),
		     3);
	iffa_db_free(db);
}
