/*
 * iffa_ingest on the real server: known rows inserted by SQL (fixture.h),
 * read into a flow graph, and the graph compared with what SQL counts.
 */
#include <criterion/criterion.h>
#include <libpq-fe.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/fixture.h"
#include "support/testdb.h"

static const char *const channel_sql[IFFA_CHANNEL_NONE] = {"bank", "mobile_money", "hawala",
							     "cash", "crypto"};

/* The edge of a kept-parallel graph made from record `id` of `kind` (first one). */
static igraph_integer_t edge_of(const iffa_flowgraph *g, iffa_record_kind kind, int64_t id)
{
	for (igraph_integer_t e = 0; e < iffa_flowgraph_edge_count(g); e++)
		if (iffa_flowgraph_edge_kind(g, e) == kind && iffa_flowgraph_edge_record(g, e) == id)
			return e;
	cr_assert_fail("no %s edge for record %lld", iffa_record_kind_name(kind), (long long)id);
	return -1;
}

static igraph_integer_t vertex(const iffa_flowgraph *g, int64_t key)
{
	igraph_integer_t v = -1;

	cr_assert_eq(iffa_flowgraph_find_vertex(&v, g, key), 0, "%s", iffa_error_last());
	return v;
}

static void endpoints(const iffa_flowgraph *g, igraph_integer_t e, igraph_integer_t *from,
		      igraph_integer_t *to)
{
	cr_assert_eq(igraph_edge(iffa_flowgraph_igraph(g), e, from, to), IGRAPH_SUCCESS);
}

static void assert_close(double got, double want, const char *what)
{
	cr_assert(fabs(got - want) <= 1e-9 * fmax(1, fabs(want)), "%s: %.6f, SQL says %.6f", what,
		  got, want);
}

Test(ingest_db, transfers_match_what_sql_counts)
{
	iffa_db *db = fixture_fresh("t_ingest_counts");
	iffa_ingest_options o = IFFA_INGEST_OPTIONS_INIT;
	iffa_flowgraph *g;
	iffa_summary s;
	char sql[1024];

	o.kinds = 1u << IFFA_KIND_TRANSFER;
	g = fixture_ingest(db, &o);
	cr_assert_eq(iffa_flowgraph_vertex_count(g),
		     testdb_scalar(db, "SELECT (SELECT count(*) FROM account) + (SELECT count(*) "
				       "FROM party p WHERE NOT EXISTS (SELECT 1 FROM account a "
				       "WHERE a.party_id = p.id))"));
	cr_assert_eq(iffa_flowgraph_vertex_count(g), 105);
	cr_assert_eq(iffa_flowgraph_edge_count(g),
		     testdb_scalar(db, "SELECT count(*) FROM (SELECT DISTINCT from_account, "
				       "to_account, channel FROM transfer) d"));
	cr_assert_eq(iffa_flowgraph_record_count(g, IFFA_KIND_TRANSFER), 3000);
	assert_close(iffa_flowgraph_record_amount(g, IFFA_KIND_TRANSFER),
		     fixture_double(db, "SELECT sum(" FIXTURE_TRANSFER_XOF ") FROM transfer t"),
		     "transfer XOF");
	cr_assert_eq(iffa_summary_compute(&s, g, 5), 0, "%s", iffa_error_last());
	for (int c = 0; c < IFFA_CHANNEL_NONE; c++) {
		snprintf(sql, sizeof(sql), "SELECT sum(" FIXTURE_TRANSFER_XOF ") FROM transfer t "
			 "WHERE channel = '%s'", channel_sql[c]);
		assert_close(s.by_channel[c].amount, fixture_double(db, sql), channel_sql[c]);
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM transfer WHERE channel = '%s'",
			 channel_sql[c]);
		cr_assert_eq(s.by_channel[c].flows, testdb_scalar(db, sql), "%s", channel_sql[c]);
		cr_assert_gt(s.by_channel[c].flows, 0);
	}
	cr_assert_eq(s.by_channel[IFFA_CHANNEL_NONE].edges, 0);
	iffa_summary_dispose(&s);
	iffa_flowgraph_free(g);

	/* Kept parallel: one edge per transfer. */
	o.keep_parallel = 1;
	g = fixture_ingest(db, &o);
	cr_assert_eq(iffa_flowgraph_edge_count(g), 3000);
	iffa_flowgraph_free(g);
	iffa_db_free(db);
}

Test(ingest_db, a_transfer_edge_carries_its_record)
{
	iffa_db *db = fixture_fresh("t_ingest_record");
	iffa_ingest_options o = IFFA_INGEST_OPTIONS_INIT;
	iffa_flowgraph *g;
	igraph_integer_t e, from, to;
	int64_t id;

	o.keep_parallel = 1;
	g = fixture_ingest(db, &o);
	/* T10: from 1 + 70 = 71, to 1 + 135 % 100 = 36, 20.25 EUR, bank (10 % 7 % 5 = 3 -> cash). */
	id = testdb_scalar(db, "SELECT id FROM transfer WHERE source_ref = 'T10'");
	e = edge_of(g, IFFA_KIND_TRANSFER, id);
	endpoints(g, e, &from, &to);
	cr_assert_eq(iffa_flowgraph_vertex_key(g, from), IFFA_KEY_ACCOUNT(71));
	cr_assert_eq(iffa_flowgraph_vertex_key(g, to), IFFA_KEY_ACCOUNT(36));
	assert_close(iffa_flowgraph_edge_amount(g, e), 20.25 * 655.957, "T10 XOF");
	cr_assert_eq(iffa_flowgraph_edge_channel(g, e), IFFA_CHANNEL_CASH);
	cr_assert_eq(iffa_flowgraph_edge_flows(g, e), 1);
	cr_assert_eq(iffa_flowgraph_edge_first(g, e),
		     testdb_scalar(db, "SELECT (extract(epoch FROM ts) * 1000000)::bigint FROM "
				       "transfer WHERE source_ref = 'T10'"));
	cr_assert_eq(iffa_flowgraph_edge_last(g, e), iffa_flowgraph_edge_first(g, e));
	/* 2026-01-01 + 370 minutes = 06:10 UTC. */
	cr_assert_eq(iffa_flowgraph_edge_first(g, e), INT64_C(1767247800000000));
	iffa_flowgraph_free(g);
	iffa_db_free(db);
}

