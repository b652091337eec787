/*
 * The periodic report on the hand-built case of tests/support/exportfix.c:
 * periods, every section, hostile names escaped, figures worked out by
 * hand, the audit record, signing and a tampered file, the PDF and the
 * render check in headless Chromium (when /usr/bin/chromium exists; it is
 * in tools/deps.sh).
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/exportfix.h"
#include "support/testdb.h"

static char dir[128];
static char ci[128];

static void cleanup(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	cr_assert_not_null(f, "%s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

static void period(const char *p, const char *from, const char *to, const char *prev)
{
	int64_t f, t;
	char pr[16], fs[32], ts[32];

	cr_assert_eq(iffa_report_period_parse(&f, &t, pr, sizeof(pr), p), 0, "%s: %s", p,
		     iffa_error_last());
	iffa_flowgraph_time_format(fs, sizeof(fs), f);
	iffa_flowgraph_time_format(ts, sizeof(ts), t);
	cr_assert_str_eq(fs, from);
	cr_assert_str_eq(ts, to);
	cr_assert_str_eq(pr, prev);
}

Test(report_period, quarters_halves_months_and_years)
{
	static const char *const bad[] = {"2026-Q5", "2026-Q0", "26-Q1", "2026-13", "2026-00",
					  "2026-Q3x", "2026-H3", "", "Q3-2026", "1899"};
	int64_t f, t;

	period("2026-Q3", "2026-07-01T00:00:00Z", "2026-10-01T00:00:00Z", "2026-Q2");
	period("2026-Q1", "2026-01-01T00:00:00Z", "2026-04-01T00:00:00Z", "2025-Q4");
	period("2026-Q4", "2026-10-01T00:00:00Z", "2027-01-01T00:00:00Z", "2026-Q3");
	period("2026-H1", "2026-01-01T00:00:00Z", "2026-07-01T00:00:00Z", "2025-H2");
	period("2026-01", "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z", "2025-12");
	period("2026-12", "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z", "2026-11");
	period("2026", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z", "2025");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(iffa_report_period_parse(&f, &t, NULL, 0, bad[i]), IFFA_EINVAL, "%s", bad[i]);
}

static int chromium(void)
{
	return access("/usr/bin/chromium", X_OK) == 0;
}

Test(report_write, every_section_escaped_figures_audit_and_signature, .fini = cleanup)
{
	iffa_db *db = exportfix_load(dir, sizeof(dir), ci, sizeof(ci), "t_report_write");
	iffa_report_options o = IFFA_REPORT_OPTIONS_INIT;
	iffa_crypto_keygen_result kr;
	iffa_crypto_verify_result vr;
	iffa_report_result r;
	iffa_analysis *a;
	iffa_analyse_options ao = IFFA_ANALYSE_OPTIONS_INIT;
	char out[256], key[256], pub[300], html[300], sql[512];
	static const char *const sections[] = {"summary", "corridors", "clusters", "intermediaries",
					       "paths", "designations", "changes", "findings", "method"};
	int64_t prev;
	char *page;
	FILE *f;

	/* A run of the previous quarter (no money in it), to compare with. */
	cr_assert_eq(iffa_analysis_new(&a), 0);
	cr_assert_eq(iffa_analysis_select(a, "clusters,exposure"), 0);
	cr_assert_eq(iffa_flowgraph_time_parse(&ao.from, "2026-04-01"), 0);
	cr_assert_eq(iffa_flowgraph_time_parse(&ao.to, "2026-07-01"), 0);
	cr_assert_eq(iffa_analyse(&prev, db, a, &ao), 0, "%s", iffa_error_last());
	iffa_analysis_free(a);

	/* Findings of the passes with sections of their own, as they will store them. */
	{
		PGresult *res = PQexec(iffa_db_conn(db),
			"INSERT INTO finding (run_id, pass, kind, subject_type, subject_label, score, reason, evidence)"
			" SELECT 1, 'paths', 'cross_border_path', 'path', 'A1 to A3', 0.9, 'two hops, ML to SN',"
			" jsonb_build_array("
			"  jsonb_build_object('from', 'A1', 'from_type', 'account', 'from_id', a1.id, 'from_name', 'x',"
			"   'to', 'A2', 'to_type', 'account', 'to_id', a2.id, 'to_name', 'y', 'amount_xof', 1500000,"
			"   'flows', 2, 'first', '2026-07-01T10:00:00Z', 'last', '2026-07-05T10:00:00Z',"
			"   'channel', 'cash', 'kind', 'transfer', 'record', null),"
			"  jsonb_build_object('from', 'A2', 'from_type', 'account', 'from_id', a2.id, 'from_name', 'y',"
			"   'to', 'A3', 'to_type', 'account', 'to_id', a3.id, 'to_name', 'z', 'amount_xof', 1400000,"
			"   'flows', 1, 'first', '2026-07-06T10:00:00Z', 'last', '2026-07-06T10:00:00Z',"
			"   'channel', 'bank', 'kind', 'transfer', 'record', 3))"
			" FROM account a1, account a2, account a3 WHERE a1.ref = 'A1' AND a2.ref = 'A2' AND a3.ref = 'A3'"
			" UNION ALL SELECT 1, 'intermediaries', 'broker', 'account', 'A2 (broker)', 0.7,"
			" 'passes on 93% of what it receives', f.evidence FROM finding f WHERE f.pass = 'clusters'");
		cr_assert_eq(PQresultStatus(res), PGRES_COMMAND_OK, "%s", PQerrorMessage(iffa_db_conn(db)));
		PQclear(res);
	}

	snprintf(out, sizeof(out), "%s/report", dir);
	snprintf(key, sizeof(key), "%s/fiu.key", dir);
	snprintf(pub, sizeof(pub), "%s.pub", key);
	cr_assert_eq(iffa_crypto_keygen(&kr, db, key, NULL), 0, "%s", iffa_error_last());
	o.period = "2026-Q3";
	o.keyfile = key;
	o.min_passes = 1;
	cr_assert_eq(iffa_report_write(&r, db, out, &o), 0, "%s", iffa_error_last());
	cr_assert_eq(r.run, 1); /* the fixture's run covers every date; run 2 only the second quarter */
	cr_assert_eq(r.previous_run, prev);
	cr_assert_gt(r.findings, 0);
	cr_assert(r.signed_dir);
	cr_assert_eq(r.pdf, chromium(), "%s", r.pdf_notice);
	cr_assert_eq(r.files, chromium() ? 2u : 1u);
	/* the listing of the report's files is what MANIFEST holds */
	cr_assert_str_eq(r.sha256, r.manifest_sha256);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM audit_log WHERE command = 'report' AND output_sha256 = '%s'"
		 " AND params->>'period' = '2026-Q3' AND (detail->>'run')::int = 1",
		 r.sha256);
	cr_assert_eq(testdb_scalar(db, sql), 1);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM audit_log WHERE command = 'sign'"), 1);

	snprintf(html, sizeof(html), "%s/report.html", out);
	page = slurp(html, NULL);
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		char id[64];
		snprintf(id, sizeof(id), "<section id=\"%s\">", sections[i]);
		cr_assert(strstr(page, id) != NULL, "no section %s", sections[i]);
	}
	/* names are text, never markup */
	cr_assert(strstr(page, "<script") == NULL);
	cr_assert(strstr(page, "&lt;/node&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;data key=&quot;name&quot;&gt;") != NULL);
	cr_assert(strstr(page, "=HYPERLINK(&quot;http://evil.example/&quot;,&quot;click&quot;)") != NULL);
	/* nothing is fetched when the page is viewed */
	cr_assert(strstr(page, "src=") == NULL && strstr(page, "<link") == NULL &&
		  strstr(page, "url(http") == NULL && strstr(page, "@import") == NULL);
	/* by hand: 4,200,100 XOF along edges, of which ML->SN 1.4 M, SN->BF 0.7 M, BF->NE 0.6 M cross borders */
	cr_assert(strstr(page, "2,700,000 XOF (64.3% of the XOF along edges)") != NULL);
	cr_assert(strstr(page, "ML \xe2\x86\x92 SN</text>") != NULL);
	cr_assert(strstr(page, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"network\"") != NULL);
	/* dedicated sections for the paths and intermediaries passes */
	cr_assert(strstr(page, "did not run") == NULL);
	cr_assert(strstr(page, "A1 to A3 <span class=\"kind\">cross_border_path</span>") != NULL);
	cr_assert(strstr(page, "A2 (broker) <span class=\"kind\">broker</span>") != NULL);
	cr_assert(strstr(page, "<td class=\"d\">2026-07-01 to 2026-07-05</td>") != NULL);
	/* the previous quarter named nobody: everyone is new */
	cr_assert(strstr(page, "Newly named") != NULL);
	cr_assert(strstr(page, "against run 2") != NULL || strstr(page, "against run") != NULL);
	/* the method shows the run's parameters */
	cr_assert(strstr(page, "&quot;clusters.method&quot;: &quot;leiden&quot;") != NULL);
	free(page);

	/* signed: intact, then one byte more in the page is named */
	cr_assert_eq(iffa_crypto_verify_dir(&vr, db, out, pub), 0, "%s", iffa_error_last());
	cr_assert(vr.intact);
	iffa_crypto_verify_result_dispose(&vr);
	cr_assert_not_null(f = fopen(html, "a"));
	fputs(" ", f);
	fclose(f);
	cr_assert_eq(iffa_crypto_verify_dir(&vr, db, out, pub), IFFA_EINVAL);
	cr_assert_eq(vr.nproblems, 1);
	cr_assert_str_eq(vr.problems[0].path, "report.html");
	iffa_crypto_verify_result_dispose(&vr);

	/* a directory holding a report is refused, and left as it was */
	cr_assert_eq(iffa_report_write(&r, db, out, &o), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "already holds a report") != NULL, "%s", iffa_error_last());
	cr_assert_eq(access(html, F_OK), 0);
	iffa_db_free(db);
}

