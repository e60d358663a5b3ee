/* check_trace.c: what tracing records, from the allocator up.
 *
 *   records   ms_malloc(size, id) / ms_free(p, &freed) and the rest of
 *             alloc.h: a block is freed with the record it was made with,
 *             small (side-array slots) or large (large.c's table)
 *   totals    ms_trace_allocated / _released and ms_trace_totals: current,
 *             peak, allocations and frees, and the sites' counters, exact
 *   peak      the breakdown of peak.h: per-site bytes that add up to the
 *             bytes at the copy, within 1/128 of the recorded peak
 *   timeline  the points of timeline.h against a model of its rule
 *   traced    ms_trace_malloc and friends with real stacks (libunwind)
 *
 * Each test runs in a fresh process; those that trace read their options
 * from a crafted environment and call ms_trace_configure, as the library's
 * constructor does, which interns the "unsampled" site as id 1. */
#include "unit.h"

#include "alloc.h"
#include "options.h"
#include "peak.h"
#include "sample.h"
#include "timeline.h"
#include "trace.h"
#include "traceback.h"

static void configure(char **envp)
{
    ms_options_init(envp);
    ms_trace_configure();
}

static void configure_default(void)
{
    static char *envp[] = { "PATH=/bin", NULL };
    configure(envp);
}

/* A site with made-up frames: k tells them apart. */
static uint32_t new_site(uint32_t k)
{
    uintptr_t frames[3] = { 0x500000u + k * 16, 0x600000u + k * 16, 0x700000u };
    uint32_t id = ms_traceback_intern(MS_DOMAIN_MALLOC, frames, 3, 0);
    ck_assert_uint_ne(id, 0);
    return id;
}

static MS_NOINLINE ms_trace_totals_t totals(void)
{
    ms_trace_totals_t out;
    ms_trace_totals(&out);
    return out;
}

static MS_NOINLINE void expect_totals(uint64_t current, uint64_t peak, uint64_t allocations, uint64_t frees)
{
    ms_trace_totals_t now = totals();
    ck_assert_uint_eq(now.current, current);
    ck_assert_uint_eq(now.peak, peak);
    ck_assert_uint_eq(now.allocations, allocations);
    ck_assert_uint_eq(now.frees, frees);
}

static MS_NOINLINE void expect_site(uint32_t id, uint64_t live_bytes, uint64_t live_blocks,
                        uint64_t total_bytes, uint64_t total_blocks)
{
    ms_counters_t counters;
    ms_site_read(id, &counters);
    ck_assert_uint_eq(counters.live_bytes, live_bytes);
    ck_assert_uint_eq(counters.live_weight, live_blocks * MS_WEIGHT_ONE);
    ck_assert_uint_eq(counters.total_bytes, total_bytes);
    ck_assert_uint_eq(counters.total_weight, total_blocks * MS_WEIGHT_ONE);
}

static void expect_record(ms_record_t record, uint32_t traceback, uint64_t size)
{
    ck_assert_uint_eq(record.traceback, traceback);
    ck_assert_uint_eq(record.size, size);
}

/* A record no free can leave as it is: a test sees whether it was written. */
static const ms_record_t poison = { 0xDEADBEEF, 0xDEADBEEF };

/* The traceback a small block was recorded with, read from its slot. */
static uint32_t small_block_traceback(void *block)
{
    ck_assert(ms_owns(block));
    ms_slot_t *slot = ms_slot_find(MS_POOL_OF(block), block);
    return slot == NULL ? 0 : slot->traceback;
}

/* ---- records: alloc.h with traceback ids, no tracing configured ---- */

/* Loop test over sizes on both paths: a block is freed with its record. */
static const size_t round_trip_sizes[] = { 0, 1, 24, 100, 512, 513, 5000, 1 << 20 };

START_TEST(test_malloc_free_round_trip)
{
    size_t size = round_trip_sizes[_i];
    uint32_t id = 1000 + (uint32_t)_i;
    void *block = ms_malloc(size, id);
    ck_assert_ptr_nonnull(block);
    ck_assert_int_eq(ms_owns(block), size <= 512);
    if (size <= 512)
        ck_assert_uint_eq(small_block_traceback(block), id);
    ms_record_t freed = poison;
    ms_free(block, &freed);
    expect_record(freed, id, size);
    if (size <= 512)
        ck_assert_uint_eq(small_block_traceback(block), 0);
}
END_TEST

