/*
 * PostgreSQL -> flow graph.
 *
 * One REPEATABLE READ READ ONLY transaction, so every stream sees the same
 * snapshot: fx rates, the party and account tables, then the edges of each
 * record kind. Each is a `COPY (SELECT ...) TO STDOUT (FORMAT binary)`
 * decoded by copybin.c, so numbers and times arrive in binary with no text
 * round trip.
 *
 * The vertices and aliases (which vertex stands for an account or party at
 * this level) are made here from a scan of party (its flags from hash
 * joins with the small designation and affected_zone tables) and a plain
 * scan of account: the rows are put in id order and joined in C (an
 * account's owner, a party's lowest account), then added in ascending key
 * order, the order vertex ids follow. The server does no big join and no
 * sort for them, so they cost it little next to the transfers streamed at
 * the same time.
 *
 * COPY takes no bind parameters, so the window bounds and the channel list
 * are written into the SELECT as literals. They are never user text: the
 * bounds are formatted from int64 microseconds by iffa_flowgraph_time_format()
 * and the channels are names from a fixed table. (A server-side prepared
 * statement cannot be the source of a COPY; a temporary view would need
 * the literals too, and a write in a read-only transaction.) The transfer
 * SELECT is also exposed as iffa_ingest_transfer_sql() so that a benchmark
 * can time the same query through psql.
 *
 * Amounts are cast to float8 by the server and converted to XOF here
 * (fx.c). The graph is assembled with the builder in graph/flowgraph.h and
 * handed to igraph once at the end. Only this thread touches igraph.
 *
 * Transfers are partitioned by month. With more than one reader, the main
 * transaction reads the rates, exports its snapshot (pg_export_snapshot)
 * and starts reader threads, each with its own connection in that same
 * snapshot, which stream partitions into plain arrays of decoded rows
 * (fx conversion only reads the shared rates; each reader has its own
 * lookup hints) while the main connection reads party and account. The main
 * thread then appends each partition's rows to the graph in partition
 * order as soon as it is read, so the graph does not depend on which
 * reader finished first. The readers never call igraph or the graph
 * builder.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "db/db.h"
#include "graph/flowgraph.h"
#include "iffa/ingest.h"
#include "ingest/copybin.h"
#include "ingest/fx.h"

#define PROGRESS_EVERY INT64_C(1000000)

typedef struct {
	iffa_db *db;
	const iffa_ingest_options *opts;
	iffa_flowgraph *g;
	iffa_fx fx;
	iffa_record_kind kind; /* of the party-record stream being read */
} ingest;

/* SQL text built in a growing buffer. */
typedef struct {
	char *s;
	size_t len, cap;
	int failed;
} sqlbuf;

static void sql_add(sqlbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sql_add(sqlbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->failed = 1;
			return;
		}
		if (b->s && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return;
		}
		{
			size_t cap = b->cap ? b->cap : 256;
			char *s;

			while (cap <= b->len + (size_t)n)
				cap *= 2;
			if (!(s = realloc(b->s, cap))) {
				b->failed = 1;
				return;
			}
			b->s = s;
			b->cap = cap;
		}
	}
}

static int sql_done(char **out, sqlbuf *b)
{
	if (b->failed) {
		free(b->s);
		return iffa_error_set(IFFA_ENOMEM, "out of memory for SQL text");
	}
	*out = b->s;
	return 0;
}

/* "<col> >= '...' AND <col> < '...'" for the window, or nothing. */
static int add_window(sqlbuf *b, const iffa_ingest_options *o, const char *col, const char **glue)
{
	char t[32];
	int error;

	if (o->from != IFFA_TIME_MIN) {
		if ((error = iffa_flowgraph_time_format(t, sizeof(t), o->from)) < 0)
			return error;
		sql_add(b, "%s%s >= '%s'", *glue, col, t);
		*glue = " AND ";
	}
	if (o->to != IFFA_TIME_MAX) {
		if ((error = iffa_flowgraph_time_format(t, sizeof(t), o->to)) < 0)
			return error;
		sql_add(b, "%s%s < '%s'", *glue, col, t);
		*glue = " AND ";
	}
	return 0;
}

static int check_options(const iffa_ingest_options *o)
{
	if (o->level != IFFA_LEVEL_ACCOUNT && o->level != IFFA_LEVEL_PARTY)
		return iffa_error_set(IFFA_EINVAL, "level %d is neither account nor party", (int)o->level);
	if (o->from != IFFA_TIME_MIN && o->to != IFFA_TIME_MAX && o->from >= o->to)
		return iffa_error_set(IFFA_EINVAL, "the time window is empty: from must be before to");
	if (o->channels & ~IFFA_CHANNEL_ALL || o->kinds & ~IFFA_KIND_ALL)
		return iffa_error_set(IFFA_EINVAL, "unknown bits in the channel or kind mask");
	return 0;
}

static int transfer_sql(char **out, const iffa_ingest_options *opts, const char *relation);

int iffa_ingest_transfer_sql(char **out, const iffa_ingest_options *opts)
{
	return transfer_sql(out, opts, "transfer");
}

/* The transfer SELECT over `relation` (the table or one of its partitions). */
static int transfer_sql(char **out, const iffa_ingest_options *opts, const char *relation)
{
	const iffa_ingest_options defaults = IFFA_INGEST_OPTIONS_INIT;
	const iffa_ingest_options *o = opts ? opts : &defaults;
	const unsigned transfer_channels = IFFA_CHANNEL_ALL & ~(1u << IFFA_CHANNEL_NONE);
	sqlbuf b = {NULL, 0, 0, 0};
	const char *glue = " WHERE ";
	int error;

	*out = NULL;
	if ((error = check_options(o)) < 0)
		return error;
	sql_add(&b, "SELECT id, from_account, to_account, amount::float8, currency, ts, channel "
		    "FROM %s", relation);
	if ((error = add_window(&b, o, "ts", &glue)) < 0) {
		free(b.s);
		return error;
	}
	if ((o->channels & transfer_channels) != transfer_channels) {
		const char *sep = "";

		sql_add(&b, "%schannel IN (", glue);
		for (int c = 0; c < IFFA_CHANNEL_NONE; c++) {
			if (o->channels & (1u << c)) {
				sql_add(&b, "%s'%s'", sep, iffa_channel_name((iffa_channel)c));
				sep = ", ";
			}
		}
		/* No transfer channel chosen: NULL matches nothing. */
		sql_add(&b, "%s)", *sep ? "" : "NULL");
	}
	return sql_done(out, &b);
}

