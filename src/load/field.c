/*
 * Field types of the input files (docs/FORMATS.md, "Field types"). Every
 * check is strict and says why a value is refused, quoting it, because the
 * analyst has to find and fix it in the file. Values are never repaired
 * silently: the only normalisations are time zones to UTC and blanks around
 * list elements.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "load/field.h"

const iffa_load__decimal iffa_load__amount = {"an amount", "a positive amount", 4, 15, 0};
const iffa_load__decimal iffa_load__grams = {"a weight in grams", "a positive weight in grams",
					     3, 9, 0};
const iffa_load__decimal iffa_load__fineness = {"a fineness", "a positive fineness", 4, 1, 1};
const iffa_load__decimal iffa_load__rate = {"a rate", "a positive rate", 8, 12, 0};

#define QUOTE_MAX 60 /* bytes of a value shown in a message */

void iffa_load__quote(char *dst, size_t size, const char *s, size_t len)
{
	size_t o = 0, i = 0;

	if (size < 8) {
		if (size)
			dst[0] = '\0';
		return;
	}
	dst[o++] = '"';
	while (i < len && i < QUOTE_MAX) {
		unsigned char c = (unsigned char)s[i];
		char esc[8];
		size_t n;

		if (c == '"' || c == '\\')
			n = (size_t)snprintf(esc, sizeof(esc), "\\%c", c);
		else if (c == '\n')
			n = (size_t)snprintf(esc, sizeof(esc), "\\n");
		else if (c == '\r')
			n = (size_t)snprintf(esc, sizeof(esc), "\\r");
		else if (c == '\t')
			n = (size_t)snprintf(esc, sizeof(esc), "\\t");
		else if (c < 0x20 || c == 0x7F)
			n = (size_t)snprintf(esc, sizeof(esc), "\\x%02X", c);
		else {
			/* Whole UTF-8 characters only. */
			size_t k = 1;
			while (i + k < len && ((unsigned char)s[i + k] & 0xC0) == 0x80)
				k++;
			if (o + k + 5 > size || i + k > QUOTE_MAX)
				break;
			memcpy(dst + o, s + i, k);
			o += k;
			i += k;
			continue;
		}
		if (o + n + 5 > size)
			break;
		memcpy(dst + o, esc, n);
		o += n;
		i++;
	}
	if (i < len) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o++] = '"';
	dst[o] = '\0';
}

static int refuse(char *why, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int refuse(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return IFFA_EINVAL;
}

#define Q(buf, s, len) (iffa_load__quote((buf), sizeof(buf), (s), (len)), (buf))

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_ref_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("-_.:/#@+", c) != NULL);
}

int iffa_load__check_ref(const char *s, size_t len, char *why, size_t size)
{
	char q[128];

	if (len > IFFA_LOAD__REF_MAX)
		return refuse(why, size, "%s is not a reference: longer than %d bytes",
			      Q(q, s, len), IFFA_LOAD__REF_MAX);
	for (size_t i = 0; i < len; i++)
		if (!is_ref_char((unsigned char)s[i]))
			return refuse(why, size,
				      "%s is not a reference: only ASCII letters, digits "
				      "and -_.:/#@+ are allowed",
				      Q(q, s, len));
	if (len == 0)
		return refuse(why, size, "empty reference");
	return 0;
}

int iffa_load__check_text(const char *s, size_t len, char *why, size_t size)
{
	(void)s;
	if (len > IFFA_LOAD__TEXT_MAX)
		return refuse(why, size, "text longer than %d bytes (%zu bytes)",
			      IFFA_LOAD__TEXT_MAX, len);
	return 0;
}

