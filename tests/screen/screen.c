/*
 * Screening end to end on the real server: a list imported, counterparties
 * screened through the library and the command, every request and verdict
 * in audit_log, and the failures (no list, bad request, audit record
 * impossible) that must not produce a verdict.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "support/testdb.h"

static iffa_db *fresh(char *ci, size_t size, const char *name, const char *list_file)
{
	iffa_lists_import_result r;
	iffa_db *db;

	testdb_fresh(ci, size, name, 1);
	db = testdb_connect(ci);
	if (list_file)
		cr_assert_eq(iffa_lists_import(&r, db, testdb_resource(list_file), NULL), 0, "%s",
			     iffa_error_last());
	return db;
}

static void screen_one(iffa_screen_result *out, iffa_screener *s, const char *name,
		       const char *country, const char *dob)
{
	iffa_screen_request req = {name, country, dob, "CP-1", NULL};

	cr_assert_eq(iffa_screener_screen(out, s, &req, 1), 0, "%s: %s", name, iffa_error_last());
}

Test(screen_end_to_end, iyad_ag_ghaly_is_a_match_with_its_reason_and_audit_row)
{
	iffa_screen_result r;
	iffa_screener *s;
	char ci[128], sql[512];
	iffa_db *db = fresh(ci, sizeof(ci), "t_screen_e2e_match", "lists/un-sc-consolidated-list-2020-11-30.xml");

	cr_assert_eq(iffa_screener_new(&s, db, NULL), 0, "%s", iffa_error_last());
	cr_assert_eq(iffa_screener_entry_count(s), 1018);
	screen_one(&r, s, "Iyad ag Ghaly", NULL, NULL);
	cr_assert_eq(r.verdict, IFFA_SCREEN_MATCH);
	cr_assert_geq(r.nhits, 1);
	cr_assert_str_eq(r.hits[0].list, "UN");
	cr_assert_str_eq(r.hits[0].reference, "QDi.316");
	cr_assert_str_eq(r.hits[0].entry_name, "IYAD AG GHALI");
	cr_assert_str_eq(r.hits[0].listed_on, "2013-02-25");
	cr_assert_float_eq(r.hits[0].score, 1.0, 1e-9);
	cr_assert(strstr(r.hits[0].reason, "iyad=iyad") != NULL, "%s", r.hits[0].reason);
	cr_assert(strstr(r.hits[0].reason, "ghaly~ghali (same reading)") != NULL, "%s",
		  r.hits[0].reason);
	cr_assert(strstr(r.hits[0].reason, "ignored in query: ag") != NULL, "%s", r.hits[0].reason);
	cr_assert_eq(r.exposure.status, IFFA_SCREEN_EXPOSURE_NOT_ASSESSED,
		     "no account given: a name alone attaches no graph exposure");
	cr_assert_eq(r.exposure.hops, -1);
	cr_assert_gt(r.audit_id, 0);

	/* The record: who, when, what was asked, what was answered, on which list version. */
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM audit_log WHERE id = %lld AND command = 'screen' "
		 "AND db_role = current_user AND os_user IS NOT NULL AND os_user <> '' "
		 "AND at > now() - interval '5 minutes' AND params->>'name' = 'Iyad ag Ghaly' "
		 "AND params->>'ref' = 'CP-1' AND params->'lists'->0->>'list' = 'UN' "
		 "AND (params->'lists'->0->>'version')::int = 1 "
		 "AND detail->>'verdict' = 'match' AND detail->'hits'->0->>'reference' = 'QDi.316' "
		 "AND detail->'exposure'->>'status' = 'not assessed' AND rows_affected >= 1", r.audit_id);
	cr_assert_eq(testdb_scalar(db, sql), 1);
	iffa_screen_result_dispose(&r);

	/* A hard negative: an Amadou who is not Amadou Koufa. */
	screen_one(&r, s, "Amadou Traoré", "ML", "1990-04-12");
	cr_assert_eq(r.verdict, IFFA_SCREEN_CLEAR);
	cr_assert_eq(r.nhits, 0);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit_log WHERE id = %lld AND "
		 "detail->>'verdict' = 'clear' AND params->>'dob' = '1990-04-12' AND "
		 "params->>'country' = 'ML' AND rows_affected = 0", r.audit_id);
	cr_assert_eq(testdb_scalar(db, sql), 1);
	iffa_screen_result_dispose(&r);

	/* The same name, born 1975: the list says 1958, so only a possible match. */
	screen_one(&r, s, "Iyad Ag Ghali", NULL, "1975-06-01");
	cr_assert_eq(r.verdict, IFFA_SCREEN_POSSIBLE);
	cr_assert(strstr(r.hits[0].reason, "born 1975, listed") != NULL, "%s", r.hits[0].reason);
	cr_assert_float_eq(r.hits[0].score, 0.85, 1e-9);
	iffa_screen_result_dispose(&r);

	/* Date of birth and country listed: raised, capped at 1. */
	screen_one(&r, s, "Amadou Kouffa", "ML", "1958");
	cr_assert_eq(r.verdict, IFFA_SCREEN_MATCH);
	cr_assert_str_eq(r.hits[0].reference, "QDi.425");
	cr_assert(strstr(r.hits[0].reason, "born 1958, listed about 1958 (+0.02)") != NULL, "%s",
		  r.hits[0].reason);
	cr_assert(strstr(r.hits[0].reason, "country ML listed") != NULL, "%s", r.hits[0].reason);
	iffa_screen_result_dispose(&r);
	iffa_screener_free(s);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM audit_log WHERE command = 'screen'"),
		     4);
	iffa_db_free(db);
}

