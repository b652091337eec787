/*
 * iffa share export|match: pseudonymised flows for other FIUs, and what two
 * such exports have in common.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

const char iffa_cmd_share_usage[] =
	"usage: iffa share export --key-file KEYFILE --out FILE [--from DATE] [--to DATE]\n"
	"       iffa share match A B [--json]\n"
	"\n"
	"Share flows with other FIUs without sharing identities. Every account\n"
	"and party reference is replaced by a pseudonym: HMAC-SHA256 under a\n"
	"key the FIUs have agreed on, of \"account:\" or \"party:\" and the\n"
	"reference normalised (white space removed, ASCII letters upper-cased),\n"
	"so \"ml13 ml01 6012\" and \"ML13ML016012\" give the same pseudonym in every\n"
	"FIU that holds the key, and nothing to anyone without it.\n"
	"\n"
	"export writes the flows of the database as CSV (docs/FORMATS.md, \"Shared\n"
	"pseudonymised flows\"): one line per (from, to, countries, month,\n"
	"channel, kind) with the count and the amount in XOF. Transfers are\n"
	"between accounts; ransom hops, gold-lot payments and levies between\n"
	"parties. The file is written whole or not at all (mode 0600) and the\n"
	"export is recorded in audit_log with the file's SHA-256 and the key's\n"
	"check value (never the key).\n"
	"  --key-file KEYFILE  the shared key (else the file named by\n"
	"                      IFFA_SHARE_KEY_FILE): at least 32 bytes, e.g.\n"
	"                      (umask 077; openssl rand -hex 32 > share.key);\n"
	"                      refused when everyone may read it\n"
	"  --out FILE          the export to write\n"
	"  --from DATE         flows on or after DATE (YYYY-MM-DD, UTC)\n"
	"  --to DATE           flows before DATE\n"
	"\n"
	"match reads two exports made under the same key (by two FIUs) and\n"
	"prints the accounts and parties both hold and the corridors (country\n"
	"pairs) both hold, with flows and XOF from each side, largest first.\n"
	"It needs neither the key nor the database.\n"
	"  --json              one JSON object\n"
	"\n"
	"Exit codes: 0 done; 1 failure; 2 wrong arguments; 3 refused (key file\n"
	"readable by everyone or too short, bad date, a currency without rate;\n"
	"match: not an export, exports made under different keys); 4 database.\n";

static int export_cmd(int argc, char **argv, const iffa_cli_global *g)
{
	iffa_share_export_options opts = IFFA_SHARE_EXPORT_OPTIONS_INIT;
	iffa_share_export_result r;
	const char *out = NULL;
	iffa_db *db = NULL;
	int error, code;

	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--key-file") == 0 && i + 1 < argc)
			opts.key_file = argv[++i];
		else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (strcmp(argv[i], "--from") == 0 && i + 1 < argc)
			opts.from = argv[++i];
		else if (strcmp(argv[i], "--to") == 0 && i + 1 < argc)
			opts.to = argv[++i];
		else {
			fprintf(stderr, "iffa: share export: unexpected '%s'\n", argv[i]);
			return iffa_cli_usage("share", stderr, IFFA_EXIT_USAGE);
		}
	}
	if (!opts.key_file)
		opts.key_file = getenv(IFFA_SHARE_KEY_FILE_ENV);
	if (!out || !opts.key_file) {
		if (!opts.key_file)
			fprintf(stderr, "iffa: share export: no key (--key-file or "
					IFFA_SHARE_KEY_FILE_ENV ")\n");
		return iffa_cli_usage("share", stderr, IFFA_EXIT_USAGE);
	}
	if ((code = iffa_cli_connect(&db, g)) != 0)
		return code;
	error = iffa_share_export(&r, db, out, &opts);
	iffa_db_free(db);
	if (error < 0)
		return iffa_cli_fail("share export", error);
	if (g->json)
		printf("{\"rows\":%zu,\"flows\":%lld,\"key_id\":\"%s\",\"sha256\":\"%s\","
		       "\"audit_id\":%lld}\n",
		       r.rows, r.flows, r.key_id, r.file_sha256, r.audit_id);
	else
		printf("%s: %zu rows, %lld flows, key check %s, SHA-256 %s; recorded as "
		       "audit_log %lld\n",
		       out, r.rows, r.flows, r.key_id, r.file_sha256, r.audit_id);
	return IFFA_EXIT_OK;
}

static void print_side(const char *name, const iffa_share_side *s)
{
	printf("  %s: %lld flow%s, %lld XOF\n", name, s->flows, s->flows == 1 ? "" : "s",
	       s->amount_xof);
}

static int match_cmd(int argc, char **argv, const iffa_cli_global *g)
{
	iffa_share_match_result r;
	const char *a = NULL, *b = NULL;
	int error;

	for (int i = 2; i < argc; i++) {
		if (argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, "iffa: share match: unexpected '%s'\n", argv[i]);
			return iffa_cli_usage("share", stderr, IFFA_EXIT_USAGE);
		} else if (!a) {
			a = argv[i];
		} else if (!b) {
			b = argv[i];
		} else {
			fprintf(stderr, "iffa: share match: two exports, no more\n");
			return iffa_cli_usage("share", stderr, IFFA_EXIT_USAGE);
		}
	}
	if (!a || !b)
		return iffa_cli_usage("share", stderr, IFFA_EXIT_USAGE);
	if ((error = iffa_share_match(&r, a, b)) < 0)
		return iffa_cli_fail("share match", error);
	if (g->json) {
		printf("{\"key_id\":\"%s\",\"rows_a\":%zu,\"rows_b\":%zu,\"ids\":[", r.key_id,
		       r.rows_a, r.rows_b);
		for (size_t i = 0; i < r.nids; i++)
			printf("%s{\"type\":\"%s\",\"id\":\"%s\",\"a\":{\"flows\":%lld,"
			       "\"amount_xof\":%lld},\"b\":{\"flows\":%lld,\"amount_xof\":%lld}}",
			       i ? "," : "", iffa_share_subject_name(r.ids[i].subject), r.ids[i].id,
			       r.ids[i].a.flows, r.ids[i].a.amount_xof, r.ids[i].b.flows,
			       r.ids[i].b.amount_xof);
		printf("],\"corridors\":[");
		for (size_t i = 0; i < r.ncorridors; i++)
			printf("%s{\"from\":\"%s\",\"to\":\"%s\",\"a\":{\"flows\":%lld,"
			       "\"amount_xof\":%lld},\"b\":{\"flows\":%lld,\"amount_xof\":%lld}}",
			       i ? "," : "", r.corridors[i].from, r.corridors[i].to,
			       r.corridors[i].a.flows, r.corridors[i].a.amount_xof,
			       r.corridors[i].b.flows, r.corridors[i].b.amount_xof);
		printf("]}\n");
	} else {
		printf("A: %s (%zu rows)\nB: %s (%zu rows)\nkey check %s\n", a, r.rows_a, b,
		       r.rows_b, r.key_id[0] ? r.key_id : "(no rows)");
		printf("\n%zu account%s and part%s in common\n", r.nids, r.nids == 1 ? "" : "s",
		       r.nids == 1 ? "y" : "ies");
		for (size_t i = 0; i < r.nids; i++) {
			printf("%-7s %s\n", iffa_share_subject_name(r.ids[i].subject), r.ids[i].id);
			print_side("A", &r.ids[i].a);
			print_side("B", &r.ids[i].b);
		}
		printf("\n%zu corridor%s in common\n", r.ncorridors, r.ncorridors == 1 ? "" : "s");
		for (size_t i = 0; i < r.ncorridors; i++) {
			printf("%s -> %s\n", r.corridors[i].from, r.corridors[i].to);
			print_side("A", &r.corridors[i].a);
			print_side("B", &r.corridors[i].b);
		}
	}
	iffa_share_match_result_dispose(&r);
	return IFFA_EXIT_OK;
}

int iffa_cmd_share(int argc, char **argv, const iffa_cli_global *g)
{
	if (argc >= 2 && strcmp(argv[1], "export") == 0)
		return export_cmd(argc, argv, g);
	if (argc >= 2 && strcmp(argv[1], "match") == 0)
		return match_cmd(argc, argv, g);
	if (argc >= 2)
		fprintf(stderr, "iffa: share: no subcommand '%s' (export or match)\n", argv[1]);
	return iffa_cli_usage("share", stderr, IFFA_EXIT_USAGE);
}
