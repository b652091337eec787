/*
 * The exposure pass on hand-built graphs whose taint, funding, paths and
 * hops are worked out by hand in the comments.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "graph/flowgraph.h"
#include "iffa/passes.h"

static void setup(void)
{
	iffa_init();
}

TestSuite(passes_exposure, .init = setup);

/* n account vertices 0..n-1 (keys 2..), owner party[i] (-1 none), flags[i]. */
static iffa_flowgraph *graph(int n, const int64_t *party, const unsigned *flags)
{
	iffa_flowgraph *g;

	cr_assert_eq(iffa_flowgraph__new(&g, IFFA_LEVEL_ACCOUNT, 1), 0);
	for (int i = 0; i < n; i++) {
		iffa_flowgraph__vertex v = {IFFA_KEY_ACCOUNT(i + 1), IFFA_ACCOUNT_BANK, "ML",
					    party ? party[i] : -1, flags ? flags[i] : 0};
		cr_assert_eq(iffa_flowgraph__add_vertex(NULL, g, &v), 0, "%s", iffa_error_last());
	}
	/* parties find their lowest account, as the ingest makes them */
	for (int i = 0; party && i < n; i++) {
		int first = 1;
		for (int j = 0; j < i; j++)
			first &= party[j] != party[i];
		if (party[i] >= 0 && first)
			cr_assert_eq(iffa_flowgraph__alias(g, IFFA_KEY_PARTY(party[i]), IFFA_KEY_ACCOUNT(i + 1)), 0);
	}
	return g;
}

static void flow(iffa_flowgraph *g, int a, int b, double xof, int64_t t, iffa_record_kind k)
{
	cr_assert_eq(iffa_flowgraph__add_flow(g, a, b, xof, t,
					      k == IFFA_KIND_TRANSFER ? IFFA_CHANNEL_BANK : IFFA_CHANNEL_NONE,
					      k, t),
		     0, "%s", iffa_error_last());
}

static igraph_integer_t edge_of(const iffa_flowgraph *g, int a, int b)
{
	igraph_integer_t e;

	cr_assert_eq(igraph_get_eid(iffa_flowgraph_igraph(g), &e, a, b, 1, 1), IGRAPH_SUCCESS);
	return e;
}

/*
 * 0 designated. 0 -> 1 100 (t1); 2 -> 1 100 (t2, clean); 1 -> 3 50 (t3).
 * 1 holds 200 of which 100 tainted: taint(1) = 0.5; the 50 it pays carry
 * 25, so taint(3) = 0.5. 4 -> 3 at t0 comes before any taint: clean, and
 * 3's inflow is 50 + 50, taint(3) = 25 / 100 = 0.25.
 */
Test(passes_exposure, taint_mixes_in_proportion_and_respects_time)
{
	unsigned flags[5] = {IFFA_VERTEX_DESIGNATED, 0, 0, 0, 0};
	iffa_flowgraph *g = graph(5, NULL, flags);
	iffa_exposure_params p = IFFA_EXPOSURE_PARAMS_INIT;
	iffa_exposure *x;
	iffa_exposure_result r;

	flow(g, 0, 1, 100, 1, IFFA_KIND_TRANSFER);
	flow(g, 2, 1, 100, 2, IFFA_KIND_TRANSFER);
	flow(g, 1, 3, 50, 3, IFFA_KIND_TRANSFER);
	flow(g, 4, 3, 50, 0, IFFA_KIND_TRANSFER);
	cr_assert_eq(iffa_flowgraph__finish(g), 0);
	cr_assert_eq(iffa_exposure_new(&x, g, &p), 0, "%s", iffa_error_last());

	cr_assert_eq(iffa_exposure_of(&r, x, 1), 0);
	cr_assert_float_eq(r.taint, 0.5, 1e-12);
	cr_assert_float_eq(r.tainted_xof, 100, 1e-9);
	cr_assert_eq(r.hops, 1);
	cr_assert_eq(r.way, IFFA_EXPOSURE_PROCEEDS);
	iffa_exposure_result_dispose(&r);

	cr_assert_eq(iffa_exposure_of(&r, x, 3), 0);
	cr_assert_float_eq(r.taint, 0.25, 1e-12);
	cr_assert_float_eq(r.tainted_xof, 25, 1e-9);
	cr_assert_eq(r.hops, 2);
	/* the path back to the source, in money order */
	cr_assert_eq(r.npath, 2);
	cr_assert_eq(r.path[0], edge_of(g, 0, 1));
	cr_assert_eq(r.path[1], edge_of(g, 1, 3));
	cr_assert(r.ppr_from > 0);
	iffa_exposure_result_dispose(&r);

	cr_assert_eq(iffa_exposure_of(&r, x, 0), 0);
	cr_assert_eq(r.way, IFFA_EXPOSURE_SOURCE);
	cr_assert_eq(r.hops, 0);
	cr_assert_float_eq(r.score, 1, 1e-12);
	iffa_exposure_result_dispose(&r);

	cr_assert_eq(iffa_exposure_of(&r, x, 4), 0);
	cr_assert_eq(r.way, IFFA_EXPOSURE_NONE);
	cr_assert_eq(r.flagged, 0);
	cr_assert_eq(r.npath, 0);
	iffa_exposure_result_dispose(&r);
	cr_assert_eq(iffa_exposure_of(&r, x, 5), IFFA_EINVAL);

	iffa_exposure_free(x);
	iffa_flowgraph_free(g);
}

