/*
 * iffa/passes.h: the analysis passes.
 *
 * Each pass reads a flow graph and appends findings with evidence to an
 * iffa_findings list:
 *
 *     int iffa_pass_<name>(iffa_findings *out, const iffa_flowgraph *g,
 *                          const iffa_<name>_params *p);
 *
 * Parameters live in one struct per pass, started from its
 * IFFA_<NAME>_PARAMS_INIT (the documented defaults; docs/ANALYSIS.md).
 * `iffa analyse` fills them from a configuration file through the
 * parameter table of src/analyse/passes.c.
 *
 * This header is shared: each pass adds its own block below.
 *
 * Sources. Passes that measure exposure start from the same sources:
 * vertices flagged IFFA_VERTEX_DESIGNATED or IFFA_VERTEX_ARMED_GROUP, and
 * "source records": ransom and levy edges (financing of the group by
 * kidnapping and extortion), and gold edges whose seller (the target of
 * the money) is in an affected zone (gold bought under the group's levy).
 */
#ifndef IFFA_PASSES_H
#define IFFA_PASSES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <igraph.h>

#include "iffa/db.h"

#include "iffa/findings.h"
#include "iffa/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- clusters and exposure (src/passes/clusters.c, exposure.c) ------- */

/** Parameters of the clusters pass (defaults in IFFA_CLUSTERS_PARAMS_INIT). */
typedef struct {
	int hops;               /**< prune: keep vertices this many undirected hops from a
				     source (default 2) */
	int expand_degree;      /**< prune: do not expand through vertices of higher degree
				     (hubs stay in, their neighbours do not come with them;
				     default 150) */
	int method;             /**< 0 Leiden (modularity), 1 multilevel (Louvain); default 0 */
	double resolution;      /**< modularity resolution gamma (default 1.0) */
	double beta;            /**< Leiden randomness (default 0.01) */
	int iterations;         /**< Leiden iterations, negative: until stable (default -1) */
	uint64_t seed;          /**< igraph RNG seed (default 1) */
	double min_tie;         /**< a member joins the flagged core when at least this share
				     of its XOF (in and out, whole graph) is with the core
				     (default 0.5) */
	double min_tie_xof;     /**< and at least this much XOF with the core, so that a
				     broker's small licit clients stay out (default 1,000,000) */
	int core_rounds;        /**< rounds of core growth from the sources (default 2) */
	double min_source_xof;  /**< a cluster needs this much XOF on source records or with
				     designated/armed vertices (default 1,000,000) */
	int min_core;           /**< and at least this many flagged members (default 2) */
	int max_evidence;       /**< evidence edges per cluster (default 40) */
} iffa_clusters_params;

#define IFFA_CLUSTERS_PARAMS_INIT {2, 150, 0, 1.0, 0.01, -1, 1, 0.5, 1e6, 2, 1e6, 2, 40}

/**
 * Clusters: weak components, then communities (Leiden or multilevel) on the
 * neighbourhood of the sources, each scored by its exposure; only the
 * members tied to the sources by money are flagged: a core grows from the
 * seeds (source vertices and parties to source records), adding vertices
 * with at least min_tie of their XOF (and min_tie_xof) with the core.
 * Findings of kind "exposed_cluster", subject IFFA_SUBJECT_CLUSTER; members
 * are the core members attached to the community; evidence their edges
 * among the core, source money first, then by amount.
 * Score: log10(1 + S / 1e6) * (0.5 + 0.5 * S / (I + B)) for S the XOF of
 * source money touching the community, I the XOF inside it and B the XOF
 * crossing its boundary. docs/ANALYSIS.md has the method.
 *
 * Time complexity: O(|V| + |E|) for components and pruning, Leiden on the
 * pruned graph (about O(|E'|) per iteration, after an O(|E'| log |E'|)
 * merge of parallel edges) and O(|E| * core_rounds) for the core.
 * Seeds igraph's default RNG with p->seed (not thread-safe; igraph is not).
 *
 * @return 0, IFFA_EINVAL (bad parameters), IFFA_ENOMEM or IFFA_ERROR (igraph)
 */
