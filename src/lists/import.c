/*
 * `iffa lists import`: a list file read whole (un_xml.c, ftm.c, csv.c),
 * then compared with the database's copy of the list in one transaction
 * (see iffa/lists.h and sql/005_lists.sql). Every entry's canonical JSON
 * (list.c) is hashed; a different digest is a change, recorded with the
 * content before and after.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/jsonbuf.h"
#include "core/osuser.h"
#include "crypto/crypto.h"
#include "db/db.h"
#include "lists/lists.h"

/* One entry already in the database. */
typedef struct {
	const char *reference;
	long long id;
	char sha[65];
	int removed;
	int seen;
} known;

static void hex(char out[65], const unsigned char *md, unsigned int len)
{
	for (unsigned int i = 0; i < len && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static int sha256_text(char out[65], const char *s, size_t n)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (!EVP_Digest(s, n, md, &len, EVP_sha256(), NULL))
		return iffa_error_set(IFFA_ERROR, "computing a SHA-256 digest failed");
	hex(out, md, len);
	return 0;
}

static int sha256_file(char out[65], const char *path)
{
	unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int error = 0;
	size_t n;
	FILE *f;

	if (!ctx)
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	if (!(f = fopen(path, "rb"))) {
		EVP_MD_CTX_free(ctx);
		return iffa_error_set(IFFA_EIO, "%s: cannot open: %s", path, strerror(errno));
	}
	if (!EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		error = iffa_error_set(IFFA_ERROR, "computing a SHA-256 digest failed");
	while (error == 0 && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		if (!EVP_DigestUpdate(ctx, buf, n))
			error = iffa_error_set(IFFA_ERROR, "computing a SHA-256 digest failed");
	if (error == 0 && ferror(f))
		error = iffa_error_set(IFFA_EIO, "%s: read error", path);
	if (error == 0 && !EVP_DigestFinal_ex(ctx, md, &len))
		error = iffa_error_set(IFFA_ERROR, "computing a SHA-256 digest failed");
	if (error == 0)
		hex(out, md, len);
	fclose(f);
	EVP_MD_CTX_free(ctx);
	return error;
}

int iffa_lists_format_parse(iffa_list_format *out, const char *name)
{
	if (strcmp(name, "un-xml") == 0)
		*out = IFFA_LIST_FORMAT_UN_XML;
	else if (strcmp(name, "ftm") == 0)
		*out = IFFA_LIST_FORMAT_FTM;
	else if (strcmp(name, "csv") == 0)
		*out = IFFA_LIST_FORMAT_CSV;
	else if (strcmp(name, "auto") == 0)
		*out = IFFA_LIST_FORMAT_AUTO;
	else
		return iffa_error_set(IFFA_EINVAL, "unknown list format '%s' (un-xml, ftm, csv)",
				      name);
	return 0;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int cmp_entry_ref(const void *a, const void *b)
{
	const iffa_lists__entry *const *x = a, *const *y = b;
	int c = strcmp((*x)->reference, (*y)->reference);
	return c ? c : ((*x)->line > (*y)->line) - ((*x)->line < (*y)->line);
}

static int cmp_known(const void *a, const void *b)
{
	return strcmp(((const known *)a)->reference, ((const known *)b)->reference);
}

/* Two entries of one file with the same reference: refuse the file. */
static int check_unique(const iffa_lists__parsed *p)
{
	iffa_lists__entry **v;
	int error = 0;

	if (p->nentries < 2)
		return 0;
	if (!(v = malloc(p->nentries * sizeof(*v))))
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	for (size_t i = 0; i < p->nentries; i++)
		v[i] = &p->entries[i];
	qsort(v, p->nentries, sizeof(*v), cmp_entry_ref);
	for (size_t i = 1; i < p->nentries && error == 0; i++)
		if (strcmp(v[i]->reference, v[i - 1]->reference) == 0)
			error = iffa_error_set(IFFA_EINVAL, "%s:%ld: reference %s already used by "
					       "the entry of line %ld", p->path, v[i]->line,
					       v[i]->reference, v[i - 1]->line);
	free(v);
	return error;
}

/* ISO codes for the countries: read from the text, or checked if given. */
static int resolve_countries(iffa_lists__parsed *p, iffa_db *db, size_t *unresolved)
{
	const char *(*names)[2] = NULL;
	PGresult *res = NULL;
	int error, n;

	if ((error = iffa_db__query(&res, db, "reading the country table",
				    "SELECT code, name FROM country ORDER BY code", 0, NULL)) < 0)
		return error;
	n = PQntuples(res);
	if (!(names = calloc((size_t)n + 1, sizeof(*names)))) {
		PQclear(res);
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	}
	for (int i = 0; i < n; i++) {
		names[i][0] = PQgetvalue(res, i, 0);
		names[i][1] = PQgetvalue(res, i, 1);
	}
	for (size_t e = 0; e < p->nentries && error == 0; e++) {
		const iffa_lists__entry *en = &p->entries[e];
		for (size_t k = 0; k < en->ncountries; k++) {
			iffa_lists__country *c = &p->countries[en->country0 + k];
			if (c->code[0]) {
				int found = 0;
				for (int i = 0; i < n && !found; i++)
					found = strcmp(names[i][0], c->code) == 0;
				if (!found && strcmp(p->format, "csv") == 0) {
					error = iffa_error_set(IFFA_EINVAL, "%s:%ld: country code %s "
							       "is not in the country table",
							       p->path, en->line, c->code);
					break;
				}
				if (!found)
					c->code[0] = '\0';
			} else {
				iffa_lists__country_code(c->code, c->text,
							 (const char *const(*)[2])names, (size_t)n);
			}
			if (!c->code[0])
				(*unresolved)++;
		}
	}
	free(names);
	PQclear(res);
	return error;
}

static const char insert_children[] =
	", n AS (INSERT INTO list_entry_name (entry_id, seq, name, kind, quality) "
	"SELECT e.id, x.ord, x.v->>'name', x.v->>'kind', x.v->>'quality' "
	"FROM e, j, jsonb_array_elements(j.d->'names') WITH ORDINALITY AS x(v, ord)), "
	"b AS (INSERT INTO list_entry_dob (entry_id, seq, exact_date, from_year, to_year, "
	"approximate) SELECT e.id, x.ord, (x.v->>'exact')::date, (x.v->>'from_year')::int, "
	"(x.v->>'to_year')::int, (x.v->>'approximate')::boolean "
	"FROM e, j, jsonb_array_elements(j.d->'dobs') WITH ORDINALITY AS x(v, ord)), "
	"c AS (INSERT INTO list_entry_country (entry_id, seq, role, text, country) "
	"SELECT e.id, x.ord, x.v->>'role', x.v->>'text', x.v->>'country' "
	"FROM e, j, jsonb_array_elements(j.d->'countries') WITH ORDINALITY AS x(v, ord)) ";

static int add_entry(iffa_db *db, const char *list_id, const char *version_id,
		     const char *sha, const char *json, const char *what)
{
	const char *params[4] = {list_id, version_id, sha, json};
	char sql[2048];

	snprintf(sql, sizeof(sql),
		 "WITH j AS (SELECT $4::jsonb AS d), "
		 "e AS (INSERT INTO list_entry (list_id, reference, entry_kind, name, listed_on, "
		 "program, data, content_sha256, first_version, last_version) "
		 "SELECT $1::bigint, d->>'reference', d->>'kind', d->>'name', "
		 "(d->>'listed_on')::date, d->>'program', d, $3, $2::bigint, $2::bigint FROM j "
		 "RETURNING id)%s"
		 "INSERT INTO list_change (version_id, entry_id, change, before, after) "
		 "SELECT $2::bigint, e.id, 'added', NULL, j.d FROM e, j",
		 insert_children);
	return iffa_db__exec(db, what, sql, 4, params);
}

static int update_entry(iffa_db *db, const char *entry_id, const char *version_id,
			const char *sha, const char *json, const char *change, const char *what)
{
	const char *params[5] = {entry_id, version_id, sha, json, change};
	char sql[2048];
	int error;

	/* Old names, dates and countries go first (a separate statement: the
	 * new rows reuse their keys); their old values stay in list_change. */
	if ((error = iffa_db__exec(db, what,
				   "WITH a AS (DELETE FROM list_entry_name WHERE entry_id = $1::bigint), "
				   "b AS (DELETE FROM list_entry_dob WHERE entry_id = $1::bigint) "
				   "DELETE FROM list_entry_country WHERE entry_id = $1::bigint",
				   1, params)) < 0)
		return error;
	snprintf(sql, sizeof(sql),
		 "WITH j AS (SELECT $4::jsonb AS d), "
		 "old AS (SELECT data FROM list_entry WHERE id = $1::bigint), "
		 "e AS (UPDATE list_entry SET entry_kind = d->>'kind', name = d->>'name', "
		 "listed_on = (d->>'listed_on')::date, program = d->>'program', data = d, "
		 "content_sha256 = $3, last_version = $2::bigint, removed_in = NULL FROM j "
		 "WHERE list_entry.id = $1::bigint RETURNING list_entry.id)%s"
		 "INSERT INTO list_change (version_id, entry_id, change, before, after) "
		 "SELECT $2::bigint, e.id, $5, old.data, j.d FROM e, j, old",
		 insert_children);
	return iffa_db__exec(db, what, sql, 5, params);
}

/* The comparison and writes, inside the transaction. */
static int apply(iffa_lists_import_result *out, iffa_db *db, const iffa_lists__parsed *p,
		 const char *list, const char *file_sha, const char *os_user)
{
	const char *params[8];
	char list_id[32], version_id[32], seq[16], count[32], what[512];
	iffa_jsonbuf json = IFFA_JSONBUF_INIT, unchanged = IFFA_JSONBUF_INIT;
	PGresult *res = NULL;
	known *k = NULL;
	size_t nk = 0;
	int error, nextseq = 1;

	snprintf(what, sizeof(what), "importing %s into list %s", p->path, list);
	params[0] = list;
	params[1] = p->format;
	if ((error = iffa_db__exec(db, what,
				   "INSERT INTO sanctions_list (name, format) VALUES ($1, $2) "
				   "ON CONFLICT (name) DO NOTHING", 2, params)) < 0)
		goto done;
	/* The row lock serialises two imports of one list. */
	if ((error = iffa_db__query(&res, db, what,
				    "SELECT id, format FROM sanctions_list WHERE name = $1 FOR UPDATE",
				    1, params)) < 0)
		goto done;
	snprintf(list_id, sizeof(list_id), "%s", PQgetvalue(res, 0, 0));
	if (strcmp(PQgetvalue(res, 0, 1), p->format) != 0) {
		error = iffa_error_set(IFFA_EINVAL, "list %s was imported from %s files; %s is "
				       "read as %s: entries would not line up (import it under "
				       "another --list name)", list, PQgetvalue(res, 0, 1), p->path,
				       p->format);
		goto done;
	}
	PQclear(res);
	res = NULL;

	params[0] = list_id;
	params[1] = p->published_at[0] ? p->published_at : NULL;
	if ((error = iffa_db__query(&res, db, what,
				    "SELECT seq, file_sha256, published_at, "
				    "published_at > $2::timestamptz FROM list_version "
				    "WHERE list_id = $1::bigint ORDER BY seq DESC LIMIT 1", 2,
				    params)) < 0)
		goto done;
	if (PQntuples(res) == 1) {
		nextseq = atoi(PQgetvalue(res, 0, 0)) + 1;
		if (strcmp(PQgetvalue(res, 0, 1), file_sha) == 0) {
			/* Same file again: nothing to record. */
			out->seq = nextseq - 1;
			out->unchanged = p->nentries;
			goto done;
		}
		if (strcmp(PQgetvalue(res, 0, 3), "t") == 0) {
			error = iffa_error_set(IFFA_EINVAL, "%s is dated %s, older than version %d of "
					       "list %s (dated %s): refused, a list only moves "
					       "forward", p->path, p->published_at, nextseq - 1,
					       list, PQgetvalue(res, 0, 2));
			goto done;
		}
	}
	PQclear(res);
	res = NULL;

	snprintf(seq, sizeof(seq), "%d", nextseq);
	snprintf(count, sizeof(count), "%zu", p->nentries);
	params[0] = list_id;
	params[1] = seq;
	params[2] = p->published_at[0] ? p->published_at : NULL;
	params[3] = p->path;
	params[4] = file_sha;
	params[5] = count;
	params[6] = os_user;
	if ((error = iffa_db__query(&res, db, what,
				    "INSERT INTO list_version (list_id, seq, published_at, file_name, "
				    "file_sha256, entries, os_user) VALUES ($1::bigint, $2::int, "
				    "$3::timestamptz, $4, $5, $6::int, $7) RETURNING id", 7,
				    params)) < 0)
		goto done;
	snprintf(version_id, sizeof(version_id), "%s", PQgetvalue(res, 0, 0));
	out->version_id = atoll(version_id);
	out->seq = nextseq;
	PQclear(res);
	res = NULL;

	/* What the database holds of the list. */
	params[0] = list_id;
	if ((error = iffa_db__query(&res, db, what,
				    "SELECT id, reference, content_sha256, removed_in IS NOT NULL "
				    "FROM list_entry WHERE list_id = $1::bigint", 1, params)) < 0)
		goto done;
	nk = (size_t)PQntuples(res);
	if (nk && !(k = calloc(nk, sizeof(*k)))) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < nk; i++) {
		k[i].id = atoll(PQgetvalue(res, (int)i, 0));
		k[i].reference = PQgetvalue(res, (int)i, 1);
		snprintf(k[i].sha, sizeof(k[i].sha), "%s", PQgetvalue(res, (int)i, 2));
		k[i].removed = strcmp(PQgetvalue(res, (int)i, 3), "t") == 0;
	}
	if (nk)
		qsort(k, nk, sizeof(*k), cmp_known);

	iffa_jsonbuf__puts(&unchanged, "{");
	for (size_t i = 0; i < p->nentries; i++) {
		const iffa_lists__entry *e = &p->entries[i];
		known key, *hit;
		char sha[65], idtext[32];

		if ((error = iffa_lists__entry_json(&json, p, e)) < 0 ||
		    (error = sha256_text(sha, json.ptr, json.len)) < 0)
			goto done;
		snprintf(what, sizeof(what), "%s:%ld: entry %s", p->path, e->line, e->reference);
		key.reference = e->reference;
		hit = nk ? bsearch(&key, k, nk, sizeof(*k), cmp_known) : NULL;
		if (!hit) {
			if ((error = add_entry(db, list_id, version_id, sha, json.ptr, what)) < 0)
				goto done;
			out->added++;
			continue;
		}
		hit->seen = 1;
		snprintf(idtext, sizeof(idtext), "%lld", hit->id);
		if (hit->removed || strcmp(hit->sha, sha) != 0) {
			if ((error = update_entry(db, idtext, version_id, sha, json.ptr,
						  hit->removed ? "restored" : "changed", what)) < 0)
				goto done;
			if (hit->removed)
				out->restored++;
			else
				out->changed++;
		} else {
			iffa_jsonbuf__printf(&unchanged, "%s%lld", out->unchanged ? "," : "", hit->id);
			out->unchanged++;
		}
	}
	iffa_jsonbuf__puts(&unchanged, "}");
	if (unchanged.oom) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	snprintf(what, sizeof(what), "importing %s into list %s", p->path, list);
	params[0] = version_id;
	params[1] = unchanged.ptr;
	if ((error = iffa_db__exec(db, what,
				   "UPDATE list_entry SET last_version = $1::bigint "
				   "WHERE id = ANY($2::bigint[])", 2, params)) < 0)
		goto done;
	PQclear(res);
	res = NULL;
	params[0] = list_id;
	params[1] = version_id;
	if ((error = iffa_db__query(&res, db, what,
				    "WITH r AS (UPDATE list_entry SET removed_in = $2::bigint "
				    "WHERE list_id = $1::bigint AND removed_in IS NULL "
				    "AND last_version <> $2::bigint RETURNING id, data) "
				    "INSERT INTO list_change (version_id, entry_id, change, before, "
				    "after) SELECT $2::bigint, id, 'removed', data, NULL FROM r", 2,
				    params)) < 0)
		goto done;
	out->removed = (size_t)atoll(PQcmdTuples(res));
	PQclear(res);
	res = NULL;
	{
		char a[32], c[32], r[32], s[32];
		snprintf(a, sizeof(a), "%zu", out->added);
		snprintf(c, sizeof(c), "%zu", out->changed);
		snprintf(r, sizeof(r), "%zu", out->removed);
		snprintf(s, sizeof(s), "%zu", out->restored);
		params[0] = version_id;
		params[1] = a;
		params[2] = c;
		params[3] = r;
		params[4] = s;
		error = iffa_db__exec(db, what,
				      "UPDATE list_version SET added = $2::int, changed = $3::int, "
				      "removed = $4::int, restored = $5::int WHERE id = $1::bigint",
				      5, params);
	}
done:
	PQclear(res);
	free(k);
	iffa_jsonbuf__dispose(&json);
	iffa_jsonbuf__dispose(&unchanged);
	return error;
}

/*
 * The import's audit row: command `lists import`, the file, list and
 * format, the file's SHA-256 (as for loads, the digest of what came in),
 * the entries read and, in detail, what changed, or the error of a refused
 * import. A refusal is recorded after the rollback, best effort (the
 * server may be what failed), keeping the refusal's message.
 */
static int audit(iffa_db *db, const iffa_lists_import_result *r, const char *path,
		 const char *list, const char *format, const char *file_sha, const char *os_user,
		 int failed)
{
	iffa_jsonbuf params = IFFA_JSONBUF_INIT, detail = IFFA_JSONBUF_INIT;
	char msg[2048], rows[32];
	const char *p[5];
	int error;

	snprintf(msg, sizeof(msg), "%s", iffa_error_last());
	iffa_jsonbuf__puts(&params, "{\"file\":");
	iffa_crypto__json_str(&params, path);
	iffa_jsonbuf__puts(&params, ",\"list\":");
	iffa_crypto__json_str(&params, list);
	iffa_jsonbuf__printf(&params, ",\"format\":\"%s\"}", format);
	if (failed) {
		iffa_jsonbuf__puts(&detail, "{\"ok\":false,\"error\":");
		iffa_crypto__json_str(&detail, msg);
		iffa_jsonbuf__puts(&detail, "}");
	} else {
		iffa_jsonbuf__printf(&detail,
				     "{\"ok\":true,\"version_id\":%lld,\"seq\":%d,\"added\":%zu,"
				     "\"changed\":%zu,\"removed\":%zu,\"restored\":%zu,"
				     "\"unchanged\":%zu,\"skipped\":%zu,\"unresolved\":%zu}",
				     r->version_id, r->seq, r->added, r->changed, r->removed,
				     r->restored, r->unchanged, r->skipped, r->unresolved);
	}
	if (params.oom || detail.oom) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	snprintf(rows, sizeof(rows), "%zu", r->entries);
	p[0] = os_user;
	p[1] = params.ptr;
	p[2] = failed ? "0" : rows;
	p[3] = file_sha && *file_sha ? file_sha : NULL;
	p[4] = detail.ptr;
	error = iffa_db__exec(db, "writing the audit record",
			      "INSERT INTO audit_log (os_user, command, params, rows_affected, "
			      "output_sha256, detail) VALUES ($1, 'lists import', $2::jsonb, "
			      "$3::bigint, $4, $5::jsonb)",
			      5, p);
done:
	iffa_jsonbuf__dispose(&params);
	iffa_jsonbuf__dispose(&detail);
	if (failed)
		iffa_error_set(failed, "%s", msg);
	return error;
}

int iffa_lists_import(iffa_lists_import_result *out, iffa_db *db, const char *path,
		      const iffa_lists_import_options *opts)
{
	iffa_lists_import_options defaults = IFFA_LISTS_IMPORT_OPTIONS_INIT;
	iffa_list_format format;
	iffa_lists__parsed p;
	char file_sha[65] = "", os_user[256];
	const char *list, *fname;
	int error, in_tx = 0;

	memset(out, 0, sizeof(*out));
	if (!opts)
		opts = &defaults;
	if (opts->version != IFFA_LISTS_IMPORT_OPTIONS_VERSION)
		return iffa_error_set(IFFA_EINVAL, "import options of version %u; this iffa knows %d",
				      opts->version, IFFA_LISTS_IMPORT_OPTIONS_VERSION);
	format = opts->format;
	if (format == IFFA_LIST_FORMAT_AUTO) {
		if (ends_with(path, ".xml"))
			format = IFFA_LIST_FORMAT_UN_XML;
		else if (ends_with(path, ".json") || ends_with(path, ".jsonl") ||
			 ends_with(path, ".ndjson"))
			format = IFFA_LIST_FORMAT_FTM;
		else if (ends_with(path, ".csv"))
			format = IFFA_LIST_FORMAT_CSV;
		else
			return iffa_error_set(IFFA_EINVAL, "%s: cannot tell the format from the "
					      "name; say --format un-xml, ftm or csv", path);
	}
	fname = format == IFFA_LIST_FORMAT_UN_XML ? "un-xml"
		: format == IFFA_LIST_FORMAT_FTM  ? "ftm"
						  : "csv";
	list = opts->list ? opts->list
	       : format == IFFA_LIST_FORMAT_UN_XML ? "UN"
	       : format == IFFA_LIST_FORMAT_FTM	   ? "OpenSanctions"
						   : NULL;
	if (!list)
		return iffa_error_set(IFFA_EINVAL, "a CSV list needs a name (--list NAME)");
	if (strlen(list) >= sizeof(out->list))
		return iffa_error_set(IFFA_EINVAL, "list name longer than %zu bytes",
				      sizeof(out->list) - 1);
	snprintf(out->list, sizeof(out->list), "%s", list);
	if (opts->os_user)
		snprintf(os_user, sizeof(os_user), "%s", opts->os_user);
	else
		iffa_core__os_user(os_user, sizeof(os_user));

	iffa_lists__parsed_init(&p, path, fname);
	if ((error = sha256_file(file_sha, path)) < 0)
		goto done;
	error = format == IFFA_LIST_FORMAT_UN_XML ? iffa_lists__read_un_xml(&p)
		: format == IFFA_LIST_FORMAT_FTM  ? iffa_lists__read_ftm(&p)
						  : iffa_lists__read_csv(&p);
	if (error < 0)
		goto done;
	if (p.nentries == 0) {
		error = iffa_error_set(IFFA_EINVAL, "%s: no list entries in the file; an empty "
				       "file would remove every entry of list %s, refused", path,
				       list);
		goto done;
	}
	if ((error = check_unique(&p)) < 0 ||
	    (error = resolve_countries(&p, db, &out->unresolved)) < 0)
		goto done;
	out->entries = p.nentries;
	out->skipped = p.skipped;

	if ((error = iffa_db__exec(db, "starting the import", "BEGIN", 0, NULL)) < 0)
		goto done;
	in_tx = 1;
	if ((error = apply(out, db, &p, list, file_sha, os_user)) < 0 ||
	    (error = audit(db, out, path, list, fname, file_sha, os_user, 0)) < 0)
		goto done;
	error = iffa_db__exec(db, "committing the import", "COMMIT", 0, NULL);
	in_tx = 0;
done:
	if (in_tx)
		PQclear(PQexec(iffa_db_conn(db), "ROLLBACK"));
	if (error < 0 && PQstatus(iffa_db_conn(db)) == CONNECTION_OK &&
	    PQtransactionStatus(iffa_db_conn(db)) == PQTRANS_IDLE)
		audit(db, out, path, list, fname, file_sha, os_user, error);
	if (error < 0) {
		char list_name[sizeof(out->list)];
		memcpy(list_name, out->list, sizeof(list_name));
		memset(out, 0, sizeof(*out));
		memcpy(out->list, list_name, sizeof(list_name));
	}
	iffa_lists__parsed_dispose(&p);
	return error;
}
