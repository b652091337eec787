/* iffa db init | version: create, upgrade and inspect the schema. */
#include <string.h>

#include "cli/cli.h"

const char iffa_cmd_db_usage[] =
	"usage: iffa db init\n"
	"       iffa db version\n"
	"\n"
	"init     apply every migration the database does not have yet (each once,\n"
	"         in its own transaction); safe to run again\n"
	"version  print the schema version of the database and of this iffa\n";

int iffa_cmd_db(int argc, char **argv, const iffa_cli_global *g)
{
	iffa_db *db = NULL;
	int error, applied = 0, version = 0, code = IFFA_EXIT_OK;

	if (argc != 2 || (strcmp(argv[1], "init") != 0 && strcmp(argv[1], "version") != 0))
		return iffa_cli_usage("db", stderr, IFFA_EXIT_USAGE);
	if ((code = iffa_cli_connect(&db, g)) != 0)
		return code;
	if (strcmp(argv[1], "init") == 0) {
		if ((error = iffa_db_migrate(db, &applied)) < 0) {
			code = iffa_cli_fail("db init", error);
			goto done;
		}
	}
	if ((error = iffa_db_schema_version(db, &version)) < 0) {
		code = iffa_cli_fail("db", error);
		goto done;
	}
	if (g->json)
		printf("{\"schema_version\":%d,\"applied\":%d,\"known\":%d}\n", version,
		       applied, iffa_db_migration_count());
	else if (strcmp(argv[1], "init") == 0)
		printf("schema at version %d (%d migration%s applied now)\n", version,
		       applied, applied == 1 ? "" : "s");
	else
		printf("database schema version %d; this iffa knows %d\n", version,
		       iffa_db_migration_count());
done:
	iffa_db_free(db);
	return code;
}