int iffa_load__check_decimal(const iffa_load__decimal *t, const char *s, size_t len,
			     char *why, size_t size)
{
	char q[128];
	size_t i = 0, int_start, int_end, frac = 0, lead;
	int nonzero = 0;

	if (len > 0 && s[0] == '-')
		return refuse(why, size, "%s is not %s", Q(q, s, len), t->positive);
	int_start = i;
	while (i < len && is_digit(s[i]))
		nonzero |= s[i++] != '0';
	int_end = i;
	if (i < len && s[i] == '.' && i > int_start) {
		i++;
		while (i < len && is_digit(s[i])) {
			nonzero |= s[i++] != '0';
			frac++;
		}
		if (frac == 0)
			i--; /* "5." : the dot is the problem */
	}
	if (i < len) {
		unsigned char c = (unsigned char)s[i];
		/* 0xC2 starts U+00A0 and 0xE2 U+202F, the spaces French
		 * formatting puts between thousands. */
		if (i > int_start &&
		    (c == ',' || c == ' ' || c == '\'' || c == '_' || c == 0xC2 || c == 0xE2))
			return refuse(why, size,
				      "%s is not %s: use \".\" for decimals and no "
				      "thousands separator",
				      Q(q, s, len), t->noun);
		if ((c == 'e' || c == 'E') && i > int_start)
			return refuse(why, size, "%s is not %s: exponents are not accepted",
				      Q(q, s, len), t->noun);
		return refuse(why, size, "%s is not %s", Q(q, s, len), t->noun);
	}
	if (int_end == int_start)
		return refuse(why, size, "%s is not %s", Q(q, s, len), t->noun);
	if (frac > (size_t)t->decimals)
		return refuse(why, size, "%s is not %s: more than %d decimals", Q(q, s, len),
			      t->noun, t->decimals);
	if (!nonzero)
		return refuse(why, size, "%s is not %s", Q(q, s, len), t->positive);
	for (lead = int_start; lead < int_end && s[lead] == '0'; lead++)
		;
	if (t->at_most_one) {
		/* Integer part 0, or 1 with only zeros after the dot. */
		int over = int_end - lead > 1 || (int_end - lead == 1 && s[lead] != '1');
		for (size_t k = int_end + 1; !over && lead < int_end && k < len; k++)
			over = s[k] != '0';
		if (over)
			return refuse(why, size, "%s is not %s: must be at most 1", Q(q, s, len),
				      t->noun);
	} else if (int_end - lead > (size_t)t->int_digits) {
		return refuse(why, size, "%s is not %s: must be below 10^%d", Q(q, s, len),
			      t->noun, t->int_digits);
	}
	return 0;
}

static int check_code(const unsigned char *table, int letters, const char *what,
		      const char *s, size_t len, char *why, size_t size)
{
	char q[128];
	size_t idx = 0;
	int upper = len == (size_t)letters;

	for (size_t i = 0; upper && i < len; i++) {
		upper = s[i] >= 'A' && s[i] <= 'Z';
		idx = idx * 26 + (size_t)(s[i] - 'A');
	}
	if (!upper)
		return refuse(why, size, "%s is not a %s code: %s upper-case letters expected",
			      Q(q, s, len), what, letters == 2 ? "two" : "three");
	if (!table[idx])
		return refuse(why, size, "%s is not in the %s table", Q(q, s, len), what);
	return 0;
}

int iffa_load__check_country(const iffa_load__codes *codes, const char *s, size_t len,
			     char *why, size_t size)
{
	return check_code(codes->country, 2, "country", s, len, why, size);
}

int iffa_load__check_currency(const iffa_load__codes *codes, const char *s, size_t len,
			      char *why, size_t size)
{
	return check_code(codes->currency, 3, "currency", s, len, why, size);
}

int iffa_load__check_enum(const char *const *values, const char *s, size_t len, char *why,
			  size_t size)
{
	char q[128], list[512];
	size_t o = 0;

	for (const char *const *v = values; *v; v++)
		if (strlen(*v) == len && memcmp(*v, s, len) == 0)
			return 0;
	list[0] = '\0';
	for (const char *const *v = values; *v && o < sizeof(list); v++)
		o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", o ? ", " : "", *v);
	return refuse(why, size, "%s is not one of: %s", Q(q, s, len), list);
}

long long iffa_load__days_from_civil(long long y, unsigned m, unsigned d)
{
	long long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

static void civil_from_days(long long z, int *y, unsigned *m, unsigned *d)
{
	long long era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)((long long)yoe + era * 400 + (*m <= 2));
}

