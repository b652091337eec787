/*
 * The paths pass and the trace query on flow graphs built by hand, with
 * answers worked out by hand: what crosses a border is reported, what goes
 * back in time, waits past the dwell time or stays in one country is not;
 * amounts are bounded by the smallest hop; members hold most of the money.
 *
 * Times are hours after 2025-03-01 (graphs.h); every account has its own
 * owner unless said otherwise, so holders are vertices.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "iffa/passes.h"
#include "passes/graphs.h"

static iffa_findings *run_paths(const iffa_flowgraph *g, const iffa_paths_params *p)
{
	iffa_findings *f = NULL;

	cr_assert_eq(iffa_findings_new(&f), 0);
	cr_assert_eq(iffa_pass_paths(f, g, p), 0, "%s", iffa_error_last());
	return f;
}

/*
 * A (ML) pays ransom 7 of 10 M to B (ML) at 0 h; B pays C (SN) 3 M at 24 h;
 * C pays D (SN) 8 M at 48 h. The path carries 3 M end to end: the smallest
 * hop, and C cannot pass on more source money than it received. D received
 * 8 M of which 3 M was source money: 37.5 %, under member_share.
 */
Test(passes_paths, a_cross_border_path_carries_its_smallest_hop)
{
	iffa_flowgraph *g = tg_new(IFFA_LEVEL_ACCOUNT, 0);
	igraph_integer_t a = tg_account(g, 1, IFFA_ACCOUNT_BANK, "ML", 1, 0);
	igraph_integer_t b = tg_account(g, 2, IFFA_ACCOUNT_BANK, "ML", 2, 0);
	igraph_integer_t c = tg_account(g, 3, IFFA_ACCOUNT_BANK, "SN", 3, 0);
	igraph_integer_t d = tg_account(g, 4, IFFA_ACCOUNT_BANK, "SN", 4, 0);
	const iffa_finding *path, *corridor;
	iffa_findings *f;

	tg_flow(g, a, b, 10e6, 0, IFFA_CHANNEL_NONE, IFFA_KIND_RANSOM, 7);
	tg_flow(g, b, c, 3e6, 24, IFFA_CHANNEL_BANK, IFFA_KIND_TRANSFER, 1);
	tg_flow(g, c, d, 8e6, 48, IFFA_CHANNEL_BANK, IFFA_KIND_TRANSFER, 2);
	tg_finish(g);
	f = run_paths(g, NULL);

	cr_assert_eq(iffa_findings_count(f), 2);
	path = tg_find(f, "cross_border_path", -1);
	corridor = tg_find(f, "corridor", -1);
	cr_assert_not_null(path);
	cr_assert_not_null(corridor);
	cr_assert_str_eq(path->pass, "paths");
	cr_assert_eq(path->subject_type, IFFA_SUBJECT_PATH);
	cr_assert_eq(path->subject, -1);
	cr_assert_float_eq(path->score, 3.0, 1e-9, "carries %g M", path->score);
	cr_assert_eq(path->nevidence, 3);
	cr_assert_eq(path->evidence[0], tg_edge(g, a, b, 0));
	cr_assert_eq(path->evidence[1], tg_edge(g, b, c, 24));
	cr_assert_eq(path->evidence[2], tg_edge(g, c, d, 48));
	cr_assert(strstr(path->reason, "3.0 M XOF of ransom 7 from account 1 crossed ML\u2192SN in 3 hops"),
		  "%s", path->reason);
	cr_assert(tg_member(path, a) && tg_member(path, b) && tg_member(path, c));
	cr_assert(!tg_member(path, d), "D holds 37.5%% source money only");
	cr_assert_eq(corridor->subject_type, IFFA_SUBJECT_CLUSTER);
	cr_assert_float_eq(corridor->score, 3.0, 1e-9);
	cr_assert(strstr(corridor->reason, "money ML\u2192SN: 3.0 M XOF along 1 path from 1 ransom; the largest 3.0 M XOF"),
		  "%s", corridor->reason);
	iffa_findings_free(f);
	iffa_flowgraph_free(g);
}

