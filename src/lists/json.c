/* See json.h. Recursive descent, depth capped at IFFA_JSON__MAX_DEPTH. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "iffa/common.h"
#include "lists/json.h"

typedef struct {
	iffa_json__doc *d;
	const unsigned char *s;
	size_t len, at;
} parser;

static int fail(parser *p, const char *what)
{
	return iffa_error_set(IFFA_EINVAL, "%s", what);
}

static void ws(parser *p)
{
	while (p->at < p->len && (p->s[p->at] == ' ' || p->s[p->at] == '\t' ||
				  p->s[p->at] == '\n' || p->s[p->at] == '\r'))
		p->at++;
}

static int new_node(parser *p, int type, int *out)
{
	iffa_json__doc *d = p->d;

	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;
		iffa_json__node *n = realloc(d->nodes, cap * sizeof(*n));
		if (!n)
			return iffa_error_set(IFFA_ENOMEM, "out of memory");
		d->nodes = n;
		d->cap = cap;
	}
	memset(&d->nodes[d->n], 0, sizeof(d->nodes[0]));
	d->nodes[d->n].type = type;
	d->nodes[d->n].key = (size_t)-1;
	d->nodes[d->n].first = d->nodes[d->n].next = -1;
	*out = (int)d->n++;
	return 0;
}

static int put(parser *p, const char *s, size_t n)
{
	iffa_json__doc *d = p->d;

	if (d->nchars + n + 1 > d->chars_cap) {
		size_t cap = d->chars_cap ? d->chars_cap : 256;
		char *c;
		while (cap < d->nchars + n + 1)
			cap *= 2;
		if (!(c = realloc(d->chars, cap)))
			return iffa_error_set(IFFA_ENOMEM, "out of memory");
		d->chars = c;
		d->chars_cap = cap;
	}
	memcpy(d->chars + d->nchars, s, n);
	d->nchars += n;
	return 0;
}

static int hex4(parser *p, uint32_t *out)
{
	uint32_t v = 0;

	if (p->at + 4 > p->len)
		return fail(p, "truncated \\u escape");
	for (int i = 0; i < 4; i++) {
		unsigned char c = p->s[p->at++];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return fail(p, "bad \\u escape");
	}
	*out = v;
	return 0;
}

/* A string literal; its decoded text is appended to chars, NUL-ended. */
static int string(parser *p, size_t *out)
{
	int error;

	*out = p->d->nchars;
	p->at++; /* opening quote */
	for (;;) {
		size_t run = p->at;
		while (p->at < p->len && p->s[p->at] != '"' && p->s[p->at] != '\\' &&
		       p->s[p->at] >= 0x20)
			p->at++;
		if (!iffa_utf8__valid((const char *)p->s + run, p->at - run, NULL))
			return fail(p, "string is not valid UTF-8");
		if ((error = put(p, (const char *)p->s + run, p->at - run)) < 0)
			return error;
		if (p->at >= p->len)
			return fail(p, "unterminated string");
		if (p->s[p->at] == '"') {
			p->at++;
			return put(p, "", 1);
		}
		if (p->s[p->at] < 0x20)
			return fail(p, "control character in string");
		/* escape */
		p->at++;
		if (p->at >= p->len)
			return fail(p, "unterminated string");
		{
			unsigned char c = p->s[p->at++];
			char one;
			uint32_t cp, lo;
			char buf[4];
			switch (c) {
			case '"': case '\\': case '/':
				one = (char)c;
				break;
			case 'b': one = '\b'; break;
			case 'f': one = '\f'; break;
			case 'n': one = '\n'; break;
			case 'r': one = '\r'; break;
			case 't': one = '\t'; break;
			case 'u':
				if ((error = hex4(p, &cp)) < 0)
					return error;
				if (cp >= 0xd800 && cp <= 0xdbff) {
					if (p->at + 2 > p->len || p->s[p->at] != '\\' ||
					    p->s[p->at + 1] != 'u')
						return fail(p, "lone surrogate in \\u escape");
					p->at += 2;
					if ((error = hex4(p, &lo)) < 0)
						return error;
					if (lo < 0xdc00 || lo > 0xdfff)
						return fail(p, "bad surrogate pair in \\u escape");
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				} else if (cp >= 0xdc00 && cp <= 0xdfff) {
					return fail(p, "lone surrogate in \\u escape");
				}
				if (cp == 0)
					return fail(p, "\\u0000 in string");
				if ((error = put(p, buf, iffa_utf8__encode(buf, cp))) < 0)
					return error;
				continue;
			default:
				return fail(p, "bad escape in string");
			}
			if ((error = put(p, &one, 1)) < 0)
				return error;
		}
	}
}

static int value(parser *p, int *out, int depth);

