/*
 * iffa case export and iffa report as a user runs them: exit codes,
 * messages naming the path, and the JSON summary.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/exportfix.h"
#include "support/testdb.h"

static char dir[128];
static char ci[128];
static char out[16384], err[16384];

static void cleanup(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
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

static int run(const char *args)
{
	char cmd[2048], o[200], e[200];
	int status;

	snprintf(o, sizeof(o), "%s/.stdout", dir);
	snprintf(e, sizeof(e), "%s/.stderr", dir);
	snprintf(cmd, sizeof(cmd), "cd %s && %s --db '%s' %s >%s 2>%s", dir, testdb_iffa_bin(), ci,
		 args, o, e);
	status = system(cmd);
	cr_assert(WIFEXITED(status), "%s", cmd);
	slurp(o, out, sizeof(out));
	slurp(e, err, sizeof(err));
	cr_assert(strstr(err, "Sanitizer") == NULL && strstr(err, "runtime error") == NULL, "%s", err);
	return WEXITSTATUS(status);
}

Test(export_cli, case_export_and_report_exit_codes_and_messages, .fini = cleanup)
{
	iffa_db *db = exportfix_load(dir, sizeof(dir), ci, sizeof(ci), "t_export_cli");
	struct stat st;

	iffa_db_free(db);
	cr_assert_eq(run("case export A2 --format gexf --out case.gexf"), 0, "%s", err);
	cr_assert(strstr(out, "case.gexf: 3 vertices, 3 edges, 2900100 XOF; findings of run 1 on 3 vertices") == out, "%s", out);
	cr_assert_eq(stat("/dev/full", &st), 0);
	cr_assert_eq(run("case export A2 --format graphml --out /dev/full"), 3);
	cr_assert_str_eq(err, "iffa: case export: /dev/full: exists and is not a regular file; refused\n");
	cr_assert_eq(run("case export A2 --format dot --out missing/case.dot"), 1);
	cr_assert(strstr(err, "missing/case.dot") != NULL, "%s", err);
	cr_assert_eq(run("case export NOPE --format dot --out case.dot"), 3);
	cr_assert_str_eq(err, "iffa: case export: no account or party with reference 'NOPE'\n");
	{
		char path[300];
		snprintf(path, sizeof(path), "%s/case.dot", dir);
		cr_assert_eq(access(path, F_OK), -1);
	}
	cr_assert_eq(run("case export A2 --format svg --out x"), 2);
	/* a reference starting with '-' after -- */
	cr_assert_eq(run("--json case export --format csv --out csv --hops 0 -- -A5"), 0, "%s", err);
	cr_assert(strstr(out, "{\"vertices\":1,\"edges\":0,") == out, "%s", out);

	cr_assert_eq(run("report --period 2026-Q3 --out rep --no-pdf --json"), 0, "%s", err);
	cr_assert(strstr(out, "{\"run\":1,\"previous_run\":0,") == out, "%s", out);
	cr_assert(strstr(out, "\"pdf\":false") != NULL, "%s", out);
	cr_assert_eq(run("report --period 2026-Q3 --out rep --no-pdf"), 3);
	cr_assert(strstr(err, "already holds a report") != NULL, "%s", err);
	cr_assert_eq(run("report --period 2026-Q7 --out rep2"), 3);
	cr_assert_eq(run("report --period 2026-Q3 --out rep2 --passphrase secret"), 2);
	cr_assert_eq(run("report --out rep2"), 2);
}
