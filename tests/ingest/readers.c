/*
 * Transfer partitions read by several connections in one exported snapshot
 * give the very graph one connection gives, edge for edge.
 */
#define _GNU_SOURCE /* fopencookie, memmem */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "ingest/fixture.h"
#include "support/testdb.h"

static void assert_same_graph(const iffa_flowgraph *a, const iffa_flowgraph *b)
{
	const igraph_t *ga = iffa_flowgraph_igraph(a), *gb = iffa_flowgraph_igraph(b);

	cr_assert_eq(iffa_flowgraph_vertex_count(a), iffa_flowgraph_vertex_count(b));
	cr_assert_eq(iffa_flowgraph_edge_count(a), iffa_flowgraph_edge_count(b));
	for (int k = 0; k < IFFA_KIND_COUNT; k++) {
		cr_assert_eq(iffa_flowgraph_record_count(a, (iffa_record_kind)k),
			     iffa_flowgraph_record_count(b, (iffa_record_kind)k));
		cr_assert_float_eq(iffa_flowgraph_record_amount(a, (iffa_record_kind)k),
				   iffa_flowgraph_record_amount(b, (iffa_record_kind)k), 1e-6);
	}
	for (igraph_integer_t e = 0; e < iffa_flowgraph_edge_count(a); e++) {
		cr_assert_eq(IGRAPH_FROM(ga, e), IGRAPH_FROM(gb, e), "edge %d", (int)e);
		cr_assert_eq(IGRAPH_TO(ga, e), IGRAPH_TO(gb, e), "edge %d", (int)e);
		cr_assert_eq(iffa_flowgraph_edge_amount(a, e), iffa_flowgraph_edge_amount(b, e));
		cr_assert_eq(iffa_flowgraph_edge_flows(a, e), iffa_flowgraph_edge_flows(b, e));
		cr_assert_eq(iffa_flowgraph_edge_first(a, e), iffa_flowgraph_edge_first(b, e));
		cr_assert_eq(iffa_flowgraph_edge_last(a, e), iffa_flowgraph_edge_last(b, e));
		cr_assert_eq(iffa_flowgraph_edge_record(a, e), iffa_flowgraph_edge_record(b, e));
		cr_assert_eq(iffa_flowgraph_edge_kind(a, e), iffa_flowgraph_edge_kind(b, e));
	}
}

Test(ingest_readers, several_readers_build_the_graph_one_reader_builds)
{
	iffa_db *db = fixture_fresh("t_ingest_readers");
	iffa_ingest_options one = IFFA_INGEST_OPTIONS_INIT, many = IFFA_INGEST_OPTIONS_INIT;
	iffa_flowgraph *a, *b;

	cr_assert_gt(testdb_scalar(db, "SELECT count(*) FROM pg_inherits WHERE "
				       "inhparent = 'transfer'::regclass"), 2,
		     "the fixture must span several monthly partitions");
	one.readers = 1;
	many.readers = 3;
	for (int keep = 0; keep < 2; keep++) {
		one.keep_parallel = many.keep_parallel = keep;
		a = fixture_ingest(db, &one);
		b = fixture_ingest(db, &many);
		assert_same_graph(a, b);
		iffa_flowgraph_free(a);
		iffa_flowgraph_free(b);
	}
	/* A window and the party level go through the readers too. */
	one.level = many.level = IFFA_LEVEL_PARTY;
	cr_assert_eq(iffa_flowgraph_time_parse(&one.from, "2026-01-10"), 0);
	many.from = one.from;
	a = fixture_ingest(db, &one);
	b = fixture_ingest(db, &many);
	assert_same_graph(a, b);
	iffa_flowgraph_free(a);
	iffa_flowgraph_free(b);
	iffa_db_free(db);
}

/*
 * A transfer committed by another session while the ingest runs (between
 * the vertex stream and the transfer streams) is not read: every stream,
 * on the main connection or a reader's, sees the snapshot the ingest began
 * with. The progress stream is the hook: its writer commits the row when
 * the ingest reports the vertices done.
 */
typedef struct {
	iffa_db *other;
	int inserted;
} late_writer;

static ssize_t write_late(void *cookie, const char *buf, size_t size)
{
	late_writer *w = cookie;

	if (!w->inserted && memmem(buf, size, "vertices", 8)) {
		fixture_exec(w->other, "INSERT INTO transfer (from_account, to_account, amount,"
				       " currency, ts, channel, supplier, source, source_ref) VALUES"
				       " (5, 6, 7, 'XOF', '2026-02-03 00:00+00', 'bank', 'ML', 'test',"
				       " 'LATE1')");
		w->inserted = 1;
	}
	return (ssize_t)size;
}

Test(ingest_readers, a_transfer_committed_during_the_ingest_is_not_read)
{
	iffa_db *db = fixture_fresh("t_ingest_readers_snap");
	iffa_ingest_options o = IFFA_INGEST_OPTIONS_INIT;
	cookie_io_functions_t io = {NULL, write_late, NULL, NULL};
	long long before = testdb_scalar(db, "SELECT count(*) FROM transfer");

	for (int readers = 1; readers <= 3; readers += 2) {
		late_writer w = {testdb_connect("dbname=t_ingest_readers_snap"), 0};
		iffa_flowgraph *g;
		FILE *f = fopencookie(&w, "w", io);

		cr_assert_not_null(f);
		setvbuf(f, NULL, _IONBF, 0);
		o.progress = f;
		o.readers = readers;
		g = fixture_ingest(db, &o);
		fclose(f);
		cr_assert_eq(w.inserted, 1);
		cr_assert_eq(iffa_flowgraph_record_count(g, IFFA_KIND_TRANSFER), before,
			     "readers=%d read a row committed after the ingest began", readers);
		iffa_flowgraph_free(g);
		/* The next ingest sees it. */
		o.progress = NULL;
		g = fixture_ingest(db, &o);
		cr_assert_eq(iffa_flowgraph_record_count(g, IFFA_KIND_TRANSFER), before + 1);
		iffa_flowgraph_free(g);
		fixture_exec(w.other, "DELETE FROM transfer WHERE source_ref = 'LATE1'");
		iffa_db_free(w.other);
	}
	iffa_db_free(db);
}
