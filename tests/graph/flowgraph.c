/*
 * The flow graph built by hand: merged and parallel flows, the
 * time-ordered index, the key map and the vertex attributes.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "graph/flowgraph.h"

static void setup(void)
{
	iffa_init();
}

TestSuite(graph_flowgraph, .init = setup);

/*
 * Accounts 10 (ML), 11 (SN) owned by party 5 (armed group, designated),
 * account 12 (BF) without owner, party 6 (village, no account).
 */
static iffa_flowgraph *three_accounts(int aggregate)
{
	iffa_flowgraph *g;
	const iffa_flowgraph__vertex v[] = {
		{IFFA_KEY_ACCOUNT(10), IFFA_ACCOUNT_BANK, "ML", 5,
		 IFFA_VERTEX_ARMED_GROUP | IFFA_VERTEX_DESIGNATED},
		{IFFA_KEY_ACCOUNT(11), IFFA_ACCOUNT_HAWALA, "SN", 5,
		 IFFA_VERTEX_ARMED_GROUP | IFFA_VERTEX_DESIGNATED},
		{IFFA_KEY_ACCOUNT(12), IFFA_ACCOUNT_CASH, "BF", -1, 0},
		{IFFA_KEY_PARTY(6), IFFA_PARTY_VILLAGE, NULL, 6, IFFA_VERTEX_AFFECTED_ZONE},
	};

	cr_assert_eq(iffa_flowgraph__new(&g, IFFA_LEVEL_ACCOUNT, aggregate), 0);
	for (int i = 0; i < 4; i++) {
		igraph_integer_t id;
		cr_assert_eq(iffa_flowgraph__add_vertex(&id, g, &v[i]), 0, "%s", iffa_error_last());
		cr_assert_eq(id, i);
	}
	cr_assert_eq(iffa_flowgraph__alias(g, IFFA_KEY_PARTY(5), IFFA_KEY_ACCOUNT(10)), 0);
	return g;
}

/* Six flows; vertex ids 0 = acc 10, 1 = acc 11, 2 = acc 12, 3 = party 6. */
static void six_flows(iffa_flowgraph *g)
{
	cr_assert_eq(iffa_flowgraph__add_flow(g, 0, 1, 100, 10, IFFA_CHANNEL_BANK, IFFA_KIND_TRANSFER, 1), 0);
	cr_assert_eq(iffa_flowgraph__add_flow(g, 1, 2, 7, 1, IFFA_CHANNEL_CASH, IFFA_KIND_TRANSFER, 2), 0);
	cr_assert_eq(iffa_flowgraph__add_flow(g, 0, 1, 50, 5, IFFA_CHANNEL_BANK, IFFA_KIND_TRANSFER, 3), 0);
	cr_assert_eq(iffa_flowgraph__add_flow(g, 0, 1, 30, 20, IFFA_CHANNEL_HAWALA, IFFA_KIND_TRANSFER, 4), 0);
	cr_assert_eq(iffa_flowgraph__add_flow(g, 3, 0, 1000, 7, IFFA_CHANNEL_NONE, IFFA_KIND_LEVY, 9), 0);
	cr_assert_eq(iffa_flowgraph__add_flow(g, 0, 1, 25, 12, IFFA_CHANNEL_BANK, IFFA_KIND_TRANSFER, 5), 0);
}

static void check_edge(const iffa_flowgraph *g, igraph_integer_t e, igraph_integer_t from,
		       igraph_integer_t to, double amount, int64_t flows, int64_t first,
		       int64_t last, iffa_channel ch, iffa_record_kind kind, int64_t record)
{
	igraph_integer_t f, t;

	cr_assert_eq(igraph_edge(iffa_flowgraph_igraph(g), e, &f, &t), IGRAPH_SUCCESS);
	cr_assert_eq(f, from, "edge %lld from %lld", (long long)e, (long long)f);
	cr_assert_eq(t, to, "edge %lld to %lld", (long long)e, (long long)t);
	cr_assert_float_eq(iffa_flowgraph_edge_amount(g, e), amount, 1e-9, "edge %lld", (long long)e);
	cr_assert_eq(iffa_flowgraph_edge_flows(g, e), flows, "edge %lld", (long long)e);
	cr_assert_eq(iffa_flowgraph_edge_first(g, e), first, "edge %lld", (long long)e);
	cr_assert_eq(iffa_flowgraph_edge_last(g, e), last, "edge %lld", (long long)e);
	cr_assert_eq(iffa_flowgraph_edge_channel(g, e), ch, "edge %lld", (long long)e);
	cr_assert_eq(iffa_flowgraph_edge_kind(g, e), kind, "edge %lld", (long long)e);
	cr_assert_eq(iffa_flowgraph_edge_record(g, e), record, "edge %lld", (long long)e);
}

