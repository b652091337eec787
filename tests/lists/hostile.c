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

/*
 * The prolog check read 64 KiB and took a "<" at the very end of them for
 * the root element, so a DOCTYPE after 64 KiB of comments reached libxml2,
 * which parses the internal subset before the reader reports it.
 */
Test(lists_hostile, a_doctype_past_a_64_kib_prolog_is_refused_before_libxml2)
{
	static const char decl[] = "<?xml version=\"1.0\"?>\n<!--";
	static const char rest[] = "<!DOCTYPE CONSOLIDATED_LIST [<!ENTITY a \"b\">]>"
				   "<CONSOLIDATED_LIST>&a;</CONSOLIDATED_LIST>\n";
	size_t at = 65534; /* where the "<" of <!DOCTYPE falls: the last byte read */
	size_t n = at + sizeof(rest) - 1;
	char *text = malloc(n);
	iffa_lists__parsed p;

	cr_assert_not_null(text);
	memcpy(text, decl, sizeof(decl) - 1);
	memset(text + sizeof(decl) - 1, 'x', at - 3 - (sizeof(decl) - 1));
	memcpy(text + at - 3, "-->", 3);
	memcpy(text + at, rest, sizeof(rest) - 1);
	cr_assert_eq(read_list(&p, "un-xml", text, n), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), ":2: prolog longer than 64 KiB"), "%s",
		  iffa_error_last());
	iffa_lists__parsed_dispose(&p);
	free(text);
}

/* A prolog just short of 64 KiB still passes. */
Test(lists_hostile, a_long_prolog_below_64_kib_is_read)
{
	static const char decl[] = "<?xml version=\"1.0\"?>\n<!--";
	static const char rest[] = "<CONSOLIDATED_LIST dateGenerated=\"2021-06-01\"/>\n";
	size_t at = 65000;
	size_t n = at + sizeof(rest) - 1;
	char *text = malloc(n);
	iffa_lists__parsed p;

	cr_assert_not_null(text);
	memcpy(text, decl, sizeof(decl) - 1);
	memset(text + sizeof(decl) - 1, 'x', at - 3 - (sizeof(decl) - 1));
	memcpy(text + at - 3, "-->", 3);
	memcpy(text + at, rest, sizeof(rest) - 1);
	cr_assert_eq(read_list(&p, "un-xml", text, n), 0, "%s", iffa_error_last());
	cr_assert_str_eq(p.published_at, "2021-06-01");
	iffa_lists__parsed_dispose(&p);
	free(text);
}

/* FROM_YEAR 4294969196 went through (int) and came out as 1900. */
Test(lists_hostile, years_of_birth_beyond_an_int_are_not_wrapped)
{
	static const char xml[] =
		"<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL>"
		"<FIRST_NAME>A</FIRST_NAME><REFERENCE_NUMBER>QDi.1</REFERENCE_NUMBER>"
		"<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE>"
		"<FROM_YEAR>4294969196</FROM_YEAR><TO_YEAR>4294969200</TO_YEAR>"
		"</INDIVIDUAL_DATE_OF_BIRTH></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>\n";
	iffa_lists__parsed p;

	cr_assert_eq(read_list(&p, "un-xml", xml, sizeof(xml) - 1), IFFA_EINVAL, "read as %zu "
		     "entries", p.nentries);
	cr_assert(strstr(iffa_error_last(), "'4294969196'/'4294969200' are not years"), "%s",
		  iffa_error_last());
	iffa_lists__parsed_dispose(&p);
}

/* After the BOM was cut, a line of blanks was tested with strspn() past its end. */
Test(lists_hostile, a_blank_first_line_after_a_bom_is_skipped)
{
	static const char ftm[] = "\xef\xbb\xbf   \n"
				  "{\"id\": \"x1\", \"schema\": \"Person\", "
				  "\"properties\": {\"name\": [\"A B\"]}}\n";
	iffa_lists__parsed p;

	cr_assert_eq(read_list(&p, "ftm", ftm, sizeof(ftm) - 1), 0, "%s", iffa_error_last());
	cr_assert_eq(p.nentries, 1);
	cr_assert_str_eq(p.entries[0].name, "A B");
	iffa_lists__parsed_dispose(&p);
}
