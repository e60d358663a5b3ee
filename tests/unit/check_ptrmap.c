/* check_ptrmap.c: the sharded address map of ptrmap.c: put, get and take of
 * 100k keys with growth of the shards, a long random mix of operations
 * checked against a shadow array, and removal by backward shift in a probe
 * run that wraps around the end of its table. */
#include "unit.h"

#include "ptrmap.h"

static size_t total_count(const ms_ptrmap_t *map)
{
    size_t count = 0;
    for (int shard = 0; shard < MS_PTRMAP_SHARDS; shard++)
        count += map->shards[shard].count;
    return count;
}

/* Addresses as a heap hands them out: 16-aligned, a steady stride apart. */
static uintptr_t heap_like_key(size_t index)
{
    return (uintptr_t)0x7f3a12340000 + index * 48;
}

START_TEST(test_empty_map)
{
    static ms_ptrmap_t map = MS_PTRMAP_INITIALIZER;
    uint64_t value = 77;
    ck_assert_int_eq(ms_ptrmap_get(&map, 0x1000, &value), 0);
    ck_assert_int_eq(ms_ptrmap_take(&map, 0x1000, &value), 0);
    ck_assert_uint_eq(value, 77);
    ck_assert_uint_eq(total_count(&map), 0);
}
END_TEST

START_TEST(test_100k_keys)
{
    enum { KEYS = 100000 };
    static ms_ptrmap_t map = MS_PTRMAP_INITIALIZER;
    for (size_t k = 0; k < KEYS; k++)
        unit_expect(ms_ptrmap_put(&map, heap_like_key(k), k * 3 + 1) == 0, "put %zu failed", k);
    ck_assert_uint_eq(total_count(&map), KEYS);

    uint64_t value;
    for (size_t k = 0; k < KEYS; k++)
        unit_expect(ms_ptrmap_get(&map, heap_like_key(k), &value) == 1 && value == k * 3 + 1,
                    "key %zu lost after growth", k);
    /* Replacing a value adds no key. */
    for (size_t k = 0; k < KEYS; k += 2)
        ck_assert_int_eq(ms_ptrmap_put(&map, heap_like_key(k), k), 0);
    ck_assert_uint_eq(total_count(&map), KEYS);

    for (size_t k = 1; k < KEYS; k += 2)
        unit_expect(ms_ptrmap_take(&map, heap_like_key(k), &value) == 1 && value == k * 3 + 1,
                    "take of key %zu", k);
    ck_assert_uint_eq(total_count(&map), KEYS / 2);
    for (size_t k = 0; k < KEYS; k++) {
        int found = ms_ptrmap_get(&map, heap_like_key(k), &value);
        unit_expect(found == (k % 2 == 0), "key %zu: found %d", k, found);
        unit_expect(!found || value == k, "key %zu: value %lu", k, (unsigned long)value);
    }
    /* Keys never put, between and beyond the others. */
    ck_assert_int_eq(ms_ptrmap_get(&map, heap_like_key(0) + 16, &value), 0);
    ck_assert_int_eq(ms_ptrmap_get(&map, heap_like_key(KEYS), &value), 0);
}
END_TEST

/* 400k random puts, takes and gets over 30k keys, each answer checked
 * against the shadow. Half the keys come in fours that differ only in their
 * low 4 bits, which the hash ignores: each four shares one home slot, so
 * runs are long and removals shift a lot. */
START_TEST(test_random_operations_match_shadow)
{
    enum { KEYS = 30000, OPERATIONS = 400000 };
    static ms_ptrmap_t map = MS_PTRMAP_INITIALIZER;
    static uintptr_t keys[KEYS];
    static uint64_t shadow[KEYS];       /* 0: absent */
    uint64_t random_state = 2024;
    for (size_t k = 0; k < KEYS; k++)
        keys[k] = k % 2 == 0 ? (uintptr_t)((k + 1) * 0x9E3779B97F4A7C15ull) | 1
                             : (uintptr_t)0x55550000 + (k / 8) * 16 + (k / 2) % 4 * 4;
    size_t present = 0;
    for (unsigned step = 0; step < OPERATIONS; step++) {
        uint64_t random = unit_random(&random_state);
        size_t k = (size_t)(random % KEYS);
        uint64_t value = 0;
        switch ((random >> 32) % 3) {
        case 0: {
            uint64_t new_value = (random >> 8) | 1;
            unit_expect(ms_ptrmap_put(&map, keys[k], new_value) == 0, "step %u: put failed", step);
            present += shadow[k] == 0;
            shadow[k] = new_value;
            break;
        }
        case 1: {
            int found = ms_ptrmap_take(&map, keys[k], &value);
            unit_expect(found == (shadow[k] != 0) && (!found || value == shadow[k]),
                        "step %u: take of key %zu: found %d value %lu, expected %lu", step, k,
                        found, (unsigned long)value, (unsigned long)shadow[k]);
            present -= found;
            shadow[k] = 0;
            break;
        }
        default: {
            int found = ms_ptrmap_get(&map, keys[k], &value);
            unit_expect(found == (shadow[k] != 0) && (!found || value == shadow[k]),
                        "step %u: get of key %zu: found %d value %lu, expected %lu", step, k,
                        found, (unsigned long)value, (unsigned long)shadow[k]);
            break;
        }
        }
        if (step % 50000 == 0 || step == OPERATIONS - 1) {
            for (size_t j = 0; j < KEYS; j++) {
                int found = ms_ptrmap_get(&map, keys[j], &value);
                unit_expect(found == (shadow[j] != 0) && (!found || value == shadow[j]),
                            "step %u: sweep, key %zu: found %d", step, j, found);
            }
            ck_assert_uint_eq(total_count(&map), present);
        }
    }
}
END_TEST

