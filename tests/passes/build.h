/*
 * Hand-built flow graphs for the pass tests: accounts 0..n-1, each owned by
 * its own party unless told otherwise, and flows given in days from
 * 2025-01-01 00:00 UTC.
 */
#ifndef IFFA_TESTS_PASSES_BUILD_H
#define IFFA_TESTS_PASSES_BUILD_H

#include <criterion/criterion.h>

#include "iffa.h"
#include "iffa/passes.h"
#include "graph/flowgraph.h"

#define T0_US ((int64_t)1735689600 * 1000000)
#define DAY_US ((int64_t)86400 * 1000000)

static inline int64_t at_day(double d)
{
	return T0_US + (int64_t)(d * (double)DAY_US);
}

/* A graph of n account vertices (kind `kind`), vertex i owned by party i. */
static inline iffa_flowgraph *build_new(int n, int kind, int keep_parallel)
{
	iffa_flowgraph *g = NULL;

	cr_assert_eq(iffa_flowgraph__new(&g, IFFA_LEVEL_ACCOUNT, !keep_parallel), 0);
	for (int i = 0; i < n; i++) {
		iffa_flowgraph__vertex v = {IFFA_KEY_ACCOUNT(i + 1), kind, "ML", i + 1, 0};
		cr_assert_eq(iffa_flowgraph__add_vertex(NULL, g, &v), 0, "%s", iffa_error_last());
	}
	return g;
}

static inline void build_flow(iffa_flowgraph *g, int from, int to, double xof, double day,
			      iffa_channel ch)
{
	static int64_t record = 1;

	cr_assert_eq(iffa_flowgraph__add_flow(g, from, to, xof, at_day(day), ch, IFFA_KIND_TRANSFER,
					      record++),
		     0, "%s", iffa_error_last());
}

static inline void build_finish(iffa_flowgraph *g)
{
	cr_assert_eq(iffa_flowgraph__finish(g), 0, "%s", iffa_error_last());
}

/* Findings of one kind. */
static inline size_t count_kind(const iffa_findings *f, const char *kind)
{
	size_t n = 0;

	for (size_t i = 0; i < iffa_findings_count(f); i++)
		n += strcmp(iffa_findings_get(f, i)->kind, kind) == 0;
	return n;
}

/* The first finding of a kind, or NULL. */
static inline const iffa_finding *first_kind(const iffa_findings *f, const char *kind)
{
	for (size_t i = 0; i < iffa_findings_count(f); i++)
		if (strcmp(iffa_findings_get(f, i)->kind, kind) == 0)
			return iffa_findings_get(f, i);
	return NULL;
}

static inline int has_member(const iffa_finding *fd, igraph_integer_t v)
{
	for (size_t i = 0; i < fd->nmembers; i++)
		if (fd->members[i] == v)
			return 1;
	return 0;
}

#endif
