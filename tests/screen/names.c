/*
 * Folding, transliteration form, phonetic key, tokenisation and
 * Jaro-Winkler, with answers worked out by hand.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "screen/fold.h"
#include "screen/names.h"

static const char *fold(const char *s)
{
	static char out[512];

	iffa_screen__fold(out, s, strlen(s));
	return out;
}

Test(screen_fold, case_diacritics_and_punctuation)
{
	cr_assert_str_eq(fold("Iyad Ag Ghâli"), "iyad ag ghali");
	cr_assert_str_eq(fold("JAMA'A NUSRAT UL-ISLAM (JNIM)"), "jamaa nusrat ul islam jnim");
	cr_assert_str_eq(fold("  --Koné,  Aïssata-- "), "kone aissata");
	cr_assert_str_eq(fold("Mus’ab Ḥusayn ʿAbd"), "musab husayn abd");
	cr_assert_str_eq(fold("Œuvre Ætna Straße"), "oeuvre aetna strasse");
	cr_assert_str_eq(fold("Ɗanjuma Ɓello Ƙano Ŋom"), "danjuma bello kano nom");
	cr_assert_str_eq(fold("Ọlọ́run Ṣẹgun"), "olorun segun");
	/* NFD input: e + combining acute. */
	cr_assert_str_eq(fold("Oue\xcc\x81" "draogo"), "ouedraogo");
	/* Invalid UTF-8 separates; × is a symbol. */
	cr_assert_str_eq(fold("ab\xff" "cd 3×4"), "ab cd 3 4");
	cr_assert_str_eq(fold(""), "");
}

Test(screen_fold, arabic_letter_forms_are_unified_and_marks_dropped)
{
	/* إِيَاد: alef with hamza below -> alef; kasra and fatha dropped. */
	cr_assert_str_eq(fold("\xd8\xa5\xd9\x90\xd9\x8a\xd9\x8e\xd8\xa7\xd8\xaf"),
			 "\xd8\xa7\xd9\x8a\xd8\xa7\xd8\xaf");
	/* جماعة: ta marbuta -> ha. */
	cr_assert_str_eq(fold("\xd8\xac\xd9\x85\xd8\xa7\xd8\xb9\xd8\xa9"),
			 "\xd8\xac\xd9\x85\xd8\xa7\xd8\xb9\xd9\x87");
}

Test(screen_names, transliteration_forms)
{
	char t[IFFA_SCREEN_TOKEN_MAX];
	static const char *const cases[][2] = {
		{"mohammed", "mohamed"}, {"ouedraogo", "uedraogo"}, {"wedraogo", "uedraogo"},
		{"djibril", "jibril"},   {"cheikh", "cheik"},       {"sheikh", "cheik"},
		{"qadhafi", "kadafi"},   {"gaddafi", "gadafi"},     {"abderrahmane", "abderahman"},
		{"youssouf", "yusuf"},   {"cisse", "sis"},          {"kouffa", "kufa"},
		{"yahya", "yahia"},      {"moctar", "moktar"},      {"mokhtar", "moktar"}};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		iffa_screen__translit(t, cases[i][0]);
		cr_expect_str_eq(t, cases[i][1], "%s", cases[i][0]);
	}
}

Test(screen_names, phonetic_keys)
{
	char k[IFFA_SCREEN_KEY_MAX];

	iffa_screen__key(k, "kadafi");
	cr_assert_str_eq(k, "kdf");
	iffa_screen__key(k, "umar");
	cr_assert_str_eq(k, "amr");
	iffa_screen__key(k, "omar");
	cr_assert_str_eq(k, "amr");
	iffa_screen__key(k, "ibrahim");
	cr_assert_str_eq(k, "abrm");
	iffa_screen__key(k, "ghali");
	cr_assert_str_eq(k, "gl");
}

static iffa_screen__lexicon *lx;

static void setup(void)
{
	cr_assert_eq(iffa_screen__lexicon_new(&lx), 0);
}

static void teardown(void)
{
	iffa_screen__lexicon_free(lx);
}

static void expect(const iffa_screen__tokens *tk, int i, const char *text, int kind)
{
	cr_assert_lt(i, tk->n);
	cr_expect_str_eq(tk->t[i].text, text, "token %d is %s", i, tk->t[i].text);
	cr_expect_eq(tk->t[i].kind, kind, "token %d (%s)", i, tk->t[i].text);
}

