/*
 * A case: the vertices of the flow graph within K undirected hops of the
 * subjects, the edges among them (the induced subgraph), what the database
 * knows of each vertex (references, names, kinds) and the findings of an
 * analysis run touching it.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "db/db.h"
#include "export/case.h"
#include "graph/flowgraph.h"

void iffa_case__dispose(iffa_case__case *c)
{
	for (size_t i = 0; i < c->nv; i++) {
		free(c->v[i].ref);
		free(c->v[i].name);
		free(c->v[i].party_ref);
		free(c->v[i].party_kind);
		free(c->v[i].institution);
		iffa_jsonbuf__dispose(&c->v[i].findings);
	}
	free(c->v);
	free(c->e);
	memset(c, 0, sizeof(*c));
}

void iffa_case__date(char out[16], int64_t t)
{
	char buf[32];

	if (iffa_flowgraph_time_format(buf, sizeof(buf), t) < 0)
		buf[0] = '\0';
	snprintf(out, 16, "%.10s", buf);
}

void iffa_case__time(char out[32], int64_t t)
{
	if (iffa_flowgraph_time_format(out, 32, t) < 0)
		out[0] = '\0';
}

int iffa_case__resolve_run(int64_t *out, iffa_db *db, int64_t run, int64_t from, int64_t to)
{
	PGresult *res = NULL;
	char id[32];
	const char *p[1] = {id};
	int error;

	*out = 0;
	if (run > 0) {
		snprintf(id, sizeof(id), "%lld", (long long)run);
		if ((error = iffa_db__query(&res, db, "reading the analysis run",
					    "SELECT status FROM analysis_run WHERE id = $1::bigint", 1,
					    p)) < 0)
			return error;
		if (PQntuples(res) == 0)
			error = iffa_error_set(IFFA_ENOTFOUND, "no analysis run %lld", (long long)run);
		else if (strcmp(PQgetvalue(res, 0, 0), "completed") != 0)
			error = iffa_error_set(IFFA_EINVAL, "analysis run %lld is %s, not completed",
					       (long long)run, PQgetvalue(res, 0, 0));
		else
			*out = run;
		PQclear(res);
		return error;
	}
	if (run < 0)
		return 0;
	{
		/* The latest completed run whose window holds the export's, which
		 * describes the same money; else the latest completed run. */
		char f[32] = "", t[32] = "";
		const char *w[2] = {NULL, NULL};
		if (from != IFFA_TIME_MIN && iffa_flowgraph_time_format(f, sizeof(f), from) == 0)
			w[0] = f;
		if (to != IFFA_TIME_MAX && iffa_flowgraph_time_format(t, sizeof(t), to) == 0)
			w[1] = t;
		if ((error = iffa_db__query(&res, db, "finding the latest analysis run",
					    "SELECT id FROM analysis_run WHERE status = 'completed'"
					    " ORDER BY coalesce((data_from IS NULL OR data_from <= $1::timestamptz)"
					    " AND (data_to IS NULL OR data_to >= $2::timestamptz), false) DESC,"
					    " finished_at DESC, id DESC LIMIT 1",
					    2, w)) < 0)
			return error;
	}
	if (PQntuples(res) == 1)
		*out = atoll(PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

/* "{1,2,3}" for a bigint[] parameter. */
static int id_array(iffa_jsonbuf *b, const int64_t *ids, size_t n)
{
	iffa_jsonbuf__puts(b, "{");
	for (size_t i = 0; i < n; i++)
		iffa_jsonbuf__printf(b, "%s%lld", i ? "," : "", (long long)ids[i]);
	iffa_jsonbuf__puts(b, "}");
	return b->oom ? iffa_error_set(IFFA_ENOMEM, "out of memory") : 0;
}

/* The case vertex of a flow-graph vertex, through `local`. */
static iffa_case__vertex *local_vertex(iffa_case__case *c, const igraph_integer_t *local,
				       igraph_integer_t v)
{
	return (v >= 0 && local[v] >= 0) ? &c->v[local[v]] : NULL;
}

static int read_names(iffa_case__case *c, iffa_db *db, const iffa_flowgraph *g,
		      const igraph_integer_t *local)
{
	iffa_jsonbuf accounts = IFFA_JSONBUF_INIT, parties = IFFA_JSONBUF_INIT;
	int64_t *aid = NULL, *pid = NULL;
	size_t na = 0, np = 0;
	PGresult *res = NULL;
	const char *p[1];
	int error = 0;

	if (!(aid = malloc((c->nv + 1) * sizeof(*aid))) ||
	    !(pid = malloc((c->nv + 1) * sizeof(*pid)))) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < c->nv; i++) {
		if (c->v[i].is_party)
			pid[np++] = c->v[i].id;
		else
			aid[na++] = c->v[i].id;
	}
	if ((error = id_array(&accounts, aid, na)) < 0 || (error = id_array(&parties, pid, np)) < 0)
		goto done;
	p[0] = accounts.ptr;
	if ((error = iffa_db__query(&res, db, "reading the case's accounts",
				    "SELECT a.id, a.ref, a.kind, coalesce(a.institution, ''),"
				    " coalesce(p.ref, ''), coalesce(p.name, ''), coalesce(p.kind, '')"
				    " FROM account a LEFT JOIN party p ON p.id = a.party_id"
				    " WHERE a.id = ANY($1::bigint[])",
				    1, p)) < 0)
		goto done;
	for (int r = 0; r < PQntuples(res); r++) {
		igraph_integer_t v;
		iffa_case__vertex *x;
		if (iffa_flowgraph_find_vertex(&v, g, IFFA_KEY_ACCOUNT(atoll(PQgetvalue(res, r, 0)))) < 0 ||
		    !(x = local_vertex(c, local, v)) || x->is_party)
			continue;
		free(x->ref);
		free(x->institution);
		free(x->party_ref);
		free(x->name);
		free(x->party_kind);
		x->ref = dup_or_empty(PQgetvalue(res, r, 1));
		x->institution = dup_or_empty(PQgetvalue(res, r, 3));
		x->party_ref = dup_or_empty(PQgetvalue(res, r, 4));
		x->name = dup_or_empty(PQgetvalue(res, r, 5));
		x->party_kind = dup_or_empty(PQgetvalue(res, r, 6));
		if (!x->ref || !x->institution || !x->party_ref || !x->name || !x->party_kind) {
			error = iffa_error_set(IFFA_ENOMEM, "out of memory");
			goto done;
		}
	}
	PQclear(res);
	res = NULL;
	p[0] = parties.ptr;
	if ((error = iffa_db__query(&res, db, "reading the case's parties",
				    "SELECT id, ref, name, kind FROM party WHERE id = ANY($1::bigint[])",
				    1, p)) < 0)
		goto done;
	for (int r = 0; r < PQntuples(res); r++) {
		igraph_integer_t v;
		iffa_case__vertex *x;
		if (iffa_flowgraph_find_vertex(&v, g, IFFA_KEY_PARTY(atoll(PQgetvalue(res, r, 0)))) < 0 ||
		    !(x = local_vertex(c, local, v)) || !x->is_party)
			continue;
		free(x->ref);
		free(x->name);
		free(x->party_ref);
		free(x->party_kind);
		x->ref = dup_or_empty(PQgetvalue(res, r, 1));
		x->name = dup_or_empty(PQgetvalue(res, r, 2));
		x->party_ref = dup_or_empty(PQgetvalue(res, r, 1));
		x->party_kind = dup_or_empty(PQgetvalue(res, r, 3));
		if (!x->ref || !x->name || !x->party_ref || !x->party_kind) {
			error = iffa_error_set(IFFA_ENOMEM, "out of memory");
			goto done;
		}
	}
done:
	PQclear(res);
	iffa_jsonbuf__dispose(&accounts);
	iffa_jsonbuf__dispose(&parties);
	free(aid);
	free(pid);
	return error;
}

