/*
 * UTC microseconds to and from text.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "graph/flowgraph.h"

#define SEC INT64_C(1000000)

Test(graph_time, dates_and_times_parse_to_utc_microseconds)
{
	int64_t t;

	cr_assert_eq(iffa_flowgraph_time_parse(&t, "1970-01-01"), 0);
	cr_assert_eq(t, 0);
	cr_assert_eq(iffa_flowgraph_time_parse(&t, "2000-01-01T00:00Z"), 0);
	cr_assert_eq(t, INT64_C(946684800) * SEC);
	cr_assert_eq(iffa_flowgraph_time_parse(&t, "2026-03-04T10:15:00Z"), 0);
	cr_assert_eq(t, INT64_C(1772619300) * SEC);
	/* 10:15 at +01:00 is 09:15 UTC. */
	cr_assert_eq(iffa_flowgraph_time_parse(&t, "2026-03-04 10:15+01:00"), 0);
	cr_assert_eq(t, INT64_C(1772615700) * SEC);
	cr_assert_eq(iffa_flowgraph_time_parse(&t, "2026-03-04T10:15:00.5-00:30"), 0);
	cr_assert_eq(t, INT64_C(1772621100) * SEC + 500000);
	cr_assert_eq(iffa_flowgraph_time_parse(&t, "2024-02-29"), 0);
	cr_assert_eq(iffa_flowgraph_time_parse(&t, "1969-12-31T23:59:59.999999Z"), 0);
	cr_assert_eq(t, -1);
}

Test(graph_time, malformed_times_are_refused_with_the_text)
{
	static const char *const bad[] = {"", "2026", "2026-13-01", "2026-02-29", "2026-01-01T10:15",
					  "2026-01-01T24:00Z", "2026-01-01T10:15:00.1234567Z",
					  "2026-01-01T10:15:00.Z", "0000-01-01", "2026-01-01Z",
					  "2026-01-01T10:15Zjunk", "26-01-01"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t t;
		cr_assert_eq(iffa_flowgraph_time_parse(&t, bad[i]), IFFA_EINVAL, "'%s' accepted", bad[i]);
		cr_assert(strstr(iffa_error_last(), bad[i]) != NULL, "%s", iffa_error_last());
	}
}

Test(graph_time, format_writes_utc_and_reads_back)
{
	char buf[32];
	static const int64_t samples[] = {0, -1, INT64_C(1772619300) * SEC, INT64_C(1772619300) * SEC + 7,
					  INT64_C(-62135596800) * SEC, INT64_C(253402300799) * SEC};

	cr_assert_eq(iffa_flowgraph_time_format(buf, sizeof(buf), INT64_C(1772619300) * SEC), 0);
	cr_assert_str_eq(buf, "2026-03-04T10:15:00Z");
	cr_assert_eq(iffa_flowgraph_time_format(buf, sizeof(buf), -1), 0);
	cr_assert_str_eq(buf, "1969-12-31T23:59:59.999999Z");
	cr_assert_eq(iffa_flowgraph_time_format(buf, sizeof(buf), INT64_C(1772619300) * SEC + 7), 0);
	cr_assert_str_eq(buf, "2026-03-04T10:15:00.000007Z");
	cr_assert_eq(iffa_flowgraph_time_format(buf, sizeof(buf), INT64_C(-62135596800) * SEC), 0);
	cr_assert_str_eq(buf, "0001-01-01T00:00:00Z");
	cr_assert_eq(iffa_flowgraph_time_format(buf, 21, 0), 0); /* exactly the room it takes */
	cr_assert_str_eq(buf, "1970-01-01T00:00:00Z");
	cr_assert_eq(iffa_flowgraph_time_format(buf, 20, 0), IFFA_EINVAL);
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		int64_t back;
		cr_assert_eq(iffa_flowgraph_time_format(buf, sizeof(buf), samples[i]), 0);
		cr_assert_eq(iffa_flowgraph_time_parse(&back, buf), 0, "%s", iffa_error_last());
		cr_assert_eq(back, samples[i], "%s", buf);
	}
	cr_assert_eq(iffa_flowgraph_time_format(buf, sizeof(buf), INT64_C(253402300800) * SEC), IFFA_EINVAL);
	cr_assert_eq(iffa_flowgraph_time_format(buf, 10, 0), IFFA_EINVAL);
}
