/*
 * The walk index's window sums: a holder's inflow over a time window
 * (transfers and records summed apart, the larger returned) and the
 * known source money on it, against sums taken edge by edge. Records
 * reach two holders only and known money a few edges, so the sums kept
 * for the holders with some are used; known money on every edge makes
 * them kept for all. Amounts are whole XOF, so the sums are exact.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "passes/walk.h"
#include "build.h"

#define NV 60

static iffa_flowgraph *mixed_graph(void)
{
	iffa_flowgraph *g = build_new(NV, IFFA_ACCOUNT_BANK, 1);
	static int64_t record = 1000;

	srand(31);
	for (int i = 0; i < 3000; i++) {
		int from = rand() % NV, to = rand() % NV;
		double day = (rand() % 4000) / 100.0;
		/* records (levies) only into holders 7 and 8 */
		if (i % 10 == 0)
			cr_assert_eq(iffa_flowgraph__add_flow(g, from, 7 + i % 2, 1 + rand() % 900,
							      at_day(day), IFFA_CHANNEL_NONE,
							      IFFA_KIND_LEVY, record++),
				     0);
		else
			build_flow(g, from, to, 1 + rand() % 5000, day, IFFA_CHANNEL_BANK);
	}
	build_finish(g);
	return g;
}

/* The inflow of holder h over [a, b] summed edge by edge (forward: keys are first times). */
static double brute(const iffa_flowgraph *g, const iffa_walk *w, const double *known,
		    igraph_integer_t h, int64_t a, int64_t b)
{
	const igraph_t *ig = iffa_flowgraph_igraph(g);
	double tr = 0, rc = 0;

	for (igraph_integer_t e = 0; e < iffa_flowgraph_edge_count(g); e++) {
		int64_t t = iffa_flowgraph_edge_first(g, e);
		double x = iffa_flowgraph_edge_amount(g, e);
		if (!iffa_walk__edge_usable(w, e) || iffa_walk__holder(w, IGRAPH_TO(ig, e)) != h ||
		    t < a || t > b)
			continue;
		if (known)
			x = known[e] < x ? known[e] : x;
		if (iffa_flowgraph_edge_kind(g, e) == IFFA_KIND_TRANSFER)
			tr += x;
		else
			rc += x;
	}
	return tr > rc ? tr : rc;
}

static void check_windows(const iffa_flowgraph *g, const iffa_walk *w, const double *known)
{
	srand(77);
	for (int k = 0; k < 4000; k++) {
		igraph_integer_t h = iffa_walk__holder(w, rand() % NV);
		int64_t a = at_day((rand() % 4400) / 100.0 - 2), b = a + (rand() % 20) * DAY_US / 2;
		double got = known ? iffa_walk__known_inflow(w, h, a, b) : iffa_walk__inflow(w, h, a, b);
		cr_assert_eq(got, brute(g, w, known, h, a, b), "holder %lld, window %d", (long long)h, k);
	}
	/* whole lists: the records' holders answer with their levies */
	for (igraph_integer_t v = 7; v <= 8; v++) {
		igraph_integer_t h = iffa_walk__holder(w, v);
		double got = known ? iffa_walk__known_inflow(w, h, INT64_MIN / 2, INT64_MAX / 2)
				   : iffa_walk__inflow(w, h, INT64_MIN / 2, INT64_MAX / 2);
		cr_assert_eq(got, brute(g, w, known, h, INT64_MIN / 2, INT64_MAX / 2));
		if (!known || v == 7)
			cr_assert_gt(got, 0, "holder of vertex %lld", (long long)v);
	}
}

Test(passes_walk, window_sums_match_edge_by_edge_sums)
{
	iffa_flowgraph *g = mixed_graph();
	size_t ne = (size_t)iffa_flowgraph_edge_count(g);
	double *known = calloc(ne, sizeof(*known));
	iffa_walk *w;
	int levies = 0;

	for (size_t e = 0; e < ne; e++)
		levies += iffa_flowgraph_edge_kind(g, (igraph_integer_t)e) == IFFA_KIND_LEVY;
	cr_assert_gt(levies, 100);
	cr_assert_eq(iffa_walk__new(&w, g, IFFA_WALK_FORWARD, 1), 0, "%s", iffa_error_last());
	check_windows(g, w, NULL);
	/* nothing known yet */
	cr_assert_eq(iffa_walk__known_inflow(w, 7, INT64_MIN / 2, INT64_MAX / 2), 0);

	/* known money on a few edges: one levy and two transfers */
	for (size_t e = 0, put = 0; e < ne && put < 3; e++) {
		igraph_integer_t v = IGRAPH_TO(iffa_flowgraph_igraph(g), (igraph_integer_t)e);
		if ((v == 7 && iffa_flowgraph_edge_kind(g, (igraph_integer_t)e) == IFFA_KIND_LEVY &&
		     put == 0) ||
		    (v == 20 + (igraph_integer_t)put && put > 0 &&
		     iffa_flowgraph_edge_kind(g, (igraph_integer_t)e) == IFFA_KIND_TRANSFER)) {
			known[e] = 100 + 3 * (double)put;
			put++;
		}
	}
	cr_assert_eq(iffa_walk__set_known(w, known), 0);
	check_windows(g, w, known);

	/* known money on every edge, some of it above the edge's amount (capped) */
	for (size_t e = 0; e < ne; e++)
		known[e] = (double)(1 + (e * 37) % 6000);
	cr_assert_eq(iffa_walk__set_known(w, known), 0);
	check_windows(g, w, known);

	/* forgotten */
	cr_assert_eq(iffa_walk__set_known(w, NULL), 0);
	cr_assert_eq(iffa_walk__known_inflow(w, 7, INT64_MIN / 2, INT64_MAX / 2), 0);
	iffa_walk__free(w);
	free(known);
	iffa_flowgraph_free(g);
}

