/*
 * The gold pass: each trader's gold, in grams, against its money.
 *
 * The flow graph holds a gold lot as money (buyer -> seller, the value in
 * XOF) without its grams, so the pass reads the lots from gold_lot in one
 * parameterised query over the graph's window, converting each value to XOF
 * with the latest fx_rate on or before its UTC date, as the ingest does.
 * Then, per trader (a party of kind collector, comptoir, exporter or
 * refinery, or any party that both buys and sells lots, such as a courier)
 * and per period of period_months calendar months:
 *
 *  - mass balance: stock carried from period to period (bought - sold); gold
 *    sold beyond what was bought (appearing from nowhere) or bought and
 *    never sold by the end (vanishing; not for refineries, which melt it)
 *    beyond mass_tolerance of the trader's volume and mass_min_grams;
 *  - price: the trader's XOF per fine gram over what it sold (and over what
 *    it bought) in a period against the reference, reference_price or the
 *    median price per fine gram of all lots of the period; below
 *    1 - price_tolerance is under-invoicing, above 1 + price_tolerance
 *    over-invoicing;
 *  - levied sourcing: the share of the grams it bought whose origin site is
 *    in an affected zone (IFFA_VERTEX_AFFECTED_ZONE) and pays a levy (a levy
 *    edge leaves it). The finding names the sites, who took their levy, the
 *    sellers, and the buyers of the trader's gold from those sites: the
 *    payers of the money that bought it. Each levy taker is followed one
 *    hop: its transfers of at least levy_onward_share of the levies it took
 *    (from any of its accounts, after the first levy) name who it passed
 *    them on to (the treasurer, in the scenario).
 *
 * With owner_accounts, members also hold every other vertex of their
 * owning parties (at account level the party stands at its primary
 * account).
 *
 * Evidence is the graph's gold edges of the lots (and the sites' levy
 * edges). Time: O(L log L + |E|) for L lots: one sort of the lots by
 * trader, a binary search per lot among the gold edges (which the graph
 * keeps ordered by source and target).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "core/grow.h"
#include "iffa/common.h"
#include "iffa/passes.h"
#include "db/db.h"
#include "graph/flowgraph.h"

#define PASS "gold"

typedef struct {
	int64_t id, site, seller, buyer;      /* party ids; site -1 when unknown */
	double grams, fine, xof;              /* grams, fine grams, XOF */
	int64_t t;                            /* UTC µs */
	int period;
	int seller_kind, buyer_kind;          /* iffa_party_kind */
	igraph_integer_t vs, vb, vsite;       /* vertices; vsite -1 */
	igraph_integer_t edge;                /* gold edge buyer -> seller, -1 */
	int tainted;                          /* origin levied and in an affected zone */
} lot;

/* One side of a trader's lot: `buy` 1 when the trader bought it. */
typedef struct {
	int64_t party;
	size_t lot;
	int buy;
} side;

typedef struct {
	igraph_integer_t *m, *e;
	size_t nm, capm, ne, cape;
} lists;

/* What every trader's check reads. */
typedef struct {
	iffa_findings *out;
	const iffa_flowgraph *g;
	const iffa_gold_params *p;
	const lot *lots;
	const double *ref;
	int pmin;
	const igraph_integer_t *levy_start, *levy_edge; /* levy edges by payer */
	const igraph_integer_t *by_owner;               /* vertices by owning party */
	igraph_integer_t nowned;
	const igraph_integer_t *out_start, *out_edge;   /* transfer edges by source */
} gctx;

static int add_m(lists *l, igraph_integer_t v)
{
	int error;

	if (v < 0)
		return 0;
	for (size_t i = 0; i < l->nm; i++)
		if (l->m[i] == v)
			return 0;
	if ((error = iffa_grow(&l->m, &l->capm, l->nm + 1, sizeof(*l->m))) < 0)
		return error;
	l->m[l->nm++] = v;
	return 0;
}

static int add_e(lists *l, igraph_integer_t e)
{
	int error;

	if (e < 0)
		return 0;
	for (size_t i = 0; i < l->ne; i++)
		if (l->e[i] == e)
			return 0;
	if ((error = iffa_grow(&l->e, &l->cape, l->ne + 1, sizeof(*l->e))) < 0)
		return error;
	l->e[l->ne++] = e;
	return 0;
}

