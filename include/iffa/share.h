/*
 * iffa/share.h: sharing flows between FIUs without sharing identities.
 *
 * Each FIU exports its flows with every account and party identifier
 * replaced by a pseudonym, HMAC-SHA256 under a key the FIUs have agreed on
 * (the same key gives the same pseudonym for the same identifier in every
 * FIU; without the key a pseudonym cannot be tested against a guess). Two
 * exports made under one key are then matched: the identifiers and the
 * corridors (country pairs) both hold, with counts and amounts from both
 * sides. The file format is in docs/FORMATS.md, "Shared pseudonymised
 * flows".
 */
#ifndef IFFA_SHARE_H
#define IFFA_SHARE_H

#include <stddef.h>

#include "iffa/db.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Environment variable naming the shared key file when no file is given. */
#define IFFA_SHARE_KEY_FILE_ENV "IFFA_SHARE_KEY_FILE"

/** Shortest key accepted, in bytes (e.g. `openssl rand -hex 32` gives 64). */
#define IFFA_SHARE_KEY_MIN 32

/** A shared HMAC key, read from a file (opaque; its bytes are wiped when freed). */
typedef struct iffa_share_key iffa_share_key;

/**
 * Read a shared key: the file's bytes with one trailing LF or CRLF removed,
 * at least IFFA_SHARE_KEY_MIN and at most 4096 bytes. The file must be a
 * regular file that others (not owner, not group) cannot read or write.
 *
 * @param out   receives the key; free with iffa_share_key_free()
 * @param path  the key file
 * @return 0, IFFA_EINVAL (too short or long, readable by others), IFFA_EIO
 */
int iffa_share_key_load(iffa_share_key **out, const char *path);

/** Wipe and free a key. Accepts NULL. */
void iffa_share_key_free(iffa_share_key *key);

/**
 * The key's check value: the first 16 hex digits of
 * HMAC-SHA256(key, "iffa share key check v1"). Written in every row of an
 * export so that two files made under different keys are never matched.
 * Reveals nothing of the key. Borrowed from `key`.
 */
const char *iffa_share_key_id(const iffa_share_key *key);

/** What a pseudonym stands for; part of the HMAC input. */
typedef enum {
	IFFA_SHARE_ACCOUNT = 0, /**< account.ref: IBAN, MSISDN, wallet... */
	IFFA_SHARE_PARTY        /**< party.ref */
} iffa_share_subject;

/** "account" or "party". */
const char *iffa_share_subject_name(iffa_share_subject subject);

/**
 * Normalise an identifier before it is pseudonymised: ASCII white space
 * (space, tab, CR, LF, VT, FF) removed everywhere, which also trims it, and
 * ASCII letters upper-cased; other bytes (punctuation, non-ASCII) are kept
 * as they are. "fr76 3000 6000 0112 3456 7890 189" and
 * " FR7630006000011234567890189" give the same result.
 *
 * @param out   receives the normalised text (NUL-terminated); it is never
 *              longer than `id`
 * @param size  bytes available at out (strlen(id) + 1 is always enough)
 * @return 0, or IFFA_EINVAL when out is too small or nothing is left
 */
int iffa_share_normalise(char *out, size_t size, const char *id);

/**
 * Pseudonym of an identifier: lower-case hex of
 * HMAC-SHA256(key, "<subject>:" || normalise(id)), 64 digits.
 *
 * @param out      receives 64 hex digits and a NUL
 * @return 0, IFFA_EINVAL (empty after normalising), IFFA_ERROR
 */
int iffa_share_pseudonym(char out[65], const iffa_share_key *key, iffa_share_subject subject,
			 const char *id);

/** What to export. Initialise with IFFA_SHARE_EXPORT_OPTIONS_INIT. */
typedef struct {
	const char *key_file; /**< the shared key (required) */
	const char *from;     /**< "YYYY-MM-DD": flows at or after 00:00 UTC of that
				   day; NULL for no lower bound */
	const char *to;       /**< "YYYY-MM-DD": flows before 00:00 UTC of that day;
				   NULL for no upper bound */
} iffa_share_export_options;

