/*
 * Least privilege on the real server: each group role of sql/006 can do its
 * job and is refused what it must not do, and audit_log cannot be changed
 * or deleted by anyone, the owner included.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "support/testdb.h"

static const char *roles[] = {"loader", "analyst", "screener", "reader", "auditor"};
#define NROLES (sizeof(roles) / sizeof(roles[0]))

static char owner_ci[128];

/* A login role t_role_<name> in group iffa_<name> (roles are cluster-wide). */
static void make_logins(iffa_db *owner)
{
	for (size_t i = 0; i < NROLES; i++) {
		char sql[512];
		PGresult *res;

		snprintf(sql, sizeof(sql),
			 "DO $$ BEGIN CREATE ROLE t_role_%s LOGIN IN ROLE iffa_%s; "
			 "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$",
			 roles[i], roles[i]);
		res = PQexec(iffa_db_conn(owner), sql);
		cr_assert_eq(PQresultStatus(res), PGRES_COMMAND_OK, "%s",
			     PQerrorMessage(iffa_db_conn(owner)));
		PQclear(res);
	}
}

static iffa_db *connect_as(const char *role)
{
	char ci[200];

	snprintf(ci, sizeof(ci), "%s user=t_role_%s", owner_ci, role);
	return testdb_connect(ci);
}

/* Run `sql`; return its SQLSTATE ("" on success) in a static buffer. */
static const char *attempt(iffa_db *db, const char *sql)
{
	static char state[8];
	PGresult *res = PQexec(iffa_db_conn(db), sql);
	ExecStatusType st = PQresultStatus(res);

	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
		state[0] = '\0';
	} else {
		const char *s = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		snprintf(state, sizeof(state), "%s", s ? s : "?????");
	}
	PQclear(res);
	return state;
}

#define REFUSED(db, sql) \
	cr_assert_str_eq(attempt((db), (sql)), "42501", "expected a refusal: %s", (sql))
#define ALLOWED(db, sql) \
	cr_assert_str_eq(attempt((db), (sql)), "", "expected success: %s: %s", (sql), \
			 PQerrorMessage(iffa_db_conn(db)))

static void load(iffa_db *db, iffa_load_kind kind, const char *file)
{
	iffa_load_options o = IFFA_LOAD_OPTIONS_INIT;
	iffa_load_result r;

	iffa_load_result_init(&r);
	cr_assert_eq(iffa_load_file(&r, db, kind, testdb_resource(file), &o), 0, "%s: %s", file,
		     r.errors_count ? r.errors[0].message : iffa_error_last());
	cr_assert_gt(r.rows_loaded, 0);
	iffa_load_result_dispose(&r);
}

