/*
 * Bad input for every record kind, as one table: each case is a file of
 * the kind's header, one good row (line 2) and one bad row (line 3). The
 * load must fail with the exact error (line, field, reason), write nothing
 * of the file (the kind's table, ransom legs and load batches keep their
 * row counts), and leave one audit row saying who refused what and why.
 */
#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "load/load.h"
#include "support/testdb.h"

/* A good row of each kind, fields without quotes or commas inside. */
typedef struct {
	const char *file;
	const char *header;
	const char *row;
} kind_row;

static const kind_row kinds[IFFA_LOAD_KIND_COUNT] = {
	[IFFA_LOAD_PARTY] = {"party.csv", "ref,kind,name,aliases,country,region,supplier,source",
			     "P-NEW-01,person,Awa Diallo,Awa D.,ML,Kayes,ML,goAML STR"},
	[IFFA_LOAD_ACCOUNT] = {"account.csv",
			       "ref,party_ref,kind,institution,country,supplier,source",
			       "ACC-NEW-01,P-PERS-01,bank,Banque Atlantique,ML,ML,BAM core"},
	[IFFA_LOAD_TRANSFER] = {"transfer.csv",
				"source,source_ref,from_account,to_account,amount,currency,ts,"
				"channel,purpose,supplier",
				"BAM core,TX-9,ACC-ML-0001,ACC-ML-0002,1000,XOF,"
				"2025-01-15T09:30:00Z,bank,Achat,ML"},
	[IFFA_LOAD_RANSOM] = {"ransom.csv",
			      "source,source_ref,incident_place,incident_country,incident_date,"
			      "payer,intermediaries,recipient,amount,currency,paid_at,supplier",
			      "goAML,RAN-9,Menaka,ML,2024-11-02,P-PERS-02,negotiator:P-PERS-01,"
			      "P-AG-01,5000,XOF,2024-12-10T18:00:00Z,ML"},
	[IFFA_LOAD_GOLD_LOT] = {"gold_lot.csv",
				"source,source_ref,origin_site,seller,buyer,grams,fineness,value,"
				"currency,traded_at,from_country,to_country,supplier",
				"CENTIF,GL-9,P-MINE-01,P-COLL-01,P-COMP-01,10.5,0.9,45000,XOF,"
				"2025-01-10T10:00:00Z,ML,BF,BF"},
	[IFFA_LOAD_LEVY] = {"levy.csv",
			    "source,source_ref,payer,collector,levy_kind,amount,currency,levied_at,"
			    "place,country,supplier",
			    "survey,LV-9,P-KAYES-VIL-01,P-COLL-01,zakat,1500,XOF,"
			    "2024-10-01T12:00:00Z,Sadiola,ML,ML"},
	[IFFA_LOAD_DESIGNATION] = {"designation.csv",
				   "list_name,reference,entry_kind,name,aliases,listed_on,party_ref,"
				   "source",
				   "UN,QDi.999,individual,Abou Test,,2020-06-01,P-COLL-01,UN list"},
	[IFFA_LOAD_FX_RATE] = {"fx_rate.csv", "currency,valid_from,xof_per_unit,source",
			       "EUR,2025-06-01,655.957,BCEAO"},
	[IFFA_LOAD_AFFECTED_ZONE] = {"affected_zone.csv", "country,region,since,note",
				     "ML,Gao,2016-01-01,Ansongo"},
};

typedef enum {
	SET,  /* line 3 is the good row with `column` set to `value` */
	DUP,  /* line 3 repeats line 2 */
	CUT,  /* line 3 is the good row less its last byte, and no line end */
	HALF, /* line 3 is the first half of the good row, and no line end */
} shape;

/* "\x01" in a value stands for a NUL byte; these stand for long values. */
#define TEXT_1001 "\x02"
#define REF_201 "\x03"
#define RECORD_70K "\x04"

typedef struct {
	iffa_load_kind kind;
	shape how;
	const char *column;
	const char *value;
	const char *field;  /* expected field; NULL for the file or the line */
	const char *reason; /* expected reason (the message less "file:3: field F: ") */
} bad_case;

/* Reasons used many times. */
#define NUL_BYTE "NUL byte (the file is binary or UTF-16, not UTF-8 text)"
#define BAD_UTF8(col, byte)                                                                   \
	"field " col ": invalid UTF-8 (byte " byte "); if the file is in Windows-1252 or "    \
	"Latin-1, convert it: iconv -f WINDOWS-1252 -t UTF-8"
