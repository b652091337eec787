/*
 * The screening index and matcher (see index.h; method and figures in
 * docs/SCREENING.md).
 *
 * Build: each name is tokenised (names.c); each distinct token is a
 * vocabulary entry with postings (the names holding it) and blocking keys:
 * its phonetic key, its text and every text made by deleting one letter
 * (the symmetric-deletion idea of SymSpell, Garbe 2012: two tokens one
 * edit apart share a key).
 *
 * Query: for each token of the counterparty, the keys give the similar
 * vocabulary tokens (Jaro-Winkler >= IFFA_SCREEN__TOKEN_FLOOR), their
 * postings the names; a name is scored when it shares similar tokens with
 * the query for min(2, tokens of the query, tokens of the name) of the
 * query's tokens: a name sharing fewer cannot reach the possible-match
 * threshold. Scoring aligns the tokens of the two names one to one,
 * greedily by similarity (token-set alignment, order free), and gives
 *
 *     sum over aligned pairs of w * s^2
 *     ----------------------------------------------------------------
 *     sum over aligned w + ALPHA * unaligned query w + BETA * unaligned name w
 *
 * with s the pair's Jaro-Winkler similarity and w the token weights (1;
 * 0.6 for a common given name; 0.3 for an initial). An entry's score is
 * that of its best name, less LOW_ALIAS for an alias the list calls of low
 * quality, then raised or lowered by date of birth and country.
 *
 * Time complexity of a query: O(sum of postings of the similar tokens +
 * candidates * tokens^2); build O(total tokens * token length).
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iffa/common.h"
#include "iffa/screen.h"
#include "screen/index.h"

/* Tokens this long (transliteration form) also get the loose blocking key. */
#define LONG_TOKEN 7

typedef struct {
	uint32_t vid;
	float weight;
	unsigned char kind;
	unsigned char seg; /* filiation particles before the token */
} ntok;

typedef struct {
	uint32_t entry;
	uint32_t tok0;
	unsigned char ntok;
	unsigned char ncore;
	unsigned char low;  /* low-quality alias */
	unsigned char filiation; /* has a filiation particle */
	const char *text;
	const char *kind;   /* "primary", "alias", "original_script" */
} iname;

typedef struct {
	char text[IFFA_SCREEN_TOKEN_MAX];
	char key[IFFA_SCREEN_KEY_MAX];
	unsigned char len;
	unsigned char kind;
	unsigned char common;
	unsigned char ascii;
	float weight;
} vtok;

typedef struct {
	uint32_t entry;
	char exact[11];
	int from, to, approximate;
} idob;

typedef struct {
	uint32_t entry;
	char code[3];
	const char *role;
} icountry;

typedef struct {
	uint64_t h;
	uint32_t v;
} kpair;

typedef struct {
	char *data;
	size_t used, size;
} pool_block;

/* Open-addressing table from a 64-bit key to a range [lo, hi) of a sorted
 * array: one probe where a binary search over megabytes costs twenty cache
 * misses. hi == 0 marks an empty slot (ranges are never empty). */
typedef struct {
	uint64_t key;
	uint32_t lo, hi;
} rslot;

typedef struct {
	rslot *slot;
	size_t mask;
} rtable;

/* What a query knows of a name, in one place (one cache line per visit). */
typedef struct {
	uint32_t stamp;    /* query that last touched the name */
	uint32_t tokstamp; /* query token that last touched it */
	unsigned char hits;  /* query tokens with a similar token in the name */
	unsigned char ncore; /* the name's NAME tokens (copied at build) */
} nstate;

struct iffa_screen__index {
	iffa_screen__lexicon *lx;
	/* string pool */
	pool_block *blocks;
	size_t nblocks;
	/* entries */
	iffa_screen__entry *entries;
	size_t nentries, entries_cap;
	/* names and their tokens */
	iname *names;
	size_t nnames, names_cap;
	ntok *toks;
	size_t ntoks, toks_cap;
	/* vocabulary */
	vtok *vocab;
	size_t nvocab, vocab_cap;
	uint32_t *vmap; /* open addressing: vid + 1, 0 empty */
	size_t vmap_size;
	/* dobs and countries, sorted by entry at build */
	idob *dobs;
	size_t ndobs, dobs_cap;
	icountry *countries;
	size_t ncountries, countries_cap;
	uint32_t *dob_off, *country_off; /* per entry, nentries + 1 */
	/* built */
	uint32_t *post_off, *post; /* postings: vid -> names */
	kpair *keys;
	size_t nkeys;
	rtable key_table;  /* key hash -> range of keys */
	rtable pair_table; /* pair key -> range of pair_names */
	int built;
	/* query scratch */
	float *simc;
	uint32_t *simstamp;
	nstate *ns;             /* per name, for the query running */
	uint32_t *vidseen;
	uint64_t *pair_keys;             /* sorted (vid a << 32 | vid b), a <= b */
	uint32_t *pair_off, *pair_names; /* pair i -> names holding both */
	size_t npairs;
	uint32_t *single_off, *single;   /* vid -> names of one NAME token */
	uint32_t *simv;                  /* similar vids of the query's tokens */
	size_t simv_cap;
	uint32_t *cand;
	double *entry_best;
	uint32_t *entry_name, *entry_stamp;
	double *entry_namescore;
	uint32_t *touched;
	uint32_t qstamp, tokstamp;
};

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* Build from `n` sorted keys (stride bytes apart): each distinct key maps to
 * its run [lo, hi). */
static int rtable_build(rtable *t, const void *base, size_t n, size_t stride)
{
	size_t size = 16, distinct = 0;
	const unsigned char *b = base;

	for (size_t i = 0; i < n; i++)
		if (i == 0 || *(const uint64_t *)(b + i * stride) != *(const uint64_t *)(b + (i - 1) * stride))
			distinct++;
	while (size < distinct * 2)
		size *= 2;
	if (!(t->slot = calloc(size, sizeof(*t->slot))))
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	t->mask = size - 1;
	for (size_t i = 0; i < n;) {
		uint64_t key = *(const uint64_t *)(b + i * stride);
		size_t j = i + 1, at = mix64(key) & t->mask;
		while (j < n && *(const uint64_t *)(b + j * stride) == key)
			j++;
		while (t->slot[at].hi)
			at = (at + 1) & t->mask;
		t->slot[at].key = key;
		t->slot[at].lo = (uint32_t)i;
		t->slot[at].hi = (uint32_t)j;
		i = j;
	}
	return 0;
}

static int rtable_find(const rtable *t, uint64_t key, uint32_t *lo, uint32_t *hi)
{
	size_t at;

	if (!t->slot)
		return 0;
	for (at = mix64(key) & t->mask; t->slot[at].hi; at = (at + 1) & t->mask)
		if (t->slot[at].key == key) {
			*lo = t->slot[at].lo;
			*hi = t->slot[at].hi;
			return 1;
		}
	return 0;
}

