/*
 * An RFC 4180 record reader over a file held in memory, with physical
 * line numbers for messages (the rules of docs/FORMATS.md): used by the
 * list reader (src/lists/csv.c) and batch screening (src/screen/batch.c).
 */
#ifndef IFFA_SRC_CORE_CSVREC_H
#define IFFA_SRC_CORE_CSVREC_H

#include <stddef.h>

typedef struct {
	const char *path;   /* for messages */
	const char *s;      /* the file's bytes (borrowed) */
	size_t len, at;
	long line;          /* physical line where the next record starts */
	long record_line;   /* physical line where the current record started */
	char **fields;      /* fields of the current record */
	int nfields, cap;
	size_t max_field;   /* bytes */
	int max_fields;     /* fields in one record */
} iffa_csvrec;

/**
 * Read a whole file (at most `max` bytes), check it is UTF-8 without NUL
 * bytes, and skip a UTF-8 byte-order mark.
 * @param out  receives the bytes, NUL-terminated (free them)
 * @return 0, IFFA_EIO, IFFA_EINVAL (too large, not UTF-8: line named)
 */
int iffa_csvrec__read_file(char **out, size_t *out_len, const char *path, size_t max);

void iffa_csvrec__init(iffa_csvrec *c, const char *path, const char *data, size_t len);
void iffa_csvrec__dispose(iffa_csvrec *c);

/**
 * Read the next record into c->fields. A field holds at most max_field
 * bytes (default 4,000) and a record at most max_fields fields (default
 * 256). Each field has a buffer of max_field bytes, so the bound on
 * fields is what keeps a record at about 1 MB whatever its line holds.
 * @return 1 read, 0 at the end, IFFA_EINVAL (file and line named), IFFA_ENOMEM
 */
int iffa_csvrec__next(iffa_csvrec *c);

#endif
