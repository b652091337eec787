/*
 * The intermediaries pass: the accounts and parties between the group's
 * side and the formal system, found on the flows the paths pass's walks
 * mark (paths.c, walk.c), never on centrality alone.
 *
 * The walks from every source (ransoms, levies, levied gold, designated
 * payers; two rounds) give the marked flows: the edges on their paths and
 * the source money known on each. A holder (a vertex, or at account level
 * a party's accounts) that both receives and pays on marked flows is a
 * candidate; it is reported only when
 *
 *   - at least min_amount XOF of source money reached it, of which it paid
 *     on at least min_passed (it carries the money on, it does not end it),
 *     and
 *   - that money is at least min_share of everything it received from
 *     pass_dwell before the first marked arrival to pass_dwell after the
 *     last (its exposure): a busy hawala broker or border merchant that
 *     passed one tainted payment among hundreds of others is not an
 *     intermediary of the group, however central it is;
 *
 * and it plays at least one of these roles:
 *
 *   - pass_through: it received money (marked arrivals less than
 *     pass_dwell apart make one episode) and paid out pass_ratio_low to
 *     pass_ratio_high of it within pass_dwell after the episode, counting
 *     every flow, marked or not (so that money held for months, or a
 *     broker paying out other clients' money as well, is not one); gold
 *     lots are held longer, for them the walk's dwell stands for
 *     pass_dwell;
 *   - hawala_hub / cash_hub: a holder whose marked money moved mostly by
 *     hawala or carried cash, through which the money of at least
 *     hub_sources distinct sources passed;
 *   - cross_border_broker: marked money reached it from one country and
 *     left it for another, or it sits in a third country between two
 *     (Gould and Fernandez, "Structures of mediation", Sociological
 *     Methodology 19, 1989: the representative, gatekeeper, itinerant and
 *     liaison roles across countries);
 *   - gateway: it lies on at least min_betweenness of the shortest marked
 *     routes from the sources to formal-system vertices (bank accounts at
 *     account level; companies, comptoirs, exporters, refineries and
 *     organisations at party level), by igraph_betweenness_subset on the
 *     graph of marked edges, oriented as the walks went (gold lots from
 *     seller to buyer). When there are more than max_betweenness_sources
 *     sources, that many are drawn with igraph's RNG seeded with `seed`.
 *     The share is against the source-target pairs of its weak component
 *     that are connected.
 *
 * One finding per holder: the kind is its first role in the order above,
 * the reason names them all; subject is the holder's vertex with the most
 * marked money through it (IFFA_SUBJECT_ACCOUNT or _PARTY by level);
 * evidence its marked flows in then out; members its vertices (all its
 * accounts with owner_accounts). Score: source money through it, in
 * millions of XOF.
 *
 * Time complexity: the walks (paths.c), then O(M log M) for the M marked
 * (holder, edge) pairs, O(flows in the episodes) for the pass-through
 * test, and O(S (V' + E')) for the betweenness on the marked graph of V'
 * vertices and E' edges from S sources.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "graph/flowgraph.h"
#include "passes/paths.h"

enum { ROLE_PASS, ROLE_HUB, ROLE_BROKER, ROLE_GATEWAY, ROLES };

/* A marked flow at a holder: an edge arriving (in = 1) or leaving, from a source. */
typedef struct {
	igraph_integer_t holder;
	igraph_integer_t edge;
	size_t source;
	uint8_t in;
	uint8_t mode;
} mark;

static int by_holder(const void *a, const void *b)
{
	const mark *x = a, *y = b;

	if (x->holder != y->holder)
		return x->holder < y->holder ? -1 : 1;
	if (x->mode != y->mode)
		return x->mode < y->mode ? -1 : 1;
	if (x->in != y->in)
		return x->in > y->in ? -1 : 1;
	if (x->edge != y->edge)
		return x->edge < y->edge ? -1 : 1;
	return x->source < y->source ? -1 : x->source > y->source;
}

typedef struct {
	mark *v;
	size_t n, cap;
} markvec;

static int push_mark(markvec *m, igraph_integer_t holder, igraph_integer_t edge, size_t source,
		     int in, int mode)
{
	int error = iffa_grow((void **)&m->v, &m->cap, m->n + 1, sizeof(*m->v));

	if (error < 0)
		return error;
	m->v[m->n].holder = holder;
	m->v[m->n].edge = edge;
	m->v[m->n].source = source;
	m->v[m->n].in = (uint8_t)in;
	m->v[m->n].mode = (uint8_t)mode;
	m->n++;
	return 0;
}

