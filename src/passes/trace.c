/*
 * `iffa trace`'s library side: the paths out of or into one account or
 * party (the paths pass's walk from the subject's own flows, forward in
 * time, or backward in time towards it), refs to database keys and back
 * through parameterised queries, and the text and JSON writers.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "core/jsonbuf.h"
#include "db/db.h"
#include "graph/flowgraph.h"
#include "passes/paths.h"

typedef struct {
	iffa_routes routes;
	iffa_trace_hop *hops;
} storage;

void iffa_trace_result_dispose(iffa_trace_result *r)
{
	storage *s = r->storage_;

	if (s) {
		iffa_routes__dispose(&s->routes);
		free(s->hops);
		free(s);
	}
	if (r->refs)
		for (igraph_integer_t v = 0; v < r->nrefs; v++)
			free(r->refs[v]);
	free(r->refs);
	free(r->subject_ref);
	free(r->paths);
	memset(r, 0, sizeof(*r));
}

static int check_options(const iffa_trace_options *o)
{
	if ((o->direction != IFFA_TRACE_FROM && o->direction != IFFA_TRACE_TO) || o->dwell < 0 ||
	    o->grace < 0 ||
	    o->max_hops < 1 || o->max_hops > 32 || !(o->min_amount >= 0) || o->max_paths < 1 ||
	    o->max_sources < 1 || o->max_expansions < 1)
		return iffa_error_set(IFFA_EINVAL,
				      "trace options out of range: dwell %lld µs (>= 0), max_hops %d "
				      "(1..32), min_amount %g (>= 0), max_paths %zu, max_sources %zu "
				      "and max_expansions %zu (>= 1)",
				      (long long)o->dwell, o->max_hops, o->min_amount, o->max_paths,
				      o->max_sources, o->max_expansions);
	return 0;
}

/*
 * The vertices standing for `key`: its vertex, or at account level for a
 * party every account it owns (and its own vertex when it has none).
 */
static int subject_vertices(uint8_t *mark, const iffa_flowgraph *g, int64_t key)
{
	igraph_integer_t v;
	int found = 0;

	if ((key & 1) && g->level == IFFA_LEVEL_ACCOUNT) {
		for (v = 0; v < g->nv; v++)
			if (g->vparty[v] == (key >> 1) && !(g->vkey[v] & 1))
				mark[v] = 1, found = 1;
	}
	if (!found && iffa_flowgraph_find_vertex(&v, g, key) == 0)
		mark[v] = 1, found = 1;
	if (!found)
		return iffa_error_set(IFFA_ENOTFOUND, "no %s %lld in the flow graph",
				      key & 1 ? "party" : "account", (long long)(key >> 1));
	return 0;
}

typedef struct {
	double amount;
	igraph_integer_t e;
} sized;

static int by_size_desc(const void *a, const void *b)
{
	const sized *x = a, *y = b;

	if (x->amount != y->amount)
		return x->amount > y->amount ? -1 : 1;
	return x->e < y->e ? -1 : x->e > y->e;
}

static void add_country(iffa_trace_path *p, const char *c)
{
	if (!c[0] || p->ncountries == IFFA_TRACE_MAX_COUNTRIES)
		return;
	if (p->ncountries && strcmp(p->countries[p->ncountries - 1], c) == 0)
		return;
	memcpy(p->countries[p->ncountries++], c, 3);
}

/* Route `r` as a trace path, hops in money order. */
static void to_trace_path(iffa_trace_path *out, iffa_trace_hop *hops, const iffa_routes *rs,
			  const iffa_route *r, const iffa_flowgraph *g, int backward)
{
	memset(out, 0, sizeof(*out));
	out->amount = r->amount;
	out->hops = hops;
	out->nhops = r->nhops;
	for (uint32_t k = 0; k < r->nhops; k++) {
		const iffa_route_hop *h = &rs->hops[r->hop0 + (backward ? r->nhops - 1 - k : k)];
		iffa_trace_hop *t = &hops[k];
		igraph_integer_t e = iffa_routes__largest(rs, h, g);

		t->from = IGRAPH_FROM(&g->graph, e);
		t->to = IGRAPH_TO(&g->graph, e);
		t->carried = h->carried;
		t->share = h->share;
		t->edges = rs->edges + h->e0;
		t->nedges = h->e1 - h->e0;
		t->first = INT64_MAX;
		t->last = INT64_MIN;
		for (size_t i = 0; i < t->nedges; i++) {
			if (g->efirst[t->edges[i]] < t->first)
				t->first = g->efirst[t->edges[i]];
			if (g->elast[t->edges[i]] > t->last)
				t->last = g->elast[t->edges[i]];
		}
		add_country(out, g->vcountry[t->from]);
		add_country(out, g->vcountry[t->to]);
	}
}

