/*
 * Keys, signed manifests and their audit records, on the real server:
 * the private key is created 0600 and never overwritten; a signed
 * directory verifies; a changed, added, missing or non-regular file is
 * named; a wrong key, a changed MANIFEST or MANIFEST.sig fail; every
 * operation is in audit_log and no secret is.
 */
#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "support/testdb.h"

static char ci[128];
static char dir[64];
static iffa_db *db;

static void setup(const char *name)
{
	testdb_fresh(ci, sizeof(ci), name, 1);
	db = testdb_connect(ci);
	snprintf(dir, sizeof(dir), "/tmp/iffa-t-crypto-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	umask(022);
}

static void teardown(void)
{
	char cmd[128];

	iffa_db_free(db);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

/* dir/name in a rotating static buffer (several live at once). */
static const char *at(const char *name)
{
	static char buf[8][256];
	static int i;

	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

static void put(const char *name, const char *content, mode_t mode)
{
	int fd = open(at(name), O_WRONLY | O_CREAT | O_TRUNC, mode);

	cr_assert_geq(fd, 0, "create %s", at(name));
	cr_assert_eq(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	cr_assert_eq(fchmod(fd, mode), 0);
	close(fd);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	cr_assert_not_null(f, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

static void sha256_file(char out[65], const char *path)
{
	unsigned char md[32];
	unsigned int n = 0;
	size_t len;
	char *s = slurp(path, &len);

	cr_assert(EVP_Digest(s, len, md, &n, EVP_sha256(), NULL));
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
	free(s);
}

static void keygen(const char *name, const iffa_crypto_key_options *o)
{
	iffa_crypto_keygen_result r;

	cr_assert_eq(iffa_crypto_keygen(&r, db, at(name), o), 0, "keygen: %s", iffa_error_last());
}

/* A report directory: two files at the top, one below. */
static void make_report(void)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/report", dir);
	cr_assert_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/report/annex", dir);
	cr_assert_eq(mkdir(path, 0755), 0);
	put("report/a.txt", "hello\n", 0644);
	put("report/findings.csv", "id,score\n1,0.9\n", 0644);
	put("report/annex/b.csv", "x\n", 0644);
}

/* Entries of dir/sub whose name holds ".tmp-" (temporary files left over). */
static int tmp_files(const char *sub)
{
	DIR *d = opendir(at(sub));
	struct dirent *e;
	int n = 0;

	cr_assert_not_null(d);
	while ((e = readdir(d)) != NULL)
		n += strstr(e->d_name, ".tmp-") != NULL;
	closedir(d);
	return n;
}

static void sign(void)
{
	iffa_crypto_sign_result r;

	cr_assert_eq(iffa_crypto_sign_dir(&r, db, at("report"), at("k"), NULL), 0, "sign: %s",
		     iffa_error_last());
	cr_assert_eq(r.files, 3);
}

/* Verify report with `pub`; return the code, keeping the result in *r. */
static int verify(iffa_crypto_verify_result *r, const char *pub)
{
	return iffa_crypto_verify_dir(r, db, at("report"), at(pub));
}

static const iffa_crypto_problem *problem(const iffa_crypto_verify_result *r,
					  iffa_crypto_problem_kind kind, const char *path)
{
	for (size_t i = 0; i < r->nproblems; i++)
		if (r->problems[i].kind == kind && strcmp(r->problems[i].path, path) == 0)
			return &r->problems[i];
	return NULL;
}

Test(crypto_keygen, private_key_is_0600_and_never_overwritten)
{
	struct stat st;
	char *before, *before_pub, *after, *after_pub;
	iffa_crypto_keygen_result r;

	setup("t_crypto_keygen");
	keygen("k", NULL);
	cr_assert_eq(stat(at("k"), &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0600, "mode %04o", (unsigned)(st.st_mode & 07777));
	cr_assert_eq(stat(at("k.pub"), &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0644);
	before = slurp(at("k"), NULL);
	before_pub = slurp(at("k.pub"), NULL);
	cr_assert(strncmp(before, "-----BEGIN PRIVATE KEY-----\n", 28) == 0, "%s", before);
	cr_assert(strncmp(before_pub, "-----BEGIN PUBLIC KEY-----\n", 27) == 0);

	/* A second keygen on the same name is refused and changes nothing. */
	cr_assert_eq(iffa_crypto_keygen(&r, db, at("k"), NULL), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "exists") != NULL, "%s", iffa_error_last());
	after = slurp(at("k"), NULL);
	after_pub = slurp(at("k.pub"), NULL);
	cr_assert_str_eq(after, before);
	cr_assert_str_eq(after_pub, before_pub);

	/* A stale .pub alone refuses too, and no private key is left behind. */
	put("j.pub", "old\n", 0644);
	cr_assert_eq(iffa_crypto_keygen(&r, db, at("j"), NULL), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "j.pub exists") != NULL, "%s", iffa_error_last());
	cr_assert_neq(access(at("j"), F_OK), 0);

	/* A symbolic link in the key's place is not followed. */
	cr_assert_eq(symlink(at("elsewhere"), at("l")), 0);
	cr_assert_eq(iffa_crypto_keygen(&r, db, at("l"), NULL), IFFA_EINVAL);
	cr_assert_neq(access(at("elsewhere"), F_OK), 0);

	/* One successful key, three refusals: all recorded. */
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM audit_log WHERE command = 'keygen' "
				       "AND (detail->>'ok')::boolean"),
		     1);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM audit_log WHERE command = 'keygen' "
				       "AND NOT (detail->>'ok')::boolean"),
		     3);
	free(before);
	free(before_pub);
	free(after);
	free(after_pub);
	teardown();
}

Test(crypto_keygen, the_umask_only_narrows_the_mode)
{
	struct stat st;

	setup("t_crypto_umask");
	umask(077);
	keygen("k", NULL);
	cr_assert_eq(stat(at("k"), &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0600);
	cr_assert_eq(stat(at("k.pub"), &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0600);
	teardown();
}

Test(crypto_keygen, passphrase_encrypts_the_key_and_never_reaches_the_log)
{
	iffa_crypto_key_options o = IFFA_CRYPTO_KEY_OPTIONS_INIT;
	iffa_crypto_sign_result s;
	iffa_crypto_keygen_result r;
	char *pem;

	setup("t_crypto_pass");
	make_report();
	put("pass", "Tombouctou-s3cret-2026\n", 0600);
	o.passphrase_file = at("pass");
	keygen("k", &o);
	pem = slurp(at("k"), NULL);
	cr_assert(strncmp(pem, "-----BEGIN ENCRYPTED PRIVATE KEY-----\n", 38) == 0, "%s", pem);
	free(pem);

	/* Without the passphrase, with a wrong one, with the right one. */
	cr_assert_eq(iffa_crypto_sign_dir(&s, db, at("report"), at("k"), NULL), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "is encrypted") != NULL, "%s", iffa_error_last());
	o.passphrase_file = NULL;
	o.passphrase_env = "T_CRYPTO_PASSPHRASE";
	setenv("T_CRYPTO_PASSPHRASE", "Tombouctou-wrong", 1);
	cr_assert_eq(iffa_crypto_sign_dir(&s, db, at("report"), at("k"), &o), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "cannot decrypt") != NULL, "%s", iffa_error_last());
	setenv("T_CRYPTO_PASSPHRASE", "Tombouctou-s3cret-2026", 1);
	cr_assert_eq(iffa_crypto_sign_dir(&s, db, at("report"), at("k"), &o), 0, "%s",
		     iffa_error_last());
	unsetenv("T_CRYPTO_PASSPHRASE");
	cr_assert_eq(iffa_crypto_sign_dir(&s, db, at("report"), at("k"), &o), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "T_CRYPTO_PASSPHRASE is not set") != NULL, "%s",
		  iffa_error_last());

	/* A passphrase file everyone can read is refused; so is an empty passphrase. */
	put("open", "Tombouctou-s3cret-2026\n", 0644);
	o.passphrase_env = NULL;
	o.passphrase_file = at("open");
	cr_assert_eq(iffa_crypto_keygen(&r, db, at("k2"), &o), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "lets everyone open it") != NULL, "%s",
		  iffa_error_last());
	cr_assert_neq(access(at("k2"), F_OK), 0);
	put("empty", "\n", 0600);
	o.passphrase_file = at("empty");
	cr_assert_eq(iffa_crypto_keygen(&r, db, at("k2"), &o), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "empty") != NULL, "%s", iffa_error_last());

	/* The passphrase is in no audit record and no error message. */
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM audit_log WHERE "
				       "concat(params::text, detail::text) LIKE '%s3cret%'"),
		     0);
	cr_assert_gt(testdb_scalar(db, "SELECT count(*) FROM audit_log WHERE "
				       "params->>'passphrase' IN ('file', 'env')"),
		     0);
	teardown();
}

