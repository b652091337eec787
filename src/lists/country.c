/*
 * What ISO 3166-1 country a list means by "Iran (Islamic Republic of)",
 * "United Kingdom of Great Britain and Northern Ireland" or "Algerian".
 * The country table (sql/002) gives the ISO short names; the UN and others
 * write the UN's names, older names and demonyms, listed here by hand from
 * the names the UN consolidated list uses. Text is compared folded (case,
 * accents and punctuation aside). A text that names no country, or
 * several, gives "".
 */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>

#include "lists/lists.h"
#include "screen/fold.h"

static const char *const extra[][2] = {
	{"KP", "Democratic People's Republic of Korea"}, {"KP", "North Korea"},
	{"KR", "Republic of Korea"}, {"KR", "South Korea"},
	{"CD", "Democratic Republic of the Congo"}, {"CG", "Republic of the Congo"},
	{"GB", "United Kingdom of Great Britain and Northern Ireland"}, {"GB", "Great Britain"},
	{"GB", "British"}, {"US", "United States of America"}, {"US", "American"},
	{"IR", "Iran (Islamic Republic of)"}, {"IR", "Iran"}, {"IR", "Iranian"},
	{"TZ", "United Republic of Tanzania"}, {"TZ", "Tanzania"}, {"TR", "Turkey"},
	{"TR", "Turkish"}, {"PS", "State of Palestine"}, {"PS", "Palestinian"},
	{"PS", "Palestinian Territories"}, {"PS", "Palestine"}, {"LY", "Libyan Arab Jamahiriya"},
	{"OM", "Sultanate of Oman"}, {"NL", "The Netherlands"}, {"KM", "Union of the Comoros"},
	{"VG", "British Virgin Islands"}, {"HK", "Hong Kong Special Administrative Region"},
	{"SY", "Syria"}, {"SY", "Syrian"}, {"RU", "Russia"}, {"RU", "Russian"},
	{"VE", "Venezuela"}, {"BO", "Bolivia"}, {"MD", "Moldova"}, {"LA", "Laos"},
	{"VN", "Vietnam"}, {"CI", "Cote d'Ivoire"}, {"CI", "Ivory Coast"}, {"CI", "Ivorian"},
	{"CV", "Cape Verde"}, {"SZ", "Swaziland"}, {"MK", "Macedonia"},
	{"AF", "Afghan"}, {"DZ", "Algerian"}, {"YE", "Yemeni"}, {"SO", "Somali"},
	{"SA", "Saudi Arabian"}, {"SA", "Saudi"}, {"ML", "Malian"}, {"MR", "Mauritanian"},
	{"NE", "Nigerien"}, {"NG", "Nigerian"}, {"BF", "Burkinabe"}, {"SN", "Senegalese"},
	{"GN", "Guinean"}, {"TD", "Chadian"}, {"LY", "Libyan"}, {"TN", "Tunisian"},
	{"MA", "Moroccan"}, {"EG", "Egyptian"}, {"SD", "Sudanese"}, {"ET", "Ethiopian"},
	{"KE", "Kenyan"}, {"IQ", "Iraqi"}, {"JO", "Jordanian"}, {"KW", "Kuwaiti"},
	{"QA", "Qatari"}, {"BH", "Bahraini"}, {"PK", "Pakistani"}, {"ID", "Indonesian"},
	{"PH", "Filipino"}, {"FR", "French"}, {"DE", "German"}, {"BE", "Belgian"},
	{"GM", "Gambian"}, {"GH", "Ghanaian"}, {"CM", "Cameroonian"}, {"LB", "Lebanese"},
	{"GW", "Bissau-Guinean"},
};

static char *folded(const char *s)
{
	size_t len = strlen(s);
	char *out = malloc(len + 1);

	if (out)
		iffa_screen__fold(out, s, len);
	return out;
}

/* Whether `needle` occurs in `hay` as whole words. */
static int has_words(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	if (n == 0)
		return 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		if ((p == hay || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return 1;
	return 0;
}

void iffa_lists__country_code(char out[3], const char *text, const char *const (*names)[2],
			      size_t nnames)
{
	size_t nextra = sizeof(extra) / sizeof(extra[0]), best_len = 0;
	char *t = folded(text), *cut;
	const char *best = NULL;
	int ambiguous = 0;

	out[0] = '\0';
	if (!t)
		return;
	/* Whole text, then the text before a bracket or a full stop. */
	for (int pass = 0; pass < 2 && !best; pass++) {
		for (size_t i = 0; i < nnames + nextra && !best; i++) {
			const char *code = i < nnames ? names[i][0] : extra[i - nnames][0];
			char *f = folded(i < nnames ? names[i][1] : extra[i - nnames][1]);
			if (f && strcmp(f, t) == 0)
				best = code;
			free(f);
		}
		if (!best && pass == 0) {
			char *orig = strdup(text);
			if (!orig)
				break;
			cut = strpbrk(orig, "(./,;");
			if (!cut || cut == orig) {
				free(orig);
				break;
			}
			*cut = '\0';
			free(t);
			t = folded(orig);
			free(orig);
			if (!t)
				return;
		}
	}
	if (!best) {
		/* A country named inside the text ("Kuwaiti citizenship withdrawn"):
		 * the longest name found wins, unless another country is named
		 * that is not part of it ("Sudan" in "South Sudan" is). */
		char *whole = folded(text), *longest = NULL;
		for (size_t i = 0; whole && i < nnames + nextra; i++) {
			const char *code = i < nnames ? names[i][0] : extra[i - nnames][0];
			char *f = folded(i < nnames ? names[i][1] : extra[i - nnames][1]);
			if (f && has_words(whole, f) && strlen(f) > best_len) {
				best = code;
				best_len = strlen(f);
				free(longest);
				longest = f;
				f = NULL;
			}
			free(f);
		}
		for (size_t i = 0; best && whole && i < nnames + nextra; i++) {
			const char *code = i < nnames ? names[i][0] : extra[i - nnames][0];
			char *f = folded(i < nnames ? names[i][1] : extra[i - nnames][1]);
			if (f && strcmp(code, best) != 0 && has_words(whole, f) &&
			    !has_words(longest, f))
				ambiguous = 1;
			free(f);
		}
		free(longest);
		free(whole);
	}
	free(t);
	if (best && !ambiguous) {
		out[0] = best[0];
		out[1] = best[1];
		out[2] = '\0';
	}
}