/* Streams. */

/*
 * Vertices and aliases come from two scans, joined here rather than by the
 * server (see read_vertices). The party flags are outer joins with the
 * designated party ids and the affected zones, each matching a party at
 * most once: on tables this small the server hashes them and probes with
 * the party scan (10M scenario: 0.4 s, against 0.3 s for the bare scan).
 * Hashed `IN (SELECT ...)` subplans were 0.1 s faster, but past work_mem
 * (some 50k designations at the default 4 MB) the server falls back to a
 * subplan rescanned for every party; EXISTS avoids that with index probes
 * but its cost estimate sets off JIT compilation (0.2 s).
 */
static const char *const party_columns[] = {"id", "kind", "country", "designated",
					    "affected_zone"};

static const char party_sql[] =
	"SELECT p.id, p.kind, p.country, d.party_id IS NOT NULL, z.country IS NOT NULL"
	" FROM party p"
	" LEFT JOIN (SELECT DISTINCT party_id FROM designation) d ON d.party_id = p.id"
	" LEFT JOIN affected_zone z ON z.country = p.country AND z.region = p.region";

static const char *const account_columns[] = {"id", "kind", "country", "party_id"};

static const char account_sql[] = "SELECT id, kind, country, party_id FROM account";

static const char *const fx_columns[] = {"currency", "valid_from", "xof_per_unit"};

static const char fx_sql[] =
	"SELECT currency, valid_from, xof_per_unit::float8 FROM fx_rate ORDER BY currency, valid_from";

static const char *const transfer_columns[] = {"id", "from_account", "to_account", "amount",
					       "currency", "ts", "channel"};

static const char *const party_flow_columns[] = {"id", "from_party", "to_party", "amount",
						 "currency", "at", "first_hop"};

/*
 * Ransom: payer -> each ransom_leg party in seq order -> recipient, one row
 * per hop; first_hop marks the hop that counts the record once.
 */
static const char ransom_sql[] =
	"SELECT r.id, h.party, h.next, r.amount::float8, r.currency, r.paid_at, h.seq = 0"
	" FROM ransom r CROSS JOIN LATERAL ("
	"SELECT c.seq, c.party, lead(c.party) OVER (ORDER BY c.seq) AS next FROM ("
	"SELECT 0::bigint AS seq, r.payer AS party"
	" UNION ALL SELECT l.seq, l.party_id FROM ransom_leg l WHERE l.ransom_id = r.id"
	" UNION ALL SELECT 4294967296, r.recipient) c) h"
	" WHERE h.next IS NOT NULL";

/* Money for a gold lot goes from buyer to seller. */
static const char gold_sql[] =
	"SELECT id, buyer, seller, value::float8, currency, traded_at, true FROM gold_lot";

static const char levy_sql[] =
	"SELECT id, payer, collector, amount::float8, currency, levied_at, true FROM levy";

static void progress(const ingest *in, const iffa_copybin *d)
{
	if (in->opts->progress && d->rows % PROGRESS_EVERY == 0)
		fprintf(in->opts->progress, "iffa: ingest: %s: %" PRId64 " rows\n", d->what, d->rows);
}

/* Prefix the last error with the record it concerns. */
static int about(int error, const char *kind, int64_t id)
{
	char reason[1024];

	snprintf(reason, sizeof(reason), "%s", iffa_error_last());
	return iffa_error_set(error == IFFA_ENOTFOUND ? IFFA_EINVAL : error, "%s %" PRId64 ": %s",
			      kind, id, reason);
}

/*
 * One transfer row, checked and converted to XOF. The accounts stay
 * database ids until resolve() finds their vertices, so that parallel
 * readers can decode rows before the vertices are read.
 */
typedef struct {
	int64_t id, ts, from, to;
	double xof;
	iffa_channel channel;
} transfer_row;

static int decode_transfer(transfer_row *r, iffa_copybin *d, iffa_fx *fx)
{
	const char *currency, *channel;
	size_t currency_len, channel_len;
	double amount;
	int error;

	if ((error = iffa_copybin__int8(&r->id, d, 0)) < 0 ||
	    (error = iffa_copybin__int8(&r->from, d, 1)) < 0 ||
	    (error = iffa_copybin__int8(&r->to, d, 2)) < 0 ||
	    (error = iffa_copybin__float8(&amount, d, 3)) < 0 ||
	    (error = iffa_copybin__text(&currency, &currency_len, d, 4)) < 0 ||
	    (error = iffa_copybin__timestamptz(&r->ts, d, 5)) < 0 ||
	    (error = iffa_copybin__text(&channel, &channel_len, d, 6)) < 0)
		return error;
	if (!isfinite(amount))
		return iffa_error_set(IFFA_EINVAL, "transfer %" PRId64 ": amount is not a finite number",
				      r->id);
	if (iffa_channel_parse(&r->channel, channel, channel_len) < 0 ||
	    r->channel == IFFA_CHANNEL_NONE)
		return iffa_error_set(IFFA_EINVAL, "transfer %" PRId64 ": unknown channel '%.*s'", r->id,
				      (int)(channel_len > 20 ? 20 : channel_len), channel);
	if ((error = iffa_fx__to_xof(&r->xof, fx, currency, currency_len, r->ts, amount)) < 0)
		return about(error, "transfer", r->id);
	return 0;
}

static int on_fx(iffa_copybin *d, void *payload)
{
	ingest *in = payload;
	const char *code;
	size_t len;
	int32_t day;
	double rate;
	int error;

	if ((error = iffa_copybin__text(&code, &len, d, 0)) < 0 ||
	    (error = iffa_copybin__date(&day, d, 1)) < 0 ||
	    (error = iffa_copybin__float8(&rate, d, 2)) < 0)
		return error;
	return iffa_fx__add(&in->fx, code, len, day, rate);
}