Test(report_write, refusals_leave_nothing, .fini = cleanup)
{
	iffa_db *db = exportfix_load(dir, sizeof(dir), ci, sizeof(ci), "t_report_refuse");
	iffa_report_options o = IFFA_REPORT_OPTIONS_INIT;
	iffa_report_result r;
	char out[256];

	snprintf(out, sizeof(out), "%s/report", dir);
	o.period = "2026-Q3";
	o.run = 999;
	cr_assert_eq(iffa_report_write(&r, db, out, &o), IFFA_ENOTFOUND);
	cr_assert_str_eq(iffa_error_last(), "no analysis run 999");
	cr_assert_neq(access(out, F_OK), 0);
	o.run = 0;
	o.period = "2026-Q9";
	cr_assert_eq(iffa_report_write(&r, db, out, &o), IFFA_EINVAL);
	/* a browser that is not there: the HTML is written, the PDF is not, and why is said */
	o.period = "2026-Q3";
	o.chromium = "/nonexistent/chromium";
	cr_assert_eq(iffa_report_write(&r, db, out, &o), 0, "%s", iffa_error_last());
	cr_assert_eq(r.pdf, 0);
	cr_assert(strstr(r.pdf_notice, "/nonexistent/chromium not found") != NULL, "%s", r.pdf_notice);
	cr_assert_eq(r.files, 1);
	/* a key others may read refuses the signature, and the report goes with it */
	{
		iffa_crypto_keygen_result kr;
		char key[256], out2[256];
		snprintf(key, sizeof(key), "%s/open.key", dir);
		snprintf(out2, sizeof(out2), "%s/report2", dir);
		cr_assert_eq(iffa_crypto_keygen(&kr, db, key, NULL), 0);
		cr_assert_eq(chmod(key, 0644), 0);
		o.keyfile = key;
		cr_assert_eq(iffa_report_write(&r, db, out2, &o), IFFA_EINVAL);
		cr_assert_neq(access(out2, F_OK), 0);
	}
	iffa_db_free(db);
}