Test(ingest_db, vertices_carry_kind_country_owner_and_flags)
{
	iffa_db *db = fixture_fresh("t_ingest_flags");
	iffa_flowgraph *g = fixture_ingest(db, NULL);
	igraph_integer_t v;

	/* Account 25: party 1's lowest account (armed group), hence primary. */
	v = vertex(g, IFFA_KEY_ACCOUNT(25));
	cr_assert_eq(iffa_flowgraph_vertex_is_party(g, v), 0);
	cr_assert_eq(iffa_flowgraph_vertex_party(g, v), 1);
	cr_assert_eq(iffa_flowgraph_vertex_kind(g, v), IFFA_ACCOUNT_BANK);
	cr_assert_str_eq(iffa_flowgraph_vertex_country(g, v), "ML"); /* [1 + (25 / 3) % 4] = [1] */
	cr_assert_eq(iffa_flowgraph_vertex_flags(g, v), IFFA_VERTEX_ARMED_GROUP | IFFA_VERTEX_PRIMARY);
	cr_assert_eq(vertex(g, IFFA_KEY_PARTY(1)), v);
	/* Account 50, also party 1's, is not primary. */
	cr_assert_eq(iffa_flowgraph_vertex_flags(g, vertex(g, IFFA_KEY_ACCOUNT(50))),
		     IFFA_VERTEX_ARMED_GROUP);
	/* Party 2 (designated) owns 1, 26, 51. */
	cr_assert_eq(iffa_flowgraph_vertex_flags(g, vertex(g, IFFA_KEY_ACCOUNT(26))),
		     IFFA_VERTEX_DESIGNATED);
	cr_assert_eq(vertex(g, IFFA_KEY_PARTY(2)), vertex(g, IFFA_KEY_ACCOUNT(1)));
	/* Party 3 (ML, Kayes) owns 2, 27, 52. */
	cr_assert_eq(iffa_flowgraph_vertex_flags(g, vertex(g, IFFA_KEY_ACCOUNT(27))),
		     IFFA_VERTEX_AFFECTED_ZONE);
	/* Account 80 has no owner. */
	v = vertex(g, IFFA_KEY_ACCOUNT(80));
	cr_assert_eq(iffa_flowgraph_vertex_party(g, v), -1);
	cr_assert_eq(iffa_flowgraph_vertex_flags(g, v), 0);
	/* Party 26, a village without account, is its own vertex. */
	v = vertex(g, IFFA_KEY_PARTY(26));
	cr_assert_eq(iffa_flowgraph_vertex_is_party(g, v), 1);
	cr_assert_eq(iffa_flowgraph_vertex_db_id(g, v), 26);
	cr_assert_eq(iffa_flowgraph_vertex_kind(g, v), IFFA_PARTY_VILLAGE);
	cr_assert_str_eq(iffa_flowgraph_vertex_country(g, v), "BF"); /* 1 + 26 % 4 = 3 */
	/* Vertex ids follow database keys. */
	for (igraph_integer_t i = 1; i < iffa_flowgraph_vertex_count(g); i++)
		cr_assert_lt(iffa_flowgraph_vertex_key(g, i - 1), iffa_flowgraph_vertex_key(g, i));
	iffa_flowgraph_free(g);
	iffa_db_free(db);
}

Test(ingest_db, ransom_legs_make_the_chain_of_edges_in_seq_order)
{
	iffa_db *db = fixture_fresh("t_ingest_ransom");
	iffa_ingest_options o = IFFA_INGEST_OPTIONS_INIT;
	iffa_flowgraph *g;
	/* 26 (village, own vertex) -> 11 (account 10) -> 12 (account 11) -> 1 (account 25). */
	const int64_t chain[] = {IFFA_KEY_PARTY(26), IFFA_KEY_ACCOUNT(10), IFFA_KEY_ACCOUNT(11),
				 IFFA_KEY_ACCOUNT(25)};
	int seen[3] = {0, 0, 0};

	o.kinds = 1u << IFFA_KIND_RANSOM;
	o.keep_parallel = 1;
	g = fixture_ingest(db, &o);
	cr_assert_eq(iffa_flowgraph_edge_count(g), 4); /* 3 hops of ransom 1, 1 of ransom 2 */
	cr_assert_eq(iffa_flowgraph_record_count(g, IFFA_KIND_RANSOM), 2);
	assert_close(iffa_flowgraph_record_amount(g, IFFA_KIND_RANSOM), 1000000 + 2000 * 655.957,
		     "ransom XOF");
	for (igraph_integer_t e = 0; e < 4; e++) {
		igraph_integer_t from, to;

		endpoints(g, e, &from, &to);
		cr_assert_eq(iffa_flowgraph_edge_kind(g, e), IFFA_KIND_RANSOM);
		cr_assert_eq(iffa_flowgraph_edge_channel(g, e), IFFA_CHANNEL_NONE);
		if (iffa_flowgraph_edge_record(g, e) == 2) {
			cr_assert_eq(iffa_flowgraph_vertex_key(g, from), IFFA_KEY_PARTY(27));
			cr_assert_eq(iffa_flowgraph_vertex_key(g, to), IFFA_KEY_ACCOUNT(25));
			assert_close(iffa_flowgraph_edge_amount(g, e), 2000 * 655.957, "ransom 2");
			continue;
		}
		cr_assert_eq(iffa_flowgraph_edge_record(g, e), 1);
		assert_close(iffa_flowgraph_edge_amount(g, e), 1000000, "ransom 1 hop");
		for (int h = 0; h < 3; h++)
			if (iffa_flowgraph_vertex_key(g, from) == chain[h] &&
			    iffa_flowgraph_vertex_key(g, to) == chain[h + 1])
				seen[h]++;
	}
	cr_assert(seen[0] == 1 && seen[1] == 1 && seen[2] == 1, "hops seen %d %d %d", seen[0],
		  seen[1], seen[2]);
	iffa_flowgraph_free(g);
	iffa_db_free(db);
}

