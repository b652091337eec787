/*
 * iffa_load_file() against the real PostgreSQL server: the fixtures of
 * tests/resources/load/ (one per kind), refusals, the reject file, the
 * load_batch and audit rows, and the lock between concurrent loads.
 */
#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "load/load.h"
#include "support/testdb.h"

static char ci[256];
static iffa_db *db;
static char tmpdir[64];
static iffa_load_result res;

static void fresh(const char *name)
{
	testdb_fresh(ci, sizeof(ci), name, 1);
	db = testdb_connect(ci);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/iffa-t-load-XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
	iffa_load_result_init(&res);
}

static void finish(void)
{
	char cmd[128];

	iffa_load_result_dispose(&res);
	iffa_db_free(db);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	cr_assert_eq(system(cmd), 0);
}

/* Write `content` to a file of the test's directory; returns its path. */
static const char *write_tmp(const char *name, const char *content)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	cr_assert_not_null(f = fopen(path, "wb"));
	cr_assert_eq(fwrite(content, 1, strlen(content), f), strlen(content));
	cr_assert_eq(fclose(f), 0);
	return path;
}

static const char *tmp_path(const char *name)
{
	static char path[256];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

/* Load a file shown in messages as `shown`, with an optional reject file. */
static int load_as(iffa_load_kind kind, const char *path, const char *shown, const char *reject)
{
	iffa_load_options o = IFFA_LOAD_OPTIONS_INIT;

	o.display_name = shown;
	o.reject_path = reject;
	iffa_load_result_dispose(&res);
	return iffa_load_file(&res, db, kind, path, &o);
}

static int load_fixture(iffa_load_kind kind, const char *file)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/load/%s", IFFA_TEST_RESOURCES, file);
	return load_as(kind, path, file, NULL);
}

static int load_text(iffa_load_kind kind, const char *name, const char *content)
{
	return load_as(kind, write_tmp(name, content), name, NULL);
}

static void expect_counts(long long read, long long loaded, long long dup, long long rej)
{
	cr_assert_eq(res.rows_read, read, "read %lld, not %lld", res.rows_read, read);
	cr_assert_eq(res.rows_loaded, loaded, "loaded %lld, not %lld", res.rows_loaded, loaded);
	cr_assert_eq(res.rows_duplicate, dup, "duplicate %lld, not %lld", res.rows_duplicate, dup);
	cr_assert_eq(res.rows_rejected, rej, "rejected %lld, not %lld", res.rows_rejected, rej);
}

static void expect_error(size_t i, long long line, const char *field, const char *message)
{
	cr_assert_gt(res.errors_count, i, "only %zu errors", res.errors_count);
	cr_assert_eq(res.errors[i].line, line);
	if (field)
		cr_assert_str_eq(res.errors[i].field, field);
	else
		cr_assert_null(res.errors[i].field);
	cr_assert_str_eq(res.errors[i].message, message);
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "rb");
	static char buf[8192];
	size_t n;

	cr_assert_not_null(f, "cannot open %s", path);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void load_parties_and_accounts(void)
{
	cr_assert_eq(load_fixture(IFFA_LOAD_PARTY, "party.csv"), 0, "%s", iffa_error_last());
	cr_assert_eq(load_fixture(IFFA_LOAD_ACCOUNT, "account.csv"), 0, "%s", iffa_error_last());
}

static const struct {
	iffa_load_kind kind;
	const char *file;
	const char *table;
	long long rows;
} fixtures[] = {
	{IFFA_LOAD_PARTY, "party.csv", "party", 8},
	{IFFA_LOAD_ACCOUNT, "account.csv", "account", 5},
	{IFFA_LOAD_TRANSFER, "transfer.csv", "transfer", 4},
	{IFFA_LOAD_RANSOM, "ransom.csv", "ransom", 2},
	{IFFA_LOAD_GOLD_LOT, "gold_lot.csv", "gold_lot", 2},
	{IFFA_LOAD_LEVY, "levy.csv", "levy", 3},
	{IFFA_LOAD_DESIGNATION, "designation.csv", "designation", 3},
	{IFFA_LOAD_FX_RATE, "fx_rate.csv", "fx_rate", 4},
	{IFFA_LOAD_AFFECTED_ZONE, "affected_zone.csv", "affected_zone", 3},
};
#define NFIXTURES (sizeof(fixtures) / sizeof(fixtures[0]))

static long long count_rows(const char *table)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	return testdb_scalar(db, sql);
}

Test(load_kinds, names_map_to_kinds_and_back)
{
	iffa_load_kind k;

	for (size_t i = 0; i < NFIXTURES; i++) {
		cr_assert_eq(iffa_load_kind_from_name(&k, fixtures[i].table), 0);
		cr_assert_eq(k, fixtures[i].kind);
		cr_assert_str_eq(iffa_load_kind_name(k), fixtures[i].table);
	}
	cr_assert_eq(iffa_load_kind_from_name(&k, "transfers"), IFFA_ENOTFOUND);
	cr_assert_str_eq(iffa_error_last(), "no record kind 'transfers' (kinds: party, account, "
					    "transfer, ransom, gold_lot, levy, designation, "
					    "fx_rate, affected_zone)");
	cr_assert_null(iffa_load_kind_name(IFFA_LOAD_KIND_COUNT));
}

