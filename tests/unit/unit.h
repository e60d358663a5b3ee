/* unit.h: helpers shared by the check suites in tests/unit/.
 *
 * Every suite runs in check's fork mode (the default, CK_FORK unset or
 * "yes"): each test starts from a fresh copy of the process, whose allocator
 * has never been used, since the runner itself allocates only through glibc.
 * Tests that depend on that starting state say so with
 * unit_require_fresh_allocator(), so a run with CK_FORK=no fails with a
 * clear message instead of a puzzling one. */
#ifndef MS_UNIT_H
#define MS_UNIT_H

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check_run.h"
#include "arena.h"
#include "large.h"
#include "sizeclass.h"

/* A check for tight loops: ck_assert records its line on every success (one
 * write to check's message file), which a loop of a million probes cannot
 * afford; this one costs nothing until it fails. */
#define unit_expect(condition, ...)              \
    do {                                         \
        if (!(condition))                        \
            ck_abort_msg(__VA_ARGS__);           \
    } while (0)

/* splitmix64: a fixed seed gives the same sequence on every run, so a
 * failure can be replayed. */
static inline uint64_t unit_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* A byte pattern that differs per block (seed) and per offset, so a copy
 * from the wrong place or at the wrong offset shows. */
static inline unsigned char unit_pattern_byte(unsigned seed, size_t offset)
{
    return (unsigned char)(seed * 131u + offset * 7u + 1u);
}

static inline void unit_fill(void *block, size_t size, unsigned seed)
{
    unsigned char *bytes = block;
    for (size_t offset = 0; offset < size; offset++)
        bytes[offset] = unit_pattern_byte(seed, offset);
}

/* Fails the test at the first byte of block that differs from the pattern. */
static inline void unit_check_fill(const void *block, size_t size, unsigned seed)
{
    const unsigned char *bytes = block;
    for (size_t offset = 0; offset < size; offset++)
        unit_expect(bytes[offset] == unit_pattern_byte(seed, offset),
                    "byte %zu of %zu is %#x, expected %#x (seed %u)", offset, size,
                    bytes[offset], unit_pattern_byte(seed, offset), seed);
}

/* MEMSNAP_ALIGN16's default (options.c) and ms_align16's value before any
 * option is read (alloc.c): 16-byte spacing above 16 bytes. */
#define UNIT_DEFAULT_ALIGN16 1

/* The block a small request should get: the smallest multiple of the class
 * spacing that holds it, and 8 bytes for a request of 0. The spacing is 8,
 * or 16 above 16 bytes with MEMSNAP_ALIGN16. */
static inline size_t unit_block_size(size_t request, int align16)
{
    size_t spacing = align16 && request > 16 ? 16 : 8;
    size_t rounded = (request + spacing - 1) / spacing * spacing;
    return rounded == 0 ? 8 : rounded;
}

/* A checked-fixture teardown for tests that set ms_align16: whatever a
 * test did, the next one sees the default (with CK_FORK=no too). */
static inline void unit_restore_align16(void)
{
    ms_align16 = UNIT_DEFAULT_ALIGN16;
}

/* A checked-fixture setup for tests of the classic layout, every one of the
 * 64 classes in use (MEMSNAP_ALIGN16=0); pair it with unit_restore_align16. */
static inline void unit_classic_spacing(void)
{
    ms_align16 = 0;
}

static inline uintptr_t unit_arena_of(const void *pointer)
{
    return (uintptr_t)pointer & ~(uintptr_t)(MS_ARENA_SIZE - 1);
}

static inline ms_large_counters_t unit_large_counters(void)
{
    ms_large_counters_t counters;
    ms_large_counters(&counters);
    return counters;
}

static inline void unit_count_pool(void *context, const ms_pool_t *pool)
{
    (void)pool;
    (*(uint64_t *)context)++;
}

/* Pools some heap holds right now; fills counters when it is not NULL. */
static inline uint64_t unit_held_pools(ms_arena_counters_t *counters)
{
    uint64_t held = 0;
    ms_arena_counters_t ignored;
    ms_arena_visit(unit_count_pool, &held, counters != NULL ? counters : &ignored);
    return held;
}

static inline ms_arena_counters_t unit_arena_counters(void)
{
    ms_arena_counters_t counters;
    unit_held_pools(&counters);
    return counters;
}

static inline void unit_require_fresh_allocator(void)
{
    ck_assert_msg(unit_arena_counters().allocated_total == 0,
                  "this test needs an allocator nothing has used yet: run it in check's "
                  "fork mode (leave CK_FORK unset)");
}

/* Reads everything fd holds from its start; fd is a regular file. Returns
 * the length; text is NUL-terminated. */
static inline size_t unit_read_file(int fd, char *text, size_t capacity)
{
    ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
    size_t length = 0;
    ssize_t got;
    while (length + 1 < capacity && (got = read(fd, text + length, capacity - 1 - length)) > 0)
        length += (size_t)got;
    text[length] = '\0';
    return length;
}

/* An empty temporary file, already unlinked. */
static inline int unit_temporary_file(void)
{
    char path[] = "/tmp/memsnap-unit-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    unlink(path);
    return fd;
}

/* Redirects stderr into a temporary file until unit_capture_stderr_end,
 * which puts stderr back and returns what was written in between. */
typedef struct unit_capture {
    int file;
    int saved_stderr;
} unit_capture_t;

static inline unit_capture_t unit_capture_stderr_begin(void)
{
    unit_capture_t capture = { unit_temporary_file(), dup(STDERR_FILENO) };
    ck_assert_int_ge(capture.saved_stderr, 0);
    ck_assert_int_eq(dup2(capture.file, STDERR_FILENO), STDERR_FILENO);
    return capture;
}

static inline size_t unit_capture_stderr_end(unit_capture_t capture, char *text, size_t capacity)
{
    ck_assert_int_eq(dup2(capture.saved_stderr, STDERR_FILENO), STDERR_FILENO);
    close(capture.saved_stderr);
    size_t length = unit_read_file(capture.file, text, capacity);
    close(capture.file);
    return length;
}

#endif
