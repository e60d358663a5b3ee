/* check_leaks.c: the leak check's kinds, bytes and blocks (leaks.h), and the
 * pieces it stands on: the heapsort (sort.h) and the memory map
 * (mappings.h).
 *
 *   kinds      blocks made with ms_malloc under made-up tracebacks, held
 *              (or not) by this file's globals, sorted into exactly the
 *              kinds memcheck gives them: a global's block is reachable, a
 *              dropped one definitely lost, a lost block's only referent
 *              indirectly lost, a cycle one of each, an interior pointer
 *              possibly lost, memsnap_ignore's block ignored; small and
 *              large blocks alike
 *   threads    a block only another thread's stack holds is reachable while
 *              that thread lives, and the check stops and resumes it
 *   rows       one row per (traceback, kind), sorted, adding up to the summary
 *
 * The blocks are made by helpers on a thread of their own, which has ended
 * when the check runs: stale copies of the addresses a test drops stay on
 * that thread's stack, which is not a root any more, rather than on this
 * thread's, which is. */
#include "unit.h"

#include <pthread.h>

#include "alloc.h"
#include "leaks.h"
#include "mappings.h"
#include "options.h"
#include "sort.h"
#include "trace.h"
#include "traceback.h"

/* Roots the tests control; volatile, so every store reaches memory. */
static void *volatile held[8];

static void configure(void)
{
    static char *envp[] = { "PATH=/bin", NULL };
    ms_options_init(envp);
    ms_large_init();
    ms_trace_configure();
}

static uint32_t new_site(uint32_t k)
{
    uintptr_t frames[2] = { 0x510000u + k * 16, 0x610000u };
    uint32_t id = ms_traceback_intern(MS_DOMAIN_MALLOC, frames, 2, 0);
    ck_assert_uint_ne(id, 0);
    return id;
}

typedef void helper_t(uint32_t first, uint32_t second, size_t size);

typedef struct helper_call {
    helper_t *helper;
    uint32_t first, second;
    size_t size;
} helper_call_t;

static void *call_helper(void *argument)
{
    helper_call_t *call = argument;
    call->helper(call->first, call->second, call->size);
    return NULL;
}

/* Runs helper on a thread that is gone when this returns. */
static void on_own_thread(helper_t *helper, uint32_t first, uint32_t second, size_t size)
{
    helper_call_t call = { helper, first, second, size };
    pthread_t thread;
    ck_assert_int_eq(pthread_create(&thread, NULL, call_helper, &call), 0);
    ck_assert_int_eq(pthread_join(thread, NULL), 0);
}

static void run_check(ms_leak_result_t *result)
{
    ck_assert_int_eq(ms_leak_check(result, 0), 0);
}

/* The row of (traceback, kind), or a zero row. */
static ms_leak_row_t row_of(const ms_leak_result_t *result, uint32_t traceback, int kind)
{
    for (size_t i = 0; i < result->nrows; i++)
        if (result->rows[i].traceback == traceback && result->rows[i].kind == (uint32_t)kind)
            return result->rows[i];
    return (ms_leak_row_t){ traceback, (uint32_t)kind, 0, 0 };
}

static void expect_row(const ms_leak_result_t *result, uint32_t traceback, int kind, uint64_t size,
                       uint64_t count)
{
    ms_leak_row_t row = row_of(result, traceback, kind);
    ck_assert_msg(row.size == size && row.count == count,
                  "traceback %u %s: %llu bytes in %llu blocks, expected %llu in %llu", traceback,
                  ms_leak_kind_names[kind], (unsigned long long)row.size,
                  (unsigned long long)row.count, (unsigned long long)size,
                  (unsigned long long)count);
}

/* ---- kinds --------------------------------------------------------------- */

/* A row a case expects of its first (0) or second (1) site. */
typedef struct expected_row {
    unsigned site;
    int kind;
    uint64_t size, count;
} expected_row_t;