Test(load_kinds, every_kind_loads_with_the_expected_counts)
{
	fresh("t_load_every_kind");
	for (size_t i = 0; i < NFIXTURES; i++) {
		cr_assert_eq(load_fixture(fixtures[i].kind, fixtures[i].file), 0, "%s: %s",
			     fixtures[i].file, iffa_error_last());
		expect_counts(fixtures[i].rows, fixtures[i].rows, 0, 0);
		cr_assert_eq(res.errors_total, 0);
		cr_assert_gt(res.load_id, 0);
		cr_assert_eq(count_rows(fixtures[i].table), fixtures[i].rows, "%s",
			     fixtures[i].table);
	}
	cr_assert_eq(count_rows("ransom_leg"), 2);
	cr_assert_eq(count_rows("load_batch"), (long long)NFIXTURES);
	cr_assert_eq(count_rows("audit_log"), (long long)NFIXTURES);
	finish();
}

Test(load_kinds, values_arrive_as_written)
{
	fresh("t_load_values");
	for (size_t i = 0; i < NFIXTURES; i++)
		cr_assert_eq(load_fixture(fixtures[i].kind, fixtures[i].file), 0, "%s: %s",
			     fixtures[i].file, iffa_error_last());
	/* Zones normalised to UTC, fractions kept. */
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM transfer WHERE source_ref = "
				       "'OM-77812' AND ts = '2025-02-01 22:30:00+00'"), 1);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM transfer WHERE source_ref = "
				       "'OM-77813' AND ts = '2025-03-01 00:59:59.5+00'"), 1);
	/* Amounts exact; references resolved to the right accounts. */
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM transfer t JOIN account f ON "
				       "f.id = t.from_account JOIN account o ON o.id = t.to_account "
				       "WHERE t.source_ref = 'TX-0002' AND t.amount = 1250000.5 AND "
				       "f.ref = 'ACC-ML-0002' AND o.ref = 'ACC-BF-0001' AND "
				       "t.purpose IS NULL"), 1);
	/* Quoted text with a comma; UTF-8 kept. */
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM transfer WHERE purpose = "
				       "'Achat bétail, Mopti'"), 1);
	/* Aliases: trimmed elements, doubled quotes undone; none -> empty array. */
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM party WHERE ref = 'P-COLL-01' AND "
				       "aliases = ARRAY['Abu Hamza', 'Abou \"le Percepteur\"']"), 1);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM party WHERE ref = 'P-AG-01' AND "
				       "aliases = '{}'"), 1);
	/* account.csv has CRLF line ends and an owner-less cash account. */
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM account WHERE ref = 'ACC-CASH-01' "
				       "AND party_id IS NULL AND source = 'CENTIF-ML field survey'"),
		     1);
	/* Ransom legs in the order the money passed. */
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM (SELECT string_agg(l.role || ':' || "
				       "p.ref, '|' ORDER BY l.seq) AS legs FROM ransom r JOIN "
				       "ransom_leg l ON l.ransom_id = r.id JOIN party p ON p.id = "
				       "l.party_id WHERE r.source_ref = 'RAN-001') x WHERE legs = "
				       "'negotiator:P-PERS-01|courier:P-COLL-01'"), 1);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM gold_lot g JOIN party s ON "
				       "s.id = g.origin_site WHERE s.ref = 'P-MINE-01' AND "
				       "g.grams = 1250.125 AND g.fineness = 0.916"), 1);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM designation d JOIN party p ON "
				       "p.id = d.party_id WHERE d.reference = 'QDe.159' AND "
				       "p.ref = 'P-AG-01'"), 1);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM fx_rate WHERE currency = 'USD' AND "
				       "xof_per_unit = 598.12345678"), 1);
	/* Every record names its batch. */
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM transfer WHERE load_id IS NULL"), 0);
	finish();
}

Test(load_kinds, reloading_adds_nothing)
{
	long long before[NFIXTURES];

	fresh("t_load_reload");
	for (size_t i = 0; i < NFIXTURES; i++) {
		cr_assert_eq(load_fixture(fixtures[i].kind, fixtures[i].file), 0, "%s",
			     iffa_error_last());
		before[i] = count_rows(fixtures[i].table);
	}
	for (size_t i = 0; i < NFIXTURES; i++) {
		cr_assert_eq(load_fixture(fixtures[i].kind, fixtures[i].file), 0, "%s: %s",
			     fixtures[i].file, iffa_error_last());
		expect_counts(fixtures[i].rows, 0, fixtures[i].rows, 0);
		cr_assert_eq(count_rows(fixtures[i].table), before[i], "%s", fixtures[i].table);
	}
	cr_assert_eq(count_rows("ransom_leg"), 2);
	/* The second loads are recorded too, with what they did. */
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM load_batch WHERE rows_loaded = 0 "
				       "AND rows_duplicate = rows_read AND finished_at IS NOT NULL"),
		     (long long)NFIXTURES);
	finish();
}

