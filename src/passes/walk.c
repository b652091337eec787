/*
 * Time-respecting walks (see walk.h): per-holder time-ordered flow lists
 * and a bounded depth-first search with amount pruning.
 *
 * Written by hand: igraph 0.10.2 has no temporal paths, and its simple-path
 * enumeration (igraph_get_all_simple_paths) ignores time and amounts and is
 * exponential. The search here is the classic time-respecting path search
 * ("journeys" in temporal graphs: Holme and Saramäki, Temporal networks,
 * Physics Reports 519, 2012; Wu et al., Path problems in temporal graphs,
 * VLDB 2014) restricted to short journeys, with each hop grouping the flows
 * to one counterparty and an amount bound that prunes as it goes.
 *
 * Rules of a hop from holder h, reached with c XOF of the source's money
 * by flows that left in [lo, hi] (time keys; exact instants when each edge
 * is one flow); docs/ANALYSIS.md ("Paths") explains each choice:
 *
 *   - candidate flows leave h with a time in [lo, hi + dwell]: for an edge
 *     merging several flows, known only by its first and last time, when
 *     [first, last] meets that interval (some flow of it may follow);
 *   - they are grouped by the holder they reach; a group moves
 *     H = max(transfers, records) XOF, since a record and the transfer that
 *     paid it often describe the same money (a levy paid by wallet, a
 *     ransom leg beside the cash handed over);
 *   - proportional taint: of what h pays, the share s_h = min(1, c / I_h)
 *     is the source's money, I_h being h's inflow over [lo - dwell, hi]
 *     less other sources' money known from a first round (shares()); in
 *     GOLD mode s_h = 1 (a lot is sold on whole);
 *   - amount matching and conservation: the groups take, closest in
 *     amount to c first, min(what h has not passed on yet, s_h · H ·
 *     holding decay), so h never passes on more than reached it; money
 *     going back to a holder on the path is spent there, not followed
 *     (paths are simple);
 *   - holding decay: money held past `grace` carries on less, linearly to
 *     nothing at `dwell` (not in GOLD mode);
 *   - the hop is kept when it carries at least max(min_amount,
 *     min_fraction · c0), c0 being what the source put in.
 *
 * So a path's amount is bounded by its smallest hop and by what the source
 * put in, and fades through busy holders: a hawala broker with 990 M XOF of
 * others' money in the month passes on 1 % of what it pays.
 *
 * A path is recorded when nothing goes on from its end (or at max_hops);
 * per source only the max_paths largest are kept. A source stops after
 * max_expansions candidate flows looked at, so the work per source is
 * bounded whatever the degrees: O(X log X) for X = max_expansions.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/grow.h"
#include "graph/flowgraph.h"
#include "passes/walk.h"

/* 24 bytes: edges and holders are numbered below 2^32 (iffa_walk__new checks). */
typedef struct {
	int64_t lo, hi;          /* time keys of the edge's first and last flow */
	uint32_t e;
	uint32_t other;          /* the holder at the edge's other end: read with the
				    entry, not looked up through the graph */
} entry;

/*
 * Running sums over each holder's in-list (the sum of a term over its
 * entries up to and including each one). Record flows (ransom, gold,
 * levy) reach few holders and source money known from a first round
 * fewer still, so where that saves memory the sums are kept only for the
 * holders with some term that is not zero (`at`: where a holder's sums
 * start in `v`, NO_SUMS for none: all zero); otherwise `at` is NULL and
 * `v` has a sum per entry. At 10M transfers: 8 bytes an edge for the
 * records' sums, 16 for the known money's, down to a few percent.
 */
typedef struct {
	double *v;
	uint32_t *at;
} sums;

#define NO_SUMS UINT32_MAX

/* Flows of each holder, ordered by lo: off[h] .. off[h + 1] (4 bytes a
 * holder: iffa_walk__new refuses 2^32 edges or vertices). */
typedef struct {
	uint32_t *off;
	entry *ent;              /* out lists */
	int64_t *lo;             /* in lists: each flow's lo and edge, no more (a walk reads
				    no other part of an arriving flow: 12 bytes, not 24) */
	uint32_t *eid;
	int64_t *span;           /* out lists: the largest hi - lo of the holder */
	sums cum_t, cum_r;       /* in lists: running sums of transfers, records */
	sums kt_t, kt_r;         /* in lists: the same of known source money on them
				    (kt_t.v NULL: none known) */
} flowlist;

struct iffa_walk {
	const iffa_flowgraph *g;
	iffa_walk_mode mode;
	igraph_integer_t nh;          /* holders */
	uint32_t *hold;               /* vertex -> holder */
	uint32_t *hv_off;             /* vertices of holder h: hv[hv_off[h] .. hv_off[h + 1]) */
	uint32_t *hv;
	flowlist out, in;
};

static int64_t sat_add(int64_t a, int64_t b)
{
	if (b > 0 && a > INT64_MAX - b)
		return INT64_MAX;
	if (b < 0 && a < INT64_MIN - b)
		return INT64_MIN;
	return a + b;
}

iffa_walk_mode iffa_walk__mode(const iffa_walk *w)
{
	return w->mode;
}

const iffa_flowgraph *iffa_walk__graph(const iffa_walk *w)
{
	return w->g;
}

igraph_integer_t iffa_walk__holder(const iffa_walk *w, igraph_integer_t v)
{
	return w->hold[v];
}

igraph_integer_t iffa_walk__holder_count(const iffa_walk *w)
{
	return w->nh;
}

igraph_integer_t iffa_walk__from_vertex(const iffa_walk *w, igraph_integer_t e)
{
	return w->mode == IFFA_WALK_FORWARD ? IGRAPH_FROM(&w->g->graph, e)
					    : IGRAPH_TO(&w->g->graph, e);
}

igraph_integer_t iffa_walk__to_vertex(const iffa_walk *w, igraph_integer_t e)
{
	return w->mode == IFFA_WALK_FORWARD ? IGRAPH_TO(&w->g->graph, e)
					    : IGRAPH_FROM(&w->g->graph, e);
}

