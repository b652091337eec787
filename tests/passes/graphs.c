/* See graphs.h. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "passes/graphs.h"

iffa_flowgraph *tg_new(iffa_level level, int aggregate)
{
	iffa_flowgraph *g = NULL;

	iffa_init();
	cr_assert_eq(iffa_flowgraph__new(&g, level, aggregate), 0, "%s", iffa_error_last());
	return g;
}

igraph_integer_t tg_account(iffa_flowgraph *g, int64_t id, iffa_account_kind kind,
			    const char *country, int64_t party, unsigned flags)
{
	iffa_flowgraph__vertex v = {IFFA_KEY_ACCOUNT(id), (int)kind, country, party, flags};
	igraph_integer_t out = -1;

	cr_assert_eq(iffa_flowgraph__add_vertex(&out, g, &v), 0, "%s", iffa_error_last());
	return out;
}

igraph_integer_t tg_party(iffa_flowgraph *g, int64_t id, iffa_party_kind kind,
			  const char *country, unsigned flags)
{
	iffa_flowgraph__vertex v = {IFFA_KEY_PARTY(id), (int)kind, country, id, flags};
	igraph_integer_t out = -1;

	cr_assert_eq(iffa_flowgraph__add_vertex(&out, g, &v), 0, "%s", iffa_error_last());
	return out;
}

void tg_flow(iffa_flowgraph *g, igraph_integer_t from, igraph_integer_t to, double xof,
	     double hours, iffa_channel channel, iffa_record_kind kind, int64_t record)
{
	int64_t t = TG_T0 + (int64_t)llround(hours * (double)TG_HOUR);

	cr_assert_eq(iffa_flowgraph__add_flow(g, from, to, xof, t, channel, kind, record), 0, "%s",
		     iffa_error_last());
}

void tg_finish(iffa_flowgraph *g)
{
	cr_assert_eq(iffa_flowgraph__finish(g), 0, "%s", iffa_error_last());
}

igraph_integer_t tg_edge(const iffa_flowgraph *g, igraph_integer_t from, igraph_integer_t to,
			 double hours)
{
	int64_t t = TG_T0 + (int64_t)llround(hours * (double)TG_HOUR);

	for (igraph_integer_t e = 0; e < g->ne; e++)
		if (IGRAPH_FROM(&g->graph, e) == from && IGRAPH_TO(&g->graph, e) == to &&
		    g->efirst[e] == t)
			return e;
	cr_assert_fail("no edge %lld -> %lld at %g h", (long long)from, (long long)to, hours);
	return -1;
}

int tg_member(const iffa_finding *fd, igraph_integer_t v)
{
	for (size_t i = 0; i < fd->nmembers; i++)
		if (fd->members[i] == v)
			return 1;
	return 0;
}

int tg_evidence(const iffa_finding *fd, igraph_integer_t e)
{
	for (size_t i = 0; i < fd->nevidence; i++)
		if (fd->evidence[i] == e)
			return 1;
	return 0;
}

size_t tg_count(const iffa_findings *f, const char *kind)
{
	size_t n = 0;

	for (size_t i = 0; i < iffa_findings_count(f); i++)
		if (!kind || strcmp(iffa_findings_get(f, i)->kind, kind) == 0)
			n++;
	return n;
}

const iffa_finding *tg_find(const iffa_findings *f, const char *kind, igraph_integer_t v)
{
	for (size_t i = 0; i < iffa_findings_count(f); i++) {
		const iffa_finding *fd = iffa_findings_get(f, i);
		if ((!kind || strcmp(fd->kind, kind) == 0) && (v < 0 || tg_member(fd, v)))
			return fd;
	}
	return NULL;
}

int tg_flagged(const iffa_findings *f, igraph_integer_t v)
{
	return tg_find(f, NULL, v) != NULL;
}
