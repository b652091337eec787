/*
 * The shared key and pseudonyms: identifiers are normalised (white space
 * out, ASCII upper case) and passed through HMAC-SHA256 under a key the
 * FIUs have agreed on (OpenSSL's EVP_MAC "HMAC" with digest SHA256). The
 * subject ("account" or "party") is part of the message, so an account and
 * a party with the same reference never share a pseudonym.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "crypto/crypto.h"
#include "share/share.h"

#define KEY_MAX 4096
#define KEY_CHECK_MESSAGE "iffa share key check v1"

struct iffa_share_key {
	iffa_crypto__secret bytes;
	EVP_MAC_CTX *ctx; /* initialised with the key; duplicated for each message */
	char id[17];      /* check value */
};

const char *const iffa_share__kinds[] = {"gold_lot", "levy", "ransom", "transfer"};
const int iffa_share__nkinds = 4;
const char *const iffa_share__channels[] = {"bank",         "cash", "crypto", "hawala",
					    "mobile_money", "none"};
const int iffa_share__nchannels = 6;

int iffa_share__lookup(const char *const *names, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

const char *iffa_share_subject_name(iffa_share_subject subject)
{
	return subject == IFFA_SHARE_PARTY ? "party" : "account";
}

static int mac(unsigned char out[32], const iffa_share_key *key, const char *prefix,
	       const char *msg, size_t len)
{
	EVP_MAC_CTX *c = EVP_MAC_CTX_dup(key->ctx);
	size_t n = 0;
	int ok;

	ok = c && EVP_MAC_update(c, (const unsigned char *)prefix, strlen(prefix)) &&
	     EVP_MAC_update(c, (const unsigned char *)msg, len) && EVP_MAC_final(c, out, &n, 32) &&
	     n == 32;
	EVP_MAC_CTX_free(c);
	if (!ok) {
		ERR_clear_error();
		return iffa_error_set(IFFA_ERROR, "HMAC-SHA256 failed");
	}
	return 0;
}

int iffa_share_key_load(iffa_share_key **out, const char *path)
{
	iffa_share_key *key;
	EVP_MAC *hmac = NULL;
	OSSL_PARAM params[2];
	unsigned char check[32];
	int error = 0;

	*out = NULL;
	if (!path || !*path)
		return iffa_error_set(IFFA_EINVAL, "no shared key file given (--key-file or "
						   IFFA_SHARE_KEY_FILE_ENV ")");
	if (!(key = calloc(1, sizeof(*key))))
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	/* Not world-readable; the group may be the FIU's team. */
	if ((error = iffa_crypto__read_secret(&key->bytes, path, "shared key file", S_IRWXO,
					      KEY_MAX)) < 0)
		goto done;
	iffa_crypto__secret_chomp(&key->bytes);
	if (key->bytes.len < IFFA_SHARE_KEY_MIN) {
		error = iffa_error_set(IFFA_EINVAL,
				       "shared key file %s: %zu bytes; at least %d are needed "
				       "(e.g. openssl rand -hex 32)",
				       path, key->bytes.len, IFFA_SHARE_KEY_MIN);
		goto done;
	}
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!(hmac = EVP_MAC_fetch(NULL, "HMAC", NULL)) || !(key->ctx = EVP_MAC_CTX_new(hmac)) ||
	    !EVP_MAC_init(key->ctx, key->bytes.ptr, key->bytes.len, params)) {
		ERR_clear_error();
		error = iffa_error_set(IFFA_ERROR, "OpenSSL has no HMAC-SHA256");
		goto done;
	}
	if ((error = mac(check, key, "", KEY_CHECK_MESSAGE, strlen(KEY_CHECK_MESSAGE))) < 0)
		goto done;
	iffa_crypto__hex(key->id, check, 8);
done:
	EVP_MAC_free(hmac);
	if (error < 0) {
		iffa_share_key_free(key);
		return error;
	}
	*out = key;
	return 0;
}

void iffa_share_key_free(iffa_share_key *key)
{
	if (!key)
		return;
	EVP_MAC_CTX_free(key->ctx);
	iffa_crypto__secret_free(&key->bytes);
	free(key);
}

const char *iffa_share_key_id(const iffa_share_key *key)
{
	return key->id;
}

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int iffa_share_normalise(char *out, size_t size, const char *id)
{
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)id; *p; p++) {
		if (is_space(*p))
			continue;
		if (n + 1 >= size)
			return iffa_error_set(IFFA_EINVAL, "normalising an identifier: no room");
		out[n++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
	}
	if (size > 0)
		out[n] = '\0';
	if (n == 0)
		return iffa_error_set(IFFA_EINVAL, "an identifier is empty once white space is "
						   "removed");
	return 0;
}

int iffa_share__hmac(unsigned char out[32], const iffa_share_key *key, iffa_share_subject subject,
		     const char *id)
{
	char small[256], *norm = small;
	size_t len = strlen(id) + 1;
	int error;

	if (len > sizeof(small) && !(norm = malloc(len)))
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	if ((error = iffa_share_normalise(norm, len, id)) == 0)
		error = mac(out, key, subject == IFFA_SHARE_PARTY ? "party:" : "account:", norm,
			    strlen(norm));
	if (norm != small)
		free(norm);
	return error;
}

int iffa_share_pseudonym(char out[65], const iffa_share_key *key, iffa_share_subject subject,
			 const char *id)
{
	unsigned char md[32];
	int error = iffa_share__hmac(md, key, subject, id);

	if (error < 0)
		return error;
	iffa_crypto__hex(out, md, 32);
	return 0;
}