Test(screen_end_to_end, a_batch_is_recorded_row_by_row)
{
	iffa_screen_request reqs[3] = {{"JNIM", NULL, NULL, "A", NULL},
				       {"Fatoumata Traoré", "BF", NULL, "B", NULL},
				       {"Ansar Dine", NULL, NULL, "C", NULL}};
	iffa_screen_result r[3];
	iffa_screener *s;
	char ci[128];
	iffa_db *db = fresh(ci, sizeof(ci), "t_screen_e2e_batch", "lists/un-sample-v1.xml");

	cr_assert_eq(iffa_screener_new(&s, db, NULL), 0, "%s", iffa_error_last());
	cr_assert_eq(iffa_screener_screen(r, s, reqs, 3), 0, "%s", iffa_error_last());
	cr_assert_eq(r[0].verdict, IFFA_SCREEN_MATCH);
	cr_assert_str_eq(r[0].hits[0].reference, "QDe.159");
	cr_assert_eq(r[1].verdict, IFFA_SCREEN_CLEAR);
	cr_assert_eq(r[2].verdict, IFFA_SCREEN_MATCH);
	cr_assert_str_eq(r[2].hits[0].reference, "QDe.135");
	cr_assert_eq(testdb_scalar(db, "SELECT count(DISTINCT params->>'position') FROM audit_log "
				       "WHERE command = 'screen'"), 3);
	for (int i = 0; i < 3; i++) {
		char sql[256];
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit_log WHERE id = %lld AND "
			 "params->>'ref' = '%c'", r[i].audit_id, 'A' + i);
		cr_assert_eq(testdb_scalar(db, sql), 1, "result %d tied to its audit row", i);
		iffa_screen_result_dispose(&r[i]);
	}
	iffa_screener_free(s);
	iffa_db_free(db);
}

