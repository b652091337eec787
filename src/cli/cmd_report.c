/*
 * iffa report --period P --out DIR [--run RUN] [--key KEYFILE]: the
 * periodic report of a run, printed to PDF where Chromium is installed,
 * recorded and signed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

const char iffa_cmd_report_usage[] =
	"usage: iffa report --period PERIOD --out DIR [--run RUN] [--key KEYFILE]\n"
	"                   [--passphrase-file FILE] [--top N] [--min-passes K] [--no-pdf]\n"
	"\n"
	"Write the periodic report for a sanctions committee into DIR (created;\n"
	"an existing DIR must not hold a report): report.html, one self-contained\n"
	"page (no network access when viewed) with the summary, flows by corridor\n"
	"(a country x country table and a chart), the top clusters with a network\n"
	"picture, the top intermediaries, cross-border paths, proposed designations\n"
	"with their evidence, changes since the previous period, and the run's\n"
	"method and parameters (docs/REPORTS.md); report.pdf printed by headless\n"
	"Chromium when /usr/bin/chromium exists (a notice otherwise). The report is\n"
	"recorded in audit_log with each file's SHA-256; with --key the directory\n"
	"is then signed (MANIFEST, MANIFEST.sig; check with `iffa verify`).\n"
	"\n"
	"  --period PERIOD        YYYY-Qn, YYYY-Hn, YYYY-MM or YYYY (UTC)\n"
	"  --run RUN              the completed run to report; default: the latest\n"
	"                         completed run whose window is the period, else\n"
	"                         the latest covering it\n"
	"  --key KEYFILE          Ed25519 private key (iffa keygen); never a value\n"
	"  --passphrase-file FILE passphrase of an encrypted key; else IFFA_KEY_PASSPHRASE\n"
	"  --top N                rows per section (default 10)\n"
	"  --min-passes K         passes that must name a party before it is\n"
	"                         proposed for designation (default 2)\n"
	"  --no-pdf               do not print the PDF\n"
	"  --json                 print one JSON object\n"
	"\n"
	"Exit codes: 0 written; 1 failure; 2 wrong arguments; 3 refused (bad\n"
	"period, no run for it, DIR not empty, key refused); 4 database.\n";

int iffa_cmd_report(int argc, char **argv, const iffa_cli_global *g)
{
	iffa_report_options o = IFFA_REPORT_OPTIONS_INIT;
	iffa_crypto_key_options ko = IFFA_CRYPTO_KEY_OPTIONS_INIT;
	iffa_report_result r;
	const char *dir = NULL;
	iffa_db *db = NULL;
	int error, code;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		char *end;
		if (strcmp(a, "--period") == 0 && v) {
			o.period = v;
			i++;
		} else if (strcmp(a, "--out") == 0 && v) {
			dir = v;
			i++;
		} else if (strcmp(a, "--run") == 0 && v) {
			long long k = strtoll(v, &end, 10);
			if (*end || end == v || k <= 0) {
				fprintf(stderr, "iffa: report: --run %s: a run number\n", v);
				return IFFA_EXIT_USAGE;
			}
			o.run = k;
			i++;
		} else if (strcmp(a, "--top") == 0 && v) {
			long k = strtol(v, &end, 10);
			if (*end || end == v || k < 1 || k > 1000) {
				fprintf(stderr, "iffa: report: --top %s: 1 to 1000\n", v);
				return IFFA_EXIT_USAGE;
			}
			o.top = (size_t)k;
			i++;
		} else if (strcmp(a, "--min-passes") == 0 && v) {
			long k = strtol(v, &end, 10);
			if (*end || end == v || k < 1 || k > 100) {
				fprintf(stderr, "iffa: report: --min-passes %s: 1 to 100\n", v);
				return IFFA_EXIT_USAGE;
			}
			o.min_passes = (int)k;
			i++;
		} else if (strcmp(a, "--key") == 0 && v) {
			o.keyfile = v;
			i++;
		} else if (strcmp(a, "--passphrase-file") == 0 && v) {
			ko.passphrase_file = v;
			i++;
		} else if (strncmp(a, "--passphrase", 12) == 0) {
			fprintf(stderr, "iffa: report: a passphrase is never taken from the command "
					"line; use --passphrase-file or IFFA_KEY_PASSPHRASE\n");
			return IFFA_EXIT_USAGE;
		} else if (strcmp(a, "--no-pdf") == 0) {
			o.chromium = "";
		} else {
			fprintf(stderr, "iffa: report: unexpected '%s'\n", a);
			return iffa_cli_usage("report", stderr, IFFA_EXIT_USAGE);
		}
	}
	if (!o.period || !dir) {
		fprintf(stderr, "iffa: report: needs --period and --out\n");
		return iffa_cli_usage("report", stderr, IFFA_EXIT_USAGE);
	}
	if (!ko.passphrase_file && getenv(IFFA_CRYPTO_PASSPHRASE_ENV))
		ko.passphrase_env = IFFA_CRYPTO_PASSPHRASE_ENV;
	o.key_opts = &ko;
	if ((code = iffa_cli_connect(&db, g)) != 0)
		return code;
	error = iffa_report_write(&r, db, dir, &o);
	iffa_db_free(db);
	if (error < 0) {
		code = iffa_cli_fail("report", error);
		/* no such run, or none for the period: the request is refused */
		return error == IFFA_ENOTFOUND ? IFFA_EXIT_DATA : code;
	}
	if (!r.pdf && *r.pdf_notice && !(o.chromium && !*o.chromium))
		fprintf(stderr, "iffa: report: %s\n", r.pdf_notice);
	if (g->json) {
		printf("{\"run\":%lld,\"previous_run\":%lld,\"findings\":%zu,\"proposed\":%zu,"
		       "\"files\":%zu,\"bytes\":%llu,\"pdf\":%s,\"sha256\":\"%s\",\"audit_id\":%lld,"
		       "\"signed\":%s",
		       (long long)r.run, (long long)r.previous_run, r.findings, r.proposed, r.files,
		       r.bytes, r.pdf ? "true" : "false", r.sha256, r.audit_id,
		       r.signed_dir ? "true" : "false");
		if (r.signed_dir)
			printf(",\"manifest_sha256\":\"%s\",\"key_sha256\":\"%s\"", r.manifest_sha256,
			       r.key_sha256);
		printf("}\n");
	} else {
		printf("%s: report of run %lld (%zu findings, %zu proposed designations), ", dir,
		       (long long)r.run, r.findings, r.proposed);
		if (r.previous_run)
			printf("compared with run %lld", (long long)r.previous_run);
		else
			printf("no previous period's run to compare with");
		printf("; %zu file%s, %llu bytes%s\n", r.files, r.files == 1 ? "" : "s", r.bytes,
		       r.pdf ? " (HTML and PDF)" : "");
		printf("recorded as audit_log %lld (files SHA-256 %s)\n", r.audit_id, r.sha256);
		if (r.signed_dir)
			printf("signed: MANIFEST SHA-256 %s, key %s\n", r.manifest_sha256, r.key_sha256);
	}
	return IFFA_EXIT_OK;
}
