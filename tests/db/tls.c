/*
 * Transport: the test server (tools/test.sh starts it with --tls) listens on
 * 127.0.0.1 with a certificate for "localhost" from a test CA. verify-full
 * with that CA connects; an unrelated CA or a wrong host name is refused
 * with libpq's reason in the message.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/testdb.h"

static void conninfo(char *out, size_t size, const char *host, const char *ca)
{
	const char *dir = getenv("IFFA_TEST_TLS_DIR");
	const char *port = getenv("PGPORT");

	cr_assert(dir && port, "IFFA_TEST_TLS_DIR and PGPORT come from tools/test.sh");
	snprintf(out, size,
		 "host=%s hostaddr=127.0.0.1 port=%s dbname=postgres sslmode=verify-full "
		 "sslrootcert=%s/%s",
		 host, port, dir, ca);
}

Test(db_tls, verify_full_connects_with_the_right_ca_and_host)
{
	char ci[512];
	iffa_db *db = NULL;

	conninfo(ci, sizeof(ci), "localhost", "ca.crt");
	cr_assert_eq(iffa_db_connect(&db, ci), 0, "%s", iffa_error_last());
	cr_assert_eq(PQsslInUse(iffa_db_conn(db)), 1);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM pg_stat_ssl WHERE pid = "
				       "pg_backend_pid() AND ssl"), 1);
	iffa_db_free(db);
}

Test(db_tls, an_unrelated_ca_is_refused)
{
	char ci[512];
	iffa_db *db = NULL;

	conninfo(ci, sizeof(ci), "localhost", "other-ca.crt");
	cr_assert_eq(iffa_db_connect(&db, ci), IFFA_EDB);
	cr_assert_null(db);
	cr_assert(strstr(iffa_error_last(), "certificate verify failed") != NULL, "%s",
		  iffa_error_last());
}

Test(db_tls, a_wrong_host_name_is_refused)
{
	char ci[512];
	iffa_db *db = NULL;

	conninfo(ci, sizeof(ci), "iffa-wrong-host.example", "ca.crt");
	cr_assert_eq(iffa_db_connect(&db, ci), IFFA_EDB);
	cr_assert_null(db);
	cr_assert(strstr(iffa_error_last(), "does not match host name") != NULL, "%s",
		  iffa_error_last());
}