Test(graph_flowgraph, merged_flows_sum_amounts_count_flows_and_widen_times)
{
	iffa_flowgraph *g = three_accounts(1);
	const uint32_t *order;

	six_flows(g);
	cr_assert_eq(iffa_flowgraph__finish(g), 0, "%s", iffa_error_last());
	cr_assert_eq(iffa_flowgraph_edge_count(g), 4);
	cr_assert_eq(igraph_ecount(iffa_flowgraph_igraph(g)), 4);
	cr_assert_eq(igraph_vcount(iffa_flowgraph_igraph(g)), 4);
	cr_assert(igraph_is_directed(iffa_flowgraph_igraph(g)));
	cr_assert(iffa_flowgraph_aggregated(g));
	/* Edge ids follow (source, target, channel, kind). */
	/* 0->1 bank: 100 @10, 50 @5, 25 @12. */
	check_edge(g, 0, 0, 1, 175, 3, 5, 12, IFFA_CHANNEL_BANK, IFFA_KIND_TRANSFER, -1);
	/* Same endpoints, other channel: an edge of its own. */
	check_edge(g, 1, 0, 1, 30, 1, 20, 20, IFFA_CHANNEL_HAWALA, IFFA_KIND_TRANSFER, 4);
	check_edge(g, 2, 1, 2, 7, 1, 1, 1, IFFA_CHANNEL_CASH, IFFA_KIND_TRANSFER, 2);
	check_edge(g, 3, 3, 0, 1000, 1, 7, 7, IFFA_CHANNEL_NONE, IFFA_KIND_LEVY, 9);
	/* First times 5, 20, 1, 7. */
	order = iffa_flowgraph_edges_by_time(g);
	cr_assert_eq(order[0], 2);
	cr_assert_eq(order[1], 0);
	cr_assert_eq(order[2], 3);
	cr_assert_eq(order[3], 1);
	iffa_flowgraph_free(g);
}

Test(graph_flowgraph, parallel_flows_kept_apart_keep_their_records)
{
	iffa_flowgraph *g = three_accounts(0);
	const uint32_t *order;
	/* Ids by (source, target, channel, kind), ties in the order added: the
	 * 0->1 bank flows, the 0->1 hawala flow, 1->2, 3->0; times 10, 5, 12, 20, 1, 7. */
	static const igraph_integer_t expected[] = {4, 1, 5, 0, 2, 3};

	six_flows(g);
	cr_assert_eq(iffa_flowgraph__finish(g), 0, "%s", iffa_error_last());
	cr_assert_eq(iffa_flowgraph_edge_count(g), 6);
	cr_assert(!iffa_flowgraph_aggregated(g));
	check_edge(g, 0, 0, 1, 100, 1, 10, 10, IFFA_CHANNEL_BANK, IFFA_KIND_TRANSFER, 1);
	check_edge(g, 1, 0, 1, 50, 1, 5, 5, IFFA_CHANNEL_BANK, IFFA_KIND_TRANSFER, 3);
	check_edge(g, 2, 0, 1, 25, 1, 12, 12, IFFA_CHANNEL_BANK, IFFA_KIND_TRANSFER, 5);
	check_edge(g, 3, 0, 1, 30, 1, 20, 20, IFFA_CHANNEL_HAWALA, IFFA_KIND_TRANSFER, 4);
	check_edge(g, 4, 1, 2, 7, 1, 1, 1, IFFA_CHANNEL_CASH, IFFA_KIND_TRANSFER, 2);
	check_edge(g, 5, 3, 0, 1000, 1, 7, 7, IFFA_CHANNEL_NONE, IFFA_KIND_LEVY, 9);
	order = iffa_flowgraph_edges_by_time(g);
	for (int i = 0; i < 6; i++)
		cr_assert_eq(order[i], expected[i], "position %d: %lld", i, (long long)order[i]);
	iffa_flowgraph_free(g);
}

Test(graph_flowgraph, key_map_finds_own_keys_and_aliases)
{
	iffa_flowgraph *g = three_accounts(1);
	igraph_integer_t v = -1;

	cr_assert_eq(iffa_flowgraph__finish(g), 0);
	cr_assert_eq(iffa_flowgraph_find_vertex(&v, g, IFFA_KEY_ACCOUNT(11)), 0);
	cr_assert_eq(v, 1);
	cr_assert_eq(iffa_flowgraph_find_vertex(&v, g, IFFA_KEY_PARTY(6)), 0);
	cr_assert_eq(v, 3);
	/* Party 5 stands on its primary account 10. */
	cr_assert_eq(iffa_flowgraph_find_vertex(&v, g, IFFA_KEY_PARTY(5)), 0);
	cr_assert_eq(v, 0);
	cr_assert_eq(iffa_flowgraph_find_vertex(&v, g, IFFA_KEY_ACCOUNT(6)), IFFA_ENOTFOUND);
	cr_assert_str_eq(iffa_error_last(), "no account 6 in the flow graph");
	cr_assert_eq(iffa_flowgraph_find_vertex(&v, g, IFFA_KEY_PARTY(10)), IFFA_ENOTFOUND);
	iffa_flowgraph_free(g);
}