#define TOO_LONG "text longer than 1000 bytes (1001 bytes)"
#define REF_TOO_LONG                                                                          \
	"\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...\" is not a "      \
	"reference: longer than 200 bytes"
#define RECORD_TOO_LONG "record longer than 65536 bytes (a quote opened and never closed?)"
#define TRUNCATED                                                                             \
	"no line end after the last line: the file may be truncated (a complete file ends "   \
	"with a line feed)"
#define DUPLICATE_OF_2(what) "duplicate of line 2 (same " what ")"
#define BEFORE_1900(v) "\"" v "\" is before 1900"
#define FUTURE(v) "\"" v "\" is more than a day in the future"

/* Encoding, size, duplicates and truncation: every kind. */
#define EVERY_KIND(k, text, keyfield, keywhat)                                                \
	{k, SET, text, TEXT_1001, text, TOO_LONG},                                            \
	{k, SET, text, RECORD_70K, NULL, RECORD_TOO_LONG},                                    \
	{k, SET, text, "Ab\x01" "c", NULL, NUL_BYTE},                                         \
	{k, SET, text, "Ab\xC3\x28", NULL, BAD_UTF8(text, "0xC3")},                           \
	{k, SET, text, "K\xE9ni\xE9" "ba", NULL, BAD_UTF8(text, "0xE9")},                     \
	{k, SET, text, "\xEF\xBF", NULL, BAD_UTF8(text, "0xEF")},                             \
	{k, SET, text, "\xED\xA0\x80", NULL, BAD_UTF8(text, "0xED")},                         \
	{k, DUP, NULL, NULL, keyfield, DUPLICATE_OF_2(keywhat)},                              \
	{k, CUT, NULL, NULL, NULL, TRUNCATED},                                                \
	{k, HALF, NULL, NULL, NULL, TRUNCATED}

/* An amount-like column: NaN, infinite, negative, zero, absurdly large. */
#define DECIMALS(k, col, noun, positive, limit)                                               \
	{k, SET, col, "NaN", col, "\"NaN\" is not " noun},                                    \
	{k, SET, col, "Infinity", col, "\"Infinity\" is not " noun},                          \
	{k, SET, col, "inf", col, "\"inf\" is not " noun},                                    \
	{k, SET, col, "-5", col, "\"-5\" is not " positive},                                  \
	{k, SET, col, "-0.5", col, "\"-0.5\" is not " positive},                              \
	{k, SET, col, "0", col, "\"0\" is not " positive},                                    \
	{k, SET, col, "1e400", col, "\"1e400\" is not " noun ": exponents are not accepted"}, \
	{k, SET, col, limit, col, "\"" limit "\" is not " noun ": must be below 10^"         \
				   "15"}

#define COUNTRY(k, col)                                                                       \
	{k, SET, col, "ZZ", col, "\"ZZ\" is not in the country table"},                       \
	{k, SET, col, "ml", col, "\"ml\" is not a country code: two upper-case letters "      \
				 "expected"}

#define CURRENCY(k)                                                                           \
	{k, SET, "currency", "ZZZ", "currency", "\"ZZZ\" is not in the currency table"},      \
	{k, SET, "currency", "CFA", "currency", "\"CFA\" is not in the currency table"}

#define TIMESTAMP(k, col)                                                                     \
	{k, SET, col, "1899-12-31T23:59:59Z", col, BEFORE_1900("1899-12-31T23:59:59Z")},      \
	{k, SET, col, "1900-01-01T00:30+01:00", col, BEFORE_1900("1900-01-01T00:30+01:00")},  \
	{k, SET, col, "2999-01-01T00:00Z", col, FUTURE("2999-01-01T00:00Z")}

#define DATE(k, col)                                                                          \
	{k, SET, col, "1899-12-31", col, BEFORE_1900("1899-12-31")},                          \
	{k, SET, col, "2999-01-01", col, FUTURE("2999-01-01")}

