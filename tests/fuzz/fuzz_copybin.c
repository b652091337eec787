/*
 * Fuzz harness: the binary COPY decoder (src/ingest/copybin.c) and its
 * typed readers.
 *
 * Input: two option bytes, then the stream.
 *   byte 0, bits 0-3  columns each tuple must have (0 to 15)
 *   byte 0, bits 4-7  when not 0, the row callback fails at that row, as
 *                     ingest.c's do on a bad value
 *   byte 1            seed of the piece sizes
 *
 * The stream is decoded twice: in one piece, and in pieces of 0 to 64
 * bytes drawn from the seed (the first piece ends at a seed-chosen offset
 * of the header, so that cuts inside the signature, the flags and the
 * extension length all happen). In the callback every typed reader reads
 * every column, plus one column out of range. Properties checked besides
 * memory safety and undefined behaviour:
 *   - both decodings see the same tuples, the same values and errors
 *     from the readers, and end with the same code and message: where the
 *     pieces are cut never changes what is read;
 *   - errors are IFFA_EINVAL or the callback's own code, with a message;
 *   - a failed decoder refuses more bytes and its finish;
 *   - a NULL field is refused by every reader, a field of the wrong size
 *     by every fixed-size reader.
 */
#include <string.h>

#include "fuzz.h"
#include "ingest/copybin.h"

#define CALLBACK_ERROR (-77) /* what the failing callback returns */

static const char *const names[16] = {"c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7",
				      "c8", "c9", "c10", "c11", "c12", "c13", "c14", "c15"};

/* What one decoding saw: a running FNV-1a hash of every observation. */
typedef struct {
	uint64_t hash;
	int64_t rows;
	int fail_at; /* the callback fails at this row (1-based), 0 never */
} seen;

static void mix(seen *s, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		s->hash ^= b[i];
		s->hash *= UINT64_C(1099511628211);
	}
}

static void mix_int(seen *s, int64_t v)
{
	mix(s, &v, sizeof(v));
}

/* A reader's result: its code, its value when it succeeded, else its message. */
static void mix_result(seen *s, int error, const void *value, size_t n)
{
	mix_int(s, error);
	if (error == 0) {
		mix(s, value, n);
	} else {
		const char *msg = iffa_error_last();
		FUZZ_ASSERT(error == IFFA_EINVAL, "a typed reader returned %d (%s)", error, msg);
		FUZZ_ASSERT(msg[0], "a typed reader failed without a message");
		mix(s, msg, strlen(msg));
	}
}

static int row(iffa_copybin *d, void *payload)
{
	seen *s = payload;

	FUZZ_ASSERT(d->rows == s->rows + 1, "row %lld after row %lld", (long long)d->rows,
		    (long long)s->rows);
	s->rows = d->rows;
	mix_int(s, d->rows);
	for (int col = -1; col <= d->ncolumns; col++) {
		int16_t i2;
		int32_t i4, day;
		int64_t i8, ts;
		double f8;
		int b, e;
		const char *text;
		size_t len;
		int in_range = col >= 0 && col < d->ncolumns;
		int32_t flen = in_range ? d->fields[col].len : 0;

		if (in_range) {
			FUZZ_ASSERT(flen >= -1, "field %d has length %d", col, flen);
			mix_int(s, flen);
			mix_int(s, iffa_copybin__is_null(d, col));
		}
		mix_result(s, e = iffa_copybin__int2(&i2, d, col), &i2, sizeof(i2));
		FUZZ_ASSERT(e < 0 || flen == 2, "int2 read from %d bytes", flen);
		mix_result(s, e = iffa_copybin__int4(&i4, d, col), &i4, sizeof(i4));
		FUZZ_ASSERT(e < 0 || flen == 4, "int4 read from %d bytes", flen);
		mix_result(s, e = iffa_copybin__int8(&i8, d, col), &i8, sizeof(i8));
		FUZZ_ASSERT(e < 0 || flen == 8, "int8 read from %d bytes", flen);
		mix_result(s, e = iffa_copybin__float8(&f8, d, col), &f8, sizeof(f8));
		FUZZ_ASSERT(e < 0 || flen == 8, "float8 read from %d bytes", flen);
		mix_result(s, e = iffa_copybin__bool(&b, d, col), &b, sizeof(b));
		FUZZ_ASSERT(e < 0 || (flen == 1 && (b == 0 || b == 1)), "bool %d from %d bytes", b,
			    flen);
		mix_result(s, e = iffa_copybin__timestamptz(&ts, d, col), &ts, sizeof(ts));
		FUZZ_ASSERT(e < 0 || flen == 8, "timestamptz read from %d bytes", flen);
		mix_result(s, e = iffa_copybin__date(&day, d, col), &day, sizeof(day));
		FUZZ_ASSERT(e < 0 || flen == 4, "date read from %d bytes", flen);
		e = iffa_copybin__text(&text, &len, d, col);
		mix_int(s, e);
		if (e == 0) {
			FUZZ_ASSERT(in_range && flen >= 0 && len == (size_t)flen,
				    "text of %zu bytes from a field of %d", len, flen);
			mix(s, text, len); /* ASan checks every byte is inside the piece */
		} else {
			FUZZ_ASSERT(e == IFFA_EINVAL && (!in_range || flen < 0),
				    "text refused a field of %d bytes", flen);
		}
	}
	if (s->fail_at && d->rows == s->fail_at)
		return iffa_error_set(CALLBACK_ERROR, "callback refuses row %lld",
				      (long long)d->rows);
	return 0;
}

