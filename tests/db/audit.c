/*
 * The audit log of analyses and list imports: who (login role, OS user),
 * what (command and parameters), how much (rows) and a digest of what came
 * out, for each success and each failure. The digest of an analysis is
 * recomputed here from the findings as stored, by the recipe of
 * docs/SECURITY.md, without the server's help.
 */
#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "iffa.h"
#include "support/testdb.h"

static char dir[256];

static void cleanup(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

static const iffa_load_kind order[] = {
	IFFA_LOAD_PARTY,    IFFA_LOAD_ACCOUNT,  IFFA_LOAD_DESIGNATION, IFFA_LOAD_FX_RATE,
	IFFA_LOAD_TRANSFER, IFFA_LOAD_RANSOM,   IFFA_LOAD_GOLD_LOT,    IFFA_LOAD_LEVY,
	IFFA_LOAD_AFFECTED_ZONE,
};

static iffa_db *scenario(const char *name)
{
	iffa_generate_options o = IFFA_GENERATE_OPTIONS_INIT;
	iffa_generate_result r;
	char ci[128];
	iffa_db *db;

	iffa_init();
	snprintf(dir, sizeof(dir), "/tmp/iffa-test-audit-%ld", (long)getpid());
	o.seed = 5;
	o.transfers = 600;
	o.out_dir = dir;
	cr_assert_eq(iffa_generate(&r, &o), 0, "%s", iffa_error_last());
	testdb_fresh(ci, sizeof(ci), name, 1);
	db = testdb_connect(ci);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		iffa_load_result lr;
		char path[400];
		snprintf(path, sizeof(path), "%s/%s.csv", dir, iffa_load_kind_name(order[i]));
		iffa_load_result_init(&lr);
		cr_assert_eq(iffa_load_file(&lr, db, order[i], path, NULL), 0, "%s",
			     iffa_error_last());
		iffa_load_result_dispose(&lr);
	}
	return db;
}

/* One value of a one-row query, as text (static buffer). */
static const char *text_of(iffa_db *db, const char *sql, int nparams, const char *const *p)
{
	static char buf[256];
	PGresult *r = PQexecParams(iffa_db_conn(db), sql, nparams, NULL, p, NULL, NULL, 0);

	cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s: %s", sql,
		     PQerrorMessage(iffa_db_conn(db)));
	cr_assert_eq(PQntuples(r), 1, "%s", sql);
	snprintf(buf, sizeof(buf), "%s", PQgetisnull(r, 0, 0) ? "(null)" : PQgetvalue(r, 0, 0));
	PQclear(r);
	return buf;
}