/* The row's vertices, then its flow. */
static int add_transfer(ingest *in, const transfer_row *r)
{
	igraph_integer_t src, dst;

	if ((src = iffa_flowgraph__lookup(in->g, IFFA_KEY_ACCOUNT(r->from))) < 0 ||
	    (dst = iffa_flowgraph__lookup(in->g, IFFA_KEY_ACCOUNT(r->to))) < 0)
		return iffa_error_set(IFFA_EINVAL, "transfer %" PRId64 ": account %" PRId64
				      " is not in the snapshot", r->id, src < 0 ? r->from : r->to);
	iffa_flowgraph__count_record(in->g, IFFA_KIND_TRANSFER, r->xof);
	return iffa_flowgraph__add_flow(in->g, src, dst, r->xof, r->ts, r->channel,
					IFFA_KIND_TRANSFER, r->id);
}

static int on_transfer(iffa_copybin *d, void *payload)
{
	ingest *in = payload;
	transfer_row r;
	int error;

	if ((error = decode_transfer(&r, d, &in->fx)) < 0 || (error = add_transfer(in, &r)) < 0)
		return error;
	progress(in, d);
	return 0;
}

/* A hop of a ransom, a gold lot or a levy: from one party to another. */
static int on_party_flow(iffa_copybin *d, void *payload)
{
	ingest *in = payload;
	const char *kind = iffa_record_kind_name(in->kind);
	int64_t id, from, to, at;
	igraph_integer_t src, dst;
	const char *currency;
	size_t currency_len;
	double amount, xof;
	int first, error;

	if ((error = iffa_copybin__int8(&id, d, 0)) < 0 ||
	    (error = iffa_copybin__int8(&from, d, 1)) < 0 ||
	    (error = iffa_copybin__int8(&to, d, 2)) < 0 ||
	    (error = iffa_copybin__float8(&amount, d, 3)) < 0 ||
	    (error = iffa_copybin__text(&currency, &currency_len, d, 4)) < 0 ||
	    (error = iffa_copybin__timestamptz(&at, d, 5)) < 0 ||
	    (error = iffa_copybin__bool(&first, d, 6)) < 0)
		return error;
	if (!isfinite(amount))
		return iffa_error_set(IFFA_EINVAL, "%s %" PRId64 ": amount is not a finite number", kind, id);
	if ((src = iffa_flowgraph__lookup(in->g, IFFA_KEY_PARTY(from))) < 0 ||
	    (dst = iffa_flowgraph__lookup(in->g, IFFA_KEY_PARTY(to))) < 0)
		return iffa_error_set(IFFA_EINVAL, "%s %" PRId64 ": party %" PRId64
				      " is not in the snapshot", kind, id, src < 0 ? from : to);
	if ((error = iffa_fx__to_xof(&xof, &in->fx, currency, currency_len, at, amount)) < 0)
		return about(error, kind, id);
	if (first)
		iffa_flowgraph__count_record(in->g, in->kind, xof);
	if ((error = iffa_flowgraph__add_flow(in->g, src, dst, xof, at, IFFA_CHANNEL_NONE, in->kind,
					      id)) < 0)
		return error;
	progress(in, d);
	return 0;
}

/* Stop a COPY we no longer want: cancel it and drain what is in flight. */
static void abandon_copy(PGconn *conn)
{
	PGcancel *cancel = PQgetCancel(conn);
	char errbuf[256];
	char *buf;
	PGresult *res;

	if (cancel) {
		PQcancel(cancel, errbuf, sizeof(errbuf));
		PQfreeCancel(cancel);
	}
	while (PQgetCopyData(conn, &buf, 0) > 0)
		PQfreemem(buf);
	while ((res = PQgetResult(conn)) != NULL)
		PQclear(res);
}

/*
 * Run `COPY (select) TO STDOUT (FORMAT binary)` on `db` and decode it row by
 * row, handing each to `row` with `payload`.
 */
static int copy_stream_on(iffa_db *db, const ingest *in, const char *what, const char *select,
			  const char *const *columns, int ncolumns, iffa_copybin_row_cb row,
			  void *payload)
{
	PGconn *conn = iffa_db_conn(db);
	iffa_copybin dec;
	sqlbuf sql = {NULL, 0, 0, 0};
	char *text = NULL, step[64];
	PGresult *res = NULL;
	int error, n;

	memset(&dec, 0, sizeof(dec));
	snprintf(step, sizeof(step), "reading %s", what);
	sql_add(&sql, "COPY (%s) TO STDOUT (FORMAT binary)", select);
	if ((error = sql_done(&text, &sql)) < 0)
		return error;
	if ((error = iffa_copybin__init(&dec, what, columns, ncolumns, row, payload)) < 0)
		goto done;
	res = PQexec(conn, text);
	if (PQresultStatus(res) != PGRES_COPY_OUT) {
		error = iffa_db__fail(db, res, step);
		goto done;
	}
	PQclear(res);
	res = NULL;
	for (;;) {
		char *buf;

		n = PQgetCopyData(conn, &buf, 0);
		if (n < 0)
			break;
		error = iffa_copybin__feed(&dec, buf, (size_t)n);
		PQfreemem(buf);
		if (error < 0) {
			abandon_copy(conn);
			goto done;
		}
	}
	if (n == -2) {
		error = iffa_db__fail(db, NULL, step);
		goto done;
	}
	/* The COPY's own result says whether the server finished it. */
	res = PQgetResult(conn);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		error = iffa_db__fail(db, res, step);
		goto done;
	}
	if ((error = iffa_copybin__finish(&dec)) == 0 && in->opts->progress && payload == in)
		fprintf(in->opts->progress, "iffa: ingest: %s: %" PRId64 " rows, done\n", what, dec.rows);
done:
	PQclear(res);
	while ((res = PQgetResult(conn)) != NULL)
		PQclear(res);
	iffa_copybin__dispose(&dec);
	free(text);
	return error;
}

static int copy_stream(ingest *in, const char *what, const char *select,
		       const char *const *columns, int ncolumns, iffa_copybin_row_cb row)
{
	return copy_stream_on(in->db, in, what, select, columns, ncolumns, row, in);
}

