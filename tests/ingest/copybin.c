/*
 * The binary COPY decoder on hand-built byte streams: every type, NULLs,
 * pieces split at every offset, and the ways a stream can be cut or bent.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "ingest/copybin.h"

/* A byte stream under construction. */
typedef struct {
	unsigned char b[4096];
	size_t n;
} bytes;

static void put(bytes *s, const void *p, size_t n)
{
	cr_assert_leq(s->n + n, sizeof(s->b));
	memcpy(s->b + s->n, p, n);
	s->n += n;
}

static void put16(bytes *s, int v)
{
	unsigned char b[2] = {(unsigned char)((unsigned)v >> 8), (unsigned char)v};
	put(s, b, 2);
}

static void put32(bytes *s, int64_t v)
{
	uint32_t u = (uint32_t)v;
	unsigned char b[4] = {(unsigned char)(u >> 24), (unsigned char)(u >> 16),
			      (unsigned char)(u >> 8), (unsigned char)u};
	put(s, b, 4);
}

static void put64(bytes *s, uint64_t v)
{
	put32(s, (int64_t)(v >> 32));
	put32(s, (int64_t)(v & 0xffffffffu));
}

static void header(bytes *s, uint32_t flags, const char *ext)
{
	put(s, "PGCOPY\n\377\r\n\0", 11);
	put32(s, flags);
	put32(s, (int64_t)strlen(ext));
	put(s, ext, strlen(ext));
}

/* Fields with their length word. */
static void f_int2(bytes *s, int v) { put32(s, 2); put16(s, v); }
static void f_int4(bytes *s, int32_t v) { put32(s, 4); put32(s, v); }
static void f_int8(bytes *s, int64_t v) { put32(s, 8); put64(s, (uint64_t)v); }
static void f_null(bytes *s) { put32(s, -1); }
static void f_text(bytes *s, const char *t) { put32(s, (int64_t)strlen(t)); put(s, t, strlen(t)); }
static void f_bool(bytes *s, int v) { unsigned char c = (unsigned char)v; put32(s, 1); put(s, &c, 1); }

static void f_float8(bytes *s, double v)
{
	uint64_t u;
	memcpy(&u, &v, 8);
	put32(s, 8);
	put64(s, u);
}

/* The columns of the test stream and one decoded row of it. */
static const char *const cols[] = {"a_int2", "a_int4", "a_int8", "a_float8", "a_bool",
				   "a_ts", "a_text", "a_date", "a_null"};
#define NCOLS 9

typedef struct {
	int16_t i2;
	int32_t i4;
	int64_t i8;
	double f8;
	int b;
	int64_t ts;
	char text[64];
	int32_t date;
	int null_seen;
	int null_refused;
} row;

typedef struct {
	row rows[8];
	int n;
	int fail_at; /* make the callback fail at this row (1-based), 0 never */
} sink;

static int on_row(iffa_copybin *d, void *payload)
{
	sink *k = payload;
	row *r = &k->rows[k->n];
	const char *t;
	size_t tl;
	int64_t dummy;

	cr_assert_lt(k->n, 8);
	if (k->fail_at == d->rows)
		return iffa_error_set(IFFA_EINVAL, "callback refused row %lld", (long long)d->rows);
	cr_assert_eq(iffa_copybin__int2(&r->i2, d, 0), 0, "%s", iffa_error_last());
	cr_assert_eq(iffa_copybin__int4(&r->i4, d, 1), 0, "%s", iffa_error_last());
	cr_assert_eq(iffa_copybin__int8(&r->i8, d, 2), 0, "%s", iffa_error_last());
	cr_assert_eq(iffa_copybin__float8(&r->f8, d, 3), 0, "%s", iffa_error_last());
	cr_assert_eq(iffa_copybin__bool(&r->b, d, 4), 0, "%s", iffa_error_last());
	cr_assert_eq(iffa_copybin__timestamptz(&r->ts, d, 5), 0, "%s", iffa_error_last());
	cr_assert_eq(iffa_copybin__text(&t, &tl, d, 6), 0, "%s", iffa_error_last());
	cr_assert_lt(tl, sizeof(r->text));
	memcpy(r->text, t, tl);
	r->text[tl] = '\0';
	cr_assert_eq(iffa_copybin__date(&r->date, d, 7), 0, "%s", iffa_error_last());
	r->null_seen = iffa_copybin__is_null(d, 8);
	r->null_refused = iffa_copybin__int8(&dummy, d, 8) == IFFA_EINVAL;
	k->n++;
	return 0;
}

