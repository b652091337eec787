/*
 * The exposure pass: how much of each vertex's money came from the sources
 * (taint) or went to them (funding), with the chain of edges that explains
 * it. Sources are in include/iffa/passes.h.
 *
 * Proportional taint is written by hand (igraph has nothing like it): one
 * linear pass over the edges in time order (the flow graph's time index).
 * Every vertex keeps the XOF it received so far and the part of it that
 * was tainted; an edge leaving u at time t carries u's tainted share at t
 * (1 when u is a designated or armed-group vertex, or the edge is a
 * ransom or levy record), and adds amount * share to its target's tainted
 * XOF. This is the "haircut" rule of taint analysis: money mixes in
 * proportion (Anderson et al., "Bitcoin redemption", 2016, compare
 * poison/haircut/FIFO). Money must arrive before it leaves: an edge only
 * sees the inflows with an earlier first time (ties by edge id). A merged
 * edge (several flows) is placed at its first flow, so its taint is the
 * source's share then: exact when parallel flows are kept
 * (analyse.keep_parallel), a lower bound otherwise.
 * Funding is the same pass run backwards in time over the out-edges: an
 * edge into a source, or a source record, is funding in full; any other
 * edge u -> v carries the share of v's later outflows that was funding.
 * Time complexity: O(|V| + |E|) each; memory one double per edge (each
 * way's in turn, freed once its explanation lists are made) and four per
 * vertex.
 *
 * Personalised PageRank comes from igraph (PRPACK), once along the money
 * with the reset on the sources and the payees of financing records, once
 * on the reversed graph with the reset on the sources and the payers, edge
 * weights the XOF amounts (Page et al. 1999; Haveliwala 2002).
 *
 * Hops to the nearest source: breadth-first search from all of them at
 * once over both directions, O(|V| + |E|), by hand over igraph's own
 * incidence index (INC_FOR below; igraph's BFS takes one root at a time).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef IFFA_HAVE_OPENMP
#include <omp.h>
#endif

#include "core/grow.h"
#include "iffa/passes.h"
#include "passes/sources.h"

struct iffa_exposure {
	const iffa_flowgraph *g;
	iffa_exposure_params p;
	double *in_total, *in_taint;   /* per vertex, XOF */
	double *out_total, *out_fund;  /* per vertex, XOF */
	double *etaint, *efund;        /* per edge: XOF of it that was tainted / funding; freed
					  once the lists below are made from them */
	double *ppr_from, *ppr_to;     /* per vertex, times |V| */
	int32_t *hops;                 /* per vertex, -1 unreachable */
	uint8_t *record;               /* per pool: end of a source record */
	/* 4 bytes a vertex each: iffa_exposure__new refuses 2^32 edges or vertices */
	uint32_t *pool;                /* per vertex: its pool's representative */
	uint32_t *pstart;              /* per representative: first of its members in pmem */
	uint32_t *pmem;                /* vertices grouped by pool */
	/* Per pool representative, its members' incoming (best[0]) and
	 * outgoing (best[1]) edges carrying tainted or funding XOF, heaviest
	 * first (ties in the order the members' lists give them): the
	 * explanation walk takes the first that respects its time bound. */
	uint32_t *boff[2];
	uint32_t *best[2];
};

static const char *const way_names[] = {"none", "source", "record_party", "proceeds", "funding"};

const char *iffa_exposure_way_name(iffa_exposure_way w)
{
	return (unsigned)w <= IFFA_EXPOSURE_FUNDING ? way_names[w] : "none";
}

void iffa_exposure_free(iffa_exposure *x)
{
	if (!x)
		return;
	free(x->in_total);
	free(x->in_taint);
	free(x->out_total);
	free(x->out_fund);
	free(x->etaint);
	free(x->efund);
	free(x->ppr_from);
	free(x->ppr_to);
	free(x->hops);
	for (int k = 0; k < 2; k++) {
		free(x->boff[k]);
		free(x->best[k]);
	}
	free(x->record);
	free(x->pool);
	free(x->pstart);
	free(x->pmem);
	free(x);
}

static int check_params(const iffa_exposure_params *p)
{
	if (!(p->threshold >= 0 && p->threshold <= 1))
		return iffa_error_set(IFFA_EINVAL, "exposure.threshold %g is not in 0..1", p->threshold);
	if (!(p->min_xof >= 0))
		return iffa_error_set(IFFA_EINVAL, "exposure.min_xof %g is negative", p->min_xof);
	if (!(p->damping > 0 && p->damping < 1))
		return iffa_error_set(IFFA_EINVAL, "exposure.damping %g is not in (0, 1)", p->damping);
	if (p->max_path < 1)
		return iffa_error_set(IFFA_EINVAL, "exposure.max_path %d is below 1", p->max_path);
	if (p->max_findings < 0)
		return iffa_error_set(IFFA_EINVAL, "exposure.max_findings %d is negative",
				      p->max_findings);
	return 0;
}

