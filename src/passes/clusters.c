/*
 * The clusters pass: groups of vertices that trade among themselves and
 * are exposed to the sources (include/iffa/passes.h), with the money
 * inside them and across their boundary.
 *
 * 1. Seeds: the source vertices and both ends of every source record
 *    (ransom, levy, conflict gold). Only the weak components holding one
 *    matter, and pruning (2) never leaves them; each reported community
 *    names its component's size (igraph_connected_components, worked out
 *    after the communities, as is each vertex's XOF: not held beside
 *    Leiden).
 * 2. Pruning, by hand: breadth-first from the seeds, `hops` undirected
 *    steps, not expanding through vertices of degree above
 *    `expand_degree` (a hub stays in; its thousand clients do not come
 *    with it). O(|V| + |E|).
 * 3. Communities on the pruned graph made undirected, parallel and
 *    opposite edges merged, weight ln(1 + XOF / 1000) so that one ransom
 *    does not outweigh everything: Leiden with the modularity objective
 *    (igraph's Leiden optimises CPM; node weights = strengths and
 *    resolution gamma / 2m turn it into modularity; Traag, Waltman & van
 *    Eck 2019) or multilevel (Blondel et al. 2008). igraph's RNG is
 *    seeded from the parameters.
 * 4. The flagged core, by hand: the seeds, then `core_rounds` times every
 *    vertex whose XOF with the core is at least `min_tie` of all its XOF
 *    (whole graph) and `min_tie_xof`. A big background community around
 *    one designated vertex thus flags that vertex and those who trade
 *    mostly with it, not the merchants who took one payment from it.
 *    Growth crosses community borders (Leiden may cut a chain); a member
 *    joins the group of the core vertex it has most money with.
 *    O(|E| * core_rounds).
 * 5. Per community, by hand: S the XOF of source records and of edges with
 *    a designated or armed-group vertex touching it, I the XOF inside, B
 *    the XOF crossing its boundary; reported when S >= min_source_xof and
 *    at least min_core core members are attached to it.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "iffa/passes.h"
#include "passes/sources.h"

typedef struct {
	igraph_integer_t a, b; /* new vertex ids, a < b */
	double xof;
} pair;

static int cmp_pair(const void *x, const void *y)
{
	const pair *p = x, *q = y;

	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	return p->b < q->b ? -1 : (p->b > q->b);
}

static int check_params(const iffa_clusters_params *p)
{
	if (p->hops < 0 || p->hops > 10)
		return iffa_error_set(IFFA_EINVAL, "clusters.hops %d is not in 0..10", p->hops);
	if (p->expand_degree < 1)
		return iffa_error_set(IFFA_EINVAL, "clusters.expand_degree %d is below 1",
				      p->expand_degree);
	if (p->method != 0 && p->method != 1)
		return iffa_error_set(IFFA_EINVAL, "clusters.method %d is neither leiden (0) nor "
				      "multilevel (1)", p->method);
	if (!(p->resolution > 0))
		return iffa_error_set(IFFA_EINVAL, "clusters.resolution %g is not positive",
				      p->resolution);
	if (!(p->beta > 0))
		return iffa_error_set(IFFA_EINVAL, "clusters.beta %g is not positive", p->beta);
	if (!(p->min_tie > 0 && p->min_tie <= 1))
		return iffa_error_set(IFFA_EINVAL, "clusters.min_tie %g is not in (0, 1]", p->min_tie);
	if (p->core_rounds < 0)
		return iffa_error_set(IFFA_EINVAL, "clusters.core_rounds %d is negative",
				      p->core_rounds);
	if (!(p->min_source_xof >= 0))
		return iffa_error_set(IFFA_EINVAL, "clusters.min_source_xof %g is negative",
				      p->min_source_xof);
	if (p->min_core < 1 || p->max_evidence < 1)
		return iffa_error_set(IFFA_EINVAL, "clusters.min_core and clusters.max_evidence "
				      "must be at least 1");
	return 0;
}

