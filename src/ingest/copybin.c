/*
 * Decoder of PostgreSQL's binary COPY format (the "Binary Format" section
 * of the COPY reference page). libpq hands over the stream as raw bytes and
 * has no decoder of its own, so this file is one, written by hand:
 *
 *   header   11-byte signature "PGCOPY\n\377\r\n\0", int32 flags, int32
 *            length of a header extension, the extension
 *   tuples   int16 field count, then per field an int32 length (-1 for
 *            NULL) and that many bytes of the type's binary form
 *   trailer  int16 -1
 *
 * All integers are big-endian. The bytes come in pieces of any size
 * (PostgreSQL sends one tuple per CopyData message today, with the header in
 * the first, but nothing promises it), so the decoder works on "units" (the
 * header, one tuple, the trailer): a unit complete in the piece is decoded
 * in place; an incomplete one is copied into `carry` and completed from the
 * next pieces, copying only as many bytes as the unit still needs. No byte
 * outside a piece is ever read, and nothing is allocated per tuple.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/copybin.h"

enum { STATE_HEADER, STATE_TUPLES, STATE_DONE, STATE_FAILED };

/* What scanning the start of a buffer found. */
enum { UNIT_NEED, UNIT_HEADER, UNIT_TUPLE, UNIT_TRAILER, UNIT_ERROR };

#define HEADER_FIXED 19 /* signature 11, flags 4, extension length 4 */

static const unsigned char signature[11] = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', 0xff, '\r', '\n', 0};

static int16_t be16(const unsigned char *p)
{
	return (int16_t)(uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static int32_t be32(const unsigned char *p)
{
	return (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]);
}

static int64_t be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)(uint32_t)be32(p) << 32 | (uint32_t)be32(p + 4));
}

static const char *column_name(const iffa_copybin *d, int col)
{
	return d->columns && col >= 0 && col < d->ncolumns && d->columns[col] ? d->columns[col] : "?";
}

int iffa_copybin__init(iffa_copybin *d, const char *what, const char *const *columns,
		       int ncolumns, iffa_copybin_row_cb row, void *payload)
{
	memset(d, 0, sizeof(*d));
	d->what = what;
	d->columns = columns;
	d->ncolumns = ncolumns;
	d->row = row;
	d->payload = payload;
	d->state = STATE_HEADER;
	d->fields = calloc(ncolumns > 0 ? (size_t)ncolumns : 1, sizeof(*d->fields));
	if (!d->fields)
		return iffa_error_set(IFFA_ENOMEM, "out of memory for the COPY decoder");
	return 0;
}

void iffa_copybin__dispose(iffa_copybin *d)
{
	free(d->fields);
	free(d->carry);
	d->fields = NULL;
	d->carry = NULL;
	d->carry_len = d->carry_cap = 0;
}

/*
 * Look at the unit starting at p[0..n). On UNIT_NEED, *need is the least
 * total size the unit can have given what is known so far (> n) and *field
 * the 0-based field being read (-1 before the field count). On a complete
 * unit, *used is its size and for a tuple d->fields point into p.
 */
static int scan(iffa_copybin *d, const unsigned char *p, size_t n, size_t *used, size_t *need,
		int *field)
{
	*field = -1;
	if (d->state == STATE_HEADER) {
		int32_t flags, ext;

		if (memcmp(p, signature, n < sizeof(signature) ? n : sizeof(signature)) != 0) {
			iffa_error_set(IFFA_EINVAL, "COPY %s: not a binary COPY stream (bad signature)",
				       d->what);
			return UNIT_ERROR;
		}
		if (n < HEADER_FIXED) {
			*need = HEADER_FIXED;
			return UNIT_NEED;
		}
		flags = be32(p + 11);
		ext = be32(p + 15);
		/* Bits 0-15 are critical: a reader must refuse what it does not know.
		 * Bit 16 says every tuple carries an OID, which we do not read. */
		if (flags & 0x1ffff) {
			iffa_error_set(IFFA_EINVAL, "COPY %s: header flags 0x%08" PRIx32
				       " ask for features this decoder lacks", d->what, (uint32_t)flags);
			return UNIT_ERROR;
		}
		if (ext < 0) {
			iffa_error_set(IFFA_EINVAL, "COPY %s: header extension length %" PRId32
				       " is negative", d->what, ext);
			return UNIT_ERROR;
		}
		if (n - HEADER_FIXED < (size_t)ext) {
			*need = HEADER_FIXED + (size_t)ext;
			return UNIT_NEED;
		}
		*used = HEADER_FIXED + (size_t)ext;
		return UNIT_HEADER;
	}

	if (n < 2) {
		*need = 2;
		return UNIT_NEED;
	}
	{
		int16_t count = be16(p);
		size_t off = 2;

		if (count == -1) {
			*used = 2;
			return UNIT_TRAILER;
		}
		if (count != d->ncolumns) {
			iffa_error_set(IFFA_EINVAL, "COPY %s: row %" PRId64 " has %d fields, %d expected",
				       d->what, d->rows + 1, (int)count, d->ncolumns);
			return UNIT_ERROR;
		}
		for (int i = 0; i < count; i++) {
			int32_t len;

			*field = i;
			if (n - off < 4) {
				*need = off + 4;
				return UNIT_NEED;
			}
			len = be32(p + off);
			if (len < -1) {
				iffa_error_set(IFFA_EINVAL, "COPY %s: row %" PRId64 ", field %d (%s): "
					       "length %" PRId32 " is invalid", d->what, d->rows + 1,
					       i + 1, column_name(d, i), len);
				return UNIT_ERROR;
			}
			off += 4;
			if (len > 0 && n - off < (size_t)len) {
				*need = off + (size_t)len;
				return UNIT_NEED;
			}
			d->fields[i].data = p + off;
			d->fields[i].len = len;
			if (len > 0)
				off += (size_t)len;
		}
		*used = off;
		return UNIT_TUPLE;
	}
}