/* Source records as seen from each side: financing edges both ways, conflict
 * gold only as funding (the money buys gold under the group's levy; it is
 * not the group's money). */
static int taint_source(const iffa_exposure *x, igraph_integer_t e)
{
	const iffa_flowgraph *g = x->g;

	return iffa_passes__financing_edge(g, e) ||
	       iffa_passes__source_vertex(g, IGRAPH_FROM(&g->graph, e));
}

static int funding_sink(const iffa_exposure *x, igraph_integer_t e)
{
	const iffa_flowgraph *g = x->g;

	return iffa_passes__financing_edge(g, e) ||
	       (x->p.gold_affected && iffa_passes__conflict_gold_edge(g, e)) ||
	       iffa_passes__source_vertex(g, IGRAPH_TO(&g->graph, e));
}

static int record_edge(const iffa_flowgraph *g, const iffa_exposure_params *p, igraph_integer_t e)
{
	return iffa_passes__financing_edge(g, e) ||
	       (p->gold_affected && iffa_passes__conflict_gold_edge(g, e));
}

static int source_record(const iffa_exposure *x, igraph_integer_t e)
{
	return record_edge(x->g, &x->p, e);
}

/*
 * One pool of money per vertex (or per party): its balance and the tainted
 * part of it. An outflow takes from the balance in proportion; money paid
 * beyond the balance is of unknown origin and counted clean, so a vertex
 * that received 5 M tainted and later pays 130 M passes on 5 M of taint,
 * not 130 M. `bal` and `tnt` are scratch arrays of |V|.
 */
static void propagate_taint(iffa_exposure *x, double *bal, double *tnt)
{
	const iffa_flowgraph *g = x->g;
	const igraph_t *ig = &g->graph;
	const uint32_t *order = g->by_time;
	igraph_integer_t ne = g->ne;

	memset(bal, 0, (size_t)g->nv * sizeof(double));
	memset(tnt, 0, (size_t)g->nv * sizeof(double));
	for (igraph_integer_t i = 0; i < ne; i++) {
		igraph_integer_t e = order[i], u = x->pool[IGRAPH_FROM(ig, e)], v = x->pool[IGRAPH_TO(ig, e)];
		double a = g->eamount[e], take = a < bal[u] ? a : bal[u];
		double out = bal[u] > 0 ? tnt[u] * take / bal[u] : 0.0;

		if (u == v)
			continue;
		bal[u] -= take;
		tnt[u] -= out;
		if (bal[u] <= 0)
			bal[u] = tnt[u] = 0;
		else if (tnt[u] < 0)
			tnt[u] = 0;
		else if (tnt[u] > bal[u])
			tnt[u] = bal[u];
		if (taint_source(x, e))
			out = a;
		x->etaint[e] = out;
		bal[v] += a;
		tnt[v] += out;
		x->in_total[v] += a;
		x->in_taint[v] += out;
	}
}

/* The same backwards in time: the money a vertex will pay out, and the
 * part of it that goes to sources, consumed by its earlier inflows. */
static void propagate_funding(iffa_exposure *x, double *bal, double *tnt)
{
	const iffa_flowgraph *g = x->g;
	const igraph_t *ig = &g->graph;
	const uint32_t *order = g->by_time;
	igraph_integer_t ne = g->ne;

	memset(bal, 0, (size_t)g->nv * sizeof(double));
	memset(tnt, 0, (size_t)g->nv * sizeof(double));
	for (igraph_integer_t i = ne - 1; i >= 0; i--) {
		igraph_integer_t e = order[i], u = x->pool[IGRAPH_FROM(ig, e)], v = x->pool[IGRAPH_TO(ig, e)];
		double a = g->eamount[e], take = a < bal[v] ? a : bal[v];
		double out = bal[v] > 0 ? tnt[v] * take / bal[v] : 0.0;

		if (u == v)
			continue;
		bal[v] -= take;
		tnt[v] -= out;
		if (bal[v] <= 0)
			bal[v] = tnt[v] = 0;
		else if (tnt[v] < 0)
			tnt[v] = 0;
		else if (tnt[v] > bal[v])
			tnt[v] = bal[v];
		if (funding_sink(x, e))
			out = a;
		x->efund[e] = out;
		bal[u] += a;
		tnt[u] += out;
		x->out_total[u] += a;
		x->out_fund[u] += out;
	}
}