/* Blocks made with traceback 0 are not recorded. A small one is freed with
 * an all-zero record, also in a pool whose side array is in use. A large one
 * reports traceback 0 (large.c also reports its size: see the report). */
START_TEST(test_untraced_blocks_free_as_zero)
{
    void *traced = ms_malloc(24, 7);
    void *plain = ms_malloc(24, 0);
    ck_assert_ptr_eq(MS_POOL_OF(traced), MS_POOL_OF(plain));
    ck_assert_ptr_nonnull(MS_POOL_OF(plain)->slots);
    ms_record_t freed = poison;
    ms_free(plain, &freed);
    expect_record(freed, 0, 0);

    /* A pool that never recorded anything has no array at all. */
    void *lonely = ms_malloc(200, 0);
    ck_assert_ptr_null(MS_POOL_OF(lonely)->slots);
    freed = poison;
    ms_free(lonely, &freed);
    expect_record(freed, 0, 0);

    void *large = ms_malloc(5000, 0);
    freed = poison;
    ms_free(large, &freed);
    ck_assert_uint_eq(freed.traceback, 0);

    /* free(NULL) reports nothing was released. */
    freed = poison;
    ms_free(NULL, &freed);
    expect_record(freed, 0, 0);

    /* A recorded block's slot is cleared by its free: the next block at the
     * same address, made untraced, reads as untraced. */
    freed = poison;
    ms_free(traced, &freed);
    expect_record(freed, 7, 24);
    void *again = ms_malloc(24, 0);
    ck_assert_ptr_eq(again, traced);
    freed = poison;
    ms_free(again, &freed);
    expect_record(freed, 0, 0);
}
END_TEST

/* Every block of a full pool keeps its own record. */
START_TEST(test_pool_of_records)
{
    enum { BLOCKS = 126 };                 /* one pool of 32-byte blocks */
    void *blocks[BLOCKS];
    for (unsigned k = 0; k < BLOCKS; k++) {
        blocks[k] = ms_malloc(25 + k % 8, 100 + k);
        ck_assert_ptr_eq(MS_POOL_OF(blocks[k]), MS_POOL_OF(blocks[0]));
    }
    ck_assert_uint_eq(MS_POOL_OF(blocks[0])->count, BLOCKS);
    /* Freed in another order than made. */
    for (unsigned j = 0; j < BLOCKS; j++) {
        unsigned k = (j * 5) % BLOCKS;
        ms_record_t freed = poison;
        ms_free(blocks[k], &freed);
        unit_expect(freed.traceback == 100 + k && freed.size == 25 + k % 8,
                    "block %u freed as %u/%lu", k, freed.traceback, (unsigned long)freed.size);
    }
}
END_TEST

START_TEST(test_calloc_memalign_records)
{
    ms_record_t freed;
    unsigned char *zeroed = ms_calloc(10, 30, 11);
    ck_assert(ms_owns(zeroed));
    for (unsigned k = 0; k < 300; k++)
        ck_assert_uint_eq(zeroed[k], 0);
    ms_free(zeroed, &freed);
    expect_record(freed, 11, 300);

    unsigned char *large = ms_calloc(100, 30, 12);
    ck_assert(!ms_owns(large));
    ms_free(large, &freed);
    expect_record(freed, 12, 3000);

    void *aligned = ms_memalign(64, 100, 13);
    ck_assert(ms_owns(aligned));
    ck_assert_uint_eq((uintptr_t)aligned % 64, 0);
    ms_free(aligned, &freed);
    expect_record(freed, 13, 100);

    void *page = ms_memalign(4096, 100, 14);
    ck_assert(!ms_owns(page));
    ck_assert_uint_eq((uintptr_t)page % 4096, 0);
    ms_free(page, &freed);
    expect_record(freed, 14, 100);
}
END_TEST

/* A small block that stays in place is recorded anew with the realloc's id
 * and size; the old record is reported. With id 0 it stays unrecorded. */
START_TEST(test_realloc_in_place_rerecords)
{
    char *block = ms_malloc(32, 5);
    ms_record_t freed = poison;
    ck_assert_ptr_eq(ms_realloc(block, 30, 9, &freed), block);
    expect_record(freed, 5, 32);
    ck_assert_uint_eq(small_block_traceback(block), 9);
    freed = poison;
    ck_assert_ptr_eq(ms_realloc(block, 25, 0, &freed), block);
    expect_record(freed, 9, 30);
    ck_assert_uint_eq(small_block_traceback(block), 0);
    freed = poison;
    ck_assert_ptr_eq(ms_realloc(block, 31, 10, &freed), block);
    expect_record(freed, 0, 0);
    freed = poison;
    ms_free(block, &freed);
    expect_record(freed, 10, 31);
}
END_TEST