Test(load_batch, records_digest_user_counts_and_audit)
{
	char cmd[600], digest[65] = "";
	FILE *p;

	fresh("t_load_batch");
	cr_assert_eq(load_fixture(IFFA_LOAD_PARTY, "party.csv"), 0, "%s", iffa_error_last());
	snprintf(cmd, sizeof(cmd), "sha256sum %s/load/party.csv", IFFA_TEST_RESOURCES);
	cr_assert_not_null(p = popen(cmd, "r"));
	cr_assert_eq(fscanf(p, "%64s", digest), 1);
	pclose(p);
	cr_assert_str_eq(res.file_sha256, digest);

	{
		char sql[512];
		snprintf(sql, sizeof(sql),
			 "SELECT count(*) FROM load_batch WHERE id = %lld AND kind = 'party' AND "
			 "file_name = 'party.csv' AND file_sha256 = '%s' AND rows_read = 8 AND "
			 "rows_loaded = 8 AND rows_duplicate = 0 AND rows_rejected = 0 AND "
			 "os_user IS NOT NULL AND finished_at >= started_at",
			 res.load_id, digest);
		cr_assert_eq(testdb_scalar(db, sql), 1);
		snprintf(sql, sizeof(sql),
			 "SELECT count(*) FROM audit_log WHERE command = 'load' AND "
			 "params->>'kind' = 'party' AND params->>'file' = 'party.csv' AND "
			 "rows_affected = 8 AND output_sha256 = '%s' AND "
			 "(detail->>'load_id')::bigint = %lld AND os_user IS NOT NULL",
			 digest, res.load_id);
		cr_assert_eq(testdb_scalar(db, sql), 1);
	}
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM party WHERE load_id IS DISTINCT "
				       "FROM (SELECT max(id) FROM load_batch)"), 0);
	finish();
}

static const char transfer_header[] =
	"source,source_ref,from_account,to_account,amount,currency,ts,channel,purpose,supplier\n";

Test(load_refuse, one_bad_row_refuses_the_whole_file)
{
	char text[1024];
	long long batches;

	fresh("t_load_one_bad_row");
	load_parties_and_accounts();
	batches = count_rows("load_batch");
	snprintf(text, sizeof(text),
		 "%sBAM,T1,ACC-ML-0001,ACC-ML-0002,10,XOF,2025-01-01T00:00Z,bank,,ML\n"
		 "BAM,T2,ACC-ML-0001,ACC-ML-0002,-5,XOF,2025-01-01T00:00Z,bank,,ML\n"
		 "BAM,T3,ACC-ML-0001,ACC-ML-0002,30,XOF,2025-01-01T00:00Z,bank,,ML\n",
		 transfer_header);
	cr_assert_eq(load_text(IFFA_LOAD_TRANSFER, "transfers.csv", text), IFFA_EINVAL);
	expect_counts(3, 0, 0, 1);
	cr_assert_eq(res.errors_total, 1);
	cr_assert_eq(res.errors_count, 1);
	expect_error(0, 3, "amount", "transfers.csv:3: field amount: \"-5\" is not a positive amount");
	cr_assert_str_eq(res.errors[0].reason, "\"-5\" is not a positive amount");
	cr_assert_str_eq(iffa_error_last(), "transfers.csv: 1 bad row; nothing was written "
					    "(transfers.csv:3: field amount: \"-5\" is not a "
					    "positive amount)");
	cr_assert_eq(res.load_id, 0);
	cr_assert_eq(count_rows("transfer"), 0);
	cr_assert_eq(count_rows("load_batch"), batches, "no load_batch row committed");
	/* The refusal itself is in the audit log: who, what file, why. */
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM audit_log WHERE params->>'kind' = "
				       "'transfer'"), 1);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM audit_log WHERE command = 'load' "
				       "AND params->>'file' = 'transfers.csv' AND rows_affected = 0 "
				       "AND output_sha256 ~ '^[0-9a-f]{64}$' AND os_user IS NOT NULL "
				       "AND db_role = current_user AND detail->>'ok' = 'false' AND "
				       "detail->>'rows_rejected' = '1' AND detail->>'error' = "
				       "'transfers.csv: 1 bad row; nothing was written (transfers.csv:3: "
				       "field amount: \"-5\" is not a positive amount)'"), 1);
	/* The connection is usable afterwards: no transaction left open. */
	cr_assert_eq(PQtransactionStatus(iffa_db_conn(db)), PQTRANS_IDLE);
	finish();
}

