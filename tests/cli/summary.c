/*
 * `iffa summary` as a user runs it: the built command on the fixture
 * database, its output and exit codes.
 */
#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "ingest/fixture.h"
#include "support/testdb.h"

Test(cli_summary, json_summary_of_a_database)
{
	iffa_db *db = fixture_fresh("t_ingest_cli");
	char out[8192], want[64];

	cr_assert_eq(testdb_run_iffa(out, sizeof(out), "--db dbname=t_ingest_cli --json summary --kind transfer "
					   "--keep-parallel --top 3"), 0, "%s", out);
	snprintf(want, sizeof(want), "\"edges\":%lld,", testdb_scalar(db, "SELECT count(*) FROM transfer"));
	cr_assert(strstr(out, want), "%s not in %s", want, out);
	cr_assert(strstr(out, "{\"level\":\"account\",\"aggregated\":false,\"from\":null,\"to\":null,"
			      "\"vertices\":105,"), "%s", out);
	cr_assert(strstr(out, "\"ransom\":{\"records\":0,"), "%s", out);

	cr_assert_eq(testdb_run_iffa(out, sizeof(out), "--db dbname=t_ingest_cli summary --level party "
					   "--from 2026-02-01 --to 2026-03-01 --channel none"), 0, "%s", out);
	cr_assert(strstr(out, "Flow graph: party level, parallel flows merged\n"), "%s", out);
	cr_assert(strstr(out, "Window:     from 2026-02-01T00:00:00Z to 2026-03-01T00:00:00Z (end excluded)\n"),
		  "%s", out);
	cr_assert(strstr(out, "Records:    0 transfers, 1 ransoms, 0 gold lots, 0 levies\n"), "%s", out);
	iffa_db_free(db);
}

Test(cli_summary, show_sql_prints_the_transfer_query)
{
	char out[2048];

	cr_assert_eq(testdb_run_iffa(out, sizeof(out), "summary --show-sql --from 2026-01-01 --channel hawala"), 0);
	cr_assert_str_eq(out, "SELECT id, from_account, to_account, amount::float8, currency, ts, channel "
			      "FROM transfer WHERE ts >= '2026-01-01T00:00:00Z' AND channel IN ('hawala')\n");
}

Test(cli_summary, wrong_arguments_exit_2_with_the_reason)
{
	char out[8192];

	cr_assert_eq(testdb_run_iffa(out, sizeof(out), "summary --level galaxy"), 2);
	cr_assert(strstr(out, "iffa: summary: --level is account or party\n"), "%s", out);
	cr_assert(strstr(out, "usage: iffa summary"), "%s", out);
	cr_assert_eq(testdb_run_iffa(out, sizeof(out), "summary --from 2026-02-30"), 2);
	cr_assert(strstr(out, "'2026-02-30' is not a date"), "%s", out);
	cr_assert_eq(testdb_run_iffa(out, sizeof(out), "summary --channel bank,wire"), 2);
	cr_assert(strstr(out, "unknown channel 'wire'"), "%s", out);
	cr_assert_eq(testdb_run_iffa(out, sizeof(out), "summary --kind transfer,theft"), 2);
	cr_assert(strstr(out, "unknown record kind 'theft'"), "%s", out);
	cr_assert_eq(testdb_run_iffa(out, sizeof(out), "summary --top"), 2);
	cr_assert(strstr(out, "--top needs a value"), "%s", out);
	cr_assert_eq(testdb_run_iffa(out, sizeof(out), "summary --top -1"), 2);
	cr_assert_eq(testdb_run_iffa(out, sizeof(out), "summary --from 2026-03-01 --to 2026-02-01"), 2);
	cr_assert(strstr(out, "--from must be before --to"), "%s", out);
	cr_assert_eq(testdb_run_iffa(out, sizeof(out), "summary --sideways"), 2);
	cr_assert(strstr(out, "unknown argument '--sideways'"), "%s", out);
	cr_assert_eq(testdb_run_iffa(out, sizeof(out), "summary --help"), 0);
	cr_assert(strstr(out, "usage: iffa summary [--level account|party]"), "%s", out);
}

Test(cli_summary, a_missing_fx_rate_exits_3)
{
	iffa_db *db = fixture_fresh("t_ingest_cli_fx");
	char out[4096];

	fixture_exec(db, "INSERT INTO levy (id, payer, collector, levy_kind, amount, currency, levied_at,"
			 " supplier, source, source_ref) VALUES (2, 28, 1, 'zakat', 5, 'GMD',"
			 " '2026-03-06 09:00+00', 'ML', 'test', 'L2')");
	cr_assert_eq(testdb_run_iffa(out, sizeof(out), "--db dbname=t_ingest_cli_fx summary"), 3, "%s", out);
	cr_assert_str_eq(out, "iffa: summary: reading the flow graph: levy 2: no fx_rate for GMD on or "
			      "before 2026-03-06\n");
	iffa_db_free(db);
}
