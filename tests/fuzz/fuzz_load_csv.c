/*
 * Fuzz harness: the CSV reader of `iffa load` (src/load/csv.c) and the
 * field types of a loaded row (src/load/field.c).
 *
 * Input: one option byte, then the file.
 *   bits 0-2  record kind whose header is matched (spec.c)
 *   bits 3-5  when all set, one long first field is put before the file, so
 *             that the record limit (64 KiB) falls in its first 64 bytes:
 *             padded inputs run slower, so they are the rarer case
 *   bit 6     that long field is quoted
 *
 * The fuzzing build reads in 61-byte blocks (csv.c), so block boundaries
 * fall everywhere in small inputs.
 *
 * Properties checked besides memory safety and undefined behaviour:
 *   - the reader ends with 1/0/IFFA_EINVAL/IFFA_EIO and a message;
 *   - every field is NUL-free UTF-8 of the length reported, and a record
 *     fits the record limit;
 *   - at the end, the SHA-256 the reader gives is that of every byte;
 *   - every check's message is UTF-8 (it goes to PostgreSQL and the reject
 *     file), and an accepted value has the form its type promises: a
 *     normalised timestamp parses again to itself, a list has no empty
 *     element, a decimal has digits only.
 */
#include <string.h>

#include <openssl/evp.h>

#include "fuzz.h"
#include "load/csv.h"
#include "load/field.h"
#include "load/spec.h"

#define NOW INT64_C(1767225600)     /* 2026-01-01T00:00Z: runs are reproducible */

static iffa_load__codes codes;
static char *scratch;               /* a normalised list, record-sized, as load.c */

static void set_codes(void)
{
	static const char *const countries[] = {"ML", "NE", "BF", "SN", "FR", "GN", "ZZ"};
	static const char *const currencies[] = {"XOF", "EUR", "USD", "GNF", "ZZZ"};

	for (size_t i = 0; i < sizeof(countries) / sizeof(countries[0]); i++)
		codes.country[(countries[i][0] - 'A') * 26 + (countries[i][1] - 'A')] = 1;
	for (size_t i = 0; i < sizeof(currencies) / sizeof(currencies[0]); i++)
		codes.currency[((currencies[i][0] - 'A') * 26 + (currencies[i][1] - 'A')) * 26 +
			       (currencies[i][2] - 'A')] = 1;
}

static void check_utf8(const char *s, size_t len, const char *what)
{
	size_t bad = 0;

	FUZZ_ASSERT(iffa_load__utf8_valid((const unsigned char *)s, len, &bad),
		    "%s is not UTF-8 at byte %zu: \"%.*s\"", what, bad, (int)len, s);
}

/* The message of a refused value: NUL-terminated inside `why`, UTF-8. */
static void check_why(int error, const char *why, size_t size, const char *type)
{
	size_t n = strnlen(why, size);

	FUZZ_ASSERT(error == 0 || error == IFFA_EINVAL, "%s check returned %d", type, error);
	if (error == 0)
		return;
	FUZZ_ASSERT(n < size && n > 0, "%s: message not terminated or empty", type);
	check_utf8(why, n, "a refusal message");
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* "YYYY-MM-DD HH:MM:SS[.ffffff]+00", and it reads back as itself. */
static void check_timestamp(const char *ts, const char *s, size_t len)
{
	static const char form[] = "dddd-dd-dd dd:dd:dd";
	size_t n = strlen(ts);
	char again[IFFA_LOAD__TS_SIZE], iso[IFFA_LOAD__TS_SIZE], why[512];
	int error;

	FUZZ_ASSERT(n == 22 || n == 29, "timestamp %.*s normalised to \"%s\"", (int)len, s, ts);
	for (size_t i = 0; i < sizeof(form) - 1; i++)
		FUZZ_ASSERT(form[i] == 'd' ? is_digit(ts[i]) : ts[i] == form[i],
			    "timestamp %.*s normalised to \"%s\"", (int)len, s, ts);
	FUZZ_ASSERT(strcmp(ts + n - 3, "+00") == 0, "\"%s\" is not UTC", ts);
	FUZZ_ASSERT(strncmp(ts, "1900", 4) >= 0, "\"%s\" is before 1900", ts);
	/* Back to ISO 8601 with Z: must give the same text. */
	memcpy(iso, ts, n - 3);
	iso[10] = 'T';
	iso[n - 3] = 'Z';
	iso[n - 2] = '\0';
	error = iffa_load__parse_timestamp(again, iso, n - 2, NOW, why, sizeof(why));
	FUZZ_ASSERT(error == 0, "\"%s\" (from %.*s) does not parse again: %s", iso, (int)len, s,
		    why);
	FUZZ_ASSERT(strcmp(again, ts) == 0, "\"%s\" reads back as \"%s\"", ts, again);
}

/* Digits, at most one '.', and not zero. */
static void check_decimal_form(const iffa_load__decimal *t, const char *s, size_t len)
{
	size_t dots = 0, frac = 0, lead = 0, intd = 0;
	int nonzero = 0, in_frac = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '.') {
			dots++;
			in_frac = 1;
			continue;
		}
		FUZZ_ASSERT(is_digit(s[i]), "accepted %s %.*s", t->noun, (int)len, s);
		nonzero |= s[i] != '0';
		if (in_frac) {
			frac++;
		} else {
			if (intd == lead && s[i] == '0')
				lead++;
			intd++;
		}
	}
	FUZZ_ASSERT(dots <= 1 && intd > 0 && (dots == 0 || frac > 0) && nonzero &&
			    frac <= (size_t)t->decimals,
		    "accepted %s %.*s", t->noun, (int)len, s);
	if (t->at_most_one)
		FUZZ_ASSERT(strtod(s, NULL) <= 1.0, "accepted %s %.*s", t->noun, (int)len, s);
	else
		FUZZ_ASSERT(intd - lead <= (size_t)t->int_digits, "accepted %s %.*s", t->noun,
			    (int)len, s);
}