/* Moves: small to small, small to large, large to large, large to small.
 * Each reports the old block's record; the new block has the new one. */
START_TEST(test_realloc_moves_report_old_record)
{
    ms_record_t freed = poison;
    char *small = ms_malloc(24, 3);
    unit_fill(small, 24, 1);
    char *bigger = ms_realloc(small, 100, 4, &freed);
    ck_assert_ptr_ne(bigger, small);
    expect_record(freed, 3, 24);
    unit_check_fill(bigger, 24, 1);
    ck_assert_uint_eq(small_block_traceback(bigger), 4);

    freed = poison;
    char *large = ms_realloc(bigger, 5000, 6, &freed);
    ck_assert(!ms_owns(large));
    expect_record(freed, 4, 100);
    unit_check_fill(large, 24, 1);

    freed = poison;
    char *larger = ms_realloc(large, 80000, 7, &freed);
    expect_record(freed, 6, 5000);
    unit_check_fill(larger, 24, 1);

    freed = poison;
    char *back = ms_realloc(larger, 100, 8, &freed);
    ck_assert(ms_owns(back));
    expect_record(freed, 7, 80000);
    unit_check_fill(back, 24, 1);
    ck_assert_uint_eq(small_block_traceback(back), 8);

    /* realloc(p, 0) frees p and says what it was. */
    freed = poison;
    ck_assert_ptr_null(ms_realloc(back, 0, 9, &freed));
    expect_record(freed, 8, 100);
    /* realloc(NULL, n) releases nothing. */
    freed = poison;
    char *fresh = ms_realloc(NULL, 5000, 10, &freed);
    ck_assert_ptr_nonnull(fresh);
    expect_record(freed, 0, 0);
    freed = poison;
    ms_free(fresh, &freed);
    expect_record(freed, 10, 5000);
    ck_assert_uint_eq(unit_large_counters().live_blocks, 0);
}
END_TEST

/* ---- totals ---- */

START_TEST(test_configure_defaults)
{
    configure_default();
    ck_assert_int_eq(ms_trace_recording, 1);
    ck_assert_int_eq(ms_trace_armed, 1);
    ck_assert_uint_eq(ms_trace_frames(), 64);
    ck_assert_uint_eq(ms_trace_sample_bytes(), 0);
    /* The unsampled site: id 1, its own domain, no frames. */
    ck_assert_uint_eq(ms_traceback_count(), 2);
    const ms_traceback_t *unsampled = ms_site(MS_TRACEBACK_UNSAMPLED)->traceback;
    ck_assert_uint_eq(unsampled->domain, MS_DOMAIN_UNSAMPLED);
    ck_assert_uint_eq(unsampled->nframes, 0);
    expect_totals(0, 0, 0, 0);
    ms_trace_stop();
    ck_assert_int_eq(ms_trace_recording, 0);
    ck_assert_int_eq(ms_trace_armed, 1);
    ck_assert_int_eq(ms_trace_start(), 0);
    ck_assert_int_eq(ms_trace_recording, 1);
}
END_TEST

START_TEST(test_configure_options)
{
    static char *envp[] = { "MEMSNAP_START=0", "MEMSNAP_FRAMES=16", "MEMSNAP_SAMPLE_BYTES=512k",
                            NULL };
    configure(envp);
    ck_assert_int_eq(ms_trace_recording, 0);
    ck_assert_int_eq(ms_trace_armed, 0);
    ck_assert_uint_eq(ms_trace_frames(), 16);
    ck_assert_uint_eq(ms_trace_sample_bytes(), 524288);
    ck_assert_uint_eq(ms_traceback_count(), 2);
    ck_assert_int_eq(ms_trace_start(), 0);
    ck_assert_int_eq(ms_trace_recording, 1);
    ck_assert_int_eq(ms_trace_armed, 1);
}
END_TEST

