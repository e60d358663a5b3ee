/* check_alloc.c: the allocator's entry points in alloc.c, as the preload shim
 * calls them: usable sizes, malloc(0) and impossible sizes, ms_memalign for
 * every alignment, realloc across the 512-byte boundary both ways, calloc,
 * and the 16-byte spacing of MEMSNAP_ALIGN16 (the default). Tracing (the
 * traceback ids and freed records) is check_trace.c's: here every call
 * passes 0 and NULL. */
#include "unit.h"

#include <errno.h>

#include "alloc.h"

static int compare_pointers(const void *a, const void *b)
{
    uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
    return (x > y) - (x < y);
}

/* Loop test over the spacing: 0 classic, 1 MEMSNAP_ALIGN16 (the default). */
START_TEST(test_usable_size)
{
    int align16 = _i;
    ms_align16 = align16;
    for (size_t request = 0; request <= 512; request++) {
        void *block = ms_malloc(request, 0);
        unit_expect(block != NULL && ms_usable_size(block) == unit_block_size(request, align16),
                    "align16 %d, malloc(%zu): usable size %zu, expected %zu", align16, request,
                    block != NULL ? ms_usable_size(block) : 0, unit_block_size(request, align16));
        ms_free(block, NULL);
    }
    static const size_t large[] = { 513, 1000, 4096, 100000, 1 << 20 };
    for (size_t k = 0; k < sizeof large / sizeof large[0]; k++) {
        void *block = ms_malloc(large[k], 0);
        ck_assert_ptr_nonnull(block);
        ck_assert_uint_eq(ms_usable_size(block), large[k]);
        ms_free(block, NULL);
    }
    ck_assert_uint_eq(ms_usable_size(NULL), 0);
}
END_TEST

START_TEST(test_malloc_zero_is_unique)
{
    enum { COUNT = 1000 };
    static uintptr_t blocks[COUNT];
    for (int k = 0; k < COUNT; k++) {
        void *block = ms_malloc(0, 0);
        ck_assert_ptr_nonnull(block);
        ck_assert(ms_owns(block));
        blocks[k] = (uintptr_t)block;
    }
    qsort(blocks, COUNT, sizeof blocks[0], compare_pointers);
    for (int k = 1; k < COUNT; k++)
        ck_assert_uint_ne(blocks[k - 1], blocks[k]);
    for (int k = 0; k < COUNT; k++)
        ms_free((void *)blocks[k], NULL);
}
END_TEST

START_TEST(test_impossible_sizes_fail_with_enomem)
{
    errno = 0;
    ck_assert_ptr_null(ms_malloc(SIZE_MAX, 0));
    ck_assert_int_eq(errno, ENOMEM);
    errno = 0;
    ck_assert_ptr_null(ms_calloc(SIZE_MAX / 2, 3, 0));
    ck_assert_int_eq(errno, ENOMEM);
    errno = 0;
    ck_assert_ptr_null(ms_calloc(SIZE_MAX, SIZE_MAX, 0));
    ck_assert_int_eq(errno, ENOMEM);
    errno = 0;
    ck_assert_ptr_null(ms_calloc(1, SIZE_MAX, 0));
    ck_assert_int_eq(errno, ENOMEM);
    /* Nothing was left half made. */
    ck_assert_uint_eq(unit_large_counters().live_blocks, 0);
    /* free(NULL) does nothing. */
    ms_free(NULL, NULL);
}
END_TEST

/* Loop test: _i is log2 of the alignment, 3 (8) to 16 (65536). All blocks
 * stay allocated until the end, so overlapping blocks would show as
 * overwritten patterns. */
