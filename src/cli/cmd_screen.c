/* iffa screen: may I pay this counterparty? Name screening against the lists. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

const char iffa_cmd_screen_usage[] =
	"usage: iffa screen NAME [--country CC] [--dob DATE] [--ref REF] [options]\n"
	"       iffa screen --file COUNTERPARTIES.csv [--out csv|jsonl] [options]\n"
	"\n"
	"Screen a counterparty, or every line of a CSV file (columns name, and\n"
	"optionally ref, country, dob), against the sanctions lists imported with\n"
	"`iffa lists import`. Each gets a verdict: match, possible match or clear,\n"
	"with the list entries it resembles (list, reference, score) and the\n"
	"reason (which tokens matched which). Every request and verdict is\n"
	"recorded in audit_log with the OS user and database role.\n"
	"\n"
	"  --country CC      ISO 3166-1 alpha-2 nationality or residence\n"
	"  --dob DATE        date of birth: YYYY, YYYY-MM or YYYY-MM-DD\n"
	"  --ref REF         your reference of the counterparty (kept in the record)\n"
	"  --list NAME       screen against one list only (default: all)\n"
	"  --match X         match threshold (default 0.88)\n"
	"  --possible X      possible-match threshold (default 0.72)\n"
	"  --max-hits N      entries shown per counterparty (default 5)\n"
	"  --on-behalf-of W  whom the screening is for (kept in the record)\n"
	"  --out csv|jsonl   output of --file (default csv; --json means jsonl)\n"
	"\n"
	"Graph exposure (hops to the nearest designated party) is not assessed\n"
	"yet; every result says so.\n";

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
	if (r->exposure_hops >= 0)
		printf("exposure: %d hops to the nearest designated party\n", r->exposure_hops);
	else
		printf("exposure: not assessed (graph exposure not implemented yet)\n");
	printf("recorded as audit_log %lld\n", r->audit_id);
}

int iffa_cmd_screen(int argc, char **argv, const iffa_cli_global *g)
{
	iffa_screen_options opts = IFFA_SCREEN_OPTIONS_INIT;
	iffa_screen_request req = {NULL, NULL, NULL, NULL};
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
	if ((!req.name) == (!file) || (file && (req.country || req.dob || req.ref)))
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
		printf(",\"verdict\":\"%s\",\"hits\":[", iffa_screen_verdict_name(result.verdict));
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
		printf("],\"exposure\":\"not assessed\",\"audit_id\":%lld}\n", result.audit_id);
	} else {
		print_text(&req, &result);
	}
done:
	iffa_screen_result_dispose(&result);
	iffa_screener_free(s);
	iffa_db_free(db);
	return code;
}
