#include <criterion/criterion.h>
#include <string.h>

#include "support/testdb.h"

Test(db_migrate, applies_every_migration_once)
{
	char ci[128];
	iffa_db *db;
	int applied = -1, version = -1;

	testdb_fresh(ci, sizeof(ci), "t_db_migrate_once", 0);
	db = testdb_connect(ci);
	cr_assert_eq(iffa_db_schema_version(db, &version), 0);
	cr_assert_eq(version, 0);
	cr_assert_eq(iffa_db_migrate(db, &applied), 0, "%s", iffa_error_last());
	cr_assert_eq(applied, iffa_db_migration_count());
	cr_assert_gt(applied, 3);
	cr_assert_eq(iffa_db_schema_version(db, &version), 0);
	cr_assert_eq(version, iffa_db_migration_count());
	/* Second run: nothing to do, nothing fails. */
	cr_assert_eq(iffa_db_migrate(db, &applied), 0, "%s", iffa_error_last());
	cr_assert_eq(applied, 0);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM schema_version"),
		     iffa_db_migration_count());
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM country WHERE code IN ('ML','BF','NE','SN','GN','CI','MR','GM','AE')"), 9);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM currency WHERE code IN ('XOF','GNF','MRU','GMD','USD','EUR','AED')"), 7);
	iffa_db_free(db);
}

Test(db_migrate, refuses_a_migration_changed_after_it_was_applied)
{
	char ci[128];
	iffa_db *db;

	testdb_fresh(ci, sizeof(ci), "t_db_migrate_changed", 1);
	db = testdb_connect(ci);
	cr_assert_eq(testdb_scalar(db, "WITH u AS (UPDATE schema_version SET sha256 = repeat('0', 64) "
				       "WHERE version = 3 RETURNING 1) SELECT count(*) FROM u"), 1);
	cr_assert_eq(iffa_db_migrate(db, NULL), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "003_records.sql") != NULL, "%s", iffa_error_last());
	cr_assert(strstr(iffa_error_last(), "append-only") != NULL);
	iffa_db_free(db);
}

Test(db_connect, names_the_failure)
{
	iffa_db *db = NULL;

	cr_assert_eq(iffa_db_connect(&db, "host=/nonexistent-iffa-dir port=1"), IFFA_EDB);
	cr_assert_null(db);
	cr_assert(strstr(iffa_error_last(), "connecting to PostgreSQL") != NULL);
}

Test(db_partitions, transfer_partitions_are_made_per_month)
{
	char ci[128];
	iffa_db *db;

	testdb_fresh(ci, sizeof(ci), "t_db_partitions", 1);
	db = testdb_connect(ci);
	cr_assert_eq(testdb_scalar(db, "SELECT iffa_ensure_transfer_partitions("
				       "'2026-01-31 23:00+00', '2026-03-01 00:00+00')"), 3);
	cr_assert_eq(testdb_scalar(db, "SELECT iffa_ensure_transfer_partitions("
				       "'2026-02-10 00:00+00', '2026-02-11 00:00+00')"), 0);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM pg_inherits WHERE "
				       "inhparent = 'transfer'::regclass"), 3);
	iffa_db_free(db);
}

/*
 * The rows a run writes carry no per-row foreign keys (013): deleting a
 * run (which only the owner may) still takes its findings, their members
 * and its exposure rows along, and leaves another run's alone.
 */
Test(db_migrate, deleting_a_run_deletes_what_it_wrote)
{
	char ci[128];
	iffa_db *db;

	testdb_fresh(ci, sizeof(ci), "t_db_migrate_cascade", 1);
	db = testdb_connect(ci);
	cr_assert_eq(testdb_scalar(db,
		"WITH a AS (SELECT 1::bigint AS id),"
		" r AS (INSERT INTO analysis_run (level, params, code_version, status)"
		"  SELECT 'account', '{}', 'test', 'completed' FROM generate_series(1, 2) RETURNING id),"
		" f AS (INSERT INTO finding (run_id, pass, kind, subject_type, subject_label, score, reason,"
		"  evidence) SELECT id, 'paths', 'k', 'path', 'l', 1, 'r', '[{}]' FROM r RETURNING id),"
		" m AS (INSERT INTO finding_member (finding_id, account_id, role)"
		"  SELECT f.id, a.id, 'member' FROM f, a RETURNING 1),"
		" v AS (INSERT INTO vertex_exposure (run_id, level, account_id, way, flagged, score, taint,"
		"  tainted_xof, funding, funding_xof, ppr_from, ppr_to, hops, path_edges)"
		"  SELECT r.id, 'account', a.id, 'none', false, 0, 0, 0, 0, 0, 1, 1, -1, '{}' FROM r, a"
		"  RETURNING 1),"
		" e AS (INSERT INTO exposure_edge (run_id, edge, from_account_id, to_account_id, amount_xof,"
		"  flows, channel, kind) SELECT r.id, 0, a.id, a.id, 1, 1, 'bank', 'transfer' FROM r, a"
		"  RETURNING 1)"
		" SELECT (SELECT count(*) FROM m) + (SELECT count(*) FROM v) + (SELECT count(*) FROM e)"),
		     6);
	cr_assert_eq(testdb_scalar(db, "WITH d AS (DELETE FROM analysis_run WHERE id ="
				       " (SELECT min(id) FROM analysis_run) RETURNING 1) SELECT count(*) FROM d"),
		     1);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM finding"), 1);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM finding_member"), 1);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM vertex_exposure"), 1);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM exposure_edge"), 1);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM finding_member m JOIN finding f"
				       " ON f.id = m.finding_id"), 1);
	iffa_db_free(db);
}