/* B pays C before the ransom reaches B: no time-respecting path crosses. */
Test(passes_paths, a_hop_backwards_in_time_is_refused)
{
	iffa_flowgraph *g = tg_new(IFFA_LEVEL_ACCOUNT, 0);
	igraph_integer_t a = tg_account(g, 1, IFFA_ACCOUNT_BANK, "ML", 1, 0);
	igraph_integer_t b = tg_account(g, 2, IFFA_ACCOUNT_BANK, "ML", 2, 0);
	igraph_integer_t c = tg_account(g, 3, IFFA_ACCOUNT_BANK, "SN", 3, 0);
	iffa_findings *f;

	tg_flow(g, a, b, 10e6, 48, IFFA_CHANNEL_NONE, IFFA_KIND_RANSOM, 7);
	tg_flow(g, b, c, 9e6, 47, IFFA_CHANNEL_BANK, IFFA_KIND_TRANSFER, 1);
	tg_finish(g);
	f = run_paths(g, NULL);
	cr_assert_eq(iffa_findings_count(f), 0);
	iffa_findings_free(f);

	/* Leaving at the very time of arrival is allowed. */
	iffa_flowgraph_free(g);
	g = tg_new(IFFA_LEVEL_ACCOUNT, 0);
	a = tg_account(g, 1, IFFA_ACCOUNT_BANK, "ML", 1, 0);
	b = tg_account(g, 2, IFFA_ACCOUNT_BANK, "ML", 2, 0);
	c = tg_account(g, 3, IFFA_ACCOUNT_BANK, "SN", 3, 0);
	tg_flow(g, a, b, 10e6, 48, IFFA_CHANNEL_NONE, IFFA_KIND_RANSOM, 7);
	tg_flow(g, b, c, 9e6, 48, IFFA_CHANNEL_BANK, IFFA_KIND_TRANSFER, 1);
	tg_finish(g);
	f = run_paths(g, NULL);
	cr_assert_eq(tg_count(f, "cross_border_path"), 1);
	iffa_findings_free(f);
	iffa_flowgraph_free(g);
}

/*
 * B waits 40 days before paying C: past the 30-day dwell, no path. With a
 * 45-day dwell the hop is taken, its amount reduced by the holding decay:
 * (40 - 7) of the (45 - 7) days past the grace time, 9e6 * 5/38.
 */
Test(passes_paths, a_hop_outside_the_dwell_window_is_refused)
{
	iffa_flowgraph *g = tg_new(IFFA_LEVEL_ACCOUNT, 0);
	igraph_integer_t a = tg_account(g, 1, IFFA_ACCOUNT_BANK, "ML", 1, 0);
	igraph_integer_t b = tg_account(g, 2, IFFA_ACCOUNT_BANK, "ML", 2, 0);
	igraph_integer_t c = tg_account(g, 3, IFFA_ACCOUNT_BANK, "SN", 3, 0);
	iffa_paths_params p = IFFA_PATHS_PARAMS_INIT;
	const iffa_finding *path;
	iffa_findings *f;

	tg_flow(g, a, b, 10e6, 0, IFFA_CHANNEL_NONE, IFFA_KIND_RANSOM, 7);
	tg_flow(g, b, c, 9e6, 40 * 24, IFFA_CHANNEL_BANK, IFFA_KIND_TRANSFER, 1);
	tg_finish(g);
	f = run_paths(g, &p);
	cr_assert_eq(iffa_findings_count(f), 0);
	iffa_findings_free(f);

	p.dwell = 45 * IFFA_PATHS_DAY;
	f = run_paths(g, &p);
	path = tg_find(f, "cross_border_path", -1);
	cr_assert_not_null(path);
	cr_assert_float_eq(path->score, 9.0 * 5 / 38, 1e-9, "%g", path->score);
	cr_assert(strstr(path->reason, "over 40.0 days"), "%s", path->reason);
	iffa_findings_free(f);
	iffa_flowgraph_free(g);
}

