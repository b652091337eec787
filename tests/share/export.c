/*
 * Pseudonyms and pseudonymised exports: normalisation, known HMAC values,
 * the key file's checks, and exports of the load fixtures that are stable
 * under one key, different under another, free of raw identifiers, and
 * recorded in audit_log without the key.
 */
#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support/csvtable.h"
#include "support/testdb.h"

static char dir[64];

static void mkdir_tmp(void)
{
	snprintf(dir, sizeof(dir), "/tmp/iffa-t-share-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void rm_tmp(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

static const char *at(const char *name)
{
	static char buf[8][256];
	static int i;

	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

static void put(const char *name, const char *content, mode_t mode)
{
	int fd = open(at(name), O_WRONLY | O_CREAT | O_TRUNC, mode);

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	cr_assert_eq(fchmod(fd, mode), 0);
	close(fd);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	cr_assert_not_null(f, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* 32 bytes: the shortest key accepted. */
#define KEY1 "0123456789abcdef0123456789abcdef"
#define KEY2 "fedcba9876543210fedcba9876543210"

static iffa_share_key *load_key(const char *name, const char *content)
{
	iffa_share_key *k = NULL;

	put(name, content, 0600);
	cr_assert_eq(iffa_share_key_load(&k, at(name)), 0, "%s", iffa_error_last());
	return k;
}

Test(share_pseudonym, normalisation_gives_one_pseudonym_per_identifier)
{
	char n[64], a[65], b[65], c[65];
	iffa_share_key *k;

	mkdir_tmp();
	cr_assert_eq(iffa_share_normalise(n, sizeof(n), " fr76 3000 6000 0112\t3456 7890 189\r\n"),
		     0);
	cr_assert_str_eq(n, "FR7630006000011234567890189");
	cr_assert_eq(iffa_share_normalise(n, sizeof(n), "+223 70-00 éa"), 0);
	cr_assert_str_eq(n, "+22370-00éA"); /* punctuation and non-ASCII kept */
	cr_assert_eq(iffa_share_normalise(n, sizeof(n), " \t "), IFFA_EINVAL);
	cr_assert_eq(iffa_share_normalise(n, 4, "abcd"), IFFA_EINVAL);

	k = load_key("k", KEY1 "\n");
	/* HMAC-SHA256(KEY1, "account:FR7630006000011234567890189"), worked out
	 * with Python's hmac module; likewise the key check value. */
	cr_assert_eq(iffa_share_pseudonym(a, k, IFFA_SHARE_ACCOUNT,
					  "fr76 3000 6000 0112 3456 7890 189"),
		     0);
	cr_assert_str_eq(a, "c5813879d161f7c9730071821adcd03442e4a7b9920c5a6de327ae4f293976ac");
	cr_assert_eq(iffa_share_pseudonym(b, k, IFFA_SHARE_ACCOUNT, " FR7630006000011234567890189 "),
		     0);
	cr_assert_str_eq(a, b);
	cr_assert_eq(iffa_share_pseudonym(c, k, IFFA_SHARE_PARTY, "FR7630006000011234567890189"), 0);
	cr_assert_str_eq(c, "4c1b6a50f1b28b30931493a4856d05438d794332605973dded45f6fa57d26891");
	cr_assert_str_eq(iffa_share_key_id(k), "7af878edaaaf67e3");
	cr_assert_eq(iffa_share_pseudonym(c, k, IFFA_SHARE_ACCOUNT, "  "), IFFA_EINVAL);
	iffa_share_key_free(k);

	/* The trailing line ending is not part of the key. */
	k = load_key("k2", KEY1 "\r\n");
	cr_assert_str_eq(iffa_share_key_id(k), "7af878edaaaf67e3");
	iffa_share_key_free(k);
	k = load_key("k3", KEY2);
	cr_assert_eq(iffa_share_pseudonym(b, k, IFFA_SHARE_ACCOUNT, "FR7630006000011234567890189"),
		     0);
	cr_assert_str_neq(a, b);
	cr_assert_str_neq(iffa_share_key_id(k), "7af878edaaaf67e3");
	iffa_share_key_free(k);
	rm_tmp();
}

Test(share_key, a_key_file_everyone_can_read_or_a_short_key_is_refused)
{
	iffa_share_key *k = NULL;

	mkdir_tmp();
	put("open", KEY1, 0644);
	cr_assert_eq(iffa_share_key_load(&k, at("open")), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "lets everyone open it") != NULL, "%s",
		  iffa_error_last());
	cr_assert_null(k);
	put("writable", KEY1, 0602);
	cr_assert_eq(iffa_share_key_load(&k, at("writable")), IFFA_EINVAL);
	/* The group (an FIU's team) may read it. */
	put("group", KEY1, 0640);
	cr_assert_eq(iffa_share_key_load(&k, at("group")), 0, "%s", iffa_error_last());
	iffa_share_key_free(k);
	put("short", "0123456789abcdef0123456789abcde\n", 0600);
	cr_assert_eq(iffa_share_key_load(&k, at("short")), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "31 bytes; at least 32") != NULL, "%s",
		  iffa_error_last());
	cr_assert_eq(iffa_share_key_load(&k, at("absent")), IFFA_EIO);
	cr_assert_eq(iffa_share_key_load(&k, dir), IFFA_EINVAL); /* a directory */
	rm_tmp();
}

static char ci[128];

static void load(iffa_db *db, iffa_load_kind kind, const char *file)
{
	iffa_load_options o = IFFA_LOAD_OPTIONS_INIT;
	iffa_load_result r;

	iffa_load_result_init(&r);
	cr_assert_eq(iffa_load_file(&r, db, kind, testdb_resource(file), &o), 0, "%s: %s", file,
		     r.errors_count ? r.errors[0].message : iffa_error_last());
	iffa_load_result_dispose(&r);
}

static iffa_db *fixtures(const char *name)
{
	iffa_db *db;

	testdb_fresh(ci, sizeof(ci), name, 1);
	db = testdb_connect(ci);
	load(db, IFFA_LOAD_PARTY, "load/party.csv");
	load(db, IFFA_LOAD_ACCOUNT, "load/account.csv");
	load(db, IFFA_LOAD_FX_RATE, "load/fx_rate.csv");
	load(db, IFFA_LOAD_TRANSFER, "load/transfer.csv");
	load(db, IFFA_LOAD_RANSOM, "load/ransom.csv");
	load(db, IFFA_LOAD_GOLD_LOT, "load/gold_lot.csv");
	load(db, IFFA_LOAD_LEVY, "load/levy.csv");
	return db;
}

static void export(iffa_share_export_result *r, iffa_db *db, const char *out, const char *key,
		   const char *from, const char *to)
{
	iffa_share_export_options o = IFFA_SHARE_EXPORT_OPTIONS_INIT;

	o.key_file = at(key);
	o.from = from;
	o.to = to;
	cr_assert_eq(iffa_share_export(r, db, at(out), &o), 0, "%s", iffa_error_last());
}

/* Row of `t` whose column `col` is `v`, or -1. */
static long find_row(const csvtable *t, const char *col, const char *v)
{
	size_t c = csvtable_col(t, col);

	for (size_t i = 0; i < t->nrows; i++)
		if (strcmp(csvtable_get(t, i, c), v) == 0)
			return (long)i;
	return -1;
}

Test(share_export, pseudonyms_are_stable_under_one_key_and_differ_under_another)
{
	iffa_share_export_result r1, r2, r3;
	iffa_share_key *k;
	csvtable t1, t3;
	char acc1[65], acc2[65], coll[65], *a, *b, *c;
	const char *raw[] = {"ACC-ML-0001", "ACC-ML-0002", "ACC-BF-0001", "ACC-SN-0001",
			     "ACC-CASH-01", "P-COLL-01",   "P-AG-01",     "P-PERS-01",
			     "Abou Hamza",  "Katiba"};
	struct stat st;
	iffa_db *db;
	long row;

	mkdir_tmp();
	db = fixtures("t_share_export");
	put("k1", KEY1 "\n", 0600);
	put("k2", KEY2 "\n", 0600);
	export(&r1, db, "one.csv", "k1", NULL, NULL);
	export(&r2, db, "two.csv", "k1", NULL, NULL);
	export(&r3, db, "three.csv", "k2", NULL, NULL);

	/* Same data, same key: the same bytes. Another key: nothing in common. */
	a = slurp(at("one.csv"));
	b = slurp(at("two.csv"));
	c = slurp(at("three.csv"));
	cr_assert_str_eq(a, b);
	cr_assert_str_eq(r1.file_sha256, r2.file_sha256);
	cr_assert_str_eq(r1.key_id, "7af878edaaaf67e3");
	cr_assert_str_neq(r3.key_id, r1.key_id);

	/* 4 transfers, 3 + 1 ransom hops, 2 gold lots, 3 levies. */
	cr_assert_eq(r1.rows, 13);
	cr_assert_eq(r1.flows, 13);
	{
		static const char header[] = "key_id,kind,from_type,from_id,from_country,to_type,"
					     "to_id,to_country,month,channel,count,amount_xof\n";
		cr_assert(strncmp(a, header, sizeof(header) - 1) == 0, "%s", a);
	}
	for (size_t i = 0; i < sizeof(raw) / sizeof(raw[0]); i++) {
		cr_assert_null(strstr(a, raw[i]), "%s appears in the export", raw[i]);
		cr_assert_null(strstr(c, raw[i]), "%s appears in the export", raw[i]);
	}

	csvtable_read(&t1, dir, "one.csv");
	csvtable_read(&t3, dir, "three.csv");
	for (size_t i = 0; i < t1.nrows; i++) {
		const char *from = csvtable_get(&t1, i, csvtable_col(&t1, "from_id"));
		const char *to = csvtable_get(&t1, i, csvtable_col(&t1, "to_id"));
		cr_assert_null(strstr(c, from));
		cr_assert_null(strstr(c, to));
	}

	/* TX-0001: ACC-ML-0001 -> ACC-ML-0002, 250000 XOF, bank, 2025-01. */
	k = load_key("k1", KEY1 "\n");
	cr_assert_eq(iffa_share_pseudonym(acc1, k, IFFA_SHARE_ACCOUNT, "ACC-ML-0001"), 0);
	cr_assert_eq(iffa_share_pseudonym(acc2, k, IFFA_SHARE_ACCOUNT, " acc-ml-0002 "), 0);
	cr_assert_eq(iffa_share_pseudonym(coll, k, IFFA_SHARE_PARTY, "P-COLL-01"), 0);
	iffa_share_key_free(k);
	row = find_row(&t1, "from_id", acc1);
	cr_assert_geq(row, 0);
	cr_assert_str_eq(csvtable_get(&t1, (size_t)row, csvtable_col(&t1, "to_id")), acc2);
	cr_assert_str_eq(csvtable_get(&t1, (size_t)row, csvtable_col(&t1, "amount_xof")), "250000");
	cr_assert_str_eq(csvtable_get(&t1, (size_t)row, csvtable_col(&t1, "month")), "2025-01");
	cr_assert_str_eq(csvtable_get(&t1, (size_t)row, csvtable_col(&t1, "channel")), "bank");
	cr_assert_str_eq(csvtable_get(&t1, (size_t)row, csvtable_col(&t1, "from_country")), "ML");
	/* The EUR transfer: 500.1234 EUR x 655.957 = 328059.40 XOF, to the franc. */
	cr_assert_geq(find_row(&t1, "amount_xof", "328059"), 0);
	/* The collector receives three levies and carries one ransom hop. */
	{
		size_t to = csvtable_col(&t1, "to_id"), from = csvtable_col(&t1, "from_id"),
		       kind = csvtable_col(&t1, "kind");
		int levies = 0, hops = 0;
		for (size_t i = 0; i < t1.nrows; i++) {
			levies += strcmp(csvtable_get(&t1, i, to), coll) == 0 &&
				  strcmp(csvtable_get(&t1, i, kind), "levy") == 0;
			hops += strcmp(csvtable_get(&t1, i, from), coll) == 0 &&
				strcmp(csvtable_get(&t1, i, kind), "ransom") == 0;
		}
		cr_assert_eq(levies, 3);
		cr_assert_eq(hops, 1);
	}

	cr_assert_eq(stat(at("one.csv"), &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	csvtable_free(&t1);
	csvtable_free(&t3);
	free(a);
	free(b);
	free(c);
	iffa_db_free(db);
	rm_tmp();
}

Test(share_export, the_window_picks_months_and_the_record_keeps_no_key)
{
	iffa_share_export_result r;
	iffa_share_export_options o = IFFA_SHARE_EXPORT_OPTIONS_INIT;
	csvtable t;
	char sql[512];
	iffa_db *db;

	mkdir_tmp();
	db = fixtures("t_share_window");
	put("k1", KEY1 "\n", 0600);
	export(&r, db, "jan.csv", "k1", "2025-01-01", "2025-02-01");
	csvtable_read(&t, dir, "jan.csv");
	/* January 2025: TX-0001, TX-0002, GL-001, GL-002, RAN-002. */
	cr_assert_eq(t.nrows, 5);
	for (size_t i = 0; i < t.nrows; i++)
		cr_assert_str_eq(csvtable_get(&t, i, csvtable_col(&t, "month")), "2025-01");
	csvtable_free(&t);

	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM audit_log WHERE command = 'share export' "
		 "AND output_sha256 = '%s' AND rows_affected = 5 AND params->>'from' = '2025-01-01' "
		 "AND params->>'key_file' = '%s' AND detail->>'key_id' = '%s'",
		 r.file_sha256, at("k1"), r.key_id);
	cr_assert_eq(testdb_scalar(db, sql), 1);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM audit_log WHERE "
				       "concat(params::text, detail::text) LIKE '%0123456789abcdef%'"),
		     0);

	/* Bad dates and an empty window are refused before anything is read. */
	o.key_file = at("k1");
	o.from = "2025-02-30";
	cr_assert_eq(iffa_share_export(&r, db, at("bad.csv"), &o), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "'2025-02-30' is not a date") != NULL, "%s",
		  iffa_error_last());
	o.from = "2025-03-01";
	o.to = "2025-03-01";
	cr_assert_eq(iffa_share_export(&r, db, at("bad.csv"), &o), IFFA_EINVAL);
	cr_assert_neq(access(at("bad.csv"), F_OK), 0);
	/* A key everyone may read is refused, and the refusal recorded. */
	put("open", KEY1, 0644);
	o.from = o.to = NULL;
	o.key_file = at("open");
	cr_assert_eq(iffa_share_export(&r, db, at("bad.csv"), &o), IFFA_EINVAL);
	cr_assert_neq(access(at("bad.csv"), F_OK), 0);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM audit_log WHERE command = "
				       "'share export' AND NOT (detail->>'ok')::boolean"),
		     3);
	iffa_db_free(db);
	rm_tmp();
}