static int days_in_month(int y, unsigned m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

/* n digits at s[*i] into *v. */
static int digits(const char *s, size_t len, size_t *i, int n, int *v)
{
	*v = 0;
	if (*i + (size_t)n > len)
		return 0;
	for (int k = 0; k < n; k++) {
		if (!is_digit(s[*i + (size_t)k]))
			return 0;
		*v = *v * 10 + (s[*i + (size_t)k] - '0');
	}
	*i += (size_t)n;
	return 1;
}

static int lit(const char *s, size_t len, size_t *i, char c)
{
	if (*i < len && s[*i] == c) {
		(*i)++;
		return 1;
	}
	return 0;
}

static const long long MIN_DAY = -25567; /* 1900-01-01 */

/* YYYY-MM-DD at s[*i]; 1 when the form matches, with *valid for the calendar. */
static int parse_ymd(const char *s, size_t len, size_t *i, int *y, int *mo, int *d, int *valid)
{
	if (!digits(s, len, i, 4, y) || !lit(s, len, i, '-') || !digits(s, len, i, 2, mo) ||
	    !lit(s, len, i, '-') || !digits(s, len, i, 2, d))
		return 0;
	*valid = *mo >= 1 && *mo <= 12 && *d >= 1 && *d <= days_in_month(*y, (unsigned)*mo);
	return 1;
}

int iffa_load__check_date(const char *s, size_t len, long long now, char *why, size_t size)
{
	char q[128];
	size_t i = 0;
	int y, mo, d, valid;
	long long day;

	if (!parse_ymd(s, len, &i, &y, &mo, &d, &valid) || i != len)
		return refuse(why, size, "%s is not a date: expected YYYY-MM-DD", Q(q, s, len));
	if (!valid)
		return refuse(why, size, "%s is not a valid date", Q(q, s, len));
	day = iffa_load__days_from_civil(y, (unsigned)mo, (unsigned)d);
	if (day < MIN_DAY)
		return refuse(why, size, "%s is before 1900", Q(q, s, len));
	if (day > (now + 86400) / 86400)
		return refuse(why, size, "%s is more than a day in the future", Q(q, s, len));
	return 0;
}

int iffa_load__parse_timestamp(char out[IFFA_LOAD__TS_SIZE], const char *s, size_t len,
			       long long now, char *why, size_t size)
{
	char q[128];
	size_t i = 0;
	int y, mo, d, valid, h, mi, sec = 0, zh = 0, zm = 0, sign = 0;
	long micro = 0;
	long long t, day;
	unsigned um, ud;
	int uy;

	out[0] = '\0';
	if (!parse_ymd(s, len, &i, &y, &mo, &d, &valid) ||
	    !(lit(s, len, &i, 'T') || lit(s, len, &i, ' ')) || !digits(s, len, &i, 2, &h) ||
	    !lit(s, len, &i, ':') || !digits(s, len, &i, 2, &mi))
		goto form;
	if (lit(s, len, &i, ':')) {
		if (!digits(s, len, &i, 2, &sec))
			goto form;
		if (lit(s, len, &i, '.')) {
			int n = 0;
			while (i < len && is_digit(s[i])) {
				if (n < 6)
					micro = micro * 10 + (s[i] - '0');
				else if (s[i] != '0')
					return refuse(why, size,
						      "%s is not a timestamp: fractions finer "
						      "than a microsecond are not accepted",
						      Q(q, s, len));
				n++;
				i++;
			}
			if (n == 0)
				goto form;
			for (; n < 6; n++)
				micro *= 10;
		}
	}
	if (i == len)
		return refuse(why, size,
			      "%s has no time zone: add Z or +HH:MM/-HH:MM (a time without "
			      "zone is ambiguous)",
			      Q(q, s, len));
	if (lit(s, len, &i, 'Z')) {
		sign = 0;
	} else if (s[i] == '+' || s[i] == '-') {
		sign = s[i++] == '+' ? 1 : -1;
		if (!digits(s, len, &i, 2, &zh) || !lit(s, len, &i, ':') ||
		    !digits(s, len, &i, 2, &zm) || i != len)
			return refuse(why, size, "%s is not a timestamp: the zone must be Z or "
						 "+HH:MM/-HH:MM",
				      Q(q, s, len));
	} else {
		goto form;
	}
	if (i != len)
		goto form;
	if (!valid || h > 23 || mi > 59 || sec > 59 || zh > 14 || zm > 59 ||
	    zh * 60 + zm > 14 * 60)
		return refuse(why, size, "%s is not a valid date and time", Q(q, s, len));

	t = iffa_load__days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 +
	    mi * 60 + sec - sign * (zh * 3600 + zm * 60);
	if (t < MIN_DAY * 86400)
		return refuse(why, size, "%s is before 1900", Q(q, s, len));
	if (t > now + 86400 || (t == now + 86400 && micro > 0))
		return refuse(why, size, "%s is more than a day in the future", Q(q, s, len));

	day = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	t -= day * 86400;
	civil_from_days(day, &uy, &um, &ud);
	snprintf(out, IFFA_LOAD__TS_SIZE, "%04d-%02u-%02u %02d:%02d:%02d", uy % 10000, um % 100,
		 ud % 100, (int)(t / 3600), (int)(t / 60 % 60), (int)(t % 60));
	if (micro)
		snprintf(out + 19, IFFA_LOAD__TS_SIZE - 19, ".%06ld+00", micro % 1000000);
	else
		snprintf(out + 19, IFFA_LOAD__TS_SIZE - 19, "+00");
	return 0;
form:
	return refuse(why, size,
		      "%s is not a timestamp: expected YYYY-MM-DDTHH:MM[:SS[.fff]] and Z or "
		      "+HH:MM/-HH:MM",
		      Q(q, s, len));
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Split s at '|' and hand each element, trimmed, to `each`. */
typedef int (*element_fn)(const char *e, size_t n, const char *s, size_t len, char *why,
			  size_t size, void *ctx);

static int each_element(char *out, const char *s, size_t len, element_fn each, void *ctx,
			char *why, size_t size)
{
	char q[128];
	size_t i = 0, o = 0;
	int error;

	for (;;) {
		size_t a = i, b;
		while (i < len && s[i] != '|')
			i++;
		b = i;
		while (a < b && is_blank(s[a]))
			a++;
		while (b > a && is_blank(s[b - 1]))
			b--;
		if (a == b)
			return refuse(why, size, "%s has an empty element between | separators",
				      Q(q, s, len));
		if ((error = each(s + a, b - a, s, len, why, size, ctx)) < 0)
			return error;
		if (o > 0)
			out[o++] = '|';
		memcpy(out + o, s + a, b - a);
		o += b - a;
		if (i == len)
			break;
		i++;
	}
	out[o] = '\0';
	return 0;
}

static int text_element(const char *e, size_t n, const char *s, size_t len, char *why,
			size_t size, void *ctx)
{
	return 0; /* any text; the length of the whole field is checked */
}

int iffa_load__norm_list(char *out, const char *s, size_t len, char *why, size_t size)
{
	int error;

	out[0] = '\0';
	if ((error = iffa_load__check_text(s, len, why, size)) < 0)
		return error;
	return each_element(out, s, len, text_element, NULL, why, size);
}

static const char *const leg_roles[] = {"negotiator", "courier", "intermediary", NULL};

/* One role:ref element, rewritten in place without blanks around ':'. */
static int leg_element(const char *e, size_t n, const char *s, size_t len, char *why,
		       size_t size, void *ctx)
{
	char q[128], qe[128], sub[256];
	const char *colon = memchr(e, ':', n);
	size_t rn, fn;
	const char *ref;

	if (!colon)
		return refuse(why, size, "element %s is not role:party_ref", Q(qe, e, n));
	rn = (size_t)(colon - e);
	while (rn > 0 && is_blank(e[rn - 1]))
		rn--;
	ref = colon + 1;
	fn = n - (size_t)(ref - e);
	while (fn > 0 && is_blank(*ref)) {
		ref++;
		fn--;
	}
	if (iffa_load__check_enum(leg_roles, e, rn, sub, sizeof(sub)) < 0)
		return refuse(why, size,
			      "element %s: role %s is not negotiator, courier or intermediary",
			      Q(qe, e, n), Q(q, e, rn));
	if (fn == 0 || iffa_load__check_ref(ref, fn, sub, sizeof(sub)) < 0)
		return refuse(why, size, "element %s: %s", Q(qe, e, n),
			      fn == 0 ? "no party reference after the role" : sub);
	return 0;
}

int iffa_load__norm_legs(char *out, const char *s, size_t len, char *why, size_t size)
{
	int error;
	size_t o = 0;

	if ((error = each_element(out, s, len, leg_element, NULL, why, size)) < 0)
		return error;
	/* each_element copied elements trimmed at their ends; drop the blanks
	 * that may remain around the colons. */
	for (size_t i = 0; out[i]; i++) {
		if (is_blank(out[i]))
			continue; /* neither roles nor references hold blanks */
		out[o++] = out[i];
	}
	out[o] = '\0';
	return 0;
}
