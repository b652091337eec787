/*
 * Screening with graph exposure, end to end on the real server: the demo
 * scenario (graphs/demo) is loaded, `iffa analyse` runs the exposure pass
 * and stores each vertex's exposure, and counterparties are screened by
 * account against the demo's designated parties (QDi.316 Iyad Ag Ghali,
 * QDe.159 JNIM, QDi.425 Amadou Koufa and national designations).
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/testdb.h"

/* Records name the parties and accounts they involve: these first. */
static const iffa_load_kind kinds[] = {
	IFFA_LOAD_PARTY, IFFA_LOAD_ACCOUNT, IFFA_LOAD_DESIGNATION, IFFA_LOAD_FX_RATE,
	IFFA_LOAD_TRANSFER, IFFA_LOAD_RANSOM, IFFA_LOAD_GOLD_LOT, IFFA_LOAD_LEVY,
	IFFA_LOAD_AFFECTED_ZONE};

static void load_demo(iffa_db *db)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		iffa_load_options o = IFFA_LOAD_OPTIONS_INIT;
		iffa_load_result r;
		char path[512];

		snprintf(path, sizeof(path), "%s/graphs/demo/%s.csv", IFFA_SOURCE_DIR,
			 iffa_load_kind_name(kinds[i]));
		iffa_load_result_init(&r);
		cr_assert_eq(iffa_load_file(&r, db, kinds[i], path, &o), 0, "%s: %s", path,
			     r.errors_count ? r.errors[0].message : iffa_error_last());
		iffa_load_result_dispose(&r);
	}
}

static void exec(iffa_db *db, const char *sql)
{
	PGresult *res = PQexec(iffa_db_conn(db), sql);

	cr_assert(PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK,
		  "%s: %s", sql, PQerrorMessage(iffa_db_conn(db)));
	PQclear(res);
}

/* Two traders who only ever paid each other: no source within reach. */
static void add_unrelated_pair(iffa_db *db)
{
	exec(db, "INSERT INTO party (ref, kind, name, country, supplier, source) VALUES"
		 " ('P-T-UNREL-1', 'person', 'Mariam Sangaré', 'SN', 'SN', 'test'),"
		 " ('P-T-UNREL-2', 'person', 'Ousseynou Faye', 'SN', 'SN', 'test')");
	exec(db, "INSERT INTO account (ref, party_id, kind, country, supplier, source)"
		 " SELECT 'A-T-UNREL-' || substr(ref, 11), id, 'bank', 'SN', 'SN', 'test'"
		 " FROM party WHERE ref LIKE 'P-T-UNREL-%'");
	exec(db, "INSERT INTO transfer (from_account, to_account, amount, currency, ts, channel,"
		 " supplier, source, source_ref)"
		 " SELECT f.id, t.id, 250000, 'XOF', '2025-06-10T10:00:00Z', 'bank', 'SN', 'test', 'T-UNREL'"
		 " FROM account f, account t WHERE f.ref = 'A-T-UNREL-1' AND t.ref = 'A-T-UNREL-2'");
}

static int64_t analyse_exposure(iffa_db *db)
{
	iffa_analysis *a = NULL;
	int64_t run = 0;

	cr_assert_eq(iffa_analysis_new(&a), 0);
	cr_assert_eq(iffa_analysis_select(a, "exposure"), 0, "%s", iffa_error_last());
	cr_assert_eq(iffa_analyse(&run, db, a, NULL), 0, "%s", iffa_error_last());
	iffa_analysis_free(a);
	return run;
}

static char *scalar_text(iffa_db *db, const char *sql)
{
	PGresult *res = PQexec(iffa_db_conn(db), sql);
	char *s;

	cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s: %s", sql,
		     PQerrorMessage(iffa_db_conn(db)));
	cr_assert_eq(PQntuples(res), 1, "%s: %d rows", sql, PQntuples(res));
	s = strdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return s;
}