/* A normalised `|` list: no empty element, no blanks at element ends. */
static void check_list(const char *out, const char *s, size_t len)
{
	size_t n = strlen(out);

	FUZZ_ASSERT(n > 0 && n <= len, "list %.*s normalised to \"%s\"", (int)len, s, out);
	FUZZ_ASSERT(out[0] != '|' && out[n - 1] != '|' && !strstr(out, "||"),
		    "list %.*s normalised to \"%s\"", (int)len, s, out);
	for (size_t i = 0; i < n; i++)
		if (out[i] == ' ' || out[i] == '\t')
			FUZZ_ASSERT(i > 0 && i + 1 < n && out[i - 1] != '|' && out[i + 1] != '|',
				    "list %.*s normalised to \"%s\"", (int)len, s, out);
	check_utf8(out, n, "a normalised list");
}

/* Every field type on one value, as load.c's put_value() would. */
static void check_field(const char *s, size_t len)
{
	static const char *const values[] = {"bank", "mobile_money", "hawala", NULL};
	static const iffa_load__decimal *const decimals[] = {
		&iffa_load__amount, &iffa_load__grams, &iffa_load__fineness, &iffa_load__rate};
	char why[1024], ts[IFFA_LOAD__TS_SIZE], q[128];
	int error;

	if (len == 0)
		return; /* "no value": the loader never checks it */

	error = iffa_load__check_ref(s, len, why, sizeof(why));
	check_why(error, why, sizeof(why), "ref");
	if (error == 0) {
		FUZZ_ASSERT(len <= IFFA_LOAD__REF_MAX, "accepted a reference of %zu bytes", len);
		for (size_t i = 0; i < len; i++)
			FUZZ_ASSERT(s[i] > ' ' && s[i] < 0x7f && s[i] != ',' && s[i] != '"',
				    "accepted reference %.*s", (int)len, s);
	}

	error = iffa_load__check_text(s, len, why, sizeof(why));
	check_why(error, why, sizeof(why), "text");

	error = iffa_load__norm_list(scratch, s, len, why, sizeof(why));
	check_why(error, why, sizeof(why), "list");
	if (error == 0)
		check_list(scratch, s, len);

	error = iffa_load__norm_legs(scratch, s, len, why, sizeof(why));
	check_why(error, why, sizeof(why), "legs");
	if (error == 0) {
		check_list(scratch, s, len);
		FUZZ_ASSERT(!strchr(scratch, ' ') && !strchr(scratch, '\t'),
			    "legs %.*s normalised to \"%s\"", (int)len, s, scratch);
	}

	error = iffa_load__check_country(&codes, s, len, why, sizeof(why));
	check_why(error, why, sizeof(why), "country");
	FUZZ_ASSERT(error < 0 || len == 2, "accepted country %.*s", (int)len, s);
	error = iffa_load__check_currency(&codes, s, len, why, sizeof(why));
	check_why(error, why, sizeof(why), "currency");
	FUZZ_ASSERT(error < 0 || len == 3, "accepted currency %.*s", (int)len, s);

	for (size_t i = 0; i < sizeof(decimals) / sizeof(decimals[0]); i++) {
		error = iffa_load__check_decimal(decimals[i], s, len, why, sizeof(why));
		check_why(error, why, sizeof(why), decimals[i]->noun);
		if (error == 0)
			check_decimal_form(decimals[i], s, len);
	}

	error = iffa_load__parse_timestamp(ts, s, len, NOW, why, sizeof(why));
	check_why(error, why, sizeof(why), "timestamp");
	if (error == 0)
		check_timestamp(ts, s, len);

	error = iffa_load__check_date(s, len, NOW, why, sizeof(why));
	check_why(error, why, sizeof(why), "date");
	FUZZ_ASSERT(error < 0 || (len == 10 && s[4] == '-' && s[7] == '-'), "accepted date %.*s",
		    (int)len, s);

	error = iffa_load__check_enum(values, s, len, why, sizeof(why));
	check_why(error, why, sizeof(why), "enum");

	/* Quoting for messages, in buffers of every small size. */
	for (size_t size = 0; size <= sizeof(q); size += 1 + size / 4) {
		memset(q, 'X', sizeof(q));
		iffa_load__quote(q, size, s, len);
		if (size == 0)
			continue;
		FUZZ_ASSERT(memchr(q, '\0', size), "quote overflowed a buffer of %zu", size);
		check_utf8(q, strlen(q), "a quoted value");
	}
}

