/*
 * GraphML through igraph's own writer (igraph_write_graph_graphml): a copy
 * of the case as an igraph_t carrying its attributes under igraph's C
 * attribute handler, which is installed only for the time of the write and
 * then put back, so the rest of the library keeps attribute-free graphs.
 * Strings are cleaned of control characters first (XML 1.0 cannot hold
 * them and igraph refuses them); igraph escapes & < > " itself.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>

#include "export/case.h"
#include "graph/flowgraph.h"

static int set_str(igraph_t *ig, const char *name, igraph_integer_t v, const char *value,
		   int vertex)
{
	char *clean = iffa_case__clean(value);
	igraph_error_t ierr;

	if (!clean)
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	ierr = vertex ? igraph_cattribute_VAS_set(ig, name, v, clean)
		      : igraph_cattribute_EAS_set(ig, name, v, clean);
	free(clean);
	return ierr == IGRAPH_SUCCESS ? 0 : iffa_flowgraph__igraph_fail(ierr, "GraphML attributes");
}

#define TRY(x)                                                                       \
	do {                                                                         \
		igraph_error_t ierr_ = (x);                                          \
		if (ierr_ != IGRAPH_SUCCESS) {                                       \
			error = iffa_flowgraph__igraph_fail(ierr_, "GraphML attributes"); \
			goto done;                                                   \
		}                                                                    \
	} while (0)

int iffa_case__write_graphml(iffa_jsonbuf *b, const iffa_case__case *c)
{
	igraph_attribute_table_t *old = igraph_set_attribute_table(&igraph_cattribute_table);
	igraph_vector_int_t edges;
	igraph_t ig;
	int have_edges = 0, have_graph = 0, error = 0;
	char *text = NULL, tbuf[32];
	size_t len = 0;
	FILE *mem = NULL;

	if (igraph_vector_int_init(&edges, 2 * (igraph_integer_t)c->ne) != IGRAPH_SUCCESS) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	have_edges = 1;
	for (size_t i = 0; i < c->ne; i++) {
		VECTOR(edges)[2 * i] = (igraph_integer_t)c->e[i].from;
		VECTOR(edges)[2 * i + 1] = (igraph_integer_t)c->e[i].to;
	}
	TRY(igraph_create(&ig, &edges, (igraph_integer_t)c->nv, IGRAPH_DIRECTED));
	have_graph = 1;
	TRY(igraph_cattribute_GAS_set(&ig, "level", c->level == IFFA_LEVEL_PARTY ? "party" : "account"));
	TRY(igraph_cattribute_GAN_set(&ig, "run", (double)c->run));
	for (size_t i = 0; i < c->nv; i++) {
		const iffa_case__vertex *x = &c->v[i];
		igraph_integer_t v = (igraph_integer_t)i;
		if ((error = set_str(&ig, "ref", v, x->ref, 1)) < 0 ||
		    (error = set_str(&ig, "name", v, x->name, 1)) < 0 ||
		    (error = set_str(&ig, "type", v, x->is_party ? "party" : "account", 1)) < 0 ||
		    (error = set_str(&ig, "kind", v, x->kind, 1)) < 0 ||
		    (error = set_str(&ig, "country", v, x->country, 1)) < 0 ||
		    (error = set_str(&ig, "channel", v, x->is_party ? "" : x->kind, 1)) < 0 ||
		    (error = set_str(&ig, "institution", v, x->institution, 1)) < 0 ||
		    (error = set_str(&ig, "party_ref", v, x->party_ref, 1)) < 0 ||
		    (error = set_str(&ig, "party_kind", v, x->party_kind, 1)) < 0 ||
		    (error = set_str(&ig, "finding_kinds", v, x->findings.ptr, 1)) < 0)
			goto done;
		TRY(igraph_cattribute_VAB_set(&ig, "designated", v, (x->flags & IFFA_VERTEX_DESIGNATED) != 0));
		TRY(igraph_cattribute_VAB_set(&ig, "armed_group", v, (x->flags & IFFA_VERTEX_ARMED_GROUP) != 0));
		TRY(igraph_cattribute_VAB_set(&ig, "affected_zone", v, (x->flags & IFFA_VERTEX_AFFECTED_ZONE) != 0));
		TRY(igraph_cattribute_VAB_set(&ig, "subject", v, x->subject != 0));
		TRY(igraph_cattribute_VAN_set(&ig, "hops", v, x->hops));
		TRY(igraph_cattribute_VAN_set(&ig, "findings", v, x->nfindings));
		TRY(igraph_cattribute_VAN_set(&ig, "score", v, x->score));
	}
	for (size_t i = 0; i < c->ne; i++) {
		const iffa_case__edge *x = &c->e[i];
		igraph_integer_t e = (igraph_integer_t)i;
		TRY(igraph_cattribute_EAN_set(&ig, "amount_xof", e, x->amount));
		TRY(igraph_cattribute_EAN_set(&ig, "flows", e, (double)x->flows));
		iffa_case__time(tbuf, x->first);
		if ((error = set_str(&ig, "first", e, tbuf, 0)) < 0)
			goto done;
		iffa_case__time(tbuf, x->last);
		if ((error = set_str(&ig, "last", e, tbuf, 0)) < 0 ||
		    (error = set_str(&ig, "channel", e, iffa_channel_name(x->channel), 0)) < 0 ||
		    (error = set_str(&ig, "kind", e, iffa_record_kind_name(x->kind), 0)) < 0)
			goto done;
		TRY(igraph_cattribute_EAN_set(&ig, "record", e, (double)x->record));
	}
	if (!(mem = open_memstream(&text, &len))) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	TRY(igraph_write_graph_graphml(&ig, mem, 0));
	if (fclose(mem) != 0) {
		mem = NULL;
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	mem = NULL;
	if (iffa_jsonbuf__put(b, text, len) < 0)
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
done:
	if (mem)
		fclose(mem);
	free(text);
	if (have_graph)
		igraph_destroy(&ig);
	if (have_edges)
		igraph_vector_int_destroy(&edges);
	igraph_set_attribute_table(old);
	return error;
}
