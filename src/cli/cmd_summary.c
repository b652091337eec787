/* iffa summary: placeholder until its module lands (prints an error). */
#include "cli/cli.h"

const char iffa_cmd_summary_usage[] = "usage: iffa summary (not available yet)\n";

int iffa_cmd_summary(int argc, char **argv, const iffa_cli_global *g)
{
	(void)argc;
	(void)argv;
	(void)g;
	return iffa_cli_usage("summary", stderr, IFFA_EXIT_USAGE);
}
