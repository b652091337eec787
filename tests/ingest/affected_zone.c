/*
 * Affected zones loaded with `iffa load affected_zone` reach the flow
 * graph: the ingest flags every vertex of a party whose (country, region)
 * is a zone, and no other.
 */
#include <criterion/criterion.h>
#include <stdio.h>

#include "support/testdb.h"

static void load(iffa_db *db, iffa_load_kind k, const char *file)
{
	iffa_load_options o = IFFA_LOAD_OPTIONS_INIT;
	iffa_load_result r;
	char path[1024];

	snprintf(path, sizeof(path), "%s", testdb_resource(file));
	iffa_load_result_init(&r);
	cr_assert_eq(iffa_load_file(&r, db, k, path, &o), 0, "%s: %s", file,
		     r.errors_count ? r.errors[0].message : iffa_error_last());
	iffa_load_result_dispose(&r);
}

static unsigned flags_of(iffa_db *db, const iffa_flowgraph *g, const char *ref)
{
	char sql[256];
	igraph_integer_t v;
	long long id;

	snprintf(sql, sizeof(sql), "SELECT id FROM party WHERE ref = '%s'", ref);
	id = testdb_scalar(db, sql);
	cr_assert_eq(iffa_flowgraph_find_vertex(&v, g, IFFA_KEY_PARTY(id)), 0, "%s", ref);
	return iffa_flowgraph_vertex_flags(g, v);
}

Test(ingest_affected_zone, loaded_zones_flag_the_parties_in_them)
{
	char ci[256];
	iffa_db *db;
	iffa_flowgraph *g = NULL;
	iffa_ingest_options io = IFFA_INGEST_OPTIONS_INIT;

	testdb_fresh(ci, sizeof(ci), "t_ingest_affected_zone", 1);
	db = testdb_connect(ci);
	load(db, IFFA_LOAD_PARTY, "load/party.csv");
	load(db, IFFA_LOAD_ACCOUNT, "load/account.csv");
	load(db, IFFA_LOAD_AFFECTED_ZONE, "load/affected_zone.csv");
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM affected_zone WHERE load_id IS NOT NULL"),
		     3);
	/* loading again adds nothing */
	load(db, IFFA_LOAD_AFFECTED_ZONE, "load/affected_zone.csv");
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM affected_zone"), 3);
	cr_assert_eq(iffa_ingest(&g, db, &io), 0, "%s", iffa_error_last());
	/* Mopti and Kayes (ML) are zones; Bamako, Dakar, Centre (BF) are not */
	cr_assert(flags_of(db, g, "P-COLL-01") & IFFA_VERTEX_AFFECTED_ZONE);
	cr_assert(flags_of(db, g, "P-AG-01") & IFFA_VERTEX_AFFECTED_ZONE);
	cr_assert(flags_of(db, g, "P-KAYES-VIL-01") & IFFA_VERTEX_AFFECTED_ZONE);
	cr_assert_not(flags_of(db, g, "P-PERS-01") & IFFA_VERTEX_AFFECTED_ZONE);
	cr_assert_not(flags_of(db, g, "P-PERS-02") & IFFA_VERTEX_AFFECTED_ZONE);
	cr_assert_not(flags_of(db, g, "P-COMP-01") & IFFA_VERTEX_AFFECTED_ZONE);
	iffa_flowgraph_free(g);
	iffa_db_free(db);
}
