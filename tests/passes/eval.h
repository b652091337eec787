/*
 * End-to-end scoring of a pass against a generated scenario: generate,
 * load every file, ingest, run the pass, and compare the members of its
 * findings with truth.csv, at account and at party level. Used by the
 * tests with small scenarios and fixed floors, and by hand for the figures
 * in docs/ANALYSIS.md through the IFFA_EVAL_* variables (see eval.c).
 */
#ifndef IFFA_TESTS_PASSES_EVAL_H
#define IFFA_TESTS_PASSES_EVAL_H

#include <stdint.h>

#include "iffa.h"
#include "iffa/passes.h"

typedef int (*eval_run_fn)(iffa_findings *out, const iffa_flowgraph *g, iffa_db *db, void *arg);

typedef struct {
	uint64_t seed;
	uint64_t transfers;
	double camouflage;
	int keep_parallel;          /* ingest with one edge per flow */
	const char *const *scope;   /* structures the pass is meant to find, NULL-terminated */
	const char *dbname;         /* fresh database for the run */
} eval_setup;

typedef struct {
	size_t flagged_accounts, flagged_true, scope_accounts, scope_found;
	size_t flagged_parties, parties_true, scope_parties, scope_parties_found;
	double precision, recall;                 /* accounts */
	double party_precision, party_recall;     /* parties */
	double seconds;                           /* the pass alone */
	size_t findings;
} eval_result;

/* Fill `s` from the IFFA_EVAL_SEED, _TRANSFERS, _CAMOUFLAGE, _PARALLEL variables when set. */
void eval_from_env(eval_setup *s);

/* Run the whole chain and score; aborts the test on any failure. */
void eval_pass(const eval_setup *s, eval_run_fn run, void *arg, eval_result *r);

#endif
