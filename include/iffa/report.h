/*
 * iffa/report.h: the periodic report a sanctions committee acts on.
 *
 * A report is a directory: report.html (one self-contained page: inline
 * CSS and SVG drawn by iffa, nothing fetched when it is viewed), report.pdf
 * when Chromium is installed, and, when a key is given, MANIFEST and
 * MANIFEST.sig (iffa/crypto.h). It covers one period (a quarter, month,
 * half-year or year) and the findings of one completed analysis run:
 * summary, flows by corridor, top clusters with a network picture, top
 * intermediaries, cross-border paths, proposed designations with their
 * evidence, changes since the previous period, and the run's method and
 * parameters. docs/REPORTS.md describes every section.
 */
#ifndef IFFA_REPORT_H
#define IFFA_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "iffa/crypto.h"
#include "iffa/db.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Parse a period: `YYYY-Qn` (quarter), `YYYY-Hn` (half-year), `YYYY-MM`
 * (month) or `YYYY` (year), years 1900 to 9999.
 * @param from, to  receive the window [from, to), UTC µs (midnight UTC)
 * @param prev      receives the previous period of the same length, spelt
 *                  the same way (e.g. "2026-Q2" for "2026-Q3"); at least 16 bytes
 * @return 0 or IFFA_EINVAL
 */
int iffa_report_period_parse(int64_t *from, int64_t *to, char *prev, size_t prev_size,
			     const char *period);

/** Options of iffa_report_write(). Start from IFFA_REPORT_OPTIONS_INIT. */
typedef struct {
	const char *period;      /**< e.g. "2026-Q3"; required */
	int64_t run;             /**< analysis_run.id; 0: the latest completed run whose
				      window is the period, else the latest covering it */
	size_t top;              /**< rows per section (clusters, findings...); default 10 */
	int min_passes;          /**< passes that must flag a party before it is proposed
				      for designation; default 2 */
	const char *keyfile;     /**< Ed25519 private key to sign the directory; NULL: unsigned */
	const iffa_crypto_key_options *key_opts; /**< its passphrase source, or NULL */
	const char *chromium;    /**< browser for the PDF; NULL: /usr/bin/chromium; "" : no PDF */
} iffa_report_options;

#define IFFA_REPORT_OPTIONS_INIT {NULL, 0, 10, 2, NULL, NULL, NULL}

/** What iffa_report_write() made. Caller-owned; nothing to free. */
typedef struct {
	int64_t run;              /**< the run reported */
	int64_t previous_run;     /**< the previous period's run compared with; 0 none */
	size_t findings;          /**< findings of the run */
	size_t proposed;          /**< parties proposed for designation */
	size_t files;             /**< files written (report.html, report.pdf) */
	unsigned long long bytes; /**< their size */
	int pdf;                  /**< 1 when report.pdf was written */
	char pdf_notice[256];     /**< why not, when pdf is 0 */
	char sha256[65];          /**< SHA-256 of the listing "SHA256 SIZE NAME\n" of the files */
	int signed_dir;           /**< 1 when MANIFEST and MANIFEST.sig were written */
	char manifest_sha256[65]; /**< when signed */
	char key_sha256[65];      /**< when signed: the key's fingerprint */
	long long audit_id;       /**< audit_log.id of the "report" record */
} iffa_report_result;

/**
 * Write the report of `opts->period` into `dir` (created 0700 when missing;
 * an existing one must be empty), record it in audit_log (command
 * "report": period, run, each file's SHA-256), then sign the directory
 * when a key is given (iffa_crypto_sign_dir, its own audit record).
 *
 * @param out  receives what was made
 * @param db   a connection outside any transaction (role iffa_analyst or
 *             the owner: the corridors are read from the records)
 * @return 0; IFFA_ENOTFOUND (no such run, no completed run for the
 *         period); IFFA_EINVAL (bad period, directory not empty, key
 *         refused); IFFA_EIO; IFFA_EDB; IFFA_ENOMEM
 */
int iffa_report_write(iffa_report_result *out, iffa_db *db, const char *dir,
		      const iffa_report_options *opts);

#ifdef __cplusplus
}
#endif
#endif