START_TEST(test_configure_trace_off)
{
    static char *envp[] = { "MEMSNAP_TRACE=0", NULL };
    configure(envp);
    ck_assert_int_eq(ms_trace_recording, 0);
    ck_assert_int_eq(ms_trace_armed, 0);
    /* Site 1 exists even so (a snapshot may always name it). */
    ck_assert_uint_eq(ms_traceback_count(), 2);
    ck_assert_uint_eq(ms_site(MS_TRACEBACK_UNSAMPLED)->traceback->domain, MS_DOMAIN_UNSAMPLED);
    ck_assert_int_eq(ms_trace_start(), -1);
    ck_assert_int_eq(ms_trace_recording, 0);
}
END_TEST

START_TEST(test_totals_exact)
{
    configure_default();
    uint32_t a = new_site(1), b = new_site(2);
    ms_trace_allocated(a, 100);
    ms_trace_allocated(b, 5000);
    ms_trace_allocated(a, 24);
    expect_totals(5124, 5124, 3, 0);
    ms_trace_released(b, 5000);
    expect_totals(124, 5124, 3, 1);
    ms_trace_allocated(b, 512);
    expect_totals(636, 5124, 4, 1);
    ms_trace_released(a, 100);
    ms_trace_released(a, 24);
    expect_totals(512, 5124, 4, 3);
    expect_site(a, 0, 0, 124, 2);
    expect_site(b, 512, 1, 5512, 2);
    /* A region that shrinks stays one block: bytes go, the block stays. */
    ms_trace_shrunk(b, 200);
    expect_totals(312, 5124, 4, 3);
    expect_site(b, 312, 1, 5512, 2);
    ms_trace_released(b, 312);
    expect_totals(0, 5124, 4, 4);
    expect_site(b, 0, 0, 5512, 2);
}
END_TEST

START_TEST(test_reset_peak)
{
    configure_default();
    uint32_t a = new_site(1);
    ms_trace_allocated(a, 1000);
    ms_trace_allocated(a, 2000);
    ms_trace_released(a, 2000);
    expect_totals(1000, 3000, 2, 1);
    ms_trace_reset_peak();
    expect_totals(1000, 1000, 2, 1);
    ms_trace_allocated(a, 500);
    expect_totals(1500, 1500, 3, 1);
    ms_trace_released(a, 1500);
    ms_trace_reset_peak();
    expect_totals(0, 0, 3, 2);
    ms_trace_allocated(a, 8);
    expect_totals(8, 8, 4, 2);
}
END_TEST

/* ---- peak ---- */

typedef struct breakdown {
    uint64_t bytes, weight;
    unsigned sites;
    uint64_t by_site[64];
} breakdown_t;

static void add_to_breakdown(void *context, uint32_t id, uint64_t bytes, uint64_t weight)
{
    breakdown_t *breakdown = context;
    breakdown->bytes += bytes;
    breakdown->weight += weight;
    breakdown->sites++;
    if (id < 64)
        breakdown->by_site[id] = bytes;
}

static breakdown_t read_breakdown(ms_peak_info_t *info)
{
    breakdown_t breakdown;
    memset(&breakdown, 0, sizeof breakdown);
    ms_peak_visit(info, add_to_breakdown, &breakdown);
    return breakdown;
}

/* Grows to a known peak over 40 sites with blocks of many sizes, then falls
 * back. The breakdown is a copy from at most 1/128 below the peak (peak.h:
 * a copy at c is retaken once current reaches c + c/128 + 1), and its
 * per-site bytes add up to the bytes at the copy exactly (exact mode). */
