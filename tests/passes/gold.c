/*
 * The gold pass on hand-made lots loaded into a real database: a levied
 * chain from a site in an affected zone to a refinery, a collector selling
 * gold it never bought, and an exporter selling at a third of the price.
 *
 * Prices are 50,000 XOF per fine gram (fineness 0.9) except the cheap
 * export (15,000), so the median reference is 50,000.
 *
 *   lot  seller -> buyer    grams  XOF         when
 *   L1   SITE1  -> COLL       500  22,500,000  03-03  (site in Gao, levied)
 *   L2   COLL   -> COMP       500  22,500,000  03-05
 *   L3   COMP   -> EXP        500  22,500,000  03-08
 *   L4   EXP    -> REF        500  22,500,000  03-10
 *   L5   SITE2  -> GHOST      100   4,500,000  03-04  (Kéniéba, not affected)
 *   L6   GHOST  -> COMP      1000  45,000,000  03-12  900 g from nowhere
 *   L7   COMP   -> CHEAP     1000  45,000,000  03-14
 *   L8   CHEAP  -> REF       1000  13,500,000  03-16  30 % of the reference
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "passes/build.h"
#include "support/testdb.h"

static char dir[128];

static void write_file(const char *name, const char *content)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	cr_assert_not_null(f = fopen(path, "wb"));
	cr_assert_eq(fputs(content, f) >= 0, 1);
	cr_assert_eq(fclose(f), 0);
}

static void load(iffa_db *db, iffa_load_kind k, const char *name)
{
	iffa_load_options o = IFFA_LOAD_OPTIONS_INIT;
	iffa_load_result r;
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	iffa_load_result_init(&r);
	cr_assert_eq(iffa_load_file(&r, db, k, path, &o), 0, "%s: %s", name,
		     r.errors_count ? r.errors[0].message : iffa_error_last());
	iffa_load_result_dispose(&r);
}

static iffa_db *db;
static iffa_flowgraph *g;

static void setup(void)
{
	char ci[256], name[64];
	iffa_ingest_options io = IFFA_INGEST_OPTIONS_INIT;

	snprintf(dir, sizeof(dir), "/tmp/iffa-t-gold-%ld", (long)getpid());
	cr_assert_eq(mkdir(dir, 0700) == 0 || access(dir, W_OK) == 0, 1);
	write_file("party.csv",
		   "ref,kind,name,aliases,country,region,supplier,source\n"
		   "SITE1,mine_site,Site of Gao,,ML,Gao,ML,t\n"
		   "SITE2,mine_site,Site of Kéniéba,,ML,Kéniéba,ML,t\n"
		   "COLL,collector,Collector,,ML,Gao,ML,t\n"
		   "COMP,comptoir,Comptoir,,ML,Bamako,ML,t\n"
		   "EXP,exporter,Exporter,,ML,Bamako,ML,t\n"
		   "REF,refinery,Refinery,,AE,Dubai,ML,t\n"
		   "LEVY,person,Levy collector,,ML,Gao,ML,t\n"
		   "GHOST,collector,Ghost collector,,ML,Kayes,ML,t\n"
		   "CHEAP,exporter,Cheap exporter,,ML,Bamako,ML,t\n"
		   "TREAS,person,Treasurer,,ML,Gao,ML,t\n");
	write_file("account.csv", "ref,party_ref,kind,institution,country,supplier,source\n"
				  "A-COMP,COMP,bank,B,ML,ML,t\n"
				  "A-LEVY,LEVY,cash,,ML,ML,t\n"
				  "A-TREAS,TREAS,cash,,ML,ML,t\n");
	/* the levy taker passes 95 % on to the treasurer, and pays a small bill */
	write_file("transfer.csv", "source,source_ref,from_account,to_account,amount,currency,ts,"
				   "channel,purpose,supplier\n"
				   "t,T1,A-LEVY,A-TREAS,2137500,XOF,2025-03-06T10:00Z,cash,,ML\n"
				   "t,T2,A-LEVY,A-COMP,50000,XOF,2025-03-07T10:00Z,cash,,ML\n");
	write_file("gold_lot.csv",
		   "source,source_ref,origin_site,seller,buyer,grams,fineness,value,currency,"
		   "traded_at,from_country,to_country,supplier\n"
		   "t,L1,SITE1,SITE1,COLL,500,0.9,22500000,XOF,2025-03-03T10:00Z,ML,ML,ML\n"
		   "t,L2,SITE1,COLL,COMP,500,0.9,22500000,XOF,2025-03-05T10:00Z,ML,ML,ML\n"
		   "t,L3,SITE1,COMP,EXP,500,0.9,22500000,XOF,2025-03-08T10:00Z,ML,ML,ML\n"
		   "t,L4,SITE1,EXP,REF,500,0.9,22500000,XOF,2025-03-10T10:00Z,ML,AE,ML\n"
		   "t,L5,SITE2,SITE2,GHOST,100,0.9,4500000,XOF,2025-03-04T10:00Z,ML,ML,ML\n"
		   "t,L6,,GHOST,COMP,1000,0.9,45000000,XOF,2025-03-12T10:00Z,ML,ML,ML\n"
		   "t,L7,,COMP,CHEAP,1000,0.9,45000000,XOF,2025-03-14T10:00Z,ML,ML,ML\n"
		   "t,L8,,CHEAP,REF,1000,0.9,13500000,XOF,2025-03-16T10:00Z,ML,AE,ML\n");
	write_file("levy.csv", "source,source_ref,payer,collector,levy_kind,amount,currency,"
			       "levied_at,place,country,supplier\n"
			       "t,V1,SITE1,LEVY,mine_levy,2250000,XOF,2025-03-04T10:00Z,Gao,ML,ML\n");
	write_file("affected_zone.csv", "country,region,since,note\nML,Gao,2012-04-01,\n");
	snprintf(name, sizeof(name), "t_passes_gold_%ld", (long)getpid());
	testdb_fresh(ci, sizeof(ci), name, 1);
	db = testdb_connect(ci);
	load(db, IFFA_LOAD_PARTY, "party.csv");
	load(db, IFFA_LOAD_ACCOUNT, "account.csv");
	load(db, IFFA_LOAD_TRANSFER, "transfer.csv");
	load(db, IFFA_LOAD_GOLD_LOT, "gold_lot.csv");
	load(db, IFFA_LOAD_LEVY, "levy.csv");
	load(db, IFFA_LOAD_AFFECTED_ZONE, "affected_zone.csv");
	cr_assert_eq(iffa_ingest(&g, db, &io), 0, "%s", iffa_error_last());
}