Test(crypto_keygen, a_private_key_others_can_read_is_refused_for_signing)
{
	iffa_crypto_sign_result s;

	setup("t_crypto_keymode");
	make_report();
	keygen("k", NULL);
	cr_assert_eq(chmod(at("k"), 0640), 0);
	cr_assert_eq(iffa_crypto_sign_dir(&s, db, at("report"), at("k"), NULL), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "lets the group open it") != NULL, "%s",
		  iffa_error_last());
	cr_assert_neq(access(at("report/MANIFEST"), F_OK), 0);
	teardown();
}

Test(crypto_sign, sign_then_verify_is_intact)
{
	iffa_crypto_verify_result v;
	iffa_crypto_sign_result s;
	char *manifest, *sig, sha[65], cmd[1024];
	size_t siglen;

	setup("t_crypto_sign");
	make_report();
	keygen("k", NULL);
	cr_assert_eq(iffa_crypto_sign_dir(&s, db, at("report"), at("k"), NULL), 0, "%s",
		     iffa_error_last());
	cr_assert_eq(s.files, 3);
	cr_assert_eq(s.bytes, 6 + 15 + 2);

	/* Sorted by path, byte order: "a.txt" < "annex/b.csv" < "findings.csv". */
	manifest = slurp(at("report/MANIFEST"), NULL);
	cr_assert_str_eq(manifest,
			 "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03 6 a.txt\n"
			 "73cb3858a687a8494ca3323053016282f3dad39d42cf62ca4e79dda2aac7d9ac 2 annex/b.csv\n"
			 "5070e44b0abddb38d93af364e5c09738e974b0c80dcedb6511557c4fd7f5fdf8 15 findings.csv\n",
			 "%s", manifest);
	sha256_file(sha, at("report/MANIFEST"));
	cr_assert_str_eq(sha, s.manifest_sha256);
	sig = slurp(at("report/MANIFEST.sig"), &siglen);
	cr_assert_eq(siglen, 89);
	cr_assert_eq(sig[88], '\n');

	/* OpenSSL's own tool accepts the signature (the format is plain Ed25519). */
	snprintf(cmd, sizeof(cmd),
		 "base64 -d %s > %s && openssl pkeyutl -verify -pubin -inkey %s -rawin -in %s "
		 "-sigfile %s >/dev/null",
		 at("report/MANIFEST.sig"), at("sig.bin"), at("k.pub"), at("report/MANIFEST"),
		 at("sig.bin"));
	cr_assert_eq(system(cmd), 0, "%s", cmd);

	cr_assert_eq(verify(&v, "k.pub"), 0, "%s", iffa_error_last());
	cr_assert(v.intact && v.signature_ok);
	cr_assert_eq(v.files_listed, 3);
	cr_assert_eq(v.files_ok, 3);
	cr_assert_eq(v.nproblems, 0);
	cr_assert_str_eq(v.manifest_sha256, s.manifest_sha256);
	cr_assert_str_eq(v.key_sha256, s.key_sha256);
	cr_assert_gt(v.audit_id, 0);
	iffa_crypto_verify_result_dispose(&v);

	/* Signing again replaces both files and leaves no temporary file. */
	cr_assert_eq(iffa_crypto_sign_dir(&s, db, at("report"), at("k"), NULL), 0);
	cr_assert_eq(tmp_files("report"), 0);
	free(manifest);
	free(sig);
	teardown();
}

