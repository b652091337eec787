/* Test support: CSV tables, string sets and temporary directories. */
#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support/csvtable.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	cr_assert_not_null(f, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Parse one field at *p; returns a new string, sets *end to the char
 * after it (',' or '\n' or '\0'). */
static char *field(const char *p, const char **end)
{
	size_t cap = 32, n = 0;
	char *out = malloc(cap);

	cr_assert_not_null(out);
	if (*p == '"') {
		p++;
		for (;;) {
			cr_assert(*p != '\0', "unterminated quoted field");
			if (*p == '"' && p[1] == '"') {
				p += 2;
				out[n++] = '"';
			} else if (*p == '"') {
				p++;
				break;
			} else {
				out[n++] = *p++;
			}
			if (n + 1 >= cap)
				out = realloc(out, cap *= 2);
		}
	} else {
		while (*p && *p != ',' && *p != '\n' && *p != '\r') {
			out[n++] = *p++;
			if (n + 1 >= cap)
				out = realloc(out, cap *= 2);
		}
	}
	out[n] = '\0';
	if (*p == '\r')
		p++;
	*end = p;
	return out;
}

void csvtable_read(csvtable *t, const char *dir, const char *name)
{
	char path[4096];
	size_t len, cap = 1024, ncells = 0, col = 0;
	char *buf, **cells;
	const char *p;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	buf = slurp(path, &len);
	cells = malloc(cap * sizeof(*cells));
	memset(t, 0, sizeof(*t));
	p = buf;
	while (*p) {
		const char *end;
		char *f = field(p, &end);

		if (ncells == cap)
			cells = realloc(cells, (cap *= 2) * sizeof(*cells));
		cells[ncells++] = f;
		col++;
		if (*end == ',') {
			p = end + 1;
			continue;
		}
		cr_assert(*end == '\n' || *end == '\0', "%s: bad character after a field", name);
		if (t->ncols == 0)
			t->ncols = col;
		cr_assert_eq(col, t->ncols, "%s: row %zu has %zu fields, header %zu", name,
			     ncells / t->ncols, col, t->ncols);
		col = 0;
		p = *end ? end + 1 : end;
	}
	cr_assert_eq(col, 0, "%s: last line not ended", name);
	t->header = cells;
	t->cell = cells + t->ncols;
	t->nrows = t->ncols ? ncells / t->ncols - 1 : 0;
	free(buf);
}

void csvtable_free(csvtable *t)
{
	size_t n = (t->nrows + 1) * t->ncols;

	for (size_t i = 0; i < n; i++)
		free(t->header[i]);
	free(t->header);
	memset(t, 0, sizeof(*t));
}

size_t csvtable_col(const csvtable *t, const char *name)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (strcmp(t->header[i], name) == 0)
			return i;
	cr_assert_fail("no column %s", name);
	return 0;
}

void strset_add(strset *s, const char *v)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->item = realloc(s->item, s->cap * sizeof(*s->item));
		cr_assert_not_null(s->item);
	}
	s->item[s->n++] = v;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void strset_sort(strset *s)
{
	qsort(s->item, s->n, sizeof(*s->item), cmp);
}

int strset_has(const strset *s, const char *v)
{
	return s->n && bsearch(&v, s->item, s->n, sizeof(*s->item), cmp) != NULL;
}

void strset_free(strset *s)
{
	free(s->item);
	memset(s, 0, sizeof(*s));
}

void testdir_make(char *buf, size_t size, const char *tag)
{
	snprintf(buf, size, "/tmp/iffa-test-%s-XXXXXX", tag);
	cr_assert_not_null(mkdtemp(buf), "mkdtemp %s", buf);
}

void testdir_remove(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		remove(path);
	}
	closedir(d);
	rmdir(dir);
}

int files_equal(const char *a, const char *b)
{
	size_t la, lb;
	char *x = slurp(a, &la), *y = slurp(b, &lb);
	int same = la == lb && memcmp(x, y, la) == 0;

	free(x);
	free(y);
	return same;
}