static void count_finding(iffa_case__vertex *x, int64_t fid, const char *pass, const char *kind,
			  double score)
{
	if (x->last_finding == fid)
		return;
	x->last_finding = fid;
	if (x->nfindings == 0 || score > x->score)
		x->score = score;
	if (x->nfindings < 12)
		iffa_jsonbuf__printf(&x->findings, "%s%s/%s %.3f", x->nfindings ? "; " : "", pass,
				     kind, score);
	else if (x->nfindings == 12)
		iffa_jsonbuf__puts(&x->findings, "; ...");
	x->nfindings++;
}

static int read_findings(iffa_case__case *c, iffa_db *db, const iffa_flowgraph *g,
			 const igraph_integer_t *local)
{
	iffa_jsonbuf accounts = IFFA_JSONBUF_INIT, parties = IFFA_JSONBUF_INIT;
	int64_t *aid = NULL, *pid = NULL;
	size_t na = 0, np = 0;
	PGresult *res = NULL;
	char run[32];
	const char *p[3];
	int error = 0;

	if (c->run <= 0)
		return 0;
	if (!(aid = malloc((c->nv + 1) * sizeof(*aid))) ||
	    !(pid = malloc((c->nv + 1) * sizeof(*pid)))) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < c->nv; i++) {
		if (!c->v[i].is_party)
			aid[na++] = c->v[i].id;
		if (c->v[i].party_id >= 0)
			pid[np++] = c->v[i].party_id;
	}
	if ((error = id_array(&accounts, aid, na)) < 0 || (error = id_array(&parties, pid, np)) < 0)
		goto done;
	snprintf(run, sizeof(run), "%lld", (long long)c->run);
	p[0] = run;
	p[1] = accounts.ptr;
	p[2] = parties.ptr;
	if ((error = iffa_db__query(&res, db, "reading the run's findings",
				    "SELECT f.id, f.pass, f.kind, f.score, coalesce(m.account_id, -1),"
				    " coalesce(m.party_id, -1)"
				    " FROM finding f JOIN finding_member m ON m.finding_id = f.id"
				    " WHERE f.run_id = $1::bigint AND (m.account_id = ANY($2::bigint[])"
				    " OR m.party_id = ANY($3::bigint[]))"
				    " ORDER BY f.id",
				    3, p)) < 0)
		goto done;
	for (int r = 0; r < PQntuples(res); r++) {
		int64_t fid = atoll(PQgetvalue(res, r, 0));
		const char *pass = PQgetvalue(res, r, 1), *kind = PQgetvalue(res, r, 2);
		double score = strtod(PQgetvalue(res, r, 3), NULL);
		int64_t acc = atoll(PQgetvalue(res, r, 4)), party = atoll(PQgetvalue(res, r, 5));
		igraph_integer_t v;

		if (acc >= 0 && iffa_flowgraph_find_vertex(&v, g, IFFA_KEY_ACCOUNT(acc)) == 0 &&
		    local_vertex(c, local, v)) {
			/* The account's own vertex (or, at party level, its owner's). */
			count_finding(local_vertex(c, local, v), fid, pass, kind, score);
			continue;
		}
		if (acc >= 0 || party < 0)
			continue;
		/* A party flagged without an account: its vertex, or every account of it. */
		for (size_t i = 0; i < c->nv; i++)
			if (c->v[i].party_id == party)
				count_finding(&c->v[i], fid, pass, kind, score);
	}
	for (size_t i = 0; i < c->nv; i++) {
		if (c->v[i].findings.oom) {
			error = iffa_error_set(IFFA_ENOMEM, "out of memory");
			goto done;
		}
		if (c->v[i].nfindings > 0)
			c->flagged++;
	}
