/*
 * iffa/graph.h: the flow graph, the network every analysis pass reads.
 *
 * Vertices are accounts or parties (the level chosen at ingest); edges are
 * money flows. The graph is a directed igraph_t whose vertex and edge ids
 * index the attributes below, plus a time-ordered edge index and a map from
 * database key to vertex. docs/ARCHITECTURE.md ("Flow graph and ingest")
 * says which record becomes which edge.
 *
 * Units: amounts are XOF (double); times are int64 microseconds since
 * 1970-01-01 00:00:00 UTC ("UTC µs" below).
 *
 * Vertex ids follow database keys in increasing order; edge ids follow
 * (source, target, channel, kind), then the order the flows were read.
 * Accessors taking a vertex id `v` or edge id `e` do not check it: it must
 * be below iffa_flowgraph_vertex_count() or iffa_flowgraph_edge_count().
 */
#ifndef IFFA_GRAPH_H
#define IFFA_GRAPH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <igraph.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A flow graph (opaque). Made by iffa_ingest(); free with iffa_flowgraph_free(). */
typedef struct iffa_flowgraph iffa_flowgraph;

/** What a vertex stands for. */
typedef enum {
	IFFA_LEVEL_ACCOUNT = 0, /**< one vertex per account (parties without one get their own) */
	IFFA_LEVEL_PARTY = 1    /**< one vertex per party (accounts without one get their own) */
} iffa_level;

/**
 * Database keys: one number for an account or a party, so that both fit one
 * map. Accounts are even, parties odd.
 */
#define IFFA_KEY_ACCOUNT(id) (2 * (int64_t)(id))
#define IFFA_KEY_PARTY(id) (2 * (int64_t)(id) + 1)

/** Unbounded ends of a time window. */
#define IFFA_TIME_MIN INT64_MIN
#define IFFA_TIME_MAX INT64_MAX

/** How money moved (transfer.channel); records without one have NONE. */
typedef enum {
	IFFA_CHANNEL_BANK = 0,
	IFFA_CHANNEL_MOBILE_MONEY,
	IFFA_CHANNEL_HAWALA,
	IFFA_CHANNEL_CASH,
	IFFA_CHANNEL_CRYPTO,
	IFFA_CHANNEL_NONE, /**< ransom, gold and levy records carry no channel */
	IFFA_CHANNEL_COUNT
} iffa_channel;

#define IFFA_CHANNEL_ALL ((1u << IFFA_CHANNEL_COUNT) - 1)

/** Which table an edge comes from. */
typedef enum {
	IFFA_KIND_TRANSFER = 0,
	IFFA_KIND_RANSOM,
	IFFA_KIND_GOLD,
	IFFA_KIND_LEVY,
	IFFA_KIND_COUNT
} iffa_record_kind;

#define IFFA_KIND_ALL ((1u << IFFA_KIND_COUNT) - 1)

/** account.kind, the kind code of an account vertex. */
typedef enum {
	IFFA_ACCOUNT_BANK = 0,
	IFFA_ACCOUNT_MOBILE_MONEY,
	IFFA_ACCOUNT_HAWALA,
	IFFA_ACCOUNT_CRYPTO,
	IFFA_ACCOUNT_CASH,
	IFFA_ACCOUNT_KIND_COUNT
} iffa_account_kind;

/** party.kind, the kind code of a party vertex. */
typedef enum {
	IFFA_PARTY_PERSON = 0,
	IFFA_PARTY_ORGANISATION,
	IFFA_PARTY_COMPANY,
	IFFA_PARTY_ARMED_GROUP,
	IFFA_PARTY_VILLAGE,
	IFFA_PARTY_MINE_SITE,
	IFFA_PARTY_COLLECTOR,
	IFFA_PARTY_COMPTOIR,
	IFFA_PARTY_EXPORTER,
	IFFA_PARTY_REFINERY,
	IFFA_PARTY_KIND_COUNT
} iffa_party_kind;

/** Vertex flags. An account vertex carries the flags of the party owning it. */
enum {
	IFFA_VERTEX_ARMED_GROUP = 1 << 0,   /**< the party is of kind armed_group */
	IFFA_VERTEX_DESIGNATED = 1 << 1,    /**< a designation row is linked to the party */
	IFFA_VERTEX_AFFECTED_ZONE = 1 << 2, /**< the party's (country, region) is an affected_zone */
	IFFA_VERTEX_PRIMARY = 1 << 3        /**< account level: this account also carries its
					         party's ransom, gold and levy flows */
};

