/*
 * The paths pass: time-respecting, amount-bounded paths from the sources of
 * the group's money (ransoms, levies, gold from levied or affected-zone
 * sellers, payments by designated or armed-group vertices) that cross a
 * border, with the corridor (the countries in order) and the amount each
 * carries; and the routes that merge them, which `iffa trace` shares.
 *
 * The walk itself is in walk.c (rules, bounds and complexity there). This
 * file picks the sources, merges the paths into routes, keeps those that
 * cross a border and reports them and their corridors. Members are chosen
 * precisely: a vertex is one only where the path's money is at least
 * member_share of what it received over the dwell time before passing it
 * on, so that a path running on into ordinary commerce (the group's
 * supplier buying rice) does not drag the rice merchant in: his share of
 * source money is small, and the walk fades through him (walk.c).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "graph/flowgraph.h"
#include "passes/paths.h"


void iffa_paths__format_xof(char *out, size_t size, double amount)
{
	if (amount >= 1e9)
		snprintf(out, size, "%.2f bn", amount / 1e9);
	else if (amount >= 1e6)
		snprintf(out, size, "%.1f M", amount / 1e6);
	else {
		long long v = llround(amount);
		if (v >= 1000)
			snprintf(out, size, "%lld,%03lld", v / 1000, v % 1000);
		else
			snprintf(out, size, "%lld", v);
	}
}

/* ------------------------------------------------------------------ */
/* Routes                                                              */
/* ------------------------------------------------------------------ */

void iffa_routes__dispose(iffa_routes *r)
{
	free(r->routes);
	free(r->hops);
	free(r->edges);
	free(r->srcs);
	memset(r, 0, sizeof(*r));
}

typedef struct {
	const iffa_walk_path *p;
	const iffa_walk_hop *hops;
	size_t i;
} keyed;