Test(crypto_verify, a_changed_file_is_named)
{
	iffa_crypto_verify_result v;

	setup("t_crypto_changed");
	make_report();
	keygen("k", NULL);
	sign();
	/* Same size, one byte different; and another file grown. */
	put("report/a.txt", "hellO\n", 0644);
	put("report/annex/b.csv", "xy\n", 0644);
	cr_assert_eq(verify(&v, "k.pub"), IFFA_EINVAL);
	cr_assert(v.signature_ok);
	cr_assert_not(v.intact);
	cr_assert_eq(v.nproblems, 2);
	cr_assert_not_null(problem(&v, IFFA_CRYPTO_CHANGED, "a.txt"));
	cr_assert_not_null(problem(&v, IFFA_CRYPTO_CHANGED, "annex/b.csv"));
	cr_assert_eq(v.files_ok, 1);
	cr_assert(strstr(iffa_error_last(), "2 changed, 0 added, 0 missing") != NULL, "%s",
		  iffa_error_last());
	iffa_crypto_verify_result_dispose(&v);
	teardown();
}

Test(crypto_verify, added_missing_and_non_regular_files_are_named)
{
	iffa_crypto_verify_result v;

	setup("t_crypto_added");
	make_report();
	keygen("k", NULL);
	sign();
	put("report/annex/new.txt", "slipped in\n", 0644);
	cr_assert_eq(unlink(at("report/findings.csv")), 0);
	cr_assert_eq(symlink("a.txt", at("report/link")), 0);
	cr_assert_eq(mkfifo(at("report/annex/pipe"), 0644), 0);
	cr_assert_eq(verify(&v, "k.pub"), IFFA_EINVAL);
	cr_assert(v.signature_ok);
	cr_assert_eq(v.nproblems, 4);
	/* Sorted by path. */
	cr_assert_eq(v.problems[0].kind, IFFA_CRYPTO_ADDED);
	cr_assert_str_eq(v.problems[0].path, "annex/new.txt");
	cr_assert_eq(v.problems[1].kind, IFFA_CRYPTO_NOT_REGULAR);
	cr_assert_str_eq(v.problems[1].path, "annex/pipe");
	cr_assert_eq(v.problems[2].kind, IFFA_CRYPTO_MISSING);
	cr_assert_str_eq(v.problems[2].path, "findings.csv");
	cr_assert_eq(v.problems[3].kind, IFFA_CRYPTO_NOT_REGULAR);
	cr_assert_str_eq(v.problems[3].path, "link");
	cr_assert_eq(v.files_ok, 2);
	iffa_crypto_verify_result_dispose(&v);

	/* The record names them too. */
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM audit_log, "
				       "jsonb_array_elements(detail->'problems') p "
				       "WHERE command = 'verify' AND NOT (detail->>'intact')::boolean "
				       "AND p->>'kind' IN ('added', 'missing', 'not_regular')"),
		     4);
	teardown();
}

