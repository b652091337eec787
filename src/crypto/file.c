/*
 * Files with something to protect: secrets read only from files that others
 * cannot open (and wiped from memory afterwards), and outputs written under
 * a temporary name, synced and renamed, so that a reader never sees half a
 * manifest or export and a crash leaves the old file or the new one.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "crypto/crypto.h"

void iffa_crypto__secret_free(iffa_crypto__secret *s)
{
	if (s->ptr) {
		OPENSSL_cleanse(s->ptr, s->len);
		free(s->ptr);
	}
	s->ptr = NULL;
	s->len = 0;
}

void iffa_crypto__secret_chomp(iffa_crypto__secret *s)
{
	if (s->len > 0 && s->ptr[s->len - 1] == '\n') {
		s->ptr[--s->len] = '\0';
		if (s->len > 0 && s->ptr[s->len - 1] == '\r')
			s->ptr[--s->len] = '\0';
	}
}

void iffa_crypto__printable(char *out, size_t size, const char *s)
{
	size_t i = 0;

	if (size == 0)
		return;
	for (; s && *s && i + 1 < size; s++)
		out[i++] = ((unsigned char)*s < 0x20 || *s == 0x7f) ? '?' : *s;
	out[i] = '\0';
}

int iffa_crypto__read_secret(iffa_crypto__secret *out, const char *path, const char *what,
			     mode_t forbidden, size_t max)
{
	struct stat st;
	unsigned char *buf = NULL;
	size_t n = 0;
	int fd, error = 0;

	out->ptr = NULL;
	out->len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return iffa_error_set(IFFA_EIO, "%s %s: %s", what, path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		error = iffa_error_set(IFFA_EIO, "%s %s: %s", what, path, strerror(errno));
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		error = iffa_error_set(IFFA_EINVAL, "%s %s: not a regular file", what, path);
		goto done;
	}
	if (st.st_mode & forbidden) {
		error = iffa_error_set(IFFA_EINVAL,
				       "%s %s: mode %04o lets %s open it; refused "
				       "(make it private: chmod %s %s)",
				       what, path, (unsigned)(st.st_mode & 07777),
				       (st.st_mode & forbidden & S_IRWXO) ? "everyone" : "the group",
				       (forbidden & S_IRWXG) ? "600" : "o-rwx", path);
		goto done;
	}
	if (!(buf = malloc(max + 2))) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	for (;;) {
		ssize_t r = read(fd, buf + n, max + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			error = iffa_error_set(IFFA_EIO, "%s %s: %s", what, path, strerror(errno));
			goto done;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			error = iffa_error_set(IFFA_EINVAL, "%s %s: longer than %zu bytes", what,
					       path, max);
			goto done;
		}
	}
	buf[n] = '\0';
	out->ptr = buf;
	out->len = n;
	buf = NULL;
done:
	if (buf) {
		OPENSSL_cleanse(buf, max + 2);
		free(buf);
	}
	close(fd);
	return error;
}

int iffa_crypto__passphrase(iffa_crypto__secret *out, const char **source,
			    const iffa_crypto_key_options *opts)
{
	int error = 0;

	out->ptr = NULL;
	out->len = 0;
	*source = "none";
	if (!opts)
		return 0;
	if (opts->passphrase_file) {
		*source = "file";
		/* The group may be an FIU's team; others never. */
		if ((error = iffa_crypto__read_secret(out, opts->passphrase_file, "passphrase file",
						      S_IRWXO, 4096)) < 0)
			return error;
		/* The first line is the passphrase. */
		for (size_t i = 0; i < out->len; i++) {
			if (out->ptr[i] == '\n') {
				OPENSSL_cleanse(out->ptr + i, out->len - i);
				out->len = i;
				break;
			}
		}
		if (out->len > 0 && out->ptr[out->len - 1] == '\r')
			out->ptr[--out->len] = '\0';
	} else if (opts->passphrase_env) {
		const char *v = getenv(opts->passphrase_env);
		size_t n;

		*source = "env";
		if (!v)
			return iffa_error_set(IFFA_EINVAL, "%s is not set", opts->passphrase_env);
		n = strlen(v);
		if (!(out->ptr = malloc(n + 1)))
			return iffa_error_set(IFFA_ENOMEM, "out of memory");
		memcpy(out->ptr, v, n + 1);
		out->len = n;
	} else {
		return 0;
	}
	if (out->len == 0)
		error = iffa_error_set(IFFA_EINVAL, "the passphrase (from the %s) is empty",
				       opts->passphrase_file ? "passphrase file" : "environment");
	else if (out->len > 1023)
		error = iffa_error_set(IFFA_EINVAL, "the passphrase (from the %s) is longer than "
						    "1023 bytes",
				       opts->passphrase_file ? "passphrase file" : "environment");
	else if (memchr(out->ptr, '\0', out->len))
		error = iffa_error_set(IFFA_EINVAL, "the passphrase holds a NUL byte");
	if (error < 0)
		iffa_crypto__secret_free(out);
	return error;
}

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