/* Every edge of every path, at the holder it arrives at and the one it leaves. */
static int collect_marks(markvec *out, const iffa_paths__walked *x, int mode)
{
	const iffa_walk_paths *p = &x->found;
	int error = 0;

	for (size_t i = 0; i < p->npaths && !error; i++) {
		const iffa_walk_path *path = &p->paths[i];
		for (uint32_t k = 0; k < path->nhops && !error; k++) {
			const iffa_walk_hop *h = &p->hops[path->hop0 + k];
			igraph_integer_t from = k == 0 ? path->start : h[-1].holder;
			for (size_t e = h->e0; e < h->e1 && !error; e++) {
				if ((error = push_mark(out, h->holder, p->edges[e], path->source, 1,
						       mode)) == 0)
					error = push_mark(out, from, p->edges[e], path->source, 0, mode);
			}
		}
	}
	return error;
}

/* What one holder shows on one mode's marked flows. */
typedef struct {
	igraph_integer_t holder;
	int mode;
	double in, out;              /* source money known on its marked flows, XOF */
	double exposure;             /* of its inflow while marked money came in */
	size_t nsources;
	unsigned source_kinds[SRC_KINDS];
	size_t m0, m1;               /* its marks */
	unsigned roles;
	/* pass-through: the best episode */
	double pt_in, pt_marked, pt_out, pt_ratio;
	int64_t pt_first, pt_last, pt_out_last;
	size_t pt_payers, pt_payees;
	char pt_out_countries[24];
	/* broker */
	char broker_from[3], broker_to[3];
	const char *broker_role;
	/* gateway */
	double betweenness;
	igraph_integer_t subject;
} profile;

static double sum_known(const double *known, const iffa_flowgraph *g, const mark *m, size_t n,
			int in)
{
	double tr = 0, rc = 0;

	for (size_t i = 0; i < n; i++) {
		igraph_integer_t e = m[i].edge;
		if (m[i].in != in || (i > 0 && m[i - 1].edge == e && m[i - 1].in == in))
			continue;
		if (g->ekind[e] == IFFA_KIND_TRANSFER)
			tr += known[e];
		else
			rc += known[e];
	}
	return tr > rc ? tr : rc;
}

/* Append ISO code `c` to a short list "ML, SN" unless present. */
static void add_country(char *list, size_t size, const char *c)
{
	size_t len = strlen(list);

	if (!c[0] || strstr(list, c) || len + 5 >= size)
		return;
	snprintf(list + len, size - len, "%s%s", len ? ", " : "", c);
}

/*
 * Pass-through: marked arrivals grouped into episodes (gaps under
 * pass_dwell); for each, every flow in over the episode and every flow out
 * from its start to pass_dwell after its end. The episode with the most
 * marked money that passes the ratio test is kept. Gold lots are held
 * longer than money (a courier keeps a lot for days): for them the walk's
 * dwell stands for pass_dwell.
 */
static int by_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

