/*
 * iffa's entry point: global options, the command table, help and exit
 * codes. Everything else happens in cmd_<name>.c and the library.
 */
#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static int cmd_help(int argc, char **argv, const iffa_cli_global *g);

static const char help_usage[] =
	"usage: iffa help [COMMAND]\n"
	"\n"
	"Show the list of commands, or the full help of one command.\n";

static const iffa_cli_command commands[] = {
	{"db", iffa_cmd_db, "create or upgrade the database schema", iffa_cmd_db_usage},
	{"load", iffa_cmd_load, "load records from a CSV file into PostgreSQL", iffa_cmd_load_usage},
	{"generate", iffa_cmd_generate, "write a synthetic Sahel scenario (CSV files and ground truth)",
	 iffa_cmd_generate_usage},
	{"summary", iffa_cmd_summary, "read the flow graph and summarise it", iffa_cmd_summary_usage},
	{"lists", iffa_cmd_lists, "import sanctions lists and show their versions", iffa_cmd_lists_usage},
	{"screen", iffa_cmd_screen, "screen counterparties against the sanctions lists", iffa_cmd_screen_usage},
	{"trace", iffa_cmd_trace, "follow the money out of or into one account or party", iffa_cmd_trace_usage},
	{"analyse", iffa_cmd_analyse, "run the analysis passes and record their findings",
	 iffa_cmd_analyse_usage},
	{"findings", iffa_cmd_findings, "list the findings of an analysis run", iffa_cmd_findings_usage},
	{"evaluate", iffa_cmd_evaluate, "score a run's flagged accounts against a ground truth",
	 iffa_cmd_evaluate_usage},
	{"keygen", iffa_cmd_keygen, "make an Ed25519 key pair for signing", iffa_cmd_keygen_usage},
	{"sign", iffa_cmd_sign, "sign a directory: MANIFEST and MANIFEST.sig", iffa_cmd_sign_usage},
	{"verify", iffa_cmd_verify, "check a signed directory file by file", iffa_cmd_verify_usage},
	{"share", iffa_cmd_share, "pseudonymised flows for other FIUs, and matching them", iffa_cmd_share_usage},
	{"case", iffa_cmd_case, "export the subgraph around subjects (GraphML, GEXF, DOT, FtM, CSV)",
	 iffa_cmd_case_usage},
	{"report", iffa_cmd_report, "write and sign the periodic report of a run (HTML, SVG, PDF)",
	 iffa_cmd_report_usage},
	{"help", cmd_help, "show help for a command", help_usage},
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void main_usage(FILE *to)
{
	fprintf(to,
		"usage: iffa [--db CONNINFO] [--json] COMMAND [ARGS]\n"
		"\n"
		"iffa analyses transaction, ransom, levy and gold-trade records held in\n"
		"PostgreSQL as a flow graph, to trace the financing of armed groups.\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(to, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(to,
		"\n"
		"Options for every command:\n"
		"  --db CONNINFO  libpq connection string or URI (sslmode, sslrootcert...\n"
		"                 included); without it the PG* variables are used\n"
		"  --json         machine-readable output where the command has any\n"
		"  --help         help of the command\n"
		"  --version      print the version\n"
		"\n"
		"Exit codes: 0 success, 1 failure, 2 wrong arguments, 3 input data\n"
		"refused, 4 database unreachable or refused.\n"
		"\n"
		"`iffa help COMMAND` shows one command in full.\n");
}

static const iffa_cli_command *find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

int iffa_cli_usage(const char *name, FILE *to, int code)
{
	const iffa_cli_command *c = find_command(name);

	if (c)
		fputs(c->usage, to);
	return code;
}

const char *iffa_cli_option_value(int argc, char **argv, int *i, const char *name,
				  const char *command, int *missing)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) != 0)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		fprintf(stderr, "iffa: %s: %s needs a value\n", command, name);
		*missing = 1;
		return NULL;
	}
	return argv[++*i];
}

