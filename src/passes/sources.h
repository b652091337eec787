/*
 * What the exposure-measuring passes (clusters, exposure) count as a
 * source: see include/iffa/passes.h. Inline, read straight from the flow
 * graph's arrays.
 */
#ifndef IFFA_SRC_PASSES_SOURCES_H
#define IFFA_SRC_PASSES_SOURCES_H

#include "graph/flowgraph.h"
#include "iffa/passes.h"

/* A designated or armed-group vertex. */
static inline int iffa_passes__source_vertex(const iffa_flowgraph *g, igraph_integer_t v)
{
	return (g->vflags[v] & (IFFA_VERTEX_DESIGNATED | IFFA_VERTEX_ARMED_GROUP)) != 0;
}

/* A ransom or levy edge: the money on it finances the group. */
static inline int iffa_passes__financing_edge(const iffa_flowgraph *g, igraph_integer_t e)
{
	return g->ekind[e] == IFFA_KIND_RANSOM || g->ekind[e] == IFFA_KIND_LEVY;
}

/* A gold edge whose seller (the target of the money) is in an affected zone. */
static inline int iffa_passes__conflict_gold_edge(const iffa_flowgraph *g, igraph_integer_t e)
{
	return g->ekind[e] == IFFA_KIND_GOLD &&
	       (g->vflags[IGRAPH_TO(&g->graph, e)] & IFFA_VERTEX_AFFECTED_ZONE);
}

/* The exposure pass's two personalised PageRanks: per vertex, times |V|. */
typedef struct {
	double *from, *to;
} iffa_exposure__ranks;

/*
 * Work out the PageRanks iffa_exposure_new() would (on igraph's thread:
 * PRPACK through igraph), so that an analysis can run them before any
 * other pass holds memory. @return 0, IFFA_EINVAL, IFFA_ENOMEM, IFFA_ERROR
 */
int iffa_exposure__pageranks(iffa_exposure__ranks *out, const iffa_flowgraph *g,
			     const iffa_exposure_params *p);
void iffa_exposure__ranks_dispose(iffa_exposure__ranks *r);

/*
 * iffa_exposure_new() with the PageRanks already worked out: `ranks`
 * (NULL: worked out here) are taken, whatever the outcome, and left NULL.
 */
int iffa_exposure__new(iffa_exposure **out, const iffa_flowgraph *g, const iffa_exposure_params *p,
		       iffa_exposure__ranks *ranks);

/*
 * iffa_pass_exposure(), with the PageRanks worked out before (`ranks`,
 * taken as by iffa_exposure__new(); NULL: worked out here), handing its scores to `keep` (when not NULL and
 * the pass succeeds; the caller frees them) instead of freeing them: the
 * analysis stores every vertex's exposure from them after the passes.
 */
int iffa_exposure__pass(iffa_findings *out, const iffa_flowgraph *g, const iffa_exposure_params *p,
			iffa_exposure__ranks *ranks, iffa_exposure **keep);

#endif
