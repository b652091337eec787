/*
 * The int64 -> int64 map behind the key map and the merging of flows:
 * growth, the plain array for dense keys, and what a later put does to it.
 */
#include <criterion/criterion.h>

#include "iffa/common.h"
#include "graph/keymap.h"

Test(graph_keymap, grows_and_finds_every_key)
{
	iffa_keymap m;
	int64_t v;

	cr_assert_eq(iffa_keymap__init(&m, 0), 0);
	for (int64_t k = 0; k < 100000; k++)
		cr_assert_eq(iffa_keymap__put(&v, &m, k * 7919 - 5000, k), 1);
	cr_assert_eq(m.count, 100000);
	cr_assert_eq(iffa_keymap__put(&v, &m, 7919 * 3 - 5000, 99), 0);
	cr_assert_eq(v, 3, "a second put keeps the first value");
	for (int64_t k = 0; k < 100000; k++)
		cr_assert_eq(iffa_keymap__get(&m, k * 7919 - 5000), k);
	cr_assert_eq(iffa_keymap__get(&m, 1), -1);
	iffa_keymap__dispose(&m);
}

Test(graph_keymap, dense_keys_get_a_plain_array_that_a_put_drops)
{
	iffa_keymap m;
	int64_t v;

	cr_assert_eq(iffa_keymap__init(&m, 16), 0);
	for (int64_t k = 2; k < 3000; k += 2)
		cr_assert_eq(iffa_keymap__put(&v, &m, k, k / 2), 1);
	cr_assert_eq(iffa_keymap__freeze(&m), 0);
	cr_assert_not_null(m.dense);
	cr_assert_eq(iffa_keymap__get(&m, 2998), 1499);
	cr_assert_eq(iffa_keymap__get(&m, 3), -1);
	cr_assert_eq(iffa_keymap__get(&m, -4), -1);
	cr_assert_eq(iffa_keymap__get(&m, 1 << 30), -1);
	cr_assert_eq(iffa_keymap__put(&v, &m, 3, 77), 1);
	cr_assert_null(m.dense);
	cr_assert_eq(iffa_keymap__get(&m, 3), 77);
	cr_assert_eq(iffa_keymap__get(&m, 2998), 1499);
	iffa_keymap__dispose(&m);
}

Test(graph_keymap, sparse_or_negative_keys_stay_hashed)
{
	iffa_keymap m;
	int64_t v;

	cr_assert_eq(iffa_keymap__init(&m, 16), 0);
	cr_assert_eq(iffa_keymap__put(&v, &m, 1, 0), 1);
	cr_assert_eq(iffa_keymap__put(&v, &m, INT64_C(1) << 40, 1), 1);
	cr_assert_eq(iffa_keymap__freeze(&m), 0);
	cr_assert_null(m.dense);
	cr_assert_eq(iffa_keymap__get(&m, INT64_C(1) << 40), 1);
	cr_assert_eq(iffa_keymap__put(&v, &m, -5, 2), 1);
	cr_assert_eq(iffa_keymap__freeze(&m), 0);
	cr_assert_null(m.dense);
	cr_assert_eq(iffa_keymap__get(&m, -5), 2);
	iffa_keymap__dispose(&m);
}

Test(graph_keymap, sealed_dense_map_drops_its_slots_and_still_finds_every_key)
{
	iffa_keymap m;
	int64_t v;

	cr_assert_eq(iffa_keymap__init(&m, 0), 0);
	for (int64_t k = 0; k < 5000; k++)
		cr_assert_eq(iffa_keymap__put(&v, &m, 2 * k + (k % 3 == 0), k), 1);
	cr_assert_eq(iffa_keymap__seal(&m), 0);
	cr_assert_null(m.slots, "dense keys: the slots go");
	cr_assert_not_null(m.dense);
	for (int64_t k = 0; k < 5000; k++)
		cr_assert_eq(iffa_keymap__get(&m, 2 * k + (k % 3 == 0)), k);
	cr_assert_eq(iffa_keymap__get(&m, 2 * 3 + 0), -1);
	cr_assert_eq(iffa_keymap__get(&m, -1), -1);
	cr_assert_eq(iffa_keymap__get(&m, 1 << 20), -1);
	/* no more writes, and freezing again keeps the array */
	cr_assert_eq(iffa_keymap__put(&v, &m, 20000, 1), IFFA_EINVAL);
	cr_assert_eq(iffa_keymap__freeze(&m), 0);
	cr_assert_eq(iffa_keymap__get(&m, 2 * 4999), 4999);
	iffa_keymap__dispose(&m);
}

Test(graph_keymap, sealed_sparse_map_keeps_its_slots)
{
	iffa_keymap m;
	int64_t v;

	cr_assert_eq(iffa_keymap__init(&m, 0), 0);
	for (int64_t k = 0; k < 100; k++)
		cr_assert_eq(iffa_keymap__put(&v, &m, k * INT64_C(1000003) - 7, k), 1);
	cr_assert_eq(iffa_keymap__seal(&m), 0);
	cr_assert_not_null(m.slots, "keys too sparse for an array: the slots answer");
	cr_assert_null(m.dense);
	for (int64_t k = 0; k < 100; k++)
		cr_assert_eq(iffa_keymap__get(&m, k * INT64_C(1000003) - 7), k);
	cr_assert_eq(iffa_keymap__put(&v, &m, 5, 100), 1);
	cr_assert_eq(iffa_keymap__get(&m, 5), 100);
	iffa_keymap__dispose(&m);
}