Test(graph_flowgraph, vertex_attributes_come_back)
{
	iffa_flowgraph *g = three_accounts(1);

	cr_assert_eq(iffa_flowgraph__finish(g), 0);
	cr_assert_eq(iffa_flowgraph_vertex_count(g), 4);
	cr_assert_eq(iffa_flowgraph_level(g), IFFA_LEVEL_ACCOUNT);
	cr_assert_eq(iffa_flowgraph_vertex_key(g, 1), 22);
	cr_assert_eq(iffa_flowgraph_vertex_db_id(g, 1), 11);
	cr_assert_eq(iffa_flowgraph_vertex_is_party(g, 1), 0);
	cr_assert_eq(iffa_flowgraph_vertex_kind(g, 1), IFFA_ACCOUNT_HAWALA);
	cr_assert_str_eq(iffa_flowgraph_vertex_country(g, 1), "SN");
	cr_assert_eq(iffa_flowgraph_vertex_party(g, 1), 5);
	cr_assert_eq(iffa_flowgraph_vertex_flags(g, 1), IFFA_VERTEX_ARMED_GROUP | IFFA_VERTEX_DESIGNATED);
	cr_assert_eq(iffa_flowgraph_vertex_party(g, 2), -1);
	cr_assert_eq(iffa_flowgraph_vertex_key(g, 3), 13);
	cr_assert_eq(iffa_flowgraph_vertex_is_party(g, 3), 1);
	cr_assert_eq(iffa_flowgraph_vertex_db_id(g, 3), 6);
	cr_assert_eq(iffa_flowgraph_vertex_kind(g, 3), IFFA_PARTY_VILLAGE);
	cr_assert_str_eq(iffa_flowgraph_vertex_country(g, 3), "");
	cr_assert_eq(iffa_flowgraph_vertex_flags(g, 3), IFFA_VERTEX_AFFECTED_ZONE);
	iffa_flowgraph_free(g);
}

Test(graph_flowgraph, builder_refuses_bad_vertices_and_flows)
{
	iffa_flowgraph *g = three_accounts(1);
	iffa_flowgraph__vertex dup = {IFFA_KEY_ACCOUNT(11), IFFA_ACCOUNT_BANK, "ML", -1, 0};
	iffa_flowgraph__vertex lower = {IFFA_KEY_ACCOUNT(20), IFFA_ACCOUNT_BANK, "ml", -1, 0};
	iffa_flowgraph__vertex kind = {IFFA_KEY_PARTY(20), IFFA_PARTY_KIND_COUNT, "ML", 20, 0};

	cr_assert_eq(iffa_flowgraph__add_vertex(NULL, g, &dup), IFFA_EINVAL);
	cr_assert_str_eq(iffa_error_last(), "account 11 is in the graph twice");
	cr_assert_eq(iffa_flowgraph__add_vertex(NULL, g, &lower), IFFA_EINVAL);
	cr_assert_str_eq(iffa_error_last(), "account 20: country 'ml' is not two capital letters");
	cr_assert_eq(iffa_flowgraph__add_vertex(NULL, g, &kind), IFFA_EINVAL);
	cr_assert_str_eq(iffa_error_last(), "party 20: kind code 10 out of range");
	cr_assert_eq(iffa_flowgraph__alias(g, IFFA_KEY_PARTY(7), IFFA_KEY_ACCOUNT(99)), IFFA_ENOTFOUND);
	cr_assert_eq(iffa_flowgraph__alias(g, IFFA_KEY_PARTY(5), IFFA_KEY_ACCOUNT(11)), IFFA_EINVAL);
	cr_assert_eq(iffa_flowgraph__add_flow(g, 0, 4, 1, 0, IFFA_CHANNEL_BANK, IFFA_KIND_TRANSFER, 1),
		     IFFA_EINVAL);
	cr_assert_str_eq(iffa_error_last(), "flow 0 -> 4: vertex out of range (4 vertices)");
	cr_assert_eq(iffa_flowgraph__add_flow(g, 0, 1, 1, 0, IFFA_CHANNEL_COUNT, IFFA_KIND_TRANSFER, 1),
		     IFFA_EINVAL);
	/* Nothing half-added: the graph still builds with four vertices and no edges. */
	cr_assert_eq(iffa_flowgraph__finish(g), 0);
	cr_assert_eq(iffa_flowgraph_vertex_count(g), 4);
	cr_assert_eq(iffa_flowgraph_edge_count(g), 0);
	iffa_flowgraph_free(g);
}

