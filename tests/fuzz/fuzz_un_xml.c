/*
 * Fuzz harness: the UN consolidated list reader (src/lists/un_xml.c, on
 * libxml2's xmlTextReader).
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

	iffa_lists__parsed_init(&p, fuzz_input_path(data, size), "un-xml");
	error = iffa_lists__read_un_xml(&p);
	lists_check(&p, error, "iffa_lists__read_un_xml");
	iffa_lists__parsed_dispose(&p);
	return 0;
}
