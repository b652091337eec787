/*
 * Storing findings: graph ids become database keys, refs and names (read
 * with one parameterised query per table for the vertices involved), and
 * each finding one `finding` row with its evidence as a JSON array of
 * edges plus its `finding_member` rows, sent with COPY (two statements for
 * the whole run: a batch of JSON unpacked on the server cost about ten
 * times as much on 10M transfers).
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyse/analyse.h"
#include "core/jsonbuf.h"
#include "db/db.h"
#include "graph/flowgraph.h"

typedef struct {
	char *ref;   /* account.ref or party.ref */
	char *name;  /* party name (the owner's for an account), "" when none */
} label;

typedef struct {
	const iffa_flowgraph *g;
	int32_t *slot;   /* per vertex: index in labels, -1 */
	label *labels;
	size_t n;
} labels;

static void labels_dispose(labels *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->labels[i].ref);
		free(l->labels[i].name);
	}
	free(l->labels);
	free(l->slot);
}

static void mark(labels *l, igraph_integer_t v)
{
	if (v >= 0 && v < l->g->nv && l->slot[v] < 0)
		l->slot[v] = (int32_t)l->n++;
}

/* Fetch refs and names of the accounts (party = 0) or parties whose vertices are marked. */
static int fetch(labels *l, iffa_db *db, int party)
{
	const iffa_flowgraph *g = l->g;
	iffa_jsonbuf ids = IFFA_JSONBUF_INIT;
	PGresult *res = NULL;
	const char *params[1];
	int error, any = 0;

	iffa_jsonbuf__puts(&ids, "{");
	for (igraph_integer_t v = 0; v < g->nv; v++) {
		if (l->slot[v] < 0 || (int)(g->vkey[v] & 1) != party)
			continue;
		iffa_jsonbuf__printf(&ids, "%s%lld", any ? "," : "", (long long)(g->vkey[v] >> 1));
		any = 1;
	}
	iffa_jsonbuf__puts(&ids, "}");
	if (ids.oom) {
		iffa_jsonbuf__dispose(&ids);
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	}
	if (!any) {
		iffa_jsonbuf__dispose(&ids);
		return 0;
	}
	params[0] = ids.ptr;
	error = iffa_db__query(
		&res, db, party ? "reading party names" : "reading account refs",
		party ? "SELECT id, ref, name FROM party WHERE id = ANY($1::bigint[])"
		      : "SELECT a.id, a.ref, coalesce(p.name, '') FROM account a "
			"LEFT JOIN party p ON p.id = a.party_id WHERE a.id = ANY($1::bigint[])",
		1, params);
	iffa_jsonbuf__dispose(&ids);
	if (error < 0)
		return error;
	for (int i = 0; i < PQntuples(res); i++) {
		long long id = atoll(PQgetvalue(res, i, 0));
		igraph_integer_t v = iffa_flowgraph__lookup(g, party ? IFFA_KEY_PARTY(id) : IFFA_KEY_ACCOUNT(id));
		label *lb;
		if (v < 0 || l->slot[v] < 0)
			continue;
		lb = &l->labels[l->slot[v]];
		free(lb->ref);
		free(lb->name);
		lb->ref = strdup(PQgetvalue(res, i, 1));
		lb->name = strdup(PQgetvalue(res, i, 2));
		if (!lb->ref || !lb->name) {
			PQclear(res);
			return iffa_error_set(IFFA_ENOMEM, "out of memory");
		}
	}
	PQclear(res);
	return 0;
}

static int labels_load(labels *l, iffa_db *db, const iffa_findings *f, const iffa_flowgraph *g)
{
	const igraph_t *ig = &g->graph;
	int error;

	memset(l, 0, sizeof(*l));
	l->g = g;
	if (!(l->slot = malloc(((size_t)g->nv + 1) * sizeof(*l->slot))))
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	for (igraph_integer_t v = 0; v < g->nv; v++)
		l->slot[v] = -1;
	for (size_t i = 0; i < iffa_findings_count(f); i++) {
		const iffa_finding *fd = iffa_findings_get(f, i);
		if (fd->subject_type == IFFA_SUBJECT_PARTY || fd->subject_type == IFFA_SUBJECT_ACCOUNT)
			mark(l, fd->subject);
		for (size_t k = 0; k < fd->nmembers; k++)
			mark(l, fd->members[k]);
		for (size_t k = 0; k < fd->nevidence; k++) {
			mark(l, IGRAPH_FROM(ig, fd->evidence[k]));
			mark(l, IGRAPH_TO(ig, fd->evidence[k]));
		}
	}
	if (!(l->labels = calloc(l->n + 1, sizeof(*l->labels))))
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	if ((error = fetch(l, db, 0)) < 0 || (error = fetch(l, db, 1)) < 0)
		return error;
	return 0;
}