/* Order paths by start, length, holders; then by their position. */
static int by_route(const void *a, const void *b)
{
	const keyed *x = a, *y = b;

	if (x->p->start != y->p->start)
		return x->p->start < y->p->start ? -1 : 1;
	if (x->p->nhops != y->p->nhops)
		return x->p->nhops < y->p->nhops ? -1 : 1;
	for (uint32_t k = 0; k < x->p->nhops; k++)
		if (x->hops[k].holder != y->hops[k].holder)
			return x->hops[k].holder < y->hops[k].holder ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static int same_route(const keyed *x, const keyed *y)
{
	if (x->p->start != y->p->start || x->p->nhops != y->p->nhops)
		return 0;
	for (uint32_t k = 0; k < x->p->nhops; k++)
		if (x->hops[k].holder != y->hops[k].holder)
			return 0;
	return 1;
}

/* Edges by first time, then id; the graph for the comparison comes along. */
typedef struct {
	int64_t t;
	igraph_integer_t e;
} timed;

static int by_time_then_id(const void *a, const void *b)
{
	const timed *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->e < y->e ? -1 : x->e > y->e;
}

static int by_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

igraph_integer_t iffa_routes__largest(const iffa_routes *r, const iffa_route_hop *h,
				      const iffa_flowgraph *g)
{
	igraph_integer_t best = r->edges[h->e0];

	for (size_t i = h->e0 + 1; i < h->e1; i++)
		if (g->eamount[r->edges[i]] > g->eamount[best])
			best = r->edges[i];
	return best;
}

/* A route's countries in order, repeats and unknowns dropped. */
typedef struct {
	char c[IFFA_ROUTE_MAX_COUNTRIES][3];
	uint32_t n;
} corridor;

static void add_country(corridor *k, const char *c)
{
	if (!c[0] || k->n == IFFA_ROUTE_MAX_COUNTRIES)
		return;
	if (k->n && strcmp(k->c[k->n - 1], c) == 0)
		return;
	memcpy(k->c[k->n++], c, 3);
}

/* Countries of a route: each hop's largest flow, its paying end then its receiving end. */
static void route_countries(corridor *k, const iffa_route *r, const iffa_routes *rs,
			    const iffa_walk *w, const iffa_flowgraph *g)
{
	k->n = 0;
	for (uint32_t i = 0; i < r->nhops; i++) {
		igraph_integer_t e = iffa_routes__largest(rs, &rs->hops[r->hop0 + i], g);
		add_country(k, g->vcountry[iffa_walk__from_vertex(w, e)]);
		add_country(k, g->vcountry[iffa_walk__to_vertex(w, e)]);
	}
}

static int by_route_amount(const void *a, const void *b)
{
	const iffa_route *x = a, *y = b;

	if (x->amount != y->amount)
		return x->amount > y->amount ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->hop0 < y->hop0 ? -1 : x->hop0 > y->hop0;
}

int iffa_routes__merge(iffa_routes *out, const iffa_walk *w, const iffa_walk_paths *p)
{
	const iffa_flowgraph *g = NULL;
	keyed *items = NULL;
	timed *tmp = NULL;
	size_t ntmp = 0, captmp = 0, caproutes = 0, caphops = 0, capedges = 0, capsrcs = 0;
	int error = 0;

	memset(out, 0, sizeof(*out));
	if (p->npaths == 0)
		return 0;
	g = iffa_walk__graph(w);
	items = malloc(p->npaths * sizeof(*items));
	if (!items)
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	for (size_t i = 0; i < p->npaths; i++) {
		items[i].p = &p->paths[i];
		items[i].hops = &p->hops[p->paths[i].hop0];
		items[i].i = i;
	}
	iffa_sort__(items, p->npaths, sizeof(*items), by_route);
	for (size_t i = 0, j; i < p->npaths && !error; i = j) {
		const keyed *first = &items[i];
		uint32_t nh = first->p->nhops;
		iffa_route *r;
		double sum = 0, least = INFINITY;

		for (j = i + 1; j < p->npaths && same_route(first, &items[j]); j++)
			;
		if ((error = iffa_grow((void **)&out->routes, &caproutes, out->n + 1,
				  sizeof(*out->routes))) < 0 ||
		    (error = iffa_grow((void **)&out->hops, &caphops, out->nhops + nh,
				  sizeof(*out->hops))) < 0 ||
		    (error = iffa_grow((void **)&out->srcs, &capsrcs, out->nsrcs + (j - i),
				  sizeof(*out->srcs))) < 0)
			break;
		r = &out->routes[out->n];
		memset(r, 0, sizeof(*r));
		r->start = first->p->start;
		r->nhops = nh;
		r->hop0 = out->nhops;
		r->src0 = out->nsrcs;
		for (size_t q = i; q < j; q++) {
			sum += items[q].p->amount;
			out->srcs[out->nsrcs++] = items[q].p->source;
		}
		iffa_sort__(out->srcs + r->src0, j - i, sizeof(*out->srcs), by_size);
		r->nsrc = 1;
		for (size_t q = 1; q < j - i; q++)
			if (out->srcs[r->src0 + q] != out->srcs[r->src0 + r->nsrc - 1])
				out->srcs[r->src0 + r->nsrc++] = out->srcs[r->src0 + q];
		out->nsrcs = r->src0 + r->nsrc;
		for (uint32_t k = 0; k < nh && !error; k++) {
			iffa_route_hop *h = &out->hops[out->nhops + k];
			double tr = 0, rc = 0;

			h->holder = first->hops[k].holder;
			h->share = h->exposure = h->carried = 0;
			h->lo = INT64_MAX;
			h->hi = INT64_MIN;
			ntmp = 0;
			for (size_t q = i; q < j && !error; q++) {
				const iffa_walk_hop *x = &items[q].hops[k];
				h->share = x->share > h->share ? x->share : h->share;
				h->exposure = x->exposure > h->exposure ? x->exposure : h->exposure;
				h->carried = x->carried > h->carried ? x->carried : h->carried;
				h->lo = x->lo < h->lo ? x->lo : h->lo;
				h->hi = x->hi > h->hi ? x->hi : h->hi;
				if ((error = iffa_grow((void **)&tmp, &captmp, ntmp + (x->e1 - x->e0),
						  sizeof(*tmp))) < 0)
					break;
				for (size_t e = x->e0; e < x->e1; e++) {
					tmp[ntmp].e = p->edges[e];
					tmp[ntmp].t = g->efirst[p->edges[e]];
					ntmp++;
				}
			}
			if (error || (error = iffa_grow((void **)&out->edges, &capedges,
						   out->nedges + ntmp, sizeof(*out->edges))) < 0)
				break;
			iffa_sort__(tmp, ntmp, sizeof(*tmp), by_time_then_id);
			h->e0 = out->nedges;
			for (size_t q = 0; q < ntmp; q++) {
				igraph_integer_t e = tmp[q].e;
				if (q > 0 && e == tmp[q - 1].e)
					continue;
				out->edges[out->nedges++] = e;
				if (g->ekind[e] == IFFA_KIND_TRANSFER)
					tr += g->eamount[e];
				else
					rc += g->eamount[e];
			}
			h->e1 = out->nedges;
			h->moved = tr > rc ? tr : rc;
			if (h->moved < least)
				least = h->moved;
		}
		if (error)
			break;
		out->nhops += nh;
		r->amount = sum < least ? sum : least;
		{
			corridor k;
			route_countries(&k, r, out, w, g);
			r->ncountries = k.n;
		}
		out->n++;
	}
	if (!error)
		iffa_sort__(out->routes, out->n, sizeof(*out->routes), by_route_amount);
	free(items);
	free(tmp);
	return error;
}

/* ------------------------------------------------------------------ */
/* Sources                                                             */
/* ------------------------------------------------------------------ */

typedef struct {
	iffa_walk_source *v;
	size_t n, cap;
} sourcevec;

typedef struct {
	int64_t record;
	igraph_integer_t head;
} leg;

static int by_leg(const void *a, const void *b)
{
	const leg *x = a, *y = b;

	if (x->record != y->record)
		return x->record < y->record ? -1 : 1;
	return x->head < y->head ? -1 : x->head > y->head;
}

static int push_source(sourcevec *s, igraph_integer_t e, double amount, int kind, int extra)
{
	int error = iffa_grow((void **)&s->v, &s->cap, s->n + 1, sizeof(*s->v));

	if (error < 0)
		return error;
	s->v[s->n].edge = e;
	s->v[s->n].amount = amount;
	s->v[s->n].kind = kind;
	s->v[s->n].extra_hops = extra;
	s->n++;
	return 0;
}

/* Legs of ransom `record` in the sorted `legs`. */
static size_t count_legs(const leg *legs, size_t n, int64_t record)
{
	size_t a = 0, b = n, lo;

	while (a < b) {
		size_t m = a + (b - a) / 2;
		if (legs[m].record < record)
			a = m + 1;
		else
			b = m;
	}
	for (lo = a; a < n && legs[a].record == record; a++)
		;
	return a - lo;
}

/* The ransom legs of `g` by (record, head); `has_in` marks vertices a leg arrives at. */
static int ransom_legs(leg **out, size_t *n, uint8_t **has_in, const iffa_flowgraph *g)
{
	leg *legs = malloc((g->ne ? (size_t)g->ne : 1) * sizeof(*legs));
	uint8_t *in = calloc(g->nv ? (size_t)g->nv : 1, 1);

	*out = NULL;
	*has_in = NULL;
	*n = 0;
	if (!legs || !in) {
		free(legs);
		free(in);
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	}
	for (igraph_integer_t e = 0; e < g->ne; e++) {
		if (g->ekind[e] != IFFA_KIND_RANSOM)
			continue;
		legs[*n].record = g->erecord[e];
		legs[*n].head = IGRAPH_TO(&g->graph, e);
		in[legs[*n].head] = 1;
		(*n)++;
	}
	iffa_sort__(legs, *n, sizeof(*legs), by_leg);
	*out = legs;
	*has_in = in;
	return 0;
}

int iffa_paths__ransom_extra(int *extra, const iffa_flowgraph *g)
{
	leg *legs;
	uint8_t *has_in;
	size_t n;
	int error = ransom_legs(&legs, &n, &has_in, g);

	if (error < 0)
		return error;
	for (igraph_integer_t e = 0; e < g->ne; e++)
		extra[e] = g->ekind[e] == IFFA_KIND_RANSOM && g->erecord[e] >= 0
				   ? (int)count_legs(legs, n, g->erecord[e]) - 1
				   : 0;
	free(legs);
	free(has_in);
	return 0;
}

/*
 * A ransom's first leg: no other leg of the same ransom arrives where it
 * leaves. On an aggregated graph a merged leg has no ransom id (-1); it is
 * a first leg when no ransom edge at all arrives at its tail. A ransom's
 * legs are one record: those after the first do not count against
 * max_hops.
 */
static int ransom_sources(sourcevec *s, const iffa_flowgraph *g)
{
	leg *legs = NULL;
	uint8_t *has_in = NULL;
	size_t n = 0;
	int error;

	if ((error = ransom_legs(&legs, &n, &has_in, g)) < 0)
		return error;
	for (igraph_integer_t e = 0; e < g->ne && !error; e++) {
		leg key;
		int first;

		if (g->ekind[e] != IFFA_KIND_RANSOM)
			continue;
		key.record = g->erecord[e];
		key.head = IGRAPH_FROM(&g->graph, e);
		first = key.record < 0 ? !has_in[key.head]
				       : !bsearch(&key, legs, n, sizeof(*legs), by_leg);
		if (first)
			error = push_source(s, e, g->eamount[e], SRC_RANSOM,
					    key.record < 0 ? 0 : (int)count_legs(legs, n, key.record) - 1);
	}
	free(legs);
	free(has_in);
	return error;
}

static int money_sources(sourcevec *s, const iffa_flowgraph *g, const iffa_walk *w, unsigned which)
{
	int error = 0;

	if ((which & IFFA_PATHS_FROM_RANSOM) && (error = ransom_sources(s, g)) < 0)
		return error;
	for (igraph_integer_t e = 0; e < g->ne && !error; e++) {
		uint8_t k = g->ekind[e];
		if (!iffa_walk__edge_usable(w, e))
			continue;
		if (k == IFFA_KIND_LEVY && (which & IFFA_PATHS_FROM_LEVY))
			error = push_source(s, e, g->eamount[e], SRC_LEVY, 0);
		else if ((which & IFFA_PATHS_FROM_DESIGNATED) &&
			 (g->vflags[IGRAPH_FROM(&g->graph, e)] &
			  (IFFA_VERTEX_DESIGNATED | IFFA_VERTEX_ARMED_GROUP)) &&
			 !(k == IFFA_KIND_RANSOM && (which & IFFA_PATHS_FROM_RANSOM)) &&
			 !(k == IFFA_KIND_LEVY && (which & IFFA_PATHS_FROM_LEVY)))
			error = push_source(s, e, g->eamount[e], SRC_DESIGNATED, 0);
	}
	return error;
}

/*
 * Gold lots whose seller (the head of the buyer -> seller edge) is in an
 * affected zone, an armed group or designated, or a holder that pays
 * levies (a levied mine site, when the zones were not loaded).
 */
static int gold_sources(sourcevec *s, const iffa_flowgraph *g, const iffa_walk *w)
{
	uint8_t *levied = calloc(iffa_walk__holder_count(w) ? (size_t)iffa_walk__holder_count(w) : 1, 1);
	int error = 0;

	if (!levied)
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	for (igraph_integer_t e = 0; e < g->ne; e++)
		if (g->ekind[e] == IFFA_KIND_LEVY)
			levied[iffa_walk__holder(w, IGRAPH_FROM(&g->graph, e))] = 1;
	for (igraph_integer_t e = 0; e < g->ne && !error; e++) {
		igraph_integer_t seller;
		if (g->ekind[e] != IFFA_KIND_GOLD || !iffa_walk__edge_usable(w, e))
			continue;
		seller = IGRAPH_TO(&g->graph, e);
		if ((g->vflags[seller] & (IFFA_VERTEX_AFFECTED_ZONE | IFFA_VERTEX_ARMED_GROUP |
					  IFFA_VERTEX_DESIGNATED)) ||
		    levied[iffa_walk__holder(w, seller)])
			error = push_source(s, e, g->eamount[e], SRC_GOLD, 0);
	}
	free(levied);
	return error;
}

/* ------------------------------------------------------------------ */
/* Findings                                                            */
/* ------------------------------------------------------------------ */

typedef struct {
	igraph_integer_t *v;
	size_t n, cap;
} idvec;

static int push_id(idvec *x, igraph_integer_t id)
{
	int error = iffa_grow((void **)&x->v, &x->cap, x->n + 1, sizeof(*x->v));

	if (error < 0)
		return error;
	x->v[x->n++] = id;
	return 0;
}

/* Append `id` unless `x` holds it (member lists are short: linear look-up). */
static int push_new(idvec *x, igraph_integer_t id)
{
	for (size_t i = 0; i < x->n; i++)
		if (x->v[i] == id)
			return 0;
	return push_id(x, id);
}

/* Append the vertices of holder `h`: all of them, or those in `edges` at end `to`. */
static int push_holder(idvec *out, const iffa_walk *w, igraph_integer_t h, int whole,
		       const igraph_integer_t *edges, size_t n, int to)
{
	int error = 0;

	if (whole) {
		size_t nv;
		const uint32_t *vs = iffa_walk__holder_vertices(w, h, &nv);
		for (size_t i = 0; i < nv && !error; i++)
			error = push_new(out, vs[i]);
		return error;
	}
	for (size_t i = 0; i < n && !error; i++)
		error = push_new(out, to ? iffa_walk__to_vertex(w, edges[i])
					 : iffa_walk__from_vertex(w, edges[i]));
	return error;
}

/*
 * Members of a route: the source (the holder its first hop leaves), and
 * every holder whose share of the route's money reaches `member_share`.
 * A holder brings the vertices its flows touched or, with `whole`, all its
 * vertices (at account level an owner's accounts are one purse).
 */
static int route_members(idvec *out, const iffa_routes *rs, const iffa_route *r,
			 const iffa_walk *w, const iffa_paths_params *p)
{
	int error = 0;

	for (uint32_t k = 0; k < r->nhops && !error; k++) {
		const iffa_route_hop *h = &rs->hops[r->hop0 + k];

		if (k == 0)
			error = push_holder(out, w, r->start, p->owner_accounts, rs->edges + h->e0,
					    h->e1 - h->e0, 0);
		if (error || h->exposure < p->member_share)
			continue;
		error = push_holder(out, w, h->holder, p->owner_accounts, rs->edges + h->e0,
				    h->e1 - h->e0, 1);
		if (!error && k + 1 < r->nhops)
			error = push_holder(out, w, h->holder, p->owner_accounts,
					    rs->edges + h[1].e0, h[1].e1 - h[1].e0, 0);
	}
	return error;
}

static void corridor_text(char *out, size_t size, const corridor *k)
{
	size_t len = 0;

	out[0] = '\0';
	for (uint32_t i = 0; i < k->n && len + 8 < size; i++)
		len += (size_t)snprintf(out + len, size - len, "%s%s", i ? "\u2192" : "", k->c[i]);
}

static void span_text(char *out, size_t size, int64_t us)
{
	double h = (double)us / 3.6e9;

	if (h < 1)
		snprintf(out, size, "within the hour");
	else if (h < 48)
		snprintf(out, size, "over %.0f h", h);
	else
		snprintf(out, size, "over %.1f days", h / 24);
}

/* "of ransom 17", "of 3 levies", "of gold (lot 8) from a levied or affected-zone seller"... */
static void sources_text(char *out, size_t size, const iffa_routes *rs, const iffa_route *r,
			 const iffa_walk_source *src, const iffa_flowgraph *g, const iffa_walk *w)
{
	static const char *const one[SRC_KINDS] = {"ransom", "levy", "gold lot", "payment"};
	static const char *const many[SRC_KINDS] = {"ransoms", "levies", "gold lots", "payments"};
	size_t count[SRC_KINDS] = {0}, kinds = 0;
	const iffa_walk_source *s = &src[rs->srcs[r->src0]];
	igraph_integer_t payer = iffa_walk__from_vertex(w, s->edge);
	char who[64];

	for (size_t i = 0; i < r->nsrc; i++)
		if (count[src[rs->srcs[r->src0 + i]].kind]++ == 0)
			kinds++;
	snprintf(who, sizeof(who), "%s %lld", g->vkey[payer] & 1 ? "party" : "account",
		 (long long)(g->vkey[payer] >> 1));
	if (kinds > 1)
		snprintf(out, size, "from %zu sources of %s", r->nsrc, who);
	else if (r->nsrc > 1)
		snprintf(out, size, "of %zu %s from %s%s", r->nsrc, many[s->kind], who,
			 s->kind == SRC_DESIGNATED ? " (designated or armed group)" : "");
	else if (s->kind == SRC_DESIGNATED)
		snprintf(out, size, "paid by %s (designated or armed group)", who);
	else if (g->erecord[s->edge] >= 0)
		snprintf(out, size, "of %s %lld from %s", one[s->kind],
			 (long long)g->erecord[s->edge], who);
	else
		snprintf(out, size, "of a %s from %s", one[s->kind], who);
}

/* The finding of one route, `k` its corridor (route_countries). */
static int report_route(iffa_findings *out, idvec *ev, idvec *mem, const iffa_routes *rs,
			const iffa_route *r, const corridor *k, const iffa_walk_source *src,
			const iffa_walk *w, const iffa_flowgraph *g, const iffa_paths_params *p)
{
	char amount[32], text[IFFA_ROUTE_MAX_COUNTRIES * 5 + 1], span[32], from[160];
	const iffa_route_hop *h0 = &rs->hops[r->hop0], *hn = h0 + r->nhops - 1;
	int gold = iffa_walk__mode(w) == IFFA_WALK_GOLD;
	int error = 0;

	ev->n = mem->n = 0;
	for (size_t i = h0->e0; i < hn->e1 && !error; i++)
		error = push_id(ev, rs->edges[i]);
	if (error || (error = route_members(mem, rs, r, w, p)) < 0)
		return error;
	iffa_paths__format_xof(amount, sizeof(amount), r->amount);
	corridor_text(text, sizeof(text), k);
	span_text(span, sizeof(span), hn->hi - h0->lo);
	sources_text(from, sizeof(from), rs, r, src, g, w);
	return iffa_findings_add(out, "paths", "cross_border_path", IFFA_SUBJECT_PATH, -1,
				 r->amount / 1e6, ev->v, ev->n, mem->v, mem->n,
				 "%s XOF %s%s crossed %s in %u hop%s %s; %zu member%s hold at least "
				 "%.0f%% of what they received",
				 amount, gold ? "worth of gold " : "", from, text, r->nhops,
				 r->nhops == 1 ? "" : "s", span, mem->n, mem->n == 1 ? "" : "s",
				 100 * p->member_share);
}

/* A route reported, for the corridors. */
typedef struct {
	const iffa_routes *rs;
	const iffa_route *r;
	const iffa_walk *w;
	const iffa_walk_source *src;
	corridor k;
} reported;

static int corridor_cmp(const reported *x, const reported *y)
{
	int gx = iffa_walk__mode(x->w) == IFFA_WALK_GOLD, gy = iffa_walk__mode(y->w) == IFFA_WALK_GOLD;

	if (gx != gy)
		return gx - gy;
	if (x->k.n != y->k.n)
		return x->k.n < y->k.n ? -1 : 1;
	for (uint32_t i = 0; i < x->k.n; i++) {
		int c = strcmp(x->k.c[i], y->k.c[i]);
		if (c)
			return c;
	}
	return 0;
}

static int by_corridor(const void *a, const void *b)
{
	const reported *x = a, *y = b;
	int c = corridor_cmp(x, y);

	if (c)
		return c;
	if (x->r->amount != y->r->amount)
		return x->r->amount > y->r->amount ? -1 : 1;
	return x < y ? -1 : x > y;
}

static int report_corridors(iffa_findings *out, reported *all, size_t n, const iffa_flowgraph *g,
			    const iffa_paths_params *p)
{
	idvec ev = {0}, mem = {0};
	size_t *srcs = NULL, capsrcs = 0;
	int error = 0;

	iffa_sort__(all, n, sizeof(*all), by_corridor);
	for (size_t i = 0, j; i < n && !error; i = j) {
		char total_text[32], top_text[32], text[IFFA_ROUTE_MAX_COUNTRIES * 5 + 1];
		static const char *const one[SRC_KINDS] = {"ransom", "levy", "gold lot",
							    "designated payer"};
		static const char *const many[SRC_KINDS] = {"ransoms", "levies", "gold lots",
							     "designated payers"};
		size_t count[SRC_KINDS] = {0}, ns = 0, len = 0;
		char kinds[160];
		double total = 0;
		int gold = iffa_walk__mode(all[i].w) == IFFA_WALK_GOLD;

		/* The distinct sources of the corridor's routes, by kind. */
		for (j = i; j < n && corridor_cmp(&all[i], &all[j]) == 0; j++) {
			total += all[j].r->amount;
			if ((error = iffa_grow((void **)&srcs, &capsrcs, ns + all[j].r->nsrc,
					  sizeof(*srcs))) < 0)
				break;
			memcpy(srcs + ns, all[j].rs->srcs + all[j].r->src0,
			       all[j].r->nsrc * sizeof(*srcs));
			ns += all[j].r->nsrc;
		}
		if (error)
			break;
		iffa_sort__(srcs, ns, sizeof(*srcs), by_size);
		for (size_t q = 0; q < ns; q++)
			if (q == 0 || srcs[q] != srcs[q - 1])
				count[all[i].src[srcs[q]].kind]++;
		kinds[0] = '\0';
		for (int k = 0, first = 1; k < SRC_KINDS; k++) {
			if (!count[k])
				continue;
			len += (size_t)snprintf(kinds + len, sizeof(kinds) - len, "%s%zu %s",
						first ? "" : ", ", count[k],
						count[k] == 1 ? one[k] : many[k]);
			first = 0;
		}
		ev.n = mem.n = 0;
		for (size_t q = i; q < j && q < i + p->corridor_top && !error; q++) {
			const iffa_route *r = all[q].r;
			const iffa_route_hop *h0 = &all[q].rs->hops[r->hop0];
			for (size_t e = h0->e0; e < h0[r->nhops - 1].e1 && !error; e++)
				error = push_new(&ev, all[q].rs->edges[e]); /* paths share hops */
			if (!error)
				error = route_members(&mem, all[q].rs, r, all[q].w, p);
		}
		if (error)
			break;
		iffa_paths__format_xof(total_text, sizeof(total_text), total);
		iffa_paths__format_xof(top_text, sizeof(top_text), all[i].r->amount);
		corridor_text(text, sizeof(text), &all[i].k);
		error = iffa_findings_add(out, "paths", "corridor", IFFA_SUBJECT_CLUSTER, -1,
					  total / 1e6, ev.v, ev.n, mem.v, mem.n,
					  "%s %s: %s XOF along %zu path%s from %s; the largest %s XOF",
					  gold ? "gold" : "money", text, total_text, j - i,
					  j - i == 1 ? "" : "s", kinds, top_text);
	}
	(void)g;
	free(ev.v);
	free(mem.v);
	free(srcs);
	return error;
}

int iffa_paths__check(const iffa_paths_params *p)
{
	if (p->relay_min_hops < 0 || p->relay_min_hops > 32 || p->relay_max_hops < 1 ||
	    p->relay_max_hops > 32 || p->relay_min_borders < 0 || !(p->relay_min_amount >= 0) ||
	    !(p->relay_min_retained >= 0) || p->relay_min_retained > 1 || p->relay_dwell < 0)
		return iffa_error_set(IFFA_EINVAL,
				      "paths relay parameters out of range: relay_min_hops %d (0..32), "
				      "relay_max_hops %d (1..32), relay_min_borders %d (>= 0), "
				      "relay_min_amount %g (>= 0), relay_min_retained %g (0..1), "
				      "relay_dwell %lld µs (>= 0)",
				      p->relay_min_hops, p->relay_max_hops, p->relay_min_borders,
				      p->relay_min_amount, p->relay_min_retained,
				      (long long)p->relay_dwell);
	if (p->dwell < 0 || p->grace < 0 || p->max_hops < 1 || p->max_hops > 32 || !(p->min_amount >= 0) ||
	    !(p->min_fraction >= 0) || p->min_fraction > 1 || !(p->member_share >= 0) ||
	    p->member_share > 1 || p->max_paths < 1 || p->max_expansions < 1 ||
	    (p->sources & ~(unsigned)IFFA_PATHS_FROM_ALL))
		return iffa_error_set(IFFA_EINVAL,
				      "paths parameters out of range: dwell %lld µs and grace %lld µs "
				      "(>= 0), max_hops %d (1..32), min_amount %g (>= 0), min_fraction %g and "
				      "member_share %g (0..1), max_paths %zu and max_expansions %zu "
				      "(>= 1), sources 0x%x",
				      (long long)p->dwell, (long long)p->grace, p->max_hops, p->min_amount,
				      p->min_fraction, p->member_share, p->max_paths,
				      p->max_expansions, p->sources);
	return 0;
}

void iffa_paths__limits(iffa_walk_limits *lim, const iffa_paths_params *p)
{
	memset(lim, 0, sizeof(*lim));
	lim->dwell = p->dwell;
	lim->grace = p->grace;
	lim->max_hops = p->max_hops;
	lim->min_amount = p->min_amount;
	lim->min_fraction = p->min_fraction;
	lim->max_paths = p->max_paths;
	lim->max_expansions = p->max_expansions;
	lim->workers = p->workers;
}

/*
 * Walk every source twice: the first round tells how much of each
 * holder's inflow is source money of any source, so that in the second a
 * broker shared by several ransoms does not dilute each one's money by the
 * others' (walk.c, shares()).
 */
static int two_rounds(iffa_walk_paths *out, iffa_walk *w, const iffa_walk_source *src,
		      size_t nsrc, const iffa_walk_limits *lim, iffa_walk_stats *stats)
{
	const iffa_flowgraph *g = iffa_walk__graph(w);
	iffa_walk_paths first;
	double *known = calloc(g->ne ? (size_t)g->ne : 1, sizeof(*known));
	int error;

	memset(&first, 0, sizeof(first));
	if (!known)
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	if ((error = iffa_walk__run(&first, w, src, nsrc, lim, stats)) == 0 &&
	    (error = iffa_walk__known(known, w, &first)) == 0)
		error = iffa_walk__set_known(w, known);
	/* the walk keeps its running sums of the known money, not the edges'
	 * figures (8 bytes an edge) nor the first round's paths */
	iffa_walk__paths_dispose(&first);
	free(known);
	if (error == 0)
		error = iffa_walk__run(out, w, src, nsrc, lim, stats);
	return error;
}

void iffa_paths__walked_dispose(iffa_paths__walked *x)
{
	iffa_walk__paths_dispose(&x->found);
	iffa_walk__free(x->w);
	free(x->src);
	memset(x, 0, sizeof(*x));
}

int iffa_paths__walk(iffa_paths__walked *out, const iffa_flowgraph *g, const iffa_paths_params *p,
		     int gold)
{
	unsigned money = p->sources & ~(unsigned)IFFA_PATHS_FROM_GOLD;
	iffa_walk_limits lim;
	sourcevec src;
	int error;

	memset(out, 0, sizeof(*out));
	memset(&src, 0, sizeof(src));
	if ((error = iffa_paths__check(p)) < 0)
		return error;
	if ((gold && !(p->sources & IFFA_PATHS_FROM_GOLD)) || (!gold && !money))
		return 0;
	iffa_paths__limits(&lim, p);
	if ((error = iffa_walk__new(&out->w, g, gold ? IFFA_WALK_GOLD : IFFA_WALK_FORWARD,
				    p->same_owner)) < 0)
		return error;
	error = gold ? gold_sources(&src, g, out->w) : money_sources(&src, g, out->w, money);
	out->src = src.v;
	out->nsrc = src.n;
	if (error == 0)
		error = two_rounds(&out->found, out->w, src.v, src.n, &lim, &out->stats);
	if (error < 0)
		iffa_paths__walked_dispose(out);
	return error;
}

/* The parameters a walk depends on (the rest only say what is reported). */
static int same_walks(const iffa_paths_params *a, const iffa_paths_params *b)
{
	return a->sources == b->sources && a->dwell == b->dwell && a->grace == b->grace &&
	       a->max_hops == b->max_hops && a->min_amount == b->min_amount &&
	       a->min_fraction == b->min_fraction && a->max_paths == b->max_paths &&
	       a->max_expansions == b->max_expansions && a->same_owner == b->same_owner;
}

void iffa_paths__memo_dispose(iffa_paths__memo *m)
{
	iffa_paths__walked_dispose(&m->walked[0]);
	iffa_paths__walked_dispose(&m->walked[1]);
	memset(m, 0, sizeof(*m));
}

int iffa_paths__walks(iffa_paths__walked walked[2], const iffa_flowgraph *g,
		      const iffa_paths_params *p, iffa_paths__memo *memo)
{
	int error;

	memset(walked, 0, 2 * sizeof(*walked));
	if (memo && memo->valid && same_walks(&memo->p, p)) {
		walked[0] = memo->walked[0];
		walked[1] = memo->walked[1];
		memset(memo, 0, sizeof(*memo));
		return 0;
	}
	for (int m = 0; m < 2; m++)
		if ((error = iffa_paths__walk(&walked[m], g, p, m)) < 0) {
			iffa_paths__walked_dispose(&walked[0]);
			iffa_paths__walked_dispose(&walked[1]);
			return error;
		}
	return 0;
}


/* ------------------------------------------------------------------ */
/* Relay chains                                                        */
/* ------------------------------------------------------------------ */

static int by_hops_then_amount(const void *a, const void *b)
{
	const iffa_route *x = *(const iffa_route *const *)a, *y = *(const iffa_route *const *)b;

	if (x->nhops != y->nhops)
		return x->nhops > y->nhops ? -1 : 1;
	return x->amount > y->amount ? -1 : x->amount < y->amount;
}

/*
 * Transfers each made of flows within `dwell` of one another: an edge
 * merging months of trade between two accounts is no relay, whatever its
 * first and last times allow the walk.
 */
static int burst(const iffa_flowgraph *g, const igraph_integer_t *edges, size_t n, int64_t dwell)
{
	for (size_t i = 0; i < n; i++)
		if (g->ekind[edges[i]] != IFFA_KIND_TRANSFER ||
		    g->elast[edges[i]] - g->efirst[edges[i]] > dwell)
			return 0;
	return 1;
}

/*
 * Relay chains: the same walk (walk.c), from every flow of at least
 * relay_min_amount, with no holding decay and a fraction bound of
 * relay_min_retained, so a path exists only where each holder passed the
 * money on nearly whole within relay_dwell of receiving it, in proportion
 * to what else it received then. Chains of relay_min_hops hops or more
 * that change country relay_min_borders times or more are reported,
 * longest first, each cut before its first hop that is not a burst of
 * transfers (records and gold lots have passes of their own; a merged
 * edge whose flows lie further apart than relay_dwell is trade, not a
 * relay); a chain whose first hop lies on one reported already is
 * a tail of it and is not reported again.
 *
 * This finds layering whoever started it: the flows need not come from a
 * known source. What ordinary trade does that looks alike (border
 * merchants carrying goods money over the border in two or three quick
 * hops, a hawala transfer through two brokers) is shorter; the hop floor
 * is what tells them apart (docs/ANALYSIS.md, "Paths").
 *
 * Time complexity: O(|V| + |E|) to index, plus a walk per flow of
 * relay_min_amount or more (most end at their first hop: nothing of the
 * amount leaves soon after), at most max_expansions flows each.
 */
/* Paths kept per relay walk: an ordinary payment that happens to follow
 * the chain's money may be the largest path; the chain is among the next. */
#define RELAY_PATHS 4

static int report_relays(iffa_findings *out, const iffa_flowgraph *g, const iffa_paths_params *p,
			 iffa_walk *shared)
{
	iffa_walk *w = shared, *own = NULL;
	iffa_walk_paths found;
	iffa_walk_limits lim;
	iffa_routes rs;
	sourcevec src;
	const iffa_route **order = NULL;
	uint8_t *used = NULL;
	idvec ev = {0}, mem = {0};
	int error;

	memset(&found, 0, sizeof(found));
	memset(&rs, 0, sizeof(rs));
	memset(&src, 0, sizeof(src));
	if (p->relay_min_hops == 0 || g->ne == 0)
		return 0;
	/* The money walk's indexes serve (same mode and holders), without the
	 * source money known from its first round. */
	if (w)
		error = iffa_walk__set_known(w, NULL);
	else if ((error = iffa_walk__new(&own, g, IFFA_WALK_FORWARD, p->same_owner)) == 0)
		w = own;
	if (error < 0)
		goto done;
	for (igraph_integer_t e = 0; e < g->ne && !error; e++)
		if (g->ekind[e] == IFFA_KIND_TRANSFER && g->eamount[e] >= p->relay_min_amount &&
		    iffa_walk__edge_usable(w, e))
			error = push_source(&src, e, g->eamount[e], 0, 0);
	if (error)
		goto done;
	/* Routes are keyed by their length: a path of fewer than relay_min_hops
	 * hops makes a route of its own, which is never reported and marks no
	 * edge used. Not keeping such paths changes no finding, and they are
	 * most of them (10M transfers: 571k relay paths, about 600 MB with
	 * their routes, were all held). */
	memset(&lim, 0, sizeof(lim));
	lim.min_kept_hops = p->relay_min_hops;
	lim.dwell = p->relay_dwell;
	lim.grace = p->relay_dwell;
	lim.max_hops = p->relay_max_hops;
	lim.min_amount = 0;
	lim.min_fraction = p->relay_min_retained;
	lim.max_paths = RELAY_PATHS;
	lim.max_expansions = p->max_expansions;
	lim.workers = p->workers;
	if ((error = iffa_walk__run(&found, w, src.v, src.n, &lim, NULL)) < 0)
		goto done;
	/* the routes name their sources by index only: 32 bytes a source
	 * (10M transfers: 571k of them) need not be held beside them */
	free(src.v);
	memset(&src, 0, sizeof(src));
	if ((error = iffa_routes__merge(&rs, w, &found)) < 0)
		goto done;
	iffa_walk__paths_dispose(&found);
	order = malloc((rs.n ? rs.n : 1) * sizeof(*order));
	used = calloc((size_t)g->ne, 1);
	if (!order || !used) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < rs.n; i++)
		order[i] = &rs.routes[i];
	iffa_sort__(order, rs.n, sizeof(*order), by_hops_then_amount);
	for (size_t i = 0; i < rs.n && !error; i++) {
		iffa_route r = *order[i];
		const iffa_route_hop *h0 = &rs.hops[r.hop0], *hn;
		char amount[32], first[32], text[IFFA_ROUTE_MAX_COUNTRIES * 5 + 1], span[32];
		corridor ck;
		int seen = 1;

		/* the chain up to its first hop that is not a burst of transfers */
		for (r.nhops = 0; r.nhops < order[i]->nhops; r.nhops++) {
			const iffa_route_hop *h = h0 + r.nhops;
			if (!burst(g, rs.edges + h->e0, h->e1 - h->e0, p->relay_dwell))
				break;
		}
		if (r.nhops < (uint32_t)p->relay_min_hops)
			continue;
		hn = h0 + r.nhops - 1;
		route_countries(&ck, &r, &rs, w, g);
		if (ck.n < (uint32_t)p->relay_min_borders + 1)
			continue;
		for (size_t q = h0->e0; q < h0->e1; q++)
			seen &= used[rs.edges[q]];
		if (seen)
			continue;
		if (r.nhops < order[i]->nhops)
			r.amount = hn->carried;
		ev.n = mem.n = 0;
		for (size_t q = h0->e0; q < hn->e1 && !error; q++) {
			used[rs.edges[q]] = 1;
			error = push_id(&ev, rs.edges[q]);
		}
		error = error ? error
			      : push_holder(&mem, w, r.start, p->owner_accounts, rs.edges + h0->e0,
					    h0->e1 - h0->e0, 0);
		for (uint32_t k = 0; k < r.nhops && !error; k++) {
			const iffa_route_hop *h = h0 + k;
			error = push_holder(&mem, w, h->holder, p->owner_accounts, rs.edges + h->e0,
					    h->e1 - h->e0, 1);
		}
		if (error)
			break;
		iffa_paths__format_xof(amount, sizeof(amount), r.amount);
		iffa_paths__format_xof(first, sizeof(first), h0->moved);
		corridor_text(text, sizeof(text), &ck);
		span_text(span, sizeof(span), hn->hi - h0->lo);
		error = iffa_findings_add(out, "paths", "relay_chain", IFFA_SUBJECT_PATH, -1,
					  r.amount / 1e6, ev.v, ev.n, mem.v, mem.n,
					  "%s XOF of %s relayed on through %u hops %s across %s "
					  "(%u border%s), each holder passing it on within %.0f h",
					  amount, first, r.nhops, span, text,
					  ck.n - 1, ck.n == 2 ? "" : "s",
					  (double)p->relay_dwell / 3.6e9);
	}
done:
	iffa_walk__paths_dispose(&found);
	iffa_routes__dispose(&rs);
	iffa_walk__free(own);
	free(src.v);
	free(order);
	free(used);
	free(ev.v);
	free(mem.v);
	return error;
}

