/*
 * Fuzz harness: the configuration file of `iffa analyse --config`
 * (iffa_analysis_read_config in src/analyse/params.c), `key = value` lines
 * with comments, every parameter type of every pass behind it.
 *
 * Input: the file, as is (through fuzz.h's memory-backed file). Besides
 * memory safety: a refused file fails with IFFA_EINVAL or IFFA_EIO and a
 * message that names the file; an accepted one gives parameters that
 * iffa_analysis_params_json can write, as a JSON object.
 */
#include <string.h>

#include "fuzz.h"
#include "iffa/analyse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	const char *path = fuzz_input_path(data, size);
	iffa_analysis *a = NULL;
	char *json = NULL;
	int error;

	if (!ready) {
		iffa_init();
		ready = 1;
	}
	if (iffa_analysis_new(&a) < 0)
		return 0;
	error = iffa_analysis_read_config(a, path);
	if (error < 0) {
		fuzz_check_error(error, "iffa_analysis_read_config");
		FUZZ_ASSERT(strncmp(iffa_error_last(), path, strlen(path)) == 0,
			    "the message does not start with the file: %s", iffa_error_last());
	} else {
		error = iffa_analysis_params_json(&json, a);
		FUZZ_ASSERT(error == 0 || error == IFFA_ENOMEM, "params_json returned %d", error);
		FUZZ_ASSERT(!json || (json[0] == '{' && json[strlen(json) - 1] == '}'),
			    "not a JSON object: %.80s", json);
		free(json);
	}
	iffa_analysis_free(a);
	return 0;
}
