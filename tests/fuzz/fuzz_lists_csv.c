/*
 * Fuzz harness: the national-list CSV reader (src/lists/csv.c) and the
 * record reader under it (src/core/csvrec.c).
 *
 * Input: the file, as is. The reader takes a path, so the bytes go to a
 * memory-backed file first (fuzz.h). What is checked afterwards is in
 * lists_check.h.
 */
#include "fuzz.h"
#include "lists_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	iffa_lists__parsed p;
	int error;

	iffa_lists__parsed_init(&p, fuzz_input_path(data, size), "csv");
	error = iffa_lists__read_csv(&p);
	lists_check(&p, error, "iffa_lists__read_csv");
	iffa_lists__parsed_dispose(&p);
	return 0;
}
