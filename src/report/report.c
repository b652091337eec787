/*
 * The periodic report: one self-contained HTML page (inline CSS, SVG drawn
 * by svg.c), printed to PDF where Chromium is installed, recorded in
 * audit_log and signed. Everything on the page comes from the database:
 * the run's findings (by pass and kind, so that any pass shows, with
 * sections of their own for clusters, intermediaries and paths), the
 * period's flow graph for the corridors, and the previous period's run for
 * the changes. Every text from the data is escaped (iffa_case__xml).
 */
#define _POSIX_C_SOURCE 200809L
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "crypto/crypto.h"
#include "db/db.h"
#include "export/case.h"
#include "graph/flowgraph.h"
#include "iffa/ingest.h"
#include "iffa/report.h"
#include "report/report.h"

/* Periods */

int iffa_report_period_parse(int64_t *from, int64_t *to, char *prev, size_t prev_size,
			     const char *period)
{
	int y = 0, n = 0, len = 0;
	unsigned m0, m1;
	char kind = 'Y';

	if (!period)
		return iffa_error_set(IFFA_EINVAL, "no period");
	if (sscanf(period, "%4d-Q%1d%n", &y, &n, &len) == 2 && len == 7 && (size_t)len == strlen(period) &&
	    n >= 1 && n <= 4)
		kind = 'Q';
	else if (sscanf(period, "%4d-H%1d%n", &y, &n, &len) == 2 && len == 7 &&
		 (size_t)len == strlen(period) && n >= 1 && n <= 2)
		kind = 'H';
	else if (sscanf(period, "%4d-%2d%n", &y, &n, &len) == 2 && len == 7 &&
		 (size_t)len == strlen(period) && n >= 1 && n <= 12 && period[5] >= '0' && period[5] <= '1')
		kind = 'M';
	else if (sscanf(period, "%4d%n", &y, &len) == 1 && len == 4 && strlen(period) == 4)
		kind = 'Y';
	else
		return iffa_error_set(IFFA_EINVAL,
				      "period '%.32s': expected YYYY-Qn, YYYY-Hn, YYYY-MM or YYYY", period);
	if (y < 1900 || y > 9999)
		return iffa_error_set(IFFA_EINVAL, "period '%.32s': year out of range", period);
	switch (kind) {
	case 'Q': m0 = 3 * (unsigned)(n - 1) + 1; m1 = m0 + 3; break;
	case 'H': m0 = 6 * (unsigned)(n - 1) + 1; m1 = m0 + 6; break;
	case 'M': m0 = (unsigned)n; m1 = m0 + 1; break;
	default: m0 = 1; m1 = 13; break;
	}
	*from = iffa_flowgraph__days_from_civil(y, m0, 1) * 86400LL * 1000000LL;
	*to = (m1 > 12 ? iffa_flowgraph__days_from_civil(y + 1, m1 - 12, 1)
		       : iffa_flowgraph__days_from_civil(y, m1, 1)) * 86400LL * 1000000LL;
	if (prev) {
		switch (kind) {
		case 'Q': snprintf(prev, prev_size, "%04d-Q%d", n == 1 ? y - 1 : y, n == 1 ? 4 : n - 1); break;
		case 'H': snprintf(prev, prev_size, "%04d-H%d", n == 1 ? y - 1 : y, n == 1 ? 2 : 1); break;
		case 'M': snprintf(prev, prev_size, "%04d-%02d", n == 1 ? y - 1 : y, n == 1 ? 12 : n - 1); break;
		default: snprintf(prev, prev_size, "%04d", y - 1); break;
		}
	}
	return 0;
}

/* Writing helpers */

typedef struct {
	iffa_db *db;
	iffa_jsonbuf *h;         /* the page */
	int64_t run, prev;       /* runs */
	char run_s[32], prev_s[32], top_s[32];
	size_t top;
	char **sources;          /* refs of designated and armed-group accounts and parties, sorted */
	size_t nsources;
} report;

static void t(report *r, const char *s)
{
	iffa_case__xml(r->h, s);
}

static void p(report *r, const char *s)
{
	iffa_jsonbuf__puts(r->h, s);
}

/* 1234567.8 -> "1,234,568" */
static void money(report *r, double v)
{
	char digits[64], out[96];
	size_t n, j = 0;

	snprintf(digits, sizeof(digits), "%.0f", fabs(v));
	n = strlen(digits);
	if (v < 0)
		out[j++] = '-';
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			out[j++] = ',';
		out[j++] = digits[i];
	}
	out[j] = '\0';
	p(r, out);
}

static int query(PGresult **res, report *r, const char *what, const char *sql, int n,
		 const char *const *params)
{
	return iffa_db__query(res, r->db, what, sql, n, params);
}

