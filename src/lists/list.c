/*
 * The in-memory form of a list file (see lists.h): an arena for strings,
 * the builder functions the readers call, and the canonical JSON of an
 * entry whose digest tells whether an entry changed between versions.
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lists/lists.h"

struct iffa_lists__block {
	iffa_lists__block *next;
	size_t used, size;
	char data[];
};

#define BLOCK_SIZE 65536

void iffa_lists__parsed_init(iffa_lists__parsed *p, const char *path, const char *format)
{
	memset(p, 0, sizeof(*p));
	p->path = path;
	p->format = format;
}

void iffa_lists__parsed_dispose(iffa_lists__parsed *p)
{
	iffa_lists__block *b = p->arena;

	while (b) {
		iffa_lists__block *next = b->next;
		free(b);
		b = next;
	}
	free(p->entries);
	free(p->names);
	free(p->dobs);
	free(p->countries);
	memset(p, 0, sizeof(*p));
}

char *iffa_lists__strndup(iffa_lists__parsed *p, const char *s, size_t n)
{
	iffa_lists__block *b = p->arena;
	char *out;

	if (!b || b->size - b->used < n + 1) {
		size_t size = n + 1 > BLOCK_SIZE ? n + 1 : BLOCK_SIZE;
		b = malloc(sizeof(*b) + size);
		if (!b) {
			iffa_error_set(IFFA_ENOMEM, "out of memory");
			return NULL;
		}
		b->size = size;
		b->used = 0;
		b->next = p->arena;
		p->arena = b;
	}
	out = b->data + b->used;
	memcpy(out, s, n);
	out[n] = '\0';
	b->used += n + 1;
	return out;
}

char *iffa_lists__clean(iffa_lists__parsed *p, const char *s)
{
	size_t n = 0, len = strlen(s);
	char *tmp, *out;
	int space = 0;

	tmp = malloc(len + 1);
	if (!tmp) {
		iffa_error_set(IFFA_ENOMEM, "out of memory");
		return NULL;
	}
	for (; *s; s++) {
		if (isspace((unsigned char)*s)) {
			space = n > 0;
			continue;
		}
		if (space)
			tmp[n++] = ' ';
		space = 0;
		tmp[n++] = *s;
	}
	out = iffa_lists__strndup(p, tmp, n);
	free(tmp);
	return out;
}

/* Make room for one more element of an array of `size`-byte elements. */
static int reserve(void **arr, size_t *cap, size_t n, size_t size)
{
	void *q;
	size_t c;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 64;
	q = realloc(*arr, c * size);
	if (!q)
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	*arr = q;
	*cap = c;
	return 0;
}

int iffa_lists__begin(iffa_lists__parsed *p, long line)
{
	iffa_lists__entry *e;
	int error;

	if ((error = reserve((void **)&p->entries, &p->entries_cap, p->nentries,
			     sizeof(*p->entries))) < 0)
		return error;
	e = &p->entries[p->nentries];
	memset(e, 0, sizeof(*e));
	e->line = line;
	e->name0 = p->nnames;
	e->dob0 = p->ndobs;
	e->country0 = p->ncountries;
	p->open = 1;
	return 0;
}

iffa_lists__entry *iffa_lists__current(iffa_lists__parsed *p)
{
	return p->open ? &p->entries[p->nentries] : NULL;
}

int iffa_lists__add_name(iffa_lists__parsed *p, const char *name, const char *kind,
			 const char *quality)
{
	iffa_lists__entry *e = iffa_lists__current(p);
	iffa_lists__name *n;
	char *clean;
	int error;

	if (!(clean = iffa_lists__clean(p, name)))
		return IFFA_ENOMEM;
	if (!*clean)
		return 0;
	/* The same name twice on one entry adds nothing (lists do repeat). */
	for (size_t i = e->name0; i < p->nnames; i++)
		if (strcmp(p->names[i].name, clean) == 0 && strcmp(p->names[i].kind, kind) == 0)
			return 0;
	if ((error = reserve((void **)&p->names, &p->names_cap, p->nnames, sizeof(*p->names))) < 0)
		return error;
	n = &p->names[p->nnames++];
	n->name = clean;
	n->kind = kind;
	n->quality = quality;
	e->nnames++;
	if (!e->name && strcmp(kind, "primary") == 0)
		e->name = clean;
	return 0;
}

