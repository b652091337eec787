/*
 * Tokenisation of names for matching (see names.h).
 *
 * A name is folded (fold.c), split on spaces and each token classified:
 *   - particles of filiation and articles are set aside: ag (Tamasheq
 *     "son of"), ould/wuld, walet/mint, ben/bin/ibn, bint, al/el/ul and the
 *     assimilated articles ad/ed/ar/as/at/an/az, de/du/da/van/von;
 *     an article glued to a name goes too: Alhousseini -> housseini,
 *     Eddine -> dine (only when enough of the name remains);
 *   - titles: cheikh/sheikh/shaykh, imam, hadj/hajj/alhaji, mallam, mullah,
 *     mr, mme, dr ... are set aside;
 *   - legal forms and joining words of entity names (sarl, sa, ltd, llc,
 *     gmbh, ets, and, et, of, the, wa) are noise;
 *   - abu/abou/abo joins the next token (Abou Bakr -> aboubakr, as it is
 *     often written in one word), and so do abd/abdel/abdul/abdou (Abdel
 *     Kader -> abdelkader);
 *   - one letter is an initial;
 *   - the rest are names, brought to a transliteration form (translit
 *     below) and then to the first spelling of their equivalence class
 *     (Mohamed, Mohammed, Muhammad, Mouhamed, Mahamat... -> one form).
 * Common given names of the region weigh 0.6 instead of 1: sharing
 * "Amadou" says little.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iffa/common.h"
#include "screen/fold.h"
#include "screen/names.h"

static const char *const particles[] = {
	"ag", "ould", "uld", "wuld", "oulad", "walet", "wallet", "welet", "oult", "mint",
	"ben", "bin", "ibn", "ibnou", "bent", "bint", "binti",
	"al", "el", "ul", "il", "ad", "ed", "ud", "ar", "er", "as", "es", "at", "an", "az",
	"ash", "ath", "de", "du", "des", "da", "dos", "das", "van", "von", "der", "den",
	"la", "le", "les", "di", "d", "l", NULL};

static const char *const titles[] = {
	"cheikh", "cheick", "cheik", "chekh", "sheikh", "sheik", "shaikh", "shaykh", "shaykh",
	"imam", "imaam", "hadj", "hadji", "haj", "hajj", "haji", "hajji", "alhaji", "alhadji",
	"elhadj", "elhadji", "alhadj", "elhaj", "mallam", "malam", "mullah", "mulla",
	"maulana", "mawlana", "maulavi", "mawlawi", "maulvi", "qari", "emir", "amir", "mr",
	"mrs", "ms", "mme", "mlle", "dr", "prof", "doctor", "docteur", "general", "gen",
	"colonel", "col", "capt", "captain", "sir", "madame", "monsieur", "sayyid", "sayed",
	"seyyed", "ustaz", "oustaz", "ustadh", NULL};

static const char *const noise[] = {
	"sarl", "sa", "suarl", "sas", "sasu", "ltd", "limited", "llc", "inc", "incorporated",
	"corp", "corporation", "co", "company", "cie", "gmbh", "plc", "ets", "etablissement",
	"etablissements", "and", "et", "of", "the", "wa", "fi", "li", "for", "pour", "y", NULL};

/* Particles that say "son/daughter of": what stands before and after them
 * is not interchangeable. */
static const char *const filiation[] = {"ag", "ould", "uld", "wuld", "walet", "wallet", "welet",
					"oult", "mint", "ben", "bin", "ibn", "ibnou", "bent", "bint",
					"binti", NULL};

/* "Nour el Dine", "Salah ed Din", "Bashir ud Din": one name, often written
 * in one word (Nourredine, Salaheddine, Bashiruddin). */
static const char *const din_forms[] = {"din", "dine", "deen", "diin", "eddine", "eddin",
					"uddin", "uddine", "addin", "iddin", NULL};