Test(crypto_sign, links_and_special_files_refuse_the_directory)
{
	iffa_crypto_sign_result s;

	setup("t_crypto_links");
	make_report();
	keygen("k", NULL);
	cr_assert_eq(symlink("/etc/passwd", at("report/annex/passwd")), 0);
	cr_assert_eq(iffa_crypto_sign_dir(&s, db, at("report"), at("k"), NULL), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "annex/passwd: a symbolic link") != NULL, "%s",
		  iffa_error_last());
	cr_assert_neq(access(at("report/MANIFEST"), F_OK), 0);
	cr_assert_neq(access(at("report/MANIFEST.sig"), F_OK), 0);
	cr_assert_eq(unlink(at("report/annex/passwd")), 0);

	/* A link to a directory is not entered either. */
	cr_assert_eq(symlink("/etc", at("report/etc")), 0);
	cr_assert_eq(iffa_crypto_sign_dir(&s, db, at("report"), at("k"), NULL), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "etc: a symbolic link") != NULL, "%s",
		  iffa_error_last());
	cr_assert_eq(unlink(at("report/etc")), 0);

	cr_assert_eq(mkfifo(at("report/fifo"), 0644), 0);
	cr_assert_eq(iffa_crypto_sign_dir(&s, db, at("report"), at("k"), NULL), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "fifo: a FIFO") != NULL, "%s", iffa_error_last());
	cr_assert_neq(access(at("report/MANIFEST"), F_OK), 0);
	teardown();
}