static int container(parser *p, int *out, int depth, int object)
{
	int error, node, last = -1;
	char close = object ? '}' : ']';

	if (depth >= IFFA_JSON__MAX_DEPTH)
		return fail(p, "nested deeper than 32 levels");
	if ((error = new_node(p, object ? IFFA_JSON_OBJECT : IFFA_JSON_ARRAY, &node)) < 0)
		return error;
	*out = node;
	p->at++;
	ws(p);
	if (p->at < p->len && p->s[p->at] == close) {
		p->at++;
		return 0;
	}
	for (;;) {
		size_t key = (size_t)-1;
		int child;
		ws(p);
		if (object) {
			if (p->at >= p->len || p->s[p->at] != '"')
				return fail(p, "expected a member name");
			if ((error = string(p, &key)) < 0)
				return error;
			ws(p);
			if (p->at >= p->len || p->s[p->at] != ':')
				return fail(p, "expected ':'");
			p->at++;
		}
		if ((error = value(p, &child, depth + 1)) < 0)
			return error;
		p->d->nodes[child].key = key;
		if (last < 0)
			p->d->nodes[node].first = child;
		else
			p->d->nodes[last].next = child;
		last = child;
		ws(p);
		if (p->at < p->len && p->s[p->at] == ',') {
			p->at++;
			continue;
		}
		if (p->at < p->len && p->s[p->at] == close) {
			p->at++;
			return 0;
		}
		return fail(p, object ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static int literal(parser *p, const char *word, int type, int *out)
{
	size_t n = strlen(word);

	if (p->len - p->at < n || memcmp(p->s + p->at, word, n) != 0)
		return fail(p, "unexpected character");
	p->at += n;
	return new_node(p, type, out);
}

static int number(parser *p, int *out)
{
	size_t start = p->at;
	int error;

	if (p->s[p->at] == '-')
		p->at++;
	if (p->at >= p->len || !(p->s[p->at] >= '0' && p->s[p->at] <= '9'))
		return fail(p, "bad number");
	if (p->s[p->at] == '0')
		p->at++;
	else
		while (p->at < p->len && p->s[p->at] >= '0' && p->s[p->at] <= '9')
			p->at++;
	if (p->at < p->len && p->s[p->at] == '.') {
		p->at++;
		if (p->at >= p->len || !(p->s[p->at] >= '0' && p->s[p->at] <= '9'))
			return fail(p, "bad number");
		while (p->at < p->len && p->s[p->at] >= '0' && p->s[p->at] <= '9')
			p->at++;
	}
	if (p->at < p->len && (p->s[p->at] == 'e' || p->s[p->at] == 'E')) {
		p->at++;
		if (p->at < p->len && (p->s[p->at] == '+' || p->s[p->at] == '-'))
			p->at++;
		if (p->at >= p->len || !(p->s[p->at] >= '0' && p->s[p->at] <= '9'))
			return fail(p, "bad number");
		while (p->at < p->len && p->s[p->at] >= '0' && p->s[p->at] <= '9')
			p->at++;
	}
	if ((error = new_node(p, IFFA_JSON_NUMBER, out)) < 0)
		return error;
	p->d->nodes[*out].str = p->d->nchars;
	if ((error = put(p, (const char *)p->s + start, p->at - start)) < 0)
		return error;
	return put(p, "", 1);
}

static int value(parser *p, int *out, int depth)
{
	int error;
	size_t str;

	ws(p);
	if (p->at >= p->len)
		return fail(p, "unexpected end of line");
	switch (p->s[p->at]) {
	case '{':
		return container(p, out, depth, 1);
	case '[':
		return container(p, out, depth, 0);
	case '"':
		if ((error = new_node(p, IFFA_JSON_STRING, out)) < 0)
			return error;
		if ((error = string(p, &str)) < 0)
			return error;
		p->d->nodes[*out].str = str;
		return 0;
	case 't':
		return literal(p, "true", IFFA_JSON_TRUE, out);
	case 'f':
		return literal(p, "false", IFFA_JSON_FALSE, out);
	case 'n':
		return literal(p, "null", IFFA_JSON_NULL, out);
	default:
		return number(p, out);
	}
}

void iffa_json__dispose(iffa_json__doc *d)
{
	free(d->nodes);
	free(d->chars);
	memset(d, 0, sizeof(*d));
}

int iffa_json__parse(iffa_json__doc *d, const char *text, size_t len, size_t *err_col)
{
	parser p = {d, (const unsigned char *)text, len, 0};
	int error, root;

	d->n = 0;
	d->nchars = 0;
	*err_col = 0;
	if ((error = value(&p, &root, 0)) < 0) {
		*err_col = p.at + 1;
		return error;
	}
	ws(&p);
	if (p.at != len) {
		*err_col = p.at + 1;
		return iffa_error_set(IFFA_EINVAL, "text after the JSON value");
	}
	return 0;
}

int iffa_json__get(const iffa_json__doc *d, int obj, const char *name)
{
	if (obj < 0 || d->nodes[obj].type != IFFA_JSON_OBJECT)
		return -1;
	for (int c = d->nodes[obj].first; c >= 0; c = d->nodes[c].next)
		if (d->nodes[c].key != (size_t)-1 && strcmp(d->chars + d->nodes[c].key, name) == 0)
			return c;
	return -1;
}

const char *iffa_json__str(const iffa_json__doc *d, int node)
{
	if (node < 0 || d->nodes[node].type != IFFA_JSON_STRING)
		return NULL;
	return d->chars + d->nodes[node].str;
}
