/*
 * What the exposure-measuring passes (clusters, exposure) count as a
 * source: see include/iffa/passes.h. Inline, read straight from the flow
 * graph's arrays.
 */
#ifndef IFFA_SRC_PASSES_SOURCES_H
#define IFFA_SRC_PASSES_SOURCES_H

#include "graph/flowgraph.h"

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

/*
 * iffa_pass_exposure(), handing its scores to `keep` (when not NULL and
 * the pass succeeds; the caller frees them) instead of freeing them: the
 * analysis stores every vertex's exposure from them after the passes.
 */
int iffa_exposure__pass(iffa_findings *out, const iffa_flowgraph *g, const iffa_exposure_params *p,
			iffa_exposure **keep);

#endif