/* ref of v, or "account 12" when the database had none (deleted since). */
static const char *ref_of(const labels *l, igraph_integer_t v, char *buf, size_t size)
{
	const label *lb = l->slot[v] >= 0 ? &l->labels[l->slot[v]] : NULL;

	if (lb && lb->ref)
		return lb->ref;
	snprintf(buf, size, "%s %lld", (l->g->vkey[v] & 1) ? "party" : "account",
		 (long long)(l->g->vkey[v] >> 1));
	return buf;
}

static const char *name_of(const labels *l, igraph_integer_t v)
{
	const label *lb = l->slot[v] >= 0 ? &l->labels[l->slot[v]] : NULL;

	return lb && lb->name ? lb->name : "";
}

static void vertex_label(iffa_jsonbuf *b, const labels *l, igraph_integer_t v)
{
	char buf[48];
	const char *name = name_of(l, v);

	iffa_jsonbuf__puts(b, ref_of(l, v, buf, sizeof(buf)));
	if (*name) {
		iffa_jsonbuf__puts(b, " (");
		iffa_jsonbuf__puts(b, name);
		iffa_jsonbuf__puts(b, ")");
	}
}

/* "from" or "to" (`side`): the end's ref, name, type and id (two per edge, so no printf). */
static void json_vertex(iffa_jsonbuf *b, const labels *l, const char *side, igraph_integer_t v)
{
	char buf[48];

	iffa_jsonbuf__puts(b, "\"");
	iffa_jsonbuf__puts(b, side);
	iffa_jsonbuf__puts(b, "\":");
	iffa_jsonbuf__str(b, ref_of(l, v, buf, sizeof(buf)));
	iffa_jsonbuf__puts(b, ",\"");
	iffa_jsonbuf__puts(b, side);
	iffa_jsonbuf__puts(b, "_name\":");
	iffa_jsonbuf__str(b, name_of(l, v));
	iffa_jsonbuf__puts(b, ",\"");
	iffa_jsonbuf__puts(b, side);
	iffa_jsonbuf__puts(b, (l->g->vkey[v] & 1) ? "_type\":\"party\",\"" : "_type\":\"account\",\"");
	iffa_jsonbuf__puts(b, side);
	iffa_jsonbuf__puts(b, "_id\":");
	iffa_jsonbuf__int(b, (long long)(l->g->vkey[v] >> 1));
}

static void json_edge(iffa_jsonbuf *b, const labels *l, igraph_integer_t e)
{
	const iffa_flowgraph *g = l->g;
	char t1[32], t2[32];

	if (iffa_flowgraph_time_format(t1, sizeof(t1), g->efirst[e]) < 0)
		snprintf(t1, sizeof(t1), "?");
	if (iffa_flowgraph_time_format(t2, sizeof(t2), g->elast[e]) < 0)
		snprintf(t2, sizeof(t2), "?");
	iffa_jsonbuf__puts(b, "{");
	json_vertex(b, l, "from", IGRAPH_FROM(&g->graph, e));
	iffa_jsonbuf__puts(b, ",");
	json_vertex(b, l, "to", IGRAPH_TO(&g->graph, e));
	iffa_jsonbuf__printf(b, ",\"amount_xof\":%.2f,\"flows\":%lld,\"first\":\"%s\",\"last\":\"%s\","
			     "\"channel\":\"%s\",\"kind\":\"%s\",\"record\":",
			     isfinite(g->eamount[e]) ? g->eamount[e] : 0.0, (long long)g->eflows[e], t1,
			     t2, iffa_channel_name((iffa_channel)g->echannel[e]),
			     iffa_record_kind_name((iffa_record_kind)g->ekind[e]));
	if (g->erecord[e] >= 0)
		iffa_jsonbuf__int(b, (long long)g->erecord[e]);
	else
		iffa_jsonbuf__puts(b, "null");
	iffa_jsonbuf__puts(b, "}");
}