Test(crypto_verify, a_wrong_public_key_fails)
{
	iffa_crypto_verify_result v;

	setup("t_crypto_wrongkey");
	make_report();
	keygen("k", NULL);
	keygen("other", NULL);
	sign();
	cr_assert_eq(verify(&v, "other.pub"), IFFA_EINVAL);
	cr_assert_not(v.signature_ok);
	cr_assert_not(v.intact);
	cr_assert_eq(v.files_listed, 0);
	cr_assert_eq(v.nproblems, 0);
	cr_assert(strstr(iffa_error_last(), "signature does not verify") != NULL, "%s",
		  iffa_error_last());
	iffa_crypto_verify_result_dispose(&v);

	/* A private key where the public one belongs is refused plainly. */
	cr_assert_eq(verify(&v, "k"), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "private key") != NULL, "%s", iffa_error_last());
	iffa_crypto_verify_result_dispose(&v);
	teardown();
}

/* Replace the byte at `offset` of `path` by `c`. */
static void poke(const char *path, long offset, char c)
{
	FILE *f = fopen(path, "r+b");

	cr_assert_not_null(f);
	cr_assert_eq(fseek(f, offset, SEEK_SET), 0);
	cr_assert_eq(fputc(c, f), c);
	cr_assert_eq(fclose(f), 0);
}

Test(crypto_verify, a_changed_manifest_or_signature_fails)
{
	iffa_crypto_verify_result v;
	char *manifest, *sig, *forged, line[128], sha[65];
	size_t len;

	setup("t_crypto_tamper");
	make_report();
	keygen("k", NULL);
	sign();
	manifest = slurp(at("report/MANIFEST"), &len);
	sig = slurp(at("report/MANIFEST.sig"), NULL);

	/* The forger changes a file and writes its new digest into MANIFEST. */
	put("report/a.txt", "forged\n", 0644);
	sha256_file(sha, at("report/a.txt"));
	snprintf(line, sizeof(line), "%s 7 a.txt\n", sha);
	forged = malloc(len + 64);
	strcpy(forged, line);
	strcat(forged, strchr(manifest, '\n') + 1);
	put("report/MANIFEST", forged, 0644);
	cr_assert_eq(verify(&v, "k.pub"), IFFA_EINVAL);
	cr_assert_not(v.signature_ok);
	cr_assert(strstr(iffa_error_last(), "signature does not verify") != NULL, "%s",
		  iffa_error_last());
	iffa_crypto_verify_result_dispose(&v);
	put("report/a.txt", "hello\n", 0644);

	/* One more line (a file added to MANIFEST by hand). */
	put("report/MANIFEST", manifest, 0644);
	cr_assert_eq(verify(&v, "k.pub"), 0, "%s", iffa_error_last());
	iffa_crypto_verify_result_dispose(&v);
	snprintf(forged, len + 64, "%s%s 0 zz\n", manifest,
		 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	put("report/MANIFEST", forged, 0644);
	cr_assert_eq(verify(&v, "k.pub"), IFFA_EINVAL);
	cr_assert_not(v.signature_ok);
	iffa_crypto_verify_result_dispose(&v);
	put("report/MANIFEST", manifest, 0644);

	/* One character of the signature changed. */
	poke(at("report/MANIFEST.sig"), 10, sig[10] == 'A' ? 'B' : 'A');
	cr_assert_eq(verify(&v, "k.pub"), IFFA_EINVAL);
	cr_assert_not(v.signature_ok);
	iffa_crypto_verify_result_dispose(&v);

	/* Not base64, cut short, gone. */
	put("report/MANIFEST.sig", "not a signature\n", 0644);
	cr_assert_eq(verify(&v, "k.pub"), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "not one Ed25519 signature") != NULL, "%s",
		  iffa_error_last());
	iffa_crypto_verify_result_dispose(&v);
	cr_assert_eq(unlink(at("report/MANIFEST.sig")), 0);
	cr_assert_eq(verify(&v, "k.pub"), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "MANIFEST.sig: no such file") != NULL, "%s",
		  iffa_error_last());
	iffa_crypto_verify_result_dispose(&v);

	/* The original pair still verifies. */
	put("report/MANIFEST.sig", sig, 0644);
	cr_assert_eq(verify(&v, "k.pub"), 0, "%s", iffa_error_last());
	iffa_crypto_verify_result_dispose(&v);
	free(manifest);
	free(sig);
	free(forged);
	teardown();
}

