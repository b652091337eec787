/*
 * iffa share match: what two pseudonymised exports have in common. Each
 * file is read and checked line by line (the header exactly, every field by
 * its type), then every row contributes its count and amount to its two
 * identifiers and to its corridor; sorting the contributions of both files
 * together brings the same identifier (or corridor) side by side, and the
 * ones with contributions from both files are kept.
 * Time complexity: O(r log r) for r rows in the two files.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/csvrec.h"
#include "share/share.h"

#define FILE_MAX ((size_t)2 << 30) /* bytes of one export read */

typedef struct {
	char id[65];
	unsigned char subject;
	unsigned char side; /* 0 for A, 1 for B */
	long long flows, amount;
} id_item;

typedef struct {
	char from[3], to[3];
	unsigned char side;
	long long flows, amount;
} corridor_item;

typedef struct {
	id_item *ids;
	size_t nids, capids;
	corridor_item *cors;
	size_t ncors, capcors;
	char key_id[17];
	const char *key_file; /* which file set key_id */
} matcher;

void iffa_share_match_result_init(iffa_share_match_result *r)
{
	memset(r, 0, sizeof(*r));
}

void iffa_share_match_result_dispose(iffa_share_match_result *r)
{
	if (!r)
		return;
	free(r->ids);
	free(r->corridors);
	iffa_share_match_result_init(r);
}

