/*
 * Screening a file of counterparties (iffa_screener_screen_file): read and
 * check it whole, then screen in batches, each batch recorded in
 * audit_log (by iffa_screener_screen) before its verdicts are written out.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csvrec.h"
#include "core/jsonbuf.h"
#include "iffa/common.h"
#include "iffa/screen.h"
#include "screen/exposure.h"

#define BATCH 1000
#define MAX_FILE (1u << 30)

enum { COL_NAME, COL_REF, COL_COUNTRY, COL_DOB, COL_ACCOUNT, NCOL };
static const char *const colnames[NCOL] = {"name", "ref", "country", "dob", "account"};

typedef struct {
	iffa_screen_request req;
	long line;
} row;

static void write_csv(iffa_jsonbuf *b, iffa_jsonbuf *words, const row *r,
		      const iffa_screen_result *res)
{
	const iffa_screen_hit *h = res->nhits ? &res->hits[0] : NULL;
	const iffa_screen_exposure *e = &res->exposure;
	char num[64];

	iffa_jsonbuf__printf(b, "%ld,", r->line);
	iffa_jsonbuf__csv(b, r->req.ref);
	iffa_jsonbuf__puts(b, ",");
	iffa_jsonbuf__csv(b, r->req.name);
	iffa_jsonbuf__puts(b, ",");
	iffa_jsonbuf__csv(b, iffa_screen_verdict_name(res->verdict));
	iffa_jsonbuf__puts(b, ",");
	if (h) {
		snprintf(num, sizeof(num), "%.4f", h->score);
		iffa_jsonbuf__puts(b, num);
	}
	iffa_jsonbuf__puts(b, ",");
	iffa_jsonbuf__csv(b, h ? h->list : NULL);
	iffa_jsonbuf__puts(b, ",");
	iffa_jsonbuf__csv(b, h ? h->reference : NULL);
	iffa_jsonbuf__puts(b, ",");
	iffa_jsonbuf__csv(b, h ? h->matched_name : NULL);
	iffa_jsonbuf__puts(b, ",");
	iffa_jsonbuf__csv(b, h ? h->entry_name : NULL);
	iffa_jsonbuf__puts(b, ",");
	iffa_jsonbuf__csv(b, h ? h->reason : NULL);
	iffa_jsonbuf__printf(b, ",%zu,", res->nhits);
	iffa_jsonbuf__csv(b, r->req.account);
	iffa_jsonbuf__puts(b, ",");
	if (e->status == IFFA_SCREEN_EXPOSURE_EXPOSED) {
		iffa_jsonbuf__csv(b, e->way);
		iffa_jsonbuf__printf(b, ",%.4f,", e->score);
		if (e->hops >= 0)
			iffa_jsonbuf__printf(b, "%d", e->hops);
	} else {
		iffa_jsonbuf__csv(b, iffa_screen_exposure_status_name(e->status));
		iffa_jsonbuf__puts(b, ",,");
	}
	iffa_jsonbuf__puts(b, ",");
	if (e->run_id)
		iffa_jsonbuf__printf(b, "%lld", e->run_id);
	iffa_jsonbuf__puts(b, ",");
	iffa_jsonbuf__clear(words);
	iffa_screen__exposure_path_words(words, e);
	if (words->oom)
		b->oom = 1;
	iffa_jsonbuf__csv(b, words->len ? words->ptr : NULL);
	iffa_jsonbuf__printf(b, ",%lld\n", res->audit_id);
}

static void write_json(iffa_jsonbuf *b, const row *r, const iffa_screen_result *res)
{
	iffa_jsonbuf__printf(b, "{\"line\":%ld,", r->line);
	iffa_jsonbuf__kv(b, "ref", r->req.ref);
	iffa_jsonbuf__puts(b, ",");
	iffa_jsonbuf__kv(b, "name", r->req.name);
	iffa_jsonbuf__puts(b, ",");
	iffa_jsonbuf__kv(b, "verdict", iffa_screen_verdict_name(res->verdict));
	iffa_jsonbuf__puts(b, ",");
	iffa_jsonbuf__kv(b, "name_verdict", iffa_screen_verdict_name(res->name_verdict));
	iffa_jsonbuf__puts(b, ",");
	iffa_jsonbuf__kv(b, "account", r->req.account);
	iffa_jsonbuf__puts(b, ",\"hits\":[");
	for (size_t i = 0; i < res->nhits; i++) {
		const iffa_screen_hit *h = &res->hits[i];
		iffa_jsonbuf__puts(b, i ? ",{" : "{");
		iffa_jsonbuf__kv(b, "verdict", iffa_screen_verdict_name(h->verdict));
		iffa_jsonbuf__printf(b, ",\"score\":%.4f,\"name_score\":%.4f,", h->score,
				     h->name_score);
		iffa_jsonbuf__kv(b, "list", h->list);
		iffa_jsonbuf__puts(b, ",");
		iffa_jsonbuf__kv(b, "reference", h->reference);
		iffa_jsonbuf__puts(b, ",");
		iffa_jsonbuf__kv(b, "entry_kind", h->entry_kind);
		iffa_jsonbuf__puts(b, ",");
		iffa_jsonbuf__kv(b, "entry_name", h->entry_name);
		iffa_jsonbuf__puts(b, ",");
		iffa_jsonbuf__kv(b, "matched_name", h->matched_name);
		iffa_jsonbuf__puts(b, ",");
		iffa_jsonbuf__kv(b, "listed_on", h->listed_on);
		iffa_jsonbuf__puts(b, ",");
		iffa_jsonbuf__kv(b, "reason", h->reason);
		iffa_jsonbuf__puts(b, "}");
	}
	iffa_jsonbuf__puts(b, "],\"exposure\":");
	iffa_screen__exposure_json(b, &res->exposure, 0);
	iffa_jsonbuf__printf(b, ",\"audit_id\":%lld}\n", res->audit_id);
}

int iffa_screener_screen_file(iffa_screen_file_stats *out, iffa_screener *s, const char *path,
			      FILE *to, iffa_screen_output format)
{
	int pos[NCOL], error, r, ncols;
	iffa_screen_result *results = NULL;
	iffa_jsonbuf b = IFFA_JSONBUF_INIT, words = IFFA_JSONBUF_INIT;
	row *rows = NULL;
	size_t nrows = 0, cap = 0, len;
	iffa_csvrec c;
	char *data = NULL;

	memset(out, 0, sizeof(*out));
	if ((error = iffa_csvrec__read_file(&data, &len, path, MAX_FILE)) < 0)
		return error;
	iffa_csvrec__init(&c, path, data, len);
	c.max_field = 1000;
	if ((r = iffa_csvrec__next(&c)) <= 0) {
		error = r < 0 ? r : iffa_error_set(IFFA_EINVAL, "%s: empty file", path);
		goto done;
	}
	for (int k = 0; k < NCOL; k++)
		pos[k] = -1;
	ncols = c.nfields;
	for (int i = 0; i < c.nfields; i++) {
		int k;
		for (k = 0; k < NCOL && strcmp(c.fields[i], colnames[k]) != 0; k++)
			;
		if (k == NCOL || pos[k] >= 0) {
			error = iffa_error_set(IFFA_EINVAL, "%s:1: %s column '%s' (columns: name, ref, "
					       "country, dob, account)", path, k == NCOL ? "unknown" : "repeated",
					       c.fields[i]);
			goto done;
		}
		pos[k] = i;
	}
	if (pos[COL_NAME] < 0) {
		error = iffa_error_set(IFFA_EINVAL, "%s:1: required column 'name' missing", path);
		goto done;
	}
	/* Read and check every row before screening any. */
	while ((r = iffa_csvrec__next(&c)) > 0) {
		row *w;
		const char *v[NCOL];
		if (c.nfields == 1 && c.fields[0][0] == '\0')
			continue;
		if (c.nfields != ncols) {
			error = iffa_error_set(IFFA_EINVAL, "%s:%ld: %d fields, the header has %d",
					       path, c.record_line, c.nfields, ncols);
			goto done;
		}
		if (nrows == cap) {
			size_t nc = cap ? cap * 2 : 1024;
			row *q = realloc(rows, nc * sizeof(*q));
			if (!q) {
				error = iffa_error_set(IFFA_ENOMEM, "out of memory");
				goto done;
			}
			rows = q;
			cap = nc;
		}
		for (int k = 0; k < NCOL; k++)
			v[k] = pos[k] >= 0 ? c.fields[pos[k]] : "";
		w = &rows[nrows];
		memset(w, 0, sizeof(*w));
		w->line = c.record_line;
		/* The strings stay in `data`'s stead: copy them. */
		w->req.name = strdup(v[COL_NAME]);
		w->req.ref = *v[COL_REF] ? strdup(v[COL_REF]) : NULL;
		w->req.country = *v[COL_COUNTRY] ? strdup(v[COL_COUNTRY]) : NULL;
		w->req.dob = *v[COL_DOB] ? strdup(v[COL_DOB]) : NULL;
		w->req.account = *v[COL_ACCOUNT] ? strdup(v[COL_ACCOUNT]) : NULL;
		nrows++;
		if (!w->req.name || (*v[COL_REF] && !w->req.ref) ||
		    (*v[COL_COUNTRY] && !w->req.country) || (*v[COL_DOB] && !w->req.dob) ||
		    (*v[COL_ACCOUNT] && !w->req.account)) {
			error = iffa_error_set(IFFA_ENOMEM, "out of memory");
			goto done;
		}
		if (!*w->req.name) {
			error = iffa_error_set(IFFA_EINVAL, "%s:%ld: empty name", path, w->line);
			goto done;
		}
	}
	if (r < 0) {
		error = r;
		goto done;
	}
	if (!(results = calloc(BATCH, sizeof(*results)))) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	if (format == IFFA_SCREEN_OUT_CSV)
		fputs("line,ref,name,verdict,score,list,reference,matched_name,entry_name,reason,"
		      "hits,account,exposure,exposure_score,hops,exposure_run,exposure_path,"
		      "audit_id\n", to);
	for (size_t at = 0; at < nrows; at += BATCH) {
		size_t n = nrows - at < BATCH ? nrows - at : BATCH;
		iffa_screen_request reqs[BATCH];
		for (size_t i = 0; i < n; i++)
			reqs[i] = rows[at + i].req;
		if ((error = iffa_screener_screen(results, s, reqs, n)) < 0) {
			/* Name the line of a refused counterparty. */
			char msg[1024];
			snprintf(msg, sizeof(msg), "%s", iffa_error_last());
			error = iffa_error_set(error, "%s: %s (counterparties numbered from line %ld)",
					       path, msg, rows[at].line);
			goto done;
		}
		iffa_jsonbuf__clear(&b);
		for (size_t i = 0; i < n; i++) {
			if (format == IFFA_SCREEN_OUT_CSV)
				write_csv(&b, &words, &rows[at + i], &results[i]);
			else
				write_json(&b, &rows[at + i], &results[i]);
			out->screened++;
			if (results[i].verdict == IFFA_SCREEN_MATCH)
				out->match++;
			else if (results[i].verdict == IFFA_SCREEN_POSSIBLE)
				out->possible++;
			else
				out->clear++;
			iffa_screen_result_dispose(&results[i]);
		}
		if (b.oom) {
			error = iffa_error_set(IFFA_ENOMEM, "out of memory");
			goto done;
		}
		if (fwrite(b.ptr, 1, b.len, to) != b.len) {
			error = iffa_error_set(IFFA_EIO, "writing the verdicts failed");
			goto done;
		}
	}
done:
	for (size_t i = 0; i < nrows; i++) {
		free((char *)rows[i].req.name);
		free((char *)rows[i].req.ref);
		free((char *)rows[i].req.country);
		free((char *)rows[i].req.dob);
		free((char *)rows[i].req.account);
	}
	free(rows);
	free(results);
	iffa_jsonbuf__dispose(&b);
	iffa_jsonbuf__dispose(&words);
	iffa_csvrec__dispose(&c);
	free(data);
	return error;
}
