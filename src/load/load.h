/*
 * Internals of the load module shared between its files: a growable byte
 * buffer (COPY data, generated SQL) and the reject-file writer.
 */
#ifndef IFFA_SRC_LOAD_LOAD_H
#define IFFA_SRC_LOAD_LOAD_H

#include <stddef.h>

#include "iffa/common.h"
#include "iffa/db.h"

/*
 * Key of the transaction-level advisory lock every load takes, so that two
 * loads (any kind, any process) run one after the other. Any constant
 * works as long as every iffa uses the same one.
 */
#define IFFA_LOAD__LOCK "7366746100000002"

typedef struct {
	char *ptr;  /* NUL-terminated when len > 0 */
	size_t len;
	size_t cap;
} iffa_load__buf;

/* Make room for `more` bytes (plus a NUL). @return 0 or IFFA_ENOMEM */
int iffa_load__buf_grow(iffa_load__buf *b, size_t more);

/* Append bytes / formatted text. @return 0 or IFFA_ENOMEM */
int iffa_load__buf_put(iffa_load__buf *b, const char *s, size_t n);
int iffa_load__buf_puts(iffa_load__buf *b, const char *s);
int iffa_load__buf_printf(iffa_load__buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Append for COPY's text format: \ tab CR LF escaped. @return 0 or IFFA_ENOMEM */
int iffa_load__buf_copy_text(iffa_load__buf *b, const char *s, size_t n);

/* Empty it, keeping the memory. */
void iffa_load__buf_clear(iffa_load__buf *b);

/* Free the memory. */
void iffa_load__buf_dispose(iffa_load__buf *b);

/*
 * Before a load with a reject file: refuse a reject path that is the input
 * itself (it would be replaced), and make sure a temporary file can be
 * created next to it, so that a load is not run in full only to fail at
 * the end. @return 0, IFFA_EINVAL or IFFA_EIO
 */
int iffa_load__check_reject_path(const char *path, const char *name, const char *reject_path);

/*
 * Write the reject file of the load in progress on `db`: the rows of the
 * temporary table load_reject, grouped by line, each followed by the
 * original fields of that line, read again from `path`. The file must
 * still hash to `sha256` (it was not changed in between). Written to a
 * temporary file next to `reject_path`, synced, then renamed over it.
 *
 * @param name  the input's name for messages
 * @return 0, IFFA_EIO, IFFA_EINVAL (file changed), IFFA_EDB or IFFA_ENOMEM
 */
int iffa_load__write_rejects(iffa_db *db, const char *path, const char *name,
			     const char *reject_path, const char *sha256);

#endif
