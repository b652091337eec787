/*
 * A growable byte buffer for the load module: COPY data on its way to the
 * server and SQL generated from the kind specs. Grows by doubling, so a
 * load of a million rows reuses the same memory block after the first few.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load/load.h"

int iffa_load__buf_grow(iffa_load__buf *b, size_t more)
{
	size_t cap;
	char *p;

	if (b->len + more + 1 <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + more + 1) {
		if (cap > ((size_t)-1) / 2)
			return iffa_error_set(IFFA_ENOMEM, "out of memory");
		cap *= 2;
	}
	if (!(p = realloc(b->ptr, cap)))
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	b->ptr = p;
	b->cap = cap;
	return 0;
}

int iffa_load__buf_put(iffa_load__buf *b, const char *s, size_t n)
{
	int error;

	if ((error = iffa_load__buf_grow(b, n)) < 0)
		return error;
	memcpy(b->ptr + b->len, s, n);
	b->len += n;
	b->ptr[b->len] = '\0';
	return 0;
}

int iffa_load__buf_puts(iffa_load__buf *b, const char *s)
{
	return iffa_load__buf_put(b, s, strlen(s));
}

int iffa_load__buf_printf(iffa_load__buf *b, const char *fmt, ...)
{
	va_list ap;
	int n, error;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return iffa_error_set(IFFA_ERROR, "formatting failed");
	if ((error = iffa_load__buf_grow(b, (size_t)n)) < 0)
		return error;
	va_start(ap, fmt);
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

int iffa_load__buf_copy_text(iffa_load__buf *b, const char *s, size_t n)
{
	int error;
	char *o;

	/* Escaping at most doubles the length. */
	if ((error = iffa_load__buf_grow(b, 2 * n)) < 0)
		return error;
	o = b->ptr + b->len;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		switch (c) {
		case '\\': *o++ = '\\'; *o++ = '\\'; break;
		case '\t': *o++ = '\\'; *o++ = 't'; break;
		case '\n': *o++ = '\\'; *o++ = 'n'; break;
		case '\r': *o++ = '\\'; *o++ = 'r'; break;
		default: *o++ = c;
		}
	}
	b->len = (size_t)(o - b->ptr);
	b->ptr[b->len] = '\0';
	return 0;
}

void iffa_load__buf_clear(iffa_load__buf *b)
{
	b->len = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
}

void iffa_load__buf_dispose(iffa_load__buf *b)
{
	free(b->ptr);
	b->ptr = NULL;
	b->len = b->cap = 0;
}
