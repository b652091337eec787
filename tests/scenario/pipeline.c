/*
 * The whole foundation end to end on the real server: a generated scenario
 * is loaded kind by kind, loaded again (nothing doubles), read into the
 * flow graph, and the graph agrees with what SQL counts.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support/testdb.h"

static const iffa_load_kind order[] = {
	IFFA_LOAD_PARTY, IFFA_LOAD_ACCOUNT, IFFA_LOAD_DESIGNATION, IFFA_LOAD_FX_RATE,
	IFFA_LOAD_TRANSFER, IFFA_LOAD_RANSOM, IFFA_LOAD_GOLD_LOT, IFFA_LOAD_LEVY,
};
#define NKINDS (sizeof(order) / sizeof(order[0]))

static char dir[256];

static void generate(uint64_t seed, uint64_t transfers)
{
	iffa_generate_options o = IFFA_GENERATE_OPTIONS_INIT;
	iffa_generate_result r;

	snprintf(dir, sizeof(dir), "/tmp/iffa-test-scenario-%ld", (long)getpid());
	o.seed = seed;
	o.transfers = transfers;
	o.out_dir = dir;
	cr_assert_eq(iffa_generate(&r, &o), 0, "%s", iffa_error_last());
}

static void cleanup(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

/* Load every file; return rows loaded and rows found already present. */
static void load_all(iffa_db *db, long long *loaded, long long *dup, long long *read)
{
	*loaded = *dup = *read = 0;
	for (size_t i = 0; i < NKINDS; i++) {
		iffa_load_options o = IFFA_LOAD_OPTIONS_INIT;
		iffa_load_result r;
		char path[400];

		snprintf(path, sizeof(path), "%s/%s.csv", dir, iffa_load_kind_name(order[i]));
		iffa_load_result_init(&r);
		cr_assert_eq(iffa_load_file(&r, db, order[i], path, &o), 0, "%s: %s", path,
			     r.errors_count ? r.errors[0].message : iffa_error_last());
		cr_assert_eq(r.rows_rejected, 0);
		*loaded += r.rows_loaded;
		*dup += r.rows_duplicate;
		*read += r.rows_read;
		iffa_load_result_dispose(&r);
	}
}

Test(scenario_pipeline, generated_scenario_loads_once_and_the_graph_matches_sql,
     .fini = cleanup)
{
	char ci[128];
	iffa_db *db;
	iffa_flowgraph *g = NULL;
	iffa_ingest_options io = IFFA_INGEST_OPTIONS_INIT;
	long long loaded, dup, read, loaded2, dup2, read2;
	double graph_xof = 0, sql_xof;
	int64_t flows = 0;

	generate(11, 3000);
	testdb_fresh(ci, sizeof(ci), "t_scenario_pipeline", 1);
	db = testdb_connect(ci);

	load_all(db, &loaded, &dup, &read);
	cr_assert_eq(loaded, read, "first load: %lld of %lld", loaded, read);
	cr_assert_eq(dup, 0);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM transfer"), 3000);

	/* The same files again add nothing: every row is already present. */
	load_all(db, &loaded2, &dup2, &read2);
	cr_assert_eq(loaded2, 0);
	cr_assert_eq(dup2, read);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM transfer"), 3000);
	/* Each load is on record, the second ones with nothing loaded. */
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM load_batch"), 2 * (long long)NKINDS);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM load_batch WHERE rows_loaded = 0 "
				       "AND rows_duplicate = rows_read"), (long long)NKINDS);

	cr_assert_eq(iffa_ingest(&g, db, &io), 0, "%s", iffa_error_last());
	cr_assert_eq(iffa_flowgraph_record_count(g, IFFA_KIND_TRANSFER), 3000);
	cr_assert_eq(iffa_flowgraph_record_count(g, IFFA_KIND_RANSOM),
		     testdb_scalar(db, "SELECT count(*) FROM ransom"));
	cr_assert_eq(iffa_flowgraph_record_count(g, IFFA_KIND_GOLD),
		     testdb_scalar(db, "SELECT count(*) FROM gold_lot"));
	cr_assert_eq(iffa_flowgraph_record_count(g, IFFA_KIND_LEVY),
		     testdb_scalar(db, "SELECT count(*) FROM levy"));
	/* Every account is a vertex; parties without accounts that appear in
	 * party-level records get their own. */
	cr_assert_geq(iffa_flowgraph_vertex_count(g),
		      testdb_scalar(db, "SELECT count(*) FROM account"));

	for (igraph_integer_t e = 0; e < iffa_flowgraph_edge_count(g); e++) {
		if (iffa_flowgraph_edge_kind(g, e) != IFFA_KIND_TRANSFER)
			continue;
		graph_xof += iffa_flowgraph_edge_amount(g, e);
		flows += iffa_flowgraph_edge_flows(g, e);
	}
	cr_assert_eq(flows, 3000);
	/* The same conversion in SQL: the latest rate on or before the day. */
	sql_xof = (double)testdb_scalar(
		db, "SELECT round(sum(t.amount * CASE WHEN t.currency = 'XOF' THEN 1 ELSE "
		    "(SELECT r.xof_per_unit FROM fx_rate r WHERE r.currency = t.currency "
		    "AND r.valid_from <= (t.ts AT TIME ZONE 'UTC')::date "
		    "ORDER BY r.valid_from DESC LIMIT 1) END)) FROM transfer t");
	cr_assert(fabs(graph_xof - sql_xof) <= 1e-9 * sql_xof + 1.0,
		  "graph %.2f XOF, SQL %.2f XOF", graph_xof, sql_xof);
	cr_assert_float_eq(iffa_flowgraph_record_amount(g, IFFA_KIND_TRANSFER), graph_xof,
			   1e-6 * graph_xof);

	iffa_flowgraph_free(g);
	iffa_db_free(db);
}