int iffa_cli_fail(const char *what, int error)
{
	fprintf(stderr, "iffa: %s: %s\n", what, iffa_error_last());
	switch (error) {
	case IFFA_EINVAL:
		return IFFA_EXIT_DATA;
	case IFFA_EDB:
		return IFFA_EXIT_DB;
	default:
		return IFFA_EXIT_FAILURE;
	}
}

int iffa_cli_connect(iffa_db **out, const iffa_cli_global *g)
{
	int error = iffa_db_connect(out, g->db);

	if (error < 0)
		return iffa_cli_fail("database", error);
	return 0;
}

static int cmd_help(int argc, char **argv, const iffa_cli_global *g)
{
	const iffa_cli_command *c;

	(void)g;
	if (argc < 2) {
		main_usage(stdout);
		return IFFA_EXIT_OK;
	}
	c = find_command(argv[1]);
	if (!c) {
		fprintf(stderr, "iffa: help: no command '%s'\n", argv[1]);
		return IFFA_EXIT_USAGE;
	}
	fputs(c->usage, stdout);
	return IFFA_EXIT_OK;
}

/*
 * Arrays of 128 KiB and more each in a mapping of their own, returned to
 * the system when freed. glibc's default raises that bound to the size of
 * each large block freed (up to 32 MiB), after which the passes' arrays of
 * a few MiB come from the heap and stay resident once freed, fragments
 * between live ones: on 10M transfers the analysis peaked some 200 MB
 * higher, and its store held 300 MB more (docs/PERFORMANCE.md). Left as it
 * is when the user sets glibc.malloc.mmap_threshold in GLIBC_TUNABLES.
 */
static void memory_policy(void)
{
#ifdef M_MMAP_THRESHOLD
	const char *t = getenv("GLIBC_TUNABLES");

	if (!t || !strstr(t, "mmap_threshold"))
		mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
}

int main(int argc, char **argv)
{
	iffa_cli_global g = {NULL, 0};
	const iffa_cli_command *c;
	char **args;
	int nargs = 0, code;

	memory_policy();
	iffa_init();
	/* Take the global options out of argv wherever they stand. */
	args = calloc((size_t)argc + 1, sizeof(*args));
	if (!args) {
		fprintf(stderr, "iffa: out of memory\n");
		return IFFA_EXIT_FAILURE;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--db") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, "iffa: --db needs a connection string\n");
				free(args);
				return IFFA_EXIT_USAGE;
			}
			g.db = argv[++i];
		} else if (strncmp(argv[i], "--db=", 5) == 0) {
			g.db = argv[i] + 5;
		} else if (strcmp(argv[i], "--json") == 0) {
			g.json = 1;
		} else {
			args[nargs++] = argv[i];
		}
	}

	if (nargs == 0) {
		main_usage(stderr);
		free(args);
		return IFFA_EXIT_USAGE;
	}
	if (strcmp(args[0], "--help") == 0 || strcmp(args[0], "-h") == 0) {
		main_usage(stdout);
		free(args);
		return IFFA_EXIT_OK;
	}
	if (strcmp(args[0], "--version") == 0) {
		printf("iffa %s\n", iffa_version());
		free(args);
		return IFFA_EXIT_OK;
	}
	c = find_command(args[0]);
	if (!c) {
		fprintf(stderr, "iffa: no command '%s' (see iffa --help)\n", args[0]);
		free(args);
		return IFFA_EXIT_USAGE;
	}
	for (int i = 1; i < nargs; i++) {
		if (strcmp(args[i], "--help") == 0 || strcmp(args[i], "-h") == 0) {
			fputs(c->usage, stdout);
			free(args);
			return IFFA_EXIT_OK;
		}
	}
	code = c->run(nargs, args, &g);
	free(args);
	/* A full disk must not pass for success. */
	if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
		fprintf(stderr, "iffa: writing standard output: %s\n", strerror(errno));
		if (code == IFFA_EXIT_OK)
			code = IFFA_EXIT_FAILURE;
	}
	return code;
}
