/* align_api.c: the aligned-allocation API and error returns, called through
 * the real (interposed) symbols.
 *
 * Usage: align_api GROUP, where GROUP is one of the names in the groups table
 * below; prints "GROUP: N checks passed" and exits 0, or prints each failed
 * check on stderr and exits 1. The script runs every group with and without
 * the preload (and sixteen_every_block with MEMSNAP_ALIGN16=1).
 *
 * Pointers pass through opaque() before their alignment is tested: glibc
 * declares these functions with alloc_align, and the compiler would
 * otherwise fold "is it aligned?" to true.
 */
#include <errno.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pattern.h"

static const char *group_name;
static unsigned checks_passed, checks_failed;

/* Sizes that volatile keeps the compiler from judging at build time. */
static volatile size_t size_max = SIZE_MAX;
static volatile size_t half_size_max_plus_one = SIZE_MAX / 2 + 1;

static const size_t test_sizes[] = { 0, 1, 100, 512, 513, 100000 };
#define TEST_SIZE_COUNT (sizeof test_sizes / sizeof test_sizes[0])

static void *opaque(void *pointer)
{
    __asm__ volatile("" : "+r"(pointer));
    return pointer;
}

static int is_aligned(void *pointer, size_t alignment)
{
    return (uintptr_t)opaque(pointer) % alignment == 0;
}

/* Counts a check; a failed one is described on stderr, printf-style. */
__attribute__((format(printf, 2, 3))) static void expect(int condition, const char *format, ...)
{
    if (condition) {
        checks_passed++;
        return;
    }
    checks_failed++;
    if (checks_failed > 5)
        return;
    va_list arguments;
    va_start(arguments, format);
    fprintf(stderr, "align_api: %s: ", group_name);
    vfprintf(stderr, format, arguments);
    fputc('\n', stderr);
    va_end(arguments);
}

/* A block just returned for size bytes at alignment: non-NULL, aligned,
 * usable and writable over the whole request, then freed. */
static void expect_good_block(const char *function, void *block, size_t alignment, size_t size)
{
    expect(block != NULL, "%s(%zu, %zu) returned NULL", function, alignment, size);
    if (block == NULL)
        return;
    expect(is_aligned(block, alignment), "%s(%zu, %zu) = %p is not aligned", function, alignment,
           size, block);
    expect(malloc_usable_size(block) >= size, "%s(%zu, %zu): malloc_usable_size %zu too small",
           function, alignment, size, malloc_usable_size(block));
    memset(block, 0xA5, size);
    free(block);
}

static void check_posix_memalign(void)
{
    for (size_t alignment = 8; alignment <= 65536; alignment *= 2)
        for (size_t i = 0; i < TEST_SIZE_COUNT; i++) {
            void *block = NULL;
            int result = posix_memalign(&block, alignment, test_sizes[i]);
            expect(result == 0, "posix_memalign(%zu, %zu) returned %d", alignment, test_sizes[i],
                   result);
            expect_good_block("posix_memalign", block, alignment, test_sizes[i]);
        }
    void *block = NULL;
    expect(posix_memalign(&block, 64, size_max) == ENOMEM, "posix_memalign(64, SIZE_MAX) != ENOMEM");
}

static void check_posix_memalign_einval(void)
{
    static const size_t bad_alignments[] = { 0, 3, 4, 24 };
    for (size_t i = 0; i < sizeof bad_alignments / sizeof bad_alignments[0]; i++) {
        void *untouched = &checks_passed;
        void *block = untouched;
        errno = 0;
        int result = posix_memalign(&block, bad_alignments[i], 100);
        expect(result == EINVAL, "posix_memalign(%zu, 100) returned %d, not EINVAL",
               bad_alignments[i], result);
        expect(block == untouched, "posix_memalign(%zu, 100) wrote its result", bad_alignments[i]);
        expect(errno == 0, "posix_memalign(%zu, 100) set errno", bad_alignments[i]);
    }
}

/* aligned_alloc and memalign: every power of two from 1 to 65536, with the
 * test sizes and sizes that land in many small classes; an alignment that is
 * not a power of two is rounded up to one (glibc's rule, which memsnap
 * follows); one above SIZE_MAX / 2 + 1 is refused with EINVAL. */
