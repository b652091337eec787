/*
 * Fuzz harness: the FollowTheMoney JSON-lines reader (src/lists/ftm.c) and
 * its JSON parser (src/lists/json.c).
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

	iffa_lists__parsed_init(&p, fuzz_input_path(data, size), "ftm");
	error = iffa_lists__read_ftm(&p);
	lists_check(&p, error, "iffa_lists__read_ftm");
	iffa_lists__parsed_dispose(&p);
	return 0;
}
