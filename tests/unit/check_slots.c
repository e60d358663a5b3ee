/* check_slots.c: the side arrays of slots.h, on pools of pool.h.
 *
 * The block number of a pointer comes from a multiply by the class's
 * reciprocal instead of a division: checked against the division for every
 * class and every byte offset a block can start at or lie inside. Arrays
 * come zeroed and sized for their class, go back to a free list per class,
 * and come back from it. The pools here are glibc buffers, 4096-aligned,
 * initialised with ms_pool_init; the allocator's own pools are check_trace's. */
#include "unit.h"

#include "pool.h"
#include "slots.h"

static ms_pool_t *new_pool(unsigned szidx)
{
    ms_pool_t *pool = aligned_alloc(MS_POOL_SIZE, MS_POOL_SIZE);
    ck_assert_ptr_nonnull(pool);
    memset(pool, 0xA5, MS_POOL_SIZE);
    ms_pool_init(pool, NULL, szidx);
    return pool;
}

/* Loop test over the classes. Every byte of every whole block maps to the
 * block's number, (offset - MS_POOL_OVERHEAD) / size, exactly. */
START_TEST(test_block_number_exact)
{
    unsigned szidx = (unsigned)_i;
    size_t size = ms_szidx_to_size(szidx);
    ms_pool_t *pool = new_pool(szidx);
    ck_assert_uint_eq(pool->reciprocal, (uint32_t)(((uint64_t)1 << 32) / size + 1));
    ck_assert_ptr_null(pool->slots);
    unsigned capacity = ms_pool_capacity(szidx);
    size_t end = MS_POOL_OVERHEAD + capacity * size;
    ck_assert_uint_le(end, MS_POOL_SIZE);
    for (size_t offset = MS_POOL_OVERHEAD; offset < end; offset++) {
        unsigned number = ms_block_number(pool, (char *)pool + offset);
        unit_expect(number == (offset - MS_POOL_OVERHEAD) / size,
                    "class %u (%zu bytes), offset %zu: block %u, expected %zu", szidx, size,
                    offset, number, (offset - MS_POOL_OVERHEAD) / size);
    }
    /* The blocks the pool carves are numbered 0, 1, 2, ... in order. */
    unsigned carved = 0;
    for (void *block = pool->freeblock; block != NULL; block = ms_pool_carve(pool), carved++)
        unit_expect(ms_block_number(pool, block) == carved, "class %u: carved block %u numbered %u",
                    szidx, carved, ms_block_number(pool, block));
    ck_assert_uint_eq(carved, capacity);
    free(pool);
}
END_TEST

/* Loop test over the classes: the first array of a class is new meta memory
 * of capacity x 8 bytes, all zero, and pools share nothing. */
START_TEST(test_attach_zeroed_and_sized)
{
    unsigned szidx = (unsigned)_i;
    unsigned capacity = ms_pool_capacity(szidx);
    ck_assert_uint_eq(sizeof(ms_slot_t), 8);
    ms_pool_t *pool = new_pool(szidx);
    ck_assert_ptr_null(ms_slot_find(pool, (char *)pool + MS_POOL_OVERHEAD));

    uint64_t before = ms_slots_memory();
    ms_slot_t *slots = ms_slots_attach(pool);
    ck_assert_ptr_nonnull(slots);
    ck_assert_ptr_eq(pool->slots, slots);
    ck_assert_uint_eq(ms_slots_memory() - before, capacity * sizeof(ms_slot_t));
    for (unsigned k = 0; k < capacity; k++)
        unit_expect(slots[k].traceback == 0 && slots[k].size == 0, "class %u: slot %u is %u/%u",
                    szidx, k, slots[k].traceback, slots[k].size);

    /* Each block finds its own slot, the first and the last included. */
    size_t size = ms_szidx_to_size(szidx);
    for (unsigned k = 0; k < capacity; k++) {
        char *block = (char *)pool + MS_POOL_OVERHEAD + k * size;
        unit_expect(ms_slot_find(pool, block) == &slots[k], "class %u: block %u", szidx, k);
        unit_expect(ms_slot_for_record(pool, block + size - 1) == &slots[k],
                    "class %u: last byte of block %u", szidx, k);
    }
    /* Writing every slot stays inside the array: a second pool's array is
     * untouched. */
    ms_pool_t *other = new_pool(szidx);
    ms_slot_t *other_slots = ms_slots_attach(other);
    ck_assert_ptr_nonnull(other_slots);
    ck_assert_ptr_ne(other_slots, slots);
    ck_assert_uint_eq(ms_slots_memory() - before, 2 * capacity * sizeof(ms_slot_t));
    for (unsigned k = 0; k < capacity; k++)
        slots[k] = (ms_slot_t){ k + 1, (uint32_t)size };
    for (unsigned k = 0; k < capacity; k++)
        unit_expect(other_slots[k].traceback == 0 && other_slots[k].size == 0,
                    "class %u: slot %u of the other pool is %u/%u", szidx, k,
                    other_slots[k].traceback, other_slots[k].size);
    free(pool);
    free(other);
}
END_TEST