int iffa_paths_trace(iffa_trace_result *out, const iffa_flowgraph *g, int64_t key,
		     const iffa_trace_options *o)
{
	iffa_trace_options defaults = IFFA_TRACE_OPTIONS_INIT;
	iffa_walk *w = NULL;
	iffa_walk_paths found;
	iffa_walk_limits lim;
	iffa_walk_source *src = NULL;
	sized *cand = NULL;
	int *extra = NULL;
	uint8_t *mark = NULL;
	storage *st = NULL;
	size_t ncand = 0, nsrc, keep, nhops = 0;
	int error;

	memset(out, 0, sizeof(*out));
	memset(&found, 0, sizeof(found));
	memset(&lim, 0, sizeof(lim));
	if (!o)
		o = &defaults;
	if ((error = check_options(o)) < 0)
		return error;
	out->direction = o->direction;
	out->subject = key;
	out->dwell = o->dwell;
	out->max_hops = o->max_hops;
	mark = calloc(g->nv ? (size_t)g->nv : 1, 1);
	cand = malloc((g->ne ? (size_t)g->ne : 1) * sizeof(*cand));
	st = calloc(1, sizeof(*st));
	extra = malloc((g->ne ? (size_t)g->ne : 1) * sizeof(*extra));
	if (!mark || !cand || !st || !extra) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	out->storage_ = st;
	if ((error = subject_vertices(mark, g, key)) < 0 ||
	    (error = iffa_walk__new(&w, g, o->direction == IFFA_TRACE_FROM ? IFFA_WALK_FORWARD
									  : IFFA_WALK_BACKWARD,
				    o->same_owner)) < 0)
		goto done;
	/* The subject's own flows start the walks, the largest first. */
	for (igraph_integer_t e = 0; e < g->ne; e++) {
		if (!mark[iffa_walk__from_vertex(w, e)] || !iffa_walk__edge_usable(w, e) ||
		    g->eamount[e] < o->min_amount)
			continue;
		cand[ncand].amount = g->eamount[e];
		cand[ncand].e = e;
		ncand++;
	}
	iffa_sort__(cand, ncand, sizeof(*cand), by_size_desc);
	nsrc = ncand < o->max_sources ? ncand : o->max_sources;
	src = malloc((nsrc ? nsrc : 1) * sizeof(*src));
	if (!src) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	if ((error = iffa_paths__ransom_extra(extra, g)) < 0)
		goto done;
	for (size_t i = 0; i < nsrc; i++) {
		src[i].edge = cand[i].e;
		src[i].amount = cand[i].amount;
		src[i].kind = 0;
		src[i].extra_hops = extra[cand[i].e];
	}
	lim.dwell = o->dwell;
	lim.grace = o->grace;
	lim.max_hops = o->max_hops;
	lim.min_amount = o->min_amount;
	lim.min_fraction = 0;
	lim.max_paths = o->max_paths;
	lim.max_expansions = o->max_expansions;
	{
		iffa_walk_stats stats = {0, 0, 0, 0};
		if ((error = iffa_walk__run(&found, w, src, nsrc, &lim, &stats)) < 0)
			goto done;
		out->sources = stats.sources;
		out->truncated = stats.truncated;
	}
	if ((error = iffa_routes__merge(&st->routes, w, &found)) < 0)
		goto done;
	out->found = st->routes.n;
	keep = st->routes.n < o->max_paths ? st->routes.n : o->max_paths;
	for (size_t i = 0; i < keep; i++)
		nhops += st->routes.routes[i].nhops;
	out->paths = calloc(keep ? keep : 1, sizeof(*out->paths));
	st->hops = calloc(nhops ? nhops : 1, sizeof(*st->hops));
	if (!out->paths || !st->hops) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	nhops = 0;
	for (size_t i = 0; i < keep; i++) {
		to_trace_path(&out->paths[i], st->hops + nhops, &st->routes, &st->routes.routes[i], g,
			      o->direction == IFFA_TRACE_TO);
		nhops += st->routes.routes[i].nhops;
	}
	out->npaths = keep;
done:
	iffa_walk__paths_dispose(&found);
	iffa_walk__free(w);
	free(src);
	free(cand);
	free(extra);
	free(mark);
	if (!out->storage_)
		free(st);
	return error;
}

