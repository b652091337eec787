#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "iffa.h"
#include "support/csvtable.h"

Test(generate_structures, every_kind_is_planted_with_its_members_in_truth)
{
	iffa_generate_options opts = IFFA_GENERATE_OPTIONS_INIT;
	iffa_generate_result res;
	csvtable truth;
	char dir[64];
	/* roles each kind must have in truth.csv, at least once */
	static const struct {
		const char *structure;
		const char *roles[4];
	} need[] = {
		{"ransom_chain", {"payer", "negotiator", "courier", "recipient"}},
		{"gold_chain", {"mine_site", "collector", "comptoir", "refinery"}},
		{"zakat", {"payer", "levy_collector", "treasurer", NULL}},
		{"layering", {"hop", "destination", NULL, NULL}},
		{"structuring", {"collector", NULL, NULL, NULL}},
		{"round_trip", {"hop", NULL, NULL, NULL}},
	};

	testdir_make(dir, sizeof(dir), "structures");
	opts.transfers = IFFA_GENERATE_MIN_TRANSFERS; /* the smallest still has one of each */
	opts.out_dir = dir;
	cr_assert_eq(iffa_generate(&res, &opts), 0, "%s", iffa_error_last());
	for (int k = 0; k < IFFA_GENERATE_STRUCTURES; k++)
		cr_expect_geq(res.instances[k], 1, "no %s planted",
			      iffa_generate_structure_name((iffa_generate_structure)k));
	cr_expect_gt(res.planted_transfers, 0);
	csvtable_read(&truth, dir, "truth.csv");
	cr_assert_eq(truth.nrows, res.files[IFFA_GENERATE_TRUTH].rows);
	for (size_t n = 0; n < sizeof(need) / sizeof(need[0]); n++) {
		for (int r = 0; r < 4 && need[n].roles[r]; r++) {
			int party = 0, account = 0;
			for (size_t i = 0; i < truth.nrows; i++) {
				if (strcmp(csvtable_get(&truth, i, 0), need[n].structure) != 0 ||
				    strcmp(csvtable_get(&truth, i, 4), need[n].roles[r]) != 0)
					continue;
				cr_expect_geq(atoi(csvtable_get(&truth, i, 1)), 1);
				party += strcmp(csvtable_get(&truth, i, 2), "party") == 0;
				account += strcmp(csvtable_get(&truth, i, 2), "account") == 0;
			}
			cr_expect_gt(party, 0, "%s has no %s party", need[n].structure, need[n].roles[r]);
			cr_expect_gt(account, 0, "%s has no %s account", need[n].structure,
				     need[n].roles[r]);
		}
	}
	csvtable_free(&truth);
	testdir_remove(dir);
}

Test(generate_structures, transfer_count_is_exactly_the_one_asked_for)
{
	static const uint64_t sizes[] = {300, 1234, 7777};
	static const int months[] = {12, 1, 30};

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		iffa_generate_options opts = IFFA_GENERATE_OPTIONS_INIT;
		iffa_generate_result res;
		csvtable tr;
		char dir[64];

		testdir_make(dir, sizeof(dir), "count");
		opts.transfers = sizes[i];
		opts.months = months[i];
		opts.seed = 100 + i;
		opts.out_dir = dir;
		cr_assert_eq(iffa_generate(&res, &opts), 0, "%s", iffa_error_last());
		/* the tolerance is zero: ordinary activity fills what the planted
		 * structures leave */
		cr_expect_eq(res.files[IFFA_GENERATE_TRANSFER].rows, sizes[i]);
		csvtable_read(&tr, dir, "transfer.csv");
		cr_expect_eq(tr.nrows, sizes[i], "%zu rows for %llu asked", tr.nrows,
			     (unsigned long long)sizes[i]);
		/* planted transfers stay a small share, above the minimum size */
		if (sizes[i] >= 5000)
			cr_expect_lt(res.planted_transfers, sizes[i] / 20);
		csvtable_free(&tr);
		testdir_remove(dir);
	}
}

Test(generate_structures, designations_name_the_group_and_its_listed_leaders)
{
	iffa_generate_options opts = IFFA_GENERATE_OPTIONS_INIT;
	csvtable des, party;
	char dir[64];
	int found = 0, unmatched = 0;

	testdir_make(dir, sizeof(dir), "designation");
	opts.out_dir = dir;
	cr_assert_eq(iffa_generate(NULL, &opts), 0, "%s", iffa_error_last());
	csvtable_read(&des, dir, "designation.csv");
	csvtable_read(&party, dir, "party.csv");
	for (size_t i = 0; i < des.nrows; i++) {
		const char *ref = csvtable_get(&des, i, csvtable_col(&des, "reference"));
		const char *pref = csvtable_get(&des, i, csvtable_col(&des, "party_ref"));

		if (!*pref) {
			unmatched++;
			continue;
		}
		if (strcmp(ref, "QDe.159") == 0 || strcmp(ref, "QDi.316") == 0 ||
		    strcmp(ref, "QDi.425") == 0) {
			cr_expect_str_eq(csvtable_get(&des, i, csvtable_col(&des, "list_name")), "UN");
			found++;
		}
		/* the listed name is the party's name */
		for (size_t k = 0; k < party.nrows; k++)
			if (strcmp(csvtable_get(&party, k, 0), pref) == 0)
				cr_expect_str_eq(csvtable_get(&party, k, csvtable_col(&party, "name")),
						 csvtable_get(&des, i, csvtable_col(&des, "name")));
	}
	cr_expect_eq(found, 3);
	cr_expect_eq(unmatched, 1);
	cr_expect_geq(des.nrows, 7, "the UN three, three facilitators or more, one unmatched");
	csvtable_free(&des);
	csvtable_free(&party);
	testdir_remove(dir);
}