/* The render check: the page as Chromium draws it, kept for a person to look at. */
Test(report_render, chromium_draws_the_page_to_a_png, .fini = cleanup)
{
	iffa_db *db;
	iffa_report_options o = IFFA_REPORT_OPTIONS_INIT;
	iffa_report_result r;
	char out[200], cmd[1024], png[300];
	unsigned char *b;
	size_t len;
	unsigned w, h;

	if (!chromium())
		cr_skip_test("/usr/bin/chromium is not installed (tools/deps.sh installs it)");
	db = exportfix_load(dir, sizeof(dir), ci, sizeof(ci), "t_report_render");
	snprintf(out, sizeof(out), "%s/report", dir);
	o.period = "2026-Q3";
	o.min_passes = 1;
	cr_assert_eq(iffa_report_write(&r, db, out, &o), 0, "%s", iffa_error_last());
	cr_assert_eq(r.pdf, 1, "%s", r.pdf_notice);
	snprintf(png, sizeof(png), "%s/report.pdf", out);
	b = (unsigned char *)slurp(png, &len);
	cr_assert(len > 1000 && memcmp(b, "%PDF-", 5) == 0);
	free(b);
	snprintf(png, sizeof(png), "%s/report-render.png", IFFA_TEST_BINARY_DIR);
	snprintf(cmd, sizeof(cmd),
		 "/usr/bin/chromium --headless --no-sandbox --disable-gpu --hide-scrollbars"
		 " --screenshot='%s' --window-size=1280,2000 'file://%s/report.html' >/dev/null 2>&1",
		 png, out);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
	b = (unsigned char *)slurp(png, &len);
	cr_assert(len > 10000, "%zu bytes", len);
	cr_assert(memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0);
	w = (unsigned)b[16] << 24 | (unsigned)b[17] << 16 | (unsigned)b[18] << 8 | b[19];
	h = (unsigned)b[20] << 24 | (unsigned)b[21] << 16 | (unsigned)b[22] << 8 | b[23];
	cr_assert_eq(w, 1280);
	cr_assert_eq(h, 2000);
	free(b);
	iffa_db_free(db);
}