/* The header against the kind's columns, as load.c's read_header() does. */
static void match_header(iffa_load__csv *r, iffa_load_kind kind)
{
	const iffa_load__spec *spec = iffa_load__spec_of(kind);

	FUZZ_ASSERT(spec, "no spec for kind %d", (int)kind);
	for (size_t i = 0; i < iffa_load__csv_count(r); i++) {
		size_t len;
		const char *f = iffa_load__csv_field(r, i, &len);
		const iffa_load__column *col = iffa_load__column_named(spec, f, len);
		FUZZ_ASSERT(!col || (strlen(col->name) == len && memcmp(col->name, f, len) == 0),
			    "header field %.*s matched column %s", (int)len, f, col->name);
	}
}

static void check_record(iffa_load__csv *r)
{
	size_t n = iffa_load__csv_count(r), total = 0;

	FUZZ_ASSERT(n >= 1, "a record without fields");
	FUZZ_ASSERT(iffa_load__csv_line(r) >= 1, "record on line %lld", iffa_load__csv_line(r));
	for (size_t i = 0; i < n; i++) {
		size_t len;
		const char *f = iffa_load__csv_field(r, i, &len);

		FUZZ_ASSERT(f[len] == '\0' && strlen(f) == len, "field %zu: length %zu but %zu "
			    "bytes before its NUL", i, len, strlen(f));
		check_utf8(f, len, "a field");
		total += len + 1;
		check_field(f, len);
	}
	FUZZ_ASSERT(total <= IFFA_LOAD__CSV_MAX_RECORD, "a record of %zu bytes was accepted",
		    total);
}

static unsigned char *pad(const uint8_t *data, size_t size, unsigned opt, size_t *out_len)
{
	size_t before = (opt & 0x38) == 0x38 ? IFFA_LOAD__CSV_MAX_RECORD - size % 64 : 0;
	unsigned char *buf = malloc(before + size + 1);

	FUZZ_ASSERT(buf, "out of memory");
	memset(buf, 'x', before);
	if (before && (opt & 0x40))
		buf[0] = '"';
	memcpy(buf + before, data, size);
	*out_len = before + size;
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char md[EVP_MAX_MD_SIZE], *buf;
	char hex[65], want[65];
	unsigned int mdlen = 0;
	iffa_load__csv *r = NULL;
	size_t len;
	FILE *f;
	int rc, records = 0;

	if (size < 1)
		return 0;
	if (!scratch) {
		set_codes();
		scratch = malloc(IFFA_LOAD__CSV_MAX_RECORD + 1);
		FUZZ_ASSERT(scratch, "out of memory");
	}
	buf = pad(data + 1, size - 1, data[0], &len);
	/* fmemopen() refuses an empty buffer; /dev/null is an empty file. */
	f = len ? fmemopen(buf, len, "rb") : fopen("/dev/null", "rb");
	FUZZ_ASSERT(f, "cannot open the input");
	FUZZ_ASSERT(iffa_load__csv_new(&r, f, "fuzz.csv") == 0, "%s", iffa_error_last());

	while ((rc = iffa_load__csv_next(r)) == 1) {
		if (records++ == 0)
			match_header(r, (iffa_load_kind)(data[0] & 7));
		check_record(r);
	}
	if (rc < 0) {
		long long line;
		const char *why = iffa_load__csv_error(r, &line);

		fuzz_check_error(rc, "iffa_load__csv_next");
		FUZZ_ASSERT(rc == IFFA_EINVAL, "reading memory failed with %d", rc);
		FUZZ_ASSERT(why[0], "no reason kept");
		check_utf8(why, strlen(why), "the reader's message");
		FUZZ_ASSERT(iffa_load__csv_next(r) == rc, "the reader did not stay failed");
		FUZZ_ASSERT(iffa_load__csv_sha256(r, hex) < 0, "a digest after a failure");
	} else {
		FUZZ_ASSERT(rc == 0, "iffa_load__csv_next returned %d", rc);
		FUZZ_ASSERT(iffa_load__csv_next(r) == 0, "the reader did not stay at the end");
		FUZZ_ASSERT(iffa_load__csv_sha256(r, hex) == 0, "%s", iffa_error_last());
		FUZZ_ASSERT(EVP_Digest(buf, len, md, &mdlen, EVP_sha256(), NULL), "EVP_Digest");
		for (unsigned int i = 0; i < mdlen; i++)
			snprintf(want + 2 * i, 3, "%02x", md[i]);
		FUZZ_ASSERT(strcmp(hex, want) == 0, "digest %s, the bytes hash to %s", hex, want);
	}
	iffa_load__csv_free(r);
	fclose(f);
	free(buf);
	return 0;
}
