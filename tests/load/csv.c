/* The CSV reader: framing, line numbers, encoding and limits. */
#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load/csv.h"

typedef struct {
	FILE *f;
	iffa_load__csv *r;
	char *text;
} reader;

static void open_bytes(reader *rd, const char *bytes, size_t len)
{
	/* A private copy, so fmemopen never sees the terminating NUL as data. */
	rd->text = malloc(len + 1);
	cr_assert_not_null(rd->text);
	memcpy(rd->text, bytes, len);
	rd->f = fmemopen(rd->text, len, "rb");
	cr_assert_not_null(rd->f);
	cr_assert_eq(iffa_load__csv_new(&rd->r, rd->f, "x.csv"), 0);
}

#define OPEN(rd, lit) open_bytes((rd), (lit), sizeof(lit) - 1)

static void close_reader(reader *rd)
{
	iffa_load__csv_free(rd->r);
	fclose(rd->f);
	free(rd->text);
}

static void expect_record(reader *rd, long long line, size_t n, const char *const *fields)
{
	cr_assert_eq(iffa_load__csv_next(rd->r), 1, "%s", iffa_error_last());
	cr_assert_eq(iffa_load__csv_line(rd->r), line, "record starts on line %lld, not %lld",
		     iffa_load__csv_line(rd->r), line);
	cr_assert_eq(iffa_load__csv_count(rd->r), n, "%zu fields, not %zu",
		     iffa_load__csv_count(rd->r), n);
	for (size_t i = 0; i < n; i++) {
		size_t len;
		const char *f = iffa_load__csv_field(rd->r, i, &len);
		cr_assert_eq(len, strlen(fields[i]), "field %zu: \"%s\"", i, f);
		cr_assert_str_eq(f, fields[i]);
	}
}

#define EXPECT(rd, line, ...)                                                   \
	do {                                                                    \
		const char *const f_[] = {__VA_ARGS__};                         \
		expect_record((rd), (line), sizeof(f_) / sizeof(f_[0]), f_);    \
	} while (0)

static void expect_end(reader *rd)
{
	cr_assert_eq(iffa_load__csv_next(rd->r), 0, "%s", iffa_error_last());
}

static void expect_error(reader *rd, const char *message)
{
	int rc;

	while ((rc = iffa_load__csv_next(rd->r)) == 1)
		;
	cr_assert_eq(rc, IFFA_EINVAL, "got %d: %s", rc, iffa_error_last());
	cr_assert_str_eq(iffa_error_last(), message);
	/* The reader stays failed. */
	cr_assert_eq(iffa_load__csv_next(rd->r), IFFA_EINVAL);
}

Test(load_csv, plain_records_and_empty_fields)
{
	reader rd;

	OPEN(&rd, "a,b,c\n1,,3\n,,\n");
	EXPECT(&rd, 1, "a", "b", "c");
	EXPECT(&rd, 2, "1", "", "3");
	EXPECT(&rd, 3, "", "", "");
	expect_end(&rd);
	close_reader(&rd);
}

Test(load_csv, quoted_fields_hold_commas_quotes_and_line_breaks)
{
	reader rd;

	OPEN(&rd, "name,note\n"
		  "\"Traor\xc3\xa9, Amadou\",\"say \"\"hi\"\"\"\n"
		  "\"two\nlines\",\"\"\n"
		  "next,x\n");
	EXPECT(&rd, 1, "name", "note");
	EXPECT(&rd, 2, "Traor\xc3\xa9, Amadou", "say \"hi\"");
	EXPECT(&rd, 3, "two\nlines", "");
	/* The record after an embedded line break starts on physical line 5. */
	EXPECT(&rd, 5, "next", "x");
	expect_end(&rd);
	close_reader(&rd);
}

Test(load_csv, crlf_line_ends_and_crlf_inside_quotes)
{
	reader rd;

	OPEN(&rd, "a,b\r\n1,\"x\r\ny\"\r\n2,z\r\n");
	EXPECT(&rd, 1, "a", "b");
	EXPECT(&rd, 2, "1", "x\r\ny");
	EXPECT(&rd, 4, "2", "z");
	expect_end(&rd);
	close_reader(&rd);
}

Test(load_csv, utf8_bom_is_skipped)
{
	reader rd;

	OPEN(&rd, "\xef\xbb\xbf" "ref,kind\nP1,person\n");
	EXPECT(&rd, 1, "ref", "kind");
	EXPECT(&rd, 2, "P1", "person");
	expect_end(&rd);
	close_reader(&rd);
}

Test(load_csv, blank_lines_are_skipped_and_lines_still_counted)
{
	reader rd;

	OPEN(&rd, "\na,b\n\r\n\n1,2\n\n");
	EXPECT(&rd, 2, "a", "b");
	EXPECT(&rd, 5, "1", "2");
	expect_end(&rd);
	close_reader(&rd);
}

Test(load_csv, last_line_without_line_end)
{
	reader rd;

	OPEN(&rd, "a,b\n1,\"2\"");
	EXPECT(&rd, 1, "a", "b");
	EXPECT(&rd, 2, "1", "2");
	expect_end(&rd);
	close_reader(&rd);
}

Test(load_csv, nul_byte_is_refused_with_its_line)
{
	reader rd;

	OPEN(&rd, "a,b\n1,2\n3,x\0y\n");
	expect_error(&rd, "x.csv:3: NUL byte (the file is binary or UTF-16, not UTF-8 text)");
	close_reader(&rd);
}

Test(load_csv, utf16_file_is_refused)
{
	reader rd;

	OPEN(&rd, "\xff\xfe" "a\0,\0b\0");
	expect_error(&rd, "x.csv:1: the file is UTF-16; save it as UTF-8");
	close_reader(&rd);
}