Test(share_export, a_flow_without_a_rate_refuses_the_export)
{
	iffa_share_export_result r;
	iffa_share_export_options o = IFFA_SHARE_EXPORT_OPTIONS_INIT;
	PGresult *res;
	iffa_db *db;
	long long id;
	char want[128];

	mkdir_tmp();
	db = fixtures("t_share_norate");
	res = PQexec(iffa_db_conn(db),
		     "INSERT INTO levy (payer, collector, levy_kind, amount, currency, levied_at, "
		     "supplier, source, source_ref) SELECT p.id, c.id, 'other', 1000, 'GNF', "
		     "'2025-03-02T10:00:00Z', 'ML', 'test', 'LV-GNF' FROM party p, party c "
		     "WHERE p.ref = 'P-PERS-01' AND c.ref = 'P-COLL-01' RETURNING id");
	cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQerrorMessage(iffa_db_conn(db)));
	id = atoll(PQgetvalue(res, 0, 0));
	PQclear(res);
	put("k1", KEY1, 0600);
	put("out.csv", "old\n", 0644);
	o.key_file = at("k1");
	cr_assert_eq(iffa_share_export(&r, db, at("out.csv"), &o), IFFA_EINVAL);
	snprintf(want, sizeof(want), "levy %lld: no fx_rate for GNF on or before 2025-03-02", id);
	cr_assert(strstr(iffa_error_last(), want) != NULL, "%s", iffa_error_last());
	/* The old file is untouched; the connection is usable again. */
	{
		char *old = slurp(at("out.csv"));
		cr_assert_str_eq(old, "old\n");
		free(old);
	}
	cr_assert_eq(PQtransactionStatus(iffa_db_conn(db)), PQTRANS_IDLE);
	/* Outside the window the levy does not matter. */
	o.to = "2025-03-01";
	cr_assert_eq(iffa_share_export(&r, db, at("out.csv"), &o), 0, "%s", iffa_error_last());
	iffa_db_free(db);
	rm_tmp();
}
