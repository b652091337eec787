/*
 * Reader of the UN Security Council consolidated list in the UN's XML
 * format (https://scsanctions.un.org/resources/xml/en/consolidated.xml;
 * schema sc-sanctions.xsd): CONSOLIDATED_LIST > INDIVIDUALS > INDIVIDUAL,
 * and ENTITIES > ENTITY, each a flat record with a few repeated groups
 * (aliases, dates and places of birth, addresses, documents, VALUE lists).
 *
 * It streams with libxml2's xmlTextReader, so memory stays at the size of
 * the entries kept, whatever the file's size. The file is untrusted: it is
 * parsed without network access (XML_PARSE_NONET), without entity
 * substitution or DTD loading (no NOENT, DTDLOAD, DTDATTR, HUGE), and a
 * document that carries a DTD or an entity reference at all is refused,
 * which rules out external entities (XXE) and entity expansion
 * ("billion laughs"). Elements nested deeper than the format needs are
 * refused too.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlreader.h>

#include "lists/lists.h"

/* The format needs five levels; a little slack for the UN's additions. */
#define MAX_DEPTH 12
#define MAX_GROUP_FIELDS 24

typedef struct {
	iffa_lists__parsed *p;
	xmlTextReaderPtr reader;
	char xml_error[512]; /* first error libxml2 reported */
	int xml_error_line;
	/* Entry being read. */
	int in_entry;
	const char *entry_element; /* "INDIVIDUAL" or "ENTITY" */
	char *name_parts[4];       /* FIRST_NAME .. FOURTH_NAME */
	iffa_jsonbuf source;       /* members of the entry's "source" object */
	/* Group being read (INDIVIDUAL_ALIAS, NATIONALITY, ...). */
	int in_group;
	char group[64];
	long group_line;
	int nfields;
	char *field_name[MAX_GROUP_FIELDS];
	char *field_value[MAX_GROUP_FIELDS];
	iffa_jsonbuf groups; /* JSON array members: the entry's groups as read */
	iffa_jsonbuf tmp;
} un_reader;

static void on_xml_error(void *arg, xmlErrorPtr err)
{
	un_reader *r = arg;
	size_t len;

	if (!err || err->level < XML_ERR_ERROR || r->xml_error[0])
		return;
	snprintf(r->xml_error, sizeof(r->xml_error), "%s",
		 err->message ? err->message : "malformed XML");
	len = strlen(r->xml_error);
	while (len > 0 && (r->xml_error[len - 1] == '\n' || r->xml_error[len - 1] == ' '))
		r->xml_error[--len] = '\0';
	r->xml_error_line = err->line;
}

/* Line of the current node (the parser itself may have read further). */
static long line_of(un_reader *r)
{
	xmlNodePtr node = xmlTextReaderCurrentNode(r->reader);
	long line = node ? xmlGetLineNo(node) : -1;

	return line > 0 ? line : (long)xmlTextReaderGetParserLineNumber(r->reader);
}

/* Text of the current element (malloc'd, trimmed by the caller). */
static char *element_text(un_reader *r)
{
	xmlChar *s;
	char *out;

	if (xmlTextReaderIsEmptyElement(r->reader))
		return strdup("");
	s = xmlTextReaderReadString(r->reader);
	out = strdup(s ? (const char *)s : "");
	xmlFree(s);
	if (!out)
		iffa_error_set(IFFA_ENOMEM, "out of memory");
	return out;
}

static void clear_group(un_reader *r)
{
	for (int i = 0; i < r->nfields; i++) {
		free(r->field_name[i]);
		free(r->field_value[i]);
	}
	r->nfields = 0;
	r->in_group = 0;
}

static void clear_entry(un_reader *r)
{
	for (int i = 0; i < 4; i++) {
		free(r->name_parts[i]);
		r->name_parts[i] = NULL;
	}
	clear_group(r);
	iffa_jsonbuf__clear(&r->source);
	iffa_jsonbuf__clear(&r->groups);
	r->in_entry = 0;
}

static const char *field(un_reader *r, const char *name)
{
	for (int i = 0; i < r->nfields; i++)
		if (strcmp(r->field_name[i], name) == 0 && r->field_value[i][0])
			return r->field_value[i];
	return NULL;
}