Test(ingest_db, gold_money_goes_buyer_to_seller_and_levies_payer_to_collector)
{
	iffa_db *db = fixture_fresh("t_ingest_gold_levy");
	iffa_ingest_options o = IFFA_INGEST_OPTIONS_INIT;
	iffa_flowgraph *g;
	igraph_integer_t e, from, to;

	o.kinds = 1u << IFFA_KIND_GOLD | 1u << IFFA_KIND_LEVY;
	g = fixture_ingest(db, &o);
	cr_assert_eq(iffa_flowgraph_edge_count(g), 2);
	e = edge_of(g, IFFA_KIND_GOLD, 1);
	endpoints(g, e, &from, &to);
	cr_assert_eq(from, vertex(g, IFFA_KEY_PARTY(5)));
	cr_assert_eq(iffa_flowgraph_vertex_key(g, from), IFFA_KEY_ACCOUNT(4)); /* 5's lowest account */
	cr_assert_eq(iffa_flowgraph_vertex_key(g, to), IFFA_KEY_PARTY(29));
	assert_close(iffa_flowgraph_edge_amount(g, e), 300000, "gold value");
	e = edge_of(g, IFFA_KIND_LEVY, 1);
	endpoints(g, e, &from, &to);
	cr_assert_eq(iffa_flowgraph_vertex_key(g, from), IFFA_KEY_PARTY(28));
	cr_assert_eq(iffa_flowgraph_vertex_key(g, to), IFFA_KEY_ACCOUNT(25));
	assert_close(iffa_flowgraph_edge_amount(g, e), 50000, "levy");
	cr_assert_eq(iffa_flowgraph_record_count(g, IFFA_KIND_TRANSFER), 0);
	iffa_flowgraph_free(g);
	iffa_db_free(db);
}

Test(ingest_db, the_time_window_includes_from_and_excludes_to)
{
	iffa_db *db = fixture_fresh("t_ingest_window");
	iffa_ingest_options o = IFFA_INGEST_OPTIONS_INIT;
	iffa_flowgraph *g;
	int64_t inside, outside;
	igraph_integer_t e;
	int found_outside = 0;

	fixture_exec(db, "INSERT INTO transfer (from_account, to_account, amount, currency, ts,"
			 " channel, supplier, source, source_ref) VALUES"
			 " (1, 2, 5, 'XOF', '2026-02-01 00:00+00', 'bank', 'ML', 'test', 'B1'),"
			 " (1, 2, 7, 'XOF', '2026-03-01 00:00+00', 'bank', 'ML', 'test', 'B2')");
	cr_assert_eq(iffa_flowgraph_time_parse(&o.from, "2026-02-01"), 0);
	cr_assert_eq(iffa_flowgraph_time_parse(&o.to, "2026-03-01T00:00Z"), 0);
	o.keep_parallel = 1;
	g = fixture_ingest(db, &o);
	/* Transfers of February, and ransom 2 (10 February); not ransom 1, the gold lot or the levy. */
	cr_assert_eq(iffa_flowgraph_record_count(g, IFFA_KIND_TRANSFER),
		     testdb_scalar(db, "SELECT count(*) FROM transfer WHERE ts >= '2026-02-01 00:00+00' "
				       "AND ts < '2026-03-01 00:00+00'"));
	cr_assert_eq(iffa_flowgraph_record_count(g, IFFA_KIND_RANSOM), 1);
	cr_assert_eq(iffa_flowgraph_record_count(g, IFFA_KIND_GOLD), 0);
	cr_assert_eq(iffa_flowgraph_record_count(g, IFFA_KIND_LEVY), 0);
	edge_of(g, IFFA_KIND_RANSOM, 2);
	inside = testdb_scalar(db, "SELECT id FROM transfer WHERE source_ref = 'B1'");
	outside = testdb_scalar(db, "SELECT id FROM transfer WHERE source_ref = 'B2'");
	e = edge_of(g, IFFA_KIND_TRANSFER, inside);
	cr_assert_eq(iffa_flowgraph_edge_first(g, e), o.from);
	for (e = 0; e < iffa_flowgraph_edge_count(g); e++) {
		found_outside |= iffa_flowgraph_edge_kind(g, e) == IFFA_KIND_TRANSFER &&
				 iffa_flowgraph_edge_record(g, e) == outside;
		cr_assert(iffa_flowgraph_edge_first(g, e) >= o.from && iffa_flowgraph_edge_first(g, e) < o.to);
	}
	cr_assert(!found_outside, "the transfer at the end of the window was read");
	{
		int64_t from, to;
		iffa_flowgraph_window(g, &from, &to);
		cr_assert_eq(from, o.from);
		cr_assert_eq(to, o.to);
	}
	iffa_flowgraph_free(g);

	/* An open start: everything before 'to'. */
	o.from = IFFA_TIME_MIN;
	g = fixture_ingest(db, &o);
	cr_assert_eq(iffa_flowgraph_record_count(g, IFFA_KIND_TRANSFER),
		     testdb_scalar(db, "SELECT count(*) FROM transfer WHERE ts < '2026-03-01 00:00+00'"));
	cr_assert_eq(iffa_flowgraph_record_count(g, IFFA_KIND_GOLD), 1);
	iffa_flowgraph_free(g);
	iffa_db_free(db);
}

Test(ingest_db, channel_and_kind_masks_select_the_edges)
{
	iffa_db *db = fixture_fresh("t_ingest_filters");
	iffa_ingest_options o = IFFA_INGEST_OPTIONS_INIT;
	iffa_flowgraph *g;

	/* Hawala and cash transfers only: records without a channel are left out too. */
	o.channels = 1u << IFFA_CHANNEL_HAWALA | 1u << IFFA_CHANNEL_CASH;
	o.keep_parallel = 1;
	g = fixture_ingest(db, &o);
	cr_assert_eq(iffa_flowgraph_edge_count(g),
		     testdb_scalar(db, "SELECT count(*) FROM transfer WHERE channel IN ('hawala', 'cash')"));
	for (igraph_integer_t e = 0; e < iffa_flowgraph_edge_count(g); e++)
		cr_assert(iffa_flowgraph_edge_channel(g, e) == IFFA_CHANNEL_HAWALA ||
			  iffa_flowgraph_edge_channel(g, e) == IFFA_CHANNEL_CASH);
	cr_assert_eq(iffa_flowgraph_record_count(g, IFFA_KIND_RANSOM), 0);
	iffa_flowgraph_free(g);

	/* "none" alone: the ransoms, the gold lot and the levy. */
	o.channels = 1u << IFFA_CHANNEL_NONE;
	g = fixture_ingest(db, &o);
	cr_assert_eq(iffa_flowgraph_edge_count(g), 4 + 1 + 1);
	cr_assert_eq(iffa_flowgraph_record_count(g, IFFA_KIND_TRANSFER), 0);
	iffa_flowgraph_free(g);

	/* Kinds ransom and levy with every channel. */
	o.channels = IFFA_CHANNEL_ALL;
	o.kinds = 1u << IFFA_KIND_RANSOM | 1u << IFFA_KIND_LEVY;
	g = fixture_ingest(db, &o);
	cr_assert_eq(iffa_flowgraph_edge_count(g), 4 + 1);
	for (igraph_integer_t e = 0; e < iffa_flowgraph_edge_count(g); e++)
		cr_assert(iffa_flowgraph_edge_kind(g, e) == IFFA_KIND_RANSOM ||
			  iffa_flowgraph_edge_kind(g, e) == IFFA_KIND_LEVY);
	/* Vertices do not depend on the filters. */
	cr_assert_eq(iffa_flowgraph_vertex_count(g), 105);
	iffa_flowgraph_free(g);
	iffa_db_free(db);
}