int iffa_lists__is_date(const char *s)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, m, d;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return 0;
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return 0;
	return 1;
}

static int push_dob(iffa_lists__parsed *p, const char *exact, int from, int to, int approximate)
{
	iffa_lists__entry *e = iffa_lists__current(p);
	iffa_lists__dob *d;
	int error;

	for (size_t i = e->dob0; i < p->ndobs; i++)
		if (strcmp(p->dobs[i].exact, exact) == 0 && p->dobs[i].from_year == from &&
		    p->dobs[i].to_year == to && p->dobs[i].approximate == approximate)
			return 0;
	if ((error = reserve((void **)&p->dobs, &p->dobs_cap, p->ndobs, sizeof(*p->dobs))) < 0)
		return error;
	d = &p->dobs[p->ndobs++];
	snprintf(d->exact, sizeof(d->exact), "%s", exact);
	d->from_year = from;
	d->to_year = to;
	d->approximate = approximate;
	e->ndobs++;
	return 0;
}

int iffa_lists__add_dob_range(iffa_lists__parsed *p, int from, int to, int approximate,
			      const char *what)
{
	iffa_lists__entry *e = iffa_lists__current(p);

	if (from < 1800 || to > 2200 || from > to)
		return iffa_error_set(IFFA_EINVAL, "%s:%ld: %s: years of birth %d to %d are not "
				      "a range iffa accepts (1800-2200)", p->path, e->line,
				      what, from, to);
	return push_dob(p, "", from, to, approximate);
}

int iffa_lists__add_dob(iffa_lists__parsed *p, const char *text, int approximate,
			const char *what)
{
	iffa_lists__entry *e = iffa_lists__current(p);
	size_t len = strlen(text);
	int ok = 1, year;
	char buf[11];

	for (size_t i = 0; i < len && ok; i++)
		ok = isdigit((unsigned char)text[i]) || ((i == 4 || i == 7) && text[i] == '-');
	if (ok && len == 10 && iffa_lists__is_date(text)) {
		year = atoi(text);
		if (year < 1800 || year > 2200)
			goto bad;
		return push_dob(p, text, year, year, approximate);
	}
	if (ok && (len == 4 || len == 7)) {
		/* A year, or a year and month: only the year is kept as a range. */
		memcpy(buf, text, 4);
		buf[4] = '\0';
		year = atoi(buf);
		if (len == 7 && (atoi(text + 5) < 1 || atoi(text + 5) > 12))
			goto bad;
		return iffa_lists__add_dob_range(p, year, year, approximate, what);
	}
bad:
	return iffa_error_set(IFFA_EINVAL, "%s:%ld: %s: '%s' is not a date of birth "
			      "(YYYY-MM-DD, YYYY-MM or YYYY)", p->path, e->line, what, text);
}

int iffa_lists__add_country(iffa_lists__parsed *p, const char *role, const char *text,
			    const char *code)
{
	iffa_lists__entry *e = iffa_lists__current(p);
	iffa_lists__country *c;
	char *clean;
	int error;

	if (!(clean = iffa_lists__clean(p, text)))
		return IFFA_ENOMEM;
	if (!*clean)
		return 0;
	for (size_t i = e->country0; i < p->ncountries; i++)
		if (strcmp(p->countries[i].role, role) == 0 &&
		    strcmp(p->countries[i].text, clean) == 0)
			return 0;
	if ((error = reserve((void **)&p->countries, &p->countries_cap, p->ncountries,
			     sizeof(*p->countries))) < 0)
		return error;
	c = &p->countries[p->ncountries++];
	c->role = role;
	c->text = clean;
	snprintf(c->code, sizeof(c->code), "%s", code ? code : "");
	e->ncountries++;
	return 0;
}

