/*
 * The typologies pass: structuring through many small accounts just under
 * a reporting threshold, and money that comes back to where it started.
 *
 * Fans. A flow is "just under" when it is mobile money (cash) and its
 * per-flow amount is in [near_low * T, T) for the mobile-money (cash)
 * threshold T. Ordinary hubs (merchants, salary payers, tontine
 * organisers, NGOs) have large fans too, but of small or fixed amounts,
 * and their counterparties do other things: so a small account counts for
 * a hub only when its just-under flows to (from) that hub are at least
 * min_devotion of everything it sends (receives) to other parties, and a
 * fan needs min_fan such accounts inside one window of fan_window. A
 * fan-in's hub is followed onward: an outflow of at least onward_share and
 * at most 1.05 times what it gathered, within onward_window, names the
 * beneficiary.
 * scatter_gather: a fan-out and a fan-in share min_fan small accounts;
 * gather_scatter: one hub is both. All this is one pass over the edges, a
 * sort of the just-under edges and scratch arrays indexed by vertex:
 * O(|V| + |E| + N log N) for N just-under edges.
 *
 * Cycles. igraph 0.10.2 has no cycle enumeration (it came in 0.10.15) and
 * get_all_simple_paths knows no time, so the search is ours: from every
 * vertex, a depth-first search over out-edges sorted by time, keeping a
 * path simple, its hops in time order (each hop leaves no earlier than the
 * previous one arrived, and no later than cycle_max_dwell after it; on an
 * aggregated graph an edge is the interval [first, last]), all of it
 * inside cycle_window, every hop at least
 * cycle_min_amount and between cycle_min_retain and cycle_max_grow times
 * the hop before it, at most max_cycle_len hops. Among parallel edges to
 * one next vertex only the earliest that fits is followed (it dominates the
 * later ones for what can still follow). A time-ordered cycle is found
 * from its origin only, since no other rotation is in time order. Without
 * time order (cycle_time_order 0) the classic rule of enumerating a ring
 * from its smallest vertex only (Johnson 1975, without his blocking) makes
 * every ring found once. The cost is O(d^L) edges for out-degree d inside
 * the window and length L in the worst case; max_steps bounds it and the
 * stats say when it stopped the search. Rings that turn more than
 * cycle_max_repeats times (distinct closing flows) are routine cash
 * pooling between sister firms and are dropped, and so are rings through
 * a busy account for which the ring's money is less than
 * cycle_min_devotion of all it receives (merchants trading back and forth).
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iffa/common.h"
#include "iffa/passes.h"
#include "graph/flowgraph.h"

#define PASS "typologies"
#define MAX_CYCLE_LEN 12
/* An onward payment passes the fan's money on: not more than it gathered
 * (5 % for rounding and fees paid by the hub); the hub's own larger
 * business is not the fan's beneficiary. */
#define ONWARD_MAX 1.05

/* ------------------------------------------------------------------ */
/* Shared state                                                        */
/* ------------------------------------------------------------------ */

typedef struct {
	const iffa_flowgraph *g;
	const iffa_typologies_params *p;
	iffa_typologies_stats *st;
	iffa_findings *out;
	igraph_integer_t nv, ne;
	const igraph_t *ig;
	double *out_amt, *in_amt;   /* XOF sent / received, own accounts left out */
	double *acc;                /* scratch, per vertex */
	int32_t *cnt;               /* scratch, per vertex */
	int64_t *stamp;             /* scratch, per vertex */
	int64_t *mark;              /* scratch, per vertex (scatter-gather) */
	int64_t serial;
	igraph_integer_t *by_owner; /* vertices with an owner, ordered by it */
	igraph_integer_t nowned;
} ctx;

/* One fan found: hub and its small accounts (members[first .. first+n)). */
typedef struct {
	igraph_integer_t hub;
	int dir;                    /* 0 fan-in, 1 fan-out */
	size_t first, n;            /* small accounts in ctx-wide arrays */
	size_t efirst, en;          /* evidence edges */
	int64_t tmin, tmax;         /* just-under flows' times */
	int inwin;                  /* most distinct small accounts in one window */
	double total, devotion;     /* XOF of the just-under flows; mean devotion */
	double score;
} fan;

typedef struct {
	fan *f;
	size_t n, cap;
	igraph_integer_t *mem;      /* small accounts of every fan */
	size_t nmem, capmem;
	igraph_integer_t *ev;       /* just-under edges of every fan */
	size_t nev, capev;
} fans;

static int grow(void *p, size_t *cap, size_t need, size_t size)
{
	size_t c = *cap ? *cap : 16;
	void *q;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	if (!(q = realloc(*(void **)p, c * size)))
		return iffa_error_set(IFFA_ENOMEM, "typologies: out of memory");
	*(void **)p = q;
	*cap = c;
	return 0;
}

static inline igraph_integer_t from_of(const ctx *c, igraph_integer_t e)
{
	return IGRAPH_FROM(c->ig, e);
}

static inline igraph_integer_t to_of(const ctx *c, igraph_integer_t e)
{
	return IGRAPH_TO(c->ig, e);
}

/* Between two accounts of one owner: not a payment to someone else. */
static inline int own(const ctx *c, igraph_integer_t a, igraph_integer_t b)
{
	return a == b || (c->g->vparty[a] >= 0 && c->g->vparty[a] == c->g->vparty[b]);
}

static inline double per_flow(const iffa_flowgraph *g, igraph_integer_t e)
{
	return g->eflows[e] > 1 ? g->eamount[e] / (double)g->eflows[e] : g->eamount[e];
}

/* "account 12" / "party 7" for reasons: database ids, as the graph knows them. */
static void vname(char *buf, size_t size, const iffa_flowgraph *g, igraph_integer_t v)
{
	snprintf(buf, size, "%s %lld", (g->vkey[v] & 1) ? "party" : "account",
		 (long long)(g->vkey[v] >> 1));
}