/* The same chain inside Mali is not reported; one country more and it is. */
Test(passes_paths, a_path_inside_one_country_is_not_reported)
{
	const char *last[2] = {"ML", "BF"};

	for (int i = 0; i < 2; i++) {
		iffa_flowgraph *g = tg_new(IFFA_LEVEL_ACCOUNT, 0);
		igraph_integer_t a = tg_account(g, 1, IFFA_ACCOUNT_BANK, "ML", 1, 0);
		igraph_integer_t b = tg_account(g, 2, IFFA_ACCOUNT_BANK, "ML", 2, 0);
		igraph_integer_t c = tg_account(g, 3, IFFA_ACCOUNT_BANK, last[i], 3, 0);
		iffa_findings *f;

		tg_flow(g, a, b, 10e6, 0, IFFA_CHANNEL_NONE, IFFA_KIND_LEVY, 3);
		tg_flow(g, b, c, 9e6, 5, IFFA_CHANNEL_MOBILE_MONEY, IFFA_KIND_TRANSFER, 1);
		tg_finish(g);
		f = run_paths(g, NULL);
		cr_assert_eq(tg_count(f, "cross_border_path"), (size_t)i, "%s", last[i]);
		if (i)
			cr_assert(strstr(tg_find(f, "cross_border_path", -1)->reason,
					 "9.0 M XOF of levy 3 from account 1 crossed ML\u2192BF"),
				  "%s", tg_find(f, "cross_border_path", -1)->reason);
		iffa_findings_free(f);
		iffa_flowgraph_free(g);
	}
}

/*
 * Rice for the group: B (designated) pays its supplier S (SN) 2 M and the
 * next layer C (SN) 9.8 M the same day. The money is allotted closest
 * amount first: C takes what B had, S's 2 M comes from nothing left. S
 * is not a member; C is.
 */
Test(passes_paths, ordinary_commerce_downstream_is_not_flagged)
{
	iffa_flowgraph *g = tg_new(IFFA_LEVEL_ACCOUNT, 0);
	igraph_integer_t d = tg_account(g, 1, IFFA_ACCOUNT_BANK, "ML", 1, IFFA_VERTEX_DESIGNATED);
	igraph_integer_t b = tg_account(g, 2, IFFA_ACCOUNT_BANK, "ML", 2, 0);
	igraph_integer_t s = tg_account(g, 3, IFFA_ACCOUNT_BANK, "SN", 3, 0);
	igraph_integer_t c = tg_account(g, 4, IFFA_ACCOUNT_BANK, "SN", 4, 0);
	iffa_findings *f;

	tg_flow(g, d, b, 10e6, 0, IFFA_CHANNEL_BANK, IFFA_KIND_TRANSFER, 1);
	tg_flow(g, b, s, 2e6, 2, IFFA_CHANNEL_BANK, IFFA_KIND_TRANSFER, 2);
	tg_flow(g, b, c, 9.8e6, 3, IFFA_CHANNEL_BANK, IFFA_KIND_TRANSFER, 3);
	tg_finish(g);
	f = run_paths(g, NULL);
	cr_assert(tg_flagged(f, d) && tg_flagged(f, b) && tg_flagged(f, c));
	cr_assert(!tg_flagged(f, s), "the supplier is not a member");
	cr_assert_eq(tg_count(f, "cross_border_path"), 1);
	iffa_findings_free(f);
	iffa_flowgraph_free(g);
}

/*
 * A busy broker H received 10 M of ransom money and 990 M of others' in
 * the month; of its 40 M payment to C (SN) 1 % is source money: 404,040
 * XOF, under the 500,000 XOF floor, so the walk stops at H and nothing
 * crosses.
 */
Test(passes_paths, money_fades_through_a_busy_broker)
{
	iffa_flowgraph *g = tg_new(IFFA_LEVEL_ACCOUNT, 0);
	igraph_integer_t a = tg_account(g, 1, IFFA_ACCOUNT_BANK, "ML", 1, 0);
	igraph_integer_t h = tg_account(g, 2, IFFA_ACCOUNT_HAWALA, "ML", 2, 0);
	igraph_integer_t c = tg_account(g, 3, IFFA_ACCOUNT_MOBILE_MONEY, "SN", 3, 0);
	iffa_findings *f;

	tg_flow(g, a, h, 10e6, 100, IFFA_CHANNEL_NONE, IFFA_KIND_RANSOM, 7);
	for (int i = 0; i < 99; i++) {
		igraph_integer_t x = tg_account(g, 100 + i, IFFA_ACCOUNT_MOBILE_MONEY, "ML", 100 + i, 0);
		tg_flow(g, x, h, 10e6, i, IFFA_CHANNEL_HAWALA, IFFA_KIND_TRANSFER, 10 + i);
	}
	tg_flow(g, h, c, 40e6, 101, IFFA_CHANNEL_HAWALA, IFFA_KIND_TRANSFER, 2);
	tg_finish(g);
	f = run_paths(g, NULL);
	cr_assert_eq(iffa_findings_count(f), 0);
	iffa_findings_free(f);
	iffa_flowgraph_free(g);
}

