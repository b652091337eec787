/*
 * Conversion to XOF without a database: which rate applies on which day.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "graph/flowgraph.h"
#include "ingest/fx.h"

#define DAY (INT64_C(86400) * 1000000)

static int64_t day_of(int y, unsigned m, unsigned d)
{
	return iffa_flowgraph__days_from_civil(y, m, d);
}

Test(ingest_fx, the_latest_rate_on_or_before_the_record_date_applies)
{
	iffa_fx fx;
	double x;
	int64_t jan10 = day_of(2026, 1, 10) * DAY, feb1 = day_of(2026, 2, 1) * DAY;

	iffa_fx__init(&fx);
	cr_assert_eq(iffa_fx__add(&fx, "EUR", 3, (int32_t)day_of(2026, 1, 1), 655.957), 0);
	cr_assert_eq(iffa_fx__add(&fx, "GNF", 3, (int32_t)day_of(2026, 1, 1), 0.07), 0);
	cr_assert_eq(iffa_fx__add(&fx, "GNF", 3, (int32_t)day_of(2026, 2, 1), 0.08), 0);
	cr_assert_eq(iffa_fx__add(&fx, "GNF", 3, (int32_t)day_of(2026, 3, 1), 0.09), 0);

	cr_assert_eq(iffa_fx__to_xof(&x, &fx, "EUR", 3, jan10, 10), 0);
	cr_assert_float_eq(x, 6559.57, 1e-9);
	/* The last microsecond of 31 January still uses January's rate. */
	cr_assert_eq(iffa_fx__to_xof(&x, &fx, "GNF", 3, feb1 - 1, 1000), 0);
	cr_assert_float_eq(x, 70, 1e-9);
	cr_assert_eq(iffa_fx__to_xof(&x, &fx, "GNF", 3, feb1, 1000), 0);
	cr_assert_float_eq(x, 80, 1e-9);
	cr_assert_eq(iffa_fx__to_xof(&x, &fx, "GNF", 3, day_of(2030, 1, 1) * DAY, 1000), 0);
	cr_assert_float_eq(x, 90, 1e-9);
	/* Back in time again: the cached rate must not be reused. */
	cr_assert_eq(iffa_fx__to_xof(&x, &fx, "GNF", 3, jan10, 1000), 0);
	cr_assert_float_eq(x, 70, 1e-9);
	/* XOF needs no rate. */
	cr_assert_eq(iffa_fx__to_xof(&x, &fx, "XOF", 3, jan10, 1234.5), 0);
	cr_assert_float_eq(x, 1234.5, 0);
	iffa_fx__dispose(&fx);
}

Test(ingest_fx, a_missing_rate_names_currency_and_date)
{
	iffa_fx fx;
	double x;

	iffa_fx__init(&fx);
	cr_assert_eq(iffa_fx__add(&fx, "GNF", 3, (int32_t)day_of(2026, 2, 1), 0.08), 0);
	cr_assert_eq(iffa_fx__to_xof(&x, &fx, "GNF", 3, day_of(2026, 1, 31) * DAY + 5, 1), IFFA_ENOTFOUND);
	cr_assert_str_eq(iffa_error_last(), "no fx_rate for GNF on or before 2026-01-31");
	cr_assert_eq(iffa_fx__to_xof(&x, &fx, "USD", 3, day_of(1969, 12, 31) * DAY, 1), IFFA_ENOTFOUND);
	cr_assert_str_eq(iffa_error_last(), "no fx_rate for USD on or before 1969-12-31");
	cr_assert_eq(iffa_fx__to_xof(&x, &fx, "usd", 3, 0, 1), IFFA_EINVAL);
	cr_assert_str_eq(iffa_error_last(), "'usd' is not a currency code");
	iffa_fx__dispose(&fx);
}

Test(ingest_fx, rates_out_of_order_are_refused)
{
	iffa_fx fx;

	iffa_fx__init(&fx);
	cr_assert_eq(iffa_fx__add(&fx, "EUR", 3, 100, 655.957), 0);
	cr_assert_eq(iffa_fx__add(&fx, "EUR", 3, 100, 655.957), IFFA_EINVAL);
	cr_assert_eq(iffa_fx__add(&fx, "USD", 3, 100, 600), 0);
	cr_assert_eq(iffa_fx__add(&fx, "EUR", 3, 200, 655.957), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "not in order") != NULL);
	cr_assert_eq(iffa_fx__add(&fx, "GBP", 3, 100, 0), IFFA_EINVAL);
	iffa_fx__dispose(&fx);
}