static int by_time(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int by_id(const void *a, const void *b)
{
	igraph_integer_t x = *(const igraph_integer_t *)a, y = *(const igraph_integer_t *)b;

	return x < y ? -1 : x > y;
}

/* Distinct vertices at the far end of positions [p0, p1) of a holder's flow list. */
static size_t distinct_ends(const iffa_walk *w, int out, size_t p0, size_t p1)
{
	igraph_integer_t *v = malloc((p1 > p0 ? p1 - p0 : 1) * sizeof(*v));
	size_t n = 0;

	if (!v)
		return p1 - p0;
	for (size_t q = p0; q < p1; q++) {
		igraph_integer_t e = iffa_walk__at(w, out, q);
		v[q - p0] = out ? iffa_walk__to_vertex(w, e) : iffa_walk__from_vertex(w, e);
	}
	iffa_sort__(v, p1 - p0, sizeof(*v), by_id);
	for (size_t q = 0; q < p1 - p0; q++)
		n += q == 0 || v[q] != v[q - 1];
	free(v);
	return n;
}

static int pass_through(profile *pf, const iffa_paths__walked *x, const mark *m, size_t n,
			const iffa_intermediaries_params *p)
{
	const iffa_walk *w = x->w;
	const iffa_flowgraph *g = iffa_walk__graph(w);
	int64_t *t = malloc((n ? n : 1) * sizeof(*t));
	int64_t dwell = iffa_walk__mode(w) == IFFA_WALK_GOLD ? p->walk.dwell : p->pass_dwell;
	size_t nt = 0;

	if (!t)
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		if (m[i].in && !(i > 0 && m[i - 1].edge == m[i].edge && m[i - 1].in))
			t[nt++] = g->efirst[m[i].edge];
	iffa_sort__(t, nt, sizeof(*t), by_time);
	for (size_t i = 0, j; i < nt; i = j) {
		int64_t t0 = t[i], t1, end;
		double in, marked, out, ratio;

		for (j = i + 1; j < nt && t[j] - t[j - 1] <= dwell; j++)
			;
		t1 = t[j - 1];
		end = t1 + dwell;
		in = iffa_walk__inflow(w, pf->holder, t0, t1);
		marked = iffa_walk__known_inflow(w, pf->holder, t0, t1);
		out = iffa_walk__outflow(w, pf->holder, t0, end);
		ratio = in > 0 ? out / in : 0;
		if (marked < p->min_amount || marked < p->min_share * in || ratio < p->pass_ratio_low ||
		    ratio > p->pass_ratio_high || marked <= pf->pt_marked)
			continue;
		pf->pt_in = in;
		pf->pt_marked = marked;
		pf->pt_out = out;
		pf->pt_ratio = ratio;
		pf->pt_first = t0;
		pf->pt_last = t1;
		pf->pt_out_last = t0;
		pf->pt_out_countries[0] = '\0';
		{
			size_t p0, p1;
			iffa_walk__range(w, 0, pf->holder, t0, t1, &p0, &p1);
			pf->pt_payers = distinct_ends(w, 0, p0, p1);
			iffa_walk__range(w, 1, pf->holder, t0, end, &p0, &p1);
			pf->pt_payees = distinct_ends(w, 1, p0, p1);
			for (size_t q = p0; q < p1; q++) {
				igraph_integer_t e = iffa_walk__at(w, 1, q);
				add_country(pf->pt_out_countries, sizeof(pf->pt_out_countries),
					    g->vcountry[iffa_walk__to_vertex(w, e)]);
				if (g->elast[e] > pf->pt_out_last)
					pf->pt_out_last = g->elast[e];
			}
		}
		pf->roles |= 1u << ROLE_PASS;
	}
	free(t);
	return 0;
}

/* Source money per country on one side of a holder (few countries: linear look-up). */
typedef struct {
	char c[3];
	double amount;
} by_country;

static size_t add_to_country(by_country *list, size_t n, size_t cap, const char *c, double amount)
{
	size_t i;

	if (!c[0])
		return n;
	for (i = 0; i < n; i++)
		if (strcmp(list[i].c, c) == 0)
			break;
	if (i == n) {
		if (n == cap)
			return n;
		memcpy(list[n].c, c, 3);
		list[n++].amount = 0;
	}
	list[i].amount += amount;
	return n;
}

/*
 * Cross-border brokerage on marked flows: a country marked money came
 * from and one it left for, and the holder's own, not all the same, each
 * side carrying at least min_amount. The pair moving the most is kept.
 */
static void brokerage(profile *pf, const iffa_paths__walked *x, const double *known,
		      const mark *m, size_t n, const iffa_intermediaries_params *p)
{
	const iffa_walk *w = x->w;
	const iffa_flowgraph *g = iffa_walk__graph(w);
	const char *own = g->vcountry[pf->subject];
	by_country from[64], to[64];
	size_t nfrom = 0, nto = 0;
	double best = 0;

	for (size_t i = 0; i < n; i++) {
		if (i > 0 && m[i - 1].edge == m[i].edge && m[i - 1].in == m[i].in)
			continue;
		if (m[i].in)
			nfrom = add_to_country(from, nfrom, 64,
					       g->vcountry[iffa_walk__from_vertex(w, m[i].edge)],
					       known[m[i].edge]);
		else
			nto = add_to_country(to, nto, 64,
					     g->vcountry[iffa_walk__to_vertex(w, m[i].edge)],
					     known[m[i].edge]);
	}
	if (!own[0])
		return;
	for (size_t i = 0; i < nfrom; i++) {
		for (size_t j = 0; j < nto; j++) {
			const char *a = from[i].c, *b = to[j].c;
			double v = from[i].amount < to[j].amount ? from[i].amount : to[j].amount;
			if (v < p->min_amount || v <= best ||
			    (strcmp(a, own) == 0 && strcmp(b, own) == 0))
				continue;
			best = v;
			memcpy(pf->broker_from, a, 3);
			memcpy(pf->broker_to, b, 3);
			if (strcmp(a, own) == 0)
				pf->broker_role = "representative";
			else if (strcmp(b, own) == 0)
				pf->broker_role = "gatekeeper";
			else if (strcmp(a, b) == 0)
				pf->broker_role = "itinerant";
			else
				pf->broker_role = "liaison";
		}
	}
	if (best > 0)
		pf->roles |= 1u << ROLE_BROKER;
}

/* Most of the marked money at the holder moved by hawala or carried cash. */
static int is_hub_holder(const iffa_flowgraph *g, const double *known, const mark *m, size_t n)
{
	double informal = 0, all = 0;

	for (size_t i = 0; i < n; i++) {
		igraph_integer_t e = m[i].edge;
		if (i > 0 && m[i - 1].edge == e && m[i - 1].in == m[i].in)
			continue;
		all += known[e];
		if (g->echannel[e] == IFFA_CHANNEL_HAWALA || g->echannel[e] == IFFA_CHANNEL_CASH)
			informal += known[e];
	}
	return all > 0 && informal >= 0.5 * all;
}

/* More of the hub's marked money went by carried cash than by hawala. */
static int cash_hub(const iffa_flowgraph *g, const double *known, const mark *m, size_t n)
{
	double cash = 0, hawala = 0;

	for (size_t i = 0; i < n; i++) {
		igraph_integer_t e = m[i].edge;
		if (g->echannel[e] == IFFA_CHANNEL_CASH)
			cash += known[e];
		else if (g->echannel[e] == IFFA_CHANNEL_HAWALA)
			hawala += known[e];
	}
	return cash > hawala;
}

static int is_formal(const iffa_flowgraph *g, igraph_integer_t v)
{
	int party = (int)(g->vkey[v] & 1);
	int k = g->vkind[v];

	if (g->level == IFFA_LEVEL_ACCOUNT || !party)
		return !party && k == IFFA_ACCOUNT_BANK;
	return k == IFFA_PARTY_COMPANY || k == IFFA_PARTY_ORGANISATION || k == IFFA_PARTY_COMPTOIR ||
	       k == IFFA_PARTY_EXPORTER || k == IFFA_PARTY_REFINERY;
}

/*
 * Betweenness on the marked graph: one vertex per graph vertex met, one
 * edge per marked edge, oriented as walked; sources the walks' start
 * vertices (sampled above max), targets the formal-system vertices. Each
 * vertex's betweenness is divided by the connected (source, target) pairs
 * of its weak component. `bet` receives it per graph vertex (0 elsewhere).
 */
static int gateway(double *bet, const iffa_flowgraph *g, const iffa_paths__walked *walked,
		   const iffa_intermediaries_params *p, size_t *nsources_used, size_t *nsources_all)
{
	igraph_integer_t *local = malloc((size_t)(g->nv ? g->nv : 1) * sizeof(*local));
	igraph_integer_t *global = NULL;
	igraph_vector_int_t edges, srcs, tgts, memb, sample;
	igraph_vector_t res;
	igraph_t sub;
	int have_sub = 0, error = 0;
	igraph_integer_t nl = 0;
	igraph_error_t ierr;
	uint8_t *is_src = NULL;
	double *pairs = NULL;

	*nsources_used = *nsources_all = 0;
	if (!local)
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	for (igraph_integer_t v = 0; v < g->nv; v++) {
		local[v] = -1;
		bet[v] = 0;
	}
	igraph_vector_int_init(&edges, 0);
	igraph_vector_int_init(&srcs, 0);
	igraph_vector_int_init(&tgts, 0);
	igraph_vector_int_init(&memb, 0);
	igraph_vector_int_init(&sample, 0);
	igraph_vector_init(&res, 0);
	for (int m = 0; m < 2; m++) {
		const iffa_walk_paths *fp = &walked[m].found;
		if (!walked[m].w)
			continue;
		for (size_t i = 0; i < fp->nedges; i++) {
			igraph_integer_t e = fp->edges[i];
			igraph_integer_t a = iffa_walk__from_vertex(walked[m].w, e);
			igraph_integer_t b = iffa_walk__to_vertex(walked[m].w, e);
			if (local[a] < 0)
				local[a] = nl++;
			if (local[b] < 0)
				local[b] = nl++;
			if (igraph_vector_int_push_back(&edges, local[a]) ||
			    igraph_vector_int_push_back(&edges, local[b])) {
				error = iffa_error_set(IFFA_ENOMEM, "out of memory");
				goto done;
			}
		}
	}
	if (nl == 0)
		goto done;
	global = malloc((size_t)nl * sizeof(*global));
	is_src = calloc((size_t)nl, 1);
	if (!global || !is_src) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	for (igraph_integer_t v = 0; v < g->nv; v++)
		if (local[v] >= 0)
			global[local[v]] = v;
	for (int m = 0; m < 2; m++) {
		const iffa_walk_paths *fp = &walked[m].found;
		for (size_t i = 0; walked[m].w && i < fp->npaths; i++) {
			igraph_integer_t e = fp->edges[fp->hops[fp->paths[i].hop0].e0];
			is_src[local[iffa_walk__from_vertex(walked[m].w, e)]] = 1;
		}
	}
	for (igraph_integer_t v = 0; v < nl; v++) {
		if (is_src[v] && igraph_vector_int_push_back(&srcs, v)) {
			error = iffa_error_set(IFFA_ENOMEM, "out of memory");
			goto done;
		}
		if (is_formal(g, global[v]) && igraph_vector_int_push_back(&tgts, v)) {
			error = iffa_error_set(IFFA_ENOMEM, "out of memory");
			goto done;
		}
	}
	*nsources_all = (size_t)igraph_vector_int_size(&srcs);
	if (igraph_vector_int_size(&tgts) == 0 || *nsources_all == 0)
		goto done;
	if (*nsources_all > p->max_betweenness_sources) {
		/* A reproducible sample: igraph's RNG, seeded here, is recorded by the caller. */
		igraph_rng_seed(igraph_rng_default(), (igraph_uint_t)p->seed);
		if ((ierr = igraph_random_sample(&sample, 0, (igraph_integer_t)*nsources_all - 1,
						 (igraph_integer_t)p->max_betweenness_sources))) {
			error = iffa_flowgraph__igraph_fail(ierr, "sampling betweenness sources");
			goto done;
		}
		for (igraph_integer_t i = 0; i < igraph_vector_int_size(&sample); i++)
			VECTOR(sample)[i] = VECTOR(srcs)[VECTOR(sample)[i]];
		igraph_vector_int_swap(&srcs, &sample);
	}
	*nsources_used = (size_t)igraph_vector_int_size(&srcs);
	if ((ierr = igraph_create(&sub, &edges, nl, IGRAPH_DIRECTED))) {
		error = iffa_flowgraph__igraph_fail(ierr, "building the marked graph");
		goto done;
	}
	have_sub = 1;
	if ((ierr = igraph_betweenness_subset(&sub, &res, igraph_vss_all(), IGRAPH_DIRECTED,
					      igraph_vss_vector(&srcs), igraph_vss_vector(&tgts),
					      NULL))) {
		error = iffa_flowgraph__igraph_fail(ierr, "betweenness on the marked graph");
		goto done;
	}
	/* Connected (source, target) pairs per weak component, by a BFS per source. */
	if ((ierr = igraph_connected_components(&sub, &memb, NULL, NULL, IGRAPH_WEAK))) {
		error = iffa_flowgraph__igraph_fail(ierr, "components of the marked graph");
		goto done;
	}
	pairs = calloc((size_t)nl, sizeof(*pairs));
	if (!pairs) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	{
		uint8_t *target = calloc((size_t)nl, 1);
		igraph_vector_int_t reach;
		if (!target) {
			error = iffa_error_set(IFFA_ENOMEM, "out of memory");
			goto done;
		}
		for (igraph_integer_t i = 0; i < igraph_vector_int_size(&tgts); i++)
			target[VECTOR(tgts)[i]] = 1;
		igraph_vector_int_init(&reach, 0);
		for (igraph_integer_t i = 0; i < igraph_vector_int_size(&srcs) && !error; i++) {
			igraph_integer_t s = VECTOR(srcs)[i];
			if ((ierr = igraph_subcomponent(&sub, &reach, s, IGRAPH_OUT))) {
				error = iffa_flowgraph__igraph_fail(ierr, "reach on the marked graph");
				break;
			}
			for (igraph_integer_t j = 0; j < igraph_vector_int_size(&reach); j++)
				if (VECTOR(reach)[j] != s && target[VECTOR(reach)[j]])
					pairs[VECTOR(memb)[s]] += 1;
		}
		igraph_vector_int_destroy(&reach);
		free(target);
		if (error)
			goto done;
	}
	for (igraph_integer_t v = 0; v < nl; v++) {
		double np = pairs[VECTOR(memb)[v]];
		bet[global[v]] = np > 0 ? VECTOR(res)[v] / np : 0;
	}
done:
	if (have_sub)
		igraph_destroy(&sub);
	igraph_vector_int_destroy(&edges);
	igraph_vector_int_destroy(&srcs);
	igraph_vector_int_destroy(&tgts);
	igraph_vector_int_destroy(&memb);
	igraph_vector_int_destroy(&sample);
	igraph_vector_destroy(&res);
	free(local);
	free(global);
	free(is_src);
	free(pairs);
	return error;
}

static void span_text(char *out, size_t size, int64_t us)
{
	double h = (double)us / 3.6e9;

	if (h < 1)
		snprintf(out, size, "within the hour");
	else if (h < 48)
		snprintf(out, size, "within %.0f h", h);
	else
		snprintf(out, size, "within %.1f days", h / 24);
}

static int check(const iffa_intermediaries_params *p)
{
	int error = iffa_paths__check(&p->walk);

	if (error < 0)
		return error;
	if (!(p->min_share >= 0) || p->min_share > 1 || !(p->min_amount >= 0) || p->pass_dwell < 0 ||
	    !(p->min_passed >= 0) ||
	    !(p->pass_ratio_low >= 0) || !(p->pass_ratio_high >= p->pass_ratio_low) ||
	    !(p->min_betweenness >= 0) || p->min_betweenness > 1 || p->max_betweenness_sources < 1)
		return iffa_error_set(IFFA_EINVAL,
				      "intermediaries parameters out of range: min_share %g and "
				      "min_betweenness %g (0..1), min_amount %g (>= 0), pass_dwell "
				      "%lld µs (>= 0), pass ratio %g..%g, max_betweenness_sources %zu "
				      "(>= 1)", p->min_share, p->min_betweenness, p->min_amount,
				      (long long)p->pass_dwell, p->pass_ratio_low, p->pass_ratio_high,
				      p->max_betweenness_sources);
	return 0;
}

static int report(iffa_findings *out, const profile *pf, const iffa_paths__walked *x,
		  const double *known, const mark *m, size_t n, const iffa_intermediaries_params *p,
		  size_t bet_used, size_t bet_all)
{
	static const char *const kinds[ROLES] = {"pass_through", "hub", "cross_border_broker",
						 "gateway"};
	const iffa_walk *w = x->w;
	const iffa_flowgraph *g = iffa_walk__graph(w);
	igraph_integer_t *ev = malloc((n ? n : 1) * sizeof(*ev));
	igraph_integer_t *mem = NULL;
	const uint32_t *vs;
	size_t nev = 0, nv, nmem = 0, len = 0;
	char reason[1024], a[32], b[32], c[32];
	const char *kind = NULL;
	int error;

	vs = iffa_walk__holder_vertices(w, pf->holder, &nv);
	mem = malloc((nv + n + 1) * sizeof(*mem));
	if (!ev || !mem) {
		free(ev);
		free(mem);
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	}
	for (int in = 1; in >= 0; in--)
		for (size_t i = 0; i < n; i++)
			if (m[i].in == in && !(i > 0 && m[i - 1].edge == m[i].edge && m[i - 1].in == in))
				ev[nev++] = m[i].edge;
	if (p->walk.owner_accounts) {
		for (size_t i = 0; i < nv; i++)
			mem[i] = vs[i];
		nmem = nv;
	} else {
		for (size_t i = 0; i < n; i++) {
			igraph_integer_t v = m[i].in ? iffa_walk__to_vertex(w, m[i].edge)
						     : iffa_walk__from_vertex(w, m[i].edge);
			size_t j;
			for (j = 0; j < nmem && mem[j] != v; j++)
				;
			if (j == nmem)
				mem[nmem++] = v;
		}
	}
	reason[0] = '\0';
	for (int r = 0; r < ROLES; r++) {
		if (!(pf->roles & (1u << r)))
			continue;
		if (!kind) {
			kind = kinds[r];
			if (r == ROLE_HUB)
				kind = cash_hub(g, known, m, n) ? "cash_hub" : "hawala_hub";
		}
		if (len)
			len += (size_t)snprintf(reason + len, sizeof(reason) - len, "; ");
		if (len >= sizeof(reason))
			break;
		switch (r) {
		case ROLE_PASS:
			iffa_paths__format_xof(a, sizeof(a), pf->pt_in);
			iffa_paths__format_xof(b, sizeof(b), pf->pt_out);
			span_text(c, sizeof(c), pf->pt_out_last - pf->pt_last);
			len += (size_t)snprintf(
				reason + len, sizeof(reason) - len,
				"pass-through: received %s XOF (%.0f%% source money) from %zu "
				"account%s in %.1f days, paid %s XOF to %zu account%s in %s %s "
				"(out/in %.2f)",
				a, 100 * pf->pt_marked / pf->pt_in, pf->pt_payers,
				pf->pt_payers == 1 ? "" : "s",
				(double)(pf->pt_last - pf->pt_first) / 8.64e10, b, pf->pt_payees,
				pf->pt_payees == 1 ? "" : "s",
				pf->pt_out_countries[0] ? pf->pt_out_countries : "??", c, pf->pt_ratio);
			break;
		case ROLE_HUB:
			len += (size_t)snprintf(reason + len, sizeof(reason) - len,
						"%s hub for %zu sources (%u ransoms, %u levies, "
						"%u gold lots, %u designated payers)",
						strcmp(kind, "cash_hub") == 0 ? "cash" : "hawala",
						pf->nsources, pf->source_kinds[SRC_RANSOM],
						pf->source_kinds[SRC_LEVY], pf->source_kinds[SRC_GOLD],
						pf->source_kinds[SRC_DESIGNATED]);
			break;
		case ROLE_BROKER:
			len += (size_t)snprintf(reason + len, sizeof(reason) - len,
						"cross-border broker (%s): source money from %s on to "
						"%s, itself in %s",
						pf->broker_role, pf->broker_from, pf->broker_to,
						g->vcountry[pf->subject]);
			break;
		default:
			len += (size_t)snprintf(reason + len, sizeof(reason) - len,
						"gateway: on %.0f%% of the shortest marked routes from "
						"sources to the formal system in its component (%zu of "
						"%zu sources, seed %llu)",
						100 * pf->betweenness, bet_used, bet_all,
						(unsigned long long)p->seed);
			break;
		}
	}
	iffa_paths__format_xof(a, sizeof(a), pf->in);
	iffa_paths__format_xof(b, sizeof(b), pf->out);
	if (len < sizeof(reason))
		snprintf(reason + len, sizeof(reason) - len,
			 ". %s XOF of source money in, %s XOF out; %.0f%% of what it received "
			 "meanwhile was source money%s",
			 a, b, 100 * pf->exposure, pf->mode ? " (gold lots)" : "");
	error = iffa_findings_add(out, "intermediaries", kind,
				  g->level == IFFA_LEVEL_PARTY ? IFFA_SUBJECT_PARTY
							       : IFFA_SUBJECT_ACCOUNT,
				  pf->subject, pf->in / 1e6, ev, nev, mem, nmem, "%s", reason);
	free(ev);
	free(mem);
	return error;
}

typedef struct {
	igraph_integer_t v;
	double amount;
} vamount;

static int by_vertex(const void *a, const void *b)
{
	const vamount *x = a, *y = b;

	return x->v < y->v ? -1 : x->v > y->v;
}

/* The holder's vertex with the most marked money through it. */
static igraph_integer_t main_vertex(const iffa_walk *w, const double *known, const mark *m,
				    size_t n)
{
	vamount *va = malloc((n ? n : 1) * sizeof(*va));
	igraph_integer_t best = -1;
	double most = -1;
	size_t k = 0;

	if (!va)
		return m[0].in ? iffa_walk__to_vertex(w, m[0].edge)
			       : iffa_walk__from_vertex(w, m[0].edge);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && m[i - 1].edge == m[i].edge && m[i - 1].in == m[i].in)
			continue;
		va[k].v = m[i].in ? iffa_walk__to_vertex(w, m[i].edge)
				  : iffa_walk__from_vertex(w, m[i].edge);
		va[k++].amount = known[m[i].edge];
	}
	iffa_sort__(va, k, sizeof(*va), by_vertex);
	for (size_t i = 0, j; i < k; i = j) {
		double sum = 0;
		for (j = i; j < k && va[j].v == va[i].v; j++)
			sum += va[j].amount;
		if (sum > most) {
			most = sum;
			best = va[i].v;
		}
	}
	free(va);
	return best;
}