static void check_aligned_function(const char *name, void *(*function)(size_t, size_t))
{
    static const size_t class_sizes[] = { 8, 24, 40, 56, 72, 120, 200, 264, 328, 480 };
    for (size_t alignment = 1; alignment <= 65536; alignment *= 2) {
        for (size_t i = 0; i < TEST_SIZE_COUNT; i++)
            expect_good_block(name, function(alignment, test_sizes[i]), alignment, test_sizes[i]);
        for (size_t i = 0; i < sizeof class_sizes / sizeof class_sizes[0]; i++)
            expect_good_block(name, function(alignment, class_sizes[i]), alignment, class_sizes[i]);
    }
    static const size_t odd_alignments[][2] = { { 24, 32 }, { 48, 64 }, { 100, 128 }, { 3000, 4096 } };
    for (size_t i = 0; i < sizeof odd_alignments / sizeof odd_alignments[0]; i++)
        expect_good_block(name, function(odd_alignments[i][0], 100), odd_alignments[i][1], 100);
    errno = 0;
    void *refused = function(half_size_max_plus_one + 1, 1);
    expect(refused == NULL && errno == EINVAL, "%s(SIZE_MAX / 2 + 2, 1) did not fail with EINVAL",
           name);
}

static void *call_aligned_alloc(size_t alignment, size_t size)
{
    return aligned_alloc(alignment, size);
}

static void *call_memalign(size_t alignment, size_t size)
{
    return memalign(alignment, size);
}

static void check_aligned_alloc(void)
{
    check_aligned_function("aligned_alloc", call_aligned_alloc);
}

static void check_memalign(void)
{
    check_aligned_function("memalign", call_memalign);
}

static void check_valloc(void)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    static const size_t sizes[] = { 0, 1, 100, 4096, 5000, 100000 };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        expect_good_block("valloc", valloc(sizes[i]), page, sizes[i]);
        /* glibc's pvalloc(0) rounds 0 up to 0: a minimum-sized block. */
        size_t rounded = (sizes[i] + page - 1) / page * page;
        expect_good_block("pvalloc", pvalloc(sizes[i]), page, rounded);
    }
}

/* malloc_usable_size covers every request, from malloc, calloc and realloc;
 * malloc(0) gives a unique block. */
static void check_usable_size(void)
{
    expect(malloc_usable_size(NULL) == 0, "malloc_usable_size(NULL) != 0");
    void *first = malloc(0), *second = malloc(0), *zeroed = calloc(0, 0);
    expect(first != NULL && second != NULL && zeroed != NULL && first != second &&
               zeroed != first && zeroed != second,
           "malloc(0) and calloc(0, 0) do not return distinct blocks");
    free(first);
    free(second);
    free(zeroed);
    for (size_t size = 0; size <= 1100; size++) {
        void *block = malloc(size);
        expect(block != NULL && malloc_usable_size(block) >= size, "malloc(%zu): usable size", size);
        block = realloc(block, size + 300);
        expect(block != NULL && malloc_usable_size(block) >= size + 300,
               "realloc(.., %zu): usable size", size + 300);
        free(block);
        block = calloc(size, 3);
        expect(block != NULL && malloc_usable_size(block) >= size * 3, "calloc(%zu, 3): usable size",
               size);
        free(block);
    }
}

/* A failed allocation: NULL and errno ENOMEM. */
static void expect_enomem(void *block, const char *call)
{
    int error = errno;
    expect(block == NULL, "%s did not return NULL", call);
    expect(error == ENOMEM, "%s: errno %d, not ENOMEM", call, error);
    free(block);
}

static void check_overflow(void)
{
    errno = 0;
    expect_enomem(malloc(size_max), "malloc(SIZE_MAX)");
    errno = 0;
    expect_enomem(calloc(half_size_max_plus_one, 2), "calloc(SIZE_MAX / 2 + 1, 2)");
    errno = 0;
    expect_enomem(calloc(size_max, size_max), "calloc(SIZE_MAX, SIZE_MAX)");
    errno = 0;
    expect_enomem(reallocarray(NULL, half_size_max_plus_one, 2),
                  "reallocarray(NULL, SIZE_MAX / 2 + 1, 2)");
    errno = 0;
    expect_enomem(aligned_alloc(64, size_max), "aligned_alloc(64, SIZE_MAX)");
    errno = 0;
    expect_enomem(memalign(4096, size_max), "memalign(4096, SIZE_MAX)");
    errno = 0;
    expect_enomem(valloc(size_max), "valloc(SIZE_MAX)");
    errno = 0;
    expect_enomem(pvalloc(size_max), "pvalloc(SIZE_MAX)");

    /* A failed reallocarray or realloc leaves the block as it was (opaque:
     * the compiler cannot know that these calls fail, and would warn). */
    static const size_t sizes[] = { 24, 512, 4000 };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        unsigned char *block = malloc(sizes[i]);
        fill_pattern(block, sizes[i], i);
        errno = 0;
        expect_enomem(reallocarray(opaque(block), half_size_max_plus_one, 4),
                      "reallocarray(p, SIZE_MAX / 2 + 1, 4)");
        errno = 0;
        expect_enomem(realloc(opaque(block), size_max), "realloc(p, SIZE_MAX)");
        block = opaque(block);
        expect(pattern_intact(block, sizes[i], i), "block of %zu changed by a failed realloc", sizes[i]);
        unsigned char *grown = reallocarray(block, sizes[i], 2);
        expect(grown != NULL && pattern_intact(grown, sizes[i], i), "reallocarray(p, %zu, 2) lost data",
               sizes[i]);
        free(grown);
    }
}

