/*
 * `iffa trace` as a user runs it: the built command on a small database,
 * refs in and out, text and JSON, exit codes.
 *
 * The fixture: a ransom of 20 M XOF from company P-PAY (Paris, FR)
 * through negotiator P-NEG (Niamey, NE) to P-REC (Gao, ML) on 2025-03-01;
 * P-REC's cash account hands 12 M to hawala broker H-ML-1 the next day,
 * which pays 11.8 M to wallet +221-1 in Dakar (SN) six hours later. A
 * payment of 3 M from H-ML-1 a week *before* the ransom goes nowhere in a
 * trace. names both an account and a party.
 */
#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "ingest/fixture.h"
#include "support/testdb.h"

static const char data[] =
	"SELECT iffa_ensure_transfer_partitions('2025-02-01 00:00+00', '2025-04-30 00:00+00');"
	"INSERT INTO party (id, ref, kind, name, country, region, supplier, source) VALUES"
	" (1, 'P-PAY', 'company', 'payer', 'FR', 'Paris', 'ML', 'test'),"
	" (2, 'P-NEG', 'person', 'negotiator', 'NE', 'Niamey', 'ML', 'test'),"
	" (3, 'P-REC', 'person', 'recipient', 'ML', 'Gao', 'ML', 'test'),"
	" (4, 'P-HAW', 'person', 'broker', 'ML', 'Gao', 'ML', 'test'),"
	" (5, 'P-BEN', 'person', 'beneficiary', 'SN', 'Dakar', 'ML', 'test'),"
	" (6, 'X-1', 'person', 'same ref', 'ML', 'Kayes', 'ML', 'test');"
	"INSERT INTO account (id, ref, party_id, kind, country, supplier, source) VALUES"
	" (1, 'A-FR-1', 1, 'bank', 'FR', 'ML', 'test'),"
	" (2, 'A-NE-2', 2, 'bank', 'NE', 'ML', 'test'),"
	" (3, 'C-ML-3', 3, 'cash', 'ML', 'ML', 'test'),"
	" (4, 'H-ML-1', 4, 'hawala', 'ML', 'ML', 'test'),"
	" (5, '+221-1', 5, 'mobile_money', 'SN', 'ML', 'test'),"
	" (6, 'X-1', 6, 'bank', 'ML', 'ML', 'test');"
	"INSERT INTO ransom (id, payer, recipient, amount, currency, paid_at, supplier, source,"
	" source_ref) VALUES (1, 1, 3, 20000000, 'XOF', '2025-03-01 10:00+00', 'ML', 'test', 'R-1');"
	"INSERT INTO ransom_leg (ransom_id, seq, party_id, role) VALUES (1, 1, 2, 'negotiator');"
	"INSERT INTO transfer (from_account, to_account, amount, currency, ts, channel, supplier,"
	" source, source_ref) VALUES"
	" (3, 4, 12000000, 'XOF', '2025-03-02 10:00+00', 'hawala', 'ML', 'test', 'T1'),"
	" (4, 5, 11800000, 'XOF', '2025-03-02 16:00+00', 'hawala', 'ML', 'test', 'T2'),"
	" (4, 6, 3000000, 'XOF', '2025-02-22 09:00+00', 'hawala', 'ML', 'test', 'T3');";

static void fresh(const char *name)
{
	char ci[128];
	iffa_db *db;

	iffa_init();
	testdb_fresh(ci, sizeof(ci), name, 1);
	db = testdb_connect(ci);
	fixture_exec(db, data);
	iffa_db_free(db);
}

Test(cli_trace, paths_out_of_a_party_in_text)
{
	char out[16384];

	fresh("t_cli_trace_text");
	cr_assert_eq(testdb_run_iffa(out, sizeof(out), "--db dbname=t_cli_trace_text trace --from P-PAY"), 0,
		     "%s", out);
	cr_assert(strstr(out, "Paths out of party P-PAY: 1 shown of 1 found\n"), "%s", out);
	cr_assert(strstr(out, "#1  11.8 M XOF  FR\u2192NE\u2192ML\u2192SN (cross-border)  4 hops  "
			      "2025-03-01T10:00:00Z .. 2025-03-02T16:00:00Z\n"),
		  "%s", out);
	cr_assert(strstr(out, "  1. A-FR-1 (FR) -> A-NE-2 (NE)  carries 20.0 M XOF"), "%s", out);
	cr_assert(strstr(out, "  4. H-ML-1 (ML) -> +221-1 (SN)  carries 11.8 M XOF"), "%s", out);
	cr_assert(strstr(out, "       2025-03-02T10:00:00Z  C-ML-3 -> H-ML-1  12.0 M XOF  hawala "
			      "transfer 1\n"),
		  "%s", out);
	cr_assert(strstr(out, "  A-NE-2 -> C-ML-3  20.0 M XOF  ransom 1\n"), "%s", out);
	cr_assert(!strstr(out, "X-1"), "the earlier payment is not on any path:\n%s", out);
}

