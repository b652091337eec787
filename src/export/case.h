/*
 * Internals of the export module: a case (the subgraph around some
 * vertices of a flow graph, with the names and findings read from the
 * database), the writers of each format, and the escaping they share. The
 * report (src/report) draws its cluster pictures from cases too.
 */
#ifndef IFFA_SRC_EXPORT_CASE_H
#define IFFA_SRC_EXPORT_CASE_H

#include <stddef.h>
#include <stdint.h>

#include "core/jsonbuf.h"
#include "iffa/common.h"
#include "iffa/db.h"
#include "iffa/export.h"
#include "iffa/graph.h"

/** One vertex of a case. Strings are owned by the case; "" when unknown. */
typedef struct {
	igraph_integer_t v;   /* vertex id in the flow graph */
	int is_party;         /* 1 party, 0 account */
	int64_t id;           /* account.id or party.id */
	int64_t party_id;     /* owning party (own id for a party), -1 */
	char *ref;            /* account.ref or party.ref */
	char *name;           /* the party's name (the owner's for an account) */
	const char *kind;     /* account or party kind (static) */
	char *party_ref;      /* owner's ref for an account; the ref for a party */
	char *party_kind;     /* owner's kind for an account; the kind for a party */
	char *institution;    /* account.institution */
	char country[3];      /* ISO alpha-2 */
	unsigned flags;       /* IFFA_VERTEX_* */
	int subject;          /* one of the subjects asked for */
	int hops;             /* undirected hops from the nearest subject */
	double score;         /* best score among the findings touching it */
	int nfindings;        /* findings of the run touching it */
	iffa_jsonbuf findings; /* "pass/kind score; ..." (at most 12 listed) */
	int64_t last_finding; /* building only: last finding id counted */
} iffa_case__vertex;

/** One edge: indexes into the case's vertices and the flow-graph edge's attributes. */
typedef struct {
	size_t from, to;
	igraph_integer_t e;   /* edge id in the flow graph */
	double amount;        /* XOF */
	int64_t flows, first, last, record;
	iffa_channel channel;
	iffa_record_kind kind;
} iffa_case__edge;

typedef struct {
	iffa_level level;
	int64_t run;          /* findings' run, 0 for none */
	int64_t from, to;     /* window of the graph, UTC µs */
	iffa_case__vertex *v; /* by flow-graph vertex id, increasing */
	size_t nv;
	iffa_case__edge *e;   /* by flow-graph edge id, increasing */
	size_t ne;
	double amount;        /* XOF on the edges */
	size_t flagged;       /* vertices with a finding */
} iffa_case__case;

/**
 * The case of the vertices within `hops` undirected hops of `seeds`
 * (igraph_neighborhood) and the edges among them, with names from the
 * database and the findings of `run` (0: none).
 * Time complexity: O(hops × neighbourhood + sum of degrees + rows).
 * @return 0, IFFA_EDB, IFFA_ENOMEM, IFFA_ERROR (igraph)
 */
int iffa_case__build(iffa_case__case *out, iffa_db *db, const iffa_flowgraph *g,
		     const igraph_integer_t *seeds, size_t nseeds, int hops, int64_t run);

/** Free what a case holds (also after a failed build). */
void iffa_case__dispose(iffa_case__case *c);

/** The run to use: `run` checked to exist and be completed; for
 * IFFA_CASE_RUN_LATEST the latest completed run whose data window holds
 * [from, to) (NULL bounds are open), else the latest completed one (0 when
 * there is none); 0 for IFFA_CASE_RUN_NONE. @return 0, IFFA_ENOTFOUND,
 * IFFA_EINVAL (not completed), IFFA_EDB */
int iffa_case__resolve_run(int64_t *out, iffa_db *db, int64_t run, int64_t from, int64_t to);

/* Writers: append the whole format to `b`. @return 0, IFFA_ENOMEM, IFFA_ERROR */
int iffa_case__write_graphml(iffa_jsonbuf *b, const iffa_case__case *c);
int iffa_case__write_gexf(iffa_jsonbuf *b, const iffa_case__case *c);
int iffa_case__write_dot(iffa_jsonbuf *b, const iffa_case__case *c);
int iffa_case__write_ftm(iffa_jsonbuf *b, const iffa_case__case *c);
int iffa_case__write_csv_nodes(iffa_jsonbuf *b, const iffa_case__case *c);
int iffa_case__write_csv_edges(iffa_jsonbuf *b, const iffa_case__case *c);

/* Escaping (escape.c). Control characters become spaces, bytes that are not
 * UTF-8 become U+FFFD, in every one of them. */

/** Text for XML/HTML/SVG content and attribute values: & < > " ' as entities. */
int iffa_case__xml(iffa_jsonbuf *b, const char *s);
/** Text inside a double-quoted DOT string: " and \ escaped. */
int iffa_case__dot(iffa_jsonbuf *b, const char *s);
/**
 * One CSV cell, always quoted (quotes doubled); a cell starting with = + - @
 * or a tab or CR is prefixed with ' so that a spreadsheet shows it as text.
 */
int iffa_case__csv(iffa_jsonbuf *b, const char *s);
/** Clean text (controls to spaces, bad bytes to U+FFFD), for writers that escape
 * themselves (igraph's GraphML writer). Free with free(). NULL on no memory. */
char *iffa_case__clean(const char *s);

/** Date of a UTC µs time as YYYY-MM-DD, and the full time (iffa_flowgraph_time_format). */
void iffa_case__date(char out[16], int64_t t);
void iffa_case__time(char out[32], int64_t t);

#endif
