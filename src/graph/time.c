/*
 * Times of the flow graph: int64 microseconds since 1970-01-01 UTC, and
 * their text form (ISO 8601, always UTC on output). Calendar arithmetic is
 * done here rather than with gmtime/timegm so that it is the same on every
 * platform and for every year from 1 to 9999 (Howard Hinnant's
 * days_from_civil algorithm, http://howardhinnant.github.io/date_algorithms.html).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "graph/flowgraph.h"

#define US_PER_SEC INT64_C(1000000)
#define US_PER_DAY (INT64_C(86400) * US_PER_SEC)

int64_t iffa_flowgraph__days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void iffa_flowgraph__civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static unsigned days_in_month(int64_t y, unsigned m)
{
	static const unsigned len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : len[m - 1];
}

/* Read exactly `n` digits at *p into *out and advance; 0 when not digits. */
static int digits(const char **p, int n, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return 0;
		v = v * 10 + (unsigned)((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 1;
}

int iffa_flowgraph_time_parse(int64_t *out, const char *text)
{
	const char *p = text;
	unsigned y, mo, d, h = 0, mi = 0, s = 0, us = 0, oh = 0, om = 0;
	int64_t offset = 0;

	if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
	    !digits(&p, 2, &d))
		goto bad;
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		goto bad;
	if (*p == '\0')
		goto done;
	if (*p != 'T' && *p != ' ')
		goto bad;
	p++;
	if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi) || h > 23 || mi > 59)
		goto bad;
	if (*p == ':') {
		p++;
		if (!digits(&p, 2, &s) || s > 59)
			goto bad;
		if (*p == '.') {
			int n = 0;

			p++;
			while (*p >= '0' && *p <= '9' && n < 6) {
				us = us * 10 + (unsigned)(*p++ - '0');
				n++;
			}
			if (n == 0 || (*p >= '0' && *p <= '9'))
				goto bad;
			for (; n < 6; n++)
				us *= 10;
		}
	}
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1;

		if (!digits(&p, 2, &oh) || *p++ != ':' || !digits(&p, 2, &om) || oh > 23 || om > 59)
			goto bad;
		offset = sign * ((int64_t)oh * 3600 + om * 60) * US_PER_SEC;
	} else {
		goto bad;
	}
	if (*p != '\0')
		goto bad;
done:
	*out = iffa_flowgraph__days_from_civil(y, mo, d) * US_PER_DAY +
	       ((int64_t)h * 3600 + mi * 60 + s) * US_PER_SEC + us - offset;
	return 0;
bad:
	return iffa_error_set(IFFA_EINVAL,
			      "'%.40s' is not a date (YYYY-MM-DD) or a time with a zone "
			      "(YYYY-MM-DDTHH:MM[:SS[.ffffff]] then Z or +HH:MM)",
			      text);
}

int iffa_flowgraph_time_format(char *out, size_t size, int64_t t)
{
	/* 0001-01-01 and 10000-01-01 in UTC µs. */
	const int64_t lo = INT64_C(-62135596800) * US_PER_SEC, hi = INT64_C(253402300800) * US_PER_SEC;
	int64_t days, rem, y;
	unsigned m, d;
	int n;

	if (t < lo || t >= hi)
		return iffa_error_set(IFFA_EINVAL, "time %" PRId64 " µs is outside years 1 to 9999", t);
	days = t / US_PER_DAY;
	rem = t % US_PER_DAY;
	if (rem < 0) {
		rem += US_PER_DAY;
		days--;
	}
	iffa_flowgraph__civil_from_days(days, &y, &m, &d);
	/* YYYY-MM-DDTHH:MM:SS[.ffffff]Z by hand: evidence and exposure rows
	 * format two per edge, millions at 10M transfers, and snprintf was a
	 * visible part of storing them */
	{
		const unsigned f[7] = {(unsigned)y, m, d, (unsigned)(rem / (3600 * US_PER_SEC)),
				       (unsigned)(rem / (60 * US_PER_SEC) % 60),
				       (unsigned)(rem / US_PER_SEC % 60), (unsigned)(rem % US_PER_SEC)};
		static const char sep[7] = {'-', '-', 'T', ':', ':', '.', 'Z'};
		static const int width[7] = {4, 2, 2, 2, 2, 2, 6};
		char buf[32];
		int fields = f[6] ? 7 : 6;

		n = 0;
		for (int i = 0; i < fields; i++) {
			unsigned v = f[i];
			for (int k = width[i] - 1; k >= 0; k--, v /= 10)
				buf[n + k] = (char)('0' + v % 10);
			n += width[i];
			buf[n++] = i == fields - 1 ? 'Z' : sep[i];
		}
		buf[n] = '\0';
		if ((size_t)n >= size)
			return iffa_error_set(IFFA_EINVAL,
					      "a buffer of %zu bytes is too small for a time", size);
		memcpy(out, buf, (size_t)n + 1);
	}
	return 0;
}
