/*
 * Time-respecting walks over the flow graph: the search the paths pass,
 * `iffa trace` and the intermediaries pass share. igraph has no temporal
 * paths, so this is written by hand (src/passes/walk.c explains the rules,
 * docs/ANALYSIS.md "Paths" the choices).
 *
 * A walk starts from a source edge and goes on hop by hop. A hop leaves
 * the holder the walk has reached with the flows to one other holder that
 * leave at or after the walk arrived and within the dwell time; it carries
 * at most what the walk carried, and of the hop's flows only the share of
 * the holder's recent inflow that the walk brought (proportional taint).
 * A holder is a vertex, or at account level with `same_owner` every
 * account of one party (a person's money moves between their own accounts
 * without a trace worth following).
 *
 * Three orientations over one graph: money forward in time (out of a
 * source), money backward in time (into a subject, for `iffa trace --to`)
 * and gold forward (gold lots followed from seller to buyer: the stored
 * gold edges run buyer -> seller, as the money does).
 */
#ifndef IFFA_SRC_PASSES_WALK_H
#define IFFA_SRC_PASSES_WALK_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "iffa/common.h"
#include "iffa/graph.h"

/*
 * qsort() that accepts an empty array with a NULL base (C leaves that
 * undefined; UBSan reports it).
 */