/*
 * Vertices and aliases. The server scans party and account once each, in
 * whatever order its heap gives; the rows are kept here in compact arrays,
 * put in id order, joined (an account's owner, a party's lowest account)
 * and added to the graph in ascending key order, as an ORDER BY of the keys
 * would give: vertex numbering drives every pass's results. A join, an
 * anti join and a sort of two million rows on the server cost several
 * times the two scans, on the cores the transfer readers need. The arrays
 * are freed before the transfers are consumed.
 *
 * A bad value (an unknown kind code, a country that is not two letters)
 * fails the ingest only when it reaches a vertex, and the first one in key
 * order wins, as when each vertex row was checked as it came: the row is
 * marked and its text kept aside (such rows break the schema's checks, so
 * there are few) for the message.
 */

#define BAD_KIND 1u
#define BAD_COUNTRY 2u

typedef struct {
	int64_t id;
	int64_t first;   /* index of its lowest account in the sorted accounts, or -1 */
	uint8_t kind;    /* iffa_party_kind */
	uint8_t flags;   /* IFFA_VERTEX_ARMED_GROUP, _DESIGNATED, _AFFECTED_ZONE */
	uint8_t bad;     /* BAD_*: the value is in the scan's bad list */
	char country[2]; /* both NUL when null */
} party_row;

typedef struct {
	int64_t id;
	int64_t owner;   /* when owned: the owner's party id as read, then its
			  * index in the sorted parties */
	uint8_t owned;
	uint8_t kind;    /* iffa_account_kind */
	uint8_t bad;
	char country[2];
} account_row;

/* A value that is not valid, kept for the message. */
typedef struct {
	int64_t key;     /* IFFA_KEY_* of its row */
	unsigned field;  /* BAD_KIND or BAD_COUNTRY */
	size_t len;      /* bytes sent, at most sizeof(text) kept */
	char text[64];
} bad_value;

typedef struct {
	party_row *parties;
	size_t nparties, pcap;
	account_row *accounts;
	size_t naccounts, acap;
	bad_value *bad;
	size_t nbad, badcap;
} vertex_scan;

static void vertex_scan_dispose(vertex_scan *s)
{
	free(s->parties);
	free(s->accounts);
	free(s->bad);
	memset(s, 0, sizeof(*s));
}

/* Make room for one more element of `size` bytes in *p (n used, *cap allocated). */
/* Room for one more of `n` elements in *p (iffa_grow), or an error naming `what`. */
static int room(void *p, size_t n, size_t *cap, size_t size, const char *what)
{
	if (iffa_grow(p, cap, n + 1, size) < 0)
		return iffa_error_set(IFFA_ENOMEM, "out of memory reading %s", what);
	return 0;
}

static int keep_bad(vertex_scan *s, int64_t key, unsigned field, const char *text, size_t len)
{
	bad_value *b;
	int error;

	if ((error = room(&s->bad, s->nbad, &s->badcap, sizeof(*s->bad), "bad values")) < 0)
		return error;
	b = &s->bad[s->nbad++];
	b->key = key;
	b->field = field;
	b->len = len;
	memcpy(b->text, text, len < sizeof(b->text) ? len : sizeof(b->text));
	return 0;
}

static const bad_value *find_bad(const vertex_scan *s, int64_t key, unsigned field)
{
	for (size_t i = 0; i < s->nbad; i++)
		if (s->bad[i].key == key && s->bad[i].field == field)
			return &s->bad[i];
	return NULL;
}

/* A country as sent: two bytes, or marked bad and kept aside. */
static int read_country(vertex_scan *s, char cc[2], uint8_t *bad, int64_t key, iffa_copybin *d,
			int col)
{
	const char *text;
	size_t len;
	int error;

	if (iffa_copybin__is_null(d, col))
		return 0;
	if ((error = iffa_copybin__text(&text, &len, d, col)) < 0)
		return error;
	if (len == 2) {
		memcpy(cc, text, 2);
		return 0;
	}
	*bad |= BAD_COUNTRY;
	return keep_bad(s, key, BAD_COUNTRY, text, len);
}

static int on_party_row(iffa_copybin *d, void *payload)
{
	vertex_scan *s = payload;
	party_row *p;
	iffa_party_kind k = IFFA_PARTY_PERSON;
	const char *kind;
	size_t kind_len;
	int designated, affected, error;

	if ((error = room(&s->parties, s->nparties, &s->pcap, sizeof(*s->parties), "parties")) < 0)
		return error;
	p = &s->parties[s->nparties];
	memset(p, 0, sizeof(*p));
	p->first = -1;
	if ((error = iffa_copybin__int8(&p->id, d, 0)) < 0 ||
	    (error = iffa_copybin__text(&kind, &kind_len, d, 1)) < 0 ||
	    (error = read_country(s, p->country, &p->bad, IFFA_KEY_PARTY(p->id), d, 2)) < 0 ||
	    (error = iffa_copybin__bool(&designated, d, 3)) < 0 ||
	    (error = iffa_copybin__bool(&affected, d, 4)) < 0)
		return error;
	if (iffa_party_kind_parse(&k, kind, kind_len) < 0) {
		p->bad |= BAD_KIND;
		if ((error = keep_bad(s, IFFA_KEY_PARTY(p->id), BAD_KIND, kind, kind_len)) < 0)
			return error;
	}
	p->kind = (uint8_t)k;
	p->flags = (uint8_t)((k == IFFA_PARTY_ARMED_GROUP && !(p->bad & BAD_KIND) ?
				      IFFA_VERTEX_ARMED_GROUP : 0) |
			     (designated ? IFFA_VERTEX_DESIGNATED : 0) |
			     (affected ? IFFA_VERTEX_AFFECTED_ZONE : 0));
	s->nparties++;
	return 0;
}