/* Makes two sites, runs helper with them and size on its own thread, checks,
 * and compares the rows of those sites with expected. */
static void expect_case(helper_t *helper, size_t size, const expected_row_t *expected, size_t count)
{
    configure();
    uint32_t sites[2] = { new_site(1), new_site(2) };
    on_own_thread(helper, sites[0], sites[1], size);
    ms_leak_result_t result;
    run_check(&result);
    for (size_t i = 0; i < count; i++)
        expect_row(&result, sites[expected[i].site], expected[i].kind, expected[i].size,
                   expected[i].count);
    ck_assert_int_eq(result.complete, 1);
    ms_leak_result_free(&result);
}

#define EXPECT_CASE(helper, size, ...)                                              \
    do {                                                                            \
        static const expected_row_t expected[] = { __VA_ARGS__ };                   \
        expect_case(helper, size, expected, sizeof expected / sizeof expected[0]);  \
    } while (0)

static void make_held_and_dropped(uint32_t kept, uint32_t dropped, size_t size)
{
    held[0] = ms_malloc(size, kept);
    void *volatile lost = ms_malloc(size, dropped);
    memset((void *)lost, 0, size);
}

START_TEST(global_small_reachable_dropped_definite)
{
    EXPECT_CASE(make_held_and_dropped, 40, { 0, MS_LEAK_REACHABLE, 40, 1 },
                { 1, MS_LEAK_DEFINITE, 40, 1 }, { 1, MS_LEAK_REACHABLE, 0, 0 });
}
END_TEST

START_TEST(global_large_reachable_dropped_definite)
{
    EXPECT_CASE(make_held_and_dropped, 5000, { 0, MS_LEAK_REACHABLE, 5000, 1 },
                { 1, MS_LEAK_DEFINITE, 5000, 1 }, { 1, MS_LEAK_POSSIBLE, 0, 0 });
}
END_TEST

static void make_chain(uint32_t outer, uint32_t inner, size_t inner_size)
{
    void **volatile box = ms_malloc(24, outer);
    box[0] = ms_malloc(inner_size, inner);
    box[1] = box[2] = NULL;
}

START_TEST(lost_struct_makes_its_referent_indirect)
{
    EXPECT_CASE(make_chain, 333, { 0, MS_LEAK_DEFINITE, 24, 1 }, { 1, MS_LEAK_INDIRECT, 333, 1 },
                { 1, MS_LEAK_DEFINITE, 0, 0 });
}
END_TEST

static void make_cycle(uint32_t site, uint32_t unused, size_t size)
{
    (void)unused;
    void **volatile a = ms_malloc(size, site);
    void **volatile b = ms_malloc(size, site);
    memset((void *)a, 0, size);
    memset((void *)b, 0, size);
    a[0] = (void *)b;
    b[0] = (void *)a;
}

START_TEST(unreachable_cycle_is_one_definite_one_indirect)
{
    EXPECT_CASE(make_cycle, 48, { 0, MS_LEAK_DEFINITE, 48, 1 }, { 0, MS_LEAK_INDIRECT, 48, 1 });
}
END_TEST

static void make_interior(uint32_t outer, uint32_t inner, size_t size)
{
    char *block = ms_malloc(200, outer);
    memset(block, 0, 200);
    ((void **)block)[3] = ms_malloc(size, inner);
    held[0] = block + 10;
}

START_TEST(interior_pointer_is_possible_and_so_is_what_it_reaches)
{
    EXPECT_CASE(make_interior, 64, { 0, MS_LEAK_POSSIBLE, 200, 1 }, { 1, MS_LEAK_POSSIBLE, 64, 1 });
}
END_TEST

static void make_ignored(uint32_t outer, uint32_t inner, size_t size)
{
    void **volatile block = ms_malloc(32, outer);
    block[0] = ms_malloc(size, inner);
    block[1] = NULL;
    ck_assert_int_eq(ms_ignore((void *)block), 0);
    /* Not a block: */
    ck_assert_int_eq(ms_ignore((const void *)&held[0]), -1);
}

