/*
 * Integration-test support: a fresh database per test on the real
 * PostgreSQL server that tools/test.sh started (reached through the PG*
 * variables it exports). Tests fail, not skip, when no server is reachable.
 */
#ifndef IFFA_TESTS_SUPPORT_TESTDB_H
#define IFFA_TESTS_SUPPORT_TESTDB_H

#include <stddef.h>

#include "iffa.h"

/*
 * Drop and create database `name` (letters, digits, underscore), optionally
 * apply every migration, and write its connection string to `conninfo`.
 * Aborts the test with a message on failure.
 */
void testdb_fresh(char *conninfo, size_t size, const char *name, int migrate);

/* Connect to a database made by testdb_fresh (aborts the test on failure). */
iffa_db *testdb_connect(const char *conninfo);

/* Run a query returning one value and give it back as a long long. */
long long testdb_scalar(iffa_db *db, const char *sql);

/* Path of a file under tests/resources, in a static buffer. */
const char *testdb_resource(const char *name);

/* Path of the built iffa command. */
const char *testdb_iffa_bin(void);

/* Run `iffa ARGS`, stdout and stderr into `out` (NUL-terminated, cut at
 * size - 1 bytes); return the exit status. */
int testdb_run_iffa(char *out, size_t size, const char *args);

#endif