Test(load_refuse, every_problem_of_a_row_is_reported_in_line_order)
{
	char text[1024];

	fresh("t_load_problems");
	load_parties_and_accounts();
	snprintf(text, sizeof(text),
		 "%sBAM,T1,ACC-ML-0001,ACC-ML-0002,10,xof,2025-01-01T00:00,wire,,ML\n"
		 "BAM,T2,ACC-ML-0001,ACC-ML-0001,10,XOF,2025-01-01T00:00Z,bank,,ML\n"
		 "BAM,T3,ACC-ML-0001,ACC-ML-0002,10,XOF,2025-01-01T00:00Z,bank\n"
		 "BAM,,ACC-ML-0001,ACC-ML-0002,,XOF,2025-01-01T00:00Z,bank,,ML\n",
		 transfer_header);
	cr_assert_eq(load_text(IFFA_LOAD_TRANSFER, "t.csv", text), IFFA_EINVAL);
	expect_counts(4, 0, 0, 4);
	cr_assert_eq(res.errors_total, 7);
	expect_error(0, 2, "currency",
		     "t.csv:2: field currency: \"xof\" is not a currency code: three upper-case "
		     "letters expected");
	expect_error(1, 2, "ts",
		     "t.csv:2: field ts: \"2025-01-01T00:00\" has no time zone: add Z or "
		     "+HH:MM/-HH:MM (a time without zone is ambiguous)");
	expect_error(2, 2, "channel",
		     "t.csv:2: field channel: \"wire\" is not one of: bank, mobile_money, hawala, "
		     "cash, crypto");
	expect_error(3, 3, "to_account",
		     "t.csv:3: field to_account: \"ACC-ML-0001\" is the same account as "
		     "from_account");
	expect_error(4, 4, NULL, "t.csv:4: the line has 8 fields, the header has 10");
	expect_error(5, 5, "source_ref", "t.csv:5: field source_ref: missing (the column is "
					 "required)");
	expect_error(6, 5, "amount", "t.csv:5: field amount: missing (the column is required)");
	finish();
}

Test(load_refuse, unknown_reference_names_the_field)
{
	char text[1024];

	fresh("t_load_unknown_ref");
	load_parties_and_accounts();
	snprintf(text, sizeof(text),
		 "%sBAM,T1,ACC-ML-0001,ACC-NOPE,10,XOF,2025-01-01T00:00Z,bank,,ML\n"
		 "BAM,T2,ACC-GONE,ACC-ML-0002,10,XOF,2025-01-01T00:00Z,bank,,ML\n",
		 transfer_header);
	cr_assert_eq(load_text(IFFA_LOAD_TRANSFER, "transfer.csv", text), IFFA_EINVAL);
	expect_counts(2, 0, 0, 2);
	expect_error(0, 2, "to_account",
		     "transfer.csv:2: field to_account: account \"ACC-NOPE\" does not exist");
	expect_error(1, 3, "from_account",
		     "transfer.csv:3: field from_account: account \"ACC-GONE\" does not exist");
	cr_assert_eq(load_text(IFFA_LOAD_ACCOUNT, "account.csv",
			       "ref,party_ref,kind,country,supplier,source\n"
			       "ACC-X,P-NOBODY,bank,ML,ML,s\n"),
		     IFFA_EINVAL);
	expect_error(0, 2, "party_ref",
		     "account.csv:2: field party_ref: party \"P-NOBODY\" does not exist");
	cr_assert_eq(count_rows("account"), 5);
	finish();
}

Test(load_refuse, key_twice_in_the_file)
{
	char text[1024];

	fresh("t_load_key_twice");
	load_parties_and_accounts();
	snprintf(text, sizeof(text),
		 "%sBAM,T1,ACC-ML-0001,ACC-ML-0002,10,XOF,2025-01-01T00:00Z,bank,,ML\n"
		 "BAM,T2,ACC-ML-0001,ACC-ML-0002,10,XOF,2025-01-01T00:00Z,bank,,ML\n"
		 "BAM,T1,ACC-ML-0001,ACC-ML-0002,10,XOF,2025-01-01T00:00Z,bank,,ML\n"
		 "OTHER,T1,ACC-ML-0001,ACC-ML-0002,10,XOF,2025-01-01T00:00Z,bank,,ML\n",
		 transfer_header);
	cr_assert_eq(load_text(IFFA_LOAD_TRANSFER, "transfer.csv", text), IFFA_EINVAL);
	expect_counts(4, 0, 0, 1);
	expect_error(0, 4, "source_ref",
		     "transfer.csv:4: field source_ref: duplicate of line 2 (same source and "
		     "source_ref)");
	cr_assert_eq(load_text(IFFA_LOAD_PARTY, "party.csv",
			       "ref,kind,name,supplier,source\n"
			       "P-NEW,person,A,ML,s\n"
			       "P-NEW,person,A,ML,s\n"),
		     IFFA_EINVAL);
	expect_error(0, 3, "ref", "party.csv:3: field ref: duplicate of line 2 (same ref)");
	finish();
}

