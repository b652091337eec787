/*
 * The CSV reader of the load module: one record at a time from a FILE,
 * RFC 4180, strict about encoding and framing (see csv.c).
 */
#ifndef IFFA_SRC_LOAD_CSV_H
#define IFFA_SRC_LOAD_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "iffa/common.h"

/* A record longer than this (content bytes plus one per field) is refused. */
#define IFFA_LOAD__CSV_MAX_RECORD 65536

typedef struct iffa_load__csv iffa_load__csv;

/**
 * Start reading `in` (borrowed; the caller closes it). `name` (borrowed,
 * must outlive the reader) prefixes messages. Free with
 * iffa_load__csv_free().
 * @return 0 or IFFA_ENOMEM
 */
int iffa_load__csv_new(iffa_load__csv **out, FILE *in, const char *name);

void iffa_load__csv_free(iffa_load__csv *r);

/**
 * Read the next record. Blank lines are skipped.
 * @return 1 when a record was read, 0 at the end of the file, IFFA_EINVAL
 *         for malformed input (NUL byte, invalid UTF-8, unterminated quote,
 *         stray quote, lone carriage return, oversize record, UTF-16) or
 *         IFFA_EIO for a read error; after an error the reader stays failed.
 *         The message ("name:line: reason") is in iffa_error_last() and,
 *         without the prefix, in iffa_load__csv_error().
 */
int iffa_load__csv_next(iffa_load__csv *r);

/* Fields of the current record. A field is NUL-terminated and holds no NUL. */
size_t iffa_load__csv_count(const iffa_load__csv *r);
const char *iffa_load__csv_field(const iffa_load__csv *r, size_t i, size_t *len);

/* Physical line (1-based) on which the current record starts. */
long long iffa_load__csv_line(const iffa_load__csv *r);

/*
 * 1 when the current record ended at the end of the file with no line end
 * after it: RFC 4180 allows that, but it is also what a file cut short
 * looks like, so the loader refuses such a row (see load.c).
 */
int iffa_load__csv_unterminated(const iffa_load__csv *r);

/*
 * Column names used in encoding messages ("field amount" rather than
 * "column 3"); borrowed, must outlive the reader. Optional.
 */
void iffa_load__csv_set_names(iffa_load__csv *r, const char *const *names, size_t n);

/* After an error: the reason without "name:line: ", and its line. */
const char *iffa_load__csv_error(const iffa_load__csv *r, long long *line);

/*
 * SHA-256 (hex) of every byte read. Valid once iffa_load__csv_next()
 * returned 0; IFFA_ERROR before that.
 */
int iffa_load__csv_sha256(iffa_load__csv *r, char out[65]);

/*
 * Check that s[0..len) is well-formed UTF-8 (no overlong forms, no
 * surrogates, nothing above U+10FFFF). Returns 1 if so, else 0 with the
 * offset of the first bad byte in *bad.
 */
int iffa_load__utf8_valid(const unsigned char *s, size_t len, size_t *bad);

#endif
