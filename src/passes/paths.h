/*
 * Routes: the paths of a walk (walk.h) that pass the same holders in the
 * same order, merged into one. The paths pass reports routes and `iffa
 * trace` prints them; both live in this module (paths.c, trace.c).
 */
#ifndef IFFA_SRC_PASSES_PATHS_H
#define IFFA_SRC_PASSES_PATHS_H

#include "iffa/passes.h"
#include "passes/walk.h"

/* Labels of the paths pass's sources (iffa_walk_source.kind). */
enum { SRC_RANSOM, SRC_LEVY, SRC_GOLD, SRC_DESIGNATED, SRC_KINDS };

/** The walks of one mode from the paths pass's sources. */
typedef struct {
	iffa_walk *w;             /* NULL when the mode has no sources selected */
	iffa_walk_source *src;
	size_t nsrc;
	iffa_walk_paths found;    /* second round */
	iffa_walk_stats stats;    /* both rounds */
} iffa_paths__walked;

/**
 * Index `g`, pick the sources of `p` (gold lots when `gold`, money sources
 * otherwise) and walk them in two rounds (paths.c, two_rounds()).
 * @return 0, IFFA_EINVAL or IFFA_ENOMEM; release with iffa_paths__walked_dispose()
 */
int iffa_paths__walk(iffa_paths__walked *out, const iffa_flowgraph *g, const iffa_paths_params *p,
		     int gold);

void iffa_paths__walked_dispose(iffa_paths__walked *x);

/*
 * The walks of one analysis run, kept by the paths pass for the
 * intermediaries pass, which walks the same sources with the same rules
 * (its walk_* parameters, equal to the paths pass's by default). A pass
 * given a memo leaves its walks there (the paths pass) or takes them when
 * they were walked with its parameters (the intermediaries pass), and
 * walks anew otherwise. Owned by the caller of the passes.
 */
typedef struct {
	int valid;
	iffa_paths_params p;          /* the parameters the walks were made with */
	iffa_paths__walked walked[2]; /* money, gold */
} iffa_paths__memo;

void iffa_paths__memo_dispose(iffa_paths__memo *m);

/*
 * The walks of both modes with parameters `p`: taken from `memo` when it
 * holds walks made with the same walk parameters (the memo is emptied),
 * walked otherwise. `memo` may be NULL.
 */
int iffa_paths__walks(iffa_paths__walked walked[2], const iffa_flowgraph *g,
		      const iffa_paths_params *p, iffa_paths__memo *memo);

/* iffa_pass_paths(), leaving its walks in `memo` when not NULL. */
int iffa_paths__pass(iffa_findings *out, const iffa_flowgraph *g, const iffa_paths_params *p,
		     iffa_paths__memo *memo);

/* iffa_pass_intermediaries(), taking the paths pass's walks from `memo`. */
int iffa_intermediaries__pass(iffa_findings *out, const iffa_flowgraph *g,
			      const iffa_intermediaries_params *p, iffa_paths__memo *memo);

/* Countries a route may name: two per hop at most. */
#define IFFA_ROUTE_MAX_COUNTRIES IFFA_TRACE_MAX_COUNTRIES

typedef struct {
	igraph_integer_t holder;  /* reached */
	double share;             /* largest share over the merged paths */
	double exposure;          /* largest exposure over them */
	double carried;           /* largest XOF carried over them */
	double moved;             /* XOF its distinct flows moved: max(transfers, records) */
	int64_t lo, hi;           /* time keys */
	size_t e0, e1;            /* distinct edges, by first time: iffa_routes.edges */
} iffa_route_hop;

typedef struct {
	double amount;            /* min(sum of the merged paths' amounts, smallest hop moved) */
	igraph_integer_t start;   /* holder the first hop leaves */
	uint32_t nhops;
	size_t hop0;              /* iffa_routes.hops[hop0 .. hop0 + nhops) */
	size_t src0, nsrc;        /* distinct sources (indices given to the walk):
				     iffa_routes.srcs[src0 .. src0 + nsrc) */
	uint32_t ncountries;      /* of its corridor (paths.c, route_countries), worked out
				     again where the countries themselves are needed: 192
				     bytes a route held 34 MB for the 10M relay search */
} iffa_route;

typedef struct {
	iffa_route *routes;
	size_t n;
	iffa_route_hop *hops;
	size_t nhops;
	igraph_integer_t *edges;
	size_t nedges;
	size_t *srcs;
	size_t nsrcs;
} iffa_routes;

/**
 * Merge the paths of `p` (found by walks on `w`) that have the same start
 * and holders. Routes come out largest amount first.
 * Time complexity: O(P log P + E log E) for P paths holding E edges.
 * @return 0 or IFFA_ENOMEM; release with iffa_routes__dispose() (also after a failure)
 */
int iffa_routes__merge(iffa_routes *out, const iffa_walk *w, const iffa_walk_paths *p);

void iffa_routes__dispose(iffa_routes *r);

/** The edge of a hop that moved the most (its countries name the hop). */
igraph_integer_t iffa_routes__largest(const iffa_routes *r, const iffa_route_hop *h,
				      const iffa_flowgraph *g);

/** Refuse paths parameters out of range. @return 0 or IFFA_EINVAL naming them */
int iffa_paths__check(const iffa_paths_params *p);

/** The walk limits of paths parameters. */
void iffa_paths__limits(iffa_walk_limits *lim, const iffa_paths_params *p);

/**
 * For each edge, the hops it may add beyond max_hops: a ransom leg's
 * record has that many further legs (legs - 1); 0 for other edges.
 * @param extra  iffa_flowgraph_edge_count() entries
 * @return 0 or IFFA_ENOMEM
 */
int iffa_paths__ransom_extra(int *extra, const iffa_flowgraph *g);

/** Write `amount` XOF for people: "850,000", "12.4 M", "1.25 bn". */
void iffa_paths__format_xof(char *out, size_t size, double amount);

#endif
