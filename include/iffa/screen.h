/*
 * iffa/screen.h: counterparty screening against the imported sanctions
 * lists ("may I pay this counterparty?").
 *
 * A screener holds every name of every entry currently on the imported
 * lists in memory, indexed for fuzzy name matching fit for West African
 * and Arabic-derived names (method, threshold and measured recall and
 * false-positive rate in docs/SCREENING.md). Each counterparty gets a
 * verdict: match, possible match or clear, with the entries it resembles,
 * their list and reference, the score and the reason.
 *
 * Every screening is recorded in audit_log (who asked: OS user and
 * database role; when; the request; the verdict) before its result is
 * handed back; if the record cannot be written, the screening fails.
 * There is no option to turn this off.
 *
 * A screener keeps scratch space for the query it runs: use it from one
 * thread at a time (one screener per thread for parallel screening). It
 * sees the lists as they were when it was made.
 */
#ifndef IFFA_SCREEN_H
#define IFFA_SCREEN_H

#include <stddef.h>
#include <stdio.h>

#include "iffa/db.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A loaded screening index (opaque). */
typedef struct iffa_screener iffa_screener;

/** Verdict on one counterparty. */
typedef enum {
	IFFA_SCREEN_CLEAR = 0,    /**< nothing on the lists scores above "possible" */
	IFFA_SCREEN_POSSIBLE = 1, /**< a human must look: score in [possible, match) */
	IFFA_SCREEN_MATCH = 2     /**< score >= match threshold */
} iffa_screen_verdict;

/** Default thresholds of the final score (0..1); see docs/SCREENING.md. */
#define IFFA_SCREEN_MATCH_DEFAULT 0.88
#define IFFA_SCREEN_POSSIBLE_DEFAULT 0.72

/**
 * Graph-exposure hook (not implemented yet). When the flow-graph passes
 * exist, a screener will be able to report, for a counterparty tied to a
 * party of the graph, how many hops separate it from the nearest
 * designated party (designation.party_id, see the view designation_status
 * of sql/005_lists.sql). Until then the callback is NULL and every result
 * says "exposure not assessed"; nothing is guessed.
 *
 * @param payload  iffa_screen_options.exposure_payload
 * @param ref      the counterparty's reference (iffa_screen_request.ref), may be NULL
 * @param out_hops receives the number of hops, or -1 when unknown
 * @return 0 or an iffa error code (the screening then fails)
 */
typedef int (*iffa_screen_exposure_cb)(void *payload, const char *ref, int *out_hops);

/** Options of iffa_screener_new(). */
typedef struct {
	unsigned int version;        /**< IFFA_SCREEN_OPTIONS_VERSION */
	const char *list;            /**< screen against this list only; NULL: all lists */
	double match;                /**< match threshold, 0..1 */
	double possible;             /**< possible-match threshold, 0..1, <= match */
	int max_hits;                /**< entries reported per counterparty (1..20) */
	const char *os_user;         /**< who asks; NULL: the process's user */
	const char *requested_by;    /**< on whose behalf (e.g. an application's
					  user), recorded in audit_log; may be NULL */
	iffa_screen_exposure_cb exposure;  /**< see iffa_screen_exposure_cb; NULL */
	void *exposure_payload;
} iffa_screen_options;

#define IFFA_SCREEN_OPTIONS_VERSION 1
#define IFFA_SCREEN_OPTIONS_INIT {IFFA_SCREEN_OPTIONS_VERSION, NULL, \
		IFFA_SCREEN_MATCH_DEFAULT, IFFA_SCREEN_POSSIBLE_DEFAULT, 5, NULL, NULL, NULL, NULL}

/** One counterparty to screen. Strings are UTF-8 and borrowed. */
typedef struct {
	const char *name;    /**< required */
	const char *country; /**< ISO 3166-1 alpha-2 (nationality or residence), or NULL */
	const char *dob;     /**< date of birth YYYY, YYYY-MM or YYYY-MM-DD, or NULL */
	const char *ref;     /**< the caller's reference of the counterparty, or NULL */
} iffa_screen_request;