Test(cli_trace, paths_into_an_account_in_json)
{
	char out[16384];

	fresh("t_cli_trace_json");
	cr_assert_eq(testdb_run_iffa(out, sizeof(out), "--db dbname=t_cli_trace_json --json trace --to "
					   "+221-1 --max-paths 5"), 0, "%s", out);
	cr_assert(!strncmp(out, "{\"direction\":\"to\",\"subject\":{\"type\":\"account\",\"id\":5,"
				"\"ref\":\"+221-1\"},\"level\":\"account\",\"aggregated\":false,"
				"\"dwell_days\":30,\"max_hops\":6,\"found\":1,\"sources\":1,"
				"\"truncated\":0,\"paths\":[{\"amount_xof\":11800000.00,"
				"\"countries\":[\"FR\",\"NE\",\"ML\",\"SN\"],\"cross_border\":true,"
				"\"hops\":[{\"from\":{\"type\":\"account\",\"id\":1,\"ref\":\"A-FR-1\","
				"\"country\":\"FR\"},", 300),
		  "%s", out);
	cr_assert(strstr(out, "\"kind\":\"ransom\",\"record\":1,"), "%s", out);
	cr_assert(out[strlen(out) - 1] == '\n');

	/* Two hops at most: back to the recipient only. */
	cr_assert_eq(testdb_run_iffa(out, sizeof(out), "--db dbname=t_cli_trace_json --json trace --to "
					   "account:+221-1 --max-hops 2"), 0, "%s", out);
	cr_assert(strstr(out, "\"countries\":[\"ML\",\"SN\"]"), "%s", out);
	cr_assert(strstr(out, "\"max_hops\":2"), "%s", out);
}

Test(cli_trace, unknown_or_ambiguous_subjects_and_bad_arguments)
{
	char out[8192];

	fresh("t_cli_trace_err");
	cr_assert_eq(testdb_run_iffa(out, sizeof(out), "--db dbname=t_cli_trace_err trace --from NOPE"), 3);
	cr_assert_str_eq(out, "iffa: trace: no account or party with ref 'NOPE'\n");
	cr_assert_eq(testdb_run_iffa(out, sizeof(out), "--db dbname=t_cli_trace_err trace --from X-1"), 3);
	cr_assert_str_eq(out, "iffa: trace: ref 'X-1' names an account and a party: write "
			      "account:X-1 or party:X-1\n");
	cr_assert_eq(testdb_run_iffa(out, sizeof(out), "--db dbname=t_cli_trace_err trace --from party:X-1"),
		     0, "%s", out);
	cr_assert(strstr(out, "Paths out of party X-1: 0 shown of 0 found\n"), "%s", out);
	cr_assert_eq(testdb_run_iffa(out, sizeof(out), "trace"), 2);
	cr_assert(strstr(out, "iffa: trace: --from SUBJECT or --to SUBJECT is required\n"), "%s", out);
	cr_assert_eq(testdb_run_iffa(out, sizeof(out), "trace --from A --to B"), 2);
	cr_assert(strstr(out, "give one of --from and --to, once"), "%s", out);
	cr_assert_eq(testdb_run_iffa(out, sizeof(out), "trace --from A --max-hops 0"), 2);
	cr_assert(strstr(out, "--max-hops takes a whole number from 1 to 32"), "%s", out);
	cr_assert_eq(testdb_run_iffa(out, sizeof(out), "trace --from A --dwell soon"), 2);
	cr_assert_eq(testdb_run_iffa(out, sizeof(out), "trace --from A --from-date 2025-13-01"), 2);
	cr_assert_eq(testdb_run_iffa(out, sizeof(out), "trace --from A --from-date 2025-03-01 --to-date "
					   "2025-02-01"), 2);
	cr_assert(strstr(out, "--from-date must be before --to-date"), "%s", out);
	cr_assert_eq(testdb_run_iffa(out, sizeof(out), "trace --from"), 2);
	cr_assert(strstr(out, "--from needs a value"), "%s", out);
	cr_assert_eq(testdb_run_iffa(out, sizeof(out), "trace --help"), 0);
	cr_assert(strstr(out, "usage: iffa trace (--from SUBJECT | --to SUBJECT)"), "%s", out);
	cr_assert_eq(testdb_run_iffa(out, sizeof(out), "help"), 0);
	cr_assert(strstr(out, "  trace      follow the money out of or into one account or party\n"),
		  "%s", out);
}
