/*
 * A small known data set for the ingest tests, inserted by plain SQL into a
 * fresh migrated database (the CSV loader is another module), and helpers
 * to run SQL and read figures back for comparison.
 *
 * Parties 1..30: 1 armed_group, 2..25 persons, 26..30 villages without
 * accounts; party 2 designated; party 3 in the affected zone (ML, Kayes);
 * party 4 without country. Accounts 1..100: account a belongs to party
 * 1 + a % 25 when a <= 75 (so party p owns p - 1, p + 24, p + 49, with
 * party 1 owning 25, 50, 75), none after. 3000 transfers from 2026-01-01
 * every 37 minutes in XOF, EUR and GNF (GNF's rate changes on 2026-02-01).
 * Ransom 1: party 26 -> 11 -> 12 -> 1 (legs given out of seq order),
 * 1,000,000 XOF on 2026-01-20; ransom 2: 27 -> 1, 2,000 EUR on 2026-02-10;
 * gold lot 1: buyer 5 pays seller 29 300,000 XOF on 2026-01-25; levy 1:
 * 28 -> 1 50,000 XOF on 2026-03-05.
 */
#ifndef IFFA_TESTS_INGEST_FIXTURE_H
#define IFFA_TESTS_INGEST_FIXTURE_H

#include "iffa.h"

/* Run SQL that must succeed (aborts the test otherwise). */
void fixture_exec(iffa_db *db, const char *sql);

/* One float8 value of a query (NULL reads as 0). */
double fixture_double(iffa_db *db, const char *sql);

/* Fresh migrated database `name` holding the data set; connected. */
iffa_db *fixture_fresh(const char *name);

/* iffa_ingest that must succeed. */
iffa_flowgraph *fixture_ingest(iffa_db *db, const iffa_ingest_options *opts);

/* SQL: a transfer's amount in XOF by the latest rate on or before its UTC date. */
#define FIXTURE_TRANSFER_XOF                                                              \
	"t.amount::float8 * CASE WHEN t.currency = 'XOF' THEN 1 ELSE (SELECT "          \
	"f.xof_per_unit::float8 FROM fx_rate f WHERE f.currency = t.currency AND "       \
	"f.valid_from <= (t.ts AT TIME ZONE 'UTC')::date ORDER BY f.valid_from DESC "   \
	"LIMIT 1) END"

#endif
