/*
 * The typologies pass on hand-built graphs whose answers are worked out by
 * hand: fans just under the threshold and ordinary hubs, cycles inside and
 * outside the bounds, scatter-gather and gather-scatter.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "passes/build.h"

#define MM IFFA_CHANNEL_MOBILE_MONEY

static iffa_findings *run(const iffa_flowgraph *g, const iffa_typologies_params *p,
			  iffa_typologies_stats *st)
{
	iffa_findings *f = NULL;

	cr_assert_eq(iffa_findings_new(&f), 0);
	cr_assert_eq(iffa_pass_typologies_ex(f, g, p, st), 0, "%s", iffa_error_last());
	return f;
}

Test(passes_typologies, fan_in_just_under_the_threshold_is_flagged_with_the_beneficiary)
{
	/* 0 collector, 1 beneficiary, 2..9 mules */
	iffa_flowgraph *g = build_new(10, IFFA_ACCOUNT_MOBILE_MONEY, 1);
	iffa_findings *f;
	const iffa_finding *fd;

	for (int m = 2; m < 10; m++)
		build_flow(g, m, 0, 940000 + 5000 * m, 0.2 * m, MM);
	build_flow(g, 0, 1, 7400000, 3, IFFA_CHANNEL_BANK);
	build_finish(g);
	f = run(g, NULL, NULL);
	cr_assert_eq(count_kind(f, "fan_in"), 1);
	fd = first_kind(f, "fan_in");
	cr_assert_eq(fd->subject, 0);
	cr_assert_eq(fd->subject_type, IFFA_SUBJECT_ACCOUNT);
	cr_assert_eq(fd->nmembers, 10, "hub, 8 mules and the beneficiary: %zu", fd->nmembers);
	cr_assert_eq(fd->subject, 0);
	for (int v = 0; v < 10; v++)
		cr_assert(has_member(fd, v), "vertex %d", v);
	cr_assert_eq(fd->nevidence, 9, "8 just-under flows and the onward payment");
	cr_assert(fd->score > 0.5 && fd->score <= 1.0);
	cr_assert(strstr(fd->reason, "8 small accounts") != NULL, "%s", fd->reason);
	cr_assert_eq(count_kind(f, "fan_out"), 0);
	iffa_findings_free(f);
	iffa_flowgraph_free(g);
}

Test(passes_typologies, a_merchants_fan_in_of_ordinary_payments_is_not_flagged)
{
	/* 0 merchant; 1..40 customers paying small sums, 41 a big supplier */
	iffa_flowgraph *g = build_new(42, IFFA_ACCOUNT_MOBILE_MONEY, 1);
	iffa_findings *f;

	for (int c = 1; c <= 40; c++)
		for (int k = 0; k < 3; k++)
			build_flow(g, c, 0, 5000 + 250 * c + 1000 * k, 0.1 * c + k, MM);
	build_flow(g, 0, 41, 900000, 5, MM);
	build_finish(g);
	f = run(g, NULL, NULL);
	cr_assert_eq(iffa_findings_count(f), 0, "%zu findings", iffa_findings_count(f));
	iffa_findings_free(f);
	iffa_flowgraph_free(g);
}

Test(passes_typologies, just_under_payments_from_busy_accounts_are_not_a_fan)
{
	/* 0 a car dealer paid 950,000 by 8 customers who each spend far more
	 * elsewhere (accounts 10..17): the amounts fit, the devotion does not */
	iffa_flowgraph *g = build_new(18, IFFA_ACCOUNT_MOBILE_MONEY, 1);
	iffa_findings *f;

	for (int c = 1; c <= 8; c++) {
		build_flow(g, c, 0, 950000, 0.5 * c, MM);
		build_flow(g, c, 9 + c, 3000000, 1 + 0.5 * c, IFFA_CHANNEL_BANK);
	}
	build_finish(g);
	f = run(g, NULL, NULL);
	cr_assert_eq(count_kind(f, "fan_in"), 0);
	iffa_findings_free(f);
	iffa_flowgraph_free(g);
}

Test(passes_typologies, a_slow_fan_in_spread_over_months_is_not_flagged)
{
	iffa_flowgraph *g = build_new(9, IFFA_ACCOUNT_MOBILE_MONEY, 1);
	iffa_findings *f;

	for (int m = 1; m < 9; m++)
		build_flow(g, m, 0, 960000, 20.0 * m, MM); /* one every 20 days */
	build_finish(g);
	f = run(g, NULL, NULL);
	cr_assert_eq(count_kind(f, "fan_in"), 0);
	iffa_findings_free(f);
	iffa_flowgraph_free(g);
}