static int on_account_row(iffa_copybin *d, void *payload)
{
	vertex_scan *s = payload;
	account_row *a;
	iffa_account_kind k = IFFA_ACCOUNT_BANK;
	const char *kind;
	size_t kind_len;
	int error;

	if ((error = room(&s->accounts, s->naccounts, &s->acap, sizeof(*s->accounts),
			  "accounts")) < 0)
		return error;
	a = &s->accounts[s->naccounts];
	memset(a, 0, sizeof(*a));
	a->owned = !iffa_copybin__is_null(d, 3);
	if ((error = iffa_copybin__int8(&a->id, d, 0)) < 0 ||
	    (error = iffa_copybin__text(&kind, &kind_len, d, 1)) < 0 ||
	    (error = read_country(s, a->country, &a->bad, IFFA_KEY_ACCOUNT(a->id), d, 2)) < 0 ||
	    (a->owned && (error = iffa_copybin__int8(&a->owner, d, 3)) < 0))
		return error;
	if (iffa_account_kind_parse(&k, kind, kind_len) < 0) {
		a->bad |= BAD_KIND;
		if ((error = keep_bad(s, IFFA_KEY_ACCOUNT(a->id), BAD_KIND, kind, kind_len)) < 0)
			return error;
	}
	a->kind = (uint8_t)k;
	s->naccounts++;
	return 0;
}

static int by_party_id(const void *x, const void *y)
{
	int64_t a = ((const party_row *)x)->id, b = ((const party_row *)y)->id;

	return (a > b) - (a < b);
}

static int by_account_id(const void *x, const void *y)
{
	int64_t a = ((const account_row *)x)->id, b = ((const account_row *)y)->id;

	return (a > b) - (a < b);
}

/* Heaps of tables filled by a sequence usually come in id order already. */
static void sort_scan(vertex_scan *s)
{
	size_t i;

	for (i = 1; i < s->nparties && s->parties[i - 1].id < s->parties[i].id; i++)
		;
	if (i < s->nparties)
		qsort(s->parties, s->nparties, sizeof(*s->parties), by_party_id);
	for (i = 1; i < s->naccounts && s->accounts[i - 1].id < s->accounts[i].id; i++)
		;
	if (i < s->naccounts)
		qsort(s->accounts, s->naccounts, sizeof(*s->accounts), by_account_id);
}

/*
 * Replace each account's owner id by the owner's index and give each party
 * its lowest account (the accounts are in id order). Party ids from a
 * sequence are dense, so the index is usually a plain array by id; a binary
 * search otherwise.
 */
static int link_owners(vertex_scan *s)
{
	int32_t *index = NULL;
	uint64_t lo = 0, span = 0;

	if (s->nparties > 0 && s->nparties < INT32_MAX) {
		/* Unsigned: ids anywhere in int64 do not overflow. */
		lo = (uint64_t)s->parties[0].id;
		span = (uint64_t)s->parties[s->nparties - 1].id - lo + 1;
		if (span > 0 && span <= 4 * (uint64_t)s->nparties + 1024 &&
		    (index = malloc((size_t)span * sizeof(*index)))) {
			memset(index, 0xff, (size_t)span * sizeof(*index)); /* -1 */
			for (size_t j = 0; j < s->nparties; j++)
				index[(uint64_t)s->parties[j].id - lo] = (int32_t)j;
		}
	}
	for (size_t i = 0; i < s->naccounts; i++) {
		account_row *a = &s->accounts[i];
		int64_t j = -1;

		if (!a->owned)
			continue;
		if (index)
			j = (uint64_t)a->owner - lo < span ? index[(uint64_t)a->owner - lo] : -1;
		else {
			size_t l = 0, h = s->nparties;

			while (l < h) {
				size_t m = l + (h - l) / 2;

				if (s->parties[m].id < a->owner)
					l = m + 1;
				else
					h = m;
			}
			j = l < s->nparties && s->parties[l].id == a->owner ? (int64_t)l : -1;
		}
		if (j < 0) {
			free(index);
			return iffa_error_set(IFFA_EINVAL, "account %" PRId64 ": party %" PRId64
					      " is not in the snapshot", a->id, a->owner);
		}
		a->owner = j;
		if (s->parties[j].first < 0)
			s->parties[j].first = (int64_t)i;
	}
	free(index);
	return 0;
}

/*
 * Add one vertex, checking its kind, then its country, as the row's owner
 * says: `kind_from` and `country_from` are the keys of the rows the kind
 * and the country were read from, when marked bad.
 */
static int add_scanned_vertex(ingest *in, const vertex_scan *s, const iffa_flowgraph__vertex *v,
			      int bad_kind, int64_t country_from, int bad_country)
{
	const char *what = v->key & 1 ? "party" : "account";
	const bad_value *b;

	if (bad_kind && (b = find_bad(s, v->key, BAD_KIND)) != NULL) {
		size_t len = b->len < sizeof(b->text) ? b->len : sizeof(b->text);
		int error;

		if (v->key & 1) {
			iffa_party_kind k;
			error = iffa_party_kind_parse(&k, b->text, len);
		} else {
			iffa_account_kind k;
			error = iffa_account_kind_parse(&k, b->text, len);
		}
		return about(error < 0 ? error : IFFA_EINVAL, what, v->key >> 1);
	}
	if (bad_country && (b = find_bad(s, country_from, BAD_COUNTRY)) != NULL)
		return iffa_error_set(IFFA_EINVAL, "%s %lld: country '%.*s' is not two letters", what,
				      (long long)(v->key >> 1), (int)(b->len > 8 ? 8 : b->len),
				      b->text);
	return iffa_flowgraph__add_vertex(NULL, in->g, v);
}

static void count_progress(const ingest *in, const char *what, size_t n, int done)
{
	if (in->opts->progress && (done || n % (size_t)PROGRESS_EVERY == 0))
		fprintf(in->opts->progress, "iffa: ingest: %s: %zu rows%s\n", what, n,
			done ? ", done" : "");
}

/*
 * Account level: every account (with its owner's flags), every party
 * without accounts; a party with accounts is an alias of its lowest one,
 * its primary account. Party level: every party (its country, when null,
 * from its lowest account), every account without owner (no flags); an
 * owned account is an alias of its owner.
 */