static inline void iffa_sort__(void *base, size_t n, size_t size,
			       int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

typedef enum {
	IFFA_WALK_FORWARD = 0, /* money, tail -> head, later in time */
	IFFA_WALK_BACKWARD,    /* money, head -> tail, earlier in time */
	IFFA_WALK_GOLD         /* gold lots only, seller (head) -> buyer (tail), later in time */
} iffa_walk_mode;

/** How far and how wide a walk may go. */
typedef struct {
	int64_t dwell;          /* µs a hop may leave after the walk arrived (>= 0) */
	int64_t grace;          /* µs money may be held before the holding decay starts
				   (money modes: the share carried on falls linearly from
				   1 at grace to 0 at dwell) */
	int max_hops;           /* hops per path, the source edge included (1..32) */
	double min_amount;      /* XOF a path must still carry after each hop */
	double min_fraction;    /* share of the source amount it must still carry (0..1) */
	size_t max_paths;       /* paths kept per source, the largest amounts (>= 1) */
	size_t max_expansions;  /* flows looked at per source before giving up (>= 1) */
	int min_kept_hops;      /* of a source's max_paths largest paths, those of fewer
				   hops are not returned (0..32; 0 returns them all): a
				   caller that reports only long paths need not hold the
				   short ones, and which paths are the largest is the same */
	int workers;            /* threads walking at once; 0: one per CPU, at most 8.
				   The paths are the same whatever the number. */
} iffa_walk_limits;

/** Where a walk starts: one edge, in the mode's orientation. */
typedef struct {
	igraph_integer_t edge;
	double amount;          /* XOF the source puts in: at most the edge's amount */
	int kind;               /* the caller's label of the source (returned with its paths) */
	int extra_hops;         /* hops allowed beyond max_hops (a ransom's further legs) */
} iffa_walk_source;

/** A hop of a path found: the flows from the previous holder to `holder`. */
typedef struct {
	igraph_integer_t holder;  /* holder reached */
	double carried;           /* XOF of source money it carried */
	double share;             /* part of what the holder pays on that is this source's
				     money: carried / its inflow over [lo - dwell, hi], other
				     sources' known money left out (<= 1; 1 in GOLD mode) */
	double exposure;          /* part of that inflow that is source money of any source */
	int64_t lo, hi;           /* when the hop's flows left, time keys (see iffa_walk__time) */
	size_t e0, e1;            /* its edges: iffa_walk_paths.edges[e0 .. e1), by time */
} iffa_walk_hop;

/** A path found: maximal (no significant hop goes on from its end). */
typedef struct {
	size_t source;            /* index into the sources given to iffa_walk__run */
	igraph_integer_t start;   /* holder the source edge leaves */
	double amount;            /* XOF it carries to its end */
	uint32_t nhops;
	size_t hop0;              /* its hops: iffa_walk_paths.hops[hop0 .. hop0 + nhops) */
} iffa_walk_path;

/** Paths of a run. Caller-owned: iffa_walk__paths_dispose(). */
typedef struct {
	iffa_walk_path *paths;
	size_t npaths, cappaths;
	iffa_walk_hop *hops;
	size_t nhops, caphops;
	igraph_integer_t *edges;
	size_t nedges, capedges;
} iffa_walk_paths;

/** What a run did. */
typedef struct {
	size_t sources;         /* sources walked */
	size_t truncated;       /* of which stopped by max_expansions */
	size_t expansions;      /* flows looked at */
	size_t leaves;          /* paths found before keeping max_paths per source */
} iffa_walk_stats;

/** The indexes of one mode over one graph (opaque). */
typedef struct iffa_walk iffa_walk;

/**
 * Index `g` for walks in `mode`: per holder, the flows leaving and the
 * flows arriving, each ordered by time, with running sums of the arriving
 * amounts. Time complexity: O(|V| + |E| log d) for the largest holder
 * degree d (O(|V| + |E|) in FORWARD and GOLD modes, whose order comes from
 * the graph's time index); memory about 52 bytes per edge, more where
 * records or known source money reach many holders.
 *
 * @param same_owner  at account level, an owner's accounts are one holder
 * @return 0 or IFFA_ENOMEM; free with iffa_walk__free()
 */
int iffa_walk__new(iffa_walk **out, const iffa_flowgraph *g, iffa_walk_mode mode, int same_owner);

void iffa_walk__free(iffa_walk *w);

iffa_walk_mode iffa_walk__mode(const iffa_walk *w);

/** The graph the walk indexes, borrowed. */
const iffa_flowgraph *iffa_walk__graph(const iffa_walk *w);

/** Holder of vertex `v`; number of holders. */
igraph_integer_t iffa_walk__holder(const iffa_walk *w, igraph_integer_t v);
igraph_integer_t iffa_walk__holder_count(const iffa_walk *w);

/** Vertices of holder `h` (`*n` of them, by id), borrowed from `w`. */
const uint32_t *iffa_walk__holder_vertices(const iffa_walk *w, igraph_integer_t h, size_t *n);

/** The end of edge `e` a walk leaves from / arrives at, in the mode's orientation. */
igraph_integer_t iffa_walk__from_vertex(const iffa_walk *w, igraph_integer_t e);
igraph_integer_t iffa_walk__to_vertex(const iffa_walk *w, igraph_integer_t e);

/** Edge `e` counts in the mode (GOLD: gold edges only; money: not within one holder). */
int iffa_walk__edge_usable(const iffa_walk *w, igraph_integer_t e);

/**
 * A time key back to UTC µs: keys are times in FORWARD and GOLD mode and
 * negated times in BACKWARD mode (so that "later" always means "larger").
 */
int64_t iffa_walk__time(const iffa_walk *w, int64_t key);

/**
 * Inflow of `holder` (XOF, in the mode's orientation) from flows whose
 * earliest time key lies in [a, b]: transfers and records (ransom, gold,
 * levy) are summed apart and the larger is returned, since a record and
 * the transfer that paid it often describe the same money. O(log d).
 */
double iffa_walk__inflow(const iffa_walk *w, igraph_integer_t holder, int64_t a, int64_t b);

/**
 * Source money known on each edge (XOF, `known[e]` for edge e) after a
 * first round of walks: per source the most any of its paths carried on
 * the edge (a hop's carried amount split over its flows by amount), summed
 * over sources and capped by the edge's amount. `known` must hold
 * iffa_flowgraph_edge_count() zeros (or earlier figures to add to).
 * Time complexity: O(|E| + k log k) for the k edges on one source's paths,
 * and memory for those k only. @return 0 or IFFA_ENOMEM
 */
int iffa_walk__known(double *known, const iffa_walk *w, const iffa_walk_paths *p);

/**
 * Let later walks know the source money on each edge (NULL forgets it):
 * a holder's inflow that is other sources' money then does not dilute a
 * source's share, and counts in its exposure. `known` is read here only (the
 * walk keeps running sums made from it). O(|E|). @return 0 or IFFA_ENOMEM
 */
int iffa_walk__set_known(iffa_walk *w, const double *known);

/**
 * Positions [*p0, *p1) of the flows leaving holder `h` (out = 1) or
 * reaching it (out = 0) whose earliest time key lies in [a, b], in time
 * order; iffa_walk__at() gives their edges. O(log d).
 */
void iffa_walk__range(const iffa_walk *w, int out, igraph_integer_t h, int64_t a, int64_t b,
		      size_t *p0, size_t *p1);
igraph_integer_t iffa_walk__at(const iffa_walk *w, int out, size_t p);

/** Like iffa_walk__inflow(), of the flows leaving. O(log d + flows in the window). */
double iffa_walk__outflow(const iffa_walk *w, igraph_integer_t holder, int64_t a, int64_t b);

/** Like iffa_walk__inflow(), of the known source money. O(log d). */
double iffa_walk__known_inflow(const iffa_walk *w, igraph_integer_t holder, int64_t a, int64_t b);

/**
 * Walk from every source and append the paths found (at most
 * `lim->max_paths` per source, the largest). Sources whose edge is not
 * usable in the mode are skipped. Time complexity: O(S · X · log X) for S
 * sources and X = lim->max_expansions at worst; in practice the amount
 * bounds stop most walks within a few hops.
 *
 * @param out    paths appended; caller-owned
 * @param stats  may be NULL; counts are added to it
 * @return 0, IFFA_EINVAL (limits out of range) or IFFA_ENOMEM
 */
int iffa_walk__run(iffa_walk_paths *out, iffa_walk *w, const iffa_walk_source *sources,
		   size_t nsources, const iffa_walk_limits *lim, iffa_walk_stats *stats);

void iffa_walk__paths_dispose(iffa_walk_paths *p);

#endif
