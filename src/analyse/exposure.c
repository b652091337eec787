/*
 * The exposure of every vertex within reach of a source, stored with the
 * run so that screening looks an account up instead of reading the flow
 * graph (docs/ARCHITECTURE.md, "Exposure for screening").
 *
 * iffa_exposure_new() gives each vertex's values, computed once per
 * vertex in one sweep. Each stored row (vertex_exposure, sql/010 and 012)
 * holds them and its explanation path as an ordered int[] of edge
 * numbers; the distinct edges of all the stored paths are numbered in the
 * order they first appear (a per-edge int32 slot) and stored once each in
 * exposure_edge with their ends (ids, no names: screening joins account
 * and party), amount, flows, time span, channel, kind and records: a
 * one-flow edge knows its record; for a merged transfer edge one statement
 * finds them (the transfers between its ends, on its channel, in [first,
 * last]), joining those edges only to the transfer table in one scan; at
 * most the first 100 ids by (ts, id) are kept (`flows` gives the count).
 * Ransom, gold and levy edges that merge several records keep `records`
 * null: `flows` says how many there are.
 *
 * Rows go with COPY: vertex_exposure in binary format, streamed during
 * the sweep (its doubles go as their 8 bytes, with no text round trip),
 * then exposure_edge in text format (amounts as the two-decimal text a
 * path shows). Beside the findings (analyse.parallel_store, the default),
 * they go on a second connection, on a thread of their own, in a
 * transaction of their own that the run commits just before its own
 * (src/analyse/run.c); the paths are then numbered in a first sweep that
 * keeps the rows, so that the records are read on a third connection
 * while the second takes the vertex rows and the edges that need no
 * record read. In turn, everything goes on the run's connection inside
 * its transaction, the records read after the vertex rows. Time: O(|V| +
 * sum of path lengths × degree) in C, plus one scan of the transfers when
 * a path holds a merged transfer edge.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyse/analyse.h"
#include "core/grow.h"
#include "core/jsonbuf.h"
#include "db/db.h"
#include "graph/flowgraph.h"

/* A vertex out of reach of every source is stored only above this score. */
#define SCORE_FLOOR 1e-6
/* Type oid of int4, which a binary int4[] names for its elements. */
#define INT4_OID 23

/* The distinct edges of the stored paths, numbered as they first appear. */
typedef struct {
	const iffa_flowgraph *g;
	int32_t *slot;          /* per graph edge: its number, -1 */
	igraph_integer_t *edge; /* per number: the graph edge */
	char **records;         /* per number: bigint[] text of a merged transfer edge, NULL */
	size_t n, cap;
	int frozen;             /* numbered already: another thread reads `edge` */
} edges;

static void edges_dispose(edges *s)
{
	if (s->records)
		for (size_t i = 0; i < s->n; i++)
			free(s->records[i]);
	free(s->records);
	free(s->edge);
	free(s->slot);
}

/* The number of graph edge `e`, giving it the next one when it has none. */
static int number(int32_t *out, edges *s, igraph_integer_t e)
{
	if (s->slot[e] < 0) {
		if (s->frozen)
			return iffa_error_set(IFFA_ERROR, "exposure path edge %lld was not numbered",
					      (long long)e);
		if (s->n == (size_t)INT32_MAX)
			return iffa_error_set(IFFA_EINVAL, "more than %d exposure path edges",
					      INT32_MAX);
		if (iffa_grow((void **)&s->edge, &s->cap, s->n + 1, sizeof(*s->edge)) < 0)
			return iffa_error_set(IFFA_ENOMEM, "out of memory for exposure paths");
		s->edge[s->n] = e;
		s->slot[e] = (int32_t)s->n++;
	}
	*out = s->slot[e];
	return 0;
}

static int merged_transfer(const iffa_flowgraph *g, igraph_integer_t e)
{
	return g->erecord[e] < 0 && g->ekind[e] == IFFA_KIND_TRANSFER;
}

/* Some numbered edge merges transfers: their records are to be read. */
static int any_merged(const edges *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (merged_transfer(s->g, s->edge[i]))
			return 1;
	return 0;
}