START_TEST(test_peak_breakdown_sums_to_peak)
{
    enum { SITES = 40, BLOCKS = 20000 };
    configure_default();
    uint32_t sites[SITES];
    for (unsigned s = 0; s < SITES; s++)
        sites[s] = new_site(s);
    static uint64_t sizes[BLOCKS];
    uint64_t state = 17, peak = 0;
    for (unsigned k = 0; k < BLOCKS; k++) {
        sizes[k] = 8 + unit_random(&state) % 20000;
        ms_trace_allocated(sites[k % SITES], sizes[k]);
        peak += sizes[k];
    }
    for (unsigned k = 0; k < BLOCKS; k += 2)
        ms_trace_released(sites[k % SITES], sizes[k]);
    expect_totals(totals().current, peak, BLOCKS, BLOCKS / 2);

    ms_peak_info_t info;
    breakdown_t breakdown = read_breakdown(&info);
    ck_assert_uint_eq(breakdown.bytes, info.bytes);
    ck_assert_uint_le(info.bytes, peak);
    ck_assert_msg((peak - info.bytes) * 128 <= peak, "breakdown at %lu, peak %lu",
                  (unsigned long)info.bytes, (unsigned long)peak);
    ck_assert_msg((peak - breakdown.bytes) * 100 <= peak, "breakdown sums to %lu, peak %lu",
                  (unsigned long)breakdown.bytes, (unsigned long)peak);
    ck_assert_uint_eq(breakdown.weight % MS_WEIGHT_ONE, 0);
    ck_assert_uint_le(breakdown.weight / MS_WEIGHT_ONE, BLOCKS);
    ck_assert_uint_eq(breakdown.sites, SITES);
    ck_assert_uint_eq(info.sites, SITES + 2);
    ck_assert_uint_gt(info.time_ns, 0);

    /* Falling back (and freeing everything) leaves the breakdown alone. */
    for (unsigned k = 1; k < BLOCKS; k += 2)
        ms_trace_released(sites[k % SITES], sizes[k]);
    expect_totals(0, peak, BLOCKS, BLOCKS);
    ms_peak_info_t later;
    breakdown_t again = read_breakdown(&later);
    ck_assert_uint_eq(later.bytes, info.bytes);
    ck_assert_uint_eq(later.time_ns, info.time_ns);
    ck_assert_uint_eq(again.bytes, breakdown.bytes);
    ck_assert_int_eq(memcmp(again.by_site, breakdown.by_site, sizeof again.by_site), 0);
}
END_TEST

/* The breakdown of a peak reached in one step is exact; a reset takes it
 * again at the current bytes. */
START_TEST(test_peak_breakdown_exact_and_reset)
{
    configure_default();
    uint32_t a = new_site(1), b = new_site(2), c = new_site(3);
    ms_trace_allocated(a, 1000);
    ms_trace_allocated(b, 3000);
    ms_trace_allocated(c, 1 << 20);              /* far past the next copy */
    ms_trace_released(c, 1 << 20);
    ms_peak_info_t info;
    breakdown_t breakdown = read_breakdown(&info);
    ck_assert_uint_eq(info.bytes, 4000 + (1 << 20));
    ck_assert_uint_eq(breakdown.bytes, 4000 + (1 << 20));
    ck_assert_uint_eq(breakdown.by_site[a], 1000);
    ck_assert_uint_eq(breakdown.by_site[b], 3000);
    ck_assert_uint_eq(breakdown.by_site[c], 1 << 20);
    ck_assert_uint_eq(breakdown.weight, 3 * MS_WEIGHT_ONE);

    ms_trace_reset_peak();
    breakdown = read_breakdown(&info);
    ck_assert_uint_eq(info.bytes, 4000);
    ck_assert_uint_eq(breakdown.bytes, 4000);
    ck_assert_uint_eq(breakdown.sites, 2);
    ck_assert_uint_eq(breakdown.by_site[c], 0);
    expect_totals(4000, 4000, 3, 1);
}
END_TEST

/* ---- timeline ---- */

/* timeline.h's rule, restated: a point when the bytes leave [low, high],
 * which then become [bytes - step, bytes + step]; at 1024 points every
 * other one goes and the step doubles. */
typedef struct timeline_model {
    uint64_t points[MS_TIMELINE_POINTS];
    unsigned count;
    uint64_t step, low, high;
} timeline_model_t;

static void model_note(timeline_model_t *model, uint64_t current)
{
    if (model->count == MS_TIMELINE_POINTS) {
        unsigned kept = 0;
        for (unsigned i = 0; i < model->count; i += 2)
            model->points[kept++] = model->points[i];
        model->count = kept;
        model->step *= 2;
    }
    model->points[model->count++] = current;
    model->low = current > model->step ? current - model->step : 0;
    model->high = current + model->step;
}

