/*
 * The exposure of every vertex within reach of a source, stored with the
 * run (vertex_exposure, sql/010) so that screening looks an account up
 * instead of reading the flow graph (docs/ARCHITECTURE.md, "Exposure for
 * screening").
 *
 * iffa_exposure_new() gives each vertex's values; each row holds them and
 * the explanation path as a JSON array of edges like a finding's evidence,
 * with `records`: the ids of the records an edge stands for. A one-flow
 * edge knows its record; for a merged transfer edge one statement finds
 * them (the transfers between its ends, on its channel, in [first, last]),
 * joining the edges to the transfer table in one scan; at most the first
 * 100 ids per edge are kept (`flows` gives the count). Ransom, gold and
 * levy edges that merge several records keep `records` null: `flows` says
 * how many there are.
 *
 * Rows go in batches of 1,000, each one INSERT ... SELECT over a JSON
 * parameter (json_to_recordset), inside the caller's transaction (the one that completes the
 * run). Time: O(|V| + sum of path lengths × degree) in C, plus one scan
 * of the transfers when a path holds a merged transfer edge.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyse/analyse.h"
#include "core/jsonbuf.h"
#include "db/db.h"
#include "graph/flowgraph.h"

#define BATCH 1000
/* A vertex out of reach of every source is stored only above this score. */
#define SCORE_FLOOR 1e-6

typedef struct {
	const iffa_flowgraph *g;
	int32_t *slot;      /* per vertex: index in ref/name, -1 */
	char **ref, **name; /* per slot */
	char **records;     /* per edge: JSON array text of record ids, NULL */
	size_t n;
} labels;

static void labels_dispose(labels *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->ref[i]);
		free(l->name[i]);
	}
	if (l->records)
		for (igraph_integer_t e = 0; e < l->g->ne; e++)
			free(l->records[e]);
	free(l->records);
	free(l->ref);
	free(l->name);
	free(l->slot);
}

static void mark(labels *l, igraph_integer_t v)
{
	if (l->slot[v] < 0)
		l->slot[v] = (int32_t)l->n++;
}

/* Refs and names of the marked vertices: one query for both kinds. */
static int fetch_labels(labels *l, iffa_db *db)
{
	const iffa_flowgraph *g = l->g;
	iffa_jsonbuf ids[2] = {IFFA_JSONBUF_INIT, IFFA_JSONBUF_INIT};
	const char *p[2];
	PGresult *res = NULL;
	int any[2] = {0, 0}, error = 0;

	if (!(l->ref = calloc(l->n + 1, sizeof(*l->ref))) ||
	    !(l->name = calloc(l->n + 1, sizeof(*l->name))))
		return iffa_error_set(IFFA_ENOMEM, "out of memory for exposure labels");
	for (int k = 0; k < 2; k++)
		iffa_jsonbuf__puts(&ids[k], "{");
	for (igraph_integer_t v = 0; v < g->nv; v++) {
		int k = (int)(g->vkey[v] & 1);
		if (l->slot[v] < 0)
			continue;
		iffa_jsonbuf__printf(&ids[k], "%s%lld", any[k] ? "," : "", (long long)(g->vkey[v] >> 1));
		any[k] = 1;
	}
	for (int k = 0; k < 2; k++)
		iffa_jsonbuf__puts(&ids[k], "}");
	if (ids[0].oom || ids[1].oom) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory for exposure labels");
		goto done;
	}
	p[0] = ids[0].ptr;
	p[1] = ids[1].ptr;
	if ((error = iffa_db__query(&res, db, "reading the names on exposure paths",
				    "SELECT 2 * a.id, a.ref, coalesce(p.name, '') FROM account a"
				    " LEFT JOIN party p ON p.id = a.party_id WHERE a.id = ANY($1::bigint[])"
				    " UNION ALL SELECT 2 * id + 1, ref, name FROM party"
				    " WHERE id = ANY($2::bigint[])",
				    2, p)) < 0)
		goto done;
	for (int i = 0; i < PQntuples(res); i++) {
		igraph_integer_t v = iffa_flowgraph__lookup(g, atoll(PQgetvalue(res, i, 0)));
		int32_t s;
		if (v < 0 || g->vkey[v] != atoll(PQgetvalue(res, i, 0)) || (s = l->slot[v]) < 0)
			continue;
		free(l->ref[s]);
		free(l->name[s]);
		l->ref[s] = strdup(PQgetvalue(res, i, 1));
		l->name[s] = strdup(PQgetvalue(res, i, 2));
		if (!l->ref[s] || !l->name[s]) {
			error = iffa_error_set(IFFA_ENOMEM, "out of memory for exposure labels");
			goto done;
		}
	}