START_TEST(test_memalign_every_alignment)
{
    static const size_t sizes[] = { 0, 1, 8, 16, 24, 100, 512, 513, 4096, 100000 };
    enum { SIZES = sizeof sizes / sizeof sizes[0] };
    size_t alignment = (size_t)1 << _i;
    void *blocks[SIZES];
    for (unsigned k = 0; k < SIZES; k++) {
        size_t size = sizes[k];
        blocks[k] = ms_memalign(alignment, size, 0);
        ck_assert_msg(blocks[k] != NULL, "memalign(%zu, %zu) failed", alignment, size);
        ck_assert_msg((uintptr_t)blocks[k] % alignment == 0, "memalign(%zu, %zu) = %p",
                      alignment, size, blocks[k]);
        ck_assert_msg(ms_usable_size(blocks[k]) >= size, "memalign(%zu, %zu): usable size %zu",
                      alignment, size, ms_usable_size(blocks[k]));
        /* Pools serve what they can align (the header keeps blocks 64-aligned
         * when their size is a multiple of 64); the rest goes to glibc. */
        ck_assert_int_eq(ms_owns(blocks[k]), size <= 512 && alignment <= 64);
        unit_fill(blocks[k], size, k);
    }
    for (unsigned k = 0; k < SIZES; k++) {
        unit_check_fill(blocks[k], sizes[k], k);
        ms_free(blocks[k], NULL);
    }
    ck_assert_uint_eq(unit_large_counters().live_blocks, 0);
}
END_TEST

/* The "realloc" tests run with the classic spacing (fixture): every class
 * is in use, so each boundary of the in-place rule can be reached. */
START_TEST(test_realloc_small_in_place_or_moved)
{
    char *block = ms_malloc(20, 0);
    unit_fill(block, 20, 1);
    /* Same class (24 bytes), shrinking by less than a quarter: in place. */
    ck_assert_ptr_eq(ms_realloc(block, 24, 0, NULL), block);
    ck_assert_ptr_eq(ms_realloc(block, 19, 0, NULL), block);
    /* Growing past the class moves, keeping the bytes. */
    char *grown = ms_realloc(block, 25, 0, NULL);
    ck_assert_ptr_ne(grown, block);
    ck_assert_uint_eq(ms_usable_size(grown), 32);
    unit_check_fill(grown, 20, 1);

    char *wide = ms_malloc(64, 0);
    unit_fill(wide, 64, 2);
    ck_assert_ptr_eq(ms_realloc(wide, 49, 0, NULL), wide);
    /* 48 is a quarter less than 64: moves to the 48-byte class. */
    char *narrow = ms_realloc(wide, 48, 0, NULL);
    ck_assert_ptr_ne(narrow, wide);
    ck_assert_uint_eq(ms_usable_size(narrow), 48);
    unit_check_fill(narrow, 48, 2);

    char *big = ms_malloc(512, 0);
    unit_fill(big, 512, 3);
    ck_assert_ptr_eq(ms_realloc(big, 385, 0, NULL), big);
    char *smaller = ms_realloc(big, 384, 0, NULL);
    ck_assert_ptr_ne(smaller, big);
    ck_assert_uint_eq(ms_usable_size(smaller), 384);
    unit_check_fill(smaller, 384, 3);
    ms_free(grown, NULL);
    ms_free(narrow, NULL);
    ms_free(smaller, NULL);
}
END_TEST

/* Loop test over old sizes; each is reallocated to every new size, across
 * the 512-byte boundary both ways, and must keep min(old, new) bytes. */
START_TEST(test_realloc_keeps_contents)
{
    static const size_t sizes[] = { 1, 8, 100, 384, 500, 512, 513, 600, 1000, 4096, 100000 };
    enum { SIZES = sizeof sizes / sizeof sizes[0] };
    size_t old_size = sizes[_i];
    for (unsigned k = 0; k < SIZES; k++) {
        size_t new_size = sizes[k];
        char *block = ms_malloc(old_size, 0);
        unit_fill(block, old_size, k);
        char *moved = ms_realloc(block, new_size, 0, NULL);
        ck_assert_msg(moved != NULL, "realloc(%zu -> %zu) failed", old_size, new_size);
        ck_assert_int_eq(ms_owns(moved), new_size <= 512);
        ck_assert_msg(ms_usable_size(moved) >= new_size, "realloc(%zu -> %zu): usable size %zu",
                      old_size, new_size, ms_usable_size(moved));
        unit_check_fill(moved, old_size < new_size ? old_size : new_size, k);
        ms_free(moved, NULL);
    }
    ck_assert_uint_eq(unit_large_counters().live_blocks, 0);
}
END_TEST