static void teardown(void)
{
	char cmd[200];

	iffa_flowgraph_free(g);
	iffa_db_free(db);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

static igraph_integer_t vertex(const char *ref)
{
	char sql[128];
	igraph_integer_t v;

	snprintf(sql, sizeof(sql), "SELECT id FROM party WHERE ref = '%s'", ref);
	cr_assert_eq(iffa_flowgraph_find_vertex(&v, g, IFFA_KEY_PARTY(testdb_scalar(db, sql))), 0);
	return v;
}

/* The finding of `kind` about `ref`, or NULL. */
static const iffa_finding *about(const iffa_findings *f, const char *kind, const char *ref)
{
	igraph_integer_t v = vertex(ref);

	for (size_t i = 0; i < iffa_findings_count(f); i++) {
		const iffa_finding *fd = iffa_findings_get(f, i);
		if (strcmp(fd->kind, kind) == 0 && fd->subject == v)
			return fd;
	}
	return NULL;
}

static iffa_findings *run(const iffa_gold_params *p)
{
	iffa_findings *f;

	cr_assert_eq(iffa_findings_new(&f), 0);
	cr_assert_eq(iffa_pass_gold(f, g, db, p), 0, "%s", iffa_error_last());
	return f;
}

Test(passes_gold, gold_appearing_from_nowhere_is_a_mass_balance_finding, .init = setup,
     .fini = teardown)
{
	iffa_gold_params p = IFFA_GOLD_PARAMS_INIT;
	iffa_findings *f = run(NULL);
	const iffa_finding *fd;

	cr_assert_eq(count_kind(f, "gold_mass_balance"), 0, "off by default");
	iffa_findings_free(f);
	p.mass_balance = 1;
	f = run(&p);
	fd = about(f, "gold_mass_balance", "GHOST");
	cr_assert_not_null(fd);
	cr_assert(strstr(fd->reason, "sold 900 g more than it had bought") != NULL, "%s", fd->reason);
	cr_assert_eq(fd->nevidence, 1, "the lot it sold");
	cr_assert_eq(count_kind(f, "gold_mass_balance"), 1, "the balanced traders are not flagged");
	iffa_findings_free(f);
}

Test(passes_gold, selling_at_a_third_of_the_reference_is_under_invoicing, .init = setup,
     .fini = teardown)
{
	iffa_findings *f = run(NULL);
	const iffa_finding *fd = about(f, "gold_under_invoicing", "CHEAP");

	cr_assert_not_null(fd);
	cr_assert(strstr(fd->reason, "sold 900 fine g at 15000 XOF/g") != NULL, "%s", fd->reason);
	cr_assert(strstr(fd->reason, "30% of the reference 50000 XOF/g") != NULL, "%s", fd->reason);
	cr_assert(has_member(fd, vertex("REF")), "the buyer is named");
	/* the refinery bought at 26,667 XOF/g on average: under-invoiced too */
	cr_assert_not_null(about(f, "gold_under_invoicing", "REF"));
	cr_assert_null(about(f, "gold_under_invoicing", "COMP"));
	cr_assert_eq(count_kind(f, "gold_over_invoicing"), 0);
	iffa_findings_free(f);
}

Test(passes_gold, a_fixed_reference_price_moves_the_verdict, .init = setup, .fini = teardown)
{
	iffa_gold_params p = IFFA_GOLD_PARAMS_INIT;
	iffa_findings *f;

	p.reference_price = 20000; /* now 50,000 is over-invoicing, 15,000 within 30 % */
	f = run(&p);
	cr_assert_null(about(f, "gold_under_invoicing", "CHEAP"));
	cr_assert_not_null(about(f, "gold_over_invoicing", "COMP"));
	iffa_findings_free(f);
}

Test(passes_gold, gold_from_a_levied_site_names_the_site_the_levy_and_the_payers,
     .init = setup, .fini = teardown)
{
	iffa_findings *f = run(NULL);
	const iffa_finding *fd = about(f, "gold_levied_sourcing", "COLL");

	cr_assert_not_null(fd);
	cr_assert(has_member(fd, vertex("SITE1")));
	cr_assert(has_member(fd, vertex("LEVY")), "who took the levy");
	cr_assert(has_member(fd, vertex("COMP")), "who paid for the gold");
	cr_assert(has_member(fd, vertex("TREAS")), "who the levy went on to");
	cr_assert_eq(fd->nevidence, 4, "L1, L2, the levy and its onward transfer");
	cr_assert_not_null(about(f, "gold_levied_sourcing", "COMP")); /* a third of its grams */
	cr_assert_not_null(about(f, "gold_levied_sourcing", "EXP"));
	cr_assert_null(about(f, "gold_levied_sourcing", "CHEAP"));
	cr_assert_null(about(f, "gold_levied_sourcing", "GHOST"));
	iffa_findings_free(f);
}

Test(passes_gold, without_the_zone_the_site_is_not_levied_gold, .init = setup, .fini = teardown)
{
	iffa_ingest_options io = IFFA_INGEST_OPTIONS_INIT;
	iffa_findings *f;

	iffa_flowgraph_free(g);
	g = NULL;
	testdb_scalar(db, "WITH d AS (DELETE FROM affected_zone RETURNING 1) SELECT count(*) FROM d");
	cr_assert_eq(iffa_ingest(&g, db, &io), 0, "%s", iffa_error_last());
	f = run(NULL);
	cr_assert_eq(count_kind(f, "gold_levied_sourcing"), 0);
	iffa_findings_free(f);
}

Test(passes_gold, a_graph_without_gold_edges_and_bad_parameters_are_refused, .init = setup,
     .fini = teardown)
{
	iffa_ingest_options io = IFFA_INGEST_OPTIONS_INIT;
	iffa_gold_params p = IFFA_GOLD_PARAMS_INIT;
	iffa_findings *f;

	cr_assert_eq(iffa_findings_new(&f), 0);
	p.price_tolerance = 0;
	cr_assert_eq(iffa_pass_gold(f, g, db, &p), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "price_tolerance") != NULL);
	iffa_flowgraph_free(g);
	g = NULL;
	io.kinds = 1u << IFFA_KIND_TRANSFER;
	cr_assert_eq(iffa_ingest(&g, db, &io), 0, "%s", iffa_error_last());
	cr_assert_eq(iffa_pass_gold(f, g, db, NULL), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "no gold edges") != NULL, "%s", iffa_error_last());
	cr_assert_eq(iffa_findings_count(f), 0);
	iffa_findings_free(f);
}

