/*
 * See keymap.h. The table doubles when it would pass 3/4 full, so lookups
 * stay O(1) expected; keys are spread with the splitmix64 finaliser since
 * database ids are sequential and their low bits alone would cluster.
 */
#include <stdlib.h>

#include "iffa/common.h"
#include "graph/keymap.h"

static size_t hash(int64_t key)
{
	uint64_t x = (uint64_t)key;

	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return (size_t)x;
}

static int alloc_slots(iffa_keymap *m, size_t capacity)
{
	m->slots = malloc(capacity * sizeof(*m->slots));
	if (!m->slots)
		return iffa_error_set(IFFA_ENOMEM, "out of memory for a key map of %zu slots",
				      capacity);
	for (size_t i = 0; i < capacity; i++)
		m->slots[i].val = -1;
	m->mask = capacity - 1;
	m->count = 0;
	return 0;
}

int iffa_keymap__init(iffa_keymap *m, size_t expected)
{
	size_t capacity = 16;

	while (capacity / 4 * 3 < expected)
		capacity *= 2;
	m->slots = NULL;
	m->dense = NULL;
	m->dense_len = 0;
	return alloc_slots(m, capacity);
}

void iffa_keymap__dispose(iffa_keymap *m)
{
	free(m->slots);
	free(m->dense);
	m->dense = NULL;
	m->dense_len = 0;
	m->slots = NULL;
	m->mask = 0;
	m->count = 0;
}

int64_t iffa_keymap__probe(const iffa_keymap *m, int64_t key)
{
	size_t i = hash(key) & m->mask;

	while (m->slots[i].val >= 0) {
		if (m->slots[i].key == key)
			return m->slots[i].val;
		i = (i + 1) & m->mask;
	}
	return -1;
}

static void place(iffa_keymap *m, int64_t key, int64_t val)
{
	size_t i = hash(key) & m->mask;

	while (m->slots[i].val >= 0)
		i = (i + 1) & m->mask;
	m->slots[i].key = key;
	m->slots[i].val = val;
	m->count++;
}

static int grow(iffa_keymap *m)
{
	iffa_keymap__slot *old = m->slots;
	size_t old_capacity = m->mask + 1;
	int error;

	if ((error = alloc_slots(m, old_capacity * 2)) < 0) {
		m->slots = old;
		m->mask = old_capacity - 1;
		return error;
	}
	for (size_t i = 0; i < old_capacity; i++)
		if (old[i].val >= 0)
			place(m, old[i].key, old[i].val);
	free(old);
	return 0;
}

int iffa_keymap__put(int64_t *out, iffa_keymap *m, int64_t key, int64_t val)
{
	size_t i;
	int error;

	if (!m->slots)
		return iffa_error_set(IFFA_EINVAL, "the key map is sealed: no key can be added");
	if (m->dense) {
		free(m->dense);
		m->dense = NULL;
		m->dense_len = 0;
	}
	if (m->count + 1 > (m->mask + 1) / 4 * 3 && (error = grow(m)) < 0)
		return error;
	i = hash(key) & m->mask;
	while (m->slots[i].val >= 0) {
		if (m->slots[i].key == key) {
			*out = m->slots[i].val;
			return 0;
		}
		i = (i + 1) & m->mask;
	}
	m->slots[i].key = key;
	m->slots[i].val = val;
	m->count++;
	*out = val;
	return 1;
}

int iffa_keymap__freeze(iffa_keymap *m)
{
	int64_t max = -1;
	size_t len;

	if (!m->slots)
		return 0; /* sealed: the array is all there is */
	free(m->dense);
	m->dense = NULL;
	m->dense_len = 0;
	for (size_t i = 0; i <= m->mask; i++) {
		if (m->slots[i].val < 0)
			continue;
		if (m->slots[i].key < 0)
			return 0;
		if (m->slots[i].key > max)
			max = m->slots[i].key;
	}
	if (max < 0 || (uint64_t)max >= 4 * (uint64_t)m->count + 1024)
		return 0;
	len = (size_t)max + 1;
	if (!(m->dense = malloc(len * sizeof(*m->dense))))
		return iffa_error_set(IFFA_ENOMEM, "out of memory for a key index of %zu entries", len);
	for (size_t i = 0; i < len; i++)
		m->dense[i] = -1;
	for (size_t i = 0; i <= m->mask; i++)
		if (m->slots[i].val >= 0)
			m->dense[m->slots[i].key] = m->slots[i].val;
	m->dense_len = len;
	return 0;
}

int iffa_keymap__seal(iffa_keymap *m)
{
	int error;

	if (!m->dense && m->slots && (error = iffa_keymap__freeze(m)) < 0)
		return error;
	if (m->dense) {
		free(m->slots);
		m->slots = NULL;
		m->mask = 0;
	}
	return 0;
}
