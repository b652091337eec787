/*
 * Inputs on which the fuzzer of the binary COPY decoder (tests/fuzz/
 * fuzz_copybin.c) found a fault, replayed through iffa_copybin__feed(). A
 * saved input is laid out as the harness reads it: byte 0 gives the number
 * of columns (bits 0-3) and the row at which the callback refuses (bits
 * 4-7, 0 for never), byte 1 is the harness's seed, the stream follows.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_regressions/saved.h"
#include "ingest/copybin.h"

#define CALLBACK_ERROR (-77)

static const char *const names[16] = {"c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7",
				      "c8", "c9", "c10", "c11", "c12", "c13", "c14", "c15"};

typedef struct {
	int64_t rows;
	int fail_at;
} count;

static int on_row(iffa_copybin *d, void *payload)
{
	count *c = payload;
	const char *text;
	size_t len;

	c->rows = d->rows;
	for (int col = 0; col < d->ncolumns; col++)
		if (iffa_copybin__text(&text, &len, d, col) == 0 && len > 0)
			cr_assert(text[0] == text[0]); /* touch the bytes: ASan checks them */
	if (c->fail_at && d->rows == c->fail_at)
		return iffa_error_set(CALLBACK_ERROR, "callback refuses row %lld",
				      (long long)d->rows);
	return 0;
}

/* Decode a saved input in pieces of `piece` bytes (0: in one piece). */
static int decode(const unsigned char *in, size_t len, size_t piece, char *msg, size_t size,
		  int64_t *rows)
{
	iffa_copybin d;
	count c = {0, len ? in[0] >> 4 : 0};
	size_t at = 2;
	int error = 0;

	cr_assert_geq(len, 2, "a saved input has two option bytes");
	cr_assert_eq(iffa_copybin__init(&d, "fuzz", names, in[0] & 15, on_row, &c), 0);
	while (at < len && error == 0) {
		size_t k = piece == 0 || piece > len - at ? len - at : piece;
		error = iffa_copybin__feed(&d, in + at, k);
		at += k;
	}
	if (error == 0)
		error = iffa_copybin__finish(&d);
	snprintf(msg, size, "%s", error ? iffa_error_last() : "");
	iffa_copybin__dispose(&d);
	*rows = c.rows;
	return error;
}

Test(fuzz_copybin, data_after_the_trailer_is_reported_alike_however_the_stream_is_cut)
{
	static const size_t pieces[] = {0, 1, 2, 3, 7, 64};
	size_t len;
	unsigned char *in = saved_read("copybin", "data-after-trailer", &len);

	/* The message used to count the bytes left in the piece at hand: "185
	 * bytes after the trailer" in one piece, "3 bytes" in others. */
	for (size_t i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
		char msg[512];
		int64_t rows;
		cr_assert_eq(decode(in, len, pieces[i], msg, sizeof(msg), &rows), IFFA_EINVAL,
			     "pieces of %zu", pieces[i]);
		cr_assert_str_eq(msg, "COPY fuzz: data after the trailer (which followed row 1)",
				 "pieces of %zu", pieces[i]);
	}
	free(in);
}

/* Every saved input ends cleanly, with the same result whole and in pieces. */
Test(fuzz_copybin, every_saved_input_ends_cleanly_and_alike_in_pieces)
{
	char **inputs = saved_names("copybin");

	cr_assert_not_null(inputs[0], "no saved inputs in %s", saved_path("copybin", ""));
	for (size_t i = 0; inputs[i]; i++) {
		size_t len;
		unsigned char *in = saved_read("copybin", inputs[i], &len);
		char whole[512], cut[512];
		int64_t rows_whole, rows_cut;
		int e1 = decode(in, len, 0, whole, sizeof(whole), &rows_whole);

		cr_assert(e1 == 0 || e1 == IFFA_EINVAL || e1 == CALLBACK_ERROR, "%s: %d (%s)",
			  inputs[i], e1, whole);
		for (size_t piece = 1; piece <= 5; piece++) {
			int e2 = decode(in, len, piece, cut, sizeof(cut), &rows_cut);
			cr_assert_eq(e1, e2, "%s, pieces of %zu: %s / %s", inputs[i], piece, whole,
				     cut);
			cr_assert_str_eq(whole, cut, "%s, pieces of %zu", inputs[i], piece);
			cr_assert_eq(rows_whole, rows_cut, "%s, pieces of %zu", inputs[i], piece);
		}
		free(in);
	}
	saved_free_names(inputs);
}
