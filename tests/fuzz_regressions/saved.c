/* See saved.h. */
#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_regressions/saved.h"

const char *saved_path(const char *harness, const char *name)
{
	static char path[1024];

	snprintf(path, sizeof(path), "%s/fuzz/%s/%s", IFFA_TEST_RESOURCES, harness, name);
	return path;
}

unsigned char *saved_read(const char *harness, const char *name, size_t *len)
{
	const char *path = saved_path(harness, name);
	FILE *f = fopen(path, "rb");
	unsigned char *data = NULL;
	size_t cap = 0, n = 0, got;

	cr_assert_not_null(f, "cannot open %s", path);
	do {
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			data = realloc(data, cap + 1);
			cr_assert_not_null(data);
		}
		got = fread(data + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	cr_assert(!ferror(f), "cannot read %s", path);
	fclose(f);
	data[n] = '\0';
	*len = n;
	return data;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **saved_names(const char *harness)
{
	char dir[1024];
	char **names = calloc(1, sizeof(*names));
	size_t n = 0;
	struct dirent *e;
	DIR *d;

	cr_assert_not_null(names);
	snprintf(dir, sizeof(dir), "%s/fuzz/%s", IFFA_TEST_RESOURCES, harness);
	if (!(d = opendir(dir)))
		return names;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		names = realloc(names, (n + 2) * sizeof(*names));
		cr_assert_not_null(names);
		names[n] = strdup(e->d_name);
		cr_assert_not_null(names[n]);
		names[++n] = NULL;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);
	return names;
}

void saved_free_names(char **names)
{
	for (size_t i = 0; names && names[i]; i++)
		free(names[i]);
	free(names);
}