/* The one vertex of an edge end as {"a": account id} or {"p": party id}. */
static void end_json(iffa_jsonbuf *b, const iffa_flowgraph *g, const char *side, igraph_integer_t v)
{
	iffa_jsonbuf__puts(b, "\"");
	iffa_jsonbuf__puts(b, side);
	iffa_jsonbuf__puts(b, (g->vkey[v] & 1) ? "p\":" : "a\":");
	iffa_jsonbuf__int(b, (long long)(g->vkey[v] >> 1));
}

/*
 * Record ids of the numbered merged transfer edges, in one statement:
 * each edge's ends become account pairs (a party vertex stands for its
 * accounts), joined to transfer on the pair, channel and [first, last].
 */
static int fetch_records(edges *s, iffa_db *db)
{
	const iffa_flowgraph *g = s->g;
	iffa_jsonbuf q = IFFA_JSONBUF_INIT;
	PGresult *res = NULL;
	const char *p[1];
	int any = 0, error = 0;

	iffa_jsonbuf__puts(&q, "[");
	for (size_t i = 0; i < s->n; i++) {
		igraph_integer_t e = s->edge[i];
		char t1[32], t2[32];
		if (!merged_transfer(g, e) || iffa_flowgraph_time_format(t1, sizeof(t1), g->efirst[e]) < 0 ||
		    iffa_flowgraph_time_format(t2, sizeof(t2), g->elast[e]) < 0)
			continue;
		iffa_jsonbuf__puts(&q, any ? ",{\"e\":" : "{\"e\":");
		iffa_jsonbuf__int(&q, (long long)i);
		iffa_jsonbuf__puts(&q, ",");
		end_json(&q, g, "f", IGRAPH_FROM(&g->graph, e));
		iffa_jsonbuf__puts(&q, ",");
		end_json(&q, g, "t", IGRAPH_TO(&g->graph, e));
		iffa_jsonbuf__puts(&q, ",\"ch\":\"");
		iffa_jsonbuf__puts(&q, iffa_channel_name((iffa_channel)g->echannel[e]));
		iffa_jsonbuf__puts(&q, "\",\"first\":\"");
		iffa_jsonbuf__puts(&q, t1);
		iffa_jsonbuf__puts(&q, "\",\"last\":\"");
		iffa_jsonbuf__puts(&q, t2);
		iffa_jsonbuf__puts(&q, "\"}");
		any = 1;
	}
	iffa_jsonbuf__puts(&q, "]");
	if (q.oom) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory for exposure paths");
		goto done;
	}
	if (!any)
		goto done;
	if (!(s->records = calloc(s->n, sizeof(*s->records)))) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory for exposure paths");
		goto done;
	}
	p[0] = q.ptr;
	/* The pairs (a few per edge) are hashed and the transfers scanned once:
	 * planned with a merge join, the transfers were sorted on disk and
	 * JIT-compiled (5.5 s at 1M transfers instead of 0.5 s). */
	if ((error = iffa_db__exec(db, "planning the records of exposure paths",
				   "SET LOCAL enable_mergejoin = off", 0, NULL)) < 0 ||
	    (error = iffa_db__exec(db, "planning the records of exposure paths",
				   "SET LOCAL jit = off", 0, NULL)) < 0 ||
	    (error = iffa_db__query(
		     &res, db, "reading the records of exposure paths",
		     "WITH q AS (SELECT (x->>'e')::bigint AS e, (x->>'fa')::bigint AS fa,"
		     " (x->>'fp')::bigint AS fp, (x->>'ta')::bigint AS ta, (x->>'tp')::bigint AS tp,"
		     " x->>'ch' AS ch, (x->>'first')::timestamptz AS t1, (x->>'last')::timestamptz AS t2"
		     " FROM jsonb_array_elements($1::jsonb) x),"
		     " pairs AS MATERIALIZED (SELECT q.e, f.a AS fa, t.a AS ta, q.ch, q.t1, q.t2 FROM q"
		     "  CROSS JOIN LATERAL (SELECT q.fa AS a WHERE q.fa IS NOT NULL"
		     "   UNION ALL SELECT a.id FROM account a WHERE a.party_id = q.fp) f"
		     "  CROSS JOIN LATERAL (SELECT q.ta AS a WHERE q.ta IS NOT NULL"
		     "   UNION ALL SELECT a.id FROM account a WHERE a.party_id = q.tp) t),"
		     /* the transfers on some pair, by a semi join: its hash is the pairs'
		      * (a join of the two hashed the 10M transfers in batches on disk) */
		     " cand AS MATERIALIZED (SELECT r.id, r.ts, r.from_account, r.to_account, r.channel"
		     "  FROM transfer r WHERE (r.from_account, r.to_account, r.channel) IN"
		     "  (SELECT fa, ta, ch FROM pairs))"
		     " SELECT p.e, ((array_agg(r.id ORDER BY r.ts, r.id))[1:100])::text"
		     " FROM pairs p JOIN cand r ON r.from_account = p.fa AND r.to_account = p.ta"
		     " AND r.channel = p.ch AND r.ts >= p.t1 AND r.ts <= p.t2 GROUP BY p.e",
		     1, p)) < 0 ||
	    (error = iffa_db__exec(db, "planning the records of exposure paths",
				   "RESET enable_mergejoin", 0, NULL)) < 0 ||
	    (error = iffa_db__exec(db, "planning the records of exposure paths", "RESET jit", 0,
				   NULL)) < 0)
		goto done;
	for (int i = 0; i < PQntuples(res); i++) {
		long long e = atoll(PQgetvalue(res, i, 0));
		if (e < 0 || (size_t)e >= s->n || s->records[e])
			continue;
		if (!(s->records[e] = strdup(PQgetvalue(res, i, 1)))) {
			error = iffa_error_set(IFFA_ENOMEM, "out of memory for exposure paths");
			goto done;
		}
	}