/** Names as the schema spells them ("mobile_money", "gold"...); NULL when out of range. */
const char *iffa_channel_name(iffa_channel c);
const char *iffa_record_kind_name(iffa_record_kind k);
const char *iffa_account_kind_name(iffa_account_kind k);
const char *iffa_party_kind_name(iffa_party_kind k);

/**
 * Parse a name of `len` bytes as the schema spells it ("none" names
 * IFFA_CHANNEL_NONE; "gold" the gold_lot table).
 * @return 0, or IFFA_EINVAL naming the unknown word
 */
int iffa_channel_parse(iffa_channel *out, const char *name, size_t len);
int iffa_record_kind_parse(iffa_record_kind *out, const char *name, size_t len);
int iffa_account_kind_parse(iffa_account_kind *out, const char *name, size_t len);
int iffa_party_kind_parse(iffa_party_kind *out, const char *name, size_t len);

/**
 * Parse a UTC time: `YYYY-MM-DD` (midnight UTC) or
 * `YYYY-MM-DD[T ]HH:MM[:SS[.ffffff]]` followed by `Z` or `±HH:MM`. Years 1 to 9999.
 * @param out  receives UTC µs
 * @return 0 or IFFA_EINVAL naming the text
 */
int iffa_flowgraph_time_parse(int64_t *out, const char *text);

/**
 * Write `t` (UTC µs) as `YYYY-MM-DDTHH:MM:SSZ`, with `.ffffff` when the
 * microseconds are not zero. Needs at most 28 bytes with the NUL.
 * @return 0, or IFFA_EINVAL when `t` is outside years 1 to 9999 or `size`
 *         is too small
 */
int iffa_flowgraph_time_format(char *out, size_t size, int64_t t);

/** Free a flow graph and everything it owns. Accepts NULL. */
void iffa_flowgraph_free(iffa_flowgraph *g);

/**
 * The igraph graph (directed), borrowed from `g`. Run igraph algorithms on
 * it; do not add or delete vertices or edges, the attributes would no
 * longer line up.
 */
const igraph_t *iffa_flowgraph_igraph(const iffa_flowgraph *g);

/** Level of the vertices. */
iffa_level iffa_flowgraph_level(const iffa_flowgraph *g);

/** 1 when parallel flows were merged into one edge per (source, target, channel, kind). */
int iffa_flowgraph_aggregated(const iffa_flowgraph *g);

/** Time window the graph was read with, UTC µs, [from, to); IFFA_TIME_MIN/MAX when open. */
void iffa_flowgraph_window(const iffa_flowgraph *g, int64_t *from, int64_t *to);

igraph_integer_t iffa_flowgraph_vertex_count(const iffa_flowgraph *g);
igraph_integer_t iffa_flowgraph_edge_count(const iffa_flowgraph *g);

/**
 * Source records read per kind: a transfer, a ransom, a gold lot or a levy
 * counts once, however many edges it became (a ransom carried through k
 * intermediaries is k + 1 flows).
 */
int64_t iffa_flowgraph_record_count(const iffa_flowgraph *g, iffa_record_kind k);

/** XOF of those records, each counted once. */
double iffa_flowgraph_record_amount(const iffa_flowgraph *g, iffa_record_kind k);

/* Vertex attributes. */

/** Database key of the vertex: IFFA_KEY_ACCOUNT(id) or IFFA_KEY_PARTY(id). */
int64_t iffa_flowgraph_vertex_key(const iffa_flowgraph *g, igraph_integer_t v);

/** 1 when the vertex is a party, 0 when an account. */
int iffa_flowgraph_vertex_is_party(const iffa_flowgraph *g, igraph_integer_t v);

/** account.id or party.id of the vertex. */
int64_t iffa_flowgraph_vertex_db_id(const iffa_flowgraph *g, igraph_integer_t v);

/** iffa_account_kind or iffa_party_kind, after iffa_flowgraph_vertex_is_party(). */
int iffa_flowgraph_vertex_kind(const iffa_flowgraph *g, igraph_integer_t v);

/**
 * ISO 3166-1 alpha-2 country, "" when unknown; borrowed from `g`. An
 * account's country is account.country; a party's is party.country, or at
 * party level its lowest account's country when the party has none.
 */
const char *iffa_flowgraph_vertex_country(const iffa_flowgraph *g, igraph_integer_t v);

/** Owning party of an account vertex, the party itself for a party vertex; -1 for none. */
int64_t iffa_flowgraph_vertex_party(const iffa_flowgraph *g, igraph_integer_t v);

