/*
 * Write errors on the files the commands write, as a user meets them:
 * the disk fills up, the directory may not be written to, the directory
 * does not exist. Each must give a non-zero exit and a message naming the
 * path, and leave no file behind: neither a partial output nor a temporary
 * file, and an older output untouched.
 *
 * How the failures are made, for real, although the tests run as root:
 *   - a full disk: a file-size limit (ulimit -f, SIGXFSZ ignored) makes
 *     write() fail in the middle of the file (EFBIG) exactly where a full
 *     disk would (ENOSPC); standard output goes to /dev/full;
 *   - permission denied: sysfs refuses to create files even for root
 *     (/sys/kernel is a directory nobody may add to), and an unprivileged
 *     user (setpriv) meets a 0500 directory;
 *   - a missing directory: a path under /nonexistent-iffa.
 */
#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "support/testdb.h"

static char ci[128];
static char dir[64];
static char err[16384];

static void fresh(const char *name)
{
	testdb_fresh(ci, sizeof(ci), name, 1);
	snprintf(dir, sizeof(dir), "/tmp/iffa-t-outputs-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void finish(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

/*
 * Run `iffa --db CI ARGS` in the test's directory, with a file-size limit
 * of `blocks` 512-byte blocks when >= 0, as user `as` when not NULL. Its
 * standard output and error go through a pipe to a file (the limit does
 * not apply to the reader of the pipe). Returns the exit code.
 */
static int run_as(const char *as, long blocks, const char *args)
{
	char cmd[4096], limit[96] = "", user[96] = "", e[128], *p;
	FILE *f;
	size_t n;

	if (blocks >= 0)
		snprintf(limit, sizeof(limit), "ulimit -f %ld; trap '' XFSZ; ", blocks);
	if (as)
		snprintf(user, sizeof(user), "setpriv --reuid=%s --regid=%s --clear-groups ", as,
			 as);
	snprintf(e, sizeof(e), "%s.err", dir);
	snprintf(cmd, sizeof(cmd),
		 "(cd %s && %s%s%s --db '%s' %s; echo \"exit=$?\") 2>&1 | cat >%s", dir, limit,
		 user, testdb_iffa_bin(), ci, args, e);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
	cr_assert_not_null(f = fopen(e, "rb"));
	n = fread(err, 1, sizeof(err) - 1, f);
	err[n] = '\0';
	fclose(f);
	remove(e);
	cr_assert(strstr(err, "Sanitizer") == NULL && strstr(err, "runtime error") == NULL,
		  "%s", err);
	cr_assert_not_null(p = strstr(err, "exit="), "%s", err);
	*p = '\0';
	return atoi(p + 5);
}

static int run(long blocks, const char *args)
{
	return run_as(NULL, blocks, args);
}

/* The names in `d`, sorted, joined by spaces ("" when empty). */
static const char *listing(const char *d)
{
	static char buf[4096];
	char cmd[512];
	FILE *p;
	size_t n;

	snprintf(cmd, sizeof(cmd), "ls -A %s | tr '\\n' ' '", d);
	cr_assert_not_null(p = popen(cmd, "r"));
	n = fread(buf, 1, sizeof(buf) - 1, p);
	buf[n] = '\0';
	pclose(p);
	return buf;
}

/* SHA-256 of every file in `d`, as one string. */
static void digests(char *out, size_t size, const char *d)
{
	char cmd[512];
	FILE *p;
	size_t n;

	snprintf(cmd, sizeof(cmd), "cd %s && sha256sum * 2>/dev/null", d);
	cr_assert_not_null(p = popen(cmd, "r"));
	n = fread(out, 1, size - 1, p);
	out[n] = '\0';
	pclose(p);
}

static long long scalar(const char *sql)
{
	iffa_db *db = testdb_connect(ci);
	long long v = testdb_scalar(db, sql);

	iffa_db_free(db);
	return v;
}

Test(cli_outputs, generate_write_errors_leave_no_file_and_no_mixed_scenario)
{
	char before[4096], after[4096], cmd[256];

	fresh("t_outputs_generate");
	/* Permission denied, as root. */
	cr_assert_eq(run(-1, "generate --quiet --seed 1 --transfers 400 --out /sys/kernel"), 1);
	cr_assert_str_eq(err, "iffa: generate: cannot create /sys/kernel/party.csv (a temporary "
			      "file beside it): Permission denied\n");
	/* A missing directory (its parent missing too). */
	cr_assert_eq(run(-1, "generate --quiet --seed 1 --transfers 400 --out "
			     "/nonexistent-iffa/scenario"),
		     1);
	cr_assert_str_eq(err, "iffa: generate: cannot create directory /nonexistent-iffa/scenario: "
			      "No such file or directory\n");

	/* The disk fills up while a scenario replaces an older one: the older
	 * one stays whole, nothing new or temporary is left beside it. */
	cr_assert_eq(run(-1, "generate --quiet --seed 1 --transfers 2000 --out scen"), 0, "%s",
		     err);
	snprintf(cmd, sizeof(cmd), "%s/scen", dir);
	digests(before, sizeof(before), cmd);
	cr_assert_str_eq(listing(cmd), "account.csv affected_zone.csv designation.csv "
				       "fx_rate.csv gold_lot.csv levy.csv params.json party.csv "
				       "ransom.csv transfer.csv truth.csv ");
	cr_assert_eq(run(200, "generate --quiet --seed 2 --transfers 20000 --out scen"), 1);
	cr_assert(strstr(err, "iffa: generate: writing scen/") == err &&
			  strstr(err, ".csv: File too large\n") != NULL,
		  "the path is named: %s", err);
	digests(after, sizeof(after), cmd);
	cr_assert_str_eq(after, before);
	cr_assert_str_eq(listing(cmd), "account.csv affected_zone.csv designation.csv "
				       "fx_rate.csv gold_lot.csv levy.csv params.json party.csv "
				       "ransom.csv transfer.csv truth.csv ");

	/* An unprivileged user and a directory it may not write to. */
	snprintf(cmd, sizeof(cmd), "mkdir %s/ro && chmod 0555 %s/ro && chmod 0755 %s", dir, dir,
		 dir);
	cr_assert_eq(system(cmd), 0);
	cr_assert_eq(run_as("65534", -1, "generate --quiet --seed 1 --transfers 400 --out ro"), 1);
	cr_assert_str_eq(err, "iffa: generate: cannot create ro/party.csv (a temporary file "
			      "beside it): Permission denied\n");
	snprintf(cmd, sizeof(cmd), "%s/ro", dir);
	cr_assert_str_eq(listing(cmd), "");
	finish();
}

Test(cli_outputs, keygen_write_errors_leave_no_key)
{
	fresh("t_outputs_keygen");
	cr_assert_eq(run(-1, "keygen --out /sys/kernel/fiu.key"), 1);
	cr_assert_str_eq(err, "iffa: keygen: key file: cannot create /sys/kernel/fiu.key (a "
			      "temporary file beside it): Permission denied\n");
	cr_assert_eq(run(-1, "keygen --out /nonexistent-iffa/fiu.key"), 1);
	cr_assert_str_eq(err, "iffa: keygen: key file: cannot create /nonexistent-iffa/fiu.key "
			      "(a temporary file beside it): No such file or directory\n");
	/* Not one byte may be written: the key file fails mid-way. */
	cr_assert_eq(run(0, "keygen --out fiu.key"), 1);
	cr_assert_str_eq(err, "iffa: keygen: key file: writing fiu.key: File too large\n");
	cr_assert_str_eq(listing(dir), "");
	/* Each failure is in the audit log, and no key is. */
	cr_assert_eq(scalar("SELECT count(*) FROM audit_log WHERE command = 'keygen' AND "
			    "detail->>'ok' = 'false'"),
		     3);
	cr_assert_eq(scalar("SELECT count(*) FROM audit_log WHERE command = 'keygen' AND "
			    "output_sha256 IS NOT NULL"),
		     0);
	/* Once the disk has room, the same command makes the key. */
	cr_assert_eq(run(-1, "keygen --out fiu.key"), 0, "%s", err);
	cr_assert_str_eq(listing(dir), "fiu.key fiu.key.pub ");
	finish();
}

Test(cli_outputs, sign_write_errors_leave_no_manifest)
{
	char cmd[256];

	fresh("t_outputs_sign");
	cr_assert_eq(run(-1, "keygen --out fiu.key"), 0, "%s", err);
	snprintf(cmd, sizeof(cmd), "mkdir %s/report && echo 'finding 1' > %s/report/a.txt", dir,
		 dir);
	cr_assert_eq(system(cmd), 0);
	cr_assert_eq(run(0, "sign report --key fiu.key"), 1);
	cr_assert_str_eq(err, "iffa: sign: writing report/MANIFEST: File too large\n");
	snprintf(cmd, sizeof(cmd), "%s/report", dir);
	cr_assert_str_eq(listing(cmd), "a.txt ");
	cr_assert_eq(run(-1, "sign report --key fiu.key"), 0, "%s", err);
	cr_assert_str_eq(listing(cmd), "MANIFEST MANIFEST.sig a.txt ");
	finish();
}

Test(cli_outputs, load_reject_write_errors_load_nothing)
{
	char cmd[512];

	fresh("t_outputs_reject");
	snprintf(cmd, sizeof(cmd),
		 "printf 'ref,kind,name,supplier,source\\nP1,person,A,ML,s\\nP2,nobody,B,ML,s\\n' "
		 "> %s/p.csv",
		 dir);
	cr_assert_eq(system(cmd), 0);
	cr_assert_eq(run(-1, "load party p.csv --reject /sys/kernel/rej.csv"), 1);
	cr_assert_str_eq(err, "iffa: load: /sys/kernel/rej.csv: cannot create a temporary file "
			      "next to it: Permission denied; nothing was written\n");
	cr_assert_eq(run(-1, "load party p.csv --reject /nonexistent-iffa/rej.csv"), 1);
	cr_assert_str_eq(err, "iffa: load: /nonexistent-iffa/rej.csv: cannot create a temporary "
			      "file next to it: No such file or directory; nothing was written\n");
	/* The reject file cannot be written at the end: the load is undone. */
	cr_assert_eq(run(0, "load party p.csv --reject rej.csv"), 1);
	cr_assert_str_eq(err, "iffa: load: rej.csv: writing: File too large; nothing was "
			      "written\n");
	cr_assert_str_eq(listing(dir), "p.csv ");
	cr_assert_eq(scalar("SELECT count(*) FROM party"), 0);
	cr_assert_eq(scalar("SELECT count(*) FROM load_batch"), 0);
	/* Every one of these refusals is in the audit log. */
	cr_assert_eq(scalar("SELECT count(*) FROM audit_log WHERE command = 'load' AND "
			    "detail->>'ok' = 'false'"),
		     3);
	finish();
}

Test(cli_outputs, share_export_write_errors_leave_no_file)
{
	char cmd[512];

	fresh("t_outputs_share");
	snprintf(cmd, sizeof(cmd),
		 "head -c 48 /dev/urandom > %s/shared.key && chmod 600 %s/shared.key", dir, dir);
	cr_assert_eq(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "load party %s", testdb_resource("load/party.csv"));
	cr_assert_eq(run(-1, cmd), 0, "%s", err);
	snprintf(cmd, sizeof(cmd), "load account %s", testdb_resource("load/account.csv"));
	cr_assert_eq(run(-1, cmd), 0, "%s", err);
	cr_assert_eq(run(-1, "share export --key-file shared.key --out /sys/kernel/x.csv"), 1);
	cr_assert(strstr(err, "/sys/kernel/x.csv") && strstr(err, "Permission denied\n"), "%s",
		  err);
	cr_assert_eq(run(-1, "share export --key-file shared.key --out /nonexistent-iffa/x.csv"),
		     1);
	cr_assert(strstr(err, "/nonexistent-iffa/x.csv") &&
			  strstr(err, "No such file or directory\n"),
		  "%s", err);
	cr_assert_eq(run(0, "share export --key-file shared.key --out flows.csv"), 1);
	cr_assert(strstr(err, "writing flows.csv: File too large\n"), "%s", err);
	cr_assert_str_eq(listing(dir), "shared.key ");
	finish();
}

Test(cli_outputs, standard_output_on_a_full_disk_is_an_error)
{
	/* In this order: the list imported (its output lost) is then screened. */
	static const char *const commands[] = {"summary", "--json summary", "db init",
					       "lists import ", "screen 'Iyad Ag Ghaly'",
					       "--json screen 'Iyad Ag Ghaly'"};
	char cmd[1024], args[512];

	fresh("t_outputs_stdout");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		int status;
		FILE *f;
		size_t n;

		snprintf(args, sizeof(args), "%s%s", commands[i],
			 strstr(commands[i], "lists") ? testdb_resource("lists/un-sample-v1.xml")
						      : "");
		snprintf(cmd, sizeof(cmd), "%s --db '%s' %s >/dev/full 2>%s/err", testdb_iffa_bin(),
			 ci, args, dir);
		status = system(cmd);
		cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1, "%s: %d", args, status);
		snprintf(cmd, sizeof(cmd), "%s/err", dir);
		cr_assert_not_null(f = fopen(cmd, "rb"));
		n = fread(err, 1, sizeof(err) - 1, f);
		err[n] = '\0';
		fclose(f);
		cr_assert_str_eq(err, "iffa: writing standard output: No space left on device\n",
				 "%s", args);
	}
	/* The verdicts that could not be shown were recorded all the same. */
	cr_assert_eq(scalar("SELECT count(*) FROM audit_log WHERE command = 'screen'"), 2);
	finish();
}
