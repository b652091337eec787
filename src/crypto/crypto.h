/*
 * Internals of the crypto module shared with src/share: secrets read from
 * files (and wiped), output files written under a temporary name and
 * renamed, SHA-256 helpers, keys, the directory walker and the audit
 * record of key, signing and sharing operations.
 */
#ifndef IFFA_SRC_CRYPTO_H
#define IFFA_SRC_CRYPTO_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <openssl/evp.h>

#include "core/atomicfile.h"
#include "core/jsonbuf.h"
#include "iffa/common.h"
#include "iffa/crypto.h"
#include "iffa/db.h"

/* Secrets */

/** Bytes of a secret; wiped (OPENSSL_cleanse) when freed. */
typedef struct {
	unsigned char *ptr; /* NUL-terminated for convenience; NULL when none */
	size_t len;
} iffa_crypto__secret;

/** Wipe and free the bytes; accepts an empty secret. */
void iffa_crypto__secret_free(iffa_crypto__secret *s);

/**
 * Read the whole of `path` (at most `max` bytes) as a secret. `what` names
 * it in messages ("passphrase file"). Refused unless it is a regular file
 * whose mode has none of the bits of `forbidden` (e.g. S_IRWXO).
 * @return 0, IFFA_EINVAL (mode, type, size), IFFA_EIO, IFFA_ENOMEM
 */
int iffa_crypto__read_secret(iffa_crypto__secret *out, const char *path, const char *what,
			     mode_t forbidden, size_t max);

/** Remove one trailing LF or CRLF (a file written by an editor or echo). */
void iffa_crypto__secret_chomp(iffa_crypto__secret *s);

/**
 * The passphrase `opts` points to: out->ptr NULL when none. `source`
 * receives "file", "env" or "none" for the audit record (never the value).
 * @return 0, IFFA_EINVAL (unset variable, empty or over 1023 bytes, file
 *         too open), IFFA_EIO
 */
int iffa_crypto__passphrase(iffa_crypto__secret *out, const char **source,
			    const iffa_crypto_key_options *opts);

/* Output files go through core/atomicfile.h (iffa_atomicfile__*). */

/* Digests */

/** Lower-case hex of n bytes into out (2n + 1 bytes). */
void iffa_crypto__hex(char *out, const unsigned char *p, size_t n);

/** SHA-256 of n bytes, as hex. @return 0 or IFFA_ERROR */
int iffa_crypto__sha256_hex(char out[65], const void *p, size_t n);

/**
 * SHA-256 and length of everything readable from `fd`; `what` names the
 * file in messages. @return 0 or IFFA_EIO
 */
int iffa_crypto__sha256_fd(unsigned char md[32], unsigned long long *size, int fd,
			   const char *what);

/* Keys */

/** Fingerprint of a key: SHA-256 of its public key's DER. @return 0 or IFFA_ERROR */
int iffa_crypto__fingerprint(char out[65], EVP_PKEY *pkey);

/**
 * Read an Ed25519 private key (PEM, PKCS#8, encrypted or not). The file is
 * refused when the group or others may use it.
 * @param source  receives "file", "env" or "none" (the passphrase's)
 * @return 0, IFFA_EINVAL (key type, passphrase missing or wrong), IFFA_EIO
 */
int iffa_crypto__load_private(EVP_PKEY **out, const char **source, const char *path,
			      const iffa_crypto_key_options *opts);

/** Read an Ed25519 public key (PEM). @return 0, IFFA_EINVAL, IFFA_EIO */
int iffa_crypto__load_public(EVP_PKEY **out, const char *path);

/* Walking a directory */

/**
 * Called for each entry under the directory that is not a directory
 * itself. `dirfd` is the open parent, `name` the entry's name in it,
 * `path` its path relative to the top ('/'-separated), `st` from
 * fstatat(AT_SYMLINK_NOFOLLOW). Return 0 to go on, < 0 to stop with that
 * code.
 */
typedef int (*iffa_crypto__visit_fn)(void *payload, int dirfd, const char *name,
				     const char *path, const struct stat *st);

/**
 * Visit every entry under `dir`, depth first, in no particular order.
 * Subdirectories are entered (never through a symbolic link). MANIFEST and
 * MANIFEST.sig at the top are skipped. Names holding control characters,
 * and trees deeper than 64, are refused (IFFA_EINVAL).
 * @return 0, the visitor's code, IFFA_EINVAL or IFFA_EIO
 */
int iffa_crypto__walk(const char *dir, iffa_crypto__visit_fn visit, void *payload);

/** Open a regular file in `dirfd` without following links, for reading;
 * refused (IFFA_EINVAL) when it is not regular. @return fd or < 0 */
int iffa_crypto__open_regular(int dirfd, const char *name, const char *what);

/* Audit */

/**
 * Append a row to audit_log through iffa_audit_crypto() (sql/007): the OS
 * user, `command` ("keygen", "sign", "verify", "share export"), `params`
 * and `detail` as JSON text (detail may be NULL), `rows` (< 0 for NULL)
 * and `output_sha256` (may be NULL). Nothing secret may be in params or
 * detail: callers pass paths and sources, never keys or passphrases.
 * @param out_id  receives audit_log.id; may be NULL
 * @return 0 or IFFA_EDB
 */
int iffa_crypto__audit(long long *out_id, iffa_db *db, const char *command, const char *params,
		       long long rows, const char *output_sha256, const char *detail);

/**
 * Record a failed operation (best effort): detail {"ok":false,"error":...}
 * with the last error's message, which is kept (a failure to record is
 * ignored, so the caller reports the original error).
 */
void iffa_crypto__audit_failure(iffa_db *db, const char *command, const char *params, int error);

/**
 * Append `s` as a JSON string for an audit record; bytes that are not
 * UTF-8 (a path given on the command line may hold any) become U+FFFD, so
 * that jsonb accepts the record. @return 0 or IFFA_ENOMEM
 */
int iffa_crypto__json_str(iffa_jsonbuf *b, const char *s);

/** Copy `s` into out (at most size bytes, NUL-terminated) for a message,
 * control characters shown as '?'. */
void iffa_crypto__printable(char *out, size_t size, const char *s);

#endif
