/*
 * The pass table: every pass `iffa analyse` can run, in running order,
 * with the parameters a configuration file may set. To wire a pass:
 * IFFA_PASS_ADAPTER(name, params_type) and one IFFA_PASS_ROW(name, type,
 * defaults, rows), and one row per field in its parameter array
 * (docs/ANALYSIS.md lists them; keep the two in step).
 */
#include <stddef.h>

#include "analyse/analyse.h"

/* A typed adapter, so the table needs no function-pointer casts. */
#define IFFA_PASS_ADAPTER(name, type)                                                       \
	static int run_##name(iffa_findings *out, const iffa_flowgraph *g, const void *params) \
	{                                                                                       \
		return iffa_pass_##name(out, g, (const type *)params);                          \
	}

#define IFFA_PASS_ROW(name, type, defaults, rows)                                       \
	{#name, run_##name, sizeof(type), &(defaults), rows, sizeof(rows) / sizeof(rows[0])}

#define F(type, field) offsetof(type, field)

/* ---- analyse: the run's own ---------------------------------------------- */

static const iffa_analyse_params analyse_defaults = IFFA_ANALYSE_PARAMS_INIT;
static const iffa_param_spec analyse_rows[] = {
	{"analyse.seed", IFFA_PARAM_SEED, F(iffa_analyse_params, seed), 0, 0, NULL,
	 "seed of the run; every randomised pass's seed follows it unless set"},
	{"analyse.keep_parallel", IFFA_PARAM_BOOL, F(iffa_analyse_params, keep_parallel), 0, 1, NULL,
	 "read one edge per flow instead of merging parallel flows"},
};

/* ---- clusters -------------------------------------------------------------- */

IFFA_PASS_ADAPTER(clusters, iffa_clusters_params)
static const iffa_clusters_params clusters_defaults = IFFA_CLUSTERS_PARAMS_INIT;
static const iffa_param_spec clusters_rows[] = {
	{"clusters.hops", IFFA_PARAM_INT, F(iffa_clusters_params, hops), 0, 10, NULL,
	 "prune to vertices this many undirected hops from a source"},
	{"clusters.expand_degree", IFFA_PARAM_INT, F(iffa_clusters_params, expand_degree), 1, 1e9,
	 NULL, "pruning does not expand through vertices of higher degree"},
	{"clusters.method", IFFA_PARAM_CHOICE, F(iffa_clusters_params, method), 0, 1,
	 "leiden,multilevel", "community detection: Leiden (modularity) or multilevel"},
	{"clusters.resolution", IFFA_PARAM_REAL, F(iffa_clusters_params, resolution), 1e-6, 1e6,
	 NULL, "modularity resolution gamma"},
	{"clusters.beta", IFFA_PARAM_REAL, F(iffa_clusters_params, beta), 1e-6, 1e3, NULL,
	 "Leiden randomness"},
	{"clusters.iterations", IFFA_PARAM_INT, F(iffa_clusters_params, iterations), -1, 1000,
	 NULL, "Leiden iterations; -1 until stable"},
	{"clusters.seed", IFFA_PARAM_SEED, F(iffa_clusters_params, seed), 0, 0, NULL,
	 "igraph RNG seed for the communities"},
	{"clusters.min_tie", IFFA_PARAM_REAL, F(iffa_clusters_params, min_tie), 1e-9, 1, NULL,
	 "share of a member's XOF with the core that flags it"},
	{"clusters.min_tie_xof", IFFA_PARAM_REAL, F(iffa_clusters_params, min_tie_xof), 0, 1e18,
	 NULL, "and XOF with the core at least"},
	{"clusters.core_rounds", IFFA_PARAM_INT, F(iffa_clusters_params, core_rounds), 0, 100,
	 NULL, "rounds of core growth from the sources"},
	{"clusters.min_source_xof", IFFA_PARAM_REAL, F(iffa_clusters_params, min_source_xof), 0,
	 1e18, NULL, "XOF of source money a community needs to be reported"},
	{"clusters.min_core", IFFA_PARAM_INT, F(iffa_clusters_params, min_core), 1, 1e9, NULL,
	 "flagged members a reported community needs"},
	{"clusters.max_evidence", IFFA_PARAM_INT, F(iffa_clusters_params, max_evidence), 1, 1e6,
	 NULL, "evidence edges per cluster"},
};

/* ---- exposure -------------------------------------------------------------- */

IFFA_PASS_ADAPTER(exposure, iffa_exposure_params)
static const iffa_exposure_params exposure_defaults = IFFA_EXPOSURE_PARAMS_INIT;
static const iffa_param_spec exposure_rows[] = {
	{"exposure.threshold", IFFA_PARAM_REAL, F(iffa_exposure_params, threshold), 0, 1, NULL,
	 "share of money from or to sources that flags a vertex"},
	{"exposure.min_xof", IFFA_PARAM_REAL, F(iffa_exposure_params, min_xof), 0, 1e18, NULL,
	 "and XOF from or to sources at least"},
	{"exposure.damping", IFFA_PARAM_REAL, F(iffa_exposure_params, damping), 0.01, 0.99, NULL,
	 "personalised PageRank damping"},
	{"exposure.gold_affected", IFFA_PARAM_BOOL, F(iffa_exposure_params, gold_affected), 0, 1,
	 NULL, "gold bought in affected zones is a source record"},
	{"exposure.pool_party", IFFA_PARAM_BOOL, F(iffa_exposure_params, pool_party), 0, 1, NULL,
	 "account level: one party's accounts pool their money"},
	{"exposure.max_path", IFFA_PARAM_INT, F(iffa_exposure_params, max_path), 1, 1000, NULL,
	 "edges in an explanation path at most"},
	{"exposure.max_findings", IFFA_PARAM_INT, F(iffa_exposure_params, max_findings), 0, 1e9,
	 NULL, "findings at most, highest first; 0 no limit"},
};

/* ---- the table ------------------------------------------------------------- */

const iffa_pass_spec iffa_analyse__passes[] = {
	{"analyse", NULL, sizeof(iffa_analyse_params), &analyse_defaults, analyse_rows,
	 sizeof(analyse_rows) / sizeof(analyse_rows[0])},
	IFFA_PASS_ROW(clusters, iffa_clusters_params, clusters_defaults, clusters_rows),
	IFFA_PASS_ROW(exposure, iffa_exposure_params, exposure_defaults, exposure_rows),
};

const size_t iffa_analyse__npasses = sizeof(iffa_analyse__passes) / sizeof(iffa_analyse__passes[0]);