static int add_vertices(ingest *in, const vertex_scan *s)
{
	int account_level = in->opts->level == IFFA_LEVEL_ACCOUNT;
	size_t i = 0, j = 0, n = 0, aliases = 0;
	int error;

	for (;;) {
		const account_row *a;
		const party_row *p;
		iffa_flowgraph__vertex v = {0, 0, NULL, -1, 0};
		char cc[3] = "";

		/* The next account and party that are vertices at this level. */
		while (i < s->naccounts && !account_level && s->accounts[i].owned)
			i++;
		while (j < s->nparties && account_level && s->parties[j].first >= 0)
			j++;
		a = i < s->naccounts ? &s->accounts[i] : NULL;
		p = j < s->nparties ? &s->parties[j] : NULL;
		if (!a && !p)
			break;
		if (a && (!p || a->id <= p->id)) {
			/* 2 * a < 2 * p + 1 */
			const party_row *o = a->owned ? &s->parties[a->owner] : NULL;

			memcpy(cc, a->country, 2);
			v.key = IFFA_KEY_ACCOUNT(a->id);
			v.kind = a->kind;
			v.country = cc;
			v.party = o ? o->id : -1;
			v.flags = o ? o->flags : 0;
			if (o && o->first == (int64_t)i)
				v.flags |= IFFA_VERTEX_PRIMARY;
			error = add_scanned_vertex(in, s, &v, a->bad & BAD_KIND, v.key,
						   a->bad & BAD_COUNTRY);
			i++;
		} else {
			int64_t from = IFFA_KEY_PARTY(p->id);
			int bad_country = p->bad & BAD_COUNTRY;

			memcpy(cc, p->country, 2);
			if (!account_level && !cc[0] && !bad_country && p->first >= 0) {
				const account_row *f = &s->accounts[p->first];

				memcpy(cc, f->country, 2);
				from = IFFA_KEY_ACCOUNT(f->id);
				bad_country = f->bad & BAD_COUNTRY;
			}
			v.key = IFFA_KEY_PARTY(p->id);
			v.kind = p->kind;
			v.country = cc;
			v.party = p->id;
			v.flags = p->flags;
			error = add_scanned_vertex(in, s, &v, p->bad & BAD_KIND, from, bad_country);
			j++;
		}
		if (error < 0)
			return error;
		if (++n % (size_t)PROGRESS_EVERY == 0)
			count_progress(in, "vertices", n, 0);
	}
	count_progress(in, "vertices", n, 1);
	if (account_level) {
		for (j = 0; j < s->nparties; j++) {
			const party_row *p = &s->parties[j];

			if (p->first < 0)
				continue;
			if ((error = iffa_flowgraph__alias(in->g, IFFA_KEY_PARTY(p->id),
							   IFFA_KEY_ACCOUNT(s->accounts[p->first].id))) < 0)
				return error;
			if (++aliases % (size_t)PROGRESS_EVERY == 0)
				count_progress(in, "aliases", aliases, 0);
		}
	} else {
		for (i = 0; i < s->naccounts; i++) {
			const account_row *a = &s->accounts[i];

			if (!a->owned)
				continue;
			if ((error = iffa_flowgraph__alias(in->g, IFFA_KEY_ACCOUNT(a->id),
							   IFFA_KEY_PARTY(s->parties[a->owner].id))) < 0)
				return error;
			if (++aliases % (size_t)PROGRESS_EVERY == 0)
				count_progress(in, "aliases", aliases, 0);
		}
	}
	count_progress(in, "aliases", aliases, 1);
	return 0;
}

/* Scan party and account, and put their vertices and aliases in the graph. */
static int read_vertices(ingest *in)
{
	vertex_scan s;
	int error;

	memset(&s, 0, sizeof(s));
	if ((error = copy_stream_on(in->db, in, "party", party_sql, party_columns, 5, on_party_row,
				    &s)) == 0 &&
	    (error = copy_stream_on(in->db, in, "account", account_sql, account_columns, 4,
				    on_account_row, &s)) == 0) {
		sort_scan(&s);
		if ((error = link_owners(&s)) == 0)
			error = add_vertices(in, &s);
	}
	vertex_scan_dispose(&s);
	return error;
}

/* Parallel reading of transfer partitions. */

typedef struct {
	char *name;          /* quoted identifier, from the server's quote_ident */
	transfer_row *rows;  /* filled by one reader, emptied by the main thread */
	size_t n, cap;
	int done;            /* under the crew's lock: its reader has read it all */
} partition;

typedef struct reader reader;

/* The readers of one ingest and what they share with the main thread. */
typedef struct {
	const ingest *in;      /* read only while readers run */
	partition *parts;
	size_t nparts;
	char *snapshot;        /* exported by the main transaction */
	char *timeout;         /* the main session's statement_timeout */
	reader *readers;
	int nreaders, started;
	pthread_mutex_t lock;  /* guards parts[].done and failed */
	pthread_cond_t ready;  /* a partition is done, or a reader failed */
	int have_sync;
	int failed;            /* a reader stopped on an error: */
	int error;             /* the first one's code */
	char message[1024];    /* and its iffa_error_last(), for the main thread */
	int failed_seen;       /* the main thread stopped because of it */
	atomic_int stop;       /* the main thread gave up: readers stop too */
} crew;

struct reader {
	pthread_t thread;
	crew *c;
	size_t first, step;    /* partitions first, first + step, ... */
	iffa_fx fx;            /* own copy of the lookup hints; rates shared */
	partition *current;
};

static int on_partition_row(iffa_copybin *d, void *payload)
{
	reader *rd = payload;
	partition *p = rd->current;
	int error;

	if (atomic_load_explicit(&rd->c->stop, memory_order_relaxed))
		return iffa_error_set(IFFA_ERROR, "reading %s: the ingest stopped", p->name);
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 4096;
		transfer_row *rows = realloc(p->rows, cap * sizeof(*rows));
		if (!rows)
			return iffa_error_set(IFFA_ENOMEM, "out of memory reading %s", p->name);
		p->rows = rows;
		p->cap = cap;
	}
	if ((error = decode_transfer(&p->rows[p->n], d, &rd->fx)) < 0)
		return error;
	p->n++;
	progress(rd->c->in, d);
	return 0;
}