done:
	PQclear(res);
	iffa_jsonbuf__dispose(&accounts);
	iffa_jsonbuf__dispose(&parties);
	free(aid);
	free(pid);
	return error;
}

/* Hops from the nearest seed for every vertex within `hops`: the vertices
 * igraph_neighborhood puts at exactly distance k, for k = 0..hops. */
static int neighbourhood(int *dist, const iffa_flowgraph *g, const igraph_integer_t *seeds,
			 size_t nseeds, int hops)
{
	const igraph_t *ig = iffa_flowgraph_igraph(g);
	igraph_vector_int_t vids;
	igraph_vector_int_list_t res;
	igraph_error_t ierr;
	int error = 0;

	if (igraph_vector_int_init(&vids, (igraph_integer_t)nseeds) != IGRAPH_SUCCESS)
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	if (igraph_vector_int_list_init(&res, 0) != IGRAPH_SUCCESS) {
		igraph_vector_int_destroy(&vids);
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < nseeds; i++)
		VECTOR(vids)[i] = seeds[i];
	for (int k = 0; k <= hops && error == 0; k++) {
		ierr = igraph_neighborhood(ig, &res, igraph_vss_vector(&vids), k, IGRAPH_ALL, k);
		if (ierr != IGRAPH_SUCCESS) {
			error = iffa_flowgraph__igraph_fail(ierr, "the case's neighbourhood");
			break;
		}
		for (igraph_integer_t s = 0; s < igraph_vector_int_list_size(&res); s++) {
			igraph_vector_int_t *l = igraph_vector_int_list_get_ptr(&res, s);
			for (igraph_integer_t j = 0; j < igraph_vector_int_size(l); j++) {
				igraph_integer_t v = VECTOR(*l)[j];
				if (dist[v] < 0)
					dist[v] = k;
			}
		}
	}
	igraph_vector_int_list_destroy(&res);
	igraph_vector_int_destroy(&vids);
	return error;
}