static const char *subject_type_name(iffa_subject_type t)
{
	switch (t) {
	case IFFA_SUBJECT_PARTY:
		return "party";
	case IFFA_SUBJECT_ACCOUNT:
		return "account";
	case IFFA_SUBJECT_CLUSTER:
		return "cluster";
	default:
		return "path";
	}
}

/* The finding's label: its subject, a cluster's first members, or a path's ends. */
static void finding_label(iffa_jsonbuf *lab, const labels *l, const iffa_finding *fd)
{
	const iffa_flowgraph *g = l->g;
	const igraph_t *ig = &g->graph;
	int vertex = fd->subject_type == IFFA_SUBJECT_PARTY || fd->subject_type == IFFA_SUBJECT_ACCOUNT;

	if (vertex && fd->subject >= 0 && fd->subject < g->nv) {
		vertex_label(lab, l, fd->subject);
	} else if (fd->subject_type == IFFA_SUBJECT_CLUSTER && fd->nmembers > 0) {
		iffa_jsonbuf__printf(lab, "%zu members: ", fd->nmembers);
		for (size_t k = 0; k < fd->nmembers && k < 3; k++) {
			iffa_jsonbuf__puts(lab, k ? ", " : "");
			vertex_label(lab, l, fd->members[k]);
		}
		if (fd->nmembers > 3)
			iffa_jsonbuf__puts(lab, ", ...");
	} else {
		vertex_label(lab, l, IGRAPH_FROM(ig, fd->evidence[0]));
		iffa_jsonbuf__puts(lab, " -> ");
		vertex_label(lab, l, IGRAPH_TO(ig, fd->evidence[fd->nevidence - 1]));
	}
}

/* Text of `b` as the next COPY field of `out`, then the separator `sep`. */
static void copy_buf(iffa_jsonbuf *out, const iffa_jsonbuf *b, const char *sep)
{
	iffa_jsonbuf__copyfield(out, b->ptr ? b->ptr : "", b->len);
	iffa_jsonbuf__puts(out, sep);
	if (b->oom)
		out->oom = 1;
}

static void copy_str(iffa_jsonbuf *out, const char *s, const char *sep)
{
	iffa_jsonbuf__copyfield(out, s, s ? strlen(s) : 0);
	iffa_jsonbuf__puts(out, sep);
}

/* One `finding` row in COPY text format. */
static void copy_finding(iffa_jsonbuf *out, iffa_jsonbuf *scratch, const labels *l,
			 const iffa_finding *fd, const char *id, const char *run)
{
	const iffa_flowgraph *g = l->g;
	int vertex = fd->subject_type == IFFA_SUBJECT_PARTY || fd->subject_type == IFFA_SUBJECT_ACCOUNT;

	iffa_jsonbuf__printf(out, "%s\t%s\t", id, run);
	copy_str(out, fd->pass, "\t");
	copy_str(out, fd->kind, "\t");
	copy_str(out, subject_type_name(fd->subject_type), "\t");
	if (vertex && fd->subject >= 0 && fd->subject < g->nv)
		iffa_jsonbuf__printf(out, "%lld\t", (long long)(g->vkey[fd->subject] >> 1));
	else
		iffa_jsonbuf__puts(out, "\\N\t");
	iffa_jsonbuf__clear(scratch);
	finding_label(scratch, l, fd);
	copy_buf(out, scratch, "\t");
	iffa_jsonbuf__printf(out, "%.17g\t", isfinite(fd->score) ? fd->score : 0.0);
	copy_str(out, fd->reason, "\t");
	iffa_jsonbuf__clear(scratch);
	iffa_jsonbuf__puts(scratch, "[");
	for (size_t k = 0; k < fd->nevidence; k++) {
		iffa_jsonbuf__puts(scratch, k ? "," : "");
		json_edge(scratch, l, fd->evidence[k]);
	}
	iffa_jsonbuf__puts(scratch, "]");
	copy_buf(out, scratch, "\n");
}