int iffa_walk__edge_usable(const iffa_walk *w, igraph_integer_t e)
{
	if (w->mode == IFFA_WALK_GOLD && w->g->ekind[e] != IFFA_KIND_GOLD)
		return 0;
	return w->hold[IGRAPH_FROM(&w->g->graph, e)] != w->hold[IGRAPH_TO(&w->g->graph, e)];
}

int64_t iffa_walk__time(const iffa_walk *w, int64_t key)
{
	return w->mode == IFFA_WALK_BACKWARD ? -key : key;
}

static void edge_keys(const iffa_walk *w, igraph_integer_t e, int64_t *lo, int64_t *hi)
{
	if (w->mode == IFFA_WALK_BACKWARD) {
		*lo = -w->g->elast[e];
		*hi = -w->g->efirst[e];
	} else {
		*lo = w->g->efirst[e];
		*hi = w->g->elast[e];
	}
}

static int by_lo(const void *a, const void *b)
{
	const entry *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return x->e < y->e ? -1 : x->e > y->e;
}

static void sums_dispose(sums *s)
{
	free(s->v);
	free(s->at);
	s->v = NULL;
	s->at = NULL;
}

/* The sum at in-list position q of holder h. */
static inline double sum_at(const sums *s, const flowlist *f, size_t h, size_t q)
{
	if (!s->at)
		return s->v[q];
	return s->at[h] == NO_SUMS ? 0 : s->v[s->at[h] + (q - f->off[h])];
}

/*
 * The term an in-list entry adds: its edge's XOF (or the known source
 * money on it, capped by the XOF, when `known` is given) if the edge is a
 * transfer (`records` 0) or a record (`records` 1), else 0.
 */
static inline double term(const iffa_flowgraph *g, const double *known, int records,
			  igraph_integer_t e)
{
	double x;

	if ((g->ekind[e] != IFFA_KIND_TRANSFER) != records)
		return 0;
	x = g->eamount[e];
	if (known && known[e] < x)
		x = known[e];
	return x;
}

/*
 * Running sums of term() over every holder's in-list, packed to the
 * holders with a non-zero term when that is smaller than one per entry:
 * a first pass marks those holders in `at`, which goes when the sums are
 * kept for every entry.
 */
static int sums_build(sums *s, const flowlist *f, size_t nh, const iffa_flowgraph *g,
		      const double *known, int records)
{
	size_t n = f->off[nh], kept = 0, at = 0;

	memset(s, 0, sizeof(*s));
	if (!(s->at = malloc((nh ? nh : 1) * sizeof(*s->at))))
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	for (size_t h = 0; h < nh; h++) {
		s->at[h] = NO_SUMS;
		for (size_t p = f->off[h]; p < f->off[h + 1]; p++)
			if (term(g, known, records, f->eid[p]) != 0) {
				s->at[h] = 0; /* some: its start is set below */
				kept += f->off[h + 1] - f->off[h];
				break;
			}
	}
	if (kept * sizeof(double) + nh * sizeof(uint32_t) >= n * sizeof(double)) {
		free(s->at);
		s->at = NULL;
		kept = n;
	}
	if (!(s->v = malloc((kept ? kept : 1) * sizeof(*s->v)))) {
		sums_dispose(s);
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	}
	for (size_t h = 0; h < nh; h++) {
		size_t p0 = f->off[h], p1 = f->off[h + 1];
		double sum = 0, *v;

		if (!s->at) {
			v = s->v + p0;
		} else if (s->at[h] == NO_SUMS) {
			continue;
		} else {
			s->at[h] = (uint32_t)at;
			v = s->v + at;
			at += p1 - p0;
		}
		for (size_t p = p0; p < p1; p++) {
			sum += term(g, known, records, f->eid[p]);
			v[p - p0] = sum;
		}
	}
	return 0;
}

static void flowlist_dispose(flowlist *f)
{
	free(f->off);
	free(f->ent);
	free(f->lo);
	free(f->eid);
	free(f->span);
	sums_dispose(&f->cum_t);
	sums_dispose(&f->cum_r);
	sums_dispose(&f->kt_t);
	sums_dispose(&f->kt_r);
	memset(f, 0, sizeof(*f));
}

/* Sort each holder's run of entries [off[h], off[h + 1]) that is out of order by lo. */
static void sort_runs(entry *ent, const uint32_t *off, size_t nh)
{
	for (size_t h = 0; h < nh; h++) {
		for (size_t p = off[h] + 1; p < off[h + 1]; p++) {
			if (ent[p].lo < ent[p - 1].lo) {
				iffa_sort__(ent + off[h], off[h + 1] - off[h], sizeof(entry), by_lo);
				break;
			}
		}
	}
}

/*
 * One list per holder of the usable edges whose `from` end (out lists,
 * w->out) or `to` end (in lists, w->in) the holder is, both made in one
 * pass over the edges in time order (reverse time order backwards): an
 * edge's ends, holders and times are read once for both lists, where two
 * passes read them twice (at 10M transfers the index took 3.8 s of CPU,
 * most of it in those scattered reads). A run of a holder still out of
 * order by lo (an aggregated edge's last time backwards) is sorted by lo,
 * then edge.
 */
