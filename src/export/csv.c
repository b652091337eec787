/*
 * CSV for spreadsheets: nodes.csv and edges.csv. Every text cell is quoted
 * and cells a spreadsheet would evaluate (leading = + - @, tab, CR) get a
 * leading apostrophe (iffa_case__csv); numbers are written by us.
 */
#include <stdio.h>

#include "export/case.h"

int iffa_case__write_csv_nodes(iffa_jsonbuf *b, const iffa_case__case *c)
{
	iffa_jsonbuf__puts(b, "id,ref,name,type,kind,country,channel,institution,party_ref,"
			      "party_kind,designated,armed_group,affected_zone,subject,hops,"
			      "findings,score,finding_kinds\n");
	for (size_t i = 0; i < c->nv; i++) {
		const iffa_case__vertex *x = &c->v[i];
		iffa_jsonbuf__printf(b, "n%zu,", i);
		iffa_case__csv(b, x->ref);
		iffa_jsonbuf__puts(b, ",");
		iffa_case__csv(b, x->name);
		iffa_jsonbuf__printf(b, ",%s,%s,%s,%s,", x->is_party ? "party" : "account", x->kind,
				     x->country, x->is_party ? "" : x->kind);
		iffa_case__csv(b, x->institution);
		iffa_jsonbuf__puts(b, ",");
		iffa_case__csv(b, x->party_ref);
		iffa_jsonbuf__puts(b, ",");
		iffa_case__csv(b, x->party_kind);
		iffa_jsonbuf__printf(b, ",%d,%d,%d,%d,%d,%d,%.6f,",
				     (x->flags & IFFA_VERTEX_DESIGNATED) != 0,
				     (x->flags & IFFA_VERTEX_ARMED_GROUP) != 0,
				     (x->flags & IFFA_VERTEX_AFFECTED_ZONE) != 0, x->subject, x->hops,
				     x->nfindings, x->score);
		iffa_case__csv(b, x->findings.ptr);
		iffa_jsonbuf__puts(b, "\n");
	}
	return b->oom ? iffa_error_set(IFFA_ENOMEM, "out of memory") : 0;
}

int iffa_case__write_csv_edges(iffa_jsonbuf *b, const iffa_case__case *c)
{
	char t1[32], t2[32];

	iffa_jsonbuf__puts(b, "id,source,target,source_ref,target_ref,amount_xof,flows,first,last,"
			      "channel,kind,record\n");
	for (size_t i = 0; i < c->ne; i++) {
		const iffa_case__edge *x = &c->e[i];
		iffa_jsonbuf__printf(b, "e%zu,n%zu,n%zu,", i, x->from, x->to);
		iffa_case__csv(b, c->v[x->from].ref);
		iffa_jsonbuf__puts(b, ",");
		iffa_case__csv(b, c->v[x->to].ref);
		iffa_case__time(t1, x->first);
		iffa_case__time(t2, x->last);
		iffa_jsonbuf__printf(b, ",%.2f,%lld,%s,%s,%s,%s,", x->amount, (long long)x->flows, t1,
				     t2, iffa_channel_name(x->channel), iffa_record_kind_name(x->kind));
		if (x->record >= 0)
			iffa_jsonbuf__printf(b, "%lld", (long long)x->record);
		iffa_jsonbuf__puts(b, "\n");
	}
	return b->oom ? iffa_error_set(IFFA_ENOMEM, "out of memory") : 0;
}