int iffa_pass_clusters(iffa_findings *out, const iffa_flowgraph *g, const iffa_clusters_params *p);

/** Parameters of the exposure pass (defaults in IFFA_EXPOSURE_PARAMS_INIT). */
typedef struct {
	double threshold;     /**< share (0..1) of money from or to sources that flags a
				   vertex (default 0.25) */
	double min_xof;       /**< and at least this much XOF from or to sources
				   (default 1,000,000) */
	double damping;       /**< personalised PageRank damping (default 0.85) */
	int gold_affected;    /**< gold bought in affected zones counts as a source
				   record (default 1) */
	int pool_party;       /**< at account level, the accounts of one party pool their
				   money: transfers between them are not recorded (cash,
				   the same person), so taint crosses from one to the
				   other (default 1) */
	int max_path;         /**< edges in an explanation path at most (default 12) */
	int max_findings;     /**< findings at most, highest first; 0: no limit (default 0) */
} iffa_exposure_params;

#define IFFA_EXPOSURE_PARAMS_INIT {0.25, 1e6, 0.85, 1, 1, 12, 0}

/**
 * Exposure: every vertex gets
 * - taint: the share of the XOF it received that came, directly or
 *   through chains, from sources (proportional taint in time order);
 * - funding: the share of the XOF it paid that went, directly or through
 *   chains, to sources (the same, backwards in time);
 * - personalised PageRank along the money from the sources, and against
 *   it towards them, on amount-weighted edges (igraph);
 * - hops to the nearest source (undirected).
 * Findings: kind "source" (designated or armed-group vertex), "record_party"
 * (an end of a source record), "proceeds" (taint share >= threshold and
 * tainted XOF >= min_xof) or "funding" (the same for funding), each with
 * the top contributing path as evidence. Score: 1 for sources and record
 * parties, else the larger share.
 *
 * Time complexity: O(|V| + |E|) for taint, funding and hops; PageRank
 * (PRPACK) about O(|E|) per iteration.
 *
 * @return 0, IFFA_EINVAL, IFFA_ENOMEM or IFFA_ERROR (igraph)
 */
int iffa_pass_exposure(iffa_findings *out, const iffa_flowgraph *g, const iffa_exposure_params *p);

/** Exposure scores of every vertex of a graph (opaque); iffa_exposure_new(). */
typedef struct iffa_exposure iffa_exposure;

/**
 * Compute the exposure of every vertex (what iffa_pass_exposure() uses),
 * for repeated look-ups with iffa_exposure_of(), e.g. by screening.
 * @param out  receives the scores; free with iffa_exposure_free(). It
 *             borrows `g`, which must outlive it.
 * @return 0, IFFA_EINVAL, IFFA_ENOMEM or IFFA_ERROR (igraph)
 */
int iffa_exposure_new(iffa_exposure **out, const iffa_flowgraph *g, const iffa_exposure_params *p);

/** Free exposure scores. Accepts NULL. */
void iffa_exposure_free(iffa_exposure *x);

/** Which way a vertex is exposed. */
typedef enum {
	IFFA_EXPOSURE_NONE = 0,
	IFFA_EXPOSURE_SOURCE,      /**< designated or armed-group vertex itself */
	IFFA_EXPOSURE_RECORD,      /**< payer or payee of a source record */
	IFFA_EXPOSURE_PROCEEDS,    /**< received money that came from sources */
	IFFA_EXPOSURE_FUNDING      /**< paid money that went to sources */
} iffa_exposure_way;

/** Exposure of one vertex (caller-owned; iffa_exposure_result_dispose()). */
typedef struct {
	iffa_exposure_way way;     /**< the strongest way */
	int flagged;               /**< 1 when the pass would report it */
	double score;              /**< 0..1: 1 for sources and record parties, else the
				        larger of taint and funding */
	double taint;              /**< share of XOF received from sources, 0..1 */
	double tainted_xof;        /**< XOF received from sources */
	double funding;            /**< share of XOF paid to sources, 0..1 */
	double funding_xof;        /**< XOF paid to sources */
	double ppr_from;           /**< PageRank from the sources along money, times |V|
				        (1 = the uniform share) */
	double ppr_to;             /**< PageRank towards the sources against money, times |V| */
	int hops;                  /**< undirected hops to the nearest source, -1 none */
	igraph_integer_t *path;    /**< edge ids of the top contributing path in money
				        order (malloc'd), NULL when none */
	size_t npath;
} iffa_exposure_result;

