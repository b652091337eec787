/* iffa screen: may I pay this counterparty? Name screening against the lists. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

const char iffa_cmd_screen_usage[] =
	"usage: iffa screen NAME [--country CC] [--dob DATE] [--account ACCOUNT] [--ref REF]\n"
	"                   [options]\n"
	"       iffa screen --file COUNTERPARTIES.csv [--out csv|jsonl] [options]\n"
	"\n"
	"Screen a counterparty, or every line of a CSV file (columns name, and\n"
	"optionally ref, country, dob, account), against the sanctions lists imported\n"
	"with `iffa lists import`. Each gets a verdict: match, possible match or\n"
	"clear, with the list entries it resembles (list, reference, score) and the\n"
	"reason (which tokens matched which). A counterparty given with its account\n"
	"reference also gets its exposure in the flow graph, from the latest\n"
	"completed `iffa analyse` run: score, hops to the nearest designated or\n"
	"armed-group party, and the path of payments with amounts and dates; an\n"
	"account of a designated party makes a match, a flagged exposure at least a\n"
	"possible match. Every request and verdict is recorded in audit_log with the\n"
	"OS user and database role.\n"
	"\n"
	"  --country CC      ISO 3166-1 alpha-2 nationality or residence\n"
	"  --dob DATE        date of birth: YYYY, YYYY-MM or YYYY-MM-DD\n"
	"  --account ACCOUNT its account reference (IBAN, MSISDN, wallet) in the records\n"
	"  --ref REF         your reference of the counterparty (kept in the record)\n"
	"  --list NAME       screen against one list only (default: all)\n"
	"  --match X         match threshold (default 0.88)\n"
	"  --possible X      possible-match threshold (default 0.72)\n"
	"  --max-hits N      entries shown per counterparty (default 5)\n"
	"  --on-behalf-of W  whom the screening is for (kept in the record)\n"
	"  --out csv|jsonl   output of --file (default csv; --json means jsonl)\n"
	"\n"
	"A name alone never attaches graph exposure: names are not unique.\n";

static int number(double *out, const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (!*s || *end || !(v > 0 && v <= 1))
		return -1;
	*out = v;
	return 0;
}

/* A JSON string literal (references of national lists may hold anything). */
static void json_str(const char *s)
{
	putchar('"');
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", (unsigned char)*s);
		else
			putchar(*s);
	}
	putchar('"');
}

/* 1234567.5 as "1,234,568". */
static void print_xof(double xof)
{
	char digits[40];
	size_t n;

	snprintf(digits, sizeof(digits), "%.0f", xof >= 0 && xof < 1e30 ? xof : 0.0);
	n = strlen(digits);
	for (size_t i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			putchar(',');
		putchar(digits[i]);
	}
	fputs(" XOF", stdout);
}

static void print_run(const iffa_screen_exposure *e)
{
	printf("(analysis run %lld of data %.10s..%.10s, finished %s, %.1f days ago)", e->run_id,
	       e->run_from ? e->run_from : "start", e->run_to ? e->run_to : "end",
	       e->run_finished_at ? e->run_finished_at : "?", e->run_age_days);
}

