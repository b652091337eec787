/*
 * iffa/ingest.h: read the records in PostgreSQL into a flow graph.
 *
 * Everything is read in one REPEATABLE READ READ ONLY transaction (one
 * snapshot), edges through binary COPY. Amounts are converted to XOF with
 * the fx_rate table. docs/ARCHITECTURE.md ("Flow graph and ingest") has the
 * details.
 */
#ifndef IFFA_INGEST_H
#define IFFA_INGEST_H

#include <stdio.h>

#include "iffa/db.h"
#include "iffa/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What to read. Start from IFFA_INGEST_OPTIONS_INIT and change fields. */
typedef struct {
	iffa_level level;   /**< accounts or parties as vertices */
	int64_t from;       /**< records at or after this UTC µs; IFFA_TIME_MIN for no bound */
	int64_t to;         /**< records before this UTC µs; IFFA_TIME_MAX for no bound */
	unsigned channels;  /**< bits 1u << iffa_channel; IFFA_CHANNEL_NONE selects the
			         records that carry no channel (ransom, gold, levy) */
	unsigned kinds;     /**< bits 1u << iffa_record_kind */
	int keep_parallel;  /**< 0: merge flows with the same (source, target, channel,
			         kind) into one edge; 1: one edge per flow */
	FILE *progress;     /**< when not NULL, a line every million rows read and
			         one at the end of each stream */
	int readers;        /**< connections reading transfer partitions at once, all in
			         the ingest's one snapshot (exported with
			         pg_export_snapshot); 1 reads them on the main connection;
			         0 chooses min(4, online processors) */
	int keep_snapshot;  /**< 1: on success the ingest's REPEATABLE READ READ ONLY
			         transaction stays open on `db`, so that what the caller
			         reads next sees the same snapshot as the graph; the caller
			         ends it (COMMIT). 0: the ingest ends it */
} iffa_ingest_options;

#define IFFA_INGEST_OPTIONS_INIT \
	{IFFA_LEVEL_ACCOUNT, IFFA_TIME_MIN, IFFA_TIME_MAX, IFFA_CHANNEL_ALL, IFFA_KIND_ALL, 0, NULL, 0, 0}

/**
 * Read the flow graph.
 *
 * @param out   receives the graph; free with iffa_flowgraph_free()
 * @param db    a connection outside any transaction; left outside one
 *              (but see keep_snapshot)
 * @param opts  what to read; NULL for IFFA_INGEST_OPTIONS_INIT
 * @return 0; IFFA_EINVAL for bad options or data the ingest refuses (a
 *         missing fx rate names the currency and date); IFFA_EDB when the
 *         server fails (message with SQLSTATE); IFFA_ENOMEM
 */
int iffa_ingest(iffa_flowgraph **out, iffa_db *db, const iffa_ingest_options *opts);

/**
 * The SELECT iffa_ingest() streams transfers with, as plain SQL anyone can
 * run: `psql -c "COPY (<it>) TO STDOUT (FORMAT binary)"` gives the bytes
 * the ingest decodes. Window bounds and channels appear as literals iffa
 * wrote from the typed options.
 *
 * @param out  receives a NUL-terminated string; free with free()
 * @return 0, IFFA_EINVAL (window outside years 1 to 9999) or IFFA_ENOMEM
 */
int iffa_ingest_transfer_sql(char **out, const iffa_ingest_options *opts);

#ifdef __cplusplus
}
#endif
#endif