static int check_params(const iffa_typologies_params *p)
{
	if (!(p->threshold_mm > 0) || !(p->threshold_cash > 0))
		return iffa_error_set(IFFA_EINVAL, "typologies: thresholds must be > 0");
	if (!(p->near_low > 0 && p->near_low < 1))
		return iffa_error_set(IFFA_EINVAL, "typologies: near_low must be in (0, 1), not %g",
				      p->near_low);
	if (p->fan_window <= 0 || p->onward_window < 0 || p->cycle_window <= 0 ||
	    p->cycle_max_dwell <= 0)
		return iffa_error_set(IFFA_EINVAL, "typologies: windows must be > 0");
	if (p->min_fan < 2)
		return iffa_error_set(IFFA_EINVAL, "typologies: min_fan must be at least 2, not %d",
				      p->min_fan);
	if (!(p->min_devotion >= 0 && p->min_devotion <= 1) ||
	    !(p->onward_share > 0 && p->onward_share <= 1))
		return iffa_error_set(IFFA_EINVAL,
				      "typologies: min_devotion and onward_share must be in [0, 1]");
	if (p->min_cycle_len < 2 || p->max_cycle_len < p->min_cycle_len ||
	    p->max_cycle_len > MAX_CYCLE_LEN)
		return iffa_error_set(IFFA_EINVAL,
				      "typologies: cycle lengths must satisfy 2 <= min (%d) <= max (%d) <= %d",
				      p->min_cycle_len, p->max_cycle_len, MAX_CYCLE_LEN);
	if (!(p->cycle_min_retain > 0) || !(p->cycle_max_grow >= p->cycle_min_retain) ||
	    !(p->cycle_min_amount >= 0))
		return iffa_error_set(IFFA_EINVAL,
				      "typologies: need 0 < cycle_min_retain <= cycle_max_grow and "
				      "cycle_min_amount >= 0");
	if (!(p->cycle_min_devotion >= 0 && p->cycle_min_devotion <= 1))
		return iffa_error_set(IFFA_EINVAL, "typologies: cycle_min_devotion must be in [0, 1]");
	if (p->cycle_max_repeats < 0 || p->max_steps <= 0)
		return iffa_error_set(IFFA_EINVAL,
				      "typologies: cycle_max_repeats must be >= 0 and max_steps > 0");
	return 0;
}

/* ------------------------------------------------------------------ */
/* Fans                                                                */
/* ------------------------------------------------------------------ */

/* Just under a threshold: mobile money or cash, between two parties. */
static int near_threshold(const ctx *c, igraph_integer_t e)
{
	const iffa_flowgraph *g = c->g;
	double a, t;

	if (g->ekind[e] != IFFA_KIND_TRANSFER)
		return 0;
	if (g->echannel[e] == IFFA_CHANNEL_MOBILE_MONEY)
		t = c->p->threshold_mm;
	else if (g->echannel[e] == IFFA_CHANNEL_CASH)
		t = c->p->threshold_cash;
	else
		return 0;
	a = per_flow(g, e);
	return a >= c->p->near_low * t && a < t && !own(c, from_of(c, e), to_of(c, e));
}

static const ctx *sort_ctx; /* qsort has no context argument; the pass is not reentrant
			       across threads anyway (igraph is not thread-safe) */
static int sort_dir;

static int by_hub_time(const void *a, const void *b)
{
	igraph_integer_t x = *(const igraph_integer_t *)a, y = *(const igraph_integer_t *)b;
	const ctx *c = sort_ctx;
	igraph_integer_t hx = sort_dir ? from_of(c, x) : to_of(c, x);
	igraph_integer_t hy = sort_dir ? from_of(c, y) : to_of(c, y);

	if (hx != hy)
		return hx < hy ? -1 : 1;
	if (c->g->efirst[x] != c->g->efirst[y])
		return c->g->efirst[x] < c->g->efirst[y] ? -1 : 1;
	return x < y ? -1 : x > y;
}

/*
 * One hub's just-under edges e[0..n), in time order: keep the small
 * accounts devoted to it, find the most of them in one window, and record
 * a fan when there are enough.
 */