/**
 * Exposure of vertex `v`, with its explanation path: for proceeds, the
 * chain of incoming edges that carried the most tainted XOF back to a
 * source (time-respecting: each edge starts no later than the next);
 * for funding, the chain of outgoing edges to a source. O(path * degree).
 * @param out  filled; dispose with iffa_exposure_result_dispose()
 * @return 0, IFFA_EINVAL (vertex out of range) or IFFA_ENOMEM
 */
int iffa_exposure_of(iffa_exposure_result *out, const iffa_exposure *x, igraph_integer_t v);

/** Free what a result holds. Accepts a zeroed result. */
void iffa_exposure_result_dispose(iffa_exposure_result *r);

/** "none", "source", "record_party", "proceeds" or "funding". */
const char *iffa_exposure_way_name(iffa_exposure_way w);

/* ---- end of clusters and exposure --------------------------------------- */

/* ------------------------------------------------------------------ */
/* typologies (src/passes/typologies.c)                               */
/* ------------------------------------------------------------------ */

/**
 * Parameters of the typologies pass. Amounts are XOF, times UTC µs.
 * "Per-flow amount" is an edge's amount divided by its flows, so that an
 * aggregated graph and one with parallel edges read alike (the pass is
 * exact on a graph read with keep_parallel; on an aggregated one an edge is
 * a time interval [first, last] and its mean flow).
 */
typedef struct {
	/* Structuring (fan-in, fan-out, scatter-gather, gather-scatter). */
	double threshold_mm;     /**< mobile-money monitoring threshold; 1,000,000
				      (the scenario's, docs/GENERATOR.md) */
	double threshold_cash;   /**< cash transaction report threshold; 5,000,000
				      (the WAEMU CTR threshold the scenario assumes) */
	double near_low;         /**< a mobile-money or cash flow is "just under"
				      its threshold T when near_low * T <= amount < T;
				      0.5 */
	int64_t fan_window;      /**< the just-under flows of one fan must fall in a
				      window this long; 14 days */
	int min_fan;             /**< distinct small accounts in that window; 5 */
	double min_devotion;     /**< a small account counts only when its just-under
				      flows to (from) the hub are at least this share
				      of all it sends (receives), own accounts left
				      out: mules exist for the purpose, a merchant's
				      customers do not; 0.5 */
	int64_t onward_window;   /**< after a fan-in, the hub's outflows this long
				      after the last just-under flow are followed;
				      10 days */
	double onward_share;     /**< an outflow of at least this share of what the
				      fan gathered names its recipient (the
				      beneficiary); 0.25 */
	/* Cycles (round-tripping). */
	int min_cycle_len;       /**< fewest edges in a reported cycle; 3 (A->B->A is
				      too often a loan and its repayment) */
	int max_cycle_len;       /**< most edges; 6, at most 12 */
	int64_t cycle_window;    /**< first to last hop of a cycle; 30 days */
	int64_t cycle_max_dwell; /**< time order only: money leaves each account at
				      most this long after it arrived (pass-through);
				      7 days */
	int cycle_time_order;    /**< 1: hops in time order (money must arrive before
				      it leaves); 0: any order (for data whose steps
				      are not ordered, e.g. AMLSim) */
	double cycle_min_amount; /**< per-flow XOF of every hop at least; 1,000,000 */
	double cycle_min_retain; /**< each hop carries at least this share of the hop
				      before it; 0.95 (a round trip keeps 1-3 % per
				      hop; at 0.8 chains of ordinary payments closed
				      by chance) */
	double cycle_max_grow;   /**< and at most this multiple of it; 1.005 (money
				      does not grow on the way; the 0.5 % is for
				      rounding and exchange rates) */
	double cycle_min_devotion; /**< every account of the ring but the origin
				      received at least this share of all its
				      inflows through the ring (a round trip's hops
				      are there for it; busy merchants trading back
				      and forth are not); 0.2 */
	int cycle_max_repeats;   /**< the same ring of accounts turning more often
				      than this (distinct loops, time order only) is
				      routine cash pooling, not reported; 3; 0 for
				      no limit */
	int owner_accounts;      /**< 1: members also hold every other vertex of a
				      member's owning party (at account level: the
				      person's other wallets and accounts; the
				      subject of an investigation is the party); 1 */
	int64_t max_steps;       /**< search budget: edges looked at by the cycle
				      search over the whole graph; the search stops
				      (and says so in the stats) past it; 50,000,000 */
} iffa_typologies_params;