/* Its `finding_member` rows. */
static void copy_members(iffa_jsonbuf *out, const labels *l, const iffa_finding *fd,
			 const char *id)
{
	const iffa_flowgraph *g = l->g;

	for (size_t k = 0; k < fd->nmembers; k++) {
		igraph_integer_t v = fd->members[k];
		const char *role = v == fd->subject ? "subject"
				   : (g->vflags[v] & (IFFA_VERTEX_DESIGNATED | IFFA_VERTEX_ARMED_GROUP))
					   ? "source"
					   : "member";
		if (g->vkey[v] & 1)
			iffa_jsonbuf__printf(out, "%s\t%lld\t\\N\t%s\n", id,
					     (long long)(g->vkey[v] >> 1), role);
		else if (g->vparty[v] >= 0)
			iffa_jsonbuf__printf(out, "%s\t%lld\t%lld\t%s\n", id, (long long)g->vparty[v],
					     (long long)(g->vkey[v] >> 1), role);
		else
			iffa_jsonbuf__printf(out, "%s\t\\N\t%lld\t%s\n", id,
					     (long long)(g->vkey[v] >> 1), role);
	}
}

/*
 * Send every finding (members = 0) or every member row (members = 1) in
 * one COPY. `ids` are the findings' ids, in order.
 */
static int copy_rows(iffa_db *db, const labels *l, const iffa_findings *f, PGresult *ids,
		     const char *run, int members)
{
	static const char finding_sql[] =
		"COPY finding (id, run_id, pass, kind, subject_type, subject_id, subject_label,"
		" score, reason, evidence) FROM STDIN";
	static const char member_sql[] =
		"COPY finding_member (finding_id, party_id, account_id, role) FROM STDIN";
	const char *what = members ? "storing finding members" : "storing findings";
	iffa_jsonbuf out = IFFA_JSONBUF_INIT, scratch = IFFA_JSONBUF_INIT;
	size_t n = iffa_findings_count(f);
	int error;

	if ((error = iffa_db__copy_begin(db, what, members ? member_sql : finding_sql)) < 0)
		return error;
	for (size_t i = 0; i < n && !error; i++) {
		const iffa_finding *fd = iffa_findings_get(f, i);
		const char *id = PQgetvalue(ids, (int)i, 0);
		if (members)
			copy_members(&out, l, fd, id);
		else
			copy_finding(&out, &scratch, l, fd, id, run);
		if (out.len >= IFFA_DB__COPY_BLOCK || i + 1 == n)
			error = iffa_db__copy_buf(db, what, &out);
	}
	error = iffa_db__copy_finish(db, what, error);
	iffa_jsonbuf__dispose(&out);
	iffa_jsonbuf__dispose(&scratch);
	return error;
}

/*
 * The findings' ids are drawn from finding's sequence in one statement,
 * then the rows and their members go in two COPY statements (no SQL text
 * from data: the rows are data). Inside the caller's transaction.
 */
int iffa_analyse__store(iffa_db *db, int64_t run, const iffa_findings *f, const iffa_flowgraph *g)
{
	labels l;
	PGresult *ids = NULL;
	char runtext[32], ntext[32];
	const char *params[1] = {ntext};
	size_t n = iffa_findings_count(f);
	int error;

	if ((error = labels_load(&l, db, f, g)) < 0 || n == 0)
		goto done;
	snprintf(runtext, sizeof(runtext), "%lld", (long long)run);
	snprintf(ntext, sizeof(ntext), "%zu", n);
	if ((error = iffa_db__query(&ids, db, "numbering the findings",
				    /* the sequence looked up once (a materialised CTE:
				       a subquery is pulled up into the rows), where
				       pg_get_serial_sequence per row took 0.5 s of 0.56
				       for 144k ids */
				    "WITH q AS MATERIALIZED (SELECT pg_get_serial_sequence("
				    "'finding', 'id')::regclass AS seq)"
				    " SELECT nextval(q.seq) FROM q"
				    " CROSS JOIN generate_series(1, $1::bigint) AS s(i) ORDER BY s.i",
				    1, params)) < 0)
		goto done;
	if ((size_t)PQntuples(ids) != n) {
		error = iffa_error_set(IFFA_EDB, "numbering the findings: %d ids for %zu findings",
				       PQntuples(ids), n);
		goto done;
	}
	if ((error = copy_rows(db, &l, f, ids, runtext, 0)) < 0 ||
	    (error = copy_rows(db, &l, f, ids, runtext, 1)) < 0)
		goto done;
done:
	PQclear(ids);
	labels_dispose(&l);
	return error;
}
