/*
 * The inputs the fuzzers once crashed on, kept in tests/resources/fuzz/
 * <harness>/ (tests/fuzz/README.md): read them back for the regression
 * tests of this directory.
 */
#ifndef IFFA_TESTS_FUZZ_REGRESSIONS_SAVED_H
#define IFFA_TESTS_FUZZ_REGRESSIONS_SAVED_H

#include <stddef.h>

/* Path of tests/resources/fuzz/<harness>/<name>, in a static buffer. */
const char *saved_path(const char *harness, const char *name);

/*
 * The bytes of a saved input (malloc'd, NUL-terminated after `*len` bytes;
 * free them). Aborts the test when the file cannot be read.
 */
unsigned char *saved_read(const char *harness, const char *name, size_t *len);

/*
 * Names of every saved input of a harness, sorted (malloc'd array of
 * malloc'd strings, NULL-terminated; free with saved_free_names). An empty
 * or missing directory gives an empty list.
 */
char **saved_names(const char *harness);
void saved_free_names(char **names);

#endif