START_TEST(test_realloc_small_to_large_frees_old)
{
    unit_require_fresh_allocator();
    char *block = ms_malloc(500, 0);
    unit_fill(block, 500, 3);
    char *large = ms_realloc(block, 513, 0, NULL);
    ck_assert(!ms_owns(large));
    ck_assert_uint_eq(ms_usable_size(large), 513);
    unit_check_fill(large, 500, 3);
    /* The small block went back to its pool: it is the next one handed out. */
    ck_assert_ptr_eq(ms_malloc(500, 0), block);

    char *small = ms_realloc(large, 512, 0, NULL);
    ck_assert(ms_owns(small));
    unit_check_fill(small, 500, 3);
    ck_assert_uint_eq(unit_large_counters().live_blocks, 0);
}
END_TEST

START_TEST(test_realloc_large_to_large)
{
    char *block = ms_malloc(1000, 0);
    unit_fill(block, 1000, 4);
    char *grown = ms_realloc(block, 100000, 0, NULL);
    ck_assert_uint_eq(ms_usable_size(grown), 100000);
    unit_check_fill(grown, 1000, 4);
    char *shrunk = ms_realloc(grown, 600, 0, NULL);
    ck_assert(!ms_owns(shrunk));
    ck_assert_uint_eq(ms_usable_size(shrunk), 600);
    unit_check_fill(shrunk, 600, 4);
    ck_assert_uint_eq(unit_large_counters().live_blocks, 1);
    ms_free(shrunk, NULL);
    ck_assert_uint_eq(unit_large_counters().live_blocks, 0);
}
END_TEST

START_TEST(test_realloc_null_and_zero)
{
    unit_require_fresh_allocator();
    char *small = ms_realloc(NULL, 100, 0, NULL);
    ck_assert(ms_owns(small));
    ck_assert_uint_eq(ms_usable_size(small), 104);
    char *large = ms_realloc(NULL, 1000, 0, NULL);
    ck_assert(!ms_owns(large));
    ck_assert_uint_eq(ms_usable_size(large), 1000);
    ck_assert_uint_eq(unit_large_counters().live_blocks, 1);

    ck_assert_ptr_null(ms_realloc(large, 0, 0, NULL));
    ck_assert_uint_eq(unit_large_counters().live_blocks, 0);
    ck_assert_ptr_null(ms_realloc(small, 0, 0, NULL));
    ck_assert_ptr_eq(ms_malloc(100, 0), small);
}
END_TEST

/* Each block is dirtied and freed first, and calloc gets the same block
 * back (the free list is LIFO), so zeros prove that calloc cleared it. */
START_TEST(test_calloc_clears_reused_small_blocks)
{
    for (size_t size = 1; size <= 512; size++) {
        unsigned char *dirty = ms_malloc(size, 0);
        memset(dirty, 0xFF, size);
        ms_free(dirty, NULL);
        unsigned char *clean = ms_calloc(1, size, 0);
        unit_expect(clean == dirty, "calloc(1, %zu) did not reuse the freed block", size);
        for (size_t offset = 0; offset < size; offset++)
            unit_expect(clean[offset] == 0, "calloc(1, %zu): byte %zu is %#x", size, offset,
                        clean[offset]);
        ms_free(clean, NULL);
    }
    unsigned char *product = ms_calloc(3, 100, 0);
    ck_assert(ms_owns(product));
    for (size_t offset = 0; offset < 300; offset++)
        unit_expect(product[offset] == 0, "calloc(3, 100): byte %zu is %#x", offset,
                    product[offset]);
    ms_free(product, NULL);
    /* calloc(0, n) is a unique pointer, as malloc(0) is. */
    void *empty = ms_calloc(0, SIZE_MAX, 0);
    ck_assert_ptr_nonnull(empty);
    ms_free(empty, NULL);
}
END_TEST