done:
	PQclear(res);
	iffa_jsonbuf__dispose(&q);
	return error;
}

/* ---- COPY --------------------------------------------------------------- */

/* End COPY: the rest of `b` sent unless `error` (then the server drops the rows). */
static int copy_end(iffa_db *db, iffa_jsonbuf *b, int error, const char *what)
{
	if (!error)
		error = iffa_db__copy_buf(db, what, b);
	return iffa_db__copy_finish(db, what, error);
}

/* Binary COPY: big-endian integers, each field's length before it. */
static void be32(iffa_jsonbuf *b, uint32_t x)
{
	char c[4] = {(char)(x >> 24), (char)(x >> 16), (char)(x >> 8), (char)x};
	iffa_jsonbuf__put(b, c, 4);
}

static void be64(iffa_jsonbuf *b, uint64_t x)
{
	be32(b, (uint32_t)(x >> 32));
	be32(b, (uint32_t)x);
}

static void bin_int8(iffa_jsonbuf *b, long long x)
{
	be32(b, 8);
	be64(b, (uint64_t)x);
}

static void bin_float8(iffa_jsonbuf *b, double x)
{
	uint64_t u;

	memcpy(&u, &x, sizeof(u));
	be32(b, 8);
	be64(b, u);
}

static void bin_text(iffa_jsonbuf *b, const char *s)
{
	be32(b, (uint32_t)strlen(s));
	iffa_jsonbuf__puts(b, s);
}

static void bin_null(iffa_jsonbuf *b)
{
	be32(b, UINT32_MAX); /* -1 */
}

static double finite(double x)
{
	return isfinite(x) ? x : 0.0;
}

#define VERTEX_FIELDS 16
static const char vertex_copy_sql[] =
	"COPY vertex_exposure (run_id, level, account_id, party_id, way, flagged, score, taint,"
	" tainted_xof, funding, funding_xof, ppr_from, ppr_to, hops, path, path_edges)"
	" FROM STDIN (FORMAT binary)";

/*
 * What a vertex_exposure tuple takes of an iffa_exposure_result, its path
 * as edge numbers (kept apart: `npath` numbers from `slot0` of a list).
 * 80 bytes: the rows of a sweep are kept for the COPY that follows it.
 */
typedef struct {
	double score, taint, tainted_xof, funding, funding_xof, ppr_from, ppr_to;
	uint32_t v;
	int32_t hops;
	uint32_t slot0, npath;
	uint8_t way, flagged;
} row;