/* State shared by the steps. */
typedef struct {
	const iffa_flowgraph *g;
	const iffa_clusters_params *p;
	igraph_integer_t *inc;       /* one vertex's edges both ways, in igraph's incidence
					order (iffa_flowgraph__all_edges): no list of the
					whole graph is made */
	uint8_t *seed;               /* per vertex */
	igraph_integer_t *keep;      /* per vertex: new id in the pruned graph, -1 */
	igraph_integer_t *old;       /* per new id: vertex */
	igraph_integer_t nkeep;
	igraph_vector_int_t membership; /* per new id: community */
	int has_membership;
	igraph_integer_t ncomm;
	igraph_vector_int_t wcc;     /* per vertex: weak component */
	igraph_vector_int_t wcc_size;
	int has_wcc;
	double *vol;                 /* per vertex: XOF in and out */
	uint8_t *core;               /* per vertex */
} state;

static int source_record(const iffa_flowgraph *g, igraph_integer_t e)
{
	return iffa_passes__financing_edge(g, e) || iffa_passes__conflict_gold_edge(g, e);
}

/* An edge counted in S: a source record or one touching a source vertex. */
static int source_money(const iffa_flowgraph *g, igraph_integer_t e)
{
	return source_record(g, e) || iffa_passes__source_vertex(g, IGRAPH_FROM(&g->graph, e)) ||
	       iffa_passes__source_vertex(g, IGRAPH_TO(&g->graph, e));
}

static igraph_integer_t other_end(const iffa_flowgraph *g, igraph_integer_t e, igraph_integer_t v)
{
	igraph_integer_t f = IGRAPH_FROM(&g->graph, e);

	return f == v ? IGRAPH_TO(&g->graph, e) : f;
}

static int prune(state *s)
{
	const iffa_flowgraph *g = s->g;
	igraph_integer_t nv = g->nv, head = 0, tail = 0;
	igraph_integer_t *queue = malloc(((size_t)nv + 1) * sizeof(*queue));
	int *dist = malloc(((size_t)nv + 1) * sizeof(*dist));

	if (!queue || !dist) {
		free(queue);
		free(dist);
		return iffa_error_set(IFFA_ENOMEM, "out of memory for clusters");
	}
	for (igraph_integer_t v = 0; v < nv; v++) {
		dist[v] = -1;
		if (s->seed[v]) {
			dist[v] = 0;
			queue[tail++] = v;
		}
	}
	while (head < tail) {
		igraph_integer_t v = queue[head++];
		igraph_integer_t n = iffa_flowgraph__all_edges(g, v, s->inc);

		if (dist[v] >= s->p->hops || (!s->seed[v] && n > s->p->expand_degree))
			continue;
		for (igraph_integer_t i = 0; i < n; i++) {
			igraph_integer_t w = other_end(g, s->inc[i], v);
			if (dist[w] < 0) {
				dist[w] = dist[v] + 1;
				queue[tail++] = w;
			}
		}
	}
	s->nkeep = 0;
	for (igraph_integer_t v = 0; v < nv; v++) {
		s->keep[v] = dist[v] >= 0 ? s->nkeep++ : -1;
		if (s->keep[v] >= 0)
			s->old[s->keep[v]] = v;
	}
	free(queue);
	free(dist);
	return 0;
}

