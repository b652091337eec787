/*
 * What the three list harnesses (fuzz_un_xml.c, fuzz_ftm.c,
 * fuzz_lists_csv.c) check after a reader ran, besides memory safety and
 * undefined behaviour:
 *   - it returned 0, or IFFA_EINVAL/IFFA_EIO/IFFA_ENOMEM with a message;
 *   - no entry is left open;
 *   - every entry the importer would see is whole: reference, primary name
 *     and kind set, its ranges inside the arrays, names and texts cleaned
 *     (no blank at either end, no run of white space), dates of birth in
 *     the accepted range, listing date a real date;
 *   - the canonical JSON of each entry (stored as jsonb, hashed to tell
 *     versions apart) and its source object parse as JSON;
 *   - the country lookup the importer runs on every country text returns
 *     a code or "" (it reads the same text through name folding).
 */
#ifndef IFFA_TESTS_FUZZ_LISTS_CHECK_H
#define IFFA_TESTS_FUZZ_LISTS_CHECK_H

#include <ctype.h>
#include <string.h>

#include "core/jsonbuf.h"
#include "fuzz.h"
#include "lists/json.h"
#include "lists/lists.h"

static void lists_check_clean(const char *s, const char *what)
{
	size_t n = strlen(s);

	FUZZ_ASSERT(n > 0, "empty %s", what);
	FUZZ_ASSERT(!isspace((unsigned char)s[0]) && !isspace((unsigned char)s[n - 1]),
		    "%s \"%s\" not trimmed", what, s);
	for (size_t i = 1; i < n; i++)
		FUZZ_ASSERT(!(isspace((unsigned char)s[i]) && isspace((unsigned char)s[i - 1])),
			    "%s \"%s\" has a run of white space", what, s);
}

static void lists_check_json(iffa_json__doc *doc, const char *text, size_t len, const char *what)
{
	size_t col = 0;
	int error = iffa_json__parse(doc, text, len, &col);

	FUZZ_ASSERT(error == 0, "%s is not JSON at byte %zu (%s): %.*s", what, col,
		    iffa_error_last(), (int)len, text);
	FUZZ_ASSERT(doc->nodes[0].type == IFFA_JSON_OBJECT, "%s is not an object: %.*s", what,
		    (int)len, text);
}

static void lists_check(iffa_lists__parsed *p, int error, const char *reader)
{
	static const char *const names[][2] = {
		{"ML", "Mali"}, {"NE", "Niger"}, {"NG", "Nigeria"}, {"SD", "Sudan"},
		{"SS", "South Sudan"}, {"CI", "Côte d'Ivoire"}, {"IR", "Iran (Islamic Republic of)"}};
	iffa_jsonbuf buf = IFFA_JSONBUF_INIT;
	iffa_json__doc doc = {0};

	FUZZ_ASSERT(!p->open, "%s left an entry open", reader);
	if (error < 0) {
		fuzz_check_error(error, reader);
		return;
	}
	FUZZ_ASSERT(error == 0, "%s returned %d", reader, error);
	for (size_t i = 0; i < p->nentries; i++) {
		const iffa_lists__entry *e = &p->entries[i];

		FUZZ_ASSERT(e->reference && e->reference[0], "entry %zu has no reference", i);
		FUZZ_ASSERT(e->name && e->kind, "entry %s has no name or kind", e->reference);
		lists_check_clean(e->name, "primary name");
		FUZZ_ASSERT(strcmp(e->kind, "individual") == 0 || strcmp(e->kind, "entity") == 0 ||
				    strcmp(e->kind, "vessel") == 0 ||
				    strcmp(e->kind, "aircraft") == 0,
			    "entry %s has kind %s", e->reference, e->kind);
		FUZZ_ASSERT(!e->listed_on || iffa_lists__is_date(e->listed_on),
			    "entry %s listed on \"%s\"", e->reference, e->listed_on);
		FUZZ_ASSERT(e->name0 + e->nnames <= p->nnames && e->dob0 + e->ndobs <= p->ndobs &&
				    e->country0 + e->ncountries <= p->ncountries,
			    "entry %s: ranges outside the arrays", e->reference);
		FUZZ_ASSERT(e->nnames >= 1, "entry %s has no names", e->reference);
		for (size_t k = 0; k < e->nnames; k++)
			lists_check_clean(p->names[e->name0 + k].name, "name");
		for (size_t k = 0; k < e->ndobs; k++) {
			const iffa_lists__dob *d = &p->dobs[e->dob0 + k];
			FUZZ_ASSERT(d->from_year >= 1800 && d->to_year <= 2200 &&
					    d->from_year <= d->to_year,
				    "entry %s: years of birth %d to %d", e->reference,
				    d->from_year, d->to_year);
			FUZZ_ASSERT(!d->exact[0] || (iffa_lists__is_date(d->exact) &&
						     atoi(d->exact) == d->from_year),
				    "entry %s: date of birth \"%s\"", e->reference, d->exact);
		}
		for (size_t k = 0; k < e->ncountries; k++) {
			iffa_lists__country *c = &p->countries[e->country0 + k];
			char code[3] = "x";
			lists_check_clean(c->text, "country");
			iffa_lists__country_code(code, c->text, names,
						 sizeof(names) / sizeof(names[0]));
			FUZZ_ASSERT(code[0] == '\0' || (strlen(code) == 2 && isupper((unsigned char)code[0]) &&
						   isupper((unsigned char)code[1])),
				    "country \"%s\" gave code \"%s\"", c->text, code);
		}
		FUZZ_ASSERT(iffa_lists__entry_json(&buf, p, e) == 0, "entry %s: %s", e->reference,
			    iffa_error_last());
		lists_check_json(&doc, buf.ptr, buf.len, "an entry's canonical JSON");
		if (e->source)
			lists_check_json(&doc, e->source, strlen(e->source), "an entry's source");
	}
	iffa_jsonbuf__dispose(&buf);
	iffa_json__dispose(&doc);
}

#endif
