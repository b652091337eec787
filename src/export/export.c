/*
 * iffa_case_export(): resolve the subjects, read the flow graph, build the
 * case, write it in the format asked for, record it in audit_log, and put
 * the files in place. Outputs are opened before anything else so that a
 * path that cannot be written fails at once; on any failure the temporary
 * files are removed and nothing is left at the path.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "crypto/crypto.h"
#include "db/db.h"
#include "export/case.h"
#include "iffa/ingest.h"

static const char *const format_names[IFFA_CASE_FORMAT_COUNT] = {"graphml", "gexf", "dot", "ftm",
								  "csv"};

const char *iffa_case_format_name(iffa_case_format f)
{
	return (unsigned)f < IFFA_CASE_FORMAT_COUNT ? format_names[f] : NULL;
}

int iffa_case_format_parse(iffa_case_format *out, const char *name)
{
	for (int i = 0; i < IFFA_CASE_FORMAT_COUNT; i++) {
		if (strcmp(name, format_names[i]) == 0) {
			*out = (iffa_case_format)i;
			return 0;
		}
	}
	return iffa_error_set(IFFA_EINVAL, "unknown format '%s' (graphml, gexf, dot, ftm or csv)",
			      name);
}

/* A path that exists must be a regular file (not /dev/full, a directory
 * or a link, which a rename would replace). */
static int check_target(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : iffa_error_set(IFFA_EIO, "%s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return iffa_error_set(IFFA_EINVAL, "%s: exists and is not a regular file; refused",
				      path);
	return 0;
}

/* Vertices of the subjects: a reference naming an account, a party, or both. */
static int resolve_subjects(igraph_integer_t **out, size_t *nout, iffa_db *db,
			    const iffa_flowgraph *g, const char *const *subjects, size_t n)
{
	igraph_integer_t *v = malloc(16 * sizeof(*v));
	size_t k = 0, cap = 16;
	int error = 0;

	*out = NULL;
	*nout = 0;
	if (!v)
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	for (size_t i = 0; i < n && error == 0; i++) {
		PGresult *res = NULL;
		const char *p[1] = {subjects[i]};
		if ((error = iffa_db__query(&res, db, "finding the subject",
					    "SELECT 'a', id FROM account WHERE ref = $1"
					    " UNION ALL SELECT 'p', id FROM party WHERE ref = $1"
					    " UNION ALL SELECT 'a', a.id FROM account a"
					    " JOIN party p ON p.id = a.party_id WHERE p.ref = $1",
					    1, p)) < 0)
			break;
		if (PQntuples(res) == 0) {
			char shown[256];
			iffa_crypto__printable(shown, sizeof(shown), subjects[i]);
			error = iffa_error_set(IFFA_ENOTFOUND, "no account or party with reference '%s'",
					       shown);
		}
		for (int r = 0; r < PQntuples(res) && error == 0; r++) {
			int64_t id = atoll(PQgetvalue(res, r, 1));
			int64_t key = PQgetvalue(res, r, 0)[0] == 'a' ? IFFA_KEY_ACCOUNT(id)
								      : IFFA_KEY_PARTY(id);
			if (k == cap) {
				void *q = realloc(v, 2 * cap * sizeof(*v));
				if (!q) {
					error = iffa_error_set(IFFA_ENOMEM, "out of memory");
					break;
				}
				v = q;
				cap *= 2;
			}
			if (iffa_flowgraph_find_vertex(&v[k], g, key) == 0)
				k++;
		}
		PQclear(res);
	}
	if (error < 0) {
		free(v);
		return error;
	}
	*out = v;
	*nout = k;
	return 0;
}