/* Undirected weighted graph of the kept vertices, and its communities. */
static int communities(state *s)
{
	const iffa_flowgraph *g = s->g;
	const igraph_t *ig = &g->graph;
	size_t np = 0, nu = 0;
	pair *pairs = malloc(((size_t)g->ne + 1) * sizeof(*pairs));
	igraph_vector_int_t edges;
	igraph_vector_t w, nodew;
	igraph_t ug;
	int has_edges = 0, has_w = 0, has_nodew = 0, has_ug = 0, error = 0;
	igraph_error_t ierr = IGRAPH_SUCCESS;
	double m = 0;

	if (!pairs)
		return iffa_error_set(IFFA_ENOMEM, "out of memory for clusters");
	for (igraph_integer_t e = 0; e < g->ne; e++) {
		igraph_integer_t a = s->keep[IGRAPH_FROM(ig, e)], b = s->keep[IGRAPH_TO(ig, e)];
		if (a < 0 || b < 0 || a == b)
			continue;
		pairs[np].a = a < b ? a : b;
		pairs[np].b = a < b ? b : a;
		pairs[np].xof = g->eamount[e];
		np++;
	}
	qsort(pairs, np, sizeof(*pairs), cmp_pair);
	for (size_t i = 0; i < np; i++) {
		if (nu > 0 && pairs[nu - 1].a == pairs[i].a && pairs[nu - 1].b == pairs[i].b)
			pairs[nu - 1].xof += pairs[i].xof;
		else
			pairs[nu++] = pairs[i];
	}
	if ((ierr = igraph_vector_int_init(&edges, 2 * (igraph_integer_t)nu)) != IGRAPH_SUCCESS)
		goto igraph_failed;
	has_edges = 1;
	if ((ierr = igraph_vector_init(&w, (igraph_integer_t)nu)) != IGRAPH_SUCCESS)
		goto igraph_failed;
	has_w = 1;
	if ((ierr = igraph_vector_init(&nodew, s->nkeep)) != IGRAPH_SUCCESS)
		goto igraph_failed;
	has_nodew = 1;
	for (size_t i = 0; i < nu; i++) {
		double wt = log1p(pairs[i].xof / 1000.0);
		if (!(wt > 0))
			wt = 1e-6;
		VECTOR(edges)[2 * i] = pairs[i].a;
		VECTOR(edges)[2 * i + 1] = pairs[i].b;
		VECTOR(w)[i] = wt;
		VECTOR(nodew)[pairs[i].a] += wt;
		VECTOR(nodew)[pairs[i].b] += wt;
		m += wt;
	}
	/* what igraph holds from here is the undirected graph and Leiden's own
	 * state: the pairs and the edge list are not kept beside them */
	free(pairs);
	pairs = NULL;
	if ((ierr = igraph_create(&ug, &edges, s->nkeep, IGRAPH_UNDIRECTED)) != IGRAPH_SUCCESS)
		goto igraph_failed;
	has_ug = 1;
	igraph_vector_int_destroy(&edges);
	has_edges = 0;
	if ((ierr = igraph_vector_int_init(&s->membership, s->nkeep)) != IGRAPH_SUCCESS)
		goto igraph_failed;
	s->has_membership = 1;
	if (nu == 0) {
		/* no edges: every vertex alone */
		for (igraph_integer_t i = 0; i < s->nkeep; i++)
			VECTOR(s->membership)[i] = i;
		s->ncomm = s->nkeep;
		goto done;
	}
	if ((ierr = igraph_rng_seed(igraph_rng_default(), (igraph_uint_t)s->p->seed)) !=
	    IGRAPH_SUCCESS)
		goto igraph_failed;
	if (s->p->method == 0) {
		igraph_real_t quality;
		ierr = igraph_community_leiden(&ug, &w, &nodew, s->p->resolution / (2.0 * m), s->p->beta,
					       0, s->p->iterations, &s->membership, &s->ncomm,
					       &quality);
	} else {
		ierr = igraph_community_multilevel(&ug, &w, s->p->resolution, &s->membership, NULL,
						   NULL);
		s->ncomm = 0;
		for (igraph_integer_t i = 0; i < s->nkeep; i++)
			if (VECTOR(s->membership)[i] >= s->ncomm)
				s->ncomm = VECTOR(s->membership)[i] + 1;
	}
	if (ierr != IGRAPH_SUCCESS)
		goto igraph_failed;
	goto done;
igraph_failed:
	error = iffa_flowgraph__igraph_fail(ierr, "clusters: communities");
done:
	if (has_ug)
		igraph_destroy(&ug);
	if (has_edges)
		igraph_vector_int_destroy(&edges);
	if (has_w)
		igraph_vector_destroy(&w);
	if (has_nodew)
		igraph_vector_destroy(&nodew);
	free(pairs);
	return error;
}

typedef struct {
	igraph_integer_t e;
	int source;
} ev_edge;

static const iffa_flowgraph *ev_graph;