Test(db_audit, an_analysis_is_recorded_with_a_digest_of_its_findings, .fini = cleanup)
{
	iffa_db *db = scenario("t_audit_analyse");
	iffa_analysis *a;
	int64_t run = 0;
	char id[32], hex[65];
	const char *p[1] = {id};
	unsigned char md[32];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx;
	PGresult *r;

	cr_assert_eq(iffa_analysis_new(&a), 0);
	cr_assert_eq(iffa_analyse(&run, db, a, NULL), 0, "%s", iffa_error_last());
	snprintf(id, sizeof(id), "%lld", (long long)run);

	/* The findings, one line each in id order, fields tab-separated. */
	r = PQexecParams(iffa_db_conn(db),
			 "SELECT id, pass, kind, subject_type, subject_id, subject_label, score, "
			 "reason, evidence FROM finding WHERE run_id = $1::bigint ORDER BY id",
			 1, NULL, p, NULL, NULL, 0);
	cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s", PQerrorMessage(iffa_db_conn(db)));
	cr_assert_gt(PQntuples(r), 0, "the scenario gives findings");
	cr_assert_not_null(ctx = EVP_MD_CTX_new());
	cr_assert(EVP_DigestInit_ex(ctx, EVP_sha256(), NULL));
	for (int i = 0; i < PQntuples(r); i++) {
		if (i > 0)
			cr_assert(EVP_DigestUpdate(ctx, "\n", 1));
		for (int c = 0; c < 9; c++) {
			const char *v = PQgetisnull(r, i, c) ? "" : PQgetvalue(r, i, c);
			if (c > 0)
				cr_assert(EVP_DigestUpdate(ctx, "\t", 1));
			cr_assert(EVP_DigestUpdate(ctx, v, strlen(v)));
		}
	}
	cr_assert(EVP_DigestFinal_ex(ctx, md, &mdlen));
	EVP_MD_CTX_free(ctx);
	for (unsigned int i = 0; i < mdlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);

	cr_assert_str_eq(text_of(db, "SELECT count(*) FROM audit_log WHERE command = 'analyse'", 0,
				 NULL),
			 "1");
	cr_assert_str_eq(text_of(db, "SELECT output_sha256 FROM audit_log WHERE command = "
				     "'analyse' AND (params->>'run')::bigint = $1::bigint",
				 1, p),
			 hex);
	{
		char n[32];
		snprintf(n, sizeof(n), "%d", PQntuples(r));
		cr_assert_str_eq(text_of(db, "SELECT rows_affected FROM audit_log WHERE command = "
					     "'analyse'",
					 0, NULL),
				 n);
	}
	PQclear(r);
	cr_assert_str_eq(text_of(db, "SELECT count(*) FROM audit_log a JOIN analysis_run r ON "
				     "r.id = (a.params->>'run')::bigint WHERE a.command = 'analyse' "
				     "AND a.params->'params' = r.params AND a.params->>'level' = "
				     "r.level AND a.detail->>'ok' = 'true' AND a.detail->>'status' = "
				     "'completed' AND a.detail->'row_counts' = r.row_counts AND "
				     "a.os_user = r.os_user AND a.os_user IS NOT NULL AND a.db_role = "
				     "current_user",
				 0, NULL),
			 "1");
	iffa_analysis_free(a);
	iffa_db_free(db);
}

Test(db_audit, list_imports_are_recorded_with_the_file_digest_and_refusals_too)
{
	iffa_lists_import_result res;
	char ci[128], cmd[512], digest[65];
	const char *p[1] = {digest};
	iffa_db *db;
	FILE *f;

	testdb_fresh(ci, sizeof(ci), "t_audit_lists", 1);
	db = testdb_connect(ci);
	cr_assert_eq(iffa_lists_import(&res, db, testdb_resource("lists/un-sample-v1.xml"), NULL), 0,
		     "%s", iffa_error_last());
	snprintf(cmd, sizeof(cmd), "sha256sum %s", testdb_resource("lists/un-sample-v1.xml"));
	cr_assert_not_null(f = popen(cmd, "r"));
	cr_assert_eq(fscanf(f, "%64s", digest), 1);
	pclose(f);
	snprintf(cmd, sizeof(cmd),
		 "SELECT count(*) FROM audit_log WHERE command = 'lists import' AND "
		 "output_sha256 = $1 AND rows_affected = %zu AND params->>'list' = 'UN' AND "
		 "params->>'format' = 'un-xml' AND params->>'file' LIKE '%%un-sample-v1.xml' AND "
		 "detail->>'ok' = 'true' AND (detail->>'added')::int = %zu AND "
		 "(detail->>'version_id')::bigint = %lld AND os_user IS NOT NULL AND "
		 "db_role = current_user",
		 res.entries, res.added, res.version_id);
	cr_assert_str_eq(text_of(db, cmd, 1, p), "1");

	/* A refused import is recorded with its reason, and changes nothing. */
	cr_assert_eq(iffa_lists_import(&res, db, testdb_resource("lists/un-xxe.xml"), NULL),
		     IFFA_EINVAL);
	{
		const char *e[1] = {iffa_error_last()};
		cr_assert_str_eq(text_of(db, "SELECT count(*) FROM audit_log WHERE command = "
					     "'lists import' AND detail->>'ok' = 'false' AND "
					     "detail->>'error' = $1 AND rows_affected = 0 AND "
					     "params->>'file' LIKE '%un-xxe.xml'",
					 1, e),
				 "1");
	}
	cr_assert_str_eq(text_of(db, "SELECT count(*) FROM list_version", 0, NULL), "1");
	iffa_db_free(db);
}