done:
	PQclear(res);
	iffa_jsonbuf__dispose(&ids[0]);
	iffa_jsonbuf__dispose(&ids[1]);
	return error;
}

/* The one vertex of an edge end as {"a": account id} or {"p": party id}. */
static void end_json(iffa_jsonbuf *b, const iffa_flowgraph *g, const char *side, igraph_integer_t v)
{
	iffa_jsonbuf__printf(b, "\"%s%s\":%lld", side, (g->vkey[v] & 1) ? "p" : "a",
			     (long long)(g->vkey[v] >> 1));
}

/*
 * Record ids of the merged transfer edges marked in `want`, in one
 * statement: each edge's ends become account pairs (a party vertex stands
 * for its accounts), joined to transfer on the pair, channel and
 * [first, last].
 */
static int fetch_records(labels *l, iffa_db *db, const uint8_t *want)
{
	const iffa_flowgraph *g = l->g;
	iffa_jsonbuf q = IFFA_JSONBUF_INIT;
	PGresult *res = NULL;
	const char *p[1];
	int any = 0, error = 0;

	iffa_jsonbuf__puts(&q, "[");
	for (igraph_integer_t e = 0; e < g->ne; e++) {
		char t1[32], t2[32];
		if (!want[e] || iffa_flowgraph_time_format(t1, sizeof(t1), g->efirst[e]) < 0 ||
		    iffa_flowgraph_time_format(t2, sizeof(t2), g->elast[e]) < 0)
			continue;
		iffa_jsonbuf__printf(&q, "%s{\"e\":%lld,", any ? "," : "", (long long)e);
		end_json(&q, g, "f", IGRAPH_FROM(&g->graph, e));
		iffa_jsonbuf__puts(&q, ",");
		end_json(&q, g, "t", IGRAPH_TO(&g->graph, e));
		iffa_jsonbuf__printf(&q, ",\"ch\":\"%s\",\"first\":\"%s\",\"last\":\"%s\"}",
				     iffa_channel_name((iffa_channel)g->echannel[e]), t1, t2);
		any = 1;
	}
	iffa_jsonbuf__puts(&q, "]");
	if (q.oom) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory for exposure paths");
		goto done;
	}
	if (!any)
		goto done;
	p[0] = q.ptr;
	if ((error = iffa_db__query(
		     &res, db, "reading the records of exposure paths",
		     "WITH q AS (SELECT (x->>'e')::bigint AS e, (x->>'fa')::bigint AS fa,"
		     " (x->>'fp')::bigint AS fp, (x->>'ta')::bigint AS ta, (x->>'tp')::bigint AS tp,"
		     " x->>'ch' AS ch, (x->>'first')::timestamptz AS t1, (x->>'last')::timestamptz AS t2"
		     " FROM jsonb_array_elements($1::jsonb) x),"
		     " f AS (SELECT q.e, q.fa AS a FROM q WHERE q.fa IS NOT NULL"
		     "  UNION ALL SELECT q.e, a.id FROM q JOIN account a ON a.party_id = q.fp),"
		     " t AS (SELECT q.e, q.ta AS a FROM q WHERE q.ta IS NOT NULL"
		     "  UNION ALL SELECT q.e, a.id FROM q JOIN account a ON a.party_id = q.tp),"
		     " pairs AS (SELECT q.e, f.a AS fa, t.a AS ta, q.ch, q.t1, q.t2 FROM q"
		     "  JOIN f ON f.e = q.e JOIN t ON t.e = q.e)"
		     " SELECT p.e, to_jsonb((array_agg(r.id ORDER BY r.ts, r.id))[1:100])::text"
		     " FROM pairs p JOIN transfer r ON r.from_account = p.fa AND r.to_account = p.ta"
		     " AND r.channel = p.ch AND r.ts >= p.t1 AND r.ts <= p.t2 GROUP BY p.e",
		     1, p)) < 0)
		goto done;
	for (int i = 0; i < PQntuples(res); i++) {
		long long e = atoll(PQgetvalue(res, i, 0));
		if (e < 0 || e >= g->ne || l->records[e])
			continue;
		if (!(l->records[e] = strdup(PQgetvalue(res, i, 1)))) {
			error = iffa_error_set(IFFA_ENOMEM, "out of memory for exposure paths");
			goto done;
		}
	}
done:
	PQclear(res);
	iffa_jsonbuf__dispose(&q);
	return error;
}

