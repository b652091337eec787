/*
 * iffa's answers for the peer comparison (tools/bench/peer_networkx.py):
 * reads the flow graph with the defaults of `iffa analyse` (account level,
 * parallel flows merged, every record kind) and prints, as one JSON object,
 * what a peer computing the same algorithm should find too:
 *
 *   - the weakly connected components: their number and the sizes of the
 *     largest (igraph_connected_components, as `iffa summary`);
 *   - the personalised PageRank along money of the exposure pass
 *     (iffa_exposure_new: reset on designated and armed-group vertices and
 *     on the payees of ransoms and levies, edges weighted by XOF, damping
 *     0.85), the top K account ids with their scores.
 *
 *   iffa_bench_answers [--db CONNINFO] [--top K]
 *
 * The connection comes from --db or the PG* variables.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iffa.h"
#include "graph/flowgraph.h"

typedef struct {
	double score;
	igraph_integer_t v;
} ranked;

static int by_score(const void *a, const void *b)
{
	const ranked *x = a, *y = b;

	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return (x->v > y->v) - (x->v < y->v);
}

static int by_size_desc(const void *a, const void *b)
{
	igraph_integer_t x = *(const igraph_integer_t *)a, y = *(const igraph_integer_t *)b;

	return (x < y) - (x > y);
}

int main(int argc, char **argv)
{
	const char *conninfo = "";
	iffa_ingest_options io = IFFA_INGEST_OPTIONS_INIT;
	iffa_exposure_params xp = IFFA_EXPOSURE_PARAMS_INIT;
	iffa_db *db = NULL;
	iffa_flowgraph *g = NULL;
	iffa_exposure *x = NULL;
	igraph_vector_int_t csize;
	igraph_integer_t ncomp = 0, singletons = 0, *sizes = NULL;
	ranked *r = NULL;
	int top = 100, code = 1, have_csize = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
			conninfo = argv[++i];
		else if (strcmp(argv[i], "--top") == 0 && i + 1 < argc)
			top = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: iffa_bench_answers [--db CONNINFO] [--top K]\n");
			return 2;
		}
	}
	iffa_init();
	if (iffa_db_connect(&db, conninfo) < 0 || iffa_ingest(&g, db, &io) < 0 ||
	    iffa_exposure_new(&x, g, &xp) < 0)
		goto done;
	if (igraph_vector_int_init(&csize, 0) != IGRAPH_SUCCESS)
		goto done;
	have_csize = 1;
	if (igraph_connected_components(&g->graph, NULL, &csize, &ncomp, IGRAPH_WEAK) !=
	    IGRAPH_SUCCESS)
		goto done;
	if (!(sizes = malloc((size_t)(ncomp ? ncomp : 1) * sizeof(*sizes))) ||
	    !(r = malloc((size_t)(g->nv ? g->nv : 1) * sizeof(*r))))
		goto done;
	for (igraph_integer_t c = 0; c < ncomp; c++)
		sizes[c] = VECTOR(csize)[c];
	qsort(sizes, (size_t)ncomp, sizeof(*sizes), by_size_desc);
	for (igraph_integer_t v = 0; v < g->nv; v++) {
		iffa_exposure_result e;

		if (iffa_exposure_of(&e, x, v) < 0)
			goto done;
		r[v].score = e.ppr_from / (double)g->nv; /* back to a probability */
		r[v].v = v;
		iffa_exposure_result_dispose(&e);
	}
	qsort(r, (size_t)g->nv, sizeof(*r), by_score);
	printf("{\"vertices\": %" PRId64 ", \"edges\": %" PRId64 ", \"components\": %" PRId64
	       ", \"largest\": [", (int64_t)g->nv, (int64_t)g->ne, (int64_t)ncomp);
	for (igraph_integer_t c = 0; c < ncomp && c < 10; c++)
		printf("%s%" PRId64, c ? ", " : "", (int64_t)sizes[c]);
	for (igraph_integer_t c = 0; c < ncomp; c++)
		singletons += sizes[c] == 1;
	printf("],\n \"singletons\": %" PRId64 ", \"pagerank_top\": [", (int64_t)singletons);
	for (int k = 0; k < top && k < g->nv; k++) {
		int64_t key = g->vkey[r[k].v];

		printf("%s\n  [\"%s\", %" PRId64 ", %.9g]", k ? "," : "", key & 1 ? "party" : "account",
		       key >> 1, r[k].score);
	}
	printf("]}\n");
	code = 0;
done:
	if (code)
		fprintf(stderr, "iffa_bench_answers: %s\n", iffa_error_last());
	free(r);
	free(sizes);
	if (have_csize)
		igraph_vector_int_destroy(&csize);
	iffa_exposure_free(x);
	iffa_flowgraph_free(g);
	iffa_db_free(db);
	return code;
}