static void print_exposure(const iffa_screen_request *req, const iffa_screen_result *r)
{
	const iffa_screen_exposure *e = &r->exposure;

	switch (e->status) {
	case IFFA_SCREEN_EXPOSURE_NOT_ASSESSED:
		printf("exposure: not assessed (no account given: --account)\n");
		return;
	case IFFA_SCREEN_EXPOSURE_NO_RUN:
		printf("exposure: no analysis run (run `iffa analyse` with the exposure pass)\n");
		return;
	case IFFA_SCREEN_EXPOSURE_UNKNOWN_ACCOUNT:
		printf("exposure: account %s is not in the records\n", req->account);
		return;
	case IFFA_SCREEN_EXPOSURE_NOT_IN_RUN:
		printf("exposure: account %s was loaded after the latest run ", req->account);
		print_run(e);
		printf("\n");
		return;
	case IFFA_SCREEN_EXPOSURE_NONE:
		printf("exposure: none: account %s has no designated or armed-group party within "
		       "reach ", req->account);
		print_run(e);
		printf("\n");
		return;
	default:
		break;
	}
	printf("exposure: %s%s, score %.3f, ", e->way, e->flagged ? " (flagged)" : "", e->score);
	if (e->hops >= 0)
		printf("%d hop%s from the nearest designated or armed-group party", e->hops,
		       e->hops == 1 ? "" : "s");
	else
		printf("no designated or armed-group party within reach");
	printf("%s\n  account %s ", e->raised ? "; raised the verdict" : "", req->account);
	print_run(e);
	printf("\n  received ");
	print_xof(e->tainted_xof);
	printf(" from sources (%.0f%%), paid ", 100 * e->taint);
	print_xof(e->funding_xof);
	printf(" to them (%.0f%%)\n", 100 * e->funding);
	for (size_t k = 0; k < e->npath; k++) {
		const iffa_screen_path_edge *pe = &e->path[k];
		printf("    %s%s%s%s -> %s%s%s%s  ", pe->from, *pe->from_name ? " (" : "", pe->from_name,
		       *pe->from_name ? ")" : "", pe->to, *pe->to_name ? " (" : "", pe->to_name,
		       *pe->to_name ? ")" : "");
		print_xof(pe->amount_xof);
		printf("  %.10s", pe->first);
		if (pe->flows > 1)
			printf("..%.10s, %lld flows", pe->last, pe->flows);
		printf("  %s %s  records %s\n", pe->channel, pe->kind, pe->records);
	}
}

static void print_exposure_json(const iffa_screen_exposure *e)
{
	printf("{\"status\":\"%s\"", iffa_screen_exposure_status_name(e->status));
	if (e->run_id) {
		printf(",\"run\":%lld,\"run_finished_at\":", e->run_id);
		json_str(e->run_finished_at);
		printf(",\"run_age_days\":%.2f,\"run_from\":", e->run_age_days);
		if (e->run_from)
			json_str(e->run_from);
		else
			printf("null");
		printf(",\"run_to\":");
		if (e->run_to)
			json_str(e->run_to);
		else
			printf("null");
	}
	if (e->status == IFFA_SCREEN_EXPOSURE_EXPOSED) {
		printf(",\"account_id\":%lld,\"way\":", e->account_id);
		json_str(e->way);
		printf(",\"flagged\":%s,\"raised_verdict\":%s,\"score\":%.4f,\"taint\":%.4f,"
		       "\"tainted_xof\":%.2f,\"funding\":%.4f,\"funding_xof\":%.2f,\"hops\":",
		       e->flagged ? "true" : "false", e->raised ? "true" : "false", e->score,
		       e->taint, e->tainted_xof, e->funding, e->funding_xof);
		if (e->hops >= 0)
			printf("%d", e->hops);
		else
			printf("null");
		/* the path as stored by the analysis: valid JSON */
		printf(",\"path\":%s", e->path_json ? e->path_json : "[]");
	}
	printf("}");
}

static void print_text(const iffa_screen_request *req, const iffa_screen_result *r)
{
	printf("%s: %s\n", req->name, iffa_screen_verdict_name(r->verdict));
	for (size_t i = 0; i < r->nhits; i++) {
		const iffa_screen_hit *h = &r->hits[i];
		printf("  %-14s %.3f  %s %s  %s (%s%s%s)\n", iffa_screen_verdict_name(h->verdict),
		       h->score, h->list, h->reference, h->entry_name, h->entry_kind,
		       h->listed_on ? ", listed " : "", h->listed_on ? h->listed_on : "");
		printf("      %s\n", h->reason);
	}
	print_exposure(req, r);
	printf("recorded as audit_log %lld\n", r->audit_id);
}