static const char *const abu_forms[] = {"abu", "abou", "abo", "abi", NULL};
static const char *const abd_forms[] = {"abd", "abdel", "abdal", "abdul", "abdoul", "abdil",
					"abdu", "abdou", "abder", "abdur", "abdar", NULL};

/* Equivalence classes: every spelling on a row reads as the first. */
static const char *const classes[][24] = {
	{"muhammad", "mohamed", "mohammed", "mohammad", "mohamad", "muhamad", "muhammed",
	 "muhamed", "mouhamed", "mouhammad", "mouhamad", "mouhammed", "mohamud", "maxamed",
	 "mahamat", "mouhamadou", "mohamadou", "mohd", "mahomed", "mehmet", "mohamet", NULL},
	{"ahmad", "ahmed", "ahmet", "achmad", "ahmat", "ahamed", NULL},
	{"amadou", "hamadou", "hamadoun", "ahmadou", "amadu", "hamadu", "hamadoum", NULL},
	{"mamadou", "mamadu", "mahamadou", "mahamadu", NULL},
	{"mahmoud", "mahmud", "mahmood", "mahamoud", "mahmut", NULL},
	{"abdallah", "abdullah", "abdoulah", "abdulla", "abdalla", "abdellah", "abdoullah",
	 "abdallahi", "abdullahi", NULL},
	{"abdoulaye", "abdulai", "abdoulay", "abdullaye", "abdulaye", NULL},
	{"umar", "omar", "oumar", "omer", "oumarou", "umaru", NULL},
	{"usman", "ousmane", "othman", "osman", "uthman", "ousman", "othmane", "ousmana", NULL},
	{"yusuf", "youssouf", "youssef", "yousef", "yusef", "yousuf", "jusuf", "yussuf",
	 "youssoufa", "yousouf", NULL},
	{"ibrahim", "ebrahim", "ibrahima", "brahim", "ibraheem", "ibrahime", "brahima", NULL},
	{"ismail", "ismael", "esmail", "ismaila", "smail", NULL},
	{"musa", "moussa", "mousa", "moussah", NULL},
	{"hussein", "husein", "hussain", "husain", "husayn", "houssein", "hocine", "houcine",
	 "hossein", "housseyn", NULL},
	{"hasan", "hassan", "hassane", "hacen", "hassen", NULL},
	{"yahya", "yahia", "yaya", "yahaya", NULL},
	{"sulayman", "souleymane", "suleiman", "sulaiman", "souleimane", "slimane",
	 "soulaimane", "suleyman", "soulemane", NULL},
	{"abubakar", "aboubacar", "aboubakar", "abubakr", "aboubakr", "boubacar", "boubakar",
	 "bubakar", "abubakari", "aboubakary", "abobakr", "abubaker", NULL},
	{"khalid", "khaled", "khaleed", NULL},
	{"said", "saeed", "saiid", "sayeed", "saeid", NULL},
	{"aliou", "aliyu", "alioune", "aliu", NULL},
	{"salim", "salem", "saleem", "selim", NULL},
	{"karim", "kareem", "karime", NULL},
	{"abdelkader", "abdulkadir", "abdelkadir", "abdulqadir", "abdoulkader", "abdelqader",
	 "abdelkadr", "abdulkader", "abdelqadir", NULL},
	{"moustapha", "mustafa", "mustapha", "moustafa", "mostafa", "mustefa", NULL},
	{"mokhtar", "moctar", "mukhtar", "moktar", "mouctar", "mukhtaar", NULL},
	{"seydou", "seidou", "saidou", "seidu", "saydou", NULL},
	{"idrissa", "idrisa", "driss", "idris", "drissa", "idriss", NULL},
	{"fatoumata", "fatimata", "fatouma", "fatima", "fatma", "fatuma", NULL},
	{"aicha", "aisha", "aissata", "aichatou", "aissatou", "aishatu", NULL},
	{"mariam", "maryam", "mariama", "meriem", NULL},
	{"djibril", "jibril", "jibreel", "gibril", NULL},
	{"abdelrahman", "abderrahmane", "abdulrahman", "abdourahmane", "abderahmane",
	 "abdurrahman", "abdurahman", "abdelrahmane", "abdrahmane", "abdourahman", NULL},
};

