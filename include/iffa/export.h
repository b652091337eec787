/*
 * iffa/export.h: case exports, the subgraph around a few subjects written
 * for the link-analysis tools FIUs already use.
 *
 * A case is read from the flow graph (iffa_ingest): the vertices within K
 * undirected hops of the subjects and every edge among them (the induced
 * subgraph), with the names, kinds, countries and channels of the accounts
 * and parties, the amounts (XOF), flow counts and first and last dates of
 * the edges, and the findings and scores of an analysis run touching each
 * vertex. Formats (docs/FORMATS.md, "Case exports"): GraphML (igraph's
 * writer), GEXF 1.2, Graphviz DOT, FollowTheMoney entities as JSON lines,
 * and CSV (nodes.csv and edges.csv in a directory).
 *
 * Text from the data never becomes markup, code or a formula: XML and DOT
 * escape it, control characters become spaces, CSV cells a spreadsheet
 * would evaluate are neutralised. Output paths come from the caller only.
 * Every file is written under a temporary name beside its final one and
 * renamed into place after the export is recorded in audit_log.
 */
#ifndef IFFA_EXPORT_H
#define IFFA_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "iffa/db.h"
#include "iffa/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Export formats. */
typedef enum {
	IFFA_CASE_GRAPHML = 0, /**< GraphML, written by igraph_write_graph_graphml */
	IFFA_CASE_GEXF,        /**< GEXF 1.2 (Gephi) */
	IFFA_CASE_DOT,         /**< Graphviz DOT */
	IFFA_CASE_FTM,         /**< FollowTheMoney entities, one JSON object a line */
	IFFA_CASE_CSV,         /**< a directory with nodes.csv and edges.csv */
	IFFA_CASE_FORMAT_COUNT
} iffa_case_format;

/** Name of a format ("graphml", ...); NULL when out of range. */
const char *iffa_case_format_name(iffa_case_format f);

/** Parse a format name. @return 0 or IFFA_EINVAL naming it */
int iffa_case_format_parse(iffa_case_format *out, const char *name);

/** Run to take findings from: the latest completed one whose data window
 * holds the export's window, else the latest completed one. */
#define IFFA_CASE_RUN_LATEST 0
/** No findings at all. */
#define IFFA_CASE_RUN_NONE (-1)

/** What to export. Start from IFFA_CASE_OPTIONS_INIT. */
typedef struct {
	iffa_level level; /**< accounts or parties as vertices */
	int hops;         /**< undirected hops around the subjects, 0 to 10 */
	int64_t from, to; /**< records in [from, to), UTC µs; IFFA_TIME_MIN/MAX open */
	int64_t run;      /**< analysis_run.id, IFFA_CASE_RUN_LATEST or IFFA_CASE_RUN_NONE */
} iffa_case_options;

#define IFFA_CASE_OPTIONS_INIT {IFFA_LEVEL_ACCOUNT, 1, IFFA_TIME_MIN, IFFA_TIME_MAX, \
				IFFA_CASE_RUN_LATEST}

/** What iffa_case_export() wrote. Caller-owned; nothing to free. */
typedef struct {
	size_t vertices;        /**< vertices in the case */
	size_t edges;           /**< edges among them */
	double amount;          /**< XOF on those edges */
	int64_t run;            /**< run whose findings were attached; 0 when none */
	size_t flagged;         /**< vertices touched by a finding of that run */
	size_t files;           /**< files written (2 for CSV) */
	unsigned long long bytes; /**< their total size */
	char sha256[65];        /**< SHA-256 of the file; for CSV, of the listing
				     "SHA256 SIZE NAME\n" of both files sorted by name */
	long long audit_id;     /**< audit_log.id of the record */
} iffa_case_export_result;

/**
 * Export the case around `subjects` (account or party references, as
 * loaded) to `path`: a file, or for IFFA_CASE_CSV a directory (created
 * when missing) receiving nodes.csv and edges.csv. A reference naming an
 * account is that account's vertex; one naming a party is the party's
 * vertex (at account level: its accounts').
 *
 * The output files are opened first (a path that cannot be written fails
 * before any database work); an existing path that is not a regular file
 * (a device such as /dev/full, a directory, a link) is refused. The export
 * is recorded in audit_log (command "case export": subjects, options,
 * each file's SHA-256) before the files are renamed into place; on any
 * failure no file is left.
 *
 * @param out        receives counts and digests
 * @param db         a connection outside any transaction
 * @param subjects   references, at least one
 * @param nsubjects  how many
 * @param path       where to write; never derived from data
 * @param opts       NULL for IFFA_CASE_OPTIONS_INIT
 * @return 0; IFFA_ENOTFOUND (a reference or the run does not exist);
 *         IFFA_EINVAL (bad options, path not a regular file); IFFA_EIO
 *         (the path named); IFFA_EDB; IFFA_ENOMEM
 */
int iffa_case_export(iffa_case_export_result *out, iffa_db *db, const char *const *subjects,
		     size_t nsubjects, iffa_case_format format, const char *path,
		     const iffa_case_options *opts);

#ifdef __cplusplus
}
#endif
#endif