static int check_params(const iffa_gold_params *p)
{
	if (p->period_months < 1 || p->period_months > 120)
		return iffa_error_set(IFFA_EINVAL, "gold: period_months must be 1 to 120, not %d",
				      p->period_months);
	if (!(p->mass_tolerance >= 0) || !(p->mass_min_grams >= 0))
		return iffa_error_set(IFFA_EINVAL, "gold: mass_tolerance and mass_min_grams must be >= 0");
	if (!(p->reference_price >= 0))
		return iffa_error_set(IFFA_EINVAL, "gold: reference_price must be >= 0 (0: median)");
	if (!(p->price_tolerance > 0 && p->price_tolerance < 1))
		return iffa_error_set(IFFA_EINVAL, "gold: price_tolerance must be in (0, 1), not %g",
				      p->price_tolerance);
	if (!(p->levy_onward_share > 0))
		return iffa_error_set(IFFA_EINVAL, "gold: levy_onward_share must be > 0");
	if (!(p->min_levied_share > 0 && p->min_levied_share <= 1))
		return iffa_error_set(IFFA_EINVAL, "gold: min_levied_share must be in (0, 1], not %g",
				      p->min_levied_share);
	return 0;
}

static int kind_code(const char *s)
{
	iffa_party_kind k;

	return iffa_party_kind_parse(&k, s, strlen(s)) == 0 ? (int)k : -1;
}

static int is_trader_kind(int k)
{
	return k == IFFA_PARTY_COLLECTOR || k == IFFA_PARTY_COMPTOIR || k == IFFA_PARTY_EXPORTER ||
	       k == IFFA_PARTY_REFINERY;
}

/* Months since year 0 of a UTC µs time. */
static int month_of(int64_t t)
{
	int64_t y;
	unsigned m, d;
	int64_t days = t >= 0 ? t / (86400LL * 1000000) : -((-t - 1) / (86400LL * 1000000)) - 1;

	iffa_flowgraph__civil_from_days(days, &y, &m, &d);
	return (int)(y * 12 + (int64_t)m - 1);
}

static const char lots_sql[] =
	"SELECT l.id, coalesce(l.origin_site, -1), l.seller, l.buyer, l.grams::float8, "
	"l.fineness::float8, "
	"(l.value * CASE WHEN l.currency = 'XOF' THEN 1 ELSE r.xof_per_unit END)::float8, "
	"floor(extract(epoch FROM l.traded_at) * 1000000)::int8, ps.kind, pb.kind "
	"FROM gold_lot l JOIN party ps ON ps.id = l.seller JOIN party pb ON pb.id = l.buyer "
	"LEFT JOIN LATERAL (SELECT f.xof_per_unit FROM fx_rate f WHERE f.currency = l.currency "
	"AND f.valid_from <= (l.traded_at AT TIME ZONE 'UTC')::date "
	"ORDER BY f.valid_from DESC LIMIT 1) r ON true "
	"WHERE l.traded_at >= $1::timestamptz AND l.traded_at < $2::timestamptz "
	"ORDER BY l.traded_at, l.id";

/* The gold edge buyer -> seller of a lot: the one holding the lot when
 * parallel flows are kept, else the merged edge. */
static igraph_integer_t gold_edge(const iffa_flowgraph *g, const igraph_integer_t *ge, size_t nge,
				  igraph_integer_t vb, igraph_integer_t vs, int64_t id)
{
	const igraph_t *ig = &g->graph;
	size_t a = 0, b = nge;
	igraph_integer_t first = -1;

	while (a < b) {
		size_t m = a + (b - a) / 2;
		igraph_integer_t f = IGRAPH_FROM(ig, ge[m]), t = IGRAPH_TO(ig, ge[m]);
		if (f < vb || (f == vb && t < vs))
			a = m + 1;
		else
			b = m;
	}
	for (; a < nge && IGRAPH_FROM(ig, ge[a]) == vb && IGRAPH_TO(ig, ge[a]) == vs; a++) {
		if (first < 0)
			first = ge[a];
		if (g->erecord[ge[a]] == id)
			return ge[a];
	}
	return first;
}

