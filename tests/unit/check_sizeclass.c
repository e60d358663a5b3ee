/* check_sizeclass.c: the request size -> size class -> block size table of
 * sizeclass.h, for every small request, with and without MEMSNAP_ALIGN16.
 * The "table" tests start from the classic 8-byte spacing (a fixture sets
 * it); "default" checks what a process gets before any option is read. */
#include "unit.h"

/* 16-byte spacing from the start: blocks made before the constructor reads
 * the options get glibc's alignment too. */
START_TEST(test_default_is_align16)
{
    ck_assert_int_eq(ms_align16, UNIT_DEFAULT_ALIGN16);
    ck_assert_uint_eq(ms_size_to_szidx(16), 1);
    ck_assert_uint_eq(ms_size_to_szidx(17), 3);
    ck_assert_uint_eq(ms_size_to_szidx(24), 3);
    ck_assert_uint_eq(ms_size_to_szidx(40), 5);
    ck_assert_uint_eq(ms_size_to_szidx(512), 63);
}
END_TEST

START_TEST(test_table_corners)
{
    ck_assert_uint_eq(ms_size_to_szidx(0), 0);
    ck_assert_uint_eq(ms_size_to_szidx(1), 0);
    ck_assert_uint_eq(ms_size_to_szidx(8), 0);
    ck_assert_uint_eq(ms_size_to_szidx(9), 1);
    ck_assert_uint_eq(ms_size_to_szidx(16), 1);
    ck_assert_uint_eq(ms_size_to_szidx(17), 2);
    ck_assert_uint_eq(ms_size_to_szidx(504), 62);
    ck_assert_uint_eq(ms_size_to_szidx(505), 63);
    ck_assert_uint_eq(ms_size_to_szidx(512), 63);
    ck_assert_uint_eq(ms_szidx_to_size(0), 8);
    ck_assert_uint_eq(ms_szidx_to_size(1), 16);
    ck_assert_uint_eq(ms_szidx_to_size(63), 512);
    ck_assert_uint_eq(MS_NB_SMALL_SIZE_CLASSES, 64);
}
END_TEST

START_TEST(test_every_request_8_byte_spacing)
{
    for (size_t request = 0; request <= MS_SMALL_REQUEST_THRESHOLD; request++) {
        size_t block = unit_block_size(request, 0);
        unsigned szidx = ms_size_to_szidx(request);
        unit_expect(szidx == block / 8 - 1, "request %zu: szidx %u, expected %zu", request, szidx,
                    block / 8 - 1);
        unit_expect(ms_szidx_to_size(szidx) == block, "request %zu: block of %zu, expected %zu",
                    request, ms_szidx_to_size(szidx), block);
    }
}
END_TEST

START_TEST(test_every_request_align16)
{
    ms_align16 = 1;
    for (size_t request = 0; request <= MS_SMALL_REQUEST_THRESHOLD; request++) {
        /* Up to 16 bytes the 8-byte classes stay: an 8-byte block needs no
         * more than 8-byte alignment. */
        size_t block = unit_block_size(request, 1);
        size_t size = ms_szidx_to_size(ms_size_to_szidx(request));
        unit_expect(size == block, "align16, request %zu: block of %zu, expected %zu", request,
                    size, block);
    }
    ck_assert_uint_eq(ms_size_to_szidx(8), 0);
    ck_assert_uint_eq(ms_size_to_szidx(16), 1);
    ck_assert_uint_eq(ms_size_to_szidx(17), 3);
    ck_assert_uint_eq(ms_size_to_szidx(33), 5);
    ck_assert_uint_eq(ms_size_to_szidx(497), 63);
}
END_TEST

START_TEST(test_every_class_round_trips)
{
    for (unsigned szidx = 0; szidx < MS_NB_SMALL_SIZE_CLASSES; szidx++)
        ck_assert_uint_eq(ms_size_to_szidx(ms_szidx_to_size(szidx)), szidx);
}
END_TEST

static Suite *sizeclass_suite(void)
{
    Suite *suite = suite_create("sizeclass");
    TCase *table = tcase_create("table");
    tcase_add_checked_fixture(table, unit_classic_spacing, unit_restore_align16);
    tcase_add_test(table, test_table_corners);
    tcase_add_test(table, test_every_request_8_byte_spacing);
    tcase_add_test(table, test_every_request_align16);
    tcase_add_test(table, test_every_class_round_trips);
    suite_add_tcase(suite, table);
    TCase *defaults = tcase_create("default");
    tcase_add_test(defaults, test_default_is_align16);
    suite_add_tcase(suite, defaults);
    return suite;
}

int main(void)
{
    return run_suite(sizeclass_suite());
}