Test(ingest_db, party_level_maps_accounts_to_their_owners)
{
	iffa_db *db = fixture_fresh("t_ingest_party");
	iffa_ingest_options o = IFFA_INGEST_OPTIONS_INIT;
	iffa_flowgraph *g;
	iffa_summary s;

	o.level = IFFA_LEVEL_PARTY;
	o.kinds = 1u << IFFA_KIND_TRANSFER;
	g = fixture_ingest(db, &o);
	cr_assert_eq(iffa_flowgraph_level(g), IFFA_LEVEL_PARTY);
	cr_assert_eq(iffa_flowgraph_vertex_count(g), 30 + 25);
	/* One edge per distinct (owner or account, owner or account, channel). */
	cr_assert_eq(iffa_flowgraph_edge_count(g),
		     testdb_scalar(db, "SELECT count(*) FROM (SELECT DISTINCT"
				       " coalesce(2 * fa.party_id + 1, 2 * fa.id),"
				       " coalesce(2 * ta.party_id + 1, 2 * ta.id), t.channel"
				       " FROM transfer t JOIN account fa ON fa.id = t.from_account"
				       " JOIN account ta ON ta.id = t.to_account) d"));
	/* Account 26 stands for party 2, account 90 for itself. */
	cr_assert_eq(vertex(g, IFFA_KEY_ACCOUNT(26)), vertex(g, IFFA_KEY_PARTY(2)));
	cr_assert_eq(iffa_flowgraph_vertex_is_party(g, vertex(g, IFFA_KEY_PARTY(2))), 1);
	cr_assert_eq(iffa_flowgraph_vertex_key(g, vertex(g, IFFA_KEY_ACCOUNT(90))), IFFA_KEY_ACCOUNT(90));
	cr_assert_eq(iffa_flowgraph_vertex_flags(g, vertex(g, IFFA_KEY_PARTY(2))), IFFA_VERTEX_DESIGNATED);
	/* Party 4 has no country: its lowest account's (3: 1 + (3 / 3) % 4 = 2, SN). */
	cr_assert_str_eq(iffa_flowgraph_vertex_country(g, vertex(g, IFFA_KEY_PARTY(4))), "SN");
	/* Money between two accounts of one owner is a loop on that owner. */
	cr_assert_eq(iffa_summary_compute(&s, g, 0), 0);
	cr_assert_eq(s.all.flows, 3000);
	{
		igraph_integer_t n = 0;
		igraph_vector_bool_t is_loop;

		cr_assert_eq(igraph_vector_bool_init(&is_loop, 0), IGRAPH_SUCCESS);
		cr_assert_eq(igraph_is_loop(iffa_flowgraph_igraph(g), &is_loop, igraph_ess_all(IGRAPH_EDGEORDER_ID)),
			     IGRAPH_SUCCESS);
		for (igraph_integer_t e = 0; e < iffa_flowgraph_edge_count(g); e++)
			if (VECTOR(is_loop)[e])
				n += iffa_flowgraph_edge_flows(g, e);
		igraph_vector_bool_destroy(&is_loop);
		cr_assert_eq(n, testdb_scalar(db, "SELECT count(*) FROM transfer t"
						  " JOIN account fa ON fa.id = t.from_account"
						  " JOIN account ta ON ta.id = t.to_account"
						  " WHERE fa.party_id = ta.party_id"));
	}
	iffa_summary_dispose(&s);
	iffa_flowgraph_free(g);

	/* Party records at party level attach to the parties themselves. */
	o.kinds = 1u << IFFA_KIND_GOLD;
	g = fixture_ingest(db, &o);
	cr_assert_eq(iffa_flowgraph_edge_count(g), 1);
	{
		igraph_integer_t from, to;
		endpoints(g, 0, &from, &to);
		cr_assert_eq(iffa_flowgraph_vertex_key(g, from), IFFA_KEY_PARTY(5));
		cr_assert_eq(iffa_flowgraph_vertex_key(g, to), IFFA_KEY_PARTY(29));
	}
	iffa_flowgraph_free(g);
	iffa_db_free(db);
}

Test(ingest_db, amounts_convert_with_the_rate_of_the_record_date)
{
	iffa_db *db = fixture_fresh("t_ingest_fx");
	iffa_ingest_options o = IFFA_INGEST_OPTIONS_INIT;
	iffa_flowgraph *g;

	fixture_exec(db, "INSERT INTO transfer (from_account, to_account, amount, currency, ts,"
			 " channel, supplier, source, source_ref) VALUES"
			 " (1, 2, 1000, 'GNF', '2026-01-31 23:59:59.999999+00', 'bank', 'ML', 'test', 'F1'),"
			 " (1, 2, 1000, 'GNF', '2026-02-01 00:00+00', 'bank', 'ML', 'test', 'F2'),"
			 /* 23:30 on 31 January at -01:00 is already 1 February in UTC. */
			 " (1, 2, 1000, 'GNF', '2026-01-31 23:30-01:00', 'bank', 'ML', 'test', 'F3')");
	o.keep_parallel = 1;
	g = fixture_ingest(db, &o);
	assert_close(iffa_flowgraph_edge_amount(g, edge_of(g, IFFA_KIND_TRANSFER,
		     testdb_scalar(db, "SELECT id FROM transfer WHERE source_ref = 'F1'"))), 70, "F1");
	assert_close(iffa_flowgraph_edge_amount(g, edge_of(g, IFFA_KIND_TRANSFER,
		     testdb_scalar(db, "SELECT id FROM transfer WHERE source_ref = 'F2'"))), 80, "F2");
	assert_close(iffa_flowgraph_edge_amount(g, edge_of(g, IFFA_KIND_TRANSFER,
		     testdb_scalar(db, "SELECT id FROM transfer WHERE source_ref = 'F3'"))), 80, "F3");
	iffa_flowgraph_free(g);
	iffa_db_free(db);
}

