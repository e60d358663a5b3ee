/* check_large.c: the large-object path of large.c: exact live and total
 * counters for every way a large block is made, resized and freed; foreign
 * pointers (glibc's own blocks, ld.so's bootstrap memory) routed where they
 * belong without being counted as memsnap's. */
#include "unit.h"

#include <sys/auxv.h>

#include "alloc.h"

extern void *__libc_malloc(size_t size);

static void expect_counters(uint64_t calls, uint64_t bytes_total, uint64_t live_blocks,
                            uint64_t live_bytes)
{
    ms_large_counters_t counters = unit_large_counters();
    ck_assert_uint_eq(counters.calls, calls);
    ck_assert_uint_eq(counters.bytes_total, bytes_total);
    ck_assert_uint_eq(counters.live_blocks, live_blocks);
    ck_assert_uint_eq(counters.live_bytes, live_bytes);
    ck_assert_uint_eq(counters.foreign_frees, 0);
}

/* ld.so's image, where its bootstrap allocator's blocks lie: its ELF header
 * is as good a "block" as any, and readable. */
static unsigned char *inside_ldso(void)
{
    unsigned char *header = (unsigned char *)getauxval(AT_BASE);
    ck_assert_ptr_nonnull(header);
    ck_assert_int_eq(memcmp(header, "\177ELF", 4), 0);
    return header;
}

START_TEST(test_counters_follow_blocks)
{
    void *plain = ms_malloc(1000, 0);
    void *zeroed = ms_calloc(2, 1000, 0);
    void *aligned = ms_memalign(128, 100, 0);
    void *paged = ms_memalign(4096, 5000, 0);
    expect_counters(4, 8100, 4, 8100);

    /* Small blocks are not the large path's. */
    void *small = ms_malloc(512, 0);
    expect_counters(4, 8100, 4, 8100);

    void *grown = ms_realloc(plain, 3000, 0, NULL);
    expect_counters(5, 11100, 4, 10100);
    /* Into the pools: no longer a large block. */
    void *shrunk = ms_realloc(zeroed, 400, 0, NULL);
    expect_counters(5, 11100, 3, 8100);

    ms_free(grown, NULL);
    ms_free(aligned, NULL);
    ms_free(paged, NULL);
    expect_counters(5, 11100, 0, 0);
    ms_free(shrunk, NULL);
    ms_free(small, NULL);
    expect_counters(5, 11100, 0, 0);
}
END_TEST

/* A block glibc made for itself is resized by glibc; the result is
 * memsnap's from then on, counted and recorded with the realloc's
 * traceback, so a traced free of it gives back what was recorded. */
START_TEST(test_glibc_block_goes_back_to_glibc)
{
    unsigned char *foreign = __libc_malloc(100);
    unit_fill(foreign, 100, 5);
    unsigned char *moved = ms_realloc(foreign, 1000, 7, NULL);
    ck_assert_ptr_nonnull(moved);
    unit_check_fill(moved, 100, 5);
    expect_counters(1, 1000, 1, 1000);
    ms_record_t freed;
    ms_free(moved, &freed);
    ck_assert_uint_eq(freed.traceback, 7);
    ck_assert_uint_eq(freed.size, 1000);
    expect_counters(1, 1000, 0, 0);
}
END_TEST

START_TEST(test_ldso_block_free_ignored)
{
    ms_large_init();
    ms_free(inside_ldso(), NULL);
    ms_large_counters_t counters = unit_large_counters();
    ck_assert_uint_eq(counters.foreign_frees, 1);
    ck_assert_uint_eq(counters.live_blocks, 0);
}
END_TEST

/* Loop test over new sizes on both sides of 512: a realloc of an ld.so
 * bootstrap block keeps what can be read of it, as large.c promises. */
START_TEST(test_ldso_block_realloc_keeps_bytes)
{
    static const size_t sizes[] = { 16, 512, 513, 4096 };
    size_t size = sizes[_i];
    ms_large_init();
    unsigned char *block = inside_ldso();
    unsigned char *moved = ms_realloc(block, size, 0, NULL);
    ck_assert_ptr_nonnull(moved);
    ck_assert_msg(memcmp(moved, block, size) == 0,
                  "realloc(ld.so block, %zu) lost its bytes: the copy starts %02x %02x %02x %02x, "
                  "the block \\177ELF", size, moved[0], moved[1], moved[2], moved[3]);
    ms_free(moved, NULL);
}
END_TEST

static Suite *large_suite(void)
{
    Suite *suite = suite_create("large");
    TCase *blocks = tcase_create("blocks");
    tcase_add_test(blocks, test_counters_follow_blocks);
    suite_add_tcase(suite, blocks);
    TCase *foreign = tcase_create("foreign");
    tcase_add_test(foreign, test_glibc_block_goes_back_to_glibc);
    tcase_add_test(foreign, test_ldso_block_free_ignored);
    tcase_add_loop_test(foreign, test_ldso_block_realloc_keeps_bytes, 0, 4);
    suite_add_tcase(suite, foreign);
    return suite;
}

int main(void)
{
    return run_suite(large_suite());
}
