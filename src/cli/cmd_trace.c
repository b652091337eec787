/*
 * iffa trace: the paths out of or into one account or party (the paths
 * pass's time-respecting walk, iffa_paths_trace), read from a flow graph
 * with one edge per flow.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

const char iffa_cmd_trace_usage[] =
	"usage: iffa trace (--from SUBJECT | --to SUBJECT) [--level account|party]\n"
	"                  [--from-date DATE] [--to-date DATE] [--dwell DAYS]\n"
	"                  [--max-hops N] [--min-amount XOF] [--max-paths N] [--aggregate]\n"
	"\n"
	"Follow the money out of one subject (--from: forward in time) or into it\n"
	"(--to: backward in time) along time-respecting paths: each hop leaves\n"
	"at or after the money arrived and within the dwell time, and carries at\n"
	"most what the hop before it carried, and of a busy holder's payments only\n"
	"the share the traced money was of what it received (docs/ANALYSIS.md,\n"
	"\"Paths\"). Paths through the same holders are merged; the largest are\n"
	"shown with their corridor (the countries in order) and their flows.\n"
	"\n"
	"  SUBJECT             an account or party ref (account.ref, party.ref);\n"
	"                      account:REF or party:REF when a ref names both. A\n"
	"                      party at account level stands for all its accounts\n"
	"  --level account|party  vertices of the graph (default account; at\n"
	"                      account level a party's accounts are one holder)\n"
	"  --from-date DATE    read records at or after DATE\n"
	"  --to-date DATE      read records before DATE (excluded)\n"
	"                      DATE is YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS] with Z or\n"
	"                      +HH:MM\n"
	"  --dwell DAYS        longest wait at a holder between arriving and leaving\n"
	"                      (default 30; fractions allowed: 1.5)\n"
	"  --max-hops N        hops per path, 1 to 32 (default 6)\n"
	"  --min-amount XOF    least a path must carry at every hop (default 100000)\n"
	"  --max-paths N       paths shown (default 20)\n"
	"  --aggregate         read one edge per (source, target, channel, kind) instead\n"
	"                      of one per flow: faster, but a merged edge's flows are\n"
	"                      known only by their first and last time, so hops may be\n"
	"                      admitted that no single flow supports\n"
	"\n"
	"With --json, one JSON object: direction, subject, level, aggregated,\n"
	"dwell_days, max_hops, found, sources, truncated and paths (amount_xof,\n"
	"countries, cross_border, hops with from, to, carried_xof, share, first,\n"
	"last and flows).\n"
	"\n"
	"Exit codes: 0 success (also when no path is found), 1 failure, 2 wrong\n"
	"arguments, 3 unknown subject or data refused, 4 database error.\n";

static int usage_error(const char *what)
{
	fprintf(stderr, "iffa: trace: %s\n", what);
	return iffa_cli_usage("trace", stderr, IFFA_EXIT_USAGE);
}

static int number(double *out, const char *s, double lo, double hi)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= lo && v <= hi))
		return -1;
	*out = v;
	return 0;
}

int iffa_cmd_trace(int argc, char **argv, const iffa_cli_global *g)
{
	iffa_ingest_options io = IFFA_INGEST_OPTIONS_INIT;
	iffa_trace_options to = IFFA_TRACE_OPTIONS_INIT;
	iffa_trace_result result;
	iffa_flowgraph *graph = NULL;
	iffa_db *db = NULL;
	const char *subject = NULL;
	int64_t key;
	int code = IFFA_EXIT_OK, error;

	memset(&result, 0, sizeof(result));
	io.keep_parallel = 1;
	for (int i = 1; i < argc; i++) {
		const char *v;
		double x;
		int missing = 0;

		if ((v = iffa_cli_option_value(argc, argv, &i, "--from-date", "trace", &missing))) {
			if (iffa_flowgraph_time_parse(&io.from, v) < 0)
				return usage_error(iffa_error_last());
		} else if ((v = iffa_cli_option_value(argc, argv, &i, "--to-date", "trace", &missing))) {
			if (iffa_flowgraph_time_parse(&io.to, v) < 0)
				return usage_error(iffa_error_last());
		} else if ((v = iffa_cli_option_value(argc, argv, &i, "--from", "trace", &missing))) {
			if (subject)
				return usage_error("give one of --from and --to, once");
			subject = v;
			to.direction = IFFA_TRACE_FROM;
		} else if ((v = iffa_cli_option_value(argc, argv, &i, "--to", "trace", &missing))) {
			if (subject)
				return usage_error("give one of --from and --to, once");
			subject = v;
			to.direction = IFFA_TRACE_TO;
		} else if ((v = iffa_cli_option_value(argc, argv, &i, "--level", "trace", &missing))) {
			if (strcmp(v, "account") == 0)
				io.level = IFFA_LEVEL_ACCOUNT;
			else if (strcmp(v, "party") == 0)
				io.level = IFFA_LEVEL_PARTY;
			else
				return usage_error("--level is account or party");
		} else if ((v = iffa_cli_option_value(argc, argv, &i, "--dwell", "trace", &missing))) {
			if (number(&x, v, 0, 3650) < 0)
				return usage_error("--dwell takes a number of days from 0 to 3650");
			to.dwell = (int64_t)llround(x * (double)IFFA_PATHS_DAY);
		} else if ((v = iffa_cli_option_value(argc, argv, &i, "--max-hops", "trace", &missing))) {
			if (number(&x, v, 1, 32) < 0 || x != floor(x))
				return usage_error("--max-hops takes a whole number from 1 to 32");
			to.max_hops = (int)x;
		} else if ((v = iffa_cli_option_value(argc, argv, &i, "--min-amount", "trace", &missing))) {
			if (number(&x, v, 0, 1e15) < 0)
				return usage_error("--min-amount takes an amount of XOF (>= 0)");
			to.min_amount = x;
		} else if ((v = iffa_cli_option_value(argc, argv, &i, "--max-paths", "trace", &missing))) {
			if (number(&x, v, 1, 1000000) < 0 || x != floor(x))
				return usage_error("--max-paths takes a whole number from 1 to 1000000");
			to.max_paths = (size_t)x;
		} else if (missing) {
			return iffa_cli_usage("trace", stderr, IFFA_EXIT_USAGE);
		} else if (strcmp(argv[i], "--aggregate") == 0) {
			io.keep_parallel = 0;
		} else {
			fprintf(stderr, "iffa: trace: unknown argument '%s'\n", argv[i]);
			return iffa_cli_usage("trace", stderr, IFFA_EXIT_USAGE);
		}
	}
	if (!subject)
		return usage_error("--from SUBJECT or --to SUBJECT is required");
	if (io.from != IFFA_TIME_MIN && io.to != IFFA_TIME_MAX && io.from >= io.to)
		return usage_error("--from-date must be before --to-date");

	if ((code = iffa_cli_connect(&db, g)) != 0)
		return code;
	if ((error = iffa_paths_resolve_ref(&key, db, subject)) < 0) {
		code = iffa_cli_fail("trace", error == IFFA_ENOTFOUND ? IFFA_EINVAL : error);
		goto done;
	}
	if ((error = iffa_ingest(&graph, db, &io)) < 0) {
		code = iffa_cli_fail("trace: reading the flow graph", error);
		goto done;
	}
	if ((error = iffa_paths_trace(&result, graph, key, &to)) < 0 ||
	    (error = iffa_trace_refs(&result, db, graph)) < 0) {
		code = iffa_cli_fail("trace", error == IFFA_ENOTFOUND ? IFFA_EINVAL : error);
		goto done;
	}
	error = g->json ? iffa_trace_write_json(&result, graph, stdout)
			: iffa_trace_write_text(&result, graph, stdout);
	if (error < 0)
		code = iffa_cli_fail("trace", error);
done:
	iffa_trace_result_dispose(&result);
	iffa_flowgraph_free(graph);
	iffa_db_free(db);
	return code;
}
