/*
 * The pass table: every pass `iffa analyse` can run, in running order,
 * with the parameters a configuration file may set. To wire a pass:
 * IFFA_PASS_ADAPTER(name, params_type) and one IFFA_PASS_ROW(name, type,
 * defaults, rows), and one row per field in its parameter array
 * (docs/ANALYSIS.md lists them; keep the two in step).
 */
#include <stddef.h>

#include "analyse/analyse.h"
#include "passes/sources.h"

/* A typed adapter, so the table needs no function-pointer casts. */
#define IFFA_PASS_ADAPTER(name, type)                                                  \
	static int run_##name(iffa_findings *out, const iffa_flowgraph *g,                 \
			      const iffa_pass_env *env, const void *params)                \
	{                                                                                  \
		(void)env;                                                                 \
		return iffa_pass_##name(out, g, (const type *)params);                     \
	}

/* The same for a pass that reads tables of its own through the run's connection. */
#define IFFA_PASS_ADAPTER_DB(name, type)                                               \
	static int run_##name(iffa_findings *out, const iffa_flowgraph *g,                 \
			      const iffa_pass_env *env, const void *params)                \
	{                                                                                  \
		if (!env->db)                                                              \
			return iffa_error_set(IFFA_EINVAL, "pass " #name " reads the database "  \
					      "and was given no connection");                \
		return iffa_pass_##name(out, g, env->db, (const type *)params);            \
	}

/* The same for a pass that shares the run's walks (src/passes/paths.h). */
#define IFFA_PASS_ADAPTER_WALKS(name, type)                                            \
	static int run_##name(iffa_findings *out, const iffa_flowgraph *g,                 \
			      const iffa_pass_env *env, const void *params)                \
	{                                                                                  \
		return iffa_##name##__pass(out, g, (const type *)params, env->walks);      \
	}

#define IFFA_PASS_ROW_AS(name, type, defaults, rows, beside, takes_walks, prepare, release, \
			 waits)                                                            \
	{#name, run_##name, sizeof(type), &(defaults), rows, sizeof(rows) / sizeof(rows[0]),  \
	 beside, takes_walks, prepare, release, waits}
#define IFFA_PASS_ROW(name, type, defaults, rows)                                         \
	IFFA_PASS_ROW_AS(name, type, defaults, rows, 0, 0, NULL, NULL, 0)

/* A pass that calls no igraph function (analyse.overlap). */
#define IFFA_PASS_ROW_BESIDE(name, type, defaults, rows)                                \
	IFFA_PASS_ROW_AS(name, type, defaults, rows, 1, 0, NULL, NULL, 0)

/* The same, holding large indexes: it waits for the prepare steps (iffa_pass_spec.waits). */
#define IFFA_PASS_ROW_BESIDE_WAITS(name, type, defaults, rows)                          \
	IFFA_PASS_ROW_AS(name, type, defaults, rows, 1, 0, NULL, NULL, 1)

/* A pass that takes the walks the paths pass leaves (iffa_pass_spec.takes_walks). */
#define IFFA_PASS_ROW_TAKES_WALKS(name, type, defaults, rows)                           \
	IFFA_PASS_ROW_AS(name, type, defaults, rows, 0, 1, NULL, NULL, 0)

