/*
 * iffa evaluate: score the accounts an analysis run flagged against a
 * ground truth, beside a one-hop baseline (iffa_evaluate).
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

const char iffa_cmd_evaluate_usage[] =
	"usage: iffa evaluate RUN --truth FILE [--top-k K]\n"
	"\n"
	"Compare the accounts analysis run RUN flagged with a ground truth\n"
	"(truth.csv of `iffa generate`: structure,structure_id,entity_type,ref,role):\n"
	"precision, recall and F1 overall, recall per planted structure, and the\n"
	"precision of the top K of the exposure ranking. The same table shows a\n"
	"one-hop baseline computed on the same data: designated parties and every\n"
	"account one edge from them.\n"
	"\n"
	"Accounts, precisely: truth accounts are the accounts listed and all\n"
	"accounts of the parties listed; flagged accounts are the run's\n"
	"finding_member accounts and all accounts of its member parties.\n"
	"\n"
	"  --truth FILE  the ground truth (required)\n"
	"  --top-k K     size of the exposure ranking scored (default 100)\n"
	"\n"
	"With --json, one JSON object with the same figures.\n"
	"\n"
	"Exit codes: 0 success, 1 failure, 2 wrong arguments or no such run, 3\n"
	"truth file refused, 4 database error.\n";

int iffa_cmd_evaluate(int argc, char **argv, const iffa_cli_global *g)
{
	const char *truth = NULL, *runarg = NULL;
	iffa_evaluation ev;
	iffa_db *db = NULL;
	size_t k = 100;
	long long run;
	char *end;
	int code, error;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--truth") == 0 && i + 1 < argc) {
			truth = argv[++i];
		} else if (strncmp(argv[i], "--truth=", 8) == 0) {
			truth = argv[i] + 8;
		} else if (strcmp(argv[i], "--top-k") == 0 && i + 1 < argc) {
			long n;
			errno = 0;
			n = strtol(argv[++i], &end, 10);
			if (errno || *end || n < 1 || n > 100000000) {
				fprintf(stderr, "iffa: evaluate: --top-k takes a positive number\n");
				return iffa_cli_usage("evaluate", stderr, IFFA_EXIT_USAGE);
			}
			k = (size_t)n;
		} else if (argv[i][0] != '-' && !runarg) {
			runarg = argv[i];
		} else {
			fprintf(stderr, "iffa: evaluate: unknown argument '%s'\n", argv[i]);
			return iffa_cli_usage("evaluate", stderr, IFFA_EXIT_USAGE);
		}
	}
	if (!runarg || !truth) {
		fprintf(stderr, "iffa: evaluate: a run and --truth FILE are needed\n");
		return iffa_cli_usage("evaluate", stderr, IFFA_EXIT_USAGE);
	}
	errno = 0;
	run = strtoll(runarg, &end, 10);
	if (errno || *end || run <= 0) {
		fprintf(stderr, "iffa: evaluate: '%s' is not a run id\n", runarg);
		return iffa_cli_usage("evaluate", stderr, IFFA_EXIT_USAGE);
	}
	if ((code = iffa_cli_connect(&db, g)) != 0)
		return code;
	if ((error = iffa_evaluate(&ev, db, run, truth, k)) < 0) {
		if (error == IFFA_ENOTFOUND) {
			fprintf(stderr, "iffa: evaluate: %s\n", iffa_error_last());
			code = IFFA_EXIT_USAGE;
		} else {
			code = iffa_cli_fail("evaluate", error);
		}
	} else {
		if (iffa_evaluation_write(&ev, stdout, g->json) < 0)
			code = iffa_cli_fail("evaluate", IFFA_EIO);
		iffa_evaluation_dispose(&ev);
	}
	iffa_db_free(db);
	return code;
}