static int flowlists_build(iffa_walk *w)
{
	const iffa_flowgraph *g = w->g;
	const uint32_t *order = g->by_time;
	flowlist *fo = &w->out, *fi = &w->in;
	size_t ne = (size_t)g->ne, nh = (size_t)w->nh, n = 0, capseg = 0;
	uint32_t *fill_o = NULL, *fill_i = NULL;
	entry *seg = NULL;
	int error = 0;

	memset(fo, 0, sizeof(*fo));
	memset(fi, 0, sizeof(*fi));
	fo->off = calloc(nh + 1, sizeof(*fo->off));
	fi->off = calloc(nh + 1, sizeof(*fi->off));
	fill_o = malloc((nh + 1) * sizeof(*fill_o));
	fill_i = malloc((nh + 1) * sizeof(*fill_i));
	if (!fo->off || !fi->off || !fill_o || !fill_i)
		goto nomem;
	for (size_t e = 0; e < ne; e++) {
		if (!iffa_walk__edge_usable(w, (igraph_integer_t)e))
			continue;
		fo->off[w->hold[iffa_walk__from_vertex(w, (igraph_integer_t)e)] + 1]++;
		fi->off[w->hold[iffa_walk__to_vertex(w, (igraph_integer_t)e)] + 1]++;
		n++;
	}
	for (size_t h = 0; h < nh; h++) {
		fo->off[h + 1] += fo->off[h];
		fi->off[h + 1] += fi->off[h];
	}
	memcpy(fill_o, fo->off, (nh + 1) * sizeof(*fill_o));
	memcpy(fill_i, fi->off, (nh + 1) * sizeof(*fill_i));
	fo->ent = malloc((n ? n : 1) * sizeof(*fo->ent));
	fi->lo = malloc((n ? n : 1) * sizeof(*fi->lo));
	fi->eid = malloc((n ? n : 1) * sizeof(*fi->eid));
	if (!fo->ent || !fi->lo || !fi->eid)
		goto nomem;
	for (size_t i = 0; i < ne; i++) {
		igraph_integer_t e = order[w->mode == IFFA_WALK_BACKWARD ? ne - 1 - i : i];
		igraph_integer_t ha, hb;
		int64_t lo, hi;
		entry *x;
		size_t q;

		if (w->mode == IFFA_WALK_GOLD && g->ekind[e] != IFFA_KIND_GOLD)
			continue;
		ha = w->hold[iffa_walk__from_vertex(w, e)];
		hb = w->hold[iffa_walk__to_vertex(w, e)];
		if (ha == hb) /* iffa_walk__edge_usable */
			continue;
		edge_keys(w, e, &lo, &hi);
		x = &fo->ent[fill_o[ha]++];
		x->lo = lo;
		x->hi = hi;
		x->e = (uint32_t)e;
		x->other = (uint32_t)hb;
		q = fill_i[hb]++;
		fi->lo[q] = lo;
		fi->eid[q] = (uint32_t)e;
	}
	sort_runs(fo->ent, fo->off, nh);
	/* the in lists' runs out of order, sorted the same way through entries */
	for (size_t h = 0; h < nh; h++) {
		size_t p0 = fi->off[h], p1 = fi->off[h + 1], p;
		for (p = p0 + 1; p < p1 && fi->lo[p] >= fi->lo[p - 1]; p++)
			;
		if (p >= p1)
			continue;
		if (iffa_grow((void **)&seg, &capseg, p1 - p0, sizeof(*seg)) < 0)
			goto nomem;
		for (p = p0; p < p1; p++) {
			memset(&seg[p - p0], 0, sizeof(*seg));
			seg[p - p0].lo = fi->lo[p];
			seg[p - p0].e = fi->eid[p];
		}
		iffa_sort__(seg, p1 - p0, sizeof(*seg), by_lo);
		for (p = p0; p < p1; p++) {
			fi->lo[p] = seg[p - p0].lo;
			fi->eid[p] = seg[p - p0].e;
		}
	}
	fo->span = calloc(nh ? nh : 1, sizeof(*fo->span));
	if (!fo->span)
		goto nomem;
	for (size_t h = 0; h < nh; h++)
		for (size_t p = fo->off[h]; p < fo->off[h + 1]; p++)
			if (fo->ent[p].hi - fo->ent[p].lo > fo->span[h])
				fo->span[h] = fo->ent[p].hi - fo->ent[p].lo;
	if (sums_build(&fi->cum_t, fi, nh, g, NULL, 0) < 0 ||
	    sums_build(&fi->cum_r, fi, nh, g, NULL, 1) < 0)
		goto nomem;
	goto done;
nomem:
	error = iffa_error_set(IFFA_ENOMEM, "out of memory indexing %zu flows for walks", ne);
	flowlist_dispose(fo);
	flowlist_dispose(fi);
done:
	free(fill_o);
	free(fill_i);
	free(seg);
	return error;
}

/* Holders: vertices, or at account level one per owning party. */
static int holders(iffa_walk *w, int same_owner)
{
	const iffa_flowgraph *g = w->g;
	iffa_keymap owners;
	int error = 0;

	w->hold = malloc((g->nv ? (size_t)g->nv : 1) * sizeof(*w->hold));
	if (!w->hold)
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	if (!same_owner || g->level == IFFA_LEVEL_PARTY) {
		for (igraph_integer_t v = 0; v < g->nv; v++)
			w->hold[v] = v;
		w->nh = g->nv;
		return 0;
	}
	if ((error = iffa_keymap__init(&owners, (size_t)g->nv)) < 0)
		return error;
	w->nh = 0;
	for (igraph_integer_t v = 0; v < g->nv; v++) {
		int64_t h = w->nh;
		if (g->vparty[v] >= 0 && (error = iffa_keymap__put(&h, &owners, g->vparty[v], w->nh)) < 0)
			break;
		w->hold[v] = (uint32_t)h;
		if (h == w->nh)
			w->nh++;
	}
	iffa_keymap__dispose(&owners);
	return error < 0 ? error : 0;
}

/* Each holder's vertices, in vertex order. */
static int holder_vertices(iffa_walk *w)
{
	size_t nv = (size_t)w->g->nv, nh = (size_t)w->nh;

	w->hv_off = calloc(nh + 2, sizeof(*w->hv_off));
	w->hv = malloc((nv ? nv : 1) * sizeof(*w->hv));
	if (!w->hv_off || !w->hv)
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	for (size_t v = 0; v < nv; v++)
		w->hv_off[w->hold[v] + 2]++;
	for (size_t h = 0; h < nh; h++)
		w->hv_off[h + 2] += w->hv_off[h + 1];
	for (size_t v = 0; v < nv; v++)
		w->hv[w->hv_off[w->hold[v] + 1]++] = (uint32_t)v;
	return 0;
}

const uint32_t *iffa_walk__holder_vertices(const iffa_walk *w, igraph_integer_t h, size_t *n)
{
	*n = w->hv_off[h + 1] - w->hv_off[h];
	return w->hv + w->hv_off[h];
}

void iffa_walk__free(iffa_walk *w)
{
	if (!w)
		return;
	flowlist_dispose(&w->out);
	flowlist_dispose(&w->in);
	free(w->hold);
	free(w->hv_off);
	free(w->hv);
	free(w);
}