Test(crypto_audit, every_operation_is_recorded_and_no_key_material_is)
{
	iffa_crypto_verify_result v;
	iffa_crypto_sign_result s;
	char *pem, *body, sql[1024];

	setup("t_crypto_audit");
	make_report();
	keygen("k", NULL);
	cr_assert_eq(iffa_crypto_sign_dir(&s, db, at("report"), at("k"), NULL), 0);
	cr_assert_eq(verify(&v, "k.pub"), 0);
	iffa_crypto_verify_result_dispose(&v);
	put("report/a.txt", "hellO\n", 0644);
	cr_assert_eq(verify(&v, "k.pub"), IFFA_EINVAL);
	iffa_crypto_verify_result_dispose(&v);

	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM audit_log WHERE command = 'keygen'"), 1);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM audit_log WHERE command = 'sign' AND output_sha256 = '%s' "
		 "AND rows_affected = 3 AND params->>'key' = '%s' AND os_user IS NOT NULL "
		 "AND db_role = current_user AND detail->>'key_sha256' = '%s'",
		 s.manifest_sha256, at("k"), s.key_sha256);
	cr_assert_eq(testdb_scalar(db, sql), 1);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM audit_log WHERE command = 'verify' AND output_sha256 = '%s'",
		 s.manifest_sha256);
	cr_assert_eq(testdb_scalar(db, sql), 2);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM audit_log WHERE command = 'verify' "
				       "AND (detail->>'intact')::boolean"),
		     1);

	/* No line of the private key's PEM body is anywhere in the log. */
	pem = slurp(at("k"), NULL);
	body = strchr(pem, '\n') + 1;
	*strchr(body, '\n') = '\0';
	cr_assert_gt(strlen(body), 40);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM audit_log WHERE strpos(concat(params::text, detail::text, "
		 "output_sha256), '%s') > 0 OR concat(params::text, detail::text) LIKE "
		 "'%%PRIVATE KEY%%'",
		 body);
	cr_assert_eq(testdb_scalar(db, sql), 0);
	free(pem);
	teardown();
}

/* A login role in group iffa_<group> (roles are cluster-wide). */
static iffa_db *connect_as(const char *login, const char *group)
{
	char sql[512], c[256];
	PGresult *res;

	snprintf(sql, sizeof(sql),
		 "DO $$ BEGIN CREATE ROLE %s LOGIN IN ROLE iffa_%s; "
		 "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$",
		 login, group);
	res = PQexec(iffa_db_conn(db), sql);
	cr_assert_eq(PQresultStatus(res), PGRES_COMMAND_OK, "%s", PQerrorMessage(iffa_db_conn(db)));
	PQclear(res);
	snprintf(c, sizeof(c), "%s user=%s", ci, login);
	return testdb_connect(c);
}

