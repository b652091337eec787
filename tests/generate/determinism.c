#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "iffa.h"
#include "support/csvtable.h"

static const char *const files[] = {"party.csv", "account.csv", "transfer.csv", "ransom.csv",
	"gold_lot.csv", "levy.csv", "designation.csv", "fx_rate.csv", "affected_zone.csv", "truth.csv", "params.json"};
#define NFILES (sizeof(files) / sizeof(files[0]))

static void generate(const char *dir, uint64_t seed)
{
	iffa_generate_options opts = IFFA_GENERATE_OPTIONS_INIT;
	iffa_generate_result res;

	opts.seed = seed;
	opts.transfers = 4000;
	opts.out_dir = dir;
	cr_assert_eq(iffa_generate(&res, &opts), 0, "%s", iffa_error_last());
}

static int same(const char *a, const char *b, const char *name)
{
	char pa[4200], pb[4200];

	snprintf(pa, sizeof(pa), "%s/%s", a, name);
	snprintf(pb, sizeof(pb), "%s/%s", b, name);
	return files_equal(pa, pb);
}

Test(generate_determinism, same_seed_writes_byte_identical_files)
{
	char a[64], b[64];

	testdir_make(a, sizeof(a), "det-a");
	testdir_make(b, sizeof(b), "det-b");
	generate(a, 42);
	generate(b, 42);
	for (size_t i = 0; i < NFILES; i++)
		cr_expect(same(a, b, files[i]), "%s differs between two runs of seed 42", files[i]);
	testdir_remove(a);
	testdir_remove(b);
}

Test(generate_determinism, another_seed_writes_different_files)
{
	char a[64], b[64];

	testdir_make(a, sizeof(a), "seed-a");
	testdir_make(b, sizeof(b), "seed-b");
	generate(a, 42);
	generate(b, 43);
	/* the population, the transfers and the planted structures all move */
	cr_expect_not(same(a, b, "party.csv"));
	cr_expect_not(same(a, b, "transfer.csv"));
	cr_expect_not(same(a, b, "truth.csv"));
	cr_expect_not(same(a, b, "params.json"));
	testdir_remove(a);
	testdir_remove(b);
}

Test(generate_determinism, no_partial_files_are_left)
{
	char a[64], path[128];
	FILE *f;

	testdir_make(a, sizeof(a), "part");
	generate(a, 5);
	/* Nothing but the files themselves: no temporary file left behind. */
	{
		DIR *d = opendir(a);
		struct dirent *e;
		cr_assert_not_null(d);
		while ((e = readdir(d))) {
			int known = e->d_name[0] == '.' && (!e->d_name[1] || !strcmp(e->d_name, ".."));
			for (size_t i = 0; i < NFILES && !known; i++)
				known = strcmp(e->d_name, files[i]) == 0;
			cr_expect(known, "%s/%s left behind", a, e->d_name);
		}
		closedir(d);
	}
	for (size_t i = 0; i < NFILES; i++) {
		snprintf(path, sizeof(path), "%s/%s", a, files[i]);
		f = fopen(path, "rb");
		cr_expect_not_null(f, "%s missing", path);
		if (f)
			fclose(f);
	}
	testdir_remove(a);
}