int iffa_walk__new(iffa_walk **out, const iffa_flowgraph *g, iffa_walk_mode mode, int same_owner)
{
	iffa_walk *w = calloc(1, sizeof(*w));
	int error;

	*out = NULL;
	if (!w)
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	w->g = g;
	w->mode = mode;
	if ((uint64_t)g->ne >= UINT32_MAX || (uint64_t)g->nv >= UINT32_MAX) {
		free(w);
		return iffa_error_set(IFFA_EINVAL, "walks index at most 2^32 - 1 edges and vertices; "
				      "the flow graph has %lld edges and %lld vertices",
				      (long long)g->ne, (long long)g->nv);
	}
	if ((error = holders(w, same_owner)) < 0 || (error = holder_vertices(w)) < 0 ||
	    (error = flowlists_build(w)) < 0) {
		iffa_walk__free(w);
		return error;
	}
	*out = w;
	return 0;
}

/*
 * First position in [a, b) whose lo is >= key (or > key when `after`), of
 * the int64 lo found every `stride` bytes from `base`: an out list's
 * entries or an in list's lo array.
 */
static size_t bound_at(const char *base, size_t stride, size_t a, size_t b, int64_t key,
		       int after)
{
	while (a < b) {
		size_t m = a + (b - a) / 2;
		int64_t lo = *(const int64_t *)(const void *)(base + m * stride);
		if (lo < key || (after && lo == key))
			a = m + 1;
		else
			b = m;
	}
	return a;
}

static size_t bound(const flowlist *f, size_t a, size_t b, int64_t key, int after)
{
	return f->lo ? bound_at((const char *)f->lo, sizeof(*f->lo), a, b, key, after)
		     : bound_at((const char *)f->ent, sizeof(*f->ent), a, b, key, after);
}

/* max(transfers, records) of running sums `t`, `r` over the in-list window [a, b]. */
static double window_sum(const iffa_walk *w, const sums *t, const sums *r,
			 igraph_integer_t holder, int64_t a, int64_t b)
{
	const flowlist *f = &w->in;
	size_t s = f->off[holder], e = f->off[holder + 1], i, j;
	double tr, rc;

	if (a > b)
		return 0;
	i = bound(f, s, e, a, 0);
	j = bound(f, i, e, b, 1);
	if (i == j)
		return 0;
	tr = sum_at(t, f, (size_t)holder, j - 1) - (i > s ? sum_at(t, f, (size_t)holder, i - 1) : 0);
	rc = sum_at(r, f, (size_t)holder, j - 1) - (i > s ? sum_at(r, f, (size_t)holder, i - 1) : 0);
	return tr > rc ? tr : rc;
}

double iffa_walk__inflow(const iffa_walk *w, igraph_integer_t holder, int64_t a, int64_t b)
{
	return window_sum(w, &w->in.cum_t, &w->in.cum_r, holder, a, b);
}

void iffa_walk__range(const iffa_walk *w, int out, igraph_integer_t h, int64_t a, int64_t b,
		      size_t *p0, size_t *p1)
{
	const flowlist *f = out ? &w->out : &w->in;
	size_t s = f->off[h], e = f->off[h + 1];

	if (a > b) {
		*p0 = *p1 = s;
		return;
	}
	*p0 = bound(f, s, e, a, 0);
	*p1 = bound(f, *p0, e, b, 1);
}

igraph_integer_t iffa_walk__at(const iffa_walk *w, int out, size_t p)
{
	return out ? w->out.ent[p].e : w->in.eid[p];
}

double iffa_walk__outflow(const iffa_walk *w, igraph_integer_t holder, int64_t a, int64_t b)
{
	size_t p0, p1;
	double tr = 0, rc = 0;

	iffa_walk__range(w, 1, holder, a, b, &p0, &p1);
	for (size_t p = p0; p < p1; p++) {
		igraph_integer_t e = w->out.ent[p].e;
		if (w->g->ekind[e] == IFFA_KIND_TRANSFER)
			tr += w->g->eamount[e];
		else
			rc += w->g->eamount[e];
	}
	return tr > rc ? tr : rc;
}

double iffa_walk__known_inflow(const iffa_walk *w, igraph_integer_t holder, int64_t a, int64_t b)
{
	if (!w->in.kt_t.v)
		return 0;
	return window_sum(w, &w->in.kt_t, &w->in.kt_r, holder, a, b);
}

int iffa_walk__set_known(iffa_walk *w, const double *known)
{
	flowlist *f = &w->in;

	sums_dispose(&f->kt_t);
	sums_dispose(&f->kt_r);
	if (!known)
		return 0;
	if (sums_build(&f->kt_t, f, (size_t)w->nh, w->g, known, 0) < 0 ||
	    sums_build(&f->kt_r, f, (size_t)w->nh, w->g, known, 1) < 0) {
		sums_dispose(&f->kt_t);
		sums_dispose(&f->kt_r);
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	}
	return 0;
}

/* What one path put on one edge, for iffa_walk__known. */
typedef struct {
	igraph_integer_t e;
	double c;
} edge_share;

static int by_edge(const void *a, const void *b)
{
	const edge_share *x = a, *y = b;

	return x->e < y->e ? -1 : x->e > y->e;
}

/*
 * Each source's (edge, amount) pairs are gathered, sorted by edge and the
 * largest per edge added: memory for one source's pairs, not three arrays
 * the size of the graph (137 MB at 10M transfers, held while both walk
 * modes' indexes were).
 */
