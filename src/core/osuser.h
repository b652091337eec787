/* Who runs iffa, as the operating system knows them, for audit records. */
#ifndef IFFA_SRC_CORE_OSUSER_H
#define IFFA_SRC_CORE_OSUSER_H

#include <stddef.h>

/**
 * Name of the effective user of the process (from the password database,
 * else "uid N"), written to out (always NUL-terminated).
 */
void iffa_core__os_user(char *out, size_t size);

#endif
