/* SHA-256 helpers: of memory, of an open file, and as hex. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "crypto/crypto.h"

void iffa_crypto__hex(char *out, const unsigned char *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

int iffa_crypto__sha256_hex(char out[65], const void *p, size_t n)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (!EVP_Digest(n ? p : "", n, md, &len, EVP_sha256(), NULL) || len != 32)
		return iffa_error_set(IFFA_ERROR, "SHA-256 failed");
	iffa_crypto__hex(out, md, len);
	return 0;
}

int iffa_crypto__sha256_fd(unsigned char md[32], unsigned long long *size, int fd,
			   const char *what)
{
	unsigned char buf[65536];
	unsigned int len = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int error = 0;

	*size = 0;
	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		error = iffa_error_set(IFFA_ERROR, "SHA-256 is not available");
		goto done;
	}
	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			error = iffa_error_set(IFFA_EIO, "reading %s: %s", what, strerror(errno));
			goto done;
		}
		if (r == 0)
			break;
		if (!EVP_DigestUpdate(ctx, buf, (size_t)r)) {
			error = iffa_error_set(IFFA_ERROR, "SHA-256 of %s failed", what);
			goto done;
		}
		*size += (unsigned long long)r;
	}
	if (!EVP_DigestFinal_ex(ctx, md, &len) || len != 32)
		error = iffa_error_set(IFFA_ERROR, "SHA-256 of %s failed", what);
done:
	EVP_MD_CTX_free(ctx);
	return error;
}
