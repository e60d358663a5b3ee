/* check_os.c: the system calls of os.c: mappings (aligned ones leave
 * nothing behind from their over-mapping), decommit that zeroes pages but
 * keeps them usable, and writes that either finish or report failure. */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>

#include "os.h"

/* The process's mapped kilobytes (VmSize), read without stdio so that no
 * allocation maps anything in between. */
static long mapped_kilobytes(void)
{
    char text[4096];
    int fd = open("/proc/self/status", O_RDONLY);
    ck_assert_int_ge(fd, 0);
    ssize_t length = read(fd, text, sizeof text - 1);
    close(fd);
    ck_assert_int_gt(length, 0);
    text[length] = '\0';
    const char *line = strstr(text, "\nVmSize:");
    ck_assert_ptr_nonnull(line);
    return strtol(line + strlen("\nVmSize:"), NULL, 10);
}

static int is_mapped(const void *address)
{
    return msync((void *)((uintptr_t)address & ~(uintptr_t)4095), 4096, MS_ASYNC) == 0;
}

START_TEST(test_map_and_unmap)
{
    unsigned char *mapping = ms_os_map(1 << 20);
    ck_assert_ptr_nonnull(mapping);
    ck_assert_uint_eq((uintptr_t)mapping % 4096, 0);
    ck_assert_uint_eq(mapping[0], 0);
    ck_assert_uint_eq(mapping[(1 << 20) - 1], 0);
    mapping[12345] = 1;
    ms_os_unmap(mapping, 1 << 20);
    ck_assert(!is_mapped(mapping));
    ck_assert(!is_mapped(mapping + (1 << 20) - 1));
    /* More than the address space: NULL, not MAP_FAILED. */
    ck_assert_ptr_null(ms_os_map((size_t)1 << 62));
    ck_assert_ptr_null(ms_os_map_aligned((size_t)1 << 62, 1 << 18));
}
END_TEST

/* Loop test over alignments, 4 KiB to 4 MiB, for sizes of one and of two
 * alignments: the result is aligned, and the process grew by exactly the
 * size, so a missed first try gave back both ends of its wider mapping. */
START_TEST(test_map_aligned_leaves_nothing_behind)
{
    size_t alignment = (size_t)4096 << _i;
    for (size_t size = alignment; size <= 2 * alignment; size += alignment) {
        long before = mapped_kilobytes();
        unsigned char *mapping = ms_os_map_aligned(size, alignment);
        long after = mapped_kilobytes();
        ck_assert_ptr_nonnull(mapping);
        ck_assert_msg((uintptr_t)mapping % alignment == 0, "%p not aligned to %zu",
                      (void *)mapping, alignment);
        ck_assert_int_eq(after - before, (long)(size / 1024));
        mapping[0] = 1;
        mapping[size - 1] = 1;
        ms_os_unmap(mapping, size);
        ck_assert_int_eq(mapped_kilobytes(), before);
    }
}
END_TEST

START_TEST(test_decommit_zeroes_but_keeps)
{
    unsigned char *mapping = ms_os_map(4 * 4096);
    memset(mapping, 0xAB, 4 * 4096);
    ms_os_decommit(mapping + 4096, 2 * 4096);
    ck_assert_uint_eq(mapping[4095], 0xAB);
    ck_assert_uint_eq(mapping[4096], 0);
    ck_assert_uint_eq(mapping[3 * 4096 - 1], 0);
    ck_assert_uint_eq(mapping[3 * 4096], 0xAB);
    mapping[5000] = 7;
    ck_assert_uint_eq(mapping[5000], 7);
    ms_os_unmap(mapping, 4 * 4096);
}
END_TEST

START_TEST(test_write_all)
{
    enum { SIZE = 300000 };
    static char data[SIZE], back[SIZE + 1];
    unit_fill(data, SIZE, 9);
    int fd = unit_temporary_file();
    ck_assert_int_eq(ms_os_write_all(fd, data, SIZE), 0);
    ck_assert_uint_eq(unit_read_file(fd, back, sizeof back), SIZE);
    ck_assert_int_eq(memcmp(back, data, SIZE), 0);
    close(fd);

    errno = 0;
    ck_assert_int_eq(ms_os_write_all(-1, data, 10), -1);
    ck_assert_int_eq(errno, EBADF);
}
END_TEST

static Suite *os_suite(void)
{
    Suite *suite = suite_create("os");
    TCase *mappings = tcase_create("mappings");
    tcase_add_test(mappings, test_map_and_unmap);
    tcase_add_loop_test(mappings, test_map_aligned_leaves_nothing_behind, 0, 11);
    tcase_add_test(mappings, test_decommit_zeroes_but_keeps);
    suite_add_tcase(suite, mappings);
    TCase *writes = tcase_create("writes");
    tcase_add_test(writes, test_write_all);
    suite_add_tcase(suite, writes);
    return suite;
}

int main(void)
{
    return run_suite(os_suite());
}
