/*
 * A streaming CSV reader (RFC 4180), written by hand: Debian's C library
 * set offers none that enforces what a loader of evidence needs, namely
 * physical line numbers, a bound on record size and a refusal of anything
 * that is not clean UTF-8 text (libcsv, the usual candidate, is not packaged
 * for Debian 12 and accepts NUL bytes and any encoding).
 *
 * Input is read in 64 KiB blocks and hashed (SHA-256) on the way, so the
 * digest recorded in load_batch is that of the bytes actually loaded. A
 * record is unpacked into one buffer, its fields NUL-terminated one after
 * the other; nothing is allocated per record. Line ends are `\n` or
 * `\r\n`; inside quotes they are data. Any malformation stops the reader:
 * after a stray quote or an oversize record the record boundaries can no
 * longer be trusted, and a file with NUL bytes or invalid UTF-8 is in the
 * wrong encoding as a whole.
 *
 * Time complexity: O(n) in the size of the file; memory: O(1).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "load/csv.h"

/* Fuzzing builds (IFFA_FUZZ) read in small blocks, so that the inputs of a
 * fuzzer, a few KiB at most, cross block boundaries everywhere. */
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define BLOCK 61
#else
#define BLOCK 65536
#endif

struct iffa_load__csv {
	FILE *in;
	const char *name;         /* for messages */
	unsigned char *block;     /* input block */
	size_t pos, len;          /* unread part of block is [pos, len) */
	int eof;                  /* the FILE is exhausted */
	int started;              /* the first block was examined (BOM) */
	int failed;               /* an error occurred; stay failed */
	char *rec;                /* fields of the record, each NUL-terminated */
	size_t rlen;              /* bytes used in rec */
	size_t *starts;           /* offset of each field in rec */
	size_t nfields, capfields;
	long long line;           /* physical line of the next byte */
	long long rec_line;       /* line the current record starts on */
	int unterminated;         /* the current record ended at the end of the
				     file, without a line end */
	const char *const *names; /* column names for messages, optional */
	size_t nnames;
	EVP_MD_CTX *md;           /* SHA-256 of everything read */
	char err[512];            /* last error, without name:line */
	long long err_line;
};

int iffa_load__utf8_valid(const unsigned char *s, size_t len, size_t *bad)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t need;
		unsigned char lo = 0x80, hi = 0xBF;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			need = 1;
		} else if (c >= 0xE0 && c <= 0xEF) {
			need = 2;
			if (c == 0xE0)
				lo = 0xA0; /* overlong */
			else if (c == 0xED)
				hi = 0x9F; /* UTF-16 surrogates */
		} else if (c >= 0xF0 && c <= 0xF4) {
			need = 3;
			if (c == 0xF0)
				lo = 0x90; /* overlong */
			else if (c == 0xF4)
				hi = 0x8F; /* above U+10FFFF */
		} else {
			*bad = i;
			return 0;
		}
		if (len - i <= need) {
			*bad = i;
			return 0;
		}
		if (s[i + 1] < lo || s[i + 1] > hi) {
			*bad = i;
			return 0;
		}
		for (size_t k = 2; k <= need; k++) {
			if (s[i + k] < 0x80 || s[i + k] > 0xBF) {
				*bad = i;
				return 0;
			}
		}
		i += need + 1;
	}
	return 1;
}