Test(load_refuse, changed_content_is_refused_not_overwritten)
{
	fresh("t_load_changed");
	load_parties_and_accounts();
	cr_assert_eq(load_text(IFFA_LOAD_PARTY, "party.csv",
			       "ref,kind,name,aliases,country,region,supplier,source\n"
			       "P-AG-01,armed_group,Katiba Macina,,ML,Mopti,ML,goAML STR 2026\n"
			       "P-PERS-01,person,Amadou Traore,,ML,Bamako,ML,goAML STR 2026\n"),
		     IFFA_EINVAL);
	expect_counts(2, 0, 0, 1);
	expect_error(0, 3, "name",
		     "party.csv:3: field name: already loaded with different values (load "
		     "batch 1)");
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM party WHERE ref = 'P-PERS-01' AND "
				       "name = 'Amadou Traoré'"), 1);
	/* A changed reference is a change too. */
	cr_assert_eq(load_text(IFFA_LOAD_ACCOUNT, "account.csv",
			       "ref,party_ref,kind,institution,country,supplier,source\n"
			       "ACC-ML-0001,P-PERS-02,bank,Banque Atlantique Mali,ML,ML,BAM core\n"),
		     IFFA_EINVAL);
	expect_error(0, 2, "party_ref",
		     "account.csv:2: field party_ref: already loaded with different values "
		     "(load batch 2)");
	finish();
}

Test(load_refuse, transfer_known_with_another_time_is_a_conflict)
{
	fresh("t_load_ts_conflict");
	load_parties_and_accounts();
	cr_assert_eq(load_fixture(IFFA_LOAD_TRANSFER, "transfer.csv"), 0, "%s", iffa_error_last());
	cr_assert_eq(load_text(IFFA_LOAD_TRANSFER, "transfer.csv",
			       "source,source_ref,from_account,to_account,amount,currency,ts,"
			       "channel,purpose,supplier\n"
			       "BAM core,TX-0001,ACC-ML-0001,ACC-ML-0002,250000,XOF,"
			       "2025-01-15T10:30:00Z,bank,\"Achat bétail, Mopti\",ML\n"),
		     IFFA_EINVAL);
	expect_error(0, 2, "ts",
		     "transfer.csv:2: field ts: already loaded with different values (load batch "
		     "3)");
	/* The same instant written in another zone is the same record. */
	cr_assert_eq(load_text(IFFA_LOAD_TRANSFER, "transfer.csv",
			       "source,source_ref,from_account,to_account,amount,currency,ts,"
			       "channel,purpose,supplier\n"
			       "BAM core,TX-0001,ACC-ML-0001,ACC-ML-0002,250000.0000,XOF,"
			       "2025-01-15T10:30:00+01:00,bank,\"Achat bétail, Mopti\",ML\n"),
		     0, "%s", iffa_error_last());
	expect_counts(1, 0, 1, 0);
	cr_assert_eq(count_rows("transfer"), 4);
	finish();
}

Test(load_refuse, header_must_name_the_columns_of_the_kind)
{
	fresh("t_load_header");
	cr_assert_eq(load_text(IFFA_LOAD_PARTY, "party.csv",
			       "ref,kind,Name,name,supplier,kind\nP1,person,X,X,ML,person\n"),
		     IFFA_EINVAL);
	cr_assert_str_eq(iffa_error_last(),
			 "party.csv:1: unknown column \"Name\"; column \"kind\" named twice; "
			 "missing required column \"source\" (the columns of party are: ref, "
			 "kind, name, aliases, country, region, supplier, source)");
	cr_assert_eq(res.errors_total, 1);
	expect_error(0, 1, NULL, iffa_error_last());
	cr_assert_eq(res.rows_read, 0);
	cr_assert_eq(load_text(IFFA_LOAD_PARTY, "empty.csv", ""), IFFA_EINVAL);
	cr_assert_str_eq(iffa_error_last(), "empty.csv: empty file: no header line");
	cr_assert_eq(count_rows("load_batch"), 0);
	/* Optional columns may be left out, and columns come in any order. */
	cr_assert_eq(load_text(IFFA_LOAD_PARTY, "party.csv",
			       "source,supplier,name,kind,ref\ns,ML,X,person,P1\n"),
		     0, "%s", iffa_error_last());
	expect_counts(1, 1, 0, 0);
	finish();
}

Test(load_refuse, kept_errors_are_capped_but_all_are_counted)
{
	iffa_load_options o = IFFA_LOAD_OPTIONS_INIT;
	const char *path;

	fresh("t_load_cap");
	path = write_tmp("p.csv", "ref,kind,name,supplier,source\n"
				  "A,x,n,ML,s\nB,x,n,ML,s\nC,x,n,ML,s\nD,x,n,ML,s\nE,person,n,ML,s\n");
	o.max_errors = 2;
	cr_assert_eq(iffa_load_file(&res, db, IFFA_LOAD_PARTY, path, &o), IFFA_EINVAL);
	expect_counts(5, 0, 0, 4);
	cr_assert_eq(res.errors_total, 4);
	cr_assert_eq(res.errors_count, 2);
	cr_assert_eq(res.errors[1].line, 3);
	finish();
}

