/*
 * The list readers on files, without a database: the full published UN
 * file, our samples in each format, malformed files (error naming file and
 * line) and hostile XML (DTD, external entities, entity expansion, deep
 * nesting).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "lists/json.h"
#include "lists/lists.h"
#include "support/testdb.h"

static const iffa_lists__entry *find(const iffa_lists__parsed *p, const char *ref)
{
	for (size_t i = 0; i < p->nentries; i++)
		if (strcmp(p->entries[i].reference, ref) == 0)
			return &p->entries[i];
	return NULL;
}

static int has_name(const iffa_lists__parsed *p, const iffa_lists__entry *e, const char *name,
		    const char *kind, const char *quality)
{
	for (size_t i = 0; i < e->nnames; i++) {
		const iffa_lists__name *n = &p->names[e->name0 + i];
		if (strcmp(n->name, name) == 0 && strcmp(n->kind, kind) == 0 &&
		    ((!quality && !n->quality) || (quality && n->quality && strcmp(quality, n->quality) == 0)))
			return 1;
	}
	return 0;
}

static char path[1024];

static const char *res(const char *name)
{
	snprintf(path, sizeof(path), "%s", testdb_resource(name));
	return path;
}

Test(lists_un_xml, reads_the_full_published_list)
{
	iffa_lists__parsed p;
	const iffa_lists__entry *e;
	size_t individuals = 0;

	iffa_lists__parsed_init(&p, res("lists/un-sc-consolidated-list-2020-11-30.xml"), "un-xml");
	cr_assert_eq(iffa_lists__read_un_xml(&p), 0, "%s", iffa_error_last());
	cr_assert_eq(p.nentries, 1018);
	for (size_t i = 0; i < p.nentries; i++)
		individuals += strcmp(p.entries[i].kind, "individual") == 0;
	cr_assert_eq(individuals, 713);
	cr_assert_str_eq(p.published_at, "2020-11-30T20:31:19.923-05:00");

	e = find(&p, "QDe.159");
	cr_assert_not_null(e);
	cr_assert_str_eq(e->kind, "entity");
	cr_assert_str_eq(e->name, "JAMA'A NUSRAT UL-ISLAM WA AL-MUSLIMIN (JNIM)");
	cr_assert_str_eq(e->listed_on, "2018-10-04");
	cr_assert_str_eq(e->program, "Al-Qaida");
	cr_assert(has_name(&p, e, "جماعة نصرة الإسلام والمسلمين", "original_script", NULL));

	e = find(&p, "QDi.316");
	cr_assert_not_null(e);
	cr_assert_str_eq(e->name, "IYAD AG GHALI");
	cr_assert(has_name(&p, e, "Sidi Mohamed Arhali", "alias", "good"));
	/* YEAR 1958 and the alias's DATE_OF_BIRTH 1958-01-01. */
	cr_assert_eq(e->ndobs, 2);
	cr_assert_eq(p.dobs[e->dob0].from_year, 1958);
	cr_assert_str_eq(p.dobs[e->dob0].exact, "1958-01-01");

	e = find(&p, "QDi.425");
	cr_assert_not_null(e);
	cr_assert_eq(e->nnames, 7, "primary + 6 aliases, got %zu", e->nnames);
	cr_assert(has_name(&p, e, "Hamadoun Kouffa", "alias", "good"));
	cr_assert(p.dobs[e->dob0].approximate);

	/* Aliases of every quality, and dates with a time zone cut to the day. */
	e = find(&p, "QDi.423");
	cr_assert(has_name(&p, e, "Abou Abderahmane Sanhaji", "alias", "low"));
	e = find(&p, "YEi.004");
	cr_assert_str_eq(e->listed_on, "2015-04-14");
	iffa_lists__parsed_dispose(&p);
}

Test(lists_un_xml, reads_our_sample_with_ranges_and_trimmed_names)
{
	iffa_lists__parsed p;
	const iffa_lists__entry *e;

	iffa_lists__parsed_init(&p, res("lists/un-sample-v1.xml"), "un-xml");
	cr_assert_eq(iffa_lists__read_un_xml(&p), 0, "%s", iffa_error_last());
	cr_assert_eq(p.nentries, 5);
	e = find(&p, "QDi.424");
	cr_assert_str_eq(e->name, "BAH AG MOUSSA"); /* "BAH " + "AG MOUSSA " */
	cr_assert(has_name(&p, e, "Ag Mossa", "alias", "good"));
	cr_assert(has_name(&p, e, "Ammi Salim", "alias", "low"));
	cr_assert_eq(e->nnames, 3, "the empty alias is no name");
	cr_assert_eq(e->ndobs, 2);
	cr_assert_eq(p.dobs[e->dob0 + 1].from_year, 1952);
	cr_assert_eq(p.dobs[e->dob0 + 1].to_year, 1956);
	cr_assert_eq(e->ncountries, 1);
	cr_assert_str_eq(p.countries[e->country0].role, "nationality");
	cr_assert_str_eq(p.countries[e->country0].text, "Mali");
	e = find(&p, "QDe.135");
	cr_assert_str_eq(e->listed_on, "2013-03-20");
	cr_assert(has_name(&p, e, "Ansar Dine", "alias", "aka"));
	iffa_lists__parsed_dispose(&p);
}

