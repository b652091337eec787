/*
 * Reader of iffa's CSV format for national sanctions lists (columns in
 * docs/SCREENING.md). CSV rules as for `iffa load` (docs/FORMATS.md):
 * UTF-8, RFC 4180 quoting, header line naming the columns in any order, an
 * unknown or repeated column refuses the file, physical line numbers in
 * messages, lists inside a field separated by '|'.
 *
 *   reference,kind,name,aliases,weak_aliases,dob,nationality,country,listed_on,program,remarks
 *   ML-2021-004,individual,Ousmane Ag Rhissa,Ousmane Rissa|Ag Rhissa,,1975|1976-03-02,ML,ML,2021-05-04,Arrêté 2021-04,
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csvrec.h"
#include "lists/lists.h"

#define MAX_FILE (256u << 20)
#define MAX_FIELD 4000

enum { C_REFERENCE, C_KIND, C_NAME, C_ALIASES, C_WEAK, C_DOB, C_NATIONALITY, C_COUNTRY,
       C_LISTED_ON, C_PROGRAM, C_REMARKS, NCOLS };

static const char *const columns[NCOLS] = {"reference", "kind", "name", "aliases",
					   "weak_aliases", "dob", "nationality", "country",
					   "listed_on", "program", "remarks"};

/* Call fn on each '|'-separated, non-blank part of s. */
static int each_part(iffa_lists__parsed *p, const char *s, long line, const char *col,
		     int (*fn)(iffa_lists__parsed *, const char *, long, const char *))
{
	char *copy = strdup(s), *part, *save = NULL;
	int error = 0;

	if (!copy)
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	for (part = strtok_r(copy, "|", &save); part && error == 0;
	     part = strtok_r(NULL, "|", &save)) {
		while (*part == ' ')
			part++;
		for (size_t n = strlen(part); n > 0 && part[n - 1] == ' '; n--)
			part[n - 1] = '\0';
		if (*part)
			error = fn(p, part, line, col);
	}
	free(copy);
	return error;
}

static int add_alias(iffa_lists__parsed *p, const char *s, long line, const char *col)
{
	return iffa_lists__add_name(p, s, "alias", strcmp(col, "weak_aliases") == 0 ? "low" : "aka");
}

static int add_dob(iffa_lists__parsed *p, const char *s, long line, const char *col)
{
	char what[64];

	snprintf(what, sizeof(what), "column %s", col);
	/* "1975-1977" is a range of years; "~1975" an approximate year. */
	if (strlen(s) == 9 && s[4] == '-' && strspn(s, "0123456789-") == 9)
		return iffa_lists__add_dob_range(p, atoi(s), atoi(s + 5), 0, what);
	if (s[0] == '~')
		return iffa_lists__add_dob(p, s + 1, 1, what);
	return iffa_lists__add_dob(p, s, 0, what);
}

