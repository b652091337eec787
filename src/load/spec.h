/*
 * What each record kind looks like: its columns with their field types,
 * which columns name a party or an account, the key that identifies a
 * record, and the table it goes to. docs/FORMATS.md in data form; load.c
 * generates the SQL from it (names here are ours, never user data).
 */
#ifndef IFFA_SRC_LOAD_SPEC_H
#define IFFA_SRC_LOAD_SPEC_H

#include <stddef.h>

#include "iffa/load.h"

typedef enum {
	IFFA_LOAD__REF,       /* reference: letters, digits, -_.:/#@+ */
	IFFA_LOAD__TEXT,      /* UTF-8 text, at most 1,000 bytes */
	IFFA_LOAD__LIST,      /* `|` list of text, stored as text[] */
	IFFA_LOAD__LEGS,      /* `|` list of role:party_ref (ransom_leg rows) */
	IFFA_LOAD__COUNTRY,   /* in the country table */
	IFFA_LOAD__CURRENCY,  /* in the currency table */
	IFFA_LOAD__AMOUNT,    /* money, > 0, < 10^15, 4 decimals */
	IFFA_LOAD__GRAMS,     /* > 0, < 10^9, 3 decimals */
	IFFA_LOAD__FINENESS,  /* (0, 1], 4 decimals */
	IFFA_LOAD__RATE,      /* > 0, < 10^12, 8 decimals */
	IFFA_LOAD__TIMESTAMP, /* date and time with a zone, stored in UTC */
	IFFA_LOAD__DATE,      /* YYYY-MM-DD */
	IFFA_LOAD__ENUM       /* one of `values` */
} iffa_load__type;

typedef struct {
	const char *name;          /* header name and staging column */
	iffa_load__type type;
	int required;
	const char *const *values; /* IFFA_LOAD__ENUM: NULL-terminated */
	const char *ref;           /* "party" or "account": must exist there, and
				      the target column holds its id */
	const char *ref_kind;      /* the referenced party must be of this kind */
	const char *target;        /* column of the target table; NULL for legs */
} iffa_load__column;

typedef struct {
	iffa_load_kind kind;
	const char *table;              /* target table, also the kind's name */
	const iffa_load__column *cols;
	size_t ncols;
	const char *key[2];             /* columns identifying a record (2nd may be NULL) */
	const char *distinct[2];        /* these two must differ when both given */
	const char *distinct_what;      /* "account" or "party" for the message */
	const char *no_rate_currency;   /* fx_rate: the unit currency takes no rate */
} iffa_load__spec;

/* Spec of a kind, or NULL. */
const iffa_load__spec *iffa_load__spec_of(iffa_load_kind kind);

/* Column of a spec by name, or NULL. */
const iffa_load__column *iffa_load__column_named(const iffa_load__spec *spec,
						 const char *name, size_t len);

#endif
