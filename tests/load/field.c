/* Field types of docs/FORMATS.md: what each accepts, and the exact reason
 * for what it refuses. */
#include <criterion/criterion.h>
#include <string.h>

#include "load/field.h"

/* 2026-03-04T12:00:00Z, a fixed "now" for the range checks. */
#define NOW 1772625600LL

static char why[512];

#define S(lit) (lit), (sizeof(lit) - 1)

#define ACCEPT(call)                                                          \
	do {                                                                  \
		why[0] = '\0';                                                \
		cr_assert_eq((call), 0, "%s refused: %s", #call, why);        \
	} while (0)

#define REFUSE(call, expected)                                                \
	do {                                                                  \
		why[0] = '\0';                                                \
		cr_assert_eq((call), IFFA_EINVAL, "%s accepted", #call);      \
		cr_assert_str_eq(why, (expected));                            \
	} while (0)

#define AMOUNT(lit) iffa_load__check_decimal(&iffa_load__amount, S(lit), why, sizeof(why))

Test(load_field, amount_accepts_plain_positive_decimals)
{
	ACCEPT(AMOUNT("125000.50"));
	ACCEPT(AMOUNT("1"));
	ACCEPT(AMOUNT("0.0001"));
	ACCEPT(AMOUNT("999999999999999.9999"));
	ACCEPT(AMOUNT("000123"));
}

Test(load_field, amount_refusals_say_why)
{
	REFUSE(AMOUNT("-5"), "\"-5\" is not a positive amount");
	REFUSE(AMOUNT("0"), "\"0\" is not a positive amount");
	REFUSE(AMOUNT("0.0000"), "\"0.0000\" is not a positive amount");
	REFUSE(AMOUNT("1.23456"), "\"1.23456\" is not an amount: more than 4 decimals");
	REFUSE(AMOUNT("1000000000000000"),
	       "\"1000000000000000\" is not an amount: must be below 10^15");
	REFUSE(AMOUNT("1e6"), "\"1e6\" is not an amount: exponents are not accepted");
	REFUSE(AMOUNT("1.5E3"), "\"1.5E3\" is not an amount: exponents are not accepted");
	REFUSE(AMOUNT("1,000"),
	       "\"1,000\" is not an amount: use \".\" for decimals and no thousands separator");
	REFUSE(AMOUNT("125000,50"),
	       "\"125000,50\" is not an amount: use \".\" for decimals and no thousands "
	       "separator");
	REFUSE(AMOUNT("1 000"),
	       "\"1 000\" is not an amount: use \".\" for decimals and no thousands separator");
	/* French formatting puts a no-break space between thousands. */
	REFUSE(AMOUNT("1\xc2\xa0" "000"),
	       "\"1\xc2\xa0" "000\" is not an amount: use \".\" for decimals and no thousands "
	       "separator");
	REFUSE(AMOUNT("NaN"), "\"NaN\" is not an amount");
	REFUSE(AMOUNT("inf"), "\"inf\" is not an amount");
	REFUSE(AMOUNT("+5"), "\"+5\" is not an amount");
	REFUSE(AMOUNT(".5"), "\".5\" is not an amount");
	REFUSE(AMOUNT("5."), "\"5.\" is not an amount");
	REFUSE(AMOUNT(" 5"), "\" 5\" is not an amount");
	REFUSE(AMOUNT("5 XOF"), "\"5 XOF\" is not an amount: use \".\" for decimals and no "
				"thousands separator");
}

Test(load_field, grams_fineness_and_rate)
{
	ACCEPT(iffa_load__check_decimal(&iffa_load__grams, S("1250.125"), why, sizeof(why)));
	REFUSE(iffa_load__check_decimal(&iffa_load__grams, S("1250.1255"), why, sizeof(why)),
	       "\"1250.1255\" is not a weight in grams: more than 3 decimals");
	REFUSE(iffa_load__check_decimal(&iffa_load__grams, S("1000000000"), why, sizeof(why)),
	       "\"1000000000\" is not a weight in grams: must be below 10^9");
	REFUSE(iffa_load__check_decimal(&iffa_load__grams, S("-1"), why, sizeof(why)),
	       "\"-1\" is not a positive weight in grams");

	ACCEPT(iffa_load__check_decimal(&iffa_load__fineness, S("0.9160"), why, sizeof(why)));
	ACCEPT(iffa_load__check_decimal(&iffa_load__fineness, S("1"), why, sizeof(why)));
	ACCEPT(iffa_load__check_decimal(&iffa_load__fineness, S("1.0000"), why, sizeof(why)));
	REFUSE(iffa_load__check_decimal(&iffa_load__fineness, S("1.0001"), why, sizeof(why)),
	       "\"1.0001\" is not a fineness: must be at most 1");
	REFUSE(iffa_load__check_decimal(&iffa_load__fineness, S("916"), why, sizeof(why)),
	       "\"916\" is not a fineness: must be at most 1");
	REFUSE(iffa_load__check_decimal(&iffa_load__fineness, S("0"), why, sizeof(why)),
	       "\"0\" is not a positive fineness");
	REFUSE(iffa_load__check_decimal(&iffa_load__fineness, S("0.91667"), why, sizeof(why)),
	       "\"0.91667\" is not a fineness: more than 4 decimals");

	ACCEPT(iffa_load__check_decimal(&iffa_load__rate, S("655.95700000"), why, sizeof(why)));
	REFUSE(iffa_load__check_decimal(&iffa_load__rate, S("0.000000001"), why, sizeof(why)),
	       "\"0.000000001\" is not a rate: more than 8 decimals");
}

#define TS(lit) iffa_load__parse_timestamp(ts, S(lit), NOW, why, sizeof(why))

Test(load_field, timestamp_needs_a_zone_and_is_normalised_to_utc)
{
	char ts[IFFA_LOAD__TS_SIZE];

	ACCEPT(TS("2026-03-04T10:15:00Z"));
	cr_assert_str_eq(ts, "2026-03-04 10:15:00+00");
	ACCEPT(TS("2026-03-04 10:15+00:00"));
	cr_assert_str_eq(ts, "2026-03-04 10:15:00+00");
	ACCEPT(TS("2026-03-01T00:30:00+01:00"));
	cr_assert_str_eq(ts, "2026-02-28 23:30:00+00");
	ACCEPT(TS("2024-02-28T23:59:59.5-01:00"));
	cr_assert_str_eq(ts, "2024-02-29 00:59:59.500000+00");
	ACCEPT(TS("2026-03-04T10:15:00.1234560Z")); /* .NET's seven digits */
	cr_assert_str_eq(ts, "2026-03-04 10:15:00.123456+00");
	ACCEPT(TS("1900-01-01T00:00:00Z"));
	cr_assert_str_eq(ts, "1900-01-01 00:00:00+00");
	ACCEPT(TS("2026-03-05T12:00:00Z")); /* now + 1 day exactly */

	REFUSE(TS("2026-03-04T10:15:00"),
	       "\"2026-03-04T10:15:00\" has no time zone: add Z or +HH:MM/-HH:MM (a time "
	       "without zone is ambiguous)");
	REFUSE(TS("2026-03-04 10:15"),
	       "\"2026-03-04 10:15\" has no time zone: add Z or +HH:MM/-HH:MM (a time without "
	       "zone is ambiguous)");
	REFUSE(TS("2026-03-04T10:15:00+0100"),
	       "\"2026-03-04T10:15:00+0100\" is not a timestamp: the zone must be Z or "
	       "+HH:MM/-HH:MM");
	REFUSE(TS("2026-03-04"),
	       "\"2026-03-04\" is not a timestamp: expected YYYY-MM-DDTHH:MM[:SS[.fff]] and Z "
	       "or +HH:MM/-HH:MM");
	REFUSE(TS("04/03/2026 10:15Z"),
	       "\"04/03/2026 10:15Z\" is not a timestamp: expected YYYY-MM-DDTHH:MM[:SS[.fff]] "
	       "and Z or +HH:MM/-HH:MM");
	REFUSE(TS("2026-02-29T10:00:00Z"), "\"2026-02-29T10:00:00Z\" is not a valid date and time");
	REFUSE(TS("2026-03-04T24:00:00Z"), "\"2026-03-04T24:00:00Z\" is not a valid date and time");
	REFUSE(TS("2026-03-04T10:00:00+15:00"),
	       "\"2026-03-04T10:00:00+15:00\" is not a valid date and time");
	REFUSE(TS("2026-03-04T10:15:00.1234567Z"),
	       "\"2026-03-04T10:15:00.1234567Z\" is not a timestamp: fractions finer than a "
	       "microsecond are not accepted");
	REFUSE(TS("1900-01-01T00:30:00+01:00"), "\"1900-01-01T00:30:00+01:00\" is before 1900");
	REFUSE(TS("2026-03-05T12:00:01Z"),
	       "\"2026-03-05T12:00:01Z\" is more than a day in the future");
	REFUSE(TS("2026-03-04t10:15:00z"),
	       "\"2026-03-04t10:15:00z\" is not a timestamp: expected "
	       "YYYY-MM-DDTHH:MM[:SS[.fff]] and Z or +HH:MM/-HH:MM");
}

#define DATE(lit) iffa_load__check_date(S(lit), NOW, why, sizeof(why))

Test(load_field, dates)
{
	ACCEPT(DATE("2024-02-29"));
	ACCEPT(DATE("1900-01-01"));
	ACCEPT(DATE("2026-03-05"));
	REFUSE(DATE("2026-03-06"), "\"2026-03-06\" is more than a day in the future");
	REFUSE(DATE("1899-12-31"), "\"1899-12-31\" is before 1900");
	REFUSE(DATE("2025-02-29"), "\"2025-02-29\" is not a valid date");
	REFUSE(DATE("2025-13-01"), "\"2025-13-01\" is not a valid date");
	REFUSE(DATE("04/03/2026"), "\"04/03/2026\" is not a date: expected YYYY-MM-DD");
	REFUSE(DATE("2026-03-04T00:00:00Z"),
	       "\"2026-03-04T00:00:00Z\" is not a date: expected YYYY-MM-DD");
}

Test(load_field, references)
{
	char long_ref[202];

	ACCEPT(iffa_load__check_ref(S("ACC-ML-000123"), why, sizeof(why)));
	ACCEPT(iffa_load__check_ref(S("a_b.c:d/e#f@g+h"), why, sizeof(why)));
	REFUSE(iffa_load__check_ref(S("ACC 12"), why, sizeof(why)),
	       "\"ACC 12\" is not a reference: only ASCII letters, digits and -_.:/#@+ are "
	       "allowed");
	REFUSE(iffa_load__check_ref(S("P-\xc3\xa9"), why, sizeof(why)),
	       "\"P-\xc3\xa9\" is not a reference: only ASCII letters, digits and -_.:/#@+ are "
	       "allowed");
	REFUSE(iffa_load__check_ref(S("a|b"), why, sizeof(why)),
	       "\"a|b\" is not a reference: only ASCII letters, digits and -_.:/#@+ are allowed");
	memset(long_ref, 'A', 201);
	long_ref[201] = '\0';
	ACCEPT(iffa_load__check_ref(long_ref, 200, why, sizeof(why)));
	REFUSE(iffa_load__check_ref(long_ref, 201, why, sizeof(why)),
	       "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA...\" is not a "
	       "reference: longer than 200 bytes");
}

Test(load_field, text_is_at_most_1000_bytes)
{
	static char text[1002];

	memset(text, 'x', 1001);
	ACCEPT(iffa_load__check_text(text, 1000, why, sizeof(why)));
	REFUSE(iffa_load__check_text(text, 1001, why, sizeof(why)),
	       "text longer than 1000 bytes (1001 bytes)");
}

Test(load_field, countries_and_currencies_come_from_the_tables)
{
	static iffa_load__codes codes;

	memset(&codes, 0, sizeof(codes));
	codes.country[('M' - 'A') * 26 + ('L' - 'A')] = 1;
	codes.currency[(('X' - 'A') * 26 + ('O' - 'A')) * 26 + ('F' - 'A')] = 1;
	ACCEPT(iffa_load__check_country(&codes, S("ML"), why, sizeof(why)));
	REFUSE(iffa_load__check_country(&codes, S("BF"), why, sizeof(why)),
	       "\"BF\" is not in the country table");
	REFUSE(iffa_load__check_country(&codes, S("ml"), why, sizeof(why)),
	       "\"ml\" is not a country code: two upper-case letters expected");
	REFUSE(iffa_load__check_country(&codes, S("MLI"), why, sizeof(why)),
	       "\"MLI\" is not a country code: two upper-case letters expected");
	ACCEPT(iffa_load__check_currency(&codes, S("XOF"), why, sizeof(why)));
	REFUSE(iffa_load__check_currency(&codes, S("CFA"), why, sizeof(why)),
	       "\"CFA\" is not in the currency table");
	REFUSE(iffa_load__check_currency(&codes, S("F CFA"), why, sizeof(why)),
	       "\"F CFA\" is not a currency code: three upper-case letters expected");
}

Test(load_field, enums)
{
	static const char *const channels[] = {"bank", "mobile_money", "cash", NULL};

	ACCEPT(iffa_load__check_enum(channels, S("mobile_money"), why, sizeof(why)));
	REFUSE(iffa_load__check_enum(channels, S("Bank"), why, sizeof(why)),
	       "\"Bank\" is not one of: bank, mobile_money, cash");
	REFUSE(iffa_load__check_enum(channels, S("mobile"), why, sizeof(why)),
	       "\"mobile\" is not one of: bank, mobile_money, cash");
}

Test(load_field, text_lists_are_trimmed_and_have_no_empty_element)
{
	char out[64];

	ACCEPT(iffa_load__norm_list(out, S("Abu Hamza | Abou \"le Percepteur\""), why,
				    sizeof(why)));
	cr_assert_str_eq(out, "Abu Hamza|Abou \"le Percepteur\"");
	ACCEPT(iffa_load__norm_list(out, S("one"), why, sizeof(why)));
	cr_assert_str_eq(out, "one");
	REFUSE(iffa_load__norm_list(out, S("a||b"), why, sizeof(why)),
	       "\"a||b\" has an empty element between | separators");
	REFUSE(iffa_load__norm_list(out, S("a| "), why, sizeof(why)),
	       "\"a| \" has an empty element between | separators");
}

Test(load_field, ransom_intermediaries_are_role_party_pairs)
{
	char out[128];

	ACCEPT(iffa_load__norm_legs(out, S("negotiator:P-12|courier:P-40"), why, sizeof(why)));
	cr_assert_str_eq(out, "negotiator:P-12|courier:P-40");
	ACCEPT(iffa_load__norm_legs(out, S(" negotiator : P-12 | intermediary:urn:x:9 "), why,
				    sizeof(why)));
	cr_assert_str_eq(out, "negotiator:P-12|intermediary:urn:x:9");
	REFUSE(iffa_load__norm_legs(out, S("P-12"), why, sizeof(why)),
	       "element \"P-12\" is not role:party_ref");
	REFUSE(iffa_load__norm_legs(out, S("negotiator:P-12|boss:P-1"), why, sizeof(why)),
	       "element \"boss:P-1\": role \"boss\" is not negotiator, courier or intermediary");
	REFUSE(iffa_load__norm_legs(out, S("courier:"), why, sizeof(why)),
	       "element \"courier:\": no party reference after the role");
	REFUSE(iffa_load__norm_legs(out, S("courier:P 40"), why, sizeof(why)),
	       "element \"courier:P 40\": \"P 40\" is not a reference: only ASCII letters, "
	       "digits and -_.:/#@+ are allowed");
	REFUSE(iffa_load__norm_legs(out, S("courier:P-1||negotiator:P-2"), why, sizeof(why)),
	       "\"courier:P-1||negotiator:P-2\" has an empty element between | separators");
}

Test(load_field, quoted_values_are_escaped_and_cut)
{
	char q[128];

	iffa_load__quote(q, sizeof(q), S("a\"b\\c\nd\te\x01"));
	cr_assert_str_eq(q, "\"a\\\"b\\\\c\\nd\\te\\x01\"");
	/* Cut at 60 bytes, never inside a UTF-8 character. */
	iffa_load__quote(q, sizeof(q),
			 S("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
			   "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
			   "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
			   "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9x\xc3\xa9\xc3\xa9"));
	cr_assert_eq(strlen(q), 1 + 59 + 3 + 1, "%s", q);
	cr_assert_str_eq(q + 1 + 58, "x...\"");
}