/* Act on a complete unit. */
static int take(iffa_copybin *d, int unit)
{
	switch (unit) {
	case UNIT_HEADER:
		d->state = STATE_TUPLES;
		return 0;
	case UNIT_TRAILER:
		d->state = STATE_DONE;
		return 0;
	default:
		d->rows++;
		return d->row ? d->row(d, d->payload) : 0;
	}
}

static int append_carry(iffa_copybin *d, const unsigned char *p, size_t n)
{
	if (d->carry_len + n > d->carry_cap) {
		size_t cap = d->carry_cap ? d->carry_cap : 256;
		unsigned char *c;

		while (cap < d->carry_len + n)
			cap *= 2;
		if (!(c = realloc(d->carry, cap)))
			return iffa_error_set(IFFA_ENOMEM, "out of memory for the COPY decoder");
		d->carry = c;
		d->carry_cap = cap;
	}
	memcpy(d->carry + d->carry_len, p, n);
	d->carry_len += n;
	return 0;
}

static int fail(iffa_copybin *d, int error)
{
	d->state = STATE_FAILED;
	return error;
}

int iffa_copybin__feed(iffa_copybin *d, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t used = 0, need = 0;
	int unit, field, error;

	if (d->state == STATE_FAILED)
		return iffa_error_set(IFFA_EINVAL, "COPY %s: the stream failed before", d->what);
	while (len > 0) {
		/* Only the bytes of this piece are known, so the message gives no
		 * count: it must not depend on how the stream was cut. */
		if (d->state == STATE_DONE)
			return fail(d, iffa_error_set(IFFA_EINVAL, "COPY %s: data after the trailer "
						      "(which followed row %" PRId64 ")", d->what,
						      d->rows));
		if (d->carry_len > 0) {
			/* The carried unit was incomplete: add what it still lacks. */
			unit = scan(d, d->carry, d->carry_len, &used, &need, &field);
			if (unit == UNIT_NEED) {
				size_t n = need - d->carry_len < len ? need - d->carry_len : len;

				if ((error = append_carry(d, p, n)) < 0)
					return fail(d, error);
				p += n;
				len -= n;
				unit = scan(d, d->carry, d->carry_len, &used, &need, &field);
			}
			if (unit == UNIT_ERROR)
				return fail(d, IFFA_EINVAL);
			if (unit == UNIT_NEED)
				continue;
			/* Only the bytes the unit lacked were added, so it fills the carry. */
			d->carry_len = 0;
			if ((error = take(d, unit)) < 0)
				return fail(d, error);
			continue;
		}
		unit = scan(d, p, len, &used, &need, &field);
		if (unit == UNIT_ERROR)
			return fail(d, IFFA_EINVAL);
		if (unit == UNIT_NEED) {
			if ((error = append_carry(d, p, len)) < 0)
				return fail(d, error);
			break;
		}
		p += used;
		len -= used;
		if ((error = take(d, unit)) < 0)
			return fail(d, error);
	}
	return 0;
}

int iffa_copybin__finish(iffa_copybin *d)
{
	size_t used, need;
	int field;

	switch (d->state) {
	case STATE_DONE:
		return 0;
	case STATE_FAILED:
		return iffa_error_set(IFFA_EINVAL, "COPY %s: the stream failed before", d->what);
	case STATE_HEADER:
		return fail(d, iffa_error_set(IFFA_EINVAL, "COPY %s: stream ended inside the header "
					      "(%zu bytes)", d->what, d->carry_len));
	default:
		break;
	}
	if (d->carry_len == 0)
		return fail(d, iffa_error_set(IFFA_EINVAL, "COPY %s: stream ended after row %" PRId64
					      " without its trailer", d->what, d->rows));
	scan(d, d->carry, d->carry_len, &used, &need, &field);
	if (field < 0)
		return fail(d, iffa_error_set(IFFA_EINVAL, "COPY %s: stream ended inside row %" PRId64
					      " before its field count", d->what, d->rows + 1));
	return fail(d, iffa_error_set(IFFA_EINVAL, "COPY %s: stream ended inside row %" PRId64
				      ", field %d (%s) of %d", d->what, d->rows + 1, field + 1,
				      column_name(d, field), d->ncolumns));
}