static int params_json(iffa_jsonbuf *b, const char *const *subjects, size_t n,
		       iffa_case_format format, const char *path, const iffa_case_options *o)
{
	char t[32];

	iffa_jsonbuf__puts(b, "{\"subjects\":[");
	for (size_t i = 0; i < n; i++) {
		if (i)
			iffa_jsonbuf__puts(b, ",");
		iffa_crypto__json_str(b, subjects[i]);
	}
	iffa_jsonbuf__printf(b, "],\"format\":\"%s\",\"hops\":%d,\"level\":\"%s\",",
			     iffa_case_format_name(format), o->hops,
			     o->level == IFFA_LEVEL_PARTY ? "party" : "account");
	iffa_jsonbuf__puts(b, "\"from\":");
	if (o->from != IFFA_TIME_MIN && iffa_flowgraph_time_format(t, sizeof(t), o->from) == 0)
		iffa_jsonbuf__printf(b, "\"%s\"", t);
	else
		iffa_jsonbuf__puts(b, "null");
	iffa_jsonbuf__puts(b, ",\"to\":");
	if (o->to != IFFA_TIME_MAX && iffa_flowgraph_time_format(t, sizeof(t), o->to) == 0)
		iffa_jsonbuf__printf(b, "\"%s\"", t);
	else
		iffa_jsonbuf__puts(b, "null");
	iffa_jsonbuf__puts(b, ",\"out\":");
	iffa_crypto__json_str(b, path);
	iffa_jsonbuf__puts(b, "}");
	return b->oom ? iffa_error_set(IFFA_ENOMEM, "out of memory") : 0;
}

#define MAX_FILES 2