/* Edge e's earliest time key in a mode: its first time, or its last time negated backwards. */
static int64_t key_of(const iffa_flowgraph *g, iffa_walk_mode mode, igraph_integer_t e)
{
	return mode == IFFA_WALK_BACKWARD ? -iffa_flowgraph_edge_last(g, e)
					  : iffa_flowgraph_edge_first(g, e);
}

static const iffa_flowgraph *cmp_graph;
static iffa_walk_mode cmp_mode;

static int by_key_then_edge(const void *a, const void *b)
{
	igraph_integer_t x = *(const igraph_integer_t *)a, y = *(const igraph_integer_t *)b;
	int64_t kx = key_of(cmp_graph, cmp_mode, x), ky = key_of(cmp_graph, cmp_mode, y);

	if (kx != ky)
		return kx < ky ? -1 : 1;
	return x < y ? -1 : x > y;
}

/*
 * Every holder's out and in lists, in every mode, are its usable edges in
 * time order (reverse time order backwards, where merged edges' last times
 * put some out of order: such a list is sorted by key, then edge), as
 * built edge by edge here from the time index.
 */
Test(passes_walk, flow_lists_hold_each_holders_edges_in_time_order)
{
	iffa_flowgraph *g = build_new(NV, IFFA_ACCOUNT_BANK, 0);
	const iffa_walk_mode modes[] = {IFFA_WALK_FORWARD, IFFA_WALK_BACKWARD, IFFA_WALK_GOLD};
	igraph_integer_t *want;
	size_t ne;

	srand(5);
	/* merged edges with spans, ties in first times, some gold */
	for (int i = 0; i < 4000; i++) {
		int from = rand() % NV, to = rand() % 12;
		double day = (rand() % 300) / 10.0;
		if (i % 7 == 0)
			cr_assert_eq(iffa_flowgraph__add_flow(g, from, to, 1 + rand() % 900, at_day(day),
							      IFFA_CHANNEL_NONE, IFFA_KIND_GOLD, 50000 + i),
				     0);
		else
			build_flow(g, from, to, 1 + rand() % 5000, day, (iffa_channel)(rand() % 2));
	}
	build_finish(g);
	ne = (size_t)iffa_flowgraph_edge_count(g);
	want = malloc(ne * sizeof(*want));
	for (int m = 0; m < 3; m++) {
		iffa_walk *w;
		int sorted_some = 0;

		cr_assert_eq(iffa_walk__new(&w, g, modes[m], m == 0), 0, "%s", iffa_error_last());
		for (igraph_integer_t h = 0; h < iffa_walk__holder_count(w); h++) {
			for (int out = 0; out < 2; out++) {
				const uint32_t *bt = iffa_flowgraph_edges_by_time(g);
				size_t n = 0, p0, p1;
				int in_order = 1;

				for (size_t i = 0; i < ne; i++) {
					igraph_integer_t e = bt[modes[m] == IFFA_WALK_BACKWARD ? ne - 1 - i : i];
					igraph_integer_t v = out ? iffa_walk__from_vertex(w, e)
								 : iffa_walk__to_vertex(w, e);
					if (iffa_walk__edge_usable(w, e) && iffa_walk__holder(w, v) == h)
						want[n++] = e;
				}
				for (size_t k = 1; k < n; k++)
					in_order &= key_of(g, modes[m], want[k - 1]) <=
						    key_of(g, modes[m], want[k]);
				if (!in_order) {
					cmp_graph = g;
					cmp_mode = modes[m];
					qsort(want, n, sizeof(*want), by_key_then_edge);
					sorted_some = 1;
				}
				iffa_walk__range(w, out, h, INT64_MIN / 2, INT64_MAX / 2, &p0, &p1);
				cr_assert_eq(p1 - p0, n, "mode %d holder %lld out %d", m, (long long)h, out);
				for (size_t k = 0; k < n; k++)
					cr_assert_eq(iffa_walk__at(w, out, p0 + k), want[k],
						     "mode %d holder %lld out %d position %zu", m,
						     (long long)h, out, k);
			}
		}
		if (modes[m] == IFFA_WALK_BACKWARD)
			cr_assert(sorted_some, "the case of lists sorted again is there");
		iffa_walk__free(w);
	}
	free(want);
	iffa_flowgraph_free(g);
}
