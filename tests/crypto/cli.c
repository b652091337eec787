/*
 * iffa keygen, sign and verify as a user runs them: command, expected
 * output and exit code, against the real server.
 */
#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "support/testdb.h"

static char ci[128];
static char dir[64];
static char out[16384], err[16384];

static void slurp(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	cr_assert_not_null(f);
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* Run `iffa --db CI ARGS` in the test's directory; returns the exit code. */
static int run(const char *args)
{
	char cmd[2048], o[128], e[128];
	int status;

	snprintf(o, sizeof(o), "%s/.stdout", dir);
	snprintf(e, sizeof(e), "%s/.stderr", dir);
	snprintf(cmd, sizeof(cmd), "cd %s && %s --db '%s' %s >%s 2>%s", dir, testdb_iffa_bin(), ci,
		 args, o, e);
	status = system(cmd);
	cr_assert(WIFEXITED(status), "%s", cmd);
	slurp(o, out, sizeof(out));
	slurp(e, err, sizeof(err));
	cr_assert(strstr(err, "Sanitizer") == NULL && strstr(err, "runtime error") == NULL,
		  "%s", err);
	return WEXITSTATUS(status);
}

Test(crypto_cli, keygen_sign_verify_and_tampering)
{
	char cmd[1024];
	struct stat st;

	testdb_fresh(ci, sizeof(ci), "t_crypto_cli", 1);
	snprintf(dir, sizeof(dir), "/tmp/iffa-t-crypto-cli-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));

	cr_assert_eq(run("keygen --out fiu.key"), 0, "%s", err);
	cr_assert(strstr(out, "fiu.key: Ed25519 private key, NOT encrypted, mode 0600\n") == out,
		  "%s", out);
	cr_assert_null(strstr(out, "PRIVATE KEY"));
	snprintf(cmd, sizeof(cmd), "%s/fiu.key", dir);
	cr_assert_eq(stat(cmd, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	cr_assert_eq(run("keygen --out fiu.key"), 3);
	cr_assert_str_eq(err, "iffa: keygen: key file fiu.key exists; iffa never overwrites a key, "
			      "nothing was written\n");
	cr_assert_eq(run("keygen --out other.key --passphrase hunter2"), 2);
	cr_assert(strstr(err, "never taken from the command line") != NULL, "%s", err);

	cr_assert_eq(run("help verify"), 0);
	cr_assert(strstr(out, "usage: iffa verify DIR --pubkey KEY.pub") == out, "%s", out);

	snprintf(cmd, sizeof(cmd), "mkdir -p %s/rep/annex && printf 'hello\\n' > %s/rep/a.txt && "
				   "printf 'x\\n' > %s/rep/annex/b.csv",
		 dir, dir, dir);
	cr_assert_eq(system(cmd), 0);
	cr_assert_eq(run("sign rep --key fiu.key"), 0, "%s", err);
	cr_assert(strstr(out, "rep: 2 files (8 bytes) signed\n") == out, "%s", out);
	cr_assert_eq(run("verify rep --pubkey fiu.key.pub"), 0, "%s", err);
	cr_assert(strstr(out, "rep: intact: signature good") == out, "%s", out);

	snprintf(cmd, sizeof(cmd), "printf 'hellO\\n' > %s/rep/a.txt && rm %s/rep/annex/b.csv && "
				   "touch %s/rep/extra",
		 dir, dir, dir);
	cr_assert_eq(system(cmd), 0);
	cr_assert_eq(run("verify rep --pubkey fiu.key.pub"), 3);
	cr_assert_str_eq(out, "changed      a.txt\n"
			      "missing      annex/b.csv\n"
			      "added        extra\n");
	cr_assert_str_eq(err, "iffa: verify: rep: not as signed: 1 changed, 1 added, 1 missing, "
			      "0 not regular\n");
	cr_assert_eq(run("verify rep --pubkey fiu.key.pub --json"), 3);
	cr_assert(strstr(out, "\"intact\":false,\"signature_ok\":true,") != NULL, "%s", out);
	cr_assert(strstr(out, "\"problems\":[{\"kind\":\"changed\",\"path\":\"a.txt\"},"
			      "{\"kind\":\"missing\",\"path\":\"annex/b.csv\"},"
			      "{\"kind\":\"added\",\"path\":\"extra\"}]") != NULL,
		  "%s", out);

	/* A wrong key: no file is judged. */
	cr_assert_eq(run("keygen --out other.key"), 0);
	cr_assert_eq(run("verify rep --pubkey other.key.pub"), 3);
	cr_assert_str_eq(out, "");
	cr_assert(strstr(err, "the signature does not verify with other.key.pub") != NULL, "%s",
		  err);

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}
