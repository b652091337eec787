#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "iffa.h"
#include "support/csvtable.h"

/* A scenario outside the default window: 5 months from 2024-11-15. */
static char dir[64];

static void setup(void)
{
	iffa_generate_options opts = IFFA_GENERATE_OPTIONS_INIT;

	testdir_make(dir, sizeof(dir), "integrity");
	opts.seed = 9;
	opts.transfers = 6000;
	opts.camouflage = 0.5;
	opts.start = "2024-11-15";
	opts.months = 5;
	opts.out_dir = dir;
	cr_assert_eq(iffa_generate(NULL, &opts), 0, "%s", iffa_error_last());
}

static void teardown(void)
{
	testdir_remove(dir);
}

static void refs_of(csvtable *t, const char *name, strset *set)
{
	size_t c;

	csvtable_read(t, dir, name);
	c = csvtable_col(t, "ref");
	for (size_t i = 0; i < t->nrows; i++)
		strset_add(set, csvtable_get(t, i, c));
	strset_sort(set);
	/* refs are unique */
	for (size_t i = 1; i < set->n; i++)
		cr_assert_neq(strcmp(set->item[i - 1], set->item[i]), 0, "%s: %s twice", name,
			      set->item[i]);
}

static void expect_party(const strset *parties, const csvtable *t, size_t row, const char *col,
			 const char *file)
{
	const char *v = csvtable_get(t, row, csvtable_col(t, col));

	if (*v)
		cr_expect(strset_has(parties, v), "%s row %zu: %s %s is no party", file, row + 2, col, v);
}

static void expect_unique_source_refs(const csvtable *t, const char *file)
{
	size_t cs = csvtable_col(t, "source"), cr = csvtable_col(t, "source_ref");
	strset s = {0};
	char **keys = malloc((t->nrows + 1) * sizeof(*keys));

	for (size_t i = 0; i < t->nrows; i++) {
		size_t n = strlen(csvtable_get(t, i, cs)) + strlen(csvtable_get(t, i, cr)) + 2;
		keys[i] = malloc(n);
		snprintf(keys[i], n, "%s\t%s", csvtable_get(t, i, cs), csvtable_get(t, i, cr));
		strset_add(&s, keys[i]);
	}
	strset_sort(&s);
	for (size_t i = 1; i < s.n; i++)
		cr_expect_neq(strcmp(s.item[i - 1], s.item[i]), 0, "%s: source_ref %s twice", file,
			      s.item[i]);
	for (size_t i = 0; i < t->nrows; i++)
		free(keys[i]);
	free(keys);
	strset_free(&s);
}

Test(generate_integrity, every_reference_resolves_to_a_party_or_account, .init = setup,
     .fini = teardown)
{
	csvtable party, account, tr, ransom, gold, levy, des, truth;
	strset parties = {0}, accounts = {0};
	size_t c;

	refs_of(&party, "party.csv", &parties);
	refs_of(&account, "account.csv", &accounts);
	cr_assert_gt(parties.n, 100);
	c = csvtable_col(&account, "party_ref");
	for (size_t i = 0; i < account.nrows; i++)
		cr_expect(strset_has(&parties, csvtable_get(&account, i, c)), "account row %zu", i + 2);

	csvtable_read(&tr, dir, "transfer.csv");
	for (size_t i = 0; i < tr.nrows; i++) {
		cr_expect(strset_has(&accounts, csvtable_get(&tr, i, csvtable_col(&tr, "from_account"))));
		cr_expect(strset_has(&accounts, csvtable_get(&tr, i, csvtable_col(&tr, "to_account"))));
	}
	expect_unique_source_refs(&tr, "transfer.csv");

	csvtable_read(&ransom, dir, "ransom.csv");
	cr_assert_gt(ransom.nrows, 0);
	for (size_t i = 0; i < ransom.nrows; i++) {
		char *list = strdup(csvtable_get(&ransom, i, csvtable_col(&ransom, "intermediaries")));
		char *save = NULL;

		expect_party(&parties, &ransom, i, "payer", "ransom.csv");
		expect_party(&parties, &ransom, i, "recipient", "ransom.csv");
		/* role:party_ref, in the order the money passed */
		for (char *it = strtok_r(list, "|", &save); it; it = strtok_r(NULL, "|", &save)) {
			char *colon = strchr(it, ':');
			cr_assert_not_null(colon, "intermediary %s has no role", it);
			*colon = '\0';
			cr_expect(strcmp(it, "negotiator") == 0 || strcmp(it, "courier") == 0, "role %s", it);
			cr_expect(strset_has(&parties, colon + 1), "intermediary %s", colon + 1);
		}
		free(list);
	}
	expect_unique_source_refs(&ransom, "ransom.csv");

	csvtable_read(&gold, dir, "gold_lot.csv");
	cr_assert_gt(gold.nrows, 0);
	for (size_t i = 0; i < gold.nrows; i++) {
		expect_party(&parties, &gold, i, "origin_site", "gold_lot.csv");
		expect_party(&parties, &gold, i, "seller", "gold_lot.csv");
		expect_party(&parties, &gold, i, "buyer", "gold_lot.csv");
		cr_expect_str_neq(csvtable_get(&gold, i, csvtable_col(&gold, "seller")),
				  csvtable_get(&gold, i, csvtable_col(&gold, "buyer")));
	}
	expect_unique_source_refs(&gold, "gold_lot.csv");

	csvtable_read(&levy, dir, "levy.csv");
	cr_assert_gt(levy.nrows, 0);
	for (size_t i = 0; i < levy.nrows; i++) {
		expect_party(&parties, &levy, i, "payer", "levy.csv");
		expect_party(&parties, &levy, i, "collector", "levy.csv");
	}
	expect_unique_source_refs(&levy, "levy.csv");

	csvtable_read(&des, dir, "designation.csv");
	for (size_t i = 0; i < des.nrows; i++)
		expect_party(&parties, &des, i, "party_ref", "designation.csv");

	csvtable_read(&truth, dir, "truth.csv");
	cr_assert_gt(truth.nrows, 0);
	for (size_t i = 0; i < truth.nrows; i++) {
		const char *type = csvtable_get(&truth, i, csvtable_col(&truth, "entity_type"));
		const char *ref = csvtable_get(&truth, i, csvtable_col(&truth, "ref"));
		cr_expect(strcmp(type, "party") == 0 ? strset_has(&parties, ref)
						     : strcmp(type, "account") == 0 && strset_has(&accounts, ref),
			  "truth row %zu: %s %s", i + 2, type, ref);
	}
	csvtable_free(&party);
	csvtable_free(&account);
	csvtable_free(&tr);
	csvtable_free(&ransom);
	csvtable_free(&gold);
	csvtable_free(&levy);
	csvtable_free(&des);
	csvtable_free(&truth);
	strset_free(&parties);
	strset_free(&accounts);
}