static int fail(iffa_load__csv *r, int code, long long line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(iffa_load__csv *r, int code, long long line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	r->err_line = line;
	r->failed = code;
	if (line > 0)
		return iffa_error_set(code, "%s:%lld: %s", r->name, line, r->err);
	return iffa_error_set(code, "%s: %s", r->name, r->err);
}

int iffa_load__csv_new(iffa_load__csv **out, FILE *in, const char *name)
{
	iffa_load__csv *r;
	int error = IFFA_ENOMEM;

	*out = NULL;
	if (!(r = calloc(1, sizeof(*r))))
		goto done;
	r->in = in;
	r->name = name;
	r->line = 1;
	r->capfields = 64;
	r->block = malloc(BLOCK);
	r->rec = malloc(IFFA_LOAD__CSV_MAX_RECORD + 1);
	r->starts = malloc(r->capfields * sizeof(*r->starts));
	r->md = EVP_MD_CTX_new();
	if (!r->block || !r->rec || !r->starts || !r->md)
		goto done;
	if (!EVP_DigestInit_ex(r->md, EVP_sha256(), NULL)) {
		error = iffa_error_set(IFFA_ERROR, "starting a SHA-256 digest failed");
		goto done;
	}
	*out = r;
	r = NULL;
	error = 0;
done:
	if (error == IFFA_ENOMEM)
		iffa_error_set(IFFA_ENOMEM, "out of memory");
	iffa_load__csv_free(r);
	return error;
}

void iffa_load__csv_free(iffa_load__csv *r)
{
	if (!r)
		return;
	EVP_MD_CTX_free(r->md);
	free(r->block);
	free(r->rec);
	free(r->starts);
	free(r);
}

void iffa_load__csv_set_names(iffa_load__csv *r, const char *const *names, size_t n)
{
	r->names = names;
	r->nnames = n;
}

size_t iffa_load__csv_count(const iffa_load__csv *r)
{
	return r->nfields;
}

const char *iffa_load__csv_field(const iffa_load__csv *r, size_t i, size_t *len)
{
	size_t end = i + 1 < r->nfields ? r->starts[i + 1] - 1 : r->rlen - 1;

	if (len)
		*len = end - r->starts[i];
	return r->rec + r->starts[i];
}

long long iffa_load__csv_line(const iffa_load__csv *r)
{
	return r->rec_line;
}

int iffa_load__csv_unterminated(const iffa_load__csv *r)
{
	return r->unterminated;
}

const char *iffa_load__csv_error(const iffa_load__csv *r, long long *line)
{
	if (line)
		*line = r->err_line;
	return r->err;
}

int iffa_load__csv_sha256(iffa_load__csv *r, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	out[0] = '\0';
	if (!r->eof || r->pos < r->len || r->failed)
		return iffa_error_set(IFFA_ERROR, "%s: digest asked before the end of the file",
				      r->name);
	if (!EVP_DigestFinal_ex(r->md, md, &n))
		return iffa_error_set(IFFA_ERROR, "computing a SHA-256 digest failed");
	for (unsigned int i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}

/* Refill the block. Returns 1 with bytes available, 0 at end of file, <0 error. */
static int fill(iffa_load__csv *r)
{
	size_t n;

	if (r->eof)
		return 0;
	n = fread(r->block, 1, BLOCK, r->in);
	if (n < BLOCK) {
		if (ferror(r->in))
			return fail(r, IFFA_EIO, 0, "reading the file: %s", strerror(errno));
		r->eof = 1;
	}
	if (n > 0 && !EVP_DigestUpdate(r->md, r->block, n))
		return fail(r, IFFA_ERROR, 0, "computing a SHA-256 digest failed");
	r->pos = 0;
	r->len = n;
	if (!r->started) {
		r->started = 1;
		if (n >= 2 && ((r->block[0] == 0xFF && r->block[1] == 0xFE) ||
			       (r->block[0] == 0xFE && r->block[1] == 0xFF)))
			return fail(r, IFFA_EINVAL, 1,
				    "the file is UTF-16; save it as UTF-8");
		/* A BOM of 3 bytes always fits in the first block unless the file
		 * is shorter, in which case it is not a whole BOM. */
		if (n >= 3 && r->block[0] == 0xEF && r->block[1] == 0xBB && r->block[2] == 0xBF)
			r->pos = 3;
	}
	return r->pos < r->len ? 1 : 0;
}

/* Outside the range of a byte, so that errors stay negative. */
#define END_OF_FILE 256

/* Next byte, END_OF_FILE, or a negative error code (already recorded). */
static inline int get(iffa_load__csv *r)
{
	int more;

	if (r->pos < r->len)
		return r->block[r->pos++];
	if ((more = fill(r)) < 0)
		return more;
	if (more == 0)
		return END_OF_FILE;
	return r->block[r->pos++];
}

/* Look at the next byte without taking it. */
static inline int peek(iffa_load__csv *r)
{
	int c = get(r);

	if (c >= 0 && c != END_OF_FILE)
		r->pos--;
	return c;
}

static int too_long(iffa_load__csv *r)
{
	return fail(r, IFFA_EINVAL, r->rec_line,
		    "record longer than %d bytes (a quote opened and never closed?)",
		    IFFA_LOAD__CSV_MAX_RECORD);
}

static inline int put(iffa_load__csv *r, int c)
{
	if (r->rlen >= IFFA_LOAD__CSV_MAX_RECORD)
		return too_long(r);
	r->rec[r->rlen++] = (char)c;
	return 0;
}

static int begin_field(iffa_load__csv *r)
{
	if (r->nfields == r->capfields) {
		size_t cap = r->capfields * 2;
		size_t *p = realloc(r->starts, cap * sizeof(*p));
		if (!p)
			return iffa_error_set(IFFA_ENOMEM, "out of memory");
		r->starts = p;
		r->capfields = cap;
	}
	r->starts[r->nfields++] = r->rlen;
	return 0;
}

static const char *column_name(const iffa_load__csv *r, size_t i, char *buf, size_t size)
{
	if (i < r->nnames && r->names[i])
		snprintf(buf, size, "field %s", r->names[i]);
	else
		snprintf(buf, size, "column %zu", i + 1);
	return buf;
}

/* Every field of the record must be UTF-8; name the line of the bad byte. */
static int check_utf8(iffa_load__csv *r)
{
	for (size_t i = 0; i < r->nfields; i++) {
		size_t len, bad;
		const char *f = iffa_load__csv_field(r, i, &len);
		long long line = r->rec_line;
		char col[160];

		if (iffa_load__utf8_valid((const unsigned char *)f, len, &bad))
			continue;
		for (size_t k = 0; k < r->starts[i] + bad; k++)
			if (r->rec[k] == '\n')
				line++;
		return fail(r, IFFA_EINVAL, line,
			    "%s: invalid UTF-8 (byte 0x%02X); if the file is in Windows-1252 "
			    "or Latin-1, convert it: iconv -f WINDOWS-1252 -t UTF-8",
			    column_name(r, i, col, sizeof(col)), (unsigned char)f[bad]);
	}
	return 0;
}

static int end_record(iffa_load__csv *r)
{
	int error;

	if ((error = put(r, '\0')) < 0)
		return error;
	if ((error = check_utf8(r)) < 0)
		return error;
	return 1;
}

/* Line end after a carriage return: must be \r\n. */
static int crlf(iffa_load__csv *r)
{
	int c = peek(r);

	if (c < 0)
		return c;
	if (c != '\n')
		return fail(r, IFFA_EINVAL, r->line,
			    "carriage return without line feed (old Mac line ends?); "
			    "use \\n or \\r\\n");
	r->pos++;
	r->line++;
	return 0;
}

enum { S_START, S_UNQUOTED, S_QUOTED, S_QUOTE };

int iffa_load__csv_next(iffa_load__csv *r)
{
	int c, error, state = S_START;
	long long quote_line = 0;

	if (r->failed)
		return r->failed;
	r->nfields = 0;
	r->rlen = 0;
	r->unterminated = 0;

	/* Skip blank lines; they carry no record. */
	for (;;) {
		if ((c = get(r)) < 0)
			return c;
		if (c == END_OF_FILE)
			return 0;
		if (c == '\n') {
			r->line++;
		} else if (c == '\r') {
			if ((error = crlf(r)) < 0)
				return error;
		} else {
			r->pos--; /* get() just took it from the block */
			break;
		}
	}
	r->rec_line = r->line;
	if ((error = begin_field(r)) < 0)
		return error;

	for (;;) {
		if ((c = get(r)) < 0)
			return c;
		if (c == END_OF_FILE) {
			if (state == S_QUOTED)
				return fail(r, IFFA_EINVAL, quote_line,
					    "quoted field never closed before the end of the "
					    "file (truncated file?)");
			r->unterminated = 1;
			return end_record(r);
		}
		if (c == '\0')
			return fail(r, IFFA_EINVAL, r->line,
				    "NUL byte (the file is binary or UTF-16, not UTF-8 text)");
		switch (state) {
		case S_START:
			if (c == '"') {
				state = S_QUOTED;
				quote_line = r->line;
				break;
			}
			state = S_UNQUOTED;
			/* fall through */
		case S_UNQUOTED:
		case S_QUOTE:
			if (c == ',') {
				if ((error = put(r, '\0')) < 0 || (error = begin_field(r)) < 0)
					return error;
				state = S_START;
			} else if (c == '\n') {
				r->line++;
				return end_record(r);
			} else if (c == '\r') {
				if ((error = crlf(r)) < 0)
					return error;
				return end_record(r);
			} else if (state == S_QUOTE && c == '"') {
				if ((error = put(r, c)) < 0)
					return error;
				state = S_QUOTED;
			} else if (state == S_QUOTE) {
				return fail(r, IFFA_EINVAL, r->line,
					    "character after the closing quote of a field "
					    "(a quote inside a quoted field is written \"\")");
			} else if (c == '"') {
				return fail(r, IFFA_EINVAL, r->line,
					    "quote inside an unquoted field (quote the whole "
					    "field and double the quote: \"\")");
			} else if ((error = put(r, c)) < 0) {
				return error;
			}
			break;
		case S_QUOTED:
			if (c == '"') {
				state = S_QUOTE;
				break;
			}
			if (c == '\n')
				r->line++;
			if ((error = put(r, c)) < 0)
				return error;
			break;
		}
	}
}