/*
 * Gold from a levied site S (ML, affected zone): S sells K a lot (K pays S
 * 5 M), K sells X in Senegal (5.5 M), X sells the refinery R in Dubai
 * (6 M). The gold is followed seller to buyer although the edges run buyer
 * to seller; the corridor is ML -> SN -> AE and the path carries 5 M.
 */
Test(passes_paths, gold_is_followed_from_seller_to_buyer)
{
	iffa_flowgraph *g = tg_new(IFFA_LEVEL_PARTY, 0);
	igraph_integer_t s = tg_party(g, 1, IFFA_PARTY_MINE_SITE, "ML", IFFA_VERTEX_AFFECTED_ZONE);
	igraph_integer_t k = tg_party(g, 2, IFFA_PARTY_COLLECTOR, "ML", 0);
	igraph_integer_t x = tg_party(g, 3, IFFA_PARTY_EXPORTER, "SN", 0);
	igraph_integer_t r = tg_party(g, 4, IFFA_PARTY_REFINERY, "AE", 0);
	const iffa_finding *path;
	iffa_paths_params p = IFFA_PATHS_PARAMS_INIT;
	iffa_findings *f;

	tg_flow(g, k, s, 5e6, 0, IFFA_CHANNEL_NONE, IFFA_KIND_GOLD, 1);
	tg_flow(g, x, k, 5.5e6, 72, IFFA_CHANNEL_NONE, IFFA_KIND_GOLD, 2);
	tg_flow(g, r, x, 6e6, 200, IFFA_CHANNEL_NONE, IFFA_KIND_GOLD, 3);
	tg_finish(g);
	p.sources = IFFA_PATHS_FROM_GOLD;
	f = run_paths(g, &p);
	path = tg_find(f, "cross_border_path", -1);
	cr_assert_not_null(path);
	cr_assert_float_eq(path->score, 5.0, 1e-9);
	cr_assert_eq(path->nevidence, 3);
	cr_assert_eq(path->evidence[0], tg_edge(g, k, s, 0));
	cr_assert_eq(path->evidence[2], tg_edge(g, r, x, 200));
	cr_assert(strstr(path->reason, "worth of gold of gold lot 1 from party 1 crossed "
				       "ML\u2192SN\u2192AE in 3 hops"),
		  "%s", path->reason);
	for (igraph_integer_t v = 0; v < 4; v++)
		cr_assert(tg_member(path, v), "vertex %lld", (long long)v);
	cr_assert(strstr(tg_find(f, "corridor", -1)->reason, "gold ML\u2192SN\u2192AE"));
	iffa_findings_free(f);

	/* A seller outside the zones who pays no levy is no source. */
	iffa_flowgraph_free(g);
	g = tg_new(IFFA_LEVEL_PARTY, 0);
	s = tg_party(g, 1, IFFA_PARTY_MINE_SITE, "ML", 0);
	k = tg_party(g, 2, IFFA_PARTY_COLLECTOR, "SN", 0);
	tg_flow(g, k, s, 5e6, 0, IFFA_CHANNEL_NONE, IFFA_KIND_GOLD, 1);
	tg_finish(g);
	f = run_paths(g, &p);
	cr_assert_eq(iffa_findings_count(f), 0);
	iffa_findings_free(f);
	iffa_flowgraph_free(g);
}

/*
 * A ransom's legs are one record: payer -> negotiator -> courier ->
 * recipient (three legs), then the recipient's hawala payment abroad. With
 * max_hops 2 the path still reaches Senegal: legs after the first do not
 * count.
 */
