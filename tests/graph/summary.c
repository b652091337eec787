/*
 * The summary on a hand-built graph whose totals, corridors and components
 * are worked out below.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "graph/flowgraph.h"

static void setup(void)
{
	iffa_init();
}

TestSuite(graph_summary, .init = setup);

/*
 *   v0 acc 1 ML   v1 acc 2 SN   v2 acc 3 SN   v3 party 9 (no country)
 *   v4 acc 5 BF (alone)         v5 acc 6 ML   v6 acc 7 ML
 *
 *   v0 -> v1 bank 100 and 60 (merged: one edge, 2 flows)  ML -> SN, cross-border
 *   v1 -> v2 hawala 40                                     SN -> SN
 *   v3 -> v0 levy 500                                      ?? -> ML
 *   v5 -> v6 cash 30, v6 -> v5 cash 20                     ML -> ML
 *
 * Components: {v0..v3} 4 vertices, 3 edges, 700 XOF; {v5, v6} 2, 2, 50;
 * {v4} 1, 0, 0. Corridors by amount: ??->ML 500, ML->SN 160, ML->ML 50,
 * SN->SN 40.
 */
static iffa_flowgraph *hand_built(void)
{
	iffa_flowgraph *g;
	const iffa_flowgraph__vertex v[] = {
		{IFFA_KEY_ACCOUNT(1), IFFA_ACCOUNT_BANK, "ML", -1, 0},
		{IFFA_KEY_ACCOUNT(2), IFFA_ACCOUNT_BANK, "SN", -1, 0},
		{IFFA_KEY_ACCOUNT(3), IFFA_ACCOUNT_HAWALA, "SN", -1, 0},
		{IFFA_KEY_PARTY(9), IFFA_PARTY_VILLAGE, NULL, 9, 0},
		{IFFA_KEY_ACCOUNT(5), IFFA_ACCOUNT_CASH, "BF", -1, 0},
		{IFFA_KEY_ACCOUNT(6), IFFA_ACCOUNT_CASH, "ML", -1, 0},
		{IFFA_KEY_ACCOUNT(7), IFFA_ACCOUNT_CASH, "ML", -1, 0},
	};
	const struct {
		int from, to;
		double amount;
		iffa_channel ch;
		iffa_record_kind kind;
	} f[] = {
		{0, 1, 100, IFFA_CHANNEL_BANK, IFFA_KIND_TRANSFER},
		{1, 2, 40, IFFA_CHANNEL_HAWALA, IFFA_KIND_TRANSFER},
		{0, 1, 60, IFFA_CHANNEL_BANK, IFFA_KIND_TRANSFER},
		{3, 0, 500, IFFA_CHANNEL_NONE, IFFA_KIND_LEVY},
		{5, 6, 30, IFFA_CHANNEL_CASH, IFFA_KIND_TRANSFER},
		{6, 5, 20, IFFA_CHANNEL_CASH, IFFA_KIND_TRANSFER},
	};

	cr_assert_eq(iffa_flowgraph__new(&g, IFFA_LEVEL_ACCOUNT, 1), 0);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		cr_assert_eq(iffa_flowgraph__add_vertex(NULL, g, &v[i]), 0, "%s", iffa_error_last());
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		cr_assert_eq(iffa_flowgraph__add_flow(g, f[i].from, f[i].to, f[i].amount, (int64_t)i,
						      f[i].ch, f[i].kind, (int64_t)i + 1), 0);
		iffa_flowgraph__count_record(g, f[i].kind, f[i].amount);
	}
	cr_assert_eq(iffa_flowgraph__finish(g), 0, "%s", iffa_error_last());
	return g;
}

