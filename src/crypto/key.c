/*
 * Ed25519 keys: making a pair (iffa keygen), reading a private key to sign
 * and a public key to verify, and fingerprints. OpenSSL 3 does the
 * cryptography (EVP_PKEY, PKCS#8, PEM); this file decides how keys are
 * stored: the private key created 0600 with O_EXCL, never overwritten,
 * optionally encrypted under a passphrase that comes from a file or the
 * environment, and no key material in messages or the audit record.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "core/jsonbuf.h"
#include "crypto/crypto.h"

/* PBKDF2-HMAC-SHA256 iterations for an encrypted key (OWASP's 2023 figure). */
#define KDF_ITERATIONS 600000
/* Largest key file read: a PEM Ed25519 key is under 300 bytes. */
#define KEY_FILE_MAX 16384

int iffa_crypto__fingerprint(char out[65], EVP_PKEY *pkey)
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(pkey, &der), error;

	if (n <= 0)
		return iffa_error_set(IFFA_ERROR, "encoding the public key failed");
	error = iffa_crypto__sha256_hex(out, der, (size_t)n);
	OPENSSL_free(der);
	return error;
}

/* Hands the passphrase to OpenSSL's PEM reader; never prompts. */
static int pass_cb(char *buf, int size, int rwflag, void *u)
{
	const iffa_crypto__secret *s = u;

	(void)rwflag;
	if (!s || !s->ptr || s->len == 0 || s->len >= (size_t)size)
		return -1;
	memcpy(buf, s->ptr, s->len);
	return (int)s->len;
}

int iffa_crypto__load_private(EVP_PKEY **out, const char **source, const char *path,
			      const iffa_crypto_key_options *opts)
{
	iffa_crypto__secret file = {NULL, 0}, pass = {NULL, 0};
	BIO *bio = NULL;
	EVP_PKEY *pkey = NULL;
	int encrypted, error;

	*out = NULL;
	*source = "none";
	/* As ssh does: a private key the group or others can open is not private. */
	if ((error = iffa_crypto__read_secret(&file, path, "private key", S_IRWXG | S_IRWXO,
					      KEY_FILE_MAX)) < 0)
		goto done;
	encrypted = strstr((const char *)file.ptr, "-----BEGIN ENCRYPTED PRIVATE KEY-----") != NULL;
	if ((error = iffa_crypto__passphrase(&pass, source, opts)) < 0)
		goto done;
	if (encrypted && !pass.ptr) {
		error = iffa_error_set(IFFA_EINVAL,
				       "private key %s is encrypted: give its passphrase with "
				       "--passphrase-file or " IFFA_CRYPTO_PASSPHRASE_ENV,
				       path);
		goto done;
	}
	if (!(bio = BIO_new_mem_buf(file.ptr, (int)file.len))) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	pkey = PEM_read_bio_PrivateKey_ex(bio, NULL, pass_cb, &pass, NULL, NULL);
	ERR_clear_error();
	if (!pkey) {
		error = iffa_error_set(IFFA_EINVAL,
				       encrypted ? "private key %s: cannot decrypt it (wrong passphrase?)"
						 : "private key %s: not a PEM private key",
				       path);
		goto done;
	}
	if (!EVP_PKEY_is_a(pkey, "ED25519")) {
		error = iffa_error_set(IFFA_EINVAL, "private key %s: a %s key; iffa signs with Ed25519",
				       path, EVP_PKEY_get0_type_name(pkey));
		goto done;
	}
	*out = pkey;
	pkey = NULL;
done:
	EVP_PKEY_free(pkey);
	BIO_free(bio);
	iffa_crypto__secret_free(&pass);
	iffa_crypto__secret_free(&file);
	return error;
}

