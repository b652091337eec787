/*
 * Growing arrays: the one helper the passes share for arrays that grow
 * as results are found (paths, hops, groups, marks...).
 */
#ifndef IFFA_SRC_CORE_GROW_H
#define IFFA_SRC_CORE_GROW_H

#include <stddef.h>

/**
 * Make the array at `*pptr` (a pointer to the array's pointer) hold at
 * least `need` elements of `size` bytes, doubling its capacity `*cap`
 * (from 16). Its contents are kept; on failure nothing changes.
 * @return 0 or IFFA_ENOMEM
 */
int iffa_grow(void *pptr, size_t *cap, size_t need, size_t size);

#endif
