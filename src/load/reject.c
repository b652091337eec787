/*
 * The reject file of `iffa load --reject FILE`: one CSV row per refused
 * input row, with the line it started on, the field(s) at fault, the
 * reason(s), then the row's original fields exactly as read. Rows are
 * taken from the input a second time rather than kept in memory; the
 * second reading must hash to the digest of the first, or the file changed
 * under us and the load is abandoned.
 *
 * The file is written to a temporary name next to the target (mode 0600:
 * the rows are financial intelligence), synced and renamed into place, so
 * a reader never sees half a file.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/atomicfile.h"
#include "db/db.h"
#include "load/csv.h"
#include "load/load.h"

#define FETCH_ROWS "1000"

/* One CSV field: quoted when it holds a separator, quote, line end or edge blank. */
static void put_field(FILE *out, const char *s, size_t len, int first)
{
	int quote = len > 0 && (s[0] == ' ' || s[len - 1] == ' ');

	for (size_t i = 0; i < len && !quote; i++)
		quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
	if (!first)
		fputc(',', out);
	if (!quote) {
		fwrite(s, 1, len, out);
		return;
	}
	fputc('"', out);
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"')
			fputc('"', out);
		fputc(s[i], out);
	}
	fputc('"', out);
}

static void put_record(FILE *out, const iffa_load__csv *csv)
{
	for (size_t i = 0; i < iffa_load__csv_count(csv); i++) {
		size_t len;
		const char *f = iffa_load__csv_field(csv, i, &len);
		put_field(out, f, len, 0);
	}
	fputc('\n', out);
}

/* A temporary file next to `reject_path`: "<reject_path>.XXXXXX", mode 0600. */
static int make_temp(char **out, int *fd, const char *reject_path)
{
	char *tmp = malloc(strlen(reject_path) + 8);

	*out = NULL;
	if (!tmp)
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	sprintf(tmp, "%s.XXXXXX", reject_path);
	if ((*fd = mkstemp(tmp)) < 0) {
		int error = iffa_error_set(IFFA_EIO, "%s: cannot create a temporary file "
						     "next to it: %s",
					   reject_path, strerror(errno));
		free(tmp);
		return error;
	}
	*out = tmp;
	return 0;
}

int iffa_load__check_reject_path(const char *path, const char *name, const char *reject_path)
{
	struct stat in, rej;
	char *tmp = NULL;
	int fd = -1, error;

	if (stat(reject_path, &rej) == 0 && stat(path, &in) == 0 && in.st_dev == rej.st_dev &&
	    in.st_ino == rej.st_ino)
		return iffa_error_set(IFFA_EINVAL, "%s: the reject file cannot be the input "
						   "file itself",
				      name);
	if ((error = make_temp(&tmp, &fd, reject_path)) < 0)
		return error;
	close(fd);
	unlink(tmp);
	free(tmp);
	return 0;
}

int iffa_load__write_rejects(iffa_db *db, const char *path, const char *name,
			     const char *reject_path, const char *sha256)
{
	iffa_load__csv *csv = NULL;
	PGresult *res = NULL;
	FILE *in = NULL, *out = NULL;
	char *tmp = NULL, digest[65];
	int fd = -1, rc = 0, error = 0;

	if ((error = make_temp(&tmp, &fd, reject_path)) < 0)
		goto done;
	if (!(out = fdopen(fd, "w"))) {
		error = iffa_error_set(IFFA_EIO, "%s: %s", tmp, strerror(errno));
		close(fd);
		goto done;
	}
	if (!(in = fopen(path, "rb"))) {
		error = iffa_error_set(IFFA_EIO, "%s: cannot open again: %s", name, strerror(errno));
		goto done;
	}
	if ((error = iffa_load__csv_new(&csv, in, name)) < 0)
		goto done;
	if ((rc = iffa_load__csv_next(csv)) != 1) {
		error = rc < 0 ? rc : iffa_error_set(IFFA_EINVAL, "%s: changed while loading", name);
		goto done;
	}
	fputs("line,field,reason", out);
	put_record(out, csv);

	if ((error = iffa_db__exec(db, "listing the bad rows",
				   "DECLARE load_rejects NO SCROLL CURSOR FOR "
				   "SELECT line, string_agg(field, '|' ORDER BY seq), "
				   "string_agg(reason, '; ' ORDER BY seq) "
				   "FROM load_reject GROUP BY line ORDER BY line",
				   0, NULL)) < 0)
		goto done;
	for (;;) {
		int n;

		PQclear(res);
		if ((error = iffa_db__query(&res, db, "listing the bad rows",
					    "FETCH " FETCH_ROWS " FROM load_rejects", 0, NULL)) < 0)
			goto done;
		if ((n = PQntuples(res)) == 0)
			break;
		for (int r = 0; r < n; r++) {
			long long line = atoll(PQgetvalue(res, r, 0));
			const char *field = PQgetvalue(res, r, 1), *reason = PQgetvalue(res, r, 2);

			while ((rc = iffa_load__csv_next(csv)) == 1 &&
			       iffa_load__csv_line(csv) < line)
				;
			if (rc < 0) {
				error = rc;
				goto done;
			}
			if (rc == 0 || iffa_load__csv_line(csv) != line) {
				error = iffa_error_set(IFFA_EINVAL,
						       "%s: changed while loading (no record "
						       "starts on line %lld any more)",
						       name, line);
				goto done;
			}
			fprintf(out, "%lld", line);
			put_field(out, field, strlen(field), 0);
			put_field(out, reason, strlen(reason), 0);
			put_record(out, csv);
		}
	}
	if ((error = iffa_db__exec(db, "listing the bad rows", "CLOSE load_rejects", 0, NULL)) < 0)
		goto done;
	/* Read to the end, so the digest covers the whole file. */
	while ((rc = iffa_load__csv_next(csv)) == 1)
		;
	if (rc < 0) {
		error = rc;
		goto done;
	}
	if ((error = iffa_load__csv_sha256(csv, digest)) < 0)
		goto done;
	if (strcmp(digest, sha256) != 0) {
		error = iffa_error_set(IFFA_EINVAL, "%s: changed while loading (SHA-256 %s, "
						    "then %s); nothing was written",
				       name, sha256, digest);
		goto done;
	}
	/* Messages name the file asked for; the temporary one is removed. */
	if (fflush(out) != 0 || ferror(out) || fsync(fileno(out)) != 0) {
		error = iffa_error_set(IFFA_EIO, "%s: writing: %s", reject_path, strerror(errno));
		goto done;
	}
	if (fclose(out) != 0) {
		out = NULL;
		error = iffa_error_set(IFFA_EIO, "%s: writing: %s", reject_path, strerror(errno));
		goto done;
	}
	out = NULL;
	if (rename(tmp, reject_path) != 0) {
		error = iffa_error_set(IFFA_EIO, "%s: cannot rename %s into place: %s",
				       reject_path, tmp, strerror(errno));
		goto done;
	}
	free(tmp);
	tmp = NULL;
	/* The new name must outlive a crash as the commit will. */
	error = iffa_core__fsync_parent(reject_path);
done:
	PQclear(res);
	/* A cursor left open on failure goes with the rolled-back transaction. */
	if (out)
		fclose(out);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	iffa_load__csv_free(csv);
	if (in)
		fclose(in);
	return error;
}
