/* iffa generate: placeholder until its module lands (prints an error). */
#include "cli/cli.h"

const char iffa_cmd_generate_usage[] = "usage: iffa generate (not available yet)\n";

int iffa_cmd_generate(int argc, char **argv, const iffa_cli_global *g)
{
	(void)argc;
	(void)argv;
	(void)g;
	return iffa_cli_usage("generate", stderr, IFFA_EXIT_USAGE);
}
