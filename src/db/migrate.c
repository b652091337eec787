/*
 * Schema migrations: the numbered files of sql/ are compiled into the
 * library (see cmake/embed_sql.cmake) and applied in order, each once, each
 * in its own transaction, recorded in schema_version with a digest of its
 * text so an edited migration is noticed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "db/db.h"

/* Any constant works; it only has to be the same for every iffa process. */
#define MIGRATION_LOCK "7366746100000001"

static int sha256_hex(char out[65], const char *text)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (!EVP_Digest(text, strlen(text), md, &len, EVP_sha256(), NULL))
		return iffa_error_set(IFFA_ERROR, "computing a SHA-256 digest failed");
	for (unsigned int i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}

int iffa_db_migration_count(void)
{
	return iffa_db__migration_total;
}

int iffa_db_schema_version(iffa_db *db, int *out)
{
	PGresult *res = NULL;
	int error;

	*out = 0;
	error = iffa_db__query(&res, db, "reading the schema version",
			       "SELECT to_regclass('schema_version') IS NOT NULL", 0, NULL);
	if (error < 0)
		return error;
	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
		PQclear(res);
		return 0;
	}
	PQclear(res);
	error = iffa_db__query(&res, db, "reading the schema version",
			       "SELECT coalesce(max(version), 0) FROM schema_version", 0, NULL);
	if (error < 0)
		return error;
	*out = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

static int apply_one(iffa_db *db, const iffa_db__migration *m, int *applied)
{
	char digest[65], version[16], what[256];
	const char *params[3];
	PGresult *res = NULL;
	int error;

	if ((error = sha256_hex(digest, m->sql)) < 0)
		return error;
	snprintf(version, sizeof(version), "%d", m->version);
	snprintf(what, sizeof(what), "applying migration %s", m->name);

	if ((error = iffa_db__exec(db, what, "BEGIN", 0, NULL)) < 0)
		return error;
	if ((error = iffa_db__exec(db, what, "SELECT pg_advisory_xact_lock(" MIGRATION_LOCK ")",
				   0, NULL)) < 0)
		goto rollback;
	params[0] = version;
	if ((error = iffa_db__query(&res, db, what,
				    "SELECT sha256 FROM schema_version WHERE version = $1::int",
				    1, params)) < 0)
		goto rollback;
	if (PQntuples(res) == 1) {
		if (strcmp(PQgetvalue(res, 0, 0), digest) != 0) {
			error = iffa_error_set(IFFA_EINVAL,
					       "migration %s was changed after it was applied "
					       "(recorded sha256 %s, now %s); migrations are "
					       "append-only: put the change in a new file",
					       m->name, PQgetvalue(res, 0, 0), digest);
			goto rollback;
		}
		PQclear(res);
		return iffa_db__exec(db, what, "COMMIT", 0, NULL);
	}
	PQclear(res);
	res = NULL;

	/* Migration text is ours, compiled in: no user data reaches it. */
	res = PQexec(db->conn, m->sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
		error = iffa_db__fail(db, res, what);
		goto rollback;
	}
	PQclear(res);
	res = NULL;
	params[1] = m->name;
	params[2] = digest;
	if ((error = iffa_db__exec(db, what,
				   "INSERT INTO schema_version (version, name, sha256) "
				   "VALUES ($1::int, $2, $3)", 3, params)) < 0)
		goto rollback;
	if ((error = iffa_db__exec(db, what, "COMMIT", 0, NULL)) < 0)
		return error;
	(*applied)++;
	return 0;

rollback:
	PQclear(res);
	PQclear(PQexec(db->conn, "ROLLBACK"));
	return error;
}

int iffa_db_migrate(iffa_db *db, int *out_applied)
{
	int applied = 0, error;

	if (out_applied)
		*out_applied = 0;
	/* The version table itself; IF NOT EXISTS makes concurrent first runs safe
	 * enough, and the lock below serialises the rest. */
	if ((error = iffa_db__exec(db, "creating schema_version",
				   "SELECT pg_advisory_lock(" MIGRATION_LOCK ")", 0, NULL)) < 0)
		return error;
	error = iffa_db__exec(db, "creating schema_version",
			      "CREATE TABLE IF NOT EXISTS schema_version ("
			      " version integer PRIMARY KEY,"
			      " name text NOT NULL,"
			      " sha256 text NOT NULL,"
			      " applied_at timestamptz NOT NULL DEFAULT now(),"
			      " applied_by text NOT NULL DEFAULT current_user)",
			      0, NULL);
	PQclear(PQexec(db->conn, "SELECT pg_advisory_unlock(" MIGRATION_LOCK ")"));
	if (error < 0)
		return error;

	for (int i = 0; i < iffa_db__migration_total; i++)
		if ((error = apply_one(db, &iffa_db__migrations[i], &applied)) < 0)
			break;
	if (out_applied)
		*out_applied = applied;
	return error;
}