static const bad_case cases[] = {
	EVERY_KIND(IFFA_LOAD_PARTY, "name", "ref", "ref"),
	{IFFA_LOAD_PARTY, SET, "ref", REF_201, "ref", REF_TOO_LONG},
	COUNTRY(IFFA_LOAD_PARTY, "country"),
	COUNTRY(IFFA_LOAD_PARTY, "supplier"),

	EVERY_KIND(IFFA_LOAD_ACCOUNT, "institution", "ref", "ref"),
	{IFFA_LOAD_ACCOUNT, SET, "ref", REF_201, "ref", REF_TOO_LONG},
	COUNTRY(IFFA_LOAD_ACCOUNT, "country"),
	COUNTRY(IFFA_LOAD_ACCOUNT, "supplier"),

	EVERY_KIND(IFFA_LOAD_TRANSFER, "purpose", "source_ref", "source and source_ref"),
	{IFFA_LOAD_TRANSFER, SET, "source_ref", REF_201, "source_ref", REF_TOO_LONG},
	DECIMALS(IFFA_LOAD_TRANSFER, "amount", "an amount", "a positive amount",
		 "1000000000000000"),
	CURRENCY(IFFA_LOAD_TRANSFER),
	COUNTRY(IFFA_LOAD_TRANSFER, "supplier"),
	TIMESTAMP(IFFA_LOAD_TRANSFER, "ts"),
	{IFFA_LOAD_TRANSFER, SET, "to_account", "ACC-ML-0001", "to_account",
	 "\"ACC-ML-0001\" is the same account as from_account"},

	EVERY_KIND(IFFA_LOAD_RANSOM, "incident_place", "source_ref", "source and source_ref"),
	{IFFA_LOAD_RANSOM, SET, "source_ref", REF_201, "source_ref", REF_TOO_LONG},
	DECIMALS(IFFA_LOAD_RANSOM, "amount", "an amount", "a positive amount",
		 "1000000000000000"),
	CURRENCY(IFFA_LOAD_RANSOM),
	COUNTRY(IFFA_LOAD_RANSOM, "incident_country"),
	COUNTRY(IFFA_LOAD_RANSOM, "supplier"),
	TIMESTAMP(IFFA_LOAD_RANSOM, "paid_at"),
	DATE(IFFA_LOAD_RANSOM, "incident_date"),
	{IFFA_LOAD_RANSOM, SET, "recipient", "P-PERS-02", "recipient",
	 "\"P-PERS-02\" is the same party as payer"},

	EVERY_KIND(IFFA_LOAD_GOLD_LOT, "source", "source_ref", "source and source_ref"),
	{IFFA_LOAD_GOLD_LOT, SET, "source_ref", REF_201, "source_ref", REF_TOO_LONG},
	DECIMALS(IFFA_LOAD_GOLD_LOT, "value", "an amount", "a positive amount",
		 "1000000000000000"),
	{IFFA_LOAD_GOLD_LOT, SET, "grams", "NaN", "grams", "\"NaN\" is not a weight in grams"},
	{IFFA_LOAD_GOLD_LOT, SET, "grams", "-1", "grams", "\"-1\" is not a positive weight in grams"},
	{IFFA_LOAD_GOLD_LOT, SET, "grams", "1000000000", "grams",
	 "\"1000000000\" is not a weight in grams: must be below 10^9"},
	{IFFA_LOAD_GOLD_LOT, SET, "fineness", "Infinity", "fineness",
	 "\"Infinity\" is not a fineness"},
	{IFFA_LOAD_GOLD_LOT, SET, "fineness", "1.0001", "fineness",
	 "\"1.0001\" is not a fineness: must be at most 1"},
	{IFFA_LOAD_GOLD_LOT, SET, "fineness", "-0.9", "fineness", "\"-0.9\" is not a positive fineness"},
	CURRENCY(IFFA_LOAD_GOLD_LOT),
	COUNTRY(IFFA_LOAD_GOLD_LOT, "from_country"),
	COUNTRY(IFFA_LOAD_GOLD_LOT, "to_country"),
	COUNTRY(IFFA_LOAD_GOLD_LOT, "supplier"),
	TIMESTAMP(IFFA_LOAD_GOLD_LOT, "traded_at"),
	{IFFA_LOAD_GOLD_LOT, SET, "buyer", "P-COLL-01", "buyer",
	 "\"P-COLL-01\" is the same party as seller"},

	EVERY_KIND(IFFA_LOAD_LEVY, "place", "source_ref", "source and source_ref"),
	{IFFA_LOAD_LEVY, SET, "source_ref", REF_201, "source_ref", REF_TOO_LONG},
	DECIMALS(IFFA_LOAD_LEVY, "amount", "an amount", "a positive amount", "1000000000000000"),
	CURRENCY(IFFA_LOAD_LEVY),
	COUNTRY(IFFA_LOAD_LEVY, "country"),
	COUNTRY(IFFA_LOAD_LEVY, "supplier"),
	TIMESTAMP(IFFA_LOAD_LEVY, "levied_at"),
	{IFFA_LOAD_LEVY, SET, "collector", "P-KAYES-VIL-01", "collector",
	 "\"P-KAYES-VIL-01\" is the same party as payer"},

	EVERY_KIND(IFFA_LOAD_DESIGNATION, "name", "reference", "list_name and reference"),
	{IFFA_LOAD_DESIGNATION, SET, "reference", REF_201, "reference", REF_TOO_LONG},
	DATE(IFFA_LOAD_DESIGNATION, "listed_on"),

	EVERY_KIND(IFFA_LOAD_FX_RATE, "source", "valid_from", "currency and valid_from"),
	{IFFA_LOAD_FX_RATE, SET, "xof_per_unit", "NaN", "xof_per_unit", "\"NaN\" is not a rate"},
	{IFFA_LOAD_FX_RATE, SET, "xof_per_unit", "-Infinity", "xof_per_unit",
	 "\"-Infinity\" is not a positive rate"},
	{IFFA_LOAD_FX_RATE, SET, "xof_per_unit", "0.00000000", "xof_per_unit",
	 "\"0.00000000\" is not a positive rate"},
	{IFFA_LOAD_FX_RATE, SET, "xof_per_unit", "1000000000000", "xof_per_unit",
	 "\"1000000000000\" is not a rate: must be below 10^12"},
	CURRENCY(IFFA_LOAD_FX_RATE),
	DATE(IFFA_LOAD_FX_RATE, "valid_from"),

	EVERY_KIND(IFFA_LOAD_AFFECTED_ZONE, "note", "region", "country and region"),
	COUNTRY(IFFA_LOAD_AFFECTED_ZONE, "country"),
	DATE(IFFA_LOAD_AFFECTED_ZONE, "since"),
};

