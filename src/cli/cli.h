/*
 * The command line: a table of commands (main.c) and one cmd_<name>.c per
 * command. Commands parse arguments and call the library; they hold no
 * analysis logic of their own.
 */
#ifndef IFFA_CLI_H
#define IFFA_CLI_H

#include <stdio.h>

#include "iffa.h"

/* Exit codes scripts can rely on (documented in `iffa --help`). */
enum {
	IFFA_EXIT_OK = 0,
	IFFA_EXIT_FAILURE = 1, /* the operation failed */
	IFFA_EXIT_USAGE = 2,   /* wrong arguments */
	IFFA_EXIT_DATA = 3,    /* the input data was refused */
	IFFA_EXIT_DB = 4       /* the database could not be reached or refused */
};

/* Options every command accepts (taken out of argv by main). */
typedef struct {
	const char *db; /* --db CONNINFO, or NULL for the PG* variables */
	int json;       /* --json */
} iffa_cli_global;

typedef struct {
	const char *name;
	int (*run)(int argc, char **argv, const iffa_cli_global *g);
	const char *summary; /* one line for `iffa --help` */
	const char *usage;   /* full text for `iffa help NAME` */
} iffa_cli_command;

/* Print "iffa: <what>: <last error>" on stderr and map the error to an exit code. */
int iffa_cli_fail(const char *what, int error);

/* Print a command's usage (to stdout when asked for, stderr on misuse). */
int iffa_cli_usage(const char *name, FILE *to, int code);

/*
 * The value of option `name` at argv[*i] ("--name VALUE", which moves *i
 * on, or "--name=VALUE"), or NULL when argv[*i] is another option. A
 * missing value is reported on stderr for `command` and sets *missing.
 */
const char *iffa_cli_option_value(int argc, char **argv, int *i, const char *name,
				  const char *command, int *missing);

/* Connect using --db or the PG* variables; prints the error itself. */
int iffa_cli_connect(iffa_db **out, const iffa_cli_global *g);

/* Command handlers, one file each. */
int iffa_cmd_db(int argc, char **argv, const iffa_cli_global *g);
int iffa_cmd_load(int argc, char **argv, const iffa_cli_global *g);
int iffa_cmd_generate(int argc, char **argv, const iffa_cli_global *g);
int iffa_cmd_summary(int argc, char **argv, const iffa_cli_global *g);
int iffa_cmd_lists(int argc, char **argv, const iffa_cli_global *g);
int iffa_cmd_screen(int argc, char **argv, const iffa_cli_global *g);
int iffa_cmd_trace(int argc, char **argv, const iffa_cli_global *g);
int iffa_cmd_analyse(int argc, char **argv, const iffa_cli_global *g);
int iffa_cmd_findings(int argc, char **argv, const iffa_cli_global *g);
int iffa_cmd_evaluate(int argc, char **argv, const iffa_cli_global *g);
int iffa_cmd_keygen(int argc, char **argv, const iffa_cli_global *g);
int iffa_cmd_sign(int argc, char **argv, const iffa_cli_global *g);
int iffa_cmd_verify(int argc, char **argv, const iffa_cli_global *g);
int iffa_cmd_share(int argc, char **argv, const iffa_cli_global *g);
int iffa_cmd_case(int argc, char **argv, const iffa_cli_global *g);
int iffa_cmd_report(int argc, char **argv, const iffa_cli_global *g);

extern const char iffa_cmd_db_usage[];
extern const char iffa_cmd_load_usage[];
extern const char iffa_cmd_generate_usage[];
extern const char iffa_cmd_summary_usage[];
extern const char iffa_cmd_lists_usage[];
extern const char iffa_cmd_screen_usage[];
extern const char iffa_cmd_trace_usage[];
extern const char iffa_cmd_analyse_usage[];
extern const char iffa_cmd_findings_usage[];
extern const char iffa_cmd_evaluate_usage[];
extern const char iffa_cmd_keygen_usage[];
extern const char iffa_cmd_sign_usage[];
extern const char iffa_cmd_verify_usage[];
extern const char iffa_cmd_share_usage[];
extern const char iffa_cmd_case_usage[];
extern const char iffa_cmd_report_usage[];

#endif
