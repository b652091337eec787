/*
 * Screening against the imported lists (see iffa/screen.h): a screener
 * loads the entries on the lists now (removed_in IS NULL) into the index of
 * index.c, matches counterparties against it and records every request and
 * verdict in audit_log before handing results back.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonbuf.h"
#include "core/osuser.h"
#include "core/utf8.h"
#include "db/db.h"
#include "iffa/screen.h"
#include "screen/exposure.h"
#include "screen/index.h"
#include "screen/screener.h"

#define MAX_BATCH 10000
#define MAX_NAME_BYTES 1000

struct iffa_screener {
	iffa_db *db;                /* borrowed */
	iffa_screen__index *ix;
	iffa_screen__params params;
	char os_user[256];
	char *requested_by;
	char *lists_json;           /* [{"list":"UN","version":3}, ...] */
	iffa_screen__exposure *xp;  /* NULL: exposure not looked up */
	iffa_screen__hit *hits;     /* scratch, max_hits */
};

const char *iffa_screen_verdict_name(iffa_screen_verdict v)
{
	switch (v) {
	case IFFA_SCREEN_MATCH:
		return "match";
	case IFFA_SCREEN_POSSIBLE:
		return "possible match";
	default:
		return "clear";
	}
}

/* Entry index of a list_entry.id, by binary search in the sorted ids. */
static int find_entry(const long long *ids, size_t n, long long id, uint32_t *out)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < n && ids[lo] == id) {
		*out = (uint32_t)lo;
		return 1;
	}
	return 0;
}

