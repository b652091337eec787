/*
 * iffa/analyse.h: running the analysis passes over the flow graph and
 * keeping what they find.
 *
 * An iffa_analysis holds the parameters of every pass (defaults from each
 * pass's IFFA_<NAME>_PARAMS_INIT, then a configuration file, then
 * key=value overrides) and which passes to run. iffa_analyse() reads the
 * flow graph, runs the passes and records everything in PostgreSQL: one
 * analysis_run row (parameters with every value used, data window, row
 * counts, code version, seed, OS user, start and end, status) and the
 * findings with their evidence and members. docs/ANALYSIS.md documents
 * the passes and every parameter.
 */
#ifndef IFFA_ANALYSE_H
#define IFFA_ANALYSE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "iffa/db.h"
#include "iffa/findings.h"
#include "iffa/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Parameters and pass selection of an analysis (opaque). */
typedef struct iffa_analysis iffa_analysis;

/** Every pass, every parameter at its default, every pass selected. @return 0 or IFFA_ENOMEM */
int iffa_analysis_new(iffa_analysis **out);

/** Free an analysis. Accepts NULL. */
void iffa_analysis_free(iffa_analysis *a);

/**
 * Set one parameter from text, e.g. ("clusters.resolution", "0.8").
 * Integers and seeds in decimal, reals as strtod reads them, booleans
 * true/false/yes/no/on/off/1/0, choices by name.
 * @return 0, or IFFA_EINVAL naming the unknown key or the bad value
 */
int iffa_analysis_set(iffa_analysis *a, const char *key, const char *value);

/**
 * Apply `key = value` assignments, one per line; `#` starts a comment;
 * blank lines are skipped. The first unknown key, bad value or malformed
 * line stops the reading with IFFA_EINVAL and a message "FILE:LINE: ...".
 * @return 0, IFFA_EINVAL or IFFA_EIO (cannot read the file)
 */
int iffa_analysis_read_config(iffa_analysis *a, const char *path);

/**
 * Select the passes to run: a comma-separated list of pass names
 * ("clusters,exposure"); "all" selects every pass. Passes run in the
 * order of the pass table, whatever the order of the list.
 * @return 0 or IFFA_EINVAL naming the unknown pass
 */
int iffa_analysis_select(iffa_analysis *a, const char *list);

/** Number of passes known, and the name of pass i (static string). */
size_t iffa_analysis_pass_count(void);
const char *iffa_analysis_pass_name(size_t i);

/** One parameter, as the registry describes it. Strings are static. */
typedef struct {
	const char *key;      /**< "pass.name" */
	const char *type;     /**< "int", "real", "bool", "seed", "choice", "duration",
				   "int64", "size" or "flags" */
	const char *choices;  /**< for "choice" and "flags": the names, comma-separated; else NULL */
	const char *doc;      /**< one line */
	char value[64];       /**< current value as text */
	char def[64];         /**< default as text */
} iffa_analysis_param;

/** Number of parameters (every pass, and the analysis's own). */
size_t iffa_analysis_param_count(void);

/** Describe parameter i (< count) with its value in `a`. @return 0 or IFFA_EINVAL */
int iffa_analysis_param_get(iffa_analysis_param *out, const iffa_analysis *a, size_t i);

/**
 * Every value the selected passes will use, as one JSON object with keys
 * "pass.name" (numbers, booleans, seeds as numbers, choices as strings)
 * plus "passes" (array of names).
 * @param out  NUL-terminated; free with free()
 * @return 0 or IFFA_ENOMEM
 */
int iffa_analysis_params_json(char **out, const iffa_analysis *a);

/** The run's seed (analyse.seed): passes' seeds follow it unless set. */
uint64_t iffa_analysis_seed(const iffa_analysis *a);

/**
 * Run the selected passes on `g`, appending to `out`; nothing is recorded.
 * `db` is the connection `g` was read from, for passes that read tables of
 * their own (gold reads the lots' grams); NULL when there is none, and
 * such a pass then fails with IFFA_EINVAL naming it.
 * `progress`, when not NULL, gets one line per pass with its time.
 * @return 0 or the first pass's error
 */
int iffa_analysis_run_passes(iffa_findings *out, const iffa_analysis *a, const iffa_flowgraph *g,
			     iffa_db *db, FILE *progress);

/** Called at each stage of iffa_analyse() ("ingest", "pass clusters", "store"...). */
typedef void (*iffa_analyse_stage_cb)(void *payload, const char *stage);