int iffa_crypto__load_public(EVP_PKEY **out, const char *path)
{
	iffa_crypto__secret file = {NULL, 0};
	BIO *bio = NULL;
	EVP_PKEY *pkey = NULL;
	int error;

	*out = NULL;
	if ((error = iffa_crypto__read_secret(&file, path, "public key", 0, KEY_FILE_MAX)) < 0)
		goto done;
	if (strstr((const char *)file.ptr, "PRIVATE KEY-----")) {
		error = iffa_error_set(IFFA_EINVAL, "public key %s: this is a private key; give the "
						    ".pub file",
				       path);
		goto done;
	}
	if (!(bio = BIO_new_mem_buf(file.ptr, (int)file.len))) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	pkey = PEM_read_bio_PUBKEY_ex(bio, NULL, NULL, NULL, NULL, NULL);
	ERR_clear_error();
	if (!pkey) {
		error = iffa_error_set(IFFA_EINVAL, "public key %s: not a PEM public key", path);
		goto done;
	}
	if (!EVP_PKEY_is_a(pkey, "ED25519")) {
		error = iffa_error_set(IFFA_EINVAL, "public key %s: a %s key; iffa verifies Ed25519",
				       path, EVP_PKEY_get0_type_name(pkey));
		goto done;
	}
	*out = pkey;
	pkey = NULL;
done:
	EVP_PKEY_free(pkey);
	BIO_free(bio);
	iffa_crypto__secret_free(&file);
	return error;
}

/* Write n bytes to a new file at `path`: through a temporary file, synced,
 * then linked into place only if nothing is there, so that a key is never
 * overwritten and never seen half written. `*made` says whether the file
 * now exists (to be removed on a later failure). */
static int create_file(const char *path, mode_t mode, const void *p, size_t n, int *made,
		       const char *what)
{
	iffa_atomicfile *f = NULL;
	int error;

	*made = 0;
	if ((error = iffa_atomicfile__open(&f, path, mode, 0)) < 0 ||
	    (error = iffa_atomicfile__write(f, p, n)) < 0 ||
	    (error = iffa_atomicfile__finish(f, NULL)) < 0)
		goto done;
	if ((error = iffa_atomicfile__commit_new(f)) == IFFA_EINVAL)
		error = iffa_error_set(IFFA_EINVAL, "%s %s exists; iffa never overwrites a "
						    "key, nothing was written",
				       what, path);
	*made = error == 0;
done:
	if (error < 0 && error != IFFA_EINVAL)
		error = iffa_error_set(error, "%s: %s", what, iffa_error_last());
	iffa_atomicfile__free(f);
	return error;
}

/* Wipe a memory BIO's bytes before it is freed. */
static void wipe_bio(BIO *bio)
{
	char *p = NULL;
	long n = bio ? BIO_get_mem_data(bio, &p) : 0;

	if (p && n > 0)
		OPENSSL_cleanse(p, (size_t)n);
}

/* The private key as PEM PKCS#8 in `bio`, encrypted when a passphrase is given. */
static int encode_private(BIO *bio, EVP_PKEY *pkey, const iffa_crypto__secret *pass)
{
	PKCS8_PRIV_KEY_INFO *p8 = NULL;
	X509_SIG *enc = NULL;
	int ok;

	if (!pass->ptr) {
		ok = PEM_write_bio_PKCS8PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL);
	} else {
		/* PBES2: PBKDF2 (HMAC-SHA256 is OpenSSL's default PRF for PBES2)
		 * with a random salt, then AES-256-CBC. */
		ok = (p8 = EVP_PKEY2PKCS8(pkey)) != NULL &&
		     (enc = PKCS8_encrypt_ex(-1, EVP_aes_256_cbc(), (const char *)pass->ptr,
					     (int)pass->len, NULL, 0, KDF_ITERATIONS, p8, NULL,
					     NULL)) != NULL &&
		     PEM_write_bio_PKCS8(bio, enc);
	}
	PKCS8_PRIV_KEY_INFO_free(p8);
	X509_SIG_free(enc);
	ERR_clear_error();
	return ok ? 0 : iffa_error_set(IFFA_ERROR, "encoding the private key failed");
}