static int load(iffa_screener *s, const char *list)
{
	const char *params[1] = {list};
	PGresult *res = NULL;
	long long *ids = NULL;
	size_t n = 0;
	int error;

	if ((error = iffa_db__query(&res, s->db, "reading the schema",
				    "SELECT to_regclass('list_entry') IS NOT NULL", 0, NULL)) < 0)
		return error;
	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
		PQclear(res);
		return iffa_error_set(IFFA_EDB, "the database has no list tables: run `iffa db "
				      "init`, then `iffa lists import`");
	}
	PQclear(res);
	if ((error = iffa_db__query(&res, s->db, "reading list entries",
				    "SELECT e.id, l.name, e.reference, e.entry_kind, e.name, "
				    "e.listed_on, e.program FROM list_entry e "
				    "JOIN sanctions_list l ON l.id = e.list_id "
				    "WHERE e.removed_in IS NULL AND ($1::text IS NULL OR l.name = $1) "
				    "ORDER BY e.id", 1, params)) < 0)
		return error;
	n = (size_t)PQntuples(res);
	if (n == 0) {
		PQclear(res);
		if (list)
			return iffa_error_set(IFFA_ENOTFOUND, "list '%s' has no entries: import it "
					      "with `iffa lists import`", list);
		return iffa_error_set(IFFA_ENOTFOUND, "no sanctions list is imported: screening "
				      "against nothing would say \"clear\" to everyone; import a "
				      "list with `iffa lists import` first");
	}
	if (!(ids = malloc(n * sizeof(*ids)))) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		iffa_screen__entry e;
		uint32_t id;
		ids[i] = atoll(PQgetvalue(res, (int)i, 0));
		e.id = ids[i];
		e.list = PQgetvalue(res, (int)i, 1);
		e.reference = PQgetvalue(res, (int)i, 2);
		e.kind = PQgetvalue(res, (int)i, 3);
		e.name = PQgetvalue(res, (int)i, 4);
		e.listed_on = PQgetisnull(res, (int)i, 5) ? NULL : PQgetvalue(res, (int)i, 5);
		e.program = PQgetisnull(res, (int)i, 6) ? NULL : PQgetvalue(res, (int)i, 6);
		if ((error = iffa_screen__index_add_entry(s->ix, &id, &e)) < 0)
			goto done;
	}
	PQclear(res);
	res = NULL;

	if ((error = iffa_db__query(&res, s->db, "reading list entry names",
				    "SELECT n.entry_id, n.name, n.kind, n.quality "
				    "FROM list_entry_name n JOIN list_entry e ON e.id = n.entry_id "
				    "JOIN sanctions_list l ON l.id = e.list_id "
				    "WHERE e.removed_in IS NULL AND ($1::text IS NULL OR l.name = $1) "
				    "ORDER BY n.entry_id, n.seq", 1, params)) < 0)
		goto done;
	for (int i = 0; i < PQntuples(res); i++) {
		uint32_t id;
		if (!find_entry(ids, n, atoll(PQgetvalue(res, i, 0)), &id))
			continue;
		if ((error = iffa_screen__index_add_name(s->ix, id, PQgetvalue(res, i, 1),
							 PQgetvalue(res, i, 2),
							 PQgetisnull(res, i, 3)
								 ? NULL
								 : PQgetvalue(res, i, 3))) < 0)
			goto done;
	}
	PQclear(res);
	res = NULL;

	if ((error = iffa_db__query(&res, s->db, "reading list entry dates of birth",
				    "SELECT d.entry_id, d.exact_date, d.from_year, d.to_year, "
				    "d.approximate FROM list_entry_dob d "
				    "JOIN list_entry e ON e.id = d.entry_id "
				    "JOIN sanctions_list l ON l.id = e.list_id "
				    "WHERE e.removed_in IS NULL AND ($1::text IS NULL OR l.name = $1)",
				    1, params)) < 0)
		goto done;
	for (int i = 0; i < PQntuples(res); i++) {
		uint32_t id;
		if (!find_entry(ids, n, atoll(PQgetvalue(res, i, 0)), &id))
			continue;
		if ((error = iffa_screen__index_add_dob(
			     s->ix, id, PQgetisnull(res, i, 1) ? NULL : PQgetvalue(res, i, 1),
			     atoi(PQgetvalue(res, i, 2)), atoi(PQgetvalue(res, i, 3)),
			     strcmp(PQgetvalue(res, i, 4), "t") == 0)) < 0)
			goto done;
	}
	PQclear(res);
	res = NULL;

	if ((error = iffa_db__query(&res, s->db, "reading list entry countries",
				    "SELECT c.entry_id, c.country, c.role FROM list_entry_country c "
				    "JOIN list_entry e ON e.id = c.entry_id "
				    "JOIN sanctions_list l ON l.id = e.list_id "
				    "WHERE c.country IS NOT NULL AND e.removed_in IS NULL "
				    "AND ($1::text IS NULL OR l.name = $1)", 1, params)) < 0)
		goto done;
	for (int i = 0; i < PQntuples(res); i++) {
		uint32_t id;
		if (!find_entry(ids, n, atoll(PQgetvalue(res, i, 0)), &id))
			continue;
		if ((error = iffa_screen__index_add_country(s->ix, id, PQgetvalue(res, i, 1),
							    PQgetvalue(res, i, 2))) < 0)
			goto done;
	}
	PQclear(res);
	res = NULL;

	/* Which version of each list the verdicts rest on, for the audit trail. */
	if ((error = iffa_db__query(&res, s->db, "reading list versions",
				    "SELECT coalesce(jsonb_agg(jsonb_build_object('list', l.name, "
				    "'version', v.seq, 'sha256', v.file_sha256) ORDER BY l.name), "
				    "'[]')::text FROM sanctions_list l JOIN list_version v "
				    "ON v.list_id = l.id AND v.seq = (SELECT max(seq) FROM "
				    "list_version WHERE list_id = l.id) "
				    "WHERE ($1::text IS NULL OR l.name = $1)", 1, params)) < 0)
		goto done;
	if (!(s->lists_json = strdup(PQgetvalue(res, 0, 0)))) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	error = iffa_screen__index_build(s->ix);
done:
	PQclear(res);
	free(ids);
	return error;
}

