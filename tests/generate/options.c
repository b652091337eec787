#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "iffa.h"
#include "support/csvtable.h"
#include "support/testdb.h"

static int refused(iffa_generate_options *opts, const char *words)
{
	int error = iffa_generate(NULL, opts);

	cr_expect_eq(error, IFFA_EINVAL, "error %d: %s", error, iffa_error_last());
	cr_expect(strstr(iffa_error_last(), words) != NULL, "message '%s' lacks '%s'",
		  iffa_error_last(), words);
	return error;
}

Test(generate_options, out_of_range_options_are_refused_with_their_name)
{
	iffa_generate_options opts = IFFA_GENERATE_OPTIONS_INIT;
	iffa_generate_options o;

	opts.out_dir = "/tmp/iffa-test-never-written";
	cr_expect_eq(iffa_generate(NULL, NULL), IFFA_EINVAL);
	o = opts, o.transfers = 299;
	refused(&o, "transfers must be 300 to 10000000, not 299");
	o = opts, o.transfers = 10000001;
	refused(&o, "transfers");
	o = opts, o.camouflage = 1.5;
	refused(&o, "camouflage");
	o = opts, o.camouflage = -0.1;
	refused(&o, "camouflage");
	o = opts, o.start = "2025-02-30";
	refused(&o, "start must be a date YYYY-MM-DD, not '2025-02-30'");
	o = opts, o.start = "2025-1-01";
	refused(&o, "start");
	o = opts, o.months = 0;
	refused(&o, "months");
	o = opts, o.out_dir = NULL;
	refused(&o, "output directory");
}

Test(generate_options, an_unwritable_directory_is_an_io_error)
{
	iffa_generate_options opts = IFFA_GENERATE_OPTIONS_INIT;

	opts.out_dir = "/nonexistent-iffa-parent/scenario";
	cr_expect_eq(iffa_generate(NULL, &opts), IFFA_EIO);
	cr_expect(strstr(iffa_error_last(), "/nonexistent-iffa-parent/scenario") != NULL, "%s",
		  iffa_error_last());
}

static int run(const char *cmd, char *out, size_t size)
{
	FILE *p = popen(cmd, "r");
	size_t n;
	int status;

	cr_assert_not_null(p);
	n = fread(out, 1, size - 1, p);
	out[n] = '\0';
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

Test(generate_command, writes_a_scenario_and_a_json_summary)
{
	char dir[64], cmd[512], out[8192];

	testdir_make(dir, sizeof(dir), "cmd");
	snprintf(cmd, sizeof(cmd), "%s --json generate --seed 3 --transfers 400 --quiet --out %s",
		 testdb_iffa_bin(), dir);
	cr_assert_eq(run(cmd, out, sizeof(out)), 0, "%s", out);
	cr_expect(strstr(out, "\"transfer.csv\":{\"rows\":400,") != NULL, "%s", out);
	cr_expect(strstr(out, "\"ransom_chain\":{\"instances\":1,") != NULL, "%s", out);
	testdir_remove(dir);
}

Test(generate_command, wrong_arguments_exit_with_usage)
{
	char cmd[512], out[8192];

	snprintf(cmd, sizeof(cmd), "%s generate --transfers 10 --out /tmp/iffa-x 2>&1",
		 testdb_iffa_bin());
	cr_expect_eq(run(cmd, out, sizeof(out)), 2, "%s", out);
	cr_expect(strstr(out, "transfers must be 300") != NULL, "%s", out);
	snprintf(cmd, sizeof(cmd), "%s generate --transfers 400 2>&1", testdb_iffa_bin());
	cr_expect_eq(run(cmd, out, sizeof(out)), 2, "%s", out);
	cr_expect(strstr(out, "--out DIR is required") != NULL, "%s", out);
	snprintf(cmd, sizeof(cmd), "%s generate --help", testdb_iffa_bin());
	cr_expect_eq(run(cmd, out, sizeof(out)), 0);
	cr_expect(strstr(out, "usage: iffa generate") != NULL, "%s", out);
}
