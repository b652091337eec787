/*
 * Importing lists into the real server: the full UN file, versions with
 * entries added, changed, removed and listed again, the same file twice,
 * an older file, and malformed files that must change nothing.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "support/testdb.h"

static char path[1024];

static const char *res(const char *name)
{
	snprintf(path, sizeof(path), "%s", testdb_resource(name));
	return path;
}

static long long rows(iffa_db *db)
{
	return testdb_scalar(db, "SELECT (SELECT count(*) FROM sanctions_list) + "
				 "(SELECT count(*) FROM list_version) + (SELECT count(*) FROM list_entry) + "
				 "(SELECT count(*) FROM list_entry_name) + (SELECT count(*) FROM list_change)");
}

Test(lists_import, the_full_un_list_with_jnim_and_its_names)
{
	iffa_lists_import_result r;
	char ci[128];
	iffa_db *db;

	testdb_fresh(ci, sizeof(ci), "t_lists_full", 1);
	db = testdb_connect(ci);
	cr_assert_eq(iffa_lists_import(&r, db, res("lists/un-sc-consolidated-list-2020-11-30.xml"),
				       NULL), 0, "%s", iffa_error_last());
	cr_assert_str_eq(r.list, "UN");
	cr_assert_eq(r.seq, 1);
	cr_assert_eq(r.entries, 1018);
	cr_assert_eq(r.added, 1018);
	cr_assert_eq(r.unresolved, 2, "'USSR (until 1991)' and 'na'; got %zu", r.unresolved);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM list_entry WHERE removed_in IS NULL"), 1018);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM list_entry WHERE entry_kind = 'individual'"), 713);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM list_change WHERE change = 'added'"), 1018);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM list_entry WHERE reference = 'QDe.159' "
				       "AND name = 'JAMA''A NUSRAT UL-ISLAM WA AL-MUSLIMIN (JNIM)' "
				       "AND listed_on = '2018-10-04' AND entry_kind = 'entity'"), 1);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM list_entry_name n JOIN list_entry e "
				       "ON e.id = n.entry_id WHERE e.reference = 'QDe.159'"), 2);
	/* Koufa: six aliases; Iyad Ag Ghali: Malian, born 1958. */
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM list_entry_name n JOIN list_entry e "
				       "ON e.id = n.entry_id WHERE e.reference = 'QDi.425' "
				       "AND n.kind = 'alias' AND n.quality = 'good'"), 6);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM list_entry_country c JOIN list_entry e "
				       "ON e.id = c.entry_id WHERE e.reference = 'QDi.316' "
				       "AND c.role = 'nationality' AND c.country = 'ML'"), 1);
	cr_assert_eq(testdb_scalar(db, "SELECT min(from_year) FROM list_entry_dob d JOIN list_entry e "
				       "ON e.id = d.entry_id WHERE e.reference = 'QDi.316'"), 1958);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM list_version WHERE published_at = "
				       "'2020-11-30T20:31:19.923-05:00' AND os_user IS NOT NULL"), 1);

	/* The same file again records nothing. */
	cr_assert_eq(iffa_lists_import(&r, db, res("lists/un-sc-consolidated-list-2020-11-30.xml"),
				       NULL), 0, "%s", iffa_error_last());
	cr_assert_eq(r.version_id, 0);
	cr_assert_eq(r.seq, 1);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM list_version"), 1);
	iffa_db_free(db);
}