/* Given names so common in the region that sharing one says little. */
static const char *const common_given[] = {
	"muhammad", "ahmad", "amadou", "mamadou", "mahmoud", "abdallah", "abdoulaye", "umar",
	"usman", "yusuf", "ibrahim", "ismail", "musa", "issa", "hussein", "hasan", "yahya",
	"sulayman", "abubakar", "khalid", "said", "ali", "aliou", "salim", "karim",
	"moustapha", "mokhtar", "seydou", "idrissa", "fatoumata", "aicha", "mariam", "adama",
	"hamidou", "aminata", "kadiatou", "hawa", "awa", "oumou", "ramata", "bintou", "salif",
	"modibo", "bakary", "lamine", "sekou", "tidiane", "alassane", "alpha", "habib",
	"abdelkader", "hamza", "bilal", "djibril", "ilyas", "ayoub", "zakaria", "nouhoum",
	"siaka", "sidi", "sidiki", "baba", "boubou", "abdelrahman", "aboubakar", "souleymane",
	"hamid", "mahamane", "moumouni", "harouna", "daouda", "boukary", "tahirou", "soumaila",
	"oumarou", "youssouf", "hadiza", "zeinab", "halima", "khadija", NULL};

typedef struct {
	char form[IFFA_SCREEN_TOKEN_MAX];      /* transliteration form of a spelling */
	const char *canon;                     /* its class's first spelling */
} lex_entry;

/* What a folded word is, by the lists above (a word may be on several). */
enum { W_PARTICLE = 1, W_TITLE = 2, W_NOISE = 4, W_ABU = 8, W_ABD = 16, W_DIN = 32,
       W_FILIATION = 64 };

typedef struct {
	const char *word;
	unsigned flags;
} lex_word;

struct iffa_screen__lexicon {
	lex_word *words; /* sorted by word: one search per token, not a scan per list */
	size_t nwords;
	lex_entry *cls;
	size_t ncls;
	char (*common)[IFFA_SCREEN_TOKEN_MAX]; /* transliteration forms, after classes */
	size_t ncommon;
};

static int is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