Test(graph_flowgraph, many_edges_order_by_endpoints_and_index_by_time)
{
	iffa_flowgraph *g;
	const uint32_t *order;
	const int n = 20000;
	iffa_flowgraph__vertex v = {0, IFFA_ACCOUNT_BANK, "ML", -1, 0};

	cr_assert_eq(iffa_flowgraph__new(&g, IFFA_LEVEL_ACCOUNT, 0), 0);
	for (int i = 0; i < 50; i++) {
		v.key = IFFA_KEY_ACCOUNT(i + 1);
		cr_assert_eq(iffa_flowgraph__add_vertex(NULL, g, &v), 0);
	}
	srand(7);
	for (int i = 0; i < n; i++) {
		/* Times from 1900 to 2100 in µs, a few hundred distinct values so ties occur. */
		int64_t t = ((int64_t)(rand() % 400) - 200) * INT64_C(31557600000000);
		cr_assert_eq(iffa_flowgraph__add_flow(g, rand() % 50, rand() % 50, 1, t,
						      IFFA_CHANNEL_BANK, IFFA_KIND_TRANSFER, i), 0);
	}
	cr_assert_eq(iffa_flowgraph__finish(g), 0);
	for (igraph_integer_t e = 1; e < n; e++) {
		const igraph_t *ig = iffa_flowgraph_igraph(g);
		igraph_integer_t f0 = IGRAPH_FROM(ig, e - 1), t0 = IGRAPH_TO(ig, e - 1);
		igraph_integer_t f1 = IGRAPH_FROM(ig, e), t1 = IGRAPH_TO(ig, e);
		cr_assert(f0 < f1 || (f0 == f1 && t0 < t1) ||
			  (f0 == f1 && t0 == t1 && iffa_flowgraph_edge_record(g, e - 1) <
						       iffa_flowgraph_edge_record(g, e)),
			  "edges %lld, %lld out of (source, target, order added)", (long long)e - 1,
			  (long long)e);
	}
	order = iffa_flowgraph_edges_by_time(g);
	for (int i = 1; i < n; i++) {
		int64_t a = iffa_flowgraph_edge_first(g, order[i - 1]);
		int64_t b = iffa_flowgraph_edge_first(g, order[i]);
		cr_assert(a < b || (a == b && order[i - 1] < order[i]), "positions %d, %d out of order",
			  i - 1, i);
	}
	iffa_flowgraph_free(g);
}

Test(graph_flowgraph, an_empty_graph_builds)
{
	iffa_flowgraph *g;

	cr_assert_eq(iffa_flowgraph__new(&g, IFFA_LEVEL_PARTY, 1), 0);
	cr_assert_eq(iffa_flowgraph__finish(g), 0);
	cr_assert_eq(iffa_flowgraph_vertex_count(g), 0);
	cr_assert_eq(iffa_flowgraph_edge_count(g), 0);
	cr_assert_not_null(iffa_flowgraph_edges_by_time(g));
	cr_assert_eq(iffa_flowgraph_level(g), IFFA_LEVEL_PARTY);
	iffa_flowgraph_free(g);
	iffa_flowgraph_free(NULL);
}

Test(graph_flowgraph, names_parse_back)
{
	for (int c = 0; c < IFFA_CHANNEL_COUNT; c++) {
		iffa_channel back;
		const char *name = iffa_channel_name((iffa_channel)c);
		cr_assert_eq(iffa_channel_parse(&back, name, strlen(name)), 0);
		cr_assert_eq((int)back, c);
	}
	for (int k = 0; k < IFFA_KIND_COUNT; k++) {
		iffa_record_kind back;
		const char *name = iffa_record_kind_name((iffa_record_kind)k);
		cr_assert_eq(iffa_record_kind_parse(&back, name, strlen(name)), 0);
		cr_assert_eq((int)back, k);
	}
	{
		iffa_channel c;
		cr_assert_eq(iffa_channel_parse(&c, "banks", 5), IFFA_EINVAL);
		cr_assert(strstr(iffa_error_last(), "unknown channel 'banks'") != NULL);
		cr_assert_eq(iffa_channel_parse(&c, "bank", 3), IFFA_EINVAL);
	}
	for (int k = 0; k < IFFA_PARTY_KIND_COUNT; k++) {
		iffa_party_kind back;
		const char *name = iffa_party_kind_name((iffa_party_kind)k);
		cr_assert_eq(iffa_party_kind_parse(&back, name, strlen(name)), 0);
		cr_assert_eq((int)back, k);
	}
	for (int k = 0; k < IFFA_ACCOUNT_KIND_COUNT; k++) {
		iffa_account_kind back;
		const char *name = iffa_account_kind_name((iffa_account_kind)k);
		cr_assert_eq(iffa_account_kind_parse(&back, name, strlen(name)), 0);
		cr_assert_eq((int)back, k);
	}
	{
		iffa_party_kind k;
		cr_assert_eq(iffa_party_kind_parse(&k, "bank", 4), IFFA_EINVAL);
		cr_assert_str_eq(iffa_error_last(), "unknown party kind 'bank'");
	}
	cr_assert_str_eq(iffa_party_kind_name(IFFA_PARTY_COMPTOIR), "comptoir");
	cr_assert_str_eq(iffa_account_kind_name(IFFA_ACCOUNT_CRYPTO), "crypto");
	cr_assert_null(iffa_channel_name(IFFA_CHANNEL_COUNT));
}