Test(lists_import, a_new_version_records_added_changed_removed_and_relisted)
{
	iffa_lists_import_result r;
	char ci[128];
	iffa_db *db;

	testdb_fresh(ci, sizeof(ci), "t_lists_versions", 1);
	db = testdb_connect(ci);
	cr_assert_eq(iffa_lists_import(&r, db, res("lists/un-sample-v1.xml"), NULL), 0, "%s",
		     iffa_error_last());
	cr_assert_eq(r.added, 5);

	/* v2: QDi.424 gone, QDi.425 has one more alias, QDe.141 new. */
	cr_assert_eq(iffa_lists_import(&r, db, res("lists/un-sample-v2.xml"), NULL), 0, "%s",
		     iffa_error_last());
	cr_assert_eq(r.seq, 2);
	cr_assert_eq(r.added, 1);
	cr_assert_eq(r.changed, 1);
	cr_assert_eq(r.removed, 1);
	cr_assert_eq(r.unchanged, 3);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM list_change c JOIN list_entry e ON "
				       "e.id = c.entry_id JOIN list_version v ON v.id = c.version_id "
				       "WHERE v.seq = 2 AND ((e.reference = 'QDe.141' AND c.change = 'added') "
				       "OR (e.reference = 'QDi.425' AND c.change = 'changed') "
				       "OR (e.reference = 'QDi.424' AND c.change = 'removed'))"), 3);
	/* The change keeps both states: the alias only after. */
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM list_change c JOIN list_entry e ON "
				       "e.id = c.entry_id WHERE e.reference = 'QDi.425' AND c.change = "
				       "'changed' AND NOT c.before::text LIKE '%Hamadou Kouffa%' "
				       "AND c.after::text LIKE '%Hamadou Kouffa%'"), 1);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM list_entry_name n JOIN list_entry e ON "
				       "e.id = n.entry_id WHERE e.reference = 'QDi.425'"), 4);
	/* Removed: kept, marked, its last content in the change. */
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM list_entry e JOIN list_version v ON "
				       "v.id = e.removed_in WHERE e.reference = 'QDi.424' AND v.seq = 2"), 1);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM list_change WHERE change = 'removed' "
				       "AND before->>'reference' = 'QDi.424' AND after IS NULL"), 1);

	/* v1 again: older than v2, refused, nothing changes. */
	{
		long long before = rows(db);
		cr_assert_eq(iffa_lists_import(&r, db, res("lists/un-sample-v1.xml"), NULL), IFFA_EINVAL);
		cr_assert(strstr(iffa_error_last(), "older than version 2") != NULL, "%s",
			  iffa_error_last());
		cr_assert_eq(rows(db), before);
	}

	/* v3: QDi.424 back on the list. */
	cr_assert_eq(iffa_lists_import(&r, db, res("lists/un-sample-v3.xml"), NULL), 0, "%s",
		     iffa_error_last());
	cr_assert_eq(r.seq, 3);
	cr_assert_eq(r.restored, 1);
	cr_assert_eq(r.added + r.changed + r.removed, 0);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM list_entry WHERE reference = 'QDi.424' "
				       "AND removed_in IS NULL"), 1);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM list_change WHERE change = 'restored'"), 1);
	cr_assert_eq(testdb_scalar(db, "SELECT restored FROM list_version WHERE seq = 3"), 1);
	iffa_db_free(db);
}

/* A refused file leaves every list table as it was. */
static void refused_whole(iffa_db *db, const char *file, const char *list, const char *needle)
{
	iffa_lists_import_options opts = IFFA_LISTS_IMPORT_OPTIONS_INIT;
	iffa_lists_import_result r;
	long long before = rows(db);
	int error;

	opts.list = list;
	error = iffa_lists_import(&r, db, res(file), &opts);
	cr_assert(error == IFFA_EINVAL || error == IFFA_EDB, "%s: %d %s", file, error,
		  iffa_error_last());
	cr_assert(strstr(iffa_error_last(), needle) != NULL, "%s: '%s' not in: %s", file, needle,
		  iffa_error_last());
	cr_assert_eq(rows(db), before, "%s half-imported", file);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM pg_stat_activity WHERE datname = "
				       "current_database() AND state LIKE 'idle in transaction%'"), 0);
}

