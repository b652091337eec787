/*
 * A hash map from int64 keys to non-negative int64 values: open addressing
 * with linear probing in one array of slots, no allocation per entry. The
 * flow graph keeps database key -> vertex id in one, and the ingest merges
 * parallel flows with another.
 */
#ifndef IFFA_SRC_GRAPH_KEYMAP_H
#define IFFA_SRC_GRAPH_KEYMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
	int64_t key;
	int64_t val; /* -1 marks an empty slot */
} iffa_keymap__slot;

typedef struct {
	iffa_keymap__slot *slots; /* capacity = mask + 1, a power of two */
	size_t mask;
	size_t count;
	int64_t *dense;           /* after iffa_keymap__freeze: value by key, -1 absent */
	size_t dense_len;         /* keys 0 .. dense_len - 1 */
} iffa_keymap;

/** Make an empty map sized for `expected` entries. @return 0 or IFFA_ENOMEM */
int iffa_keymap__init(iffa_keymap *m, size_t expected);

/** Free the slots. Accepts a zeroed map. */
void iffa_keymap__dispose(iffa_keymap *m);

/** Value stored under `key`, or -1. O(1) expected. */
static inline int64_t iffa_keymap__get(const iffa_keymap *m, int64_t key);

/**
 * The map will be read more than written: when its keys are non-negative
 * and dense enough (the largest below 4 * count + 1024), also index the
 * values by key in a plain array, so that a lookup is one memory read
 * instead of a hash and a probe. Database ids from sequences are dense.
 * A later put drops the array. @return 0 or IFFA_ENOMEM
 */
int iffa_keymap__freeze(iffa_keymap *m);

/**
 * The map will not be written again: freeze it if it is not, and when the
 * plain array then answers every lookup, free the hashed slots (the flow
 * graph's key map: 64 MB of slots beside a 20 MB array for 2.1M keys). A
 * put on a sealed map that dropped its slots fails with IFFA_EINVAL.
 * @return 0 or IFFA_ENOMEM
 */
int iffa_keymap__seal(iffa_keymap *m);

/* Hashed lookup, for iffa_keymap__get. */
int64_t iffa_keymap__probe(const iffa_keymap *m, int64_t key);

static inline int64_t iffa_keymap__get(const iffa_keymap *m, int64_t key)
{
	if (m->dense)
		return key >= 0 && (uint64_t)key < m->dense_len ? m->dense[key] : -1;
	return iffa_keymap__probe(m, key);
}

/**
 * Store `val` (>= 0) under `key` unless the key is there already.
 * @param out  receives the value now under `key` (the old one if present)
 * @return 1 when inserted, 0 when the key was present, IFFA_ENOMEM
 */
int iffa_keymap__put(int64_t *out, iffa_keymap *m, int64_t key, int64_t val);

#endif