int iffa_crypto_keygen(iffa_crypto_keygen_result *out, iffa_db *db, const char *path,
		       const iffa_crypto_key_options *opts)
{
	iffa_crypto__secret pass = {NULL, 0};
	iffa_jsonbuf params = IFFA_JSONBUF_INIT, detail = IFFA_JSONBUF_INIT;
	const char *source = "none";
	EVP_PKEY *pkey = NULL;
	BIO *priv = NULL, *pub = NULL;
	char *pubpath = NULL, *p;
	long n;
	int made_priv = 0, made_pub = 0, audited = 0, error = 0;

	memset(out, 0, sizeof(*out));
	if (!path || !*path)
		return iffa_error_set(IFFA_EINVAL, "keygen: no key file named");
	if (!db)
		return iffa_error_set(IFFA_EINVAL, "keygen: a database connection is needed for "
						   "the audit record");
	if (!(pubpath = malloc(strlen(path) + 5))) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	sprintf(pubpath, "%s.pub", path);
	iffa_jsonbuf__puts(&params, "{\"out\":");
	iffa_crypto__json_str(&params, path);
	iffa_jsonbuf__puts(&params, ",\"pub\":");
	iffa_crypto__json_str(&params, pubpath);
	iffa_jsonbuf__printf(&params, ",\"passphrase\":\"%s\"}",
			     opts && opts->passphrase_file  ? "file"
			     : opts && opts->passphrase_env ? "env"
							    : "none");
	if (params.oom) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	if ((error = iffa_crypto__passphrase(&pass, &source, opts)) < 0)
		goto done;
	out->encrypted = pass.ptr != NULL;

	pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (!pkey) {
		ERR_clear_error();
		error = iffa_error_set(IFFA_ERROR, "keygen: OpenSSL could not make an Ed25519 key");
		goto done;
	}
	if ((error = iffa_crypto__fingerprint(out->key_sha256, pkey)) < 0)
		goto done;
	if (!(priv = BIO_new(BIO_s_mem())) || !(pub = BIO_new(BIO_s_mem()))) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	if ((error = encode_private(priv, pkey, &pass)) < 0)
		goto done;
	if (!PEM_write_bio_PUBKEY(pub, pkey)) {
		ERR_clear_error();
		error = iffa_error_set(IFFA_ERROR, "encoding the public key failed");
		goto done;
	}

	/* The private key first: it claims the name or refuses. */
	n = BIO_get_mem_data(priv, &p);
	if ((error = create_file(path, 0600, p, (size_t)n, &made_priv, "key file")) < 0)
		goto done;
	n = BIO_get_mem_data(pub, &p);
	if ((error = create_file(pubpath, 0644, p, (size_t)n, &made_pub, "public key file")) < 0 ||
	    (error = iffa_core__fsync_parent(path)) < 0)
		goto done;

	iffa_jsonbuf__printf(&detail, "{\"ok\":true,\"algorithm\":\"ED25519\",\"encrypted\":%s,"
				      "\"key_sha256\":\"%s\"}",
			     out->encrypted ? "true" : "false", out->key_sha256);
	if (detail.oom) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	audited = 1;
	error = iffa_crypto__audit(&out->audit_id, db, "keygen", params.ptr, -1, out->key_sha256,
				   detail.ptr);
done:
	/* A key that was not recorded does not exist. */
	if (error < 0 && made_priv)
		unlink(path);
	if (error < 0 && made_pub)
		unlink(pubpath);
	if (error < 0)
		out->key_sha256[0] = '\0';
	if (error < 0 && !audited)
		iffa_crypto__audit_failure(db, "keygen", params.ptr, error);
	wipe_bio(priv);
	BIO_free(priv);
	BIO_free(pub);
	EVP_PKEY_free(pkey);
	iffa_crypto__secret_free(&pass);
	iffa_jsonbuf__dispose(&params);
	iffa_jsonbuf__dispose(&detail);
	free(pubpath);
	return error;
}
