/*
 * The clusters pass on a hand-built graph: a designated vertex with a
 * chain of three accounts that deal only with it, inside a background
 * community of twenty that trades among itself and took one payment from
 * it, and a component without any source. Only the chain is flagged.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "graph/flowgraph.h"
#include "iffa/passes.h"

static void setup(void)
{
	iffa_init();
}

TestSuite(passes_clusters, .init = setup);

#define NV 28

static void flow(iffa_flowgraph *g, int a, int b, double xof, int64_t t, iffa_record_kind k)
{
	cr_assert_eq(iffa_flowgraph__add_flow(g, a, b, xof, t,
					      k == IFFA_KIND_TRANSFER ? IFFA_CHANNEL_BANK : IFFA_CHANNEL_NONE,
					      k, -1),
		     0, "%s", iffa_error_last());
}

/*
 * 0 designated; 0 -> 1 (80 M), then 1 -> 2 (40 M) and 1 -> 3 (30 M): 1
 * joins the core in the first round, 2 and 3 in the second. Background
 * 4..23: a ring and chords of 2 M each; 0 -> 4 pays 3 M (4's other flows:
 * 8 M, so its tie to the core is 3 / 11 < 0.5). 24 -> 25 -> 26 -> 27: no
 * source.
 */
static iffa_flowgraph *scene(void)
{
	iffa_flowgraph *g;

	cr_assert_eq(iffa_flowgraph__new(&g, IFFA_LEVEL_ACCOUNT, 1), 0);
	for (int i = 0; i < NV; i++) {
		iffa_flowgraph__vertex v = {IFFA_KEY_ACCOUNT(i + 1), IFFA_ACCOUNT_BANK, "ML", -1,
					    i == 0 ? IFFA_VERTEX_DESIGNATED : 0};
		cr_assert_eq(iffa_flowgraph__add_vertex(NULL, g, &v), 0);
	}
	flow(g, 0, 1, 80e6, 10, IFFA_KIND_TRANSFER);
	flow(g, 1, 2, 40e6, 11, IFFA_KIND_TRANSFER);
	flow(g, 1, 3, 30e6, 12, IFFA_KIND_TRANSFER);
	for (int i = 0; i < 20; i++) {
		flow(g, 4 + i, 4 + (i + 1) % 20, 2e6, 20 + i, IFFA_KIND_TRANSFER);
		flow(g, 4 + i, 4 + (i + 7) % 20, 2e6, 40 + i, IFFA_KIND_TRANSFER);
	}
	flow(g, 0, 4, 3e6, 5, IFFA_KIND_TRANSFER);
	flow(g, 24, 25, 9e6, 1, IFFA_KIND_TRANSFER);
	flow(g, 25, 26, 9e6, 2, IFFA_KIND_TRANSFER);
	flow(g, 26, 27, 9e6, 3, IFFA_KIND_TRANSFER);
	cr_assert_eq(iffa_flowgraph__finish(g), 0);
	return g;
}

/* Union of flagged members over all findings, as a bit set. */
static void flagged(int *out, const iffa_findings *f)
{
	memset(out, 0, NV * sizeof(*out));
	for (size_t i = 0; i < iffa_findings_count(f); i++) {
		const iffa_finding *fd = iffa_findings_get(f, i);
		cr_assert_str_eq(fd->pass, "clusters");
		cr_assert_str_eq(fd->kind, "exposed_cluster");
		cr_assert_eq(fd->subject_type, IFFA_SUBJECT_CLUSTER);
		cr_assert_gt(fd->nevidence, 0);
		cr_assert_gt(fd->score, 0);
		for (size_t k = 0; k < fd->nmembers; k++)
			out[fd->members[k]] = 1;
	}
}

static void check_only_the_chain(const iffa_clusters_params *p)
{
	iffa_flowgraph *g = scene();
	iffa_findings *f;
	int in[NV];
	igraph_integer_t e01;

	cr_assert_eq(iffa_findings_new(&f), 0);
	cr_assert_eq(iffa_pass_clusters(f, g, p), 0, "%s", iffa_error_last());
	cr_assert_eq(iffa_findings_count(f), 1, "%zu findings", iffa_findings_count(f));
	flagged(in, f);
	for (int v = 0; v < NV; v++)
		cr_assert_eq(in[v], v <= 3, "vertex %d flagged %d", v, in[v]);
	/* the heaviest tie to the source leads the evidence */
	cr_assert_eq(igraph_get_eid(iffa_flowgraph_igraph(g), &e01, 0, 1, 1, 1), IGRAPH_SUCCESS);
	cr_assert_eq(iffa_findings_get(f, 0)->evidence[0], e01);
	cr_assert_eq(iffa_findings_get(f, 0)->nevidence, 3);
	iffa_findings_free(f);
	iffa_flowgraph_free(g);
}