/* Two rows of every type; the second has an empty text and negative values. */
static void sample(bytes *s)
{
	memset(s, 0, sizeof(*s));
	header(s, 0, "");
	put16(s, NCOLS);
	f_int2(s, 513);
	f_int4(s, 70000);
	f_int8(s, INT64_C(5000000000));
	f_float8(s, 1234.5);
	f_bool(s, 1);
	f_int8(s, 0); /* 2000-01-01 00:00 UTC */
	f_text(s, "Kayes");
	f_int4(s, 0); /* 2000-01-01 */
	f_null(s);
	put16(s, NCOLS);
	f_int2(s, -2);
	f_int4(s, -70000);
	f_int8(s, -1);
	f_float8(s, -0.25);
	f_bool(s, 0);
	f_int8(s, INT64_C(-946684800000000)); /* 1970-01-01 00:00 UTC */
	f_text(s, "");
	f_int4(s, -10957); /* 1970-01-01 */
	f_null(s);
	put16(s, -1);
}

static void check_sample(const sink *k)
{
	cr_assert_eq(k->n, 2);
	cr_assert_eq(k->rows[0].i2, 513);
	cr_assert_eq(k->rows[0].i4, 70000);
	cr_assert_eq(k->rows[0].i8, INT64_C(5000000000));
	cr_assert_float_eq(k->rows[0].f8, 1234.5, 0);
	cr_assert_eq(k->rows[0].b, 1);
	cr_assert_eq(k->rows[0].ts, INT64_C(946684800000000));
	cr_assert_str_eq(k->rows[0].text, "Kayes");
	cr_assert_eq(k->rows[0].date, 10957);
	cr_assert(k->rows[0].null_seen);
	cr_assert(k->rows[0].null_refused);
	cr_assert_eq(k->rows[1].i2, -2);
	cr_assert_eq(k->rows[1].i4, -70000);
	cr_assert_eq(k->rows[1].i8, -1);
	cr_assert_float_eq(k->rows[1].f8, -0.25, 0);
	cr_assert_eq(k->rows[1].b, 0);
	cr_assert_eq(k->rows[1].ts, 0);
	cr_assert_str_eq(k->rows[1].text, "");
	cr_assert_eq(k->rows[1].date, 0);
}

static int decode(sink *k, const bytes *s, const size_t *cuts, int ncuts)
{
	iffa_copybin d;
	size_t at = 0;
	int error = 0;

	cr_assert_eq(iffa_copybin__init(&d, "sample", cols, NCOLS, on_row, k), 0);
	for (int i = 0; i <= ncuts && error == 0; i++) {
		size_t end = i < ncuts ? cuts[i] : s->n;
		error = iffa_copybin__feed(&d, s->b + at, end - at);
		at = end;
	}
	if (error == 0)
		error = iffa_copybin__finish(&d);
	iffa_copybin__dispose(&d);
	return error;
}

Test(ingest_copybin, decodes_every_type_and_nulls_in_one_piece)
{
	bytes s;
	sink k = {.n = 0};

	sample(&s);
	cr_assert_eq(decode(&k, &s, NULL, 0), 0, "%s", iffa_error_last());
	check_sample(&k);
}

Test(ingest_copybin, a_stream_split_at_every_byte_offset_decodes_the_same)
{
	bytes s;

	sample(&s);
	for (size_t cut = 0; cut <= s.n; cut++) {
		sink k = {.n = 0};
		cr_assert_eq(decode(&k, &s, &cut, 1), 0, "cut at %zu: %s", cut, iffa_error_last());
		check_sample(&k);
	}
	/* Two cuts, every pair: a row can span three pieces. */
	for (size_t a = 0; a <= s.n; a += 3)
		for (size_t b = a; b <= s.n; b += 5) {
			size_t cuts[2] = {a, b};
			sink k = {.n = 0};
			cr_assert_eq(decode(&k, &s, cuts, 2), 0, "cuts %zu %zu: %s", a, b,
				     iffa_error_last());
			check_sample(&k);
		}
}

Test(ingest_copybin, one_byte_pieces_decode_the_same)
{
	bytes s;
	size_t cuts[sizeof(s.b)];
	sink k = {.n = 0};

	sample(&s);
	for (size_t i = 0; i < s.n; i++)
		cuts[i] = i;
	cr_assert_eq(decode(&k, &s, cuts, (int)s.n), 0, "%s", iffa_error_last());
	check_sample(&k);
}