Test(passes_paths, a_ransoms_legs_do_not_count_against_max_hops)
{
	iffa_flowgraph *g = tg_new(IFFA_LEVEL_PARTY, 0);
	igraph_integer_t payer = tg_party(g, 1, IFFA_PARTY_COMPANY, "ML", 0);
	igraph_integer_t neg = tg_party(g, 2, IFFA_PARTY_PERSON, "ML", 0);
	igraph_integer_t cour = tg_party(g, 3, IFFA_PARTY_PERSON, "ML", 0);
	igraph_integer_t rec = tg_party(g, 4, IFFA_PARTY_PERSON, "ML", 0);
	igraph_integer_t ben = tg_party(g, 5, IFFA_PARTY_PERSON, "SN", 0);
	iffa_paths_params p = IFFA_PATHS_PARAMS_INIT;
	iffa_findings *f;

	tg_flow(g, payer, neg, 100e6, 10, IFFA_CHANNEL_NONE, IFFA_KIND_RANSOM, 9);
	tg_flow(g, neg, cour, 100e6, 10, IFFA_CHANNEL_NONE, IFFA_KIND_RANSOM, 9);
	tg_flow(g, cour, rec, 100e6, 10, IFFA_CHANNEL_NONE, IFFA_KIND_RANSOM, 9);
	tg_flow(g, rec, ben, 60e6, 30, IFFA_CHANNEL_HAWALA, IFFA_KIND_TRANSFER, 1);
	tg_finish(g);
	p.max_hops = 2;
	f = run_paths(g, &p);
	cr_assert_eq(tg_count(f, "cross_border_path"), 1);
	cr_assert_eq(tg_find(f, "cross_border_path", -1)->nevidence, 4);
	cr_assert(tg_flagged(f, ben));
	iffa_findings_free(f);
	iffa_flowgraph_free(g);
}

/*
 * At account level the accounts of one party are one purse: the money
 * reaches B's bank account and leaves from B's wallet abroad. Both of B's
 * accounts are members.
 */
Test(passes_paths, an_owners_accounts_are_one_holder)
{
	iffa_flowgraph *g = tg_new(IFFA_LEVEL_ACCOUNT, 0);
	igraph_integer_t d = tg_account(g, 1, IFFA_ACCOUNT_CASH, "ML", 1, IFFA_VERTEX_ARMED_GROUP);
	igraph_integer_t b1 = tg_account(g, 2, IFFA_ACCOUNT_BANK, "ML", 2, 0);
	igraph_integer_t b2 = tg_account(g, 3, IFFA_ACCOUNT_MOBILE_MONEY, "ML", 2, 0);
	igraph_integer_t b3 = tg_account(g, 4, IFFA_ACCOUNT_CASH, "ML", 2, 0);
	igraph_integer_t c = tg_account(g, 5, IFFA_ACCOUNT_MOBILE_MONEY, "NE", 3, 0);
	iffa_paths_params p = IFFA_PATHS_PARAMS_INIT;
	iffa_findings *f;

	tg_flow(g, d, b1, 20e6, 0, IFFA_CHANNEL_CASH, IFFA_KIND_TRANSFER, 1);
	tg_flow(g, b2, c, 19e6, 20, IFFA_CHANNEL_MOBILE_MONEY, IFFA_KIND_TRANSFER, 2);
	tg_finish(g);
	f = run_paths(g, &p);
	cr_assert_eq(tg_count(f, "cross_border_path"), 1);
	cr_assert(tg_flagged(f, b1) && tg_flagged(f, b2) && tg_flagged(f, b3) && tg_flagged(f, c));
	iffa_findings_free(f);

	p.owner_accounts = 0;
	f = run_paths(g, &p);
	cr_assert(tg_flagged(f, b1) && tg_flagged(f, b2) && !tg_flagged(f, b3));
	iffa_findings_free(f);

	p.same_owner = 0;
	f = run_paths(g, &p);
	cr_assert_eq(iffa_findings_count(f), 0, "b1 and b2 apart: no path");
	iffa_findings_free(f);
	iffa_flowgraph_free(g);
}

/*
 * An aggregated edge is known by its first and last flow only: B -> C
 * merges flows at -120 h and +24 h, and a hop is taken when some of them
 * may follow the arrival at 0 h. With one edge per flow only the later
 * flow is evidence.
 */
