/*
 * Signed directories: DIR/MANIFEST lists every regular file under DIR,
 * sorted by path, one line each:
 *
 *   <SHA-256, 64 lower-case hex> SP <size in bytes, decimal> SP <path> LF
 *
 * with paths relative to DIR, '/'-separated, UTF-8 without control
 * characters, compared byte by byte (strcmp) for the order. MANIFEST and
 * MANIFEST.sig at the top are not listed. DIR/MANIFEST.sig is the Ed25519
 * signature (RFC 8032, pure: the MANIFEST bytes are the message) in
 * standard base64 (RFC 4648, 88 characters) and one LF.
 *
 * Signing walks the tree (walk.c), hashes each file, writes both files
 * under temporary names, records the signature in audit_log and renames
 * them into place. Verifying checks the signature before reading a line of
 * the manifest, then merges the listed files with the files found.
 * Time complexity: O(bytes hashed + n log n) for n files.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>

#include "core/jsonbuf.h"
#include "crypto/crypto.h"

#define MANIFEST_MAX (256u << 20) /* bytes of MANIFEST read back */
#define SIG_LEN 64                 /* Ed25519 signature */
#define SIG_B64_LEN 88             /* its base64 form */
#define AUDIT_PROBLEMS_MAX 1000    /* problems listed in an audit record */

typedef struct {
	char *path;
	unsigned char md[32];
	unsigned long long size;
	int seen; /* verify: found in the directory */
} entry;

typedef struct {
	entry *v;
	size_t n, cap;
} entries;

static void entries_free(entries *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].path);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

static entry *entries_add(entries *l, const char *path, size_t len)
{
	entry *e;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		entry *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		l->v = v;
		l->cap = cap;
	}
	e = &l->v[l->n];
	memset(e, 0, sizeof(*e));
	if (!(e->path = malloc(len + 1)))
		return NULL;
	memcpy(e->path, path, len);
	e->path[len] = '\0';
	l->n++;
	return e;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const entry *)a)->path, ((const entry *)b)->path);
}

static const char *kind_of(const struct stat *st)
{
	if (S_ISLNK(st->st_mode))
		return "a symbolic link";
	if (S_ISFIFO(st->st_mode))
		return "a FIFO";
	if (S_ISSOCK(st->st_mode))
		return "a socket";
	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
		return "a device";
	return "not a regular file";
}

const char *iffa_crypto_problem_name(iffa_crypto_problem_kind kind)
{
	switch (kind) {
	case IFFA_CRYPTO_CHANGED: return "changed";
	case IFFA_CRYPTO_ADDED: return "added";
	case IFFA_CRYPTO_MISSING: return "missing";
	case IFFA_CRYPTO_NOT_REGULAR: return "not_regular";
	}
	return "unknown";
}

/* DIR/NAME in a fresh string. */
static char *join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

/* Hash the regular file `name` in `dirfd`. */
static int hash_file(unsigned char md[32], unsigned long long *size, int dirfd, const char *name,
		     const char *top, const char *path)
{
	char *what = join(top, path);
	int fd, error;

	if (!what)
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	if ((fd = iffa_crypto__open_regular(dirfd, name, what)) < 0) {
		free(what);
		return fd;
	}
	error = iffa_crypto__sha256_fd(md, size, fd, what);
	close(fd);
	free(what);
	return error;
}

/* Signing */

typedef struct {
	const char *dir;
	entries list;
	unsigned long long bytes;
} sign_walk;

static int sign_visit(void *payload, int dirfd, const char *name, const char *path,
		      const struct stat *st)
{
	sign_walk *w = payload;
	entry *e;

	if (!S_ISREG(st->st_mode))
		return iffa_error_set(IFFA_EINVAL,
				      "%s/%s: %s; only regular files can be signed, nothing "
				      "was written",
				      w->dir, path, kind_of(st));
	if (!(e = entries_add(&w->list, path, strlen(path))))
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	return hash_file(e->md, &e->size, dirfd, name, w->dir, path);
}