/* allocate returns a block of size bytes; each size is tried on many blocks
 * so that every position in a pool is seen. */
static void expect_sixteen_aligned(const char *name, size_t first_size, size_t step,
                                   size_t last_size, void *(*allocate)(size_t size))
{
    enum { BLOCKS_PER_SIZE = 300 };
    static void *blocks[BLOCKS_PER_SIZE];
    for (size_t size = first_size; size <= last_size; size += step) {
        for (int i = 0; i < BLOCKS_PER_SIZE; i++) {
            blocks[i] = allocate(size);
            expect(blocks[i] != NULL && is_aligned(blocks[i], 16), "%s(%zu) = %p is not 16-aligned",
                   name, size, blocks[i]);
        }
        for (int i = 0; i < BLOCKS_PER_SIZE; i++)
            free(blocks[i]);
    }
}

static void *allocate_with_calloc(size_t size)
{
    return calloc(1, size);
}

/* Grows from a one-byte block: always a move. */
static void *allocate_with_realloc_up(size_t size)
{
    return realloc(malloc(1), size);
}

/* Shrinks from a block up to a quarter larger, which may stay in place. */
static void *allocate_with_realloc_down(size_t size)
{
    return realloc(malloc(size + 8 + size / 5), size);
}

/* Without MEMSNAP_ALIGN16: every block whose size is a multiple of 16 is
 * 16-aligned, from malloc and calloc. */
static void check_sixteen_multiples(void)
{
    expect_sixteen_aligned("malloc", 16, 16, 4096, malloc);
    expect_sixteen_aligned("calloc", 16, 16, 4096, allocate_with_calloc);
}

/* The same promise for realloc, growing and shrinking. */
static void check_realloc_sixteen_multiples(void)
{
    expect_sixteen_aligned("realloc up", 16, 16, 4096, allocate_with_realloc_up);
    expect_sixteen_aligned("realloc down", 16, 16, 4096, allocate_with_realloc_down);
}

/* With MEMSNAP_ALIGN16=1: every block of more than 8 bytes is 16-aligned. */
static void check_sixteen_every_block(void)
{
    expect_sixteen_aligned("malloc", 9, 1, 1100, malloc);
    expect_sixteen_aligned("calloc", 9, 1, 1100, allocate_with_calloc);
    expect_sixteen_aligned("realloc up", 9, 1, 1100, allocate_with_realloc_up);
    expect_sixteen_aligned("realloc down", 9, 1, 1100, allocate_with_realloc_down);
}

static const struct group {
    const char *name;
    void (*run)(void);
} groups[] = {
    { "posix_memalign", check_posix_memalign },
    { "posix_memalign_einval", check_posix_memalign_einval },
    { "aligned_alloc", check_aligned_alloc },
    { "memalign", check_memalign },
    { "valloc", check_valloc },
    { "usable_size", check_usable_size },
    { "overflow", check_overflow },
    { "sixteen_multiples", check_sixteen_multiples },
    { "realloc_sixteen_multiples", check_realloc_sixteen_multiples },
    { "sixteen_every_block", check_sixteen_every_block },
};

int main(int argc, char **argv)
{
    for (size_t i = 0; argc == 2 && i < sizeof groups / sizeof groups[0]; i++) {
        if (strcmp(argv[1], groups[i].name) != 0)
            continue;
        group_name = groups[i].name;
        groups[i].run();
        if (checks_failed != 0) {
            fprintf(stderr, "align_api: %s: %u of %u checks failed\n", group_name, checks_failed,
                    checks_failed + checks_passed);
            return 1;
        }
        printf("%s: %u checks passed\n", group_name, checks_passed);
        return 0;
    }
    fprintf(stderr, "usage: align_api GROUP\n");
    return 2;
}