Test(passes_paths, aggregated_edges_are_taken_when_some_flow_may_follow)
{
	for (int aggregate = 0; aggregate < 2; aggregate++) {
		iffa_flowgraph *g = tg_new(IFFA_LEVEL_ACCOUNT, aggregate);
		igraph_integer_t a = tg_account(g, 1, IFFA_ACCOUNT_BANK, "ML", 1, 0);
		igraph_integer_t b = tg_account(g, 2, IFFA_ACCOUNT_BANK, "ML", 2, 0);
		igraph_integer_t c = tg_account(g, 3, IFFA_ACCOUNT_BANK, "GN", 3, 0);
		const iffa_finding *path;
		iffa_findings *f;

		tg_flow(g, a, b, 10e6, 0, IFFA_CHANNEL_NONE, IFFA_KIND_LEVY, 1);
		tg_flow(g, b, c, 4e6, -120, IFFA_CHANNEL_BANK, IFFA_KIND_TRANSFER, 2);
		tg_flow(g, b, c, 6e6, 24, IFFA_CHANNEL_BANK, IFFA_KIND_TRANSFER, 3);
		tg_finish(g);
		f = run_paths(g, NULL);
		path = tg_find(f, "cross_border_path", -1);
		cr_assert_not_null(path, "aggregate %d", aggregate);
		cr_assert_eq(path->nevidence, 2);
		if (aggregate) {
			cr_assert_eq(path->evidence[1], tg_edge(g, b, c, -120));
			cr_assert_float_eq(path->score, 10.0, 1e-9, "%g", path->score);
		} else {
			cr_assert_eq(path->evidence[1], tg_edge(g, b, c, 24));
			cr_assert_float_eq(path->score, 6.0, 1e-9, "%g", path->score);
		}
		iffa_findings_free(f);
		iffa_flowgraph_free(g);
	}
}

Test(passes_paths, parameters_out_of_range_are_refused)
{
	iffa_flowgraph *g = tg_new(IFFA_LEVEL_ACCOUNT, 0);
	iffa_paths_params p = IFFA_PATHS_PARAMS_INIT;
	iffa_findings *f = NULL;

	tg_account(g, 1, IFFA_ACCOUNT_BANK, "ML", 1, 0);
	tg_finish(g);
	cr_assert_eq(iffa_findings_new(&f), 0);
	p.max_hops = 0;
	cr_assert_eq(iffa_pass_paths(f, g, &p), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "max_hops 0 (1..32)"), "%s", iffa_error_last());
	p.max_hops = 6;
	p.member_share = 1.5;
	cr_assert_eq(iffa_pass_paths(f, g, &p), IFFA_EINVAL);
	p.member_share = 0.5;
	p.sources = 0x100;
	cr_assert_eq(iffa_pass_paths(f, g, &p), IFFA_EINVAL);
	p.sources = IFFA_PATHS_FROM_ALL;
	cr_assert_eq(iffa_pass_paths(f, g, &p), 0);
	cr_assert_eq(iffa_findings_count(f), 0);
	iffa_findings_free(f);
	iffa_flowgraph_free(g);
}


/*
 * Relay chains. O (ML) pays H1 (ML) 10 M at 0 h; H1 pays H2 (SN) 9.85 M at
 * 3 h, H2 pays H3 (ML) 9.7 M at 6 h, H3 pays D (SN) 9.55 M at 9 h: no
 * source anywhere, four hops, three borders, each holder passing on all it
 * received (share 1) within hours. The chain carries its last hop, 9.55 M.
 * Its tails (from H1, from H2) are three hops or fewer and are not reported.
 */
static iffa_flowgraph *relay(int aggregate, double third_hop_at, double hops)
{
	iffa_flowgraph *g = tg_new(IFFA_LEVEL_ACCOUNT, aggregate);
	igraph_integer_t o = tg_account(g, 1, IFFA_ACCOUNT_BANK, "ML", 1, 0);
	igraph_integer_t h1 = tg_account(g, 2, IFFA_ACCOUNT_BANK, "ML", 2, 0);
	igraph_integer_t h2 = tg_account(g, 3, IFFA_ACCOUNT_MOBILE_MONEY, "SN", 3, 0);
	igraph_integer_t h3 = tg_account(g, 4, IFFA_ACCOUNT_BANK, "ML", 4, 0);
	igraph_integer_t d = tg_account(g, 5, IFFA_ACCOUNT_BANK, "SN", 5, 0);

	tg_flow(g, o, h1, 10e6, 0, IFFA_CHANNEL_BANK, IFFA_KIND_TRANSFER, 1);
	tg_flow(g, h1, h2, 9.85e6, 3, IFFA_CHANNEL_MOBILE_MONEY, IFFA_KIND_TRANSFER, 2);
	tg_flow(g, h2, h3, 9.7e6, third_hop_at, IFFA_CHANNEL_MOBILE_MONEY, IFFA_KIND_TRANSFER, 3);
	if (hops >= 4)
		tg_flow(g, h3, d, 9.55e6, third_hop_at + 3, IFFA_CHANNEL_BANK, IFFA_KIND_TRANSFER, 4);
	tg_finish(g);
	return g;
}