int iffa_screener_new(iffa_screener **out, iffa_db *db, const iffa_screen_options *opts)
{
	iffa_screen_options defaults = IFFA_SCREEN_OPTIONS_INIT;
	iffa_screener *s;
	int error;

	*out = NULL;
	if (!opts)
		opts = &defaults;
	if (opts->version != IFFA_SCREEN_OPTIONS_VERSION)
		return iffa_error_set(IFFA_EINVAL, "screen options of version %u; this iffa knows %d",
				      opts->version, IFFA_SCREEN_OPTIONS_VERSION);
	if (!(opts->possible > 0 && opts->possible <= opts->match && opts->match <= 1.0))
		return iffa_error_set(IFFA_EINVAL, "thresholds must satisfy 0 < possible (%g) <= "
				      "match (%g) <= 1", opts->possible, opts->match);
	if (opts->max_hits < 1 || opts->max_hits > 20)
		return iffa_error_set(IFFA_EINVAL, "max_hits %d is not in 1..20", opts->max_hits);
	if (!(s = calloc(1, sizeof(*s))))
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	s->db = db;
	s->params.match = opts->match;
	s->params.possible = opts->possible;
	s->params.max_hits = opts->max_hits;
	if (opts->os_user)
		snprintf(s->os_user, sizeof(s->os_user), "%s", opts->os_user);
	else
		iffa_core__os_user(s->os_user, sizeof(s->os_user));
	if ((opts->requested_by && !(s->requested_by = strdup(opts->requested_by))) ||
	    !(s->hits = calloc((size_t)opts->max_hits, sizeof(*s->hits)))) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	if ((error = iffa_screen__index_new(&s->ix)) < 0)
		goto done;
	if ((error = load(s, opts->list)) < 0)
		goto done;
	if (opts->exposure)
		error = iffa_screen__exposure_open(&s->xp, db);
done:
	if (error < 0) {
		iffa_screener_free(s);
		return error;
	}
	*out = s;
	return 0;
}

void iffa_screener_free(iffa_screener *s)
{
	if (!s)
		return;
	iffa_screen__index_free(s->ix);
	iffa_screen__exposure_free(s->xp);
	free(s->requested_by);
	free(s->lists_json);
	free(s->hits);
	free(s);
}

size_t iffa_screener_entry_count(const iffa_screener *s)
{
	return iffa_screen__index_entries(s->ix);
}

size_t iffa_screener_name_count(const iffa_screener *s)
{
	return iffa_screen__index_names(s->ix);
}

void iffa_screen_result_dispose(iffa_screen_result *r)
{
	if (!r)
		return;
	free(r->hits);
	free(r->strings);
	free(r->xstrings);
	free(r->xpath);
	memset(r, 0, sizeof(*r));
	r->exposure.hops = -1;
}

static int check_request(const iffa_screen_request *r, size_t i)
{
	size_t len, bad;

	if (!r->name || !*r->name)
		return iffa_error_set(IFFA_EINVAL, "counterparty %zu has no name", i + 1);
	len = strlen(r->name);
	if (len > MAX_NAME_BYTES)
		return iffa_error_set(IFFA_EINVAL, "counterparty %zu: name longer than %d bytes",
				      i + 1, MAX_NAME_BYTES);
	if (!iffa_utf8__valid(r->name, len, &bad))
		return iffa_error_set(IFFA_EINVAL, "counterparty %zu: name is not valid UTF-8 "
				      "(byte %zu)", i + 1, bad + 1);
	if (r->country && *r->country) {
		const char *c = r->country;
		if (strlen(c) != 2 || !((c[0] | 0x20) >= 'a' && (c[0] | 0x20) <= 'z') ||
		    !((c[1] | 0x20) >= 'a' && (c[1] | 0x20) <= 'z'))
			return iffa_error_set(IFFA_EINVAL, "counterparty %zu: country '%s' is not an "
					      "ISO 3166-1 alpha-2 code", i + 1, c);
	}
	if (r->ref && !iffa_utf8__valid(r->ref, strlen(r->ref), NULL))
		return iffa_error_set(IFFA_EINVAL, "counterparty %zu: reference is not valid UTF-8",
				      i + 1);
	if (r->account && (strlen(r->account) > MAX_NAME_BYTES ||
			   !iffa_utf8__valid(r->account, strlen(r->account), NULL)))
		return iffa_error_set(IFFA_EINVAL, "counterparty %zu: account reference is not valid "
				      "UTF-8 of at most %d bytes", i + 1, MAX_NAME_BYTES);
	return 0;
}