/*
 * Personalised PageRank with reset on `reset`, times |V|, into out.
 *
 * PRPACK runs its loops under OpenMP, one region per loop, and libgomp's
 * threads spin at the end of each region. On two cores shared with the
 * database server and other work that spinning is lost: on 1M transfers
 * it cost 0.7 s of CPU and made the pass slower, not faster (the figures
 * are in docs/PERFORMANCE.md). So the PageRanks run on this thread alone;
 * the caller's OpenMP setting is put back after.
 */
static int ppr(double *out, const igraph_t *ig, const igraph_vector_t *reset,
	       const igraph_vector_t *weights, double damping, igraph_integer_t nv)
{
	igraph_vector_t vec;
	igraph_real_t value;
	igraph_error_t ierr;
#ifdef IFFA_HAVE_OPENMP
	int threads = omp_get_max_threads();
#endif

	if (igraph_vector_init(&vec, 0) != IGRAPH_SUCCESS)
		return iffa_error_set(IFFA_ENOMEM, "out of memory for PageRank");
#ifdef IFFA_HAVE_OPENMP
	omp_set_num_threads(1);
#endif
	ierr = igraph_personalized_pagerank(ig, IGRAPH_PAGERANK_ALGO_PRPACK, &vec, &value,
					    igraph_vss_all(), 1, damping, reset, weights, NULL);
#ifdef IFFA_HAVE_OPENMP
	omp_set_num_threads(threads);
#endif
	if (ierr != IGRAPH_SUCCESS) {
		igraph_vector_destroy(&vec);
		return iffa_flowgraph__igraph_fail(ierr, "exposure: personalised PageRank");
	}
	for (igraph_integer_t v = 0; v < nv; v++)
		out[v] = VECTOR(vec)[v] * (double)nv;
	igraph_vector_destroy(&vec);
	return 0;
}

void iffa_exposure__ranks_dispose(iffa_exposure__ranks *r)
{
	free(r->from);
	free(r->to);
	r->from = r->to = NULL;
}

int iffa_exposure__pageranks(iffa_exposure__ranks *out, const iffa_flowgraph *g,
			     const iffa_exposure_params *p)
{
	igraph_integer_t nv = g->nv, ne = g->ne;
	igraph_vector_t reset_from, reset_to, weights;
	igraph_t rev;
	int nfrom = 0, nto = 0, error = 0;

	out->from = out->to = NULL;
	if ((error = check_params(p)) < 0)
		return error;
	out->from = calloc((size_t)nv + 1, sizeof(double));
	out->to = calloc((size_t)nv + 1, sizeof(double));
	if (!out->from || !out->to) {
		iffa_exposure__ranks_dispose(out);
		return iffa_error_set(IFFA_ENOMEM, "out of memory for PageRank");
	}
	if (nv == 0 || ne == 0)
		return 0;
	if (igraph_vector_init(&reset_from, nv) != IGRAPH_SUCCESS) {
		iffa_exposure__ranks_dispose(out);
		return iffa_error_set(IFFA_ENOMEM, "out of memory for PageRank");
	}
	if (igraph_vector_init(&reset_to, nv) != IGRAPH_SUCCESS) {
		igraph_vector_destroy(&reset_from);
		iffa_exposure__ranks_dispose(out);
		return iffa_error_set(IFFA_ENOMEM, "out of memory for PageRank");
	}
	if (igraph_vector_init(&weights, ne) != IGRAPH_SUCCESS) {
		igraph_vector_destroy(&reset_from);
		igraph_vector_destroy(&reset_to);
		iffa_exposure__ranks_dispose(out);
		return iffa_error_set(IFFA_ENOMEM, "out of memory for PageRank");
	}
	for (igraph_integer_t v = 0; v < nv; v++)
		if (iffa_passes__source_vertex(g, v)) {
			VECTOR(reset_from)[v] = VECTOR(reset_to)[v] = 1;
			nfrom++, nto++;
		}
	for (igraph_integer_t e = 0; e < ne; e++) {
		/* PRPACK ignores non-positive weights; amounts are positive, but
		 * keep zero and NaN out all the same */
		VECTOR(weights)[e] = g->eamount[e] > 0 ? g->eamount[e] : 1e-9;
		if (iffa_passes__financing_edge(g, e)) {
			VECTOR(reset_from)[IGRAPH_TO(&g->graph, e)] = 1;
			nfrom++;
		}
		if (record_edge(g, p, e)) {
			VECTOR(reset_to)[IGRAPH_FROM(&g->graph, e)] = 1;
			nto++;
		}
	}
	if (nfrom > 0 && (error = ppr(out->from, &g->graph, &reset_from, &weights, p->damping, nv)) < 0)
		goto done;
	if (nto > 0) {
		/* edge ids are kept reversed, so the weights still line up */
		iffa_flowgraph__reversed_view(&rev, g);
		if ((error = ppr(out->to, &rev, &reset_to, &weights, p->damping, nv)) < 0)
			goto done;
	}
done:
	igraph_vector_destroy(&reset_from);
	igraph_vector_destroy(&reset_to);
	igraph_vector_destroy(&weights);
	if (error < 0)
		iffa_exposure__ranks_dispose(out);
	return error;
}

