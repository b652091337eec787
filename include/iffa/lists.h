/*
 * iffa/lists.h: sanctions lists imported into PostgreSQL, with history.
 *
 * A list (the UN Security Council consolidated list, an OpenSanctions
 * export, a national list) is imported from a file, again each time it is
 * republished. Each import that changes anything is a new version of the
 * list; every entry added, changed, removed or listed again is recorded
 * with its content before and after (tables list_version, list_entry,
 * list_change of sql/005_lists.sql). Formats are described in
 * docs/SCREENING.md.
 */
#ifndef IFFA_LISTS_H
#define IFFA_LISTS_H

#include <stddef.h>

#include "iffa/db.h"

#ifdef __cplusplus
extern "C" {
#endif

/** File formats of a list. */
typedef enum {
	IFFA_LIST_FORMAT_AUTO = 0, /**< from the file name: .xml, .json/.jsonl/.ndjson, .csv */
	IFFA_LIST_FORMAT_UN_XML,   /**< UN SC consolidated list XML */
	IFFA_LIST_FORMAT_FTM,      /**< FollowTheMoney entities, one JSON object a line */
	IFFA_LIST_FORMAT_CSV       /**< iffa's CSV for national lists */
} iffa_list_format;

/** Options of iffa_lists_import(). */
typedef struct {
	unsigned int version;    /**< IFFA_LISTS_IMPORT_OPTIONS_VERSION */
	const char *list;        /**< name of the list, e.g. "UN"; NULL: "UN" for
				      un-xml, "OpenSanctions" for ftm, required for csv */
	iffa_list_format format; /**< format of the file */
	const char *os_user;     /**< who runs the import; NULL: the process's user */
} iffa_lists_import_options;

#define IFFA_LISTS_IMPORT_OPTIONS_VERSION 1
#define IFFA_LISTS_IMPORT_OPTIONS_INIT {IFFA_LISTS_IMPORT_OPTIONS_VERSION, NULL, \
					IFFA_LIST_FORMAT_AUTO, NULL}

/** What an import did (caller-owned, nothing to free). */
typedef struct {
	char list[65];          /**< name of the list */
	long long version_id;   /**< list_version.id made, 0 when the file was
				     already the current version */
	int seq;                /**< version number of the list now (1, 2, ...) */
	size_t entries;         /**< entries in the file */
	size_t added;           /**< new on the list */
	size_t changed;         /**< content differs from the previous version */
	size_t removed;         /**< on the previous version, not in the file */
	size_t restored;        /**< removed earlier, back on the list */
	size_t unchanged;       /**< identical to the previous version */
	size_t skipped;         /**< records of the file that are not list entries
				     (FtM sanctions, addresses, ...) */
	size_t unresolved;      /**< country texts iffa could not tie to an ISO code */
} iffa_lists_import_result;

/**
 * Read a list file whole, then bring the database's copy of the list up to
 * it in one transaction: entries added, changed, removed and re-listed are
 * recorded in list_change with their content before and after. A file that
 * cannot be read or is malformed changes nothing, and the error names the
 * file and the line (and element or field). Documents with a DTD or entity
 * declarations, or nested deeper than the format needs, are refused.
 * Importing the file of the current version again records nothing; a file
 * older (by its own date) than the current version is refused.
 *
 * @param out   receives what the import did
 * @param db    connection; the schema must be at least at migration 005
 * @param path  the file
 * @param opts  options, or NULL for IFFA_LISTS_IMPORT_OPTIONS_INIT
 * @return 0; IFFA_EINVAL (bad file or options), IFFA_EIO (unreadable),
 *         IFFA_EDB
 */
int iffa_lists_import(iffa_lists_import_result *out, iffa_db *db, const char *path,
		      const iffa_lists_import_options *opts);

/**
 * The format named "un-xml", "ftm", "csv" or "auto".
 * @return 0 or IFFA_EINVAL
 */
int iffa_lists_format_parse(iffa_list_format *out, const char *name);

#ifdef __cplusplus
}
#endif
#endif
