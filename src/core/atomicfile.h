/*
 * Output files written whole or not at all: the bytes go to a temporary
 * file beside the final name (same directory, so the same file system),
 * are synced, and only then renamed into place, and the directory synced.
 * A failure at any step (disk full, permission denied, a missing
 * directory) is reported with the final path, and the temporary file is
 * removed: a reader sees the old file or the new one, never half of one.
 *
 * Every command that writes a file goes through here: reject files,
 * manifests, key files, exports, generated scenarios, reports.
 *
 *   iffa_atomicfile *f = NULL;
 *   if ((error = iffa_atomicfile__open(&f, path, 0600, IFFA_ATOMICFILE_SHA256)) < 0 ||
 *       (error = iffa_atomicfile__write(f, p, n)) < 0 ||
 *       (error = iffa_atomicfile__finish(f, sha256)) < 0 ||
 *       (error = iffa_atomicfile__commit(f)) < 0)
 *           goto done;
 *   done: iffa_atomicfile__free(f);
 */
#ifndef IFFA_SRC_CORE_ATOMICFILE_H
#define IFFA_SRC_CORE_ATOMICFILE_H

#include <stddef.h>
#include <sys/types.h>

#include "iffa/common.h"

typedef struct iffa_atomicfile iffa_atomicfile;

/* Flags of iffa_atomicfile__open. */
#define IFFA_ATOMICFILE_SHA256 1u /* hash the bytes as they are written */

/**
 * Create a temporary file beside `path` (".NAME.tmp-RANDOM", O_EXCL,
 * O_NOFOLLOW, `mode` less the umask). Nothing exists at `path` until
 * _commit. Free with iffa_atomicfile__free().
 * @return 0, IFFA_EINVAL (no file name), IFFA_EIO (message names `path`
 *         and the reason: "No such file or directory", "Permission
 *         denied"...), IFFA_ENOMEM
 */
int iffa_atomicfile__open(iffa_atomicfile **out, const char *path, mode_t mode, unsigned flags);

/** Append n bytes (buffered). @return 0 or IFFA_EIO ("writing PATH: reason") */
int iffa_atomicfile__write(iffa_atomicfile *f, const void *p, size_t n);

/** Append formatted text. @return 0, IFFA_EIO or IFFA_ENOMEM */
int iffa_atomicfile__printf(iffa_atomicfile *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * Flush, fsync and close the temporary file. With IFFA_ATOMICFILE_SHA256,
 * the hex SHA-256 of every byte written goes to sha256 (may be NULL).
 * @return 0 or IFFA_EIO
 */
int iffa_atomicfile__finish(iffa_atomicfile *f, char sha256[65]);

/**
 * After _finish: rename the temporary file over `path` (an older file of
 * that name is replaced in one step) and fsync the directory.
 * @return 0 or IFFA_EIO
 */
int iffa_atomicfile__commit(iffa_atomicfile *f);

/**
 * After _finish: put the file at `path` only if nothing is there (a hard
 * link, then the temporary name removed), for files that must never
 * replace another (keys). On failure nothing of this file is at `path`.
 * @return 0, IFFA_EINVAL when something is at `path` (it is left as it
 *         was; the message says so), IFFA_EIO
 */
int iffa_atomicfile__commit_new(iffa_atomicfile *f);

/** The final path (borrowed). */
const char *iffa_atomicfile__path(const iffa_atomicfile *f);

/** Remove the temporary file if it is still there, and free. Accepts NULL. */
void iffa_atomicfile__free(iffa_atomicfile *f);

/** fsync the directory holding `path` (made or renamed entries last).
 * @return 0, IFFA_EIO or IFFA_ENOMEM */
int iffa_core__fsync_parent(const char *path);

#endif
