/*
 * iffa/passes.h: the analysis passes. Each pass reads a flow graph and
 * appends findings with evidence to an iffa_findings list
 * (iffa/findings.h):
 *
 *     int iffa_pass_<name>(iffa_findings *out, const iffa_flowgraph *g,
 *                          const iffa_<name>_params *p);
 *
 * Every pass has its own parameter struct with an `_INIT` macro holding the
 * documented defaults (docs/ANALYSIS.md), in its own block below. This
 * header is shared: each pass adds its block.
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
} iffa_paths_params;

#define IFFA_PATHS_PARAMS_INIT \
	{IFFA_PATHS_FROM_ALL, 30 * IFFA_PATHS_DAY, 7 * IFFA_PATHS_DAY, 6, 500000.0, 0.05, 0.5, \
	 16, 20000, 5, 1, 1}

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
 *     paths, members theirs.
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
