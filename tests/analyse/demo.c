/*
 * The bundled demo scenario (graphs/demo, what tools/demo.sh loads) through
 * the default analysis: every planted structure is found, every finding
 * carries evidence and members, and `iffa trace` follows the demo's ransom
 * from its payer across the border to the group's cash account.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "support/testdb.h"

static const iffa_load_kind order[] = {
	IFFA_LOAD_PARTY,    IFFA_LOAD_ACCOUNT, IFFA_LOAD_DESIGNATION, IFFA_LOAD_FX_RATE,
	IFFA_LOAD_TRANSFER, IFFA_LOAD_RANSOM,  IFFA_LOAD_GOLD_LOT,    IFFA_LOAD_LEVY,
	IFFA_LOAD_AFFECTED_ZONE,
};

static iffa_db *demo(const char *name)
{
	char ci[128];
	iffa_db *db;

	iffa_init();
	testdb_fresh(ci, sizeof(ci), name, 1);
	db = testdb_connect(ci);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		iffa_load_options lo = IFFA_LOAD_OPTIONS_INIT;
		iffa_load_result lr;
		char path[400];
		snprintf(path, sizeof(path), "%s/graphs/demo/%s.csv", IFFA_SOURCE_DIR,
			 iffa_load_kind_name(order[i]));
		iffa_load_result_init(&lr);
		cr_assert_eq(iffa_load_file(&lr, db, order[i], path, &lo), 0, "%s: %s", path,
			     iffa_error_last());
		iffa_load_result_dispose(&lr);
	}
	return db;
}

Test(analyse_demo, every_planted_structure_is_found_with_evidence, .timeout = 120)
{
	iffa_db *db = demo("t_analyse_demo_found");
	iffa_analysis *a;
	iffa_evaluation ev;
	int64_t run;

	cr_assert_eq(iffa_analysis_new(&a), 0);
	cr_assert_eq(iffa_analyse(&run, db, a, NULL), 0, "%s", iffa_error_last());
	cr_assert_eq(iffa_evaluate(&ev, db, run, IFFA_SOURCE_DIR "/graphs/demo/truth.csv", 100), 0,
		     "%s", iffa_error_last());
	cr_assert_geq(ev.run_score.recall, 0.9, "recall %.3f", ev.run_score.recall);
	cr_assert_geq(ev.run_score.precision, 0.8, "precision %.3f", ev.run_score.precision);
	cr_assert_gt(ev.run_score.f1, ev.baseline.f1);
	cr_assert_eq(ev.nstructures, 6);
	for (size_t i = 0; i < ev.nstructures; i++) {
		const iffa_evaluation_structure *s = &ev.structures[i];
		cr_assert_geq((double)s->found / (double)s->truth, 0.9, "%s: %zu of %zu", s->structure,
			      s->found, s->truth);
	}
	iffa_evaluation_dispose(&ev);

	/* every pass reported, and no finding lacks evidence or members */
	cr_assert_eq(testdb_scalar(db, "SELECT count(DISTINCT pass) FROM finding"), 6);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM finding WHERE evidence IS NULL"
				       " OR jsonb_array_length(evidence) = 0"),
		     0);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM finding f WHERE NOT EXISTS"
				       " (SELECT 1 FROM finding_member m WHERE m.finding_id = f.id)"),
		     0);
	/* the ransom's path is reported, from its payer, across a border */
	cr_assert_gt(testdb_scalar(db, "SELECT count(*) FROM finding f, jsonb_array_elements(f.evidence) e"
				       " WHERE f.pass = 'paths' AND f.kind = 'cross_border_path'"
				       " AND e->>'kind' = 'ransom' AND e->>'from' = 'A-ML-000655'"),
		     0);
	/* the demo's layering relays are found though no source touches them */
	cr_assert_gt(testdb_scalar(db, "SELECT count(*) FROM finding WHERE kind = 'relay_chain'"), 0);
	iffa_analysis_free(a);
	iffa_db_free(db);
}

Test(analyse_demo, trace_follows_the_ransom_to_the_group, .timeout = 120)
{
	iffa_db *db = demo("t_analyse_demo_trace");
	iffa_ingest_options io = IFFA_INGEST_OPTIONS_INIT;
	iffa_trace_options to = IFFA_TRACE_OPTIONS_INIT;
	iffa_trace_result r;
	iffa_flowgraph *g = NULL;
	int64_t payer, group;
	int reached = 0;

	io.keep_parallel = 1;
	cr_assert_eq(iffa_paths_resolve_ref(&payer, db, "A-ML-000655"), 0, "%s", iffa_error_last());
	cr_assert_eq(iffa_paths_resolve_ref(&group, db, "C-ML-000525"), 0, "%s", iffa_error_last());
	cr_assert_eq(iffa_ingest(&g, db, &io), 0, "%s", iffa_error_last());

	memset(&r, 0, sizeof(r));
	to.direction = IFFA_TRACE_TO;
	cr_assert_eq(iffa_paths_trace(&r, g, group, &to), 0, "%s", iffa_error_last());
	cr_assert_geq(r.npaths, 1);
	for (size_t i = 0; i < r.npaths; i++) {
		const iffa_trace_path *p = &r.paths[i];
		cr_assert_gt(p->nhops, 0);
		if (iffa_flowgraph_vertex_key(g, p->hops[0].from) == payer &&
		    p->ncountries >= 2)
			reached = 1;
	}
	cr_assert(reached, "no path into the group's account starts at the ransom's payer");
	iffa_trace_result_dispose(&r);

	memset(&r, 0, sizeof(r));
	to.direction = IFFA_TRACE_FROM;
	cr_assert_eq(iffa_paths_trace(&r, g, payer, &to), 0, "%s",
		     iffa_error_last());
	cr_assert_geq(r.npaths, 1);
	cr_assert_geq(r.paths[0].ncountries, 2, "the payer's largest path crosses a border");
	iffa_trace_result_dispose(&r);
	iffa_flowgraph_free(g);
	iffa_db_free(db);
}
