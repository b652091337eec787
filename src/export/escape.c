/*
 * Escaping for every format the export and the report write. Names and
 * references come from the data and may hold anything a loader accepts:
 * quotes, angle brackets, backslashes, a leading "=", tabs and line
 * breaks. Each writer passes them through one of these, never raw.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "export/case.h"

/* Call put(b, piece, n) for each piece of `s`: valid UTF-8 runs as they are,
 * control characters as a space, bad bytes as U+FFFD. */
typedef int (*put_fn)(iffa_jsonbuf *b, const char *p, size_t n);

static int each(iffa_jsonbuf *b, const char *s, put_fn put)
{
	size_t len = s ? strlen(s) : 0, i = 0;
	int error = 0;

	while (i < len && error == 0) {
		uint32_t cp;
		size_t n = iffa_utf8__decode(&cp, (const unsigned char *)s + i, len - i);
		if (n == 0) {
			error = put(b, "\xef\xbf\xbd", 3);
			i++;
		} else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
			error = put(b, " ", 1);
			i += n;
		} else {
			error = put(b, s + i, n);
			i += n;
		}
	}
	return error;
}

static int put_plain(iffa_jsonbuf *b, const char *p, size_t n)
{
	return iffa_jsonbuf__put(b, p, n);
}

static int put_xml(iffa_jsonbuf *b, const char *p, size_t n)
{
	if (n == 1) {
		switch (*p) {
		case '&': return iffa_jsonbuf__puts(b, "&amp;");
		case '<': return iffa_jsonbuf__puts(b, "&lt;");
		case '>': return iffa_jsonbuf__puts(b, "&gt;");
		case '"': return iffa_jsonbuf__puts(b, "&quot;");
		case '\'': return iffa_jsonbuf__puts(b, "&#39;");
		default: break;
		}
	}
	return iffa_jsonbuf__put(b, p, n);
}

static int put_dot(iffa_jsonbuf *b, const char *p, size_t n)
{
	if (n == 1 && (*p == '"' || *p == '\\')) {
		char esc[2] = {'\\', *p};
		return iffa_jsonbuf__put(b, esc, 2);
	}
	return iffa_jsonbuf__put(b, p, n);
}

static int put_csv(iffa_jsonbuf *b, const char *p, size_t n)
{
	if (n == 1 && *p == '"')
		return iffa_jsonbuf__put(b, "\"\"", 2);
	return iffa_jsonbuf__put(b, p, n);
}

int iffa_case__xml(iffa_jsonbuf *b, const char *s)
{
	return each(b, s, put_xml);
}

int iffa_case__dot(iffa_jsonbuf *b, const char *s)
{
	return each(b, s, put_dot);
}

int iffa_case__csv(iffa_jsonbuf *b, const char *s)
{
	int error = iffa_jsonbuf__put(b, "\"", 1);

	/* OWASP's advice for CSV injection: a leading quote makes the cell text.
	 * The tab and CR are tested on the raw byte, before they become spaces. */
	if (s && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' ||
		  s[0] == '\r'))
		error = iffa_jsonbuf__put(b, "'", 1);
	if (!error)
		error = each(b, s, put_csv);
	return error ? error : iffa_jsonbuf__put(b, "\"", 1);
}

char *iffa_case__clean(const char *s)
{
	iffa_jsonbuf b = IFFA_JSONBUF_INIT;

	if (each(&b, s, put_plain) < 0 || iffa_jsonbuf__put(&b, "", 0) < 0 || b.oom) {
		iffa_jsonbuf__dispose(&b);
		return NULL;
	}
	if (!b.ptr)
		return strdup("");
	return b.ptr;
}