Test(passes_clusters, a_background_community_is_not_flagged_with_its_designated_neighbour)
{
	iffa_clusters_params p = IFFA_CLUSTERS_PARAMS_INIT;

	check_only_the_chain(&p);
	/* the members tied by money, not the community, decide: a coarse
	 * resolution that merges everything flags the same four */
	p.resolution = 0.05;
	check_only_the_chain(&p);
	p = (iffa_clusters_params)IFFA_CLUSTERS_PARAMS_INIT;
	p.method = 1;
	check_only_the_chain(&p);
}

Test(passes_clusters, the_same_seed_gives_the_same_findings)
{
	iffa_clusters_params p = IFFA_CLUSTERS_PARAMS_INIT;
	iffa_flowgraph *g = scene();
	iffa_findings *a, *b;

	p.seed = 42;
	cr_assert_eq(iffa_findings_new(&a), 0);
	cr_assert_eq(iffa_findings_new(&b), 0);
	cr_assert_eq(iffa_pass_clusters(a, g, &p), 0);
	cr_assert_eq(iffa_pass_clusters(b, g, &p), 0);
	cr_assert_eq(iffa_findings_count(a), iffa_findings_count(b));
	for (size_t i = 0; i < iffa_findings_count(a); i++) {
		const iffa_finding *x = iffa_findings_get(a, i), *y = iffa_findings_get(b, i);
		cr_assert_eq(x->nmembers, y->nmembers);
		cr_assert_eq(memcmp(x->members, y->members, x->nmembers * sizeof(*x->members)), 0);
		cr_assert_float_eq(x->score, y->score, 0);
	}
	iffa_findings_free(a);
	iffa_findings_free(b);
	iffa_flowgraph_free(g);
}

Test(passes_clusters, too_little_source_money_or_no_source_gives_nothing)
{
	iffa_clusters_params p = IFFA_CLUSTERS_PARAMS_INIT;
	iffa_flowgraph *g = scene();
	iffa_findings *f;

	p.min_source_xof = 1e9; /* 83 M of source money is not enough */
	cr_assert_eq(iffa_findings_new(&f), 0);
	cr_assert_eq(iffa_pass_clusters(f, g, &p), 0);
	cr_assert_eq(iffa_findings_count(f), 0);
	p.min_source_xof = 1e6;
	p.min_core = 5;
	cr_assert_eq(iffa_pass_clusters(f, g, &p), 0);
	cr_assert_eq(iffa_findings_count(f), 0);
	p.min_core = 0;
	cr_assert_eq(iffa_pass_clusters(f, g, &p), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "min_core") != NULL);
	iffa_findings_free(f);
	iffa_flowgraph_free(g);
}

/* A ransom record is a source even without any designated party. */
Test(passes_clusters, a_ransom_chain_is_a_cluster_of_its_own)
{
	iffa_clusters_params p = IFFA_CLUSTERS_PARAMS_INIT;
	iffa_flowgraph *g;
	iffa_findings *f;
	int in[NV];

	cr_assert_eq(iffa_flowgraph__new(&g, IFFA_LEVEL_ACCOUNT, 1), 0);
	for (int i = 0; i < NV; i++) {
		iffa_flowgraph__vertex v = {IFFA_KEY_ACCOUNT(i + 1), IFFA_ACCOUNT_CASH, "ML", -1, 0};
		cr_assert_eq(iffa_flowgraph__add_vertex(NULL, g, &v), 0);
	}
	flow(g, 0, 1, 100e6, 1, IFFA_KIND_RANSOM);
	flow(g, 1, 2, 100e6, 1, IFFA_KIND_RANSOM);
	flow(g, 2, 3, 60e6, 5, IFFA_KIND_TRANSFER);  /* onward, 60 of its 160 M */
	flow(g, 3, 4, 0.5e6, 6, IFFA_KIND_TRANSFER); /* small spending: 4 stays out */
	for (int i = 4; i < 20; i++)
		flow(g, i, i + 1, 5e6, 10 + i, IFFA_KIND_TRANSFER);
	cr_assert_eq(iffa_flowgraph__finish(g), 0);
	cr_assert_eq(iffa_findings_new(&f), 0);
	cr_assert_eq(iffa_pass_clusters(f, g, &p), 0, "%s", iffa_error_last());
	flagged(in, f);
	for (int v = 0; v < NV; v++)
		cr_assert_eq(in[v], v <= 3, "vertex %d flagged %d", v, in[v]);
	iffa_findings_free(f);
	iffa_flowgraph_free(g);
}