/* The row of vertex v from its result; its path numbered into slots[slot0 ..]. */
static int make_row(row *x, int32_t *slots, edges *s, igraph_integer_t v,
		    const iffa_exposure_result *r, uint32_t slot0)
{
	int error;

	if (r->npath > (size_t)(INT32_MAX / 8 - 20))
		return iffa_error_set(IFFA_EINVAL, "an exposure path of %zu edges", r->npath);
	x->score = r->score;
	x->taint = r->taint;
	x->tainted_xof = r->tainted_xof;
	x->funding = r->funding;
	x->funding_xof = r->funding_xof;
	x->ppr_from = r->ppr_from;
	x->ppr_to = r->ppr_to;
	x->v = (uint32_t)v;
	x->hops = r->hops;
	x->way = (uint8_t)r->way;
	x->flagged = (uint8_t)(r->flagged != 0);
	x->slot0 = slot0;
	x->npath = (uint32_t)r->npath;
	for (size_t k = 0; k < r->npath; k++)
		if ((error = number(&slots[k], s, r->path[k])) < 0)
			return error;
	return 0;
}

/* One vertex_exposure tuple, its path's edge numbers in `slots`. */
static void vertex_row(iffa_jsonbuf *b, const edges *s, int64_t run, const row *r,
		       const int32_t *slots)
{
	const iffa_flowgraph *g = s->g;
	igraph_integer_t v = (igraph_integer_t)r->v;
	char c[2] = {0, VERTEX_FIELDS};

	iffa_jsonbuf__put(b, c, 2);
	bin_int8(b, run);
	bin_text(b, g->level == IFFA_LEVEL_PARTY ? "party" : "account");
	if (g->vkey[v] & 1) {
		bin_null(b);
		bin_int8(b, (long long)(g->vkey[v] >> 1));
	} else {
		bin_int8(b, (long long)(g->vkey[v] >> 1));
		if (g->vparty[v] >= 0)
			bin_int8(b, (long long)g->vparty[v]);
		else
			bin_null(b);
	}
	bin_text(b, iffa_exposure_way_name((iffa_exposure_way)r->way));
	be32(b, 1);
	iffa_jsonbuf__put(b, r->flagged ? "\1" : "\0", 1);
	bin_float8(b, fmin(1.0, fmax(0.0, finite(r->score))));
	bin_float8(b, finite(r->taint));
	bin_float8(b, finite(r->tainted_xof));
	bin_float8(b, finite(r->funding));
	bin_float8(b, finite(r->funding_xof));
	bin_float8(b, finite(r->ppr_from));
	bin_float8(b, finite(r->ppr_to));
	be32(b, 4);
	be32(b, (uint32_t)r->hops);
	bin_null(b); /* path: the form of runs before sql/012 */
	/* int4[]: dimensions, null flag, element type, then length and lower
	 * bound of the one dimension (none when empty), then the elements */
	if (r->npath == 0) {
		be32(b, 12);
		be32(b, 0);
		be32(b, 0);
		be32(b, INT4_OID);
		return;
	}
	be32(b, 20 + 8 * r->npath);
	be32(b, 1);
	be32(b, 0);
	be32(b, INT4_OID);
	be32(b, r->npath);
	be32(b, 1);
	for (uint32_t k = 0; k < r->npath; k++) {
		be32(b, 4);
		be32(b, (uint32_t)slots[k]);
	}
}

static const char edge_copy_sql[] =
	"COPY exposure_edge (run_id, edge, from_account_id, from_party_id, to_account_id,"
	" to_party_id, amount_xof, flows, first_ts, last_ts, channel, kind, record_id, records)"
	" FROM STDIN";

/* An edge end in text COPY: account id and owner, or no account and the party. */
static void end_text(iffa_jsonbuf *b, const iffa_flowgraph *g, igraph_integer_t v)
{
	iffa_jsonbuf__puts(b, "\t");
	if (g->vkey[v] & 1) {
		iffa_jsonbuf__puts(b, "\\N\t");
		iffa_jsonbuf__int(b, (long long)(g->vkey[v] >> 1));
		return;
	}
	iffa_jsonbuf__int(b, (long long)(g->vkey[v] >> 1));
	iffa_jsonbuf__puts(b, "\t");
	if (g->vparty[v] >= 0)
		iffa_jsonbuf__int(b, (long long)g->vparty[v]);
	else
		iffa_jsonbuf__puts(b, "\\N");
}