Test(graph_flowgraph, many_repeats_are_compacted_while_adding)
{
	iffa_flowgraph *g;
	iffa_flowgraph__vertex v = {0, IFFA_ACCOUNT_BANK, "ML", -1, 0};
	double sum[3] = {0, 0, 0};

	cr_assert_eq(iffa_flowgraph__new(&g, IFFA_LEVEL_ACCOUNT, 1), 0);
	g->compact_min = 16;
	for (int i = 0; i < 3; i++) {
		v.key = IFFA_KEY_ACCOUNT(i + 1);
		cr_assert_eq(iffa_flowgraph__add_vertex(NULL, g, &v), 0);
	}
	/* 100,000 flows over three (source, target) pairs, times going down and up. */
	for (int i = 0; i < 100000; i++) {
		int pair = i % 3;
		int64_t t = (i % 2 ? 1 : -1) * (int64_t)i;
		cr_assert_eq(iffa_flowgraph__add_flow(g, pair, (pair + 1) % 3, i % 7, t,
						      IFFA_CHANNEL_HAWALA, IFFA_KIND_TRANSFER, i), 0);
		sum[pair] += i % 7;
	}
	/* Merged on the way: never more than a few thousand flows held. */
	cr_assert_gt(g->compacted, 0);
	cr_assert_lt(g->necap, 4096);
	cr_assert_eq(iffa_flowgraph__finish(g), 0);
	cr_assert_eq(iffa_flowgraph_edge_count(g), 3);
	for (igraph_integer_t e = 0; e < 3; e++) {
		cr_assert_float_eq(iffa_flowgraph_edge_amount(g, e), sum[e], 1e-9);
		cr_assert_eq(iffa_flowgraph_edge_record(g, e), -1);
		cr_assert_eq(IGRAPH_FROM(iffa_flowgraph_igraph(g), e), e);
	}
	/* Pair 0 has i = 0, 3, ..., 99999: counts 33,334; first -99,996 (i even), last 99,999. */
	cr_assert_eq(iffa_flowgraph_edge_flows(g, 0), 33334);
	cr_assert_eq(iffa_flowgraph_edge_first(g, 0), -99996);
	cr_assert_eq(iffa_flowgraph_edge_last(g, 0), 99999);
	iffa_flowgraph_free(g);
}

/*
 * The reversed view answers as a reversed copy of the graph does: ends,
 * incident edges in order, and a weighted personalised PageRank to the
 * last bit, on a random multigraph with loops; and a vertex's out-edges
 * are the run of ids igraph_incident() gives.
 */