static uint64_t fnv(char tag, const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	h = (h ^ (unsigned char)tag) * 1099511628211ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
	size_t c;
	void *p;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 256;
	p = realloc(*arr, c * size);
	if (!p)
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	*arr = p;
	*cap = c;
	return 0;
}

static const char *pool_dup(iffa_screen__index *ix, const char *s)
{
	size_t n;
	pool_block *b;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	b = ix->nblocks ? &ix->blocks[ix->nblocks - 1] : NULL;
	if (!b || b->size - b->used < n) {
		size_t size = n > 1 << 20 ? n : 1 << 20;
		pool_block *nb = realloc(ix->blocks, (ix->nblocks + 1) * sizeof(*nb));
		if (!nb)
			return NULL;
		ix->blocks = nb;
		b = &ix->blocks[ix->nblocks];
		if (!(b->data = malloc(size)))
			return NULL;
		b->used = 0;
		b->size = size;
		ix->nblocks++;
	}
	memcpy(b->data + b->used, s, n);
	b->used += n;
	return b->data + b->used - n;
}

int iffa_screen__index_new(iffa_screen__index **out)
{
	iffa_screen__index *ix = calloc(1, sizeof(*ix));
	int error;

	*out = NULL;
	if (!ix)
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	if ((error = iffa_screen__lexicon_new(&ix->lx)) < 0) {
		free(ix);
		return error;
	}
	ix->vmap_size = 1024;
	if (!(ix->vmap = calloc(ix->vmap_size, sizeof(*ix->vmap)))) {
		iffa_screen__index_free(ix);
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	}
	*out = ix;
	return 0;
}

void iffa_screen__index_free(iffa_screen__index *ix)
{
	if (!ix)
		return;
	iffa_screen__lexicon_free(ix->lx);
	for (size_t i = 0; i < ix->nblocks; i++)
		free(ix->blocks[i].data);
	free(ix->blocks);
	free(ix->entries);
	free(ix->names);
	free(ix->toks);
	free(ix->vocab);
	free(ix->vmap);
	free(ix->dobs);
	free(ix->countries);
	free(ix->dob_off);
	free(ix->country_off);
	free(ix->post_off);
	free(ix->post);
	free(ix->keys);
	free(ix->key_table.slot);
	free(ix->pair_table.slot);
	free(ix->simc);
	free(ix->simstamp);
	free(ix->ns);
	free(ix->vidseen);
	free(ix->pair_keys);
	free(ix->pair_off);
	free(ix->pair_names);
	free(ix->single_off);
	free(ix->single);
	free(ix->simv);
	free(ix->cand);
	free(ix->entry_best);
	free(ix->entry_name);
	free(ix->entry_stamp);
	free(ix->entry_namescore);
	free(ix->touched);
	free(ix);
}

int iffa_screen__index_add_entry(iffa_screen__index *ix, uint32_t *out_id,
				 const iffa_screen__entry *e)
{
	iffa_screen__entry *c;
	int error;

	if ((error = grow((void **)&ix->entries, &ix->entries_cap, ix->nentries,
			  sizeof(*ix->entries))) < 0)
		return error;
	c = &ix->entries[ix->nentries];
	memset(c, 0, sizeof(*c));
	c->id = e->id;
	if (!(c->list = pool_dup(ix, e->list ? e->list : "")) ||
	    !(c->reference = pool_dup(ix, e->reference ? e->reference : "")) ||
	    !(c->kind = pool_dup(ix, e->kind ? e->kind : "individual")) ||
	    !(c->name = pool_dup(ix, e->name ? e->name : "")) ||
	    (e->listed_on && !(c->listed_on = pool_dup(ix, e->listed_on))) ||
	    (e->program && !(c->program = pool_dup(ix, e->program))))
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	*out_id = (uint32_t)ix->nentries++;
	return 0;
}

static int rehash(iffa_screen__index *ix)
{
	size_t size = ix->vmap_size * 2;
	uint32_t *m = calloc(size, sizeof(*m));

	if (!m)
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	for (size_t v = 0; v < ix->nvocab; v++) {
		size_t at = fnv('v', ix->vocab[v].text, ix->vocab[v].len) & (size - 1);
		while (m[at])
			at = (at + 1) & (size - 1);
		m[at] = (uint32_t)v + 1;
	}
	free(ix->vmap);
	ix->vmap = m;
	ix->vmap_size = size;
	return 0;
}

static int is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

/* Vocabulary id of a token, added if new. */
static int intern(iffa_screen__index *ix, uint32_t *out, const iffa_screen__token *t)
{
	size_t at = fnv('v', t->text, t->len) & (ix->vmap_size - 1);
	vtok *v;
	int error;

	while (ix->vmap[at]) {
		v = &ix->vocab[ix->vmap[at] - 1];
		if (v->len == t->len && v->kind == t->kind && memcmp(v->text, t->text, t->len) == 0) {
			*out = ix->vmap[at] - 1;
			return 0;
		}
		at = (at + 1) & (ix->vmap_size - 1);
	}
	if ((error = grow((void **)&ix->vocab, &ix->vocab_cap, ix->nvocab, sizeof(*ix->vocab))) < 0)
		return error;
	v = &ix->vocab[ix->nvocab];
	memcpy(v->text, t->text, sizeof(v->text));
	memcpy(v->key, t->key, sizeof(v->key));
	v->len = t->len;
	v->kind = t->kind;
	v->weight = t->weight;
	v->common = t->weight > 0.5f && t->weight < 0.7f;
	v->ascii = (unsigned char)is_ascii(t->text);
	ix->vmap[at] = (uint32_t)ix->nvocab + 1;
	*out = (uint32_t)ix->nvocab++;
	if (ix->nvocab * 2 > ix->vmap_size)
		return rehash(ix);
	return 0;
}

static int add_one_name(iffa_screen__index *ix, uint32_t entry, const char *name,
			const char *kind, const char *quality)
{
	iffa_screen__tokens tk;
	iname *n;
	int error;

	iffa_screen__tokenize(&tk, ix->lx, name);
	if (tk.ncore == 0)
		return 0;
	if ((error = grow((void **)&ix->names, &ix->names_cap, ix->nnames, sizeof(*ix->names))) < 0)
		return error;
	n = &ix->names[ix->nnames];
	memset(n, 0, sizeof(*n));
	n->entry = entry;
	n->tok0 = (uint32_t)ix->ntoks;
	n->low = quality && strcmp(quality, "low") == 0;
	n->filiation = tk.filiation > 0;
	if (!(n->text = pool_dup(ix, name)) || !(n->kind = pool_dup(ix, kind)))
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	for (int i = 0; i < tk.n; i++) {
		const iffa_screen__token *t = &tk.t[i];
		ntok *nt;
		if (t->kind != IFFA_TOKEN_NAME && t->kind != IFFA_TOKEN_INITIAL)
			continue;
		if ((error = grow((void **)&ix->toks, &ix->toks_cap, ix->ntoks, sizeof(*ix->toks))) < 0)
			return error;
		nt = &ix->toks[ix->ntoks++];
		if ((error = intern(ix, &nt->vid, t)) < 0)
			return error;
		nt->weight = t->weight;
		nt->kind = t->kind;
		nt->seg = t->seg;
		n->ntok++;
		if (t->kind == IFFA_TOKEN_NAME)
			n->ncore++;
	}
	ix->nnames++;
	return 0;
}

