/*
 * The paths and intermediaries passes end to end on the real server: a
 * generated scenario is loaded, read with one edge per flow, both passes
 * run, and the accounts they flag are compared with truth.csv. The figures
 * asserted are floors well under those measured (docs/ANALYSIS.md gives
 * the measured ones); a drop below them means the passes got worse.
 */
#include <criterion/criterion.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iffa/analyse.h"
#include "iffa/passes.h"
#include "graph/flowgraph.h"
#include "passes/paths.h"
#include "support/testdb.h"

static char dir[256];

static void cleanup(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

static void generate_and_load(iffa_db *db, uint64_t seed, uint64_t transfers)
{
	static const iffa_load_kind order[] = {
		IFFA_LOAD_PARTY, IFFA_LOAD_ACCOUNT, IFFA_LOAD_DESIGNATION, IFFA_LOAD_FX_RATE,
		IFFA_LOAD_TRANSFER, IFFA_LOAD_RANSOM, IFFA_LOAD_GOLD_LOT, IFFA_LOAD_LEVY,
	};
	iffa_generate_options o = IFFA_GENERATE_OPTIONS_INIT;
	iffa_generate_result r;

	snprintf(dir, sizeof(dir), "/tmp/iffa-test-passes-%ld", (long)getpid());
	o.seed = seed;
	o.transfers = transfers;
	o.out_dir = dir;
	cr_assert_eq(iffa_generate(&r, &o), 0, "%s", iffa_error_last());
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		iffa_load_options lo = IFFA_LOAD_OPTIONS_INIT;
		iffa_load_result lr;
		char path[400];

		snprintf(path, sizeof(path), "%s/%s.csv", dir, iffa_load_kind_name(order[i]));
		iffa_load_result_init(&lr);
		cr_assert_eq(iffa_load_file(&lr, db, order[i], path, &lo), 0, "%s: %s", path,
			     iffa_error_last());
		iffa_load_result_dispose(&lr);
	}
}

/* Planted accounts of truth.csv by account id, and of one structure. */
static void read_truth(uint8_t *planted, uint8_t *ransom, uint8_t *gold, int64_t n, iffa_db *db)
{
	PGresult *res = PQexec(iffa_db_conn(db), "SELECT id, ref FROM account");
	char path[300], line[512];
	FILE *f;

	cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK);
	snprintf(path, sizeof(path), "%s/truth.csv", dir);
	f = fopen(path, "r");
	cr_assert_not_null(f);
	cr_assert_not_null(fgets(line, sizeof(line), f));
	while (fgets(line, sizeof(line), f)) {
		char *structure = strtok(line, ","), *type, *ref;
		strtok(NULL, ",");
		type = strtok(NULL, ",");
		ref = strtok(NULL, ",");
		if (!ref || strcmp(type, "account") != 0)
			continue;
		for (int i = 0; i < PQntuples(res); i++) {
			int64_t id = atoll(PQgetvalue(res, i, 0));
			if (strcmp(PQgetvalue(res, i, 1), ref) != 0 || id >= n)
				continue;
			planted[id] = 1;
			if (strcmp(structure, "ransom_chain") == 0)
				ransom[id] = 1;
			if (strcmp(structure, "gold_chain") == 0)
				gold[id] = 1;
		}
	}
	fclose(f);
	PQclear(res);
}