/* ------------------------------------------------------------------ */
/* Refs                                                                */
/* ------------------------------------------------------------------ */

int iffa_paths_resolve_ref(int64_t *out, iffa_db *db, const char *ref)
{
	static const char sql[] = "SELECT 0, id FROM account WHERE ref = $1 AND $2 <> 'party' "
				  "UNION ALL SELECT 1, id FROM party WHERE ref = $1 AND $2 <> "
				  "'account' ORDER BY 1";
	const char *params[2] = {ref, "any"};
	PGresult *res = NULL;
	int error;

	*out = -1;
	if (strncmp(ref, "account:", 8) == 0)
		params[0] = ref + 8, params[1] = "account";
	else if (strncmp(ref, "party:", 6) == 0)
		params[0] = ref + 6, params[1] = "party";
	if (!params[0][0])
		return iffa_error_set(IFFA_EINVAL, "an empty ref names nothing");
	if ((error = iffa_db__query(&res, db, "looking up a ref", sql, 2, params)) < 0)
		return error;
	if (PQntuples(res) == 0)
		error = iffa_error_set(IFFA_ENOTFOUND, "no %s with ref '%s'",
				       strcmp(params[1], "any") ? params[1] : "account or party",
				       params[0]);
	else if (PQntuples(res) > 1)
		error = iffa_error_set(IFFA_EINVAL,
				       "ref '%s' names an account and a party: write account:%s or "
				       "party:%s", params[0], params[0], params[0]);
	else {
		int64_t id = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
		*out = strcmp(PQgetvalue(res, 0, 0), "1") == 0 ? IFFA_KEY_PARTY(id)
							       : IFFA_KEY_ACCOUNT(id);
	}
	PQclear(res);
	return error;
}

/* Ids of one kind (accounts or parties) as a PostgreSQL array literal. */
static int id_array(iffa_jsonbuf *b, const iffa_trace_result *r, const uint8_t *want,
		    const iffa_flowgraph *g, int party)
{
	int error = iffa_jsonbuf__puts(b, "{");
	int first = 1;

	for (igraph_integer_t v = 0; v < g->nv && !error; v++) {
		if (!want[v] || (int)(g->vkey[v] & 1) != party)
			continue;
		error = iffa_jsonbuf__printf(b, "%s%lld", first ? "" : ",",
					     (long long)(g->vkey[v] >> 1));
		first = 0;
	}
	(void)r;
	return error < 0 ? error : iffa_jsonbuf__puts(b, "}");
}

