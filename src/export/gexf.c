/*
 * GEXF 1.2 (gexf.net/1.2draft), the format Gephi opens natively, written by
 * hand: igraph has no GEXF writer. Every text value goes through
 * iffa_case__xml; ids are our own (n0, e0...).
 */
#include <stdio.h>

#include "export/case.h"
#include "iffa/common.h"

static const char *const node_attrs[][2] = {
	{"ref", "string"},          {"name", "string"},        {"type", "string"},
	{"kind", "string"},         {"country", "string"},     {"channel", "string"},
	{"institution", "string"},  {"party_ref", "string"},   {"party_kind", "string"},
	{"designated", "boolean"},  {"armed_group", "boolean"}, {"affected_zone", "boolean"},
	{"subject", "boolean"},     {"hops", "integer"},       {"findings", "integer"},
	{"score", "double"},        {"finding_kinds", "string"},
};
static const char *const edge_attrs[][2] = {
	{"amount_xof", "double"}, {"flows", "long"}, {"first", "string"}, {"last", "string"},
	{"channel", "string"},    {"kind", "string"}, {"record", "long"},
};

static void val(iffa_jsonbuf *b, int i, const char *s)
{
	iffa_jsonbuf__printf(b, "<attvalue for=\"%d\" value=\"", i);
	iffa_case__xml(b, s);
	iffa_jsonbuf__puts(b, "\"/>");
}

static void declare(iffa_jsonbuf *b, const char *cls, const char *const (*a)[2], size_t n)
{
	iffa_jsonbuf__printf(b, "    <attributes class=\"%s\">\n", cls);
	for (size_t i = 0; i < n; i++)
		iffa_jsonbuf__printf(b, "      <attribute id=\"%zu\" title=\"%s\" type=\"%s\"/>\n", i,
				     a[i][0], a[i][1]);
	iffa_jsonbuf__puts(b, "    </attributes>\n");
}

int iffa_case__write_gexf(iffa_jsonbuf *b, const iffa_case__case *c)
{
	char t[32];

	iffa_jsonbuf__printf(b,
			     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			     "<gexf xmlns=\"http://www.gexf.net/1.2draft\" version=\"1.2\">\n"
			     "  <meta><creator>iffa %s</creator><description>case export, %s level, "
			     "findings of run %lld</description></meta>\n"
			     "  <graph defaultedgetype=\"directed\" mode=\"static\">\n",
			     iffa_version(), c->level == IFFA_LEVEL_PARTY ? "party" : "account",
			     (long long)c->run);
	declare(b, "node", node_attrs, sizeof(node_attrs) / sizeof(node_attrs[0]));
	declare(b, "edge", edge_attrs, sizeof(edge_attrs) / sizeof(edge_attrs[0]));
	iffa_jsonbuf__puts(b, "    <nodes>\n");
	for (size_t i = 0; i < c->nv; i++) {
		const iffa_case__vertex *x = &c->v[i];
		iffa_jsonbuf__printf(b, "      <node id=\"n%zu\" label=\"", i);
		iffa_case__xml(b, x->ref);
		iffa_jsonbuf__puts(b, " ");
		iffa_case__xml(b, x->name);
		iffa_jsonbuf__puts(b, "\"><attvalues>");
		val(b, 0, x->ref);
		val(b, 1, x->name);
		val(b, 2, x->is_party ? "party" : "account");
		val(b, 3, x->kind);
		val(b, 4, x->country);
		val(b, 5, x->is_party ? "" : x->kind);
		val(b, 6, x->institution);
		val(b, 7, x->party_ref);
		val(b, 8, x->party_kind);
		val(b, 9, (x->flags & IFFA_VERTEX_DESIGNATED) ? "true" : "false");
		val(b, 10, (x->flags & IFFA_VERTEX_ARMED_GROUP) ? "true" : "false");
		val(b, 11, (x->flags & IFFA_VERTEX_AFFECTED_ZONE) ? "true" : "false");
		val(b, 12, x->subject ? "true" : "false");
		iffa_jsonbuf__printf(b, "<attvalue for=\"13\" value=\"%d\"/>", x->hops);
		iffa_jsonbuf__printf(b, "<attvalue for=\"14\" value=\"%d\"/>", x->nfindings);
		iffa_jsonbuf__printf(b, "<attvalue for=\"15\" value=\"%.17g\"/>", x->score);
		val(b, 16, x->findings.ptr);
		iffa_jsonbuf__puts(b, "</attvalues></node>\n");
	}
	iffa_jsonbuf__puts(b, "    </nodes>\n    <edges>\n");
	for (size_t i = 0; i < c->ne; i++) {
		const iffa_case__edge *x = &c->e[i];
		iffa_jsonbuf__printf(b,
				     "      <edge id=\"e%zu\" source=\"n%zu\" target=\"n%zu\" "
				     "weight=\"%.17g\"><attvalues>"
				     "<attvalue for=\"0\" value=\"%.17g\"/>"
				     "<attvalue for=\"1\" value=\"%lld\"/>",
				     i, x->from, x->to, x->amount, x->amount, (long long)x->flows);
		iffa_case__time(t, x->first);
		val(b, 2, t);
		iffa_case__time(t, x->last);
		val(b, 3, t);
		val(b, 4, iffa_channel_name(x->channel));
		val(b, 5, iffa_record_kind_name(x->kind));
		iffa_jsonbuf__printf(b, "<attvalue for=\"6\" value=\"%lld\"/>", (long long)x->record);
		iffa_jsonbuf__puts(b, "</attvalues></edge>\n");
	}
	iffa_jsonbuf__puts(b, "    </edges>\n  </graph>\n</gexf>\n");
	return b->oom ? iffa_error_set(IFFA_ENOMEM, "out of memory") : 0;
}