#define IFFA_TYPOLOGIES_DAY ((int64_t)86400 * 1000000)

#define IFFA_TYPOLOGIES_PARAMS_INIT                                                            \
	{1000000.0, 5000000.0, 0.5, 14 * IFFA_TYPOLOGIES_DAY, 5, 0.5, 10 * IFFA_TYPOLOGIES_DAY, \
	 0.25, 3, 6, 30 * IFFA_TYPOLOGIES_DAY, 7 * IFFA_TYPOLOGIES_DAY, 1, 1000000.0, 0.95,   \
	 1.005, 0.2, 3, 1, 50000000}

/** What the typologies pass did, for the run record. */
typedef struct {
	size_t near_flows;       /**< edges just under a threshold */
	size_t fan_in;           /**< findings of each kind */
	size_t fan_out;
	size_t scatter_gather;
	size_t gather_scatter;
	size_t cycles_found;     /**< distinct time-respecting loops found */
	size_t cycles_routine;   /**< of which dropped as routine (repeats) */
	size_t cycles_busy;      /**< of which dropped: a hop's inflows are mostly other money */
	size_t cycle_rings;      /**< cycle findings (one per ring of accounts) */
	int64_t steps;           /**< edges looked at by the cycle search */
	int truncated;           /**< 1 when max_steps stopped the search */
} iffa_typologies_stats;

/**
 * The typologies pass: structuring through many small accounts just under
 * a reporting threshold (fan_in, fan_out, scatter_gather, gather_scatter)
 * and money that returns to its origin (cycle). docs/ANALYSIS.md
 * ("Typologies") gives the rules, scores and measured precision and recall.
 *
 * Findings (pass "typologies"): subject the hub vertex for fans (account or
 * party by the graph's level), a cluster for scatter_gather and cycle;
 * evidence the just-under edges (fans), the edges of the loops (cycle, in
 * hop order); members every vertex involved. Scores are in (0, 1].
 *
 * Time complexity: O(|V| + |E| log |E|) for the fans; the cycle search is
 * a depth-first search bounded by max_cycle_len, cycle_window and the
 * amount rule, at most max_steps edges in all (without the bounds it would
 * be exponential in the length).
 *
 * @param out    findings are appended here
 * @param g      the flow graph
 * @param p      parameters; NULL for IFFA_TYPOLOGIES_PARAMS_INIT
 * @return 0, IFFA_EINVAL (a parameter out of range, named), IFFA_ENOMEM
 */
int iffa_pass_typologies(iffa_findings *out, const iffa_flowgraph *g,
			 const iffa_typologies_params *p);

/** Same, and fill `stats` (may be NULL). */
int iffa_pass_typologies_ex(iffa_findings *out, const iffa_flowgraph *g,
			    const iffa_typologies_params *p, iffa_typologies_stats *stats);

/* ------------------------------------------------------------------ */
/* gold (src/passes/gold.c)                                           */
/* ------------------------------------------------------------------ */

/**
 * Parameters of the gold pass. Grams are of the lot as weighed; "fine
 * grams" are grams times fineness. Prices are XOF per fine gram.
 */
