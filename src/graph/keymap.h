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
} iffa_keymap;

/** Make an empty map sized for `expected` entries. @return 0 or IFFA_ENOMEM */
int iffa_keymap__init(iffa_keymap *m, size_t expected);

/** Free the slots. Accepts a zeroed map. */
void iffa_keymap__dispose(iffa_keymap *m);

/** Value stored under `key`, or -1. O(1) expected. */
int64_t iffa_keymap__get(const iffa_keymap *m, int64_t key);

/**
 * Store `val` (>= 0) under `key` unless the key is there already.
 * @param out  receives the value now under `key` (the old one if present)
 * @return 1 when inserted, 0 when the key was present, IFFA_ENOMEM
 */
int iffa_keymap__put(int64_t *out, iffa_keymap *m, int64_t key, int64_t val);

#endif