Test(ingest_db, a_missing_rate_is_refused_naming_record_currency_and_date)
{
	iffa_db *db = fixture_fresh("t_ingest_fx_missing");
	iffa_flowgraph *g = NULL;
	char want[160];
	long long id;

	fixture_exec(db, "INSERT INTO transfer (from_account, to_account, amount, currency, ts,"
			 " channel, supplier, source, source_ref) VALUES"
			 " (3, 4, 10, 'USD', '2026-01-15 08:00+00', 'hawala', 'ML', 'test', 'U1')");
	/* Many rows after it, so the failure comes in the middle of the stream. */
	fixture_exec(db, "INSERT INTO transfer (from_account, to_account, amount, currency, ts,"
			 " channel, supplier, source, source_ref)"
			 " SELECT 5, 6, 1, 'XOF', '2026-01-16 00:00+00', 'bank', 'ML', 'test', 'M' || i"
			 " FROM generate_series(1, 20000) i");
	id = testdb_scalar(db, "SELECT id FROM transfer WHERE source_ref = 'U1'");
	cr_assert_eq(iffa_ingest(&g, db, NULL), IFFA_EINVAL);
	cr_assert_null(g);
	snprintf(want, sizeof(want), "transfer %lld: no fx_rate for USD on or before 2026-01-15", id);
	cr_assert_str_eq(iffa_error_last(), want);
	/* The connection is usable and outside a transaction afterwards. */
	cr_assert_eq(PQtransactionStatus(iffa_db_conn(db)), PQTRANS_IDLE);
	fixture_exec(db, "INSERT INTO fx_rate (currency, valid_from, xof_per_unit, source)"
			 " VALUES ('USD', '2026-01-15', 600, 'test')");
	g = fixture_ingest(db, NULL);
	cr_assert_eq(iffa_flowgraph_record_count(g, IFFA_KIND_TRANSFER), 3000 + 1 + 20000);
	iffa_flowgraph_free(g);

	/* A ransom in a currency without rate names the ransom. */
	fixture_exec(db, "INSERT INTO ransom (id, payer, recipient, amount, currency, paid_at, supplier,"
			 " source, source_ref) VALUES (3, 30, 1, 5, 'MRU', '2026-02-02 00:00+00', 'ML',"
			 " 'test', 'R3')");
	cr_assert_eq(iffa_ingest(&g, db, NULL), IFFA_EINVAL);
	cr_assert_str_eq(iffa_error_last(), "ransom 3: no fx_rate for MRU on or before 2026-02-02");
	iffa_db_free(db);
}

Test(ingest_db, refuses_a_connection_inside_a_transaction_and_bad_options)
{
	iffa_db *db = fixture_fresh("t_ingest_refuse");
	iffa_ingest_options o = IFFA_INGEST_OPTIONS_INIT;
	iffa_flowgraph *g = NULL;

	fixture_exec(db, "BEGIN");
	cr_assert_eq(iffa_ingest(&g, db, NULL), IFFA_EINVAL);
	cr_assert_str_eq(iffa_error_last(), "ingest needs a connection outside any transaction");
	fixture_exec(db, "ROLLBACK");
	o.from = 10;
	o.to = 10;
	cr_assert_eq(iffa_ingest(&g, db, &o), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "window is empty"));
	o = (iffa_ingest_options)IFFA_INGEST_OPTIONS_INIT;
	o.level = (iffa_level)7;
	cr_assert_eq(iffa_ingest(&g, db, &o), IFFA_EINVAL);
	cr_assert_null(g);
	iffa_db_free(db);
}

Test(ingest_db, a_database_without_schema_fails_with_the_sqlstate)
{
	char ci[128];
	iffa_db *db;
	iffa_flowgraph *g = NULL;

	iffa_init();
	testdb_fresh(ci, sizeof(ci), "t_ingest_noschema", 0);
	db = testdb_connect(ci);
	cr_assert_eq(iffa_ingest(&g, db, NULL), IFFA_EDB);
	/* The rates are the first stream (the transfer readers need them). */
	cr_assert(strstr(iffa_error_last(), "reading fx_rate") != NULL, "%s", iffa_error_last());
	cr_assert(strstr(iffa_error_last(), "SQLSTATE 42P01") != NULL, "%s", iffa_error_last());
	cr_assert_eq(PQtransactionStatus(iffa_db_conn(db)), PQTRANS_IDLE);
	iffa_db_free(db);
}

Test(ingest_db, the_exposed_transfer_sql_is_the_query_the_ingest_reads)
{
	iffa_db *db = fixture_fresh("t_ingest_sql");
	iffa_ingest_options o = IFFA_INGEST_OPTIONS_INIT;
	iffa_flowgraph *g;
	char *select = NULL, sql[2048];

	cr_assert_eq(iffa_flowgraph_time_parse(&o.from, "2026-01-10"), 0);
	cr_assert_eq(iffa_flowgraph_time_parse(&o.to, "2026-02-20T12:00+02:00"), 0);
	o.channels = 1u << IFFA_CHANNEL_BANK | 1u << IFFA_CHANNEL_CRYPTO | 1u << IFFA_CHANNEL_NONE;
	o.kinds = 1u << IFFA_KIND_TRANSFER;
	cr_assert_eq(iffa_ingest_transfer_sql(&select, &o), 0);
	cr_assert_str_eq(select, "SELECT id, from_account, to_account, amount::float8, currency, ts, channel "
				 "FROM transfer WHERE ts >= '2026-01-10T00:00:00Z' AND "
				 "ts < '2026-02-20T10:00:00Z' AND channel IN ('bank', 'crypto')");
	g = fixture_ingest(db, &o);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM (%s) s", select);
	cr_assert_eq(iffa_flowgraph_record_count(g, IFFA_KIND_TRANSFER), testdb_scalar(db, sql));
	cr_assert_gt(testdb_scalar(db, sql), 0);
	free(select);
	iffa_flowgraph_free(g);

	/* Only records without channel: the transfer query matches nothing. */
	o.channels = 1u << IFFA_CHANNEL_NONE;
	cr_assert_eq(iffa_ingest_transfer_sql(&select, &o), 0);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM (%s) s", select);
	cr_assert_eq(testdb_scalar(db, sql), 0);
	free(select);
	/* No options: every transfer. */
	cr_assert_eq(iffa_ingest_transfer_sql(&select, NULL), 0);
	cr_assert_str_eq(select, "SELECT id, from_account, to_account, amount::float8, currency, ts, channel "
				 "FROM transfer");
	free(select);
	iffa_db_free(db);
}

