/*
 * The intermediaries pass on flow graphs built by hand: pass-through
 * accounts (and money held too long to be one), a busy broker that is not
 * flagged for handling one tainted payment, hawala hubs, cross-border
 * brokers and gateways to the formal system. Times are hours after
 * 2025-03-01 (graphs.h); each account has its own owner.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "iffa/passes.h"
#include "passes/graphs.h"

static iffa_findings *run_intermediaries(const iffa_flowgraph *g,
					  const iffa_intermediaries_params *p)
{
	iffa_findings *f = NULL;

	cr_assert_eq(iffa_findings_new(&f), 0);
	cr_assert_eq(iffa_pass_intermediaries(f, g, p), 0, "%s", iffa_error_last());
	return f;
}

/*
 * D (designated) pays X 10 M; X pays 5 M and 4.8 M to two wallets in
 * Senegal 20 and 36 hours later: in 10 M, out 9.8 M within 36 h.
 */
Test(passes_intermediaries, a_pass_through_account_is_found)
{
	iffa_flowgraph *g = tg_new(IFFA_LEVEL_ACCOUNT, 0);
	igraph_integer_t d = tg_account(g, 1, IFFA_ACCOUNT_BANK, "ML", 1, IFFA_VERTEX_DESIGNATED);
	igraph_integer_t x = tg_account(g, 2, IFFA_ACCOUNT_MOBILE_MONEY, "ML", 2, 0);
	igraph_integer_t y1 = tg_account(g, 3, IFFA_ACCOUNT_MOBILE_MONEY, "SN", 3, 0);
	igraph_integer_t y2 = tg_account(g, 4, IFFA_ACCOUNT_MOBILE_MONEY, "SN", 4, 0);
	const iffa_finding *fd;
	iffa_findings *f;

	tg_flow(g, d, x, 10e6, 0, IFFA_CHANNEL_BANK, IFFA_KIND_TRANSFER, 1);
	tg_flow(g, x, y1, 5e6, 20, IFFA_CHANNEL_MOBILE_MONEY, IFFA_KIND_TRANSFER, 2);
	tg_flow(g, x, y2, 4.8e6, 36, IFFA_CHANNEL_MOBILE_MONEY, IFFA_KIND_TRANSFER, 3);
	tg_finish(g);
	f = run_intermediaries(g, NULL);

	cr_assert_eq(iffa_findings_count(f), 1, "only X sits between");
	fd = iffa_findings_get(f, 0);
	cr_assert_str_eq(fd->pass, "intermediaries");
	cr_assert_str_eq(fd->kind, "pass_through");
	cr_assert_eq(fd->subject_type, IFFA_SUBJECT_ACCOUNT);
	cr_assert_eq(fd->subject, x);
	cr_assert_float_eq(fd->score, 10.0, 1e-9);
	cr_assert(strstr(fd->reason, "pass-through: received 10.0 M XOF (100% source money) from 1 "
				     "account in 0.0 days, paid 9.8 M XOF to 2 accounts in SN within "
				     "36 h (out/in 0.98)"),
		  "%s", fd->reason);
	cr_assert(strstr(fd->reason, "cross-border broker (representative): source money from ML "
				     "on to SN, itself in ML"),
		  "%s", fd->reason);
	cr_assert_eq(fd->nevidence, 3);
	cr_assert_eq(fd->evidence[0], tg_edge(g, d, x, 0));
	cr_assert(tg_evidence(fd, tg_edge(g, x, y1, 20)) && tg_evidence(fd, tg_edge(g, x, y2, 36)));
	cr_assert_eq(fd->nmembers, 1);
	cr_assert_eq(fd->members[0], x);
	iffa_findings_free(f);
	iffa_flowgraph_free(g);
}

/*
 * The same 10 M held: paid on after 10 days (within the dwell time, past
 * the 72 h of a pass-through) to a wallet in Mali, or after 90 days abroad
 * (past the dwell time: no marked flow leaves X). Neither makes X an
 * intermediary.
 */
Test(passes_intermediaries, money_held_for_long_is_not_a_pass_through)
{
	const double later[2] = {10 * 24, 90 * 24};
	const char *where[2] = {"ML", "SN"};

	for (int i = 0; i < 2; i++) {
		iffa_flowgraph *g = tg_new(IFFA_LEVEL_ACCOUNT, 0);
		igraph_integer_t d = tg_account(g, 1, IFFA_ACCOUNT_BANK, "ML", 1, IFFA_VERTEX_DESIGNATED);
		igraph_integer_t x = tg_account(g, 2, IFFA_ACCOUNT_MOBILE_MONEY, "ML", 2, 0);
		igraph_integer_t y = tg_account(g, 3, IFFA_ACCOUNT_MOBILE_MONEY, where[i], 3, 0);
		iffa_findings *f;

		tg_flow(g, d, x, 10e6, 0, IFFA_CHANNEL_BANK, IFFA_KIND_TRANSFER, 1);
		tg_flow(g, x, y, 9.8e6, later[i], IFFA_CHANNEL_MOBILE_MONEY, IFFA_KIND_TRANSFER, 2);
		tg_finish(g);
		f = run_intermediaries(g, NULL);
		cr_assert_eq(iffa_findings_count(f), 0, "after %g h: %s", later[i],
			     iffa_findings_count(f) ? iffa_findings_get(f, 0)->reason : "");
		iffa_findings_free(f);
		iffa_flowgraph_free(g);
	}
}