/* Read a file that must be refused; the message must hold every needle. */
static void refused(const char *format, const char *file, int code, const char *n1, const char *n2)
{
	iffa_lists__parsed p;
	int error;

	iffa_lists__parsed_init(&p, res(file), format);
	error = strcmp(format, "un-xml") == 0 ? iffa_lists__read_un_xml(&p)
		: strcmp(format, "ftm") == 0  ? iffa_lists__read_ftm(&p)
					      : iffa_lists__read_csv(&p);
	cr_assert_eq(error, code, "%s: got %d: %s", file, error, iffa_error_last());
	cr_assert(strstr(iffa_error_last(), file) != NULL, "no file name in: %s", iffa_error_last());
	cr_assert(strstr(iffa_error_last(), n1) != NULL, "'%s' not in: %s", n1, iffa_error_last());
	if (n2)
		cr_assert(strstr(iffa_error_last(), n2) != NULL, "'%s' not in: %s", n2,
			  iffa_error_last());
	iffa_lists__parsed_dispose(&p);
}

Test(lists_un_xml, malformed_files_are_refused_with_file_and_line)
{
	refused("un-xml", "lists/un-bad-unclosed.xml", IFFA_EINVAL, ".xml:9:", "malformed XML");
	refused("un-xml", "lists/un-bad-noref.xml", IFFA_EINVAL, ".xml:4:", "without a reference");
	refused("un-xml", "lists/un-bad-dob.xml", IFFA_EINVAL, "1958-13-45", "INDIVIDUAL_DATE_OF_BIRTH");
	refused("un-xml", "lists/un-bad-root.xml", IFFA_EINVAL, ".xml:2:", "<SANCTIONS>");
	refused("un-xml", "lists/un-bad-truncated.xml", IFFA_EINVAL, "malformed XML", NULL);
	refused("un-xml", "lists/no-such-file.xml", IFFA_EIO, "cannot open", NULL);
}

Test(lists_un_xml, a_dtd_with_an_external_entity_is_refused)
{
	refused("un-xml", "lists/un-xxe.xml", IFFA_EINVAL, "DOCTYPE", "refused");
}

Test(lists_un_xml, entity_expansion_is_refused_before_any_expansion)
{
	refused("un-xml", "lists/un-billion-laughs.xml", IFFA_EINVAL, "DOCTYPE", "refused");
}

Test(lists_un_xml, deep_nesting_is_refused)
{
	refused("un-xml", "lists/un-deep.xml", IFFA_EINVAL, "nested deeper", ".xml:5:");
}

Test(lists_ftm, reads_entities_and_their_sanctions)
{
	iffa_lists__parsed p;
	const iffa_lists__entry *e;

	iffa_lists__parsed_init(&p, res("lists/ftm-sample.jsonl"), "ftm");
	cr_assert_eq(iffa_lists__read_ftm(&p), 0, "%s", iffa_error_last());
	cr_assert_eq(p.nentries, 3, "Iyad, JNIM, Koufa; got %zu", p.nentries);
	cr_assert_eq(p.skipped, 4, "2 sanctions, 1 address, 1 non-target person");
	e = find(&p, "NK-iffa-iyad-ag-ghali");
	cr_assert_str_eq(e->kind, "individual");
	cr_assert_str_eq(e->listed_on, "2013-02-25");
	cr_assert_str_eq(e->program, "Al-Qaida");
	cr_assert(has_name(&p, e, "Abou Fadl", "alias", "low"));
	cr_assert_eq(p.dobs[e->dob0].from_year, 1958);
	cr_assert_str_eq(p.countries[e->country0].code, "ML");
	e = find(&p, "NK-iffa-jnim");
	cr_assert_str_eq(e->kind, "entity");
	cr_assert_str_eq(e->listed_on, "2018-10-04");
	cr_assert(has_name(&p, e, "Groupe de soutien à l'islam et aux musulmans", "alias", "aka"));
	cr_assert_eq(e->ncountries, 2);
	/* "suhh" (the Soviet Union in FtM) is no ISO code: text kept, no code. */
	e = find(&p, "NK-iffa-koufa");
	cr_assert_eq(e->ncountries, 2);
	cr_assert_str_eq(p.countries[e->country0].text, "suhh");
	cr_assert_str_eq(p.countries[e->country0].role, "nationality");
	cr_assert_str_eq(p.countries[e->country0].code, "");
	/* The stored content leaves out what changes every day. */
	cr_assert(strstr(e->source, "last_seen") == NULL);
	iffa_lists__parsed_dispose(&p);
}

