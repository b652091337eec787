/*
 * Internals of the lists module: a sanctions list read from a file into
 * memory (iffa_lists__parsed), which the importer (import.c) compares with
 * the database. The readers (un_xml.c, ftm.c, csv.c) fill it through the
 * builder functions below; nothing reaches the database before a whole file
 * has been read without error, which is what makes an import atomic.
 *
 * Names, dates of birth and countries of all entries sit in three flat
 * arrays; an entry owns a contiguous range of each (readers build one entry
 * at a time). Strings live in an arena freed with the list.
 */
#ifndef IFFA_SRC_LISTS_H
#define IFFA_SRC_LISTS_H

#include <stddef.h>

#include "core/jsonbuf.h"
#include "iffa/common.h"
#include "iffa/lists.h"

typedef struct {
	const char *name;    /* trimmed, inner whitespace collapsed, not empty */
	const char *kind;    /* "primary", "alias" or "original_script" */
	const char *quality; /* "good", "low", "aka", "fka", or NULL */
} iffa_lists__name;

typedef struct {
	char exact[11];  /* YYYY-MM-DD, or "" for a year or a range */
	int from_year;   /* first possible year */
	int to_year;     /* last possible year (== from_year unless a range) */
	int approximate; /* the list says "approximately" */
} iffa_lists__dob;

typedef struct {
	const char *role; /* "nationality", "birth" or "address" */
	const char *text; /* as the list wrote it */
	char code[3];     /* ISO 3166-1 alpha-2, or "" when not known */
} iffa_lists__country;

typedef struct {
	const char *reference; /* the list's own id, e.g. "QDe.159" */
	const char *kind;      /* "individual", "entity", "vessel", "aircraft" */
	const char *name;      /* primary name */
	const char *listed_on; /* YYYY-MM-DD or NULL */
	const char *program;   /* sanctions regime, e.g. "Al-Qaida", or NULL */
	const char *source;    /* JSON object: the rest of the entry, or NULL */
	size_t name0, nnames;  /* range in parsed->names */
	size_t dob0, ndobs;    /* range in parsed->dobs */
	size_t country0, ncountries; /* range in parsed->countries */
	long line;             /* line of the file where the entry starts */
} iffa_lists__entry;

typedef struct iffa_lists__block iffa_lists__block;

typedef struct {
	const char *path;          /* file read (borrowed) */
	const char *format;        /* "un-xml", "ftm", "csv" */
	char published_at[40];     /* the file's own date, or "" */
	iffa_lists__entry *entries;
	size_t nentries, entries_cap;
	iffa_lists__name *names;
	size_t nnames, names_cap;
	iffa_lists__dob *dobs;
	size_t ndobs, dobs_cap;
	iffa_lists__country *countries;
	size_t ncountries, countries_cap;
	size_t skipped;            /* records of the file that are not entries */
	iffa_lists__block *arena;  /* string storage */
	int open;                  /* an entry is being built */
} iffa_lists__parsed;

void iffa_lists__parsed_init(iffa_lists__parsed *p, const char *path, const char *format);
void iffa_lists__parsed_dispose(iffa_lists__parsed *p);

/** Copy `n` bytes of `s` into the arena, NUL-terminated; NULL when out of memory. */
char *iffa_lists__strndup(iffa_lists__parsed *p, const char *s, size_t n);

/**
 * Copy `s` trimmed, with runs of white space inside turned into one space.
 * Gives "" for a blank string; NULL when out of memory.
 */
char *iffa_lists__clean(iffa_lists__parsed *p, const char *s);

/** Start an entry read from `line`. */
int iffa_lists__begin(iffa_lists__parsed *p, long line);

/** The entry being built (between begin and end). */
iffa_lists__entry *iffa_lists__current(iffa_lists__parsed *p);

/**
 * Add a name to the current entry (cleaned; blank names are skipped). The
 * first name of kind "primary" becomes the entry's name.
 */
int iffa_lists__add_name(iffa_lists__parsed *p, const char *name, const char *kind,
			 const char *quality);

/**
 * Add a date of birth written "YYYY-MM-DD", "YYYY-MM" or "YYYY".
 * @return 0, or IFFA_EINVAL naming `what` and the line
 */
int iffa_lists__add_dob(iffa_lists__parsed *p, const char *text, int approximate,
			const char *what);

/** Add a range of years of birth (from <= to). */
int iffa_lists__add_dob_range(iffa_lists__parsed *p, int from, int to, int approximate,
			      const char *what);

/**
 * Add a country (cleaned; blank skipped). `code` is the ISO code when the
 * format gives one, else NULL (the importer then reads the text).
 */
int iffa_lists__add_country(iffa_lists__parsed *p, const char *role, const char *text,
			    const char *code);

/**
 * Finish the current entry: it must have a reference and a primary name.
 * @param source  JSON object with the rest of the entry, or NULL
 * @return 0, or IFFA_EINVAL naming the file, line and what is missing
 */
int iffa_lists__end(iffa_lists__parsed *p, const char *source);

/**
 * The entry as the canonical JSON stored in list_entry.data and compared
 * between versions: same content, same bytes.
 */
int iffa_lists__entry_json(iffa_jsonbuf *out, const iffa_lists__parsed *p,
			   const iffa_lists__entry *e);

/** Whether `s` is a valid date YYYY-MM-DD (calendar-checked). */
int iffa_lists__is_date(const char *s);

/* Readers: fill `p` from the file at p->path. IFFA_EINVAL names file and line. */
int iffa_lists__read_un_xml(iffa_lists__parsed *p);
int iffa_lists__read_ftm(iffa_lists__parsed *p);
int iffa_lists__read_csv(iffa_lists__parsed *p);

/**
 * The ISO 3166-1 code a list means by a country name or nationality such
 * as "Mali", "Iran (Islamic Republic of)" or "Algerian", looked up in
 * `names` (code, name pairs of the country table) and in iffa's own table of
 * the names lists use. Writes "" when it cannot tell.
 */
void iffa_lists__country_code(char out[3], const char *text, const char *const (*names)[2],
			      size_t nnames);

#endif