/* ptrmap.c's hash, to pick keys whose home slots sit at the end of a
 * 256-slot table in shard 0. The test checks below that they did land there,
 * so a change of hash makes it fail rather than test nothing. */
static uint64_t ptrmap_hash(uintptr_t key)
{
    return (uint64_t)(key >> 4) * 0x9E3779B97F4A7C15ull;
}

START_TEST(test_removal_in_wrapped_run)
{
    enum { KEYS = 100 };
    static ms_ptrmap_t map = MS_PTRMAP_INITIALIZER;
    uintptr_t keys[KEYS];
    size_t found_keys = 0;
    for (uintptr_t candidate = 16; found_keys < KEYS; candidate += 16) {
        uint64_t hash = ptrmap_hash(candidate);
        if (hash >> 58 == 0 && (hash & 255) >= 250)
            keys[found_keys++] = candidate;
    }
    for (size_t k = 0; k < KEYS; k++)
        ck_assert_int_eq(ms_ptrmap_put(&map, keys[k], k + 1), 0);
    /* 100 keys homed in the last 6 slots: one run from slot 250 through the
     * end and on from slot 0. */
    const ms_ptrmap_shard_t *shard = &map.shards[0];
    ck_assert_uint_eq(shard->capacity, 256);
    ck_assert_uint_eq(shard->count, KEYS);
    ck_assert_uint_ne(shard->entries[255].key, 0);
    ck_assert_uint_ne(shard->entries[0].key, 0);
    ck_assert_uint_ne(shard->entries[KEYS - 7].key, 0);
    ck_assert_uint_eq(shard->entries[KEYS - 6].key, 0);

    /* Remove in a shuffled order; after each removal every other key is
     * still found with its value, and the removed ones are not. */
    size_t order[KEYS];
    for (size_t k = 0; k < KEYS; k++)
        order[k] = k;
    uint64_t random_state = 99;
    for (size_t k = KEYS - 1; k > 0; k--) {
        size_t j = (size_t)(unit_random(&random_state) % (k + 1));
        size_t swap = order[k];
        order[k] = order[j];
        order[j] = swap;
    }
    int removed[KEYS] = { 0 };
    for (size_t step = 0; step < KEYS; step++) {
        uint64_t value;
        ck_assert_int_eq(ms_ptrmap_take(&map, keys[order[step]], &value), 1);
        ck_assert_uint_eq(value, order[step] + 1);
        removed[order[step]] = 1;
        for (size_t k = 0; k < KEYS; k++) {
            int found = ms_ptrmap_get(&map, keys[k], &value);
            unit_expect(found == !removed[k] && (!found || value == k + 1),
                        "after %zu removals, key %zu: found %d", step + 1, k, found);
        }
        ck_assert_uint_eq(shard->count, KEYS - step - 1);
    }
    for (size_t slot = 0; slot < shard->capacity; slot++)
        ck_assert_uint_eq(shard->entries[slot].key, 0);
}
END_TEST

static Suite *ptrmap_suite(void)
{
    Suite *suite = suite_create("ptrmap");
    TCase *map = tcase_create("map");
    tcase_set_timeout(map, 30);
    tcase_add_test(map, test_empty_map);
    tcase_add_test(map, test_100k_keys);
    tcase_add_test(map, test_random_operations_match_shadow);
    tcase_add_test(map, test_removal_in_wrapped_run);
    suite_add_tcase(suite, map);
    return suite;
}

int main(void)
{
    return run_suite(ptrmap_suite());
}