Test(ingest_copybin, a_header_extension_is_skipped)
{
	bytes s = {.n = 0};
	sink k = {.n = 0};
	bytes rest;

	header(&s, 1u << 20, "ignored"); /* a non-critical flag and 7 extension bytes */
	sample(&rest);
	put(&s, rest.b + 19, rest.n - 19);
	cr_assert_eq(decode(&k, &s, NULL, 0), 0, "%s", iffa_error_last());
	check_sample(&k);
}

Test(ingest_copybin, a_stream_cut_anywhere_is_refused_and_says_where)
{
	bytes s;

	sample(&s);
	for (size_t len = 0; len < s.n; len++) {
		bytes cut = s;
		sink k = {.n = 0};

		cut.n = len;
		cr_assert_eq(decode(&k, &cut, NULL, 0), IFFA_EINVAL, "cut at %zu accepted", len);
		cr_assert(strstr(iffa_error_last(), "COPY sample: stream ended") != NULL,
			  "cut at %zu: %s", len, iffa_error_last());
	}
}

Test(ingest_copybin, a_cut_names_the_row_and_field)
{
	bytes s, cut;
	sink k = {.n = 0};

	sample(&s);
	cut = s;
	/* Header 19, row 1: count 2 + int2 6 + int4 8 + int8 12 = 47; cut inside row 1's float8. */
	cut.n = 19 + 2 + 6 + 8 + 12 + 5;
	cr_assert_eq(decode(&k, &cut, NULL, 0), IFFA_EINVAL);
	cr_assert_str_eq(iffa_error_last(), "COPY sample: stream ended inside row 1, field 4 (a_float8) of 9");
	cut.n = 10;
	cr_assert_eq(decode(&k, &cut, NULL, 0), IFFA_EINVAL);
	cr_assert_str_eq(iffa_error_last(), "COPY sample: stream ended inside the header (10 bytes)");
	cut.n = s.n - 2; /* everything but the trailer */
	k.n = 0;
	cr_assert_eq(decode(&k, &cut, NULL, 0), IFFA_EINVAL);
	cr_assert_str_eq(iffa_error_last(), "COPY sample: stream ended after row 2 without its trailer");
	cut.n = s.n - 1;
	k.n = 0;
	cr_assert_eq(decode(&k, &cut, NULL, 0), IFFA_EINVAL);
	cr_assert_str_eq(iffa_error_last(), "COPY sample: stream ended inside row 3 before its field count");
}

Test(ingest_copybin, malformed_headers_are_refused)
{
	bytes s = {.n = 0};
	sink k = {.n = 0};

	put(&s, "PGCOPY\n\377\r\r", 10);
	cr_assert_eq(decode(&k, &s, NULL, 0), IFFA_EINVAL);
	cr_assert_str_eq(iffa_error_last(), "COPY sample: not a binary COPY stream (bad signature)");

	s.n = 0;
	put(&s, "COPY", 4); /* wrong from the first byte, even in a short piece */
	cr_assert_eq(decode(&k, &s, NULL, 0), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "bad signature"));

	s.n = 0;
	header(&s, 1u << 16, ""); /* OIDs */
	put16(&s, -1);
	cr_assert_eq(decode(&k, &s, NULL, 0), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "header flags 0x00010000"), "%s", iffa_error_last());

	s.n = 0;
	header(&s, 1u << 3, ""); /* an unknown critical flag */
	cr_assert_eq(decode(&k, &s, NULL, 0), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "header flags 0x00000008"), "%s", iffa_error_last());

	s.n = 0;
	put(&s, "PGCOPY\n\377\r\n\0", 11);
	put32(&s, 0);
	put32(&s, -5);
	cr_assert_eq(decode(&k, &s, NULL, 0), IFFA_EINVAL);
	cr_assert_str_eq(iffa_error_last(), "COPY sample: header extension length -5 is negative");
}