/* A name cut to at most `max` code points, for picture labels. */
static void short_label(char *out, size_t size, const char *s, size_t max)
{
	size_t i = 0, cps = 0;

	while (s[i] && cps < max && i + 4 < size) {
		size_t len = 1;
		unsigned char c = (unsigned char)s[i];
		if (c >= 0xf0) len = 4;
		else if (c >= 0xe0) len = 3;
		else if (c >= 0xc0) len = 2;
		for (size_t k = 0; k < len && s[i]; k++, i++)
			out[i] = s[i];
		cps++;
	}
	out[i] = '\0';
	if (s[i] && i + 4 <= size)
		strcat(out, "\xe2\x80\xa6");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_source(const report *r, const char *ref)
{
	return r->nsources &&
	       bsearch(&ref, r->sources, r->nsources, sizeof(char *), cmp_str) != NULL;
}

static int load_sources(report *r)
{
	PGresult *res = NULL;
	int error;

	if ((error = query(&res, r, "reading the designated and armed-group parties",
			   "SELECT a.ref FROM account a JOIN party p ON p.id = a.party_id"
			   " WHERE p.kind = 'armed_group' OR EXISTS"
			   " (SELECT 1 FROM designation d WHERE d.party_id = p.id)"
			   " UNION SELECT p.ref FROM party p WHERE p.kind = 'armed_group' OR EXISTS"
			   " (SELECT 1 FROM designation d WHERE d.party_id = p.id)",
			   0, NULL)) < 0)
		return error;
	r->nsources = (size_t)PQntuples(res);
	if (!(r->sources = calloc(r->nsources + 1, sizeof(char *)))) {
		PQclear(res);
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < r->nsources; i++)
		if (!(r->sources[i] = strdup(PQgetvalue(res, (int)i, 0)))) {
			PQclear(res);
			return iffa_error_set(IFFA_ENOMEM, "out of memory");
		}
	PQclear(res);
	qsort(r->sources, r->nsources, sizeof(char *), cmp_str);
	return 0;
}

/* Runs */

static int find_run(int64_t *out, iffa_db *db, int64_t from, int64_t to, int64_t not)
{
	char f[32], tt[32], n[32];
	const char *params[3] = {f, tt, n};
	PGresult *res = NULL;
	int error;

	*out = 0;
	iffa_flowgraph_time_format(f, sizeof(f), from);
	iffa_flowgraph_time_format(tt, sizeof(tt), to);
	snprintf(n, sizeof(n), "%lld", (long long)not);
	/* A run of exactly the period first, else the latest covering it. */
	if ((error = iffa_db__query(&res, db, "finding the period's run",
				    "SELECT id FROM analysis_run WHERE status = 'completed'"
				    " AND id <> $3::bigint AND ("
				    " (data_from = $1::timestamptz AND data_to = $2::timestamptz) OR"
				    " ((data_from IS NULL OR data_from <= $1::timestamptz) AND"
				    " (data_to IS NULL OR data_to >= $2::timestamptz)))"
				    " ORDER BY (data_from = $1::timestamptz AND data_to = $2::timestamptz)"
				    " IS TRUE DESC, finished_at DESC, id DESC LIMIT 1",
				    3, params)) < 0)
		return error;
	if (PQntuples(res) == 1)
		*out = atoll(PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

/* Evidence */

static const char evidence_sql[] =
	"SELECT e.value->>'from', coalesce(e.value->>'from_name', ''),"
	" coalesce(fa.country, fp.country, ''), e.value->>'to', coalesce(e.value->>'to_name', ''),"
	" coalesce(ta.country, tp.country, ''), (e.value->>'amount_xof')::float8,"
	" coalesce(e.value->>'first', ''), coalesce(e.value->>'last', ''),"
	" coalesce(e.value->>'channel', ''), coalesce(e.value->>'kind', ''),"
	" coalesce(e.value->>'flows', '1')"
	" FROM finding f CROSS JOIN LATERAL jsonb_array_elements(f.evidence) WITH ORDINALITY"
	" AS e(value, ord)"
	" LEFT JOIN account fa ON e.value->>'from_type' = 'account'"
	"  AND fa.id = (e.value->>'from_id')::bigint"
	" LEFT JOIN party fp ON e.value->>'from_type' = 'party' AND fp.id = (e.value->>'from_id')::bigint"
	" LEFT JOIN account ta ON e.value->>'to_type' = 'account' AND ta.id = (e.value->>'to_id')::bigint"
	" LEFT JOIN party tp ON e.value->>'to_type' = 'party' AND tp.id = (e.value->>'to_id')::bigint"
	" WHERE f.id = $1::bigint AND ($3::bigint IS NULL"
	"  OR coalesce(fa.party_id, fp.id) = $3::bigint OR coalesce(ta.party_id, tp.id) = $3::bigint)"
	" ORDER BY e.ord LIMIT $2::bigint";

enum { EV_FROM, EV_FROM_NAME, EV_FROM_CC, EV_TO, EV_TO_NAME, EV_TO_CC, EV_AMOUNT, EV_FIRST,
       EV_LAST, EV_CHANNEL, EV_KIND, EV_FLOWS };

static int evidence(PGresult **res, report *r, const char *finding, size_t limit, const char *party)
{
	char lim[32];
	const char *params[3] = {finding, lim, party};

	snprintf(lim, sizeof(lim), "%zu", limit);
	return query(res, r, "reading a finding's evidence", evidence_sql, 3, params);
}

static void who(report *r, PGresult *res, int i, int name_col, int ref_col, int cc_col)
{
	const char *name = PQgetvalue(res, i, name_col);

	if (*name) {
		t(r, name);
		p(r, " <span class=\"ref\">");
		t(r, PQgetvalue(res, i, ref_col));
		p(r, "</span>");
	} else {
		p(r, "<span class=\"ref\">");
		t(r, PQgetvalue(res, i, ref_col));
		p(r, "</span>");
	}
	if (*PQgetvalue(res, i, cc_col)) {
		p(r, " <span class=\"cc\">");
		t(r, PQgetvalue(res, i, cc_col));
		p(r, "</span>");
	}
}

static void date_range(report *r, const char *first, const char *last)
{
	iffa_jsonbuf__printf(r->h, "%.10s", first);
	if (strncmp(first, last, 10) != 0)
		iffa_jsonbuf__printf(r->h, " to %.10s", last);
}

/* A table of evidence edges; border crossings marked. */
static int evidence_table(report *r, const char *finding, size_t limit, const char *party)
{
	PGresult *res = NULL;
	int error;

	if ((error = evidence(&res, r, finding, limit, party)) < 0)
		return error;
	p(r, "<table class=\"ev\"><tr><th>from</th><th>to</th><th class=\"n\">XOF</th>"
	     "<th>flows</th><th>dates</th><th>how</th></tr>\n");
	for (int i = 0; i < PQntuples(res); i++) {
		int cross = *PQgetvalue(res, i, EV_FROM_CC) && *PQgetvalue(res, i, EV_TO_CC) &&
			    strcmp(PQgetvalue(res, i, EV_FROM_CC), PQgetvalue(res, i, EV_TO_CC)) != 0;
		p(r, cross ? "<tr class=\"cross\"><td class=\"w\">" : "<tr><td class=\"w\">");
		who(r, res, i, EV_FROM_NAME, EV_FROM, EV_FROM_CC);
		p(r, "</td><td class=\"w\">");
		who(r, res, i, EV_TO_NAME, EV_TO, EV_TO_CC);
		p(r, "</td><td class=\"n\">");
		money(r, strtod(PQgetvalue(res, i, EV_AMOUNT), NULL));
		p(r, "</td><td class=\"n\">");
		t(r, PQgetvalue(res, i, EV_FLOWS));
		p(r, "</td><td class=\"d\">");
		date_range(r, PQgetvalue(res, i, EV_FIRST), PQgetvalue(res, i, EV_LAST));
		p(r, "</td><td>");
		t(r, PQgetvalue(res, i, EV_KIND));
		if (strcmp(PQgetvalue(res, i, EV_CHANNEL), "none") != 0) {
			p(r, ", ");
			t(r, PQgetvalue(res, i, EV_CHANNEL));
		}
		p(r, "</td></tr>\n");
	}
	p(r, "</table>\n");
	PQclear(res);
	return 0;
}

/* The network picture of a finding's evidence: vertices are the refs. */
static int evidence_picture(report *r, const char *finding, int64_t seed)
{
	PGresult *res = NULL;
	char **refs = NULL, **labels = NULL;
	unsigned *style = NULL;
	size_t *from = NULL, *to = NULL, nv = 0, ne = 0;
	double *amount = NULL;
	int error;

	if ((error = evidence(&res, r, finding, 200, NULL)) < 0)
		return error;
	ne = (size_t)PQntuples(res);
	refs = calloc(2 * ne + 1, sizeof(*refs));
	labels = calloc(2 * ne + 1, sizeof(*labels));
	style = calloc(2 * ne + 1, sizeof(*style));
	from = calloc(ne + 1, sizeof(*from));
	to = calloc(ne + 1, sizeof(*to));
	amount = calloc(ne + 1, sizeof(*amount));
	if (!refs || !labels || !style || !from || !to || !amount) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < ne; i++) {
		for (int side = 0; side < 2; side++) {
			const char *ref = PQgetvalue(res, (int)i, side ? EV_TO : EV_FROM);
			const char *name = PQgetvalue(res, (int)i, side ? EV_TO_NAME : EV_FROM_NAME);
			size_t v = 0;
			while (v < nv && strcmp(refs[v], ref) != 0)
				v++;
			if (v == nv) {
				char lab[96];
				short_label(lab, sizeof(lab), *name ? name : ref, 22);
				refs[nv] = (char *)ref;
				if (!(labels[nv] = strdup(lab))) {
					error = iffa_error_set(IFFA_ENOMEM, "out of memory");
					goto done;
				}
				style[nv] = is_source(r, ref) ? IFFA_REPORT__SOURCE : IFFA_REPORT__FLAGGED;
				nv++;
			}
			if (side)
				to[i] = v;
			else
				from[i] = v;
		}
		amount[i] = strtod(PQgetvalue(res, (int)i, EV_AMOUNT), NULL);
	}
	if (nv > 0)
		error = iffa_report__svg_network(r->h, nv, (const char *const *)labels, style, ne, from,
						 to, amount, (uint64_t)seed);
done:
	for (size_t i = 0; labels && i < nv; i++)
		free(labels[i]);
	free(refs);
	free(labels);
	free(style);
	free(from);
	free(to);
	free(amount);
	PQclear(res);
	return error;
}

/* Sections */

static void section(report *r, const char *id, const char *title)
{
	iffa_jsonbuf__printf(r->h, "<section id=\"%s\"><h2>%s</h2>\n", id, title);
}

static int pass_present(report *r, const char *pass, int *out)
{
	PGresult *res = NULL;
	const char *params[2] = {r->run_s, pass};
	int error;

	*out = 0;
	if ((error = query(&res, r, "reading the run's passes",
			   "SELECT count(*) FROM finding WHERE run_id = $1::bigint AND pass = $2", 2,
			   params)) < 0)
		return error;
	*out = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

static int write_summary(report *r, const iffa_summary *s, const char *period, int64_t from,
			 int64_t to, size_t *nfindings)
{
	PGresult *res = NULL;
	const char *params[1] = {r->run_s};
	char f[32], tt[32];
	double cross = 0;
	int error;

	iffa_case__date(f, from);
	iffa_case__date(tt, to);
	section(r, "summary", "Summary");
	p(r, "<table class=\"kv\">");
	p(r, "<tr><th>period</th><td>");
	t(r, period);
	iffa_jsonbuf__printf(r->h, " (%s to %s, end excluded, UTC)</td></tr>", f, tt);
	iffa_jsonbuf__printf(r->h, "<tr><th>accounts and parties</th><td>%lld vertices, %lld edges,"
				   " %lld flows</td></tr>",
			     (long long)s->vertices, (long long)s->all.edges, (long long)s->all.flows);
	for (int k = 0; k < IFFA_KIND_COUNT; k++) {
		iffa_jsonbuf__printf(r->h, "<tr><th>%s records</th><td>%lld, ",
				     iffa_record_kind_name((iffa_record_kind)k), (long long)s->records[k]);
		money(r, s->record_amount[k]);
		p(r, " XOF</td></tr>");
	}
	for (size_t i = 0; i < s->ncorridors; i++)
		if (s->corridors[i].cross_border)
			cross += s->corridors[i].total.amount;
	p(r, "<tr><th>cross-border money</th><td>");
	money(r, cross);
	iffa_jsonbuf__printf(r->h, " XOF (%.1f%% of the XOF along edges)</td></tr>",
			     s->all.amount > 0 ? 100.0 * cross / s->all.amount : 0.0);
	if ((error = query(&res, r, "counting the run's findings",
			   "SELECT pass, count(*), max(score) FROM finding WHERE run_id = $1::bigint"
			   " GROUP BY pass ORDER BY pass",
			   1, params)) < 0)
		return error;
	*nfindings = 0;
	p(r, "<tr><th>findings of the run</th><td>");
	for (int i = 0; i < PQntuples(res); i++) {
		if (i)
			p(r, "; ");
		t(r, PQgetvalue(res, i, 0));
		p(r, " ");
		t(r, PQgetvalue(res, i, 1));
		*nfindings += (size_t)atoll(PQgetvalue(res, i, 1));
	}
	if (PQntuples(res) == 0)
		p(r, "none");
	p(r, "</td></tr></table>\n</section>\n");
	PQclear(res);
	return 0;
}

static int cmp_country(const void *a, const void *b)
{
	const double *x = a, *y = b;
	return (x[1] < y[1]) - (x[1] > y[1]);
}

static int write_corridors(report *r, const iffa_summary *s)
{
	enum { K = 8 };
	/* countries by money in and out: (index, amount) pairs */
	char codes[64][3];
	double rank[64][2], m[K + 1][K + 1];
	size_t nc = 0, shown;
	const char *labels[10];
	char lab[10][16];
	double vals[10];
	int hl[10];
	size_t nb = 0;

	memset(m, 0, sizeof(m));
	for (size_t i = 0; i < s->ncorridors; i++) {
		for (int side = 0; side < 2; side++) {
			const char *cc = side ? s->corridors[i].to : s->corridors[i].from;
			size_t j = 0;
			if (!*cc)
				continue;
			while (j < nc && strcmp(codes[j], cc) != 0)
				j++;
			if (j == nc) {
				if (nc == 64)
					continue;
				snprintf(codes[nc], 3, "%s", cc);
				rank[nc][0] = (double)nc;
				rank[nc][1] = 0;
				nc++;
			}
			rank[j][1] += s->corridors[i].total.amount;
		}
	}
	qsort(rank, nc, sizeof(rank[0]), cmp_country);
	shown = nc < K ? nc : K;
	for (size_t i = 0; i < s->ncorridors; i++) {
		size_t a = K, b = K;
		for (size_t j = 0; j < shown; j++) {
			if (strcmp(codes[(size_t)rank[j][0]], s->corridors[i].from) == 0)
				a = j;
			if (strcmp(codes[(size_t)rank[j][0]], s->corridors[i].to) == 0)
				b = j;
		}
		m[a][b] += s->corridors[i].total.amount;
	}
	section(r, "corridors", "Flows by corridor");
	p(r, "<p>Money along the period's edges from the country of the payer's account or party"
	     " (rows) to the payee's (columns), in millions of XOF. The diagonal is domestic;"
	     " \"other\" gathers the remaining and unknown countries.</p>\n"
	     "<table class=\"matrix\"><tr><th>from \\ to</th>");
	for (size_t j = 0; j <= shown; j++) {
		p(r, "<th>");
		t(r, j < shown ? codes[(size_t)rank[j][0]] : "other");
		p(r, "</th>");
	}
	p(r, "</tr>\n");
	for (size_t i = 0; i <= shown; i++) {
		p(r, "<tr><th>");
		t(r, i < shown ? codes[(size_t)rank[i][0]] : "other");
		p(r, "</th>");
		for (size_t j = 0; j <= shown; j++) {
			size_t a = i < shown ? i : K, b = j < shown ? j : K;
			iffa_jsonbuf__printf(r->h, "<td class=\"n%s\">", a == b && a != K ? " dom" : "");
			if (m[a][b] > 0)
				iffa_jsonbuf__printf(r->h, "%.1f", m[a][b] / 1e6);
			p(r, "</td>");
		}
		p(r, "</tr>\n");
	}
	p(r, "</table>\n<h3>Largest cross-border corridors</h3>\n");
	for (size_t i = 0; i < s->ncorridors && nb < 10; i++) {
		if (!s->corridors[i].cross_border)
			continue;
		snprintf(lab[nb], sizeof(lab[nb]), "%s \xe2\x86\x92 %s", s->corridors[i].from,
			 s->corridors[i].to);
		labels[nb] = lab[nb];
		vals[nb] = s->corridors[i].total.amount / 1e6;
		hl[nb] = 1;
		nb++;
	}
	if (nb == 0) {
		p(r, "<p>No cross-border flow in the period.</p>\n");
	} else if (iffa_report__svg_bars(r->h, labels, vals, hl, nb, "M XOF") < 0) {
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	}
	p(r, "</section>\n");
	return 0;
}

static int write_clusters(report *r)
{
	PGresult *res = NULL;
	const char *params[3] = {r->run_s, "clusters", r->top_s};
	int error, n;

	section(r, "clusters", "Top clusters");
	if ((error = query(&res, r, "reading the clusters",
			   "SELECT id, subject_label, score, reason FROM finding WHERE run_id = $1::bigint"
			   " AND pass = $2 ORDER BY score DESC, id LIMIT $3::bigint",
			   3, params)) < 0)
		return error;
	n = PQntuples(res);
	if (n == 0)
		p(r, "<p class=\"none\">The run has no findings of the clusters pass.</p>\n");
	p(r, "<p>Each picture is drawn from the cluster's evidence edges (money among its core"
	     " members); red: designated or armed group, orange: flagged member. Layout:"
	     " Fruchterman-Reingold (igraph), seeded with the finding's id.</p>\n");
	for (int i = 0; i < n && error == 0; i++) {
		iffa_jsonbuf__printf(r->h, "<article class=\"finding\"><h3>Cluster %d: ", i + 1);
		t(r, PQgetvalue(res, i, 1));
		iffa_jsonbuf__printf(r->h, " <span class=\"score\">score %.3f</span></h3>\n<p>",
				     strtod(PQgetvalue(res, i, 2), NULL));
		t(r, PQgetvalue(res, i, 3));
		p(r, "</p>\n");
		if ((error = evidence_picture(r, PQgetvalue(res, i, 0), atoll(PQgetvalue(res, i, 0)))) < 0 ||
		    (error = evidence_table(r, PQgetvalue(res, i, 0), 8, NULL)) < 0)
			break;
		p(r, "</article>\n");
	}
	PQclear(res);
	p(r, "</section>\n");
	return error;
}

/* A pass shown as a table of its best findings with their evidence. */
static int write_pass_findings(report *r, const char *pass, const char *kinds_sql, size_t ev)
{
	PGresult *res = NULL;
	const char *params[3] = {r->run_s, pass, r->top_s};
	char sql[1024];
	int error;

	snprintf(sql, sizeof(sql),
		 "SELECT id, kind, subject_label, score, reason FROM finding WHERE run_id = $1::bigint"
		 " AND pass = $2 %s ORDER BY score DESC, id LIMIT $3::bigint",
		 kinds_sql);
	if ((error = query(&res, r, "reading findings", sql, 3, params)) < 0)
		return error;
	for (int i = 0; i < PQntuples(res) && error == 0; i++) {
		p(r, "<article class=\"finding\"><h3>");
		t(r, PQgetvalue(res, i, 2));
		p(r, " <span class=\"kind\">");
		t(r, PQgetvalue(res, i, 1));
		iffa_jsonbuf__printf(r->h, "</span> <span class=\"score\">score %.3f</span></h3>\n<p>",
				     strtod(PQgetvalue(res, i, 3), NULL));
		t(r, PQgetvalue(res, i, 4));
		p(r, "</p>\n");
		error = evidence_table(r, PQgetvalue(res, i, 0), ev, NULL);
		p(r, "</article>\n");
	}
	PQclear(res);
	return error;
}

static int write_intermediaries(report *r)
{
	int n, error;

	section(r, "intermediaries", "Top intermediaries");
	if ((error = pass_present(r, "intermediaries", &n)) < 0)
		return error;
	if (n == 0)
		p(r, "<p class=\"none\">The intermediaries pass did not run in this run, or found"
		     " nothing.</p>\n");
	else if ((error = write_pass_findings(r, "intermediaries", "", 6)) < 0)
		return error;
	p(r, "</section>\n");
	return 0;
}

static int write_paths(report *r)
{
	int n, error;

	section(r, "paths", "Cross-border paths");
	if ((error = pass_present(r, "paths", &n)) < 0)
		return error;
	if (n > 0) {
		p(r, "<p>Paths found by the paths pass, hop by hop; rows crossing a border are"
		     " marked.</p>\n");
		error = write_pass_findings(r, "paths", "", 12);
	} else {
		p(r, "<p class=\"none\">The paths pass did not run in this run. Shown instead: the"
		     " exposure pass's explanation paths (the route money took from or to a"
		     " source) that cross a border; rows crossing one are marked.</p>\n");
		error = write_pass_findings(
			r, "exposure",
			"AND kind IN ('proceeds', 'funding') AND EXISTS (SELECT 1 FROM"
			" jsonb_array_elements(evidence) e"
			" LEFT JOIN account fa ON e->>'from_type' = 'account' AND fa.id = (e->>'from_id')::bigint"
			" LEFT JOIN party fp ON e->>'from_type' = 'party' AND fp.id = (e->>'from_id')::bigint"
			" LEFT JOIN account ta ON e->>'to_type' = 'account' AND ta.id = (e->>'to_id')::bigint"
			" LEFT JOIN party tp ON e->>'to_type' = 'party' AND tp.id = (e->>'to_id')::bigint"
			" WHERE coalesce(fa.country, fp.country) <> coalesce(ta.country, tp.country))",
			12);
	}
	p(r, "</section>\n");
	return error;
}

/* Parties flagged by the run's findings: finding_member rows name the party,
 * or an account whose owner it is. */
#define FLAGGED_SQL(run)                                                                     \
	"SELECT DISTINCT coalesce(m.party_id, a.party_id) AS pid, f.pass, f.id AS fid, f.score"    \
	" FROM finding f JOIN finding_member m ON m.finding_id = f.id"                        \
	" LEFT JOIN account a ON a.id = m.account_id WHERE f.run_id = " run

static int write_proposals(report *r, int min_passes, size_t *nproposed)
{
	PGresult *res = NULL;
	char mp[16];
	const char *params[3] = {r->run_s, mp, r->top_s};
	int error, n;

	snprintf(mp, sizeof(mp), "%d", min_passes);
	section(r, "designations", "Proposed designations");
	iffa_jsonbuf__printf(r->h,
			     "<p class=\"warn\">Proposals for the committee's review, not"
			     " determinations. A party is proposed when findings of at least %d"
			     " different analysis passes name it (as subject or member) for what it"
			     " did with money: being an end of a ransom, levy or gold record"
			     " (exposure's record_party) or a source does not count. Left out: parties"
			     " designated already, the armed group, villages and mine sites, and"
			     " payers of ransoms or levies (victims of kidnapping and extortion). Each"
			     " comes with the findings that name it and the flows that justify them.</p>\n",
			     min_passes);
	if ((error = query(&res, r, "reading the proposed designations",
			   "WITH m AS (" FLAGGED_SQL("$1::bigint")
			   " AND NOT (f.pass = 'exposure' AND f.kind IN ('source', 'record_party')))"
			   " SELECT p.id, p.ref, p.name, p.kind, coalesce(p.country, ''),"
			   " count(DISTINCT m.pass), count(DISTINCT m.fid), max(m.score),"
			   " string_agg(DISTINCT m.pass, ', ')"
			   " FROM m JOIN party p ON p.id = m.pid"
			   " WHERE p.kind NOT IN ('armed_group', 'village', 'mine_site')"
			   " AND NOT EXISTS (SELECT 1 FROM designation d WHERE d.party_id = p.id)"
			   " AND NOT EXISTS (SELECT 1 FROM levy l WHERE l.payer = p.id)"
			   " AND NOT EXISTS (SELECT 1 FROM ransom x WHERE x.payer = p.id)"
			   " GROUP BY p.id HAVING count(DISTINCT m.pass) >= $2::int"
			   " ORDER BY count(DISTINCT m.pass) DESC, count(DISTINCT m.fid) DESC,"
			   " max(m.score) DESC, p.ref LIMIT $3::bigint",
			   3, params)) < 0)
		return error;
	n = PQntuples(res);
	*nproposed = (size_t)n;
	if (n == 0)
		p(r, "<p class=\"none\">No party meets the rule in this run.</p>\n");
	for (int i = 0; i < n && error == 0; i++) {
		PGresult *fr = NULL;
		const char *fp[2] = {r->run_s, PQgetvalue(res, i, 0)};
		iffa_jsonbuf__printf(r->h, "<article class=\"proposal\"><h3>%d. ", i + 1);
		t(r, PQgetvalue(res, i, 2));
		p(r, " <span class=\"ref\">");
		t(r, PQgetvalue(res, i, 1));
		p(r, "</span></h3>\n<p>");
		t(r, PQgetvalue(res, i, 3));
		if (*PQgetvalue(res, i, 4)) {
			p(r, ", ");
			t(r, PQgetvalue(res, i, 4));
		}
		p(r, ". Named by ");
		t(r, PQgetvalue(res, i, 6));
		p(r, " findings of the passes ");
		t(r, PQgetvalue(res, i, 8));
		iffa_jsonbuf__printf(r->h, "; best score %.3f.</p>\n", strtod(PQgetvalue(res, i, 7), NULL));
		if ((error = query(&fr, r, "reading a proposal's findings",
				   "SELECT f.id, f.pass, f.kind, f.score, f.reason FROM finding f"
				   " WHERE f.run_id = $1::bigint AND EXISTS (SELECT 1 FROM finding_member m"
				   " LEFT JOIN account a ON a.id = m.account_id WHERE m.finding_id = f.id"
				   " AND coalesce(m.party_id, a.party_id) = $2::bigint)"
				   " ORDER BY f.score DESC, f.id LIMIT 3",
				   2, fp)) < 0)
			break;
		for (int j = 0; j < PQntuples(fr) && error == 0; j++) {
			p(r, "<div class=\"ground\"><p><b>");
			t(r, PQgetvalue(fr, j, 1));
			p(r, "/");
			t(r, PQgetvalue(fr, j, 2));
			iffa_jsonbuf__printf(r->h, "</b> (score %.3f): ", strtod(PQgetvalue(fr, j, 3), NULL));
			t(r, PQgetvalue(fr, j, 4));
			p(r, "</p>\n");
			error = evidence_table(r, PQgetvalue(fr, j, 0), 5, PQgetvalue(res, i, 0));
			p(r, "</div>\n");
		}
		PQclear(fr);
		p(r, "</article>\n");
	}
	PQclear(res);
	p(r, "</section>\n");
	return error;
}

static int write_changes(report *r, const char *prev_period, size_t *nnew, size_t *ndropped)
{
	PGresult *res = NULL;
	const char *params[3] = {r->run_s, r->prev_s, r->top_s};
	int error;

	*nnew = *ndropped = 0;
	section(r, "changes", "Changes since the previous period");
	if (r->prev == 0) {
		p(r, "<p class=\"none\">No completed analysis run of the previous period (");
		t(r, prev_period);
		p(r, ") other than this one: nothing to compare with.</p>\n</section>\n");
		return 0;
	}
	iffa_jsonbuf__printf(r->h, "<p>Parties named by findings of run %lld (this period) against"
				   " run %lld (",
			     (long long)r->run, (long long)r->prev);
	t(r, prev_period);
	p(r, ").</p>\n");
	if ((error = query(&res, r, "comparing with the previous run",
			   "WITH cur AS (SELECT DISTINCT pid FROM (" FLAGGED_SQL("$1::bigint") ") x"
			   "  WHERE pid IS NOT NULL),"
			   " prev AS (SELECT DISTINCT pid FROM (" FLAGGED_SQL("$2::bigint") ") y"
			   "  WHERE pid IS NOT NULL),"
			   " d AS (SELECT 'new' AS what, pid FROM cur WHERE pid NOT IN (SELECT pid FROM prev)"
			   "  UNION ALL SELECT 'dropped', pid FROM prev WHERE pid NOT IN (SELECT pid FROM cur))"
			   " SELECT d.what, p.ref, p.name, p.kind, coalesce(p.country, ''),"
			   " count(*) OVER (PARTITION BY d.what),"
			   " row_number() OVER (PARTITION BY d.what ORDER BY p.ref)"
			   " FROM d JOIN party p ON p.id = d.pid ORDER BY d.what DESC, p.ref",
			   2, params)) < 0)
		return error;
	for (int pass = 0; pass < 2; pass++) {
		const char *what = pass ? "dropped" : "new";
		size_t shown = 0, total = 0;
		iffa_jsonbuf__printf(r->h, "<h3>%s</h3>\n<table><tr><th>party</th><th>kind</th>"
					   "<th>country</th></tr>\n",
				     pass ? "No longer named" : "Newly named");
		for (int i = 0; i < PQntuples(res); i++) {
			if (strcmp(PQgetvalue(res, i, 0), what) != 0)
				continue;
			total = (size_t)atoll(PQgetvalue(res, i, 5));
			if (shown >= 3 * r->top)
				continue;
			shown++;
			p(r, "<tr><td>");
			t(r, PQgetvalue(res, i, 2));
			p(r, " <span class=\"ref\">");
			t(r, PQgetvalue(res, i, 1));
			p(r, "</span></td><td>");
			t(r, PQgetvalue(res, i, 3));
			p(r, "</td><td>");
			t(r, PQgetvalue(res, i, 4));
			p(r, "</td></tr>\n");
		}
		p(r, "</table>\n");
		iffa_jsonbuf__printf(r->h, "<p>%zu part%s%s.</p>\n", total, total == 1 ? "y" : "ies",
				     total > shown ? " (the first ones by reference shown)" : "");
		if (pass)
			*ndropped = total;
		else
			*nnew = total;
	}
	PQclear(res);
	p(r, "</section>\n");
	return 0;
}

static int write_all_findings(report *r)
{
	PGresult *res = NULL;
	const char *params[2] = {r->run_s, r->top_s};
	int error;
	char last[128] = "";

	section(r, "findings", "Findings by pass");
	p(r, "<p>The best findings of every pass of the run, whatever the pass.</p>\n");
	if ((error = query(&res, r, "reading the findings by pass",
			   "SELECT pass, kind, subject_label, score, reason, n FROM ("
			   " SELECT pass, kind, subject_label, score, reason, id,"
			   " row_number() OVER (PARTITION BY pass ORDER BY score DESC, id) AS k,"
			   " count(*) OVER (PARTITION BY pass) AS n"
			   " FROM finding WHERE run_id = $1::bigint) x"
			   " WHERE k <= $2::bigint ORDER BY pass, k",
			   2, params)) < 0)
		return error;
	for (int i = 0; i < PQntuples(res); i++) {
		if (strcmp(last, PQgetvalue(res, i, 0)) != 0) {
			if (*last)
				p(r, "</table>\n");
			snprintf(last, sizeof(last), "%s", PQgetvalue(res, i, 0));
			p(r, "<h3>");
			t(r, last);
			p(r, " <span class=\"kind\">");
			t(r, PQgetvalue(res, i, 5));
			p(r, " findings</span></h3>\n<table><tr><th>kind</th><th>subject</th>"
			     "<th class=\"n\">score</th><th>reason</th></tr>\n");
		}
		p(r, "<tr><td>");
		t(r, PQgetvalue(res, i, 1));
		p(r, "</td><td>");
		t(r, PQgetvalue(res, i, 2));
		iffa_jsonbuf__printf(r->h, "</td><td class=\"n\">%.3f</td><td>",
				     strtod(PQgetvalue(res, i, 3), NULL));
		t(r, PQgetvalue(res, i, 4));
		p(r, "</td></tr>\n");
	}
	if (*last)
		p(r, "</table>\n");
	else
		p(r, "<p class=\"none\">The run has no findings.</p>\n");
	PQclear(res);
	p(r, "</section>\n");
	return 0;
}

static int write_method(report *r, const iffa_report_options *o, const char *run_choice)
{
	PGresult *res = NULL;
	const char *params[1] = {r->run_s};
	int error;

	section(r, "method", "Method and parameters");
	if ((error = query(&res, r, "reading the run",
			   "SELECT level, coalesce(to_char(data_from AT TIME ZONE 'UTC', 'YYYY-MM-DD'), 'open'),"
			   " coalesce(to_char(data_to AT TIME ZONE 'UTC', 'YYYY-MM-DD'), 'open'),"
			   " to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'),"
			   " coalesce(to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), ''),"
			   " code_version, coalesce(seed::text, ''), db_role, coalesce(os_user, ''),"
			   " row_counts::text, jsonb_pretty(params)"
			   " FROM analysis_run WHERE id = $1::bigint",
			   1, params)) < 0)
		return error;
	iffa_jsonbuf__printf(r->h, "<table class=\"kv\"><tr><th>run</th><td>%lld (", (long long)r->run);
	t(r, run_choice);
	p(r, ")</td></tr><tr><th>level</th><td>");
	t(r, PQgetvalue(res, 0, 0));
	p(r, "</td></tr><tr><th>data window of the run</th><td>");
	t(r, PQgetvalue(res, 0, 1));
	p(r, " to ");
	t(r, PQgetvalue(res, 0, 2));
	p(r, "</td></tr><tr><th>started, finished (UTC)</th><td>");
	t(r, PQgetvalue(res, 0, 3));
	p(r, ", ");
	t(r, PQgetvalue(res, 0, 4));
	p(r, "</td></tr><tr><th>code version</th><td>");
	t(r, PQgetvalue(res, 0, 5));
	p(r, "</td></tr><tr><th>seed</th><td>");
	t(r, PQgetvalue(res, 0, 6));
	p(r, "</td></tr><tr><th>run by</th><td>");
	t(r, PQgetvalue(res, 0, 7));
	p(r, " (OS user ");
	t(r, PQgetvalue(res, 0, 8));
	p(r, ")</td></tr><tr><th>counts</th><td><code>");
	t(r, PQgetvalue(res, 0, 9));
	iffa_jsonbuf__printf(r->h, "</code></td></tr><tr><th>this report</th><td>%zu rows per section;"
				   " proposals need %d passes; generated by iffa %s</td></tr></table>\n",
			     o->top, o->min_passes, iffa_version());
	p(r, "<p>Every parameter value the run used (analysis_run.params; docs/ANALYSIS.md explains"
	     " each):</p>\n<pre class=\"params\">");
	t(r, PQgetvalue(res, 0, 10));
	p(r, "</pre>\n");
	PQclear(res);
	p(r, "<h3>Verifying this report</h3>\n<p>A signed report directory holds MANIFEST (SHA-256"
	     " and size of every file) and MANIFEST.sig (Ed25519 over MANIFEST). Check it with"
	     " <code>iffa verify DIR --pubkey KEY.pub</code>, or without iffa:</p>\n<pre>cd DIR\n"
	     "base64 -d MANIFEST.sig &gt; /tmp/sig.bin\n"
	     "openssl pkeyutl -verify -pubin -inkey KEY.pub -rawin -in MANIFEST -sigfile /tmp/sig.bin\n"
	     "sed -E 's/^([0-9a-f]{64}) [0-9]+ /\\1  /' MANIFEST | sha256sum -c</pre>\n</section>\n");
	return 0;
}

static const char style_css[] =
	"<style>\n"
	"body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;margin:2em auto;max-width:64em;"
	"color:#222;line-height:1.4;font-size:14px}\n"
	"h1{font-size:1.6em;margin-bottom:0}h2{border-bottom:2px solid #2c3e50;padding-bottom:.2em;"
	"margin-top:2em}h3{font-size:1.1em;margin-bottom:.3em}\n"
	"table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .5em;"
	"vertical-align:top;text-align:left}th{background:#f2f4f5}\n"
	".n{text-align:right;font-variant-numeric:tabular-nums}.dom{background:#f7f7f7}\n"
	".ref{font-family:'DejaVu Sans Mono',monospace;font-size:.85em;color:#555}\n"
	".cc{font-size:.8em;background:#e8eef3;border-radius:3px;padding:0 .3em}\n"
	"table.ev{width:100%;table-layout:fixed}td.w{overflow-wrap:anywhere}td.n{white-space:nowrap}\n"
	"table.ev th:nth-child(1),table.ev th:nth-child(2){width:26%}table.ev th:nth-child(3){width:12%}"
	"table.ev th:nth-child(4){width:6%}table.ev th:nth-child(5){width:14%}"
	"table.ev th:nth-child(6){width:16%;overflow-wrap:anywhere}\n"
	"tr.cross td{background:#fdf0e6}.score{font-weight:normal;color:#7f8c8d;font-size:.9em}\n"
	".kind{font-weight:normal;color:#555;font-size:.9em}.none{color:#7f8c8d;font-style:italic}\n"
	".warn{background:#fff6e0;border-left:4px solid #e67e22;padding:.5em}\n"
	"article{margin:1em 0 1.5em 0;page-break-inside:avoid}.ground{margin-left:1.5em}\n"
	"pre{background:#f7f7f7;padding:.6em;overflow-x:auto;font-size:.85em}\n"
	"svg{display:block;margin:.5em 0;max-width:100%;height:auto}\n"
	"nav a{margin-right:1em}.meta{color:#555}\n"
	"@media print{body{margin:0;max-width:none;font-size:12px}h2,h3{page-break-after:avoid}"
	"table.ev{font-size:11px}}\n"
	"</style>\n";

/* Output */

/* Remove what this report wrote (never what was there before). */
static void remove_outputs(const char *dir, int html, int pdf, int made_dir)
{
	char path[4096];

	if (html) {
		snprintf(path, sizeof(path), "%s/report.html", dir);
		unlink(path);
	}
	if (pdf) {
		snprintf(path, sizeof(path), "%s/report.pdf", dir);
		unlink(path);
	}
	if (made_dir)
		rmdir(dir);
}

static int dir_is_empty(const char *dir, int *made)
{
	struct stat st;

	*made = 0;
	if (lstat(dir, &st) < 0) {
		if (errno != ENOENT)
			return iffa_error_set(IFFA_EIO, "%s: %s", dir, strerror(errno));
		if (mkdir(dir, 0700) < 0)
			return iffa_error_set(IFFA_EIO, "%s: %s", dir, strerror(errno));
		*made = 1;
		return 0;
	}
	if (!S_ISDIR(st.st_mode))
		return iffa_error_set(IFFA_EINVAL, "%s: exists and is not a directory", dir);
	{
		/* An old report's MANIFEST would not describe the new one: refuse. */
		int empty = 1;
		struct stat s2;
		char probe[4096];
		static const char *const names[] = {"report.html", "report.pdf", "MANIFEST",
						    "MANIFEST.sig"};
		for (size_t i = 0; i < 4; i++) {
			snprintf(probe, sizeof(probe), "%s/%s", dir, names[i]);
			if (lstat(probe, &s2) == 0)
				empty = 0;
		}
		if (!empty)
			return iffa_error_set(IFFA_EINVAL,
					      "%s already holds a report; write to a new directory", dir);
	}
	return 0;
}

int iffa_report_write(iffa_report_result *out, iffa_db *db, const char *dir,
		      const iffa_report_options *opts)
{
	iffa_report_options o = IFFA_REPORT_OPTIONS_INIT;
	iffa_ingest_options io = IFFA_INGEST_OPTIONS_INIT;
	iffa_jsonbuf page = IFFA_JSONBUF_INIT, params = IFFA_JSONBUF_INIT, detail = IFFA_JSONBUF_INIT;
	iffa_jsonbuf listing = IFFA_JSONBUF_INIT;
	iffa_atomicfile *html = NULL;
	iffa_flowgraph *g = NULL;
	iffa_summary s;
	report r;
	char prev_period[32], html_path[4096], pdf_path[4096], html_abs[4096], sha_html[65];
	char sha_pdf[65] = "", generated[32], run_choice[128];
	int64_t from, to, pfrom, pto;
	int error = 0, made_dir = 0, level_party = 0, audited = 0, wrote_html = 0, wrote_pdf = 0;
	size_t nnew = 0, ndropped = 0;
	unsigned long long html_size = 0, pdf_size = 0;
	time_t now = time(NULL);
	struct tm tm;

	memset(out, 0, sizeof(*out));
	memset(&s, 0, sizeof(s));
	memset(&r, 0, sizeof(r));
	if (opts)
		o = *opts;
	if (o.top == 0)
		o.top = 10;
	if (o.min_passes < 1)
		o.min_passes = 1;
	if (!dir || !*dir)
		return iffa_error_set(IFFA_EINVAL, "no output directory");
	if ((error = iffa_report_period_parse(&from, &to, prev_period, sizeof(prev_period), o.period)) < 0 ||
	    (error = iffa_report_period_parse(&pfrom, &pto, NULL, 0, prev_period)) < 0)
		return error;
	iffa_jsonbuf__puts(&params, "{\"period\":");
	iffa_crypto__json_str(&params, o.period);
	iffa_jsonbuf__printf(&params, ",\"run\":%lld,\"top\":%zu,\"min_passes\":%d,\"out\":",
			     (long long)o.run, o.top, o.min_passes);
	iffa_crypto__json_str(&params, dir);
	iffa_jsonbuf__puts(&params, ",\"key\":");
	iffa_crypto__json_str(&params, o.keyfile);
	iffa_jsonbuf__puts(&params, "}");
	if (params.oom)
		return iffa_error_set(IFFA_ENOMEM, "out of memory");

	if ((error = dir_is_empty(dir, &made_dir)) < 0)
		goto done;
	snprintf(html_path, sizeof(html_path), "%s/report.html", dir);
	snprintf(pdf_path, sizeof(pdf_path), "%s/report.pdf", dir);
	if ((error = iffa_atomicfile__open(&html, html_path, 0644, IFFA_ATOMICFILE_SHA256)) < 0)
		goto done;

	/* The run */
	if (o.run > 0) {
		if ((error = iffa_case__resolve_run(&r.run, db, o.run, IFFA_TIME_MIN, IFFA_TIME_MAX)) < 0)
			goto done;
		snprintf(run_choice, sizeof(run_choice), "chosen with --run");
	} else {
		if ((error = find_run(&r.run, db, from, to, 0)) < 0)
			goto done;
		if (r.run == 0) {
			char f[16], tt[16];
			iffa_case__date(f, from);
			iffa_case__date(tt, to);
			error = iffa_error_set(IFFA_ENOTFOUND,
					       "no completed analysis run covers %s; run `iffa analyse"
					       " --from %s --to %s` first",
					       o.period, f, tt);
			goto done;
		}
		snprintf(run_choice, sizeof(run_choice), "the latest completed run covering %s",
			 o.period);
	}
	if ((error = find_run(&r.prev, db, pfrom, pto, r.run)) < 0)
		goto done;
	r.db = db;
	r.h = &page;
	r.top = o.top;
	snprintf(r.run_s, sizeof(r.run_s), "%lld", (long long)r.run);
	snprintf(r.prev_s, sizeof(r.prev_s), "%lld", (long long)r.prev);
	snprintf(r.top_s, sizeof(r.top_s), "%zu", o.top);
	if ((error = load_sources(&r)) < 0)
		goto done;
	{
		PGresult *res = NULL;
		const char *pp[1] = {r.run_s};
		if ((error = iffa_db__query(&res, db, "reading the run's level",
					    "SELECT level FROM analysis_run WHERE id = $1::bigint", 1, pp)) < 0)
			goto done;
		level_party = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "party") == 0;
		PQclear(res);
	}

	/* The period's flow graph, for the summary and the corridors */
	io.level = level_party ? IFFA_LEVEL_PARTY : IFFA_LEVEL_ACCOUNT;
	io.from = from;
	io.to = to;
	io.readers = 1;
	if ((error = iffa_ingest(&g, db, &io)) < 0 || (error = iffa_summary_compute(&s, g, 100000)) < 0)
		goto done;

	gmtime_r(&now, &tm);
	strftime(generated, sizeof(generated), "%Y-%m-%d %H:%M UTC", &tm);
	p(&r, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; img-src data:\">\n<title>iffa report ");
	t(&r, o.period);
	p(&r, "</title>\n");
	p(&r, style_css);
	p(&r, "</head><body>\n<header><h1>Illicit financial flows: periodic report ");
	t(&r, o.period);
	iffa_jsonbuf__printf(&page, "</h1>\n<p class=\"meta\">Generated %s by iffa %s from analysis"
				    " run %lld. For the sanctions committee; contains personal data.</p>\n",
			     generated, iffa_version(), (long long)r.run);
	p(&r, "<nav><a href=\"#summary\">Summary</a><a href=\"#corridors\">Corridors</a>"
	      "<a href=\"#clusters\">Clusters</a><a href=\"#intermediaries\">Intermediaries</a>"
	      "<a href=\"#paths\">Paths</a><a href=\"#designations\">Designations</a>"
	      "<a href=\"#changes\">Changes</a><a href=\"#findings\">Findings</a>"
	      "<a href=\"#method\">Method</a></nav></header>\n<main>\n");
	if ((error = write_summary(&r, &s, o.period, from, to, &out->findings)) < 0 ||
	    (error = write_corridors(&r, &s)) < 0 || (error = write_clusters(&r)) < 0 ||
	    (error = write_intermediaries(&r)) < 0 || (error = write_paths(&r)) < 0 ||
	    (error = write_proposals(&r, o.min_passes, &out->proposed)) < 0 ||
	    (error = write_changes(&r, prev_period, &nnew, &ndropped)) < 0 ||
	    (error = write_all_findings(&r)) < 0 || (error = write_method(&r, &o, run_choice)) < 0)
		goto done;
	p(&r, "</main>\n<footer><p class=\"meta\">End of report ");
	t(&r, o.period);
	p(&r, ".</p></footer>\n</body></html>\n");
	if (page.oom) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	if ((error = iffa_atomicfile__write(html, page.ptr, page.len)) < 0 ||
	    (error = iffa_atomicfile__finish(html, sha_html)) < 0 ||
	    (error = iffa_atomicfile__commit(html)) < 0)
		goto done;
	wrote_html = 1;
	html_size = page.len;
	out->files = 1;

	/* PDF, where a browser is installed */
	if (!o.chromium)
		o.chromium = "/usr/bin/chromium";
	if (!*o.chromium) {
		snprintf(out->pdf_notice, sizeof(out->pdf_notice), "no PDF asked for");
	} else {
		if (html_path[0] == '/')
			snprintf(html_abs, sizeof(html_abs), "%s", html_path);
		else if (!realpath(html_path, html_abs))
			snprintf(html_abs, sizeof(html_abs), "%s", html_path);
		/* report.pdf cannot be there: the directory held no report */
		wrote_pdf = 1;
		if (iffa_report__print_pdf(o.chromium, html_abs, pdf_path, 180) == 0) {
			int fd = open(pdf_path, O_RDONLY | O_CLOEXEC);
			unsigned char md[32];
			if (fd < 0 || iffa_crypto__sha256_fd(md, &pdf_size, fd, pdf_path) < 0) {
				if (fd >= 0)
					close(fd);
				error = iffa_error_set(IFFA_EIO, "reading %s back", pdf_path);
				goto done;
			}
			close(fd);
			iffa_crypto__hex(sha_pdf, md, 32);
			out->pdf = 1;
			out->files = 2;
		} else {
			unlink(pdf_path);
			wrote_pdf = 0;
			snprintf(out->pdf_notice, sizeof(out->pdf_notice), "report.pdf not written: %s",
				 iffa_error_last());
		}
	}

	/* The record, then the signature */
	iffa_jsonbuf__printf(&detail, "{\"run\":%lld,\"previous_run\":%lld,\"findings\":%zu,"
				      "\"proposed\":%zu,\"new\":%zu,\"dropped\":%zu,\"files\":["
				      "{\"name\":\"report.html\",\"sha256\":\"%s\",\"bytes\":%llu}",
			     (long long)r.run, (long long)r.prev, out->findings, out->proposed, nnew,
			     ndropped, sha_html, html_size);
	iffa_jsonbuf__printf(&listing, "%s %llu report.html\n", sha_html, html_size);
	if (out->pdf) {
		iffa_jsonbuf__printf(&detail, ",{\"name\":\"report.pdf\",\"sha256\":\"%s\",\"bytes\":%llu}",
				     sha_pdf, pdf_size);
		iffa_jsonbuf__printf(&listing, "%s %llu report.pdf\n", sha_pdf, pdf_size);
	}
	iffa_jsonbuf__puts(&detail, "]}");
	if (detail.oom || listing.oom) {
		error = iffa_error_set(IFFA_ENOMEM, "out of memory");
		goto done;
	}
	if ((error = iffa_crypto__sha256_hex(out->sha256, listing.ptr, listing.len)) < 0 ||
	    (error = iffa_crypto__audit(&out->audit_id, db, "report", params.ptr, (long long)out->findings,
					out->sha256, detail.ptr)) < 0)
		goto done;
	audited = 1;
	out->bytes = html_size + pdf_size;
	out->run = r.run;
	out->previous_run = r.prev;
	if (o.keyfile) {
		iffa_crypto_sign_result sr;
		if ((error = iffa_crypto_sign_dir(&sr, db, dir, o.keyfile, o.key_opts)) < 0)
			goto done;
		out->signed_dir = 1;
		memcpy(out->manifest_sha256, sr.manifest_sha256, 65);
		memcpy(out->key_sha256, sr.key_sha256, 65);
	}
done:
	iffa_atomicfile__free(html);
	if (error < 0) {
		char msg[2048];
		snprintf(msg, sizeof(msg), "%s", iffa_error_last());
		remove_outputs(dir, wrote_html, wrote_pdf, made_dir);
		if (!audited)
			iffa_crypto__audit_failure(db, "report", params.ptr, error);
		iffa_error_set(error, "%s", msg);
	}
	for (size_t i = 0; i < r.nsources; i++)
		free(r.sources[i]);
	free(r.sources);
	iffa_summary_dispose(&s);
	iffa_flowgraph_free(g);
	iffa_jsonbuf__dispose(&page);
	iffa_jsonbuf__dispose(&params);
	iffa_jsonbuf__dispose(&detail);
	iffa_jsonbuf__dispose(&listing);
	return error;
}
