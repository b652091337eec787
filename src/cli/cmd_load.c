/* iffa load KIND FILE [--reject FILE]: load one CSV file into the database. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

#define SHOW_ERRORS 20 /* problems printed to stderr in text mode */

const char iffa_cmd_load_usage[] =
	"usage: iffa load KIND FILE [--reject REJECT_FILE]\n"
	"\n"
	"Load one CSV file of one record kind into the database, in one\n"
	"transaction. KIND is one of:\n"
	"  party        persons, companies, armed groups, villages, mine sites...\n"
	"  account      bank, mobile-money, hawala, crypto and cash accounts\n"
	"  transfer     money moved from one account to another\n"
	"  ransom       ransom payments with their intermediaries\n"
	"  gold_lot     lots of gold sold by a seller to a buyer\n"
	"  levy         zakat, mine levies and road tolls paid to a collector\n"
	"  designation  entries of sanctions lists\n"
	"  fx_rate      exchange rates to XOF\n"
	"  affected_zone  regions under the armed group's control or levy\n"
	"Load party first, then account: the other kinds name them by ref.\n"
	"The columns and field types of every kind are in docs/FORMATS.md.\n"
	"\n"
	"Every row is checked: field types, references to parties and\n"
	"accounts, keys repeated in the file. A record already in the database\n"
	"with the same content is skipped (\"already present\"), so loading a\n"
	"file twice adds nothing; a known record with different content is\n"
	"refused, never overwritten. By default one bad row refuses the whole\n"
	"file: nothing is written and the first 20 problems are printed as\n"
	"FILE:LINE: field NAME: reason.\n"
	"\n"
	"Options:\n"
	"  --reject REJECT_FILE  load the good rows and write the bad ones to\n"
	"                        REJECT_FILE, a CSV file with the columns line,\n"
	"                        field, reason and then the original columns\n"
	"                        (replaced even when no row is bad; mode 0600)\n"
	"  --json                print one JSON object: counts, the file's SHA-256,\n"
	"                        the load batch id and the first 100 problems\n"
	"\n"
	"Output: FILE: N read, N loaded, N already present, N rejected\n"
	"\n"
	"Exit codes:\n"
	"  0  every row was loaded or already present\n"
	"  1  failure (the file cannot be read, out of memory...)\n"
	"  2  wrong arguments\n"
	"  3  input refused: without --reject, bad rows (nothing was written); the\n"
	"     file is not CSV of KIND (header, encoding, NUL byte, unterminated\n"
	"     quote: nothing was written, even with --reject); with --reject,\n"
	"     some rows were rejected and the others loaded\n"
	"  4  the database could not be reached or refused the load\n";

