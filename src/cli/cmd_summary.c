/*
 * iffa summary: read the flow graph with the options given and print its
 * summary (iffa_ingest, iffa_summary_compute, iffa_summary_write_*).
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"

const char iffa_cmd_summary_usage[] =
	"usage: iffa summary [--level account|party] [--from DATE] [--to DATE]\n"
	"                    [--channel LIST] [--kind LIST] [--keep-parallel]\n"
	"                    [--top N] [--progress] [--show-sql]\n"
	"\n"
	"Read the records in PostgreSQL into a flow graph (one snapshot, binary\n"
	"COPY, amounts converted to XOF with fx_rate) and summarise it: vertices,\n"
	"edges, records, XOF by channel and by record kind, the corridors between\n"
	"countries that carry the most, and the largest weakly connected components.\n"
	"\n"
	"  --level account|party  vertices are accounts (default) or parties; at\n"
	"                         account level a party's ransoms, gold lots and\n"
	"                         levies attach to its lowest-id account, or to the\n"
	"                         party itself when it has none; at party level an\n"
	"                         account without owner is its own vertex\n"
	"  --from DATE            records at or after DATE\n"
	"  --to DATE              records before DATE (excluded: --to 2026-04-01\n"
	"                         ends with March)\n"
	"                         DATE is YYYY-MM-DD (midnight UTC) or\n"
	"                         YYYY-MM-DDTHH:MM[:SS[.ffffff]] with Z or +HH:MM\n"
	"  --channel LIST         comma-separated: bank, mobile_money, hawala, cash,\n"
	"                         crypto, none (the records without a channel:\n"
	"                         ransom, gold, levy); default all\n"
	"  --kind LIST            comma-separated: transfer, ransom, gold, levy;\n"
	"                         default all\n"
	"  --keep-parallel        one edge per flow instead of one per (source,\n"
	"                         target, channel, kind)\n"
	"  --top N                corridors and components listed (default 10)\n"
	"  --readers N            connections reading transfer partitions at once,\n"
	"                         all in the ingest's one snapshot (default 0:\n"
	"                         one per processor, at most 4; 1: one connection)\n"
	"  --progress             report rows read and times on stderr\n"
	"  --show-sql             print the SELECT that streams the transfers and\n"
	"                         stop (for timing `psql -c \"COPY (...) TO STDOUT\n"
	"                         (FORMAT binary)\"` against iffa)\n"
	"\n"
	"With --json, one JSON object on stdout: level, aggregated, from, to,\n"
	"vertices, edges, flows, amount_xof, by_channel, by_kind (records,\n"
	"record_amount_xof, edges, flows, amount_xof), corridors (distinct, top)\n"
	"and components (count, largest). A ransom carried through k intermediaries\n"
	"is k + 1 flows: it counts once in records and once per hop along edges.\n"
	"\n"
	"Exit codes: 0 success, 1 failure, 2 wrong arguments, 3 data refused (for\n"
	"example an amount with no fx rate on its date), 4 database error.\n";

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A comma-separated list of channel or kind names into a bit mask. */
static int parse_list(unsigned *out, const char *list, int channels)
{
	const char *p = list;

	*out = 0;
	for (;;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		int error;

		if (channels) {
			iffa_channel c;
			if ((error = iffa_channel_parse(&c, p, len)) < 0)
				return error;
			*out |= 1u << c;
		} else {
			iffa_record_kind k;
			if ((error = iffa_record_kind_parse(&k, p, len)) < 0)
				return error;
			*out |= 1u << k;
		}
		if (!end)
			return 0;
		p = end + 1;
	}
}

static int usage_error(const char *what)
{
	fprintf(stderr, "iffa: summary: %s\n", what);
	return iffa_cli_usage("summary", stderr, IFFA_EXIT_USAGE);
}