Test(lists_import, malformed_files_change_nothing)
{
	iffa_lists_import_result r;
	char ci[128];
	iffa_db *db;

	testdb_fresh(ci, sizeof(ci), "t_lists_malformed", 1);
	db = testdb_connect(ci);
	cr_assert_eq(iffa_lists_import(&r, db, res("lists/un-sample-v1.xml"), NULL), 0, "%s",
		     iffa_error_last());
	refused_whole(db, "lists/un-bad-unclosed.xml", NULL, ":9:");
	refused_whole(db, "lists/un-bad-noref.xml", NULL, ":4:");
	refused_whole(db, "lists/un-bad-dob.xml", NULL, "1958-13-45");
	refused_whole(db, "lists/un-bad-truncated.xml", NULL, "malformed XML");
	refused_whole(db, "lists/un-bad-duplicate.xml", NULL, "QDi.316 already used");
	refused_whole(db, "lists/un-xxe.xml", NULL, "DOCTYPE");
	refused_whole(db, "lists/un-billion-laughs.xml", NULL, "DOCTYPE");
	refused_whole(db, "lists/un-deep.xml", NULL, "nested deeper");
	refused_whole(db, "lists/ftm-bad.jsonl", "OpenSanctions", ":3:");
	refused_whole(db, "lists/national-bad.csv", "ML-national", ":3:");
	/* Fails inside the transaction (the date is the server's to refuse),
	 * after the list row was written: rolled back whole. */
	refused_whole(db, "lists/un-bad-date.xml", "UN-other", "not-a-date");
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM sanctions_list"), 1);
	/* The list itself is untouched and still at version 1. */
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM list_entry WHERE removed_in IS NULL"), 5);
	cr_assert_eq(testdb_scalar(db, "SELECT max(seq) FROM list_version"), 1);
	iffa_db_free(db);
}

Test(lists_import, ftm_and_csv_lists_import_under_their_names)
{
	iffa_lists_import_options opts = IFFA_LISTS_IMPORT_OPTIONS_INIT;
	iffa_lists_import_result r;
	char ci[128];
	iffa_db *db;

	testdb_fresh(ci, sizeof(ci), "t_lists_formats", 1);
	db = testdb_connect(ci);
	cr_assert_eq(iffa_lists_import(&r, db, res("lists/ftm-sample.jsonl"), NULL), 0, "%s",
		     iffa_error_last());
	cr_assert_str_eq(r.list, "OpenSanctions");
	cr_assert_eq(r.entries, 3);
	cr_assert_eq(r.skipped, 4);
	cr_assert_eq(r.unresolved, 1, "suhh");
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM list_entry WHERE reference = "
				       "'NK-iffa-jnim' AND listed_on = '2018-10-04'"), 1);

	/* A CSV list needs a name. */
	cr_assert_eq(iffa_lists_import(&r, db, res("lists/national-sample.csv"), NULL), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "--list") != NULL);
	opts.list = "ML-national";
	cr_assert_eq(iffa_lists_import(&r, db, res("lists/national-sample.csv"), &opts), 0, "%s",
		     iffa_error_last());
	cr_assert_eq(r.added, 3);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM list_entry_country c JOIN list_entry e "
				       "ON e.id = c.entry_id WHERE e.reference = 'ML-2021-003' "
				       "AND c.country IN ('ML', 'NE')"), 3);
	/* A list keeps its format: a UN file under the CSV list's name is refused. */
	cr_assert_eq(iffa_lists_import(&r, db, res("lists/un-sample-v1.xml"), &opts), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "imported from csv") != NULL, "%s", iffa_error_last());
	/* designation_status ties a designation to its entry. */
	cr_assert_eq(testdb_scalar(db, "WITH d AS (INSERT INTO designation (list_name, reference, "
				       "entry_kind, name, source) VALUES ('ML-national', 'ML-2021-001', "
				       "'individual', 'Ousmane Ag Rhissa', 'test') RETURNING 1) "
				       "SELECT count(*) FROM d"), 1);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM designation_status WHERE status = 'listed' "
				       "AND list_entry_id IS NOT NULL"), 1);
	iffa_db_free(db);
}