/* A pass with work before every pass (iffa_pass_spec.prepare). */
#define IFFA_PASS_ROW_PREPARED(name, type, defaults, rows)                              \
	IFFA_PASS_ROW_AS(name, type, defaults, rows, 0, 0, prepare_##name, release_##name, 0)

#define F(type, field) offsetof(type, field)

/* ---- analyse: the run's own ---------------------------------------------- */

static const iffa_analyse_params analyse_defaults = IFFA_ANALYSE_PARAMS_INIT;
static const iffa_param_spec analyse_rows[] = {
	{"analyse.seed", IFFA_PARAM_SEED, F(iffa_analyse_params, seed), 0, 0, NULL,
	 "seed of the run; every randomised pass's seed follows it unless set"},
	{"analyse.keep_parallel", IFFA_PARAM_BOOL, F(iffa_analyse_params, keep_parallel), 0, 1, NULL,
	 "read one edge per flow instead of merging parallel flows"},
	{"analyse.overlap", IFFA_PARAM_BOOL, F(iffa_analyse_params, overlap), 0, 1, NULL,
	 "the typologies, gold and paths passes run on a thread of their own beside clusters "
	 "and exposure (faster on several cores; the findings are the same)"},
	{"analyse.parallel_store", IFFA_PARAM_BOOL, F(iffa_analyse_params, parallel_store), 0, 1,
	 NULL, "the exposure rows are written on a second connection while the findings are "
	 "(faster on several cores; the rows are the same)"},
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

/*
 * The exposure pass's PageRanks are worked out before every pass (their
 * transients, PRPACK's copy of the graph, are the run's largest), and the
 * pass takes them; it leaves its scores for the store when asked
 * (env->exposure).
 */
static int prepare_exposure(void **state, const iffa_flowgraph *g, const void *params)
{
	iffa_exposure__ranks *r = malloc(sizeof(*r));
	int error;

	*state = NULL;
	if (!r)
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	if ((error = iffa_exposure__pageranks(r, g, (const iffa_exposure_params *)params)) < 0) {
		free(r);
		return error;
	}
	*state = r;
	return 0;
}

static void release_exposure(void *state)
{
	if (state)
		iffa_exposure__ranks_dispose(state);
	free(state);
}

static int run_exposure(iffa_findings *out, const iffa_flowgraph *g, const iffa_pass_env *env,
			const void *params)
{
	return iffa_exposure__pass(out, g, (const iffa_exposure_params *)params, env->prepared,
				   env->exposure);
}
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

/* ---- typologies ------------------------------------------------------------ */

#define DAYS(n) ((double)(n) * 86400)

IFFA_PASS_ADAPTER(typologies, iffa_typologies_params)
static const iffa_typologies_params typologies_defaults = IFFA_TYPOLOGIES_PARAMS_INIT;
static const iffa_param_spec typologies_rows[] = {
	{"typologies.threshold_mm", IFFA_PARAM_REAL, F(iffa_typologies_params, threshold_mm), 1,
	 1e15, NULL, "mobile-money monitoring threshold, XOF"},
	{"typologies.threshold_cash", IFFA_PARAM_REAL, F(iffa_typologies_params, threshold_cash), 1,
	 1e15, NULL, "cash transaction report threshold, XOF"},
	{"typologies.near_low", IFFA_PARAM_REAL, F(iffa_typologies_params, near_low), 0.01, 0.999,
	 NULL, "a flow from near_low * T up to T is just under threshold T"},
	{"typologies.fan_window", IFFA_PARAM_DURATION, F(iffa_typologies_params, fan_window), 60,
	 DAYS(3660), NULL, "the just-under flows of one fan fall within this window"},
	{"typologies.min_fan", IFFA_PARAM_INT, F(iffa_typologies_params, min_fan), 2, 1e6, NULL,
	 "distinct small accounts in a fan at least"},
	{"typologies.min_devotion", IFFA_PARAM_REAL, F(iffa_typologies_params, min_devotion), 0, 1,
	 NULL, "share of a small account's flows with the hub for it to count"},
	{"typologies.onward_window", IFFA_PARAM_DURATION, F(iffa_typologies_params, onward_window),
	 0, DAYS(3660), NULL, "hub outflows followed this long after a fan-in"},
	{"typologies.onward_share", IFFA_PARAM_REAL, F(iffa_typologies_params, onward_share), 0.01,
	 1, NULL, "an outflow of this share of the fan names its beneficiary"},
	{"typologies.min_cycle_len", IFFA_PARAM_INT, F(iffa_typologies_params, min_cycle_len), 2,
	 12, NULL, "fewest edges in a reported cycle"},
	{"typologies.max_cycle_len", IFFA_PARAM_INT, F(iffa_typologies_params, max_cycle_len), 2,
	 12, NULL, "most edges in a reported cycle"},
	{"typologies.cycle_window", IFFA_PARAM_DURATION, F(iffa_typologies_params, cycle_window),
	 60, DAYS(3660), NULL, "first to last hop of a cycle within this"},
	{"typologies.cycle_max_dwell", IFFA_PARAM_DURATION,
	 F(iffa_typologies_params, cycle_max_dwell), 0, DAYS(3660), NULL,
	 "money leaves each account of a cycle at most this long after it came"},
	{"typologies.cycle_time_order", IFFA_PARAM_BOOL, F(iffa_typologies_params, cycle_time_order),
	 0, 1, NULL, "a cycle's hops must be in time order"},
	{"typologies.cycle_min_amount", IFFA_PARAM_REAL, F(iffa_typologies_params, cycle_min_amount),
	 0, 1e18, NULL, "per-flow XOF of every hop of a cycle at least"},
	{"typologies.cycle_min_retain", IFFA_PARAM_REAL, F(iffa_typologies_params, cycle_min_retain),
	 0.01, 1, NULL, "each hop carries at least this share of the one before"},
	{"typologies.cycle_max_grow", IFFA_PARAM_REAL, F(iffa_typologies_params, cycle_max_grow), 1,
	 100, NULL, "and at most this multiple of it"},
	{"typologies.cycle_min_devotion", IFFA_PARAM_REAL,
	 F(iffa_typologies_params, cycle_min_devotion), 0, 1, NULL,
	 "share of each ring account's inflows that came through the ring"},
	{"typologies.cycle_max_repeats", IFFA_PARAM_INT, F(iffa_typologies_params, cycle_max_repeats),
	 0, 1e9, NULL, "a ring turning more often is routine pooling; 0 no limit"},
	{"typologies.owner_accounts", IFFA_PARAM_BOOL, F(iffa_typologies_params, owner_accounts), 0,
	 1, NULL, "members also hold their owning party's other accounts"},
	{"typologies.max_steps", IFFA_PARAM_INT64, F(iffa_typologies_params, max_steps), 1000, 1e15,
	 NULL, "edges the cycle search looks at, at most (it says when it stops)"},
};

/* ---- gold ------------------------------------------------------------------ */

IFFA_PASS_ADAPTER_DB(gold, iffa_gold_params)
static const iffa_gold_params gold_defaults = IFFA_GOLD_PARAMS_INIT;
static const iffa_param_spec gold_rows[] = {
	{"gold.period_months", IFFA_PARAM_INT, F(iffa_gold_params, period_months), 1, 120, NULL,
	 "length of a period in calendar months"},
	{"gold.mass_tolerance", IFFA_PARAM_REAL, F(iffa_gold_params, mass_tolerance), 0, 100, NULL,
	 "unexplained grams over this share of a trader's volume are reported"},
	{"gold.mass_min_grams", IFFA_PARAM_REAL, F(iffa_gold_params, mass_min_grams), 0, 1e12, NULL,
	 "and over this many grams"},
	{"gold.mass_balance", IFFA_PARAM_BOOL, F(iffa_gold_params, mass_balance), 0, 1, NULL,
	 "report mass-balance findings (off: records rarely cover the upstream)"},
	{"gold.reference_price", IFFA_PARAM_REAL, F(iffa_gold_params, reference_price), 0, 1e12,
	 NULL, "XOF per fine gram; 0: each period's median"},
	{"gold.price_tolerance", IFFA_PARAM_REAL, F(iffa_gold_params, price_tolerance), 0, 10, NULL,
	 "mean price this far off the reference is under- or over-invoicing"},
	{"gold.min_levied_share", IFFA_PARAM_REAL, F(iffa_gold_params, min_levied_share), 0, 1,
	 NULL, "share of grams from levied sites in affected zones that is reported"},
	{"gold.levy_onward_share", IFFA_PARAM_REAL, F(iffa_gold_params, levy_onward_share), 0.01, 1,
	 NULL, "a levy taker's transfer of this share of its levies names the recipient"},
	{"gold.owner_accounts", IFFA_PARAM_BOOL, F(iffa_gold_params, owner_accounts), 0, 1, NULL,
	 "members also hold their owning party's other accounts"},
};

/* ---- paths ----------------------------------------------------------------- */

#define PATHS_SOURCE_NAMES "ransom,levy,gold,designated" /* bit order of IFFA_PATHS_FROM_* */

/* The walk's rows, for the paths pass (prefix "paths.") and the walk the
 * intermediaries pass marks flows with (prefix "intermediaries.walk_");
 * member_share and corridor_top shape the paths pass's findings only. */
#define WALK_ROWS(prefix, type, base)                                                       \
	{prefix "sources", IFFA_PARAM_FLAGS, F(type, base sources), 1, 0, PATHS_SOURCE_NAMES,      \
	 "where walks start: ransoms, levies, levied gold lots, designated payers' flows"},      \
	{prefix "dwell", IFFA_PARAM_DURATION, F(type, base dwell), 0, DAYS(3660), NULL,           \
	 "longest wait between money arriving at a holder and leaving it"},                      \
	{prefix "grace", IFFA_PARAM_DURATION, F(type, base grace), 0, DAYS(3660), NULL,           \
	 "money held longer carries on less, to nothing at the dwell time"},                     \
	{prefix "max_hops", IFFA_PARAM_INT, F(type, base max_hops), 1, 32, NULL,                  \
	 "hops per path, the source's own flow included"},                                       \
	{prefix "min_amount", IFFA_PARAM_REAL, F(type, base min_amount), 0, 1e18, NULL,           \
	 "XOF of source money a path must still carry after every hop"},                         \
	{prefix "min_fraction", IFFA_PARAM_REAL, F(type, base min_fraction), 0, 1, NULL,          \
	 "share of the source amount a path must still carry"},                                  \
	{prefix "max_paths", IFFA_PARAM_SIZE, F(type, base max_paths), 1, 1e9, NULL,              \
	 "paths kept per source, the largest"},                                                  \
	{prefix "max_expansions", IFFA_PARAM_SIZE, F(type, base max_expansions), 1, 1e12, NULL,   \
	 "flows one source's walk may look at"},                                                 \
	{prefix "same_owner", IFFA_PARAM_BOOL, F(type, base same_owner), 0, 1, NULL,              \
	 "account level: one party's accounts are one holder"},                                  \
	{prefix "owner_accounts", IFFA_PARAM_BOOL, F(type, base owner_accounts), 0, 1, NULL,      \
	 "a member holder brings all its owner's accounts"},                                     \
	{prefix "workers", IFFA_PARAM_INT, F(type, base workers), 0, 8, NULL,                     \
	 "threads walking at once; 0 one per CPU (the findings are the same)"}

IFFA_PASS_ADAPTER_WALKS(paths, iffa_paths_params)
static const iffa_paths_params paths_defaults = IFFA_PATHS_PARAMS_INIT;
static const iffa_param_spec paths_rows[] = {
	WALK_ROWS("paths.", iffa_paths_params, ),
	{"paths.member_share", IFFA_PARAM_REAL, F(iffa_paths_params, member_share), 0, 1, NULL,
	 "a holder is a member when the path's money is this share of its inflow"},
	{"paths.corridor_top", IFFA_PARAM_SIZE, F(iffa_paths_params, corridor_top), 1, 1e6, NULL,
	 "paths given as evidence of a corridor"},
	{"paths.relay_min_hops", IFFA_PARAM_INT, F(iffa_paths_params, relay_min_hops), 0, 32, NULL,
	 "relay chains: hops at least; 0 no relay search"},
	{"paths.relay_max_hops", IFFA_PARAM_INT, F(iffa_paths_params, relay_max_hops), 1, 32, NULL,
	 "relay chains: hops followed at most"},
	{"paths.relay_min_borders", IFFA_PARAM_INT, F(iffa_paths_params, relay_min_borders), 0, 31,
	 NULL, "relay chains: changes of country at least"},
	{"paths.relay_min_amount", IFFA_PARAM_REAL, F(iffa_paths_params, relay_min_amount), 0, 1e18,
	 NULL, "relay chains: XOF the first hop moves at least"},
	{"paths.relay_min_retained", IFFA_PARAM_REAL, F(iffa_paths_params, relay_min_retained), 0,
	 1, NULL, "relay chains: share of the first hop's money carried to the end"},
	{"paths.relay_dwell", IFFA_PARAM_DURATION, F(iffa_paths_params, relay_dwell), 0,
	 DAYS(3660), NULL, "relay chains: longest wait at a holder"},
};

/* ---- intermediaries -------------------------------------------------------- */

IFFA_PASS_ADAPTER_WALKS(intermediaries, iffa_intermediaries_params)
static const iffa_intermediaries_params intermediaries_defaults = IFFA_INTERMEDIARIES_PARAMS_INIT;
static const iffa_param_spec intermediaries_rows[] = {
	{"intermediaries.min_share", IFFA_PARAM_REAL, F(iffa_intermediaries_params, min_share), 0, 1,
	 NULL, "share of a vertex's inflow around the marked money that it must be"},
	{"intermediaries.min_amount", IFFA_PARAM_REAL, F(iffa_intermediaries_params, min_amount), 0,
	 1e18, NULL, "XOF of source money that reached a vertex at least"},
	{"intermediaries.min_passed", IFFA_PARAM_REAL, F(iffa_intermediaries_params, min_passed), 0,
	 1, NULL, "share of it the vertex paid on along marked flows"},
	{"intermediaries.pass_dwell", IFFA_PARAM_DURATION, F(iffa_intermediaries_params, pass_dwell),
	 0, DAYS(3660), NULL, "pass-through: money out within this after it came in"},
	{"intermediaries.pass_ratio_low", IFFA_PARAM_REAL,
	 F(iffa_intermediaries_params, pass_ratio_low), 0, 100, NULL,
	 "pass-through: out / in at least"},
	{"intermediaries.pass_ratio_high", IFFA_PARAM_REAL,
	 F(iffa_intermediaries_params, pass_ratio_high), 0, 100, NULL, "and at most"},
	{"intermediaries.hub_sources", IFFA_PARAM_SIZE, F(iffa_intermediaries_params, hub_sources),
	 1, 1e9, NULL, "hub: marked money from at least this many distinct sources"},
	{"intermediaries.min_betweenness", IFFA_PARAM_REAL,
	 F(iffa_intermediaries_params, min_betweenness), 0, 1, NULL,
	 "broker: share of source-to-formal routes through the vertex"},
	{"intermediaries.max_betweenness_sources", IFFA_PARAM_SIZE,
	 F(iffa_intermediaries_params, max_betweenness_sources), 1, 1e9, NULL,
	 "sources for betweenness; a sample above"},
	{"intermediaries.seed", IFFA_PARAM_SEED, F(iffa_intermediaries_params, seed), 0, 0, NULL,
	 "igraph RNG seed for that sample"},
	WALK_ROWS("intermediaries.walk_", iffa_intermediaries_params, walk.),
};

/* ---- the table ------------------------------------------------------------- */

const iffa_pass_spec iffa_analyse__passes[] = {
	{"analyse", NULL, sizeof(iffa_analyse_params), &analyse_defaults, analyse_rows,
	 sizeof(analyse_rows) / sizeof(analyse_rows[0]), 0, 0, NULL, NULL, 0},
	IFFA_PASS_ROW(clusters, iffa_clusters_params, clusters_defaults, clusters_rows),
	IFFA_PASS_ROW_PREPARED(exposure, iffa_exposure_params, exposure_defaults, exposure_rows),
	IFFA_PASS_ROW_BESIDE(typologies, iffa_typologies_params, typologies_defaults,
			     typologies_rows),
	IFFA_PASS_ROW_BESIDE(gold, iffa_gold_params, gold_defaults, gold_rows),
	IFFA_PASS_ROW_BESIDE_WAITS(paths, iffa_paths_params, paths_defaults, paths_rows),
	IFFA_PASS_ROW_TAKES_WALKS(intermediaries, iffa_intermediaries_params,
				  intermediaries_defaults, intermediaries_rows),
};

const size_t iffa_analyse__npasses = sizeof(iffa_analyse__passes) / sizeof(iffa_analyse__passes[0]);