/*
 * A busy hawala broker B passes 10 M of a designated party's money to
 * Senegal within the hour, while 70 of its clients bring it 700 M over the
 * next 72 h: 1.4 % of what it received was source money. Not flagged.
 * With a quiet broker (no clients) the same flows make it a pass-through.
 */
Test(passes_intermediaries, a_busy_broker_is_not_flagged_for_one_payment)
{
	for (int busy = 1; busy >= 0; busy--) {
		iffa_flowgraph *g = tg_new(IFFA_LEVEL_ACCOUNT, 0);
		igraph_integer_t d = tg_account(g, 1, IFFA_ACCOUNT_CASH, "ML", 1, IFFA_VERTEX_DESIGNATED);
		igraph_integer_t b = tg_account(g, 2, IFFA_ACCOUNT_HAWALA, "ML", 2, 0);
		igraph_integer_t z = tg_account(g, 3, IFFA_ACCOUNT_HAWALA, "SN", 3, 0);
		iffa_findings *f;

		tg_flow(g, d, b, 10e6, 100, IFFA_CHANNEL_HAWALA, IFFA_KIND_TRANSFER, 1);
		tg_flow(g, b, z, 10e6, 101, IFFA_CHANNEL_HAWALA, IFFA_KIND_TRANSFER, 2);
		for (int i = 0; busy && i < 70; i++) {
			igraph_integer_t c = tg_account(g, 10 + i, IFFA_ACCOUNT_MOBILE_MONEY, "ML", 10 + i, 0);
			tg_flow(g, c, b, 10e6, 102 + i, IFFA_CHANNEL_HAWALA, IFFA_KIND_TRANSFER, 10 + i);
		}
		tg_finish(g);
		f = run_intermediaries(g, NULL);
		cr_assert_eq(tg_flagged(f, b), !busy, "busy %d", busy);
		iffa_findings_free(f);
		iffa_flowgraph_free(g);
	}
}

/*
 * Three designated parties each hand hawala broker H 5 M; H pays 14.5 M
 * to Senegal five days later (not a pass-through within 72 h): a hawala
 * hub for three sources, and a cross-border broker.
 */
Test(passes_intermediaries, a_hawala_hub_connects_many_sources)
{
	iffa_flowgraph *g = tg_new(IFFA_LEVEL_ACCOUNT, 0);
	igraph_integer_t h = tg_account(g, 10, IFFA_ACCOUNT_HAWALA, "ML", 10, 0);
	igraph_integer_t z = tg_account(g, 11, IFFA_ACCOUNT_HAWALA, "SN", 11, 0);
	iffa_intermediaries_params p = IFFA_INTERMEDIARIES_PARAMS_INIT;
	const iffa_finding *fd;
	iffa_findings *f;

	for (int i = 0; i < 3; i++) {
		igraph_integer_t d = tg_account(g, 1 + i, IFFA_ACCOUNT_CASH, "ML", 1 + i,
						IFFA_VERTEX_DESIGNATED);
		tg_flow(g, d, h, 5e6, 10 * i, IFFA_CHANNEL_HAWALA, IFFA_KIND_TRANSFER, 1 + i);
	}
	tg_flow(g, h, z, 14.5e6, 120, IFFA_CHANNEL_HAWALA, IFFA_KIND_TRANSFER, 9);
	tg_finish(g);
	f = run_intermediaries(g, &p);
	cr_assert_eq(iffa_findings_count(f), 1);
	fd = iffa_findings_get(f, 0);
	cr_assert_str_eq(fd->kind, "hawala_hub");
	cr_assert_eq(fd->subject, h);
	cr_assert(strstr(fd->reason, "hawala hub for 3 sources (0 ransoms, 0 levies, 0 gold lots, "
				     "3 designated payers)"),
		  "%s", fd->reason);
	cr_assert(strstr(fd->reason, "cross-border broker (representative)"), "%s", fd->reason);
	cr_assert_eq(fd->nevidence, 4);
	iffa_findings_free(f);

	/* Four sources needed: a broker, not a hub. */
	p.hub_sources = 4;
	f = run_intermediaries(g, &p);
	cr_assert_str_eq(tg_find(f, NULL, h)->kind, "cross_border_broker");
	iffa_findings_free(f);
	iffa_flowgraph_free(g);
}