Test(ingest_db, a_nan_amount_or_rate_is_refused_not_summed)
{
	iffa_db *db = fixture_fresh("t_ingest_nan");
	iffa_flowgraph *g = NULL;
	char want[128];
	long long id;

	/* numeric takes 'NaN', and NaN > 0 holds in PostgreSQL, so the CHECK lets it in. */
	fixture_exec(db, "INSERT INTO transfer (from_account, to_account, amount, currency, ts,"
			 " channel, supplier, source, source_ref) VALUES"
			 " (1, 2, 'NaN', 'XOF', '2026-01-15 08:00+00', 'bank', 'ML', 'test', 'N1')");
	id = testdb_scalar(db, "SELECT id FROM transfer WHERE source_ref = 'N1'");
	cr_assert_eq(iffa_ingest(&g, db, NULL), IFFA_EINVAL);
	snprintf(want, sizeof(want), "transfer %lld: amount is not a finite number", id);
	cr_assert_str_eq(iffa_error_last(), want);
	fixture_exec(db, "DELETE FROM transfer WHERE source_ref = 'N1'");
	fixture_exec(db, "INSERT INTO fx_rate (currency, valid_from, xof_per_unit, source)"
			 " VALUES ('USD', '2026-01-01', 'NaN', 'test')");
	cr_assert_eq(iffa_ingest(&g, db, NULL), IFFA_EINVAL);
	cr_assert_str_eq(iffa_error_last(), "fx rate of USD is not a positive number");
	cr_assert_null(g);
	iffa_db_free(db);
}

Test(ingest_db, progress_reports_each_stream_when_asked)
{
	iffa_db *db = fixture_fresh("t_ingest_progress");
	iffa_ingest_options o = IFFA_INGEST_OPTIONS_INIT;
	iffa_flowgraph *g;
	char out[2048];
	size_t n;
	FILE *f = tmpfile();

	cr_assert_not_null(f);
	o.progress = f;
	g = fixture_ingest(db, &o);
	rewind(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	fclose(f);
	cr_assert_str_eq(out, "iffa: ingest: fx_rate: 3 rows, done\n"
			      "iffa: ingest: vertices: 105 rows, done\n"
			      "iffa: ingest: aliases: 25 rows, done\n"
			      "iffa: ingest: transfer: 3000 rows, done\n"
			      "iffa: ingest: ransom: 4 rows, done\n"
			      "iffa: ingest: gold: 1 rows, done\n"
			      "iffa: ingest: levy: 1 rows, done\n");
	iffa_flowgraph_free(g);
	iffa_db_free(db);
}

Test(ingest_db, a_bad_value_inside_a_stream_stops_it_and_names_the_row)
{
	iffa_db *db = fixture_fresh("t_ingest_badrow");
	iffa_flowgraph *g = NULL;

	/* Rows of the ransom stream, by id then hop: ransom 1 (3 hops), 2 (1), 3. */
	fixture_exec(db, "INSERT INTO ransom (id, payer, recipient, amount, currency, paid_at, supplier,"
			 " source, source_ref) VALUES (3, 30, 1, 5, 'XOF', 'infinity', 'ML', 'test', 'R3')");
	cr_assert_eq(iffa_ingest(&g, db, NULL), IFFA_EINVAL);
	cr_assert_str_eq(iffa_error_last(), "COPY ransom: row 5, column at: infinite or out-of-range timestamp");
	cr_assert_null(g);
	cr_assert_eq(PQtransactionStatus(iffa_db_conn(db)), PQTRANS_IDLE);
	/* The session is usable: the same ingest without ransoms works. */
	{
		iffa_ingest_options o = IFFA_INGEST_OPTIONS_INIT;
		o.kinds = IFFA_KIND_ALL & ~(1u << IFFA_KIND_RANSOM);
		g = fixture_ingest(db, &o);
		cr_assert_eq(iffa_flowgraph_record_count(g, IFFA_KIND_TRANSFER), 3000);
		iffa_flowgraph_free(g);
	}
	iffa_db_free(db);
}

Test(ingest_db, a_server_error_comes_back_with_its_sqlstate)
{
	iffa_db *db = fixture_fresh("t_ingest_timeout");
	iffa_flowgraph *g = NULL;

	/* Enough transfers that their COPY outlives the timeout by far. */
	fixture_exec(db, "INSERT INTO transfer (from_account, to_account, amount, currency, ts,"
			 " channel, supplier, source, source_ref)"
			 " SELECT 5, 6, 1, 'XOF', '2026-01-16 00:00+00', 'bank', 'ML', 'test', 'S' || i"
			 " FROM generate_series(1, 50000) i");
	fixture_exec(db, "SET statement_timeout = '5ms'");
	cr_assert_eq(iffa_ingest(&g, db, NULL), IFFA_EDB);
	cr_assert(strstr(iffa_error_last(), "SQLSTATE 57014") != NULL, "%s", iffa_error_last());
	cr_assert_null(g);
	fixture_exec(db, "RESET statement_timeout");
	cr_assert_eq(PQtransactionStatus(iffa_db_conn(db)), PQTRANS_IDLE);
	iffa_db_free(db);
}

/*
 * What the vertices and aliases must be, by the definition in SQL (joins,
 * anti join, ORDER BY of the keys): key, kind, country, party, armed,
 * designated, affected; and alias key -> vertex key.
 */
#define REF_PARTY_FLAGS                                                                   \
	"WITH pf AS (SELECT p.id, p.kind, p.country, p.kind = 'armed_group' AS armed,"    \
	" d.party_id IS NOT NULL AS designated, z.country IS NOT NULL AS affected"        \
	" FROM party p"                                                                   \
	" LEFT JOIN (SELECT DISTINCT party_id FROM designation) d ON d.party_id = p.id"   \
	" LEFT JOIN affected_zone z ON z.country = p.country AND z.region = p.region) "

static const char *const ref_vertices_sql[2] = {
	REF_PARTY_FLAGS
	"SELECT 2 * a.id, a.kind, a.country, a.party_id, coalesce(pf.armed, false),"
	" coalesce(pf.designated, false), coalesce(pf.affected, false)"
	" FROM account a LEFT JOIN pf ON pf.id = a.party_id"
	" UNION ALL "
	"SELECT 2 * pf.id + 1, pf.kind, pf.country, pf.id, pf.armed, pf.designated, pf.affected"
	" FROM pf WHERE NOT EXISTS (SELECT 1 FROM account a WHERE a.party_id = pf.id)"
	" ORDER BY 1",
	REF_PARTY_FLAGS
	"SELECT 2 * pf.id + 1, pf.kind, coalesce(pf.country, (SELECT a.country FROM account a"
	" WHERE a.party_id = pf.id ORDER BY a.id LIMIT 1)), pf.id, pf.armed, pf.designated,"
	" pf.affected FROM pf"
	" UNION ALL "
	"SELECT 2 * a.id, a.kind, a.country, NULL::bigint, false, false, false"
	" FROM account a WHERE a.party_id IS NULL"
	" ORDER BY 1"};

static const char *const ref_aliases_sql[2] = {
	"SELECT 2 * party_id + 1, 2 * min(id) FROM account WHERE party_id IS NOT NULL"
	" GROUP BY party_id ORDER BY 1",
	"SELECT 2 * id, 2 * party_id + 1 FROM account WHERE party_id IS NOT NULL ORDER BY 1"};

static void assert_vertices_as_defined(iffa_db *db, const iffa_flowgraph *g, int party_level)
{
	PGresult *res = PQexec(iffa_db_conn(db), ref_vertices_sql[party_level]);
	int n;

	cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQerrorMessage(iffa_db_conn(db)));
	n = PQntuples(res);
	cr_assert_eq(iffa_flowgraph_vertex_count(g), n);
	for (int i = 0; i < n; i++) {
		int64_t key = strtoll(PQgetvalue(res, i, 0), NULL, 10);
		const char *kind = key & 1 ? iffa_party_kind_name(iffa_flowgraph_vertex_kind(g, i))
					   : iffa_account_kind_name(iffa_flowgraph_vertex_kind(g, i));
		unsigned flags = (*PQgetvalue(res, i, 4) == 't' ? IFFA_VERTEX_ARMED_GROUP : 0) |
				 (*PQgetvalue(res, i, 5) == 't' ? IFFA_VERTEX_DESIGNATED : 0) |
				 (*PQgetvalue(res, i, 6) == 't' ? IFFA_VERTEX_AFFECTED_ZONE : 0);

		cr_assert_eq(iffa_flowgraph_vertex_key(g, i), key, "vertex %d", i);
		cr_assert_str_eq(kind, PQgetvalue(res, i, 1), "vertex %d", i);
		cr_assert_str_eq(iffa_flowgraph_vertex_country(g, i), PQgetvalue(res, i, 2),
				 "vertex %d", i);
		cr_assert_eq(iffa_flowgraph_vertex_party(g, i),
			     PQgetisnull(res, i, 3) ? -1 : strtoll(PQgetvalue(res, i, 3), NULL, 10),
			     "vertex %d", i);
		cr_assert_eq(iffa_flowgraph_vertex_flags(g, i) & ~(unsigned)IFFA_VERTEX_PRIMARY, flags,
			     "vertex %d", i);
	}
	PQclear(res);
	res = PQexec(iffa_db_conn(db), ref_aliases_sql[party_level]);
	cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQerrorMessage(iffa_db_conn(db)));
	for (int v = 0; v < iffa_flowgraph_vertex_count(g); v++) {
		int primary = 0;

		for (int i = 0; i < PQntuples(res) && !party_level; i++)
			primary |= strtoll(PQgetvalue(res, i, 1), NULL, 10) ==
				   iffa_flowgraph_vertex_key(g, v);
		cr_assert_eq(!!(iffa_flowgraph_vertex_flags(g, v) & IFFA_VERTEX_PRIMARY), primary,
			     "vertex %d", v);
	}
	for (int i = 0; i < PQntuples(res); i++)
		cr_assert_eq(vertex(g, strtoll(PQgetvalue(res, i, 0), NULL, 10)),
			     vertex(g, strtoll(PQgetvalue(res, i, 1), NULL, 10)), "alias %s",
			     PQgetvalue(res, i, 0));
	PQclear(res);
}