typedef struct {
	int period_months;        /**< length of a period in calendar months (UTC);
				       1; periods start on the 1st of a month */
	double mass_tolerance;    /**< gold sold beyond what was bought (up to the
				       end of each period, stock carried over) or
				       bought and never sold is reported when it is
				       over this share of the trader's volume; 0.2 */
	double mass_min_grams;    /**< and over this many grams; 100 */
	int mass_balance;         /**< 1: report mass-balance findings; 0, because
				       on the generated scenarios every licit
				       collector sells about three times what its
				       recorded purchases explain (the informal
				       upstream) while the planted chains balance:
				       measured, it flagged 17 innocent traders and
				       no one planted that levied sourcing missed
				       (docs/ANALYSIS.md). Turn it on where the
				       records cover a trader's purchases */
	double reference_price;   /**< XOF per fine gram; 0: the period's median
				       price per fine gram over all lots */
	double price_tolerance;   /**< a trader's mean price per fine gram in a
				       period below (1 - t) or above (1 + t) times
				       the reference is under- or over-invoicing;
				       0.3 */
	double min_levied_share;  /**< share of a trader's grams whose origin site
				       is in an affected zone and pays a levy, above
				       which it is reported; 0.2 */
	double levy_onward_share; /**< a levy taker's transfer (from any of its
				       accounts, after the first levy) of at least
				       this share of the levies it took names who it
				       passed them on to; 0.5 */
	int owner_accounts;       /**< 1: members also hold every other vertex of a
				       member's owning party; 1 */
} iffa_gold_params;

#define IFFA_GOLD_PARAMS_INIT {1, 0.2, 100.0, 0, 0.0, 0.3, 0.2, 0.5, 1}

/**
 * The gold pass. For every trader (party of kind collector, comptoir,
 * exporter or refinery, and any party that both buys and sells lots) and
 * every period: grams bought against grams sold (gold_mass_balance), the
 * mean price per fine gram against the reference (gold_under_invoicing,
 * gold_over_invoicing), and the share of grams from levied sites in
 * affected zones (gold_levied_sourcing), with the money paid for that gold
 * followed back to its payers (the buyers, members of the finding), and
 * the sites' levies followed to their takers and one hop on.
 *
 * Grams are not in the flow graph: the lots are read from the gold_lot
 * table through `db` in one parameterised query (window of the graph),
 * value converted to XOF with fx_rate as the ingest does. Evidence edges are
 * the graph's gold edges (buyer -> seller, kind gold) of the lots, so the
 * graph must have been read with the gold kind and the `none` channel.
 * A site is "levied" when it pays a levy (a levy edge leaves it); it is in
 * an affected zone when its vertex carries IFFA_VERTEX_AFFECTED_ZONE.
 *
 * Time complexity: O(L log L + |E|) for L lots.
 *
 * @param out  findings are appended here
 * @param g    the flow graph (read from the same database)
 * @param db   a connection outside any transaction; left outside one
 * @param p    parameters; NULL for IFFA_GOLD_PARAMS_INIT
 * @return 0, IFFA_EINVAL (a parameter out of range; a lot whose party is
 *         not in the graph; a currency without rate), IFFA_EDB, IFFA_ENOMEM
 */
int iffa_pass_gold(iffa_findings *out, const iffa_flowgraph *g, iffa_db *db,
		   const iffa_gold_params *p);

/* end typologies and gold */

/* ------------------------------------------------------------------ */
/* paths and trace (src/passes/paths.c, src/passes/walk.c)            */
/* ------------------------------------------------------------------ */

/** One day in UTC µs, for dwell times. */
#define IFFA_PATHS_DAY INT64_C(86400000000)

/** Where the paths pass starts walks (bits of iffa_paths_params.sources). */
enum {
	IFFA_PATHS_FROM_RANSOM = 1 << 0,     /**< each ransom, from its payer */
	IFFA_PATHS_FROM_LEVY = 1 << 1,       /**< each levy, from its payer */
	IFFA_PATHS_FROM_GOLD = 1 << 2,       /**< each gold lot sold from an affected zone, by
					          an armed group or designated party, or by a
					          levy payer (a levied mine site): the gold is
					          followed lot after lot, seller to buyer */
	IFFA_PATHS_FROM_DESIGNATED = 1 << 3, /**< each flow paid by an armed-group or
					          designated vertex */
	IFFA_PATHS_FROM_ALL = 0xf
};