Test(passes_scenario, flagged_accounts_are_planted_ones, .fini = cleanup, .timeout = 300)
{
	char ci[128];
	iffa_db *db;
	iffa_flowgraph *g = NULL;
	iffa_ingest_options io = IFFA_INGEST_OPTIONS_INIT;
	iffa_findings *f = NULL;
	int64_t n;
	uint8_t *flagged, *planted, *ransom, *gold;
	size_t tp = 0, nflagged = 0, nransom = 0, ransom_found = 0, ngold = 0, gold_found = 0;

	iffa_init();
	testdb_fresh(ci, sizeof(ci), "t_passes_scenario", 1);
	db = testdb_connect(ci);
	generate_and_load(db, 22, 5000);
	io.keep_parallel = 1;
	cr_assert_eq(iffa_ingest(&g, db, &io), 0, "%s", iffa_error_last());
	cr_assert_eq(iffa_findings_new(&f), 0);
	cr_assert_eq(iffa_pass_paths(f, g, NULL), 0, "%s", iffa_error_last());
	cr_assert_eq(iffa_pass_intermediaries(f, g, NULL), 0, "%s", iffa_error_last());

	n = testdb_scalar(db, "SELECT max(id) + 1 FROM account");
	flagged = calloc((size_t)n, 1);
	planted = calloc((size_t)n, 1);
	ransom = calloc((size_t)n, 1);
	gold = calloc((size_t)n, 1);
	cr_assert(flagged && planted && ransom && gold);
	for (size_t i = 0; i < iffa_findings_count(f); i++) {
		const iffa_finding *fd = iffa_findings_get(f, i);
		cr_assert_gt(fd->nevidence, 0);
		for (size_t m = 0; m < fd->nmembers; m++) {
			int64_t key = iffa_flowgraph_vertex_key(g, fd->members[m]);
			if (!(key & 1) && (key >> 1) < n)
				flagged[key >> 1] = 1;
		}
	}
	read_truth(planted, ransom, gold, n, db);
	for (int64_t i = 0; i < n; i++) {
		nflagged += flagged[i];
		tp += flagged[i] && planted[i];
		nransom += ransom[i];
		ransom_found += ransom[i] && flagged[i];
		ngold += gold[i];
		gold_found += gold[i] && flagged[i];
	}
	cr_assert_geq(nflagged, 30, "%zu accounts flagged", nflagged);
	cr_assert_geq((double)tp, 0.95 * (double)nflagged, "precision %zu of %zu", tp, nflagged);
	cr_assert_geq((double)ransom_found, 0.9 * (double)nransom, "ransom chains %zu of %zu",
		      ransom_found, nransom);
	cr_assert_geq((double)gold_found, 0.75 * (double)ngold, "gold chains %zu of %zu", gold_found,
		      ngold);
	free(flagged);
	free(planted);
	free(ransom);
	free(gold);
	iffa_findings_free(f);
	iffa_flowgraph_free(g);
	iffa_db_free(db);
}

/* Findings equal one by one: pass, kind, subject, score, reason, evidence and members. */
static void assert_same_findings(const iffa_findings *a, const iffa_findings *b, const char *what)
{
	cr_assert_eq(iffa_findings_count(a), iffa_findings_count(b), "%s: %zu against %zu findings",
		     what, iffa_findings_count(a), iffa_findings_count(b));
	for (size_t i = 0; i < iffa_findings_count(a); i++) {
		const iffa_finding *x = iffa_findings_get(a, i), *y = iffa_findings_get(b, i);
		cr_assert_str_eq(x->pass, y->pass, "%s: finding %zu", what, i);
		cr_assert_str_eq(x->kind, y->kind, "%s: finding %zu", what, i);
		cr_assert_str_eq(x->reason, y->reason, "%s: finding %zu", what, i);
		cr_assert_eq(x->subject_type, y->subject_type, "%s: finding %zu", what, i);
		cr_assert_eq(x->subject, y->subject, "%s: finding %zu", what, i);
		cr_assert(x->score == y->score, "%s: finding %zu: score %.17g against %.17g", what, i,
			  x->score, y->score);
		cr_assert_eq(x->nevidence, y->nevidence, "%s: finding %zu", what, i);
		cr_assert_eq(x->nmembers, y->nmembers, "%s: finding %zu", what, i);
		cr_assert_arr_eq(x->evidence, y->evidence, x->nevidence * sizeof(*x->evidence),
				 "%s: finding %zu", what, i);
		cr_assert_arr_eq(x->members, y->members, x->nmembers * sizeof(*x->members),
				 "%s: finding %zu", what, i);
	}
}

/*
 * The walks run on several threads and the intermediaries pass takes the
 * paths pass's walks within an analysis: neither may change a finding. One
 * thread against four (more than this machine's cores, so that chunks
 * finish out of order), and the two passes run alone against the same two
 * run as one analysis.
 */