#define IFFA_SHARE_EXPORT_OPTIONS_INIT {NULL, NULL, NULL}

/** What an export wrote. Caller-owned; nothing to free. */
typedef struct {
	size_t rows;          /**< data lines written */
	long long flows;      /**< flows counted in them (a ransom carried by k
				   intermediaries is k + 1 flows) */
	char key_id[17];      /**< check value of the key used */
	char file_sha256[65]; /**< SHA-256 of the file written, hex */
	long long audit_id;   /**< audit_log.id of the record */
} iffa_share_export_result;

/**
 * Write the flows of the database, pseudonymised, to `path` (CSV, as
 * docs/FORMATS.md "Shared pseudonymised flows" says): transfers between
 * accounts, and ransom hops, gold-lot payments and levies between parties,
 * grouped by (from, to, countries, month, channel, kind), with counts and
 * XOF amounts. Read in one REPEATABLE READ READ ONLY snapshot with
 * parameterised SQL. The file is written under a temporary name (mode
 * 0600), recorded in audit_log (command "share export", the file's SHA-256
 * as output_sha256, the key's check value, never the key) and renamed into
 * place, replacing an older file.
 *
 * @param out   receives the counts and digests
 * @param db    an open connection, outside any transaction; the role must
 *              read account, party, transfer, ransom, ransom_leg, gold_lot,
 *              levy and fx_rate (iffa_analyst does)
 * @param path  the file to write
 * @param opts  key and window (opts->key_file required)
 * @return 0; IFFA_EINVAL (key, dates, a flow with no fx_rate for its
 *         currency and date: named); IFFA_EIO; IFFA_EDB
 */
int iffa_share_export(iffa_share_export_result *out, iffa_db *db, const char *path,
		      const iffa_share_export_options *opts);

/** One side's share of what two exports have in common. */
typedef struct {
	long long flows;      /**< flows (sum of the count column) */
	long long amount_xof; /**< sum of amount_xof */
} iffa_share_side;

/** An identifier found in both exports. */
typedef struct {
	iffa_share_subject subject;
	char id[65];       /**< the pseudonym */
	iffa_share_side a; /**< flows from or to it in the first export */
	iffa_share_side b; /**< and in the second */
} iffa_share_common_id;

/** A corridor (country pair, both known) found in both exports. */
typedef struct {
	char from[3], to[3]; /**< ISO 3166-1 alpha-2 */
	iffa_share_side a, b;
} iffa_share_common_corridor;

/**
 * What two exports have in common. Caller-owned: initialise with
 * iffa_share_match_result_init() (iffa_share_match() does it), release with
 * iffa_share_match_result_dispose().
 */
typedef struct {
	char key_id[17];                 /**< check value both files carry */
	size_t rows_a, rows_b;           /**< data lines read */
	iffa_share_common_id *ids;       /**< by a.amount + b.amount, largest first */
	size_t nids;
	iffa_share_common_corridor *corridors; /**< same order */
	size_t ncorridors;
} iffa_share_match_result;

void iffa_share_match_result_init(iffa_share_match_result *r);
void iffa_share_match_result_dispose(iffa_share_match_result *r);

/**
 * Read two exports and find the identifiers and corridors both hold. No
 * key and no database are needed: only pseudonyms are compared. An
 * identifier's side counts every flow it is the source or the target of
 * (a flow from it to itself once).
 * Time complexity: O((rows_a + rows_b) log(rows_a + rows_b)).
 *
 * @param out     receives the result (initialised here; dispose it even on
 *                failure)
 * @param path_a  first export
 * @param path_b  second export
 * @return 0; IFFA_EINVAL (not an export: header, field, line named; made
 *         under different keys); IFFA_EIO
 */
int iffa_share_match(iffa_share_match_result *out, const char *path_a, const char *path_b);

#ifdef __cplusplus
}
#endif
#endif
