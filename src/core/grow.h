/*
 * Growing arrays: the one helper for arrays that grow as rows or results
 * come (the passes' paths and groups, findings, the ingest's vertex rows,
 * the exposure store's edges).
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
