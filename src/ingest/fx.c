/*
 * See fx.h. A currency code is three capital letters, so it indexes a
 * table of 26^3 slots directly: no hashing and no string compare per record.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "graph/flowgraph.h"
#include "ingest/fx.h"

#define US_PER_DAY (INT64_C(86400) * 1000000)

void iffa_fx__init(iffa_fx *fx)
{
	memset(fx, 0, sizeof(*fx));
	for (size_t i = 0; i < IFFA_FX_CODES; i++)
		fx->slot[i] = -1;
}

void iffa_fx__dispose(iffa_fx *fx)
{
	free(fx->cur);
	free(fx->days);
	free(fx->rate);
	fx->cur = NULL;
	fx->days = NULL;
	fx->rate = NULL;
	fx->ncur = fx->curcap = fx->nrates = fx->ratecap = 0;
}

/* Slot of a currency code, or -1 when it is not three capital letters. */
static int code_index(const char *code, size_t len)
{
	if (len != 3)
		return -1;
	for (int i = 0; i < 3; i++)
		if (code[i] < 'A' || code[i] > 'Z')
			return -1;
	return ((code[0] - 'A') * 26 + (code[1] - 'A')) * 26 + (code[2] - 'A');
}

static int bad_code(const char *code, size_t len)
{
	return iffa_error_set(IFFA_EINVAL, "'%.*s' is not a currency code",
			      (int)(len > 8 ? 8 : len), code);
}

static int is_xof(const char *code)
{
	return code[0] == 'X' && code[1] == 'O' && code[2] == 'F';
}

int iffa_fx__add(iffa_fx *fx, const char *code, size_t code_len, int32_t valid_from,
		 double xof_per_unit)
{
	int idx = code_index(code, code_len);
	iffa_fx__currency *c;

	if (idx < 0)
		return bad_code(code, code_len);
	if (!(xof_per_unit > 0) || !isfinite(xof_per_unit))
		return iffa_error_set(IFFA_EINVAL, "fx rate of %.3s is not a positive number", code);
	if (fx->slot[idx] < 0) {
		if (fx->ncur == fx->curcap) {
			size_t cap = fx->curcap ? 2 * fx->curcap : 16;
			iffa_fx__currency *p = realloc(fx->cur, cap * sizeof(*p));

			if (!p)
				return iffa_error_set(IFFA_ENOMEM, "out of memory for fx rates");
			fx->cur = p;
			fx->curcap = cap;
		}
		c = &fx->cur[fx->ncur];
		memcpy(c->code, code, 3);
		c->code[3] = '\0';
		c->start = fx->nrates;
		c->n = 0;
		c->hint = 0;
		fx->slot[idx] = (int16_t)fx->ncur++;
	} else {
		c = &fx->cur[fx->slot[idx]];
		if (c != &fx->cur[fx->ncur - 1] || fx->days[c->start + c->n - 1] >= valid_from)
			return iffa_error_set(IFFA_EINVAL, "fx rates of %.3s are not in order of "
					      "currency and valid_from", code);
	}
	if (fx->nrates == fx->ratecap) {
		size_t cap = fx->ratecap ? 2 * fx->ratecap : 64;
		int32_t *d = realloc(fx->days, cap * sizeof(*d));
		double *r;

		if (!d)
			return iffa_error_set(IFFA_ENOMEM, "out of memory for fx rates");
		fx->days = d;
		if (!(r = realloc(fx->rate, cap * sizeof(*r))))
			return iffa_error_set(IFFA_ENOMEM, "out of memory for fx rates");
		fx->rate = r;
		fx->ratecap = cap;
	}
	fx->days[fx->nrates] = valid_from;
	fx->rate[fx->nrates] = xof_per_unit;
	fx->nrates++;
	c->n++;
	return 0;
}

int iffa_fx__to_xof(double *out, iffa_fx *fx, const char *code, size_t code_len, int64_t time,
		    double amount)
{
	int idx = code_index(code, code_len);
	int64_t day = time / US_PER_DAY - (time % US_PER_DAY < 0);
	const int32_t *days;
	iffa_fx__currency *c;
	size_t lo, hi;

	if (idx < 0)
		return bad_code(code, code_len);
	if (is_xof(code)) {
		*out = amount;
		return 0;
	}
	if (fx->slot[idx] < 0)
		goto missing;
	c = &fx->cur[fx->slot[idx]];
	days = fx->days + c->start;
	if (days[c->hint] <= day && (c->hint + 1 == c->n || day < days[c->hint + 1])) {
		*out = amount * fx->rate[c->start + c->hint];
		return 0;
	}
	if (day < days[0])
		goto missing;
	/* Last rate with days[i] <= day: invariant days[lo] <= day < days[hi]. */
	lo = 0;
	hi = c->n;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (days[mid] <= day)
			lo = mid;
		else
			hi = mid;
	}
	c->hint = lo;
	*out = amount * fx->rate[c->start + lo];
	return 0;
missing: {
	int64_t y;
	unsigned m, d;

	iffa_flowgraph__civil_from_days(day, &y, &m, &d);
	return iffa_error_set(IFFA_ENOTFOUND, "no fx_rate for %.3s on or before %04lld-%02u-%02u",
			      code, (long long)y, m, d);
}
}

int iffa_fx__copy(iffa_fx *out, const iffa_fx *src)
{
	*out = *src;
	out->cur = NULL;
	out->curcap = 0;
	if (src->ncur) {
		if (!(out->cur = malloc(src->ncur * sizeof(*out->cur))))
			return iffa_error_set(IFFA_ENOMEM, "out of memory");
		memcpy(out->cur, src->cur, src->ncur * sizeof(*out->cur));
		out->curcap = src->ncur;
	}
	return 0;
}

void iffa_fx__dispose_copy(iffa_fx *fx)
{
	/* The rates belong to the original. */
	free(fx->cur);
	fx->cur = NULL;
	fx->ncur = fx->curcap = 0;
}
