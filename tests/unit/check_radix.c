/* check_radix.c: the ownership test, ms_owns() over the radix map of
 * radix.h: true for every small block and every byte of a mapped arena,
 * false for everything else (glibc blocks, the stack, NULL, wild values,
 * unreadable memory) without ever reading the memory asked about. */
#include "unit.h"

#include <sys/mman.h>

#include "alloc.h"

extern void *__libc_malloc(size_t size);
extern void __libc_free(void *pointer);

START_TEST(test_small_blocks_are_owned)
{
    void *blocks[513];
    for (size_t size = 0; size <= 512; size++) {
        blocks[size] = ms_malloc(size, 0);
        unit_expect(ms_owns(blocks[size]), "malloc(%zu) = %p is not owned", size, blocks[size]);
        /* The last byte too: the map covers whole arenas. */
        unit_expect(ms_owns((char *)blocks[size] + ms_usable_size(blocks[size]) - 1),
                    "the last byte of malloc(%zu) is not owned", size);
    }
    for (size_t size = 0; size <= 512; size++)
        ms_free(blocks[size], NULL);
}
END_TEST

START_TEST(test_foreign_memory_is_not_owned)
{
    void *glibc_block = __libc_malloc(100);
    ck_assert(!ms_owns(glibc_block));
    __libc_free(glibc_block);
    void *large = ms_malloc(1000, 0);
    ck_assert(!ms_owns(large));
    ms_free(large, NULL);
    int on_stack = 0;
    ck_assert(!ms_owns(&on_stack));
    ck_assert(!ms_owns(NULL));
    ck_assert(!ms_owns((void *)UINTPTR_MAX));
    ck_assert(!ms_owns((void *)((uintptr_t)1 << 47)));
    static int in_data;
    ck_assert(!ms_owns(&in_data));
    ck_assert(!ms_owns((const void *)(uintptr_t)ms_malloc));
}
END_TEST

/* The map answers per arena: exactly the 256 KiB of the arena, not the
 * bytes around it. Needs a process with this one arena. */
START_TEST(test_arena_bounds)
{
    unit_require_fresh_allocator();
    uintptr_t arena = unit_arena_of(ms_malloc(8, 0));
    ck_assert_uint_eq(unit_arena_counters().current, 1);
    ck_assert(ms_owns((void *)arena));
    ck_assert(ms_owns((void *)(arena + MS_ARENA_SIZE - 1)));
    ck_assert(!ms_owns((void *)(arena - 1)));
    ck_assert(!ms_owns((void *)(arena + MS_ARENA_SIZE)));
}
END_TEST

/* A million random values, of all 64 bits and of the 47 bits user space has
 * (the part the tree covers), plus random addresses inside an unreadable
 * mapping: a lookup that touched the memory would crash there. The answer
 * must be "owned" exactly for values inside the test's one arena. */
START_TEST(test_random_values_never_crash)
{
    unit_require_fresh_allocator();
    uintptr_t arena = unit_arena_of(ms_malloc(8, 0));
    ck_assert_uint_eq(unit_arena_counters().current, 1);

    size_t reserved_size = (size_t)64 << 20;
    char *reserved = mmap(NULL, reserved_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ck_assert_ptr_ne(reserved, MAP_FAILED);

    uint64_t random_state = 7;
    for (unsigned k = 0; k < 1000000; k++) {
        uint64_t value = unit_random(&random_state);
        switch (k % 3) {
        case 1:
            value &= ((uint64_t)1 << 47) - 1;
            break;
        case 2:
            value = (uint64_t)(uintptr_t)reserved + value % reserved_size;
            break;
        }
        int expected = value - arena < MS_ARENA_SIZE;
        int answer = ms_owns((void *)(uintptr_t)value);
        unit_expect(answer == expected, "ms_owns(%#lx) = %d, expected %d", (unsigned long)value,
                    answer, expected);
    }
    munmap(reserved, reserved_size);
}
END_TEST

static Suite *radix_suite(void)
{
    Suite *suite = suite_create("radix");
    TCase *ownership = tcase_create("ownership");
    tcase_add_test(ownership, test_small_blocks_are_owned);
    tcase_add_test(ownership, test_foreign_memory_is_not_owned);
    tcase_add_test(ownership, test_arena_bounds);
    tcase_add_test(ownership, test_random_values_never_crash);
    suite_add_tcase(suite, ownership);
    return suite;
}

int main(void)
{
    return run_suite(radix_suite());
}
