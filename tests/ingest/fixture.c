/* See fixture.h. */
#include <criterion/criterion.h>
#include <libpq-fe.h>
#include <stdlib.h>

#include "ingest/fixture.h"
#include "support/testdb.h"

void fixture_exec(iffa_db *db, const char *sql)
{
	PGresult *res = PQexec(iffa_db_conn(db), sql);
	ExecStatusType st = PQresultStatus(res);

	cr_assert(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK, "%s\n%s", sql,
		  PQerrorMessage(iffa_db_conn(db)));
	PQclear(res);
}

double fixture_double(iffa_db *db, const char *sql)
{
	PGresult *res = PQexec(iffa_db_conn(db), sql);
	double v;

	cr_assert(PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1, "%s: %s", sql,
		  PQerrorMessage(iffa_db_conn(db)));
	v = PQgetisnull(res, 0, 0) ? 0 : strtod(PQgetvalue(res, 0, 0), NULL);
	PQclear(res);
	return v;
}

static const char data_set[] =
	"SELECT iffa_ensure_transfer_partitions('2025-12-01 00:00+00', '2026-04-30 00:00+00');"
	"INSERT INTO affected_zone (country, region) VALUES ('ML', 'Kayes');"
	"INSERT INTO party (id, ref, kind, name, country, region, supplier, source)"
	" SELECT i, 'P' || i,"
	"  CASE WHEN i = 1 THEN 'armed_group' WHEN i <= 25 THEN 'person' ELSE 'village' END,"
	"  'name ' || i,"
	"  CASE WHEN i = 4 THEN NULL WHEN i = 3 THEN 'ML' ELSE (ARRAY['ML','SN','BF','GN'])[1 + i % 4] END,"
	"  CASE WHEN i = 3 THEN 'Kayes' END, 'ML', 'test'"
	" FROM generate_series(1, 30) i;"
	"INSERT INTO designation (list_name, reference, entry_kind, name, party_id, source)"
	" VALUES ('UN', 'QDi.999', 'individual', 'name 2', 2, 'test');"
	"INSERT INTO account (id, ref, party_id, kind, country, supplier, source)"
	" SELECT i, 'A' || i, CASE WHEN i <= 75 THEN 1 + i % 25 END,"
	"  (ARRAY['bank','mobile_money','hawala','crypto','cash'])[1 + i % 5],"
	"  (ARRAY['ML','SN','BF','GN'])[1 + (i / 3) % 4], 'ML', 'test'"
	" FROM generate_series(1, 100) i;"
	"INSERT INTO fx_rate (currency, valid_from, xof_per_unit, source) VALUES"
	" ('EUR', '2025-12-01', 655.957, 'test'), ('GNF', '2025-12-01', 0.07, 'test'),"
	" ('GNF', '2026-02-01', 0.08, 'test');"
	"INSERT INTO transfer (from_account, to_account, amount, currency, ts, channel, supplier,"
	" source, source_ref)"
	" SELECT 1 + (i * 7) % 100, 1 + (i * 13 + 5) % 100, 10 + i % 997 + 0.25,"
	"  CASE i % 5 WHEN 0 THEN 'EUR' WHEN 1 THEN 'GNF' ELSE 'XOF' END,"
	"  timestamptz '2026-01-01 00:00+00' + i * interval '37 minutes',"
	"  (ARRAY['bank','mobile_money','hawala','cash','crypto'])[1 + i % 7 % 5],"
	"  'ML', 'test', 'T' || i"
	" FROM generate_series(1, 3000) i;"
	"INSERT INTO ransom (id, payer, recipient, amount, currency, paid_at, supplier, source,"
	" source_ref) VALUES"
	" (1, 26, 1, 1000000, 'XOF', '2026-01-20 12:00+00', 'ML', 'test', 'R1'),"
	" (2, 27, 1, 2000, 'EUR', '2026-02-10 08:00+00', 'ML', 'test', 'R2');"
	"INSERT INTO ransom_leg (ransom_id, seq, party_id, role) VALUES"
	" (1, 5, 12, 'courier'), (1, 2, 11, 'negotiator');"
	"INSERT INTO gold_lot (id, seller, buyer, grams, fineness, value, currency, traded_at,"
	" from_country, to_country, supplier, source, source_ref) VALUES"
	" (1, 29, 5, 100, 0.9, 300000, 'XOF', '2026-01-25 10:00+00', 'ML', 'SN', 'ML', 'test', 'G1');"
	"INSERT INTO levy (id, payer, collector, levy_kind, amount, currency, levied_at, supplier,"
	" source, source_ref) VALUES"
	" (1, 28, 1, 'zakat', 50000, 'XOF', '2026-03-05 09:00+00', 'ML', 'test', 'L1');";

iffa_db *fixture_fresh(const char *name)
{
	char ci[128];
	iffa_db *db;

	iffa_init();
	testdb_fresh(ci, sizeof(ci), name, 1);
	db = testdb_connect(ci);
	fixture_exec(db, data_set);
	return db;
}

iffa_flowgraph *fixture_ingest(iffa_db *db, const iffa_ingest_options *opts)
{
	iffa_flowgraph *g = NULL;

	cr_assert_eq(iffa_ingest(&g, db, opts), 0, "ingest: %s", iffa_error_last());
	cr_assert_not_null(g);
	return g;
}