/* Copy the hits into the result, strings in one block. */
static int fill_result(iffa_screen_result *r, const iffa_screener *s,
		       const iffa_screen__hit *hits, size_t n)
{
	size_t size = 0, used = 0;

#define FIELDS(h, e)                                                                     \
	const char *f[7] = {e->list, e->reference, e->kind, e->name,                     \
			    iffa_screen__index_name_text(s->ix, h->name), e->listed_on,  \
			    h->reason}
	for (size_t i = 0; i < n; i++) {
		const iffa_screen__hit *h = &hits[i];
		const iffa_screen__entry *e = iffa_screen__index_entry(s->ix, h->entry);
		FIELDS(h, e);
		for (int k = 0; k < 7; k++)
			size += f[k] ? strlen(f[k]) + 1 : 0;
	}
	r->verdict = r->name_verdict = n ? (iffa_screen_verdict)hits[0].verdict : IFFA_SCREEN_CLEAR;
	r->nhits = n;
	if (n == 0)
		return 0;
	if (!(r->hits = calloc(n, sizeof(*r->hits))) || !(r->strings = malloc(size))) {
		iffa_screen_result_dispose(r);
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		const iffa_screen__hit *h = &hits[i];
		const iffa_screen__entry *e = iffa_screen__index_entry(s->ix, h->entry);
		iffa_screen_hit *o = &r->hits[i];
		const char **dst[7] = {&o->list, &o->reference, &o->entry_kind, &o->entry_name,
				       &o->matched_name, &o->listed_on, &o->reason};
		FIELDS(h, e);
		for (int k = 0; k < 7; k++) {
			if (!f[k]) {
				*dst[k] = NULL;
				continue;
			}
			memcpy(r->strings + used, f[k], strlen(f[k]) + 1);
			*dst[k] = r->strings + used;
			used += strlen(f[k]) + 1;
		}
		o->verdict = (iffa_screen_verdict)h->verdict;
		o->score = h->score;
		o->name_score = h->name_score;
		o->entry_id = e->id;
	}
#undef FIELDS
	return 0;
}

static void request_json(iffa_jsonbuf *b, const iffa_screener *s, const iffa_screen_request *r,
			 size_t position)
{
	iffa_jsonbuf__puts(b, "{\"request\":{");
	iffa_jsonbuf__kv(b, "name", r->name);
	iffa_jsonbuf__puts(b, ",");
	iffa_jsonbuf__kv(b, "country", r->country && *r->country ? r->country : NULL);
	iffa_jsonbuf__puts(b, ",");
	iffa_jsonbuf__kv(b, "dob", r->dob && *r->dob ? r->dob : NULL);
	iffa_jsonbuf__puts(b, ",");
	iffa_jsonbuf__kv(b, "ref", r->ref);
	iffa_jsonbuf__puts(b, ",");
	iffa_jsonbuf__kv(b, "account", r->account && *r->account ? r->account : NULL);
	iffa_jsonbuf__printf(b, ",\"position\":%zu,\"match_threshold\":%.4f,"
			     "\"possible_threshold\":%.4f,\"lists\":%s,", position,
			     s->params.match, s->params.possible, s->lists_json);
	iffa_jsonbuf__kv(b, "requested_by", s->requested_by);
	iffa_jsonbuf__puts(b, "},");
}

static void verdict_json(iffa_jsonbuf *b, const iffa_screen_result *r)
{
	iffa_jsonbuf__puts(b, "\"verdict\":{");
	iffa_jsonbuf__kv(b, "verdict", iffa_screen_verdict_name(r->verdict));
	iffa_jsonbuf__puts(b, ",");
	iffa_jsonbuf__kv(b, "name_verdict", iffa_screen_verdict_name(r->name_verdict));
	iffa_jsonbuf__puts(b, ",\"exposure\":");
	iffa_screen__exposure_json(b, &r->exposure, 1);
	iffa_jsonbuf__puts(b, ",\"hits\":[");
	for (size_t i = 0; i < r->nhits; i++) {
		const iffa_screen_hit *h = &r->hits[i];
		iffa_jsonbuf__puts(b, i ? ",{" : "{");
		iffa_jsonbuf__kv(b, "verdict", iffa_screen_verdict_name(h->verdict));
		iffa_jsonbuf__printf(b, ",\"score\":%.4f,\"name_score\":%.4f,\"entry_id\":%lld,",
				     h->score, h->name_score, h->entry_id);
		iffa_jsonbuf__kv(b, "list", h->list);
		iffa_jsonbuf__puts(b, ",");
		iffa_jsonbuf__kv(b, "reference", h->reference);
		iffa_jsonbuf__puts(b, ",");
		iffa_jsonbuf__kv(b, "matched_name", h->matched_name);
		iffa_jsonbuf__puts(b, ",");
		iffa_jsonbuf__kv(b, "reason", h->reason);
		iffa_jsonbuf__puts(b, "}");
	}
	iffa_jsonbuf__puts(b, "]}}");
}