int iffa_crypto__fsync_parent(const char *path)
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

int iffa_crypto__outfile_open(iffa_crypto__outfile **out, const char *final, mode_t mode)
{
	iffa_crypto__outfile *f;
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
	    !(f->md = EVP_MD_CTX_new())) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	if (!EVP_DigestInit_ex(f->md, EVP_sha256(), NULL)) {
		error = iffa_error_set(IFFA_ERROR, "SHA-256 is not available");
		goto done;
	}
	/* A dot name beside the final one: same file system, so rename is atomic. */
	for (int attempt = 0; attempt < 16 && f->fd < 0; attempt++) {
		unsigned char r[6];
		char hex[13];

		if (RAND_bytes(r, sizeof(r)) != 1) {
			error = iffa_error_set(IFFA_ERROR, "no random bytes for a temporary name");
			goto done;
		}
		iffa_crypto__hex(hex, r, sizeof(r));
		snprintf(f->tmp, size, "%.*s.%s.tmp-%s", (int)dirlen, final, base, hex);
		f->fd = open(f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		if (f->fd < 0 && errno != EEXIST) {
			error = iffa_error_set(IFFA_EIO, "creating a temporary file for %s: %s",
					       final, strerror(errno));
			goto done;
		}
	}
	if (f->fd < 0) {
		error = iffa_error_set(IFFA_EIO, "creating a temporary file for %s: every name taken",
				       final);
		goto done;
	}
done:
	if (error < 0) {
		free(f->tmp);
		f->tmp = NULL; /* nothing was created */
		iffa_crypto__outfile_free(f);
		return error;
	}
	*out = f;
	return 0;
}

static int write_all(int fd, const unsigned char *p, size_t n, const char *what)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return iffa_error_set(IFFA_EIO, "writing %s: %s", what, strerror(errno));
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int flush(iffa_crypto__outfile *f)
{
	int error = write_all(f->fd, f->buf, f->nbuf, f->final);

	f->nbuf = 0;
	return error;
}

int iffa_crypto__outfile_write(iffa_crypto__outfile *f, const void *p, size_t n)
{
	const unsigned char *s = p;
	int error;

	if (n > 0 && !EVP_DigestUpdate(f->md, p, n))
		return iffa_error_set(IFFA_ERROR, "SHA-256 of %s failed", f->final);
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

int iffa_crypto__outfile_finish(iffa_crypto__outfile *f, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	int error;

	if ((error = flush(f)) < 0)
		return error;
	if (fsync(f->fd) < 0)
		return iffa_error_set(IFFA_EIO, "writing %s: %s", f->final, strerror(errno));
	if (!EVP_DigestFinal_ex(f->md, md, &len) || len != 32)
		return iffa_error_set(IFFA_ERROR, "SHA-256 of %s failed", f->final);
	if (out)
		iffa_crypto__hex(out, md, len);
	return 0;
}

int iffa_crypto__outfile_commit(iffa_crypto__outfile *f)
{
	int fd = f->fd;

	f->fd = -1;
	if (close(fd) < 0)
		return iffa_error_set(IFFA_EIO, "writing %s: %s", f->final, strerror(errno));
	if (rename(f->tmp, f->final) < 0)
		return iffa_error_set(IFFA_EIO, "renaming %s to %s: %s", f->tmp, f->final,
				      strerror(errno));
	free(f->tmp);
	f->tmp = NULL;
	return iffa_crypto__fsync_parent(f->final);
}

void iffa_crypto__outfile_free(iffa_crypto__outfile *f)
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
	OPENSSL_cleanse(f->buf, sizeof(f->buf));
	free(f);
}

int iffa_crypto__open_regular(int dirfd, const char *name, const char *what)
{
	struct stat st;
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);

	if (fd < 0) {
		if (errno == ELOOP)
			return iffa_error_set(IFFA_EINVAL, "%s: a symbolic link, not a regular file",
					      what);
		return iffa_error_set(errno == ENOENT ? IFFA_ENOTFOUND : IFFA_EIO, "%s: %s", what,
				      strerror(errno));
	}
	if (fstat(fd, &st) < 0) {
		close(fd);
		return iffa_error_set(IFFA_EIO, "%s: %s", what, strerror(errno));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return iffa_error_set(IFFA_EINVAL, "%s: not a regular file", what);
	}
	return fd;
}