int iffa_pass_paths(iffa_findings *out, const iffa_flowgraph *g, const iffa_paths_params *p)
{
	return iffa_paths__pass(out, g, p, NULL);
}

int iffa_paths__pass(iffa_findings *out, const iffa_flowgraph *g, const iffa_paths_params *p,
		     iffa_paths__memo *memo)
{
	iffa_paths_params defaults = IFFA_PATHS_PARAMS_INIT;
	iffa_paths__walked walked[2];
	iffa_routes routes[2];
	reported *all = NULL;
	size_t nall = 0, capall = 0;
	idvec ev = {0}, mem = {0};
	int error = 0;

	memset(walked, 0, sizeof(walked));
	memset(routes, 0, sizeof(routes));
	if (!p)
		p = &defaults;
	if ((error = iffa_paths__check(p)) < 0 || (error = iffa_paths__walks(walked, g, p, NULL)) < 0)
		goto done;
	for (int m = 0; m < 2 && !error; m++) {
		iffa_paths__walked *x = &walked[m];
		if (!x->w || (error = iffa_routes__merge(&routes[m], x->w, &x->found)) < 0)
			continue;
		if (!memo)
			iffa_walk__paths_dispose(&x->found);
		for (size_t i = 0; i < routes[m].n && !error; i++) {
			const iffa_route *r = &routes[m].routes[i];
			if (r->ncountries < 2)
				continue;
			if ((error = iffa_grow((void **)&all, &capall, nall + 1, sizeof(*all))) < 0)
				break;
			all[nall].rs = &routes[m];
			all[nall].r = r;
			all[nall].w = x->w;
			all[nall].src = x->src;
			route_countries(&all[nall].k, r, &routes[m], x->w, g);
			if ((error = report_route(out, &ev, &mem, &routes[m], r, &all[nall].k, x->src,
						  x->w, g, p)) < 0)
				break;
			nall++;
		}
	}
	if (!error)
		error = report_corridors(out, all, nall, g, p);
	for (int m = 0; m < 2; m++)
		iffa_routes__dispose(&routes[m]);
	if (!memo)
		iffa_paths__walked_dispose(&walked[1]);
	if (!error)
		error = report_relays(out, g, p, walked[0].w);
	if (!error && memo) {
		iffa_paths__memo_dispose(memo);
		memo->p = *p;
		memo->walked[0] = walked[0];
		memo->walked[1] = walked[1];
		memo->valid = 1;
		memset(walked, 0, sizeof(walked));
	}
done:
	for (int m = 0; m < 2; m++) {
		iffa_paths__walked_dispose(&walked[m]);
		iffa_routes__dispose(&routes[m]);
	}
	free(all);
	free(ev.v);
	free(mem.v);
	return error;
}
