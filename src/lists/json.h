/*
 * A small JSON reader (RFC 8259) for one FollowTheMoney entity per line:
 * the whole value goes into a flat array of nodes. Written by hand rather
 * than taking a JSON library: a line is a small object of which iffa reads
 * a few string arrays, and the reader's limits (nesting depth, string and
 * line length) and error messages (byte column) are ours to choose.
 */
#ifndef IFFA_SRC_LISTS_JSON_H
#define IFFA_SRC_LISTS_JSON_H

#include <stddef.h>

typedef enum { IFFA_JSON_NULL, IFFA_JSON_FALSE, IFFA_JSON_TRUE, IFFA_JSON_NUMBER,
	       IFFA_JSON_STRING, IFFA_JSON_ARRAY, IFFA_JSON_OBJECT } iffa_json__type;

typedef struct {
	int type;      /* iffa_json__type */
	size_t key;    /* offset of the member name in chars, or (size_t)-1 */
	size_t str;    /* offset of the string (or number text) in chars */
	int first;     /* first child (arrays, objects), -1 if none */
	int next;      /* next sibling, -1 if none */
} iffa_json__node;

typedef struct {
	iffa_json__node *nodes;
	size_t n, cap;
	char *chars;   /* decoded strings, NUL-separated */
	size_t nchars, chars_cap;
} iffa_json__doc;

#define IFFA_JSON__MAX_DEPTH 32

void iffa_json__dispose(iffa_json__doc *d);

/**
 * Parse `len` bytes as one JSON value (surrounding white space allowed).
 * Node 0 is the root.
 * @param err_col  receives the byte column (1-based) of an error
 * @return 0, IFFA_EINVAL with a message (without file and line), IFFA_ENOMEM
 */
int iffa_json__parse(iffa_json__doc *d, const char *text, size_t len, size_t *err_col);

/** Member `name` of object node `obj`, or -1. */
int iffa_json__get(const iffa_json__doc *d, int obj, const char *name);

/** String of a string node, or NULL for other types. */
const char *iffa_json__str(const iffa_json__doc *d, int node);

#endif
