/* include/iffa/ingest.h compiles alone. */
#include "iffa/ingest.h"

#include <criterion/criterion.h>

Test(ingest_header, ingest_h_alone_gives_keys_and_default_options)
{
	iffa_ingest_options o = IFFA_INGEST_OPTIONS_INIT;

	cr_assert_eq(IFFA_KEY_ACCOUNT(3), 6);
	cr_assert_eq(IFFA_KEY_PARTY(3), 7);
	cr_assert_eq(o.level, IFFA_LEVEL_ACCOUNT);
	cr_assert_eq(o.from, IFFA_TIME_MIN);
	cr_assert_eq(o.to, IFFA_TIME_MAX);
	cr_assert_eq(o.channels, 0x3fu);
	cr_assert_eq(o.kinds, 0xfu);
	cr_assert_eq(o.keep_parallel, 0);
	cr_assert_null(o.progress);
}