int iffa_screen__index_add_name(iffa_screen__index *ix, uint32_t entry, const char *name,
				const char *kind, const char *quality)
{
	const char *open = strchr(name, '('), *close = open ? strchr(open, ')') : NULL;
	int error;

	if ((error = add_one_name(ix, entry, name, kind, quality)) < 0)
		return error;
	/* "JAMA'A NUSRAT UL-ISLAM WA AL-MUSLIMIN (JNIM)": the name without the
	 * bracket and the bracket alone are names too. */
	if (open && close && close > open + 1) {
		size_t len = strlen(name);
		char *outside = malloc(len + 1), *inside = malloc(len + 1);
		if (!outside || !inside) {
			free(outside);
			free(inside);
			return iffa_error_set(IFFA_ENOMEM, "out of memory");
		}
		memcpy(outside, name, (size_t)(open - name));
		strcpy(outside + (open - name), close + 1);
		memcpy(inside, open + 1, (size_t)(close - open - 1));
		inside[close - open - 1] = '\0';
		error = add_one_name(ix, entry, outside, kind, quality);
		if (error == 0 && strlen(inside) >= 3)
			error = add_one_name(ix, entry, inside, kind, quality);
		free(outside);
		free(inside);
	}
	return error;
}

int iffa_screen__index_add_dob(iffa_screen__index *ix, uint32_t entry, const char *exact,
			       int from_year, int to_year, int approximate)
{
	idob *d;
	int error;

	if ((error = grow((void **)&ix->dobs, &ix->dobs_cap, ix->ndobs, sizeof(*ix->dobs))) < 0)
		return error;
	d = &ix->dobs[ix->ndobs++];
	d->entry = entry;
	snprintf(d->exact, sizeof(d->exact), "%s", exact ? exact : "");
	d->from = from_year;
	d->to = to_year;
	d->approximate = approximate;
	return 0;
}

int iffa_screen__index_add_country(iffa_screen__index *ix, uint32_t entry, const char *code,
				   const char *role)
{
	icountry *c;
	int error;

	if (!code || strlen(code) != 2)
		return 0;
	if ((error = grow((void **)&ix->countries, &ix->countries_cap, ix->ncountries,
			  sizeof(*ix->countries))) < 0)
		return error;
	c = &ix->countries[ix->ncountries++];
	c->entry = entry;
	c->code[0] = (char)(code[0] & ~0x20);
	c->code[1] = (char)(code[1] & ~0x20);
	c->code[2] = '\0';
	c->role = strcmp(role, "nationality") == 0 ? "nationality"
		  : strcmp(role, "birth") == 0	   ? "birth"
						   : "address";
	return 0;
}

typedef struct {
	uint64_t key;
	uint32_t name;
} npair;

static int cmp_npair(const void *a, const void *b)
{
	const npair *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->name < y->name ? -1 : x->name > y->name;
}

/*
 * Pair postings: for every two NAME tokens of a name, the name under the
 * pair. A counterparty of two tokens or more is matched through the pairs
 * of its tokens' similar tokens, so a common given name's long postings
 * are never walked. Names have few tokens: pairs stay a small multiple of
 * the names.
 */
static int build_pairs(iffa_screen__index *ix)
{
	npair *pairs = NULL;
	size_t n = 0, cap = 0, u = 0;

	for (size_t nm = 0; nm < ix->nnames; nm++) {
		const iname *name = &ix->names[nm];
		for (int i = 0; i < name->ntok; i++) {
			const ntok *a = &ix->toks[name->tok0 + i];
			if (a->kind != IFFA_TOKEN_NAME)
				continue;
			for (int j = i + 1; j < name->ntok; j++) {
				const ntok *b = &ix->toks[name->tok0 + j];
				if (b->kind != IFFA_TOKEN_NAME)
					continue;
				if (grow((void **)&pairs, &cap, n, sizeof(*pairs)) < 0) {
					free(pairs);
					return IFFA_ENOMEM;
				}
				pairs[n].key = a->vid <= b->vid ? ((uint64_t)a->vid << 32 | b->vid)
								: ((uint64_t)b->vid << 32 | a->vid);
				pairs[n++].name = (uint32_t)nm;
			}
		}
	}
	if (n)
		qsort(pairs, n, sizeof(*pairs), cmp_npair);
	ix->pair_keys = malloc((n + 1) * sizeof(*ix->pair_keys));
	ix->pair_off = malloc((n + 2) * sizeof(*ix->pair_off));
	ix->pair_names = malloc((n + 1) * sizeof(*ix->pair_names));
	if (!ix->pair_keys || !ix->pair_off || !ix->pair_names) {
		free(pairs);
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	}
	{
		size_t w = 0;
		for (size_t i = 0; i < n; i++) {
			if (i > 0 && pairs[i].key == pairs[i - 1].key && pairs[i].name == pairs[i - 1].name)
				continue; /* a name holding one pair twice */
			if (i == 0 || pairs[i].key != pairs[i - 1].key) {
				ix->pair_keys[u] = pairs[i].key;
				ix->pair_off[u++] = (uint32_t)w;
			}
			ix->pair_names[w++] = pairs[i].name;
		}
		ix->pair_off[u] = (uint32_t)w;
	}
	ix->npairs = u;
	free(pairs);
	return rtable_build(&ix->pair_table, ix->pair_keys, u, sizeof(*ix->pair_keys));
}

static int cmp_kpair(const void *a, const void *b)
{
	const kpair *x = a, *y = b;

	if (x->h != y->h)
		return x->h < y->h ? -1 : 1;
	return x->v < y->v ? -1 : x->v > y->v;
}

static int cmp_dob(const void *a, const void *b)
{
	const idob *x = a, *y = b;
	return x->entry < y->entry ? -1 : x->entry > y->entry;
}

static int cmp_country(const void *a, const void *b)
{
	const icountry *x = a, *y = b;
	return x->entry < y->entry ? -1 : x->entry > y->entry;
}

static int add_key(kpair **keys, size_t *n, size_t *cap, char tag, const char *s, size_t len,
		   uint32_t v)
{
	int error;

	if ((error = grow((void **)keys, cap, *n, sizeof(**keys))) < 0)
		return error;
	(*keys)[*n].h = fnv(tag, s, len);
	(*keys)[*n].v = v;
	(*n)++;
	return 0;
}