Test(passes_typologies, cash_deposits_under_the_cash_threshold_are_a_fan_in)
{
	iffa_flowgraph *g = build_new(7, IFFA_ACCOUNT_CASH, 1);
	iffa_findings *f;

	for (int m = 1; m < 7; m++)
		build_flow(g, m, 0, 4900000, 0.3 * m, IFFA_CHANNEL_CASH);
	/* an own-account deposit of the same size does not count */
	build_finish(g);
	f = run(g, NULL, NULL);
	cr_assert_eq(count_kind(f, "fan_in"), 1);
	iffa_findings_free(f);
	iffa_flowgraph_free(g);
}

Test(passes_typologies, scatter_gather_is_found_with_both_hubs_and_the_mules)
{
	/* 0 source, 1 collector, 2..7 mules */
	iffa_flowgraph *g = build_new(8, IFFA_ACCOUNT_MOBILE_MONEY, 1);
	iffa_findings *f;
	const iffa_finding *fd;

	for (int m = 2; m < 8; m++) {
		build_flow(g, 0, m, 900000, 0.1 * m, MM);
		build_flow(g, m, 1, 895000, 2 + 0.1 * m, MM);
	}
	build_finish(g);
	f = run(g, NULL, NULL);
	cr_assert_eq(count_kind(f, "fan_in"), 1);
	cr_assert_eq(count_kind(f, "fan_out"), 1);
	cr_assert_eq(count_kind(f, "scatter_gather"), 1);
	cr_assert_eq(count_kind(f, "gather_scatter"), 0);
	fd = first_kind(f, "scatter_gather");
	cr_assert_eq(fd->nmembers, 8);
	cr_assert_eq(fd->nevidence, 12);
	cr_assert_eq(fd->subject_type, IFFA_SUBJECT_CLUSTER);
	iffa_findings_free(f);
	iffa_flowgraph_free(g);
}

Test(passes_typologies, gather_scatter_is_found)
{
	/* 0 hub; 1..6 pay in, then 0 pays 7..12 */
	iffa_flowgraph *g = build_new(13, IFFA_ACCOUNT_MOBILE_MONEY, 1);
	iffa_findings *f;

	for (int m = 1; m <= 6; m++) {
		build_flow(g, m, 0, 930000, 0.2 * m, MM);
		build_flow(g, 0, 6 + m, 910000, 3 + 0.2 * m, MM);
	}
	build_finish(g);
	f = run(g, NULL, NULL);
	cr_assert_eq(count_kind(f, "gather_scatter"), 1);
	cr_assert_eq(first_kind(f, "gather_scatter")->nmembers, 13);
	iffa_findings_free(f);
	iffa_flowgraph_free(g);
}

Test(passes_typologies, a_round_trip_in_time_order_is_found)
{
	/* 0 -> 1 -> 2 -> 3 -> 0, 1-3 % kept at each hop, a day apart; 4 noise */
	iffa_flowgraph *g = build_new(5, IFFA_ACCOUNT_BANK, 1);
	iffa_findings *f;
	iffa_typologies_stats st;
	const iffa_finding *fd;

	build_flow(g, 0, 1, 40000000, 1, IFFA_CHANNEL_BANK);
	build_flow(g, 1, 2, 39400000, 2, IFFA_CHANNEL_BANK);
	build_flow(g, 2, 3, 38600000, 3, IFFA_CHANNEL_BANK);
	build_flow(g, 3, 0, 38000000, 4, IFFA_CHANNEL_BANK);
	build_flow(g, 2, 4, 38600000, 3.5, IFFA_CHANNEL_BANK);
	build_finish(g);
	f = run(g, NULL, &st);
	cr_assert_eq(count_kind(f, "cycle"), 1);
	fd = first_kind(f, "cycle");
	cr_assert_eq(fd->nmembers, 4);
	cr_assert_not(has_member(fd, 4));
	cr_assert_eq(fd->nevidence, 4);
	/* evidence in hop order, from the origin */
	for (size_t i = 0; i < 4; i++) {
		igraph_integer_t e = fd->evidence[i];
		cr_assert_eq(IGRAPH_FROM(iffa_flowgraph_igraph(g), e), (igraph_integer_t)i);
	}
	cr_assert_eq(st.cycles_found, 1);
	cr_assert_eq(st.truncated, 0);
	iffa_findings_free(f);
	iffa_flowgraph_free(g);
}