Test(passes_paths, a_relay_across_borders_is_found_without_any_source)
{
	iffa_flowgraph *g = relay(0, 6, 4);
	const iffa_finding *r;
	iffa_findings *f = run_paths(g, NULL);

	cr_assert_eq(tg_count(f, "relay_chain"), 1);
	cr_assert_eq(tg_count(f, "cross_border_path"), 0, "no source, no source path");
	r = tg_find(f, "relay_chain", -1);
	cr_assert_eq(r->subject_type, IFFA_SUBJECT_PATH);
	cr_assert_float_eq(r->score, 9.55, 1e-9, "carries %g M", r->score);
	cr_assert_eq(r->nevidence, 4);
	cr_assert_eq(r->evidence[0], tg_edge(g, 0, 1, 0));
	cr_assert_eq(r->evidence[3], tg_edge(g, 3, 4, 9));
	for (igraph_integer_t v = 0; v < 5; v++)
		cr_assert(tg_member(r, v), "vertex %lld", (long long)v);
	cr_assert(strstr(r->reason, "9.6 M XOF of 10.0 M relayed on through 4 hops over 9 h across "
				    "ML\u2192SN\u2192ML\u2192SN (3 borders)"),
		  "%s", r->reason);
	iffa_findings_free(f);
	iffa_flowgraph_free(g);
}

Test(passes_paths, three_quick_hops_over_the_border_are_trade_not_a_relay)
{
	iffa_flowgraph *g = relay(0, 6, 3);
	iffa_findings *f = run_paths(g, NULL);

	cr_assert_eq(tg_count(f, "relay_chain"), 0);
	iffa_findings_free(f);
	iffa_flowgraph_free(g);
}

/* H2 holds the money 72 h, past relay_dwell (48 h): the chain breaks there. */
Test(passes_paths, a_relay_held_past_its_dwell_time_breaks)
{
	iffa_flowgraph *g = relay(0, 3 + 72, 4);
	iffa_paths_params p = IFFA_PATHS_PARAMS_INIT;
	iffa_findings *f = run_paths(g, NULL);

	cr_assert_eq(tg_count(f, "relay_chain"), 0);
	iffa_findings_free(f);
	/* with a longer dwell it is one chain again; with relay_min_hops 0 none is looked for */
	p.relay_dwell = 4 * IFFA_PATHS_DAY;
	f = run_paths(g, &p);
	cr_assert_eq(tg_count(f, "relay_chain"), 1);
	iffa_findings_free(f);
	p.relay_min_hops = 0;
	f = run_paths(g, &p);
	cr_assert_eq(tg_count(f, "relay_chain"), 0);
	iffa_findings_free(f);
	iffa_flowgraph_free(g);
}

/*
 * On an aggregated graph H2 -> H3 also carries a payment a month later:
 * the merged edge spans 30 days, which is trade between the two, not a
 * burst; the chain is cut before it and is too short to report.
 */
Test(passes_paths, a_merged_edge_spanning_months_is_not_a_relay_hop)
{
	iffa_flowgraph *g = tg_new(IFFA_LEVEL_ACCOUNT, 1);
	igraph_integer_t v[5];
	const char *cc[5] = {"ML", "ML", "SN", "ML", "SN"};
	iffa_findings *f;

	for (int i = 0; i < 5; i++)
		v[i] = tg_account(g, i + 1, IFFA_ACCOUNT_BANK, cc[i], i + 1, 0);
	tg_flow(g, v[0], v[1], 10e6, 0, IFFA_CHANNEL_BANK, IFFA_KIND_TRANSFER, 1);
	tg_flow(g, v[1], v[2], 9.85e6, 3, IFFA_CHANNEL_BANK, IFFA_KIND_TRANSFER, 2);
	tg_flow(g, v[2], v[3], 9.7e6, 6, IFFA_CHANNEL_BANK, IFFA_KIND_TRANSFER, 3);
	tg_flow(g, v[2], v[3], 2e6, 6 + 30 * 24, IFFA_CHANNEL_BANK, IFFA_KIND_TRANSFER, 5);
	tg_flow(g, v[3], v[4], 9.55e6, 9, IFFA_CHANNEL_BANK, IFFA_KIND_TRANSFER, 4);
	tg_finish(g);
	f = run_paths(g, NULL);
	cr_assert_eq(tg_count(f, "relay_chain"), 0);
	iffa_findings_free(f);
	iffa_flowgraph_free(g);
}