int iffa_case__build(iffa_case__case *out, iffa_db *db, const iffa_flowgraph *g,
		     const igraph_integer_t *seeds, size_t nseeds, int hops, int64_t run)
{
	const igraph_t *ig = iffa_flowgraph_igraph(g);
	igraph_integer_t nv = iffa_flowgraph_vertex_count(g), *local = NULL;
	igraph_vector_int_t inc;
	int *dist = NULL, inc_ok = 0, error = 0;
	size_t ecap = 0;

	memset(out, 0, sizeof(*out));
	out->level = iffa_flowgraph_level(g);
	out->run = run > 0 ? run : 0;
	iffa_flowgraph_window(g, &out->from, &out->to);
	if (!(dist = malloc(((size_t)nv + 1) * sizeof(*dist))) ||
	    !(local = malloc(((size_t)nv + 1) * sizeof(*local)))) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	for (igraph_integer_t v = 0; v < nv; v++) {
		dist[v] = -1;
		local[v] = -1;
	}
	if ((error = neighbourhood(dist, g, seeds, nseeds, hops)) < 0)
		goto done;
	for (igraph_integer_t v = 0; v < nv; v++)
		if (dist[v] >= 0)
			out->nv++;
	if (!(out->v = calloc(out->nv + 1, sizeof(*out->v)))) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	out->nv = 0;
	for (igraph_integer_t v = 0; v < nv; v++) {
		iffa_case__vertex *x;
		if (dist[v] < 0)
			continue;
		local[v] = (igraph_integer_t)out->nv;
		x = &out->v[out->nv++];
		x->v = v;
		x->is_party = iffa_flowgraph_vertex_is_party(g, v);
		x->id = iffa_flowgraph_vertex_db_id(g, v);
		x->party_id = iffa_flowgraph_vertex_party(g, v);
		x->kind = x->is_party ? iffa_party_kind_name(iffa_flowgraph_vertex_kind(g, v))
				      : iffa_account_kind_name(iffa_flowgraph_vertex_kind(g, v));
		if (!x->kind)
			x->kind = "";
		snprintf(x->country, sizeof(x->country), "%s", iffa_flowgraph_vertex_country(g, v));
		x->flags = iffa_flowgraph_vertex_flags(g, v);
		x->hops = dist[v];
		x->last_finding = -1;
		x->ref = strdup("");
		x->name = strdup("");
		x->party_ref = strdup("");
		x->party_kind = strdup("");
		x->institution = strdup("");
		if (!x->ref || !x->name || !x->party_ref || !x->party_kind || !x->institution) {
			error = iffa_error_set(IFFA_ENOMEM, "out of memory");
			goto done;
		}
	}
	for (size_t i = 0; i < nseeds; i++)
		if (seeds[i] >= 0 && seeds[i] < nv && local[seeds[i]] >= 0)
			out->v[local[seeds[i]]].subject = 1;

	/* The induced subgraph's edges: out-edges of members ending at members. */
	if (igraph_vector_int_init(&inc, 0) != IGRAPH_SUCCESS) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	inc_ok = 1;
	for (size_t i = 0; i < out->nv; i++) {
		igraph_error_t ierr = igraph_incident(ig, &inc, out->v[i].v, IGRAPH_OUT);
		if (ierr != IGRAPH_SUCCESS) {
			error = iffa_flowgraph__igraph_fail(ierr, "the case's edges");
			goto done;
		}
		igraph_vector_int_sort(&inc);
		for (igraph_integer_t j = 0; j < igraph_vector_int_size(&inc); j++) {
			igraph_integer_t e = VECTOR(inc)[j], to = IGRAPH_TO(ig, e);
			iffa_case__edge *x;
			if (local[to] < 0)
				continue;
			if (out->ne == ecap) {
				size_t ncap = ecap ? 2 * ecap : 64;
				void *p = realloc(out->e, ncap * sizeof(*out->e));
				if (!p) {
					error = iffa_error_set(IFFA_ENOMEM, "out of memory");
					goto done;
				}
				out->e = p;
				ecap = ncap;
			}
			x = &out->e[out->ne++];
			x->from = i;
			x->to = (size_t)local[to];
			x->e = e;
			x->amount = iffa_flowgraph_edge_amount(g, e);
			x->flows = iffa_flowgraph_edge_flows(g, e);
			x->first = iffa_flowgraph_edge_first(g, e);
			x->last = iffa_flowgraph_edge_last(g, e);
			x->record = iffa_flowgraph_edge_record(g, e);
			x->channel = iffa_flowgraph_edge_channel(g, e);
			x->kind = iffa_flowgraph_edge_kind(g, e);
			out->amount += x->amount;
		}
	}
	if (db) {
		if ((error = read_names(out, db, g, local)) < 0 ||
		    (error = read_findings(out, db, g, local)) < 0)
			goto done;
	}
done:
	if (inc_ok)
		igraph_vector_int_destroy(&inc);
	free(dist);
	free(local);
	return error;
}
