/*
 * A small hand-built case for the export and report tests: five parties
 * with hostile names (a spreadsheet formula, closing XML tags and a
 * script, a DOT attribute break-out, a tab and a line break), one account
 * each, six transfers in July 2026, a designation, and one analysis run
 * (clusters, exposure) over them, in a fresh database.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/exportfix.h"
#include "support/testdb.h"

const char exportfix_hyperlink[] = "=HYPERLINK(\"http://evil.example/\",\"click\")";
const char exportfix_script[] = "</node><script>alert(1)</script> & <data key=\"name\">";
const char exportfix_dotbreak[] = "\"]; evil [label=\"pwned\"] \\";

static void put(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	cr_assert_not_null(f = fopen(path, "w"));
	fputs(text, f);
	cr_assert_eq(fclose(f), 0);
}

static void load(iffa_db *db, const char *dir, iffa_load_kind kind, const char *name)
{
	iffa_load_options lo = IFFA_LOAD_OPTIONS_INIT;
	iffa_load_result lr;
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	iffa_load_result_init(&lr);
	cr_assert_eq(iffa_load_file(&lr, db, kind, path, &lo), 0, "%s: %s", name, iffa_error_last());
	iffa_load_result_dispose(&lr);
}

iffa_db *exportfix_load(char *dir, size_t dirsize, char *ci, size_t cisize, const char *name)
{
	char csv[4096];
	iffa_analysis *a;
	iffa_db *db;
	int64_t run;

	iffa_init();
	snprintf(dir, dirsize, "/tmp/iffa-t-export-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	testdb_fresh(ci, cisize, name, 1);
	db = testdb_connect(ci);
	snprintf(csv, sizeof(csv),
		 "ref,kind,name,aliases,country,region,supplier,source\n"
		 "P1,armed_group,\"=HYPERLINK(\"\"http://evil.example/\"\",\"\"click\"\")\",,ML,Mopti,ML,t\n"
		 "P2,person,\"</node><script>alert(1)</script> & <data key=\"\"name\"\">\",,ML,,ML,t\n"
		 "P3,company,\"\"\"]; evil [label=\"\"pwned\"\"] \\\",,SN,,SN,t\n"
		 "P4,person,\"Tab\tand\nnewline é\",,BF,,BF,t\n"
		 "P5,person,Far Away,,NE,,NE,t\n");
	put(dir, "party.csv", csv);
	put(dir, "account.csv", "ref,party_ref,kind,institution,country,supplier,source\n"
			   "A1,P1,cash,,ML,ML,t\n"
			   "A2,P2,mobile_money,@SUM(1+1),ML,ML,t\n"
			   "A3,P3,bank,Banque <b>,SN,SN,t\n"
			   "A4,P4,bank,,BF,BF,t\n"
			   "-A5,P5,bank,,NE,NE,t\n");
	put(dir, "transfer.csv", "source,source_ref,from_account,to_account,amount,currency,ts,channel,purpose,supplier\n"
			    "t,T1,A1,A2,1000000,XOF,2026-07-01T10:00:00Z,cash,,ML\n"
			    "t,T2,A1,A2,500000,XOF,2026-07-05T10:00:00Z,cash,,ML\n"
			    "t,T3,A2,A3,1400000,XOF,2026-07-06T10:00:00Z,bank,,ML\n"
			    "t,T4,A3,A4,700000,XOF,2026-07-08T10:00:00Z,bank,,SN\n"
			    "t,T5,A4,-A5,600000,XOF,2026-07-09T10:00:00Z,bank,,BF\n"
			    "t,T6,A2,A1,100,XOF,2026-07-10T10:00:00Z,mobile_money,,ML\n");
	put(dir, "designation.csv", "list_name,reference,entry_kind,name,aliases,listed_on,party_ref,source\n"
			       "UN,QDe.999,entity,Test group,,,P1,t\n");
	load(db, dir, IFFA_LOAD_PARTY, "party.csv");
	load(db, dir, IFFA_LOAD_ACCOUNT, "account.csv");
	load(db, dir, IFFA_LOAD_TRANSFER, "transfer.csv");
	load(db, dir, IFFA_LOAD_DESIGNATION, "designation.csv");
	cr_assert_eq(iffa_analysis_new(&a), 0);
	cr_assert_eq(iffa_analysis_select(a, "clusters,exposure"), 0, "%s", iffa_error_last());
	cr_assert_eq(iffa_analyse(&run, db, a, NULL), 0, "%s", iffa_error_last());
	iffa_analysis_free(a);
	return db;
}