int iffa_screener_screen(iffa_screen_result *out, iffa_screener *s,
			 const iffa_screen_request *reqs, size_t n)
{
	iffa_jsonbuf batch = IFFA_JSONBUF_INIT;
	const char *params[2];
	PGresult *res = NULL;
	int error = 0;

	for (size_t i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		out[i].exposure.hops = -1;
	}
	if (n > MAX_BATCH)
		return iffa_error_set(IFFA_EINVAL, "%zu counterparties in one call; at most %d",
				      n, MAX_BATCH);
	if (n == 0)
		return 0;
	iffa_jsonbuf__puts(&batch, "[");
	for (size_t i = 0; i < n; i++) {
		iffa_screen__query q;
		size_t nh = 0;

		if ((error = check_request(&reqs[i], i)) < 0)
			goto done;
		memset(&q, 0, sizeof(q));
		q.name = reqs[i].name;
		q.country = reqs[i].country && *reqs[i].country ? reqs[i].country : NULL;
		if ((error = iffa_screen__query_dob(&q, reqs[i].dob)) < 0) {
			error = iffa_error_set(IFFA_EINVAL, "counterparty %zu: %s", i + 1,
					       iffa_error_last());
			goto done;
		}
		if ((error = iffa_screen__index_match(s->hits, &nh, NULL, s->ix, &q, &s->params)) < 0 ||
		    (error = fill_result(&out[i], s, s->hits, nh)) < 0)
			goto done;
	}
	/* One statement for the accounts of the whole batch. */
	if (s->xp && (error = iffa_screen__exposure_lookup(s->xp, out, reqs, n)) < 0)
		goto done;
	for (size_t i = 0; i < n; i++) {
		iffa_screen__exposure_combine(&out[i]);
		if (i)
			iffa_jsonbuf__puts(&batch, ",");
		request_json(&batch, s, &reqs[i], i + 1);
		verdict_json(&batch, &out[i]);
	}
	iffa_jsonbuf__puts(&batch, "]");
	if (batch.oom) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	/* The record comes before the answer: no verdict leaves unrecorded. */
	params[0] = s->os_user;
	params[1] = batch.ptr;
	if ((error = iffa_db__query(&res, s->db, "recording the screening in audit_log",
				    "INSERT INTO audit_log (os_user, command, params, rows_affected, "
				    "detail) SELECT $1, 'screen', r->'request', "
				    "jsonb_array_length(r->'verdict'->'hits'), r->'verdict' "
				    "FROM jsonb_array_elements($2::jsonb) r "
				    "RETURNING id, (params->>'position')::bigint", 2, params)) < 0)
		goto done;
	if ((size_t)PQntuples(res) != n) {
		error = iffa_error_set(IFFA_EDB, "audit_log took %d records of %zu", PQntuples(res), n);
		goto done;
	}
	for (int i = 0; i < PQntuples(res); i++) {
		long long pos = atoll(PQgetvalue(res, i, 1));
		if (pos >= 1 && (size_t)pos <= n)
			out[pos - 1].audit_id = atoll(PQgetvalue(res, i, 0));
	}
done:
	PQclear(res);
	iffa_jsonbuf__dispose(&batch);
	if (error < 0)
		for (size_t i = 0; i < n; i++)
			iffa_screen_result_dispose(&out[i]);
	return error;
}

iffa_screen__index *iffa_screen__screener_index(iffa_screener *s)
{
	return s->ix;
}

const iffa_screen__params *iffa_screen__screener_params(const iffa_screener *s)
{
	return &s->params;
}