static const char *const tables[] = {"party", "account", "transfer", "ransom", "ransom_leg",
				     "gold_lot", "levy", "designation", "fx_rate",
				     "affected_zone", "load_batch"};
#define NTABLES (sizeof(tables) / sizeof(tables[0]))

static iffa_load__buf text_1001, ref_201, record_70k;

static void make_long_values(void)
{
	for (int i = 0; i < 1001; i++)
		cr_assert_eq(iffa_load__buf_put(&text_1001, "x", 1), 0);
	for (int i = 0; i < 201; i++)
		cr_assert_eq(iffa_load__buf_put(&ref_201, "x", 1), 0);
	for (int i = 0; i < 70000; i++)
		cr_assert_eq(iffa_load__buf_put(&record_70k, "y", 1), 0);
}

/* Append a value, expanding the stand-ins. */
static void put_value(iffa_load__buf *b, const char *v)
{
	if (strcmp(v, TEXT_1001) == 0)
		cr_assert_eq(iffa_load__buf_put(b, text_1001.ptr, text_1001.len), 0);
	else if (strcmp(v, REF_201) == 0)
		cr_assert_eq(iffa_load__buf_put(b, ref_201.ptr, ref_201.len), 0);
	else if (strcmp(v, RECORD_70K) == 0)
		cr_assert_eq(iffa_load__buf_put(b, record_70k.ptr, record_70k.len), 0);
	else
		for (; *v; v++)
			cr_assert_eq(iffa_load__buf_put(b, *v == '\x01' ? "\0" : v, 1), 0);
}

/* The file of a case, into b (it may hold NUL bytes: use b->len). */
static void build_file(iffa_load__buf *b, const bad_case *c)
{
	const kind_row *k = &kinds[c->kind];
	size_t row_len = strlen(k->row);

	iffa_load__buf_clear(b);
	cr_assert_eq(iffa_load__buf_printf(b, "%s\n%s\n", k->header, k->row), 0);
	if (c->how == DUP) {
		cr_assert_eq(iffa_load__buf_printf(b, "%s\n", k->row), 0);
	} else if (c->how == CUT) {
		cr_assert_eq(iffa_load__buf_put(b, k->row, row_len - 1), 0);
	} else if (c->how == HALF) {
		cr_assert_eq(iffa_load__buf_put(b, k->row, row_len / 2), 0);
	} else {
		/* Replace the field under `column` (the header's order). */
		const char *h = k->header, *r = k->row;
		size_t col = 0, hit = (size_t)-1, want = strlen(c->column);

		for (const char *p = h;; p++) {
			const char *e = strchr(p, ',');
			size_t n = e ? (size_t)(e - p) : strlen(p);
			if (n == want && memcmp(p, c->column, n) == 0)
				hit = col;
			if (!e)
				break;
			p = e;
			col++;
		}
		cr_assert_neq(hit, (size_t)-1, "no column %s in %s", c->column, k->file);
		for (col = 0;; col++) {
			const char *e = strchr(r, ',');
			size_t n = e ? (size_t)(e - r) : strlen(r);
			if (col)
				cr_assert_eq(iffa_load__buf_put(b, ",", 1), 0);
			if (col == hit)
				put_value(b, c->value);
			else
				cr_assert_eq(iffa_load__buf_put(b, r, n), 0);
			if (!e)
				break;
			r = e + 1;
		}
		cr_assert_eq(iffa_load__buf_put(b, "\n", 1), 0);
	}
}