Test(graph_flowgraph, reversed_view_answers_as_a_reversed_copy)
{
	iffa_flowgraph *g;
	igraph_t view, copy;
	igraph_vector_int_t a, b;
	igraph_vector_t reset, weights, ra, rb;
	igraph_real_t va, vb;
	iffa_flowgraph__vertex v = {0, IFFA_ACCOUNT_BANK, "ML", -1, 0};
	const int nv = 300, ne = 5000;

	cr_assert_eq(iffa_flowgraph__new(&g, IFFA_LEVEL_ACCOUNT, 0), 0);
	for (int i = 0; i < nv; i++) {
		v.key = IFFA_KEY_ACCOUNT(i + 1);
		cr_assert_eq(iffa_flowgraph__add_vertex(NULL, g, &v), 0);
	}
	srand(11);
	for (int i = 0; i < ne; i++)
		cr_assert_eq(iffa_flowgraph__add_flow(g, rand() % nv, rand() % (nv / 2), 1 + rand() % 1000,
						      i, IFFA_CHANNEL_BANK, IFFA_KIND_TRANSFER, i), 0);
	cr_assert_eq(iffa_flowgraph__finish(g), 0);
	cr_assert_eq(igraph_copy(&copy, iffa_flowgraph_igraph(g)), IGRAPH_SUCCESS);
	cr_assert_eq(igraph_reverse_edges(&copy, igraph_ess_all(IGRAPH_EDGEORDER_ID)), IGRAPH_SUCCESS);
	iffa_flowgraph__reversed_view(&view, g);

	cr_assert_eq(igraph_vcount(&view), nv);
	cr_assert_eq(igraph_ecount(&view), ne);
	for (igraph_integer_t e = 0; e < ne; e++) {
		cr_assert_eq(IGRAPH_FROM(&view, e), IGRAPH_FROM(&copy, e), "edge %lld", (long long)e);
		cr_assert_eq(IGRAPH_TO(&view, e), IGRAPH_TO(&copy, e), "edge %lld", (long long)e);
		cr_assert_eq(IGRAPH_FROM(&view, e), IGRAPH_TO(iffa_flowgraph_igraph(g), e));
	}
	cr_assert_eq(igraph_vector_int_init(&a, 0), IGRAPH_SUCCESS);
	cr_assert_eq(igraph_vector_int_init(&b, 0), IGRAPH_SUCCESS);
	/* the out- and in-edges as runs of ids, as igraph gives them */
	for (igraph_integer_t u = 0; u < nv; u++) {
		igraph_integer_t n;
		const igraph_integer_t *out = iffa_flowgraph__out_edges(g, u, &n);
		cr_assert_eq(igraph_incident(iffa_flowgraph_igraph(g), &b, u, IGRAPH_OUT), IGRAPH_SUCCESS);
		cr_assert_eq(n, igraph_vector_int_size(&b), "vertex %lld", (long long)u);
		cr_assert_arr_eq(out, VECTOR(b), (size_t)n * sizeof(*out), "vertex %lld", (long long)u);
		out = iffa_flowgraph__in_edges(g, u, &n);
		cr_assert_eq(igraph_incident(iffa_flowgraph_igraph(g), &b, u, IGRAPH_IN), IGRAPH_SUCCESS);
		cr_assert_eq(n, igraph_vector_int_size(&b), "vertex %lld", (long long)u);
		cr_assert_arr_eq(out, VECTOR(b), (size_t)n * sizeof(*out), "vertex %lld in", (long long)u);
	}
	for (igraph_integer_t u = 0; u < nv; u++)
		for (int m = 0; m < 2; m++) {
			igraph_neimode_t mode = m ? IGRAPH_OUT : IGRAPH_IN;
			cr_assert_eq(igraph_incident(&view, &a, u, mode), IGRAPH_SUCCESS);
			cr_assert_eq(igraph_incident(&copy, &b, u, mode), IGRAPH_SUCCESS);
			cr_assert(igraph_vector_int_all_e(&a, &b), "vertex %lld mode %d", (long long)u, m);
		}
	cr_assert_eq(igraph_vector_init(&reset, nv), IGRAPH_SUCCESS);
	cr_assert_eq(igraph_vector_init(&weights, ne), IGRAPH_SUCCESS);
	cr_assert_eq(igraph_vector_init(&ra, 0), IGRAPH_SUCCESS);
	cr_assert_eq(igraph_vector_init(&rb, 0), IGRAPH_SUCCESS);
	for (int i = 0; i < 5; i++)
		VECTOR(reset)[i * 7] = 1;
	for (igraph_integer_t e = 0; e < ne; e++)
		VECTOR(weights)[e] = iffa_flowgraph_edge_amount(g, e);
	cr_assert_eq(igraph_personalized_pagerank(&view, IGRAPH_PAGERANK_ALGO_PRPACK, &ra, &va,
						  igraph_vss_all(), 1, 0.85, &reset, &weights, NULL),
		     IGRAPH_SUCCESS);
	cr_assert_eq(igraph_personalized_pagerank(&copy, IGRAPH_PAGERANK_ALGO_PRPACK, &rb, &vb,
						  igraph_vss_all(), 1, 0.85, &reset, &weights, NULL),
		     IGRAPH_SUCCESS);
	cr_assert_arr_eq(VECTOR(ra), VECTOR(rb), (size_t)nv * sizeof(igraph_real_t));
	/* and the reversal mattered: forward PageRank differs */
	cr_assert_eq(igraph_personalized_pagerank(iffa_flowgraph_igraph(g), IGRAPH_PAGERANK_ALGO_PRPACK,
						  &rb, &vb, igraph_vss_all(), 1, 0.85, &reset,
						  &weights, NULL),
		     IGRAPH_SUCCESS);
	cr_assert_arr_neq(VECTOR(ra), VECTOR(rb), (size_t)nv * sizeof(igraph_real_t));
	igraph_vector_destroy(&reset);
	igraph_vector_destroy(&weights);
	igraph_vector_destroy(&ra);
	igraph_vector_destroy(&rb);
	igraph_vector_int_destroy(&a);
	igraph_vector_int_destroy(&b);
	igraph_destroy(&copy);
	iffa_flowgraph_free(g);
}