START_TEST(test_timeline_follows_rule)
{
    enum { STEPS = 6000 };
    configure_default();
    uint32_t site = new_site(1);
    static timeline_model_t model;
    model.step = 64 << 10;
    static uint64_t live[STEPS];
    unsigned nlive = 0;
    uint64_t current = 0, state = 3;
    for (unsigned k = 0; k < STEPS; k++) {
        /* Mostly growth, some frees: the series rises with dips. */
        if (nlive > 0 && unit_random(&state) % 3 == 0) {
            uint64_t size = live[--nlive];
            ms_trace_released(site, size);
            current -= size;
            if (current < model.low)
                model_note(&model, current);
        } else {
            uint64_t size = 1000 + unit_random(&state) % 200000;
            live[nlive++] = size;
            ms_trace_allocated(site, size);
            current += size;
            if (current > model.high)
                model_note(&model, current);
        }
    }
    ck_assert_uint_eq(totals().current, current);
    /* The run overflowed the series at least once. */
    ck_assert_uint_gt(model.step, 64 << 10);

    static ms_timeline_point_t points[MS_TIMELINE_POINTS];
    unsigned count = ms_timeline_read(points);
    ck_assert_uint_eq(count, model.count);
    for (unsigned i = 0; i < count; i++) {
        unit_expect(points[i].bytes == model.points[i], "point %u: %lu bytes, expected %lu", i,
                    (unsigned long)points[i].bytes, (unsigned long)model.points[i]);
        unit_expect(points[i].time_ns > 0 && (i == 0 || points[i].time_ns >= points[i - 1].time_ns),
                    "point %u: time %lu", i, (unsigned long)points[i].time_ns);
    }
    ck_assert_uint_eq(ms_timeline_low, model.low);
    ck_assert_uint_eq(ms_timeline_high, model.high);
}
END_TEST

/* ---- traced entry points, with real stacks ----
 *
 * The stack cache (unwind.c) scans the raw stack words between the entry
 * and each caller's frame. Under AddressSanitizer a local whose address is
 * taken sits between redzones, and the scan reading one is reported as a
 * stack-buffer-underflow (the scan is deliberate; see the report about
 * unwind.c). So the test functions below that trace keep such locals
 * static or in helpers that are not inlined (MS_NOINLINE): nothing of
 * theirs is poisoned on the stack. */

/* Each helper is its own call site: its entry is its caller's return
 * address, so two calls from one line of the test share a traceback and
 * calls from two lines do not. */
static MS_NOINLINE void *traced_malloc(size_t size)
{
    void *block = ms_trace_malloc(size, MS_ENTRY());
    ms_compiler_barrier();
    return block;
}

static MS_NOINLINE void *traced_calloc(size_t count, size_t size)
{
    void *block = ms_trace_calloc(count, size, MS_ENTRY());
    ms_compiler_barrier();
    return block;
}

static MS_NOINLINE void *traced_memalign(size_t alignment, size_t size)
{
    void *block = ms_trace_memalign(alignment, size, MS_ENTRY());
    ms_compiler_barrier();
    return block;
}

static MS_NOINLINE void *traced_realloc(void *pointer, size_t size)
{
    void *block = ms_trace_realloc(pointer, size, MS_ENTRY());
    ms_compiler_barrier();
    return block;
}

/* The return address a traced_* call leaves: the traceback's first frame. */
static MS_NOINLINE void *malloc_noting_caller(size_t size, uintptr_t *caller)
{
    *caller = (uintptr_t)__builtin_return_address(0);
    void *block = ms_trace_malloc(size, MS_ENTRY());
    ms_compiler_barrier();
    return block;
}

START_TEST(test_traced_malloc_sites)
{
    configure_default();
    static void *blocks[4];
    /* A trip count the compiler cannot see, so the loop is not unrolled
     * into two calls: one call instruction, one site. */
    static volatile int repeat = 2;
    for (int k = 0; k < repeat; k++)
        blocks[k] = traced_malloc(40);
    blocks[2] = traced_malloc(40);               /* another line */
    static uintptr_t caller;
    blocks[3] = malloc_noting_caller(40, &caller);
    uint32_t first = small_block_traceback(blocks[0]);
    ck_assert_uint_ge(first, 2);
    ck_assert_uint_eq(small_block_traceback(blocks[1]), first);
    uint32_t second = small_block_traceback(blocks[2]);
    ck_assert_uint_ne(second, 0);
    ck_assert_uint_ne(second, first);
    uint32_t third = small_block_traceback(blocks[3]);
    const ms_traceback_t *record = ms_site(third)->traceback;
    ck_assert_uint_eq(record->domain, MS_DOMAIN_MALLOC);
    ck_assert_uint_ge(record->nframes, 2);
    ck_assert_uint_eq(record->frames[0], caller);
    /* The first two lines' stacks differ in the first frame only (the
     * return address into this test), from the same depth. */
    const ms_traceback_t *one = ms_site(first)->traceback, *two = ms_site(second)->traceback;
    ck_assert_uint_eq(one->nframes, two->nframes);
    ck_assert_uint_ne(one->frames[0], two->frames[0]);
    for (unsigned i = 1; i < one->nframes; i++)
        ck_assert_uint_eq(one->frames[i], two->frames[i]);

    expect_totals(160, 160, 4, 0);
    expect_site(first, 80, 2, 80, 2);
    expect_site(second, 40, 1, 40, 1);
    for (int k = 0; k < 4; k++)
        ms_trace_free(blocks[k]);
    expect_totals(0, 160, 4, 4);
    expect_site(first, 0, 0, 80, 2);
}
END_TEST