/* One exposure_edge line (channel and kind names need no escaping). */
static void edge_row(iffa_jsonbuf *b, const edges *s, const char *run, size_t i)
{
	const iffa_flowgraph *g = s->g;
	igraph_integer_t e = s->edge[i];
	char t[32], amount[48];

	iffa_jsonbuf__puts(b, run);
	iffa_jsonbuf__puts(b, "\t");
	iffa_jsonbuf__int(b, (long long)i);
	end_text(b, g, IGRAPH_FROM(&g->graph, e));
	end_text(b, g, IGRAPH_TO(&g->graph, e));
	/* the amount as a path shows it; a vertex row's doubles go in binary */
	snprintf(amount, sizeof(amount), "\t%.2f\t", finite(g->eamount[e]));
	iffa_jsonbuf__puts(b, amount);
	iffa_jsonbuf__int(b, (long long)g->eflows[e]);
	iffa_jsonbuf__puts(b, "\t");
	iffa_jsonbuf__puts(b, iffa_flowgraph_time_format(t, sizeof(t), g->efirst[e]) < 0 ? "\\N" : t);
	iffa_jsonbuf__puts(b, "\t");
	iffa_jsonbuf__puts(b, iffa_flowgraph_time_format(t, sizeof(t), g->elast[e]) < 0 ? "\\N" : t);
	iffa_jsonbuf__puts(b, "\t");
	iffa_jsonbuf__puts(b, iffa_channel_name((iffa_channel)g->echannel[e]));
	iffa_jsonbuf__puts(b, "\t");
	iffa_jsonbuf__puts(b, iffa_record_kind_name((iffa_record_kind)g->ekind[e]));
	iffa_jsonbuf__puts(b, "\t");
	if (g->erecord[e] >= 0) {
		iffa_jsonbuf__int(b, (long long)g->erecord[e]);
		iffa_jsonbuf__puts(b, "\t\\N\n");
	} else {
		iffa_jsonbuf__puts(b, "\\N\t");
		iffa_jsonbuf__puts(b, s->records && s->records[i] ? s->records[i] : "\\N");
		iffa_jsonbuf__puts(b, "\n");
	}
}

static int stored(const iffa_exposure_result *r)
{
	return r->hops >= 0 || r->score >= SCORE_FLOOR;
}

/*
 * The store runs beside the findings' (src/analyse/run.c): begin opens a
 * second connection and starts a thread of its own that writes every
 * row there, in a transaction of its own; end waits for it; commit
 * commits that transaction, which the run does just before its own; free
 * stops a thread still running (the run failed elsewhere: a flag for the
 * loops and a cancel request for the statement) and rolls back. Without
 * a second connection (or with analyse.parallel_store off), end writes
 * the rows on the run's connection in the run's transaction. igraph is
 * only called on the caller's thread (iffa_exposure_new, when the pass
 * left no scores): the threads read the scores and the graph's arrays
 * (IGRAPH_FROM/TO and igraph's incidence index are plain reads).
 */
struct iffa_analyse__exposure_store {
	iffa_exposure *x;   /* computed here when the pass left none */
	const iffa_exposure *xs; /* the scores the rows come from */
	edges s;
	int64_t run;
	size_t rows;
	row *swept;         /* beside: the rows of the sweep that numbered the paths */
	size_t nswept, capswept;
	int32_t *slots;     /* their paths' edge numbers */
	size_t nslots, capslots;
	iffa_db *side;      /* the second connection, NULL: in turn */
	iffa_db *records;   /* beside it, the records' */
	PGcancel *cancel;   /* of `side`'s statements, made before the thread starts */
	char timeout[64];   /* the run's session statement_timeout, for the connections beside */
	pthread_t thread;
	int running;
	atomic_int stop;    /* the run failed: the thread stops writing */
	int error;          /* the thread's failure, its message below */
	char message[512];
	int records_error;  /* the records thread's */
	char records_message[512];
};