Test(screen_names, particles_titles_and_classes, .init = setup, .fini = teardown)
{
	iffa_screen__tokens tk;

	iffa_screen__tokenize(&tk, lx, "Iyad Ag Ghaly");
	cr_assert_eq(tk.n, 3);
	expect(&tk, 0, "iad", IFFA_TOKEN_NAME); /* y->i inside, ii once */
	expect(&tk, 1, "ag", IFFA_TOKEN_PARTICLE);
	expect(&tk, 2, "ghali", IFFA_TOKEN_NAME);
	cr_assert_eq(tk.ncore, 2);
	cr_assert_eq(tk.filiation, 1);

	/* Title and filiation; Mohamed and Ahmed read as their class. */
	iffa_screen__tokenize(&tk, lx, "Cheikh Mohamed Ould Ahmed");
	cr_assert_eq(tk.n, 4);
	expect(&tk, 0, "cheikh", IFFA_TOKEN_TITLE); /* set aside as written */
	expect(&tk, 1, "muhamad", IFFA_TOKEN_NAME);
	expect(&tk, 2, "ould", IFFA_TOKEN_PARTICLE);
	expect(&tk, 3, "ahmad", IFFA_TOKEN_NAME);
	cr_assert_eq(tk.t[1].seg, 0);
	cr_assert_eq(tk.t[3].seg, 1);
	cr_assert_float_eq(tk.t[1].weight, 0.6f, 1e-6, "a common given name");

	/* Mohammed, Muhammad, Mahamat: one class. */
	iffa_screen__tokenize(&tk, lx, "Muhammad");
	expect(&tk, 0, "muhamad", IFFA_TOKEN_NAME);
	iffa_screen__tokenize(&tk, lx, "MAHAMAT");
	expect(&tk, 0, "muhamad", IFFA_TOKEN_NAME);

	/* Glued and separate articles; abd and abu joined; Nour el Dine. */
	iffa_screen__tokenize(&tk, lx, "Alhousseini");
	expect(&tk, 0, "huseini", IFFA_TOKEN_NAME);
	iffa_screen__tokenize(&tk, lx, "Abdel Kader");
	cr_assert_eq(tk.n, 1);
	expect(&tk, 0, "abdelkader", IFFA_TOKEN_NAME);
	iffa_screen__tokenize(&tk, lx, "Abou Bakr al-Baghdadi");
	cr_assert_eq(tk.n, 3);
	expect(&tk, 0, "abubakar", IFFA_TOKEN_NAME);
	expect(&tk, 1, "al", IFFA_TOKEN_PARTICLE);
	expect(&tk, 2, "baghdadi", IFFA_TOKEN_NAME); /* gh kept: it is not g */
	iffa_screen__tokenize(&tk, lx, "Nour el Dine Adam");
	cr_assert_eq(tk.n, 2);
	expect(&tk, 0, "nurdin", IFFA_TOKEN_NAME);

	/* Initials and legal forms. */
	iffa_screen__tokenize(&tk, lx, "A. Koufa SARL");
	expect(&tk, 0, "a", IFFA_TOKEN_INITIAL);
	expect(&tk, 1, "kufa", IFFA_TOKEN_NAME);
	expect(&tk, 2, "sarl", IFFA_TOKEN_NOISE);

	/* A name of particles only keeps them. */
	iffa_screen__tokenize(&tk, lx, "Ag El");
	cr_assert_eq(tk.ncore, 2);
}

Test(screen_names, jaro_winkler_reference_values)
{
	/* Winkler (1990) and the usual worked examples. */
	cr_assert_float_eq(iffa_screen__jaro_winkler("martha", 6, "marhta", 6), 0.9611, 1e-4);
	cr_assert_float_eq(iffa_screen__jaro_winkler("dwayne", 6, "duane", 5), 0.84, 1e-4);
	cr_assert_float_eq(iffa_screen__jaro_winkler("dixon", 5, "dicksonx", 8), 0.8133, 1e-4);
	cr_assert_float_eq(iffa_screen__jaro_winkler("abc", 3, "xyz", 3), 0.0, 1e-9);
	cr_assert_float_eq(iffa_screen__jaro_winkler("ghali", 5, "ghali", 5), 1.0, 1e-9);
}
