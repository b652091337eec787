/* include/iffa/graph.h compiles alone. */
#include "iffa/graph.h"

#include <criterion/criterion.h>

Test(graph_header, graph_h_alone_gives_the_codes)
{
	cr_assert_eq(IFFA_CHANNEL_COUNT, 6);
	cr_assert_eq(IFFA_KIND_COUNT, 4);
	cr_assert_eq(IFFA_CHANNEL_ALL, 0x3fu);
	cr_assert_eq(IFFA_VERTEX_PRIMARY, 8);
}