/* Typed readers. */

/* Field `col` of the current tuple if it is not NULL and `size` bytes long
 * (any size when negative); NULL with the error set otherwise. */
static const iffa_copybin_field *field_of(const iffa_copybin *d, int col, int32_t size,
					  const char *type)
{
	const iffa_copybin_field *f;

	if (col < 0 || col >= d->ncolumns) {
		iffa_error_set(IFFA_EINVAL, "COPY %s: no column %d (%d columns)", d->what, col,
			       d->ncolumns);
		return NULL;
	}
	f = &d->fields[col];
	if (f->len < 0) {
		iffa_error_set(IFFA_EINVAL, "COPY %s: row %" PRId64 ", column %s: NULL where "
			       "a value is required", d->what, d->rows, column_name(d, col));
		return NULL;
	}
	if (size >= 0 && f->len != size) {
		iffa_error_set(IFFA_EINVAL, "COPY %s: row %" PRId64 ", column %s: %" PRId32
			       " bytes for a %s (%" PRId32 " expected)", d->what, d->rows,
			       column_name(d, col), f->len, type, size);
		return NULL;
	}
	return f;
}

int iffa_copybin__int2(int16_t *out, const iffa_copybin *d, int col)
{
	const iffa_copybin_field *f = field_of(d, col, 2, "int2");

	if (!f)
		return IFFA_EINVAL;
	*out = be16(f->data);
	return 0;
}

int iffa_copybin__int4(int32_t *out, const iffa_copybin *d, int col)
{
	const iffa_copybin_field *f = field_of(d, col, 4, "int4");

	if (!f)
		return IFFA_EINVAL;
	*out = be32(f->data);
	return 0;
}

int iffa_copybin__int8(int64_t *out, const iffa_copybin *d, int col)
{
	const iffa_copybin_field *f = field_of(d, col, 8, "int8");

	if (!f)
		return IFFA_EINVAL;
	*out = be64(f->data);
	return 0;
}

int iffa_copybin__float8(double *out, const iffa_copybin *d, int col)
{
	const iffa_copybin_field *f = field_of(d, col, 8, "float8");
	uint64_t bits;

	if (!f)
		return IFFA_EINVAL;
	bits = (uint64_t)be64(f->data);
	memcpy(out, &bits, sizeof(*out));
	return 0;
}

int iffa_copybin__bool(int *out, const iffa_copybin *d, int col)
{
	const iffa_copybin_field *f = field_of(d, col, 1, "bool");

	if (!f)
		return IFFA_EINVAL;
	if (f->data[0] > 1)
		return iffa_error_set(IFFA_EINVAL, "COPY %s: row %" PRId64 ", column %s: byte %u is "
				      "not a bool", d->what, d->rows, column_name(d, col), f->data[0]);
	*out = f->data[0];
	return 0;
}

int iffa_copybin__timestamptz(int64_t *out, const iffa_copybin *d, int col)
{
	const iffa_copybin_field *f = field_of(d, col, 8, "timestamptz");
	int64_t us;

	if (!f)
		return IFFA_EINVAL;
	us = be64(f->data);
	/* PostgreSQL writes -infinity and infinity as the extreme int64 values. */
	if (us == INT64_MIN || us == INT64_MAX ||
	    __builtin_add_overflow(us, IFFA_COPYBIN_PG_EPOCH_SECS * 1000000, out))
		return iffa_error_set(IFFA_EINVAL, "COPY %s: row %" PRId64 ", column %s: "
				      "infinite or out-of-range timestamp", d->what, d->rows,
				      column_name(d, col));
	return 0;
}

int iffa_copybin__date(int32_t *out, const iffa_copybin *d, int col)
{
	const iffa_copybin_field *f = field_of(d, col, 4, "date");
	int32_t days;

	if (!f)
		return IFFA_EINVAL;
	days = be32(f->data);
	if (days == INT32_MIN || days == INT32_MAX ||
	    __builtin_add_overflow(days, (int32_t)(IFFA_COPYBIN_PG_EPOCH_SECS / 86400), out))
		return iffa_error_set(IFFA_EINVAL, "COPY %s: row %" PRId64 ", column %s: "
				      "infinite or out-of-range date", d->what, d->rows,
				      column_name(d, col));
	return 0;
}

int iffa_copybin__text(const char **out, size_t *out_len, const iffa_copybin *d, int col)
{
	const iffa_copybin_field *f = field_of(d, col, -1, "text");

	if (!f)
		return IFFA_EINVAL;
	*out = (const char *)f->data;
	*out_len = (size_t)f->len;
	return 0;
}