Test(screen_end_to_end, no_verdict_without_a_list_a_good_request_or_an_audit_record)
{
	iffa_screen_request bad[2] = {{"Iyad Ag Ghali", NULL, NULL, NULL, NULL},
				      {"Amadou Koufa", NULL, "1958-13", NULL, NULL}};
	iffa_screen_options opts = IFFA_SCREEN_OPTIONS_INIT;
	iffa_screen_result r[2];
	iffa_screener *s = NULL;
	char ci[128];
	iffa_db *db = fresh(ci, sizeof(ci), "t_screen_e2e_refusals", NULL);

	/* Nothing imported: "clear" would be a lie. */
	cr_assert_eq(iffa_screener_new(&s, db, NULL), IFFA_ENOTFOUND);
	cr_assert_null(s);
	cr_assert(strstr(iffa_error_last(), "no sanctions list is imported") != NULL);

	cr_assert_eq(iffa_lists_import(&(iffa_lists_import_result){0}, db,
				       testdb_resource("lists/un-sample-v1.xml"), NULL), 0);
	opts.list = "OFAC";
	cr_assert_eq(iffa_screener_new(&s, db, &opts), IFFA_ENOTFOUND);
	opts.list = NULL;
	opts.possible = 0.95;
	cr_assert_eq(iffa_screener_new(&s, db, &opts), IFFA_EINVAL);
	cr_assert_eq(iffa_screener_new(&s, db, NULL), 0, "%s", iffa_error_last());

	/* A bad date of birth in a batch: nothing screened, nothing recorded. */
	cr_assert_eq(iffa_screener_screen(r, s, bad, 2), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "counterparty 2") != NULL, "%s", iffa_error_last());
	cr_assert_eq(r[0].nhits, 0);
	cr_assert_null(r[0].hits);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM audit_log WHERE command = 'screen'"),
		     0);

	/* The audit record cannot be written: no verdict comes out. */
	PQclear(PQexec(iffa_db_conn(db), "ALTER TABLE audit_log RENAME TO audit_log_away"));
	cr_assert_eq(iffa_screener_screen(r, s, bad, 1), IFFA_EDB);
	cr_assert(strstr(iffa_error_last(), "audit_log") != NULL, "%s", iffa_error_last());
	cr_assert_eq(r[0].verdict, IFFA_SCREEN_CLEAR);
	cr_assert_eq(r[0].nhits, 0);
	cr_assert_null(r[0].hits);
	PQclear(PQexec(iffa_db_conn(db), "ALTER TABLE audit_log_away RENAME TO audit_log"));
	iffa_screener_free(s);
	iffa_db_free(db);
}

Test(screen_end_to_end, a_removed_entry_no_longer_matches)
{
	iffa_lists_import_result ir;
	iffa_screen_result r;
	iffa_screener *s;
	char ci[128];
	iffa_db *db = fresh(ci, sizeof(ci), "t_screen_e2e_removed", "lists/un-sample-v1.xml");

	cr_assert_eq(iffa_screener_new(&s, db, NULL), 0, "%s", iffa_error_last());
	screen_one(&r, s, "Bah Ag Moussa", NULL, NULL);
	cr_assert_eq(r.verdict, IFFA_SCREEN_MATCH);
	iffa_screen_result_dispose(&r);
	iffa_screener_free(s);
	cr_assert_eq(iffa_lists_import(&ir, db, testdb_resource("lists/un-sample-v2.xml"), NULL), 0);
	cr_assert_eq(iffa_screener_new(&s, db, NULL), 0, "%s", iffa_error_last());
	screen_one(&r, s, "Bah Ag Moussa", NULL, NULL);
	cr_assert_eq(r.verdict, IFFA_SCREEN_CLEAR, "QDi.424 left the list in version 2");
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM audit_log WHERE "
				       "(params->'lists'->0->>'version')::int = 2 AND "
				       "detail->>'verdict' = 'clear'"), 1);
	iffa_screen_result_dispose(&r);
	iffa_screener_free(s);
	iffa_db_free(db);
}