/* ms_slot_for_record attaches on first use; a pool that already has an
 * array keeps it. */
START_TEST(test_slot_for_record_attaches_once)
{
    ms_pool_t *pool = new_pool(2);
    char *block = (char *)pool + MS_POOL_OVERHEAD + 5 * 24;
    ms_slot_t *slot = ms_slot_for_record(pool, block);
    ck_assert_ptr_nonnull(slot);
    ck_assert_ptr_nonnull(pool->slots);
    ck_assert_ptr_eq(slot, &pool->slots[5]);
    ms_slot_t *array = pool->slots;
    uint64_t memory = ms_slots_memory();
    ck_assert_uint_eq(memory, ms_pool_capacity(2) * sizeof(ms_slot_t));
    ck_assert_ptr_eq(ms_slot_for_record(pool, block + 24), &array[6]);
    ck_assert_ptr_eq(pool->slots, array);
    ck_assert_uint_eq(ms_slots_memory(), memory);
    free(pool);
}
END_TEST

/* A released array goes back to its class's list, and is the next one that
 * class gets, zeroed (its first word linked the list); other classes do not
 * get it. The memory figure counts arrays made, not arrays in use. */
START_TEST(test_release_recycles)
{
    ms_pool_t *first = new_pool(0);
    ms_slot_t *array = ms_slots_attach(first);
    ck_assert_ptr_nonnull(array);
    uint64_t memory = ms_slots_memory();
    ck_assert_uint_eq(memory, 504 * sizeof(ms_slot_t));
    /* Blocks recorded and freed again: their slots are back to zero. */
    array[0] = (ms_slot_t){ 7, 8 };
    array[503] = (ms_slot_t){ 9, 1 };
    array[0] = (ms_slot_t){ 0, 0 };
    array[503] = (ms_slot_t){ 0, 0 };
    ms_slots_release(first);
    ck_assert_ptr_null(first->slots);
    ck_assert_uint_eq(ms_slots_memory(), memory);
    /* Releasing a pool without an array does nothing. */
    ms_slots_release(first);
    ck_assert_ptr_null(first->slots);

    ms_pool_t *other_class = new_pool(1);
    ms_slot_t *other_array = ms_slots_attach(other_class);
    ck_assert_ptr_ne(other_array, array);
    ck_assert_uint_eq(ms_slots_memory(), memory + 252 * sizeof(ms_slot_t));

    ms_pool_t *second = new_pool(0);
    ck_assert_ptr_eq(ms_slots_attach(second), array);
    ck_assert_ptr_eq(second->slots, array);
    for (unsigned k = 0; k < 504; k++)
        unit_expect(array[k].traceback == 0 && array[k].size == 0, "recycled slot %u is %u/%u", k,
                    array[k].traceback, array[k].size);
    ck_assert_uint_eq(ms_slots_memory(), memory + 252 * sizeof(ms_slot_t));

    /* Two released arrays come back last in, first out. */
    ms_pool_t *third = new_pool(0);
    ms_slot_t *third_array = ms_slots_attach(third);
    ck_assert_ptr_ne(third_array, array);
    ms_slots_release(second);
    ms_slots_release(third);
    ms_pool_t *fourth = new_pool(0), *fifth = new_pool(0);
    ck_assert_ptr_eq(ms_slots_attach(fourth), third_array);
    ck_assert_ptr_eq(ms_slots_attach(fifth), array);
    ck_assert_uint_eq(ms_slots_memory(), memory * 2 + 252 * sizeof(ms_slot_t));
    free(first);
    free(second);
    free(third);
    free(fourth);
    free(fifth);
    free(other_class);
}
END_TEST

static Suite *slots_suite(void)
{
    Suite *suite = suite_create("slots");
    TCase *numbers = tcase_create("block-number");
    tcase_add_loop_test(numbers, test_block_number_exact, 0, MS_NB_SMALL_SIZE_CLASSES);
    suite_add_tcase(suite, numbers);
    TCase *arrays = tcase_create("arrays");
    tcase_add_loop_test(arrays, test_attach_zeroed_and_sized, 0, MS_NB_SMALL_SIZE_CLASSES);
    tcase_add_test(arrays, test_slot_for_record_attaches_once);
    tcase_add_test(arrays, test_release_recycles);
    suite_add_tcase(suite, arrays);
    return suite;
}

int main(void)
{
    return run_suite(slots_suite());
}
