/*
 * The parameter registry: defaults from the passes' _PARAMS_INIT, a
 * configuration file, --set overrides, errors that name the file and line,
 * and the JSON the run records.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "analyse/analyse.h"
#include "support/testdb.h"

static void setup(void)
{
	iffa_init();
}

TestSuite(analyse_params, .init = setup);

/* Value of parameter `key` as text. */
static const char *value(const iffa_analysis *a, const char *key)
{
	static iffa_analysis_param p;

	for (size_t i = 0; i < iffa_analysis_param_count(); i++) {
		cr_assert_eq(iffa_analysis_param_get(&p, a, i), 0);
		if (strcmp(p.key, key) == 0)
			return p.value;
	}
	cr_assert_fail("no parameter %s", key);
	return NULL;
}

static const iffa_clusters_params *clusters(const iffa_analysis *a)
{
	for (size_t i = 0; i < iffa_analyse__npasses; i++)
		if (strcmp(iffa_analyse__passes[i].name, "clusters") == 0)
			return a->values[i];
	cr_assert_fail("no clusters pass");
	return NULL;
}

Test(analyse_params, defaults_come_from_the_passes_init_macros)
{
	iffa_analysis *a;
	iffa_clusters_params c = IFFA_CLUSTERS_PARAMS_INIT;
	iffa_exposure_params e = IFFA_EXPOSURE_PARAMS_INIT;
	char want[64];

	cr_assert_eq(iffa_analysis_new(&a), 0);
	cr_assert_eq(clusters(a)->hops, c.hops);
	cr_assert_eq(clusters(a)->method, c.method);
	cr_assert_float_eq(clusters(a)->min_tie, c.min_tie, 0);
	cr_assert_eq(clusters(a)->seed, c.seed);
	cr_assert_eq(clusters(a)->max_evidence, c.max_evidence);
	snprintf(want, sizeof(want), "%.15g", e.threshold);
	cr_assert_str_eq(value(a, "exposure.threshold"), want);
	cr_assert_str_eq(value(a, "clusters.method"), "leiden");
	cr_assert_str_eq(value(a, "exposure.gold_affected"), "true");
	cr_assert_str_eq(value(a, "analyse.seed"), "1");
	/* every row has a key, a type and a line of documentation */
	for (size_t i = 0; i < iffa_analysis_param_count(); i++) {
		iffa_analysis_param p;
		cr_assert_eq(iffa_analysis_param_get(&p, a, i), 0);
		cr_assert(p.key && p.type && p.doc && *p.doc);
		cr_assert_str_eq(p.value, p.def, "%s", p.key);
	}
	cr_assert_geq(iffa_analysis_pass_count(), 2);
	iffa_analysis_free(a);
}

Test(analyse_params, a_config_file_then_set_overrides_it)
{
	iffa_analysis *a;

	cr_assert_eq(iffa_analysis_new(&a), 0);
	cr_assert_eq(iffa_analysis_read_config(a, testdb_resource("analyse/good.conf")), 0, "%s",
		     iffa_error_last());
	cr_assert_float_eq(clusters(a)->resolution, 0.8, 1e-15);
	cr_assert_eq(clusters(a)->method, 1);
	cr_assert_str_eq(value(a, "exposure.gold_affected"), "false");
	/* the passes' seeds follow the run's unless set */
	cr_assert_str_eq(value(a, "clusters.seed"), "7");
	cr_assert_eq(iffa_analysis_seed(a), 7);
	cr_assert_eq(iffa_analysis_set(a, "exposure.threshold", "0.3"), 0);
	cr_assert_str_eq(value(a, "exposure.threshold"), "0.3");
	cr_assert_eq(iffa_analysis_set(a, "clusters.seed", "99"), 0);
	cr_assert_eq(iffa_analysis_set(a, "analyse.seed", "8"), 0);
	cr_assert_str_eq(value(a, "clusters.seed"), "99");
	iffa_analysis_free(a);
}

Test(analyse_params, an_unknown_key_names_the_file_and_line)
{
	iffa_analysis *a;
	char want[1100];

	cr_assert_eq(iffa_analysis_new(&a), 0);
	cr_assert_eq(iffa_analysis_read_config(a, testdb_resource("analyse/bad-key.conf")), IFFA_EINVAL);
	snprintf(want, sizeof(want), "%s:3: unknown parameter 'exposure.treshold'",
		 testdb_resource("analyse/bad-key.conf"));
	cr_assert(strstr(iffa_error_last(), want) != NULL, "%s", iffa_error_last());

	cr_assert_eq(iffa_analysis_read_config(a, testdb_resource("analyse/bad-value.conf")), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "bad-value.conf:1: clusters.hops: 'many' is not an integer") != NULL,
		  "%s", iffa_error_last());
	cr_assert_eq(iffa_analysis_read_config(a, testdb_resource("analyse/bad-line.conf")), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "bad-line.conf:1: expected 'key = value'") != NULL, "%s",
		  iffa_error_last());
	cr_assert_eq(iffa_analysis_read_config(a, "/nonexistent/iffa.conf"), IFFA_EIO);
	iffa_analysis_free(a);
}

