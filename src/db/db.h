/*
 * Internals of the db module shared with the other modules: the handle's
 * layout and helpers that run SQL with parameters and turn failures into
 * iffa errors carrying the SQLSTATE.
 */
#ifndef IFFA_SRC_DB_H
#define IFFA_SRC_DB_H

#include "core/jsonbuf.h"
#include "iffa/common.h"
#include "iffa/db.h"

struct iffa_db {
	PGconn *conn;
};

/** A migration compiled into the library (generated from sql/). */
typedef struct {
	int version;       /* NNN of the file name */
	const char *name;  /* file name, e.g. "003_records.sql" */
	const char *sql;   /* whole text */
} iffa_db__migration;

extern const iffa_db__migration iffa_db__migrations[];
extern const int iffa_db__migration_total;

/**
 * Run a statement without a result set (or whose rows are ignored) with
 * text parameters. `what` names the step for the error message.
 * @return 0 or IFFA_EDB
 */
int iffa_db__exec(iffa_db *db, const char *what, const char *sql, int nparams,
		  const char *const *params);

/**
 * Run a query with text parameters and hand back its result.
 * @param out  receives the result on success (PQclear it)
 * @return 0 or IFFA_EDB
 */
int iffa_db__query(PGresult **out, iffa_db *db, const char *what,
		   const char *sql, int nparams, const char *const *params);

/** Record the server's error for `res` (may be NULL) as the last error. */
int iffa_db__fail(iffa_db *db, const PGresult *res, const char *what);

/*
 * A second connection with the parameters of `db` (host, port, user,
 * database, TLS...), for work beside it on another thread, keeping the
 * limits of the session it works for: `statement_timeout` is that
 * session's (current_setting, read on the thread that owns it), or NULL
 * for the server's default. `what` names it in the error.
 * @return 0, IFFA_ENOMEM or IFFA_EDB
 */
int iffa_db__connect_like(iffa_db **out, iffa_db *db, const char *statement_timeout,
			  const char *what);

/*
 * COPY ... FROM STDIN, for writing many rows in one statement: start it
 * with a fixed statement (no user data in `sql`: the rows carry it), send
 * the rows' bytes in blocks, end it. On any failure end it with an
 * `abort_reason` so that the server drops what it received; the
 * statement's effects are then none. `what` names the step for errors.
 * @return 0 or IFFA_EDB
 */
int iffa_db__copy_begin(iffa_db *db, const char *what, const char *sql);

/* COPY data is sent in blocks of about this many bytes. */
#define IFFA_DB__COPY_BLOCK (256 * 1024)
int iffa_db__copy_put(iffa_db *db, const char *what, const char *data, size_t len);
int iffa_db__copy_end(iffa_db *db, const char *what, const char *abort_reason);

/*
 * Send the rows gathered in `b` (iffa_db__copy_put) and empty it; a
 * buffer that ran out of memory is an error instead, its rows incomplete.
 */
int iffa_db__copy_buf(iffa_db *db, const char *what, iffa_jsonbuf *b);

/*
 * End COPY after the caller's work: when `error` < 0 (its message set)
 * the server drops the rows and `error` is returned with its message as
 * it was; otherwise the server's verdict on the rows.
 */
int iffa_db__copy_finish(iffa_db *db, const char *what, int error);

#endif