static void vertex_json(iffa_jsonbuf *b, const labels *l, const char *side, igraph_integer_t v)
{
	const iffa_flowgraph *g = l->g;
	int32_t s = l->slot[v];
	char key[16], buf[48];

	snprintf(buf, sizeof(buf), "%s %lld", (g->vkey[v] & 1) ? "party" : "account",
		 (long long)(g->vkey[v] >> 1));
	iffa_jsonbuf__kv(b, side, s >= 0 && l->ref[s] ? l->ref[s] : buf);
	snprintf(key, sizeof(key), "%s_name", side);
	iffa_jsonbuf__puts(b, ",");
	iffa_jsonbuf__kv(b, key, s >= 0 && l->name[s] ? l->name[s] : "");
	iffa_jsonbuf__printf(b, ",\"%s_type\":\"%s\",\"%s_id\":%lld", side,
			     (g->vkey[v] & 1) ? "party" : "account", side, (long long)(g->vkey[v] >> 1));
}

static void edge_json(iffa_jsonbuf *b, const labels *l, igraph_integer_t e)
{
	const iffa_flowgraph *g = l->g;
	char t1[32], t2[32];

	if (iffa_flowgraph_time_format(t1, sizeof(t1), g->efirst[e]) < 0)
		snprintf(t1, sizeof(t1), "?");
	if (iffa_flowgraph_time_format(t2, sizeof(t2), g->elast[e]) < 0)
		snprintf(t2, sizeof(t2), "?");
	iffa_jsonbuf__puts(b, "{");
	vertex_json(b, l, "from", IGRAPH_FROM(&g->graph, e));
	iffa_jsonbuf__puts(b, ",");
	vertex_json(b, l, "to", IGRAPH_TO(&g->graph, e));
	iffa_jsonbuf__printf(b, ",\"amount_xof\":%.2f,\"flows\":%lld,\"first\":\"%s\",\"last\":\"%s\","
			     "\"channel\":\"%s\",\"kind\":\"%s\",",
			     isfinite(g->eamount[e]) ? g->eamount[e] : 0.0, (long long)g->eflows[e], t1,
			     t2, iffa_channel_name((iffa_channel)g->echannel[e]),
			     iffa_record_kind_name((iffa_record_kind)g->ekind[e]));
	if (g->erecord[e] >= 0)
		iffa_jsonbuf__printf(b, "\"record\":%lld,\"records\":[%lld]}", (long long)g->erecord[e],
				     (long long)g->erecord[e]);
	else
		iffa_jsonbuf__printf(b, "\"record\":null,\"records\":%s}",
				     l->records && l->records[e] ? l->records[e] : "null");
}

static double finite(double x)
{
	return isfinite(x) ? x : 0.0;
}

static void row_json(iffa_jsonbuf *b, const labels *l, igraph_integer_t v,
		     const iffa_exposure_result *r)
{
	const iffa_flowgraph *g = l->g;

	if (g->vkey[v] & 1)
		iffa_jsonbuf__printf(b, "{\"account_id\":null,\"party_id\":%lld",
				     (long long)(g->vkey[v] >> 1));
	else if (g->vparty[v] >= 0)
		iffa_jsonbuf__printf(b, "{\"account_id\":%lld,\"party_id\":%lld",
				     (long long)(g->vkey[v] >> 1), (long long)g->vparty[v]);
	else
		iffa_jsonbuf__printf(b, "{\"account_id\":%lld,\"party_id\":null",
				     (long long)(g->vkey[v] >> 1));
	iffa_jsonbuf__printf(b, ",\"way\":\"%s\",\"flagged\":%s,\"score\":%.17g,\"taint\":%.17g,"
			     "\"tainted_xof\":%.17g,\"funding\":%.17g,\"funding_xof\":%.17g,"
			     "\"ppr_from\":%.17g,\"ppr_to\":%.17g,\"hops\":%d,\"path\":[",
			     iffa_exposure_way_name(r->way), r->flagged ? "true" : "false",
			     fmin(1.0, fmax(0.0, finite(r->score))), finite(r->taint),
			     finite(r->tainted_xof), finite(r->funding), finite(r->funding_xof),
			     finite(r->ppr_from), finite(r->ppr_to), r->hops);
	for (size_t k = 0; k < r->npath; k++) {
		iffa_jsonbuf__puts(b, k ? "," : "");
		edge_json(b, l, r->path[k]);
	}
	iffa_jsonbuf__puts(b, "]}");
}

/* json_to_recordset reads the batch in one pass into typed columns (about
 * half the server time of jsonb_array_elements and a ->> per field). */