/**
 * Parameters of the paths pass (time-respecting, amount-bounded,
 * cross-border paths from the sources above). Amounts XOF, times UTC µs.
 * The walk is exact on a graph read with keep_parallel (each edge one
 * flow); on an aggregated graph an edge is a time interval [first, last]
 * and a hop is taken when some of its flows may follow (docs/ANALYSIS.md).
 */
typedef struct {
	unsigned sources;          /**< IFFA_PATHS_FROM_* bits; default all */
	int64_t dwell;             /**< longest wait between arriving at a holder and
				        leaving it; 30 days */
	int64_t grace;             /**< money held longer than this carries on less: the
				        share attributed to the source falls linearly to
				        0 at dwell (gold lots excepted); 7 days */
	int max_hops;              /**< hops per path, source flow included (1..32); 6,
				        a ransom's further legs not counted */
	double min_amount;         /**< XOF of source money a path must still carry after
				        every hop; 500,000 */
	double min_fraction;       /**< share of the source amount it must still carry;
				        0.05 */
	double member_share;       /**< a vertex is a member (flagged) when the money the
				        path brought is at least this share of what the
				        vertex received over the dwell time before it
				        passed it on; 0.5. The source vertex always is. */
	size_t max_paths;          /**< paths kept per source, the largest; 16 */
	size_t max_expansions;     /**< flows a source's walk may look at; 20,000 */
	size_t corridor_top;       /**< paths given as evidence of a corridor; 5 */
	int same_owner;            /**< account level: the accounts of one party are one
				        holder (money moves between them freely); 1 */
	int owner_accounts;        /**< with same_owner: a member holder brings all its
				        accounts, not only those its flows touched; 1 */
	/* Relay chains: money handed on whole from holder to holder across
	 * borders, whether or not a source is known (layering). */
	int relay_min_hops;        /**< hops a relay chain has at least; 0 turns the search
				        off; 4 */
	int relay_max_hops;        /**< hops followed at most (1..32); 8 */
	int relay_min_borders;     /**< border crossings (changes of country along the
				        chain) at least; 2 */
	double relay_min_amount;   /**< XOF the first hop moves at least; 2,000,000 */
	double relay_min_retained; /**< share of the first hop's money the chain still
				        carries at its end; 0.6 */
	int64_t relay_dwell;       /**< longest wait at a holder of the chain; 2 days */
	int workers;               /**< threads walking at once (0..8); 0, the default: one
				        per CPU. The findings are the same whatever the
				        number. */
} iffa_paths_params;

#define IFFA_PATHS_PARAMS_INIT \
	{IFFA_PATHS_FROM_ALL, 30 * IFFA_PATHS_DAY, 7 * IFFA_PATHS_DAY, 6, 500000.0, 0.05, 0.5, \
	 16, 20000, 5, 1, 1, 4, 8, 2, 2000000.0, 0.6, 2 * IFFA_PATHS_DAY, 0}

/**
 * The paths pass: walks from every source (see IFFA_PATHS_FROM_*), keeps
 * the paths that cross a border (the countries of the vertices along them
 * differ), merges paths with the same holders in the same order, and
 * reports
 *
 *   - one finding per path: pass "paths", kind "cross_border_path",
 *     subject IFFA_SUBJECT_PATH (-1), score the XOF carried in millions,
 *     evidence the edges hop by hop (each hop's flows by time), members
 *     the vertices holding at least member_share of source money;
 *   - one finding per corridor (the sequence of countries): kind
 *     "corridor", subject IFFA_SUBJECT_CLUSTER (-1), score the XOF of its
 *     paths in millions, evidence the edges of its corridor_top largest
 *     paths, members theirs;
 *   - one finding per relay chain (with relay_min_hops > 0): kind
 *     "relay_chain", subject IFFA_SUBJECT_PATH (-1), money that went on
 *     nearly whole (relay_min_retained) through at least relay_min_hops
 *     hops, each within relay_dwell of the one before, across at least
 *     relay_min_borders borders, from any flow of relay_min_amount or
 *     more; score the XOF carried in millions, evidence the hops' edges,
 *     members every holder along it.
 *
 * Time complexity: O(|V| + |E|) to index, plus O(X log X) per source for
 * X = max_expansions at worst (docs/ANALYSIS.md has figures).
 *
 * @return 0, IFFA_EINVAL (parameters out of range) or IFFA_ENOMEM
 */