static int cmp_ev(const void *x, const void *y)
{
	const ev_edge *p = x, *q = y;
	double a = ev_graph->eamount[p->e], b = ev_graph->eamount[q->e];

	if (p->source != q->source)
		return p->source ? -1 : 1;
	if (a != b)
		return a > b ? -1 : 1;
	return p->e < q->e ? -1 : (p->e > q->e);
}

static void xof_text(char *out, size_t size, double xof)
{
	if (xof >= 1e9)
		snprintf(out, size, "%.2f bn XOF", xof / 1e9);
	else if (xof >= 1e6)
		snprintf(out, size, "%.1f M XOF", xof / 1e6);
	else
		snprintf(out, size, "%.0f XOF", xof);
}

static igraph_integer_t comm_of(const state *s, igraph_integer_t v)
{
	return s->keep[v] >= 0 ? VECTOR(s->membership)[s->keep[v]] : -1;
}

/*
 * Grow the flagged core over the pruned graph from the seeds: each round
 * adds every vertex whose XOF with the core is at least min_tie of all its
 * XOF and min_tie_xof. A vertex is attached to the group of the core
 * vertex it has most money with; seeds to their own community. Growth
 * crosses community borders (Leiden may cut a chain), the report groups
 * by attachment. O(|E'| * core_rounds).
 */
static void grow(state *s, igraph_integer_t *attach)
{
	const iffa_flowgraph *g = s->g;
	const iffa_clusters_params *p = s->p;

	for (igraph_integer_t v = 0; v < g->nv; v++) {
		attach[v] = -1;
		if (s->seed[v] && comm_of(s, v) >= 0) {
			s->core[v] = 1;
			attach[v] = comm_of(s, v);
		}
	}
	for (int round = 0; round < p->core_rounds; round++) {
		int added = 0;
		for (igraph_integer_t v = 0; v < g->nv; v++) {
			igraph_integer_t best = -1, n;
			double tie = 0, best_xof = 0;
			if (s->core[v] || !(s->vol[v] > 0))
				continue;
			n = iffa_flowgraph__all_edges(g, v, s->inc);
			for (igraph_integer_t k = 0; k < n; k++) {
				igraph_integer_t e = s->inc[k], w = other_end(g, e, v);
				/* members joined this round count from the next one */
				if (s->core[w] != 1)
					continue;
				tie += g->eamount[e];
				if (g->eamount[e] > best_xof) {
					best_xof = g->eamount[e];
					best = w;
				}
			}
			if (best >= 0 && tie >= p->min_tie * s->vol[v] && tie >= p->min_tie_xof) {
				s->core[v] = 2;
				attach[v] = attach[best];
				added = 1;
			}
		}
		for (igraph_integer_t v = 0; v < g->nv; v++)
			if (s->core[v] == 2)
				s->core[v] = 1;
		if (!added)
			break;
	}
}

/* Per community: S, I, B in and out (XOF), vertices and seeds. */
typedef struct {
	double S, I, Bin, Bout;
	size_t n, nseeds, nsrc;
} comm_stats;

static void stats(state *s, comm_stats *cs)
{
	const iffa_flowgraph *g = s->g;
	const igraph_t *ig = &g->graph;

	memset(cs, 0, (size_t)s->ncomm * sizeof(*cs));
	for (igraph_integer_t i = 0; i < s->nkeep; i++) {
		igraph_integer_t v = s->old[i];
		comm_stats *c = &cs[comm_of(s, v)];
		c->n++;
		c->nseeds += s->seed[v];
		c->nsrc += iffa_passes__source_vertex(g, v);
	}
	for (igraph_integer_t e = 0; e < g->ne; e++) {
		igraph_integer_t cf = comm_of(s, IGRAPH_FROM(ig, e)), ct = comm_of(s, IGRAPH_TO(ig, e));
		double a = g->eamount[e];
		int src = source_money(g, e);
		if (cf >= 0 && cf == ct) {
			cs[cf].I += a;
			if (src)
				cs[cf].S += a;
			continue;
		}
		/* source money crossing the boundary exposes both sides */
		if (cf >= 0) {
			cs[cf].Bout += a;
			cs[cf].S += src ? a : 0;
		}
		if (ct >= 0) {
			cs[ct].Bin += a;
			cs[ct].S += src ? a : 0;
		}
	}
}

