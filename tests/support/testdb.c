/* See testdb.h. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/testdb.h"

void testdb_fresh(char *conninfo, size_t size, const char *name, int migrate)
{
	char sql[256];
	PGconn *admin;
	PGresult *res;

	for (const char *p = name; *p; p++)
		cr_assert((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_',
			  "test database name '%s' must be [a-z0-9_]", name);
	/* The maintenance database of the test cluster. */
	admin = PQconnectdb("dbname=postgres options='-c client_min_messages=warning'");
	cr_assert(PQstatus(admin) == CONNECTION_OK,
		  "no PostgreSQL for the tests (run tools/test.sh): %s",
		  PQerrorMessage(admin));
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
	res = PQexec(admin, sql);
	cr_assert(PQresultStatus(res) == PGRES_COMMAND_OK, "%s: %s", sql,
		  PQerrorMessage(admin));
	PQclear(res);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
	res = PQexec(admin, sql);
	cr_assert(PQresultStatus(res) == PGRES_COMMAND_OK, "%s: %s", sql,
		  PQerrorMessage(admin));
	PQclear(res);
	PQfinish(admin);
	snprintf(conninfo, size, "dbname=%s", name);

	if (migrate) {
		iffa_db *db = testdb_connect(conninfo);
		int applied = 0;
		cr_assert_eq(iffa_db_migrate(db, &applied), 0, "migrate: %s",
			     iffa_error_last());
		iffa_db_free(db);
	}
}

iffa_db *testdb_connect(const char *conninfo)
{
	iffa_db *db = NULL;

	cr_assert_eq(iffa_db_connect(&db, conninfo), 0, "connect: %s",
		     iffa_error_last());
	return db;
}

long long testdb_scalar(iffa_db *db, const char *sql)
{
	PGresult *res = PQexec(iffa_db_conn(db), sql);
	long long v;

	cr_assert(PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1,
		  "%s: %s", sql, PQerrorMessage(iffa_db_conn(db)));
	v = PQgetisnull(res, 0, 0) ? 0 : atoll(PQgetvalue(res, 0, 0));
	PQclear(res);
	return v;
}

const char *testdb_resource(const char *name)
{
	static char path[1024];

	snprintf(path, sizeof(path), "%s/%s", IFFA_TEST_RESOURCES, name);
	return path;
}

const char *testdb_iffa_bin(void)
{
	return IFFA_TEST_BINARY_DIR "/iffa";
}

int testdb_run_iffa(char *out, size_t size, const char *args)
{
	char cmd[1024], path[] = "/tmp/iffa-cli-XXXXXX";
	FILE *f;
	size_t n;
	int fd = mkstemp(path), status;

	cr_assert_geq(fd, 0);
	snprintf(cmd, sizeof(cmd), "%s %s >%s 2>&1", testdb_iffa_bin(), args, path);
	status = system(cmd);
	f = fdopen(fd, "r");
	cr_assert_not_null(f);
	n = fread(out, 1, size - 1, f);
	out[n] = '\0';
	fclose(f);
	remove(path);
	cr_assert(WIFEXITED(status), "%s did not exit", cmd);
	return WEXITSTATUS(status);
}