START_TEST(ignored_block_is_a_root)
{
    EXPECT_CASE(make_ignored, 1000, { 0, MS_LEAK_IGNORED, 32, 1 }, { 0, MS_LEAK_DEFINITE, 0, 0 },
                { 1, MS_LEAK_REACHABLE, 1000, 1 });
}
END_TEST

/* memcheck's length64 heuristic: a length, then the data pointed to. */
static void make_length_prefixed(uint32_t site, uint32_t unused, size_t size)
{
    (void)unused;
    uint64_t *block = ms_malloc(size, site);
    memset(block, 0, size);
    block[0] = size - 8;
    held[0] = block + 1;
}

START_TEST(length_prefixed_block_counts_as_reachable)
{
    EXPECT_CASE(make_length_prefixed, 88, { 0, MS_LEAK_REACHABLE, 88, 1 });
}
END_TEST

START_TEST(check_leaves_blocks_as_they_were)
{
    configure();
    uint32_t kept = new_site(1), dropped = new_site(2);
    on_own_thread(make_held_and_dropped, kept, dropped, 24);
    ms_leak_result_t first, second;
    run_check(&first);
    run_check(&second);
    ck_assert_uint_eq(first.nrows, second.nrows);
    for (size_t i = 0; i < first.nrows; i++) {
        ck_assert_uint_eq(first.rows[i].traceback, second.rows[i].traceback);
        ck_assert_uint_eq(first.rows[i].kind, second.rows[i].kind);
        ck_assert_uint_eq(first.rows[i].size, second.rows[i].size);
        ck_assert_uint_eq(first.rows[i].count, second.rows[i].count);
    }
    /* The state bits are gone: the free reports the size asked for. */
    ms_record_t freed;
    ms_free((void *)held[0], &freed);
    ck_assert_uint_eq(freed.traceback, kept);
    ck_assert_uint_eq(freed.size, 24);
    ms_leak_result_free(&first);
    ms_leak_result_free(&second);
}
END_TEST

START_TEST(rows_sorted_and_add_up)
{
    configure();
    uint32_t sites[6];
    for (uint32_t k = 0; k < 6; k++)
        sites[k] = new_site(k);
    for (uint32_t k = 0; k < 6; k++)
        on_own_thread(make_held_and_dropped, sites[k], sites[(k + 1) % 6], 16 + 8 * k);
    held[0] = NULL;
    ms_leak_result_t result;
    run_check(&result);
    for (int kind = 0; kind < MS_LEAK_KIND_COUNT; kind++) {
        uint64_t size = 0, count = 0;
        for (size_t i = 0; i < result.nrows; i++) {
            if (result.rows[i].kind != (uint32_t)kind)
                continue;
            size += result.rows[i].size;
            count += result.rows[i].count;
        }
        ck_assert_uint_eq(size, result.size[kind]);
        ck_assert_uint_eq(count, result.count[kind]);
    }
    for (size_t i = 1; i < result.nrows; i++) {
        const ms_leak_row_t *a = &result.rows[i - 1], *b = &result.rows[i];
        ck_assert(a->kind < b->kind || (a->kind == b->kind && a->size >= b->size));
    }
    /* All twelve blocks were dropped: held[0] was cleared. */
    ck_assert_uint_eq(result.count[MS_LEAK_DEFINITE], 12);
    ms_leak_result_free(&result);
}
END_TEST

/* ---- threads ------------------------------------------------------------- */

static pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
static volatile int thread_ready;

static MS_NOINLINE void *hold_on_stack(void *site)
{
    void *volatile mine = ms_malloc(96, (uint32_t)(uintptr_t)site);
    thread_ready = 1;
    pthread_mutex_lock(&gate);
    pthread_mutex_unlock(&gate);
    return (void *)mine;
}

