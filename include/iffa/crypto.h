/*
 * iffa/crypto.h: Ed25519 keys, and signed manifests of directories.
 *
 * A report or an export package is a directory. Signing it writes
 * DIR/MANIFEST, one line per regular file with its SHA-256 and size, and
 * DIR/MANIFEST.sig, an Ed25519 signature over the MANIFEST bytes (formats
 * in docs/FORMATS.md, "Signed directories"). Verifying checks the
 * signature, then every file, and names each file changed, added or
 * missing. All cryptography is OpenSSL 3's (EVP).
 *
 * Every key generation, signature and verification is recorded in
 * audit_log before its result is handed back; when the record cannot be
 * written the operation fails (a key or signature that was not recorded is
 * removed again). Secrets (private keys, passphrases) never reach the log,
 * the terminal or an error message.
 */
#ifndef IFFA_CRYPTO_H
#define IFFA_CRYPTO_H

#include <stddef.h>

#include "iffa/db.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Where the passphrase of a private key comes from; never from the command
 * line. Initialise with IFFA_CRYPTO_KEY_OPTIONS_INIT. With neither member
 * set the key is written (or must be stored) without encryption.
 */
typedef struct {
	/** A file holding the passphrase: its first line, without the line
	 * ending (LF or CRLF). Refused when others (not the owner or group)
	 * may read or write it. Takes precedence over passphrase_env. */
	const char *passphrase_file;
	/** Name of an environment variable holding the passphrase, e.g.
	 * "IFFA_KEY_PASSPHRASE"; NULL for none. An unset variable is an error. */
	const char *passphrase_env;
} iffa_crypto_key_options;

#define IFFA_CRYPTO_KEY_OPTIONS_INIT {NULL, NULL}

/** Environment variable `iffa` reads a passphrase from. */
#define IFFA_CRYPTO_PASSPHRASE_ENV "IFFA_KEY_PASSPHRASE"

/** What iffa_crypto_keygen() made. Caller-owned; nothing to free. */
typedef struct {
	char key_sha256[65]; /**< SHA-256 of the public key (DER
				  SubjectPublicKeyInfo), lower-case hex: the
				  key's fingerprint */
	int encrypted;       /**< 1 when the private key is encrypted */
	long long audit_id;  /**< audit_log.id of the record */
} iffa_crypto_keygen_result;

/**
 * Make an Ed25519 key pair and write the private key to `path` (PEM,
 * PKCS#8: "PRIVATE KEY", or "ENCRYPTED PRIVATE KEY" under a passphrase:
 * PBES2, PBKDF2-HMAC-SHA256 with 600,000 iterations and AES-256-CBC) and
 * the public key to `path`.pub (PEM, SubjectPublicKeyInfo).
 *
 * The private key file is created with O_CREAT|O_EXCL and mode 0600 (less
 * by the umask); its mode is never changed afterwards, and an existing file
 * is never overwritten: when `path` or `path`.pub exists nothing is
 * written. The key is recorded in audit_log (command "keygen", the
 * fingerprint as output_sha256); when that fails both files are removed.
 *
 * @param out   receives the fingerprint and audit id
 * @param db    an open connection (for audit_log)
 * @param path  the private key file to create
 * @param opts  passphrase source, or NULL for an unencrypted key
 * @return 0; IFFA_EINVAL (a file exists, empty passphrase, passphrase file
 *         readable by others); IFFA_EIO; IFFA_EDB (audit record refused,
 *         nothing kept)
 */
int iffa_crypto_keygen(iffa_crypto_keygen_result *out, iffa_db *db, const char *path,
		       const iffa_crypto_key_options *opts);

/** What iffa_crypto_sign_dir() wrote. Caller-owned; nothing to free. */
typedef struct {
	char manifest_sha256[65]; /**< SHA-256 of the MANIFEST bytes, hex */
	char key_sha256[65];      /**< fingerprint of the signing key */
	size_t files;             /**< lines in MANIFEST */
	unsigned long long bytes; /**< total size of those files */
	long long audit_id;       /**< audit_log.id of the record */
} iffa_crypto_sign_result;

