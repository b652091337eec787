/*
 * Files with something to protect: secrets read only from files that others
 * cannot open (and wiped from memory afterwards), and regular files opened
 * for reading without following links. Outputs are written through
 * core/atomicfile.h.
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