static int is_amount(const char *s, int decimals)
{
	const char *dot = strchr(s, '.');

	if (!*s || strspn(s, "0123456789.") != strlen(s) || s[0] == '.')
		return 0;
	if (dot && (decimals == 0 || strlen(dot + 1) < 1 || strlen(dot + 1) > (size_t)decimals ||
		    strchr(dot + 1, '.')))
		return 0;
	return atof(s) > 0;
}

Test(generate_integrity, transfers_are_well_formed_and_inside_the_window, .init = setup,
     .fini = teardown)
{
	csvtable tr;
	size_t cf, ct, ca, cc, cts;
	const char *prev = "";

	csvtable_read(&tr, dir, "transfer.csv");
	cf = csvtable_col(&tr, "from_account");
	ct = csvtable_col(&tr, "to_account");
	ca = csvtable_col(&tr, "amount");
	cc = csvtable_col(&tr, "currency");
	cts = csvtable_col(&tr, "ts");
	for (size_t i = 0; i < tr.nrows; i++) {
		const char *ts = csvtable_get(&tr, i, cts), *cur = csvtable_get(&tr, i, cc);
		int whole = strcmp(cur, "GNF") == 0 || strcmp(cur, "XOF") == 0;

		cr_expect_str_neq(csvtable_get(&tr, i, cf), csvtable_get(&tr, i, ct),
				  "row %zu is a self-transfer", i + 2);
		cr_expect(is_amount(csvtable_get(&tr, i, ca), whole ? 0 : 2), "row %zu amount %s %s",
			  i + 2, csvtable_get(&tr, i, ca), cur);
		/* 2024-11-15 for 5 months: up to 2025-04-14 included, UTC, "Z" */
		cr_expect_eq(strlen(ts), 20, "row %zu ts %s", i + 2, ts);
		cr_expect_eq(ts[19], 'Z');
		cr_expect(strcmp(ts, "2024-11-15T00:00:00Z") >= 0 && strcmp(ts, "2025-04-15T00:00:00Z") < 0,
			  "row %zu ts %s outside the window", i + 2, ts);
		cr_expect(strcmp(prev, ts) <= 0, "row %zu: transfers out of time order", i + 2);
		prev = ts;
	}
	csvtable_free(&tr);
}

Test(generate_integrity, every_foreign_currency_has_a_rate_for_every_month, .init = setup,
     .fini = teardown)
{
	csvtable tr, fx;
	strset have = {0};
	char *keys[64];
	size_t nkeys = 0, cc, cts;
	static const char *const months[] = {"2024-11-01", "2024-12-01", "2025-01-01", "2025-02-01",
		"2025-03-01", "2025-04-01"};

	csvtable_read(&fx, dir, "fx_rate.csv");
	for (size_t i = 0; i < fx.nrows; i++) {
		char *k = malloc(32);
		snprintf(k, 32, "%s %s", csvtable_get(&fx, i, csvtable_col(&fx, "currency")),
			 csvtable_get(&fx, i, csvtable_col(&fx, "valid_from")));
		cr_assert_lt(nkeys, 64);
		keys[nkeys++] = k;
		strset_add(&have, k);
		cr_expect_gt(atof(csvtable_get(&fx, i, csvtable_col(&fx, "xof_per_unit"))), 0);
	}
	strset_sort(&have);
	csvtable_read(&tr, dir, "transfer.csv");
	cc = csvtable_col(&tr, "currency");
	cts = csvtable_col(&tr, "ts");
	for (size_t i = 0; i < tr.nrows; i++) {
		const char *cur = csvtable_get(&tr, i, cc), *ts = csvtable_get(&tr, i, cts);
		char k[32], month[11];

		if (strcmp(cur, "XOF") == 0)
			continue;
		snprintf(month, sizeof(month), "%.7s-01", ts);
		snprintf(k, sizeof(k), "%s %s", cur, month);
		cr_expect(strset_has(&have, k), "no rate for %s (row %zu)", k, i + 2);
	}
	/* the euro at its peg on the first month of the window */
	cr_expect(strset_has(&have, "EUR 2024-11-01"));
	for (size_t m = 0; m < sizeof(months) / sizeof(months[0]); m++) {
		char k[32];
		snprintf(k, sizeof(k), "USD %s", months[m]);
		cr_expect(strset_has(&have, k), "%s", k);
	}
	for (size_t i = 0; i < nkeys; i++)
		free(keys[i]);
	strset_free(&have);
	csvtable_free(&fx);
	csvtable_free(&tr);
}
