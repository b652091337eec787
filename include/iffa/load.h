/*
 * iffa/load.h: loading one CSV file of one record kind into PostgreSQL.
 *
 * The file format of every kind is specified in docs/FORMATS.md. A load is
 * one transaction: every row is validated (field types in C, references,
 * duplicates and conflicts in SQL), and either the whole file goes in or,
 * by default, nothing does. With a reject file, the good rows go in and the
 * bad ones are written to that file with their reasons.
 *
 * Records already in the database with identical content are counted as
 * duplicates and skipped, so loading a file twice adds nothing; a record
 * whose key is known with different content is refused, never overwritten.
 */
#ifndef IFFA_LOAD_H
#define IFFA_LOAD_H

#include <stddef.h>

#include "iffa/db.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Record kinds, named as their tables. */
typedef enum {
	IFFA_LOAD_PARTY = 0,
	IFFA_LOAD_ACCOUNT,
	IFFA_LOAD_TRANSFER,
	IFFA_LOAD_RANSOM,
	IFFA_LOAD_GOLD_LOT,
	IFFA_LOAD_LEVY,
	IFFA_LOAD_DESIGNATION,
	IFFA_LOAD_FX_RATE,
	IFFA_LOAD_AFFECTED_ZONE,
	IFFA_LOAD_KIND_COUNT /**< number of kinds, not a kind */
} iffa_load_kind;

/**
 * Look a kind up by its table name ("party", "gold_lot", ...).
 *
 * @param out   receives the kind
 * @param name  the name, case-sensitive
 * @return 0, or IFFA_ENOTFOUND with the known names in iffa_error_last()
 */
int iffa_load_kind_from_name(iffa_load_kind *out, const char *name);

/** Table name of a kind (static string), or NULL for an invalid kind. */
const char *iffa_load_kind_name(iffa_load_kind kind);

/** How to load. Initialise with IFFA_LOAD_OPTIONS_INIT. */
typedef struct {
	/**
	 * NULL (default): any bad row refuses the whole file. Otherwise the
	 * good rows are loaded and the bad ones written to this path as CSV
	 * (columns line, field, reason, then the original columns), through a
	 * temporary file renamed into place before the commit. The file is
	 * created even when no row is bad, so an old one is never mistaken for
	 * the result of this load.
	 */
	const char *reject_path;
	/** Name used in messages and recorded in load_batch.file_name; NULL
	 * uses the path as given. */
	const char *display_name;
	/** How many errors iffa_load_result keeps in `errors` (the total is
	 * counted regardless); 0 keeps none. */
	size_t max_errors;
} iffa_load_options;

#define IFFA_LOAD_OPTIONS_INIT {NULL, NULL, 100}

/** One problem found in the file. */
typedef struct {
	long long line; /**< physical line the record starts on (header: 1);
			     0 when the problem concerns the whole file */
	char *field;    /**< column name, or NULL for the row or file as a whole */
	char *reason;   /**< what is wrong, e.g. `"-5" is not a positive amount` */
	char *message;  /**< "file:line: field F: reason", ready to print */
} iffa_load_error;

/**
 * What a load did. Caller-owned: initialise with iffa_load_result_init()
 * (iffa_load_file() does it) and release with iffa_load_result_dispose().
 */
typedef struct {
	long long rows_read;      /**< records in the file (header excluded) */
	long long rows_loaded;    /**< records written now */
	long long rows_duplicate; /**< records already present, identical: skipped */
	long long rows_rejected;  /**< bad records (written to the reject file,
				       or the reason nothing was written) */
	long long load_id;        /**< load_batch.id, 0 when nothing was committed */
	char file_sha256[65];     /**< SHA-256 of the file as read, hex; "" if unread */
	iffa_load_error *errors;  /**< the first errors in line order */
	size_t errors_count;      /**< entries in `errors` (at most max_errors) */
	long long errors_total;   /**< all errors found (a row can have several) */
} iffa_load_result;

/** Set every member to zero/NULL. */
void iffa_load_result_init(iffa_load_result *r);

/** Free what `r` holds and re-initialise it. Accepts NULL. */
void iffa_load_result_dispose(iffa_load_result *r);

/**
 * Load one CSV file of `kind` in one transaction on `db`.
 *
 * Concurrent loads (any kind, any process) are serialised by a
 * transaction-level advisory lock. A load_batch row records the file name,
 * its SHA-256, the OS user and the counts; an audit_log row records the
 * command. Rows are sent with COPY into a temporary staging table and
 * checked there, so memory use does not grow with the file.
 *
 * @param out   receives the counts and errors (initialised here; dispose
 *              it even on failure)
 * @param db    an open connection with no transaction in progress
 * @param kind  the record kind of the file
 * @param path  the CSV file (UTF-8, header line first; docs/FORMATS.md)
 * @param opts  options, or NULL for the defaults
 * @return 0 when the load committed (with a reject file, rows may have been
 *         rejected: see out->rows_rejected);
 *         IFFA_EINVAL when the file was refused: bad rows without a reject
 *         file (out->errors lists them), or a file that cannot be read as
 *         CSV of this kind (bad header, encoding, NUL bytes, unterminated
 *         quote, oversize record), with or without a reject file;
 *         IFFA_EDB, IFFA_EIO or IFFA_ENOMEM otherwise.
 *         On any failure nothing is written to the database and no reject
 *         file is left behind; iffa_error_last() says why.
 */
int iffa_load_file(iffa_load_result *out, iffa_db *db, iffa_load_kind kind,
		   const char *path, const iffa_load_options *opts);

#ifdef __cplusplus
}
#endif
#endif
