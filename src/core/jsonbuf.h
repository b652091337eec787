/*
 * A growable byte buffer with helpers to write JSON into it: list entries
 * are stored as jsonb, screening verdicts go out as JSON lines and into
 * audit_log. An allocation failure is remembered (`oom`) so that a run of
 * writes can be checked once at the end.
 */
#ifndef IFFA_SRC_CORE_JSONBUF_H
#define IFFA_SRC_CORE_JSONBUF_H

#include <stddef.h>

typedef struct {
	char *ptr;  /* NUL-terminated contents, or NULL before the first write */
	size_t len; /* bytes written, without the NUL */
	size_t cap; /* bytes allocated */
	int oom;    /* an allocation failed; contents are incomplete */
} iffa_jsonbuf;

#define IFFA_JSONBUF_INIT {NULL, 0, 0, 0}

/** Free the contents; the buffer can be used again. */
void iffa_jsonbuf__dispose(iffa_jsonbuf *b);

/** Forget the contents, keeping the allocation. */
void iffa_jsonbuf__clear(iffa_jsonbuf *b);

/** Append `n` bytes. @return 0 or IFFA_ENOMEM */
int iffa_jsonbuf__put(iffa_jsonbuf *b, const char *s, size_t n);

/** Append a NUL-terminated string. @return 0 or IFFA_ENOMEM */
int iffa_jsonbuf__puts(iffa_jsonbuf *b, const char *s);

/**
 * Append a decimal integer, without printf (the store writes millions).
 * @return 0 or IFFA_ENOMEM
 */
int iffa_jsonbuf__int(iffa_jsonbuf *b, long long v);

/** Append formatted text. @return 0 or IFFA_ENOMEM */
int iffa_jsonbuf__printf(iffa_jsonbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * Append `s` as a JSON string literal (quotes, escapes), or `null` when `s`
 * is NULL. `s` must be valid UTF-8; it is copied as UTF-8, control
 * characters escaped. @return 0 or IFFA_ENOMEM
 */
int iffa_jsonbuf__str(iffa_jsonbuf *b, const char *s);

/** Append `"key":` followed by iffa_jsonbuf__str(value). */
int iffa_jsonbuf__kv(iffa_jsonbuf *b, const char *key, const char *value);

/**
 * Append `s` as one CSV field (RFC 4180): quoted when it holds a comma,
 * quote, CR or LF, quotes doubled. NULL writes nothing.
 */
int iffa_jsonbuf__csv(iffa_jsonbuf *b, const char *s);

/**
 * Append `n` bytes of `s` as one field of PostgreSQL's COPY text format
 * (backslash, tab, newline and carriage return escaped), or `\N` (NULL)
 * when `s` is NULL. @return 0 or IFFA_ENOMEM
 */
int iffa_jsonbuf__copyfield(iffa_jsonbuf *b, const char *s, size_t n);

#endif