static void json_string(FILE *out, const char *s)
{
	if (!s) {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", out);
		else if (*p == '\r')
			fputs("\\r", out);
		else if (*p == '\t')
			fputs("\\t", out);
		else if (*p < 0x20)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

static void print_json(const iffa_load_result *r, const char *kind, const char *file,
		       const char *reject, int error)
{
	printf("{\"kind\":");
	json_string(stdout, kind);
	printf(",\"file\":");
	json_string(stdout, file);
	printf(",\"sha256\":");
	json_string(stdout, r->file_sha256[0] ? r->file_sha256 : NULL);
	printf(",\"written\":%s", error == 0 ? "true" : "false");
	if (r->load_id)
		printf(",\"load_id\":%lld", r->load_id);
	else
		printf(",\"load_id\":null");
	printf(",\"rows_read\":%lld,\"rows_loaded\":%lld,\"rows_duplicate\":%lld,"
	       "\"rows_rejected\":%lld,\"reject_file\":",
	       r->rows_read, r->rows_loaded, r->rows_duplicate, r->rows_rejected);
	json_string(stdout, error == 0 ? reject : NULL);
	printf(",\"error\":");
	json_string(stdout, error == 0 ? NULL : iffa_error_last());
	printf(",\"errors_total\":%lld,\"errors\":[", r->errors_total);
	for (size_t i = 0; i < r->errors_count; i++) {
		const iffa_load_error *e = &r->errors[i];
		printf("%s{\"line\":%lld,\"field\":", i ? "," : "", e->line);
		json_string(stdout, e->field);
		printf(",\"reason\":");
		json_string(stdout, e->reason);
		printf(",\"message\":");
		json_string(stdout, e->message);
		printf("}");
	}
	printf("]}\n");
}

int iffa_cmd_load(int argc, char **argv, const iffa_cli_global *g)
{
	iffa_load_options opts = IFFA_LOAD_OPTIONS_INIT;
	iffa_load_result r;
	iffa_load_kind kind;
	const char *kind_name = NULL, *file = NULL;
	iffa_db *db = NULL;
	int error, code = IFFA_EXIT_OK;

	iffa_load_result_init(&r);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--reject") == 0 || strcmp(argv[i], "--reject=") == 0) {
			if (argv[i][8] == '=' || i + 1 >= argc) {
				fprintf(stderr, "iffa: load: --reject needs a file name\n");
				return iffa_cli_usage("load", stderr, IFFA_EXIT_USAGE);
			}
			opts.reject_path = argv[++i];
		} else if (strncmp(argv[i], "--reject=", 9) == 0) {
			opts.reject_path = argv[i] + 9;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, "iffa: load: unknown option '%s'\n", argv[i]);
			return iffa_cli_usage("load", stderr, IFFA_EXIT_USAGE);
		} else if (!kind_name) {
			kind_name = argv[i];
		} else if (!file) {
			file = argv[i];
		} else {
			fprintf(stderr, "iffa: load: one file at a time\n");
			return iffa_cli_usage("load", stderr, IFFA_EXIT_USAGE);
		}
	}
	if (!kind_name || !file)
		return iffa_cli_usage("load", stderr, IFFA_EXIT_USAGE);
	if (iffa_load_kind_from_name(&kind, kind_name) < 0) {
		fprintf(stderr, "iffa: load: %s\n", iffa_error_last());
		return IFFA_EXIT_USAGE;
	}
	if ((code = iffa_cli_connect(&db, g)) != 0)
		return code;

	error = iffa_load_file(&r, db, kind, file, &opts);
	if (g->json)
		print_json(&r, kind_name, file, opts.reject_path, error);

	if (error == IFFA_EINVAL && r.rows_rejected > 0) {
		for (size_t i = 0; i < r.errors_count && i < SHOW_ERRORS; i++)
			fprintf(stderr, "%s\n", r.errors[i].message);
		if (r.errors_total > SHOW_ERRORS)
			fprintf(stderr, "... and %lld more problem%s\n",
				r.errors_total - SHOW_ERRORS,
				r.errors_total - SHOW_ERRORS == 1 ? "" : "s");
		fprintf(stderr, "iffa: load: %lld bad row%s in %s; nothing was written\n",
			r.rows_rejected, r.rows_rejected == 1 ? "" : "s", file);
		code = IFFA_EXIT_DATA;
	} else if (error < 0) {
		fprintf(stderr, "iffa: load: %s; nothing was written\n", iffa_error_last());
		code = error == IFFA_EINVAL ? IFFA_EXIT_DATA
		       : error == IFFA_EDB  ? IFFA_EXIT_DB
					    : IFFA_EXIT_FAILURE;
	} else {
		if (!g->json) {
			printf("%s: %lld read, %lld loaded, %lld already present, %lld rejected",
			       file, r.rows_read, r.rows_loaded, r.rows_duplicate, r.rows_rejected);
			if (opts.reject_path && r.rows_rejected > 0)
				printf(" (see %s)", opts.reject_path);
			printf("\n");
		}
		if (r.rows_rejected > 0)
			code = IFFA_EXIT_DATA;
	}
	iffa_load_result_dispose(&r);
	iffa_db_free(db);
	return code;
}