int iffa_pass_paths(iffa_findings *out, const iffa_flowgraph *g, const iffa_paths_params *p);

/** Which way `iffa trace` follows the money. */
typedef enum {
	IFFA_TRACE_FROM = 0, /**< out of the subject, forward in time */
	IFFA_TRACE_TO = 1    /**< into the subject, backward in time */
} iffa_trace_direction;

/** What a trace looks for. Start from IFFA_TRACE_OPTIONS_INIT. */
typedef struct {
	iffa_trace_direction direction;
	int64_t dwell;           /**< UTC µs; 30 days */
	int64_t grace;           /**< UTC µs; 7 days (see iffa_paths_params) */
	int max_hops;            /**< 1..32; 6 */
	double min_amount;       /**< XOF a path must carry at every hop; 100,000 */
	size_t max_paths;        /**< paths returned, the largest; 20 */
	size_t max_sources;      /**< subject's flows walked from, the largest; 1,000 */
	size_t max_expansions;   /**< flows looked at per walk; 100,000 */
	int same_owner;          /**< as in iffa_paths_params; 1 */
} iffa_trace_options;

#define IFFA_TRACE_OPTIONS_INIT \
	{IFFA_TRACE_FROM, 30 * IFFA_PATHS_DAY, 7 * IFFA_PATHS_DAY, 6, 100000.0, 20, 1000, 100000, 1}

/** One hop of a traced path: the flows from one holder to the next. */
typedef struct {
	igraph_integer_t from, to;  /**< vertices: the end of its largest flow */
	double carried;             /**< XOF of the traced money on this hop */
	double share;               /**< the traced money's share of what the receiving end
				         (TO: the paying end) moved over the dwell time */
	int64_t first, last;        /**< UTC µs of its earliest and latest flow */
	const igraph_integer_t *edges; /**< its flows, by time; borrowed from the result */
	size_t nedges;
} iffa_trace_hop;

/** Countries a traced path may name: two per hop at most. */
#define IFFA_TRACE_MAX_COUNTRIES 64

/** One traced path, its hops in the order the money moved. */
typedef struct {
	double amount;              /**< XOF carried end to end */
	char countries[IFFA_TRACE_MAX_COUNTRIES][3]; /**< ISO codes in the order the money
				         passed them (each hop's paying end, then its
				         receiving end), repeats and unknowns dropped */
	size_t ncountries;          /**< two or more: the path crossed a border */
	const iffa_trace_hop *hops; /**< borrowed from the result */
	size_t nhops;
} iffa_trace_path;

/** What iffa_paths_trace() found. Release with iffa_trace_result_dispose(). */
typedef struct {
	iffa_trace_direction direction;
	int64_t subject;            /**< database key traced */
	int64_t dwell;
	int max_hops;
	iffa_trace_path *paths;     /**< by amount, largest first */
	size_t npaths;
	size_t found;               /**< distinct paths before keeping max_paths */
	size_t sources;             /**< subject's flows walked from */
	size_t truncated;           /**< walks stopped by max_expansions */
	char **refs;                /**< after iffa_trace_refs(): ref of each vertex id
				         (NULL where unknown); else NULL */
	igraph_integer_t nrefs;
	char *subject_ref;          /**< after iffa_trace_refs(): the subject's ref */
	void *storage_;             /**< internal */
} iffa_trace_result;

