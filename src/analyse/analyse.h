/*
 * Internals of the analysis module: the parameter registry and the pass
 * table (src/analyse/passes.c), shared by params.c, run.c and evaluate.c.
 *
 * A pass is one row of the pass table: its name, an adapter calling
 * iffa_pass_<name>() with its typed parameters, the size and defaults of
 * its parameter struct, and the rows describing each field the
 * configuration may set (key, type, offset, range, documentation).
 * Adding a pass is one IFFA_PASS_ROW() and its parameter rows.
 */
#ifndef IFFA_SRC_ANALYSE_H
#define IFFA_SRC_ANALYSE_H

#include <stddef.h>
#include <stdint.h>

#include "iffa/analyse.h"
#include "iffa/common.h"
#include "iffa/passes.h"
#include "passes/paths.h"

/* Field types a parameter row may describe, and the C type each stands for. */
typedef enum {
	IFFA_PARAM_INT = 0, /* int */
	IFFA_PARAM_REAL,    /* double */
	IFFA_PARAM_BOOL,    /* int, 0 or 1 */
	IFFA_PARAM_SEED,    /* uint64_t; follows analyse.seed unless set */
	IFFA_PARAM_CHOICE,  /* int: index in `choices` */
	IFFA_PARAM_DURATION, /* int64_t microseconds; written "<n>d", "<n>h", "<n>m" or "<n>s" */
	IFFA_PARAM_INT64,    /* int64_t */
	IFFA_PARAM_SIZE,     /* size_t (counts and limits) */
	IFFA_PARAM_FLAGS     /* unsigned: bit i set for choice i; written as names,
			        comma-separated ("ransom,levy"), "all" or "none";
			        the value must be at least min */
} iffa_param_type;

/* One configurable field of a pass's parameter struct. */
typedef struct {
	const char *key;      /* "pass.field" */
	iffa_param_type type;
	size_t offset;        /* offsetof(struct, field) */
	double min, max;      /* range of numbers, durations (seconds) and flags */
	const char *choices;  /* CHOICE, FLAGS: names, comma-separated, in index/bit order */
	const char *doc;      /* one line for --list-params and docs/ANALYSIS.md */
} iffa_param_spec;

/*
 * What a pass may use beyond the graph: `db`, the run's connection
 * (outside any transaction), NULL when the passes run without a database
 * (passes that read tables of their own refuse NULL); `walks`, what the
 * paths pass leaves for the intermediaries pass in one run (NULL: each
 * walks on its own).
 */
typedef struct {
	iffa_db *db;
	iffa_paths__memo *walks;
	iffa_exposure **exposure; /* where the exposure pass leaves its scores; NULL */
	void *prepared;           /* what the pass's own `prepare` left (iffa_pass_spec); NULL */
} iffa_pass_env;

/* Call a pass with its parameters (the adapter casts them back). */
typedef int (*iffa_pass_fn)(iffa_findings *out, const iffa_flowgraph *g, const iffa_pass_env *env,
			    const void *params);

/*
 * Work a pass does before any pass runs, on igraph's thread, leaving it
 * in `*state` for the pass (env->prepared); `release` frees what the pass
 * did not take.
 */
typedef int (*iffa_pass_prepare_fn)(void **state, const iffa_flowgraph *g, const void *params);
typedef void (*iffa_pass_release_fn)(void *state);

/* One row of the pass table. */
typedef struct {
	const char *name;             /* "clusters"; also the prefix of its keys */
	iffa_pass_fn run;             /* NULL for the analysis's own parameters */
	size_t size;                  /* sizeof its parameter struct */
	const void *defaults;         /* a struct filled by its _PARAMS_INIT */
	const iffa_param_spec *params;
	size_t nparams;
	int beside;                   /* calls no igraph function: may run on a thread of
				         its own beside the others (analyse.overlap); the
				         run's connection is then that thread's alone */
	int takes_walks;              /* takes the walks a pass before it leaves in the
				         run's memo (iffa_paths__memo): while one is
				         selected, the paths pass leaves them there */
	iffa_pass_prepare_fn prepare; /* NULL, or its work before every pass: the
				         exposure pass's PageRanks, whose transients are
				         the largest of the run, done while nothing else
				         large is held */
	iffa_pass_release_fn release;
	int waits;                    /* a `beside` pass that holds large indexes: on the
				         thread beside it starts only once every `prepare`
				         is done, so that their peaks do not add up */
} iffa_pass_spec;