int iffa_lists__end(iffa_lists__parsed *p, const char *source)
{
	iffa_lists__entry *e = iffa_lists__current(p);

	p->open = 0;
	if (!e->reference || !*e->reference)
		return iffa_error_set(IFFA_EINVAL, "%s:%ld: entry without a reference", p->path,
				      e->line);
	if (!e->name)
		return iffa_error_set(IFFA_EINVAL, "%s:%ld: entry %s has no name", p->path,
				      e->line, e->reference);
	if (!e->kind)
		return iffa_error_set(IFFA_EINVAL, "%s:%ld: entry %s has no kind", p->path,
				      e->line, e->reference);
	if (e->listed_on && !iffa_lists__is_date(e->listed_on))
		return iffa_error_set(IFFA_EINVAL, "%s:%ld: entry %s: listed-on date '%s' is "
				      "not a date YYYY-MM-DD", p->path, e->line, e->reference,
				      e->listed_on);
	e->source = source;
	p->nentries++;
	return 0;
}

int iffa_lists__entry_json(iffa_jsonbuf *out, const iffa_lists__parsed *p,
			   const iffa_lists__entry *e)
{
	iffa_jsonbuf__clear(out);
	iffa_jsonbuf__puts(out, "{");
	iffa_jsonbuf__kv(out, "reference", e->reference);
	iffa_jsonbuf__puts(out, ",");
	iffa_jsonbuf__kv(out, "kind", e->kind);
	iffa_jsonbuf__puts(out, ",");
	iffa_jsonbuf__kv(out, "name", e->name);
	iffa_jsonbuf__puts(out, ",");
	iffa_jsonbuf__kv(out, "listed_on", e->listed_on);
	iffa_jsonbuf__puts(out, ",");
	iffa_jsonbuf__kv(out, "program", e->program);
	iffa_jsonbuf__puts(out, ",\"names\":[");
	for (size_t i = 0; i < e->nnames; i++) {
		const iffa_lists__name *n = &p->names[e->name0 + i];
		iffa_jsonbuf__puts(out, i ? ",{" : "{");
		iffa_jsonbuf__kv(out, "name", n->name);
		iffa_jsonbuf__puts(out, ",");
		iffa_jsonbuf__kv(out, "kind", n->kind);
		iffa_jsonbuf__puts(out, ",");
		iffa_jsonbuf__kv(out, "quality", n->quality);
		iffa_jsonbuf__puts(out, "}");
	}
	iffa_jsonbuf__puts(out, "],\"dobs\":[");
	for (size_t i = 0; i < e->ndobs; i++) {
		const iffa_lists__dob *d = &p->dobs[e->dob0 + i];
		iffa_jsonbuf__puts(out, i ? ",{" : "{");
		iffa_jsonbuf__kv(out, "exact", d->exact[0] ? d->exact : NULL);
		iffa_jsonbuf__printf(out, ",\"from_year\":%d,\"to_year\":%d,\"approximate\":%s}",
				     d->from_year, d->to_year, d->approximate ? "true" : "false");
	}
	iffa_jsonbuf__puts(out, "],\"countries\":[");
	for (size_t i = 0; i < e->ncountries; i++) {
		const iffa_lists__country *c = &p->countries[e->country0 + i];
		iffa_jsonbuf__puts(out, i ? ",{" : "{");
		iffa_jsonbuf__kv(out, "role", c->role);
		iffa_jsonbuf__puts(out, ",");
		iffa_jsonbuf__kv(out, "text", c->text);
		iffa_jsonbuf__puts(out, ",");
		iffa_jsonbuf__kv(out, "country", c->code[0] ? c->code : NULL);
		iffa_jsonbuf__puts(out, "}");
	}
	iffa_jsonbuf__puts(out, "],\"source\":");
	iffa_jsonbuf__puts(out, e->source ? e->source : "null");
	iffa_jsonbuf__puts(out, "}");
	return out->oom ? IFFA_ENOMEM : 0;
}
