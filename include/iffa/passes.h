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

#include <igraph.h>

#include "iffa/findings.h"
#include "iffa/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- clusters and exposure (wt-analyse) -------------------------------- */

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

#ifdef __cplusplus
}
#endif
#endif