static int stopped(iffa_analyse__exposure_store *st)
{
	if (atomic_load_explicit(&st->stop, memory_order_relaxed))
		return iffa_error_set(IFFA_ERROR, "the exposure store stopped: the run failed");
	return 0;
}

/* Fail unless the schema has exposure_edge (sql/012). */
static int check_schema(iffa_db *db)
{
	PGresult *res = NULL;
	int error;

	if ((error = iffa_db__query(&res, db, "reading the schema",
				    "SELECT to_regclass('exposure_edge') IS NOT NULL", 0, NULL)) < 0)
		return error;
	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0)
		error = iffa_error_set(IFFA_EDB, "the database has no exposure_edge table: "
				       "run `iffa db init` to upgrade the schema");
	PQclear(res);
	return error;
}

/*
 * The vertex rows: those of the sweep (number_paths) when it ran, or
 * each vertex's as soon as it is known.
 */
static int vertex_rows(iffa_analyse__exposure_store *st, iffa_db *db)
{
	static const char header[19] = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', '\377', '\r', '\n', 0};
	const iffa_flowgraph *g = st->s.g;
	iffa_exposure_result r;
	iffa_jsonbuf b = IFFA_JSONBUF_INIT;
	int32_t *slots = NULL;
	size_t capslots = 0;
	int error;

	memset(&r, 0, sizeof(r));
	if ((error = iffa_db__copy_begin(db, "starting COPY of the exposure", vertex_copy_sql)) < 0)
		return error;
	iffa_jsonbuf__put(&b, header, sizeof(header));
	for (size_t i = 0; st->s.frozen && i < st->nswept && !error; i++) {
		vertex_row(&b, &st->s, st->run, &st->swept[i], st->slots + st->swept[i].slot0);
		st->rows++;
		if (b.len >= IFFA_DB__COPY_BLOCK && (error = stopped(st)) == 0)
			error = iffa_db__copy_buf(db, "sending exposure rows with COPY", &b);
	}
	for (igraph_integer_t v = 0; !st->s.frozen && v < g->nv && !error; v++) {
		row x;
		if ((error = stopped(st)) < 0 || (error = iffa_exposure_of(&r, st->xs, v)) < 0)
			break;
		if (stored(&r) &&
		    (error = iffa_grow((void **)&slots, &capslots, r.npath, sizeof(*slots))) == 0 &&
		    (error = make_row(&x, slots, &st->s, v, &r, 0)) == 0) {
			vertex_row(&b, &st->s, st->run, &x, slots);
			st->rows++;
		}
		iffa_exposure_result_dispose(&r);
		if (!error && b.len >= IFFA_DB__COPY_BLOCK)
			error = iffa_db__copy_buf(db, "sending exposure rows with COPY", &b);
	}
	iffa_exposure_result_dispose(&r);
	free(slots);
	if (!error)
		iffa_jsonbuf__put(&b, "\377\377", 2); /* the trailer: int16 -1 */
	error = copy_end(db, &b, error, "storing vertex exposure");
	iffa_jsonbuf__dispose(&b);
	return error;
}

/* Which edge rows a COPY takes: all, or those with or without records to read. */
enum { EDGES_ALL, EDGES_OWN_RECORD, EDGES_READ_RECORDS };

static int edge_rows(iffa_analyse__exposure_store *st, iffa_db *db, int which)
{
	iffa_jsonbuf b = IFFA_JSONBUF_INIT;
	char runtext[32];
	int error;

	snprintf(runtext, sizeof(runtext), "%lld", (long long)st->run);
	if ((error = iffa_db__copy_begin(db, "starting COPY of the exposure", edge_copy_sql)) < 0)
		return error;
	for (size_t i = 0; i < st->s.n && !error; i++) {
		if (which != EDGES_ALL &&
		    merged_transfer(st->s.g, st->s.edge[i]) != (which == EDGES_READ_RECORDS))
			continue;
		edge_row(&b, &st->s, runtext, i);
		if (b.len >= IFFA_DB__COPY_BLOCK && (error = stopped(st)) == 0)
			error = iffa_db__copy_buf(db, "sending exposure rows with COPY", &b);
	}
	error = copy_end(db, &b, error, "storing exposure path edges");
	iffa_jsonbuf__dispose(&b);
	return error;
}