static char *lower_dup(const char *s)
{
	char *out = strdup(s);

	for (char *c = out; c && *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	return out;
}

static const char *quality_of(const char *q)
{
	if (!q)
		return NULL;
	if (strcmp(q, "Good") == 0)
		return "good";
	if (strcmp(q, "Low") == 0)
		return "low";
	if (strcmp(q, "a.k.a.") == 0)
		return "aka";
	if (strcmp(q, "f.k.a.") == 0)
		return "fka";
	return NULL;
}

/* xsd:date allows a time zone after the date ("2015-04-14-04:00", "...Z");
 * the day is what a list means. Cut it off in place. */
static void date_part(char *s)
{
	size_t n = strlen(s);

	if ((n == 11 && s[10] == 'Z') ||
	    (n == 16 && (s[10] == '+' || s[10] == '-') && s[13] == ':'))
		s[10] = '\0';
}

/* A group ended: turn what it held into names, dates, countries. */
static int finish_group(un_reader *r)
{
	iffa_lists__parsed *p = r->p;
	const char *g = r->group;
	char what[128];
	int error = 0;

	snprintf(what, sizeof(what), "<%s> of line %ld", g, r->group_line);
	/* Keep the group as read, for the entry's source. */
	if (r->nfields > 0) {
		iffa_jsonbuf__puts(&r->groups, r->groups.len ? ",{" : "{");
		iffa_jsonbuf__kv(&r->groups, "element", g);
		for (int i = 0; i < r->nfields; i++) {
			char *k = lower_dup(r->field_name[i]);
			if (!k)
				return iffa_error_set(IFFA_ENOMEM, "out of memory");
			iffa_jsonbuf__puts(&r->groups, ",");
			iffa_jsonbuf__kv(&r->groups, k, r->field_value[i]);
			free(k);
		}
		iffa_jsonbuf__puts(&r->groups, "}");
	}

	if (strcmp(g, "INDIVIDUAL_ALIAS") == 0 || strcmp(g, "ENTITY_ALIAS") == 0) {
		const char *name = field(r, "ALIAS_NAME");
		char *dob = (char *)field(r, "DATE_OF_BIRTH");
		const char *cob = field(r, "COUNTRY_OF_BIRTH");
		if (name && (error = iffa_lists__add_name(p, name, "alias",
							  quality_of(field(r, "QUALITY")))) < 0)
			return error;
		if (dob)
			date_part(dob);
		if (dob && (error = iffa_lists__add_dob(p, dob, 0, what)) < 0)
			return error;
		if (cob && (error = iffa_lists__add_country(p, "birth", cob, NULL)) < 0)
			return error;
	} else if (strcmp(g, "INDIVIDUAL_DATE_OF_BIRTH") == 0) {
		const char *type = field(r, "TYPE_OF_DATE");
		char *date = (char *)field(r, "DATE");
		const char *year = field(r, "YEAR");
		const char *from = field(r, "FROM_YEAR"), *to = field(r, "TO_YEAR");
		int approx = type && strcmp(type, "APPROXIMATELY") == 0;
		if (date)
			date_part(date);
		if (date)
			error = iffa_lists__add_dob(p, date, approx, what);
		else if (year)
			error = iffa_lists__add_dob(p, year, approx, what);
		else if (from || to) {
			char *end1 = NULL, *end2 = NULL;
			long f = strtol(from ? from : to, &end1, 10);
			long t = strtol(to ? to : from, &end2, 10);
			/* Bounded before the cast to int, which would turn
			 * 4294969196 into 1900. */
			if (*end1 || *end2 || f < 0 || f > 9999 || t < 0 || t > 9999)
				return iffa_error_set(IFFA_EINVAL, "%s: %s: FROM_YEAR/TO_YEAR "
						      "'%s'/'%s' are not years", p->path, what,
						      from ? from : "", to ? to : "");
			error = iffa_lists__add_dob_range(p, (int)f, (int)t, approx, what);
		}
	} else if (strcmp(g, "INDIVIDUAL_PLACE_OF_BIRTH") == 0) {
		const char *c = field(r, "COUNTRY");
		if (c)
			error = iffa_lists__add_country(p, "birth", c, NULL);
	} else if (strcmp(g, "INDIVIDUAL_ADDRESS") == 0 || strcmp(g, "ENTITY_ADDRESS") == 0) {
		const char *c = field(r, "COUNTRY");
		if (c)
			error = iffa_lists__add_country(p, "address", c, NULL);
	} else if (strcmp(g, "NATIONALITY") == 0) {
		for (int i = 0; i < r->nfields && error == 0; i++)
			if (strcmp(r->field_name[i], "VALUE") == 0)
				error = iffa_lists__add_country(p, "nationality",
								r->field_value[i], NULL);
	}
	clear_group(r);
	return error;
}

static int begin_entry(un_reader *r, const char *element)
{
	int error;

	if ((error = iffa_lists__begin(r->p, line_of(r))) < 0)
		return error;
	r->in_entry = 1;
	r->entry_element = strcmp(element, "INDIVIDUAL") == 0 ? "INDIVIDUAL" : "ENTITY";
	iffa_lists__current(r->p)->kind =
		strcmp(element, "INDIVIDUAL") == 0 ? "individual" : "entity";
	return 0;
}

static int finish_entry(un_reader *r)
{
	iffa_lists__parsed *p = r->p;
	iffa_lists__entry *e = iffa_lists__current(p);
	iffa_jsonbuf name = IFFA_JSONBUF_INIT;
	const char *source;
	int error = 0;

	/* The primary name: the name parts in order, as the UN prints them. */
	for (int i = 0; i < 4; i++) {
		char *clean;
		if (!r->name_parts[i])
			continue;
		if (!(clean = iffa_lists__clean(p, r->name_parts[i]))) {
			error = IFFA_ENOMEM;
			goto done;
		}
		if (!*clean)
			continue;
		if (name.len)
			iffa_jsonbuf__puts(&name, " ");
		iffa_jsonbuf__puts(&name, clean);
	}
	if (name.oom) {
		error = IFFA_ENOMEM;
		goto done;
	}
	if (name.len == 0) {
		error = iffa_error_set(IFFA_EINVAL, "%s:%ld: <%s> %s has no FIRST_NAME", p->path,
				       e->line, r->entry_element,
				       e->reference ? e->reference : "(no reference)");
		goto done;
	}
	/* The primary name goes first among the names. */
	{
		size_t before = p->nnames;
		if ((error = iffa_lists__add_name(p, name.ptr, "primary", NULL)) < 0)
			goto done;
		if (p->nnames > before && p->nnames - 1 > e->name0) {
			iffa_lists__name n = p->names[p->nnames - 1];
			memmove(&p->names[e->name0 + 1], &p->names[e->name0],
				(p->nnames - 1 - e->name0) * sizeof(n));
			p->names[e->name0] = n;
		}
	}
	iffa_jsonbuf__clear(&r->tmp);
	iffa_jsonbuf__puts(&r->tmp, "{");
	iffa_jsonbuf__put(&r->tmp, r->source.ptr ? r->source.ptr : "", r->source.len);
	iffa_jsonbuf__puts(&r->tmp, r->source.len ? ",\"groups\":[" : "\"groups\":[");
	iffa_jsonbuf__put(&r->tmp, r->groups.ptr ? r->groups.ptr : "", r->groups.len);
	iffa_jsonbuf__puts(&r->tmp, "]}");
	if (r->tmp.oom || !(source = iffa_lists__strndup(p, r->tmp.ptr, r->tmp.len))) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	error = iffa_lists__end(p, source);
done:
	iffa_jsonbuf__dispose(&name);
	clear_entry(r);
	return error;
}

/* A scalar element directly inside INDIVIDUAL or ENTITY. */
static int entry_field(un_reader *r, const char *el)
{
	iffa_lists__parsed *p = r->p;
	iffa_lists__entry *e = iffa_lists__current(p);
	static const char *const parts[] = {"FIRST_NAME", "SECOND_NAME", "THIRD_NAME",
					    "FOURTH_NAME"};
	char *text = element_text(r), *clean = NULL, *key = NULL;
	int error = 0;

	if (!text)
		return IFFA_ENOMEM;
	for (int i = 0; i < 4; i++) {
		if (strcmp(el, parts[i]) == 0) {
			free(r->name_parts[i]);
			r->name_parts[i] = text;
			return 0;
		}
	}
	if (!(clean = iffa_lists__clean(p, text))) {
		error = IFFA_ENOMEM;
		goto done;
	}
	if (strcmp(el, "REFERENCE_NUMBER") == 0) {
		e->reference = clean;
	} else if (strcmp(el, "LISTED_ON") == 0) {
		date_part(clean);
		e->listed_on = *clean ? clean : NULL;
	} else if (strcmp(el, "UN_LIST_TYPE") == 0) {
		e->program = *clean ? clean : NULL;
	} else if (strcmp(el, "NAME_ORIGINAL_SCRIPT") == 0) {
		error = iffa_lists__add_name(p, clean, "original_script", NULL);
	} else if (*clean) {
		/* Everything else (DATAID, COMMENTS1, GENDER...) goes to the source. */
		if (!(key = lower_dup(el))) {
			error = iffa_error_set(IFFA_ENOMEM, "out of memory");
			goto done;
		}
		if (r->source.len)
			iffa_jsonbuf__puts(&r->source, ",");
		iffa_jsonbuf__kv(&r->source, key, clean);
	}
done:
	free(key);
	free(text);
	return error;
}

static int group_field(un_reader *r, const char *el)
{
	char *text;

	if (r->nfields == MAX_GROUP_FIELDS)
		return iffa_error_set(IFFA_EINVAL, "%s:%ld: <%s> has more than %d fields",
				      r->p->path, line_of(r), r->group, MAX_GROUP_FIELDS);
	if (!(text = element_text(r)))
		return IFFA_ENOMEM;
	r->field_name[r->nfields] = strdup(el);
	r->field_value[r->nfields] = strdup(text);
	free(text);
	if (!r->field_name[r->nfields] || !r->field_value[r->nfields]) {
		free(r->field_name[r->nfields]);
		free(r->field_value[r->nfields]);
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	}
	/* Values are kept as the list wrote them, trimmed. */
	{
		char *v = r->field_value[r->nfields];
		size_t len = strlen(v), start = 0;
		while (start < len && (v[start] == ' ' || v[start] == '\n' || v[start] == '\t' ||
				       v[start] == '\r'))
			start++;
		while (len > start && (v[len - 1] == ' ' || v[len - 1] == '\n' ||
				       v[len - 1] == '\t' || v[len - 1] == '\r'))
			len--;
		memmove(v, v + start, len - start);
		v[len - start] = '\0';
	}
	r->nfields++;
	return 0;
}

static int set_published(un_reader *r)
{
	xmlChar *d = xmlTextReaderGetAttribute(r->reader, BAD_CAST "dateGenerated");

	if (d) {
		snprintf(r->p->published_at, sizeof(r->p->published_at), "%s", (const char *)d);
		xmlFree(d);
	}
	return 0;
}

static int read_all(un_reader *r)
{
	iffa_lists__parsed *p = r->p;
	int ret, error = 0, seen_root = 0;

	while ((ret = xmlTextReaderRead(r->reader)) == 1) {
		int type = xmlTextReaderNodeType(r->reader);
		int depth = xmlTextReaderDepth(r->reader);
		const char *el = (const char *)xmlTextReaderConstLocalName(r->reader);

		if (type == XML_READER_TYPE_DOCUMENT_TYPE)
			return iffa_error_set(IFFA_EINVAL, "%s:%ld: document type declaration "
					      "(<!DOCTYPE>) refused: a list needs no DTD, and DTDs "
					      "carry entity attacks", p->path, line_of(r));
		if (type == XML_READER_TYPE_ENTITY_REFERENCE || type == XML_READER_TYPE_ENTITY)
			return iffa_error_set(IFFA_EINVAL, "%s:%ld: entity reference refused",
					      p->path, line_of(r));
		if (depth > MAX_DEPTH)
			return iffa_error_set(IFFA_EINVAL, "%s:%ld: elements nested deeper than "
					      "%d levels refused", p->path, line_of(r), MAX_DEPTH);
		if (type == XML_READER_TYPE_END_ELEMENT) {
			if (depth == 3 && r->in_group && (error = finish_group(r)) < 0)
				return error;
			if (depth == 2 && r->in_entry && (error = finish_entry(r)) < 0)
				return error;
			continue;
		}
		if (type != XML_READER_TYPE_ELEMENT || !el)
			continue;
		if (depth == 0) {
			if (strcmp(el, "CONSOLIDATED_LIST") != 0)
				return iffa_error_set(IFFA_EINVAL, "%s:%ld: root element <%s> is "
						      "not <CONSOLIDATED_LIST>: not a UN "
						      "consolidated list", p->path, line_of(r), el);
			seen_root = 1;
			set_published(r);
		} else if (depth == 2 && (strcmp(el, "INDIVIDUAL") == 0 ||
					  strcmp(el, "ENTITY") == 0)) {
			if ((error = begin_entry(r, el)) < 0)
				return error;
			if (xmlTextReaderIsEmptyElement(r->reader) && (error = finish_entry(r)) < 0)
				return error;
		} else if (depth == 3 && r->in_entry) {
			/* A group has children; a scalar has text only. Tell them apart
			 * by name: groups are the repeated ones of the schema. */
			static const char *const groups[] = {
				"INDIVIDUAL_ALIAS", "ENTITY_ALIAS", "INDIVIDUAL_DATE_OF_BIRTH",
				"INDIVIDUAL_PLACE_OF_BIRTH", "INDIVIDUAL_ADDRESS", "ENTITY_ADDRESS",
				"INDIVIDUAL_DOCUMENT", "NATIONALITY", "TITLE", "DESIGNATION",
				"LIST_TYPE", "LAST_DAY_UPDATED"};
			int is_group = 0;
			for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
				is_group |= strcmp(el, groups[i]) == 0;
			if (!is_group) {
				if ((error = entry_field(r, el)) < 0)
					return error;
			} else if (!xmlTextReaderIsEmptyElement(r->reader)) {
				snprintf(r->group, sizeof(r->group), "%s", el);
				r->group_line = line_of(r);
				r->in_group = 1;
				r->nfields = 0;
			}
		} else if (depth == 4 && r->in_group) {
			if ((error = group_field(r, el)) < 0)
				return error;
		}
	}
	if (ret < 0 || r->xml_error[0])
		return iffa_error_set(IFFA_EINVAL, "%s:%d: malformed XML: %s", p->path,
				      r->xml_error_line ? r->xml_error_line : (int)line_of(r),
				      r->xml_error[0] ? r->xml_error : "parser error");
	if (!seen_root)
		return iffa_error_set(IFFA_EINVAL, "%s: no <CONSOLIDATED_LIST> element: not a "
				      "UN consolidated list", p->path);
	return 0;
}

/*
 * Before libxml2 sees a byte: the prolog (what precedes the root element:
 * XML declaration, comments, processing instructions, white space) must
 * hold no document type declaration. Entity declarations live only there,
 * so nothing is declared, let alone expanded.
 */
static int check_prolog(const char *path, FILE *f)
{
	static const char doctype[] = "<!DOCTYPE";
	char buf[65536];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f), i = 0;
	int full = n == sizeof(buf) - 1; /* the file may go on past buf */
	long line = 1;

	buf[n] = '\0';
	if (n >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < n) {
		const char *end, *close;
		if (buf[i] == '\n') {
			line++;
			i++;
			continue;
		}
		if (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r') {
			i++;
			continue;
		}
		/* Too few bytes left to tell a declaration from the root element:
		 * a "<!DOCTYPE" cut by the end of buf would pass for the root. */
		if (full && n - i < sizeof(doctype) - 1)
			break;
		if (strncmp(buf + i, "<?", 2) == 0)
			close = "?>";
		else if (strncmp(buf + i, "<!--", 4) == 0)
			close = "-->";
		else if (strncmp(buf + i, "<!", 2) == 0)
			return iffa_error_set(IFFA_EINVAL, "%s:%ld: document type declaration "
					      "(<!DOCTYPE>) refused: a list needs no DTD, and DTDs "
					      "carry entity attacks (external entities, entity "
					      "expansion)", path, line);
		else
			return 0; /* the root element, or not XML: libxml2 will say */
		if (!(end = strstr(buf + i, close)))
			return iffa_error_set(IFFA_EINVAL, "%s:%ld: prolog longer than 64 KiB or "
					      "unterminated", path, line);
		for (const char *c = buf + i; c < end; c++)
			line += *c == '\n';
		i = (size_t)(end - buf) + strlen(close);
	}
	if (full)
		return iffa_error_set(IFFA_EINVAL, "%s:%ld: prolog longer than 64 KiB: the start "
				      "of the document cannot be checked for a DTD", path, line);
	return 0;
}

int iffa_lists__read_un_xml(iffa_lists__parsed *p)
{
	un_reader r;
	int error;
	FILE *f;

	memset(&r, 0, sizeof(r));
	r.p = p;
	/* Say "cannot open" plainly rather than through libxml2's I/O message. */
	if (!(f = fopen(p->path, "rb")))
		return iffa_error_set(IFFA_EIO, "%s: cannot open: %s", p->path, strerror(errno));
	error = check_prolog(p->path, f);
	fclose(f);
	if (error < 0)
		return error;
	xmlInitParser();
	r.reader = xmlReaderForFile(p->path, NULL,
				    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
					    XML_PARSE_BIG_LINES);
	if (!r.reader)
		return iffa_error_set(IFFA_EIO, "%s: cannot open as XML", p->path);
	xmlTextReaderSetStructuredErrorHandler(r.reader, on_xml_error, &r);
	error = read_all(&r);
	clear_entry(&r);
	iffa_jsonbuf__dispose(&r.source);
	iffa_jsonbuf__dispose(&r.groups);
	iffa_jsonbuf__dispose(&r.tmp);
	xmlFreeTextReader(r.reader);
	p->open = 0;
	return error;
}
