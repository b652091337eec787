/*
 * Small flow graphs built by hand for the pass tests: vertices by key,
 * country, owner and flags; flows by vertex, amount in XOF and time in
 * hours after 2025-03-01 00:00 UTC; edges found back by their ends and time.
 */
#ifndef IFFA_TESTS_PASSES_GRAPHS_H
#define IFFA_TESTS_PASSES_GRAPHS_H

#include "graph/flowgraph.h"
#include "iffa/findings.h"

/* 2025-03-01T00:00:00Z in UTC µs, and one hour. */
#define TG_T0 INT64_C(1740787200000000)
#define TG_HOUR INT64_C(3600000000)

/* A new graph under construction (aborts the test on failure). */
iffa_flowgraph *tg_new(iffa_level level, int aggregate);

/* Add an account vertex (id `id`, owned by party `party` or -1); returns its vertex id. */
igraph_integer_t tg_account(iffa_flowgraph *g, int64_t id, iffa_account_kind kind,
			    const char *country, int64_t party, unsigned flags);

/* Add a party vertex; returns its vertex id. */
igraph_integer_t tg_party(iffa_flowgraph *g, int64_t id, iffa_party_kind kind,
			  const char *country, unsigned flags);

/* Add a flow at `hours` after TG_T0. */
void tg_flow(iffa_flowgraph *g, igraph_integer_t from, igraph_integer_t to, double xof,
	     double hours, iffa_channel channel, iffa_record_kind kind, int64_t record);

/* Finish the graph. */
void tg_finish(iffa_flowgraph *g);

/* The edge from `from` to `to` whose first flow is at `hours`; aborts when none. */
igraph_integer_t tg_edge(const iffa_flowgraph *g, igraph_integer_t from, igraph_integer_t to,
			 double hours);

/* 1 when vertex `v` is among the finding's members. */
int tg_member(const iffa_finding *fd, igraph_integer_t v);

/* 1 when edge `e` is among the finding's evidence. */
int tg_evidence(const iffa_finding *fd, igraph_integer_t e);

/* Findings of `pass` and `kind` (NULL: any kind), counted. */
size_t tg_count(const iffa_findings *f, const char *kind);

/* The first finding of `kind` whose members hold `v` (v < 0: any); NULL when none. */
const iffa_finding *tg_find(const iffa_findings *f, const char *kind, igraph_integer_t v);

/* 1 when any finding holds `v` as a member. */
int tg_flagged(const iffa_findings *f, igraph_integer_t v);

#endif