/* Report community c with its attached core members mem[0..n). */
static int report(state *s, iffa_findings *out, igraph_integer_t c, const comm_stats *cs,
		  const igraph_integer_t *mem, size_t n, const igraph_integer_t *attach,
		  ev_edge *evbuf)
{
	const iffa_flowgraph *g = s->g;
	const iffa_clusters_params *p = s->p;
	const igraph_t *ig = &g->graph;
	size_t nev = 0, nseeds = 0, nsrc = 0;
	igraph_integer_t *evid = NULL;
	char t1[32], t2[32], t3[32], t4[32];
	double score;
	int error;

	for (size_t i = 0; i < n; i++) {
		igraph_integer_t v = mem[i], nk = iffa_flowgraph__all_edges(g, v, s->inc);
		nseeds += s->seed[v];
		nsrc += iffa_passes__source_vertex(g, v);
		for (igraph_integer_t k = 0; k < nk; k++) {
			igraph_integer_t e = s->inc[k], w = other_end(g, e, v);
			/* an edge inside the group is taken from its source's side */
			if (!s->core[w] || (attach[w] == c && IGRAPH_FROM(ig, e) != v))
				continue;
			evbuf[nev].e = e;
			evbuf[nev].source = source_money(g, e);
			nev++;
		}
	}
	if (nev == 0)
		return 0;
	ev_graph = g;
	qsort(evbuf, nev, sizeof(*evbuf), cmp_ev);
	if (nev > (size_t)p->max_evidence)
		nev = (size_t)p->max_evidence;
	if (!(evid = malloc(nev * sizeof(*evid))))
		return iffa_error_set(IFFA_ENOMEM, "out of memory for clusters");
	for (size_t i = 0; i < nev; i++)
		evid[i] = evbuf[i].e;
	score = log10(1 + cs->S / 1e6) * (0.5 + 0.5 * cs->S / (cs->I + cs->Bin + cs->Bout));
	xof_text(t1, sizeof(t1), cs->S);
	xof_text(t2, sizeof(t2), cs->I);
	xof_text(t3, sizeof(t3), cs->Bin);
	xof_text(t4, sizeof(t4), cs->Bout);
	error = iffa_findings_add(
		out, "clusters", "exposed_cluster", IFFA_SUBJECT_CLUSTER, -1, score, evid, nev, mem, n,
		"community of %zu vertices (weak component of %lld) with %zu designated/armed and "
		"%zu parties to source records; %s on source records or with sources, %s inside, "
		"%s entering, %s leaving; %zu members tied to the sources by money flagged "
		"(%zu sources or record parties)",
		cs->n, (long long)VECTOR(s->wcc_size)[VECTOR(s->wcc)[mem[0]]], cs->nsrc,
		cs->nseeds - cs->nsrc, t1, t2, t3, t4, n, nseeds);
	free(evid);
	return error;
}

