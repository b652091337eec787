/* iffa load: placeholder until its module lands (prints an error). */
#include "cli/cli.h"

const char iffa_cmd_load_usage[] = "usage: iffa load (not available yet)\n";

int iffa_cmd_load(int argc, char **argv, const iffa_cli_global *g)
{
	(void)argc;
	(void)argv;
	(void)g;
	return iffa_cli_usage("load", stderr, IFFA_EXIT_USAGE);
}