Test(passes_gold, lots_loaded_after_the_ingest_are_not_read_in_its_snapshot, .init = setup,
     .fini = teardown)
{
	iffa_ingest_options io = IFFA_INGEST_OPTIONS_INIT;
	iffa_findings *f = NULL;
	iffa_db *other;
	char ci[256];
	size_t n;

	/* the analysis reads the graph and keeps its snapshot open */
	iffa_flowgraph_free(g);
	g = NULL;
	io.keep_snapshot = 1;
	cr_assert_eq(iffa_ingest(&g, db, &io), 0, "%s", iffa_error_last());
	cr_assert_eq(PQtransactionStatus(iffa_db_conn(db)), PQTRANS_INTRANS);

	/* meanwhile a load commits a new trader and a lot of its own */
	snprintf(ci, sizeof(ci), "dbname=%s", PQdb(iffa_db_conn(db)));
	other = testdb_connect(ci);
	write_file("party2.csv", "ref,kind,name,aliases,country,region,supplier,source\n"
				 "NEWC,collector,New collector,,ML,Gao,ML,t\n");
	write_file("gold2.csv",
		   "source,source_ref,origin_site,seller,buyer,grams,fineness,value,currency,"
		   "traded_at,from_country,to_country,supplier\n"
		   "t,L9,SITE1,NEWC,REF,700,0.9,31500000,XOF,2025-03-20T10:00Z,ML,AE,ML\n");
	load(other, IFFA_LOAD_PARTY, "party2.csv");
	load(other, IFFA_LOAD_GOLD_LOT, "gold2.csv");
	iffa_db_free(other);

	/* the pass reads the lots the graph was read with, not L9 */
	cr_assert_eq(iffa_findings_new(&f), 0);
	cr_assert_eq(iffa_pass_gold(f, g, db, NULL), 0, "%s", iffa_error_last());
	n = iffa_findings_count(f);
	cr_assert_gt(n, 0);
	iffa_findings_free(f);
	{
		PGresult *res = PQexec(iffa_db_conn(db), "COMMIT");
		ExecStatusType st = PQresultStatus(res);
		PQclear(res);
		cr_assert_eq(st, PGRES_COMMAND_OK);
	}

	/* outside the snapshot the same graph meets a lot it does not hold */
	cr_assert_eq(iffa_findings_new(&f), 0);
	cr_assert_eq(iffa_pass_gold(f, g, db, NULL), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "not in the") != NULL, "%s", iffa_error_last());
	iffa_findings_free(f);
}