/* The analysis's own parameters (pass "analyse", never run). */
typedef struct {
	uint64_t seed;       /* run seed; recorded in analysis_run.seed */
	int keep_parallel;   /* ingest one edge per flow */
	int overlap;         /* passes marked `beside` run on a thread of their own */
	int parallel_store;  /* the exposure rows go on a second connection beside the findings */
} iffa_analyse_params;

#define IFFA_ANALYSE_PARAMS_INIT {1, 0, 1, 1}

/* The pass table: row 0 is "analyse", then the passes in running order. */
extern const iffa_pass_spec iffa_analyse__passes[];
extern const size_t iffa_analyse__npasses;

struct iffa_analysis {
	void **values;       /* per pass: its parameter struct */
	uint8_t **set;       /* per pass, per parameter: set explicitly */
	uint8_t *selected;   /* per pass */
};

/* The analysis's own parameters of `a`. */
const iffa_analyse_params *iffa_analyse__own(const iffa_analysis *a);

/* The values a pass would run with: seeds not set follow analyse.seed. */
void iffa_analyse__effective(void *out, const iffa_analysis *a, size_t pass);

/* Move every finding of `src` to the end of `dst`, in order; `src` is left empty. */
int iffa_findings__append(iffa_findings *dst, iffa_findings *src);

/* Store the findings of run `run` (inside the caller's transaction). */
int iffa_analyse__store(iffa_db *db, int64_t run, const iffa_findings *f, const iffa_flowgraph *g);

/*
 * Store the exposure of every vertex within reach of a source (or with a
 * score) in vertex_exposure and the edges of their paths in exposure_edge,
 * for run `run`, from `scores` (the exposure pass's; NULL: computed by
 * begin, on the caller's thread). With `beside`, begin opens a second
 * connection like `db` and writes every row there on a thread of its own,
 * in a transaction of its own, while the caller writes the findings on
 * `db`; end waits for it; commit commits it (call it once the rest of the
 * run is written, just before the run's own COMMIT). Without `beside`, or
 * when no second connection can be had, end writes the rows on `db`
 * inside the caller's transaction and commit does nothing. End gives the
 * vertex rows written. Free the handle in every case: a thread still
 * running is stopped and what it wrote but did not commit is dropped.
 */
typedef struct iffa_analyse__exposure_store iffa_analyse__exposure_store;

int iffa_analyse__store_exposure_begin(iffa_analyse__exposure_store **out, iffa_db *db,
				       int64_t run, const iffa_exposure_params *p,
				       const iffa_flowgraph *g, const iffa_exposure *scores,
				       int beside);
int iffa_analyse__store_exposure_end(iffa_analyse__exposure_store *st, iffa_db *db,
				     size_t *out_rows);
int iffa_analyse__store_exposure_commit(iffa_analyse__exposure_store *st);
void iffa_analyse__store_exposure_free(iffa_analyse__exposure_store *st);

/*
 * Run the selected passes: per pass (index in the table) the seconds it
 * took and the findings it added, when the arrays are not NULL.
 */
int iffa_analyse__run_passes(iffa_findings *out, const iffa_analysis *a, const iffa_flowgraph *g,
			     iffa_db *db, FILE *progress, double *seconds, size_t *counts,
			     iffa_exposure **exposure);

/* Advisory lock held by the session running an analysis: key (CLASS, run id). */
#define IFFA_ANALYSE__LOCK_TEXT "536545793"
/* the run id as the lock's second key (int4) */
#define IFFA_ANALYSE__LOCK_RUN "(($1::bigint) % 2147483647)::int4"

#endif
