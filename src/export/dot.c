/*
 * Graphviz DOT, written by hand: igraph's DOT writer gives no labels, and
 * here every string from the data goes through iffa_case__dot inside a
 * double-quoted string, so a name such as `"]; evil [` stays a label.
 * Vertex ids are our own (n0, n1...), never data.
 */
#include <stdio.h>

#include "export/case.h"

static void attr(iffa_jsonbuf *b, const char *key, const char *value)
{
	iffa_jsonbuf__printf(b, ", %s=\"", key);
	iffa_case__dot(b, value);
	iffa_jsonbuf__puts(b, "\"");
}

int iffa_case__write_dot(iffa_jsonbuf *b, const iffa_case__case *c)
{
	char t1[32], t2[32];

	iffa_jsonbuf__puts(b, "digraph iffa_case {\n"
			      "  graph [rankdir=LR, fontname=\"Helvetica\"];\n"
			      "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", "
			      "fontname=\"Helvetica\"];\n"
			      "  edge [fontname=\"Helvetica\", fontsize=10];\n");
	for (size_t i = 0; i < c->nv; i++) {
		const iffa_case__vertex *x = &c->v[i];
		const char *fill = (x->flags & (IFFA_VERTEX_DESIGNATED | IFFA_VERTEX_ARMED_GROUP))
					   ? "#f4b6b6"
				   : x->nfindings ? "#fde2b8"
						  : "#ffffff";
		iffa_jsonbuf__printf(b, "  n%zu [label=\"", i);
		iffa_case__dot(b, x->ref);
		iffa_jsonbuf__puts(b, "\\n");
		iffa_case__dot(b, x->name);
		iffa_jsonbuf__printf(b, "\", fillcolor=\"%s\", penwidth=%d", fill, x->subject ? 3 : 1);
		attr(b, "ref", x->ref);
		attr(b, "name", x->name);
		attr(b, "type", x->is_party ? "party" : "account");
		attr(b, "kind", x->kind);
		attr(b, "country", x->country);
		attr(b, "party_ref", x->party_ref);
		attr(b, "finding_kinds", x->findings.ptr);
		iffa_jsonbuf__printf(b, ", hops=%d, findings=%d, score=\"%.6g\"];\n", x->hops,
				     x->nfindings, x->score);
	}
	for (size_t i = 0; i < c->ne; i++) {
		const iffa_case__edge *x = &c->e[i];
		iffa_case__date(t1, x->first);
		iffa_case__date(t2, x->last);
		iffa_jsonbuf__printf(b,
				     "  n%zu -> n%zu [label=\"%.0f XOF\\n%lld flow%s %s..%s\", "
				     "amount_xof=\"%.2f\", flows=%lld, channel=\"%s\", kind=\"%s\", "
				     "first=\"%s\", last=\"%s\"];\n",
				     x->from, x->to, x->amount, (long long)x->flows,
				     x->flows == 1 ? "" : "s", t1, t2, x->amount, (long long)x->flows,
				     iffa_channel_name(x->channel), iffa_record_kind_name(x->kind), t1,
				     t2);
	}
	iffa_jsonbuf__puts(b, "}\n");
	return b->oom ? iffa_error_set(IFFA_ENOMEM, "out of memory") : 0;
}
