#include <criterion/criterion.h>
#include <string.h>

#include "iffa.h"

Test(analyse_findings, a_finding_without_evidence_is_refused)
{
	iffa_findings *f;

	cr_assert_eq(iffa_findings_new(&f), 0);
	cr_assert_eq(iffa_findings_add(f, "paths", "cross_border", IFFA_SUBJECT_PATH, -1, 1.0,
				       NULL, 0, NULL, 0, "no edges"),
		     IFFA_EINVAL);
	cr_assert(strstr(iffa_error_last(), "without evidence") != NULL);
	cr_assert_eq(iffa_findings_count(f), 0);
	iffa_findings_free(f);
}

Test(analyse_findings, findings_keep_their_evidence_and_sort_by_score_within_a_pass)
{
	iffa_findings *f;
	igraph_integer_t ev1[] = {3, 4}, ev2[] = {7}, ev3[] = {1}, mem[] = {0, 2};

	cr_assert_eq(iffa_findings_new(&f), 0);
	cr_assert_eq(iffa_findings_add(f, "typologies", "fan_in", IFFA_SUBJECT_ACCOUNT, 2, 0.4,
				       ev1, 2, mem, 2, "fan-in of %d accounts", 12), 0);
	cr_assert_eq(iffa_findings_add(f, "paths", "cross_border", IFFA_SUBJECT_PATH, -1, 0.9,
				       ev2, 1, NULL, 0, "path"), 0);
	cr_assert_eq(iffa_findings_add(f, "typologies", "cycle", IFFA_SUBJECT_CLUSTER, -1, 0.8,
				       ev3, 1, NULL, 0, "cycle"), 0);
	ev1[0] = 99; /* the list holds a copy */
	iffa_findings_sort(f);
	cr_assert_eq(iffa_findings_count(f), 3);
	cr_assert_str_eq(iffa_findings_get(f, 0)->kind, "cycle");
	cr_assert_str_eq(iffa_findings_get(f, 1)->kind, "fan_in");
	cr_assert_str_eq(iffa_findings_get(f, 1)->reason, "fan-in of 12 accounts");
	cr_assert_eq(iffa_findings_get(f, 1)->evidence[0], 3);
	cr_assert_eq(iffa_findings_get(f, 1)->nmembers, 2);
	cr_assert_str_eq(iffa_findings_get(f, 2)->pass, "paths");
	iffa_findings_free(f);
}