static int ed25519_sign(unsigned char sig[SIG_LEN], EVP_PKEY *key, const char *msg, size_t len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t siglen = SIG_LEN;
	int ok;

	/* Ed25519 is "pure": no digest is named, the message goes in whole. */
	ok = ctx && EVP_DigestSignInit_ex(ctx, NULL, NULL, NULL, NULL, key, NULL) == 1 &&
	     EVP_DigestSign(ctx, sig, &siglen, (const unsigned char *)(len ? msg : ""), len) == 1 &&
	     siglen == SIG_LEN;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return ok ? 0 : iffa_error_set(IFFA_ERROR, "signing the manifest failed");
}

static int write_all_to(iffa_atomicfile **out, const char *path, const void *p, size_t n,
			char sha[65])
{
	int error;

	if ((error = iffa_atomicfile__open(out, path, 0644, IFFA_ATOMICFILE_SHA256)) < 0 ||
	    (error = iffa_atomicfile__write(*out, p, n)) < 0 ||
	    (error = iffa_atomicfile__finish(*out, sha)) < 0)
		return error;
	return 0;
}

int iffa_crypto_sign_dir(iffa_crypto_sign_result *out, iffa_db *db, const char *dir,
			 const char *keyfile, const iffa_crypto_key_options *opts)
{
	sign_walk w = {dir, {NULL, 0, 0}, 0};
	iffa_jsonbuf text = IFFA_JSONBUF_INIT, params = IFFA_JSONBUF_INIT,
		     detail = IFFA_JSONBUF_INIT;
	iffa_atomicfile *mf = NULL, *sf = NULL;
	const char *source = "none";
	EVP_PKEY *key = NULL;
	unsigned char sig[SIG_LEN];
	char b64[SIG_B64_LEN + 2], sigsha[65], *mpath = NULL, *spath = NULL;
	int error = 0, audited = 0;

	memset(out, 0, sizeof(*out));
	if (!dir || !*dir || !keyfile || !*keyfile)
		return iffa_error_set(IFFA_EINVAL, "sign: a directory and a key file are needed");
	if (!db)
		return iffa_error_set(IFFA_EINVAL, "sign: a database connection is needed for the "
						   "audit record");
	iffa_jsonbuf__puts(&params, "{\"dir\":");
	iffa_crypto__json_str(&params, dir);
	iffa_jsonbuf__puts(&params, ",\"key\":");
	iffa_crypto__json_str(&params, keyfile);
	iffa_jsonbuf__printf(&params, ",\"passphrase\":\"%s\"}",
			     opts && opts->passphrase_file  ? "file"
			     : opts && opts->passphrase_env ? "env"
							    : "none");
	if (params.oom) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	if ((error = iffa_crypto__load_private(&key, &source, keyfile, opts)) < 0 ||
	    (error = iffa_crypto__fingerprint(out->key_sha256, key)) < 0 ||
	    (error = iffa_crypto__walk(dir, sign_visit, &w)) < 0)
		goto done;
	qsort(w.list.v, w.list.n, sizeof(entry), by_path);

	for (size_t i = 0; i < w.list.n; i++) {
		char hex[65];
		iffa_crypto__hex(hex, w.list.v[i].md, 32);
		iffa_jsonbuf__printf(&text, "%s %llu %s\n", hex, w.list.v[i].size,
				     w.list.v[i].path);
		out->bytes += w.list.v[i].size;
	}
	if (text.oom || !(mpath = join(dir, "MANIFEST")) || !(spath = join(dir, "MANIFEST.sig"))) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	out->files = w.list.n;
	if ((error = ed25519_sign(sig, key, text.ptr, text.len)) < 0)
		goto done;
	EVP_EncodeBlock((unsigned char *)b64, sig, SIG_LEN);
	b64[SIG_B64_LEN] = '\n';
	b64[SIG_B64_LEN + 1] = '\0';
	if ((error = write_all_to(&mf, mpath, text.ptr ? text.ptr : "", text.len,
				  out->manifest_sha256)) < 0 ||
	    (error = write_all_to(&sf, spath, b64, SIG_B64_LEN + 1, sigsha)) < 0)
		goto done;

	/* Recorded before it is in place: no signature leaves unrecorded. */
	iffa_jsonbuf__printf(&detail,
			     "{\"ok\":true,\"algorithm\":\"ED25519\",\"key_sha256\":\"%s\","
			     "\"files\":%zu,\"bytes\":%llu,\"signature_sha256\":\"%s\"}",
			     out->key_sha256, out->files, out->bytes, sigsha);
	if (detail.oom) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	audited = 1;
	if ((error = iffa_crypto__audit(&out->audit_id, db, "sign", params.ptr,
					(long long)out->files, out->manifest_sha256,
					detail.ptr)) < 0)
		goto done;
	if ((error = iffa_atomicfile__commit(mf)) < 0 ||
	    (error = iffa_atomicfile__commit(sf)) < 0)
		goto done;
done:
	if (error < 0 && !audited)
		iffa_crypto__audit_failure(db, "sign", params.ptr, error);
	iffa_atomicfile__free(mf);
	iffa_atomicfile__free(sf);
	EVP_PKEY_free(key);
	entries_free(&w.list);
	iffa_jsonbuf__dispose(&text);
	iffa_jsonbuf__dispose(&params);
	iffa_jsonbuf__dispose(&detail);
	free(mpath);
	free(spath);
	return error;
}