/*
 * Number the edges of every stored path, in the order the rows name them,
 * keeping the rows (80 bytes and the path's numbers each: at 10M
 * transfers about 110 MB for 1.2M rows) so that the vertex rows need not
 * be worked out again (iffa_exposure_of, a few seconds of CPU at 10M).
 */
static int number_paths(iffa_analyse__exposure_store *st)
{
	const iffa_flowgraph *g = st->s.g;
	iffa_exposure_result r;
	int error = 0;

	memset(&r, 0, sizeof(r));
	for (igraph_integer_t v = 0; v < g->nv && !error; v++) {
		if ((error = stopped(st)) < 0 || (error = iffa_exposure_of(&r, st->xs, v)) < 0)
			break;
		if (stored(&r) && r.npath >= UINT32_MAX - st->nslots)
			error = iffa_error_set(IFFA_EINVAL, "more than 2^32 exposure path edges");
		else if (stored(&r) &&
			 (error = iffa_grow((void **)&st->swept, &st->capswept, st->nswept + 1,
					    sizeof(*st->swept))) == 0 &&
			 /* one more: the list is never NULL, even with no path at all */
			 (error = iffa_grow((void **)&st->slots, &st->capslots,
					    st->nslots + r.npath + 1, sizeof(*st->slots))) == 0 &&
			 (error = make_row(&st->swept[st->nswept], st->slots + st->nslots, &st->s, v,
					   &r, (uint32_t)st->nslots)) == 0) {
			st->nslots += r.npath;
			st->nswept++;
		}
		iffa_exposure_result_dispose(&r);
	}
	iffa_exposure_result_dispose(&r);
	return error;
}

static void *records_main(void *arg)
{
	iffa_analyse__exposure_store *st = arg;
	int error;

	if ((error = iffa_db__exec(st->records, "reading the records of exposure paths", "BEGIN", 0,
				   NULL)) == 0 &&
	    (error = fetch_records(&st->s, st->records)) == 0)
		error = iffa_db__exec(st->records, "reading the records of exposure paths", "COMMIT",
				      0, NULL);
	if (error < 0) {
		st->records_error = error;
		snprintf(st->records_message, sizeof(st->records_message), "%s", iffa_error_last());
	}
	return NULL;
}

/*
 * Every row on `db`, inside its current transaction. With `beside`, the
 * paths are numbered first, so that the records of their merged edges
 * are read on a third connection while `db` takes the vertex rows and
 * then the rows of the edges that are one record each (most of them: at
 * 10M transfers 785k of 922k); the merged edges' rows follow the records.
 */
static int write_rows(iffa_analyse__exposure_store *st, iffa_db *db, int beside)
{
	PGcancel *cancel = NULL;
	pthread_t thread;
	int error, running = 0;

	if ((error = check_schema(db)) < 0)
		return error;
	if (beside) {
		if ((error = number_paths(st)) < 0)
			return error;
		st->s.frozen = 1;
		if (any_merged(&st->s) &&
		    iffa_db__connect_like(&st->records, db, st->timeout,
					  "opening a connection for the records of exposure paths") ==
			    0) {
			cancel = PQgetCancel(iffa_db_conn(st->records));
			running = pthread_create(&thread, NULL, records_main, st) == 0;
		}
	}
	error = vertex_rows(st, db);
	if (running && error == 0)
		error = edge_rows(st, db, EDGES_OWN_RECORD);
	if (running) {
		char errbuf[256];
		/* the rows failed: the records are not wanted any more */
		if (error < 0 && cancel)
			PQcancel(cancel, errbuf, sizeof(errbuf));
		pthread_join(thread, NULL);
		iffa_db_free(st->records);
		st->records = NULL;
		if (!error && st->records_error)
			error = iffa_error_set(st->records_error, "%s", st->records_message);
	} else if (!error && (error = stopped(st)) == 0 && any_merged(&st->s)) {
		error = fetch_records(&st->s, db);
	}
	if (cancel)
		PQfreeCancel(cancel);
	if (error < 0 || (error = stopped(st)) < 0)
		return error;
	return edge_rows(st, db, running ? EDGES_READ_RECORDS : EDGES_ALL);
}