int iffa_screen__index_build(iffa_screen__index *ix)
{
	size_t cap = 0, nk = 0, total;
	kpair *keys = NULL;
	uint32_t *count = NULL;
	int error = 0;

	if (ix->built)
		return iffa_error_set(IFFA_ERROR, "screening index built twice");
	/* Postings, each name once per token. */
	ix->post_off = calloc(ix->nvocab + 1, sizeof(*ix->post_off));
	count = calloc(ix->nvocab + 1, sizeof(*count));
	ix->post = malloc((ix->ntoks + 1) * sizeof(*ix->post));
	if (!ix->post_off || !count || !ix->post) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t n = 0; n < ix->nnames; n++)
		for (size_t k = 0; k < ix->names[n].ntok; k++)
			ix->post_off[ix->toks[ix->names[n].tok0 + k].vid + 1]++;
	for (size_t v = 0; v < ix->nvocab; v++)
		ix->post_off[v + 1] += ix->post_off[v];
	for (size_t n = 0; n < ix->nnames; n++)
		for (size_t k = 0; k < ix->names[n].ntok; k++) {
			uint32_t v = ix->toks[ix->names[n].tok0 + k].vid;
			uint32_t at = ix->post_off[v] + count[v];
			/* A token twice in one name ("Houka Houka") is posted once. */
			if (count[v] > 0 && ix->post[at - 1] == n)
				continue;
			ix->post[at] = (uint32_t)n;
			count[v]++;
		}
	/* Compact the postings (skipped duplicates left holes). */
	{
		uint32_t w = 0;
		for (size_t v = 0; v < ix->nvocab; v++) {
			uint32_t start = ix->post_off[v];
			ix->post_off[v] = w;
			memmove(ix->post + w, ix->post + start, count[v] * sizeof(*ix->post));
			w += count[v];
		}
		ix->post_off[ix->nvocab] = w;
	}
	/* Blocking keys of the name tokens (initials are matched by scoring only). */
	for (size_t v = 0; v < ix->nvocab && error == 0; v++) {
		const vtok *t = &ix->vocab[v];
		if (t->kind != IFFA_TOKEN_NAME)
			continue;
		error = add_key(&keys, &nk, &cap, 'k', t->key, strlen(t->key), (uint32_t)v);
		/* A looser key, the key's first three characters, finds tokens two
		 * edits away whose consonants agree at the start; only long tokens
		 * are that far apart and still alike. */
		if (error == 0 && t->ascii && strlen(t->key) > 3 && t->len >= LONG_TOKEN)
			error = add_key(&keys, &nk, &cap, 'k', t->key, 3, (uint32_t)v);
		if (error == 0)
			error = add_key(&keys, &nk, &cap, 'd', t->text, t->len, (uint32_t)v);
		if (t->ascii && t->len >= 4) {
			for (size_t i = 0; i < t->len && error == 0; i++) {
				char del[IFFA_SCREEN_TOKEN_MAX];
				memcpy(del, t->text, i);
				memcpy(del + i, t->text + i + 1, t->len - i - 1);
				error = add_key(&keys, &nk, &cap, 'd', del, t->len - 1, (uint32_t)v);
			}
		}
	}
	if (error < 0)
		goto done;
	if (nk)
		qsort(keys, nk, sizeof(*keys), cmp_kpair);
	ix->keys = keys;
	ix->nkeys = nk;
	keys = NULL;
	if ((error = rtable_build(&ix->key_table, ix->keys, ix->nkeys, sizeof(*ix->keys))) < 0)
		goto done;
	/* Dates of birth and countries, grouped by entry. */
	if (ix->ndobs)
		qsort(ix->dobs, ix->ndobs, sizeof(*ix->dobs), cmp_dob);
	if (ix->ncountries)
		qsort(ix->countries, ix->ncountries, sizeof(*ix->countries), cmp_country);
	ix->dob_off = calloc(ix->nentries + 1, sizeof(*ix->dob_off));
	ix->country_off = calloc(ix->nentries + 1, sizeof(*ix->country_off));
	if (!ix->dob_off || !ix->country_off) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < ix->ndobs; i++)
		ix->dob_off[ix->dobs[i].entry + 1]++;
	for (size_t i = 0; i < ix->ncountries; i++)
		ix->country_off[ix->countries[i].entry + 1]++;
	for (size_t e = 0; e < ix->nentries; e++) {
		ix->dob_off[e + 1] += ix->dob_off[e];
		ix->country_off[e + 1] += ix->country_off[e];
	}
	/* Query scratch. */
	total = (size_t)IFFA_SCREEN_MAX_TOKENS * (ix->nvocab ? ix->nvocab : 1);
	ix->simc = malloc(total * sizeof(*ix->simc));
	ix->simstamp = calloc(total, sizeof(*ix->simstamp));
	ix->ns = calloc(ix->nnames + 1, sizeof(*ix->ns));
	ix->single_off = calloc(ix->nvocab + 1, sizeof(*ix->single_off));
	if (!ix->single_off || (error = build_pairs(ix)) < 0) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	/* Names of a single NAME token, by token (for the probed query token). */
	{
		size_t nsingle = 0;
		for (size_t n = 0; n < ix->nnames; n++)
			if (ix->names[n].ncore == 1)
				for (size_t k = 0; k < ix->names[n].ntok; k++)
					if (ix->toks[ix->names[n].tok0 + k].kind == IFFA_TOKEN_NAME) {
						ix->single_off[ix->toks[ix->names[n].tok0 + k].vid + 1]++;
						nsingle++;
					}
		for (size_t v = 0; v < ix->nvocab; v++)
			ix->single_off[v + 1] += ix->single_off[v];
		if (!(ix->single = malloc((nsingle + 1) * sizeof(*ix->single)))) {
			error = iffa_error_set(IFFA_ENOMEM, "out of memory");
			goto done;
		}
		memset(count, 0, (ix->nvocab + 1) * sizeof(*count));
		for (size_t n = 0; n < ix->nnames; n++)
			if (ix->names[n].ncore == 1)
				for (size_t k = 0; k < ix->names[n].ntok; k++) {
					uint32_t v = ix->toks[ix->names[n].tok0 + k].vid;
					if (ix->toks[ix->names[n].tok0 + k].kind == IFFA_TOKEN_NAME)
						ix->single[ix->single_off[v] + count[v]++] = (uint32_t)n;
				}
	}
	ix->vidseen = calloc(ix->nvocab + 1, sizeof(*ix->vidseen));
	ix->cand = malloc((ix->nnames + 1) * sizeof(*ix->cand));
	ix->entry_best = malloc((ix->nentries + 1) * sizeof(*ix->entry_best));
	ix->entry_namescore = malloc((ix->nentries + 1) * sizeof(*ix->entry_namescore));
	ix->entry_name = malloc((ix->nentries + 1) * sizeof(*ix->entry_name));
	ix->entry_stamp = calloc(ix->nentries + 1, sizeof(*ix->entry_stamp));
	ix->touched = malloc((ix->nentries + 1) * sizeof(*ix->touched));
	if (!ix->simc || !ix->simstamp || !ix->ns || !ix->vidseen || !ix->cand || !ix->entry_best || !ix->entry_namescore ||
	    !ix->entry_name || !ix->entry_stamp || !ix->touched) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t n = 0; n < ix->nnames; n++)
		ix->ns[n].ncore = ix->names[n].ncore;
	ix->built = 1;