int iffa_case_export(iffa_case_export_result *out, iffa_db *db, const char *const *subjects,
		     size_t nsubjects, iffa_case_format format, const char *path,
		     const iffa_case_options *opts)
{
	iffa_case_options o = IFFA_CASE_OPTIONS_INIT;
	iffa_ingest_options io = IFFA_INGEST_OPTIONS_INIT;
	iffa_atomicfile *files[MAX_FILES] = {NULL, NULL};
	unsigned long long sizes[MAX_FILES] = {0, 0};
	const char *names[MAX_FILES] = {NULL, NULL};
	char *paths[MAX_FILES] = {NULL, NULL}, sha[MAX_FILES][65];
	iffa_jsonbuf params = IFFA_JSONBUF_INIT, detail = IFFA_JSONBUF_INIT, body = IFFA_JSONBUF_INIT;
	iffa_jsonbuf listing = IFFA_JSONBUF_INIT;
	iffa_flowgraph *g = NULL;
	iffa_case__case c;
	igraph_integer_t *seeds = NULL;
	size_t nseeds = 0, nfiles = format == IFFA_CASE_CSV ? 2 : 1;
	int error = 0, made_dir = 0, audited = 0;
	int64_t run = 0;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	if (opts)
		o = *opts;
	if ((unsigned)format >= IFFA_CASE_FORMAT_COUNT)
		return iffa_error_set(IFFA_EINVAL, "unknown export format %d", (int)format);
	if (!subjects || nsubjects == 0)
		return iffa_error_set(IFFA_EINVAL, "a case needs at least one subject");
	if (o.hops < 0 || o.hops > 10)
		return iffa_error_set(IFFA_EINVAL, "hops %d: between 0 and 10", o.hops);
	if (!path || !*path)
		return iffa_error_set(IFFA_EINVAL, "no output path");
	if ((error = params_json(&params, subjects, nsubjects, format, path, &o)) < 0)
		goto done;

	/* Outputs first: a path that cannot be written fails before any work. */
	if (format == IFFA_CASE_CSV) {
		struct stat st;
		names[0] = "nodes.csv";
		names[1] = "edges.csv";
		if (lstat(path, &st) == 0 && !S_ISDIR(st.st_mode)) {
			error = iffa_error_set(IFFA_EINVAL, "%s: exists and is not a directory", path);
			goto done;
		}
		if (mkdir(path, 0700) == 0)
			made_dir = 1;
		else if (errno != EEXIST) {
			error = iffa_error_set(IFFA_EIO, "%s: %s", path, strerror(errno));
			goto done;
		}
		for (size_t i = 0; i < nfiles; i++) {
			size_t len = strlen(path) + strlen(names[i]) + 2;
			if (!(paths[i] = malloc(len))) {
				error = iffa_error_set(IFFA_ENOMEM, "out of memory");
				goto done;
			}
			snprintf(paths[i], len, "%s/%s", path, names[i]);
		}
	} else {
		const char *slash = strrchr(path, '/');
		names[0] = slash ? slash + 1 : path;
		if (!(paths[0] = strdup(path))) {
			error = iffa_error_set(IFFA_ENOMEM, "out of memory");
			goto done;
		}
	}
	for (size_t i = 0; i < nfiles; i++) {
		if ((error = check_target(paths[i])) < 0 ||
		    (error = iffa_atomicfile__open(&files[i], paths[i], 0600, IFFA_ATOMICFILE_SHA256)) < 0)
			goto done;
	}

	if ((error = iffa_case__resolve_run(&run, db, o.run, o.from, o.to)) < 0)
		goto done;
	io.level = o.level;
	io.from = o.from;
	io.to = o.to;
	io.readers = 1;
	if ((error = iffa_ingest(&g, db, &io)) < 0 ||
	    (error = resolve_subjects(&seeds, &nseeds, db, g, subjects, nsubjects)) < 0 ||
	    (error = iffa_case__build(&c, db, g, seeds, nseeds, o.hops, run)) < 0)
		goto done;

	for (size_t i = 0; i < nfiles; i++) {
		iffa_jsonbuf__clear(&body);
		switch (format) {
		case IFFA_CASE_GRAPHML: error = iffa_case__write_graphml(&body, &c); break;
		case IFFA_CASE_GEXF: error = iffa_case__write_gexf(&body, &c); break;
		case IFFA_CASE_DOT: error = iffa_case__write_dot(&body, &c); break;
		case IFFA_CASE_FTM: error = iffa_case__write_ftm(&body, &c); break;
		default:
			error = i == 0 ? iffa_case__write_csv_nodes(&body, &c)
				       : iffa_case__write_csv_edges(&body, &c);
			break;
		}
		if (error < 0 ||
		    (error = iffa_atomicfile__write(files[i], body.ptr ? body.ptr : "", body.len)) < 0 ||
		    (error = iffa_atomicfile__finish(files[i], sha[i])) < 0)
			goto done;
		sizes[i] = (unsigned long long)body.len;
		out->bytes += body.len;
	}

	/* The record names every file with its digest; output_sha256 is the
	 * file's, or for CSV the digest of the sorted "SHA256 SIZE NAME" lines. */
	iffa_jsonbuf__printf(&detail, "{\"vertices\":%zu,\"edges\":%zu,\"amount_xof\":%.2f,"
				      "\"run\":%lld,\"flagged\":%zu,\"files\":[",
			     c.nv, c.ne, c.amount, (long long)run, c.flagged);
	for (size_t k = 0; k < nfiles; k++) {
		/* nodes.csv sorts after edges.csv */
		size_t i = nfiles == 2 ? 1 - k : k;
		unsigned long long size = sizes[i];
		iffa_jsonbuf__printf(&detail, "%s{\"name\":", k ? "," : "");
		iffa_crypto__json_str(&detail, names[i]);
		iffa_jsonbuf__printf(&detail, ",\"sha256\":\"%s\",\"bytes\":%llu}", sha[i], size);
		iffa_jsonbuf__printf(&listing, "%s %llu %s\n", sha[i], size, names[i]);
	}
	iffa_jsonbuf__puts(&detail, "]}");
	if (detail.oom || listing.oom) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	if (nfiles == 1)
		memcpy(out->sha256, sha[0], 65);
	else if ((error = iffa_crypto__sha256_hex(out->sha256, listing.ptr, listing.len)) < 0)
		goto done;
	if ((error = iffa_crypto__audit(&out->audit_id, db, "case export", params.ptr,
					(long long)c.ne, out->sha256, detail.ptr)) < 0)
		goto done;
	audited = 1;
	for (size_t i = 0; i < nfiles; i++)
		if ((error = iffa_atomicfile__commit(files[i])) < 0)
			goto done;
	out->vertices = c.nv;
	out->edges = c.ne;
	out->amount = c.amount;
	out->run = run;
	out->flagged = c.flagged;
	out->files = nfiles;
done:
	for (size_t i = 0; i < MAX_FILES; i++) {
		iffa_atomicfile__free(files[i]);
		free(paths[i]);
	}
	if (error < 0 && made_dir) {
		/* Only what this export made: a rename that failed half way leaves
		 * a file, and rmdir then fails and keeps it. */
		if (rmdir(path) < 0 && nfiles == 2) {
			char p[4096];
			for (size_t i = 0; i < nfiles; i++) {
				snprintf(p, sizeof(p), "%s/%s", path, names[i]);
				unlink(p);
			}
			rmdir(path);
		}
	}
	if (error < 0 && !audited && params.ptr && db)
		iffa_crypto__audit_failure(db, "case export", params.ptr, error);
	iffa_case__dispose(&c);
	iffa_flowgraph_free(g);
	free(seeds);
	iffa_jsonbuf__dispose(&params);
	iffa_jsonbuf__dispose(&detail);
	iffa_jsonbuf__dispose(&body);
	iffa_jsonbuf__dispose(&listing);
	return error;
}