Test(crypto_audit, readers_sign_and_auditors_verify_through_the_audit_function)
{
	iffa_crypto_verify_result v;
	iffa_crypto_sign_result s;
	iffa_db *reader, *auditor;
	PGresult *res;

	setup("t_crypto_roles");
	make_report();
	keygen("k", NULL);
	reader = connect_as("t_crypto_reader", "reader");
	auditor = connect_as("t_crypto_auditor", "auditor");
	cr_assert_eq(iffa_crypto_sign_dir(&s, reader, at("report"), at("k"), NULL), 0, "%s",
		     iffa_error_last());
	cr_assert_eq(iffa_crypto_verify_dir(&v, auditor, at("report"), at("k.pub")), 0, "%s",
		     iffa_error_last());
	iffa_crypto_verify_result_dispose(&v);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM audit_log WHERE command = 'sign' "
				       "AND db_role = 't_crypto_reader'"),
		     1);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM audit_log WHERE command = 'verify' "
				       "AND db_role = 't_crypto_auditor'"),
		     1);

	/* The function writes these commands only; INSERT stays refused. */
	res = PQexec(iffa_db_conn(auditor), "SELECT iffa_audit_crypto('x', 'load', '{}', 1, "
					    "NULL, NULL)");
	cr_assert_str_eq(PQresultErrorField(res, PG_DIAG_SQLSTATE), "22023");
	PQclear(res);
	res = PQexec(iffa_db_conn(auditor), "INSERT INTO audit_log (command) VALUES ('verify')");
	cr_assert_str_eq(PQresultErrorField(res, PG_DIAG_SQLSTATE), "42501");
	PQclear(res);
	res = PQexec(iffa_db_conn(reader), "SELECT iffa_audit_crypto('x', 'sign', '{}', 1, "
					   "'not hex', NULL)");
	cr_assert_str_eq(PQresultErrorField(res, PG_DIAG_SQLSTATE), "22023");
	PQclear(res);
	iffa_db_free(reader);
	iffa_db_free(auditor);
	teardown();
}

Test(crypto_audit, nothing_is_kept_when_the_record_cannot_be_written)
{
	iffa_crypto_keygen_result r;
	iffa_crypto_sign_result s;
	iffa_crypto_verify_result v;
	iffa_db *nobody;
	PGresult *res;
	char c[256];

	setup("t_crypto_noaudit");
	make_report();
	keygen("k", NULL);
	/* A role outside every iffa group may not call the audit function. */
	res = PQexec(iffa_db_conn(db), "DO $$ BEGIN CREATE ROLE t_crypto_nobody LOGIN; "
				       "EXCEPTION WHEN duplicate_object OR unique_violation THEN "
				       "NULL; END $$");
	cr_assert_eq(PQresultStatus(res), PGRES_COMMAND_OK);
	PQclear(res);
	snprintf(c, sizeof(c), "%s user=t_crypto_nobody", ci);
	nobody = testdb_connect(c);

	cr_assert_eq(iffa_crypto_keygen(&r, nobody, at("k2"), NULL), IFFA_EDB);
	cr_assert_neq(access(at("k2"), F_OK), 0);
	cr_assert_neq(access(at("k2.pub"), F_OK), 0);
	cr_assert_eq(iffa_crypto_sign_dir(&s, nobody, at("report"), at("k"), NULL), IFFA_EDB);
	cr_assert_neq(access(at("report/MANIFEST"), F_OK), 0);
	cr_assert_neq(access(at("report/MANIFEST.sig"), F_OK), 0);
	cr_assert_eq(tmp_files("report"), 0);

	sign();
	cr_assert_eq(iffa_crypto_verify_dir(&v, nobody, at("report"), at("k.pub")), IFFA_EDB);
	cr_assert_not(v.intact);
	iffa_crypto_verify_result_dispose(&v);
	iffa_db_free(nobody);
	teardown();
}
