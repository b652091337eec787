/*
 * Walking a directory to sign or verify it: every entry below the top,
 * through file descriptors (openat, fstatat with AT_SYMLINK_NOFOLLOW), so
 * that a symbolic link is seen as a link and never followed, and a
 * directory swapped for a link while we walk is not entered.
 * Time complexity: O(entries); at most 64 directories open at once.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "core/utf8.h"
#include "crypto/crypto.h"

#define MAX_DEPTH 64

typedef struct {
	iffa_crypto__visit_fn visit;
	void *payload;
	const char *top;  /* the directory given, for messages */
	char path[4096];  /* path of the current entry, relative to top */
} walker;

/* Manifest lines are UTF-8 text, one per line. */
static int bad_name(const char *name)
{
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 1;
	return !iffa_utf8__valid(name, strlen(name), NULL);
}

/* Walk the directory open as `fd` (taken over and closed), whose path
 * relative to the top is the first `plen` bytes of w->path. */
static int walk_dir(walker *w, int fd, size_t plen, int depth)
{
	DIR *d = fdopendir(fd);
	struct dirent *e;
	int error = 0;

	if (!d) {
		error = iffa_error_set(IFFA_EIO, "%s/%s: %s", w->top, w->path, strerror(errno));
		close(fd);
		return error;
	}
	for (;;) {
		struct stat st;
		size_t nlen, len;

		errno = 0;
		if (!(e = readdir(d))) {
			if (errno)
				error = iffa_error_set(IFFA_EIO, "reading directory %s/%s: %s",
						       w->top, w->path, strerror(errno));
			break;
		}
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (depth == 0 &&
		    (strcmp(e->d_name, "MANIFEST") == 0 || strcmp(e->d_name, "MANIFEST.sig") == 0))
			continue;
		nlen = strlen(e->d_name);
		len = plen + (plen ? 1 : 0) + nlen;
		if (len >= sizeof(w->path)) {
			error = iffa_error_set(IFFA_EINVAL, "%s/%s: path too long", w->top, w->path);
			break;
		}
		if (plen)
			w->path[plen] = '/';
		memcpy(w->path + plen + (plen ? 1 : 0), e->d_name, nlen + 1);
		if (bad_name(e->d_name)) {
			char shown[4096];
			iffa_crypto__printable(shown, sizeof(shown), w->path);
			error = iffa_error_set(IFFA_EINVAL,
					       "%s/%s: the name holds a control character or is "
					       "not UTF-8; rename it (a manifest line cannot "
					       "carry it)",
					       w->top, shown);
			break;
		}
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			error = iffa_error_set(IFFA_EIO, "%s/%s: %s", w->top, w->path,
					       strerror(errno));
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			int sub;

			if (depth + 1 >= MAX_DEPTH) {
				error = iffa_error_set(IFFA_EINVAL,
						       "%s/%s: directories nested deeper than %d",
						       w->top, w->path, MAX_DEPTH);
				break;
			}
			sub = openat(dirfd(d), e->d_name,
				     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0) {
				error = iffa_error_set(errno == ELOOP || errno == ENOTDIR ? IFFA_EINVAL
											  : IFFA_EIO,
						       "%s/%s: %s", w->top, w->path,
						       strerror(errno));
				break;
			}
			if ((error = walk_dir(w, sub, len, depth + 1)) < 0)
				break;
		} else if ((error = w->visit(w->payload, dirfd(d), e->d_name, w->path, &st)) <
			   0) {
			break;
		}
		w->path[plen] = '\0';
	}
	closedir(d);
	return error;
}

int iffa_crypto__walk(const char *dir, iffa_crypto__visit_fn visit, void *payload)
{
	walker w;
	int fd;

	w.visit = visit;
	w.payload = payload;
	w.top = dir;
	w.path[0] = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return iffa_error_set(errno == ENOTDIR ? IFFA_EINVAL : IFFA_EIO, "%s: %s", dir,
				      strerror(errno));
	return walk_dir(&w, fd, 0, 0);
}