Test(ingest_copybin, malformed_tuples_are_refused_with_row_and_field)
{
	bytes s = {.n = 0};
	sink k = {.n = 0};

	header(&s, 0, "");
	put16(&s, 2);
	cr_assert_eq(decode(&k, &s, NULL, 0), IFFA_EINVAL);
	cr_assert_str_eq(iffa_error_last(), "COPY sample: row 1 has 2 fields, 9 expected");

	s.n = 0;
	header(&s, 0, "");
	put16(&s, NCOLS);
	f_int2(&s, 1);
	put32(&s, -2);
	cr_assert_eq(decode(&k, &s, NULL, 0), IFFA_EINVAL);
	cr_assert_str_eq(iffa_error_last(), "COPY sample: row 1, field 2 (a_int4): length -2 is invalid");

	s.n = 0;
	header(&s, 0, "");
	put16(&s, -1);
	put16(&s, -1);
	cr_assert_eq(decode(&k, &s, NULL, 0), IFFA_EINVAL);
	cr_assert_str_eq(iffa_error_last(), "COPY sample: data after the trailer (which followed row 0)");
}

/* A row whose int8 column has 4 bytes, whose bool is 2, or whose time is infinite. */
static void bent_row(bytes *s, int which)
{
	memset(s, 0, sizeof(*s));
	header(s, 0, "");
	put16(s, NCOLS);
	f_int2(s, 1);
	f_int4(s, 1);
	if (which == 0)
		f_int4(s, 1);
	else
		f_int8(s, 1);
	f_float8(s, 1);
	f_bool(s, which == 1 ? 2 : 1);
	f_int8(s, which == 2 ? INT64_MAX : 0);
	f_text(s, "x");
	f_int4(s, which == 3 ? INT32_MIN : 0);
	f_null(s);
	put16(s, -1);
}

static int strict_row(iffa_copybin *d, void *payload)
{
	int16_t i2;
	int32_t i4, date;
	int64_t i8, ts;
	double f8;
	int b, error;

	(void)payload;
	if ((error = iffa_copybin__int2(&i2, d, 0)) < 0 || (error = iffa_copybin__int4(&i4, d, 1)) < 0 ||
	    (error = iffa_copybin__int8(&i8, d, 2)) < 0 ||
	    (error = iffa_copybin__float8(&f8, d, 3)) < 0 || (error = iffa_copybin__bool(&b, d, 4)) < 0 ||
	    (error = iffa_copybin__timestamptz(&ts, d, 5)) < 0 ||
	    (error = iffa_copybin__date(&date, d, 7)) < 0)
		return error;
	return 0;
}

Test(ingest_copybin, typed_readers_refuse_wrong_sizes_values_and_infinity)
{
	static const char *const expected[] = {
		"COPY bent: row 1, column a_int8: 4 bytes for a int8 (8 expected)",
		"COPY bent: row 1, column a_bool: byte 2 is not a bool",
		"COPY bent: row 1, column a_ts: infinite or out-of-range timestamp",
		"COPY bent: row 1, column a_date: infinite or out-of-range date",
	};

	for (int which = 0; which < 4; which++) {
		bytes s;
		iffa_copybin d;

		bent_row(&s, which);
		cr_assert_eq(iffa_copybin__init(&d, "bent", cols, NCOLS, strict_row, NULL), 0);
		cr_assert_eq(iffa_copybin__feed(&d, s.b, s.n), IFFA_EINVAL, "case %d", which);
		cr_assert_str_eq(iffa_error_last(), expected[which]);
		/* A failed decoder stays failed. */
		cr_assert_eq(iffa_copybin__feed(&d, s.b, 1), IFFA_EINVAL);
		cr_assert_eq(iffa_copybin__finish(&d), IFFA_EINVAL);
		iffa_copybin__dispose(&d);
	}
}

Test(ingest_copybin, a_callback_error_stops_the_stream_and_comes_back)
{
	bytes s;
	sink k = {.n = 0, .fail_at = 2};

	sample(&s);
	cr_assert_eq(decode(&k, &s, NULL, 0), IFFA_EINVAL);
	cr_assert_str_eq(iffa_error_last(), "callback refused row 2");
	cr_assert_eq(k.n, 1);
}

Test(ingest_copybin, an_empty_stream_is_refused)
{
	iffa_copybin d;

	cr_assert_eq(iffa_copybin__init(&d, "empty", cols, NCOLS, NULL, NULL), 0);
	cr_assert_eq(iffa_copybin__feed(&d, "", 0), 0);
	cr_assert_eq(iffa_copybin__finish(&d), IFFA_EINVAL);
	cr_assert_str_eq(iffa_error_last(), "COPY empty: stream ended inside the header (0 bytes)");
	iffa_copybin__dispose(&d);
}