static void screen(iffa_screen_result *out, iffa_screener *s, const char *name, const char *account)
{
	iffa_screen_request q = {name, NULL, NULL, NULL, account};

	cr_assert_eq(iffa_screener_screen(out, s, &q, 1), 0, "%s: %s", name, iffa_error_last());
}

/* XOF of a transfer as the ingest converts it: the latest rate on or before its UTC day. */
#define XOF_SQL                                                                           \
	"t.amount * CASE WHEN t.currency = 'XOF' THEN 1 ELSE (SELECT r.xof_per_unit FROM "  \
	"fx_rate r WHERE r.currency = t.currency AND r.valid_from <= (t.ts AT TIME ZONE "   \
	"'UTC')::date ORDER BY r.valid_from DESC LIMIT 1) END"

/* The UN list sample, whose entries the demo's designated parties are. */
static void import_un_sample(iffa_db *db)
{
	iffa_lists_import_result lr;

	memset(&lr, 0, sizeof(lr));
	cr_assert_eq(iffa_lists_import(&lr, db, testdb_resource("lists/un-sample-v1.xml"), NULL), 0,
		     "%s", iffa_error_last());
}

/* Every transfer edge of the path is in the transfer table: its records join
 * the edge's two accounts, their count is its flows and their XOF its amount. */
static int check_path(iffa_db *db, const iffa_screen_exposure *e)
{
	int transfers = 0;

	for (size_t k = 0; k < e->npath; k++) {
		const iffa_screen_path_edge *pe = &e->path[k];
		char sql[2048];
		if (strcmp(pe->kind, "transfer") != 0)
			continue;
		transfers++;
		cr_assert_neq(strcmp(pe->records, "null"), 0, "edge %zu has its records", k);
		snprintf(sql, sizeof(sql),
			 "SELECT count(*) FROM transfer t JOIN account f ON f.id = t.from_account"
			 " JOIN account d ON d.id = t.to_account"
			 " WHERE t.id IN (SELECT jsonb_array_elements_text('%s'::jsonb)::bigint)"
			 " AND f.ref = '%s' AND d.ref = '%s' AND t.channel = '%s'"
			 " AND t.ts >= '%s' AND t.ts <= '%s'",
			 pe->records, pe->from, pe->to, pe->channel, pe->first, pe->last);
		cr_assert_eq(testdb_scalar(db, sql), pe->flows, "edge %zu (%s -> %s): %s", k, pe->from,
			     pe->to, pe->records);
		snprintf(sql, sizeof(sql),
			 "SELECT round(sum(" XOF_SQL ")) FROM transfer t"
			 " WHERE t.id IN (SELECT jsonb_array_elements_text('%s'::jsonb)::bigint)",
			 pe->records);
		cr_assert_eq(testdb_scalar(db, sql), (long long)(pe->amount_xof + 0.5),
			     "edge %zu (%s -> %s) amount", k, pe->from, pe->to);
	}
	return transfers;
}