static int is_vowel(char c)
{
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

void iffa_screen__translit(char out[IFFA_SCREEN_TOKEN_MAX], const char *s)
{
	char tmp[IFFA_SCREEN_TOKEN_MAX];
	size_t n = 0, len = strlen(s), m = 0;

	if (!is_ascii(s)) {
		snprintf(out, IFFA_SCREEN_TOKEN_MAX, "%s", s);
		return;
	}
	for (size_t i = 0; i < len && n < sizeof(tmp) - 1; i++) {
		char c = s[i], d = s[i + 1];

		if (c == 'd' && d == 'j') {
			tmp[n++] = 'j';
			i++;
		} else if (c == 't' && d == 'c' && s[i + 2] == 'h') {
			tmp[n++] = 'c';
			tmp[n++] = 'h';
			i += 2;
		} else if ((c == 's' || c == 'c') && d == 'h') {
			tmp[n++] = 'c';
			tmp[n++] = 'h';
			i++;
		} else if (c == 'p' && d == 'h') {
			tmp[n++] = 'f';
			i++;
		} else if ((c == 'k' || c == 'd' || c == 't') && d == 'h') {
			tmp[n++] = c;
			i++;
		} else if (c == 'c' && d == 'k') {
			tmp[n++] = 'k';
			i++;
		} else if (c == 'q') {
			tmp[n++] = 'k';
		} else if (c == 'c') {
			tmp[n++] = (d == 'e' || d == 'i' || d == 'y') ? 's' : 'k';
		} else if (c == 'o' && d == 'u') {
			tmp[n++] = 'u';
			i++;
		} else if (c == 'w') {
			tmp[n++] = 'u';
		} else if (c == 'y' && i > 0) {
			tmp[n++] = 'i';
		} else if (c == 'e' && d == 'e') {
			tmp[n++] = 'i';
			i++;
		} else if (c == 'o' && d == 'o') {
			tmp[n++] = 'u';
			i++;
		} else {
			tmp[n++] = c;
		}
		if (n >= sizeof(tmp) - 2)
			break;
	}
	tmp[n] = '\0';
	/* Doubled letters once; a final e after a consonant is silent. */
	for (size_t i = 0; i < n; i++)
		if (m == 0 || tmp[i] != out[m - 1])
			out[m++] = tmp[i];
	if (m > 3 && out[m - 1] == 'e' && !is_vowel(out[m - 2]))
		m--;
	out[m] = '\0';
}

void iffa_screen__key(char out[IFFA_SCREEN_KEY_MAX], const char *t)
{
	size_t n = 0;

	if (!*t) {
		out[0] = '\0';
		return;
	}
	if (!is_ascii(t)) {
		/* Other scripts: the first bytes stand for the key. */
		snprintf(out, IFFA_SCREEN_KEY_MAX, "%s", t);
		while (n < IFFA_SCREEN_KEY_MAX - 1 && out[n])
			n++;
		/* Do not cut a UTF-8 sequence in two. */
		while (n > 0 && ((unsigned char)out[n] & 0xc0) == 0x80)
			n--;
		out[n] = '\0';
		return;
	}
	out[n++] = is_vowel(t[0]) || t[0] == 'y' ? 'a' : t[0];
	for (const char *p = t + 1; *p && n < IFFA_SCREEN_KEY_MAX - 1; p++) {
		if (is_vowel(*p) || *p == 'h' || *p == 'y')
			continue;
		if (*p == out[n - 1])
			continue;
		out[n++] = *p;
	}
	out[n] = '\0';
}

static int cmp_lex(const void *a, const void *b)
{
	return strcmp(((const lex_entry *)a)->form, ((const lex_entry *)b)->form);
}

static int cmp_word(const void *a, const void *b)
{
	return strcmp(((const lex_word *)a)->word, ((const lex_word *)b)->word);
}

static int cmp_form(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

int iffa_screen__lexicon_new(iffa_screen__lexicon **out)
{
	size_t ncls = 0, ncommon = 0, k = 0;
	iffa_screen__lexicon *lx;

	*out = NULL;
	for (size_t c = 0; c < sizeof(classes) / sizeof(classes[0]); c++)
		for (size_t i = 0; classes[c][i]; i++)
			ncls++;
	while (common_given[ncommon])
		ncommon++;
	lx = calloc(1, sizeof(*lx));
	if (!lx || !(lx->cls = calloc(ncls, sizeof(*lx->cls))) ||
	    !(lx->common = calloc(ncommon, sizeof(*lx->common)))) {
		iffa_screen__lexicon_free(lx);
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	}
	for (size_t c = 0; c < sizeof(classes) / sizeof(classes[0]); c++)
		for (size_t i = 0; classes[c][i]; i++) {
			iffa_screen__translit(lx->cls[k].form, classes[c][i]);
			lx->cls[k++].canon = classes[c][0];
		}
	lx->ncls = k;
	qsort(lx->cls, lx->ncls, sizeof(*lx->cls), cmp_lex);
	lx->ncommon = ncommon;
	for (size_t i = 0; i < ncommon; i++) {
		char form[IFFA_SCREEN_TOKEN_MAX];
		lex_entry key, *hit;
		iffa_screen__translit(form, common_given[i]);
		memcpy(key.form, form, sizeof(form));
		hit = bsearch(&key, lx->cls, lx->ncls, sizeof(*lx->cls), cmp_lex);
		if (hit)
			iffa_screen__translit(lx->common[i], hit->canon);
		else
			memcpy(lx->common[i], form, sizeof(form));
	}
	qsort(lx->common, lx->ncommon, sizeof(*lx->common), cmp_form);
	{
		static const struct {
			const char *const *list;
			unsigned flag;
		} lists[] = {{particles, W_PARTICLE}, {titles, W_TITLE}, {noise, W_NOISE},
			     {abu_forms, W_ABU},      {abd_forms, W_ABD}, {din_forms, W_DIN},
			     {filiation, W_FILIATION}};
		size_t total = 0, n = 0;
		for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++)
			for (size_t i = 0; lists[l].list[i]; i++)
				total++;
		if (!(lx->words = calloc(total, sizeof(*lx->words)))) {
			iffa_screen__lexicon_free(lx);
			return iffa_error_set(IFFA_ENOMEM, "out of memory");
		}
		for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++)
			for (size_t i = 0; lists[l].list[i]; i++) {
				size_t w;
				for (w = 0; w < n && strcmp(lx->words[w].word, lists[l].list[i]) != 0; w++)
					;
				if (w == n)
					lx->words[n++].word = lists[l].list[i];
				lx->words[w].flags |= lists[l].flag;
			}
		qsort(lx->words, n, sizeof(*lx->words), cmp_word);
		lx->nwords = n;
	}
	*out = lx;
	return 0;
}