Test(analyse_params, bad_values_and_names_are_refused)
{
	iffa_analysis *a;

	cr_assert_eq(iffa_analysis_new(&a), 0);
	cr_assert_eq(iffa_analysis_set(a, "clusters.hops", "11"), IFFA_EINVAL);
	cr_assert_eq(iffa_analysis_set(a, "clusters.hops", "2x"), IFFA_EINVAL);
	cr_assert_eq(iffa_analysis_set(a, "exposure.threshold", "nan"), IFFA_EINVAL);
	cr_assert_eq(iffa_analysis_set(a, "exposure.threshold", "1.5"), IFFA_EINVAL);
	cr_assert_eq(iffa_analysis_set(a, "clusters.method", "louvain"), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "leiden,multilevel") != NULL);
	cr_assert_eq(iffa_analysis_set(a, "analyse.seed", "-1"), IFFA_EINVAL);
	cr_assert_eq(iffa_analysis_set(a, "exposure.pool_party", "maybe"), IFFA_EINVAL);
	cr_assert_eq(iffa_analysis_set(a, "nosuch", "1"), IFFA_EINVAL);
	cr_assert_eq(iffa_analysis_select(a, "clusters,nosuch"), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "nosuch") != NULL);
	/* nothing changed */
	cr_assert_str_eq(value(a, "clusters.hops"), "2");
	iffa_analysis_free(a);
}

Test(analyse_params, the_json_holds_every_value_of_the_selected_passes)
{
	iffa_analysis *a;
	char *json;

	cr_assert_eq(iffa_analysis_new(&a), 0);
	cr_assert_eq(iffa_analysis_set(a, "clusters.method", "multilevel"), 0);
	cr_assert_eq(iffa_analysis_params_json(&json, a), 0);
	for (size_t i = 0; i < iffa_analysis_param_count(); i++) {
		iffa_analysis_param p;
		char key[80];
		cr_assert_eq(iffa_analysis_param_get(&p, a, i), 0);
		snprintf(key, sizeof(key), "\"%s\":", p.key);
		cr_assert(strstr(json, key) != NULL, "%s missing from %s", p.key, json);
	}
	cr_assert(strstr(json, "\"clusters.method\":\"multilevel\"") != NULL, "%s", json);
	cr_assert(strstr(json, "\"passes\":[\"clusters\",\"exposure\"") != NULL, "%s", json);
	free(json);
	/* a pass not selected leaves its values out */
	cr_assert_eq(iffa_analysis_select(a, "exposure"), 0);
	cr_assert_eq(iffa_analysis_params_json(&json, a), 0);
	cr_assert(strstr(json, "clusters.") == NULL, "%s", json);
	cr_assert(strstr(json, "\"analyse.seed\":1") != NULL, "%s", json);
	free(json);
	iffa_analysis_free(a);
}

static const void *pass_values(const iffa_analysis *a, const char *name)
{
	for (size_t i = 0; i < iffa_analyse__npasses; i++)
		if (strcmp(iffa_analyse__passes[i].name, name) == 0)
			return a->values[i];
	cr_assert_fail("no pass %s", name);
	return NULL;
}

Test(analyse_params, flags_and_counts_reach_the_paths_and_intermediaries_structs)
{
	iffa_analysis *a;
	const iffa_paths_params *pp;
	const iffa_intermediaries_params *ip;
	char *json;

	cr_assert_eq(iffa_analysis_new(&a), 0);
	cr_assert_str_eq(value(a, "paths.sources"), "ransom,levy,gold,designated");
	cr_assert_str_eq(value(a, "paths.dwell"), "30d");
	cr_assert_eq(iffa_analysis_set(a, "paths.sources", "gold,ransom"), 0);
	cr_assert_eq(iffa_analysis_set(a, "paths.max_paths", "40"), 0);
	cr_assert_eq(iffa_analysis_set(a, "intermediaries.walk_max_expansions", "123456"), 0);
	cr_assert_eq(iffa_analysis_set(a, "intermediaries.walk_sources", "all"), 0);
	pp = pass_values(a, "paths");
	ip = pass_values(a, "intermediaries");
	cr_assert_eq(pp->sources, IFFA_PATHS_FROM_RANSOM | IFFA_PATHS_FROM_GOLD);
	cr_assert_eq(pp->max_paths, 40);
	cr_assert_eq(ip->walk.max_expansions, 123456);
	cr_assert_eq(ip->walk.sources, IFFA_PATHS_FROM_ALL);
	cr_assert_str_eq(value(a, "paths.sources"), "ransom,gold");
	/* at least one source kind; names from the list; counts are not negative */
	cr_assert_eq(iffa_analysis_set(a, "paths.sources", "none"), IFFA_EINVAL);
	cr_assert_eq(iffa_analysis_set(a, "paths.sources", "ransom,,levy"), IFFA_EINVAL);
	cr_assert_eq(iffa_analysis_set(a, "paths.sources", "ransom,kidnap"), IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "ransom,levy,gold,designated") != NULL, "%s",
		  iffa_error_last());
	cr_assert_eq(iffa_analysis_set(a, "paths.max_paths", "-3"), IFFA_EINVAL);
	cr_assert_eq(iffa_analysis_set(a, "paths.max_paths", "0"), IFFA_EINVAL);
	cr_assert_eq(pp->sources, IFFA_PATHS_FROM_RANSOM | IFFA_PATHS_FROM_GOLD);
	cr_assert_eq(iffa_analysis_select(a, "paths"), 0);
	cr_assert_eq(iffa_analysis_params_json(&json, a), 0);
	cr_assert(strstr(json, "\"paths.sources\":\"ransom,gold\"") != NULL, "%s", json);
	cr_assert(strstr(json, "\"paths.max_paths\":40") != NULL, "%s", json);
	cr_assert(strstr(json, "intermediaries.") == NULL, "%s", json);
	free(json);
	iffa_analysis_free(a);
}
