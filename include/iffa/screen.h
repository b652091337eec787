/*
 * iffa/screen.h: counterparty screening against the imported sanctions
 * lists ("may I pay this counterparty?").
 *
 * A screener holds every name of every entry currently on the imported
 * lists in memory, indexed for fuzzy name matching fit for West African
 * and Arabic-derived names (method, threshold and measured recall and
 * false-positive rate in docs/SCREENING.md). Each counterparty gets a
 * verdict: match, possible match or clear, with the entries it resembles,
 * their list and reference, the score and the reason; a counterparty
 * given with its account reference also gets its graph exposure from the
 * latest analysis run (iffa_screen_exposure), which can raise the verdict.
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
 * Graph exposure. A counterparty is known in the flow graph by its account
 * reference (iffa_screen_request.account: IBAN, MSISDN, wallet, as in
 * account.ref), never by its name alone (homonyms; docs/SCREENING.md).
 * The screener reads the exposure of known accounts from vertex_exposure
 * of the latest completed analysis run that stored it (`iffa analyse`
 * with the exposure pass), one statement per batch of counterparties.
 */
typedef enum {
	IFFA_SCREEN_EXPOSURE_NOT_ASSESSED = 0, /**< no account given (or lookups off) */
	IFFA_SCREEN_EXPOSURE_NO_RUN,       /**< no completed analysis run stored exposure */
	IFFA_SCREEN_EXPOSURE_UNKNOWN_ACCOUNT, /**< the account is not in the records */
	IFFA_SCREEN_EXPOSURE_NOT_IN_RUN,   /**< in the records, but loaded after the run */
	IFFA_SCREEN_EXPOSURE_NONE,         /**< in the run's graph, no source within reach
					        and no exposure */
	IFFA_SCREEN_EXPOSURE_EXPOSED       /**< the run measured its exposure (the fields below) */
} iffa_screen_exposure_status;

/** One edge of an exposure path, in money order. Strings belong to the result. */
typedef struct {
	const char *from, *from_name; /**< account or party reference, owner's name */
	const char *to, *to_name;
	double amount_xof;
	long long flows;              /**< records merged into the edge */
	const char *first, *last;     /**< ISO 8601 UTC */
	const char *channel, *kind;   /**< e.g. "mobile_money", "transfer" */
	const char *records;          /**< JSON array of record ids, or "null" */
} iffa_screen_path_edge;

/** Exposure of one counterparty (part of iffa_screen_result). */
typedef struct {
	iffa_screen_exposure_status status;
	long long run_id;            /**< the analysis run it comes from; 0 when none */
	const char *run_finished_at; /**< its finished_at, ISO 8601 UTC, or NULL */
	const char *run_from, *run_to; /**< its data window [from, to), ISO 8601 UTC;
					    NULL when open on that side */
	double run_age_days;         /**< days between finished_at and the screening */
	long long account_id, party_id; /**< account.id and its owner (0 when none) */
	const char *way;             /**< "source", "record_party", "proceeds", "funding",
				          "none" (EXPOSED only) */
	int flagged;                 /**< the run's exposure pass flagged it (its thresholds) */
	double score;                /**< 0..1 (1: source or record party, else the larger share) */
	double taint, tainted_xof;   /**< share and XOF of what it received that came from sources */
	double funding, funding_xof; /**< share and XOF of what it paid that went to sources */
	int hops;                    /**< undirected hops to the nearest designated or
				          armed-group party; -1 none within reach */
	size_t npath;
	const iffa_screen_path_edge *path; /**< the explanation path */
	const char *path_json;       /**< the same as stored: a JSON array of edges */
	int raised;                  /**< the exposure raised the verdict */
} iffa_screen_exposure;

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
	int exposure;                /**< look accounts up in the latest run's exposure
					  (default 1; 0 reports "not assessed") */
} iffa_screen_options;

#define IFFA_SCREEN_OPTIONS_VERSION 2
#define IFFA_SCREEN_OPTIONS_INIT {IFFA_SCREEN_OPTIONS_VERSION, NULL, \
		IFFA_SCREEN_MATCH_DEFAULT, IFFA_SCREEN_POSSIBLE_DEFAULT, 5, NULL, NULL, 1}

/** One counterparty to screen. Strings are UTF-8 and borrowed. */
typedef struct {
	const char *name;    /**< required */
	const char *country; /**< ISO 3166-1 alpha-2 (nationality or residence), or NULL */
	const char *dob;     /**< date of birth YYYY, YYYY-MM or YYYY-MM-DD, or NULL */
	const char *ref;     /**< the caller's reference of the counterparty, or NULL */
	const char *account; /**< its account reference (account.ref), or NULL: the
			          graph exposure is looked up by it */
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
	iffa_screen_verdict verdict; /**< name and exposure combined (docs/SCREENING.md) */
	iffa_screen_verdict name_verdict; /**< of the best hit alone; CLEAR when none */
	size_t nhits;
	iffa_screen_hit *hits;       /**< best first */
	iffa_screen_exposure exposure;
	long long audit_id;          /**< audit_log.id of the record of this screening */
	char *strings;               /* storage of the hits' strings */
	char *xstrings;              /* storage of the exposure's strings */
	iffa_screen_path_edge *xpath; /* storage of the exposure path */
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
 * order: `name` (required), `ref`, `country`, `dob`, `account` (CSV rules
 * of docs/FORMATS.md); it is read and checked whole first, so a bad row
 * screens nothing. Counterparties are then screened and recorded in
 * audit_log in batches of 1,000, each batch written out after it is
 * recorded.
 *
 * CSV output columns: line,ref,name,verdict,score,list,reference,
 * matched_name,entry_name,reason,hits,account,exposure,exposure_score,hops,
 * exposure_run,exposure_path,audit_id (line is the counterparty's line in
 * the input; exposure is the status or the way, exposure_path the edges
 * in words). JSON lines carry the exposure as an object.
 *
 * @return 0; IFFA_EINVAL (the file: line named), IFFA_EIO, IFFA_EDB
 */
int iffa_screener_screen_file(iffa_screen_file_stats *out, iffa_screener *s, const char *path,
			      FILE *to, iffa_screen_output format);

/** "not assessed", "no analysis run", "unknown account", "not in run",
 *  "none" or "exposed". */
const char *iffa_screen_exposure_status_name(iffa_screen_exposure_status s);

/** "match", "possible match" or "clear". */
const char *iffa_screen_verdict_name(iffa_screen_verdict v);

#ifdef __cplusplus
}
#endif
#endif
