/*
 * Reader of FollowTheMoney entities, one JSON object per line, as
 * OpenSanctions publishes them (entities.ftm.json):
 *
 *   {"id": "...", "schema": "Person", "properties": {"name": [...],
 *    "alias": [...], "birthDate": [...], "nationality": [...]}, ...}
 *
 * Person, Organization, Company, LegalEntity, PublicBody, Vessel and
 * Airplane lines are list entries (unless "target" is false: relatives and
 * associates are not listed); Sanction lines give the listing date and
 * program of the entity they name (properties.entity); other schemas
 * (Address, Identification, Ownership...) are counted as skipped. The
 * entry's reference is the FtM id. Volatile fields (first_seen, last_seen,
 * last_change) are left out of the stored content, so that a daily export
 * does not mark every entry changed.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "lists/json.h"
#include "lists/lists.h"

#define MAX_LINE (8u << 20)

typedef struct {
	const char *entity;    /* FtM id of the sanctioned entity */
	const char *listed_on; /* YYYY-MM-DD or NULL */
	const char *program;
} sanction;

static const char *kind_of(const char *schema)
{
	static const char *const map[][2] = {
		{"Person", "individual"},    {"Organization", "entity"}, {"Company", "entity"},
		{"LegalEntity", "entity"},   {"PublicBody", "entity"},   {"Vessel", "vessel"},
		{"Airplane", "aircraft"}};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(schema, map[i][0]) == 0)
			return map[i][1];
	return NULL;
}

/* Write node `n` of `d` as JSON (keys sorted as read). */
static void write_node(iffa_jsonbuf *b, const iffa_json__doc *d, int n)
{
	const iffa_json__node *node = &d->nodes[n];
	int first = 1;

	switch (node->type) {
	case IFFA_JSON_NULL: iffa_jsonbuf__puts(b, "null"); break;
	case IFFA_JSON_TRUE: iffa_jsonbuf__puts(b, "true"); break;
	case IFFA_JSON_FALSE: iffa_jsonbuf__puts(b, "false"); break;
	case IFFA_JSON_NUMBER: iffa_jsonbuf__puts(b, d->chars + node->str); break;
	case IFFA_JSON_STRING: iffa_jsonbuf__str(b, d->chars + node->str); break;
	default:
		iffa_jsonbuf__puts(b, node->type == IFFA_JSON_OBJECT ? "{" : "[");
		for (int c = node->first; c >= 0; c = d->nodes[c].next) {
			if (!first)
				iffa_jsonbuf__puts(b, ",");
			first = 0;
			if (node->type == IFFA_JSON_OBJECT) {
				iffa_jsonbuf__str(b, d->chars + d->nodes[c].key);
				iffa_jsonbuf__puts(b, ":");
			}
			write_node(b, d, c);
		}
		iffa_jsonbuf__puts(b, node->type == IFFA_JSON_OBJECT ? "}" : "]");
	}
}

/* The string values of properties[name] (an array of strings), one by one. */
#define EACH_VALUE(d, props, pname, var)                                              \
	for (int arr_ = iffa_json__get(d, props, pname),                               \
		 it_ = arr_ >= 0 && (d)->nodes[arr_].type == IFFA_JSON_ARRAY              \
			       ? (d)->nodes[arr_].first                                   \
			       : -1;                                                      \
	     it_ >= 0; it_ = (d)->nodes[it_].next)                                     \
		if (((var) = iffa_json__str(d, it_)) != NULL)

static int line_error(iffa_lists__parsed *p, long line, const char *what)
{
	return iffa_error_set(IFFA_EINVAL, "%s:%ld: %s", p->path, line, what);
}