/**
 * The paths out of (IFFA_TRACE_FROM) or into (IFFA_TRACE_TO) one account
 * or party: walks from each of its flows in the graph (the largest
 * max_sources), by the paths pass's rules without its border and member
 * filters, merged by holders as in the pass.
 *
 * @param out  caller-owned; release with iffa_trace_result_dispose() (also
 *             after a failure)
 * @param key  IFFA_KEY_ACCOUNT(id) or IFFA_KEY_PARTY(id); a party at
 *             account level stands for all its accounts
 * @return 0, IFFA_ENOTFOUND (no vertex for `key`), IFFA_EINVAL (options out
 *         of range) or IFFA_ENOMEM
 */
int iffa_paths_trace(iffa_trace_result *out, const iffa_flowgraph *g, int64_t key,
		     const iffa_trace_options *o);

/** Free what a trace holds. Accepts a zeroed struct. */
void iffa_trace_result_dispose(iffa_trace_result *r);

/**
 * Database key of a ref, by a parameterised query on account.ref and
 * party.ref. "account:REF" or "party:REF" names the table; a bare REF
 * found in both is refused as ambiguous.
 * @return 0, IFFA_ENOTFOUND, IFFA_EINVAL (ambiguous) or IFFA_EDB
 */
int iffa_paths_resolve_ref(int64_t *out, iffa_db *db, const char *ref);

/**
 * Read the refs of the vertices the result names (one parameterised query
 * per table), for the writers. @return 0, IFFA_EDB or IFFA_ENOMEM
 */
int iffa_trace_refs(iffa_trace_result *r, iffa_db *db, const iffa_flowgraph *g);

/** Write a trace for people (text) or programs (one JSON object and a newline). */
int iffa_trace_write_text(const iffa_trace_result *r, const iffa_flowgraph *g, FILE *to);
int iffa_trace_write_json(const iffa_trace_result *r, const iffa_flowgraph *g, FILE *to);

/* ------------------------------------------------------------------ */
/* intermediaries (src/passes/intermediaries.c)                        */
/* ------------------------------------------------------------------ */

/**
 * Parameters of the intermediaries pass: who sits between the sources and
 * the formal system on the flows the paths walk marks. Amounts XOF, times
 * UTC µs.
 */
typedef struct {
	iffa_paths_params walk;     /**< the walk that marks flows (its sources, dwell, hops
				         and amount bounds); IFFA_PATHS_PARAMS_INIT */
	double min_share;           /**< least share of a vertex's inflow that marked money
				         must be (over the dwell time around it); 0.5 */
	double min_amount;          /**< least source money that reached a vertex, XOF;
				         1,000,000 */
	double min_passed;          /**< share of it the vertex must have paid on along
				         marked flows; 0.5 */
	int64_t pass_dwell;         /**< pass-through: money out within this after it came
				         in (gold lots: the walk's dwell); 72 h */
	double pass_ratio_low;      /**< pass-through: out / in at least; 0.8 */
	double pass_ratio_high;     /**< and at most (gold is resold at a margin); 1.2 */
	size_t hub_sources;         /**< hub: marked money from at least this many distinct
				         sources; 3 */
	double min_betweenness;     /**< share of source-to-formal routes through a vertex
				         (0..1) to report it as a broker; 0.1 */
	size_t max_betweenness_sources; /**< sources for betweenness, sampled above; 500 */
	uint64_t seed;              /**< igraph RNG seed for that sample; 1 */
} iffa_intermediaries_params;

#define IFFA_INTERMEDIARIES_PARAMS_INIT \
	{IFFA_PATHS_PARAMS_INIT, 0.5, 1000000.0, 0.5, 72 * (IFFA_PATHS_DAY / 24), 0.8, 1.2, 3, \
	 0.1, 500, 1}

/**
 * The intermediaries pass (docs/ANALYSIS.md "Intermediaries").
 * @return 0, IFFA_EINVAL, IFFA_ENOMEM or IFFA_ERROR (igraph)
 */
int iffa_pass_intermediaries(iffa_findings *out, const iffa_flowgraph *g,
			     const iffa_intermediaries_params *p);

#ifdef __cplusplus
}
#endif
#endif