static MS_NOINLINE void *traced_malloc_via_wrapper(size_t size)
{
    void *block = traced_malloc(size);
    ms_compiler_barrier();
    return block;
}

/* Same entry (return address and stack pointer) but different callers
 * further up: the stack cache must see the difference, so two sites; and
 * each repeated call finds its own again. */
START_TEST(test_traced_same_entry_different_callers)
{
    configure_default();
    void *a = traced_malloc_via_wrapper(24);
    void *b = traced_malloc_via_wrapper(24);
    uint32_t first = small_block_traceback(a), second = small_block_traceback(b);
    ck_assert_uint_ne(first, 0);
    ck_assert_uint_ne(second, 0);
    ck_assert_uint_ne(first, second);
    const ms_traceback_t *one = ms_site(first)->traceback, *two = ms_site(second)->traceback;
    ck_assert_uint_eq(one->frames[0], two->frames[0]);
    ck_assert_uint_ne(one->frames[1], two->frames[1]);
    /* A third caller, in a loop: a new site (id 4) the first time, found
     * again (from the cache) every time after. */
    static volatile int repeat = 3;
    for (int k = 0; k < repeat; k++) {
        void *again = traced_malloc_via_wrapper(24);
        ck_assert_uint_eq(small_block_traceback(again), 4);
        ms_trace_free(again);
    }
    ck_assert_uint_eq(ms_traceback_count(), 5);
    expect_site(4, 0, 0, 72, 3);
    ms_trace_free(a);
    ms_trace_free(b);
    expect_site(first, 0, 0, 24, 1);
    expect_site(second, 0, 0, 24, 1);
}
END_TEST

START_TEST(test_traced_frames_limit)
{
    static char *envp[] = { "MEMSNAP_FRAMES=2", NULL };
    configure(envp);
    static uintptr_t caller;
    void *block = malloc_noting_caller(100, &caller);
    const ms_traceback_t *record = ms_site(small_block_traceback(block))->traceback;
    ck_assert_uint_eq(record->nframes, 2);
    ck_assert_uint_eq(record->truncated, 1);
    ck_assert_uint_eq(record->frames[0], caller);
    ms_trace_free(block);
    expect_totals(0, 100, 1, 1);
}
END_TEST

START_TEST(test_traced_calloc_memalign_realloc)
{
    configure_default();
    unsigned char *zeroed = traced_calloc(4, 100);
    for (unsigned k = 0; k < 400; k++)
        ck_assert_uint_eq(zeroed[k], 0);
    void *aligned = traced_memalign(4096, 3000);
    ck_assert_uint_eq((uintptr_t)aligned % 4096, 0);
    expect_totals(3400, 3400, 2, 0);

    /* In place: the old record leaves, the new one comes in. */
    void *same = traced_realloc(zeroed, 350);
    ck_assert_ptr_eq(same, zeroed);
    expect_totals(3350, 3400, 3, 1);
    /* Moved to the large path. */
    void *moved = traced_realloc(same, 10000);
    ck_assert(!ms_owns(moved));
    expect_totals(13000, 13000, 4, 2);
    /* realloc(p, 0) frees. */
    ck_assert_ptr_null(traced_realloc(moved, 0));
    expect_totals(3000, 13000, 4, 3);
    void *fresh = traced_realloc(NULL, 64);
    expect_totals(3064, 13000, 5, 3);
    ms_trace_free(fresh);
    ms_trace_free(aligned);
    expect_totals(0, 13000, 5, 5);
}
END_TEST

/* Stopped: new blocks are not recorded, but blocks recorded before still
 * leave the counters when freed. */
START_TEST(test_stopped_keeps_counting_frees)
{
    configure_default();
    void *recorded = traced_malloc(48);
    ms_trace_stop();
    /* What the shim does while nothing is recorded: the plain allocator,
     * and frees through the tracer while armed. */
    void *plain = ms_malloc(48, 0);
    expect_totals(48, 48, 1, 0);
    ms_trace_free(plain);
    expect_totals(48, 48, 1, 0);
    ms_trace_free(recorded);
    expect_totals(0, 48, 1, 1);
}
END_TEST