int iffa_walk__known(double *known, const iffa_walk *w, const iffa_walk_paths *p)
{
	const iffa_flowgraph *g = w->g;
	size_t ne = (size_t)g->ne, n = 0, cap = 0;
	edge_share *v = NULL;

	for (size_t i = 0; i <= p->npaths; i++) {
		if (i == p->npaths || (i > 0 && p->paths[i].source != p->paths[i - 1].source)) {
			/* Per source the most any of its paths put on an edge, summed over sources. */
			iffa_sort__(v, n, sizeof(*v), by_edge);
			for (size_t a = 0, b; a < n; a = b) {
				double most = v[a].c;
				for (b = a + 1; b < n && v[b].e == v[a].e; b++)
					if (v[b].c > most)
						most = v[b].c;
				known[v[a].e] += most;
			}
			n = 0;
		}
		if (i == p->npaths)
			break;
		for (uint32_t k = 0; k < p->paths[i].nhops; k++) {
			const iffa_walk_hop *h = &p->hops[p->paths[i].hop0 + k];
			double tr = 0, rc = 0, moved;
			for (size_t x = h->e0; x < h->e1; x++) {
				igraph_integer_t e = p->edges[x];
				if (g->ekind[e] == IFFA_KIND_TRANSFER)
					tr += g->eamount[e];
				else
					rc += g->eamount[e];
			}
			moved = tr > rc ? tr : rc;
			for (size_t x = h->e0; x < h->e1 && moved > 0; x++) {
				igraph_integer_t e = p->edges[x];
				if (iffa_grow((void **)&v, &cap, n + 1, sizeof(*v)) < 0) {
					free(v);
					return iffa_error_set(IFFA_ENOMEM, "out of memory");
				}
				v[n].e = e;
				v[n++].c = h->carried * g->eamount[e] / moved;
			}
		}
	}
	for (size_t e = 0; e < ne; e++)
		if (known[e] > g->eamount[e])
			known[e] = g->eamount[e];
	free(v);
	return 0;
}

void iffa_walk__paths_dispose(iffa_walk_paths *p)
{
	free(p->paths);
	free(p->hops);
	free(p->edges);
	memset(p, 0, sizeof(*p));
}

/*
 * Shares at a holder reached with `carried` over [lo, hi]: `share`, the
 * part of what it pays out that is this source's money, and `exposure`,
 * the part of what it received that is source money of any source. I is
 * its inflow over [lo - dwell, hi], K the source money known on it from a
 * first round (iffa_walk__set_known), of which `carried` is taken to be
 * this source's: other sources' money does not dilute this one's. In GOLD
 * mode lots are goods, not money: a lot bought is sold on whole, so the
 * share is 1 (amount matching and conservation do the allotting).
 */
static void shares(iffa_walk_hop *h, const iffa_walk *w, int64_t dwell)
{
	int64_t a = sat_add(h->lo, -dwell);
	double in = iffa_walk__inflow(w, h->holder, a, h->hi);
	double known = iffa_walk__known_inflow(w, h->holder, a, h->hi);
	double other = known > h->carried ? known - h->carried : 0;
	double mine = in - other;

	if (known < h->carried)
		known = h->carried;
	h->exposure = in > known ? known / in : 1.0;
	if (w->mode == IFFA_WALK_GOLD)
		h->share = 1.0;
	else
		h->share = mine > h->carried ? h->carried / mine : 1.0;
}

/* A candidate flow of a hop: its position in the out list, the next
 * candidate to the same holder (NO_CAND at the group's last). */
typedef struct {
	size_t p;
	size_t next;
} cand;

#define NO_CAND SIZE_MAX

typedef struct {
	cand *c;
	size_t n, cap;
} candvec;

/* The candidate flows to one holder, leaving in [lo, hi]: a chain from
 * cands[first] to cands[last], in the out list's order. */
typedef struct {
	igraph_integer_t other;
	size_t first, last, n;
	int64_t lo, hi;
	double tr, rc;          /* transfers, records */
	double moved;           /* max(transfers, records) */
	double offer;           /* share * moved * holding decay: most it may carry */
	double mismatch;        /* |ln(offer / carried)| */
} group;

typedef struct {
	group *g;
	size_t n, cap;
} groupvec;

/* Closest in amount to what reached the holder first, then earliest. */
static int by_match(const void *a, const void *b)
{
	const group *x = a, *y = b;

	if (x->mismatch != y->mismatch)
		return x->mismatch < y->mismatch ? -1 : 1;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return x->other < y->other ? -1 : x->other > y->other;
}

/* One run: the state of the depth-first search. */
typedef struct {
	iffa_walk *w;
	const iffa_walk_limits *lim;
	uint8_t *onpath;              /* per holder */
	size_t *gslot;                /* per holder: its group while a hop groups, NO_CAND */
	candvec *cands;               /* per depth */
	groupvec *groups;             /* per depth */
	iffa_walk_hop *stack;         /* hops of the current path */
	igraph_integer_t *edges;      /* their edges */
	size_t nedges, capedges;
	iffa_walk_paths leaves;       /* paths of the current source */
	size_t source;
	igraph_integer_t start;
	double floor;                 /* least amount a hop may carry */
	size_t budget;                /* flows the source may still look at */
	uint32_t max_depth;           /* hops of the current source's paths */
	int stopped;
	iffa_walk_stats st;
} walker;

static int record_leaf(walker *k, uint32_t depth)
{
	iffa_walk_paths *l = &k->leaves;
	size_t ne = k->stack[depth - 1].e1;
	iffa_walk_path *p;
	int error;

	if ((error = iffa_grow((void **)&l->paths, &l->cappaths, l->npaths + 1, sizeof(*l->paths))) < 0 ||
	    (error = iffa_grow((void **)&l->hops, &l->caphops, l->nhops + depth, sizeof(*l->hops))) < 0 ||
	    (error = iffa_grow((void **)&l->edges, &l->capedges, l->nedges + ne, sizeof(*l->edges))) < 0)
		return error;
	p = &l->paths[l->npaths++];
	p->source = k->source;
	p->start = k->start;
	p->amount = k->stack[depth - 1].carried;
	p->nhops = depth;
	p->hop0 = l->nhops;
	for (uint32_t i = 0; i < depth; i++) {
		iffa_walk_hop h = k->stack[i];
		h.e0 += l->nedges;
		h.e1 += l->nedges;
		l->hops[l->nhops++] = h;
	}
	memcpy(l->edges + l->nedges, k->edges, ne * sizeof(*k->edges));
	l->nedges += ne;
	k->st.leaves++;
	return 0;
}

/*
 * Holding decay of money held `wait` µs before it moves on: 1 up to the
 * grace time, then falling linearly to 0 at the dwell time (the longer a
 * holder sits on the money, the less its next payment is that money and
 * the more its ordinary business). Gold lots are held until sold: no decay.
 */
