/*
 * iffa analyse: read the flow graph, run the analysis passes, record the
 * run and its findings, print the best findings of each pass
 * (iffa_analyse, iffa_findings_write).
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

const char iffa_cmd_analyse_usage[] =
	"usage: iffa analyse [--from DATE] [--to DATE] [--level account|party]\n"
	"                    [--passes LIST] [--config FILE] [--set KEY=VALUE ...]\n"
	"                    [--top N] [--progress]\n"
	"       iffa analyse --list-params [--config FILE] [--set KEY=VALUE ...]\n"
	"\n"
	"Read the records into the flow graph, run the analysis passes and record\n"
	"the run in analysis_run (every parameter value, data window, row counts,\n"
	"code version, seed, OS user, start and end, status) with its findings and\n"
	"their evidence in finding and finding_member. Then print the best findings\n"
	"of each pass with their evidence. A run that fails is marked failed with\n"
	"its error; it never looks complete.\n"
	"\n"
	"  --from DATE, --to DATE  data window [from, to): YYYY-MM-DD or ISO 8601\n"
	"  --level account|party   vertices are accounts (default) or parties\n"
	"  --passes LIST           comma-separated passes to run (default all:\n"
	"                          see --list-params)\n"
	"  --config FILE           `key = value` lines, `#` comments; an unknown key\n"
	"                          is an error naming the file and line\n"
	"  --set KEY=VALUE         set one parameter after the file (repeatable)\n"
	"  --top N                 findings printed per pass (default 5; 0 none)\n"
	"  --progress              stages and timings on stderr\n"
	"  --list-params           print every parameter, its value and default\n"
	"\n"
	"With --json, the run and the printed findings as one JSON object (as\n"
	"`iffa findings RUN --json --top N`). docs/ANALYSIS.md documents the passes\n"
	"and their parameters. `iffa findings RUN` lists a run's findings again.\n"
	"\n"
	"Exit codes: 0 success, 1 failure, 2 wrong arguments, 3 data refused, 4\n"
	"database error.\n";

static int usage_error(const char *what)
{
	fprintf(stderr, "iffa: analyse: %s\n", what);
	return iffa_cli_usage("analyse", stderr, IFFA_EXIT_USAGE);
}

static int list_params(const iffa_analysis *a, int json)
{
	size_t n = iffa_analysis_param_count();

	if (json)
		printf("[");
	for (size_t i = 0; i < n; i++) {
		iffa_analysis_param p;
		if (iffa_analysis_param_get(&p, a, i) < 0)
			return iffa_cli_fail("analyse", IFFA_ERROR);
		if (json)
			printf("%s{\"key\":\"%s\",\"type\":\"%s\",\"value\":\"%s\",\"default\":\"%s\"}",
			       i ? "," : "", p.key, p.type, p.value, p.def);
		else
			printf("%-30s %-8s %-12s (default %s)  %s%s%s%s\n", p.key, p.type, p.value, p.def,
			       p.doc, p.choices ? " [" : "", p.choices ? p.choices : "",
			       p.choices ? "]" : "");
	}
	if (json)
		printf("]\n");
	return IFFA_EXIT_OK;
}

int iffa_cmd_analyse(int argc, char **argv, const iffa_cli_global *g)
{
	iffa_analyse_options opts = IFFA_ANALYSE_OPTIONS_INIT;
	iffa_analysis *a = NULL;
	iffa_db *db = NULL;
	const char *config = NULL, *passes = NULL;
	char **sets = NULL;
	int nsets = 0, list = 0, code = IFFA_EXIT_OK, error;
	size_t top = 5;
	int64_t run = 0;

	if (!(sets = calloc((size_t)argc + 1, sizeof(*sets))))
		return iffa_cli_fail("analyse", iffa_error_set(IFFA_ENOMEM, "out of memory"));
	for (int i = 1; i < argc; i++) {
		const char *v;
		int missing = 0;

		if ((v = iffa_cli_option_value(argc, argv, &i, "--from", "analyse", &missing))) {
			if (iffa_flowgraph_time_parse(&opts.from, v) < 0) {
				code = usage_error(iffa_error_last());
				goto done;
			}
		} else if ((v = iffa_cli_option_value(argc, argv, &i, "--to", "analyse", &missing))) {
			if (iffa_flowgraph_time_parse(&opts.to, v) < 0) {
				code = usage_error(iffa_error_last());
				goto done;
			}
		} else if ((v = iffa_cli_option_value(argc, argv, &i, "--level", "analyse", &missing))) {
			if (strcmp(v, "account") == 0) {
				opts.level = IFFA_LEVEL_ACCOUNT;
			} else if (strcmp(v, "party") == 0) {
				opts.level = IFFA_LEVEL_PARTY;
			} else {
				code = usage_error("--level is account or party");
				goto done;
			}
		} else if ((v = iffa_cli_option_value(argc, argv, &i, "--passes", "analyse", &missing))) {
			passes = v;
		} else if ((v = iffa_cli_option_value(argc, argv, &i, "--config", "analyse", &missing))) {
			config = v;
		} else if ((v = iffa_cli_option_value(argc, argv, &i, "--set", "analyse", &missing))) {
			sets[nsets++] = (char *)v;
		} else if ((v = iffa_cli_option_value(argc, argv, &i, "--top", "analyse", &missing))) {
			char *end;
			long n;
			errno = 0;
			n = strtol(v, &end, 10);
			if (errno || *end || end == v || n < 0 || n > 1000000) {
				code = usage_error("--top takes a number from 0 to 1000000");
				goto done;
			}
			top = (size_t)n;
		} else if (missing) {
			/* iffa_cli_option_value said which */
			code = iffa_cli_usage("analyse", stderr, IFFA_EXIT_USAGE);
			goto done;
		} else if (strcmp(argv[i], "--progress") == 0) {
			opts.progress = stderr;
		} else if (strcmp(argv[i], "--list-params") == 0) {
			list = 1;
		} else {
			fprintf(stderr, "iffa: analyse: unknown argument '%s'\n", argv[i]);
			code = iffa_cli_usage("analyse", stderr, IFFA_EXIT_USAGE);
			goto done;
		}
	}
	if (opts.from != IFFA_TIME_MIN && opts.to != IFFA_TIME_MAX && opts.from >= opts.to) {
		code = usage_error("--from must be before --to");
		goto done;
	}
	if ((error = iffa_analysis_new(&a)) < 0) {
		code = iffa_cli_fail("analyse", error);
		goto done;
	}
	if (config && (error = iffa_analysis_read_config(a, config)) < 0) {
		code = iffa_cli_fail("analyse: configuration", error);
		if (error == IFFA_EINVAL)
			code = IFFA_EXIT_USAGE;
		goto done;
	}
	for (int i = 0; i < nsets; i++) {
		char *eq = strchr(sets[i], '='), key[128];
		if (!eq || eq == sets[i] || (size_t)(eq - sets[i]) >= sizeof(key)) {
			code = usage_error("--set takes KEY=VALUE");
			goto done;
		}
		snprintf(key, sizeof(key), "%.*s", (int)(eq - sets[i]), sets[i]);
		if ((error = iffa_analysis_set(a, key, eq + 1)) < 0) {
			code = usage_error(iffa_error_last());
			goto done;
		}
	}
	if (passes && (error = iffa_analysis_select(a, passes)) < 0) {
		code = usage_error(iffa_error_last());
		goto done;
	}
	if (list) {
		code = list_params(a, g->json);
		goto done;
	}
	if ((code = iffa_cli_connect(&db, g)) != 0)
		goto done;
	if ((error = iffa_analyse(&run, db, a, &opts)) < 0) {
		char what[64];
		if (run > 0)
			snprintf(what, sizeof(what), "analyse: run %lld failed", (long long)run);
		else
			snprintf(what, sizeof(what), "analyse");
		code = iffa_cli_fail(what, error);
		goto done;
	}
	if (opts.progress)
		fprintf(stderr, "iffa: analyse: run %lld completed\n", (long long)run);
	if (top == 0) {
		/* nothing to list: say which run it was */
		if (g->json)
			printf("{\"run\":{\"id\":%lld,\"status\":\"completed\"},\"findings\":[]}\n",
			       (long long)run);
		else
			printf("run %lld completed\n", (long long)run);
	} else if ((error = iffa_findings_write(stdout, db, run, NULL, top, g->json)) < 0) {
		code = iffa_cli_fail("analyse", error);
	}
done:
	free(sets);
	iffa_analysis_free(a);
	iffa_db_free(db);
	return code;
}
