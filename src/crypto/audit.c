/*
 * The audit record of key generation, signing, verification and
 * pseudonymised exports: one row in audit_log through the function
 * iffa_audit_crypto() of sql/007, which every iffa role may call (readers
 * sign and auditors verify, though neither may INSERT into audit_log).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/osuser.h"
#include "core/utf8.h"
#include "crypto/crypto.h"
#include "db/db.h"

int iffa_crypto__audit(long long *out_id, iffa_db *db, const char *command, const char *params,
		       long long rows, const char *output_sha256, const char *detail)
{
	char os_user[256], nrows[32];
	const char *p[6];
	PGresult *res = NULL;
	int error;

	if (out_id)
		*out_id = 0;
	if (!db)
		return iffa_error_set(IFFA_EDB, "no database connection for the audit record");
	iffa_core__os_user(os_user, sizeof(os_user));
	snprintf(nrows, sizeof(nrows), "%lld", rows);
	p[0] = os_user;
	p[1] = command;
	p[2] = params;
	p[3] = rows >= 0 ? nrows : NULL;
	p[4] = output_sha256 && *output_sha256 ? output_sha256 : NULL;
	p[5] = detail;
	if ((error = iffa_db__query(&res, db, "writing the audit record",
				    "SELECT iffa_audit_crypto($1, $2, $3::jsonb, $4::bigint, $5, "
				    "$6::jsonb)",
				    6, p)) < 0)
		return error;
	if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0))
		error = iffa_error_set(IFFA_EDB, "writing the audit record: no id came back");
	else if (out_id)
		*out_id = atoll(PQgetvalue(res, 0, 0));
	PQclear(res);
	return error;
}

int iffa_crypto__json_str(iffa_jsonbuf *b, const char *s)
{
	iffa_jsonbuf clean = IFFA_JSONBUF_INIT;
	size_t len, i = 0;
	int error;

	if (!s)
		return iffa_jsonbuf__puts(b, "null");
	len = strlen(s);
	if (iffa_utf8__valid(s, len, NULL))
		return iffa_jsonbuf__str(b, s);
	while (i < len) {
		uint32_t cp;
		size_t n = iffa_utf8__decode(&cp, (const unsigned char *)s + i, len - i);
		if (n == 0) {
			iffa_jsonbuf__puts(&clean, "\xef\xbf\xbd");
			i++;
		} else {
			iffa_jsonbuf__put(&clean, s + i, n);
			i += n;
		}
	}
	error = clean.oom ? iffa_error_set(IFFA_ENOMEM, "out of memory")
			  : iffa_jsonbuf__str(b, clean.ptr ? clean.ptr : "");
	iffa_jsonbuf__dispose(&clean);
	return error;
}

/* Keep the message of `error` while a best-effort audit record of the
 * failure is written. */
void iffa_crypto__audit_failure(iffa_db *db, const char *command, const char *params, int error)
{
	char msg[2048];
	iffa_jsonbuf detail = IFFA_JSONBUF_INIT;

	snprintf(msg, sizeof(msg), "%s", iffa_error_last());
	iffa_jsonbuf__puts(&detail, "{\"ok\":false,\"error\":");
	iffa_crypto__json_str(&detail, msg);
	iffa_jsonbuf__puts(&detail, "}");
	if (db && params && !detail.oom)
		iffa_crypto__audit(NULL, db, command, params, -1, NULL, detail.ptr);
	iffa_jsonbuf__dispose(&detail);
	iffa_error_set(error, "%s", msg);
}