Test(load_refuse, damaged_file_is_refused_even_with_a_reject_file)
{
	const char *path;
	char rej[256];

	fresh("t_load_damaged");
	snprintf(rej, sizeof(rej), "%s", tmp_path("rej.csv"));
	path = write_tmp("p.csv", "ref,kind,name,supplier,source\nP1,person,ok,ML,s\n"
				  "P2,person,\"cut short,ML,s\n");
	cr_assert_eq(load_as(IFFA_LOAD_PARTY, path, "p.csv", rej), IFFA_EINVAL);
	cr_assert_str_eq(iffa_error_last(), "p.csv:3: quoted field never closed before the end "
					    "of the file (truncated file?)");
	cr_assert_eq(access(rej, F_OK), -1, "no reject file is left behind");
	cr_assert_eq(count_rows("party"), 0);
	cr_assert_eq(count_rows("load_batch"), 0);
	finish();
}

Test(load_reject, good_rows_load_and_bad_rows_are_written_with_reasons)
{
	char text[1024], rej[256];
	struct stat st;

	fresh("t_load_reject");
	load_parties_and_accounts();
	snprintf(rej, sizeof(rej), "%s", tmp_path("rejected.csv"));
	snprintf(text, sizeof(text),
		 "%sBAM,T1,ACC-ML-0001,ACC-ML-0002,10,XOF,2025-01-01T00:00Z,bank,,ML\n"
		 "BAM,T2,ACC-ML-0001,ACC-ML-0002,\"1,5\",XOF,2025-01-01T00:00Z,bank,\"a \"\"b\"\"\",ML\n"
		 "BAM,T3,ACC-ML-0001,ACC-NOPE,30,XOF,2025-01-02T00:00Z,bank,\"two\nlines\",ML\n"
		 "BAM,T4,ACC-ML-0001,ACC-ML-0002,40,XOF,2025-02-01T00:00Z,bank,,ML\n"
		 "BAM,T1,ACC-ML-0001,ACC-ML-0002,10,XOF,2025-01-01T00:00Z,bank,,ML\n"
		 "BAM,T5,ACC-ML-0001,ACC-ML-0002,0,XOF,2025-01-01T00:00,bank,,ML\n",
		 transfer_header);
	cr_assert_eq(load_as(IFFA_LOAD_TRANSFER, write_tmp("in.csv", text), "in.csv", rej), 0,
		     "%s", iffa_error_last());
	expect_counts(6, 2, 0, 4);
	cr_assert_eq(res.errors_total, 5);
	cr_assert_gt(res.load_id, 0);
	cr_assert_eq(count_rows("transfer"), 2);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM transfer WHERE source_ref IN "
				       "('T1', 'T4')"), 2);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM load_batch WHERE kind = 'transfer' "
				       "AND rows_read = 6 AND rows_loaded = 2 AND "
				       "rows_rejected = 4"), 1);
	cr_assert_str_eq(read_all(rej),
			 "line,field,reason,source,source_ref,from_account,to_account,amount,"
			 "currency,ts,channel,purpose,supplier\n"
			 "3,amount,\"\"\"1,5\"\" is not an amount: use \"\".\"\" for decimals and "
			 "no thousands separator\",BAM,T2,ACC-ML-0001,ACC-ML-0002,\"1,5\",XOF,"
			 "2025-01-01T00:00Z,bank,\"a \"\"b\"\"\",ML\n"
			 "4,to_account,\"account \"\"ACC-NOPE\"\" does not exist\",BAM,T3,"
			 "ACC-ML-0001,ACC-NOPE,30,XOF,2025-01-02T00:00Z,bank,\"two\nlines\",ML\n"
			 "7,source_ref,duplicate of line 2 (same source and source_ref),BAM,T1,"
			 "ACC-ML-0001,ACC-ML-0002,10,XOF,2025-01-01T00:00Z,bank,,ML\n"
			 "8,amount|ts,\"\"\"0\"\" is not a positive amount; \"\"2025-01-01T00:00\"\" "
			 "has no time zone: add Z or +HH:MM/-HH:MM (a time without zone is "
			 "ambiguous)\",BAM,T5,ACC-ML-0001,ACC-ML-0002,0,XOF,2025-01-01T00:00,bank,,"
			 "ML\n");
	cr_assert_eq(stat(rej, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	/* No temporary file is left next to it. */
	{
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "test $(ls %s | wc -l) -eq 2", tmpdir);
		cr_assert_eq(system(cmd), 0, "only in.csv and rejected.csv remain");
	}
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM audit_log WHERE params->>'reject_file' "
				       "IS NOT NULL AND (detail->>'rows_rejected')::int = 4"), 1);
	/* The reject file is an output: its digest is in the audit row. */
	{
		char cmd[400], digest[65] = "", sql[300];
		FILE *p;
		snprintf(cmd, sizeof(cmd), "sha256sum %s", rej);
		cr_assert_not_null(p = popen(cmd, "r"));
		cr_assert_eq(fscanf(p, "%64s", digest), 1);
		pclose(p);
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit_log WHERE command = 'load' "
					   "AND detail->>'reject_sha256' = '%s'", digest);
		cr_assert_eq(testdb_scalar(db, sql), 1);
	}
	finish();
}