static int read_entity(iffa_lists__parsed *p, const iffa_json__doc *d, long line,
		       const char *id, const char *schema, const char *kind, iffa_jsonbuf *src)
{
	int props = iffa_json__get(d, 0, "properties"), datasets = iffa_json__get(d, 0, "datasets");
	iffa_lists__entry *e;
	const char *v, *source;
	int error, first = 1;
	char what[64];

	if ((error = iffa_lists__begin(p, line)) < 0)
		return error;
	e = iffa_lists__current(p);
	e->kind = kind;
	if (!(e->reference = iffa_lists__strndup(p, id, strlen(id))))
		return IFFA_ENOMEM;
	EACH_VALUE(d, props, "name", v) {
		if ((error = iffa_lists__add_name(p, v, first ? "primary" : "alias",
						  first ? NULL : "aka")) < 0)
			return error;
		first = 0;
	}
	EACH_VALUE(d, props, "alias", v)
		if ((error = iffa_lists__add_name(p, v, "alias", "aka")) < 0)
			return error;
	EACH_VALUE(d, props, "weakAlias", v)
		if ((error = iffa_lists__add_name(p, v, "alias", "low")) < 0)
			return error;
	EACH_VALUE(d, props, "previousName", v)
		if ((error = iffa_lists__add_name(p, v, "alias", "fka")) < 0)
			return error;
	snprintf(what, sizeof(what), "%s birthDate", id);
	EACH_VALUE(d, props, "birthDate", v) {
		/* FtM dates may be YYYY, YYYY-MM or YYYY-MM-DD. */
		if ((error = iffa_lists__add_dob(p, v, 0, what)) < 0)
			return error;
	}
	{
		static const char *const roles[][2] = {{"nationality", "nationality"},
						       {"citizenship", "nationality"},
						       {"birthCountry", "birth"},
						       {"country", "address"}};
		for (size_t r = 0; r < 4; r++)
			EACH_VALUE(d, props, roles[r][0], v) {
				char code[3] = "";
				if (strlen(v) == 2 && v[0] >= 'a' && v[0] <= 'z' && v[1] >= 'a' &&
				    v[1] <= 'z') {
					code[0] = (char)(v[0] - 32);
					code[1] = (char)(v[1] - 32);
				}
				if ((error = iffa_lists__add_country(p, roles[r][1], v,
								     code[0] ? code : NULL)) < 0)
					return error;
			}
	}
	iffa_jsonbuf__clear(src);
	iffa_jsonbuf__puts(src, "{");
	iffa_jsonbuf__kv(src, "schema", schema);
	iffa_jsonbuf__puts(src, ",\"properties\":");
	if (props >= 0)
		write_node(src, d, props);
	else
		iffa_jsonbuf__puts(src, "{}");
	iffa_jsonbuf__puts(src, ",\"datasets\":");
	if (datasets >= 0)
		write_node(src, d, datasets);
	else
		iffa_jsonbuf__puts(src, "[]");
	iffa_jsonbuf__puts(src, "}");
	if (src->oom || !(source = iffa_lists__strndup(p, src->ptr, src->len)))
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	if (!e->name) {
		p->open = 0;
		return line_error(p, line, "entity without a name (properties.name)");
	}
	return iffa_lists__end(p, source);
}

static int cmp_ref(const void *a, const void *b)
{
	const iffa_lists__entry *const *x = a, *const *y = b;
	return strcmp((*x)->reference, (*y)->reference);
}

/* Listing dates and programs from the Sanction lines, onto their entities. */
static int attach(iffa_lists__parsed *p, const sanction *s, size_t ns)
{
	iffa_lists__entry **by_ref;

	if (ns == 0 || p->nentries == 0)
		return 0;
	if (!(by_ref = malloc(p->nentries * sizeof(*by_ref))))
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	for (size_t i = 0; i < p->nentries; i++)
		by_ref[i] = &p->entries[i];
	qsort(by_ref, p->nentries, sizeof(*by_ref), cmp_ref);
	for (size_t i = 0; i < ns; i++) {
		iffa_lists__entry key, *kp = &key, **hit;
		key.reference = s[i].entity;
		hit = bsearch(&kp, by_ref, p->nentries, sizeof(*by_ref), cmp_ref);
		if (!hit)
			continue;
		/* The earliest listing wins; the first program named. */
		if (s[i].listed_on && (!(*hit)->listed_on ||
				       strcmp(s[i].listed_on, (*hit)->listed_on) < 0))
			(*hit)->listed_on = s[i].listed_on;
		if (s[i].program && !(*hit)->program)
			(*hit)->program = s[i].program;
	}
	free(by_ref);
	return 0;
}

