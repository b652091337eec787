/*
 * The list readers on hostile files built in the test: the gaps found while
 * writing the fuzz harnesses (tests/fuzz/), where a crafted file was read
 * wrongly, cost memory out of all proportion, or reached libxml2 with a DTD.
 */
#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lists/lists.h"

static char path[256];

/* Write `len` bytes to a fresh temporary file; its path is in `path`. */
static const char *temp_file(const char *bytes, size_t len)
{
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	int fd;

	snprintf(path, sizeof(path), "%s/iffa-hostile-XXXXXX", dir);
	fd = mkstemp(path);
	cr_assert_geq(fd, 0, "mkstemp %s", path);
	cr_assert_eq(write(fd, bytes, len), (ssize_t)len);
	close(fd);
	return path;
}

static int read_list(iffa_lists__parsed *p, const char *format, const char *bytes, size_t len)
{
	int error;

	iffa_lists__parsed_init(p, temp_file(bytes, len), format);
	error = strcmp(format, "un-xml") == 0 ? iffa_lists__read_un_xml(p)
		: strcmp(format, "ftm") == 0  ? iffa_lists__read_ftm(p)
					      : iffa_lists__read_csv(p);
	unlink(path);
	return error;
}

/* A line of commas used to cost 4 KB a comma: 1 MB of them, 4 GB. */
Test(lists_hostile, a_record_of_too_many_fields_is_refused_before_it_costs_memory)
{
	static const char header[] = "reference,kind,name\n";
	size_t n = sizeof(header) - 1 + 100000 + 1;
	char *text = malloc(n);
	iffa_lists__parsed p;

	cr_assert_not_null(text);
	memcpy(text, header, sizeof(header) - 1);
	memset(text + sizeof(header) - 1, ',', 100000);
	text[n - 1] = '\n';
	cr_assert_eq(read_list(&p, "csv", text, n), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), ":2: more than 256 fields in a record"), "%s",
		  iffa_error_last());
	iffa_lists__parsed_dispose(&p);
	free(text);
}