/*
 * A vertex that received 10 tainted pays 100 later: only what it held can
 * be tainted, so its payee gets 10 of 100 (0.1), not 100.
 */
Test(passes_exposure, a_vertex_passes_on_no_more_taint_than_it_held)
{
	unsigned flags[3] = {IFFA_VERTEX_ARMED_GROUP, 0, 0};
	iffa_flowgraph *g = graph(3, NULL, flags);
	iffa_exposure_params p = IFFA_EXPOSURE_PARAMS_INIT;
	iffa_exposure *x;
	iffa_exposure_result r;

	flow(g, 0, 1, 10, 1, IFFA_KIND_TRANSFER);
	flow(g, 1, 2, 100, 2, IFFA_KIND_TRANSFER);
	cr_assert_eq(iffa_flowgraph__finish(g), 0);
	cr_assert_eq(iffa_exposure_new(&x, g, &p), 0, "%s", iffa_error_last());
	cr_assert_eq(iffa_exposure_of(&r, x, 2), 0);
	cr_assert_float_eq(r.taint, 0.1, 1e-12);
	cr_assert_float_eq(r.tainted_xof, 10, 1e-9);
	iffa_exposure_result_dispose(&r);
	iffa_exposure_free(x);
	iffa_flowgraph_free(g);
}

/*
 * Funding, backwards: 0 -> 1 100 (t1); 1 -> 2 designated 60 (t2); 1 -> 3
 * 40 (t3). Of what 1 pays after receiving, 60 of 100 reach the source:
 * funding(0) = 0.6, and a levy 4 -> 5 makes 4's outflow all funding.
 */
Test(passes_exposure, funding_follows_money_backwards_to_the_sources)
{
	unsigned flags[6] = {0, 0, IFFA_VERTEX_DESIGNATED, 0, 0, 0};
	iffa_flowgraph *g = graph(6, NULL, flags);
	iffa_exposure_params p = IFFA_EXPOSURE_PARAMS_INIT;
	iffa_exposure *x;
	iffa_exposure_result r;

	flow(g, 0, 1, 100, 1, IFFA_KIND_TRANSFER);
	flow(g, 1, 2, 60, 2, IFFA_KIND_TRANSFER);
	flow(g, 1, 3, 40, 3, IFFA_KIND_TRANSFER);
	flow(g, 4, 5, 30, 4, IFFA_KIND_LEVY);
	cr_assert_eq(iffa_flowgraph__finish(g), 0);
	cr_assert_eq(iffa_exposure_new(&x, g, &p), 0, "%s", iffa_error_last());
	cr_assert_eq(iffa_exposure_of(&r, x, 0), 0);
	cr_assert_float_eq(r.funding, 0.6, 1e-12);
	cr_assert_float_eq(r.funding_xof, 60, 1e-9);
	cr_assert_eq(r.way, IFFA_EXPOSURE_FUNDING);
	cr_assert_eq(r.npath, 2);
	cr_assert_eq(r.path[0], edge_of(g, 0, 1));
	cr_assert_eq(r.path[1], edge_of(g, 1, 2));
	iffa_exposure_result_dispose(&r);
	cr_assert_eq(iffa_exposure_of(&r, x, 4), 0);
	cr_assert_eq(r.way, IFFA_EXPOSURE_RECORD);
	cr_assert_float_eq(r.funding, 1.0, 1e-12);
	iffa_exposure_result_dispose(&r);
	/* the collector of a levy receives money that finances the group */
	cr_assert_eq(iffa_exposure_of(&r, x, 5), 0);
	cr_assert_float_eq(r.taint, 1.0, 1e-12);
	iffa_exposure_result_dispose(&r);
	iffa_exposure_free(x);
	iffa_flowgraph_free(g);
}

/*
 * Accounts 1 and 2 belong to party 7: 0 (designated) pays account 1, and
 * account 2 pays 3. With pooling the taint crosses; without, it does not.
 */