Test(db_roles, each_role_does_its_job_and_is_refused_the_rest)
{
	iffa_db *owner, *loader, *analyst, *screener, *reader, *auditor;

	testdb_fresh(owner_ci, sizeof(owner_ci), "t_db_roles", 1);
	owner = testdb_connect(owner_ci);
	make_logins(owner);

	/* The loader loads records (partitions made on its behalf) and lists. */
	loader = connect_as("loader");
	load(loader, IFFA_LOAD_PARTY, "load/party.csv");
	load(loader, IFFA_LOAD_ACCOUNT, "load/account.csv");
	load(loader, IFFA_LOAD_FX_RATE, "load/fx_rate.csv");
	load(loader, IFFA_LOAD_TRANSFER, "load/transfer.csv");
	{
		iffa_lists_import_result r;
		memset(&r, 0, sizeof(r));
		cr_assert_eq(iffa_lists_import(&r, loader, testdb_resource("lists/un-sample-v1.xml"),
					       NULL), 0, "%s", iffa_error_last());
	}
	/* ... and cannot read what the analysis and screening produced. */
	REFUSED(loader, "SELECT count(*) FROM finding");
	REFUSED(loader, "SELECT count(*) FROM analysis_run");
	REFUSED(loader, "SELECT count(*) FROM vertex_exposure");
	REFUSED(loader, "SELECT count(*) FROM exposure_edge");
	REFUSED(loader, "SELECT count(*) FROM audit_log");
	REFUSED(loader, "UPDATE transfer SET amount = amount + 1");
	REFUSED(loader, "DELETE FROM party");

	/* The analyst reads records and writes runs, never source records. */
	analyst = connect_as("analyst");
	ALLOWED(analyst, "SELECT count(*) FROM transfer");
	ALLOWED(analyst, "INSERT INTO analysis_run (level, code_version) VALUES ('account', 'test')");
	ALLOWED(analyst, "UPDATE analysis_run SET status = 'completed', finished_at = now()");
	REFUSED(analyst, "UPDATE transfer SET amount = amount + 1");
	REFUSED(analyst, "DELETE FROM transfer");
	REFUSED(analyst, "INSERT INTO party (ref, kind, name, supplier, source) "
			 "VALUES ('X', 'person', 'X', 'ML', 'x')");
	REFUSED(analyst, "DELETE FROM finding");
	/* ... runs the default analysis on what the loader loaded (the ingest
	 * reads each transfer partition the loader had made, on two
	 * connections), and the exposure of every vertex goes with the run. */
	ALLOWED(analyst, "SELECT count(*) FROM transfer_2025_01");
	{
		iffa_analysis *a = NULL;
		iffa_analyse_options o = IFFA_ANALYSE_OPTIONS_INIT;
		int64_t run = 0;
		char sql[200];
		cr_assert_eq(iffa_analysis_new(&a), 0);
		cr_assert_eq(iffa_analyse(&run, analyst, a, &o), 0, "%s", iffa_error_last());
		iffa_analysis_free(a);
		snprintf(sql, sizeof(sql),
			 "SELECT count(*) FROM analysis_run WHERE id = %lld AND status = "
			 "'completed' AND db_role = 't_role_analyst'",
			 (long long)run);
		cr_assert_eq(testdb_scalar(owner, sql), 1);
	}
	ALLOWED(analyst, "INSERT INTO vertex_exposure (run_id, level, account_id, way, flagged, score,"
			 " taint, tainted_xof, funding, funding_xof, ppr_from, ppr_to, hops)"
			 " SELECT max(r.id), 'account', (SELECT min(id) FROM account), 'none', false,"
			 " 0, 0, 0, 0, 0, 0, 0, -1 FROM analysis_run r");
	REFUSED(analyst, "UPDATE vertex_exposure SET score = 0");
	REFUSED(analyst, "DELETE FROM vertex_exposure");
	ALLOWED(analyst, "INSERT INTO exposure_edge (run_id, edge, from_account_id, to_account_id,"
			 " amount_xof, flows, channel, kind) SELECT max(r.id), 1000000,"
			 " (SELECT min(id) FROM account), (SELECT max(id) FROM account), 1, 1, 'bank',"
			 " 'transfer' FROM analysis_run r");
	REFUSED(analyst, "UPDATE exposure_edge SET flows = 2");
	REFUSED(analyst, "DELETE FROM exposure_edge");

	/* The screener screens, and its request lands in the audit log. */
	screener = connect_as("screener");
	{
		iffa_screener *s = NULL;
		iffa_screen_request q;
		iffa_screen_result r;
		memset(&q, 0, sizeof(q));
		q.name = "Iyad ag Ghaly";
		cr_assert_eq(iffa_screener_new(&s, screener, NULL), 0, "%s", iffa_error_last());
		cr_assert_eq(iffa_screener_screen(&r, s, &q, 1), 0, "%s", iffa_error_last());
		cr_assert_gt(r.audit_id, 0);
		iffa_screen_result_dispose(&r);
		iffa_screener_free(s);
	}
	/* It reads the exposure the analysis stored, through a screening by
	 * account and directly, and cannot write it. */
	{
		iffa_screener *s = NULL;
		iffa_screen_request q;
		iffa_screen_result r;
		memset(&q, 0, sizeof(q));
		q.name = "Oumar Diallo";
		q.account = "ACC-ML-0001";
		cr_assert_eq(iffa_screener_new(&s, screener, NULL), 0, "%s", iffa_error_last());
		cr_assert_eq(iffa_screener_screen(&r, s, &q, 1), 0, "%s", iffa_error_last());
		cr_assert_gt(r.exposure.run_id, 0, "the analyst's run is found");
		cr_assert(r.exposure.status == IFFA_SCREEN_EXPOSURE_NONE ||
			  r.exposure.status == IFFA_SCREEN_EXPOSURE_EXPOSED, "%s",
			  iffa_screen_exposure_status_name(r.exposure.status));
		iffa_screen_result_dispose(&r);
		iffa_screener_free(s);
	}
	ALLOWED(screener, "SELECT count(*) FROM vertex_exposure");
	REFUSED(screener, "INSERT INTO vertex_exposure (run_id, level, account_id, way, flagged,"
			  " score, taint, tainted_xof, funding, funding_xof, ppr_from, ppr_to, hops)"
			  " VALUES (1, 'account', 1, 'source', true, 1, 0, 0, 0, 0, 0, 0, 0)");
	REFUSED(screener, "UPDATE vertex_exposure SET score = 1");
	REFUSED(screener, "DELETE FROM vertex_exposure");
	ALLOWED(screener, "SELECT count(*) FROM exposure_edge");
	REFUSED(screener, "INSERT INTO exposure_edge (run_id, edge, from_party_id, to_party_id,"
			  " amount_xof, flows, channel, kind) VALUES (1, 2000000, 1, 1, 1, 1, 'bank',"
			  " 'transfer')");
	REFUSED(screener, "DELETE FROM exposure_edge");
	REFUSED(screener, "SELECT params FROM analysis_run");
	REFUSED(screener, "SELECT detail FROM audit_log");
	REFUSED(screener, "SELECT count(*) FROM finding");
	REFUSED(screener, "INSERT INTO list_entry (list_id, reference, entry_kind, name) "
			  "VALUES (1, 'X', 'entity', 'X')");

	/* The reader reads findings and cannot write them. */
	reader = connect_as("reader");
	ALLOWED(reader, "SELECT count(*) FROM finding");
	ALLOWED(reader, "SELECT count(*) FROM vertex_exposure");
	REFUSED(reader, "DELETE FROM vertex_exposure");
	ALLOWED(reader, "SELECT count(*) FROM exposure_edge");
	REFUSED(reader, "DELETE FROM exposure_edge");
	REFUSED(reader, "INSERT INTO analysis_run (level, code_version) VALUES ('account', 'x')");
	REFUSED(reader, "SELECT count(*) FROM transfer");
	REFUSED(reader, "SELECT count(*) FROM audit_log");

	/* The auditor reads the log and nothing it could change. */
	auditor = connect_as("auditor");
	cr_assert_geq(testdb_scalar(auditor, "SELECT count(*) FROM audit_log WHERE command = 'load' "
					     "AND db_role = 't_role_loader'"), 4);
	cr_assert_geq(testdb_scalar(auditor, "SELECT count(*) FROM audit_log WHERE command = 'screen' "
					     "AND db_role = 't_role_screener'"), 1);
	REFUSED(auditor, "SELECT count(*) FROM transfer");
	REFUSED(auditor, "INSERT INTO audit_log (command) VALUES ('forged')");

	/* Nobody changes the schema or the audit log; the owner is stopped by the trigger. */
	iffa_db *all[] = {loader, analyst, screener, reader, auditor};
	for (size_t i = 0; i < NROLES; i++) {
		REFUSED(all[i], "UPDATE audit_log SET command = 'x'");
		REFUSED(all[i], "DELETE FROM audit_log");
		REFUSED(all[i], "TRUNCATE audit_log");
		REFUSED(all[i], "ALTER TABLE party ADD COLUMN note text");
		REFUSED(all[i], "CREATE TABLE t_forbidden (x int)");
		REFUSED(all[i], "DROP TABLE finding");
	}
	REFUSED(owner, "UPDATE audit_log SET command = 'x'");
	REFUSED(owner, "DELETE FROM audit_log");
	REFUSED(owner, "TRUNCATE audit_log");
	cr_assert_gt(testdb_scalar(owner, "SELECT count(*) FROM audit_log"), 0);

	for (size_t i = 0; i < NROLES; i++)
		iffa_db_free(all[i]);
	iffa_db_free(owner);
}