/* X in Mali between a payer in Niger and a payee in Senegal: a liaison. */
Test(passes_intermediaries, a_cross_border_broker_names_its_role)
{
	iffa_flowgraph *g = tg_new(IFFA_LEVEL_PARTY, 0);
	igraph_integer_t n = tg_party(g, 1, IFFA_PARTY_PERSON, "NE", IFFA_VERTEX_DESIGNATED);
	igraph_integer_t x = tg_party(g, 2, IFFA_PARTY_PERSON, "ML", 0);
	igraph_integer_t y = tg_party(g, 3, IFFA_PARTY_PERSON, "SN", 0);
	const iffa_finding *fd;
	iffa_findings *f;

	tg_flow(g, n, x, 5e6, 0, IFFA_CHANNEL_MOBILE_MONEY, IFFA_KIND_TRANSFER, 1);
	tg_flow(g, x, y, 4.9e6, 100, IFFA_CHANNEL_MOBILE_MONEY, IFFA_KIND_TRANSFER, 2);
	tg_finish(g);
	f = run_intermediaries(g, NULL);
	cr_assert_eq(iffa_findings_count(f), 1);
	fd = iffa_findings_get(f, 0);
	cr_assert_str_eq(fd->kind, "cross_border_broker");
	cr_assert_eq(fd->subject_type, IFFA_SUBJECT_PARTY);
	cr_assert_eq(fd->subject, x);
	cr_assert(strstr(fd->reason, "cross-border broker (liaison): source money from NE on to SN, "
				     "itself in ML"),
		  "%s", fd->reason);
	iffa_findings_free(f);
	iffa_flowgraph_free(g);
}

/*
 * D -> A -> B -> bank account K, a hop every 100 hours (no pass-through,
 * no border, no hawala): A and B are on every marked route from the
 * source to the formal system, gateways.
 */
Test(passes_intermediaries, gateways_sit_between_sources_and_banks)
{
	iffa_flowgraph *g = tg_new(IFFA_LEVEL_ACCOUNT, 0);
	igraph_integer_t d = tg_account(g, 1, IFFA_ACCOUNT_CASH, "ML", 1, IFFA_VERTEX_ARMED_GROUP);
	igraph_integer_t a = tg_account(g, 2, IFFA_ACCOUNT_MOBILE_MONEY, "ML", 2, 0);
	igraph_integer_t b = tg_account(g, 3, IFFA_ACCOUNT_MOBILE_MONEY, "ML", 3, 0);
	igraph_integer_t k = tg_account(g, 4, IFFA_ACCOUNT_BANK, "ML", 4, 0);
	iffa_intermediaries_params p = IFFA_INTERMEDIARIES_PARAMS_INIT;
	const iffa_finding *fd;
	iffa_findings *f;

	tg_flow(g, d, a, 10e6, 0, IFFA_CHANNEL_MOBILE_MONEY, IFFA_KIND_TRANSFER, 1);
	tg_flow(g, a, b, 10e6, 100, IFFA_CHANNEL_MOBILE_MONEY, IFFA_KIND_TRANSFER, 2);
	tg_flow(g, b, k, 10e6, 200, IFFA_CHANNEL_BANK, IFFA_KIND_TRANSFER, 3);
	tg_finish(g);
	f = run_intermediaries(g, &p);
	cr_assert_eq(iffa_findings_count(f), 2);
	for (int i = 0; i < 2; i++) {
		fd = tg_find(f, "gateway", i ? b : a);
		cr_assert_not_null(fd);
		cr_assert(strstr(fd->reason, "gateway: on 100% of the shortest marked routes from "
					     "sources to the formal system in its component (1 of 1 "
					     "sources, seed 1)"),
			  "%s", fd->reason);
	}
	cr_assert(!tg_flagged(f, d) && !tg_flagged(f, k));
	iffa_findings_free(f);

	/* Sampled: a cap of one source still finds them, and says so. */
	p.max_betweenness_sources = 1;
	f = run_intermediaries(g, &p);
	cr_assert_eq(iffa_findings_count(f), 2);
	iffa_findings_free(f);
	iffa_flowgraph_free(g);
}

Test(passes_intermediaries, parameters_out_of_range_are_refused)
{
	iffa_flowgraph *g = tg_new(IFFA_LEVEL_ACCOUNT, 0);
	iffa_intermediaries_params p = IFFA_INTERMEDIARIES_PARAMS_INIT;
	iffa_findings *f = NULL;

	tg_account(g, 1, IFFA_ACCOUNT_BANK, "ML", 1, 0);
	tg_finish(g);
	cr_assert_eq(iffa_findings_new(&f), 0);
	p.pass_ratio_high = 0.5;
	cr_assert_eq(iffa_pass_intermediaries(f, g, &p), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "pass ratio 0.8..0.5"), "%s", iffa_error_last());
	p.pass_ratio_high = 1.2;
	p.walk.dwell = -1;
	cr_assert_eq(iffa_pass_intermediaries(f, g, &p), IFFA_EINVAL);
	p.walk.dwell = IFFA_PATHS_DAY;
	cr_assert_eq(iffa_pass_intermediaries(f, g, &p), 0);
	cr_assert_eq(iffa_findings_count(f), 0);
	iffa_findings_free(f);
	iffa_flowgraph_free(g);
}
