/*
 * Output files written under a temporary name, synced and renamed (see
 * atomicfile.h). Moved here from the crypto module, where manifests and
 * exports first needed it, so that every command writing a file uses one
 * implementation.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "core/atomicfile.h"

struct iffa_atomicfile {
	int fd;           /* -1 once closed */
	char *tmp;        /* temporary path (owned); NULL once renamed or never made */
	char *final;      /* final path (owned) */
	EVP_MD_CTX *md;   /* SHA-256 of the bytes written, or NULL */
	size_t nbuf;
	unsigned char buf[65536];
};

/* Directory part of `path` ("." when none), allocated. */
static char *parent_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *d;

	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	if (!(d = malloc((size_t)(slash - path) + 1)))
		return NULL;
	memcpy(d, path, (size_t)(slash - path));
	d[slash - path] = '\0';
	return d;
}

int iffa_core__fsync_parent(const char *path)
{
	char *dir = parent_of(path);
	int fd, error = 0;

	if (!dir)
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		error = iffa_error_set(IFFA_EIO, "syncing directory %s: %s", dir, strerror(errno));
	if (fd >= 0)
		close(fd);
	free(dir);
	return error;
}

int iffa_atomicfile__open(iffa_atomicfile **out, const char *final, mode_t mode, unsigned flags)
{
	iffa_atomicfile *f;
	const char *base = strrchr(final, '/');
	size_t dirlen = base ? (size_t)(base - final) + 1 : 0, size;
	int error = 0;

	*out = NULL;
	base = base ? base + 1 : final;
	if (!*base)
		return iffa_error_set(IFFA_EINVAL, "%s: not a file name", final);
	if (!(f = calloc(1, sizeof(*f))))
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	f->fd = -1;
	size = dirlen + strlen(base) + 32;
	if (!(f->final = strdup(final)) || !(f->tmp = malloc(size)) ||
	    ((flags & IFFA_ATOMICFILE_SHA256) && !(f->md = EVP_MD_CTX_new()))) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	if (f->md && !EVP_DigestInit_ex(f->md, EVP_sha256(), NULL)) {
		error = iffa_error_set(IFFA_ERROR, "SHA-256 is not available");
		goto done;
	}
	/* A dot name beside the final one: same file system, so rename is atomic. */
	for (int attempt = 0; attempt < 16 && f->fd < 0; attempt++) {
		unsigned char r[6];

		if (RAND_bytes(r, sizeof(r)) != 1) {
			error = iffa_error_set(IFFA_ERROR, "no random bytes for a temporary name");
			goto done;
		}
		snprintf(f->tmp, size, "%.*s.%s.tmp-%02x%02x%02x%02x%02x%02x", (int)dirlen, final,
			 base, r[0], r[1], r[2], r[3], r[4], r[5]);
		f->fd = open(f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
			     mode);
		if (f->fd < 0 && errno != EEXIST) {
			error = iffa_error_set(IFFA_EIO, "cannot create %s (a temporary file beside "
							 "it): %s",
					       final, strerror(errno));
			goto done;
		}
	}
	if (f->fd < 0) {
		error = iffa_error_set(IFFA_EIO, "cannot create %s: every temporary name is taken",
				       final);
		goto done;
	}
done:
	if (error < 0) {
		free(f->tmp);
		f->tmp = NULL; /* nothing was created */
		iffa_atomicfile__free(f);
		return error;
	}
	*out = f;
	return 0;
}