Test(load_reject, reject_file_is_written_even_when_no_row_is_bad)
{
	char rej[256];
	const char *path;

	fresh("t_load_reject_none");
	snprintf(rej, sizeof(rej), "%s", write_tmp("rej.csv", "stale content of an older load\n"));
	path = write_tmp("p.csv", "\xef\xbb\xbf" "ref,kind,name,supplier,source\r\nP1,person,X,ML,s\r\n");
	cr_assert_eq(load_as(IFFA_LOAD_PARTY, path, "p.csv", rej), 0, "%s", iffa_error_last());
	expect_counts(1, 1, 0, 0);
	cr_assert_str_eq(read_all(rej), "line,field,reason,ref,kind,name,supplier,source\n");
	finish();
}

Test(load_kinds, origin_site_must_be_a_mine_site)
{
	fresh("t_load_origin_site");
	load_parties_and_accounts();
	cr_assert_eq(load_text(IFFA_LOAD_GOLD_LOT, "gold_lot.csv",
			       "source,source_ref,origin_site,seller,buyer,grams,fineness,value,"
			       "currency,traded_at,from_country,to_country,supplier\n"
			       "S,G1,P-KAYES-VIL-01,P-COLL-01,P-COMP-01,10,0.9,100,XOF,"
			       "2025-01-01T00:00Z,ML,BF,BF\n"
			       "S,G2,,P-COLL-01,P-COLL-01,10,0.9,100,XOF,2025-01-01T00:00Z,ML,ML,BF\n"),
		     IFFA_EINVAL);
	expect_error(0, 2, "origin_site",
		     "gold_lot.csv:2: field origin_site: party \"P-KAYES-VIL-01\" is a village, "
		     "not a mine_site");
	expect_error(1, 3, "buyer",
		     "gold_lot.csv:3: field buyer: \"P-COLL-01\" is the same party as seller");
	finish();
}

Test(load_kinds, ransom_intermediaries_must_exist_and_count_in_the_comparison)
{
	static const char header[] =
		"source,source_ref,payer,intermediaries,recipient,amount,currency,paid_at,"
		"supplier\n";
	char text[1024], expected[256];
	long long batch;

	fresh("t_load_ransom_legs");
	load_parties_and_accounts();
	snprintf(text, sizeof(text), "%sS,R1,P-PERS-02,negotiator:P-PERS-01|courier:P-GHOST,"
				     "P-AG-01,100,XOF,2025-01-01T00:00Z,ML\n",
		 header);
	cr_assert_eq(load_text(IFFA_LOAD_RANSOM, "ransom.csv", text), IFFA_EINVAL);
	expect_error(0, 2, "intermediaries",
		     "ransom.csv:2: field intermediaries: party \"P-GHOST\" does not exist");
	snprintf(text, sizeof(text), "%sS,R1,P-PERS-02,negotiator:P-PERS-01|courier:P-COLL-01,"
				     "P-AG-01,100,XOF,2025-01-01T00:00Z,ML\n",
		 header);
	cr_assert_eq(load_text(IFFA_LOAD_RANSOM, "ransom.csv", text), 0, "%s", iffa_error_last());
	cr_assert_eq(count_rows("ransom_leg"), 2);
	batch = res.load_id;
	/* The same ransom told with the legs swapped is another story. */
	snprintf(text, sizeof(text), "%sS,R1,P-PERS-02,courier:P-COLL-01|negotiator:P-PERS-01,"
				     "P-AG-01,100,XOF,2025-01-01T00:00Z,ML\n",
		 header);
	cr_assert_eq(load_text(IFFA_LOAD_RANSOM, "ransom.csv", text), IFFA_EINVAL);
	snprintf(expected, sizeof(expected),
		 "ransom.csv:2: field intermediaries: already loaded with different values "
		 "(load batch %lld)",
		 batch);
	expect_error(0, 2, "intermediaries", expected);
	cr_assert_eq(count_rows("ransom_leg"), 2);
	finish();
}

Test(load_kinds, no_rate_for_the_unit_currency)
{
	fresh("t_load_fx_xof");
	cr_assert_eq(load_text(IFFA_LOAD_FX_RATE, "fx_rate.csv",
			       "currency,valid_from,xof_per_unit,source\nXOF,2025-01-01,1,BCEAO\n"),
		     IFFA_EINVAL);
	expect_error(0, 2, "currency",
		     "fx_rate.csv:2: field currency: XOF is the unit of every amount and takes "
		     "no rate");
	finish();
}

