/*
 * iffa/db.h: the connection to PostgreSQL and the schema migrations.
 */
#ifndef IFFA_DB_H
#define IFFA_DB_H

#include <libpq-fe.h>

#ifdef __cplusplus
extern "C" {
#endif

/** An open connection (opaque). */
typedef struct iffa_db iffa_db;

/**
 * Open a connection.
 *
 * @param out       receives the handle; free with iffa_db_free()
 * @param conninfo  a libpq connection string or URI ("host=... dbname=...",
 *                  sslmode and certificate options included); NULL or ""
 *                  uses the standard PG* environment variables only
 * @return 0, or IFFA_EDB with the server's message in iffa_error_last()
 */
int iffa_db_connect(iffa_db **out, const char *conninfo);

/** Close the connection and free the handle. Accepts NULL. */
void iffa_db_free(iffa_db *db);

/** The libpq connection, borrowed from `db`. */
PGconn *iffa_db_conn(iffa_db *db);

/** Number of migrations iffa carries (sql/NNN_*.sql). */
int iffa_db_migration_count(void);

/**
 * Apply every migration not yet recorded in schema_version, each in its
 * own transaction, under an advisory lock so that two concurrent callers
 * apply each migration once. A migration already applied whose text has
 * changed since is refused (migrations are append-only).
 *
 * @param out_applied  receives how many migrations this call applied; may
 *                     be NULL
 * @return 0, IFFA_EDB or IFFA_EINVAL (changed migration)
 */
int iffa_db_migrate(iffa_db *db, int *out_applied);

/**
 * Highest schema version recorded in the database, 0 when none.
 * @return 0 or IFFA_EDB
 */
int iffa_db_schema_version(iffa_db *db, int *out);

#ifdef __cplusplus
}
#endif
#endif
