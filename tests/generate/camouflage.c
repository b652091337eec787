#include <criterion/criterion.h>
#include <string.h>

#include "iffa.h"
#include "support/csvtable.h"

/* Share of the transfers touching a planted account whose other side is
 * not planted: the planted accounts' ordinary business. */
static double ordinary_share(double camouflage, uint64_t *camouflage_reported)
{
	iffa_generate_options opts = IFFA_GENERATE_OPTIONS_INIT;
	iffa_generate_result res;
	csvtable truth, tr;
	strset planted = {0};
	char dir[64];
	size_t cf, ct, ordinary = 0, inside = 0;

	testdir_make(dir, sizeof(dir), "camouflage");
	opts.seed = 11;
	opts.transfers = 8000;
	opts.camouflage = camouflage;
	opts.out_dir = dir;
	cr_assert_eq(iffa_generate(&res, &opts), 0, "%s", iffa_error_last());
	*camouflage_reported = res.camouflage_transfers;
	csvtable_read(&truth, dir, "truth.csv");
	for (size_t i = 0; i < truth.nrows; i++)
		if (strcmp(csvtable_get(&truth, i, 2), "account") == 0)
			strset_add(&planted, csvtable_get(&truth, i, 3));
	strset_sort(&planted);
	csvtable_read(&tr, dir, "transfer.csv");
	cf = csvtable_col(&tr, "from_account");
	ct = csvtable_col(&tr, "to_account");
	for (size_t i = 0; i < tr.nrows; i++) {
		int f = strset_has(&planted, csvtable_get(&tr, i, cf));
		int t = strset_has(&planted, csvtable_get(&tr, i, ct));
		if (f && t)
			inside++;
		else if (f || t)
			ordinary++;
	}
	cr_assert_gt(inside, 0);
	strset_free(&planted);
	csvtable_free(&truth);
	csvtable_free(&tr);
	testdir_remove(dir);
	return (double)ordinary / (double)(ordinary + inside);
}

Test(generate_camouflage, raises_the_share_of_ordinary_transfers_of_planted_accounts)
{
	uint64_t r0, r5, r1;
	double s0 = ordinary_share(0.0, &r0);
	double s5 = ordinary_share(0.5, &r5);
	double s1 = ordinary_share(1.0, &r1);

	cr_expect_lt(s0, s5, "camouflage 0: %.3f, 0.5: %.3f", s0, s5);
	cr_expect_lt(s5, s1, "camouflage 0.5: %.3f, 1: %.3f", s5, s1);
	/* at 0 only the planted hawala brokers' licit clients remain */
	cr_expect_lt(s0, 0.6, "camouflage 0 leaves %.3f ordinary", s0);
	cr_expect_gt(s1, 0.75, "camouflage 1 gives only %.3f ordinary", s1);
	cr_expect_lt(r0, r5);
	cr_expect_lt(r5, r1);
}

Test(generate_camouflage, designated_parties_do_no_ordinary_business)
{
	iffa_generate_options opts = IFFA_GENERATE_OPTIONS_INIT;
	csvtable des, acct, truth, tr;
	strset listed = {0}, listed_acct = {0}, planted = {0};
	char dir[64];
	size_t cf, ct, touching = 0;

	testdir_make(dir, sizeof(dir), "designated");
	opts.seed = 12;
	opts.transfers = 8000;
	opts.camouflage = 1.0; /* the most ordinary business planted accounts do */
	opts.out_dir = dir;
	cr_assert_eq(iffa_generate(NULL, &opts), 0, "%s", iffa_error_last());
	csvtable_read(&des, dir, "designation.csv");
	for (size_t i = 0; i < des.nrows; i++)
		if (*csvtable_get(&des, i, csvtable_col(&des, "party_ref")))
			strset_add(&listed, csvtable_get(&des, i, csvtable_col(&des, "party_ref")));
	strset_sort(&listed);
	csvtable_read(&acct, dir, "account.csv");
	for (size_t i = 0; i < acct.nrows; i++)
		if (strset_has(&listed, csvtable_get(&acct, i, csvtable_col(&acct, "party_ref"))))
			strset_add(&listed_acct, csvtable_get(&acct, i, csvtable_col(&acct, "ref")));
	strset_sort(&listed_acct);
	cr_assert_geq(listed_acct.n, 3);
	csvtable_read(&truth, dir, "truth.csv");
	for (size_t i = 0; i < truth.nrows; i++)
		if (strcmp(csvtable_get(&truth, i, 2), "account") == 0)
			strset_add(&planted, csvtable_get(&truth, i, 3));
	strset_sort(&planted);
	csvtable_read(&tr, dir, "transfer.csv");
	cf = csvtable_col(&tr, "from_account");
	ct = csvtable_col(&tr, "to_account");
	for (size_t i = 0; i < tr.nrows; i++) {
		const char *f = csvtable_get(&tr, i, cf), *t = csvtable_get(&tr, i, ct);
		if (strset_has(&listed_acct, f) || strset_has(&listed_acct, t)) {
			touching++;
			cr_expect(strset_has(&planted, f) && strset_has(&planted, t),
				  "row %zu: designated account deals with %s -> %s outside the structures",
				  i + 2, f, t);
		}
	}
	cr_expect_gt(touching, 0, "no transfer reaches a designated party");
	strset_free(&listed);
	strset_free(&listed_acct);
	strset_free(&planted);
	csvtable_free(&des);
	csvtable_free(&acct);
	csvtable_free(&truth);
	csvtable_free(&tr);
	testdir_remove(dir);
}
