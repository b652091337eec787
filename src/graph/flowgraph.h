/*
 * The flow graph's layout, for code inside the library (the ingest, the
 * analysis passes) that reads the attribute arrays directly, and the
 * builder the ingest and the tests fill a graph with.
 *
 * A graph is built in three steps: iffa_flowgraph__new(), vertices with
 * iffa_flowgraph__add_vertex() (and aliases), flows with
 * iffa_flowgraph__add_flow(), then iffa_flowgraph__finish() orders the
 * edges by (source, target, channel, kind), merges parallel flows when
 * asked, makes the igraph_t from that order and the time-ordered
 * index. Until finish, only the builder functions may be
 * used, and edge ids are not final.
 */
#ifndef IFFA_SRC_GRAPH_FLOWGRAPH_H
#define IFFA_SRC_GRAPH_FLOWGRAPH_H

#include "iffa/common.h"
#include "iffa/graph.h"
#include "graph/keymap.h"

struct iffa_flowgraph {
	igraph_t graph;            /* directed; ids index the arrays below */
	int has_graph;             /* graph initialised (after finish) */
	iffa_level level;
	int aggregated;            /* parallel flows merged */
	int64_t from, to;          /* window read, UTC µs, [from, to) */

	/* Vertices: nv of them, nvcap allocated. */
	igraph_integer_t nv, nvcap;
	int64_t *vkey;             /* IFFA_KEY_ACCOUNT(id) or IFFA_KEY_PARTY(id) */
	int64_t *vparty;           /* owning party id, or own id for a party; -1 */
	char (*vcountry)[3];       /* ISO alpha-2 and NUL; "" unknown */
	uint8_t *vkind;            /* iffa_account_kind or iffa_party_kind */
	uint8_t *vflags;           /* IFFA_VERTEX_* */
	iffa_keymap keys;          /* database key -> vertex id, own keys and aliases */

	/* Edges: ne of them, necap allocated. */
	igraph_integer_t ne, necap;
	igraph_integer_t *ends;    /* builder only: source, target of each edge */
	double *eamount;           /* XOF */
	uint32_t *eflows;          /* flows merged into the edge (at most 2^32 - 1: a
				      count that would pass it stays there) */
	int64_t *efirst, *elast;   /* UTC µs */
	int64_t *erecord;          /* source row id; -1 when several */
	uint8_t *echannel;         /* iffa_channel */
	uint8_t *ekind;            /* iffa_record_kind */
	uint32_t *by_time;         /* edge ids by efirst, ties by id (4 bytes: finish
				      refuses 2^32 edges) */
	igraph_integer_t compacted; /* builder only: edges after the last merge */
	igraph_integer_t compact_min; /* builder only: no merge before this many flows */

	int64_t records[IFFA_KIND_COUNT];   /* source records read */
	double record_amount[IFFA_KIND_COUNT]; /* their XOF, once each */
};

/** What a vertex is made of. */
typedef struct {
	int64_t key;       /* IFFA_KEY_ACCOUNT(id) or IFFA_KEY_PARTY(id) */
	int kind;          /* iffa_account_kind or iffa_party_kind */
	const char *country; /* two upper-case letters, or NULL / "" for unknown */
	int64_t party;     /* owning party id, own id for a party, -1 */
	unsigned flags;    /* IFFA_VERTEX_* */
} iffa_flowgraph__vertex;

/**
 * Start an empty graph.
 * @param aggregate  merge flows with equal (source, target, channel, kind)
 * @return 0 or IFFA_ENOMEM
 */
int iffa_flowgraph__new(iffa_flowgraph **out, iffa_level level, int aggregate);

/**
 * Add a vertex; its id is the number of vertices before it.
 * @param out  receives the vertex id; may be NULL
 * @return 0, IFFA_EINVAL (key already present, bad country or kind), IFFA_ENOMEM
 */
int iffa_flowgraph__add_vertex(igraph_integer_t *out, iffa_flowgraph *g,
			       const iffa_flowgraph__vertex *v);

/**
 * Make `key` find the vertex of `target_key` (an account at party level
 * stands for its owner, a party at account level for its primary account).
 * @return 0, IFFA_ENOTFOUND (no vertex `target_key`), IFFA_EINVAL (key
 *         already present), IFFA_ENOMEM
 */
int iffa_flowgraph__alias(iffa_flowgraph *g, int64_t key, int64_t target_key);

/**
 * Say that every vertex and alias is in: key lookups then read a plain
 * array when the keys allow (iffa_keymap__freeze). Optional; call it
 * before adding many flows. @return 0 or IFFA_ENOMEM
 */