/**
 * Write DIR/MANIFEST and DIR/MANIFEST.sig for every regular file under
 * `dir` (subdirectories included; MANIFEST and MANIFEST.sig at the top are
 * left out). Both are written to temporary names in `dir` and renamed into
 * place, replacing older ones, after the signature has been recorded in
 * audit_log (command "sign", the MANIFEST's SHA-256 as output_sha256).
 *
 * Symbolic links, devices, FIFOs and sockets anywhere under `dir` refuse
 * the directory (nothing written), as do names holding control characters.
 * Time complexity: O(total bytes + n log n) for n files.
 *
 * @param out      receives the digests and counts
 * @param db       an open connection (for audit_log)
 * @param dir      the directory to sign
 * @param keyfile  Ed25519 private key (PEM, PKCS#8); refused when the group
 *                 or others may read or write it
 * @param opts     passphrase source for an encrypted key, or NULL
 * @return 0; IFFA_EINVAL (a link or special file, wrong key type or
 *         passphrase, key file too open); IFFA_EIO; IFFA_EDB
 */
int iffa_crypto_sign_dir(iffa_crypto_sign_result *out, iffa_db *db, const char *dir,
			 const char *keyfile, const iffa_crypto_key_options *opts);

/** How a file differs from the manifest. */
typedef enum {
	IFFA_CRYPTO_CHANGED = 0, /**< listed, but its size or SHA-256 differs */
	IFFA_CRYPTO_ADDED,       /**< present, not listed */
	IFFA_CRYPTO_MISSING,     /**< listed, not present */
	IFFA_CRYPTO_NOT_REGULAR  /**< a link, device, FIFO or socket where only
				      regular files may be */
} iffa_crypto_problem_kind;

/** Name of a problem kind: "changed", "added", "missing", "not_regular". */
const char *iffa_crypto_problem_name(iffa_crypto_problem_kind kind);

/** One file that differs. */
typedef struct {
	iffa_crypto_problem_kind kind;
	char *path; /**< relative to the directory, '/'-separated */
} iffa_crypto_problem;

/**
 * The outcome of iffa_crypto_verify_dir(). Caller-owned: initialise with
 * iffa_crypto_verify_result_init() (iffa_crypto_verify_dir() does it) and
 * release with iffa_crypto_verify_result_dispose().
 */
typedef struct {
	int intact;               /**< signature good and every file as listed */
	int signature_ok;         /**< MANIFEST.sig verifies over MANIFEST */
	char manifest_sha256[65]; /**< SHA-256 of MANIFEST as read; "" if unread */
	char key_sha256[65];      /**< fingerprint of the public key used */
	size_t files_listed;      /**< lines in MANIFEST (0 when the signature failed) */
	size_t files_ok;          /**< listed files found unchanged */
	iffa_crypto_problem *problems; /**< sorted by path */
	size_t nproblems;
	long long audit_id;       /**< audit_log.id of the record, 0 if none */
} iffa_crypto_verify_result;

/** Set every member to zero/NULL. */
void iffa_crypto_verify_result_init(iffa_crypto_verify_result *r);

/** Free what `r` holds and re-initialise it. Accepts NULL. */
void iffa_crypto_verify_result_dispose(iffa_crypto_verify_result *r);

/**
 * Check DIR/MANIFEST.sig over DIR/MANIFEST with `pubkey`, then (only when
 * the signature is good) every file under `dir` against the manifest. The
 * outcome is recorded in audit_log (command "verify", the MANIFEST's
 * SHA-256 as output_sha256, the files that differ in detail) before it is
 * returned.
 *
 * @param out     receives the outcome (initialised here; dispose it even on
 *                failure)
 * @param db      an open connection (for audit_log)
 * @param dir     the signed directory
 * @param pubkey  Ed25519 public key (PEM, SubjectPublicKeyInfo)
 * @return 0 only when the signature is good and every file is as listed;
 *         IFFA_EINVAL when the signature fails or files differ (out says
 *         which; iffa_error_last() summarises), or MANIFEST is malformed;
 *         IFFA_EIO (MANIFEST or a file unreadable); IFFA_EDB (no audit
 *         record: the outcome must not be relied on)
 */
int iffa_crypto_verify_dir(iffa_crypto_verify_result *out, iffa_db *db, const char *dir,
			   const char *pubkey);

#ifdef __cplusplus
}
#endif
#endif