/* xorshift32: piece sizes from the seed. */
static uint32_t next_rand(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/*
 * Decode the stream in pieces (piece_max 0: in one piece). Returns the
 * final code and fills `s`; the last message goes to msg.
 */
static int decode(seen *s, int ncolumns, const uint8_t *p, size_t n, unsigned seed,
		  size_t piece_max, char *msg, size_t msg_size)
{
	iffa_copybin d;
	uint32_t x = 0x9e3779b9u ^ seed;
	size_t at = 0;
	int error = 0, first = 1;

	FUZZ_ASSERT(iffa_copybin__init(&d, "fuzz", names, ncolumns, row, s) == 0, "init: %s",
		    iffa_error_last());
	while (at < n && error == 0) {
		size_t k;

		if (piece_max == 0)
			k = n;
		else if (first)
			k = seed % 24; /* cut somewhere in the 19-byte header or just after */
		else
			k = next_rand(&x) % (piece_max + 1);
		first = 0;
		if (k > n - at)
			k = n - at;
		/* A piece of its own, so that ASan sees any read past its end. */
		{
			uint8_t *piece = malloc(k ? k : 1);
			FUZZ_ASSERT(piece, "out of memory");
			memcpy(piece, p + at, k);
			error = iffa_copybin__feed(&d, piece, k);
			free(piece);
		}
		at += k;
	}
	if (error == 0)
		error = iffa_copybin__finish(&d);
	snprintf(msg, msg_size, "%s", error ? iffa_error_last() : "");
	if (error < 0) {
		int again;
		FUZZ_ASSERT(error == IFFA_EINVAL || error == CALLBACK_ERROR,
			    "the decoder returned %d (%s)", error, msg);
		FUZZ_ASSERT(msg[0], "the decoder failed without a message");
		FUZZ_ASSERT(error != CALLBACK_ERROR || s->rows == s->fail_at,
			    "the callback's error after row %lld", (long long)s->rows);
		again = iffa_copybin__feed(&d, "x", 1);
		FUZZ_ASSERT(again == IFFA_EINVAL, "a failed decoder took more bytes (%d)", again);
		again = iffa_copybin__finish(&d);
		FUZZ_ASSERT(again == IFFA_EINVAL, "a failed decoder finished with %d", again);
	} else {
		FUZZ_ASSERT(error == 0, "the decoder returned %d", error);
		FUZZ_ASSERT(iffa_copybin__finish(&d) == 0, "finish is not repeatable");
	}
	iffa_copybin__dispose(&d);
	return error;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	seen whole = {UINT64_C(14695981039346656037), 0, 0}, pieces;
	char msg1[512], msg2[512];
	int ncolumns, e1, e2;

	if (size < 2)
		return 0;
	ncolumns = data[0] & 15;
	whole.fail_at = data[0] >> 4;
	pieces = whole;

	e1 = decode(&whole, ncolumns, data + 2, size - 2, data[1], 0, msg1, sizeof(msg1));
	e2 = decode(&pieces, ncolumns, data + 2, size - 2, data[1], 1 + data[1] % 64, msg2,
		    sizeof(msg2));
	FUZZ_ASSERT(e1 == e2, "in one piece: %d (%s); in pieces: %d (%s)", e1, msg1, e2, msg2);
	FUZZ_ASSERT(strcmp(msg1, msg2) == 0, "in one piece: %s; in pieces: %s", msg1, msg2);
	FUZZ_ASSERT(whole.rows == pieces.rows, "rows: %lld in one piece, %lld in pieces",
		    (long long)whole.rows, (long long)pieces.rows);
	FUZZ_ASSERT(whole.hash == pieces.hash, "the values differ between one piece and pieces "
		    "(%lld rows)", (long long)whole.rows);
	return 0;
}
