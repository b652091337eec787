/*
 * Exchange rates to XOF, read once from fx_rate, and the conversion of a
 * record's amount on its date. XOF is the unit and needs no rate.
 */
#ifndef IFFA_SRC_INGEST_FX_H
#define IFFA_SRC_INGEST_FX_H

#include <stddef.h>
#include <stdint.h>

#include "iffa/common.h"

#define IFFA_FX_CODES (26 * 26 * 26) /* three capital letters */

typedef struct {
	char code[4];  /* ISO 4217, NUL-terminated */
	size_t start;  /* first of its rates in days[] and rate[] */
	size_t n;      /* number of rates */
	size_t hint;   /* index last used, tried first */
} iffa_fx__currency;

typedef struct {
	int16_t slot[IFFA_FX_CODES]; /* code -> index in cur[], -1 when no rate */
	iffa_fx__currency *cur;
	size_t ncur, curcap;
	int32_t *days;                /* valid_from, days since 1970-01-01, ascending per currency */
	double *rate;                 /* XOF per unit */
	size_t nrates, ratecap;
} iffa_fx;

void iffa_fx__init(iffa_fx *fx);

/**
 * Make `out` a reader of `src`'s rates for another thread: the rates are
 * shared (read only; `src` must outlive `out`), the per-currency lookup
 * hints are its own. Dispose with iffa_fx__dispose_copy().
 * @return 0 or IFFA_ENOMEM
 */
int iffa_fx__copy(iffa_fx *out, const iffa_fx *src);
void iffa_fx__dispose_copy(iffa_fx *fx);
void iffa_fx__dispose(iffa_fx *fx);

/**
 * Add a rate. Rates must come grouped by currency and, within one, in
 * increasing valid_from (ORDER BY currency, valid_from).
 * @return 0, IFFA_EINVAL (bad code, order, rate), IFFA_ENOMEM
 */
int iffa_fx__add(iffa_fx *fx, const char *code, size_t code_len, int32_t valid_from, double xof_per_unit);

/**
 * Convert `amount` of currency `code` (3 bytes) at UTC µs `time` to XOF,
 * with the latest rate whose valid_from is on or before the record's UTC
 * date. O(1) when the previous lookup of the currency used the same rate,
 * O(log rates) otherwise.
 * @return 0, IFFA_ENOTFOUND (no rate: message names currency and date),
 *         IFFA_EINVAL (not a currency code)
 */
int iffa_fx__to_xof(double *out, iffa_fx *fx, const char *code, size_t code_len, int64_t time,
		    double amount);

#endif
