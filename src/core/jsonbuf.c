/* See jsonbuf.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonbuf.h"
#include "iffa/common.h"

static int grow(iffa_jsonbuf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (b->oom)
		return IFFA_ENOMEM;
	if (extra > (size_t)-1 / 2 - b->len) {
		b->oom = 1;
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	}
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	p = realloc(b->ptr, cap);
	if (!p) {
		b->oom = 1;
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	}
	b->ptr = p;
	b->cap = cap;
	return 0;
}

void iffa_jsonbuf__dispose(iffa_jsonbuf *b)
{
	free(b->ptr);
	b->ptr = NULL;
	b->len = b->cap = 0;
	b->oom = 0;
}

void iffa_jsonbuf__clear(iffa_jsonbuf *b)
{
	b->len = 0;
	b->oom = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
}

int iffa_jsonbuf__put(iffa_jsonbuf *b, const char *s, size_t n)
{
	int error = grow(b, n);

	if (error < 0)
		return error;
	memcpy(b->ptr + b->len, s, n);
	b->len += n;
	b->ptr[b->len] = '\0';
	return 0;
}

int iffa_jsonbuf__puts(iffa_jsonbuf *b, const char *s)
{
	return iffa_jsonbuf__put(b, s, strlen(s));
}

int iffa_jsonbuf__int(iffa_jsonbuf *b, long long v)
{
	char d[24], *p = d + sizeof(d);
	unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;

	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	return iffa_jsonbuf__put(b, p, (size_t)(d + sizeof(d) - p));
}

int iffa_jsonbuf__printf(iffa_jsonbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n, error;

	/* Formatted once where it fits (nearly always: the buffer grows by
	 * doubling), twice only to learn how much room it takes. */
	if ((error = grow(b, 64)) < 0)
		return error;
	va_start(ap, fmt);
	n = vsnprintf(b->ptr + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->ptr[b->len] = '\0';
		return iffa_error_set(IFFA_ERROR, "formatting text failed");
	}
	if ((size_t)n >= b->cap - b->len) {
		if ((error = grow(b, (size_t)n)) < 0) {
			b->ptr[b->len] = '\0';
			return error;
		}
		va_start(ap, fmt);
		vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
	return 0;
}

int iffa_jsonbuf__str(iffa_jsonbuf *b, const char *s)
{
	const char *run;
	int error;

	if (!s)
		return iffa_jsonbuf__puts(b, "null");
	if ((error = iffa_jsonbuf__put(b, "\"", 1)) < 0)
		return error;
	run = s;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[8];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		if ((error = iffa_jsonbuf__put(b, run, (size_t)(s - run))) < 0)
			return error;
		switch (c) {
		case '"': strcpy(esc, "\\\""); break;
		case '\\': strcpy(esc, "\\\\"); break;
		case '\n': strcpy(esc, "\\n"); break;
		case '\r': strcpy(esc, "\\r"); break;
		case '\t': strcpy(esc, "\\t"); break;
		default: snprintf(esc, sizeof(esc), "\\u%04x", c); break;
		}
		if ((error = iffa_jsonbuf__puts(b, esc)) < 0)
			return error;
		run = s + 1;
	}
	if ((error = iffa_jsonbuf__put(b, run, (size_t)(s - run))) < 0)
		return error;
	return iffa_jsonbuf__put(b, "\"", 1);
}

int iffa_jsonbuf__kv(iffa_jsonbuf *b, const char *key, const char *value)
{
	int error;

	if ((error = iffa_jsonbuf__str(b, key)) < 0 || (error = iffa_jsonbuf__put(b, ":", 1)) < 0)
		return error;
	return iffa_jsonbuf__str(b, value);
}

int iffa_jsonbuf__csv(iffa_jsonbuf *b, const char *s)
{
	int error;

	if (!s)
		return 0;
	if (!strpbrk(s, ",\"\r\n"))
		return iffa_jsonbuf__puts(b, s);
	if ((error = iffa_jsonbuf__put(b, "\"", 1)) < 0)
		return error;
	for (; *s; s++)
		if ((error = iffa_jsonbuf__put(b, s, 1)) < 0 ||
		    (*s == '"' && (error = iffa_jsonbuf__put(b, "\"", 1)) < 0))
			return error;
	return iffa_jsonbuf__put(b, "\"", 1);
}

int iffa_jsonbuf__copyfield(iffa_jsonbuf *b, const char *s, size_t n)
{
	const char *run, *end;
	int error;

	if (!s)
		return iffa_jsonbuf__put(b, "\\N", 2);
	run = s;
	end = s + n;
	for (; s < end; s++) {
		char esc[2] = {'\\', 0};
		switch (*s) {
		case '\\': esc[1] = '\\'; break;
		case '\t': esc[1] = 't'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		default: continue;
		}
		if ((error = iffa_jsonbuf__put(b, run, (size_t)(s - run))) < 0 ||
		    (error = iffa_jsonbuf__put(b, esc, 2)) < 0)
			return error;
		run = s + 1;
	}
	return iffa_jsonbuf__put(b, run, (size_t)(s - run));
}