static double holding(const walker *k, int64_t wait)
{
	int64_t grace = k->lim->grace, dwell = k->lim->dwell;

	if (k->w->mode == IFFA_WALK_GOLD || wait <= grace || dwell <= grace)
		return 1.0;
	if (wait >= dwell)
		return 0.0;
	return 1.0 - (double)(wait - grace) / (double)(dwell - grace);
}

static int expand(walker *k, uint32_t depth)
{
	iffa_walk *w = k->w;
	const flowlist *out = &w->out;
	const iffa_walk_hop cur = k->stack[depth - 1];
	int64_t end = sat_add(cur.hi, k->lim->dwell);
	candvec *cv = &k->cands[depth];
	groupvec *gv = &k->groups[depth];
	double left = cur.carried;
	int went = 0, error = 0;

	if (depth < k->max_depth && !k->stopped) {
		size_t s = out->off[cur.holder], t = out->off[cur.holder + 1];

		/*
		 * One group per holder reached, built as the candidates are
		 * read: k->gslot gives the holder's group, and the group chains
		 * its candidates in the out list's order. The slots are cleared
		 * before the next depth uses them.
		 */
		cv->n = 0;
		gv->n = 0;
		for (size_t p = bound(out, s, t, sat_add(cur.lo, -out->span[cur.holder]), 0);
		     p < t && out->ent[p].lo <= end; p++) {
			const entry *x = &out->ent[p];
			igraph_integer_t other;
			size_t gi;
			group *gr;
			if (k->budget == 0) {
				k->stopped = 1;
				break;
			}
			k->budget--;
			k->st.expansions++;
			if (x->hi < cur.lo)
				continue;
			other = x->other;
			if ((error = iffa_grow((void **)&cv->c, &cv->cap, cv->n + 1, sizeof(*cv->c))) < 0)
				break;
			cv->c[cv->n].p = p;
			cv->c[cv->n].next = NO_CAND;
			if ((gi = k->gslot[other]) == NO_CAND) {
				if ((error = iffa_grow((void **)&gv->g, &gv->cap, gv->n + 1,
						  sizeof(*gv->g))) < 0)
					break;
				gi = k->gslot[other] = gv->n++;
				gr = &gv->g[gi];
				gr->other = other;
				gr->first = cv->n;
				gr->n = 0;
				gr->lo = INT64_MAX;
				gr->hi = INT64_MIN;
				gr->tr = gr->rc = 0;
			} else {
				gr = &gv->g[gi];
				cv->c[gr->last].next = cv->n;
			}
			gr->last = cv->n++;
			gr->n++;
			if (w->g->ekind[x->e] == IFFA_KIND_TRANSFER)
				gr->tr += w->g->eamount[x->e];
			else
				gr->rc += w->g->eamount[x->e];
			gr->lo = x->lo < gr->lo ? x->lo : gr->lo;
			gr->hi = x->hi > gr->hi ? x->hi : gr->hi;
		}
		/*
		 * The holder's source money is allotted to the groups closest
		 * amount first (amount matching: what is laundered moves on in
		 * payments of about its size, while a planted holder's ordinary
		 * purchases or a busy broker's other clients' payments are of
		 * other sizes), and no more than reached it in all. A group
		 * whose offer is below the floor can carry nothing whatever is
		 * left, so it is dropped before the sort.
		 */
		{
			size_t kept = 0;
			for (size_t i = 0; i < gv->n; i++) {
				group *gr = &gv->g[i];
				k->gslot[gr->other] = NO_CAND;
				gr->moved = gr->tr > gr->rc ? gr->tr : gr->rc;
				gr->offer = cur.share * gr->moved *
					    holding(k, gr->lo > cur.hi ? gr->lo - cur.hi : 0);
				if (gr->offer < k->floor)
					continue;
				gr->mismatch = gr->offer > 0 ? fabs(log(gr->offer / cur.carried))
							     : INFINITY;
				gv->g[kept++] = *gr;
			}
			gv->n = kept;
		}
		if (error < 0)
			return error;
		iffa_sort__(gv->g, gv->n, sizeof(*gv->g), by_match);
		for (size_t gi = 0; gi < gv->n; gi++) {
			const group *gr = &gv->g[gi];
			igraph_integer_t other = gr->other;
			double carried;
			int64_t glo = gr->lo, ghi = gr->hi;
			iffa_walk_hop *h;

			/* Of what the holder has not passed on yet, its share of
			 * the group; money going back to a holder on the path is
			 * spent, but not followed (paths are simple). */
			carried = gr->offer;
			if (carried > left)
				carried = left;
			if (carried < k->floor)
				continue;
			left -= carried;
			if (k->onpath[other])
				continue;
			if (glo < cur.lo)
				glo = cur.lo;
			if (ghi > end)
				ghi = end;
			if ((error = iffa_grow((void **)&k->edges, &k->capedges, k->nedges + gr->n,
					  sizeof(*k->edges))) < 0)
				return error;
			h = &k->stack[depth];
			h->holder = other;
			h->carried = carried;
			h->lo = glo;
			h->hi = ghi;
			shares(h, w, k->lim->dwell);
			h->e0 = k->nedges;
			for (size_t q = gr->first; q != NO_CAND; q = cv->c[q].next)
				k->edges[k->nedges++] = out->ent[cv->c[q].p].e;
			h->e1 = k->nedges;
			k->onpath[other] = 1;
			error = expand(k, depth + 1);
			k->onpath[other] = 0;
			k->nedges = h->e0;
			if (error < 0)
				return error;
			went = 1;
		}
	}
	if (!went)
		error = record_leaf(k, depth);
	return error;
}

typedef struct {
	double amount;
	size_t i;
} ranked;