int iffa_flowgraph__vertices_done(iffa_flowgraph *g);

/** Vertex for `key` (own or alias), or -1. O(1). */
static inline igraph_integer_t iffa_flowgraph__lookup(const iffa_flowgraph *g, int64_t key)
{
	return iffa_keymap__get(&g->keys, key);
}

/**
 * Add one flow from vertex `src` to vertex `dst`. When aggregating, flows
 * of the same (src, dst, channel, kind) end up as one edge (amount summed,
 * flows counted, first/last widened, record set to -1) by finish.
 * Amortised O(1), no allocation but the arrays' doubling.
 * @return 0, IFFA_EINVAL (bad ids or codes), IFFA_ENOMEM
 */
int iffa_flowgraph__add_flow(iffa_flowgraph *g, igraph_integer_t src, igraph_integer_t dst,
			     double amount, int64_t time, iffa_channel channel,
			     iffa_record_kind kind, int64_t record);

/** Count a source record of `kind` worth `amount` XOF (once per record). */
void iffa_flowgraph__count_record(iffa_flowgraph *g, iffa_record_kind kind, double amount);

/**
 * Order the edges by (source, target, channel, kind), keeping the order
 * they were added among equal keys, and merge equal keys when aggregating;
 * build the igraph_t from that order (as igraph_create() would: same
 * fields, same incidence order) and the time-ordered index.
 * Time complexity: O(|V| + |E|).
 * @return 0, IFFA_ENOMEM or IFFA_ERROR (igraph)
 */
int iffa_flowgraph__finish(iffa_flowgraph *g);

/**
 * Turn an igraph failure into an iffa error: `what` is prefixed to the
 * message the error handler installed by iffa_init() recorded.
 * @return IFFA_ENOMEM or IFFA_ERROR
 */
int iffa_flowgraph__igraph_fail(igraph_error_t err, const char *what);

/**
 * The edges leaving vertex v, `*n` of them, in the order
 * igraph_incident(IGRAPH_OUT) gives them: igraph's own out-index of the
 * graph, borrowed (what igraph_incident copies out for a directed graph).
 * No igraph call, so a pass on another thread than igraph's may use it.
 * O(1).
 */
const igraph_integer_t *iffa_flowgraph__out_edges(const iffa_flowgraph *g, igraph_integer_t v,
						  igraph_integer_t *n);

/**
 * The edges reaching vertex v, `*n` of them, in the order
 * igraph_incident(IGRAPH_IN) gives them: igraph's own in-index, borrowed,
 * as iffa_flowgraph__out_edges. O(1).
 */
const igraph_integer_t *iffa_flowgraph__in_edges(const iffa_flowgraph *g, igraph_integer_t v,
						 igraph_integer_t *n);

/**
 * The edges at vertex v, leaving or reaching it, written to `out` in the
 * order igraph_inclist_init(IGRAPH_ALL, IGRAPH_LOOPS_ONCE) lists them:
 * igraph's out- and in-index merged by the other end, as igraph does,
 * without a list per vertex (an incidence list of the whole graph is 16
 * bytes an edge and one allocation a vertex). `out` holds at least
 * v's out-degree plus in-degree (iffa_flowgraph__max_degree()). No igraph
 * call. @return how many were written. O(degree).
 */
igraph_integer_t iffa_flowgraph__all_edges(const iffa_flowgraph *g, igraph_integer_t v,
					   igraph_integer_t *out);

/** The largest out-degree plus in-degree of a vertex (loops counted twice). O(|V|). */
igraph_integer_t iffa_flowgraph__max_degree(const iffa_flowgraph *g);

/**
 * A read-only view of the graph with every edge reversed, sharing the
 * graph's memory: what igraph_reverse_edges() makes of all edges in place
 * (it swaps the two ends' index vectors, edge ids unchanged), without
 * copying the graph first (on 10M transfers the copy is about 200 MB).
 * For igraph functions that only read the graph and take no mode argument
 * (personalised PageRank). Valid while `g` is; never destroy it, never
 * modify the graph through it. Properties igraph caches for the graph
 * (loops, multi-edges, connectivity, acyclicity) are the same reversed.
 */
void iffa_flowgraph__reversed_view(igraph_t *out, const iffa_flowgraph *g);

/** Days since 1970-01-01 of civil date y-m-d (proleptic Gregorian), and back. */
int64_t iffa_flowgraph__days_from_civil(int64_t y, unsigned m, unsigned d);
void iffa_flowgraph__civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

#endif
