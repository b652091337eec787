/*
 * A decoder for PostgreSQL's binary COPY format, fed in pieces.
 *
 * Feed it the bytes PQgetCopyData() returns, in whatever pieces they come:
 * it calls back once per tuple with the tuple's fields, and keeps at most
 * one incomplete tuple between calls. Inside the callback the typed readers
 * (iffa_copybin__int8() ...) check each field's length and name the stream,
 * row and column in their errors.
 */
#ifndef IFFA_SRC_INGEST_COPYBIN_H
#define IFFA_SRC_INGEST_COPYBIN_H

#include <stddef.h>
#include <stdint.h>

#include "iffa/common.h"

/** One field of the current tuple; `data` is valid during the callback only. */
typedef struct {
	const unsigned char *data;
	int32_t len; /* -1 for NULL */
} iffa_copybin_field;

typedef struct iffa_copybin iffa_copybin;

/**
 * Called for each tuple. Read the fields with the typed readers.
 * @return 0 to go on, or a negative iffa error code (with the message set)
 *         that iffa_copybin__feed() returns as is
 */
typedef int (*iffa_copybin_row_cb)(iffa_copybin *d, void *payload);

struct iffa_copybin {
	const char *what;                /* stream name for messages, e.g. "transfer" */
	const char *const *columns;      /* names of the columns, for messages */
	int ncolumns;                    /* fields each tuple must have */
	iffa_copybin_row_cb row;
	void *payload;

	int state;                       /* where the stream is; see copybin.c */
	int64_t rows;                    /* tuples seen; the current one while in the callback */
	iffa_copybin_field *fields;      /* ncolumns of them, the current tuple */
	unsigned char *carry;            /* an incomplete unit kept between feeds */
	size_t carry_len, carry_cap;
};

/**
 * Set up a decoder for tuples of `ncolumns` fields named `columns` (the
 * array must outlive the decoder).
 * @return 0 or IFFA_ENOMEM
 */
int iffa_copybin__init(iffa_copybin *d, const char *what, const char *const *columns,
		       int ncolumns, iffa_copybin_row_cb row, void *payload);

/** Free the decoder's buffers. Accepts a zeroed decoder. */
void iffa_copybin__dispose(iffa_copybin *d);

/**
 * Decode the next `len` bytes of the stream, calling back for each tuple
 * they complete. Never reads outside [buf, buf + len).
 * @return 0, IFFA_EINVAL for a malformed stream (what is wrong, in which
 *         row and field), an error the callback returned, or IFFA_ENOMEM
 */
int iffa_copybin__feed(iffa_copybin *d, const void *buf, size_t len);

/**
 * The stream has ended: it must have ended just after its trailer.
 * @return 0, or IFFA_EINVAL saying where it was cut
 */
int iffa_copybin__finish(iffa_copybin *d);

/* Typed readers for column `col` of the current tuple (0-based). Each
 * refuses NULL and a length that does not fit the type, with an IFFA_EINVAL
 * naming the stream, row and column. */

/** 1 when the field is NULL. */
static inline int iffa_copybin__is_null(const iffa_copybin *d, int col)
{
	return d->fields[col].len < 0;
}

int iffa_copybin__int2(int16_t *out, const iffa_copybin *d, int col);
int iffa_copybin__int4(int32_t *out, const iffa_copybin *d, int col);
int iffa_copybin__int8(int64_t *out, const iffa_copybin *d, int col);
int iffa_copybin__float8(double *out, const iffa_copybin *d, int col);
int iffa_copybin__bool(int *out, const iffa_copybin *d, int col);

/**
 * timestamptz: PostgreSQL sends int64 µs since 2000-01-01 UTC; this gives
 * UTC µs since 1970-01-01 and refuses ±infinity.
 */
int iffa_copybin__timestamptz(int64_t *out, const iffa_copybin *d, int col);

/**
 * date: PostgreSQL sends int32 days since 2000-01-01; this gives days since
 * 1970-01-01 and refuses ±infinity.
 */
int iffa_copybin__date(int32_t *out, const iffa_copybin *d, int col);

/**
 * text, varchar, char(n): the bytes as sent (not NUL-terminated), borrowed
 * from the decoder until the callback returns.
 */
int iffa_copybin__text(const char **out, size_t *out_len, const iffa_copybin *d, int col);

/** Seconds between 1970-01-01 and 2000-01-01 (PostgreSQL's epoch). */
#define IFFA_COPYBIN_PG_EPOCH_SECS INT64_C(946684800)

#endif
