/*
 * The generator's output: buffered files written under a temporary name and
 * renamed when whole, and the hand-made formatting of numbers, amounts and
 * timestamps (no printf: it is slow for a billion bytes, and its decimal
 * point follows the locale).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generate/generate.h"

#define OUT_BUFFER (1u << 20)

int iffa_generate__out_open(gen_out *o, const char *dir, const char *name)
{
	int error;

	memset(o, 0, sizeof(*o));
	if ((size_t)snprintf(o->path, sizeof(o->path), "%s/%s", dir, name) >= sizeof(o->path))
		return iffa_error_set(IFFA_EINVAL, "generate: output path too long: %s/%s", dir, name);
	o->buf = malloc(OUT_BUFFER);
	if (!o->buf)
		return iffa_error_set(IFFA_ENOMEM, "generate: out of memory");
	o->cap = OUT_BUFFER;
	if ((error = iffa_atomicfile__open(&o->af, o->path, 0644, 0)) < 0) {
		free(o->buf);
		o->buf = NULL;
		return iffa_error_set(error, "generate: %s", iffa_error_last());
	}
	return 0;
}

void iffa_generate__out_flush(gen_out *o)
{
	int error;

	if (o->len > 0 && !o->failed && o->af &&
	    (error = iffa_atomicfile__write(o->af, o->buf, o->len)) < 0) {
		o->failed = error;
		snprintf(o->why, sizeof(o->why), "%s", iffa_error_last());
	}
	o->bytes += o->len;
	o->len = 0;
}

int iffa_generate__out_finish(gen_out *o)
{
	int error;

	if (!o->af)
		return 0;
	iffa_generate__out_flush(o);
	free(o->buf);
	o->buf = NULL;
	if (!o->failed && (error = iffa_atomicfile__finish(o->af, NULL)) < 0) {
		o->failed = error;
		snprintf(o->why, sizeof(o->why), "%s", iffa_error_last());
	}
	if (o->failed) {
		iffa_atomicfile__free(o->af);
		o->af = NULL;
		return iffa_error_set(o->failed, "generate: %s", o->why);
	}
	return 0;
}

int iffa_generate__out_commit(gen_out *o)
{
	int error = 0;

	if (!o->af)
		return 0;
	if ((error = iffa_atomicfile__commit(o->af)) < 0)
		error = iffa_error_set(error, "generate: %s", iffa_error_last());
	iffa_atomicfile__free(o->af);
	o->af = NULL;
	return error;
}

void iffa_generate__out_abandon(gen_out *o)
{
	iffa_atomicfile__free(o->af);
	o->af = NULL;
	free(o->buf);
	o->buf = NULL;
}

void iffa_generate__out_raw(gen_out *o, const char *s, size_t n)
{
	if (n > o->cap) {
		int error;
		iffa_generate__out_flush(o);
		if (!o->failed && o->af && (error = iffa_atomicfile__write(o->af, s, n)) < 0) {
			o->failed = error;
			snprintf(o->why, sizeof(o->why), "%s", iffa_error_last());
		}
		o->bytes += n;
		return;
	}
	out_reserve(o, n);
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

void iffa_generate__out_str(gen_out *o, const char *s)
{
	iffa_generate__out_raw(o, s, strlen(s));
}

void iffa_generate__out_field(gen_out *o, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		iffa_generate__out_str(o, s);
		return;
	}
	out_ch(o, '"');
	for (; *s; s++) {
		if (*s == '"')
			out_ch(o, '"');
		out_ch(o, *s);
	}
	out_ch(o, '"');
}

void iffa_generate__out_u64w(gen_out *o, uint64_t v, int width)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n < width)
		tmp[n++] = '0';
	out_reserve(o, (size_t)n);
	while (n > 0)
		o->buf[o->len++] = tmp[--n];
}

void iffa_generate__out_u64(gen_out *o, uint64_t v)
{
	iffa_generate__out_u64w(o, v, 1);
}

void iffa_generate__out_fixed(gen_out *o, int64_t v, int decimals)
{
	uint64_t scale = 1;

	if (v < 0) {
		out_ch(o, '-');
		v = -v;
	}
	for (int i = 0; i < decimals; i++)
		scale *= 10;
	iffa_generate__out_u64(o, (uint64_t)v / scale);
	if (decimals > 0) {
		out_ch(o, '.');
		iffa_generate__out_u64w(o, (uint64_t)v % scale, decimals);
	}
}

void iffa_generate__out_amount(gen_out *o, int64_t cents)
{
	iffa_generate__out_u64(o, (uint64_t)(cents / 100));
	if (cents % 100) {
		out_ch(o, '.');
		iffa_generate__out_u64w(o, (uint64_t)(cents % 100), 2);
	}
}

int64_t iffa_generate__days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void iffa_generate__civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static void put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

static void put_date(char *p, int64_t t)
{
	int y, m, d;
	int64_t days = t >= 0 ? t / GEN_DAY : -((-t + GEN_DAY - 1) / GEN_DAY);

	iffa_generate__civil_from_days(days, &y, &m, &d);
	put2(p, y / 100);
	put2(p + 2, y % 100);
	p[4] = '-';
	put2(p + 5, m);
	p[7] = '-';
	put2(p + 8, d);
}

void iffa_generate__out_date(gen_out *o, int64_t t)
{
	out_reserve(o, 10);
	put_date(o->buf + o->len, t);
	o->len += 10;
}

void iffa_generate__out_ts(gen_out *o, int64_t t)
{
	char *p;
	int64_t s = t % GEN_DAY;

	if (s < 0)
		s += GEN_DAY;
	out_reserve(o, 20);
	p = o->buf + o->len;
	put_date(p, t);
	p[10] = 'T';
	put2(p + 11, (int)(s / 3600));
	p[13] = ':';
	put2(p + 14, (int)(s / 60 % 60));
	p[16] = ':';
	put2(p + 17, (int)(s % 60));
	p[19] = 'Z';
	o->len += 20;
}