static const char insert_sql[] =
	"INSERT INTO vertex_exposure (run_id, level, account_id, party_id, way, flagged, score,"
	" taint, tainted_xof, funding, funding_xof, ppr_from, ppr_to, hops, path)"
	" SELECT $1::bigint, $2, x.account_id, x.party_id, x.way, x.flagged, x.score, x.taint,"
	" x.tainted_xof, x.funding, x.funding_xof, x.ppr_from, x.ppr_to, x.hops, x.path"
	" FROM json_to_recordset($3::json) AS x(account_id bigint, party_id bigint, way text,"
	" flagged boolean, score float8, taint float8, tainted_xof float8, funding float8,"
	" funding_xof float8, ppr_from float8, ppr_to float8, hops int, path json)";

static int stored(const iffa_exposure_result *r)
{
	return r->hops >= 0 || r->score >= SCORE_FLOOR;
}

int iffa_analyse__store_exposure(iffa_db *db, int64_t run, const iffa_exposure_params *p,
				 const iffa_flowgraph *g, size_t *out_rows)
{
	iffa_exposure *x = NULL;
	iffa_exposure_result r;
	iffa_jsonbuf b = IFFA_JSONBUF_INIT;
	uint8_t *want = NULL;
	labels l;
	char runtext[32];
	size_t rows = 0, inbatch = 0;
	int error, merged = 0;

	memset(&r, 0, sizeof(r));
	memset(&l, 0, sizeof(l));
	*out_rows = 0;
	l.g = g;
	if ((error = iffa_exposure_new(&x, g, p)) < 0)
		return error;
	if (!(l.slot = malloc(((size_t)g->nv + 1) * sizeof(*l.slot))) ||
	    !(want = calloc((size_t)g->ne + 1, 1))) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory for exposure rows");
		goto done;
	}
	for (igraph_integer_t v = 0; v < g->nv; v++)
		l.slot[v] = -1;
	/* First sweep: which vertices and merged edges the stored paths name. */
	for (igraph_integer_t v = 0; v < g->nv; v++) {
		if ((error = iffa_exposure_of(&r, x, v)) < 0)
			goto done;
		if (stored(&r))
			for (size_t k = 0; k < r.npath; k++) {
				igraph_integer_t e = r.path[k];
				mark(&l, IGRAPH_FROM(&g->graph, e));
				mark(&l, IGRAPH_TO(&g->graph, e));
				if (g->erecord[e] < 0 && g->ekind[e] == IFFA_KIND_TRANSFER && !want[e]) {
					want[e] = 1;
					merged = 1;
				}
			}
		iffa_exposure_result_dispose(&r);
	}
	if ((error = fetch_labels(&l, db)) < 0)
		goto done;
	if (merged) {
		if (!(l.records = calloc((size_t)g->ne + 1, sizeof(*l.records)))) {
			error = iffa_error_set(IFFA_ENOMEM, "out of memory for exposure paths");
			goto done;
		}
		if ((error = fetch_records(&l, db, want)) < 0)
			goto done;
	}
	snprintf(runtext, sizeof(runtext), "%lld", (long long)run);
	iffa_jsonbuf__puts(&b, "[");
	for (igraph_integer_t v = 0; v <= g->nv; v++) {
		if (v < g->nv) {
			if ((error = iffa_exposure_of(&r, x, v)) < 0)
				goto done;
			if (stored(&r)) {
				iffa_jsonbuf__puts(&b, inbatch ? "," : "");
				row_json(&b, &l, v, &r);
				inbatch++;
			}
			iffa_exposure_result_dispose(&r);
		}
		if (inbatch == BATCH || (v == g->nv && inbatch > 0)) {
			const char *params[3] = {runtext,
						 g->level == IFFA_LEVEL_PARTY ? "party" : "account",
						 NULL};
			iffa_jsonbuf__puts(&b, "]");
			if (b.oom) {
				error = iffa_error_set(IFFA_ENOMEM, "out of memory for exposure rows");
				goto done;
			}
			params[2] = b.ptr;
			if ((error = iffa_db__exec(db, "storing vertex exposure", insert_sql, 3, params)) < 0)
				goto done;
			rows += inbatch;
			inbatch = 0;
			iffa_jsonbuf__clear(&b);
			iffa_jsonbuf__puts(&b, "[");
		}
	}
	*out_rows = rows;
done:
	iffa_exposure_result_dispose(&r);
	iffa_jsonbuf__dispose(&b);
	labels_dispose(&l);
	free(want);
	iffa_exposure_free(x);
	return error;
}