/* Verifying */

void iffa_crypto_verify_result_init(iffa_crypto_verify_result *r)
{
	memset(r, 0, sizeof(*r));
}

void iffa_crypto_verify_result_dispose(iffa_crypto_verify_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nproblems; i++)
		free(r->problems[i].path);
	free(r->problems);
	iffa_crypto_verify_result_init(r);
}

typedef struct {
	const char *dir;
	entries list; /* the manifest, sorted */
	iffa_crypto_verify_result *out;
	size_t cap;   /* of out->problems */
} verify_walk;

static int add_problem(verify_walk *w, iffa_crypto_problem_kind kind, const char *path)
{
	iffa_crypto_verify_result *r = w->out;

	if (r->nproblems == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 16;
		iffa_crypto_problem *v = realloc(r->problems, cap * sizeof(*v));
		if (!v)
			return iffa_error_set(IFFA_ENOMEM, "out of memory");
		r->problems = v;
		w->cap = cap;
	}
	if (!(r->problems[r->nproblems].path = strdup(path)))
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	r->problems[r->nproblems++].kind = kind;
	return 0;
}

static entry *find(entries *l, const char *path)
{
	entry key;

	key.path = (char *)path;
	return l->n ? bsearch(&key, l->v, l->n, sizeof(entry), by_path) : NULL;
}

static int verify_visit(void *payload, int dirfd, const char *name, const char *path,
			const struct stat *st)
{
	verify_walk *w = payload;
	entry *e = find(&w->list, path);
	unsigned char md[32];
	unsigned long long size;
	int error;

	if (e)
		e->seen = 1;
	if (!S_ISREG(st->st_mode))
		return add_problem(w, IFFA_CRYPTO_NOT_REGULAR, path);
	if (!e)
		return add_problem(w, IFFA_CRYPTO_ADDED, path);
	if ((unsigned long long)st->st_size != e->size)
		return add_problem(w, IFFA_CRYPTO_CHANGED, path);
	error = hash_file(md, &size, dirfd, name, w->dir, path);
	if (error == IFFA_EINVAL) /* replaced by a link or FIFO meanwhile */
		return add_problem(w, IFFA_CRYPTO_NOT_REGULAR, path);
	if (error < 0)
		return error;
	if (size != e->size || memcmp(md, e->md, 32) != 0)
		return add_problem(w, IFFA_CRYPTO_CHANGED, path);
	w->out->files_ok++;
	return 0;
}