Test(passes_typologies, cycles_too_long_too_slow_or_out_of_order_are_not_counted)
{
	/* a: 0..7 a ring of 8 hops (max 6); b: 8 -> 9 -> 10 -> 8 over 45 days
	 * (window 30); c: 11 -> 12 -> 13 -> 11 with the second hop before the
	 * first; d: 14 -> 15 -> 16 -> 14 losing half at a hop; e: 17 -> 18 ->
	 * 19 -> 17 inside the window but resting 12 days at 18 (dwell 7) */
	iffa_flowgraph *g = build_new(20, IFFA_ACCOUNT_BANK, 1);
	iffa_findings *f;
	iffa_typologies_params p = IFFA_TYPOLOGIES_PARAMS_INIT;

	for (int i = 0; i < 8; i++)
		build_flow(g, i, (i + 1) % 8, 20000000 - 100000 * i, 1 + 0.5 * i, IFFA_CHANNEL_BANK);
	build_flow(g, 8, 9, 20000000, 1, IFFA_CHANNEL_BANK);
	build_flow(g, 9, 10, 19800000, 20, IFFA_CHANNEL_BANK);
	build_flow(g, 10, 8, 19600000, 46, IFFA_CHANNEL_BANK);
	build_flow(g, 11, 12, 20000000, 5, IFFA_CHANNEL_BANK);
	build_flow(g, 12, 13, 19800000, 3, IFFA_CHANNEL_BANK);
	build_flow(g, 13, 11, 19600000, 7, IFFA_CHANNEL_BANK);
	build_flow(g, 14, 15, 20000000, 1, IFFA_CHANNEL_BANK);
	build_flow(g, 15, 16, 10000000, 2, IFFA_CHANNEL_BANK);
	build_flow(g, 16, 14, 9900000, 3, IFFA_CHANNEL_BANK);
	build_flow(g, 17, 18, 20000000, 1, IFFA_CHANNEL_BANK);
	build_flow(g, 18, 19, 19800000, 13, IFFA_CHANNEL_BANK);
	build_flow(g, 19, 17, 19600000, 14, IFFA_CHANNEL_BANK);
	build_finish(g);
	f = run(g, NULL, NULL);
	cr_assert_eq(count_kind(f, "cycle"), 0, "%zu cycles", count_kind(f, "cycle"));
	iffa_findings_free(f);
	/* the same data with looser bounds: each is found */
	p.max_cycle_len = 8;
	p.cycle_window = 50 * IFFA_TYPOLOGIES_DAY;
	p.cycle_max_dwell = 50 * IFFA_TYPOLOGIES_DAY;
	p.cycle_min_retain = 0.4;
	f = run(g, &p, NULL);
	cr_assert_eq(count_kind(f, "cycle"), 4, "ring of 8, slow ring, lossy ring, resting ring");
	iffa_findings_free(f);
	p.cycle_time_order = 0;
	f = run(g, &p, NULL);
	cr_assert_eq(count_kind(f, "cycle"), 5, "and the one out of time order");
	iffa_findings_free(f);
	iffa_flowgraph_free(g);
}

Test(passes_typologies, a_ring_turning_every_week_is_routine_cash_pooling)
{
	/* three sister firms sweep 30M around every week, eight times */
	iffa_flowgraph *g = build_new(3, IFFA_ACCOUNT_BANK, 1);
	iffa_findings *f;
	iffa_typologies_stats st;

	for (int w = 0; w < 8; w++) {
		build_flow(g, 0, 1, 30000000, 7.0 * w, IFFA_CHANNEL_BANK);
		build_flow(g, 1, 2, 30000000, 7.0 * w + 1, IFFA_CHANNEL_BANK);
		build_flow(g, 2, 0, 30000000, 7.0 * w + 3, IFFA_CHANNEL_BANK);
	}
	build_finish(g);
	f = run(g, NULL, &st);
	cr_assert_eq(count_kind(f, "cycle"), 0);
	cr_assert(st.cycles_routine >= 8, "%zu", st.cycles_routine);
	iffa_findings_free(f);
	iffa_flowgraph_free(g);
}

Test(passes_typologies, an_aggregated_graph_gives_the_same_fan_in)
{
	iffa_flowgraph *g = build_new(10, IFFA_ACCOUNT_MOBILE_MONEY, 0);
	iffa_findings *f;

	for (int m = 2; m < 10; m++) {
		build_flow(g, m, 0, 940000, 0.2 * m, MM);
		build_flow(g, m, 0, 950000, 0.2 * m + 0.25, MM); /* merged: mean 945,000 */
	}
	build_finish(g);
	f = run(g, NULL, NULL);
	cr_assert_eq(count_kind(f, "fan_in"), 1);
	cr_assert_eq(first_kind(f, "fan_in")->nevidence, 8);
	iffa_findings_free(f);
	iffa_flowgraph_free(g);
}