Test(lists_ftm, a_broken_line_is_named)
{
	refused("ftm", "lists/ftm-bad.jsonl", IFFA_EINVAL, ".jsonl:3:", "malformed JSON");
}

Test(lists_csv, reads_a_national_list)
{
	iffa_lists__parsed p;
	const iffa_lists__entry *e;

	iffa_lists__parsed_init(&p, res("lists/national-sample.csv"), "csv");
	cr_assert_eq(iffa_lists__read_csv(&p), 0, "%s", iffa_error_last());
	cr_assert_eq(p.nentries, 3);
	e = find(&p, "ML-2021-001");
	cr_assert_eq(e->line, 2);
	cr_assert(has_name(&p, e, "Ag Rhissa", "alias", "aka"));
	cr_assert_eq(e->ndobs, 2);
	cr_assert(p.dobs[e->dob0 + 1].approximate);
	e = find(&p, "ML-2021-003");
	cr_assert_eq(e->line, 4, "quoted line break: the entry starts on line 4");
	cr_assert(has_name(&p, e, "Fati", "alias", "low"));
	cr_assert_str_eq(p.dobs[e->dob0].exact, "1980-02-29");
	cr_assert_eq(e->ncountries, 3);
	cr_assert(strstr(e->source, "née à Gao,\\nMali") != NULL, "%s", e->source);
	iffa_lists__parsed_dispose(&p);
}

Test(lists_csv, a_bad_kind_is_named_with_its_line)
{
	refused("csv", "lists/national-bad.csv", IFFA_EINVAL, ".csv:3:", "'company'");
}

Test(lists_json, parses_escapes_and_refuses_what_is_not_json)
{
	iffa_json__doc d = {0};
	size_t col;
	const char *ok = " {\"a\": [\"x\\u00e9\\ud83d\\ude00\\n\", 1.5e3, true, null], \"b\": {}} ";

	cr_assert_eq(iffa_json__parse(&d, ok, strlen(ok), &col), 0, "%s", iffa_error_last());
	cr_assert_str_eq(iffa_json__str(&d, d.nodes[iffa_json__get(&d, 0, "a")].first),
			 "xé\xf0\x9f\x98\x80\n");
	cr_assert_eq(iffa_json__get(&d, 0, "c"), -1);

	cr_assert_eq(iffa_json__parse(&d, "{\"a\":1,}", 8, &col), IFFA_EINVAL);
	cr_assert_eq(col, 8);
	cr_assert_eq(iffa_json__parse(&d, "\"\\ud800\"", 8, &col), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "surrogate") != NULL);
	cr_assert_eq(iffa_json__parse(&d, "\"\xc3\x28\"", 4, &col), IFFA_EINVAL);
	cr_assert_eq(iffa_json__parse(&d, "[1] [2]", 7, &col), IFFA_EINVAL);
	cr_assert_eq(iffa_json__parse(&d, "01", 2, &col), IFFA_EINVAL);
	{
		char deep[200];
		memset(deep, '[', 100);
		memset(deep + 100, ']', 100);
		cr_assert_eq(iffa_json__parse(&d, deep, 200, &col), IFFA_EINVAL);
		cr_assert(strstr(iffa_error_last(), "nested deeper") != NULL);
	}
	iffa_json__dispose(&d);
}

Test(lists_country, list_country_texts_are_read_as_iso_codes)
{
	static const char *const names[][2] = {{"ML", "Mali"}, {"SD", "Sudan"}, {"SS", "South Sudan"},
					       {"KW", "Kuwait"}, {"CI", "Côte d'Ivoire"}, {"BH", "Bahrain"}};
	char code[3];

	iffa_lists__country_code(code, "Mali", names, 6);
	cr_assert_str_eq(code, "ML");
	iffa_lists__country_code(code, "Iran (Islamic Republic of)", names, 6);
	cr_assert_str_eq(code, "IR");
	iffa_lists__country_code(code, "Bahrain (citizenship revoked in Jan. 2015)", names, 6);
	cr_assert_str_eq(code, "BH");
	iffa_lists__country_code(code, "Kuwaiti citizenship withdrawn in 2002", names, 6);
	cr_assert_str_eq(code, "KW");
	iffa_lists__country_code(code, "Algerian", names, 6);
	cr_assert_str_eq(code, "DZ");
	iffa_lists__country_code(code, "COTE D’IVOIRE", names, 6);
	cr_assert_str_eq(code, "CI");
	iffa_lists__country_code(code, "USSR (until 1991)", names, 6);
	cr_assert_str_eq(code, "");
	iffa_lists__country_code(code, "Sudanese by birth", names, 6);
	cr_assert_str_eq(code, "SD");
}