START_TEST(test_calloc_clears_large_blocks)
{
    static const size_t sizes[] = { 513, 1000, 4096, 100000 };
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        /* glibc may hand the dirtied chunk back; calloc must clear it then. */
        unsigned char *dirty = ms_malloc(sizes[k], 0);
        memset(dirty, 0xFF, sizes[k]);
        ms_free(dirty, NULL);
        unsigned char *clean = ms_calloc(sizes[k], 1, 0);
        ck_assert(!ms_owns(clean));
        ck_assert_uint_eq(ms_usable_size(clean), sizes[k]);
        for (size_t offset = 0; offset < sizes[k]; offset++)
            unit_expect(clean[offset] == 0, "calloc(%zu, 1): byte %zu is %#x", sizes[k], offset,
                        clean[offset]);
        ms_free(clean, NULL);
    }
    unsigned char *product = ms_calloc(10, 100, 0);
    ck_assert_uint_eq(ms_usable_size(product), 1000);
    ms_free(product, NULL);
}
END_TEST

/* With the default spacing a 20-byte request gets a 32-byte block; it stays
 * for every size that keeps more than three quarters of it, and growing
 * past 32 moves it to the 48-byte class. */
START_TEST(test_realloc_in_place_align16)
{
    ck_assert_int_eq(ms_align16, UNIT_DEFAULT_ALIGN16);
    char *block = ms_malloc(20, 0);
    ck_assert_uint_eq(ms_usable_size(block), 32);
    ck_assert_uint_eq((uintptr_t)block % 16, 0);
    unit_fill(block, 20, 6);
    for (size_t size = 32; size >= 25; size--)
        ck_assert_ptr_eq(ms_realloc(block, size, 0, NULL), block);
    char *grown = ms_realloc(block, 33, 0, NULL);
    ck_assert_ptr_ne(grown, block);
    ck_assert_uint_eq(ms_usable_size(grown), 48);
    ck_assert_uint_eq((uintptr_t)grown % 16, 0);
    unit_check_fill(grown, 20, 6);
    ms_free(grown, NULL);
}
END_TEST

START_TEST(test_align16_spacing)
{
    ms_align16 = 1;
    for (size_t request = 0; request <= 512; request++) {
        void *block = ms_malloc(request, 0);
        size_t expected = unit_block_size(request, 1);
        unit_expect(ms_usable_size(block) == expected, "align16, malloc(%zu): usable size %zu, "
                    "expected %zu", request, ms_usable_size(block), expected);
        unit_expect(request <= 8 || (uintptr_t)block % 16 == 0, "align16, malloc(%zu) = %p",
                    request, block);
        ms_free(block, NULL);
    }
}
END_TEST

static Suite *alloc_suite(void)
{
    Suite *suite = suite_create("alloc");
    TCase *sizes = tcase_create("sizes");
    tcase_add_checked_fixture(sizes, NULL, unit_restore_align16);
    tcase_add_loop_test(sizes, test_usable_size, 0, 2);
    tcase_add_test(sizes, test_malloc_zero_is_unique);
    tcase_add_test(sizes, test_impossible_sizes_fail_with_enomem);
    tcase_add_loop_test(sizes, test_memalign_every_alignment, 3, 17);
    tcase_add_test(sizes, test_align16_spacing);
    suite_add_tcase(suite, sizes);
    TCase *resizing = tcase_create("realloc");
    tcase_add_checked_fixture(resizing, unit_classic_spacing, unit_restore_align16);
    tcase_add_test(resizing, test_realloc_small_in_place_or_moved);
    tcase_add_loop_test(resizing, test_realloc_keeps_contents, 0, 11);
    tcase_add_test(resizing, test_realloc_small_to_large_frees_old);
    tcase_add_test(resizing, test_realloc_large_to_large);
    tcase_add_test(resizing, test_realloc_null_and_zero);
    suite_add_tcase(suite, resizing);
    TCase *resizing16 = tcase_create("realloc-align16");
    tcase_add_test(resizing16, test_realloc_in_place_align16);
    suite_add_tcase(suite, resizing16);
    TCase *zeroing = tcase_create("calloc");
    tcase_add_test(zeroing, test_calloc_clears_reused_small_blocks);
    tcase_add_test(zeroing, test_calloc_clears_large_blocks);
    suite_add_tcase(suite, zeroing);
    return suite;
}

int main(void)
{
    return run_suite(alloc_suite());
}