Test(ingest_db, vertices_and_aliases_follow_the_keys_at_both_levels)
{
	iffa_db *db = fixture_fresh("t_ingest_vertex_order");
	iffa_ingest_options o = IFFA_INGEST_OPTIONS_INIT;
	iffa_flowgraph *g;
	igraph_integer_t v;

	/*
	 * Rows the heap does not give in id order: party 40 (no country) before
	 * 35 (armed, designated twice, in a zone, no account), 33 (in the zone,
	 * owns 105) and 34 (a region but no country, no account); account 130
	 * before 120 (both party 40's), 110 (no owner) before 105; a designation
	 * of no party; and updated rows, which move to the heap's end.
	 */
	fixture_exec(db, "INSERT INTO affected_zone (country, region) VALUES ('BF', 'Sahel');"
			 "INSERT INTO party (id, ref, kind, name, country, region, supplier, source)"
			 " VALUES (40, 'P40', 'company', 'forty', NULL, NULL, 'ML', 'test'),"
			 " (35, 'P35', 'armed_group', 'thirty-five', 'BF', 'Sahel', 'ML', 'test'),"
			 " (33, 'P33', 'collector', 'thirty-three', 'BF', 'Sahel', 'ML', 'test'),"
			 " (34, 'P34', 'village', 'thirty-four', NULL, 'Sahel', 'ML', 'test');"
			 "INSERT INTO designation (list_name, reference, entry_kind, name, party_id, source)"
			 " VALUES ('UN', 'QDe.35', 'entity', 'thirty-five', 35, 'test'),"
			 " ('EU', 'EU.35', 'entity', 'thirty-five', 35, 'test'),"
			 " ('EU', 'EU.X', 'entity', 'nobody', NULL, 'test');"
			 "INSERT INTO account (id, ref, party_id, kind, country, supplier, source) VALUES"
			 " (130, 'A130', 40, 'crypto', 'GN', 'ML', 'test'),"
			 " (120, 'A120', 40, 'cash', 'SN', 'ML', 'test'),"
			 " (110, 'A110', NULL, 'hawala', 'BF', 'ML', 'test'),"
			 " (105, 'A105', 33, 'mobile_money', 'BF', 'ML', 'test');"
			 "UPDATE party SET name = 'renamed' WHERE id IN (2, 4, 26);"
			 "UPDATE account SET ref = ref || 'x' WHERE id IN (1, 3, 80);");
	g = fixture_ingest(db, &o);
	assert_vertices_as_defined(db, g, 0);
	cr_assert_eq(iffa_flowgraph_vertex_count(g), 105 + 4 + 2); /* + 4 accounts, 34 and 35 */
	/* Party 40's lowest account is its primary one, whatever the heap order. */
	v = vertex(g, IFFA_KEY_ACCOUNT(120));
	cr_assert_eq(vertex(g, IFFA_KEY_PARTY(40)), v);
	cr_assert_eq(iffa_flowgraph_vertex_flags(g, v), IFFA_VERTEX_PRIMARY);
	cr_assert_eq(iffa_flowgraph_vertex_flags(g, vertex(g, IFFA_KEY_ACCOUNT(130))), 0);
	v = vertex(g, IFFA_KEY_PARTY(35));
	cr_assert_eq(iffa_flowgraph_vertex_is_party(g, v), 1);
	cr_assert_eq(iffa_flowgraph_vertex_flags(g, v), IFFA_VERTEX_ARMED_GROUP |
			     IFFA_VERTEX_DESIGNATED | IFFA_VERTEX_AFFECTED_ZONE);
	cr_assert_eq(iffa_flowgraph_vertex_flags(g, vertex(g, IFFA_KEY_ACCOUNT(105))),
		     IFFA_VERTEX_AFFECTED_ZONE | IFFA_VERTEX_PRIMARY);
	/* No country and no account: unknown. A region alone is no zone. */
	v = vertex(g, IFFA_KEY_PARTY(34));
	cr_assert_str_eq(iffa_flowgraph_vertex_country(g, v), "");
	cr_assert_eq(iffa_flowgraph_vertex_flags(g, v), 0);
	cr_assert_eq(iffa_flowgraph_vertex_party(g, vertex(g, IFFA_KEY_ACCOUNT(110))), -1);
	for (v = 1; v < iffa_flowgraph_vertex_count(g); v++)
		cr_assert_lt(iffa_flowgraph_vertex_key(g, v - 1), iffa_flowgraph_vertex_key(g, v));
	iffa_flowgraph_free(g);

	o.level = IFFA_LEVEL_PARTY;
	g = fixture_ingest(db, &o);
	assert_vertices_as_defined(db, g, 1);
	cr_assert_eq(iffa_flowgraph_vertex_count(g), 30 + 4 + 25 + 1); /* + 110 */
	/* Party 40 has no country: its lowest account's (120, SN), not its first read (130). */
	cr_assert_str_eq(iffa_flowgraph_vertex_country(g, vertex(g, IFFA_KEY_PARTY(40))), "SN");
	cr_assert_eq(vertex(g, IFFA_KEY_ACCOUNT(130)), vertex(g, IFFA_KEY_PARTY(40)));
	cr_assert_eq(iffa_flowgraph_vertex_flags(g, vertex(g, IFFA_KEY_PARTY(35))),
		     IFFA_VERTEX_ARMED_GROUP | IFFA_VERTEX_DESIGNATED | IFFA_VERTEX_AFFECTED_ZONE);
	v = vertex(g, IFFA_KEY_ACCOUNT(110));
	cr_assert_eq(iffa_flowgraph_vertex_is_party(g, v), 0);
	cr_assert_eq(iffa_flowgraph_vertex_flags(g, v), 0);
	for (v = 1; v < iffa_flowgraph_vertex_count(g); v++)
		cr_assert_lt(iffa_flowgraph_vertex_key(g, v - 1), iffa_flowgraph_vertex_key(g, v));
	iffa_flowgraph_free(g);
	iffa_db_free(db);
}

