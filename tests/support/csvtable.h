/*
 * Test support: read a whole RFC 4180 CSV file (as docs/FORMATS.md defines
 * it) into memory, find columns by name, and look strings up in sorted
 * sets. For checking files that iffa writes; not for large inputs.
 */
#ifndef IFFA_TESTS_SUPPORT_CSVTABLE_H
#define IFFA_TESTS_SUPPORT_CSVTABLE_H

#include <stddef.h>

typedef struct {
	char **cell;    /* nrows * ncols fields, row-major, header excluded */
	char **header;  /* ncols names */
	size_t nrows, ncols;
} csvtable;

/* Read `dir`/`name`; aborts the test when the file is missing or a row has
 * the wrong number of fields. */
void csvtable_read(csvtable *t, const char *dir, const char *name);
void csvtable_free(csvtable *t);

/* Index of the column named `name`; aborts the test when there is none. */
size_t csvtable_col(const csvtable *t, const char *name);

static inline const char *csvtable_get(const csvtable *t, size_t row, size_t col)
{
	return t->cell[row * t->ncols + col];
}

/* A sorted set of strings (borrowed pointers). */
typedef struct {
	const char **item;
	size_t n, cap;
} strset;

void strset_add(strset *s, const char *v);
void strset_sort(strset *s);   /* call once before strset_has */
int strset_has(const strset *s, const char *v);
void strset_free(strset *s);

/* Make a fresh temporary directory under /tmp (path into buf) and remove
 * it with every file in it. */
void testdir_make(char *buf, size_t size, const char *tag);
void testdir_remove(const char *dir);

/* 1 when two files have the same bytes. */
int files_equal(const char *a, const char *b);

#endif