/*
 * Trace out of A and into D on the first test's chain: the same route
 * either way, hops in the order the money moved.
 */
Test(passes_paths, trace_follows_one_subject_both_ways)
{
	iffa_flowgraph *g = tg_new(IFFA_LEVEL_ACCOUNT, 0);
	igraph_integer_t a = tg_account(g, 1, IFFA_ACCOUNT_BANK, "ML", 1, 0);
	igraph_integer_t b = tg_account(g, 2, IFFA_ACCOUNT_BANK, "ML", 2, 0);
	igraph_integer_t c = tg_account(g, 3, IFFA_ACCOUNT_BANK, "SN", 3, 0);
	igraph_integer_t d = tg_account(g, 4, IFFA_ACCOUNT_BANK, "SN", 4, 0);
	iffa_trace_options o = IFFA_TRACE_OPTIONS_INIT;
	iffa_trace_result r;

	tg_flow(g, a, b, 10e6, 0, IFFA_CHANNEL_NONE, IFFA_KIND_RANSOM, 7);
	tg_flow(g, b, c, 3e6, 24, IFFA_CHANNEL_BANK, IFFA_KIND_TRANSFER, 1);
	tg_flow(g, c, d, 8e6, 48, IFFA_CHANNEL_BANK, IFFA_KIND_TRANSFER, 2);
	/* Backwards in time from B: never part of a path out of A. */
	tg_flow(g, b, d, 5e6, -10, IFFA_CHANNEL_BANK, IFFA_KIND_TRANSFER, 3);
	tg_finish(g);

	cr_assert_eq(iffa_paths_trace(&r, g, IFFA_KEY_ACCOUNT(1), &o), 0, "%s", iffa_error_last());
	cr_assert_eq(r.npaths, 1);
	cr_assert_eq(r.sources, 1);
	cr_assert_eq(r.paths[0].nhops, 3);
	cr_assert_float_eq(r.paths[0].amount, 3e6, 1e-3);
	cr_assert_eq(r.paths[0].ncountries, 2);
	cr_assert_str_eq(r.paths[0].countries[0], "ML");
	cr_assert_str_eq(r.paths[0].countries[1], "SN");
	cr_assert_eq(r.paths[0].hops[0].from, a);
	cr_assert_eq(r.paths[0].hops[2].to, d);
	iffa_trace_result_dispose(&r);

	o.direction = IFFA_TRACE_TO;
	cr_assert_eq(iffa_paths_trace(&r, g, IFFA_KEY_ACCOUNT(4), &o), 0, "%s", iffa_error_last());
	cr_assert_eq(r.npaths, 2, "B->D and A->B->C->D");
	cr_assert_eq(r.paths[0].nhops, 1);
	cr_assert_float_eq(r.paths[0].amount, 5e6, 1e-3);
	cr_assert_eq(r.paths[1].nhops, 3);
	cr_assert_float_eq(r.paths[1].amount, 3e6, 1e-3);
	cr_assert_eq(r.paths[1].hops[0].from, a, "money order");
	cr_assert_eq(r.paths[1].hops[2].to, d);
	iffa_trace_result_dispose(&r);

	cr_assert_eq(iffa_paths_trace(&r, g, IFFA_KEY_ACCOUNT(99), &o), IFFA_ENOTFOUND);
	iffa_trace_result_dispose(&r);
	o.max_hops = 40;
	cr_assert_eq(iffa_paths_trace(&r, g, IFFA_KEY_ACCOUNT(1), &o), IFFA_EINVAL);
	iffa_trace_result_dispose(&r);
	iffa_flowgraph_free(g);
}