static unsigned word_flags(const iffa_screen__lexicon *lx, const char *w)
{
	lex_word key = {w, 0}, *hit;

	hit = bsearch(&key, lx->words, lx->nwords, sizeof(*lx->words), cmp_word);
	return hit ? hit->flags : 0;
}

void iffa_screen__lexicon_free(iffa_screen__lexicon *lx)
{
	if (!lx)
		return;
	free(lx->words);
	free(lx->cls);
	free(lx->common);
	free(lx);
}

/* The canonical form of one name token (already folded and stripped). */
static void canonical(iffa_screen__token *t, const iffa_screen__lexicon *lx, const char *folded)
{
	lex_entry key, *hit;

	iffa_screen__translit(key.form, folded);
	hit = bsearch(&key, lx->cls, lx->ncls, sizeof(*lx->cls), cmp_lex);
	if (hit)
		iffa_screen__translit(t->text, hit->canon);
	else
		memcpy(t->text, key.form, sizeof(t->text));
	t->len = (unsigned char)strlen(t->text);
	iffa_screen__key(t->key, t->text);
	t->weight = bsearch(t->text, lx->common, lx->ncommon, sizeof(*lx->common), cmp_form)
			    ? 0.6f : 1.0f;
}

/* An article glued to a name: al-/el- before 4+ letters, or an assimilated
 * a/e + doubled sun letter (Eddine, Arrahman, Ennour) before 3+. */
static const char *strip_article(const char *s)
{
	size_t len = strlen(s);

	if (!is_ascii(s))
		return s;
	if ((s[0] == 'a' || s[0] == 'e') && s[1] == 'l' && len >= 6 && s[2] != 'l')
		return s + 2;
	if ((s[0] == 'a' || s[0] == 'e') && s[1] == s[2] && strchr("tdrzsn", s[1]) && len >= 5)
		return s + 2;
	return s;
}

static void push(iffa_screen__tokens *out, const iffa_screen__lexicon *lx, const char *orig,
		 const char *stripped, int kind)
{
	iffa_screen__token *t;

	if (out->n == IFFA_SCREEN_MAX_TOKENS)
		return;
	t = &out->t[out->n++];
	memset(t, 0, sizeof(*t));
	t->seg = (unsigned char)out->filiation;
	if (kind == IFFA_TOKEN_PARTICLE && (word_flags(lx, orig) & W_FILIATION) &&
	    out->filiation < 250)
		out->filiation++;
	snprintf(t->orig, sizeof(t->orig), "%s", orig);
	t->kind = (unsigned char)kind;
	if (kind == IFFA_TOKEN_NAME) {
		canonical(t, lx, stripped);
		out->ncore++;
	} else {
		snprintf(t->text, sizeof(t->text), "%s", stripped);
		t->len = (unsigned char)strlen(t->text);
		iffa_screen__key(t->key, t->text);
		t->weight = kind == IFFA_TOKEN_INITIAL ? 0.3f : 0.0f;
	}
}

