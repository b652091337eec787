#include <criterion/criterion.h>
#include <string.h>

#include <igraph.h>

#include "iffa.h"

Test(core_error, set_keeps_message_and_code)
{
	iffa_error_clear();
	cr_assert_str_eq(iffa_error_last(), "no error");
	cr_assert_eq(iffa_error_set(IFFA_EINVAL, "%s:%d: field %s", "f.csv", 7, "amount"),
		     IFFA_EINVAL);
	cr_assert_str_eq(iffa_error_last(), "f.csv:7: field amount");
	cr_assert_eq(iffa_error_last_code(), IFFA_EINVAL);
	iffa_error_clear();
	cr_assert_eq(iffa_error_last_code(), IFFA_OK);
}

Test(core_error, igraph_errors_return_instead_of_abort)
{
	igraph_t g;
	igraph_vector_int_t edges;

	iffa_init();
	/* A negative vertex id is an igraph error. */
	igraph_vector_int_init_int(&edges, 2, 0, -1);
	cr_assert_neq(igraph_create(&g, &edges, 2, IGRAPH_DIRECTED), IGRAPH_SUCCESS);
	cr_assert(strstr(iffa_error_last(), "igraph") != NULL);
	igraph_vector_int_destroy(&edges);
}
