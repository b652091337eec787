/*
 * `iffa load` as a user runs it: command, input, expected output and exit
 * code, against the real server. The command runs from the fixtures'
 * directory so that file names print as a user would type them.
 */
#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "support/testdb.h"

static char ci[128];
static char dir[64];
static char out[16384], err[16384];

static void fresh(const char *name)
{
	iffa_db *db;

	testdb_fresh(ci, sizeof(ci), name, 1);
	db = testdb_connect(ci);
	iffa_db_free(db);
	snprintf(dir, sizeof(dir), "/tmp/iffa-t-load-cli-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void finish(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

static void slurp(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	cr_assert_not_null(f);
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* Run `iffa --db CI ARGS` in tests/resources/load; returns the exit code. */
static int run(const char *args)
{
	char cmd[2048], o[128], e[128];
	int status;

	snprintf(o, sizeof(o), "%s/stdout", dir);
	snprintf(e, sizeof(e), "%s/stderr", dir);
	snprintf(cmd, sizeof(cmd), "cd %s/load && %s --db '%s' %s >%s 2>%s", IFFA_TEST_RESOURCES,
		 testdb_iffa_bin(), ci, args, o, e);
	status = system(cmd);
	cr_assert(WIFEXITED(status), "%s", cmd);
	slurp(o, out, sizeof(out));
	slurp(e, err, sizeof(err));
	cr_assert(strstr(err, "Sanitizer") == NULL && strstr(err, "runtime error") == NULL,
		  "%s", err);
	return WEXITSTATUS(status);
}

static const char *write_tmp(const char *name, const char *content)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	cr_assert_not_null(f = fopen(path, "wb"));
	fputs(content, f);
	cr_assert_eq(fclose(f), 0);
	return path;
}

Test(load_cli, loads_and_reloads_with_a_one_line_summary)
{
	fresh("t_load_cli_summary");
	cr_assert_eq(run("load party party.csv"), 0, "%s", err);
	cr_assert_str_eq(out, "party.csv: 8 read, 8 loaded, 0 already present, 0 rejected\n");
	cr_assert_str_eq(err, "");
	cr_assert_eq(run("load party party.csv"), 0, "%s", err);
	cr_assert_str_eq(out, "party.csv: 8 read, 0 loaded, 8 already present, 0 rejected\n");
	finish();
}

Test(load_cli, bad_rows_are_listed_and_nothing_is_written)
{
	char args[512];

	fresh("t_load_cli_bad");
	snprintf(args, sizeof(args), "load party %s",
		 write_tmp("bad.csv", "ref,kind,name,supplier,source\n"
				      "P1,person,A,ML,s\nP2,persn,B,ML,s\nP 3,person,C,ML,s\n"));
	cr_assert_eq(run(args), 3);
	cr_assert_str_eq(out, "");
	cr_assert(strstr(err, "bad.csv:3: field kind: \"persn\" is not one of: person, "
			      "organisation, company, armed_group, village, mine_site, collector, "
			      "comptoir, exporter, refinery\n") != NULL, "%s", err);
	cr_assert(strstr(err, "bad.csv:4: field ref: \"P 3\" is not a reference") != NULL, "%s",
		  err);
	cr_assert(strstr(err, "iffa: load: 2 bad rows in ") != NULL, "%s", err);
	cr_assert(strstr(err, "bad.csv; nothing was written\n") != NULL, "%s", err);
	cr_assert_eq(run("load party party.csv"), 0, "the party table is still empty: %s", err);
	cr_assert(strstr(out, "8 loaded") != NULL);
	finish();
}

Test(load_cli, at_most_20_problems_are_printed)
{
	char text[4096] = "ref,kind,name,supplier,source\n", args[512];

	fresh("t_load_cli_twenty");
	for (int i = 0; i < 25; i++)
		strcat(text, "P,nobody,A,ML,s\n");
	snprintf(args, sizeof(args), "load party %s", write_tmp("many.csv", text));
	cr_assert_eq(run(args), 3);
	cr_assert(strstr(err, "many.csv:21: field kind") != NULL, "%s", err);
	cr_assert(strstr(err, "many.csv:22: field kind") == NULL, "%s", err);
	/* 25 bad kinds; repeated refs are looked for only among valid rows. */
	cr_assert(strstr(err, "... and 5 more problems\n") != NULL, "%s", err);
	cr_assert(strstr(err, "iffa: load: 25 bad rows in") != NULL, "%s", err);
	finish();
}

Test(load_cli, reject_option_loads_the_rest_and_exits_3)
{
	char args[512], rej[256], content[2048];

	fresh("t_load_cli_reject");
	snprintf(rej, sizeof(rej), "%s/rejected.csv", dir);
	snprintf(args, sizeof(args), "load party %s --reject %s",
		 write_tmp("p.csv", "ref,kind,name,supplier,source\nP1,person,A,ML,s\n"
				    "P2,person,B,XX,s\n"),
		 rej);
	cr_assert_eq(run(args), 3, "%s", err);
	cr_assert(strstr(out, "p.csv: 2 read, 1 loaded, 0 already present, 1 rejected (see ") !=
			  NULL,
		  "%s", out);
	slurp(rej, content, sizeof(content));
	cr_assert_str_eq(content, "line,field,reason,ref,kind,name,supplier,source\n"
				  "3,supplier,\"\"\"XX\"\" is not in the country table\",P2,person,B,"
				  "XX,s\n");
	finish();
}

Test(load_cli, json_prints_one_object)
{
	fresh("t_load_cli_json");
	cr_assert_eq(run("--json load party party.csv"), 0, "%s", err);
	cr_assert(strncmp(out, "{\"kind\":\"party\",\"file\":\"party.csv\",\"sha256\":\"", 45) == 0,
		  "%s", out);
	cr_assert(strstr(out, "\"written\":true,\"load_id\":1,\"rows_read\":8,\"rows_loaded\":8,"
			      "\"rows_duplicate\":0,\"rows_rejected\":0,\"reject_file\":null,"
			      "\"error\":null,\"errors_total\":0,\"errors\":[]}\n") != NULL,
		  "%s", out);
	cr_assert_eq(strchr(out, '\n'), out + strlen(out) - 1, "one line");
	finish();
}

Test(load_cli, json_lists_problems_with_line_and_field)
{
	char args[512];

	fresh("t_load_cli_json_bad");
	snprintf(args, sizeof(args), "--json load party %s",
		 write_tmp("q.csv", "ref,kind,name,supplier,source\nP1,person,\"A \"\"B\"\"\",ml,s\n"));
	cr_assert_eq(run(args), 3);
	cr_assert(strstr(out, "\"written\":false,\"load_id\":null,\"rows_read\":1,") != NULL, "%s",
		  out);
	cr_assert(strstr(out, "\"errors_total\":1,\"errors\":[{\"line\":2,\"field\":\"supplier\","
			      "\"reason\":\"\\\"ml\\\" is not a country code: two upper-case "
			      "letters expected\",") != NULL,
		  "%s", out);
	finish();
}

Test(load_cli, usage_and_wrong_arguments)
{
	fresh("t_load_cli_usage");
	cr_assert_eq(run("load --help"), 0);
	cr_assert(strncmp(out, "usage: iffa load KIND FILE [--reject REJECT_FILE]\n", 50) == 0);
	cr_assert(strstr(out, "  3  input refused") != NULL);
	cr_assert(strstr(out, "  fx_rate ") != NULL);
	cr_assert_eq(run("load"), 2);
	cr_assert(strncmp(err, "usage: iffa load", 16) == 0, "%s", err);
	cr_assert_eq(run("load transfers transfer.csv"), 2);
	cr_assert_str_eq(err, "iffa: load: no record kind 'transfers' (kinds: party, account, "
			      "transfer, ransom, gold_lot, levy, designation, fx_rate, affected_zone)\n");
	cr_assert_eq(run("load party party.csv --force"), 2);
	cr_assert_eq(run("load party party.csv --reject"), 2);
	cr_assert(strncmp(err, "iffa: load: --reject needs a file name\n", 39) == 0, "%s", err);
	cr_assert_eq(run("load party party.csv account.csv"), 2);
	cr_assert_eq(run("load party no-such-file.csv"), 1);
	cr_assert_str_eq(err, "iffa: load: no-such-file.csv: cannot open: No such file or "
			      "directory; nothing was written\n");
	finish();
}