int iffa_cmd_screen(int argc, char **argv, const iffa_cli_global *g)
{
	iffa_screen_options opts = IFFA_SCREEN_OPTIONS_INIT;
	iffa_screen_request req = {NULL, NULL, NULL, NULL, NULL};
	iffa_screen_output out = g->json ? IFFA_SCREEN_OUT_JSONL : IFFA_SCREEN_OUT_CSV;
	iffa_screen_result result;
	iffa_screener *s = NULL;
	const char *file = NULL;
	iffa_db *db = NULL;
	int code, error;

	memset(&result, 0, sizeof(result));
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (a[0] != '-' && !req.name) {
			req.name = a;
			continue;
		}
		if (!v)
			return iffa_cli_usage("screen", stderr, IFFA_EXIT_USAGE);
		i++;
		if (strcmp(a, "--country") == 0)
			req.country = v;
		else if (strcmp(a, "--dob") == 0)
			req.dob = v;
		else if (strcmp(a, "--ref") == 0)
			req.ref = v;
		else if (strcmp(a, "--account") == 0)
			req.account = v;
		else if (strcmp(a, "--file") == 0)
			file = v;
		else if (strcmp(a, "--list") == 0)
			opts.list = v;
		else if (strcmp(a, "--on-behalf-of") == 0)
			opts.requested_by = v;
		else if (strcmp(a, "--match") == 0 && number(&opts.match, v) == 0)
			;
		else if (strcmp(a, "--possible") == 0 && number(&opts.possible, v) == 0)
			;
		else if (strcmp(a, "--max-hits") == 0 && atoi(v) >= 1 && atoi(v) <= 20)
			opts.max_hits = atoi(v);
		else if (strcmp(a, "--out") == 0 && strcmp(v, "csv") == 0)
			out = IFFA_SCREEN_OUT_CSV;
		else if (strcmp(a, "--out") == 0 && strcmp(v, "jsonl") == 0)
			out = IFFA_SCREEN_OUT_JSONL;
		else
			return iffa_cli_usage("screen", stderr, IFFA_EXIT_USAGE);
	}
	if ((!req.name) == (!file) || (file && (req.country || req.dob || req.ref || req.account)))
		return iffa_cli_usage("screen", stderr, IFFA_EXIT_USAGE);
	if ((code = iffa_cli_connect(&db, g)) != 0)
		return code;
	if ((error = iffa_screener_new(&s, db, &opts)) < 0) {
		code = iffa_cli_fail("screen", error);
		goto done;
	}
	if (file) {
		iffa_screen_file_stats st;
		if ((error = iffa_screener_screen_file(&st, s, file, stdout, out)) < 0) {
			code = iffa_cli_fail("screen", error);
			goto done;
		}
		fprintf(stderr, "iffa: screened %zu counterparties: %zu match, %zu possible match, "
			"%zu clear (recorded in audit_log)\n", st.screened, st.match, st.possible,
			st.clear);
		goto done;
	}
	if ((error = iffa_screener_screen(&result, s, &req, 1)) < 0) {
		code = iffa_cli_fail("screen", error);
		goto done;
	}
	if (g->json) {
		printf("{\"name\":");
		json_str(req.name);
		printf(",\"verdict\":\"%s\",\"name_verdict\":\"%s\",\"account\":",
		       iffa_screen_verdict_name(result.verdict),
		       iffa_screen_verdict_name(result.name_verdict));
		if (req.account)
			json_str(req.account);
		else
			printf("null");
		printf(",\"hits\":[");
		for (size_t i = 0; i < result.nhits; i++) {
			const iffa_screen_hit *h = &result.hits[i];
			printf("%s{\"verdict\":\"%s\",\"score\":%.4f,\"list\":", i ? "," : "",
			       iffa_screen_verdict_name(h->verdict), h->score);
			json_str(h->list);
			printf(",\"reference\":");
			json_str(h->reference);
			printf(",\"matched_name\":");
			json_str(h->matched_name);
			printf(",\"reason\":");
			json_str(h->reason);
			printf(",\"entry_id\":%lld}", h->entry_id);
		}
		printf("],\"exposure\":");
		print_exposure_json(&result.exposure);
		printf(",\"audit_id\":%lld}\n", result.audit_id);
	} else {
		print_text(&req, &result);
	}
done:
	iffa_screen_result_dispose(&result);
	iffa_screener_free(s);
	iffa_db_free(db);
	return code;
}