static int read_lots(lot **out, size_t *nout, const iffa_flowgraph *g, iffa_db *db)
{
	char from[32] = "-infinity", to[32] = "infinity";
	const char *params[2] = {from, to};
	PGresult *res = NULL;
	lot *lots = NULL;
	size_t n = 0;
	int error;

	if (g->from != IFFA_TIME_MIN &&
	    (error = iffa_flowgraph_time_format(from, sizeof(from), g->from)) < 0)
		return error;
	if (g->to != IFFA_TIME_MAX && (error = iffa_flowgraph_time_format(to, sizeof(to), g->to)) < 0)
		return error;
	if ((error = iffa_db__query(&res, db, "gold: reading the lots", lots_sql, 2, params)) < 0)
		return error;
	n = (size_t)PQntuples(res);
	if (!(lots = calloc(n ? n : 1, sizeof(*lots)))) {
		error = iffa_error_set(IFFA_ENOMEM, "gold: out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		lot *l = &lots[i];
		l->id = strtoll(PQgetvalue(res, (int)i, 0), NULL, 10);
		l->site = strtoll(PQgetvalue(res, (int)i, 1), NULL, 10);
		l->seller = strtoll(PQgetvalue(res, (int)i, 2), NULL, 10);
		l->buyer = strtoll(PQgetvalue(res, (int)i, 3), NULL, 10);
		l->grams = strtod(PQgetvalue(res, (int)i, 4), NULL);
		l->fine = l->grams * strtod(PQgetvalue(res, (int)i, 5), NULL);
		if (PQgetisnull(res, (int)i, 6)) {
			error = iffa_error_set(IFFA_EINVAL,
					       "gold: gold_lot %lld: no exchange rate for its currency "
					       "on its date",
					       (long long)l->id);
			goto done;
		}
		l->xof = strtod(PQgetvalue(res, (int)i, 6), NULL);
		l->t = strtoll(PQgetvalue(res, (int)i, 7), NULL, 10);
		l->seller_kind = kind_code(PQgetvalue(res, (int)i, 8));
		l->buyer_kind = kind_code(PQgetvalue(res, (int)i, 9));
		if (iffa_flowgraph_find_vertex(&l->vs, g, IFFA_KEY_PARTY(l->seller)) < 0 ||
		    iffa_flowgraph_find_vertex(&l->vb, g, IFFA_KEY_PARTY(l->buyer)) < 0) {
			error = iffa_error_set(IFFA_EINVAL,
					       "gold: gold_lot %lld: its seller or buyer is not in the "
					       "flow graph (read from another database?)",
					       (long long)l->id);
			goto done;
		}
		l->vsite = -1;
		if (l->site >= 0 && iffa_flowgraph_find_vertex(&l->vsite, g, IFFA_KEY_PARTY(l->site)) < 0)
			l->vsite = -1;
	}
	*out = lots;
	*nout = n;
	lots = NULL;
	error = 0;
done:
	PQclear(res);
	free(lots);
	return error;
}

static int by_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int by_side(const void *a, const void *b, void *lots_)
{
	const side *x = a, *y = b;
	const lot *lots = lots_;

	if (x->party != y->party)
		return x->party < y->party ? -1 : 1;
	if (lots[x->lot].t != lots[y->lot].t)
		return lots[x->lot].t < lots[y->lot].t ? -1 : 1;
	if (x->lot != y->lot)
		return x->lot < y->lot ? -1 : 1;
	return x->buy - y->buy;
}

/* qsort without a context argument: the lots travel in a file-local. */
static const lot *cmp_lots;

static int by_side_q(const void *a, const void *b)
{
	return by_side(a, b, (void *)cmp_lots);
}

static const iffa_flowgraph *cmp_graph;

static int by_owner_q(const void *a, const void *b)
{
	igraph_integer_t x = *(const igraph_integer_t *)a, y = *(const igraph_integer_t *)b;

	if (cmp_graph->vparty[x] != cmp_graph->vparty[y])
		return cmp_graph->vparty[x] < cmp_graph->vparty[y] ? -1 : 1;
	return x < y ? -1 : x > y;
}

static iffa_subject_type subject_type(const iffa_flowgraph *g)
{
	return g->level == IFFA_LEVEL_PARTY ? IFFA_SUBJECT_PARTY : IFFA_SUBJECT_ACCOUNT;
}

static void period_name(char *buf, size_t size, int period, int months)
{
	int m0 = period * months;

	if (months == 1)
		snprintf(buf, size, "%04d-%02d", m0 / 12, m0 % 12 + 1);
	else
		snprintf(buf, size, "%d months from %04d-%02d", months, m0 / 12, m0 % 12 + 1);
}

/* The vertices of v's owner (none when it has no owner): [*a, *b) of by_owner. */
static void owned_range(const gctx *c, igraph_integer_t v, igraph_integer_t *a, igraph_integer_t *b)
{
	int64_t party = c->g->vparty[v];
	igraph_integer_t lo = 0, hi = c->nowned;

	*a = *b = 0;
	if (party < 0 || !c->by_owner)
		return;
	while (lo < hi) {
		igraph_integer_t m = lo + (hi - lo) / 2;
		if (c->g->vparty[c->by_owner[m]] < party)
			lo = m + 1;
		else
			hi = m;
	}
	*a = lo;
	while (lo < c->nowned && c->g->vparty[c->by_owner[lo]] == party)
		lo++;
	*b = lo;
}

/* Add the other vertices of the members' owners (owner_accounts). */
static int add_owners(const gctx *c, lists *L)
{
	size_t n0 = L->nm;
	int error = 0;

	for (size_t i = 0; i < n0 && c->p->owner_accounts && !error; i++) {
		igraph_integer_t a, b;
		owned_range(c, L->m[i], &a, &b);
		for (; a < b && !error; a++)
			error = add_m(L, c->by_owner[a]);
	}
	return error;
}

/*
 * The levy taker w got `amount` XOF of levies from the first at `t0`: its
 * transfers after that, from any of its owner's vertices, of at least
 * levy_onward_share of it name who it passed them on to.
 */
static int levy_onward(const gctx *c, lists *L, igraph_integer_t w, double amount, int64_t t0)
{
	const iffa_flowgraph *g = c->g;
	igraph_integer_t a, b, one[1];
	const igraph_integer_t *vs = one;
	size_t nv = 1;
	int error = 0;

	one[0] = w;
	owned_range(c, w, &a, &b);
	if (b > a) {
		vs = c->by_owner + a;
		nv = (size_t)(b - a);
	}
	for (size_t i = 0; i < nv && !error; i++) {
		igraph_integer_t u = vs[i];
		for (igraph_integer_t k = c->out_start[u]; k < c->out_start[u + 1] && !error; k++) {
			igraph_integer_t e = c->out_edge[k], t = IGRAPH_TO(&g->graph, e);
			if (g->elast[e] < t0 || g->eamount[e] < c->p->levy_onward_share * amount ||
			    (g->vparty[t] >= 0 && g->vparty[t] == g->vparty[u]))
				continue;
			if ((error = add_e(L, e)) < 0)
				break;
			error = add_m(L, t);
		}
	}
	return error;
}

/* One trader's lots s[0..n), in time order. */
static int trader(const gctx *c, const side *s, size_t n)
{
	iffa_findings *out = c->out;
	const iffa_flowgraph *g = c->g;
	const iffa_gold_params *p = c->p;
	const lot *lots = c->lots;
	const double *ref = c->ref;
	int pmin = c->pmin;
	const igraph_integer_t *levy_start = c->levy_start, *levy_edge = c->levy_edge;
	int64_t party = s[0].party;
	const lot *l0 = &lots[s[0].lot];
	igraph_integer_t v = s[0].buy ? l0->vb : l0->vs;
	int kind = s[0].buy ? l0->buyer_kind : l0->seller_kind;
	double bought = 0, sold = 0, tainted = 0, stock = 0, worst = 0;
	int worst_period = 0, nbuy = 0, nsell = 0, error = 0;
	lists L = {0};
	char pn[64];

	for (size_t i = 0; i < n; i++) {
		if (s[i].buy)
			nbuy++, bought += lots[s[i].lot].grams;
		else
			nsell++, sold += lots[s[i].lot].grams;
		if (s[i].buy && lots[s[i].lot].tainted)
			tainted += lots[s[i].lot].grams;
	}
	if (!is_trader_kind(kind) && !(nbuy && nsell))
		return 0;

	/* mass balance, period by period with the stock carried over */
	if (p->mass_balance) {
		for (size_t i = 0, j; i < n; i = j) {
			int per = lots[s[i].lot].period;
			for (j = i; j < n && lots[s[j].lot].period == per; j++)
				stock += s[j].buy ? lots[s[j].lot].grams : -lots[s[j].lot].grams;
			if (-stock > worst) {
				worst = -stock;
				worst_period = per;
			}
		}
		if (worst > p->mass_min_grams && worst > p->mass_tolerance * sold) {
			for (size_t i = 0; i < n && !error; i++)
				if (!s[i].buy)
					error = add_e(&L, lots[s[i].lot].edge);
			if (!error)
				error = add_m(&L, v);
			if (!error)
				error = add_owners(c, &L);
			period_name(pn, sizeof(pn), worst_period, p->period_months);
			if (!error && L.ne)
				error = iffa_findings_add(
					out, PASS, "gold_mass_balance", subject_type(g), v,
					fmin(1.0, worst / (sold > 0 ? sold : 1)), L.e, L.ne, L.m, L.nm,
					"gold from nowhere: party %lld sold %.0f g more than it had bought "
					"by the end of %s (%.0f g bought, %.0f g sold in all)",
					(long long)party, worst, pn, bought, sold);
		} else if (kind != IFFA_PARTY_REFINERY && stock > p->mass_min_grams &&
			   stock > p->mass_tolerance * bought) {
			for (size_t i = 0; i < n && !error; i++)
				if (s[i].buy)
					error = add_e(&L, lots[s[i].lot].edge);
			if (!error)
				error = add_m(&L, v);
			if (!error)
				error = add_owners(c, &L);
			if (!error && L.ne)
				error = iffa_findings_add(
					out, PASS, "gold_mass_balance", subject_type(g), v,
					fmin(1.0, stock / (bought > 0 ? bought : 1)), L.e, L.ne, L.m, L.nm,
					"gold vanishing: party %lld bought %.0f g it never sold (%.0f g "
					"bought, %.0f g sold in all)",
					(long long)party, stock, bought, sold);
		}
		L.nm = L.ne = 0;
	}

	/* price per fine gram against the reference, by period and side */
	for (size_t i = 0, j; i < n && !error; i = j) {
		int per = lots[s[i].lot].period;
		for (j = i; j < n && lots[s[j].lot].period == per; j++)
			;
		for (int buy = 0; buy < 2 && !error; buy++) {
			double xof = 0, fine = 0, r, dev;
			const char *k;
			for (size_t q = i; q < j; q++)
				if (s[q].buy == buy)
					xof += lots[s[q].lot].xof, fine += lots[s[q].lot].fine;
			if (fine <= 0 || ref[per - pmin] <= 0)
				continue;
			r = xof / fine / ref[per - pmin];
			if (r >= 1 - p->price_tolerance && r <= 1 + p->price_tolerance)
				continue;
			k = r < 1 ? "gold_under_invoicing" : "gold_over_invoicing";
			dev = fabs(r - 1);
			L.nm = L.ne = 0;
			error = add_m(&L, v);
			for (size_t q = i; q < j && !error; q++)
				if (s[q].buy == buy) {
					const lot *l = &lots[s[q].lot];
					if ((error = add_e(&L, l->edge)) < 0)
						break;
					error = add_m(&L, buy ? l->vs : l->vb);
				}
			if (!error)
				error = add_owners(c, &L);
			period_name(pn, sizeof(pn), per, p->period_months);
			if (!error && L.ne)
				error = iffa_findings_add(
					out, PASS, k, subject_type(g), v, fmin(1.0, dev), L.e, L.ne, L.m,
					L.nm,
					"%s: party %lld %s %.0f fine g at %.0f XOF/g in %s, %.0f%% of the "
					"reference %.0f XOF/g",
					r < 1 ? "under-invoicing" : "over-invoicing", (long long)party,
					buy ? "bought" : "sold", fine, xof / fine, pn, 100 * r, ref[per - pmin]);
		}
	}

	/* gold from levied sites in affected zones, and who paid for it */
	if (!error && bought > 0 && tainted / bought >= p->min_levied_share) {
		size_t nsites = 0;
		L.nm = L.ne = 0;
		error = add_m(&L, v);
		for (size_t i = 0; i < n && !error; i++) {
			const lot *l = &lots[s[i].lot];
			if (!l->tainted)
				continue;
			if ((error = add_e(&L, l->edge)) < 0)
				break;
			/* bought: the seller and the site; sold: the buyer paid for it */
			if (s[i].buy) {
				size_t before = L.nm;
				if ((error = add_m(&L, l->vs)) < 0 || (error = add_m(&L, l->vsite)) < 0)
					break;
				if (L.nm > before && l->vsite >= 0) {
					nsites++;
					/* the site's levies, who took them, and to whom
					 * they passed them on */
					for (igraph_integer_t k = levy_start[l->vsite];
					     k < levy_start[l->vsite + 1] && !error; k++) {
						igraph_integer_t e = levy_edge[k];
						if ((error = add_e(&L, e)) < 0 ||
						    (error = add_m(&L, IGRAPH_TO(&g->graph, e))) < 0)
							break;
						error = levy_onward(c, &L, IGRAPH_TO(&g->graph, e),
								    g->eamount[e], g->efirst[e]);
					}
				}
			} else {
				error = add_m(&L, l->vb);
			}
		}
		if (!error)
			error = add_owners(c, &L);
		if (!error && L.ne)
			error = iffa_findings_add(
				out, PASS, "gold_levied_sourcing", subject_type(g), v,
				fmin(1.0, tainted / bought), L.e, L.ne, L.m, L.nm,
				"levied gold: %.0f%% of the %.0f g party %lld bought (%.0f g) comes from "
				"sites in affected zones that pay a levy to the armed group's collectors",
				100 * tainted / bought, bought, (long long)party, tainted);
	}
	free(L.m);
	free(L.e);
	return error;
}

int iffa_pass_gold(iffa_findings *out, const iffa_flowgraph *g, iffa_db *db,
		   const iffa_gold_params *p)
{
	static const iffa_gold_params defaults = IFFA_GOLD_PARAMS_INIT;
	lot *lots = NULL;
	side *sides = NULL;
	double *ref = NULL, *prices = NULL;
	igraph_integer_t *ge = NULL, *levy_start = NULL, *levy_edge = NULL, *by_owner = NULL;
	igraph_integer_t *out_start = NULL, *out_edge = NULL, nowned = 0;
	gctx c;
	size_t nlots = 0, nge = 0, nsides = 0;
	int error = 0, pmin = 0, pmax = 0;

	if (!out || !g || !g->has_graph || !db)
		return iffa_error_set(IFFA_EINVAL, "gold: no findings list, graph or database");
	if (!p)
		p = &defaults;
	if ((error = check_params(p)) < 0)
		return error;
	if ((error = read_lots(&lots, &nlots, g, db)) < 0)
		goto done;
	if (nlots == 0)
		goto done;

	/* gold edges in id order, which is (source, target) order; levy edges by source */
	ge = malloc((size_t)(g->ne ? g->ne : 1) * sizeof(*ge));
	levy_start = calloc((size_t)g->nv + 1, sizeof(*levy_start));
	levy_edge = malloc((size_t)(g->ne ? g->ne : 1) * sizeof(*levy_edge));
	if (!ge || !levy_start || !levy_edge) {
		error = iffa_error_set(IFFA_ENOMEM, "gold: out of memory");
		goto done;
	}
	for (igraph_integer_t e = 0; e < g->ne; e++) {
		if (g->ekind[e] == IFFA_KIND_GOLD)
			ge[nge++] = e;
		else if (g->ekind[e] == IFFA_KIND_LEVY)
			levy_start[IGRAPH_FROM(&g->graph, e) + 1]++;
	}
	if (nge == 0) {
		error = iffa_error_set(IFFA_EINVAL,
				       "gold: the flow graph has no gold edges; read it with the gold "
				       "kind and the none channel");
		goto done;
	}
	for (igraph_integer_t v = 0; v < g->nv; v++)
		levy_start[v + 1] += levy_start[v];
	{
		igraph_integer_t *fill = calloc((size_t)g->nv + 1, sizeof(*fill));
		if (!fill) {
			error = iffa_error_set(IFFA_ENOMEM, "gold: out of memory");
			goto done;
		}
		for (igraph_integer_t e = 0; e < g->ne; e++)
			if (g->ekind[e] == IFFA_KIND_LEVY) {
				igraph_integer_t v = IGRAPH_FROM(&g->graph, e);
				levy_edge[levy_start[v] + fill[v]++] = e;
			}
		free(fill);
	}

	/* transfers by source, for the levies' onward hop; vertices by owner */
	out_start = calloc((size_t)g->nv + 1, sizeof(*out_start));
	out_edge = malloc((size_t)(g->ne ? g->ne : 1) * sizeof(*out_edge));
	by_owner = malloc((size_t)(g->nv ? g->nv : 1) * sizeof(*by_owner));
	if (!out_start || !out_edge || !by_owner) {
		error = iffa_error_set(IFFA_ENOMEM, "gold: out of memory");
		goto done;
	}
	for (igraph_integer_t e = 0; e < g->ne; e++) /* ids follow sources: counting is enough */
		if (g->ekind[e] == IFFA_KIND_TRANSFER)
			out_start[IGRAPH_FROM(&g->graph, e) + 1]++;
	for (igraph_integer_t v = 0; v < g->nv; v++)
		out_start[v + 1] += out_start[v];
	{
		igraph_integer_t k = 0;
		for (igraph_integer_t e = 0; e < g->ne; e++)
			if (g->ekind[e] == IFFA_KIND_TRANSFER)
				out_edge[k++] = e;
	}
	for (igraph_integer_t v = 0; v < g->nv; v++)
		if (g->vparty[v] >= 0)
			by_owner[nowned++] = v;
	cmp_graph = g;
	if (nowned > 1)
		qsort(by_owner, (size_t)nowned, sizeof(*by_owner), by_owner_q);

	/* periods, evidence edges, taint */
	pmin = pmax = month_of(lots[0].t) / p->period_months;
	for (size_t i = 0; i < nlots; i++) {
		lot *l = &lots[i];
		l->period = month_of(l->t) / p->period_months;
		if (l->period < pmin)
			pmin = l->period;
		if (l->period > pmax)
			pmax = l->period;
		l->edge = gold_edge(g, ge, nge, l->vb, l->vs, l->id);
		l->tainted = l->vsite >= 0 && (g->vflags[l->vsite] & IFFA_VERTEX_AFFECTED_ZONE) &&
			     levy_start[l->vsite + 1] > levy_start[l->vsite];
	}

	/* reference price per period: the parameter, or the median over all lots */
	ref = calloc((size_t)(pmax - pmin + 1), sizeof(*ref));
	prices = malloc(nlots * sizeof(*prices));
	if (!ref || !prices) {
		error = iffa_error_set(IFFA_ENOMEM, "gold: out of memory");
		goto done;
	}
	for (int per = pmin; per <= pmax; per++) {
		size_t k = 0;
		if (p->reference_price > 0) {
			ref[per - pmin] = p->reference_price;
			continue;
		}
		for (size_t i = 0; i < nlots; i++)
			if (lots[i].period == per && lots[i].fine > 0)
				prices[k++] = lots[i].xof / lots[i].fine;
		if (k == 0)
			continue;
		qsort(prices, k, sizeof(*prices), by_double);
		ref[per - pmin] = k % 2 ? prices[k / 2] : 0.5 * (prices[k / 2 - 1] + prices[k / 2]);
	}

	/* both sides of every lot, grouped by party in time order */
	if (!(sides = malloc(2 * nlots * sizeof(*sides)))) {
		error = iffa_error_set(IFFA_ENOMEM, "gold: out of memory");
		goto done;
	}
	for (size_t i = 0; i < nlots; i++) {
		sides[nsides++] = (side){lots[i].buyer, i, 1};
		sides[nsides++] = (side){lots[i].seller, i, 0};
	}
	cmp_lots = lots;
	qsort(sides, nsides, sizeof(*sides), by_side_q);
	c = (gctx){out, g, p, lots, ref, pmin, levy_start, levy_edge, by_owner, nowned, out_start,
		   out_edge};
	for (size_t i = 0, j; i < nsides && !error; i = j) {
		for (j = i + 1; j < nsides && sides[j].party == sides[i].party; j++)
			;
		error = trader(&c, sides + i, j - i);
	}
done:
	free(lots);
	free(sides);
	free(ref);
	free(prices);
	free(ge);
	free(levy_start);
	free(levy_edge);
	free(by_owner);
	free(out_start);
	free(out_edge);
	return error;
}