/* igraph_create() on the graph's own ends, for comparing every field. */
static void check_index_as_igraph_builds_it(const iffa_flowgraph *g)
{
	const igraph_t *ig = iffa_flowgraph_igraph(g);
	igraph_integer_t ne = igraph_ecount(ig), nv = igraph_vcount(ig);
	igraph_vector_int_t ends;
	igraph_t ref;
	igraph_bool_t a, b;
	const igraph_vector_int_t *mine[] = {&ig->from, &ig->to, &ig->oi, &ig->ii, &ig->os, &ig->is};
	const igraph_vector_int_t *theirs[] = {&ref.from, &ref.to, &ref.oi, &ref.ii, &ref.os, &ref.is};
	static const char *const names[] = {"from", "to", "oi", "ii", "os", "is"};

	cr_assert_eq(igraph_vector_int_init(&ends, 2 * ne), IGRAPH_SUCCESS);
	for (igraph_integer_t e = 0; e < ne; e++) {
		VECTOR(ends)[2 * e] = IGRAPH_FROM(ig, e);
		VECTOR(ends)[2 * e + 1] = IGRAPH_TO(ig, e);
	}
	cr_assert_eq(igraph_create(&ref, &ends, nv, IGRAPH_DIRECTED), IGRAPH_SUCCESS);
	cr_assert(igraph_is_directed(ig));
	for (int f = 0; f < 6; f++) {
		cr_assert_eq(igraph_vector_int_size(mine[f]), igraph_vector_int_size(theirs[f]), "%s",
			     names[f]);
		cr_assert(igraph_vector_int_all_e(mine[f], theirs[f]), "%s differs from igraph_create's",
			  names[f]);
	}
	/* igraph answers property queries as for a graph it made */
	cr_assert_eq(igraph_has_loop(ig, &a), IGRAPH_SUCCESS);
	cr_assert_eq(igraph_has_loop(&ref, &b), IGRAPH_SUCCESS);
	cr_assert_eq(a, b);
	cr_assert_eq(igraph_has_multiple(ig, &a), IGRAPH_SUCCESS);
	cr_assert_eq(igraph_has_multiple(&ref, &b), IGRAPH_SUCCESS);
	cr_assert_eq(a, b);
	cr_assert_eq(igraph_is_dag(ig, &a), IGRAPH_SUCCESS);
	cr_assert_eq(igraph_is_dag(&ref, &b), IGRAPH_SUCCESS);
	cr_assert_eq(a, b);
	cr_assert_eq(igraph_is_connected(ig, &a, IGRAPH_WEAK), IGRAPH_SUCCESS);
	cr_assert_eq(igraph_is_connected(&ref, &b, IGRAPH_WEAK), IGRAPH_SUCCESS);
	cr_assert_eq(a, b);
	igraph_destroy(&ref);
	igraph_vector_int_destroy(&ends);
}

/*
 * Parallel edges (several channels, or flows kept apart), loops and lone
 * vertices: the graph's index is igraph_create()'s, field by field, and
 * the graph answers igraph's property queries as a created one does.
 */
Test(graph_flowgraph, index_is_the_one_igraph_create_makes)
{
	iffa_flowgraph__vertex v = {0, IFFA_ACCOUNT_BANK, "ML", -1, 0};

	for (int aggregate = 0; aggregate < 2; aggregate++) {
		iffa_flowgraph *g;
		igraph_bool_t multi, loop, dag;

		cr_assert_eq(iffa_flowgraph__new(&g, IFFA_LEVEL_ACCOUNT, aggregate), 0);
		for (int i = 0; i < 40; i++) {
			v.key = IFFA_KEY_ACCOUNT(i + 1);
			cr_assert_eq(iffa_flowgraph__add_vertex(NULL, g, &v), 0);
		}
		srand(23);
		/* vertices 30..39 get no edge; a few ends, so pairs repeat */
		for (int i = 0; i < 3000; i++)
			cr_assert_eq(iffa_flowgraph__add_flow(g, rand() % 30, rand() % 30, 1 + rand() % 50, i,
							      (iffa_channel)(rand() % 3), IFFA_KIND_TRANSFER,
							      i), 0);
		cr_assert_eq(iffa_flowgraph__finish(g), 0);
		/* the case this is about is there */
		cr_assert_eq(igraph_has_multiple(iffa_flowgraph_igraph(g), &multi), IGRAPH_SUCCESS);
		cr_assert_eq(igraph_has_loop(iffa_flowgraph_igraph(g), &loop), IGRAPH_SUCCESS);
		cr_assert(multi && loop);
		check_index_as_igraph_builds_it(g);
		iffa_flowgraph_free(g);

		/* a cycle with parallel edges: igraph answers is_dag from the index made here */
		cr_assert_eq(iffa_flowgraph__new(&g, IFFA_LEVEL_ACCOUNT, aggregate), 0);
		for (int i = 0; i < 5; i++) {
			v.key = IFFA_KEY_ACCOUNT(i + 1);
			cr_assert_eq(iffa_flowgraph__add_vertex(NULL, g, &v), 0);
		}
		cr_assert_eq(iffa_flowgraph__add_flow(g, 0, 1, 5, 1, IFFA_CHANNEL_BANK, IFFA_KIND_TRANSFER, 1), 0);
		cr_assert_eq(iffa_flowgraph__add_flow(g, 0, 1, 5, 2, IFFA_CHANNEL_CASH, IFFA_KIND_TRANSFER, 2), 0);
		cr_assert_eq(iffa_flowgraph__add_flow(g, 1, 2, 5, 3, IFFA_CHANNEL_BANK, IFFA_KIND_TRANSFER, 3), 0);
		cr_assert_eq(iffa_flowgraph__add_flow(g, 2, 0, 5, 4, IFFA_CHANNEL_BANK, IFFA_KIND_TRANSFER, 4), 0);
		cr_assert_eq(iffa_flowgraph__finish(g), 0);
		cr_assert_eq(igraph_is_dag(iffa_flowgraph_igraph(g), &dag), IGRAPH_SUCCESS);
		cr_assert_not(dag, "a cycle 0 -> 1 -> 2 -> 0 is there");
		check_index_as_igraph_builds_it(g);
		iffa_flowgraph_free(g);
	}
}