static int add_code(iffa_lists__parsed *p, const char *s, long line, const char *col)
{
	if (strlen(s) != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z')
		return iffa_error_set(IFFA_EINVAL, "%s:%ld: column %s: '%s' is not an ISO 3166-1 "
				      "alpha-2 code in capitals", p->path, line, col, s);
	return iffa_lists__add_country(p, strcmp(col, "nationality") == 0 ? "nationality"
									    : "address",
				       s, s);
}

int iffa_lists__read_csv(iffa_lists__parsed *p)
{
	int pos[NCOLS], error = 0, r, ncols;
	iffa_csvrec c;
	char *data = NULL;
	size_t size = 0;
	long line;

	if ((error = iffa_csvrec__read_file(&data, &size, p->path, MAX_FILE)) < 0)
		return error;
	iffa_csvrec__init(&c, p->path, data, size);
	c.max_field = MAX_FIELD;
	/* Header. */
	if ((r = iffa_csvrec__next(&c)) <= 0) {
		error = r < 0 ? r : iffa_error_set(IFFA_EINVAL, "%s: empty file", p->path);
		goto done;
	}
	for (int k = 0; k < NCOLS; k++)
		pos[k] = -1;
	for (int i = 0; i < c.nfields; i++) {
		int k;
		for (k = 0; k < NCOLS && strcmp(c.fields[i], columns[k]) != 0; k++)
			;
		if (k == NCOLS) {
			error = iffa_error_set(IFFA_EINVAL, "%s:1: unknown column '%s'", p->path,
					       c.fields[i]);
			goto done;
		}
		if (pos[k] >= 0) {
			error = iffa_error_set(IFFA_EINVAL, "%s:1: column '%s' named twice", p->path,
					       c.fields[i]);
			goto done;
		}
		pos[k] = i;
	}
	ncols = c.nfields;
	for (int k = C_REFERENCE; k <= C_NAME; k++)
		if (pos[k] < 0) {
			error = iffa_error_set(IFFA_EINVAL, "%s:1: required column '%s' missing",
					       p->path, columns[k]);
			goto done;
		}
	for (;;) {
		const char *v[NCOLS];
		iffa_lists__entry *e;

		if ((r = iffa_csvrec__next(&c)) < 0) {
			error = r;
			goto done;
		}
		if (r == 0)
			break;
		line = c.record_line;
		if (c.nfields == 1 && c.fields[0][0] == '\0')
			continue; /* blank line */
		if (c.nfields != ncols) {
			error = iffa_error_set(IFFA_EINVAL, "%s:%ld: %d fields, the header has %d",
					       p->path, line, c.nfields, ncols);
			goto done;
		}
		for (int k = 0; k < NCOLS; k++)
			v[k] = pos[k] >= 0 && pos[k] < c.nfields ? c.fields[pos[k]] : "";
		if ((error = iffa_lists__begin(p, line)) < 0)
			goto done;
		e = iffa_lists__current(p);
		if (!(e->reference = iffa_lists__clean(p, v[C_REFERENCE]))) {
			error = IFFA_ENOMEM;
			goto done;
		}
		if (strcmp(v[C_KIND], "individual") == 0 || strcmp(v[C_KIND], "entity") == 0 ||
		    strcmp(v[C_KIND], "vessel") == 0 || strcmp(v[C_KIND], "aircraft") == 0) {
			e->kind = strcmp(v[C_KIND], "individual") == 0 ? "individual"
				  : strcmp(v[C_KIND], "entity") == 0	 ? "entity"
				  : strcmp(v[C_KIND], "vessel") == 0	 ? "vessel"
									 : "aircraft";
		} else {
			error = iffa_error_set(IFFA_EINVAL, "%s:%ld: kind '%s' is not individual, "
					       "entity, vessel or aircraft", p->path, line,
					       v[C_KIND]);
			goto done;
		}
		if ((error = iffa_lists__add_name(p, v[C_NAME], "primary", NULL)) < 0 ||
		    (error = each_part(p, v[C_ALIASES], line, "aliases", add_alias)) < 0 ||
		    (error = each_part(p, v[C_WEAK], line, "weak_aliases", add_alias)) < 0 ||
		    (error = each_part(p, v[C_DOB], line, "dob", add_dob)) < 0 ||
		    (error = each_part(p, v[C_NATIONALITY], line, "nationality", add_code)) < 0 ||
		    (error = each_part(p, v[C_COUNTRY], line, "country", add_code)) < 0)
			goto done;
		if (*v[C_LISTED_ON] && !(e->listed_on = iffa_lists__clean(p, v[C_LISTED_ON]))) {
			error = IFFA_ENOMEM;
			goto done;
		}
		if (*v[C_PROGRAM] && !(e->program = iffa_lists__clean(p, v[C_PROGRAM]))) {
			error = IFFA_ENOMEM;
			goto done;
		}
		{
			iffa_jsonbuf src = IFFA_JSONBUF_INIT;
			const char *s;
			iffa_jsonbuf__puts(&src, "{");
			iffa_jsonbuf__kv(&src, "remarks", *v[C_REMARKS] ? v[C_REMARKS] : NULL);
			iffa_jsonbuf__puts(&src, "}");
			s = src.oom ? NULL : iffa_lists__strndup(p, src.ptr, src.len);
			iffa_jsonbuf__dispose(&src);
			if (!s) {
				error = iffa_error_set(IFFA_ENOMEM, "out of memory");
				goto done;
			}
			if (!*e->reference) {
				p->open = 0;
				error = iffa_error_set(IFFA_EINVAL, "%s:%ld: empty reference",
						       p->path, line);
				goto done;
			}
			if ((error = iffa_lists__end(p, s)) < 0)
				goto done;
		}
	}
done:
	p->open = 0;
	iffa_csvrec__dispose(&c);
	free(data);
	return error;
}