/* A connection like the main one: same parameters, as libpq resolved them. */
static void *reader_main(void *arg)
{
	reader *rd = arg;
	crew *c = rd->c;
	const iffa_ingest_options *o = c->in->opts;
	iffa_db *db = NULL;
	char set[128];
	int error;

	if ((error = iffa_db__connect_like(&db, c->in->db, c->timeout,
					   "opening a reader connection")) < 0)
		goto done;
	snprintf(set, sizeof(set), "SET TRANSACTION SNAPSHOT '%s'", c->snapshot);
	if ((error = iffa_db__exec(db, "starting a reader transaction",
				   "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL)) < 0 ||
	    (error = iffa_db__exec(db, "joining the ingest snapshot", set, 0, NULL)) < 0)
		goto done;
	for (size_t i = rd->first; i < c->nparts; i += rd->step) {
		char *sql = NULL;

		rd->current = &c->parts[i];
		if ((error = transfer_sql(&sql, o, c->parts[i].name)) < 0)
			goto done;
		error = copy_stream_on(db, c->in, "transfer", sql, transfer_columns, 7,
				       on_partition_row, rd);
		free(sql);
		if (error < 0)
			goto done;
		pthread_mutex_lock(&c->lock);
		c->parts[i].done = 1;
		pthread_cond_broadcast(&c->ready);
		pthread_mutex_unlock(&c->lock);
	}
	error = iffa_db__exec(db, "ending a reader transaction", "COMMIT", 0, NULL);
done:
	if (error < 0) {
		/* The first failure is the cause; others may only be the stop it led to. */
		pthread_mutex_lock(&c->lock);
		if (!c->failed) {
			c->failed = 1;
			c->error = error;
			snprintf(c->message, sizeof(c->message), "%s", iffa_error_last());
		}
		pthread_cond_broadcast(&c->ready);
		pthread_mutex_unlock(&c->lock);
	}
	iffa_db_free(db);
	return NULL;
}

static int reader_count(const iffa_ingest_options *o)
{
	long cpus;

	if (o->readers > 0)
		return o->readers > 16 ? 16 : o->readers;
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	return cpus < 1 ? 1 : cpus > 4 ? 4 : (int)cpus;
}

/*
 * Start reading the transfers with `readers` connections when the table has
 * several partitions (c->started > 0 then); otherwise leave them to the main
 * connection. Called right after the rates: the readers stream while the
 * main connection reads the vertices.
 */
static int crew_start(crew *c, const ingest *in)
{
	int nreaders = reader_count(in->opts), error = 0;
	PGresult *res = NULL;

	memset(c, 0, sizeof(*c));
	c->in = in;
	if (nreaders < 2)
		return 0;
	if ((error = iffa_db__query(&res, in->db, "listing transfer partitions",
				    "SELECT quote_ident(c.relname) FROM pg_inherits i "
				    "JOIN pg_class c ON c.oid = i.inhrelid "
				    "WHERE i.inhparent = 'transfer'::regclass ORDER BY c.relname",
				    0, NULL)) < 0)
		goto done;
	if (PQntuples(res) < 2)
		goto done;
	c->nparts = (size_t)PQntuples(res);
	if ((size_t)nreaders > c->nparts)
		nreaders = (int)c->nparts;
	c->parts = calloc(c->nparts, sizeof(*c->parts));
	c->readers = calloc((size_t)nreaders, sizeof(*c->readers));
	if (!c->parts || !c->readers) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < c->nparts; i++) {
		if (!(c->parts[i].name = strdup(PQgetvalue(res, (int)i, 0)))) {
			error = iffa_error_set(IFFA_ENOMEM, "out of memory");
			goto done;
		}
	}
	PQclear(res);
	if ((error = iffa_db__query(&res, in->db, "exporting the ingest snapshot",
				    "SELECT pg_export_snapshot(), current_setting('statement_timeout')",
				    0, NULL)) < 0)
		goto done;
	if (!(c->snapshot = strdup(PQgetvalue(res, 0, 0))) ||
	    !(c->timeout = strdup(PQgetvalue(res, 0, 1)))) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	/* The id is the server's (hex digits and dashes); check before quoting it into SET. */
	if (strspn(c->snapshot, "0123456789ABCDEFabcdef-") != strlen(c->snapshot)) {
		error = iffa_error_set(IFFA_EDB, "unexpected snapshot id from the server");
		goto done;
	}
	if (pthread_mutex_init(&c->lock, NULL) != 0)
		goto nosync;
	if (pthread_cond_init(&c->ready, NULL) != 0) {
		pthread_mutex_destroy(&c->lock);
		goto nosync;
	}
	c->have_sync = 1;
	atomic_init(&c->stop, 0);
	c->nreaders = nreaders;
	for (int k = 0; k < nreaders; k++) {
		reader *rd = &c->readers[k];

		rd->c = c;
		rd->first = (size_t)k;
		rd->step = (size_t)nreaders;
		if ((error = iffa_fx__copy(&rd->fx, &in->fx)) < 0)
			goto done;
		if (pthread_create(&rd->thread, NULL, reader_main, rd) != 0) {
			iffa_fx__dispose_copy(&rd->fx);
			error = iffa_error_set(IFFA_ERROR, "cannot start a reader thread");
			goto done;
		}
		c->started++;
	}
	goto done;
nosync:
	error = iffa_error_set(IFFA_ERROR, "cannot set up the reader threads");
done:
	PQclear(res);
	return error;
}

/*
 * Append the readers' rows to the graph in partition order, each partition
 * as soon as it is read, whichever reader finished first, and free it: the
 * graph does not depend on the readers' timing, and rows wait in memory
 * only while the main thread is behind.
 */
static int crew_consume(crew *c, ingest *in)
{
	size_t rows = 0;
	int error = 0;

	for (size_t i = 0; i < c->nparts && error == 0; i++) {
		partition *p = &c->parts[i];

		pthread_mutex_lock(&c->lock);
		while (!p->done && !c->failed)
			pthread_cond_wait(&c->ready, &c->lock);
		if (!p->done)
			c->failed_seen = 1;
		pthread_mutex_unlock(&c->lock);
		if (c->failed_seen)
			return -1; /* the reader's error is reported by crew_finish() */
		for (size_t j = 0; j < p->n && error == 0; j++)
			error = add_transfer(in, &p->rows[j]);
		rows += p->n;
		free(p->rows);
		p->rows = NULL;
		p->n = p->cap = 0;
	}
	if (error == 0 && in->opts->progress)
		fprintf(in->opts->progress, "iffa: ingest: transfer: %zu rows, done\n", rows);
	return error;
}

/*
 * Stop (when `error` is set) and join the readers, free what they share;
 * returns `error`, or the first reader's error when the main thread stopped
 * because of it (or had none).
 */
static int crew_finish(crew *c, int error)
{
	if (c->started > 0 && error < 0)
		atomic_store(&c->stop, 1);
	for (int k = 0; k < c->started; k++) {
		pthread_join(c->readers[k].thread, NULL);
		iffa_fx__dispose_copy(&c->readers[k].fx);
	}
	if (c->failed && (error == 0 || c->failed_seen))
		error = iffa_error_set(c->error, "%s", c->message);
	if (c->have_sync) {
		pthread_cond_destroy(&c->ready);
		pthread_mutex_destroy(&c->lock);
	}
	for (size_t i = 0; c->parts && i < c->nparts; i++) {
		free(c->parts[i].name);
		free(c->parts[i].rows);
	}
	free(c->parts);
	free(c->readers);
	free(c->snapshot);
	free(c->timeout);
	memset(c, 0, sizeof(*c));
	return error;
}

/* "<select> WHERE <col> in window" for a party-record kind. */
static int party_flow_sql(char **out, const char *select, const char *glue,
			  const char *time_col, const iffa_ingest_options *o, const char *order)
{
	sqlbuf b = {NULL, 0, 0, 0};
	int error;

	sql_add(&b, "%s", select);
	if ((error = add_window(&b, o, time_col, &glue)) < 0) {
		free(b.s);
		return error;
	}
	if (order)
		sql_add(&b, " ORDER BY %s", order);
	return sql_done(out, &b);
}

static int read_party_flows(ingest *in, iffa_record_kind kind)
{
	static const struct {
		const char *select, *glue, *time_col, *order;
	} q[IFFA_KIND_COUNT] = {
		[IFFA_KIND_RANSOM] = {ransom_sql, " AND ", "r.paid_at", "r.id, h.seq"},
		[IFFA_KIND_GOLD] = {gold_sql, " WHERE ", "traded_at", NULL},
		[IFFA_KIND_LEVY] = {levy_sql, " WHERE ", "levied_at", NULL},
	};
	char *sql = NULL;
	int error;

	if (!(in->opts->kinds & (1u << kind)) || !(in->opts->channels & (1u << IFFA_CHANNEL_NONE)))
		return 0;
	if ((error = party_flow_sql(&sql, q[kind].select, q[kind].glue, q[kind].time_col,
				    in->opts, q[kind].order)) < 0)
		return error;
	in->kind = kind;
	error = copy_stream(in, iffa_record_kind_name(kind), sql, party_flow_columns, 7,
			    on_party_flow);
	free(sql);
	return error;
}

int iffa_ingest(iffa_flowgraph **out, iffa_db *db, const iffa_ingest_options *opts)
{
	const iffa_ingest_options defaults = IFFA_INGEST_OPTIONS_INIT;
	ingest in;
	crew readers;
	PGconn *conn = iffa_db_conn(db);
	char *sql = NULL;
	int error, in_tx = 0, transfers;

	*out = NULL;
	memset(&in, 0, sizeof(in));
	memset(&readers, 0, sizeof(readers));
	in.db = db;
	in.opts = opts ? opts : &defaults;
	iffa_fx__init(&in.fx);
	if ((error = check_options(in.opts)) < 0)
		goto done;
	if (PQtransactionStatus(conn) != PQTRANS_IDLE) {
		error = iffa_error_set(IFFA_EINVAL, "ingest needs a connection outside any transaction");
		goto done;
	}
	if ((error = iffa_flowgraph__new(&in.g, in.opts->level, !in.opts->keep_parallel)) < 0)
		goto done;
	in.g->from = in.opts->from;
	in.g->to = in.opts->to;
	transfers = (in.opts->kinds & (1u << IFFA_KIND_TRANSFER)) &&
		    (in.opts->channels & IFFA_CHANNEL_ALL & ~(1u << IFFA_CHANNEL_NONE));

	if ((error = iffa_db__exec(db, "starting the ingest transaction",
				   "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL)) < 0)
		goto done;
	in_tx = 1;
	/*
	 * Rates first: the transfer readers convert amounts as they decode, and
	 * start before the vertices so that the server streams transfers while
	 * the main connection reads the vertices and aliases.
	 */
	if ((error = copy_stream(&in, "fx_rate", fx_sql, fx_columns, 3, on_fx)) < 0)
		goto done;
	if (transfers && (error = crew_start(&readers, &in)) < 0)
		goto done;
	if ((error = read_vertices(&in)) < 0 || (error = iffa_flowgraph__vertices_done(in.g)) < 0)
		goto done;
	if (readers.started > 0)
		error = crew_consume(&readers, &in);
	else if (transfers && (error = iffa_ingest_transfer_sql(&sql, in.opts)) == 0)
		error = copy_stream(&in, "transfer", sql, transfer_columns, 7, on_transfer);
	if ((error = crew_finish(&readers, error)) < 0)
		goto done;
	if ((error = read_party_flows(&in, IFFA_KIND_RANSOM)) < 0 ||
	    (error = read_party_flows(&in, IFFA_KIND_GOLD)) < 0 ||
	    (error = read_party_flows(&in, IFFA_KIND_LEVY)) < 0)
		goto done;
	if (!in.opts->keep_snapshot) {
		in_tx = 0;
		if ((error = iffa_db__exec(db, "ending the ingest transaction", "COMMIT", 0,
					   NULL)) < 0)
			goto done;
	}
	if ((error = iffa_flowgraph__finish(in.g)) < 0)
		goto done;
	in_tx = 0; /* kept open for the caller */
	*out = in.g;
	in.g = NULL;
done:
	/*
	 * Keep the first error's message; the rollback's is of no interest. A
	 * cancel sent to stop a COPY can in principle land on the first
	 * ROLLBACK, hence the second try: the connection must not stay in a
	 * transaction. The readers stop first (they hold no transaction of ours).
	 */
	error = crew_finish(&readers, error);
	for (int tries = 0; in_tx && tries < 2 && PQtransactionStatus(conn) != PQTRANS_IDLE; tries++)
		PQclear(PQexec(conn, "ROLLBACK"));
	free(sql);
	iffa_fx__dispose(&in.fx);
	iffa_flowgraph_free(in.g);
	return error;
}