Test(graph_summary, totals_by_channel_and_kind)
{
	iffa_flowgraph *g = hand_built();
	iffa_summary s;

	cr_assert_eq(iffa_summary_compute(&s, g, 10), 0, "%s", iffa_error_last());
	cr_assert_eq(s.vertices, 7);
	cr_assert_eq(s.all.edges, 5);
	cr_assert_eq(s.all.flows, 6);
	cr_assert_float_eq(s.all.amount, 750, 1e-9);
	cr_assert_eq(s.by_channel[IFFA_CHANNEL_BANK].edges, 1);
	cr_assert_eq(s.by_channel[IFFA_CHANNEL_BANK].flows, 2);
	cr_assert_float_eq(s.by_channel[IFFA_CHANNEL_BANK].amount, 160, 1e-9);
	cr_assert_eq(s.by_channel[IFFA_CHANNEL_CASH].edges, 2);
	cr_assert_float_eq(s.by_channel[IFFA_CHANNEL_CASH].amount, 50, 1e-9);
	cr_assert_float_eq(s.by_channel[IFFA_CHANNEL_HAWALA].amount, 40, 1e-9);
	cr_assert_eq(s.by_channel[IFFA_CHANNEL_MOBILE_MONEY].edges, 0);
	cr_assert_float_eq(s.by_channel[IFFA_CHANNEL_NONE].amount, 500, 1e-9);
	cr_assert_eq(s.by_kind[IFFA_KIND_TRANSFER].edges, 4);
	cr_assert_eq(s.by_kind[IFFA_KIND_TRANSFER].flows, 5);
	cr_assert_float_eq(s.by_kind[IFFA_KIND_TRANSFER].amount, 250, 1e-9);
	cr_assert_eq(s.by_kind[IFFA_KIND_LEVY].edges, 1);
	cr_assert_eq(s.records[IFFA_KIND_TRANSFER], 5);
	cr_assert_eq(s.records[IFFA_KIND_LEVY], 1);
	cr_assert_float_eq(s.record_amount[IFFA_KIND_LEVY], 500, 1e-9);
	iffa_summary_dispose(&s);
	iffa_flowgraph_free(g);
}

Test(graph_summary, corridors_ranked_by_amount_with_cross_border_marked)
{
	iffa_flowgraph *g = hand_built();
	iffa_summary s;

	cr_assert_eq(iffa_summary_compute(&s, g, 3), 0, "%s", iffa_error_last());
	cr_assert_eq(s.corridors_seen, 4);
	cr_assert_eq(s.ncorridors, 3);
	cr_assert_str_eq(s.corridors[0].from, "");
	cr_assert_str_eq(s.corridors[0].to, "ML");
	cr_assert_eq(s.corridors[0].cross_border, 0, "an unknown country is not a border");
	cr_assert_float_eq(s.corridors[0].total.amount, 500, 1e-9);
	cr_assert_str_eq(s.corridors[1].from, "ML");
	cr_assert_str_eq(s.corridors[1].to, "SN");
	cr_assert_eq(s.corridors[1].cross_border, 1);
	cr_assert_eq(s.corridors[1].total.edges, 1);
	cr_assert_eq(s.corridors[1].total.flows, 2);
	cr_assert_float_eq(s.corridors[1].total.amount, 160, 1e-9);
	cr_assert_str_eq(s.corridors[2].from, "ML");
	cr_assert_str_eq(s.corridors[2].to, "ML");
	cr_assert_eq(s.corridors[2].cross_border, 0);
	cr_assert_eq(s.corridors[2].total.edges, 2);
	cr_assert_float_eq(s.corridors[2].total.amount, 50, 1e-9);
	iffa_summary_dispose(&s);
	iffa_flowgraph_free(g);
}

Test(graph_summary, weak_components_by_size_with_internal_amount)
{
	iffa_flowgraph *g = hand_built();
	iffa_summary s;

	cr_assert_eq(iffa_summary_compute(&s, g, 2), 0, "%s", iffa_error_last());
	cr_assert_eq(s.components, 3);
	cr_assert_eq(s.nlargest, 2);
	cr_assert_eq(s.largest[0].vertices, 4);
	cr_assert_eq(s.largest[0].edges, 3);
	cr_assert_float_eq(s.largest[0].amount, 700, 1e-9);
	cr_assert_eq(s.largest[1].vertices, 2);
	cr_assert_eq(s.largest[1].edges, 2);
	cr_assert_float_eq(s.largest[1].amount, 50, 1e-9);
	iffa_summary_dispose(&s);
	cr_assert_eq(iffa_summary_compute(&s, g, 10), 0);
	cr_assert_eq(s.nlargest, 3);
	cr_assert_eq(s.largest[2].vertices, 1);
	cr_assert_eq(s.largest[2].edges, 0);
	iffa_summary_dispose(&s);
	iffa_flowgraph_free(g);
}

static void slurp(char *buf, size_t size, FILE *f)
{
	size_t n;

	rewind(f);
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
}