/* Pools: at account level (with pool_party) the accounts of one party,
 * represented by the party's primary account; otherwise each vertex alone. */
static int pools(iffa_exposure *x)
{
	const iffa_flowgraph *g = x->g;
	igraph_integer_t nv = g->nv;
	int pool = x->p.pool_party && g->level == IFFA_LEVEL_ACCOUNT;

	x->pool = malloc(((size_t)nv + 1) * sizeof(*x->pool));
	x->pstart = calloc((size_t)nv + 2, sizeof(*x->pstart));
	x->pmem = malloc(((size_t)nv + 1) * sizeof(*x->pmem));
	if (!x->pool || !x->pstart || !x->pmem)
		return iffa_error_set(IFFA_ENOMEM, "out of memory for exposure");
	for (igraph_integer_t v = 0; v < nv; v++) {
		igraph_integer_t r = v;
		/* a party key finds the party's primary account at account level */
		if (pool && !(g->vkey[v] & 1) && g->vparty[v] >= 0)
			r = iffa_flowgraph__lookup(g, IFFA_KEY_PARTY(g->vparty[v]));
		x->pool[v] = (uint32_t)(r >= 0 ? r : v);
		x->pstart[x->pool[v] + 1]++;
	}
	for (igraph_integer_t v = 0; v < nv; v++)
		x->pstart[v + 1] += x->pstart[v];
	for (igraph_integer_t v = 0; v < nv; v++)
		x->pmem[x->pstart[x->pool[v]]++] = (uint32_t)v;
	for (igraph_integer_t v = nv; v > 0; v--)
		x->pstart[v] = x->pstart[v - 1];
	x->pstart[0] = 0;
	return 0;
}