int iffa_pass_intermediaries(iffa_findings *out, const iffa_flowgraph *g,
			     const iffa_intermediaries_params *p)
{
	return iffa_intermediaries__pass(out, g, p, NULL);
}

int iffa_intermediaries__pass(iffa_findings *out, const iffa_flowgraph *g,
			      const iffa_intermediaries_params *p, iffa_paths__memo *memo)
{
	iffa_intermediaries_params defaults = IFFA_INTERMEDIARIES_PARAMS_INIT;
	iffa_paths__walked walked[2];
	double *known[2] = {NULL, NULL}, *bet = NULL;
	markvec marks = {NULL, 0, 0};
	size_t bet_used = 0, bet_all = 0, *srcs = NULL, capsrcs = 0;
	int error;

	memset(walked, 0, sizeof(walked));
	if (!p)
		p = &defaults;
	if ((error = check(p)) < 0)
		return error;
	if ((error = iffa_paths__check(&p->walk)) < 0 ||
	    (error = iffa_paths__walks(walked, g, &p->walk, memo)) < 0)
		return error;
	for (int m = 0; m < 2 && !error; m++) {
		if (!walked[m].w)
			continue;
		/* The source money on each edge as the second round walked it. */
		if (!(known[m] = calloc(g->ne ? (size_t)g->ne : 1, sizeof(*known[m]))))
			error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		else if ((error = iffa_walk__known(known[m], walked[m].w, &walked[m].found)) == 0 &&
			 (error = iffa_walk__set_known(walked[m].w, known[m])) == 0)
			error = collect_marks(&marks, &walked[m], m);
	}
	if (!error && !(bet = malloc((g->nv ? (size_t)g->nv : 1) * sizeof(*bet))))
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
	if (!error)
		error = gateway(bet, g, walked, p, &bet_used, &bet_all);
	if (!error)
		iffa_sort__(marks.v, marks.n, sizeof(*marks.v), by_holder);
	for (size_t i = 0, j; i < marks.n && !error; i = j) {
		const mark *m = &marks.v[i];
		const iffa_paths__walked *x = &walked[m->mode];
		profile pf;
		int has_in = 0, has_out = 0;
		int64_t t0 = INT64_MAX, t1 = INT64_MIN;
		double in_all, known_all;

		for (j = i; j < marks.n && marks.v[j].holder == m->holder && marks.v[j].mode == m->mode;
		     j++) {
			has_in |= marks.v[j].in;
			has_out |= !marks.v[j].in;
			if (marks.v[j].in) {
				int64_t f = g->efirst[marks.v[j].edge];
				t0 = f < t0 ? f : t0;
				t1 = f > t1 ? f : t1;
			}
		}
		if (!has_in || !has_out)
			continue;
		memset(&pf, 0, sizeof(pf));
		pf.holder = m->holder;
		pf.mode = m->mode;
		pf.m0 = i;
		pf.m1 = j;
		pf.in = sum_known(known[m->mode], g, m, j - i, 1);
		pf.out = sum_known(known[m->mode], g, m, j - i, 0);
		if (pf.in < p->min_amount || pf.out < p->min_passed * pf.in)
			continue;
		/* Everything it received from a dwell time before the marked
		 * money to a dwell time after: a busy broker's other clients count. */
		in_all = iffa_walk__inflow(x->w, pf.holder, t0 - p->pass_dwell, t1 + p->pass_dwell);
		known_all = iffa_walk__known_inflow(x->w, pf.holder, t0 - p->pass_dwell,
						    t1 + p->pass_dwell);
		pf.exposure = in_all > known_all ? known_all / in_all : 1.0;
		if (pf.exposure < p->min_share)
			continue;
		/* Distinct sources arriving. */
		{
			size_t ns = 0;
			if ((error = iffa_grow((void **)&srcs, &capsrcs, j - i, sizeof(*srcs))) < 0)
				break;
			for (size_t q = i; q < j; q++)
				if (marks.v[q].in)
					srcs[ns++] = marks.v[q].source;
			iffa_sort__(srcs, ns, sizeof(*srcs), by_size);
			for (size_t a = 0; a < ns; a++) {
				if (a > 0 && srcs[a] == srcs[a - 1])
					continue;
				pf.nsources++;
				pf.source_kinds[x->src[srcs[a]].kind]++;
			}
		}
		pf.subject = main_vertex(x->w, known[m->mode], m, j - i);
		if ((error = pass_through(&pf, x, m, j - i, p)) < 0)
			break;
		if (pf.nsources >= p->hub_sources && is_hub_holder(g, known[m->mode], m, j - i))
			pf.roles |= 1u << ROLE_HUB;
		brokerage(&pf, x, known[m->mode], m, j - i, p);
		{
			size_t nv;
			const uint32_t *vs = iffa_walk__holder_vertices(x->w, pf.holder, &nv);
			for (size_t q = 0; q < nv; q++)
				if (bet[vs[q]] > pf.betweenness)
					pf.betweenness = bet[vs[q]];
			if (pf.betweenness >= p->min_betweenness && pf.betweenness > 0)
				pf.roles |= 1u << ROLE_GATEWAY;
		}
		if (pf.roles)
			error = report(out, &pf, x, known[m->mode], m, j - i, p, bet_used, bet_all);
	}
	for (int m = 0; m < 2; m++) {
		iffa_paths__walked_dispose(&walked[m]);
		free(known[m]);
	}
	free(marks.v);
	free(bet);
	free(srcs);
	return error;
}