Test(graph_summary, json_carries_every_figure)
{
	iffa_flowgraph *g = hand_built();
	iffa_summary s;
	char out[4096];
	FILE *f = tmpfile();

	cr_assert_not_null(f);
	cr_assert_eq(iffa_summary_compute(&s, g, 2), 0);
	cr_assert_eq(iffa_summary_write_json(&s, f), 0);
	slurp(out, sizeof(out), f);
	cr_assert_str_eq(out,
		"{\"level\":\"account\",\"aggregated\":true,\"from\":null,\"to\":null,"
		"\"vertices\":7,\"edges\":5,\"flows\":6,\"amount_xof\":750,"
		"\"by_channel\":{\"bank\":{\"edges\":1,\"flows\":2,\"amount_xof\":160},"
		"\"mobile_money\":{\"edges\":0,\"flows\":0,\"amount_xof\":0},"
		"\"hawala\":{\"edges\":1,\"flows\":1,\"amount_xof\":40},"
		"\"cash\":{\"edges\":2,\"flows\":2,\"amount_xof\":50},"
		"\"crypto\":{\"edges\":0,\"flows\":0,\"amount_xof\":0},"
		"\"none\":{\"edges\":1,\"flows\":1,\"amount_xof\":500}},"
		"\"by_kind\":{\"transfer\":{\"records\":5,\"record_amount_xof\":250,\"edges\":4,\"flows\":5,\"amount_xof\":250},"
		"\"ransom\":{\"records\":0,\"record_amount_xof\":0,\"edges\":0,\"flows\":0,\"amount_xof\":0},"
		"\"gold\":{\"records\":0,\"record_amount_xof\":0,\"edges\":0,\"flows\":0,\"amount_xof\":0},"
		"\"levy\":{\"records\":1,\"record_amount_xof\":500,\"edges\":1,\"flows\":1,\"amount_xof\":500}},"
		"\"corridors\":{\"distinct\":4,\"top\":["
		"{\"from\":null,\"to\":\"ML\",\"cross_border\":false,\"edges\":1,\"flows\":1,\"amount_xof\":500},"
		"{\"from\":\"ML\",\"to\":\"SN\",\"cross_border\":true,\"edges\":1,\"flows\":2,\"amount_xof\":160}]},"
		"\"components\":{\"count\":3,\"largest\":["
		"{\"vertices\":4,\"edges\":3,\"amount_xof\":700},"
		"{\"vertices\":2,\"edges\":2,\"amount_xof\":50}]}}\n");
	iffa_summary_dispose(&s);
	iffa_flowgraph_free(g);
}

Test(graph_summary, text_names_the_figures_for_people)
{
	iffa_flowgraph *g = hand_built();
	iffa_summary s;
	char out[8192];
	FILE *f = tmpfile();

	cr_assert_not_null(f);
	cr_assert_eq(iffa_summary_compute(&s, g, 10), 0);
	cr_assert_eq(iffa_summary_write_text(&s, f), 0);
	slurp(out, sizeof(out), f);
	cr_assert(strstr(out, "Flow graph: account level, parallel flows merged\n"), "%s", out);
	cr_assert(strstr(out, "Window:     all records\n"), "%s", out);
	cr_assert(strstr(out, "Edges:      5 (6 flows)\n"), "%s", out);
	cr_assert(strstr(out, "Records:    5 transfers, 0 ransoms, 0 gold lots, 1 levies\n"), "%s", out);
	cr_assert(strstr(out, "  ML -> SN *            1 edges            2 flows                    160 XOF\n"),
		  "%s", out);
	cr_assert(strstr(out, "  ?? -> ML              1 edges"), "%s", out);
	cr_assert(strstr(out, "Weakly connected components: 3; largest 3\n"), "%s", out);
	cr_assert(strstr(out, "  #1               4 vertices            3 edges                    700 XOF inside\n"),
		  "%s", out);
	iffa_summary_dispose(&s);
	iffa_flowgraph_free(g);
}

Test(graph_summary, large_amounts_get_thousands_separators)
{
	iffa_flowgraph *g;
	iffa_flowgraph__vertex v = {IFFA_KEY_ACCOUNT(1), IFFA_ACCOUNT_BANK, "ML", -1, 0};
	iffa_summary s;
	char out[8192];
	FILE *f = tmpfile();

	cr_assert_eq(iffa_flowgraph__new(&g, IFFA_LEVEL_ACCOUNT, 1), 0);
	cr_assert_eq(iffa_flowgraph__add_vertex(NULL, g, &v), 0);
	cr_assert_eq(iffa_flowgraph__add_flow(g, 0, 0, 1234567890.6, 0, IFFA_CHANNEL_BANK,
					      IFFA_KIND_TRANSFER, 1), 0);
	cr_assert_eq(iffa_flowgraph__finish(g), 0);
	cr_assert_eq(iffa_summary_compute(&s, g, 1), 0);
	cr_assert_eq(iffa_summary_write_text(&s, f), 0);
	slurp(out, sizeof(out), f);
	cr_assert(strstr(out, "XOF:        1,234,567,891 along edges"), "%s", out);
	iffa_summary_dispose(&s);
	iffa_flowgraph_free(g);
}
