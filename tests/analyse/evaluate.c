/*
 * iffa_evaluate on a hand-made database, run and truth file whose
 * figures are worked out by hand below.
 */
#include <criterion/criterion.h>
#include <libpq-fe.h>
#include <string.h>

#include "support/testdb.h"

static void exec(iffa_db *db, const char *sql)
{
	PGresult *res = PQexec(iffa_db_conn(db), sql);

	cr_assert(PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK,
		  "%s: %s", sql, PQerrorMessage(iffa_db_conn(db)));
	PQclear(res);
}

/*
 * Parties P1 (designated, A1), P2 (A2, A3), P3 (A4), P4 (A5), P5 (A6),
 * P6 (A8); A7 has no owner. Transfers A1 -> A2, A5 -> A1, A4 -> A6.
 * Truth (tests/resources/analyse/truth.csv): ransom_chain {P2: A2, A3},
 * layering {P3: A4, A8} and an unknown party P-404: 4 accounts.
 * Run 1 flags: A2 with its party P2 (A2, A3), party P4 (A5), account A4
 * alone: {A2, A3, A4, A5}; 3 true: precision 0.75, recall 0.75.
 * Baseline: A1 and its neighbours A2, A5, owners' accounts:
 * {A1, A2, A3, A5}; 2 true: precision 0.5, recall 0.5.
 * Exposure ranking: A5 (0.95), A4 (0.9), A2 (0.8): top 1 = 0, top 2 =
 * 0.5, top 3 = 2/3.
 */
static const char data[] =
	"SELECT iffa_ensure_transfer_partitions('2026-01-01 00:00+00', '2026-01-31 00:00+00');"
	"INSERT INTO party (id, ref, kind, name, country, supplier, source)"
	" SELECT i, 'P' || i, 'person', 'name ' || i, 'ML', 'ML', 'test' FROM generate_series(1, 6) i;"
	"INSERT INTO designation (list_name, reference, entry_kind, name, party_id, source)"
	" VALUES ('UN', 'QDi.999', 'individual', 'name 1', 1, 'test');"
	"INSERT INTO account (id, ref, party_id, kind, country, supplier, source) VALUES"
	" (1, 'A1', 1, 'bank', 'ML', 'ML', 't'), (2, 'A2', 2, 'bank', 'ML', 'ML', 't'),"
	" (3, 'A3', 2, 'cash', 'ML', 'ML', 't'), (4, 'A4', 3, 'bank', 'ML', 'ML', 't'),"
	" (5, 'A5', 4, 'bank', 'ML', 'ML', 't'), (6, 'A6', 5, 'bank', 'ML', 'ML', 't'),"
	" (7, 'A7', NULL, 'bank', 'ML', 'ML', 't'), (8, 'A8', 6, 'bank', 'ML', 'ML', 't');"
	"INSERT INTO transfer (from_account, to_account, amount, currency, ts, channel, supplier,"
	" source, source_ref) VALUES"
	" (1, 2, 1000, 'XOF', '2026-01-02 10:00+00', 'bank', 'ML', 't', 'T1'),"
	" (5, 1, 1000, 'XOF', '2026-01-03 10:00+00', 'bank', 'ML', 't', 'T2'),"
	" (4, 6, 1000, 'XOF', '2026-01-04 10:00+00', 'bank', 'ML', 't', 'T3');"
	"INSERT INTO analysis_run (id, level, status, code_version) VALUES (1, 'account', 'completed', 'test');"
	"INSERT INTO finding (id, run_id, pass, kind, subject_type, subject_id, subject_label, score,"
	" reason, evidence) VALUES"
	" (1, 1, 'exposure', 'proceeds', 'account', 2, 'A2', 0.8, 'r', '[{}]'),"
	" (2, 1, 'clusters', 'exposed_cluster', 'cluster', NULL, 'c', 2.0, 'r', '[{}]'),"
	" (3, 1, 'exposure', 'funding', 'account', 4, 'A4', 0.9, 'r', '[{}]'),"
	" (4, 1, 'exposure', 'funding', 'account', 5, 'A5', 0.95, 'r', '[{}]');"
	"INSERT INTO finding_member (finding_id, account_id, party_id, role) VALUES"
	" (1, 2, 2, 'subject'), (2, NULL, 4, 'member'), (3, 4, NULL, 'subject'), (4, 5, NULL, 'subject');"
	"INSERT INTO analysis_run (id, level, status, code_version) VALUES (2, 'account', 'failed', 'test');";