Test(passes_scenario, threads_and_shared_walks_change_no_finding, .fini = cleanup, .timeout = 300)
{
	char ci[128];
	iffa_db *db;
	iffa_flowgraph *g = NULL;
	iffa_findings *one = NULL, *four = NULL, *run = NULL;
	iffa_paths_params p = IFFA_PATHS_PARAMS_INIT;
	iffa_intermediaries_params ip = IFFA_INTERMEDIARIES_PARAMS_INIT;
	iffa_analysis *a = NULL;

	iffa_init();
	testdb_fresh(ci, sizeof(ci), "t_passes_threads", 1);
	db = testdb_connect(ci);
	generate_and_load(db, 23, 20000);
	cr_assert_eq(iffa_ingest(&g, db, NULL), 0, "%s", iffa_error_last());
	cr_assert_eq(iffa_findings_new(&one), 0);
	cr_assert_eq(iffa_findings_new(&four), 0);
	cr_assert_eq(iffa_findings_new(&run), 0);

	p.workers = ip.walk.workers = 1;
	cr_assert_eq(iffa_pass_paths(one, g, &p), 0, "%s", iffa_error_last());
	cr_assert_eq(iffa_pass_intermediaries(one, g, &ip), 0, "%s", iffa_error_last());
	cr_assert_gt(iffa_findings_count(one), 20, "%zu findings", iffa_findings_count(one));
	p.workers = ip.walk.workers = 4;
	cr_assert_eq(iffa_pass_paths(four, g, &p), 0, "%s", iffa_error_last());
	cr_assert_eq(iffa_pass_intermediaries(four, g, &ip), 0, "%s", iffa_error_last());
	assert_same_findings(one, four, "1 against 4 workers");

	/* The walks themselves, from every transfer: the same paths in the same order. */
	{
		iffa_walk *w = NULL;
		iffa_walk_limits lim;
		iffa_walk_paths pw[2];
		iffa_walk_source *src = calloc((size_t)iffa_flowgraph_edge_count(g), sizeof(*src));
		size_t ns = 0;

		cr_assert_not_null(src);
		memset(pw, 0, sizeof(pw));
		cr_assert_eq(iffa_walk__new(&w, g, IFFA_WALK_FORWARD, 1), 0, "%s", iffa_error_last());
		for (igraph_integer_t e = 0; e < iffa_flowgraph_edge_count(g); e++)
			if (g->ekind[e] == IFFA_KIND_TRANSFER)
				src[ns++] = (iffa_walk_source){e, g->eamount[e], 0, 0};
		cr_assert_gt(ns, 4096, "%zu sources", ns);
		iffa_paths__limits(&lim, &p);
		for (int k = 0; k < 2; k++) {
			lim.workers = k ? 4 : 1;
			cr_assert_eq(iffa_walk__run(&pw[k], w, src, ns, &lim, NULL), 0, "%s",
				     iffa_error_last());
		}
		cr_assert_gt(pw[0].npaths, 1000, "%zu paths", pw[0].npaths);
		cr_assert_eq(pw[0].npaths, pw[1].npaths);
		cr_assert_eq(pw[0].nhops, pw[1].nhops);
		cr_assert_eq(pw[0].nedges, pw[1].nedges);
		for (size_t i = 0; i < pw[0].npaths; i++) {
			const iffa_walk_path *x = &pw[0].paths[i], *y = &pw[1].paths[i];
			cr_assert(x->source == y->source && x->start == y->start &&
				  x->amount == y->amount && x->nhops == y->nhops && x->hop0 == y->hop0,
				  "path %zu", i);
		}
		cr_assert_arr_eq(pw[0].hops, pw[1].hops, pw[0].nhops * sizeof(*pw[0].hops));
		cr_assert_arr_eq(pw[0].edges, pw[1].edges, pw[0].nedges * sizeof(*pw[0].edges));
		/* Keeping only paths of 3 hops or more: the same paths as keeping
		 * all and dropping the shorter ones after (none promoted in their
		 * place), hops and edges included. */
		iffa_walk__paths_dispose(&pw[1]);
		lim.min_kept_hops = 3;
		cr_assert_eq(iffa_walk__run(&pw[1], w, src, ns, &lim, NULL), 0, "%s",
			     iffa_error_last());
		{
			size_t j = 0, shorter = 0;
			for (size_t i = 0; i < pw[0].npaths; i++) {
				const iffa_walk_path *x = &pw[0].paths[i], *y;
				const iffa_walk_hop *hx, *hy;
				if (x->nhops < 3) {
					shorter++;
					continue;
				}
				cr_assert_lt(j, pw[1].npaths, "path %zu missing", i);
				y = &pw[1].paths[j++];
				cr_assert(x->source == y->source && x->start == y->start &&
					  x->amount == y->amount && x->nhops == y->nhops,
					  "path %zu", i);
				hx = &pw[0].hops[x->hop0];
				hy = &pw[1].hops[y->hop0];
				for (uint32_t h = 0; h < x->nhops; h++) {
					cr_assert(hx[h].holder == hy[h].holder &&
						  hx[h].carried == hy[h].carried &&
						  hx[h].e1 - hx[h].e0 == hy[h].e1 - hy[h].e0,
						  "path %zu hop %u", i, h);
					cr_assert_arr_eq(pw[0].edges + hx[h].e0, pw[1].edges + hy[h].e0,
							 (hx[h].e1 - hx[h].e0) * sizeof(*pw[0].edges));
				}
			}
			cr_assert_eq(j, pw[1].npaths);
			cr_assert_gt(shorter, 100, "%zu shorter paths", shorter);
			cr_assert_gt(j, 100, "%zu paths kept", j);
		}
		lim.min_kept_hops = 33;
		cr_assert_eq(iffa_walk__run(&pw[1], w, src, ns, &lim, NULL), IFFA_EINVAL);
		iffa_walk__paths_dispose(&pw[0]);
		iffa_walk__paths_dispose(&pw[1]);
		iffa_walk__free(w);
		free(src);
	}

	cr_assert_eq(iffa_analysis_new(&a), 0);
	cr_assert_eq(iffa_analysis_select(a, "paths,intermediaries"), 0, "%s", iffa_error_last());
	cr_assert_eq(iffa_analysis_run_passes(run, a, g, db, NULL), 0, "%s", iffa_error_last());
	assert_same_findings(one, run, "passes alone against one analysis");

	/*
	 * The paths pass beside the passes before it (waiting for exposure's
	 * PageRanks, worked out before every pass), or each pass in its turn.
	 */
	{
		iffa_findings *f[2] = {NULL, NULL};
		for (int k = 0; k < 2; k++) {
			cr_assert_eq(iffa_findings_new(&f[k]), 0);
			cr_assert_eq(iffa_analysis_select(a, "clusters,exposure,typologies,gold,paths,"
							  "intermediaries"), 0);
			cr_assert_eq(iffa_analysis_set(a, "analyse.overlap", k ? "true" : "false"), 0,
				     "%s", iffa_error_last());
			cr_assert_eq(iffa_analysis_run_passes(f[k], a, g, db, NULL), 0, "%s",
				     iffa_error_last());
		}
		cr_assert_gt(iffa_findings_count(f[0]), iffa_findings_count(one));
		assert_same_findings(f[0], f[1], "passes in turn against paths beside");
		iffa_findings_free(f[0]);
		iffa_findings_free(f[1]);
	}

	/* Exposure with its PageRanks worked out before the passes, and alone. */
	{
		iffa_exposure_params ep = IFFA_EXPOSURE_PARAMS_INIT;
		iffa_findings *f[2] = {NULL, NULL};
		cr_assert_eq(iffa_findings_new(&f[0]), 0);
		cr_assert_eq(iffa_findings_new(&f[1]), 0);
		cr_assert_eq(iffa_analysis_select(a, "exposure"), 0);
		cr_assert_eq(iffa_analysis_run_passes(f[0], a, g, db, NULL), 0, "%s",
			     iffa_error_last());
		cr_assert_eq(iffa_pass_exposure(f[1], g, &ep), 0, "%s", iffa_error_last());
		cr_assert_gt(iffa_findings_count(f[0]), 10);
		assert_same_findings(f[0], f[1], "exposure prepared against exposure alone");
		iffa_findings_free(f[0]);
		iffa_findings_free(f[1]);
	}

	iffa_analysis_free(a);
	iffa_findings_free(one);
	iffa_findings_free(four);
	iffa_findings_free(run);
	iffa_flowgraph_free(g);
	iffa_db_free(db);
}