Test(passes_typologies, parameters_out_of_range_are_refused_by_name)
{
	iffa_flowgraph *g = build_new(2, IFFA_ACCOUNT_BANK, 1);
	iffa_typologies_params p = IFFA_TYPOLOGIES_PARAMS_INIT;
	iffa_findings *f;

	build_flow(g, 0, 1, 10, 1, IFFA_CHANNEL_BANK);
	build_finish(g);
	cr_assert_eq(iffa_findings_new(&f), 0);
	p.near_low = 1.5;
	cr_assert_eq(iffa_pass_typologies(f, g, &p), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "near_low") != NULL);
	p = (iffa_typologies_params)IFFA_TYPOLOGIES_PARAMS_INIT;
	p.max_cycle_len = 13;
	cr_assert_eq(iffa_pass_typologies(f, g, &p), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "cycle lengths") != NULL);
	cr_assert_eq(iffa_findings_count(f), 0);
	iffa_findings_free(f);
	iffa_flowgraph_free(g);
}

Test(passes_typologies, a_mules_other_accounts_are_members_too)
{
	/* vertices 0..7 as in the first test, and 8: mule 2's carried cash */
	iffa_flowgraph *g = NULL;
	iffa_findings *f;
	iffa_typologies_params p = IFFA_TYPOLOGIES_PARAMS_INIT;

	cr_assert_eq(iffa_flowgraph__new(&g, IFFA_LEVEL_ACCOUNT, 0), 0);
	for (int i = 0; i < 9; i++) {
		iffa_flowgraph__vertex v = {IFFA_KEY_ACCOUNT(i + 1),
					    i == 8 ? IFFA_ACCOUNT_CASH : IFFA_ACCOUNT_MOBILE_MONEY, "ML",
					    i == 8 ? 3 : i + 1, 0};
		cr_assert_eq(iffa_flowgraph__add_vertex(NULL, g, &v), 0, "%s", iffa_error_last());
	}
	for (int m = 2; m < 8; m++)
		build_flow(g, m, 0, 950000, 0.3 * m, MM);
	build_finish(g);
	f = run(g, NULL, NULL);
	cr_assert_eq(count_kind(f, "fan_in"), 1);
	cr_assert(has_member(first_kind(f, "fan_in"), 8), "mule 2's cash account");
	iffa_findings_free(f);
	p.owner_accounts = 0;
	f = run(g, &p, NULL);
	cr_assert_not(has_member(first_kind(f, "fan_in"), 8));
	iffa_findings_free(f);
	iffa_flowgraph_free(g);
}

Test(passes_typologies, merged_edges_of_trade_all_year_are_no_cycle_and_scores_stay_in_0_1)
{
	/* three firms pass 64M round once a month for a year; merged, each
	 * edge spans eleven months: a standing trade relationship, not one
	 * movement of money. Firms 3, 4, 5 do the same twice within ten
	 * days: merged edges that a round trip can be made of. */
	iffa_flowgraph *g = build_new(6, IFFA_ACCOUNT_BANK, 0);
	iffa_findings *f;
	iffa_typologies_params p = IFFA_TYPOLOGIES_PARAMS_INIT;
	const iffa_finding *fd;

	for (int m = 0; m < 12; m++) {
		build_flow(g, 0, 1, 64000000, 30.0 * m, IFFA_CHANNEL_BANK);
		build_flow(g, 1, 2, 64000000, 30.0 * m + 1, IFFA_CHANNEL_BANK);
		build_flow(g, 2, 0, 64000000, 30.0 * m + 2, IFFA_CHANNEL_BANK);
	}
	for (int k = 0; k < 2; k++) {
		build_flow(g, 3, 4, 50000000, 100.0 + 5 * k, IFFA_CHANNEL_BANK);
		build_flow(g, 4, 5, 49500000, 101.0 + 5 * k, IFFA_CHANNEL_BANK);
		build_flow(g, 5, 3, 49000000, 102.0 + 5 * k, IFFA_CHANNEL_BANK);
	}
	build_finish(g);
	p.cycle_max_repeats = 0; /* however often a ring turns */
	f = run(g, &p, NULL);
	cr_assert_eq(count_kind(f, "cycle"), 1, "%zu cycles", count_kind(f, "cycle"));
	fd = first_kind(f, "cycle");
	cr_assert(has_member(fd, 3) && has_member(fd, 4) && has_member(fd, 5));
	cr_assert_not(has_member(fd, 0));
	for (size_t i = 0; i < iffa_findings_count(f); i++) {
		fd = iffa_findings_get(f, i);
		cr_assert(fd->score > 0 && fd->score <= 1.0, "%s score %g", fd->kind, fd->score);
	}
	iffa_findings_free(f);
	iffa_flowgraph_free(g);
}