Test(screen_exposure, demo_designated_parties_and_their_counterparts_by_account)
{
	iffa_screen_result r;
	iffa_screener *s = NULL;
	char ci[128], sql[512];
	char *counterpart, *designated, *name;
	int64_t run;
	iffa_db *db;

	testdb_fresh(ci, sizeof(ci), "t_screen_exposure", 1);
	db = testdb_connect(ci);
	load_demo(db);
	add_unrelated_pair(db);
	import_un_sample(db);

	/* Before any analysis the answer says so, rather than nothing. */
	cr_assert_eq(iffa_screener_new(&s, db, NULL), 0, "%s", iffa_error_last());
	screen(&r, s, "Mariam Sangaré", "A-T-UNREL-1");
	cr_assert_eq(r.exposure.status, IFFA_SCREEN_EXPOSURE_NO_RUN);
	cr_assert_eq(r.verdict, IFFA_SCREEN_CLEAR);
	iffa_screen_result_dispose(&r);
	iffa_screener_free(s);

	run = analyse_exposure(db);
	cr_assert_gt(testdb_scalar(db, "SELECT count(*) FROM vertex_exposure"), 0);

	/* The account of a designated party (QDi.316), and the account at the
	 * other end of one of its transfers whose owner is neither designated
	 * nor an armed group. */
	designated = scalar_text(db, "SELECT a.ref FROM account a JOIN designation d"
				     " ON d.party_id = a.party_id WHERE d.reference = 'QDi.316'"
				     " ORDER BY a.id LIMIT 1");
	counterpart = scalar_text(
		db, "SELECT c.ref FROM transfer t JOIN account a ON a.id IN (t.from_account, t.to_account)"
		    " JOIN designation d ON d.party_id = a.party_id AND d.reference = 'QDi.316'"
		    " JOIN account c ON c.id = CASE WHEN a.id = t.from_account THEN t.to_account"
		    " ELSE t.from_account END JOIN party p ON p.id = c.party_id"
		    " WHERE p.kind <> 'armed_group' AND NOT EXISTS (SELECT 1 FROM designation x"
		    " WHERE x.party_id = p.id) ORDER BY c.id LIMIT 1");
	snprintf(sql, sizeof(sql), "SELECT p.name FROM account a JOIN party p ON p.id = a.party_id"
		 " WHERE a.ref = '%s'", counterpart);
	name = scalar_text(db, sql);

	cr_assert_eq(iffa_screener_new(&s, db, NULL), 0, "%s", iffa_error_last());

	/* The counterpart: one hop from the designated party, with the path. */
	screen(&r, s, name, counterpart);
	cr_assert_eq(r.exposure.status, IFFA_SCREEN_EXPOSURE_EXPOSED, "%s: %s", counterpart,
		     iffa_screen_exposure_status_name(r.exposure.status));
	cr_assert_eq(r.exposure.run_id, run);
	cr_assert_not_null(r.exposure.run_finished_at);
	cr_assert_null(r.exposure.run_from, "the run read all the data");
	cr_assert_null(r.exposure.run_to);
	cr_assert_geq(r.exposure.run_age_days, 0);
	cr_assert_eq(r.exposure.hops, 1, "%s is a counterpart of QDi.316", counterpart);
	cr_assert_gt(r.exposure.score, 0);
	cr_assert_geq(r.exposure.npath, 1);
	cr_assert_geq(check_path(db, &r.exposure), 1, "the path holds the transfers");
	cr_assert_eq(r.name_verdict, IFFA_SCREEN_CLEAR, "%s is an ordinary name", name);
	if (r.exposure.flagged) {
		cr_assert_eq(r.verdict, IFFA_SCREEN_POSSIBLE, "a flagged exposure is a possible match");
		cr_assert(r.exposure.raised);
	} else {
		cr_assert_eq(r.verdict, IFFA_SCREEN_CLEAR);
	}
	/* The audit record holds the exposure and the run it came from. */
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM audit_log WHERE id = %lld AND params->>'account' = '%s'"
		 " AND detail->'exposure'->>'status' = 'exposed' AND (detail->'exposure'->>'hops')::int = 1"
		 " AND (detail->'exposure'->>'run')::bigint = %lld"
		 " AND jsonb_array_length(detail->'exposure'->'path') = %zu",
		 r.audit_id, counterpart, (long long)run, r.exposure.npath);
	cr_assert_eq(testdb_scalar(db, sql), 1);
	iffa_screen_result_dispose(&r);

	/* The designated party's own account is a match whatever the name given. */
	screen(&r, s, "Client 4711", designated);
	cr_assert_eq(r.exposure.status, IFFA_SCREEN_EXPOSURE_EXPOSED);
	cr_assert_str_eq(r.exposure.way, "source");
	cr_assert_eq(r.exposure.hops, 0);
	cr_assert_eq(r.name_verdict, IFFA_SCREEN_CLEAR);
	cr_assert_eq(r.verdict, IFFA_SCREEN_MATCH);
	cr_assert(r.exposure.raised);
	iffa_screen_result_dispose(&r);

	/* The unrelated pair: in the run's graph, no exposure. */
	screen(&r, s, "Mariam Sangaré", "A-T-UNREL-1");
	cr_assert_eq(r.exposure.status, IFFA_SCREEN_EXPOSURE_NONE);
	cr_assert_eq(r.exposure.hops, -1);
	cr_assert_eq(r.exposure.npath, 0);
	cr_assert_eq(r.exposure.run_id, run);
	cr_assert_eq(r.verdict, IFFA_SCREEN_CLEAR);
	iffa_screen_result_dispose(&r);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM vertex_exposure v JOIN account a"
				       " ON a.id = v.account_id WHERE a.ref LIKE 'A-T-UNREL-%'"), 0);

	/* An account the records do not hold, and one loaded after the run. */
	screen(&r, s, "Mariam Sangaré", "SN-NOWHERE-1");
	cr_assert_eq(r.exposure.status, IFFA_SCREEN_EXPOSURE_UNKNOWN_ACCOUNT);
	iffa_screen_result_dispose(&r);
	exec(db, "INSERT INTO account (ref, party_id, kind, country, supplier, source)"
		 " SELECT 'A-T-LATE', id, 'bank', 'SN', 'SN', 'test' FROM party WHERE ref = 'P-T-UNREL-1'");
	screen(&r, s, "Mariam Sangaré", "A-T-LATE");
	cr_assert_eq(r.exposure.status, IFFA_SCREEN_EXPOSURE_NOT_IN_RUN);
	iffa_screen_result_dispose(&r);

	/* A name alone attaches nothing, even the designated party's own name. */
	screen(&r, s, "Iyad ag Ghaly", NULL);
	cr_assert_eq(r.exposure.status, IFFA_SCREEN_EXPOSURE_NOT_ASSESSED);
	cr_assert_eq(r.verdict, IFFA_SCREEN_MATCH, "the name matcher still finds QDi.316");
	iffa_screen_result_dispose(&r);

	iffa_screener_free(s);

	/* A later run over a window is the one used, and the answer says its window. */
	{
		iffa_analyse_options o = IFFA_ANALYSE_OPTIONS_INIT;
		iffa_analysis *a = NULL;
		int64_t run2 = 0;
		cr_assert_eq(iffa_flowgraph_time_parse(&o.from, "2025-01-01T00:00:00Z"), 0);
		cr_assert_eq(iffa_flowgraph_time_parse(&o.to, "2026-01-01T00:00:00Z"), 0);
		cr_assert_eq(iffa_analysis_new(&a), 0);
		cr_assert_eq(iffa_analysis_select(a, "exposure"), 0, "%s", iffa_error_last());
		cr_assert_eq(iffa_analyse(&run2, db, a, &o), 0, "%s", iffa_error_last());
		iffa_analysis_free(a);
		cr_assert_eq(iffa_screener_new(&s, db, NULL), 0, "%s", iffa_error_last());
		screen(&r, s, "Client 4711", designated);
		cr_assert_eq(r.exposure.run_id, run2);
		cr_assert_str_eq(r.exposure.run_from, "2025-01-01T00:00:00Z");
		cr_assert_str_eq(r.exposure.run_to, "2026-01-01T00:00:00Z");
		cr_assert_eq(r.verdict, IFFA_SCREEN_MATCH);
		iffa_screen_result_dispose(&r);
		iffa_screener_free(s);
	}
	free(counterpart);
	free(designated);
	free(name);
	iffa_db_free(db);
}

