/*
 * Names as the matcher sees them: folded, split into tokens, particles and
 * titles set aside, spellings of one name brought to one form, each token
 * with a weight and a phonetic key. See names.c for the rules and
 * docs/SCREENING.md for why.
 */
#ifndef IFFA_SRC_SCREEN_NAMES_H
#define IFFA_SRC_SCREEN_NAMES_H

#include <stddef.h>

#define IFFA_SCREEN_TOKEN_MAX 48  /* bytes of a token, NUL included */
#define IFFA_SCREEN_KEY_MAX 10    /* bytes of a phonetic key, NUL included */
#define IFFA_SCREEN_MAX_TOKENS 16 /* tokens kept of one name */

typedef enum {
	IFFA_TOKEN_NAME = 0,  /* counts in matching */
	IFFA_TOKEN_INITIAL,   /* one letter: matches a token it begins */
	IFFA_TOKEN_PARTICLE,  /* ag, ould, ben, bin, ibn, al, el, abu...: ignored */
	IFFA_TOKEN_TITLE,     /* cheikh, hadj, imam, dr, mr...: ignored */
	IFFA_TOKEN_NOISE      /* legal forms and joining words: sarl, ltd, wa, et, of */
} iffa_screen__token_kind;

typedef struct {
	char text[IFFA_SCREEN_TOKEN_MAX]; /* canonical form compared */
	char orig[IFFA_SCREEN_TOKEN_MAX]; /* folded form as written, for reasons */
	char key[IFFA_SCREEN_KEY_MAX];    /* phonetic key, for blocking */
	unsigned char len;                /* strlen(text) */
	unsigned char kind;               /* iffa_screen__token_kind */
	unsigned char seg;                /* filiation particles (ag, ould, ben...) before it */
	float weight;                     /* 1, 0.6 for common given names, 0 ignored */
} iffa_screen__token;

typedef struct {
	int n;     /* tokens */
	int ncore; /* tokens of kind NAME */
	int filiation; /* holds a filiation particle (ag, ould, ben, bin, ibn...) */
	iffa_screen__token t[IFFA_SCREEN_MAX_TOKENS];
} iffa_screen__tokens;

/* The tables the tokeniser uses, in the form it compares them (opaque). */
typedef struct iffa_screen__lexicon iffa_screen__lexicon;

/** Build the lexicon (once per index). @return 0 or IFFA_ENOMEM */
int iffa_screen__lexicon_new(iffa_screen__lexicon **out);
void iffa_screen__lexicon_free(iffa_screen__lexicon *lx);

/**
 * Tokenise a name (UTF-8). Names that are only particles and titles keep
 * them as NAME tokens, so that no name is empty unless it has no letter.
 * Time complexity: O(length of name).
 */
void iffa_screen__tokenize(iffa_screen__tokens *out, const iffa_screen__lexicon *lx,
			   const char *name);

/**
 * The transliteration form of a folded ASCII token: spellings that sound
 * alike across French, English and Arabic transliteration written alike
 * (dj->j, sh/ch->ch, kh->k, q->k, c->k or s, ou/w->u, y->i inside,
 * ph->f, dh->d, th->t, doubled letters once, final e after a consonant
 * dropped). Tokens with non-ASCII bytes are copied unchanged.
 */
void iffa_screen__translit(char out[IFFA_SCREEN_TOKEN_MAX], const char *token);

/** Phonetic key of a transliteration form: first letter (any vowel -> 'a'), then its consonants without h, repeats once. */
void iffa_screen__key(char out[IFFA_SCREEN_KEY_MAX], const char *translit);

/** Jaro-Winkler similarity of two byte strings (prefix scale 0.1, up to 4). */
double iffa_screen__jaro_winkler(const char *a, size_t alen, const char *b, size_t blen);

#endif