/** An entry a counterparty resembles. Strings belong to the result. */
typedef struct {
	iffa_screen_verdict verdict; /**< MATCH or POSSIBLE */
	double score;        /**< final score, 0..1 */
	double name_score;   /**< name similarity alone, before date of birth and country */
	const char *list;    /**< list name, e.g. "UN" */
	const char *reference;  /**< e.g. "QDi.316" */
	const char *entry_kind; /**< "individual", "entity", ... */
	const char *entry_name; /**< the entry's primary name */
	const char *matched_name; /**< the name or alias that matched */
	const char *listed_on;  /**< YYYY-MM-DD or NULL */
	long long entry_id;  /**< list_entry.id */
	const char *reason;  /**< tokens matched and adjustments, in words */
} iffa_screen_hit;

/** The outcome for one counterparty (caller-owned; iffa_screen_result_dispose). */
typedef struct {
	iffa_screen_verdict verdict; /**< of the best hit; CLEAR when none */
	size_t nhits;
	iffa_screen_hit *hits;       /**< best first */
	int exposure_hops;           /**< -1: not assessed (see iffa_screen_exposure_cb) */
	long long audit_id;          /**< audit_log.id of the record of this screening */
	char *strings;               /* storage of the hits' strings */
} iffa_screen_result;

/**
 * Load the entries currently on the imported lists into a screener.
 *
 * @param out   receives the screener; free with iffa_screener_free()
 * @param db    connection, kept (borrowed) for the audit records: it must
 *              outlive the screener
 * @param opts  options, or NULL for IFFA_SCREEN_OPTIONS_INIT
 * @return 0; IFFA_ENOTFOUND when no list (or not opts->list) is imported,
 *         since screening against nothing must not answer "clear";
 *         IFFA_EINVAL for bad options; IFFA_EDB
 */
int iffa_screener_new(iffa_screener **out, iffa_db *db, const iffa_screen_options *opts);

/** Free a screener. Accepts NULL. */
void iffa_screener_free(iffa_screener *s);

/** Entries and names held (names include aliases). */
size_t iffa_screener_entry_count(const iffa_screener *s);
size_t iffa_screener_name_count(const iffa_screener *s);

/**
 * Screen counterparties and record each request and verdict in audit_log
 * (one row per counterparty, written in one statement per call) before
 * returning. On failure no result is given.
 *
 * @param out   array of n results, filled; dispose each with
 *              iffa_screen_result_dispose() (also on failure: they are
 *              left empty)
 * @param reqs  n requests
 * @param n     at most 10,000 per call
 * @return 0; IFFA_EINVAL (a request without a name, a bad date of birth or
 *         country: the message names its position); IFFA_EDB (the audit
 *         record could not be written)
 */
int iffa_screener_screen(iffa_screen_result *out, iffa_screener *s,
			 const iffa_screen_request *reqs, size_t n);

/** Free what a result holds and empty it. Accepts an empty result. */
void iffa_screen_result_dispose(iffa_screen_result *r);

/** Output formats of iffa_screener_screen_file(). */
typedef enum {
	IFFA_SCREEN_OUT_CSV = 0, /**< one CSV row per counterparty, best hit */
	IFFA_SCREEN_OUT_JSONL    /**< one JSON object per counterparty, every hit */
} iffa_screen_output;

/** Counts of a file screening (caller-owned). */
typedef struct {
	size_t screened, match, possible, clear;
} iffa_screen_file_stats;

/**
 * Screen every counterparty of a CSV file and write one verdict per
 * counterparty to `to`. The file has a header naming its columns, in any
 * order: `name` (required), `ref`, `country`, `dob` (CSV rules of
 * docs/FORMATS.md); it is read and checked whole first, so a bad row
 * screens nothing. Counterparties are then screened and recorded in
 * audit_log in batches of 1,000, each batch written out after it is
 * recorded.
 *
 * CSV output columns: line,ref,name,verdict,score,list,reference,
 * matched_name,entry_name,reason,hits,exposure,audit_id (line is the
 * counterparty's line in the input).
 *
 * @return 0; IFFA_EINVAL (the file: line named), IFFA_EIO, IFFA_EDB
 */
int iffa_screener_screen_file(iffa_screen_file_stats *out, iffa_screener *s, const char *path,
			      FILE *to, iffa_screen_output format);

/** "match", "possible match" or "clear". */
const char *iffa_screen_verdict_name(iffa_screen_verdict v);

#ifdef __cplusplus
}
#endif
#endif
