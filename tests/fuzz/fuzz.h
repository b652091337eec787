/*
 * Helpers shared by the libFuzzer harnesses of tests/fuzz: the entry point's
 * prototype, an assertion that crashes (so that libFuzzer keeps the input),
 * and an in-memory file for the readers that take a path.
 *
 * The harnesses are built only with IFFA_FUZZ=ON (clang, libFuzzer, ASan,
 * UBSan) and run by tools/fuzz.sh; see tests/fuzz/README.md.
 */
#ifndef IFFA_TESTS_FUZZ_FUZZ_H
#define IFFA_TESTS_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "iffa/common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * A property every input must keep. A broken one is a bug even without a
 * memory error (a silent misread), so it aborts, and libFuzzer saves the
 * input as a crash.
 */
#define FUZZ_ASSERT(cond, ...)                                                         \
	do {                                                                           \
		if (!(cond)) {                                                         \
			fprintf(stderr, "%s:%d: property broken: %s: ", __FILE__, __LINE__, \
				#cond);                                                \
			fprintf(stderr, __VA_ARGS__);                                  \
			fputc('\n', stderr);                                           \
			abort();                                                       \
		}                                                                      \
	} while (0)

/* A failing reader must say why with one of the codes its header promises. */
static inline void fuzz_check_error(int error, const char *reader)
{
	const char *msg = iffa_error_last();

	FUZZ_ASSERT(error == IFFA_EINVAL || error == IFFA_EIO || error == IFFA_ENOMEM,
		    "%s returned %d (%s)", reader, error, msg);
	FUZZ_ASSERT(iffa_error_last_code() == error, "%s returned %d but the last error is %d (%s)",
		    reader, error, iffa_error_last_code(), msg);
	FUZZ_ASSERT(msg && msg[0], "%s failed without a message", reader);
}

/*
 * Put the input in a memory-backed file and give a path that opens it from
 * its start, for readers that take a path (the list readers). One file per
 * process, rewritten for every input: no disk I/O while fuzzing.
 */
static inline const char *fuzz_input_path(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	size_t done = 0;

	if (fd < 0) {
		fd = memfd_create("iffa-fuzz-input", MFD_CLOEXEC);
		FUZZ_ASSERT(fd >= 0, "memfd_create failed");
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	FUZZ_ASSERT(ftruncate(fd, 0) == 0, "ftruncate failed");
	while (done < size) {
		ssize_t n = pwrite(fd, data + done, size - done, (off_t)done);
		FUZZ_ASSERT(n > 0, "pwrite failed");
		done += (size_t)n;
	}
	return path;
}

#endif