/* Read a whole regular file `name` of `dirfd` (at most max bytes). */
static int read_small(char **out, size_t *len, int dirfd, const char *name, const char *what,
		      size_t max)
{
	char *buf = NULL;
	size_t n = 0, cap = 4096;
	int fd, error = 0;

	*out = NULL;
	*len = 0;
	if ((fd = iffa_crypto__open_regular(dirfd, name, what)) < 0) {
		if (fd == IFFA_ENOTFOUND)
			return iffa_error_set(IFFA_EINVAL, "%s: no such file; is the directory "
							   "signed?",
					      what);
		return fd;
	}
	if (!(buf = malloc(cap))) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	for (;;) {
		ssize_t r;

		if (n + 1 >= cap) {
			char *p;
			if (n > max) {
				error = iffa_error_set(IFFA_EINVAL, "%s: larger than %zu bytes", what,
						       max);
				goto done;
			}
			if (!(p = realloc(buf, cap *= 2))) {
				error = iffa_error_set(IFFA_ENOMEM, "out of memory");
				goto done;
			}
			buf = p;
		}
		r = read(fd, buf + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			error = iffa_error_set(IFFA_EIO, "reading %s: %s", what, strerror(errno));
			goto done;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > max) {
		error = iffa_error_set(IFFA_EINVAL, "%s: larger than %zu bytes", what, max);
		goto done;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	buf = NULL;
done:
	free(buf);
	close(fd);
	return error;
}

/* Base64 of exactly one signature, canonical, with an optional LF. */
static int decode_sig(unsigned char sig[SIG_LEN], const char *text, size_t len, const char *what)
{
	unsigned char buf[SIG_B64_LEN];
	char again[SIG_B64_LEN + 1];

	if (len > 0 && text[len - 1] == '\n')
		len--;
	if (len > 0 && text[len - 1] == '\r')
		len--;
	if (len != SIG_B64_LEN)
		return iffa_error_set(IFFA_EINVAL, "%s: not one Ed25519 signature in base64 "
						   "(%zu characters, %d expected)",
				      what, len, SIG_B64_LEN);
	if (EVP_DecodeBlock(buf, (const unsigned char *)text, SIG_B64_LEN) != 66)
		return iffa_error_set(IFFA_EINVAL, "%s: not valid base64", what);
	memcpy(sig, buf, SIG_LEN);
	/* One signature, one spelling: no other text decodes to it. */
	EVP_EncodeBlock((unsigned char *)again, sig, SIG_LEN);
	if (memcmp(again, text, SIG_B64_LEN) != 0)
		return iffa_error_set(IFFA_EINVAL, "%s: not valid base64", what);
	return 0;
}

static int ed25519_verify(int *ok, EVP_PKEY *key, const unsigned char sig[SIG_LEN],
			  const char *msg, size_t len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int r;

	*ok = 0;
	if (!ctx || EVP_DigestVerifyInit_ex(ctx, NULL, NULL, NULL, NULL, key, NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		ERR_clear_error();
		return iffa_error_set(IFFA_ERROR, "verifying the signature failed");
	}
	r = EVP_DigestVerify(ctx, sig, SIG_LEN, (const unsigned char *)(len ? msg : ""), len);
	*ok = r == 1;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return 0;
}

static int is_hex64(const char *s)
{
	for (int i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static int unhex(unsigned char *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int hi = s[2 * i] <= '9' ? s[2 * i] - '0' : s[2 * i] - 'a' + 10;
		int lo = s[2 * i + 1] <= '9' ? s[2 * i + 1] - '0' : s[2 * i + 1] - 'a' + 10;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/* A path as signing writes them: relative, no empty, "." or ".." part. */
static int good_path(const char *p, size_t n)
{
	size_t start = 0;

	if (n == 0 || p[0] == '/' || p[n - 1] == '/')
		return 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && ((unsigned char)p[i] < 0x20 || p[i] == 0x7f))
			return 0;
		if (i == n || p[i] == '/') {
			size_t k = i - start;
			if (k == 0 || (k == 1 && p[start] == '.') ||
			    (k == 2 && p[start] == '.' && p[start + 1] == '.'))
				return 0;
			start = i + 1;
		}
	}
	if ((n == 8 && memcmp(p, "MANIFEST", 8) == 0) ||
	    (n == 12 && memcmp(p, "MANIFEST.sig", 12) == 0))
		return 0;
	return 1;
}

static int parse_manifest(entries *l, const char *text, size_t len, const char *what)
{
	size_t at = 0;
	long line = 0;

	while (at < len) {
		const char *s = text + at, *nl = memchr(s, '\n', len - at), *p;
		unsigned long long size = 0;
		size_t n;
		entry *e;

		line++;
		if (!nl)
			return iffa_error_set(IFFA_EINVAL, "%s line %ld: no line ending", what, line);
		n = (size_t)(nl - s);
		at += n + 1;
		if (n < 64 + 1 + 1 + 1 + 1 || !is_hex64(s) || s[64] != ' ')
			return iffa_error_set(IFFA_EINVAL, "%s line %ld: expected \"SHA256 SIZE "
							   "PATH\"",
					      what, line);
		p = s + 65;
		if (*p < '0' || *p > '9')
			return iffa_error_set(IFFA_EINVAL, "%s line %ld: no size", what, line);
		for (; p < nl && *p >= '0' && *p <= '9'; p++) {
			if (size > (~0ULL - 9) / 10)
				return iffa_error_set(IFFA_EINVAL, "%s line %ld: size too large", what,
						      line);
			size = size * 10 + (unsigned)(*p - '0');
		}
		if (p >= nl || *p != ' ' || !good_path(p + 1, (size_t)(nl - p - 1)))
			return iffa_error_set(IFFA_EINVAL, "%s line %ld: bad path", what, line);
		if (!(e = entries_add(l, p + 1, (size_t)(nl - p - 1))))
			return iffa_error_set(IFFA_ENOMEM, "out of memory");
		unhex(e->md, s, 32);
		e->size = size;
		if (l->n > 1 && strcmp(l->v[l->n - 2].path, e->path) >= 0)
			return iffa_error_set(IFFA_EINVAL, "%s line %ld: %s is out of order or "
							   "repeated",
					      what, line, e->path);
	}
	return 0;
}

static int by_problem_path(const void *a, const void *b)
{
	const iffa_crypto_problem *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	return c ? c : (int)x->kind - (int)y->kind;
}

/* detail of the verify record: outcome, key, problems (the first 1000). */
static void verify_detail(iffa_jsonbuf *b, const iffa_crypto_verify_result *r, const char *err)
{
	iffa_jsonbuf__printf(b, "{\"ok\":%s,\"intact\":%s,\"signature_ok\":%s,\"key_sha256\":\"%s\","
				"\"files_listed\":%zu,\"files_ok\":%zu,\"problems_total\":%zu,"
				"\"problems\":[",
			     err ? "false" : "true", r->intact ? "true" : "false",
			     r->signature_ok ? "true" : "false", r->key_sha256, r->files_listed,
			     r->files_ok, r->nproblems);
	for (size_t i = 0; i < r->nproblems && i < AUDIT_PROBLEMS_MAX; i++) {
		iffa_jsonbuf__printf(b, "%s{\"kind\":\"%s\",\"path\":", i ? "," : "",
				     iffa_crypto_problem_name(r->problems[i].kind));
		iffa_crypto__json_str(b, r->problems[i].path);
		iffa_jsonbuf__puts(b, "}");
	}
	iffa_jsonbuf__puts(b, "],\"error\":");
	iffa_crypto__json_str(b, err);
	iffa_jsonbuf__puts(b, "}");
}

int iffa_crypto_verify_dir(iffa_crypto_verify_result *out, iffa_db *db, const char *dir,
			   const char *pubkey)
{
	verify_walk w;
	iffa_jsonbuf params = IFFA_JSONBUF_INIT, detail = IFFA_JSONBUF_INIT;
	EVP_PKEY *key = NULL;
	char *manifest = NULL, *sigtext = NULL, *mwhat = NULL, *swhat = NULL, msg[2048];
	size_t mlen = 0, slen = 0;
	unsigned char sig[SIG_LEN];
	int rootfd = -1, error = 0, verdict = 0, audit_error;

	iffa_crypto_verify_result_init(out);
	memset(&w, 0, sizeof(w));
	w.dir = dir;
	w.out = out;
	if (!dir || !*dir || !pubkey || !*pubkey)
		return iffa_error_set(IFFA_EINVAL, "verify: a directory and a public key are needed");
	if (!db)
		return iffa_error_set(IFFA_EINVAL, "verify: a database connection is needed for the "
						   "audit record");
	iffa_jsonbuf__puts(&params, "{\"dir\":");
	iffa_crypto__json_str(&params, dir);
	iffa_jsonbuf__puts(&params, ",\"pubkey\":");
	iffa_crypto__json_str(&params, pubkey);
	iffa_jsonbuf__puts(&params, "}");
	if (params.oom || !(mwhat = join(dir, "MANIFEST")) || !(swhat = join(dir, "MANIFEST.sig"))) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	if ((error = iffa_crypto__load_public(&key, pubkey)) < 0 ||
	    (error = iffa_crypto__fingerprint(out->key_sha256, key)) < 0)
		goto done;
	if ((rootfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		error = iffa_error_set(errno == ENOTDIR ? IFFA_EINVAL : IFFA_EIO, "%s: %s", dir,
				       strerror(errno));
		goto done;
	}
	if ((error = read_small(&manifest, &mlen, rootfd, "MANIFEST", mwhat, MANIFEST_MAX)) < 0 ||
	    (error = iffa_crypto__sha256_hex(out->manifest_sha256, manifest, mlen)) < 0 ||
	    (error = read_small(&sigtext, &slen, rootfd, "MANIFEST.sig", swhat, 1024)) < 0 ||
	    (error = decode_sig(sig, sigtext, slen, swhat)) < 0 ||
	    (error = ed25519_verify(&out->signature_ok, key, sig, manifest, mlen)) < 0)
		goto done;
	if (!out->signature_ok) {
		verdict = 1;
		error = iffa_error_set(IFFA_EINVAL,
				       "%s: the signature does not verify with %s (key SHA-256 %.16s...): "
				       "MANIFEST or MANIFEST.sig was changed, or another key signed "
				       "it; no file was checked",
				       dir, pubkey, out->key_sha256);
		goto done;
	}
	/* Only a manifest whose signature holds is read. */
	if ((error = parse_manifest(&w.list, manifest, mlen, mwhat)) < 0)
		goto done;
	out->files_listed = w.list.n;
	if ((error = iffa_crypto__walk(dir, verify_visit, &w)) < 0)
		goto done;
	for (size_t i = 0; i < w.list.n; i++)
		if (!w.list.v[i].seen && (error = add_problem(&w, IFFA_CRYPTO_MISSING,
							      w.list.v[i].path)) < 0)
			goto done;
	if (out->nproblems)
		qsort(out->problems, out->nproblems, sizeof(*out->problems), by_problem_path);
	verdict = 1;
	out->intact = out->nproblems == 0;
	if (!out->intact) {
		size_t n[4] = {0, 0, 0, 0};
		for (size_t i = 0; i < out->nproblems; i++)
			n[out->problems[i].kind]++;
		error = iffa_error_set(IFFA_EINVAL,
				       "%s: not as signed: %zu changed, %zu added, %zu missing, "
				       "%zu not regular",
				       dir, n[IFFA_CRYPTO_CHANGED], n[IFFA_CRYPTO_ADDED],
				       n[IFFA_CRYPTO_MISSING], n[IFFA_CRYPTO_NOT_REGULAR]);
	}
done:
	/* Every verification is recorded, whatever its outcome; a verdict that
	 * cannot be recorded is not given. */
	snprintf(msg, sizeof(msg), "%s", iffa_error_last());
	if (!params.oom && params.ptr) {
		int recorded;
		verify_detail(&detail, out, error < 0 && !verdict ? msg : NULL);
		if (detail.oom) {
			audit_error = iffa_error_set(IFFA_ENOMEM, "out of memory");
			recorded = 0;
		} else {
			audit_error = iffa_crypto__audit(&out->audit_id, db, "verify", params.ptr,
							 (long long)out->files_listed,
							 out->manifest_sha256, detail.ptr);
			recorded = audit_error == 0;
		}
		if (!recorded && verdict) {
			out->intact = 0;
			error = audit_error;
		} else if (error < 0) {
			iffa_error_set(error, "%s", msg);
		}
	}
	if (rootfd >= 0)
		close(rootfd);
	EVP_PKEY_free(key);
	entries_free(&w.list);
	iffa_jsonbuf__dispose(&params);
	iffa_jsonbuf__dispose(&detail);
	free(manifest);
	free(sigtext);
	free(mwhat);
	free(swhat);
	return error;
}