/* With a global attribute table set, igraph makes the graph, and the same one. */
Test(graph_flowgraph, index_with_an_attribute_table_set)
{
	igraph_attribute_table_t *old = igraph_set_attribute_table(&igraph_cattribute_table);
	iffa_flowgraph__vertex v = {0, IFFA_ACCOUNT_BANK, "ML", -1, 0};
	iffa_flowgraph *g;

	cr_assert_eq(iffa_flowgraph__new(&g, IFFA_LEVEL_ACCOUNT, 1), 0);
	for (int i = 0; i < 10; i++) {
		v.key = IFFA_KEY_ACCOUNT(i + 1);
		cr_assert_eq(iffa_flowgraph__add_vertex(NULL, g, &v), 0);
	}
	srand(5);
	for (int i = 0; i < 200; i++)
		cr_assert_eq(iffa_flowgraph__add_flow(g, rand() % 10, rand() % 10, 1, i,
						      (iffa_channel)(rand() % 2), IFFA_KIND_TRANSFER, i), 0);
	cr_assert_eq(iffa_flowgraph__finish(g), 0);
	cr_assert_not_null(iffa_flowgraph_igraph(g)->attr);
	check_index_as_igraph_builds_it(g);
	iffa_flowgraph_free(g);
	igraph_set_attribute_table(old);
}

/*
 * A vertex's edges both ways come in the order of igraph's incidence list
 * (ALL, loops once): on a multigraph with parallel edges both ways and
 * runs of loops, merged and not.
 */
Test(graph_flowgraph, all_edges_are_igraphs_incidence_list)
{
	iffa_flowgraph__vertex v = {0, IFFA_ACCOUNT_BANK, "ML", -1, 0};
	const int nv = 60, ne = 3000;

	for (int aggregate = 0; aggregate < 2; aggregate++) {
		iffa_flowgraph *g;
		igraph_inclist_t il;
		igraph_integer_t *buf, max, loops = 0, parallel = 0;

		cr_assert_eq(iffa_flowgraph__new(&g, IFFA_LEVEL_ACCOUNT, aggregate), 0);
		for (int i = 0; i < nv; i++) {
			v.key = IFFA_KEY_ACCOUNT(i + 1);
			cr_assert_eq(iffa_flowgraph__add_vertex(NULL, g, &v), 0);
		}
		srand(29 + aggregate);
		for (int i = 0; i < ne; i++) {
			int a = rand() % nv, b = i % 10 == 0 ? a : rand() % (nv / 3);
			cr_assert_eq(iffa_flowgraph__add_flow(g, a, b, 1 + rand() % 1000, i,
							      (iffa_channel)(rand() % 2),
							      IFFA_KIND_TRANSFER, i), 0);
		}
		cr_assert_eq(iffa_flowgraph__finish(g), 0);
		max = iffa_flowgraph__max_degree(g);
		cr_assert_not_null(buf = malloc(((size_t)max + 1) * sizeof(*buf)));
		cr_assert_eq(igraph_inclist_init(iffa_flowgraph_igraph(g), &il, IGRAPH_ALL,
						 IGRAPH_LOOPS_ONCE), IGRAPH_SUCCESS);
		for (igraph_integer_t u = 0; u < nv; u++) {
			igraph_vector_int_t *inc = igraph_inclist_get(&il, u);
			igraph_integer_t n = iffa_flowgraph__all_edges(g, u, buf);
			cr_assert_eq(n, igraph_vector_int_size(inc), "vertex %lld", (long long)u);
			cr_assert_arr_eq(buf, VECTOR(*inc), (size_t)n * sizeof(*buf), "vertex %lld",
					 (long long)u);
			for (igraph_integer_t k = 0; k < n; k++) {
				const igraph_t *ig = iffa_flowgraph_igraph(g);
				loops += IGRAPH_FROM(ig, buf[k]) == IGRAPH_TO(ig, buf[k]);
				parallel += k > 0 && IGRAPH_FROM(ig, buf[k]) == IGRAPH_FROM(ig, buf[k - 1]) &&
					    IGRAPH_TO(ig, buf[k]) == IGRAPH_TO(ig, buf[k - 1]);
			}
		}
		/* the graph had what the order depends on: loops, parallel edges */
		cr_assert_gt(loops, 0);
		cr_assert_gt(parallel, 0);
		igraph_inclist_destroy(&il);
		free(buf);
		iffa_flowgraph_free(g);
	}
}