Test(load_csv, latin1_byte_is_refused_naming_field_and_line)
{
	reader rd;
	const char *const names[] = {"ref", "name"};

	OPEN(&rd, "ref,name\nP1,\"multi\nCaf\xe9\"\n");
	EXPECT(&rd, 1, "ref", "name");
	iffa_load__csv_set_names(rd.r, names, 2);
	/* The bad byte is on line 3, inside a record that starts on line 2. */
	expect_error(&rd, "x.csv:3: field name: invalid UTF-8 (byte 0xE9); if the file is in "
			  "Windows-1252 or Latin-1, convert it: iconv -f WINDOWS-1252 -t UTF-8");
	close_reader(&rd);
}

Test(load_csv, utf8_validation_is_strict)
{
	size_t bad = 99;
	const unsigned char ok[] = "Traor\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80";

	cr_assert(iffa_load__utf8_valid(ok, sizeof(ok) - 1, &bad));
	/* Overlong "/" */
	cr_assert_not(iffa_load__utf8_valid((const unsigned char *)"a\xc0\xaf", 3, &bad));
	cr_assert_eq(bad, 1);
	/* Overlong three-byte form */
	cr_assert_not(iffa_load__utf8_valid((const unsigned char *)"\xe0\x80\xaf", 3, &bad));
	/* UTF-16 surrogate U+D800 */
	cr_assert_not(iffa_load__utf8_valid((const unsigned char *)"\xed\xa0\x80", 3, &bad));
	/* Above U+10FFFF */
	cr_assert_not(iffa_load__utf8_valid((const unsigned char *)"\xf4\x90\x80\x80", 4, &bad));
	/* Truncated sequence at the end */
	cr_assert_not(iffa_load__utf8_valid((const unsigned char *)"ab\xe2\x82", 4, &bad));
	cr_assert_eq(bad, 2);
	/* Continuation byte alone */
	cr_assert_not(iffa_load__utf8_valid((const unsigned char *)"\x80", 1, &bad));
}

Test(load_csv, unterminated_quote_at_end_of_file_names_where_it_opened)
{
	reader rd;

	OPEN(&rd, "a,b\n1,2\n3,\"truncated\nrest of it");
	EXPECT(&rd, 1, "a", "b");
	EXPECT(&rd, 2, "1", "2");
	expect_error(&rd, "x.csv:3: quoted field never closed before the end of the file "
			  "(truncated file?)");
	close_reader(&rd);
}

Test(load_csv, stray_quotes_are_refused)
{
	reader rd;

	OPEN(&rd, "a,b\n1,5\" pipe\n");
	expect_error(&rd, "x.csv:2: quote inside an unquoted field (quote the whole field and "
			  "double the quote: \"\")");
	close_reader(&rd);
	OPEN(&rd, "a,b\n1,\"x\"y\n");
	expect_error(&rd, "x.csv:2: character after the closing quote of a field (a quote "
			  "inside a quoted field is written \"\")");
	close_reader(&rd);
}

Test(load_csv, lone_carriage_return_is_refused)
{
	reader rd;

	OPEN(&rd, "a,b\r1,2\r");
	expect_error(&rd, "x.csv:1: carriage return without line feed (old Mac line ends?); use "
			  "\\n or \\r\\n");
	close_reader(&rd);
}

/* A file of `n` bytes: a one-column header, then one record of `fill` x's. */
static char *big_record(size_t fill, const char *end, size_t *len)
{
	size_t el = strlen(end);
	char *s = malloc(2 + fill + el + 8);

	cr_assert_not_null(s);
	memcpy(s, "a\n", 2);
	memset(s + 2, 'x', fill);
	memcpy(s + 2 + fill, end, el);
	*len = 2 + fill + el;
	return s;
}

Test(load_csv, record_of_64_kib_is_read_across_blocks)
{
	reader rd;
	size_t len;
	/* 65535 content bytes plus the field's terminator make exactly 64 KiB;
	 * the \r ends the first 64 KiB input block and \n starts the next. */
	char *s = big_record(IFFA_LOAD__CSV_MAX_RECORD - 3, "\r\ny\r\n", &len);

	cr_assert_eq(s[65535], '\r');
	open_bytes(&rd, s, len);
	EXPECT(&rd, 1, "a");
	cr_assert_eq(iffa_load__csv_next(rd.r), 1, "%s", iffa_error_last());
	cr_assert_eq(iffa_load__csv_line(rd.r), 2);
	cr_assert_eq(strlen(iffa_load__csv_field(rd.r, 0, NULL)), IFFA_LOAD__CSV_MAX_RECORD - 3);
	EXPECT(&rd, 3, "y");
	expect_end(&rd);
	close_reader(&rd);
	free(s);
}

Test(load_csv, record_over_64_kib_is_refused)
{
	reader rd;
	size_t len;
	char *s = big_record(IFFA_LOAD__CSV_MAX_RECORD, "\n", &len);

	open_bytes(&rd, s, len);
	expect_error(&rd, "x.csv:2: record longer than 65536 bytes (a quote opened and never "
			  "closed?)");
	close_reader(&rd);
	free(s);
}

Test(load_csv, digest_covers_every_byte_read)
{
	reader rd;
	char hex[65];

	OPEN(&rd, "a\n");
	cr_assert_eq(iffa_load__csv_sha256(rd.r, hex), IFFA_ERROR, "no digest before the end");
	EXPECT(&rd, 1, "a");
	expect_end(&rd);
	cr_assert_eq(iffa_load__csv_sha256(rd.r, hex), 0);
	/* sha256sum of "a\n" */
	cr_assert_str_eq(hex, "87428fc522803d31065e7bce3cf03fe475096631e5e07bbd7a0fde60c4cf25c7");
	close_reader(&rd);
}
