/*
 * iffa findings: list the findings of a stored analysis run again
 * (iffa_findings_write).
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

const char iffa_cmd_findings_usage[] =
	"usage: iffa findings RUN [--pass PASS] [--top N]\n"
	"\n"
	"List the findings of analysis run RUN as stored: the run (status,\n"
	"window, parameters' seed, who ran it and when), then per pass its\n"
	"findings, best first, with their evidence (refs and names, XOF, flows,\n"
	"times, channel, record kind and id). A run left 'running' by a process\n"
	"that is gone is shown as abandoned.\n"
	"\n"
	"  --pass PASS  only the findings of this pass\n"
	"  --top N      at most N findings per pass (default 0: all)\n"
	"\n"
	"With --json, one JSON object: {\"run\": {...}, \"findings\": [...]}, each\n"
	"finding with its evidence array and members.\n"
	"\n"
	"Exit codes: 0 success, 1 failure, 2 wrong arguments or no such run, 4\n"
	"database error.\n";

int iffa_cmd_findings(int argc, char **argv, const iffa_cli_global *g)
{
	const char *pass = NULL, *runarg = NULL;
	iffa_db *db = NULL;
	size_t top = 0;
	long long run;
	char *end;
	int code, error;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--pass") == 0 && i + 1 < argc) {
			pass = argv[++i];
		} else if (strcmp(argv[i], "--top") == 0 && i + 1 < argc) {
			long n;
			errno = 0;
			n = strtol(argv[++i], &end, 10);
			if (errno || *end || n < 0) {
				fprintf(stderr, "iffa: findings: --top takes a number\n");
				return iffa_cli_usage("findings", stderr, IFFA_EXIT_USAGE);
			}
			top = (size_t)n;
		} else if (argv[i][0] != '-' && !runarg) {
			runarg = argv[i];
		} else {
			fprintf(stderr, "iffa: findings: unknown argument '%s'\n", argv[i]);
			return iffa_cli_usage("findings", stderr, IFFA_EXIT_USAGE);
		}
	}
	if (!runarg) {
		fprintf(stderr, "iffa: findings: which run?\n");
		return iffa_cli_usage("findings", stderr, IFFA_EXIT_USAGE);
	}
	errno = 0;
	run = strtoll(runarg, &end, 10);
	if (errno || *end || run <= 0) {
		fprintf(stderr, "iffa: findings: '%s' is not a run id\n", runarg);
		return iffa_cli_usage("findings", stderr, IFFA_EXIT_USAGE);
	}
	if ((code = iffa_cli_connect(&db, g)) != 0)
		return code;
	if ((error = iffa_findings_write(stdout, db, run, pass, top, g->json)) < 0)
		code = error == IFFA_ENOTFOUND ? (fprintf(stderr, "iffa: findings: %s\n",
							  iffa_error_last()),
						  IFFA_EXIT_USAGE)
					       : iffa_cli_fail("findings", error);
	iffa_db_free(db);
	return code;
}