int iffa_lists__read_ftm(iffa_lists__parsed *p)
{
	iffa_json__doc d = {0};
	iffa_jsonbuf src = IFFA_JSONBUF_INIT;
	sanction *sanctions = NULL;
	size_t ns = 0, scap = 0, cap = 0;
	char *line = NULL, msg[600];
	long lineno = 0;
	ssize_t got;
	int error = 0;
	FILE *f;

	if (!(f = fopen(p->path, "rb")))
		return iffa_error_set(IFFA_EIO, "%s: cannot open: %s", p->path, strerror(errno));
	while ((got = getline(&line, &cap, f)) > 0) {
		size_t len = (size_t)got, col, blank;
		const char *id, *schema, *kind;
		int target;

		lineno++;
		if ((size_t)got > MAX_LINE) {
			error = line_error(p, lineno, "line longer than 8 MiB");
			goto done;
		}
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			len--;
		if (lineno == 1 && len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
			memmove(line, line + 3, len - 3);
			len -= 3;
		}
		/* Not strspn(): after the BOM was cut, bytes past len are stale. */
		for (blank = 0; blank < len && (line[blank] == ' ' || line[blank] == '\t'); blank++)
			;
		if (blank == len)
			continue;
		if (memchr(line, '\0', len)) {
			error = line_error(p, lineno, "NUL byte in line");
			goto done;
		}
		if ((error = iffa_json__parse(&d, line, len, &col)) < 0) {
			if (error == IFFA_EINVAL) {
				snprintf(msg, sizeof(msg), "%s", iffa_error_last());
				error = iffa_error_set(IFFA_EINVAL, "%s:%ld:%zu: malformed JSON: %s",
						       p->path, lineno, col, msg);
			}
			goto done;
		}
		if (d.nodes[0].type != IFFA_JSON_OBJECT) {
			error = line_error(p, lineno, "line is not a JSON object");
			goto done;
		}
		id = iffa_json__str(&d, iffa_json__get(&d, 0, "id"));
		schema = iffa_json__str(&d, iffa_json__get(&d, 0, "schema"));
		if (!id || !*id || !schema) {
			error = line_error(p, lineno, "entity without \"id\" or \"schema\"");
			goto done;
		}
		target = iffa_json__get(&d, 0, "target");
		if (strcmp(schema, "Sanction") == 0) {
			int props = iffa_json__get(&d, 0, "properties");
			const char *ent = NULL, *date = NULL, *prog = NULL, *v;
			EACH_VALUE(&d, props, "entity", v) {
				ent = v;
				break;
			}
			EACH_VALUE(&d, props, "listingDate", v) {
				date = v;
				break;
			}
			if (!date)
				EACH_VALUE(&d, props, "startDate", v) {
					date = v;
					break;
				}
			EACH_VALUE(&d, props, "program", v) {
				prog = v;
				break;
			}
			if (ent) {
				sanction *s;
				if (ns == scap) {
					size_t c = scap ? scap * 2 : 64;
					sanction *q = realloc(sanctions, c * sizeof(*q));
					if (!q) {
						error = iffa_error_set(IFFA_ENOMEM, "out of memory");
						goto done;
					}
					sanctions = q;
					scap = c;
				}
				s = &sanctions[ns++];
				memset(s, 0, sizeof(*s));
				s->entity = iffa_lists__strndup(p, ent, strlen(ent));
				if (date && strlen(date) >= 10) {
					char day[11];
					memcpy(day, date, 10);
					day[10] = '\0';
					if (!iffa_lists__is_date(day)) {
						error = line_error(p, lineno, "Sanction date is not "
									      "YYYY-MM-DD");
						goto done;
					}
					s->listed_on = iffa_lists__strndup(p, day, 10);
				}
				if (prog)
					s->program = iffa_lists__strndup(p, prog, strlen(prog));
				if (!s->entity) {
					error = IFFA_ENOMEM;
					goto done;
				}
			}
			p->skipped++;
			continue;
		}
		kind = kind_of(schema);
		if (!kind || (target >= 0 && d.nodes[target].type == IFFA_JSON_FALSE)) {
			p->skipped++;
			continue;
		}
		if ((error = read_entity(p, &d, lineno, id, schema, kind, &src)) < 0)
			goto done;
	}
	if (ferror(f)) {
		error = iffa_error_set(IFFA_EIO, "%s: read error after line %ld", p->path, lineno);
		goto done;
	}
	error = attach(p, sanctions, ns);
done:
	fclose(f);
	free(line);
	free(sanctions);
	iffa_json__dispose(&d);
	iffa_jsonbuf__dispose(&src);
	p->open = 0;
	return error;
}