static int one_fan(ctx *c, fans *F, const igraph_integer_t *e, size_t n, int dir)
{
	const iffa_typologies_params *p = c->p;
	const iffa_flowgraph *g = c->g;
	igraph_integer_t hub = dir ? from_of(c, e[0]) : to_of(c, e[0]);
	int64_t s = ++c->serial;
	size_t ndev = 0, lo = 0;
	int distinct = 0, best = 0;
	double devsum = 0, total = 0;
	int64_t tmin = INT64_MAX, tmax = INT64_MIN;
	fan *f;
	int error;

	/* amount from (to) each small account */
	for (size_t i = 0; i < n; i++) {
		igraph_integer_t o = dir ? to_of(c, e[i]) : from_of(c, e[i]);
		if (c->stamp[o] != s) {
			c->stamp[o] = s;
			c->acc[o] = 0;
			c->cnt[o] = 0;
		}
		c->acc[o] += g->eamount[e[i]];
	}
	/* devoted ones: mark with -s; count them and sum their devotion */
	for (size_t i = 0; i < n; i++) {
		igraph_integer_t o = dir ? to_of(c, e[i]) : from_of(c, e[i]);
		double all = dir ? c->in_amt[o] : c->out_amt[o];
		if (c->stamp[o] != s)
			continue;
		c->stamp[o] = -s;
		if (all > 0 && c->acc[o] / all >= p->min_devotion) {
			c->cnt[o] = 0;
			ndev++;
			devsum += c->acc[o] / all > 1 ? 1 : c->acc[o] / all;
		} else {
			c->cnt[o] = -1; /* not devoted */
		}
	}
	if (ndev < (size_t)p->min_fan)
		return 0;
	/* sliding window over the devoted small accounts' flows */
	for (size_t i = 0; i < n; i++) {
		igraph_integer_t o = dir ? to_of(c, e[i]) : from_of(c, e[i]);
		if (c->cnt[o] < 0)
			continue;
		if (c->cnt[o]++ == 0)
			distinct++;
		while (g->efirst[e[i]] - g->efirst[e[lo]] > p->fan_window) {
			igraph_integer_t q = dir ? to_of(c, e[lo]) : from_of(c, e[lo]);
			if (c->cnt[q] > 0 && --c->cnt[q] == 0)
				distinct--;
			lo++;
		}
		if (distinct > best)
			best = distinct;
	}
	if (best < p->min_fan)
		return 0;
	if ((error = grow(&F->f, &F->cap, F->n + 1, sizeof(*F->f))) < 0 ||
	    (error = grow(&F->mem, &F->capmem, F->nmem + ndev, sizeof(*F->mem))) < 0 ||
	    (error = grow(&F->ev, &F->capev, F->nev + n, sizeof(*F->ev))) < 0)
		return error;
	f = &F->f[F->n++];
	f->hub = hub;
	f->dir = dir;
	f->first = F->nmem;
	f->efirst = F->nev;
	s = ++c->serial;
	for (size_t i = 0; i < n; i++) {
		igraph_integer_t o = dir ? to_of(c, e[i]) : from_of(c, e[i]);
		if (c->cnt[o] < 0)
			continue;
		F->ev[F->nev++] = e[i];
		total += g->eamount[e[i]];
		if (g->efirst[e[i]] < tmin)
			tmin = g->efirst[e[i]];
		if (g->elast[e[i]] > tmax)
			tmax = g->elast[e[i]];
		if (c->stamp[o] != s) {
			c->stamp[o] = s;
			F->mem[F->nmem++] = o;
		}
	}
	f->n = F->nmem - f->first;
	f->en = F->nev - f->efirst;
	f->tmin = tmin;
	f->tmax = tmax;
	f->inwin = best;
	f->total = total;
	f->devotion = devsum / (double)ndev;
	f->score = 0.5 * f->devotion + 0.5 * fmin(1.0, best / (2.0 * p->min_fan));
	return 0;
}

static int find_fans(ctx *c, fans *F, const igraph_integer_t *near, size_t nnear, int dir)
{
	igraph_integer_t *e = malloc((nnear ? nnear : 1) * sizeof(*e));
	int error = 0;

	if (!e)
		return iffa_error_set(IFFA_ENOMEM, "typologies: out of memory");
	if (nnear)
		memcpy(e, near, nnear * sizeof(*e));
	sort_ctx = c;
	sort_dir = dir;
	if (nnear > 1)
		qsort(e, nnear, sizeof(*e), by_hub_time);
	for (size_t i = 0, j; i < nnear && !error; i = j) {
		igraph_integer_t hub = dir ? from_of(c, e[i]) : to_of(c, e[i]);
		for (j = i + 1; j < nnear && (dir ? from_of(c, e[j]) : to_of(c, e[j])) == hub; j++)
			;
		if (j - i >= (size_t)c->p->min_fan)
			error = one_fan(c, F, e + i, j - i, dir);
	}
	free(e);
	return error;
}

/* Add vertex v to a member list unless stamped with s already. */
static int add_member(ctx *c, igraph_integer_t **m, size_t *n, size_t *cap, igraph_integer_t v,
		      int64_t s)
{
	int error;

	if (c->stamp[v] == s)
		return 0;
	if ((error = grow(m, cap, *n + 1, sizeof(**m))) < 0)
		return error;
	c->stamp[v] = s;
	(*m)[(*n)++] = v;
	return 0;
}

static int add_edge(igraph_integer_t **ev, size_t *n, size_t *cap, igraph_integer_t e)
{
	int error;

	if ((error = grow(ev, cap, *n + 1, sizeof(**ev))) < 0)
		return error;
	(*ev)[(*n)++] = e;
	return 0;
}