int iffa_trace_refs(iffa_trace_result *r, iffa_db *db, const iffa_flowgraph *g)
{
	static const char *const sql[2] = {
		"SELECT id, ref FROM account WHERE id = ANY($1::bigint[])",
		"SELECT id, ref FROM party WHERE id = ANY($1::bigint[])"};
	iffa_jsonbuf ids = IFFA_JSONBUF_INIT;
	uint8_t *want = calloc(g->nv ? (size_t)g->nv : 1, 1);
	PGresult *res = NULL;
	int error = 0;

	if (!want || !(r->refs = calloc(g->nv ? (size_t)g->nv : 1, sizeof(*r->refs)))) {
		free(want);
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	}
	r->nrefs = g->nv;
	for (size_t i = 0; i < r->npaths; i++)
		for (size_t k = 0; k < r->paths[i].nhops; k++) {
			const iffa_trace_hop *h = &r->paths[i].hops[k];
			for (size_t j = 0; j < h->nedges; j++) {
				want[IGRAPH_FROM(&g->graph, h->edges[j])] = 1;
				want[IGRAPH_TO(&g->graph, h->edges[j])] = 1;
			}
		}
	for (int party = 0; party < 2 && !error; party++) {
		const char *params[1];
		iffa_jsonbuf__clear(&ids);
		if ((error = id_array(&ids, r, want, g, party)) < 0)
			break;
		params[0] = ids.ptr;
		if ((error = iffa_db__query(&res, db, "reading refs", sql[party], 1, params)) < 0)
			break;
		for (int i = 0; i < PQntuples(res) && !error; i++) {
			int64_t id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
			igraph_integer_t v = iffa_flowgraph__lookup(
				g, party ? IFFA_KEY_PARTY(id) : IFFA_KEY_ACCOUNT(id));
			if (v < 0 || g->vkey[v] != (party ? IFFA_KEY_PARTY(id) : IFFA_KEY_ACCOUNT(id)))
				continue;
			if (!(r->refs[v] = strdup(PQgetvalue(res, i, 1))))
				error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		}
		PQclear(res);
		res = NULL;
	}
	if (!error) {
		char id[24];
		const char *params[1] = {id};
		snprintf(id, sizeof(id), "{%lld}", (long long)(r->subject >> 1));
		if ((error = iffa_db__query(&res, db, "reading refs", sql[r->subject & 1], 1,
					    params)) == 0 &&
		    PQntuples(res) == 1 && !(r->subject_ref = strdup(PQgetvalue(res, 0, 1))))
			error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		PQclear(res);
	}
	iffa_jsonbuf__dispose(&ids);
	free(want);
	return error;
}

/* ------------------------------------------------------------------ */
/* Writers                                                             */
/* ------------------------------------------------------------------ */

static const char *vertex_label(char *buf, size_t size, const iffa_trace_result *r,
				const iffa_flowgraph *g, igraph_integer_t v)
{
	if (r->refs && v < r->nrefs && r->refs[v])
		return r->refs[v];
	snprintf(buf, size, "%s %lld", g->vkey[v] & 1 ? "party" : "account",
		 (long long)(g->vkey[v] >> 1));
	return buf;
}

static void time_text(char *buf, size_t size, int64_t t)
{
	if (iffa_flowgraph_time_format(buf, size, t) < 0)
		snprintf(buf, size, "?");
}

static void countries_text(char *buf, size_t size, const iffa_trace_path *p)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < p->ncountries && len + 8 < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? "\u2192" : "",
					p->countries[i]);
	if (!p->ncountries)
		snprintf(buf, size, "countries unknown");
}