Test(screen_exposure, a_file_with_an_account_column_carries_the_exposure_in_csv_and_json_lines)
{
	iffa_screen_file_stats st;
	iffa_screener *s = NULL;
	char ci[128], path[300], *out = NULL, *counterpart;
	size_t len = 0;
	FILE *f;
	iffa_db *db;

	testdb_fresh(ci, sizeof(ci), "t_screen_exposure_file", 1);
	db = testdb_connect(ci);
	load_demo(db);
	import_un_sample(db);
	analyse_exposure(db);
	/* A counterpart of JNIM's account (QDe.159) that is itself no source. */
	counterpart = scalar_text(
		db, "SELECT c.ref FROM transfer t JOIN account a ON a.id IN (t.from_account, t.to_account)"
		    " JOIN designation d ON d.party_id = a.party_id AND d.reference = 'QDe.159'"
		    " JOIN account c ON c.id = CASE WHEN a.id = t.from_account THEN t.to_account"
		    " ELSE t.from_account END JOIN party p ON p.id = c.party_id"
		    " WHERE p.kind <> 'armed_group' AND NOT EXISTS (SELECT 1 FROM designation x"
		    " WHERE x.party_id = p.id) ORDER BY c.id LIMIT 1");

	snprintf(path, sizeof(path), "%s/t_screen_exposure_file.csv", IFFA_TEST_BINARY_DIR);
	cr_assert_not_null(f = fopen(path, "w"));
	fprintf(f, "ref,name,account\nCP-1,Seydou Diarra,%s\nCP-2,Aminata Sow,\n"
		   "CP-3,Aminata Sow,NOT-AN-ACCOUNT\n", counterpart);
	cr_assert_eq(fclose(f), 0);
	cr_assert_eq(iffa_screener_new(&s, db, NULL), 0, "%s", iffa_error_last());

	cr_assert_not_null(f = open_memstream(&out, &len));
	cr_assert_eq(iffa_screener_screen_file(&st, s, path, f, IFFA_SCREEN_OUT_CSV), 0, "%s",
		     iffa_error_last());
	cr_assert_eq(fclose(f), 0);
	cr_assert_eq(st.screened, 3);
	cr_assert(strstr(out, ",account,exposure,exposure_score,hops,exposure_run,exposure_path,"
			      "audit_id\n") != NULL, "%s", out);
	cr_assert(strstr(out, ",1,") != NULL && strstr(out, " XOF transfer ") != NULL, "%s", out);
	cr_assert(strstr(out, ",not assessed,") != NULL, "%s", out);
	cr_assert(strstr(out, ",unknown account,") != NULL, "%s", out);
	free(out);
	out = NULL;

	cr_assert_not_null(f = open_memstream(&out, &len));
	cr_assert_eq(iffa_screener_screen_file(&st, s, path, f, IFFA_SCREEN_OUT_JSONL), 0, "%s",
		     iffa_error_last());
	cr_assert_eq(fclose(f), 0);
	cr_assert(strstr(out, "\"status\":\"exposed\"") != NULL, "%s", out);
	cr_assert(strstr(out, "\"hops\":1,\"path\":[{") != NULL, "%s", out);
	cr_assert(strstr(out, "\"status\":\"not assessed\"") != NULL, "%s", out);
	free(out);
	/* Six screenings recorded, the first of each run with its exposure. */
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM audit_log WHERE command = 'screen'"
				       " AND detail->'exposure'->>'status' = 'exposed'"
				       " AND (detail->'exposure'->>'hops')::int = 1"), 2);
	iffa_screener_free(s);
	free(counterpart);
	remove(path);
	iffa_db_free(db);
}