static int by_owner_cmp(const void *a, const void *b)
{
	const ctx *c = sort_ctx;
	igraph_integer_t x = *(const igraph_integer_t *)a, y = *(const igraph_integer_t *)b;

	if (c->g->vparty[x] != c->g->vparty[y])
		return c->g->vparty[x] < c->g->vparty[y] ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* Vertices by owning party, for owner_accounts. */
static int owners_index(ctx *c)
{
	c->by_owner = malloc((size_t)(c->nv ? c->nv : 1) * sizeof(*c->by_owner));
	if (!c->by_owner)
		return iffa_error_set(IFFA_ENOMEM, "typologies: out of memory");
	for (igraph_integer_t v = 0; v < c->nv; v++)
		if (c->g->vparty[v] >= 0)
			c->by_owner[c->nowned++] = v;
	sort_ctx = c;
	if (c->nowned > 1)
		qsort(c->by_owner, (size_t)c->nowned, sizeof(*c->by_owner), by_owner_cmp);
	return 0;
}

/*
 * Add the finding. With owner_accounts, the members first get every other
 * vertex of their owners (stamped `s` like the members already there).
 */
static int emit(ctx *c, const char *kind, iffa_subject_type st, igraph_integer_t subject,
		double score, const igraph_integer_t *ev, size_t ne, igraph_integer_t **mem,
		size_t *nm, size_t *capm, int64_t s, const char *fmt, ...)
	__attribute__((format(printf, 12, 13)));

static int emit(ctx *c, const char *kind, iffa_subject_type st, igraph_integer_t subject,
		double score, const igraph_integer_t *ev, size_t ne, igraph_integer_t **mem,
		size_t *nm, size_t *capm, int64_t s, const char *fmt, ...)
{
	char reason[512];
	va_list ap;
	size_t n0 = *nm;
	int error = 0;

	for (size_t i = 0; i < n0 && c->p->owner_accounts && !error; i++) {
		int64_t party = c->g->vparty[(*mem)[i]];
		igraph_integer_t a = 0, b = c->nowned;
		if (party < 0)
			continue;
		while (a < b) {
			igraph_integer_t m = a + (b - a) / 2;
			if (c->g->vparty[c->by_owner[m]] < party)
				a = m + 1;
			else
				b = m;
		}
		for (; a < c->nowned && c->g->vparty[c->by_owner[a]] == party && !error; a++)
			error = add_member(c, mem, nm, capm, c->by_owner[a], s);
	}
	if (error)
		return error;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return iffa_findings_add(c->out, PASS, kind, st, subject, score, ev, ne, *mem, *nm, "%s",
				 reason);
}

static void fmt_days(char *buf, size_t size, int64_t us)
{
	snprintf(buf, size, "%.1f days", (double)us / (double)IFFA_TYPOLOGIES_DAY);
}

/* Report a fan, with the fan-in's onward flows. */
static int report_fan(ctx *c, const fans *F, const fan *f)
{
	const iffa_flowgraph *g = c->g;
	const iffa_typologies_params *p = c->p;
	igraph_integer_t *mem = NULL, *ev = NULL;
	size_t nm = 0, capm = 0, ne = 0, cape = 0, nbenef = 0;
	int64_t s = ++c->serial;
	int error = 0;
	char hub[64], span[32];
	double onward = 0;

	if ((error = add_member(c, &mem, &nm, &capm, f->hub, s)) < 0)
		goto done;
	for (size_t i = 0; i < f->n && !error; i++)
		error = add_member(c, &mem, &nm, &capm, F->mem[f->first + i], s);
	for (size_t i = 0; i < f->en && !error; i++)
		error = add_edge(&ev, &ne, &cape, F->ev[f->efirst + i]);
	if (error)
		goto done;
	if (f->dir == 0) {
		igraph_integer_t n;
		const igraph_integer_t *out = iffa_flowgraph__out_edges(g, f->hub, &n);
		for (igraph_integer_t i = 0; i < n && !error; i++) {
			igraph_integer_t e = out[i], t = to_of(c, e);
			if (g->elast[e] < f->tmin || g->efirst[e] > f->tmax + p->onward_window ||
			    g->eamount[e] < p->onward_share * f->total ||
			    g->eamount[e] > ONWARD_MAX * f->total || c->stamp[t] == s ||
			    g->ekind[e] != IFFA_KIND_TRANSFER)
				continue;
			if ((error = add_edge(&ev, &ne, &cape, e)) < 0 ||
			    (error = add_member(c, &mem, &nm, &capm, t, s)) < 0)
				goto done;
			onward += g->eamount[e];
			nbenef++;
		}
	}
	vname(hub, sizeof(hub), g, f->hub);
	fmt_days(span, sizeof(span), f->tmax - f->tmin);
	if (f->dir == 0)
		error = emit(
			c, "fan_in",
			g->level == IFFA_LEVEL_PARTY ? IFFA_SUBJECT_PARTY : IFFA_SUBJECT_ACCOUNT, f->hub,
			f->score, ev, ne, &mem, &nm, &capm, s,
			"fan-in: %zu small accounts (%d within %lld days) sent %s %.0f XOF just under "
			"the reporting threshold over %s, %.0f%% of what they send; %zu onward "
			"payment(s) of %.0f XOF",
			f->n, f->inwin, (long long)(p->fan_window / IFFA_TYPOLOGIES_DAY), hub, f->total,
			span, 100 * f->devotion, nbenef, onward);
	else
		error = emit(
			c, "fan_out",
			g->level == IFFA_LEVEL_PARTY ? IFFA_SUBJECT_PARTY : IFFA_SUBJECT_ACCOUNT, f->hub,
			f->score, ev, ne, &mem, &nm, &capm, s,
			"fan-out: %s sent %.0f XOF just under the reporting threshold to %zu small "
			"accounts (%d within %lld days) over %s, %.0f%% of what they receive",
			hub, f->total, f->n, f->inwin, (long long)(p->fan_window / IFFA_TYPOLOGIES_DAY),
			span, 100 * f->devotion);
	if (!error) {
		if (f->dir == 0)
			c->st->fan_in++;
		else
			c->st->fan_out++;
	}
done:
	free(mem);
	free(ev);
	return error;
}

/* A fan-out and a fan-in sharing min_fan small accounts; a hub in both. */
static int combine_fans(ctx *c, const fans *F)
{
	const iffa_flowgraph *g = c->g;
	size_t *start = NULL, *list = NULL, total = 0, *pairs = NULL, npairs = 0, cappairs = 0;
	igraph_integer_t *mem = NULL, *ev = NULL;
	size_t nm = 0, capm = 0, ne = 0, cape = 0, nshared = 0;
	int error = 0;
	char a[64], b[64];

	/* fan-outs holding each vertex, as CSR over vertices */
	if (!(start = calloc((size_t)c->nv + 1, sizeof(*start)))) {
		error = iffa_error_set(IFFA_ENOMEM, "typologies: out of memory");
		goto done;
	}
	for (size_t i = 0; i < F->n; i++)
		if (F->f[i].dir == 1)
			for (size_t k = 0; k < F->f[i].n; k++)
				start[F->mem[F->f[i].first + k] + 1]++, total++;
	for (igraph_integer_t v = 0; v < c->nv; v++)
		start[v + 1] += start[v];
	if (!(list = malloc((total ? total : 1) * sizeof(*list)))) {
		error = iffa_error_set(IFFA_ENOMEM, "typologies: out of memory");
		goto done;
	}
	{
		size_t *fill = calloc((size_t)c->nv, sizeof(*fill));
		if (!fill) {
			error = iffa_error_set(IFFA_ENOMEM, "typologies: out of memory");
			goto done;
		}
		for (size_t i = 0; i < F->n; i++)
			if (F->f[i].dir == 1)
				for (size_t k = 0; k < F->f[i].n; k++) {
					igraph_integer_t v = F->mem[F->f[i].first + k];
					list[start[v] + fill[v]++] = i;
				}
		free(fill);
	}
	for (size_t gi = 0; gi < F->n && !error; gi++) {
		const fan *G = &F->f[gi];
		int64_t s = ++c->serial;
		if (G->dir != 0)
			continue;
		/* count shared small accounts per fan-out: acc[] indexed by fan-out hub */
		for (size_t k = 0; k < G->n; k++) {
			igraph_integer_t v = F->mem[G->first + k];
			for (size_t q = start[v]; q < start[v + 1]; q++) {
				igraph_integer_t h = F->f[list[q]].hub;
				if (c->stamp[h] != s) {
					c->stamp[h] = s;
					c->cnt[h] = 0;
				}
				c->cnt[h]++;
			}
		}
		/* the fan-outs sharing enough small accounts, collected first: the
		 * reports below reuse the stamps */
		npairs = 0;
		for (size_t k = 0; k < G->n && !error; k++) {
			igraph_integer_t v = F->mem[G->first + k];
			for (size_t q = start[v]; q < start[v + 1] && !error; q++) {
				const fan *S = &F->f[list[q]];
				if (c->stamp[S->hub] != s || c->cnt[S->hub] < c->p->min_fan ||
				    S->hub == G->hub)
					continue;
				c->cnt[S->hub] = -1; /* once per pair */
				if ((error = grow(&pairs, &cappairs, npairs + 1, sizeof(*pairs))) < 0)
					break;
				pairs[npairs++] = list[q];
			}
		}
		for (size_t pi = 0; pi < npairs && !error; pi++) {
			const fan *S = &F->f[pairs[pi]];
			int64_t s2 = ++c->serial;
			nm = ne = 0;
			if ((error = add_member(c, &mem, &nm, &capm, S->hub, s2)) < 0 ||
			    (error = add_member(c, &mem, &nm, &capm, G->hub, s2)) < 0)
				break;
			/* shared small accounts: marked s2 in both fans */
			for (size_t i = 0; i < S->n; i++)
				c->mark[F->mem[S->first + i]] = s2;
			for (size_t i = 0; i < G->n && !error; i++) {
				igraph_integer_t m = F->mem[G->first + i];
				if (c->mark[m] == s2) {
					c->mark[m] = -s2;
					error = add_member(c, &mem, &nm, &capm, m, s2);
				}
			}
			for (size_t i = 0; i < S->en && !error; i++)
				if (c->mark[to_of(c, F->ev[S->efirst + i])] == -s2)
					error = add_edge(&ev, &ne, &cape, F->ev[S->efirst + i]);
			for (size_t i = 0; i < G->en && !error; i++)
				if (c->mark[from_of(c, F->ev[G->efirst + i])] == -s2)
					error = add_edge(&ev, &ne, &cape, F->ev[G->efirst + i]);
			if (error)
				break;
			nshared = nm - 2;
			vname(a, sizeof(a), g, S->hub);
			vname(b, sizeof(b), g, G->hub);
			error = emit(
				c, "scatter_gather", IFFA_SUBJECT_CLUSTER, -1,
				fmin(1.0, fmax(S->score, G->score) + 0.1), ev, ne, &mem, &nm, &capm, s2,
				"scatter-gather: %s split %.0f XOF over %zu small accounts just under "
				"the threshold and %s gathered it from them",
				a, S->total, nshared, b);
			if (!error)
				c->st->scatter_gather++;
		}
		/* gather-scatter: this fan-in's hub also fans out, later */
		for (size_t si = 0; si < F->n && !error; si++) {
			const fan *S = &F->f[si];
			int64_t s2;
			if (S->dir != 1 || S->hub != G->hub || S->tmax < G->tmin)
				continue;
			s2 = ++c->serial;
			nm = ne = 0;
			if ((error = add_member(c, &mem, &nm, &capm, G->hub, s2)) < 0)
				break;
			for (size_t i = 0; i < G->n && !error; i++)
				error = add_member(c, &mem, &nm, &capm, F->mem[G->first + i], s2);
			for (size_t i = 0; i < S->n && !error; i++)
				error = add_member(c, &mem, &nm, &capm, F->mem[S->first + i], s2);
			for (size_t i = 0; i < G->en && !error; i++)
				error = add_edge(&ev, &ne, &cape, F->ev[G->efirst + i]);
			for (size_t i = 0; i < S->en && !error; i++)
				error = add_edge(&ev, &ne, &cape, F->ev[S->efirst + i]);
			if (error)
				break;
			vname(a, sizeof(a), g, G->hub);
			error = emit(
				c, "gather_scatter", IFFA_SUBJECT_CLUSTER, -1,
				fmin(1.0, fmax(S->score, G->score) + 0.1), ev, ne, &mem, &nm, &capm, s2,
				"gather-scatter: %s gathered %.0f XOF from %zu small accounts and paid "
				"%.0f XOF out to %zu, all just under the threshold",
				a, G->total, G->n, S->total, S->n);
			if (!error)
				c->st->gather_scatter++;
		}
	}
done:
	free(start);
	free(list);
	free(pairs);
	free(mem);
	free(ev);
	return error;
}

/* ------------------------------------------------------------------ */
/* Cycles                                                              */
/* ------------------------------------------------------------------ */

/* One loop found: its edges in hop order at loopedges[first .. first+len). */
typedef struct {
	uint64_t ring;               /* hash of the sorted vertices */
	size_t first;
	int len;
	igraph_integer_t closing;    /* the edge back to the origin */
	igraph_integer_t minv;       /* smallest vertex, to tell rings apart */
} loop;

typedef struct {
	ctx *c;
	igraph_integer_t *ostart;    /* CSR of eligible out-edges by time */
	igraph_integer_t *oedge;
	uint8_t *onpath;
	igraph_integer_t path_v[MAX_CYCLE_LEN + 1];
	igraph_integer_t path_e[MAX_CYCLE_LEN];
	igraph_integer_t origin;
	int64_t t0;                  /* time of the first hop */
	int64_t tmin, tmax;          /* without time order: span of the hops */
	loop *loops;
	size_t nloops, caploops;
	igraph_integer_t *loopedges;
	size_t nle, caple;
	int stop;
	int error;
} search;

static uint64_t ring_hash(const igraph_integer_t *v, int n, igraph_integer_t *minv)
{
	igraph_integer_t s[MAX_CYCLE_LEN + 1];
	uint64_t h = 1469598103934665603ULL;

	memcpy(s, v, (size_t)n * sizeof(*s));
	for (int i = 1; i < n; i++) /* insertion sort: n <= 12 */
		for (int j = i; j > 0 && s[j - 1] > s[j]; j--) {
			igraph_integer_t t = s[j];
			s[j] = s[j - 1];
			s[j - 1] = t;
		}
	for (int i = 0; i < n; i++) {
		h ^= (uint64_t)s[i];
		h *= 1099511628211ULL;
	}
	*minv = s[0];
	return h;
}

static void found(search *S, int len)
{
	loop *l;

	if (grow(&S->loops, &S->caploops, S->nloops + 1, sizeof(*S->loops)) < 0 ||
	    grow(&S->loopedges, &S->caple, S->nle + (size_t)len, sizeof(*S->loopedges)) < 0) {
		S->error = IFFA_ENOMEM;
		S->stop = 1;
		return;
	}
	l = &S->loops[S->nloops++];
	l->ring = ring_hash(S->path_v, len, &l->minv);
	l->first = S->nle;
	l->len = len;
	l->closing = S->path_e[len - 1];
	memcpy(S->loopedges + S->nle, S->path_e, (size_t)len * sizeof(*S->path_e));
	S->nle += (size_t)len;
}

static int amount_fits(const ctx *c, double prev, double next)
{
	return next >= c->p->cycle_min_retain * prev && next <= c->p->cycle_max_grow * prev;
}

/*
 * Extend the path at depth `d` (path_v[d] is the vertex reached at time
 * `t`, by a hop of per-flow amount `prev`).
 */
static void dfs(search *S, int d, int64_t t, double prev)
{
	ctx *c = S->c;
	const iffa_flowgraph *g = c->g;
	const iffa_typologies_params *p = c->p;
	igraph_integer_t v = S->path_v[d];
	igraph_integer_t lo = S->ostart[v], hi = S->ostart[v + 1];
	int64_t node = ++c->serial;
	int64_t my_tmin = S->tmin, my_tmax = S->tmax;
	int ordered = p->cycle_time_order;

	if (ordered && !g->aggregated) {
		/* exact times: skip to the first edge leaving at or after t */
		igraph_integer_t a = lo, b = hi;
		while (a < b) {
			igraph_integer_t m = a + (b - a) / 2;
			if (g->efirst[S->oedge[m]] < t)
				a = m + 1;
			else
				b = m;
		}
		lo = a;
	}
	for (igraph_integer_t i = lo; i < hi && !S->stop; i++) {
		igraph_integer_t e = S->oedge[i], w = to_of(c, e);
		double a = per_flow(g, e);
		int64_t nt = t, tmin = my_tmin, tmax = my_tmax;

		if (++c->st->steps > p->max_steps) {
			c->st->truncated = 1;
			S->stop = 1;
			break;
		}
		if (ordered) {
			if (g->efirst[e] > S->t0 + p->cycle_window || g->efirst[e] > t + p->cycle_max_dwell)
				break; /* sorted by first time: nothing later fits */
			if (g->elast[e] < t)
				continue;
			nt = g->efirst[e] > t ? g->efirst[e] : t;
		} else {
			if (w != S->origin && w < S->origin)
				continue; /* the ring is found from its smallest vertex */
			if (g->efirst[e] < tmin)
				tmin = g->efirst[e];
			if (g->elast[e] > tmax)
				tmax = g->elast[e];
			if (tmax - tmin > p->cycle_window)
				continue;
		}
		if (c->stamp[w] == node || !amount_fits(c, prev, a))
			continue; /* an earlier edge to w was taken; or the amount breaks */
		if (w == S->origin) {
			if (d + 1 >= p->min_cycle_len) {
				c->stamp[w] = node;
				S->path_e[d] = e;
				found(S, d + 1);
			}
			continue;
		}
		if (S->onpath[w] || d + 1 >= p->max_cycle_len)
			continue;
		c->stamp[w] = node;
		S->path_e[d] = e;
		S->path_v[d + 1] = w;
		S->onpath[w] = 1;
		S->tmin = tmin;
		S->tmax = tmax;
		dfs(S, d + 1, nt, a);
		S->onpath[w] = 0;
		S->tmin = my_tmin;
		S->tmax = my_tmax;
	}
}

static int by_ring(const void *a, const void *b)
{
	const loop *x = a, *y = b;

	if (x->ring != y->ring)
		return x->ring < y->ring ? -1 : 1;
	if (x->minv != y->minv)
		return x->minv < y->minv ? -1 : 1;
	if (x->closing != y->closing)
		return x->closing < y->closing ? -1 : 1;
	return x->first < y->first ? -1 : x->first > y->first;
}

static int by_id(const void *a, const void *b)
{
	igraph_integer_t x = *(const igraph_integer_t *)a, y = *(const igraph_integer_t *)b;

	return x < y ? -1 : x > y;
}

/* Report the rings found: one finding per ring that is not routine. */
static int report_rings(search *S)
{
	ctx *c = S->c;
	const iffa_flowgraph *g = c->g;
	const iffa_typologies_params *p = c->p;
	igraph_integer_t *mem = NULL, *ev = NULL;
	size_t nm = 0, capm = 0, ne = 0, cape = 0;
	int error = 0;

	if (S->nloops > 1)
		qsort(S->loops, S->nloops, sizeof(*S->loops), by_ring);
	c->st->cycles_found = 0;
	for (size_t i = 0, j; i < S->nloops && !error; i = j) {
		size_t turns = 0;
		int64_t s = ++c->serial, t0 = INT64_MAX, t1 = INT64_MIN;
		double first_amt = 0, last_amt = 0, minret = 1;
		char o[64];
		const loop *L0 = &S->loops[i];

		for (j = i; j < S->nloops && S->loops[j].ring == L0->ring &&
			    S->loops[j].minv == L0->minv;
		     j++)
			if (j == i || S->loops[j].closing != S->loops[j - 1].closing)
				turns++;
		c->st->cycles_found += turns;
		if (p->cycle_time_order && p->cycle_max_repeats > 0 &&
		    turns > (size_t)p->cycle_max_repeats) {
			c->st->cycles_routine += turns;
			continue;
		}
		/* every hop but the origin must be there for this money: the
		 * ring's inflows to it against all it receives */
		{
			double lowest = 1;
			int64_t sh = ++c->serial;
			for (size_t k = i; k < j; k++) {
				const loop *L = &S->loops[k];
				for (int h = 0; h < L->len - 1; h++) {
					igraph_integer_t e = S->loopedges[L->first + h], w = to_of(c, e);
					if (c->stamp[w] != sh) {
						c->stamp[w] = sh;
						c->acc[w] = 0;
					}
					c->acc[w] += g->eamount[e];
				}
			}
			for (int h = 0; h < L0->len - 1; h++) {
				igraph_integer_t w = to_of(c, S->loopedges[L0->first + h]);
				double d = c->in_amt[w] > 0 ? c->acc[w] / c->in_amt[w] : 0;
				if (d < lowest)
					lowest = d;
			}
			if (lowest < p->cycle_min_devotion) {
				c->st->cycles_busy += turns;
				continue;
			}
		}
		nm = ne = 0;
		for (size_t k = i; k < j && !error; k++) {
			const loop *L = &S->loops[k];
			for (int h = 0; h < L->len && !error; h++) {
				igraph_integer_t e = S->loopedges[L->first + h];
				if ((error = add_member(c, &mem, &nm, &capm, from_of(c, e), s)) < 0)
					break;
				error = add_edge(&ev, &ne, &cape, e);
				if (g->efirst[e] < t0)
					t0 = g->efirst[e];
				if (g->elast[e] > t1)
					t1 = g->elast[e];
				if (h > 0) {
					double r = per_flow(g, e) /
						   per_flow(g, S->loopedges[L->first + h - 1]);
					if (r < minret)
						minret = r;
				}
			}
		}
		if (error)
			break;
		/* evidence in hop order of the first loop, then the other loops' new edges */
		{
			size_t len0 = (size_t)L0->len, w = len0;
			qsort(ev + len0, ne - len0, sizeof(*ev), by_id);
			for (size_t k = len0; k < ne; k++) {
				int dup = 0;
				for (size_t q = 0; q < len0; q++)
					dup |= ev[q] == ev[k];
				if (!dup && (w == len0 || ev[w - 1] != ev[k]))
					ev[w++] = ev[k];
			}
			ne = w;
		}
		first_amt = per_flow(g, S->loopedges[L0->first]);
		last_amt = per_flow(g, S->loopedges[L0->first + L0->len - 1]);
		vname(o, sizeof(o), g, from_of(c, S->loopedges[L0->first]));
		error = emit(
			c, "cycle", IFFA_SUBJECT_CLUSTER, -1,
			/* the span of aggregated edges can pass 2 * cycle_window:
			 * the time factor stops at 0, the score stays in (0, 1] */
			fmin(1.0, 0.5 + 0.5 * minret *
						fmax(0.0, 1.0 - (double)(t1 - t0) /
								    (2.0 * (double)p->cycle_window))),
			ev, ne, &mem, &nm, &capm, s,
			"cycle: %.0f XOF left %s and %.0f XOF came back through %d hops "
			"(%zu loop(s) over %.1f days)",
			first_amt, o, last_amt, L0->len, turns,
			(double)(t1 - t0) / (double)IFFA_TYPOLOGIES_DAY);
		if (!error)
			c->st->cycle_rings++;
	}
	free(mem);
	free(ev);
	return error;
}

/*
 * Can edge e be a hop of a cycle: a transfer between two parties, big
 * enough per flow; and on a merged graph, not flows spread over more than
 * the cycle window. Such an edge is a standing trade relationship (a
 * supplier paid every month), not one movement of money: three firms that
 * trade round all year would otherwise close a "cycle" at their mean
 * amounts, with loops the merged times cannot show.
 */
static int cycle_hop(const ctx *c, igraph_integer_t e)
{
	const iffa_flowgraph *g = c->g;
	const iffa_typologies_params *p = c->p;

	if (g->ekind[e] != IFFA_KIND_TRANSFER || per_flow(g, e) < p->cycle_min_amount ||
	    own(c, from_of(c, e), to_of(c, e)))
		return 0;
	return !(g->aggregated && g->eflows[e] > 1 &&
		 g->elast[e] - g->efirst[e] > p->cycle_window);
}

static int find_cycles(ctx *c)
{
	const iffa_flowgraph *g = c->g;
	const iffa_typologies_params *p = c->p;
	const uint32_t *bt = g->by_time;
	search S;
	int error = 0;

	memset(&S, 0, sizeof(S));
	S.c = c;
	S.ostart = calloc((size_t)c->nv + 1, sizeof(*S.ostart));
	S.oedge = malloc((size_t)(c->ne ? c->ne : 1) * sizeof(*S.oedge));
	S.onpath = calloc((size_t)c->nv + 1, 1);
	if (!S.ostart || !S.oedge || !S.onpath) {
		error = iffa_error_set(IFFA_ENOMEM, "typologies: out of memory");
		goto done;
	}
	/* eligible edges: transfers between two parties, big enough; by
	 * source, each list in time order (bt is by first time) */
	for (igraph_integer_t k = 0; k < c->ne; k++) {
		igraph_integer_t e = bt[k];
		if (cycle_hop(c, e))
			S.ostart[from_of(c, e) + 1]++;
	}
	for (igraph_integer_t v = 0; v < c->nv; v++)
		S.ostart[v + 1] += S.ostart[v];
	{
		igraph_integer_t *fill = calloc((size_t)c->nv + 1, sizeof(*fill));
		if (!fill) {
			error = iffa_error_set(IFFA_ENOMEM, "typologies: out of memory");
			goto done;
		}
		for (igraph_integer_t k = 0; k < c->ne; k++) {
			igraph_integer_t e = bt[k], v = from_of(c, e);
			if (cycle_hop(c, e))
				S.oedge[S.ostart[v] + fill[v]++] = e;
		}
		free(fill);
	}
	/* from every vertex, every first hop */
	for (igraph_integer_t v = 0; v < c->nv && !S.stop; v++) {
		for (igraph_integer_t i = S.ostart[v]; i < S.ostart[v + 1] && !S.stop; i++) {
			igraph_integer_t e = S.oedge[i], w = to_of(c, e);
			if (!p->cycle_time_order && w < v)
				continue;
			if (++c->st->steps > p->max_steps) {
				c->st->truncated = 1;
				S.stop = 1;
				break;
			}
			if (!p->cycle_time_order) {
				/* one search per (origin, next vertex): the first edge
				 * stands for its parallels */
				int dup = 0;
				for (igraph_integer_t k = S.ostart[v]; k < i && !dup; k++)
					dup = to_of(c, S.oedge[k]) == w &&
					      fabs(per_flow(g, S.oedge[k]) - per_flow(g, e)) <=
						      1e-9 * per_flow(g, e);
				if (dup)
					continue;
			}
			S.origin = v;
			S.path_v[0] = v;
			S.path_v[1] = w;
			S.path_e[0] = e;
			S.onpath[v] = S.onpath[w] = 1;
			S.t0 = g->efirst[e];
			S.tmin = g->efirst[e];
			S.tmax = g->elast[e];
			dfs(&S, 1, g->efirst[e], per_flow(g, e));
			S.onpath[v] = S.onpath[w] = 0;
		}
	}
	if (S.error) {
		error = iffa_error_set(IFFA_ENOMEM, "typologies: out of memory for cycles");
		goto done;
	}
	error = report_rings(&S);
done:
	free(S.ostart);
	free(S.oedge);
	free(S.onpath);
	free(S.loops);
	free(S.loopedges);
	return error;
}

/* ------------------------------------------------------------------ */
/* The pass                                                            */
/* ------------------------------------------------------------------ */

int iffa_pass_typologies_ex(iffa_findings *out, const iffa_flowgraph *g,
			    const iffa_typologies_params *p, iffa_typologies_stats *stats)
{
	static const iffa_typologies_params defaults = IFFA_TYPOLOGIES_PARAMS_INIT;
	iffa_typologies_stats local;
	igraph_integer_t *near = NULL;
	size_t nnear = 0;
	fans F;
	ctx c;
	int error = 0;

	memset(&F, 0, sizeof(F));
	memset(&c, 0, sizeof(c));
	if (!stats)
		stats = &local;
	memset(stats, 0, sizeof(*stats));
	if (!out || !g || !g->has_graph)
		return iffa_error_set(IFFA_EINVAL, "typologies: no findings list or no graph");
	if (!p)
		p = &defaults;
	if ((error = check_params(p)) < 0)
		return error;
	c.g = g;
	c.p = p;
	c.st = stats;
	c.out = out;
	c.ig = &g->graph;
	c.nv = g->nv;
	c.ne = g->ne;
	c.out_amt = calloc((size_t)c.nv + 1, sizeof(double));
	c.in_amt = calloc((size_t)c.nv + 1, sizeof(double));
	c.acc = calloc((size_t)c.nv + 1, sizeof(double));
	c.cnt = calloc((size_t)c.nv + 1, sizeof(int32_t));
	c.stamp = calloc((size_t)c.nv + 1, sizeof(int64_t));
	c.mark = calloc((size_t)c.nv + 1, sizeof(int64_t));
	near = malloc((size_t)(c.ne ? c.ne : 1) * sizeof(*near));
	if (!c.out_amt || !c.in_amt || !c.acc || !c.cnt || !c.stamp || !c.mark || !near) {
		error = iffa_error_set(IFFA_ENOMEM, "typologies: out of memory");
		goto done;
	}
	for (igraph_integer_t e = 0; e < c.ne; e++) {
		igraph_integer_t a = from_of(&c, e), b = to_of(&c, e);
		if (g->ekind[e] != IFFA_KIND_TRANSFER || own(&c, a, b))
			continue;
		c.out_amt[a] += g->eamount[e];
		c.in_amt[b] += g->eamount[e];
		if (near_threshold(&c, e))
			near[nnear++] = e;
	}
	stats->near_flows = nnear;
	if (p->owner_accounts && (error = owners_index(&c)) < 0)
		goto done;
	if ((error = find_fans(&c, &F, near, nnear, 0)) < 0 ||
	    (error = find_fans(&c, &F, near, nnear, 1)) < 0)
		goto done;
	for (size_t i = 0; i < F.n && !error; i++)
		error = report_fan(&c, &F, &F.f[i]);
	if (error || (error = combine_fans(&c, &F)) < 0)
		goto done;
	error = find_cycles(&c);
done:
	free(c.out_amt);
	free(c.in_amt);
	free(c.acc);
	free(c.cnt);
	free(c.stamp);
	free(c.mark);
	free(c.by_owner);
	free(near);
	free(F.f);
	free(F.mem);
	free(F.ev);
	return error;
}

int iffa_pass_typologies(iffa_findings *out, const iffa_flowgraph *g,
			 const iffa_typologies_params *p)
{
	return iffa_pass_typologies_ex(out, g, p, NULL);
}