static int by_amount_desc(const void *a, const void *b)
{
	const ranked *x = a, *y = b;

	if (x->amount != y->amount)
		return x->amount > y->amount ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Move the max_paths largest leaves of the source to `out`, in order of amount, less
 * those shorter than min_kept_hops. */
static int keep_leaves(walker *k, iffa_walk_paths *out)
{
	iffa_walk_paths *l = &k->leaves;
	size_t keep = l->npaths < k->lim->max_paths ? l->npaths : k->lim->max_paths;
	ranked *r = malloc((l->npaths ? l->npaths : 1) * sizeof(*r));
	int error = 0;

	if (!r)
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	for (size_t i = 0; i < l->npaths; i++) {
		r[i].amount = l->paths[i].amount;
		r[i].i = i;
	}
	iffa_sort__(r, l->npaths, sizeof(*r), by_amount_desc);
	for (size_t i = 0; i < keep && !error; i++) {
		const iffa_walk_path *p = &l->paths[r[i].i];
		const iffa_walk_hop *hp = &l->hops[p->hop0];
		size_t e0 = hp[0].e0, ne = hp[p->nhops - 1].e1 - e0;
		iffa_walk_path *q;

		if (p->nhops < (uint32_t)k->lim->min_kept_hops)
			continue;
		if ((error = iffa_grow((void **)&out->paths, &out->cappaths, out->npaths + 1,
				  sizeof(*out->paths))) < 0 ||
		    (error = iffa_grow((void **)&out->hops, &out->caphops, out->nhops + p->nhops,
				  sizeof(*out->hops))) < 0 ||
		    (error = iffa_grow((void **)&out->edges, &out->capedges, out->nedges + ne,
				  sizeof(*out->edges))) < 0)
			break;
		q = &out->paths[out->npaths++];
		*q = *p;
		q->hop0 = out->nhops;
		for (uint32_t h = 0; h < p->nhops; h++) {
			iffa_walk_hop x = hp[h];
			x.e0 = x.e0 - e0 + out->nedges;
			x.e1 = x.e1 - e0 + out->nedges;
			out->hops[out->nhops++] = x;
		}
		memcpy(out->edges + out->nedges, l->edges + e0, ne * sizeof(*out->edges));
		out->nedges += ne;
	}
	free(r);
	l->npaths = l->nhops = l->nedges = 0;
	return error;
}

/* Depths a search may reach: max_hops, a ransom's up to 32 further legs, the source hop. */
#define DEPTHS(lim) ((lim)->max_hops + 33)

static void walker_dispose(walker *k)
{
	int depths = k->lim ? DEPTHS(k->lim) : 0;

	if (k->cands)
		for (int d = 0; d < depths; d++)
			free(k->cands[d].c);
	if (k->groups)
		for (int d = 0; d < depths; d++)
			free(k->groups[d].g);
	free(k->cands);
	free(k->groups);
	free(k->onpath);
	free(k->gslot);
	free(k->stack);
	free(k->edges);
	iffa_walk__paths_dispose(&k->leaves);
}

static int walker_init(walker *k, iffa_walk *w, const iffa_walk_limits *lim)
{
	int depths = DEPTHS(lim);

	memset(k, 0, sizeof(*k));
	k->w = w;
	k->lim = lim;
	k->onpath = calloc(w->nh ? (size_t)w->nh : 1, 1);
	k->gslot = malloc((w->nh ? (size_t)w->nh : 1) * sizeof(*k->gslot));
	k->cands = calloc((size_t)depths, sizeof(*k->cands));
	k->groups = calloc((size_t)depths, sizeof(*k->groups));
	k->stack = calloc((size_t)depths, sizeof(*k->stack));
	if (!k->onpath || !k->gslot || !k->cands || !k->groups || !k->stack) {
		walker_dispose(k);
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	}
	for (igraph_integer_t h = 0; h < w->nh; h++)
		k->gslot[h] = NO_CAND;
	return 0;
}

/* Walk from sources[a .. b) (indexes kept in the paths) into out. */
static int walk_sources(walker *k, const iffa_walk_source *sources, size_t a, size_t b,
			iffa_walk_paths *out)
{
	iffa_walk *w = k->w;
	const iffa_walk_limits *lim = k->lim;
	int error = 0;

	for (size_t i = a; i < b && !error; i++) {
		igraph_integer_t e = sources[i].edge, from, to;
		double amount = sources[i].amount;
		iffa_walk_hop *h = &k->stack[0];

		if (e < 0 || e >= w->g->ne || !iffa_walk__edge_usable(w, e))
			continue;
		if (amount > w->g->eamount[e] || !(amount > 0))
			amount = w->g->eamount[e];
		from = w->hold[iffa_walk__from_vertex(w, e)];
		to = w->hold[iffa_walk__to_vertex(w, e)];
		k->source = i;
		k->start = from;
		k->floor = lim->min_fraction * amount;
		if (k->floor < lim->min_amount)
			k->floor = lim->min_amount;
		if (amount < k->floor)
			continue;
		k->budget = lim->max_expansions;
		k->stopped = 0;
		k->max_depth = (uint32_t)lim->max_hops;
		if (sources[i].extra_hops > 0)
			k->max_depth += (uint32_t)(sources[i].extra_hops < 32 ? sources[i].extra_hops : 32);
		edge_keys(w, e, &h->lo, &h->hi);
		h->holder = to;
		h->carried = amount;
		shares(h, w, lim->dwell);
		if ((error = iffa_grow((void **)&k->edges, &k->capedges, 1, sizeof(*k->edges))) < 0)
			break;
		k->edges[0] = e;
		k->nedges = 1;
		h->e0 = 0;
		h->e1 = 1;
		k->onpath[from] = k->onpath[to] = 1;
		error = expand(k, 1);
		k->onpath[from] = k->onpath[to] = 0;
		k->st.sources++;
		k->st.truncated += k->stopped;
		if (!error)
			error = keep_leaves(k, out);
	}
	return error;
}

/* Append `in` to `out`, its hop and edge positions moved along. */
static int append_paths(iffa_walk_paths *out, const iffa_walk_paths *in)
{
	int error;

	if ((error = iffa_grow((void **)&out->paths, &out->cappaths, out->npaths + in->npaths,
			  sizeof(*out->paths))) < 0 ||
	    (error = iffa_grow((void **)&out->hops, &out->caphops, out->nhops + in->nhops,
			  sizeof(*out->hops))) < 0 ||
	    (error = iffa_grow((void **)&out->edges, &out->capedges, out->nedges + in->nedges,
			  sizeof(*out->edges))) < 0)
		return error;
	for (size_t i = 0; i < in->npaths; i++) {
		iffa_walk_path q = in->paths[i];
		q.hop0 += out->nhops;
		out->paths[out->npaths++] = q;
	}
	for (size_t i = 0; i < in->nhops; i++) {
		iffa_walk_hop x = in->hops[i];
		x.e0 += out->nedges;
		x.e1 += out->nedges;
		out->hops[out->nhops++] = x;
	}
	if (in->nedges)
		memcpy(out->edges + out->nedges, in->edges, in->nedges * sizeof(*out->edges));
	out->nedges += in->nedges;
	return 0;
}

/*
 * Several threads walk at once: the sources are cut into chunks, taken in
 * turn by the workers, each chunk's paths kept apart and appended in chunk
 * order at the end, so the result is the same whatever the number of
 * workers and whichever finishes first. The walks only read the indexes
 * and the graph's arrays (no igraph call: igraph is not thread-safe as
 * Debian builds it); each worker has its own search state.
 */
typedef struct {
	iffa_walk *w;
	const iffa_walk_source *sources;
	size_t nsources, chunk, nchunks;
	const iffa_walk_limits *lim;
	iffa_walk_paths *outs;  /* per chunk */
	pthread_mutex_t lock;   /* guards next, failed, error, message and st */
	size_t next;            /* next chunk to take */
	int failed, error;
	char message[512];
	iffa_walk_stats st;
} crew;

static void add_stats(iffa_walk_stats *to, const iffa_walk_stats *from)
{
	to->sources += from->sources;
	to->truncated += from->truncated;
	to->expansions += from->expansions;
	to->leaves += from->leaves;
}

static void crew_fail(crew *c, int error)
{
	pthread_mutex_lock(&c->lock);
	if (!c->failed) {
		c->failed = 1;
		c->error = error;
		snprintf(c->message, sizeof(c->message), "%s", iffa_error_last());
	}
	pthread_mutex_unlock(&c->lock);
}

static void *crew_main(void *arg)
{
	crew *c = arg;
	walker k;
	int error;

	if ((error = walker_init(&k, c->w, c->lim)) < 0) {
		crew_fail(c, error);
		return NULL;
	}
	for (;;) {
		size_t i;
		pthread_mutex_lock(&c->lock);
		i = c->failed ? c->nchunks : c->next++;
		pthread_mutex_unlock(&c->lock);
		if (i >= c->nchunks)
			break;
		if ((error = walk_sources(&k, c->sources, i * c->chunk,
					 (i + 1) * c->chunk < c->nsources ? (i + 1) * c->chunk
									   : c->nsources,
					 &c->outs[i])) < 0) {
			crew_fail(c, error);
			break;
		}
	}
	pthread_mutex_lock(&c->lock);
	add_stats(&c->st, &k.st);
	pthread_mutex_unlock(&c->lock);
	walker_dispose(&k);
	return NULL;
}

/* Workers: as asked, or the CPUs online; at most 8, and one per 256 sources at least. */
static int workers(size_t nsources, int asked)
{
	long cpus = asked > 0 ? asked : sysconf(_SC_NPROCESSORS_ONLN);
	size_t n = cpus < 1 ? 1 : cpus > 8 ? 8 : (size_t)cpus;

	if (n > nsources / 256)
		n = nsources / 256;
	return n < 1 ? 1 : (int)n;
}

int iffa_walk__run(iffa_walk_paths *out, iffa_walk *w, const iffa_walk_source *sources,
		   size_t nsources, const iffa_walk_limits *lim, iffa_walk_stats *stats)
{
	pthread_t threads[8];
	int nthreads, started = 0, error = 0;
	crew c;

	if (lim->dwell < 0 || lim->grace < 0 || lim->max_hops < 1 || lim->max_hops > 32 || lim->max_paths < 1 ||
	    lim->max_expansions < 1 || !(lim->min_amount >= 0) || !(lim->min_fraction >= 0) ||
	    lim->min_fraction > 1 || lim->workers < 0 || lim->workers > 8 ||
	    lim->min_kept_hops < 0 || lim->min_kept_hops > 32)
		return iffa_error_set(IFFA_EINVAL,
				      "walk limits out of range: dwell %lld µs, grace %lld µs, max_hops %d (1..32), "
				      "max_paths %zu, max_expansions %zu, min_amount %g, "
				      "min_fraction %g (0..1), workers %d (0..8), min_kept_hops %d (0..32)",
				      (long long)lim->dwell, (long long)lim->grace, lim->max_hops,
				      lim->max_paths, lim->max_expansions, lim->min_amount,
				      lim->min_fraction, lim->workers, lim->min_kept_hops);
	nthreads = workers(nsources, lim->workers);
	if (nthreads == 1) {
		walker k;
		if ((error = walker_init(&k, w, lim)) < 0)
			return error;
		error = walk_sources(&k, sources, 0, nsources, out);
		if (stats)
			add_stats(stats, &k.st);
		walker_dispose(&k);
		return error;
	}
	memset(&c, 0, sizeof(c));
	c.w = w;
	c.sources = sources;
	c.nsources = nsources;
	c.lim = lim;
	/* chunks small enough to even out the workers, large enough to be cheap */
	c.chunk = nsources / ((size_t)nthreads * 32);
	c.chunk = c.chunk < 16 ? 16 : c.chunk;
	c.nchunks = (nsources + c.chunk - 1) / c.chunk;
	if (!(c.outs = calloc(c.nchunks, sizeof(*c.outs))))
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	if (pthread_mutex_init(&c.lock, NULL) != 0) {
		free(c.outs);
		return iffa_error_set(IFFA_ERROR, "cannot start the walk workers");
	}
	for (; started < nthreads; started++)
		if (pthread_create(&threads[started], NULL, crew_main, &c) != 0)
			break;
	if (started == 0)
		crew_main(&c); /* no thread could start: walk here */
	for (int t = 0; t < started; t++)
		pthread_join(threads[t], NULL);
	if (c.failed)
		error = iffa_error_set(c.error, "%s", c.message);
	for (size_t i = 0; i < c.nchunks; i++) {
		if (!error)
			error = append_paths(out, &c.outs[i]);
		iffa_walk__paths_dispose(&c.outs[i]);
	}
	if (stats)
		add_stats(stats, &c.st);
	pthread_mutex_destroy(&c.lock);
	free(c.outs);
	return error;
}