int iffa_trace_write_text(const iffa_trace_result *r, const iffa_flowgraph *g, FILE *to)
{
	char subject[64], amount[32], corridor[IFFA_TRACE_MAX_COUNTRIES * 5 + 1];
	char a[80], b[80], t1[32], t2[32];

	if (r->subject_ref)
		snprintf(subject, sizeof(subject), "%s %s", r->subject & 1 ? "party" : "account",
			 r->subject_ref);
	else
		snprintf(subject, sizeof(subject), "%s %lld", r->subject & 1 ? "party" : "account",
			 (long long)(r->subject >> 1));
	fprintf(to, "Paths %s %s: %zu shown of %zu found\n",
		r->direction == IFFA_TRACE_FROM ? "out of" : "into", subject, r->npaths, r->found);
	fprintf(to, "walked from %zu of its flows (%zu stopped at the expansion limit); dwell "
		    "%.1f days, at most %d hops\n",
		r->sources, r->truncated, (double)r->dwell / (double)IFFA_PATHS_DAY, r->max_hops);
	for (size_t i = 0; i < r->npaths; i++) {
		const iffa_trace_path *p = &r->paths[i];

		iffa_paths__format_xof(amount, sizeof(amount), p->amount);
		countries_text(corridor, sizeof(corridor), p);
		time_text(t1, sizeof(t1), p->hops[0].first);
		time_text(t2, sizeof(t2), p->hops[p->nhops - 1].last);
		fprintf(to, "\n#%zu  %s XOF  %s%s  %zu hop%s  %s .. %s\n", i + 1, amount, corridor,
			p->ncountries > 1 ? " (cross-border)" : "", p->nhops, p->nhops == 1 ? "" : "s",
			t1, t2);
		for (size_t k = 0; k < p->nhops; k++) {
			const iffa_trace_hop *h = &p->hops[k];
			iffa_paths__format_xof(amount, sizeof(amount), h->carried);
			fprintf(to, "  %zu. %s (%s) -> %s (%s)  carries %s XOF, %.0f%% of what the %s "
				    "end moved\n",
				k + 1, vertex_label(a, sizeof(a), r, g, h->from),
				g->vcountry[h->from][0] ? g->vcountry[h->from] : "??",
				vertex_label(b, sizeof(b), r, g, h->to),
				g->vcountry[h->to][0] ? g->vcountry[h->to] : "??", amount,
				100 * h->share, r->direction == IFFA_TRACE_FROM ? "receiving" : "paying");
			for (size_t j = 0; j < h->nedges; j++) {
				igraph_integer_t e = h->edges[j];
				time_text(t1, sizeof(t1), g->efirst[e]);
				iffa_paths__format_xof(amount, sizeof(amount), g->eamount[e]);
				fprintf(to, "       %s  %s -> %s  %s XOF  %s%s%s", t1,
					vertex_label(a, sizeof(a), r, g, IGRAPH_FROM(&g->graph, e)),
					vertex_label(b, sizeof(b), r, g, IGRAPH_TO(&g->graph, e)),
					amount,
					g->echannel[e] == IFFA_CHANNEL_NONE
						? ""
						: iffa_channel_name(g->echannel[e]),
					g->echannel[e] == IFFA_CHANNEL_NONE ? "" : " ",
					iffa_record_kind_name(g->ekind[e]));
				if (g->eflows[e] > 1) {
					time_text(t2, sizeof(t2), g->elast[e]);
					fprintf(to, " (%lld flows until %s)", (long long)g->eflows[e], t2);
				} else if (g->erecord[e] >= 0) {
					fprintf(to, " %lld", (long long)g->erecord[e]);
				}
				fputc('\n', to);
			}
		}
	}
	return ferror(to) ? iffa_error_set(IFFA_EIO, "writing the trace failed") : 0;
}

static int json_vertex(iffa_jsonbuf *b, const iffa_trace_result *r, const iffa_flowgraph *g,
		       igraph_integer_t v)
{
	int error = iffa_jsonbuf__printf(b, "{\"type\":\"%s\",\"id\":%lld,\"ref\":",
					 g->vkey[v] & 1 ? "party" : "account",
					 (long long)(g->vkey[v] >> 1));

	if (!error)
		error = iffa_jsonbuf__str(b, r->refs && v < r->nrefs ? r->refs[v] : NULL);
	if (!error)
		error = iffa_jsonbuf__puts(b, ",\"country\":");
	if (!error)
		error = iffa_jsonbuf__str(b, g->vcountry[v][0] ? g->vcountry[v] : NULL);
	return error < 0 ? error : iffa_jsonbuf__puts(b, "}");
}

static int json_time(iffa_jsonbuf *b, const char *key, int64_t t)
{
	char buf[32];

	time_text(buf, sizeof(buf), t);
	return iffa_jsonbuf__printf(b, ",\"%s\":\"%s\"", key, buf);
}