Test(ingest_db, a_bad_kind_or_country_fails_on_the_first_vertex_that_has_it)
{
	iffa_db *db = fixture_fresh("t_ingest_bad_vertex");
	iffa_ingest_options o = IFFA_INGEST_OPTIONS_INIT;
	iffa_flowgraph *g = NULL;

	/* Values the schema's checks keep out, let in to see what the ingest says. */
	fixture_exec(db, "ALTER TABLE party DROP CONSTRAINT party_kind_check;"
			 "ALTER TABLE account DROP CONSTRAINT account_kind_check;"
			 "ALTER TABLE account DROP CONSTRAINT account_country_fkey;"
			 "UPDATE party SET kind = 'ghost' WHERE id = 7;"
			 "UPDATE account SET country = 'ÉÉ' WHERE id = 3;"
			 "UPDATE account SET kind = 'vault' WHERE id IN (90, 60);");
	/* Account level: party 7 has accounts, so its kind is no vertex's; 3 < 60 < 90. */
	cr_assert_eq(iffa_ingest(&g, db, &o), IFFA_EINVAL);
	cr_assert_str_eq(iffa_error_last(), "account 3: country 'ÉÉ' is not two letters");
	cr_assert_null(g);
	/* Party level: party 4 (no country) takes account 3's; party 7 comes next. */
	o.level = IFFA_LEVEL_PARTY;
	cr_assert_eq(iffa_ingest(&g, db, &o), IFFA_EINVAL);
	cr_assert_str_eq(iffa_error_last(), "party 4: country 'ÉÉ' is not two letters");
	fixture_exec(db, "UPDATE account SET country = 'SN' WHERE id = 3");
	cr_assert_eq(iffa_ingest(&g, db, &o), IFFA_EINVAL);
	cr_assert_str_eq(iffa_error_last(), "party 7: unknown party kind 'ghost'");
	/* Accounts 60 (party 11's) are no vertex at party level; 90 has no owner. */
	fixture_exec(db, "UPDATE party SET kind = 'person' WHERE id = 7");
	cr_assert_eq(iffa_ingest(&g, db, &o), IFFA_EINVAL);
	cr_assert_str_eq(iffa_error_last(), "account 90: unknown account kind 'vault'");
	o.level = IFFA_LEVEL_ACCOUNT;
	cr_assert_eq(iffa_ingest(&g, db, &o), IFFA_EINVAL);
	cr_assert_str_eq(iffa_error_last(), "account 60: unknown account kind 'vault'");
	/* Lower case passes the length check and fails the graph's own. */
	fixture_exec(db, "UPDATE account SET kind = 'bank' WHERE id IN (60, 90);"
			 "UPDATE account SET country = 'sn' WHERE id = 42");
	cr_assert_eq(iffa_ingest(&g, db, &o), IFFA_EINVAL);
	cr_assert_str_eq(iffa_error_last(), "account 42: country 'sn' is not two capital letters");
	cr_assert_eq(PQtransactionStatus(iffa_db_conn(db)), PQTRANS_IDLE);
	iffa_db_free(db);
}