static iffa_db *fresh(const char *name)
{
	char ci[128];
	iffa_db *db;

	iffa_init();
	testdb_fresh(ci, sizeof(ci), name, 1);
	db = testdb_connect(ci);
	exec(db, data);
	return db;
}

Test(analyse_evaluate, figures_match_the_hand_count)
{
	iffa_db *db = fresh("t_analyse_evaluate_figures");
	iffa_evaluation ev;

	cr_assert_eq(iffa_evaluate(&ev, db, 1, testdb_resource("analyse/truth.csv"), 2), 0, "%s",
		     iffa_error_last());
	cr_assert_eq(ev.truth_accounts, 4);
	cr_assert_eq(ev.truth_unknown, 1);
	cr_assert_eq(ev.accounts, 8);
	cr_assert_eq(ev.run_score.flagged, 4);
	cr_assert_eq(ev.run_score.true_pos, 3);
	cr_assert_float_eq(ev.run_score.precision, 0.75, 1e-12);
	cr_assert_float_eq(ev.run_score.recall, 0.75, 1e-12);
	cr_assert_float_eq(ev.run_score.f1, 0.75, 1e-12);
	cr_assert_eq(ev.baseline.flagged, 4);
	cr_assert_eq(ev.baseline.true_pos, 2);
	cr_assert_float_eq(ev.baseline.precision, 0.5, 1e-12);
	cr_assert_float_eq(ev.baseline.recall, 0.5, 1e-12);
	cr_assert_eq(ev.nstructures, 2);
	cr_assert_str_eq(ev.structures[0].structure, "layering");
	cr_assert_eq(ev.structures[0].truth, 2);
	cr_assert_eq(ev.structures[0].found, 1);
	cr_assert_eq(ev.structures[0].found_baseline, 0);
	cr_assert_str_eq(ev.structures[1].structure, "ransom_chain");
	cr_assert_eq(ev.structures[1].found, 2);
	cr_assert_eq(ev.structures[1].found_baseline, 2);
	cr_assert_eq(ev.top_k_used, 2);
	cr_assert_float_eq(ev.top_k_precision, 0.5, 1e-12);
	iffa_evaluation_dispose(&ev);

	cr_assert_eq(iffa_evaluate(&ev, db, 1, testdb_resource("analyse/truth.csv"), 10), 0);
	cr_assert_eq(ev.top_k_used, 3);
	cr_assert_float_eq(ev.top_k_precision, 2.0 / 3.0, 1e-12);
	iffa_evaluation_dispose(&ev);
	iffa_db_free(db);
}

Test(analyse_evaluate, refuses_missing_or_incomplete_runs_and_bad_truth)
{
	iffa_db *db = fresh("t_analyse_evaluate_refuses");
	iffa_evaluation ev;

	cr_assert_eq(iffa_evaluate(&ev, db, 99, testdb_resource("analyse/truth.csv"), 5), IFFA_ENOTFOUND);
	cr_assert_eq(iffa_evaluate(&ev, db, 2, testdb_resource("analyse/truth.csv"), 5), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "failed, not completed") != NULL, "%s", iffa_error_last());
	cr_assert_eq(iffa_evaluate(&ev, db, 1, testdb_resource("analyse/good.conf"), 5), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "no column 'structure'") != NULL, "%s", iffa_error_last());
	cr_assert_eq(iffa_evaluate(&ev, db, 1, "/nonexistent/truth.csv", 5), IFFA_EIO);
	iffa_db_free(db);
}
