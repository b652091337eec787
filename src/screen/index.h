/*
 * The in-memory screening index: every name of every list entry,
 * tokenised, with postings from each distinct token to the names holding
 * it, and blocking keys (phonetic key, one-letter deletions) from which a
 * query token finds the similar tokens of the vocabulary. Matching a
 * counterparty scores only the names that share enough similar tokens
 * with it; iffa_screen__index_match() with brute_force set scores every
 * name instead, for tests and the benchmark's baseline.
 *
 * Not thread-safe: a query uses scratch arrays kept in the index.
 */
#ifndef IFFA_SRC_SCREEN_INDEX_H
#define IFFA_SRC_SCREEN_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "screen/names.h"

typedef struct iffa_screen__index iffa_screen__index;

/* Scoring parameters; see docs/SCREENING.md. */
typedef struct {
	double match;        /* final score >= match: "match" */
	double possible;     /* final score >= possible: "possible match" */
	int max_hits;        /* entries reported per query, best first */
	int brute_force;     /* score every name (baseline), not the candidates */
} iffa_screen__params;

#define IFFA_SCREEN__TOKEN_FLOOR 0.80 /* token pairs below do not align */
#define IFFA_SCREEN__ALPHA 1.0        /* weight of a query token left unmatched */
#define IFFA_SCREEN__BETA 0.5         /* weight of a list-name token left unmatched */
#define IFFA_SCREEN__LOW_ALIAS 0.03   /* taken off a "low quality" alias */
#define IFFA_SCREEN__DOB_EXACT 0.05   /* same date of birth */
#define IFFA_SCREEN__DOB_YEAR 0.02    /* year of birth compatible */
#define IFFA_SCREEN__DOB_CONFLICT 0.15 /* no listed date of birth compatible */
#define IFFA_SCREEN__INITIAL 0.5     /* what an initial matching a name is worth */
#define IFFA_SCREEN__THIN 0.80        /* cap when only common given names align */
#define IFFA_SCREEN__FIRST_LETTER 0.15 /* token pairs whose first letters differ */
#define IFFA_SCREEN__FILIATION 0.15  /* names read across "ould"/"ag"/"ben" reversed */
#define IFFA_SCREEN__COUNTRY_MATCH 0.03
#define IFFA_SCREEN__COUNTRY_CONFLICT 0.03

/* A query: the counterparty as given. */
typedef struct {
	const char *name;
	const char *country; /* ISO alpha-2 (any case) or NULL */
	int dob_year;        /* 0 when not given */
	char dob_date[11];   /* YYYY-MM-DD or "" */
} iffa_screen__query;

typedef struct {
	uint32_t entry;    /* entry index */
	uint32_t name;     /* which of its names matched best */
	double name_score; /* name similarity alone, 0..1 */
	double score;      /* after the date-of-birth and country adjustments */
	int verdict;       /* iffa_screen_verdict */
	char reason[768];  /* tokens matched, adjustments */
} iffa_screen__hit;

/* What the index knows of an entry (strings borrowed by the caller's pool). */
typedef struct {
	const char *list;
	const char *reference;
	const char *kind;
	const char *name;
	const char *listed_on;
	const char *program;
	long long id; /* list_entry.id, or 0 */
} iffa_screen__entry;

int iffa_screen__index_new(iffa_screen__index **out);
void iffa_screen__index_free(iffa_screen__index *ix);

/** Add an entry; its strings are copied. *out_id receives its index. */
int iffa_screen__index_add_entry(iffa_screen__index *ix, uint32_t *out_id,
				 const iffa_screen__entry *e);
/** Add a name of an entry (kind "primary", "alias", "original_script"; quality or NULL). */
int iffa_screen__index_add_name(iffa_screen__index *ix, uint32_t entry, const char *name,
				const char *kind, const char *quality);
int iffa_screen__index_add_dob(iffa_screen__index *ix, uint32_t entry, const char *exact,
			       int from_year, int to_year, int approximate);
int iffa_screen__index_add_country(iffa_screen__index *ix, uint32_t entry, const char *code,
				   const char *role);

/** Build postings and blocking keys; call once after the last add. */
int iffa_screen__index_build(iffa_screen__index *ix);

size_t iffa_screen__index_entries(const iffa_screen__index *ix);
size_t iffa_screen__index_names(const iffa_screen__index *ix);
const iffa_screen__entry *iffa_screen__index_entry(const iffa_screen__index *ix, uint32_t id);
const char *iffa_screen__index_name_text(const iffa_screen__index *ix, uint32_t name);
const char *iffa_screen__index_name_kind(const iffa_screen__index *ix, uint32_t name);

/**
 * Match one query. Hits at or above params->possible are written to
 * `hits` (room for params->max_hits), best first, with their reasons.
 * @param out_n       receives the number of hits written
 * @param out_scored  receives the number of names scored; may be NULL
 * @return 0 or IFFA_ENOMEM
 */
int iffa_screen__index_match(iffa_screen__hit *hits, size_t *out_n, size_t *out_scored,
			     iffa_screen__index *ix, const iffa_screen__query *q,
			     const iffa_screen__params *params);

/** Parse a date of birth "YYYY", "YYYY-MM" or "YYYY-MM-DD" into q. @return 0 or IFFA_EINVAL */
int iffa_screen__query_dob(iffa_screen__query *q, const char *dob);

#endif