Test(passes_exposure, a_party_pools_the_money_of_its_accounts)
{
	int64_t party[4] = {5, 7, 7, 9};
	unsigned flags[4] = {IFFA_VERTEX_DESIGNATED, 0, 0, 0};
	iffa_flowgraph *g = graph(4, party, flags);
	iffa_exposure_params p = IFFA_EXPOSURE_PARAMS_INIT;
	iffa_exposure *x;
	iffa_exposure_result r;

	flow(g, 0, 1, 5e6, 1, IFFA_KIND_TRANSFER);
	flow(g, 2, 3, 4e6, 2, IFFA_KIND_TRANSFER);
	cr_assert_eq(iffa_flowgraph__finish(g), 0);
	cr_assert_eq(iffa_exposure_new(&x, g, &p), 0, "%s", iffa_error_last());
	cr_assert_eq(iffa_exposure_of(&r, x, 3), 0);
	cr_assert_float_eq(r.taint, 1.0, 1e-12);
	cr_assert_eq(r.npath, 2);
	cr_assert_eq(r.hops, 2);
	iffa_exposure_result_dispose(&r);
	iffa_exposure_free(x);

	p.pool_party = 0;
	cr_assert_eq(iffa_exposure_new(&x, g, &p), 0, "%s", iffa_error_last());
	cr_assert_eq(iffa_exposure_of(&r, x, 3), 0);
	cr_assert_float_eq(r.taint, 0.0, 1e-12);
	cr_assert_eq(r.flagged, 0);
	iffa_exposure_result_dispose(&r);
	iffa_exposure_free(x);
	iffa_flowgraph_free(g);
}

/*
 * Findings: the source, the payee of 5 M from it (proceeds, score 1), a
 * vertex tainted below the threshold and one tainted enough but below
 * min_xof are not reported.
 */
Test(passes_exposure, findings_respect_threshold_and_min_xof_and_carry_paths)
{
	unsigned flags[6] = {IFFA_VERTEX_DESIGNATED, 0, 0, 0, 0, 0};
	iffa_flowgraph *g = graph(6, NULL, flags);
	iffa_exposure_params p = IFFA_EXPOSURE_PARAMS_INIT;
	iffa_findings *f;
	int seen[6] = {0};

	flow(g, 0, 1, 5e6, 1, IFFA_KIND_TRANSFER);   /* 1: taint 1, 5 M */
	flow(g, 0, 2, 2e6, 1, IFFA_KIND_TRANSFER);   /* 2: taint 2 / 12 < 0.25 */
	flow(g, 3, 2, 10e6, 2, IFFA_KIND_TRANSFER);
	flow(g, 0, 4, 0.5e6, 1, IFFA_KIND_TRANSFER); /* 4: taint 1 but 0.5 M */
	flow(g, 5, 3, 1e6, 0, IFFA_KIND_TRANSFER);
	cr_assert_eq(iffa_flowgraph__finish(g), 0);
	cr_assert_eq(iffa_findings_new(&f), 0);
	cr_assert_eq(iffa_pass_exposure(f, g, &p), 0, "%s", iffa_error_last());
	for (size_t i = 0; i < iffa_findings_count(f); i++) {
		const iffa_finding *fd = iffa_findings_get(f, i);
		cr_assert_str_eq(fd->pass, "exposure");
		cr_assert_gt(fd->nevidence, 0);
		cr_assert_eq(fd->nmembers, 1);
		cr_assert_eq(fd->members[0], fd->subject);
		seen[fd->subject] = 1;
		if (fd->subject == 1) {
			cr_assert_str_eq(fd->kind, "proceeds");
			cr_assert_float_eq(fd->score, 1.0, 1e-12);
			cr_assert_eq(fd->evidence[0], edge_of(g, 0, 1));
		}
	}
	cr_assert(seen[0] && seen[1]);
	cr_assert(!seen[2] && !seen[3] && !seen[4] && !seen[5]);
	iffa_findings_free(f);

	/* lower bars flag 4 (taint 1, 0.5 M) but still not 2 (taint 1/6) */
	p.min_xof = 1e5;
	cr_assert_eq(iffa_findings_new(&f), 0);
	cr_assert_eq(iffa_pass_exposure(f, g, &p), 0);
	memset(seen, 0, sizeof(seen));
	for (size_t i = 0; i < iffa_findings_count(f); i++)
		seen[iffa_findings_get(f, i)->subject] = 1;
	cr_assert(seen[4] && !seen[2]);
	iffa_findings_free(f);
	iffa_flowgraph_free(g);
}

Test(passes_exposure, bad_parameters_are_refused)
{
	iffa_flowgraph *g = graph(1, NULL, NULL);
	iffa_exposure_params p = IFFA_EXPOSURE_PARAMS_INIT;
	iffa_findings *f;

	cr_assert_eq(iffa_flowgraph__finish(g), 0);
	cr_assert_eq(iffa_findings_new(&f), 0);
	p.threshold = 1.5;
	cr_assert_eq(iffa_pass_exposure(f, g, &p), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "exposure.threshold") != NULL);
	p.threshold = 0.5;
	p.damping = 1;
	cr_assert_eq(iffa_pass_exposure(f, g, &p), IFFA_EINVAL);
	/* an empty graph is fine */
	p.damping = 0.85;
	cr_assert_eq(iffa_pass_exposure(f, g, &p), 0);
	cr_assert_eq(iffa_findings_count(f), 0);
	iffa_findings_free(f);
	iffa_flowgraph_free(g);
}