Test(load_hostile, every_bad_input_names_line_and_field_and_writes_nothing)
{
	char ci[256], dir[64], path[128], expect[1024], sql[512], digest[65];
	long long before[NTABLES], audits;
	iffa_load__buf file = {0};
	iffa_load_result res;
	iffa_db *db;

	testdb_fresh(ci, sizeof(ci), "t_load_hostile", 1);
	db = testdb_connect(ci);
	snprintf(dir, sizeof(dir), "/tmp/iffa-t-hostile-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	make_long_values();
	iffa_load_result_init(&res);
	{
		static const struct {
			iffa_load_kind kind;
			const char *file;
		} base[] = {{IFFA_LOAD_PARTY, "party.csv"}, {IFFA_LOAD_ACCOUNT, "account.csv"}};
		for (size_t i = 0; i < 2; i++) {
			char p[512];
			snprintf(p, sizeof(p), "%s/load/%s", IFFA_TEST_RESOURCES, base[i].file);
			cr_assert_eq(iffa_load_file(&res, db, base[i].kind, p, NULL), 0, "%s",
				     iffa_error_last());
			iffa_load_result_dispose(&res);
		}
	}
	/* Each good row loads on its own: the bad rows are bad for their reason. */
	for (int k = 0; k < IFFA_LOAD_KIND_COUNT; k++) {
		bad_case good = {(iffa_load_kind)k, CUT, NULL, NULL, NULL, NULL};
		char p[512];
		FILE *f;

		build_file(&file, &good);
		file.len -= strlen(kinds[k].row) - 1; /* drop the cut line 3 */
		snprintf(p, sizeof(p), "%s/good-%s", dir, kinds[k].file);
		cr_assert_not_null(f = fopen(p, "wb"));
		cr_assert_eq(fwrite(file.ptr, 1, file.len, f), file.len);
		cr_assert_eq(fclose(f), 0);
		cr_assert_eq(iffa_load_file(&res, db, (iffa_load_kind)k, p, NULL), 0, "%s: %s",
			     kinds[k].file, iffa_error_last());
		cr_assert_eq(res.rows_loaded, 1, "%s", kinds[k].file);
		iffa_load_result_dispose(&res);
	}

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const bad_case *c = &cases[i];
		const char *name = kinds[c->kind].file;
		char label[160];
		FILE *f, *p;
		int rc;

		snprintf(label, sizeof(label), "case %zu (%s, %s %s)", i, name,
			 c->column ? c->column : (c->how == DUP ? "duplicate" : "truncated"),
			 c->field ? c->field : "");
		for (size_t t = 0; t < NTABLES; t++) {
			snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", tables[t]);
			before[t] = testdb_scalar(db, sql);
		}
		audits = testdb_scalar(db, "SELECT count(*) FROM audit_log");

		build_file(&file, c);
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		cr_assert_not_null(f = fopen(path, "wb"));
		cr_assert_eq(fwrite(file.ptr, 1, file.len, f), file.len);
		cr_assert_eq(fclose(f), 0);

		rc = iffa_load_file(&res, db, c->kind, path, &(iffa_load_options){
								  .display_name = name,
								  .max_errors = 100});
		cr_assert_eq(rc, IFFA_EINVAL, "%s: %d %s", label, rc, iffa_error_last());
		if (c->field)
			snprintf(expect, sizeof(expect), "%s:3: field %s: %s", name, c->field,
				 c->reason);
		else
			snprintf(expect, sizeof(expect), "%s:3: %s", name, c->reason);
		cr_assert_geq(res.errors_count, 1, "%s", label);
		cr_assert_eq(res.errors[0].line, 3, "%s: line %lld", label, res.errors[0].line);
		if (c->field)
			cr_assert(res.errors[0].field && strcmp(res.errors[0].field, c->field) == 0,
				  "%s: field %s", label,
				  res.errors[0].field ? res.errors[0].field : "(none)");
		else
			cr_assert_null(res.errors[0].field, "%s: field %s", label,
				       res.errors[0].field);
		cr_assert_str_eq(res.errors[0].message, expect, "%s", label);
		cr_assert_eq(res.rows_loaded, 0, "%s", label);
		cr_assert_eq(res.load_id, 0, "%s", label);
		cr_assert_eq(PQtransactionStatus(iffa_db_conn(db)), PQTRANS_IDLE, "%s", label);

		/* Nothing of the file, not even its good line 2 (already loaded, so
		 * it would only be counted): every table keeps its count. */
		for (size_t t = 0; t < NTABLES; t++) {
			snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", tables[t]);
			cr_assert_eq(testdb_scalar(db, sql), before[t], "%s: %s changed", label,
				     tables[t]);
		}

		/* One audit row for the refusal: the file, its digest, the reason. */
		snprintf(sql, sizeof(sql), "sha256sum '%s'", path);
		cr_assert_not_null(p = popen(sql, "r"));
		cr_assert_eq(fscanf(p, "%64s", digest), 1);
		pclose(p);
		cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM audit_log"), audits + 1, "%s",
			     label);
		{
			const char *v[5] = {name, digest, iffa_error_last(),
					    iffa_load_kind_name(c->kind), NULL};
			PGresult *r = PQexecParams(
				iffa_db_conn(db),
				"SELECT count(*) FROM audit_log WHERE id = (SELECT max(id) FROM "
				"audit_log) AND command = 'load' AND params->>'file' = $1 AND "
				"params->>'kind' = $4 AND output_sha256 = $2 AND rows_affected = 0 "
				"AND detail->>'ok' = 'false' AND detail->>'error' = $3 AND "
				"os_user IS NOT NULL AND db_role = current_user",
				4, NULL, v, NULL, NULL, 0);
			cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s",
				     PQerrorMessage(iffa_db_conn(db)));
			cr_assert_str_eq(PQgetvalue(r, 0, 0), "1", "%s: audit row (error %s)",
					 label, iffa_error_last());
			PQclear(r);
		}
		iffa_load_result_dispose(&res);
	}

	iffa_load__buf_dispose(&file);
	iffa_load__buf_dispose(&text_1001);
	iffa_load__buf_dispose(&ref_201);
	iffa_load__buf_dispose(&record_70k);
	iffa_db_free(db);
	snprintf(sql, sizeof(sql), "rm -rf %s", dir);
	cr_assert_eq(system(sql), 0);
}