/** IFFA_VERTEX_* bits. */
unsigned iffa_flowgraph_vertex_flags(const iffa_flowgraph *g, igraph_integer_t v);

/**
 * The vertex that stands for a database key at the graph's level, in O(1):
 * an account at party level maps to its owner's vertex, a party at account
 * level to its primary (lowest-id) account's vertex.
 * @return 0, or IFFA_ENOTFOUND when no account or party has that key
 */
int iffa_flowgraph_find_vertex(igraph_integer_t *out, const iffa_flowgraph *g, int64_t key);

/* Edge attributes. Endpoints come from igraph (IGRAPH_FROM, IGRAPH_TO, igraph_edge). */

/** XOF carried by the edge. */
double iffa_flowgraph_edge_amount(const iffa_flowgraph *g, igraph_integer_t e);

/** Flows merged into the edge (1 when parallel flows are kept). */
int64_t iffa_flowgraph_edge_flows(const iffa_flowgraph *g, igraph_integer_t e);

/** Earliest and latest flow time of the edge, UTC µs. */
int64_t iffa_flowgraph_edge_first(const iffa_flowgraph *g, igraph_integer_t e);
int64_t iffa_flowgraph_edge_last(const iffa_flowgraph *g, igraph_integer_t e);

iffa_channel iffa_flowgraph_edge_channel(const iffa_flowgraph *g, igraph_integer_t e);
iffa_record_kind iffa_flowgraph_edge_kind(const iffa_flowgraph *g, igraph_integer_t e);

/**
 * id of the source row (transfer.id, ransom.id, gold_lot.id, levy.id) when
 * the edge holds one flow; -1 when it merges several.
 */
int64_t iffa_flowgraph_edge_record(const iffa_flowgraph *g, igraph_integer_t e);

/**
 * Edge ids ordered by first time (ties by edge id): iffa_flowgraph_edge_count()
 * entries, borrowed from `g`, 4 bytes each (a flow graph holds fewer than
 * 2^32 edges). Time-respecting walks start here.
 */
const uint32_t *iffa_flowgraph_edges_by_time(const iffa_flowgraph *g);

/* Summary. */

/** Amount and counts of one slice of the graph. */
typedef struct {
	int64_t edges;  /**< edges in the slice */
	int64_t flows;  /**< flows merged into them */
	double amount;  /**< XOF along those edges */
} iffa_summary_total;

/** Money between two countries (source vertex's country, target vertex's). */
typedef struct {
	char from[3];           /**< ISO code, "" unknown */
	char to[3];
	int cross_border;       /**< both known and different */
	iffa_summary_total total;
} iffa_summary_corridor;

/** One weakly connected component. */
typedef struct {
	int64_t vertices;
	int64_t edges;
	double amount;          /**< XOF on the edges inside it */
} iffa_summary_component;

/** What `iffa summary` prints. Fill with iffa_summary_compute(). */
typedef struct {
	iffa_level level;
	int aggregated;
	int64_t from, to;                              /**< window, UTC µs */
	int64_t vertices;
	iffa_summary_total all;
	int64_t records[IFFA_KIND_COUNT];              /**< source records per kind */
	double record_amount[IFFA_KIND_COUNT];         /**< XOF per kind, each record once */
	iffa_summary_total by_channel[IFFA_CHANNEL_COUNT];
	iffa_summary_total by_kind[IFFA_KIND_COUNT];
	iffa_summary_corridor *corridors;              /**< top ones by amount, descending */
	size_t ncorridors;
	size_t corridors_seen;                         /**< distinct corridors in the graph */
	int64_t components;                            /**< weakly connected components */
	iffa_summary_component *largest;               /**< by vertices, descending */
	size_t nlargest;
} iffa_summary;

/**
 * Summarise `g`: totals, by channel, by kind, the `top` corridors by amount
 * and the `top` largest weakly connected components.
 * Time complexity: O(|V| + |E| + C log C) for C corridors and components.
 *
 * @param out  caller-owned; release with iffa_summary_dispose() (also after a failure)
 * @return 0, IFFA_ENOMEM or IFFA_ERROR (igraph)
 */
int iffa_summary_compute(iffa_summary *out, const iffa_flowgraph *g, size_t top);

/** Free what iffa_summary_compute() allocated. Accepts a zeroed struct. */
void iffa_summary_dispose(iffa_summary *s);

/** Write the summary for people (text) or programs (one JSON object and a newline). */
int iffa_summary_write_text(const iffa_summary *s, FILE *to);
int iffa_summary_write_json(const iffa_summary *s, FILE *to);

#ifdef __cplusplus
}
#endif
#endif