/* Run `sql` (one row, one column of text per row) and return its rows. */
static char **text_rows(iffa_db *db, const char *sql, int *n)
{
	PGresult *res = PQexec(iffa_db_conn(db), sql);
	char **rows;

	cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s: %s", sql,
		     PQerrorMessage(iffa_db_conn(db)));
	*n = PQntuples(res);
	cr_assert_not_null(rows = calloc((size_t)*n + 1, sizeof(*rows)));
	for (int i = 0; i < *n; i++)
		cr_assert_not_null(rows[i] = strdup(PQgetvalue(res, i, 0)));
	PQclear(res);
	return rows;
}

static void free_rows(char **rows, int n)
{
	for (int i = 0; i < n; i++)
		free(rows[i]);
	free(rows);
}

Test(screen_exposure, stored_path_edges_round_trip_and_an_earlier_json_path_is_still_read)
{
	iffa_screen_result r, old;
	iffa_screener *s = NULL;
	char ci[128], sql[2048], **accounts, *path = NULL;
	int naccounts, transfers = 0, merged = 0;
	long long run, old_run;
	iffa_db *db;

	testdb_fresh(ci, sizeof(ci), "t_screen_exposure_edges", 1);
	db = testdb_connect(ci);
	load_demo(db);
	import_un_sample(db);
	run = (long long)analyse_exposure(db);

	/* The run's rows hold their paths as edge numbers of its exposure_edge,
	 * every one of which some path names. */
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM vertex_exposure WHERE run_id = %lld"
		 " AND (path IS NOT NULL OR path_edges IS NULL)", run);
	cr_assert_eq(testdb_scalar(db, sql), 0, "the run wrote the compact form only");
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM vertex_exposure v, unnest(v.path_edges) u(e)"
		 " WHERE v.run_id = %lld AND NOT EXISTS (SELECT 1 FROM exposure_edge x"
		 " WHERE x.run_id = v.run_id AND x.edge = u.e)", run);
	cr_assert_eq(testdb_scalar(db, sql), 0, "every path edge is stored");
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM exposure_edge x WHERE x.run_id = %lld"
		 " AND NOT EXISTS (SELECT 1 FROM vertex_exposure v WHERE v.run_id = x.run_id"
		 " AND x.edge = ANY (v.path_edges))", run);
	cr_assert_eq(testdb_scalar(db, sql), 0, "every stored edge is on a path");
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM exposure_edge WHERE run_id = %lld", run);
	cr_assert_gt(testdb_scalar(db, sql), 0);

	/* A one-flow transfer edge is its record: ends, channel and time. */
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM exposure_edge x LEFT JOIN transfer t ON t.id = x.record_id"
		 " WHERE x.run_id = %lld AND x.kind = 'transfer' AND x.record_id IS NOT NULL"
		 " AND (t.id IS NULL OR x.flows <> 1 OR x.records IS NOT NULL"
		 " OR t.from_account IS DISTINCT FROM x.from_account_id"
		 " OR t.to_account IS DISTINCT FROM x.to_account_id OR t.channel <> x.channel"
		 " OR t.ts <> x.first_ts OR t.ts <> x.last_ts)", run);
	cr_assert_eq(testdb_scalar(db, sql), 0, "one-flow transfer edges are their records");
	/* A merged transfer edge: its flows are the transfers between its ends on
	 * its channel in [first, last], its records the first 100 of them by
	 * (ts, id), and its amount their XOF. */
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM exposure_edge x WHERE x.run_id = %lld AND x.kind = 'transfer'"
		 " AND x.record_id IS NULL AND (x.records IS DISTINCT FROM (SELECT"
		 " (array_agg(t.id ORDER BY t.ts, t.id))[1:100] FROM transfer t"
		 " WHERE t.from_account = x.from_account_id AND t.to_account = x.to_account_id"
		 " AND t.channel = x.channel AND t.ts BETWEEN x.first_ts AND x.last_ts)"
		 " OR x.flows <> (SELECT count(*) FROM transfer t"
		 " WHERE t.from_account = x.from_account_id AND t.to_account = x.to_account_id"
		 " AND t.channel = x.channel AND t.ts BETWEEN x.first_ts AND x.last_ts)"
		 " OR round(x.amount_xof) <> (SELECT round(sum(" XOF_SQL ")) FROM transfer t"
		 " WHERE t.from_account = x.from_account_id AND t.to_account = x.to_account_id"
		 " AND t.channel = x.channel AND t.ts BETWEEN x.first_ts AND x.last_ts))", run);
	cr_assert_eq(testdb_scalar(db, sql), 0, "merged transfer edges are their transfers");
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM exposure_edge WHERE run_id = %lld"
		 " AND kind = 'transfer' AND record_id IS NULL", run);
	merged = (int)testdb_scalar(db, sql);
	cr_assert_gt(merged, 0, "the demo's paths hold merged transfer edges");

	/* Screened by account, every exposed account's path comes back with the
	 * same edges, each transfer edge checked against the transfer table. */
	snprintf(sql, sizeof(sql), "SELECT a.ref FROM vertex_exposure v JOIN account a"
		 " ON a.id = v.account_id WHERE v.run_id = %lld"
		 " AND cardinality(v.path_edges) > 0 ORDER BY a.id", run);
	accounts = text_rows(db, sql, &naccounts);
	cr_assert_gt(naccounts, 0);
	cr_assert_eq(iffa_screener_new(&s, db, NULL), 0, "%s", iffa_error_last());
	for (int i = 0; i < naccounts; i++) {
		screen(&r, s, "Client 4711", accounts[i]);
		cr_assert_eq(r.exposure.status, IFFA_SCREEN_EXPOSURE_EXPOSED, "%s", accounts[i]);
		snprintf(sql, sizeof(sql), "SELECT cardinality(v.path_edges) FROM vertex_exposure v"
			 " JOIN account a ON a.id = v.account_id WHERE v.run_id = %lld"
			 " AND a.ref = '%s'", run, accounts[i]);
		cr_assert_eq((long long)r.exposure.npath, testdb_scalar(db, sql), "%s", accounts[i]);
		transfers += check_path(db, &r.exposure);
		/* the rebuilt text is the stored form's: names, and jsonb's ", " in merged records */
		cr_assert(strstr(r.exposure.path_json, "\"from_name\":") != NULL);
		if (!path && strstr(r.exposure.path_json, "\"record\":null,\"records\":[") &&
		    strstr(r.exposure.path_json, ", ")) {
			cr_assert_not_null(path = strdup(accounts[i]));
		}
		iffa_screen_result_dispose(&r);
	}
	cr_assert_gt(transfers, 0);
	cr_assert_not_null(path, "a path with a merged transfer edge of several records");
	iffa_screener_free(s);

	/* An earlier run's row: the path as json text, no edge numbers. The
	 * same text as the account's rebuilt path reads back the same. */
	cr_assert_eq(iffa_screener_new(&s, db, NULL), 0, "%s", iffa_error_last());
	screen(&r, s, "Client 4711", path);
	iffa_screener_free(s);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO analysis_run (started_at, finished_at, status, level, params, row_counts,"
		 " code_version) SELECT started_at, finished_at, status, level, params, row_counts,"
		 " 'before 012' FROM analysis_run WHERE id = %lld", run);
	exec(db, sql);
	old_run = testdb_scalar(db, "SELECT max(id) FROM analysis_run");
	{
		PGresult *res;
		char runtext[32];
		const char *p[3] = {runtext, path, r.exposure.path_json};
		snprintf(runtext, sizeof(runtext), "%lld", old_run);
		res = PQexecParams(iffa_db_conn(db),
				   "INSERT INTO vertex_exposure (run_id, level, account_id, party_id, way,"
				   " flagged, score, taint, tainted_xof, funding, funding_xof, ppr_from,"
				   " ppr_to, hops, path) SELECT $1::bigint, v.level, v.account_id,"
				   " v.party_id, v.way, v.flagged, v.score, v.taint, v.tainted_xof,"
				   " v.funding, v.funding_xof, v.ppr_from, v.ppr_to, v.hops, $3::json"
				   " FROM vertex_exposure v JOIN account a ON a.id = v.account_id"
				   " WHERE a.ref = $2 AND v.run_id = (SELECT max(id) FROM analysis_run"
				   " WHERE id < $1::bigint)",
				   3, NULL, p, NULL, NULL, 0);
		cr_assert_eq(PQresultStatus(res), PGRES_COMMAND_OK, "%s",
			     PQerrorMessage(iffa_db_conn(db)));
		cr_assert_str_eq(PQcmdTuples(res), "1");
		PQclear(res);
	}
	cr_assert_eq(iffa_screener_new(&s, db, NULL), 0, "%s", iffa_error_last());
	screen(&old, s, "Client 4711", path);
	cr_assert_eq(old.exposure.run_id, old_run, "the earlier-form run is the latest");
	cr_assert_eq(old.exposure.status, IFFA_SCREEN_EXPOSURE_EXPOSED);
	cr_assert_str_eq(old.exposure.path_json, r.exposure.path_json);
	cr_assert_eq(old.exposure.npath, r.exposure.npath);
	cr_assert_eq(old.exposure.hops, r.exposure.hops);
	cr_assert_str_eq(old.exposure.way, r.exposure.way);
	for (size_t k = 0; k < old.exposure.npath; k++) {
		cr_assert_str_eq(old.exposure.path[k].from, r.exposure.path[k].from);
		cr_assert_str_eq(old.exposure.path[k].to_name, r.exposure.path[k].to_name);
		cr_assert_str_eq(old.exposure.path[k].records, r.exposure.path[k].records);
		cr_assert_eq(old.exposure.path[k].flows, r.exposure.path[k].flows);
	}
	cr_assert_geq(check_path(db, &old.exposure), 1);
	iffa_screen_result_dispose(&old);
	/* An account the earlier run did not store is no exposure there. */
	screen(&old, s, "Client 4711", accounts[0]);
	if (strcmp(accounts[0], path) != 0)
		cr_assert_eq(old.exposure.status, IFFA_SCREEN_EXPOSURE_NONE);
	iffa_screen_result_dispose(&old);
	iffa_screener_free(s);

	/* A json path as the analysis used to write it, read field by field. */
	{
		const char *text =
			"[{\"from\":\"ACC-1\",\"from_name\":\"Awa \\\"Ba\\\"\",\"from_type\":\"account\","
			"\"from_id\":1,\"to\":\"ACC-2\",\"to_name\":\"\",\"to_type\":\"party\",\"to_id\":7,"
			"\"amount_xof\":1200000.50,\"flows\":2,\"first\":\"2025-03-02T10:00:00Z\","
			"\"last\":\"2025-03-04T10:00:00.250000Z\",\"channel\":\"bank\",\"kind\":\"transfer\","
			"\"record\":null,\"records\":[11, 12]}]";
		const char *p[2] = {path, text};
		PGresult *res = PQexecParams(iffa_db_conn(db),
					     "UPDATE vertex_exposure v SET path = $2::json FROM account a"
					     " WHERE a.id = v.account_id AND a.ref = $1 AND v.path IS NOT NULL",
					     2, NULL, p, NULL, NULL, 0);
		cr_assert_eq(PQresultStatus(res), PGRES_COMMAND_OK, "%s",
			     PQerrorMessage(iffa_db_conn(db)));
		PQclear(res);
		cr_assert_eq(iffa_screener_new(&s, db, NULL), 0, "%s", iffa_error_last());
		screen(&old, s, "Client 4711", path);
		cr_assert_str_eq(old.exposure.path_json, text);
		cr_assert_eq(old.exposure.npath, 1);
		cr_assert_str_eq(old.exposure.path[0].from, "ACC-1");
		cr_assert_str_eq(old.exposure.path[0].from_name, "Awa \"Ba\"");
		cr_assert_str_eq(old.exposure.path[0].to_name, "");
		cr_assert_eq(old.exposure.path[0].flows, 2);
		cr_assert_float_eq(old.exposure.path[0].amount_xof, 1200000.5, 1e-6);
		cr_assert_str_eq(old.exposure.path[0].last, "2025-03-04T10:00:00.250000Z");
		cr_assert_str_eq(old.exposure.path[0].records, "[11,12]");
		iffa_screen_result_dispose(&old);
		iffa_screener_free(s);
	}
	iffa_screen_result_dispose(&r);
	free_rows(accounts, naccounts);
	free(path);
	iffa_db_free(db);
}