/** Options of iffa_analyse(). Start from IFFA_ANALYSE_OPTIONS_INIT. */
typedef struct {
	iffa_level level;          /**< accounts or parties as vertices */
	int64_t from, to;          /**< data window [from, to), UTC µs; IFFA_TIME_MIN/MAX open */
	FILE *progress;            /**< stage lines and timings, or NULL */
	iffa_analyse_stage_cb stage; /**< or NULL */
	void *stage_payload;
} iffa_analyse_options;

#define IFFA_ANALYSE_OPTIONS_INIT {IFFA_LEVEL_ACCOUNT, IFFA_TIME_MIN, IFFA_TIME_MAX, NULL, NULL, NULL}

/**
 * Record an analysis run, read the flow graph, run the passes and store
 * their findings. The run row is inserted first with status 'running' and
 * its parameters; the findings and the status 'completed' are written in
 * one transaction, so a completed run has all its findings and a run that
 * fails is marked 'failed' with the error (on a lost connection, after
 * reconnecting once). If even that is impossible the row stays 'running',
 * but the session-level advisory lock it held is gone with the session:
 * iffa_findings_write() reports such a run as abandoned.
 *
 * @param out_run  receives analysis_run.id (also when the run failed
 *                 after its row was written; 0 before)
 * @param db       a connection outside any transaction
 * @return 0, IFFA_EINVAL, IFFA_EDB, IFFA_ENOMEM or a pass's error
 */
int iffa_analyse(int64_t *out_run, iffa_db *db, const iffa_analysis *a,
		 const iffa_analyse_options *opts);

/**
 * Write the findings of run `run` as stored: for people (the run, then
 * per pass the `top` best findings with their evidence, refs and names),
 * or as one JSON object {"run": {...}, "findings": [...]}.
 * @param pass  only this pass, or NULL
 * @param top   findings per pass at most; 0: all
 * @return 0, IFFA_ENOTFOUND (no such run), IFFA_EDB or IFFA_EIO
 */
int iffa_findings_write(FILE *to, iffa_db *db, int64_t run, const char *pass, size_t top,
			int json);

/** Figures for one planted structure (recall only: precision is overall). */
typedef struct {
	char structure[32];
	size_t truth;            /**< accounts of the structure in truth.csv */
	size_t found;            /**< of them flagged by the run */
	size_t found_baseline;   /**< of them flagged by the one-hop baseline */
} iffa_evaluation_structure;

/** Precision and recall of one flagged set. */
typedef struct {
	size_t flagged, true_pos;
	double precision, recall, f1;
} iffa_evaluation_score;

/** What iffa_evaluate() measures (caller-owned; iffa_evaluation_dispose()). */
typedef struct {
	int64_t run;
	size_t truth_accounts;       /**< distinct accounts in truth.csv (accounts, and
				          accounts of parties) */
	size_t truth_unknown;        /**< truth refs not in the database */
	size_t accounts;             /**< accounts in the database */
	iffa_evaluation_score run_score;
	iffa_evaluation_score baseline;  /**< one hop from a designated party */
	iffa_evaluation_structure *structures;
	size_t nstructures;
	size_t top_k;                /**< k asked */
	size_t top_k_used;           /**< exposure findings available, at most k */
	double top_k_precision;      /**< share of the top-k exposure subjects in truth */
} iffa_evaluation;

/**
 * Compare the accounts a run flagged with truth.csv (docs/GENERATOR.md).
 * Flagged accounts: every account_id in finding_member of the run, and
 * every account of every party_id there. Truth accounts: accounts listed
 * in truth.csv and the accounts of the parties listed. Baseline: the
 * accounts of designated parties and of every vertex one edge away from
 * them in the flow graph read with the run's level and window (the same
 * data), expanded to owners' accounts the same way.
 *
 * @param k  size of the exposure ranking whose precision is measured
 * @return 0, IFFA_ENOTFOUND (no run), IFFA_EINVAL (truth file: line named),
 *         IFFA_EIO, IFFA_EDB, IFFA_ENOMEM
 */
int iffa_evaluate(iffa_evaluation *out, iffa_db *db, int64_t run, const char *truth_path,
		  size_t k);

/** Free what an evaluation holds. Accepts a zeroed struct. */
void iffa_evaluation_dispose(iffa_evaluation *ev);

/** Write an evaluation as a table for people, or as one JSON object. @return 0 or IFFA_EIO */
int iffa_evaluation_write(const iffa_evaluation *ev, FILE *to, int json);

#ifdef __cplusplus
}
#endif
#endif