int iffa_cmd_summary(int argc, char **argv, const iffa_cli_global *g)
{
	iffa_ingest_options opts = IFFA_INGEST_OPTIONS_INIT;
	iffa_summary summary;
	iffa_flowgraph *graph = NULL;
	iffa_db *db = NULL;
	size_t top = 10;
	int show_sql = 0, progress = 0, code = IFFA_EXIT_OK, error;
	double t0, t1;

	memset(&summary, 0, sizeof(summary));
	for (int i = 1; i < argc; i++) {
		const char *v;
		int missing = 0;

		if ((v = iffa_cli_option_value(argc, argv, &i, "--level", "summary", &missing))) {
			if (strcmp(v, "account") == 0)
				opts.level = IFFA_LEVEL_ACCOUNT;
			else if (strcmp(v, "party") == 0)
				opts.level = IFFA_LEVEL_PARTY;
			else
				return usage_error("--level is account or party");
		} else if ((v = iffa_cli_option_value(argc, argv, &i, "--from", "summary", &missing))) {
			if (iffa_flowgraph_time_parse(&opts.from, v) < 0)
				return usage_error(iffa_error_last());
		} else if ((v = iffa_cli_option_value(argc, argv, &i, "--to", "summary", &missing))) {
			if (iffa_flowgraph_time_parse(&opts.to, v) < 0)
				return usage_error(iffa_error_last());
		} else if ((v = iffa_cli_option_value(argc, argv, &i, "--channel", "summary", &missing))) {
			if (parse_list(&opts.channels, v, 1) < 0)
				return usage_error(iffa_error_last());
		} else if ((v = iffa_cli_option_value(argc, argv, &i, "--kind", "summary", &missing))) {
			if (parse_list(&opts.kinds, v, 0) < 0)
				return usage_error(iffa_error_last());
		} else if ((v = iffa_cli_option_value(argc, argv, &i, "--top", "summary", &missing))) {
			char *end;
			long n;

			errno = 0;
			n = strtol(v, &end, 10);
			if (errno || *end || end == v || n < 0 || n > 1000000)
				return usage_error("--top takes a number from 0 to 1000000");
			top = (size_t)n;
		} else if ((v = iffa_cli_option_value(argc, argv, &i, "--readers", "summary", &missing))) {
			char *end;
			long n;

			errno = 0;
			n = strtol(v, &end, 10);
			if (errno || *end || end == v || n < 0 || n > 16)
				return usage_error("--readers takes a number from 0 to 16");
			opts.readers = (int)n;
		} else if (missing) {
			return iffa_cli_usage("summary", stderr, IFFA_EXIT_USAGE);
		} else if (strcmp(argv[i], "--keep-parallel") == 0) {
			opts.keep_parallel = 1;
		} else if (strcmp(argv[i], "--progress") == 0) {
			progress = 1;
		} else if (strcmp(argv[i], "--show-sql") == 0) {
			show_sql = 1;
		} else {
			fprintf(stderr, "iffa: summary: unknown argument '%s'\n", argv[i]);
			return iffa_cli_usage("summary", stderr, IFFA_EXIT_USAGE);
		}
		if (missing)
			return iffa_cli_usage("summary", stderr, IFFA_EXIT_USAGE);
	}
	if (opts.from != IFFA_TIME_MIN && opts.to != IFFA_TIME_MAX && opts.from >= opts.to)
		return usage_error("--from must be before --to");
	if (progress)
		opts.progress = stderr;

	if (show_sql) {
		char *sql;

		if ((error = iffa_ingest_transfer_sql(&sql, &opts)) < 0)
			return iffa_cli_fail("summary", error);
		printf("%s\n", sql);
		free(sql);
		return IFFA_EXIT_OK;
	}

	if ((code = iffa_cli_connect(&db, g)) != 0)
		return code;
	t0 = now_seconds();
	if ((error = iffa_ingest(&graph, db, &opts)) < 0) {
		code = iffa_cli_fail("summary: reading the flow graph", error);
		goto done;
	}
	t1 = now_seconds();
	if ((error = iffa_summary_compute(&summary, graph, top)) < 0) {
		code = iffa_cli_fail("summary", error);
		goto done;
	}
	if (progress)
		fprintf(stderr, "iffa: ingest %.3f s, summary %.3f s\n", t1 - t0, now_seconds() - t1);
	error = g->json ? iffa_summary_write_json(&summary, stdout)
			: iffa_summary_write_text(&summary, stdout);
	if (error < 0)
		code = iffa_cli_fail("summary", error);
done:
	iffa_summary_dispose(&summary);
	iffa_flowgraph_free(graph);
	iffa_db_free(db);
	return code;
}