void iffa_screen__tokenize(iffa_screen__tokens *out, const iffa_screen__lexicon *lx,
			   const char *name)
{
	size_t len = strlen(name);
	char *folded, *words[64];
	char stackbuf[512];
	int nwords = 0;

	out->n = out->ncore = out->filiation = 0;
	folded = len < sizeof(stackbuf) ? stackbuf : malloc(len + 1);
	if (!folded)
		return;
	iffa_screen__fold(folded, name, len);
	for (char *p = folded; *p && nwords < 64;) {
		words[nwords++] = p;
		while (*p && *p != ' ')
			p++;
		if (*p)
			*p++ = '\0';
	}
	for (int i = 0; i < nwords; i++) {
		const char *w = words[i], *s;
		char joined[IFFA_SCREEN_TOKEN_MAX];

		if (strlen(w) >= IFFA_SCREEN_TOKEN_MAX)
			continue; /* no name token is that long; keep the rest */
		/* abu + name and abd(el) + name are one name; an article between
		 * them goes ("abd al rahman" -> abdrahman). */
		if (i + 1 < nwords && (word_flags(lx, w) & (W_ABU | W_ABD))) {
			int next = i + 1;
			if ((word_flags(lx, words[next]) & W_PARTICLE) && next + 1 < nwords)
				next++;
			if (!(word_flags(lx, words[next]) & W_PARTICLE) &&
			    strlen(w) + strlen(words[next]) < sizeof(joined)) {
				size_t wl = strlen(w);
				memcpy(joined, w, wl);
				strcpy(joined + wl, words[next]);
				i = next;
				push(out, lx, joined, joined, IFFA_TOKEN_NAME);
				continue;
			}
		}
		if (i + 1 < nwords && !(word_flags(lx, w) & W_PARTICLE) &&
		    strlen(w) + 4 < sizeof(joined)) {
			int next = i + 1;
			if ((word_flags(lx, words[next]) & W_PARTICLE) && next + 1 < nwords)
				next++;
			if (word_flags(lx, words[next]) & W_DIN) {
				size_t wl = strlen(w);
				memcpy(joined, w, wl);
				memcpy(joined + wl, "din", 4);
				i = next;
				push(out, lx, joined, joined, IFFA_TOKEN_NAME);
				continue;
			}
		}
		if (word_flags(lx, w) & W_PARTICLE) {
			push(out, lx, w, w, IFFA_TOKEN_PARTICLE);
			continue;
		}
		s = strip_article(w);
		if ((word_flags(lx, w) & W_TITLE) || (s != w && (word_flags(lx, s) & W_TITLE))) {
			push(out, lx, w, s, IFFA_TOKEN_TITLE);
			continue;
		}
		if (word_flags(lx, w) & W_NOISE) {
			push(out, lx, w, w, IFFA_TOKEN_NOISE);
			continue;
		}
		if (w[1] == '\0' && is_ascii(w)) {
			push(out, lx, w, w, IFFA_TOKEN_INITIAL);
			continue;
		}
		push(out, lx, w, s, IFFA_TOKEN_NAME);
	}
	/* A name made only of particles and titles ("Al Ansar"?) keeps them. */
	if (out->ncore == 0) {
		for (int i = 0; i < out->n; i++) {
			iffa_screen__token *t = &out->t[i];
			if (t->kind == IFFA_TOKEN_INITIAL)
				continue;
			{
				char orig[IFFA_SCREEN_TOKEN_MAX];
				memcpy(orig, t->orig, sizeof(orig));
				canonical(t, lx, orig);
			}
			t->kind = IFFA_TOKEN_NAME;
			out->ncore++;
		}
	}
	if (folded != stackbuf)
		free(folded);
}