int iffa_pass_clusters(iffa_findings *out, const iffa_flowgraph *g, const iffa_clusters_params *p)
{
	const igraph_t *ig = &g->graph;
	size_t nv = (size_t)g->nv;
	state s;
	igraph_integer_t *start = NULL, *order = NULL, *attach = NULL;
	comm_stats *cs = NULL;
	ev_edge *evbuf = NULL;
	igraph_error_t ierr;
	int error;

	if ((error = check_params(p)) < 0)
		return error;
	memset(&s, 0, sizeof(s));
	s.g = g;
	s.p = p;
	s.seed = calloc(nv + 1, 1);
	s.core = calloc(nv + 1, 1);
	s.keep = malloc((nv + 1) * sizeof(*s.keep));
	s.old = malloc((nv + 1) * sizeof(*s.old));
	s.vol = calloc(nv + 1, sizeof(*s.vol));
	attach = malloc((nv + 1) * sizeof(*attach));
	/* evidence candidates: each edge at most twice */
	evbuf = malloc((2 * (size_t)g->ne + 1) * sizeof(*evbuf));
	if (!s.seed || !s.core || !s.keep || !s.old || !s.vol || !attach || !evbuf) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory for clusters");
		goto done;
	}
	for (igraph_integer_t v = 0; v < g->nv; v++)
		s.seed[v] = (uint8_t)iffa_passes__source_vertex(g, v);
	for (igraph_integer_t e = 0; e < g->ne; e++)
		if (source_record(g, e))
			s.seed[IGRAPH_FROM(ig, e)] = s.seed[IGRAPH_TO(ig, e)] = 1;
	if (!(s.inc = malloc(((size_t)iffa_flowgraph__max_degree(g) + 1) * sizeof(*s.inc)))) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory for clusters");
		goto done;
	}
	/* Pruning follows edges, so it never leaves a component that holds a
	 * seed: components without one are dropped with it. */
	if ((error = prune(&s)) < 0 || (error = communities(&s)) < 0)
		goto done;
	/* What only the core's growth and the report read is made once Leiden
	 * is done, so that it is not held beside Leiden's state (10M
	 * transfers: about 30 MB). */
	for (igraph_integer_t e = 0; e < g->ne; e++) {
		igraph_integer_t f = IGRAPH_FROM(ig, e), t = IGRAPH_TO(ig, e);
		if (f != t) {
			s.vol[f] += g->eamount[e];
			s.vol[t] += g->eamount[e];
		}
	}
	if (igraph_vector_int_init(&s.wcc, 0) != IGRAPH_SUCCESS) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory for clusters");
		goto done;
	}
	if (igraph_vector_int_init(&s.wcc_size, 0) != IGRAPH_SUCCESS) {
		igraph_vector_int_destroy(&s.wcc);
		error = iffa_error_set(IFFA_ENOMEM, "out of memory for clusters");
		goto done;
	}
	s.has_wcc = 1;
	if ((ierr = igraph_connected_components(ig, &s.wcc, &s.wcc_size, NULL, IGRAPH_WEAK)) !=
	    IGRAPH_SUCCESS) {
		error = iffa_flowgraph__igraph_fail(ierr, "clusters: weak components");
		goto done;
	}
	grow(&s, attach);
	cs = malloc(((size_t)s.ncomm + 1) * sizeof(*cs));
	start = calloc((size_t)s.ncomm + 2, sizeof(*start));
	order = malloc((nv + 1) * sizeof(*order));
	if (!cs || !start || !order) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory for clusters");
		goto done;
	}
	stats(&s, cs);
	/* Core members grouped by attachment (counting sort). */
	for (igraph_integer_t v = 0; v < g->nv; v++)
		if (s.core[v])
			start[attach[v] + 1]++;
	for (igraph_integer_t c = 0; c < s.ncomm; c++)
		start[c + 1] += start[c];
	for (igraph_integer_t v = 0; v < g->nv; v++)
		if (s.core[v])
			order[start[attach[v]]++] = v;
	for (igraph_integer_t c = s.ncomm; c > 0; c--)
		start[c] = start[c - 1];
	start[0] = 0;
	for (igraph_integer_t c = 0; c < s.ncomm; c++) {
		size_t n = (size_t)(start[c + 1] - start[c]);
		if (n < (size_t)p->min_core || cs[c].S < p->min_source_xof)
			continue;
		if ((error = report(&s, out, c, &cs[c], order + start[c], n, attach, evbuf)) < 0)
			goto done;
	}
done:
	free(s.inc);
	if (s.has_membership)
		igraph_vector_int_destroy(&s.membership);
	if (s.has_wcc) {
		igraph_vector_int_destroy(&s.wcc);
		igraph_vector_int_destroy(&s.wcc_size);
	}
	free(s.seed);
	free(s.core);
	free(s.keep);
	free(s.old);
	free(s.vol);
	free(start);
	free(order);
	free(attach);
	free(cs);
	free(evbuf);
	return error;
}