START_TEST(live_thread_stack_is_a_root)
{
    configure();
    uint32_t site = new_site(1);
    pthread_mutex_lock(&gate);
    pthread_t thread;
    ck_assert_int_eq(pthread_create(&thread, NULL, hold_on_stack, (void *)(uintptr_t)site), 0);
    while (!thread_ready)
        usleep(1000);
    ms_leak_result_t result;
    run_check(&result);
    ck_assert_uint_eq(result.threads, 2);
    ck_assert_int_eq(result.complete, 1);
    expect_row(&result, site, MS_LEAK_REACHABLE, 96, 1);
    ms_leak_result_free(&result);
    /* The thread was resumed: it can finish. */
    pthread_mutex_unlock(&gate);
    void *block;
    ck_assert_int_eq(pthread_join(thread, &block), 0);
    ms_free(block, NULL);
}
END_TEST

/* ---- sort and mappings --------------------------------------------------- */

static int number_before(const void *a, const void *b)
{
    return *(const uint64_t *)a < *(const uint64_t *)b;
}

START_TEST(heapsort_orders_every_length)
{
    uint64_t state = 7;
    for (size_t count = 0; count < 300; count++) {
        uint64_t numbers[300];
        for (size_t i = 0; i < count; i++)
            numbers[i] = unit_random(&state) % 50;
        ms_sort(numbers, count, sizeof numbers[0], number_before);
        for (size_t i = 1; i < count; i++)
            unit_expect(numbers[i - 1] <= numbers[i], "count %zu: out of order at %zu", count, i);
    }
}
END_TEST

START_TEST(mappings_find_what_is_mapped)
{
    ms_mappings_t mappings;
    ck_assert_int_eq(ms_mappings_read(&mappings), 0);
    int local = 0;
    const ms_mapping_t *stack = ms_mappings_find(&mappings, (uintptr_t)&local);
    ck_assert_ptr_nonnull(stack);
    ck_assert(stack->readable);
    ck_assert_ptr_nonnull(ms_mappings_find(&mappings, (uintptr_t)&held));
    ck_assert_ptr_null(ms_mappings_find(&mappings, 4096));
    ck_assert_uint_eq(ms_mappings_first_after(&mappings, 0), 0);
    ck_assert_uint_eq(ms_mappings_first_after(&mappings, UINTPTR_MAX), mappings.count);
    ck_assert_ptr_eq(&mappings.items[ms_mappings_first_after(&mappings, (uintptr_t)&local)], stack);
    for (size_t i = 1; i < mappings.count; i++)
        ck_assert(mappings.items[i - 1].end <= mappings.items[i].start);
    ms_mappings_free(&mappings);
}
END_TEST

static Suite *leaks_suite(void)
{
    Suite *suite = suite_create("leaks");
    TCase *kinds = tcase_create("kinds");
    tcase_add_test(kinds, global_small_reachable_dropped_definite);
    tcase_add_test(kinds, global_large_reachable_dropped_definite);
    tcase_add_test(kinds, lost_struct_makes_its_referent_indirect);
    tcase_add_test(kinds, unreachable_cycle_is_one_definite_one_indirect);
    tcase_add_test(kinds, interior_pointer_is_possible_and_so_is_what_it_reaches);
    tcase_add_test(kinds, ignored_block_is_a_root);
    tcase_add_test(kinds, length_prefixed_block_counts_as_reachable);
    tcase_add_test(kinds, check_leaves_blocks_as_they_were);
    tcase_add_test(kinds, rows_sorted_and_add_up);
    suite_add_tcase(suite, kinds);
    TCase *threads = tcase_create("threads");
    tcase_add_test(threads, live_thread_stack_is_a_root);
    suite_add_tcase(suite, threads);
    TCase *pieces = tcase_create("pieces");
    tcase_add_test(pieces, heapsort_orders_every_length);
    tcase_add_test(pieces, mappings_find_what_is_mapped);
    suite_add_tcase(suite, pieces);
    return suite;
}

int main(void)
{
    return run_suite(leaks_suite());
}
