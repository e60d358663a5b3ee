/* check_pool.c: the 4 KiB pools of pool.h as ms_malloc and ms_free on one
 * thread see them: capacity per class, lazy carving in address order, LIFO
 * reuse of freed blocks, and which emptied pools go back to the arenas. */
#include "unit.h"

#include "alloc.h"
#include "pool.h"

START_TEST(test_capacity_per_class)
{
    ck_assert_uint_eq(ms_pool_capacity(0), 504);
    ck_assert_uint_eq(ms_pool_capacity(2), 168);
    ck_assert_uint_eq(ms_pool_capacity(63), 7);
    for (unsigned szidx = 0; szidx < MS_NB_SMALL_SIZE_CLASSES; szidx++)
        ck_assert_uint_eq(ms_pool_capacity(szidx), (4096 - 64) / ((szidx + 1) * 8));
}
END_TEST

/* Loop test over every class: a fresh pool hands out pool+64, pool+64+size,
 * ... in order, and the request after the last block opens another pool.
 * Runs with the classic spacing (fixture), where every class is reachable. */
START_TEST(test_carving_in_address_order)
{
    unit_require_fresh_allocator();
    unsigned szidx = (unsigned)_i;
    size_t size = ((size_t)szidx + 1) * 8;
    size_t capacity = (4096 - 64) / size;
    char *blocks[504 + 1];

    for (size_t k = 0; k <= capacity; k++) {
        /* Every request size of the class lands in it, 1..8 for class 0. */
        blocks[k] = ms_malloc(size - k % 8, 0);
        ck_assert_ptr_nonnull(blocks[k]);
    }
    char *pool = (char *)MS_POOL_OF(blocks[0]);
    for (size_t k = 0; k < capacity; k++)
        unit_expect(blocks[k] == pool + 64 + k * size, "class %u, block %zu: %p, expected %p",
                    szidx, k, (void *)blocks[k], (void *)(pool + 64 + k * size));
    ck_assert_ptr_ne(MS_POOL_OF(blocks[capacity]), pool);
    ck_assert_ptr_eq(blocks[capacity], (char *)MS_POOL_OF(blocks[capacity]) + 64);
    ck_assert_uint_eq(unit_held_pools(NULL), 2);

    for (size_t k = 0; k <= capacity; k++)
        ms_free(blocks[k], NULL);
    /* The first pool empties while the second is on the class's list, so it
     * goes back; the second, then the class's only pool, is kept. */
    ck_assert_uint_eq(unit_held_pools(NULL), 1);
}
END_TEST

START_TEST(test_freed_block_is_next_returned)
{
    unit_require_fresh_allocator();
    char *a = ms_malloc(32, 0), *b = ms_malloc(32, 0), *c = ms_malloc(32, 0), *d = ms_malloc(32, 0);
    char *pool = (char *)MS_POOL_OF(a);
    ck_assert_ptr_eq(d, pool + 64 + 3 * 32);

    ms_free(b, NULL);
    ck_assert_ptr_eq(ms_malloc(32, 0), b);
    ms_free(a, NULL);
    ms_free(c, NULL);
    ck_assert_ptr_eq(ms_malloc(32, 0), c);
    ck_assert_ptr_eq(ms_malloc(32, 0), a);
    /* The free list is empty again: carving resumes after d. */
    ck_assert_ptr_eq(ms_malloc(32, 0), pool + 64 + 4 * 32);
}
END_TEST

/* A full pool leaves its class's list; the free that gives it a block back
 * puts it first, so that block is the next one handed out. */
START_TEST(test_full_pool_block_reused_first)
{
    unit_require_fresh_allocator();
    char *full[7];
    for (int k = 0; k < 7; k++)
        full[k] = ms_malloc(512, 0);
    char *other = ms_malloc(512, 0);
    char *other_pool = (char *)MS_POOL_OF(other);
    ck_assert_ptr_ne(other_pool, (char *)MS_POOL_OF(full[0]));
    ck_assert_ptr_eq(other, other_pool + 64);

    ms_free(full[3], NULL);
    ck_assert_ptr_eq(ms_malloc(512, 0), full[3]);
    ck_assert_ptr_eq(ms_malloc(512, 0), other_pool + 64 + 512);
}
END_TEST

START_TEST(test_empty_pools_go_back_but_one)
{
    unit_require_fresh_allocator();
    char *first[504];
    for (int k = 0; k < 504; k++)
        first[k] = ms_malloc(8, 0);
    char *last = ms_malloc(8, 0);
    char *last_pool = (char *)MS_POOL_OF(last);
    ck_assert_uint_eq(unit_held_pools(NULL), 2);

    /* The only pool left on the class's list: kept, so a program that frees
     * and mallocs one block in a loop does not trade pools every time. */
    ms_free(last, NULL);
    ck_assert_uint_eq(unit_held_pools(NULL), 2);

    for (int k = 0; k < 504; k++)
        ms_free(first[k], NULL);
    ck_assert_uint_eq(unit_held_pools(NULL), 1);
    ck_assert_ptr_eq(ms_malloc(8, 0), last_pool + 64);
}
END_TEST

static Suite *pool_suite(void)
{
    Suite *suite = suite_create("pool");
    TCase *carving = tcase_create("carving");
    tcase_add_checked_fixture(carving, unit_classic_spacing, unit_restore_align16);
    tcase_add_test(carving, test_capacity_per_class);
    tcase_add_loop_test(carving, test_carving_in_address_order, 0, MS_NB_SMALL_SIZE_CLASSES);
    suite_add_tcase(suite, carving);
    TCase *reuse = tcase_create("reuse");
    tcase_add_test(reuse, test_freed_block_is_next_returned);
    tcase_add_test(reuse, test_full_pool_block_reused_first);
    tcase_add_test(reuse, test_empty_pools_go_back_but_one);
    suite_add_tcase(suite, reuse);
    return suite;
}

int main(void)
{
    return run_suite(pool_suite());
}
