/* iffa lists import | versions: sanctions lists and their history. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

const char iffa_cmd_lists_usage[] =
	"usage: iffa lists import FILE [--list NAME] [--format un-xml|ftm|csv]\n"
	"       iffa lists versions [--list NAME]\n"
	"\n"
	"import    read a sanctions list file and bring the database's copy of the\n"
	"          list up to it, in one transaction: entries added, changed, removed\n"
	"          or listed again are recorded with their content before and after.\n"
	"          A malformed file changes nothing; the error names file and line.\n"
	"          Importing the current version again records nothing; an older\n"
	"          file is refused.\n"
	"          --list NAME   name of the list (default: UN for un-xml,\n"
	"                        OpenSanctions for ftm; required for csv)\n"
	"          --format F    un-xml (UN SC consolidated list XML), ftm\n"
	"                        (FollowTheMoney JSON lines, OpenSanctions), csv\n"
	"                        (national lists; columns in docs/SCREENING.md);\n"
	"                        default: from the file name\n"
	"versions  the versions of each list, with what each changed\n"
	"\n"
	"--json prints one JSON object.\n";

static int import(int argc, char **argv, const iffa_cli_global *g)
{
	iffa_lists_import_options opts = IFFA_LISTS_IMPORT_OPTIONS_INIT;
	iffa_lists_import_result res;
	const char *file = NULL;
	iffa_db *db = NULL;
	int code, error;

	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--list") == 0 && i + 1 < argc) {
			opts.list = argv[++i];
		} else if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
			if (iffa_lists_format_parse(&opts.format, argv[++i]) < 0) {
				fprintf(stderr, "iffa: lists import: %s\n", iffa_error_last());
				return IFFA_EXIT_USAGE;
			}
		} else if (argv[i][0] != '-' && !file) {
			file = argv[i];
		} else {
			return iffa_cli_usage("lists", stderr, IFFA_EXIT_USAGE);
		}
	}
	if (!file)
		return iffa_cli_usage("lists", stderr, IFFA_EXIT_USAGE);
	if ((code = iffa_cli_connect(&db, g)) != 0)
		return code;
	if ((error = iffa_lists_import(&res, db, file, &opts)) < 0) {
		code = iffa_cli_fail("lists import", error);
		goto done;
	}
	if (g->json)
		printf("{\"list\":\"%s\",\"version\":%d,\"new_version\":%s,\"entries\":%zu,"
		       "\"added\":%zu,\"changed\":%zu,\"removed\":%zu,\"restored\":%zu,"
		       "\"unchanged\":%zu,\"skipped\":%zu,\"unresolved_countries\":%zu}\n",
		       res.list, res.seq, res.version_id ? "true" : "false", res.entries, res.added,
		       res.changed, res.removed, res.restored, res.unchanged, res.skipped,
		       res.unresolved);
	else if (res.version_id == 0)
		printf("list %s: %s is version %d already; nothing recorded\n", res.list, file,
		       res.seq);
	else
		printf("list %s: version %d, %zu entries: %zu added, %zu changed, %zu removed, "
		       "%zu listed again, %zu unchanged%s\n",
		       res.list, res.seq, res.entries, res.added, res.changed, res.removed,
		       res.restored, res.unchanged, res.unresolved ? " (some countries unread)" : "");
done:
	iffa_db_free(db);
	return code;
}

static int versions(int argc, char **argv, const iffa_cli_global *g)
{
	const char *list = NULL, *params[1];
	iffa_db *db = NULL;
	PGresult *res;
	int code;

	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--list") == 0 && i + 1 < argc)
			list = argv[++i];
		else
			return iffa_cli_usage("lists", stderr, IFFA_EXIT_USAGE);
	}
	if ((code = iffa_cli_connect(&db, g)) != 0)
		return code;
	params[0] = list;
	res = PQexecParams(iffa_db_conn(db),
			   "SELECT l.name, v.seq, coalesce(v.published_at::text, ''), "
			   "v.imported_at::text, v.entries, v.added, v.changed, v.removed, "
			   "v.restored, v.file_name, v.file_sha256, v.db_role, "
			   "coalesce(v.os_user, '') FROM list_version v "
			   "JOIN sanctions_list l ON l.id = v.list_id "
			   "WHERE $1::text IS NULL OR l.name = $1 ORDER BY l.name, v.seq",
			   1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		fprintf(stderr, "iffa: lists versions: %s", PQerrorMessage(iffa_db_conn(db)));
		code = IFFA_EXIT_DB;
		goto done;
	}
	for (int i = 0; i < PQntuples(res); i++) {
		if (g->json)
			printf("{\"list\":\"%s\",\"version\":%s,\"published_at\":\"%s\","
			       "\"imported_at\":\"%s\",\"entries\":%s,\"added\":%s,\"changed\":%s,"
			       "\"removed\":%s,\"restored\":%s,\"file_sha256\":\"%s\"}\n",
			       PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), PQgetvalue(res, i, 2),
			       PQgetvalue(res, i, 3), PQgetvalue(res, i, 4), PQgetvalue(res, i, 5),
			       PQgetvalue(res, i, 6), PQgetvalue(res, i, 7), PQgetvalue(res, i, 8),
			       PQgetvalue(res, i, 10));
		else
			printf("%s v%s  published %s  imported %s by %s/%s  %s entries: +%s ~%s "
			       "-%s (re-listed %s)  %s\n",
			       PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
			       *PQgetvalue(res, i, 2) ? PQgetvalue(res, i, 2) : "(no date)",
			       PQgetvalue(res, i, 3), PQgetvalue(res, i, 12), PQgetvalue(res, i, 11),
			       PQgetvalue(res, i, 4), PQgetvalue(res, i, 5), PQgetvalue(res, i, 6),
			       PQgetvalue(res, i, 7), PQgetvalue(res, i, 8), PQgetvalue(res, i, 9));
	}
done:
	PQclear(res);
	iffa_db_free(db);
	return code;
}

int iffa_cmd_lists(int argc, char **argv, const iffa_cli_global *g)
{
	if (argc >= 2 && strcmp(argv[1], "import") == 0)
		return import(argc, argv, g);
	if (argc >= 2 && strcmp(argv[1], "versions") == 0)
		return versions(argc, argv, g);
	return iffa_cli_usage("lists", stderr, IFFA_EXIT_USAGE);
}
