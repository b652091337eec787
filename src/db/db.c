/*
 * Connection handling and the helpers every module uses to talk to
 * PostgreSQL. User data always travels as parameters (PQexecParams), never
 * pasted into SQL text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"

int iffa_db__fail(iffa_db *db, const PGresult *res, const char *what)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorMessage(res) : NULL;
	size_t len;
	char buf[1024];

	if (!msg || !*msg)
		msg = db && db->conn ? PQerrorMessage(db->conn) : "no connection";
	snprintf(buf, sizeof(buf), "%s", msg);
	len = strlen(buf);
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = '\0';
	if (state)
		return iffa_error_set(IFFA_EDB, "%s: %s (SQLSTATE %s)", what, buf, state);
	return iffa_error_set(IFFA_EDB, "%s: %s", what, buf);
}

int iffa_db_connect(iffa_db **out, const char *conninfo)
{
	iffa_db *db;
	PGresult *res;

	*out = NULL;
	db = calloc(1, sizeof(*db));
	if (!db)
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	db->conn = PQconnectdb(conninfo ? conninfo : "");
	if (!db->conn || PQstatus(db->conn) != CONNECTION_OK) {
		int error = iffa_db__fail(db, NULL, "connecting to PostgreSQL");
		iffa_db_free(db);
		return error;
	}
	/* Timestamps cross the wire in UTC; numbers and dates in ISO forms. */
	res = PQexec(db->conn, "SET TIME ZONE 'UTC'; SET DateStyle = 'ISO, YMD'; "
			       "SET client_min_messages = warning");
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		int error = iffa_db__fail(db, res, "setting up the session");
		PQclear(res);
		iffa_db_free(db);
		return error;
	}
	PQclear(res);
	*out = db;
	return 0;
}

void iffa_db_free(iffa_db *db)
{
	if (!db)
		return;
	if (db->conn)
		PQfinish(db->conn);
	free(db);
}

PGconn *iffa_db_conn(iffa_db *db)
{
	return db->conn;
}

int iffa_db__query(PGresult **out, iffa_db *db, const char *what,
		   const char *sql, int nparams, const char *const *params)
{
	PGresult *res = PQexecParams(db->conn, sql, nparams, NULL, params, NULL,
				     NULL, 0);
	ExecStatusType st = PQresultStatus(res);

	*out = NULL;
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		int error = iffa_db__fail(db, res, what);
		PQclear(res);
		return error;
	}
	*out = res;
	return 0;
}

int iffa_db__exec(iffa_db *db, const char *what, const char *sql, int nparams,
		  const char *const *params)
{
	PGresult *res;
	int error = iffa_db__query(&res, db, what, sql, nparams, params);

	PQclear(res);
	return error;
}

int iffa_db__copy_begin(iffa_db *db, const char *what, const char *sql)
{
	PGresult *res = PQexec(db->conn, sql);
	int error = 0;

	if (PQresultStatus(res) != PGRES_COPY_IN)
		error = iffa_db__fail(db, res, what);
	PQclear(res);
	return error;
}

int iffa_db__copy_put(iffa_db *db, const char *what, const char *data, size_t len)
{
	while (len > 0) {
		int n = len > (1u << 30) ? 1 << 30 : (int)len;
		if (PQputCopyData(db->conn, data, n) != 1)
			return iffa_db__fail(db, NULL, what);
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

int iffa_db__copy_end(iffa_db *db, const char *what, const char *abort_reason)
{
	PGresult *res;
	int error = 0;

	if (PQputCopyEnd(db->conn, abort_reason) != 1)
		error = iffa_db__fail(db, NULL, what);
	while ((res = PQgetResult(db->conn)) != NULL) {
		if (!abort_reason && !error && PQresultStatus(res) != PGRES_COMMAND_OK)
			error = iffa_db__fail(db, res, what);
		PQclear(res);
	}
	if (abort_reason && !error)
		error = iffa_error_set(IFFA_EDB, "%s: stopped (%s)", what, abort_reason);
	return error;
}

int iffa_db__copy_buf(iffa_db *db, const char *what, iffa_jsonbuf *b)
{
	int error;

	if (b->oom)
		return iffa_error_set(IFFA_ENOMEM, "%s: out of memory", what);
	if ((error = iffa_db__copy_put(db, what, b->ptr, b->len)) < 0)
		return error;
	iffa_jsonbuf__clear(b);
	return 0;
}

int iffa_db__copy_finish(iffa_db *db, const char *what, int error)
{
	char reason[512];

	if (error >= 0)
		return iffa_db__copy_end(db, what, NULL);
	snprintf(reason, sizeof(reason), "%s", iffa_error_last());
	iffa_db__copy_end(db, what, reason);
	return iffa_error_set(error, "%s", reason);
}

int iffa_db__connect_like(iffa_db **out, iffa_db *main_db, const char *statement_timeout,
			  const char *what)
{
	PQconninfoOption *opts = PQconninfo(main_db->conn), *o;
	const char *keys[64], *values[64];
	int n = 0, error;
	iffa_db *db;

	*out = NULL;
	if (!opts)
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	for (o = opts; o->keyword && n < 63; o++) {
		if (o->val && *o->val) {
			keys[n] = o->keyword;
			values[n] = o->val;
			n++;
		}
	}
	keys[n] = values[n] = NULL;
	if (!(db = calloc(1, sizeof(*db)))) {
		PQconninfoFree(opts);
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	}
	db->conn = PQconnectdbParams(keys, values, 0);
	PQconninfoFree(opts);
	if (PQstatus(db->conn) != CONNECTION_OK) {
		error = iffa_db__fail(db, NULL, what);
		iffa_db_free(db);
		return error;
	}
	if (statement_timeout &&
	    (error = iffa_db__exec(db, what, "SELECT set_config('statement_timeout', $1, false)", 1,
				   (const char *const *)&statement_timeout)) < 0) {
		iffa_db_free(db);
		return error;
	}
	*out = db;
	return 0;
}
