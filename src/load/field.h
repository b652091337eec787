/*
 * Field types of docs/FORMATS.md: each check takes the raw bytes of one
 * field (never empty: emptiness is the caller's "no value"), returns 0 when
 * the value is acceptable, or IFFA_EINVAL with the reason written to `why`
 * (e.g. `"-5" is not a positive amount`). Nothing here allocates, so the
 * load loop can call them a million times.
 */
#ifndef IFFA_SRC_LOAD_FIELD_H
#define IFFA_SRC_LOAD_FIELD_H

#include <stddef.h>

#include "iffa/common.h"

#define IFFA_LOAD__TEXT_MAX 1000
#define IFFA_LOAD__REF_MAX 200
/* Longest normalised timestamp: "YYYY-MM-DD HH:MM:SS.ffffff+00". */
#define IFFA_LOAD__TS_SIZE 32

/* Codes of the country and currency tables, read once per load. */
typedef struct {
	unsigned char country[26 * 26];       /* [A-Z]{2} -> 1 when present */
	unsigned char currency[26 * 26 * 26]; /* [A-Z]{3} -> 1 when present */
} iffa_load__codes;

/* A decimal type: amount, grams, fineness, rate. */
typedef struct {
	const char *noun;     /* "an amount", in "is not an amount" */
	const char *positive; /* "a positive amount" */
	int decimals;         /* at most this many digits after "." */
	int int_digits;       /* the value is below 10^int_digits */
	int at_most_one;      /* the value is at most 1 (fineness) */
} iffa_load__decimal;

extern const iffa_load__decimal iffa_load__amount;   /* < 10^15, 4 decimals */
extern const iffa_load__decimal iffa_load__grams;    /* < 10^9, 3 decimals */
extern const iffa_load__decimal iffa_load__fineness; /* (0, 1], 4 decimals */
extern const iffa_load__decimal iffa_load__rate;     /* < 10^12, 8 decimals */

/*
 * Write `s` quoted for a message into dst: `"..."`, with quotes,
 * backslashes and control characters escaped and long values cut (at a
 * character boundary) and ended with "...".
 */
void iffa_load__quote(char *dst, size_t size, const char *s, size_t len);

/* 1 to 200 bytes of ASCII letters, digits and -_.:/#@+. */
int iffa_load__check_ref(const char *s, size_t len, char *why, size_t size);

/* At most 1,000 bytes (UTF-8 and NUL-freedom are the reader's). */
int iffa_load__check_text(const char *s, size_t len, char *why, size_t size);

int iffa_load__check_decimal(const iffa_load__decimal *type, const char *s, size_t len,
			     char *why, size_t size);

/* Upper-case code present in the table. */
int iffa_load__check_country(const iffa_load__codes *codes, const char *s, size_t len,
			     char *why, size_t size);
int iffa_load__check_currency(const iffa_load__codes *codes, const char *s, size_t len,
			      char *why, size_t size);

/* One of `values` (NULL-terminated). */
int iffa_load__check_enum(const char *const *values, const char *s, size_t len,
			  char *why, size_t size);

/*
 * ISO 8601 date and time with a zone, normalised to UTC as
 * "YYYY-MM-DD HH:MM:SS[.ffffff]+00" in out. `now` (Unix seconds) bounds
 * it: 1900-01-01T00:00Z <= value <= now + 1 day.
 */
int iffa_load__parse_timestamp(char out[IFFA_LOAD__TS_SIZE], const char *s, size_t len,
			       long long now, char *why, size_t size);

/* YYYY-MM-DD, 1900-01-01 to the UTC date of now + 1 day. */
int iffa_load__check_date(const char *s, size_t len, long long now, char *why, size_t size);

/*
 * A `|` list of text: each element is trimmed of surrounding blanks and
 * must not be empty; the whole field is text (at most 1,000 bytes). The
 * normalised list ("a|b") goes to out, which has room for len + 1 bytes.
 */
int iffa_load__norm_list(char *out, const char *s, size_t len, char *why, size_t size);

/*
 * A `|` list of role:party_ref, role one of negotiator, courier,
 * intermediary, blanks around elements, roles and references trimmed.
 * Normalised form ("negotiator:P-12|courier:P-40") to out (len + 1 bytes).
 */
int iffa_load__norm_legs(char *out, const char *s, size_t len, char *why, size_t size);

/* Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's algorithm). */
long long iffa_load__days_from_civil(long long y, unsigned m, unsigned d);

#endif