/* Exactly one site other than the unsampled one has live bytes: size
 * bytes, one block. */
static MS_NOINLINE void expect_one_site_holding(uint64_t size)
{
    uint32_t count = ms_traceback_count();
    unsigned holders = 0;
    for (uint32_t id = MS_TRACEBACK_UNSAMPLED + 1; id < count; id++) {
        ms_counters_t counters;
        ms_site_read(id, &counters);
        if (counters.live_bytes != 0) {
            holders++;
            ck_assert_uint_eq(counters.live_bytes, size);
            ck_assert_uint_eq(counters.live_weight, MS_WEIGHT_ONE);
        }
    }
    ck_assert_uint_eq(holders, 1);
}

/* Sampling: allocations the sampler passes over go to the unsampled site
 * with their exact bytes; a block far larger than the mean is always
 * picked and counts as itself. */
START_TEST(test_sampled_allocations)
{
    static char *envp[] = { "MEMSNAP_SAMPLE_BYTES=64k", NULL };
    configure(envp);
    enum { BLOCKS = 1000 };
    static void *blocks[BLOCKS];
    unsigned unsampled = 0;
    for (unsigned k = 0; k < BLOCKS; k++) {
        blocks[k] = traced_malloc(100);
        uint32_t id = small_block_traceback(blocks[k]);
        ck_assert_uint_ne(id, 0);
        unsampled += id == MS_TRACEBACK_UNSAMPLED;
    }
    /* 100 kB over a 64 KiB mean: one or two picks expected. */
    ck_assert_uint_ge(unsampled, BLOCKS - 20);
    expect_site(MS_TRACEBACK_UNSAMPLED, 100 * unsampled, unsampled, 100 * unsampled, unsampled);
    void *big = traced_malloc(64 << 20);
    ck_assert_ptr_nonnull(big);
    expect_totals(100 * BLOCKS + (64 << 20), 100 * BLOCKS + (64 << 20), BLOCKS + 1, 0);
    for (unsigned k = 0; k < BLOCKS; k++)
        ms_trace_free(blocks[k]);
    expect_site(MS_TRACEBACK_UNSAMPLED, 0, 0, 100 * unsampled, unsampled);
    /* The big block's site holds exactly it. */
    expect_one_site_holding(64 << 20);
    ms_trace_free(big);
    expect_totals(0, 100 * BLOCKS + (64 << 20), BLOCKS + 1, BLOCKS + 1);
}
END_TEST

static Suite *trace_suite(void)
{
    Suite *suite = suite_create("trace");
    TCase *records = tcase_create("records");
    tcase_add_loop_test(records, test_malloc_free_round_trip, 0,
                        sizeof round_trip_sizes / sizeof round_trip_sizes[0]);
    tcase_add_test(records, test_untraced_blocks_free_as_zero);
    tcase_add_test(records, test_pool_of_records);
    tcase_add_test(records, test_calloc_memalign_records);
    tcase_add_test(records, test_realloc_in_place_rerecords);
    tcase_add_test(records, test_realloc_moves_report_old_record);
    suite_add_tcase(suite, records);
    TCase *counting = tcase_create("totals");
    tcase_add_test(counting, test_configure_defaults);
    tcase_add_test(counting, test_configure_options);
    tcase_add_test(counting, test_configure_trace_off);
    tcase_add_test(counting, test_totals_exact);
    tcase_add_test(counting, test_reset_peak);
    suite_add_tcase(suite, counting);
    TCase *peak = tcase_create("peak");
    tcase_add_test(peak, test_peak_breakdown_sums_to_peak);
    tcase_add_test(peak, test_peak_breakdown_exact_and_reset);
    tcase_add_test(peak, test_timeline_follows_rule);
    suite_add_tcase(suite, peak);
    TCase *traced = tcase_create("traced");
    tcase_add_test(traced, test_traced_malloc_sites);
    tcase_add_test(traced, test_traced_same_entry_different_callers);
    tcase_add_test(traced, test_traced_frames_limit);
    tcase_add_test(traced, test_traced_calloc_memalign_realloc);
    tcase_add_test(traced, test_stopped_keeps_counting_frees);
    tcase_add_test(traced, test_sampled_allocations);
    suite_add_tcase(suite, traced);
    return suite;
}

int main(void)
{
    return run_suite(trace_suite());
}