/* Members of the pool of representative r: pmem[pstart[r] .. pstart[r + 1]). */
#define POOL_FOR(x, r, m)                                                                \
	for (igraph_integer_t m##_i = (x)->pstart[r], m;                                  \
	     m##_i < (x)->pstart[(r) + 1] && ((m = (x)->pmem[m##_i]), 1); m##_i++)

/*
 * Incident edges of v, incoming (out = 0) or outgoing (out = 1), in
 * igraph_incident()'s order, read from igraph's own index of the graph
 * (iffa_flowgraph__in_edges, __out_edges) rather than copied: no lists of
 * the pass's own to build, or to hold until the run's store has written
 * the rows (10M transfers: 56 MB).
 */
typedef struct {
	const igraph_integer_t *p; /* never NULL: igraph's index */
	igraph_integer_t n, i;
} inc_run;

static inline inc_run inc_list(const iffa_exposure *x, int out, igraph_integer_t v)
{
	inc_run r = {NULL, 0, 0};

	r.p = out ? iffa_flowgraph__out_edges(x->g, v, &r.n) : iffa_flowgraph__in_edges(x->g, v, &r.n);
	return r;
}

/* e over the incident edges of v; `break` and `continue` act on this loop. */
#define INC_FOR(x, out, v, e)                                                             \
	for (inc_run e##_r = inc_list(x, out, v); e##_r.p; e##_r.p = NULL)                \
		for (uint32_t e; e##_r.i < e##_r.n && ((e = (uint32_t)e##_r.p[e##_r.i]), 1);  \
		     e##_r.i++)

static int hops(iffa_exposure *x)
{
	const iffa_flowgraph *g = x->g;
	const igraph_t *ig = &g->graph;
	igraph_integer_t nv = g->nv, head = 0, tail = 0;
	igraph_integer_t *queue = malloc(((size_t)nv + 1) * sizeof(*queue));

	if (!queue)
		return iffa_error_set(IFFA_ENOMEM, "out of memory for exposure hops");
	for (igraph_integer_t v = 0; v < nv; v++)
		x->hops[v] = -1;
	for (igraph_integer_t v = 0; v < nv; v++) {
		igraph_integer_t r = x->pool[v];
		if (iffa_passes__source_vertex(g, v) && x->hops[r] < 0) {
			x->hops[r] = 0;
			queue[tail++] = r;
		}
	}
	while (head < tail) {
		igraph_integer_t r = queue[head++];
		POOL_FOR(x, r, v) {
			for (int side = 0; side < 2; side++) {
				INC_FOR(x, side, v, e) {
					igraph_integer_t w = x->pool[side ? IGRAPH_TO(ig, e) : IGRAPH_FROM(ig, e)];
					if (x->hops[w] < 0) {
						x->hops[w] = x->hops[r] + 1;
						queue[tail++] = w;
					}
				}
			}
		}
	}
	free(queue);
	return 0;
}

typedef struct {
	double xof;
	uint32_t e, pos;
} ranked_edge;

static int by_xof_desc(const void *a, const void *b)
{
	const ranked_edge *x = a, *y = b;

	if (x->xof != y->xof)
		return x->xof > y->xof ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/*
 * The lists the explanation walk reads (struct iffa_exposure, best):
 * O(|E| log d) once, instead of a scan of every incident edge at each
 * step of each vertex's walk (hubs made that the pass's largest cost).
 * `back`: the incoming edges by tainted XOF (list 0, from etaint), else
 * the outgoing by funding XOF (list 1, from efund).
 */
static int best_list(iffa_exposure *x, int back)
{
	const iffa_flowgraph *g = x->g;
	size_t nv = (size_t)g->nv;
	const double *xof = back ? x->etaint : x->efund;
	int k = back ? 0 : 1;
	ranked_edge *tmp = NULL;
	size_t cap = 0, n = 0;

	if (!(x->boff[k] = calloc(nv + 1, sizeof(*x->boff[k]))))
		goto nomem;
	for (igraph_integer_t r = 0; r < g->nv; r++) {
		x->boff[k][r] = (uint32_t)n;
		POOL_FOR(x, r, m) {
			INC_FOR(x, !back, m, e)
				n += xof[e] > 0;
		}
	}
	x->boff[k][nv] = (uint32_t)n;
	if (!(x->best[k] = malloc((n ? n : 1) * sizeof(*x->best[k]))))
		goto nomem;
	for (igraph_integer_t r = 0; r < g->nv; r++) {
		size_t c = 0, want = x->boff[k][r + 1] - x->boff[k][r];
		uint32_t pos = 0;
		if (want == 0)
			continue;
		if (iffa_grow((void **)&tmp, &cap, want, sizeof(*tmp)) < 0)
			goto nomem;
		POOL_FOR(x, r, m) {
			INC_FOR(x, !back, m, e) {
				if (xof[e] > 0)
					tmp[c++] = (ranked_edge){xof[e], e, pos};
				pos++;
			}
		}
		if (c > 1)
			qsort(tmp, c, sizeof(*tmp), by_xof_desc);
		for (size_t i = 0; i < c; i++)
			x->best[k][x->boff[k][r] + i] = tmp[i].e;
	}
	free(tmp);
	return 0;
nomem:
	free(tmp);
	return iffa_error_set(IFFA_ENOMEM, "out of memory for exposure paths");
}

/*
 * One way's sweep and its explanation lists (`back`: taint, else
 * funding): its XOF per edge (8 bytes an edge) is held only until its list
 * of the heaviest edges is made from it, so the two ways' are never held
 * at once. `scratch` holds 2 (|V| + 1) doubles.
 */
static int one_way(iffa_exposure *x, int back, double *scratch)
{
	size_t nv = (size_t)x->g->nv, ne = (size_t)x->g->ne;
	double **xof = back ? &x->etaint : &x->efund;
	int error;

	if (!(*xof = calloc(ne + 1, sizeof(double))))
		return iffa_error_set(IFFA_ENOMEM, "out of memory for exposure");
	if (back)
		propagate_taint(x, scratch, scratch + nv + 1);
	else
		propagate_funding(x, scratch, scratch + nv + 1);
	error = best_list(x, back);
	free(*xof);
	*xof = NULL;
	return error;
}

int iffa_exposure_new(iffa_exposure **out, const iffa_flowgraph *g, const iffa_exposure_params *p)
{
	return iffa_exposure__new(out, g, p, NULL);
}

int iffa_exposure__new(iffa_exposure **out, const iffa_flowgraph *g, const iffa_exposure_params *p,
		       iffa_exposure__ranks *ranks)
{
	iffa_exposure__ranks own = {NULL, NULL};
	iffa_exposure *x;
	size_t nv = (size_t)g->nv;
	double *scratch = NULL;
	int error;

	*out = NULL;
	if ((error = check_params(p)) < 0) {
		if (ranks)
			iffa_exposure__ranks_dispose(ranks);
		return error;
	}
	/*
	 * PageRank first: its transients (weights, a reversed view of the graph,
	 * PRPACK's own matrix) are the largest allocations of the pass, and are
	 * freed before the rest of the pass's arrays are allocated. On 10M
	 * transfers this keeps them from being held at once. An analysis works
	 * them out before any pass (`ranks`), when no walk index is held yet.
	 */
	if (!ranks) {
		if ((error = iffa_exposure__pageranks(&own, g, p)) < 0)
			return error;
		ranks = &own;
	}
	if (!(x = calloc(1, sizeof(*x)))) {
		iffa_exposure__ranks_dispose(ranks);
		return iffa_error_set(IFFA_ENOMEM, "out of memory for exposure");
	}
	x->g = g;
	x->p = *p;
	x->ppr_from = ranks->from;
	x->ppr_to = ranks->to;
	ranks->from = ranks->to = NULL;
	x->in_total = calloc(nv + 1, sizeof(double));
	x->in_taint = calloc(nv + 1, sizeof(double));
	x->out_total = calloc(nv + 1, sizeof(double));
	x->out_fund = calloc(nv + 1, sizeof(double));
	x->hops = calloc(nv + 1, sizeof(int32_t));
	x->record = calloc(nv + 1, 1);
	if (!x->in_total || !x->in_taint || !x->out_total || !x->out_fund || !x->hops ||
	    !x->record) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory for exposure");
		goto fail;
	}
	if ((uint64_t)g->ne >= UINT32_MAX || (uint64_t)g->nv >= UINT32_MAX) {
		error = iffa_error_set(IFFA_EINVAL, "exposure indexes at most 2^32 - 1 edges and "
				       "vertices");
		goto fail;
	}
	if ((error = pools(x)) < 0)
		goto fail;
	for (igraph_integer_t e = 0; e < g->ne; e++)
		if (source_record(x, e))
			x->record[x->pool[IGRAPH_FROM(&g->graph, e)]] =
				x->record[x->pool[IGRAPH_TO(&g->graph, e)]] = 1;
	if (!(scratch = malloc(2 * ((size_t)nv + 1) * sizeof(double)))) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory for exposure");
		goto fail;
	}
	if ((error = one_way(x, 1, scratch)) < 0 || (error = one_way(x, 0, scratch)) < 0 ||
	    (error = hops(x)) < 0)
		goto fail;
	free(scratch);
	*out = x;
	return 0;
fail:
	free(scratch);
	iffa_exposure_free(x);
	return error;
}

void iffa_exposure_result_dispose(iffa_exposure_result *r)
{
	free(r->path);
	memset(r, 0, sizeof(*r));
}

/*
 * Follow, from v, the edge carrying the most tainted (back = 1: incoming,
 * back in time) or funding (back = 0: outgoing, forward in time) XOF,
 * until a source record, a source vertex or `max` edges. Vertices are not
 * visited twice. Writes edges in money order.
 */
static int explain(iffa_exposure_result *r, const iffa_exposure *x, igraph_integer_t v, int back)
{
	const iffa_flowgraph *g = x->g;
	const igraph_t *ig = &g->graph;
	int max = x->p.max_path, n = 0;
	igraph_integer_t *path = malloc((size_t)max * sizeof(*path)), *seen = NULL;
	int64_t bound = back ? INT64_MAX : INT64_MIN;
	size_t nseen = 0;

	seen = malloc(((size_t)max + 1) * sizeof(*seen));
	if (!path || !seen) {
		free(path);
		free(seen);
		return iffa_error_set(IFFA_ENOMEM, "out of memory for an exposure path");
	}
	seen[nseen++] = v;
	v = x->pool[v];
	seen[0] = v;
	while (n < max) {
		igraph_integer_t best = -1, next;
		int stop, again = 0;

		/* the heaviest edge within the time bound: the first of the list */
		for (size_t i = x->boff[back ? 0 : 1][v]; i < x->boff[back ? 0 : 1][v + 1]; i++) {
			igraph_integer_t e = x->best[back ? 0 : 1][i];
			if (back ? g->efirst[e] > bound : g->efirst[e] < bound)
				continue;
			best = e;
			break;
		}
		if (best < 0)
			break;
		path[n++] = best;
		bound = g->efirst[best];
		next = x->pool[back ? IGRAPH_FROM(ig, best) : IGRAPH_TO(ig, best)];
		stop = back ? taint_source(x, best) : funding_sink(x, best);
		if (stop)
			break;
		for (size_t i = 0; i < nseen; i++)
			again |= seen[i] == next;
		if (again)
			break;
		seen[nseen++] = next;
		v = next;
	}
	free(seen);
	if (n == 0) {
		free(path);
		return 0;
	}
	if (back) /* collected from v backwards: money order is the reverse */
		for (int i = 0; i < n / 2; i++) {
			igraph_integer_t t = path[i];
			path[i] = path[n - 1 - i];
			path[n - 1 - i] = t;
		}
	r->path = path;
	r->npath = (size_t)n;
	return 0;
}

/* Up to `max` edges of v that are source records, heaviest first. */
static size_t record_edges(igraph_integer_t *out, size_t max, const iffa_exposure *x,
			   igraph_integer_t v, int any)
{
	const iffa_flowgraph *g = x->g;
	size_t n = 0;

	POOL_FOR(x, x->pool[v], m)
	for (int side = 0; side < 2; side++) {
		INC_FOR(x, side, m, e) {
			size_t j;
			if (x->pool[IGRAPH_FROM(&g->graph, e)] == x->pool[IGRAPH_TO(&g->graph, e)])
				continue;
			if (!any && !source_record(x, e))
				continue;
			/* insertion into a short list ordered by amount */
			if (n == max && g->eamount[out[n - 1]] >= g->eamount[e])
				continue;
			j = n < max ? n++ : max - 1;
			while (j > 0 && g->eamount[out[j - 1]] < g->eamount[e]) {
				out[j] = out[j - 1];
				j--;
			}
			out[j] = e;
		}
	}
	return n;
}

int iffa_exposure_of(iffa_exposure_result *out, const iffa_exposure *x, igraph_integer_t v)
{
	const iffa_flowgraph *g = x->g;
	double taint, funding;
	igraph_integer_t r;

	memset(out, 0, sizeof(*out));
	if (v < 0 || v >= g->nv)
		return iffa_error_set(IFFA_EINVAL, "vertex %lld is not in the flow graph",
				      (long long)v);
	r = x->pool[v];
	taint = x->in_total[r] > 0 ? x->in_taint[r] / x->in_total[r] : 0.0;
	funding = x->out_total[r] > 0 ? x->out_fund[r] / x->out_total[r] : 0.0;
	out->taint = taint > 1 ? 1 : taint;
	out->tainted_xof = x->in_taint[r];
	out->funding = funding > 1 ? 1 : funding;
	out->funding_xof = x->out_fund[r];
	out->ppr_from = x->ppr_from[v];
	out->ppr_to = x->ppr_to[v];
	out->hops = x->hops[r];
	if (iffa_passes__source_vertex(g, v)) {
		out->way = IFFA_EXPOSURE_SOURCE;
		out->score = 1;
		out->flagged = 1;
	} else if (x->record[r]) {
		out->way = IFFA_EXPOSURE_RECORD;
		out->score = 1;
		out->flagged = 1;
	} else if (out->taint > 0 || out->funding > 0) {
		int proceeds = out->taint >= out->funding;
		double share = proceeds ? out->taint : out->funding;
		double xof = proceeds ? out->tainted_xof : out->funding_xof;
		out->way = proceeds ? IFFA_EXPOSURE_PROCEEDS : IFFA_EXPOSURE_FUNDING;
		out->score = share;
		out->flagged = share >= x->p.threshold && xof >= x->p.min_xof;
		/* the other way may pass the bar when this one does not */
		if (!out->flagged) {
			double s2 = proceeds ? out->funding : out->taint;
			double x2 = proceeds ? out->funding_xof : out->tainted_xof;
			if (s2 >= x->p.threshold && x2 >= x->p.min_xof) {
				out->way = proceeds ? IFFA_EXPOSURE_FUNDING : IFFA_EXPOSURE_PROCEEDS;
				out->score = s2;
				out->flagged = 1;
			}
		}
	}
	switch (out->way) {
	case IFFA_EXPOSURE_PROCEEDS:
		return explain(out, x, v, 1);
	case IFFA_EXPOSURE_FUNDING:
		return explain(out, x, v, 0);
	case IFFA_EXPOSURE_SOURCE:
	case IFFA_EXPOSURE_RECORD: {
		size_t max = (size_t)x->p.max_path;
		igraph_integer_t *path = malloc(max * sizeof(*path));
		if (!path)
			return iffa_error_set(IFFA_ENOMEM, "out of memory for an exposure path");
		out->npath = record_edges(path, max < 5 ? max : 5, x, v,
					  out->way == IFFA_EXPOSURE_SOURCE);
		if (out->npath == 0)
			free(path);
		else
			out->path = path;
		return 0;
	}
	default:
		return 0;
	}
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

typedef struct {
	igraph_integer_t v;
	double score, xof;
} ranked;

static int cmp_ranked(const void *a, const void *b)
{
	const ranked *x = a, *y = b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	if (x->xof != y->xof)
		return x->xof > y->xof ? -1 : 1;
	return x->v < y->v ? -1 : (x->v > y->v);
}

int iffa_pass_exposure(iffa_findings *out, const iffa_flowgraph *g, const iffa_exposure_params *p)
{
	return iffa_exposure__pass(out, g, p, NULL, NULL);
}

int iffa_exposure__pass(iffa_findings *out, const iffa_flowgraph *g, const iffa_exposure_params *p,
			iffa_exposure__ranks *ranks, iffa_exposure **keep)
{
	iffa_exposure *x = NULL;
	iffa_exposure_result r;
	ranked *list = NULL;
	size_t n = 0;
	iffa_subject_type st = g->level == IFFA_LEVEL_PARTY ? IFFA_SUBJECT_PARTY : IFFA_SUBJECT_ACCOUNT;
	int error;

	memset(&r, 0, sizeof(r));
	if ((error = iffa_exposure__new(&x, g, p, ranks)) < 0)
		return error;
	if (!(list = malloc(((size_t)g->nv + 1) * sizeof(*list)))) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory for exposure findings");
		goto done;
	}
	/* Rank first (cheap), explain only what is reported. */
	for (igraph_integer_t v = 0; v < g->nv; v++) {
		double taint;
		if (x->pool[v] != v)
			continue; /* one finding per pool, for its representative */
		taint = x->in_total[v] > 0 ? x->in_taint[v] / x->in_total[v] : 0;
		double fund = x->out_total[v] > 0 ? x->out_fund[v] / x->out_total[v] : 0;
		int src = iffa_passes__source_vertex(g, v) || x->record[v];
		int t_ok = taint >= p->threshold && x->in_taint[v] >= p->min_xof;
		int f_ok = fund >= p->threshold && x->out_fund[v] >= p->min_xof;

		if (!src && !t_ok && !f_ok)
			continue;
		list[n].v = v;
		list[n].score = src ? 1.0 : fmin(1.0, fmax(t_ok ? taint : 0, f_ok ? fund : 0));
		list[n].xof = x->in_taint[v] + x->out_fund[v];
		n++;
	}
	qsort(list, n, sizeof(*list), cmp_ranked);
	if (p->max_findings > 0 && n > (size_t)p->max_findings)
		n = (size_t)p->max_findings;
	for (size_t i = 0; i < n; i++) {
		igraph_integer_t v = list[i].v;
		char a[32], b[32];

		if ((error = iffa_exposure_of(&r, x, v)) < 0)
			goto done;
		if (!r.flagged || r.npath == 0) {
			/* a source vertex without any edge has nothing to show */
			iffa_exposure_result_dispose(&r);
			continue;
		}
		switch (r.way) {
		case IFFA_EXPOSURE_SOURCE:
			error = iffa_findings_add(out, "exposure", "source", st, v, r.score, r.path,
						  r.npath, &v, 1, "%s vertex (a source itself)",
						  (g->vflags[v] & IFFA_VERTEX_DESIGNATED) ? "designated"
											  : "armed-group");
			break;
		case IFFA_EXPOSURE_RECORD:
			xof_text(a, sizeof(a), x->in_taint[v]);
			xof_text(b, sizeof(b), x->out_fund[v]);
			error = iffa_findings_add(
				out, "exposure", "record_party", st, v, r.score, r.path, r.npath, &v, 1,
				"party to a ransom, levy or conflict-gold record; received %s from "
				"sources (%.0f%%), paid %s to them (%.0f%%)",
				a, 100 * r.taint, b, 100 * r.funding);
			break;
		default:
			xof_text(a, sizeof(a), r.way == IFFA_EXPOSURE_PROCEEDS ? r.tainted_xof : r.funding_xof);
			error = iffa_findings_add(
				out, "exposure", iffa_exposure_way_name(r.way), st, v, r.score, r.path,
				r.npath, &v, 1,
				r.way == IFFA_EXPOSURE_PROCEEDS
					? "%.0f%% of the money received (%s) came from sources, %d hop%s "
					  "from the nearest; PageRank from sources %.1fx uniform"
					: "%.0f%% of the money paid (%s) went to sources, %d hop%s from "
					  "the nearest; PageRank towards sources %.1fx uniform",
				100 * r.score, a, r.hops, r.hops == 1 ? "" : "s",
				r.way == IFFA_EXPOSURE_PROCEEDS ? r.ppr_from : r.ppr_to);
			break;
		}
		iffa_exposure_result_dispose(&r);
		if (error < 0)
			goto done;
	}
done:
	iffa_exposure_result_dispose(&r);
	free(list);
	if (keep && error == 0)
		*keep = x;
	else
		iffa_exposure_free(x);
	return error;
}