int iffa_trace_write_json(const iffa_trace_result *r, const iffa_flowgraph *g, FILE *to)
{
	iffa_jsonbuf b = IFFA_JSONBUF_INIT;
	int error;

	error = iffa_jsonbuf__printf(&b, "{\"direction\":\"%s\",\"subject\":{\"type\":\"%s\","
					 "\"id\":%lld,\"ref\":",
				     r->direction == IFFA_TRACE_FROM ? "from" : "to",
				     r->subject & 1 ? "party" : "account", (long long)(r->subject >> 1));
	if (!error)
		error = iffa_jsonbuf__str(&b, r->subject_ref);
	if (!error)
		error = iffa_jsonbuf__printf(&b, "},\"level\":\"%s\",\"aggregated\":%s,"
						 "\"dwell_days\":%.6g,\"max_hops\":%d,\"found\":%zu,"
						 "\"sources\":%zu,\"truncated\":%zu,\"paths\":[",
					     g->level == IFFA_LEVEL_PARTY ? "party" : "account",
					     g->aggregated ? "true" : "false",
					     (double)r->dwell / (double)IFFA_PATHS_DAY, r->max_hops,
					     r->found, r->sources, r->truncated);
	for (size_t i = 0; i < r->npaths && !error; i++) {
		const iffa_trace_path *p = &r->paths[i];

		error = iffa_jsonbuf__printf(&b, "%s{\"amount_xof\":%.2f,\"countries\":[", i ? "," : "",
					     p->amount);
		for (size_t c = 0; c < p->ncountries && !error; c++)
			error = iffa_jsonbuf__printf(&b, "%s\"%s\"", c ? "," : "", p->countries[c]);
		if (!error)
			error = iffa_jsonbuf__printf(&b, "],\"cross_border\":%s,\"hops\":[",
						     p->ncountries > 1 ? "true" : "false");
		for (size_t k = 0; k < p->nhops && !error; k++) {
			const iffa_trace_hop *h = &p->hops[k];
			if ((error = iffa_jsonbuf__printf(&b, "%s{\"from\":", k ? "," : "")) < 0 ||
			    (error = json_vertex(&b, r, g, h->from)) < 0 ||
			    (error = iffa_jsonbuf__puts(&b, ",\"to\":")) < 0 ||
			    (error = json_vertex(&b, r, g, h->to)) < 0 ||
			    (error = iffa_jsonbuf__printf(&b, ",\"carried_xof\":%.2f,\"share\":%.4f",
							  h->carried, h->share)) < 0 ||
			    (error = json_time(&b, "first", h->first)) < 0 ||
			    (error = json_time(&b, "last", h->last)) < 0 ||
			    (error = iffa_jsonbuf__puts(&b, ",\"flows\":[")) < 0)
				break;
			for (size_t j = 0; j < h->nedges && !error; j++) {
				igraph_integer_t e = h->edges[j];
				if ((error = iffa_jsonbuf__printf(&b, "%s{\"edge\":%lld,\"from\":",
								  j ? "," : "", (long long)e)) < 0 ||
				    (error = json_vertex(&b, r, g, IGRAPH_FROM(&g->graph, e))) < 0 ||
				    (error = iffa_jsonbuf__puts(&b, ",\"to\":")) < 0 ||
				    (error = json_vertex(&b, r, g, IGRAPH_TO(&g->graph, e))) < 0 ||
				    (error = iffa_jsonbuf__printf(
					     &b, ",\"amount_xof\":%.2f,\"flows\":%lld,\"channel\":\"%s\","
						 "\"kind\":\"%s\",\"record\":",
					     g->eamount[e], (long long)g->eflows[e],
					     iffa_channel_name(g->echannel[e]),
					     iffa_record_kind_name(g->ekind[e]))) < 0)
					break;
				error = g->erecord[e] >= 0
						? iffa_jsonbuf__printf(&b, "%lld", (long long)g->erecord[e])
						: iffa_jsonbuf__puts(&b, "null");
				if (!error)
					error = json_time(&b, "first", g->efirst[e]);
				if (!error)
					error = json_time(&b, "last", g->elast[e]);
				if (!error)
					error = iffa_jsonbuf__puts(&b, "}");
			}
			if (!error)
				error = iffa_jsonbuf__puts(&b, "]}");
		}
		if (!error)
			error = iffa_jsonbuf__puts(&b, "]}");
	}
	if (!error)
		error = iffa_jsonbuf__puts(&b, "]}\n");
	if (!error && fwrite(b.ptr, 1, b.len, to) != b.len)
		error = iffa_error_set(IFFA_EIO, "writing the trace failed");
	iffa_jsonbuf__dispose(&b);
	return error;
}