done:
	free(keys);
	free(count);
	return error;
}

size_t iffa_screen__index_entries(const iffa_screen__index *ix)
{
	return ix->nentries;
}

size_t iffa_screen__index_names(const iffa_screen__index *ix)
{
	return ix->nnames;
}

const iffa_screen__entry *iffa_screen__index_entry(const iffa_screen__index *ix, uint32_t id)
{
	return &ix->entries[id];
}

const char *iffa_screen__index_name_text(const iffa_screen__index *ix, uint32_t name)
{
	return ix->names[name].text;
}

const char *iffa_screen__index_name_kind(const iffa_screen__index *ix, uint32_t name)
{
	return ix->names[name].kind;
}

int iffa_screen__query_dob(iffa_screen__query *q, const char *dob)
{
	size_t len;

	q->dob_year = 0;
	q->dob_date[0] = '\0';
	if (!dob || !*dob)
		return 0;
	len = strlen(dob);
	for (size_t i = 0; i < len; i++)
		if (!((dob[i] >= '0' && dob[i] <= '9') || ((i == 4 || i == 7) && dob[i] == '-')))
			goto bad;
	if (len != 4 && len != 7 && len != 10)
		goto bad;
	q->dob_year = atoi(dob);
	if (q->dob_year < 1800 || q->dob_year > 2200)
		goto bad;
	if (len >= 7 && (atoi(dob + 5) < 1 || atoi(dob + 5) > 12))
		goto bad;
	if (len == 10) {
		if (atoi(dob + 8) < 1 || atoi(dob + 8) > 31)
			goto bad;
		memcpy(q->dob_date, dob, 11);
	}
	return 0;
bad:
	q->dob_year = 0;
	return iffa_error_set(IFFA_EINVAL, "date of birth '%s' is not YYYY, YYYY-MM or YYYY-MM-DD",
			      dob);
}

/* ---- matching ---- */

