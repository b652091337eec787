/*
 * iffa/common.h: error codes, the last-error channel and the version.
 *
 * Functions of the library that can fail return an int: 0 on success,
 * IFFA_ERROR (-1) for a general failure, or one of the named codes below
 * for failures a caller may want to handle. The message describing the
 * most recent failure on the calling thread is kept by iffa_error_last().
 */
#ifndef IFFA_COMMON_H
#define IFFA_COMMON_H

#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Return codes shared by every module. */
typedef enum {
	IFFA_OK = 0,
	IFFA_ERROR = -1,     /**< general failure; see iffa_error_last() */
	IFFA_ENOTFOUND = -2, /**< a requested object does not exist */
	IFFA_EINVAL = -3,    /**< invalid input: arguments, file contents */
	IFFA_EDB = -4,       /**< the database refused or failed */
	IFFA_EIO = -5,       /**< reading or writing a file failed */
	IFFA_ENOMEM = -6     /**< out of memory */
} iffa_error_code;

/**
 * Record a formatted message as the calling thread's last error and return
 * `code`, so that `return iffa_error_set(IFFA_EINVAL, "...")` reads well.
 */
int iffa_error_set(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** Same as iffa_error_set() with a va_list. */
int iffa_error_setv(int code, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/**
 * Message of the last failure on this thread, or "no error". The pointer is
 * borrowed: it stays valid until the next iffa call on this thread.
 */
const char *iffa_error_last(void);

/** Code passed with the last message, or IFFA_OK. */
int iffa_error_last_code(void);

/** Forget the last error. */
void iffa_error_clear(void);

/** Library version as "MAJOR.MINOR.PATCH" (static string). */
const char *iffa_version(void);

/**
 * Set up process-wide state the library needs: igraph's error handler is
 * replaced so that igraph errors return to the caller instead of aborting,
 * and igraph's warnings go to the iffa error channel. Call once at start-up,
 * before any other iffa function; safe to call more than once.
 */
void iffa_init(void);

#ifdef __cplusplus
}
#endif
#endif