/* Run the built command; returns its exit code, output in `out`. */
static int run(char *out, size_t size, const char *fmt, ...)
{
	char cmd[2048];
	size_t n = 0;
	va_list ap;
	FILE *p;
	int status;

	n = (size_t)snprintf(cmd, sizeof(cmd), "%s ", testdb_iffa_bin());
	va_start(ap, fmt);
	vsnprintf(cmd + n, sizeof(cmd) - n, fmt, ap);
	va_end(ap);
	strncat(cmd, " 2>&1", sizeof(cmd) - strlen(cmd) - 1);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	n = fread(out, 1, size - 1, p);
	out[n] = '\0';
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

Test(screen_cli, import_screen_and_a_file_of_counterparties)
{
	char ci[128], out[16384], file[256];
	iffa_db *db = fresh(ci, sizeof(ci), "t_screen_cli", NULL);
	FILE *f;

	cr_assert_eq(run(out, sizeof(out), "--db '%s' lists import '%s'", ci,
			 testdb_resource("lists/un-bad-unclosed.xml")), 3, "%s", out);
	cr_assert(strstr(out, "iffa: lists import:") != NULL && strstr(out, ":9:") != NULL, "%s", out);
	cr_assert_eq(run(out, sizeof(out), "--db '%s' lists import '%s'", ci,
			 testdb_resource("lists/un-sample-v1.xml")), 0, "%s", out);
	cr_assert(strstr(out, "list UN: version 1, 5 entries: 5 added") != NULL, "%s", out);
	cr_assert_eq(run(out, sizeof(out), "--db '%s' lists versions", ci), 0, "%s", out);
	cr_assert(strstr(out, "UN v1") != NULL, "%s", out);

	cr_assert_eq(run(out, sizeof(out), "--db '%s' screen 'Iyad ag Ghaly' --country ML", ci), 0,
		     "%s", out);
	cr_assert(strstr(out, "Iyad ag Ghaly: match") != NULL, "%s", out);
	cr_assert(strstr(out, "UN QDi.316") != NULL, "%s", out);
	cr_assert(strstr(out, "exposure: not assessed") != NULL, "%s", out);
	cr_assert(strstr(out, "recorded as audit_log") != NULL, "%s", out);
	cr_assert_eq(run(out, sizeof(out), "--db '%s' screen 'Iyad' --dob 19581", ci), 3, "%s", out);
	cr_assert_eq(run(out, sizeof(out), "--db '%s' screen", ci), 2, "%s", out);

	snprintf(file, sizeof(file), "%s/t_screen_cli_counterparties.csv", IFFA_TEST_BINARY_DIR);
	f = fopen(file, "w");
	cr_assert_not_null(f);
	fputs("ref,name,country,dob\nC1,Hamadoun Koufa,ML,\nC2,\"Traoré, Awa\",BF,1985\n"
	      "C3,Jama'a Nusrat ul-Islam wa al-Muslimin,,\n", f);
	fclose(f);
	cr_assert_eq(run(out, sizeof(out), "--db '%s' screen --file '%s'", ci, file), 0, "%s", out);
	cr_assert(strstr(out, "line,ref,name,verdict,score,list,reference") != NULL, "%s", out);
	cr_assert(strstr(out, "2,C1,Hamadoun Koufa,match,1.0000,UN,QDi.425") != NULL, "%s", out);
	cr_assert(strstr(out, "3,C2,\"Traoré, Awa\",clear,") != NULL, "%s", out);
	cr_assert(strstr(out, "4,C3,") != NULL && strstr(out, "QDe.159") != NULL, "%s", out);
	cr_assert(strstr(out, "screened 3 counterparties: 2 match, 0 possible match, 1 clear") != NULL,
		  "%s", out);
	cr_assert_eq(run(out, sizeof(out), "--db '%s' --json screen --file '%s'", ci, file), 0, "%s",
		     out);
	cr_assert(strstr(out, "{\"line\":2,\"ref\":\"C1\",\"name\":\"Hamadoun Koufa\","
			      "\"verdict\":\"match\"") != NULL, "%s", out);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM audit_log WHERE command = 'screen'"), 7);
	remove(file);
	iffa_db_free(db);
}