static int vowel(char c)
{
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

static int first_letters_close(const char *a, const char *b)
{
	static const char *const pairs[] = {"kg", "jg", "jy", "sz", "sc", "td", "bp", "fp", "kc", NULL};
	char x = a[0], y = b[0];

	if (vowel(x) && vowel(y))
		return 1;
	if ((x == 'h' && vowel(y) && a[1] == y) || (y == 'h' && vowel(x) && b[1] == x))
		return 1;
	for (int i = 0; pairs[i]; i++)
		if ((x == pairs[i][0] && y == pairs[i][1]) || (x == pairs[i][1] && y == pairs[i][0]))
			return 1;
	return 0;
}

/* Similarity of a query token and a vocabulary token; 0 below the floor. */
static float token_sim(const iffa_screen__token *q, const vtok *v)
{
	double s;
	size_t minlen;

	if (q->kind == IFFA_TOKEN_INITIAL || v->kind == IFFA_TOKEN_INITIAL) {
		if (q->kind == IFFA_TOKEN_INITIAL && v->kind == IFFA_TOKEN_INITIAL)
			return q->text[0] == v->text[0] ? 1.0f : 0.0f;
		return q->text[0] == v->text[0] ? 0.9f : 0.0f;
	}
	if (q->len == v->len && memcmp(q->text, v->text, q->len) == 0)
		return 1.0f;
	if (!v->ascii || !is_ascii(q->text))
		return 0.0f;
	minlen = q->len < v->len ? q->len : v->len;
	if (minlen <= 3 && strcmp(q->key, v->key) != 0)
		return 0.0f;
	s = iffa_screen__jaro_winkler(q->text, q->len, v->text, v->len);
	/* Jaro-Winkler forgives a lost first letter (salah ~ alah 0.93); names
	 * rarely lose theirs. Vowels, h before a vowel and k/g, j/g, j/y, s/z
	 * are exchanged by transliteration and pass. */
	if (q->text[0] != v->text[0] && !first_letters_close(q->text, v->text))
		s -= IFFA_SCREEN__FIRST_LETTER;
	/* "Aghaly" for "Ag Ghaly": the Tamasheq particle glued to the name. */
	if (q->len >= 6 && q->text[0] == 'a' && q->text[1] == 'g') {
		double g = iffa_screen__jaro_winkler(q->text + 2, q->len - 2, v->text, v->len) - 0.05;
		s = g > s ? g : s;
	}
	if (v->len >= 6 && v->text[0] == 'a' && v->text[1] == 'g') {
		double g = iffa_screen__jaro_winkler(q->text, q->len, v->text + 2, v->len - 2) - 0.05;
		s = g > s ? g : s;
	}
	/* Two different given names of the common stock (Amadou, Mamadou) are
	 * two names, not one misspelt: they may align, but weakly. */
	if (v->common && q->weight > 0.5f && q->weight < 0.7f && s > 0.82)
		s = 0.82;
	return s >= IFFA_SCREEN__TOKEN_FLOOR ? (float)s : 0.0f;
}

typedef struct {
	const iffa_screen__tokens *tk;
	int idx[IFFA_SCREEN_MAX_TOKENS]; /* positions in tk of tokens that count */
	int n;
	int ncore;
} qview;

static float sim_at(iffa_screen__index *ix, const qview *qv, int i, uint32_t vid)
{
	size_t k = (size_t)i * ix->nvocab + vid;

	if (ix->simstamp[k] != ix->qstamp) {
		ix->simstamp[k] = ix->qstamp;
		ix->simc[k] = token_sim(&qv->tk->t[qv->idx[i]], &ix->vocab[vid]);
	}
	return ix->simc[k];
}

typedef struct {
	int qi[IFFA_SCREEN_MAX_TOKENS]; /* aligned pairs: query index (in qview) */
	int nj[IFFA_SCREEN_MAX_TOKENS]; /* ... and name token index */
	float s[IFFA_SCREEN_MAX_TOKENS];
	int npairs;
	int crossed;           /* tokens changed sides of a filiation particle */
	int thin;              /* only common given names aligned */
	unsigned qused, nused; /* bit sets */
} alignment;

static double score_name(iffa_screen__index *ix, const qview *qv, uint32_t name, alignment *al)
{
	const iname *n = &ix->names[name];
	float m[IFFA_SCREEN_MAX_TOKENS][IFFA_SCREEN_MAX_TOKENS];
	double num = 0, den = 0, score;
	int core_pairs = 0, rare_pairs = 0;

	memset(al, 0, sizeof(*al));
	for (int i = 0; i < qv->n; i++)
		for (int j = 0; j < n->ntok; j++)
			m[i][j] = sim_at(ix, qv, i, ix->toks[n->tok0 + j].vid);
	/* Greedy one-to-one alignment, best pairs first. */
	for (;;) {
		float best = 0;
		int bi = -1, bj = -1;
		for (int i = 0; i < qv->n; i++) {
			if (al->qused & (1u << i))
				continue;
			for (int j = 0; j < n->ntok; j++)
				if (!(al->nused & (1u << j)) && m[i][j] > best) {
					best = m[i][j];
					bi = i;
					bj = j;
				}
		}
		if (bi < 0)
			break;
		al->qused |= 1u << bi;
		al->nused |= 1u << bj;
		al->qi[al->npairs] = bi;
		al->nj[al->npairs] = bj;
		al->s[al->npairs++] = best;
	}
	for (int p = 0; p < al->npairs; p++) {
		const iffa_screen__token *qt = &qv->tk->t[qv->idx[al->qi[p]]];
		const ntok *nt = &ix->toks[n->tok0 + al->nj[p]];
		double w = (qt->weight + nt->weight) / 2.0, f;
		if (qt->kind == IFFA_TOKEN_INITIAL && nt->kind == IFFA_TOKEN_INITIAL) {
			w = 0.3;
			f = 1.0;
		} else if (qt->kind == IFFA_TOKEN_INITIAL || nt->kind == IFFA_TOKEN_INITIAL) {
			/* An initial says one letter of a name: it stands for the
			 * token's weight, but weakly. */
			w = qt->kind == IFFA_TOKEN_INITIAL ? nt->weight : qt->weight;
			f = IFFA_SCREEN__INITIAL;
		} else {
			/* Similarity above the floor, rescaled: a pair at the floor
			 * explains its tokens but adds nothing; a typo costs more
			 * than Jaro-Winkler's small gap suggests. */
			f = sqrt((al->s[p] - IFFA_SCREEN__TOKEN_FLOOR) / (1.0 - IFFA_SCREEN__TOKEN_FLOOR));
			core_pairs++;
			if (qt->weight >= 0.99f || nt->weight >= 0.99f)
				rare_pairs++;
		}
		num += w * f;
		den += w;
	}
	if (core_pairs == 0)
		return 0.0;
	al->crossed = 0;
	if (qv->tk->filiation && n->filiation)
		for (int p = 0; p < al->npairs; p++)
			if ((qv->tk->t[qv->idx[al->qi[p]]].seg == 0) !=
			    (ix->toks[n->tok0 + al->nj[p]].seg == 0))
				al->crossed = 1;
	for (int i = 0; i < qv->n; i++)
		if (!(al->qused & (1u << i)))
			den += IFFA_SCREEN__ALPHA * qv->tk->t[qv->idx[i]].weight;
	for (int j = 0; j < n->ntok; j++)
		if (!(al->nused & (1u << j)))
			den += IFFA_SCREEN__BETA * ix->toks[n->tok0 + j].weight;
	if (den <= 0)
		return 0.0;
	score = num / den;
	/* Only common given names in common ("Mohamed Salem"): at most a
	 * possible match on the name alone. */
	al->thin = rare_pairs == 0;
	if (al->thin && score > IFFA_SCREEN__THIN)
		score = IFFA_SCREEN__THIN;
	return score - (al->crossed ? IFFA_SCREEN__FILIATION : 0.0);
}

static void push_cand(iffa_screen__index *ix, uint32_t n, size_t *ncand)
{
	nstate *st = &ix->ns[n];

	if (st->stamp == ix->qstamp)
		return;
	st->stamp = ix->qstamp;
	ix->cand[(*ncand)++] = n;
}

/* Range of pair_names for the pair of vocabulary tokens a, b. */
static int pair_range(const iffa_screen__index *ix, uint32_t a, uint32_t b, uint32_t *lo,
		      uint32_t *hi)
{
	uint64_t key = a <= b ? ((uint64_t)a << 32 | b) : ((uint64_t)b << 32 | a);
	uint32_t i, j;

	if (!rtable_find(&ix->pair_table, key, &i, &j))
		return 0;
	*lo = ix->pair_off[i];
	*hi = ix->pair_off[i + 1];
	return 1;
}

static void reset_tokstamps(iffa_screen__index *ix)
{
	for (size_t n = 0; n < ix->nnames; n++)
		ix->ns[n].tokstamp = 0;
	memset(ix->vidseen, 0, ix->nvocab * sizeof(*ix->vidseen));
	ix->tokstamp = 1;
}

static int grow_simv(iffa_screen__index *ix)
{
	size_t cap = ix->simv_cap ? ix->simv_cap * 2 : 256;
	uint32_t *v = realloc(ix->simv, cap * sizeof(*v));

	if (!v)
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	ix->simv = v;
	ix->simv_cap = cap;
	return 0;
}

static void bump_stamp(uint32_t *stamp, uint32_t *arr, size_t n)
{
	if (++*stamp == 0) {
		memset(arr, 0, n * sizeof(*arr));
		*stamp = 1;
	}
}

/* Date-of-birth and country adjustment of an entry's score, with reasons. */
static double adjust(const iffa_screen__index *ix, uint32_t entry, const iffa_screen__query *q,
		     char *why, size_t whysize)
{
	double delta = 0;
	size_t used = 0;

	why[0] = '\0';
	if (q->dob_year && ix->dob_off[entry + 1] > ix->dob_off[entry]) {
		int best = 0; /* 0 conflict, 1 year, 2 exact */
		const idob *hit = NULL;
		for (uint32_t i = ix->dob_off[entry]; i < ix->dob_off[entry + 1]; i++) {
			const idob *d = &ix->dobs[i];
			int tol = d->approximate ? 2 : 0;
			if (q->dob_date[0] && d->exact[0] && strcmp(q->dob_date, d->exact) == 0) {
				best = 2;
				hit = d;
				break;
			}
			if (q->dob_year >= d->from - tol && q->dob_year <= d->to + tol && best < 1) {
				best = 1;
				hit = d;
			}
		}
		if (best == 2) {
			delta += IFFA_SCREEN__DOB_EXACT;
			used += (size_t)snprintf(why + used, whysize - used,
						 "; date of birth %s listed (+%.2f)", q->dob_date,
						 IFFA_SCREEN__DOB_EXACT);
		} else if (best == 1) {
			delta += IFFA_SCREEN__DOB_YEAR;
			if (hit->from == hit->to)
				used += (size_t)snprintf(why + used, whysize - used,
							 "; born %d, listed %s%d (+%.2f)",
							 q->dob_year, hit->approximate ? "about " : "",
							 hit->from, IFFA_SCREEN__DOB_YEAR);
			else
				used += (size_t)snprintf(why + used, whysize - used,
							 "; born %d, listed %d-%d (+%.2f)",
							 q->dob_year, hit->from, hit->to,
							 IFFA_SCREEN__DOB_YEAR);
		} else {
			const idob *d = &ix->dobs[ix->dob_off[entry]];
			char listed[48];
			delta -= IFFA_SCREEN__DOB_CONFLICT;
			if (d->exact[0])
				snprintf(listed, sizeof(listed), "%s", d->exact);
			else if (d->from == d->to)
				snprintf(listed, sizeof(listed), "%s%d", d->approximate ? "about " : "",
					 d->from);
			else
				snprintf(listed, sizeof(listed), "%d-%d", d->from, d->to);
			used += (size_t)snprintf(why + used, whysize - used,
						 "; born %d, listed %s%s (-%.2f)", q->dob_year, listed,
						 ix->dob_off[entry + 1] - ix->dob_off[entry] > 1
							 ? " and other dates, none compatible"
							 : "",
						 IFFA_SCREEN__DOB_CONFLICT);
		}
	}
	if (used >= whysize)
		used = whysize - 1;
	if (q->country && strlen(q->country) == 2 &&
	    ix->country_off[entry + 1] > ix->country_off[entry]) {
		const icountry *hit = NULL;
		char cc[3] = {(char)(q->country[0] & ~0x20), (char)(q->country[1] & ~0x20), 0};
		for (uint32_t i = ix->country_off[entry]; i < ix->country_off[entry + 1]; i++) {
			const icountry *c = &ix->countries[i];
			if (strcmp(c->code, cc) == 0 &&
			    (!hit || strcmp(c->role, "nationality") == 0))
				hit = c;
		}
		if (hit) {
			delta += IFFA_SCREEN__COUNTRY_MATCH;
			snprintf(why + used, whysize - used, "; country %s listed (%s) (+%.2f)", cc,
				 hit->role, IFFA_SCREEN__COUNTRY_MATCH);
		} else {
			delta -= IFFA_SCREEN__COUNTRY_CONFLICT;
			snprintf(why + used, whysize - used,
				 "; country %s not among the listed countries (-%.2f)", cc,
				 IFFA_SCREEN__COUNTRY_CONFLICT);
		}
	}
	return delta;
}

/* "ghaly~ghali 0.95" and the rest, for a hit. */
static void explain(iffa_screen__index *ix, const qview *qv, iffa_screen__hit *h,
		    const iffa_screen__query *q)
{
	const iname *n = &ix->names[h->name];
	iffa_screen__tokens ntk;
	alignment al;
	int map[IFFA_SCREEN_MAX_TOKENS], nm = 0;
	char *r = h->reason, adj[256];
	size_t size = sizeof(h->reason), used = 0;
	int first = 1;

#define APPEND(...)                                                                    \
	do {                                                                           \
		if (used < size)                                                       \
			used += (size_t)snprintf(r + used, size - used, __VA_ARGS__);  \
	} while (0)

	score_name(ix, qv, h->name, &al);
	iffa_screen__tokenize(&ntk, ix->lx, n->text);
	for (int i = 0; i < ntk.n; i++)
		if (ntk.t[i].kind == IFFA_TOKEN_NAME || ntk.t[i].kind == IFFA_TOKEN_INITIAL)
			map[nm++] = i;
	APPEND("%s \"%s\": ", n->kind, n->text);
	for (int p = 0; p < al.npairs; p++) {
		const iffa_screen__token *qt = &qv->tk->t[qv->idx[al.qi[p]]];
		const char *lo = al.nj[p] < nm ? ntk.t[map[al.nj[p]]].orig : "?";
		if (al.s[p] >= 1.0f && strcmp(qt->orig, lo) == 0)
			APPEND("%s%s=%s", first ? "" : ", ", qt->orig, lo);
		else if (al.s[p] >= 1.0f)
			APPEND("%s%s~%s (same reading)", first ? "" : ", ", qt->orig, lo);
		else if (qt->kind == IFFA_TOKEN_INITIAL || (al.nj[p] < nm &&
			 ntk.t[map[al.nj[p]]].kind == IFFA_TOKEN_INITIAL))
			APPEND("%s%s~%s (initial)", first ? "" : ", ", qt->orig, lo);
		else
			APPEND("%s%s~%s (%.2f)", first ? "" : ", ", qt->orig, lo, al.s[p]);
		first = 0;
	}
	for (int i = 0; i < qv->n; i++)
		if (!(al.qused & (1u << i)))
			APPEND("; \"%s\" not on the list name", qv->tk->t[qv->idx[i]].orig);
	for (int j = 0; j < nm && j < n->ntok; j++)
		if (!(al.nused & (1u << j)))
			APPEND("; \"%s\" missing from the query", ntk.t[map[j]].orig);
	for (int side = 0; side < 2; side++) {
		const iffa_screen__tokens *tk = side == 0 ? qv->tk : &ntk;
		int any = 0;
		for (int i = 0; i < tk->n; i++) {
			const iffa_screen__token *t = &tk->t[i];
			if (t->kind == IFFA_TOKEN_PARTICLE || t->kind == IFFA_TOKEN_TITLE ||
			    t->kind == IFFA_TOKEN_NOISE) {
				APPEND("%s%s", any ? " " : side == 0 ? "; ignored in query: "
								      : "; ignored on list: ",
				       t->orig);
				any = 1;
			}
		}
	}
	if (al.thin)
		APPEND("; only common given names in common (capped at %.2f)", IFFA_SCREEN__THIN);
	if (al.crossed)
		APPEND("; names before and after the filiation particle swapped (-%.2f)",
		       IFFA_SCREEN__FILIATION);
	APPEND("; name score %.3f", h->name_score);
	if (n->low)
		APPEND("; low-quality alias (-%.2f)", IFFA_SCREEN__LOW_ALIAS);
	adjust(ix, h->entry, q, adj, sizeof(adj));
	APPEND("%s", adj);
#undef APPEND
}

static int cmp_hit(const void *a, const void *b)
{
	const iffa_screen__hit *x = a, *y = b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return x->entry < y->entry ? -1 : x->entry > y->entry;
}

int iffa_screen__index_match(iffa_screen__hit *hits, size_t *out_n, size_t *out_scored,
			     iffa_screen__index *ix, const iffa_screen__query *q,
			     const iffa_screen__params *params)
{
	iffa_screen__tokens tk;
	qview qv;
	size_t ncand = 0, ntouched = 0, nhits = 0;
	int nonini = 0, need;

	*out_n = 0;
	if (out_scored)
		*out_scored = 0;
	if (!ix->built)
		return iffa_error_set(IFFA_ERROR, "screening index used before it was built");
	iffa_screen__tokenize(&tk, ix->lx, q->name ? q->name : "");
	qv.tk = &tk;
	qv.n = 0;
	qv.ncore = tk.ncore;
	for (int i = 0; i < tk.n; i++)
		if (tk.t[i].kind == IFFA_TOKEN_NAME || tk.t[i].kind == IFFA_TOKEN_INITIAL)
			qv.idx[qv.n++] = i;
	nonini = tk.ncore;
	if (nonini == 0 || ix->nnames == 0)
		return 0;
	need = nonini < 2 ? nonini : 2;
	bump_stamp(&ix->qstamp, ix->simstamp, (size_t)IFFA_SCREEN_MAX_TOKENS * ix->nvocab);
	if (ix->qstamp == 1)
		for (size_t n = 0; n < ix->nnames; n++)
			ix->ns[n].stamp = 0;
	if (ix->qstamp == 1)
		memset(ix->entry_stamp, 0, ix->nentries * sizeof(*ix->entry_stamp));

	if (params->brute_force) {
		for (size_t n = 0; n < ix->nnames; n++)
			ix->cand[ncand++] = (uint32_t)n;
	} else {
		/* Candidate names: those holding tokens similar to the query's.
		 * First the similar vocabulary tokens of each query token. */
		size_t nsim = 0, sim0[IFFA_SCREEN_MAX_TOKENS + 1];

		for (int i = 0; i < qv.n; i++) {
			const iffa_screen__token *t = &tk.t[qv.idx[i]];
			uint64_t hs[IFFA_SCREEN_TOKEN_MAX + 3];
			int nh = 0;
			sim0[i] = nsim;
			if (t->kind != IFFA_TOKEN_NAME)
				continue;
			if (++ix->tokstamp == 0)
				reset_tokstamps(ix);
			hs[nh++] = fnv('k', t->key, strlen(t->key));
			if (is_ascii(t->text) && strlen(t->key) > 3 && t->len >= LONG_TOKEN)
				hs[nh++] = fnv('k', t->key, 3);
			hs[nh++] = fnv('d', t->text, t->len);
			if (is_ascii(t->text) && t->len >= 4)
				for (size_t d = 0; d < t->len; d++) {
					char del[IFFA_SCREEN_TOKEN_MAX];
					memcpy(del, t->text, d);
					memcpy(del + d, t->text + d + 1, t->len - d - 1);
					hs[nh++] = fnv('d', del, t->len - 1);
				}
			for (int h = 0; h < nh; h++) {
				uint32_t lo, hi;
				if (!rtable_find(&ix->key_table, hs[h], &lo, &hi))
					continue;
				for (; lo < hi; lo++) {
					uint32_t v = ix->keys[lo].v;
					/* Each vocabulary token once per query token. */
					if (ix->vidseen[v] == ix->tokstamp)
						continue;
					ix->vidseen[v] = ix->tokstamp;
					if (sim_at(ix, &qv, i, v) <= 0.0f)
						continue;
					if (nsim == ix->simv_cap && grow_simv(ix) < 0)
						return IFFA_ENOMEM;
					ix->simv[nsim++] = v;
				}
			}
		}
		sim0[qv.n] = nsim;
		if (need == 1) {
			/* One query token: every name holding a similar token. */
			for (size_t k = 0; k < nsim; k++) {
				uint32_t v = ix->simv[k];
				for (uint32_t p = ix->post_off[v]; p < ix->post_off[v + 1]; p++)
					push_cand(ix, ix->post[p], &ncand);
			}
		} else {
			/* Two tokens or more: the names holding tokens similar to two
			 * of them, and names of a single token. For each two query
			 * tokens, the cheaper way: look their similar tokens up in
			 * pairs, or walk the shorter postings and look in each name
			 * for a token similar to the other (a superset). */
			for (int i = 0; i < qv.n; i++)
				for (int j = i + 1; j < qv.n; j++) {
					size_t ni = sim0[i + 1] - sim0[i], nj = sim0[j + 1] - sim0[j];
					size_t li = 0, lj = 0;
					int walk, other;
					if (ni == 0 || nj == 0)
						continue;
					for (size_t x = sim0[i]; x < sim0[i + 1]; x++)
						li += ix->post_off[ix->simv[x] + 1] - ix->post_off[ix->simv[x]];
					for (size_t y = sim0[j]; y < sim0[j + 1]; y++)
						lj += ix->post_off[ix->simv[y] + 1] - ix->post_off[ix->simv[y]];
					if (ni * nj <= (li < lj ? li : lj)) {
						for (size_t x = sim0[i]; x < sim0[i + 1]; x++)
							for (size_t y = sim0[j]; y < sim0[j + 1]; y++) {
								uint32_t lo, hi;
								if (pair_range(ix, ix->simv[x], ix->simv[y], &lo, &hi))
									for (uint32_t p = lo; p < hi; p++)
										push_cand(ix, ix->pair_names[p], &ncand);
							}
						continue;
					}
					walk = li <= lj ? i : j;
					other = walk == i ? j : i;
					if (++ix->tokstamp == 0)
						reset_tokstamps(ix);
					for (size_t y = sim0[other]; y < sim0[other + 1]; y++)
						ix->vidseen[ix->simv[y]] = ix->tokstamp;
					for (size_t x = sim0[walk]; x < sim0[walk + 1]; x++) {
						uint32_t v = ix->simv[x];
						for (uint32_t p = ix->post_off[v]; p < ix->post_off[v + 1]; p++) {
							uint32_t n = ix->post[p];
							const iname *nm = &ix->names[n];
							if (ix->ns[n].stamp == ix->qstamp)
								continue;
							for (int k = 0; k < nm->ntok; k++)
								if (ix->vidseen[ix->toks[nm->tok0 + k].vid] == ix->tokstamp) {
									push_cand(ix, n, &ncand);
									break;
								}
						}
					}
				}
			for (size_t k = 0; k < nsim; k++) {
				uint32_t v = ix->simv[k];
				for (uint32_t p = ix->single_off[v]; p < ix->single_off[v + 1]; p++)
					push_cand(ix, ix->single[p], &ncand);
			}
		}
	}

	for (size_t c = 0; c < ncand; c++) {
		uint32_t n = ix->cand[c], e;
		alignment al;
		double s;
		if (out_scored)
			(*out_scored)++;
		s = score_name(ix, &qv, n, &al);
		if (s <= 0)
			continue;
		if (ix->names[n].low)
			s -= IFFA_SCREEN__LOW_ALIAS;
		e = ix->names[n].entry;
		if (ix->entry_stamp[e] != ix->qstamp) {
			ix->entry_stamp[e] = ix->qstamp;
			ix->entry_best[e] = -1;
			ix->touched[ntouched++] = e;
		}
		if (s > ix->entry_best[e]) {
			ix->entry_best[e] = s;
			ix->entry_name[e] = n;
		}
	}

	for (size_t t = 0; t < ntouched; t++) {
		uint32_t e = ix->touched[t];
		char why[8];
		double s = ix->entry_best[e] + adjust(ix, e, q, why, sizeof(why));
		iffa_screen__hit h;
		if (s > 1.0)
			s = 1.0;
		if (s < params->possible)
			continue;
		memset(&h, 0, sizeof(h));
		h.entry = e;
		h.name = ix->entry_name[e];
		h.name_score = ix->entry_best[e];
		h.score = s;
		h.verdict = s >= params->match ? IFFA_SCREEN_MATCH : IFFA_SCREEN_POSSIBLE;
		/* Keep the best max_hits, in order (insertion: they are few). */
		{
			size_t at = nhits < (size_t)params->max_hits ? nhits++ : nhits;
			if (at == nhits && cmp_hit(&h, &hits[nhits - 1]) >= 0)
				continue;
			if (at == nhits)
				at = nhits - 1;
			while (at > 0 && cmp_hit(&h, &hits[at - 1]) < 0) {
				hits[at] = hits[at - 1];
				at--;
			}
			hits[at] = h;
		}
	}
	for (size_t i = 0; i < nhits; i++)
		explain(ix, &qv, &hits[i], q);
	*out_n = nhits;
	return 0;
}