Test(load_lock, a_load_waits_for_the_load_in_progress)
{
	char slow_ci[300];
	iffa_db *other;
	PGresult *r;

	fresh("t_load_lock");
	/* Another session holds the loaders' lock, as a load in progress does. */
	other = testdb_connect(ci);
	r = PQexec(iffa_db_conn(other), "BEGIN; SELECT pg_advisory_xact_lock(" IFFA_LOAD__LOCK ")");
	cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s", PQerrorMessage(iffa_db_conn(other)));
	PQclear(r);
	iffa_db_free(db);
	snprintf(slow_ci, sizeof(slow_ci), "%s options='-c lock_timeout=300'", ci);
	db = testdb_connect(slow_ci);
	cr_assert_eq(load_fixture(IFFA_LOAD_PARTY, "party.csv"), IFFA_EDB);
	cr_assert(strstr(iffa_error_last(), "waiting for other loads to finish") != NULL, "%s",
		  iffa_error_last());
	cr_assert(strstr(iffa_error_last(), "55P03") != NULL, "%s", iffa_error_last());
	cr_assert_eq(count_rows("party"), 0);
	/* Once the other load ends, this one goes through. */
	PQclear(PQexec(iffa_db_conn(other), "COMMIT"));
	cr_assert_eq(load_fixture(IFFA_LOAD_PARTY, "party.csv"), 0, "%s", iffa_error_last());
	expect_counts(8, 8, 0, 0);
	iffa_db_free(other);
	finish();
}

Test(load_refuse, a_connection_inside_a_transaction_is_refused)
{
	fresh("t_load_in_tx");
	PQclear(PQexec(iffa_db_conn(db), "BEGIN"));
	cr_assert_eq(load_fixture(IFFA_LOAD_PARTY, "party.csv"), IFFA_ERROR);
	cr_assert_str_eq(iffa_error_last(), "party.csv: the connection is inside a transaction; "
					    "a load must run in its own");
	PQclear(PQexec(iffa_db_conn(db), "ROLLBACK"));
	finish();
}

Test(load_reject, the_input_file_is_never_its_own_reject_file)
{
	static const char text[] = "ref,kind,name,supplier,source\nP1,person,X,XX,s\n";
	const char *path;
	char same[256];

	fresh("t_load_reject_self");
	path = write_tmp("p.csv", text);
	snprintf(same, sizeof(same), "%s/./p.csv", tmpdir);
	cr_assert_eq(load_as(IFFA_LOAD_PARTY, path, "p.csv", same), IFFA_EINVAL);
	cr_assert_str_eq(iffa_error_last(), "p.csv: the reject file cannot be the input file "
					    "itself");
	cr_assert_str_eq(read_all(path), text);
	finish();
}

Test(load_reject, an_unwritable_reject_path_fails_before_loading)
{
	fresh("t_load_reject_nodir");
	cr_assert_eq(load_as(IFFA_LOAD_PARTY, write_tmp("p.csv", "ref,kind,name,supplier,source\n"
								 "P1,person,X,ML,s\n"),
			     "p.csv", "/nonexistent-iffa-dir/rej.csv"),
		     IFFA_EIO);
	cr_assert_str_eq(iffa_error_last(), "/nonexistent-iffa-dir/rej.csv: cannot create a "
					    "temporary file next to it: No such file or directory");
	cr_assert_eq(res.rows_read, 0, "the file was not even read");
	cr_assert_eq(count_rows("party"), 0);
	finish();
}

Test(load_reject, thousands_of_bad_rows_all_reach_the_reject_file)
{
	iffa_load__buf text = {0};
	char rej[256], line[1024];
	FILE *f;
	long long n = 0, expect_line = 3;

	fresh("t_load_reject_many");
	snprintf(rej, sizeof(rej), "%s", tmp_path("rej.csv"));
	cr_assert_eq(iffa_load__buf_puts(&text, "ref,kind,name,supplier,source\n"), 0);
	/* 5,000 rows; every even one has a bad kind: 2,500 rejects, more than
	 * two batches of the cursor that lists them. */
	for (int i = 1; i <= 5000; i++)
		cr_assert_eq(iffa_load__buf_printf(&text, "P-%d,%s,Name %d,ML,s\n", i,
						   i % 2 ? "person" : "persona", i), 0);
	cr_assert_eq(load_as(IFFA_LOAD_PARTY, write_tmp("p.csv", text.ptr), "p.csv", rej), 0,
		     "%s", iffa_error_last());
	iffa_load__buf_dispose(&text);
	expect_counts(5000, 2500, 0, 2500);
	cr_assert_eq(res.errors_total, 2500);
	cr_assert_eq(res.errors_count, 100);
	cr_assert_eq(count_rows("party"), 2500);
	cr_assert_not_null(f = fopen(rej, "r"));
	cr_assert_not_null(fgets(line, sizeof(line), f));
	while (fgets(line, sizeof(line), f)) {
		cr_assert_eq(atoll(line), expect_line, "%s", line);
		expect_line += 2;
		n++;
	}
	fclose(f);
	cr_assert_eq(n, 2500);
	finish();
}