static int hex_len(const char *s, size_t n)
{
	size_t i = 0;

	for (; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return i == n;
}

static int country_ok(const char *s)
{
	return s[0] == '\0' ||
	       (s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' && s[2] == '\0');
}

static int month_ok(const char *s)
{
	for (int i = 0; i < 7; i++)
		if (i == 4 ? s[i] != '-' : !(s[i] >= '0' && s[i] <= '9'))
			return 0;
	return s[7] == '\0' && ((s[5] == '0' && s[6] >= '1') || (s[5] == '1' && s[6] <= '2'));
}

/* A decimal integer without sign, at most 18 digits (no overflow when summed). */
static int count_ok(long long *out, const char *s)
{
	long long v = 0;
	size_t n = strlen(s);

	if (n == 0 || n > 18)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 1;
}

static int subject_ok(unsigned char *out, const char *s)
{
	if (strcmp(s, "account") == 0)
		*out = IFFA_SHARE_ACCOUNT;
	else if (strcmp(s, "party") == 0)
		*out = IFFA_SHARE_PARTY;
	else
		return 0;
	return 1;
}

static int add_id(matcher *m, const char *id, unsigned char subject, unsigned char side,
		  long long flows, long long amount)
{
	id_item *it;

	if (m->nids == m->capids) {
		size_t cap = m->capids ? m->capids * 2 : 1024;
		id_item *v = realloc(m->ids, cap * sizeof(*v));
		if (!v)
			return iffa_error_set(IFFA_ENOMEM, "out of memory");
		m->ids = v;
		m->capids = cap;
	}
	it = &m->ids[m->nids++];
	memcpy(it->id, id, 65);
	it->subject = subject;
	it->side = side;
	it->flows = flows;
	it->amount = amount;
	return 0;
}

static int add_corridor(matcher *m, const char *from, const char *to, unsigned char side,
			long long flows, long long amount)
{
	corridor_item *it;

	if (m->ncors == m->capcors) {
		size_t cap = m->capcors ? m->capcors * 2 : 1024;
		corridor_item *v = realloc(m->cors, cap * sizeof(*v));
		if (!v)
			return iffa_error_set(IFFA_ENOMEM, "out of memory");
		m->cors = v;
		m->capcors = cap;
	}
	it = &m->cors[m->ncors++];
	memcpy(it->from, from, 3);
	memcpy(it->to, to, 3);
	it->side = side;
	it->flows = flows;
	it->amount = amount;
	return 0;
}

/* The columns, as IFFA_SHARE__HEADER names them. */
static const char *const names[IFFA_SHARE__NCOLS] = {
	"key_id", "kind",  "from_type", "from_id", "from_country", "to_type",
	"to_id",  "to_country", "month", "channel", "count",   "amount_xof"};

/* Check one data row; `line` for messages. */
static int take_row(matcher *m, char **f, const char *path, long line, unsigned char side)
{
	unsigned char fs, ts;
	long long count, amount;
	int bad = -1, error;

	if (!hex_len(f[0], 16))
		bad = 0;
	else if (iffa_share__lookup(iffa_share__kinds, iffa_share__nkinds, f[1]) < 0)
		bad = 1;
	else if (!subject_ok(&fs, f[2]))
		bad = 2;
	else if (!hex_len(f[3], 64))
		bad = 3;
	else if (!country_ok(f[4]))
		bad = 4;
	else if (!subject_ok(&ts, f[5]))
		bad = 5;
	else if (!hex_len(f[6], 64))
		bad = 6;
	else if (!country_ok(f[7]))
		bad = 7;
	else if (!month_ok(f[8]))
		bad = 8;
	else if (iffa_share__lookup(iffa_share__channels, iffa_share__nchannels, f[9]) < 0)
		bad = 9;
	else if (!count_ok(&count, f[10]) || count == 0)
		bad = 10;
	else if (!count_ok(&amount, f[11]))
		bad = 11;
	if (bad >= 0)
		return iffa_error_set(IFFA_EINVAL, "%s:%ld: field %s: '%.80s' is not valid", path,
				      line, names[bad], f[bad]);
	if (!m->key_id[0]) {
		memcpy(m->key_id, f[0], 17);
		m->key_file = path;
	} else if (strcmp(m->key_id, f[0]) != 0) {
		return iffa_error_set(IFFA_EINVAL,
				      "%s:%ld: made under another key (key_id %s; %s has %s): "
				      "pseudonyms under different keys never match",
				      path, line, f[0], m->key_file, m->key_id);
	}
	if ((error = add_id(m, f[3], fs, side, count, amount)) < 0)
		return error;
	if ((fs != ts || strcmp(f[3], f[6]) != 0) &&
	    (error = add_id(m, f[6], ts, side, count, amount)) < 0)
		return error;
	if (f[4][0] && f[7][0] && (error = add_corridor(m, f[4], f[7], side, count, amount)) < 0)
		return error;
	return 0;
}

static int read_export(matcher *m, const char *path, unsigned char side, size_t *rows)
{
	iffa_csvrec c;
	char *data = NULL;
	size_t len = 0;
	int r, error = 0;

	*rows = 0;
	if ((error = iffa_csvrec__read_file(&data, &len, path, FILE_MAX)) < 0)
		return error;
	iffa_csvrec__init(&c, path, data, len);
	c.max_field = 128; /* the longest field is a 64-digit pseudonym */
	if ((r = iffa_csvrec__next(&c)) <= 0) {
		error = r < 0 ? r : iffa_error_set(IFFA_EINVAL, "%s: empty; not an export", path);
		goto done;
	}
	/* The header, exactly. */
	for (int i = 0; i < IFFA_SHARE__NCOLS; i++) {
		if (c.nfields != IFFA_SHARE__NCOLS || strcmp(c.fields[i], names[i]) != 0) {
			error = iffa_error_set(IFFA_EINVAL, "%s:1: not a shared-flows export "
							    "(expected the header %s)",
					       path, IFFA_SHARE__HEADER);
			goto done;
		}
	}
	while ((r = iffa_csvrec__next(&c)) > 0) {
		if (c.nfields != IFFA_SHARE__NCOLS) {
			error = iffa_error_set(IFFA_EINVAL, "%s:%ld: %d fields, %d expected", path,
					       c.record_line, c.nfields, IFFA_SHARE__NCOLS);
			goto done;
		}
		if ((error = take_row(m, c.fields, path, c.record_line, side)) < 0)
			goto done;
		(*rows)++;
	}
	if (r < 0)
		error = r;
done:
	iffa_csvrec__dispose(&c);
	free(data);
	return error;
}

static int cmp_id(const void *a, const void *b)
{
	const id_item *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	return c ? c : (int)x->subject - (int)y->subject;
}

static int cmp_corridor(const void *a, const void *b)
{
	const corridor_item *x = a, *y = b;
	int c = strcmp(x->from, y->from);

	return c ? c : strcmp(x->to, y->to);
}

static int by_amount_id(const void *a, const void *b)
{
	const iffa_share_common_id *x = a, *y = b;
	/* Both amounts are >= 0: their sum fits an unsigned long long. */
	unsigned long long sx = (unsigned long long)x->a.amount_xof + (unsigned long long)x->b.amount_xof,
			   sy = (unsigned long long)y->a.amount_xof + (unsigned long long)y->b.amount_xof;

	if (sx != sy)
		return sx > sy ? -1 : 1;
	return strcmp(x->id, y->id);
}

static int by_amount_corridor(const void *a, const void *b)
{
	const iffa_share_common_corridor *x = a, *y = b;
	/* Both amounts are >= 0: their sum fits an unsigned long long. */
	unsigned long long sx = (unsigned long long)x->a.amount_xof + (unsigned long long)x->b.amount_xof,
			   sy = (unsigned long long)y->a.amount_xof + (unsigned long long)y->b.amount_xof;
	int c;

	if (sx != sy)
		return sx > sy ? -1 : 1;
	c = strcmp(x->from, y->from);
	return c ? c : strcmp(x->to, y->to);
}

/* to += v, refused when the sum would not fit. */
static int add(long long *to, long long v)
{
	if (__builtin_add_overflow(*to, v, to))
		return iffa_error_set(IFFA_EINVAL, "share match: a sum exceeds %lld", LLONG_MAX);
	return 0;
}

static int common_ids(iffa_share_match_result *out, matcher *m)
{
	size_t i = 0, cap = 0;

	if (m->nids)
		qsort(m->ids, m->nids, sizeof(id_item), cmp_id);
	while (i < m->nids) {
		iffa_share_side s[2] = {{0, 0}, {0, 0}};
		int has[2] = {0, 0};
		size_t j = i;

		for (; j < m->nids && cmp_id(&m->ids[i], &m->ids[j]) == 0; j++) {
			if (add(&s[m->ids[j].side].flows, m->ids[j].flows) < 0 ||
			    add(&s[m->ids[j].side].amount_xof, m->ids[j].amount) < 0)
				return IFFA_EINVAL;
			has[m->ids[j].side] = 1;
		}
		if (has[0] && has[1]) {
			iffa_share_common_id *c;
			if (out->nids == cap) {
				void *v;
				cap = cap ? cap * 2 : 64;
				if (!(v = realloc(out->ids, cap * sizeof(*out->ids))))
					return iffa_error_set(IFFA_ENOMEM, "out of memory");
				out->ids = v;
			}
			c = &out->ids[out->nids++];
			memcpy(c->id, m->ids[i].id, 65);
			c->subject = (iffa_share_subject)m->ids[i].subject;
			c->a = s[0];
			c->b = s[1];
		}
		i = j;
	}
	if (out->nids)
		qsort(out->ids, out->nids, sizeof(*out->ids), by_amount_id);
	return 0;
}

static int common_corridors(iffa_share_match_result *out, matcher *m)
{
	size_t i = 0, cap = 0;

	if (m->ncors)
		qsort(m->cors, m->ncors, sizeof(corridor_item), cmp_corridor);
	while (i < m->ncors) {
		iffa_share_side s[2] = {{0, 0}, {0, 0}};
		int has[2] = {0, 0};
		size_t j = i;

		for (; j < m->ncors && cmp_corridor(&m->cors[i], &m->cors[j]) == 0; j++) {
			if (add(&s[m->cors[j].side].flows, m->cors[j].flows) < 0 ||
			    add(&s[m->cors[j].side].amount_xof, m->cors[j].amount) < 0)
				return IFFA_EINVAL;
			has[m->cors[j].side] = 1;
		}
		if (has[0] && has[1]) {
			iffa_share_common_corridor *c;
			if (out->ncorridors == cap) {
				void *v;
				cap = cap ? cap * 2 : 64;
				if (!(v = realloc(out->corridors, cap * sizeof(*out->corridors))))
					return iffa_error_set(IFFA_ENOMEM, "out of memory");
				out->corridors = v;
			}
			c = &out->corridors[out->ncorridors++];
			memcpy(c->from, m->cors[i].from, 3);
			memcpy(c->to, m->cors[i].to, 3);
			c->a = s[0];
			c->b = s[1];
		}
		i = j;
	}
	if (out->ncorridors)
		qsort(out->corridors, out->ncorridors, sizeof(*out->corridors),
		      by_amount_corridor);
	return 0;
}

int iffa_share_match(iffa_share_match_result *out, const char *path_a, const char *path_b)
{
	matcher m;
	int error;

	iffa_share_match_result_init(out);
	memset(&m, 0, sizeof(m));
	if (!path_a || !path_b)
		return iffa_error_set(IFFA_EINVAL, "share match: two exports are needed");
	if ((error = read_export(&m, path_a, 0, &out->rows_a)) < 0 ||
	    (error = read_export(&m, path_b, 1, &out->rows_b)) < 0 ||
	    (error = common_ids(out, &m)) < 0 || (error = common_corridors(out, &m)) < 0)
		goto done;
	memcpy(out->key_id, m.key_id, 17);
done:
	if (error < 0)
		iffa_share_match_result_dispose(out);
	free(m.ids);
	free(m.cors);
	return error;
}