Test(load_hostile, a_refused_load_from_a_pipe_is_audited_without_a_digest)
{
	static const char text[] = "ref,kind,name,supplier,source\nP1,nobody,A,ML,s\n";
	char ci[256], dir[64], fifo[128];
	iffa_load_result res;
	iffa_db *db;
	pid_t writer;
	int status;

	testdb_fresh(ci, sizeof(ci), "t_load_hostile_fifo", 1);
	db = testdb_connect(ci);
	snprintf(dir, sizeof(dir), "/tmp/iffa-t-hostile-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/party.csv", dir);
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	writer = fork();
	cr_assert_geq(writer, 0);
	if (writer == 0) {
		FILE *f = fopen(fifo, "wb");
		_exit(f && fwrite(text, 1, sizeof(text) - 1, f) == sizeof(text) - 1 &&
				      fclose(f) == 0
			      ? 0
			      : 1);
	}
	iffa_load_result_init(&res);
	cr_assert_eq(iffa_load_file(&res, db, IFFA_LOAD_PARTY, fifo,
				    &(iffa_load_options){.display_name = "party.csv",
							 .max_errors = 10}),
		     IFFA_EINVAL);
	cr_assert_eq(waitpid(writer, &status, 0), writer);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* The refusal is recorded; a pipe cannot be read twice, so no digest. */
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM audit_log WHERE command = 'load' AND "
				       "detail->>'ok' = 'false' AND output_sha256 IS NULL AND "
				       "params->>'file' = 'party.csv'"),
		     1);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM party"), 0);
	iffa_load_result_dispose(&res);
	iffa_db_free(db);
	snprintf(fifo, sizeof(fifo), "rm -rf %s", dir);
	cr_assert_eq(system(fifo), 0);
}