static int write_all(iffa_atomicfile *f, const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(f->fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return iffa_error_set(IFFA_EIO, "writing %s: %s", f->final, strerror(errno));
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int flush(iffa_atomicfile *f)
{
	int error = write_all(f, f->buf, f->nbuf);

	f->nbuf = 0;
	return error;
}

int iffa_atomicfile__write(iffa_atomicfile *f, const void *p, size_t n)
{
	const unsigned char *s = p;
	int error;

	if (f->fd < 0)
		return iffa_error_set(IFFA_ERROR, "writing %s: the file is closed", f->final);
	if (f->md && n > 0 && !EVP_DigestUpdate(f->md, p, n))
		return iffa_error_set(IFFA_ERROR, "SHA-256 of %s failed", f->final);
	/* Large pieces skip the buffer (the generator writes MB at a time). */
	if (f->nbuf == 0 && n >= sizeof(f->buf))
		return write_all(f, s, n);
	while (n > 0) {
		size_t k = sizeof(f->buf) - f->nbuf;
		if (k > n)
			k = n;
		memcpy(f->buf + f->nbuf, s, k);
		f->nbuf += k;
		s += k;
		n -= k;
		if (f->nbuf == sizeof(f->buf) && (error = flush(f)) < 0)
			return error;
	}
	return 0;
}

int iffa_atomicfile__printf(iffa_atomicfile *f, const char *fmt, ...)
{
	char small[1024], *big = NULL;
	va_list ap;
	int n, error;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return iffa_error_set(IFFA_ERROR, "formatting output for %s failed", f->final);
	if ((size_t)n < sizeof(small))
		return iffa_atomicfile__write(f, small, (size_t)n);
	if (!(big = malloc((size_t)n + 1)))
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	error = iffa_atomicfile__write(f, big, (size_t)n);
	free(big);
	return error;
}

int iffa_atomicfile__finish(iffa_atomicfile *f, char sha256[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	int fd = f->fd, error;

	if (fd < 0)
		return iffa_error_set(IFFA_ERROR, "writing %s: the file is closed", f->final);
	if ((error = flush(f)) < 0)
		return error;
	if (fsync(fd) < 0)
		return iffa_error_set(IFFA_EIO, "writing %s: %s", f->final, strerror(errno));
	f->fd = -1;
	if (close(fd) < 0)
		return iffa_error_set(IFFA_EIO, "writing %s: %s", f->final, strerror(errno));
	if (sha256)
		sha256[0] = '\0';
	if (f->md) {
		if (!EVP_DigestFinal_ex(f->md, md, &len) || len != 32)
			return iffa_error_set(IFFA_ERROR, "SHA-256 of %s failed", f->final);
		for (unsigned int i = 0; sha256 && i < len; i++)
			snprintf(sha256 + 2 * i, 3, "%02x", md[i]);
	}
	return 0;
}

int iffa_atomicfile__commit(iffa_atomicfile *f)
{
	if (f->fd >= 0 || !f->tmp)
		return iffa_error_set(IFFA_ERROR, "%s: committed before it was finished", f->final);
	if (rename(f->tmp, f->final) < 0)
		return iffa_error_set(IFFA_EIO, "renaming %s to %s: %s", f->tmp, f->final,
				      strerror(errno));
	free(f->tmp);
	f->tmp = NULL;
	return iffa_core__fsync_parent(f->final);
}

int iffa_atomicfile__commit_new(iffa_atomicfile *f)
{
	int error;

	if (f->fd >= 0 || !f->tmp)
		return iffa_error_set(IFFA_ERROR, "%s: committed before it was finished", f->final);
	/* link() never replaces: EEXIST, whatever is there (a link included). */
	if (link(f->tmp, f->final) < 0) {
		if (errno == EEXIST)
			return iffa_error_set(IFFA_EINVAL, "%s exists; it is not replaced", f->final);
		return iffa_error_set(IFFA_EIO, "linking %s to %s: %s", f->tmp, f->final,
				      strerror(errno));
	}
	/* Either the file is in place for good or nothing is left at `path`. */
	if (unlink(f->tmp) < 0) {
		error = iffa_error_set(IFFA_EIO, "removing %s: %s", f->tmp, strerror(errno));
		unlink(f->final);
		return error;
	}
	free(f->tmp);
	f->tmp = NULL;
	if ((error = iffa_core__fsync_parent(f->final)) < 0)
		unlink(f->final);
	return error;
}

const char *iffa_atomicfile__path(const iffa_atomicfile *f)
{
	return f->final;
}

void iffa_atomicfile__free(iffa_atomicfile *f)
{
	if (!f)
		return;
	if (f->fd >= 0)
		close(f->fd);
	if (f->tmp)
		unlink(f->tmp);
	free(f->tmp);
	free(f->final);
	EVP_MD_CTX_free(f->md);
	/* Outputs may be secrets (keys): leave nothing of them in freed memory. */
	OPENSSL_cleanse(f->buf, sizeof(f->buf));
	free(f);
}