static void *store_main(void *arg)
{
	iffa_analyse__exposure_store *st = arg;
	int error;

	if ((error = iffa_db__exec(st->side, "storing the exposure", "BEGIN", 0, NULL)) == 0)
		error = write_rows(st, st->side, 1);
	if (error < 0) {
		st->error = error;
		snprintf(st->message, sizeof(st->message), "%s", iffa_error_last());
	}
	return NULL;
}

void iffa_analyse__store_exposure_free(iffa_analyse__exposure_store *st)
{
	if (!st)
		return;
	if (st->running) {
		/* the run failed elsewhere: no use finishing the rows */
		char errbuf[256];
		atomic_store(&st->stop, 1);
		if (st->cancel)
			PQcancel(st->cancel, errbuf, sizeof(errbuf));
		pthread_join(st->thread, NULL);
	}
	if (st->cancel)
		PQfreeCancel(st->cancel);
	if (st->side) {
		PGconn *c = iffa_db_conn(st->side);
		/* rows not committed are dropped (closing would drop them too) */
		if (PQstatus(c) == CONNECTION_OK && PQtransactionStatus(c) != PQTRANS_IDLE)
			PQclear(PQexec(c, "ROLLBACK"));
		iffa_db_free(st->side);
	}
	iffa_db_free(st->records);
	free(st->swept);
	free(st->slots);
	edges_dispose(&st->s);
	iffa_exposure_free(st->x);
	free(st);
}

int iffa_analyse__store_exposure_begin(iffa_analyse__exposure_store **out, iffa_db *db,
				       int64_t run, const iffa_exposure_params *p,
				       const iffa_flowgraph *g, const iffa_exposure *scores,
				       int beside)
{
	iffa_analyse__exposure_store *st;
	int error = 0;

	*out = NULL;
	if (!(st = calloc(1, sizeof(*st))))
		return iffa_error_set(IFFA_ENOMEM, "out of memory for exposure rows");
	atomic_init(&st->stop, 0);
	st->s.g = g;
	st->run = run;
	if (!scores && (error = iffa_exposure_new(&st->x, g, p)) < 0)
		goto done;
	st->xs = scores ? scores : st->x;
	if (!(st->s.slot = malloc(((size_t)g->ne + 1) * sizeof(*st->s.slot)))) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory for exposure rows");
		goto done;
	}
	for (igraph_integer_t e = 0; e < g->ne; e++)
		st->s.slot[e] = -1;
	if (!beside)
		goto done;
	{
		PGresult *res = NULL;
		if ((error = iffa_db__query(&res, db, "reading the statement_timeout",
					    "SELECT current_setting('statement_timeout')", 0, NULL)) < 0)
			goto done;
		snprintf(st->timeout, sizeof(st->timeout), "%s", PQgetvalue(res, 0, 0));
		PQclear(res);
	}
	/* beside, on a second connection; in turn at the end, if none can be had */
	if (iffa_db__connect_like(&st->side, db, st->timeout,
				  "opening a connection for the exposure") < 0)
		goto done;
	st->cancel = PQgetCancel(iffa_db_conn(st->side));
	if (pthread_create(&st->thread, NULL, store_main, st) == 0) {
		st->running = 1;
	} else {
		iffa_db_free(st->side);
		st->side = NULL;
	}
done:
	if (error < 0)
		iffa_analyse__store_exposure_free(st);
	else
		*out = st;
	return error;
}

int iffa_analyse__store_exposure_end(iffa_analyse__exposure_store *st, iffa_db *db,
				     size_t *out_rows)
{
	int error;

	*out_rows = 0;
	if (st->running) {
		pthread_join(st->thread, NULL);
		st->running = 0;
		if (st->error)
			return iffa_error_set(st->error, "%s", st->message);
	} else if ((error = write_rows(st, db, 0)) < 0) {
		return error;
	}
	*out_rows = st->rows;
	return 0;
}

int iffa_analyse__store_exposure_commit(iffa_analyse__exposure_store *st)
{
	if (!st->side)
		return 0;
	return iffa_db__exec(st->side, "committing the exposure", "COMMIT", 0, NULL);
}
