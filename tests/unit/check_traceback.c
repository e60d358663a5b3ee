/* check_traceback.c: the intern table of traceback.c and the per-traceback
 * counters of traceback.h: one id per distinct (domain, frames, nframes,
 * truncated), ids handed out densely from 1, records that keep their frames
 * and their frame ids (one per distinct return address, in order of first
 * sight), exact counter updates (also from several threads at once), and
 * tables that grow past tens of thousands of entries without losing one.
 * Every test runs in a fresh process, whose table is empty: nothing here
 * calls ms_trace_configure, which would intern the "unsampled" site first. */
#include "unit.h"

#include <pthread.h>

#include "sample.h"
#include "traceback.h"

/* Return addresses as unwinding would give them: distinct per (k, depth). */
static uintptr_t frame_address(uint32_t k, unsigned depth)
{
    return 0x400000u + (uintptr_t)k * 0x40 + depth * 0x1000000u;
}

static void make_frames(uintptr_t *frames, unsigned nframes, uint32_t k)
{
    for (unsigned depth = 0; depth < nframes; depth++)
        frames[depth] = frame_address(k, depth);
}

static void expect_record(uint32_t id, uint32_t domain, const uintptr_t *frames, unsigned nframes,
                          int truncated)
{
    const ms_traceback_t *record = ms_site(id)->traceback;
    ck_assert_ptr_nonnull(record);
    ck_assert_uint_eq(record->domain, domain);
    ck_assert_uint_eq(record->nframes, nframes);
    ck_assert_uint_eq(record->truncated, truncated);
    for (unsigned depth = 0; depth < nframes; depth++)
        unit_expect(record->frames[depth] == frames[depth], "id %u, frame %u: %#lx, expected %#lx",
                    id, depth, (unsigned long)record->frames[depth], (unsigned long)frames[depth]);
}

static void expect_counters(uint32_t id, uint64_t live_bytes, uint64_t live_weight,
                            uint64_t total_bytes, uint64_t total_weight)
{
    ms_counters_t counters;
    ms_site_read(id, &counters);
    ck_assert_uint_eq(counters.live_bytes, live_bytes);
    ck_assert_uint_eq(counters.live_weight, live_weight);
    ck_assert_uint_eq(counters.total_bytes, total_bytes);
    ck_assert_uint_eq(counters.total_weight, total_weight);
}

/* Each field of the key on its own makes a new traceback; the same key
 * gives the same id; ids are 1, 2, 3, ... and the count follows them. */
START_TEST(test_intern_identity)
{
    uintptr_t frames[4] = { 0x401000, 0x402000, 0x403000, 0x404000 };
    uintptr_t other[4] = { 0x401000, 0x402000, 0x403000, 0x404008 };
    ck_assert_uint_eq(ms_traceback_count(), 1);

    ck_assert_uint_eq(ms_traceback_intern(0, frames, 4, 0), 1);
    ck_assert_uint_eq(ms_traceback_count(), 2);
    ck_assert_uint_eq(ms_traceback_intern(0, frames, 4, 0), 1);
    ck_assert_uint_eq(ms_traceback_count(), 2);

    ck_assert_uint_eq(ms_traceback_intern(1, frames, 4, 0), 2);      /* domain */
    ck_assert_uint_eq(ms_traceback_intern(0, other, 4, 0), 3);       /* last frame */
    ck_assert_uint_eq(ms_traceback_intern(0, frames, 3, 0), 4);      /* a prefix */
    ck_assert_uint_eq(ms_traceback_intern(0, frames, 4, 1), 5);      /* truncated */
    ck_assert_uint_eq(ms_traceback_intern(0, frames, 0, 0), 6);      /* no frames */
    ck_assert_uint_eq(ms_traceback_intern(UINT32_MAX, frames, 0, 0), 7);
    ck_assert_uint_eq(ms_traceback_count(), 8);

    /* The record is a copy: the caller's array may change afterwards. */
    uintptr_t scratch[4];
    memcpy(scratch, frames, sizeof scratch);
    ck_assert_uint_eq(ms_traceback_intern(2, scratch, 4, 0), 8);
    memset(scratch, 0, sizeof scratch);
    expect_record(8, 2, frames, 4, 0);

    /* Every key still finds its id. */
    ck_assert_uint_eq(ms_traceback_intern(0, frames, 4, 0), 1);
    ck_assert_uint_eq(ms_traceback_intern(1, frames, 4, 0), 2);
    ck_assert_uint_eq(ms_traceback_intern(0, other, 4, 0), 3);
    ck_assert_uint_eq(ms_traceback_intern(0, frames, 3, 0), 4);
    ck_assert_uint_eq(ms_traceback_intern(0, frames, 4, 1), 5);
    ck_assert_uint_eq(ms_traceback_intern(0, other, 0, 0), 6);      /* frames not read */
    ck_assert_uint_eq(ms_traceback_intern(UINT32_MAX, frames, 0, 0), 7);
    ck_assert_uint_eq(ms_traceback_intern(2, frames, 4, 0), 8);
    ck_assert_uint_eq(ms_traceback_count(), 9);
}
END_TEST

START_TEST(test_records_hold_frames)
{
    uintptr_t frames[MS_FRAMES_MAX];
    make_frames(frames, MS_FRAMES_MAX, 3);
    uint32_t deep = ms_traceback_intern(0, frames, MS_FRAMES_MAX, 1);
    uint32_t shallow = ms_traceback_intern(0, frames, 1, 0);
    uint32_t user = ms_traceback_intern(16, frames + 10, 20, 0);
    ck_assert_uint_eq(deep, 1);
    ck_assert_uint_eq(shallow, 2);
    ck_assert_uint_eq(user, 3);
    expect_record(deep, 0, frames, MS_FRAMES_MAX, 1);
    expect_record(shallow, 0, frames, 1, 0);
    expect_record(user, 16, frames + 10, 20, 0);
    /* Records are 64-aligned meta memory: a record never shares a line. */
    ck_assert_uint_eq((uintptr_t)ms_site(deep)->traceback % 64, 0);
    ck_assert_uint_eq((uintptr_t)ms_site(user)->traceback % 64, 0);
}
END_TEST

/* Allocations add to live and total; frees take from live only. Weights in
 * fixed point, as a sampled run records them. */
START_TEST(test_counters_exact)
{
    uintptr_t frames[2] = { 0x1234, 0x5678 };
    uint32_t a = ms_traceback_intern(0, frames, 2, 0);
    uint32_t b = ms_traceback_intern(0, frames, 1, 0);
    expect_counters(a, 0, 0, 0, 0);

    ms_site_allocated(a, 24, MS_WEIGHT_ONE);
    ms_site_allocated(a, 512, MS_WEIGHT_ONE);
    ms_site_allocated(a, 5000, MS_WEIGHT_ONE);
    expect_counters(a, 5536, 3 * MS_WEIGHT_ONE, 5536, 3 * MS_WEIGHT_ONE);
    ms_site_freed(a, 512, MS_WEIGHT_ONE);
    expect_counters(a, 5024, 2 * MS_WEIGHT_ONE, 5536, 3 * MS_WEIGHT_ONE);
    ms_site_freed(a, 24, MS_WEIGHT_ONE);
    ms_site_freed(a, 5000, MS_WEIGHT_ONE);
    expect_counters(a, 0, 0, 5536, 3 * MS_WEIGHT_ONE);

    /* A sampled 8-byte block: 524292 bytes, 4295000064 / 65536 blocks. */
    ms_site_allocated(b, 524292, 4295000064u);
    ms_site_allocated(b, 557738, 557738);
    expect_counters(b, 1082030, 4295557802u, 1082030, 4295557802u);
    ms_site_freed(b, 524292, 4295000064u);
    expect_counters(b, 557738, 557738, 1082030, 4295557802u);
    /* The other site saw none of it. */
    expect_counters(a, 0, 0, 5536, 3 * MS_WEIGHT_ONE);
}
END_TEST

/* What ms_traceback_memory should say: records rounded to cache lines,
 * chunks of MS_SITE_CHUNK sites, the index (a uint32_t id per slot), and the
 * frame table (a uint32_t per slot, an address per two slots). */
static uint64_t expected_memory(uint64_t record_lines, uint64_t chunks, uint64_t index_slots,
                                uint64_t frame_slots)
{
    return record_lines * 64 + chunks * MS_SITE_CHUNK * sizeof(ms_site_t) +
           index_slots * sizeof(uint32_t) + frame_slots * (sizeof(uint32_t) + sizeof(uintptr_t) / 2);
}

/* 20000 tracebacks of 3 frames each, all 60000 addresses distinct: five
 * directory chunks, an index grown from 4096 slots to 65536 and a frame
 * table grown from 4096 to 131072 (both double at half load). Every one
 * keeps its id and its frames. */
START_TEST(test_many_tracebacks)
{
    enum { COUNT = 20000, DEPTH = 3 };
    ck_assert_uint_eq(ms_traceback_memory(), 0);
    /* A record: header, frames and their frame ids, in one cache line. */
    ck_assert_uint_le(sizeof(ms_traceback_t) + DEPTH * (sizeof(uintptr_t) + sizeof(uint32_t)), 64);
    uintptr_t frames[DEPTH];
    for (uint32_t k = 0; k < COUNT; k++) {
        make_frames(frames, DEPTH, k);
        uint32_t id = ms_traceback_intern(k % 3, frames, DEPTH, 0);
        unit_expect(id == k + 1, "traceback %u: id %u, expected %u", k, id, k + 1);
        if (k == 0)
            ck_assert_uint_eq(ms_traceback_memory(), expected_memory(1, 1, 4096, 4096));
    }
    ck_assert_uint_eq(ms_traceback_count(), COUNT + 1);
    for (uint32_t k = 0; k < COUNT; k++) {
        make_frames(frames, DEPTH, k);
        uint32_t id = ms_traceback_intern(k % 3, frames, DEPTH, 0);
        unit_expect(id == k + 1, "traceback %u found as %u after growth", k, id);
        const ms_traceback_t *record = ms_site(id)->traceback;
        unit_expect(record->domain == k % 3 && record->nframes == DEPTH &&
                    record->frames[0] == frames[0] && record->frames[1] == frames[1] &&
                    record->frames[2] == frames[2], "id %u: record does not hold its frames", id);
    }
    ck_assert_uint_eq(ms_traceback_count(), COUNT + 1);
    ck_assert_uint_eq(ms_traceback_memory(), expected_memory(COUNT, 5, 65536, 131072));
    /* Ids across chunk boundaries resolve to their own sites. */
    static const uint32_t edges[] = { 4095, 4096, 4097, 8191, 8192, 16384, 20000 };
    for (size_t k = 0; k < sizeof edges / sizeof edges[0]; k++) {
        make_frames(frames, DEPTH, edges[k] - 1);
        expect_record(edges[k], (edges[k] - 1) % 3, frames, DEPTH, 0);
    }
}
END_TEST

/* Each distinct return address gets a frame id, 0, 1, 2, ... in order of
 * first sight, shared by every traceback it appears in; the table lists
 * the addresses by id. */
START_TEST(test_frame_ids)
{
    const uintptr_t a = 0x401000, b = 0x402000, c = 0x403000, d = 0x404000;
    uintptr_t first[] = { a, b, c };
    uintptr_t second[] = { b, d, b };
    uintptr_t third[] = { d, c, b, a };
    uint32_t one = ms_traceback_intern(0, first, 3, 0);
    uint32_t two = ms_traceback_intern(0, second, 3, 0);
    uint32_t three = ms_traceback_intern(7, third, 4, 1);
    ck_assert_uint_eq(ms_traceback_intern(0, first, 0, 0), 4);
    static const uint32_t expected_one[] = { 0, 1, 2 };
    static const uint32_t expected_two[] = { 1, 3, 1 };
    static const uint32_t expected_three[] = { 3, 2, 1, 0 };
    const uint32_t *ids = ms_traceback_frame_ids(ms_site(one)->traceback);
    for (unsigned i = 0; i < 3; i++)
        ck_assert_uint_eq(ids[i], expected_one[i]);
    ids = ms_traceback_frame_ids(ms_site(two)->traceback);
    for (unsigned i = 0; i < 3; i++)
        ck_assert_uint_eq(ids[i], expected_two[i]);
    ids = ms_traceback_frame_ids(ms_site(three)->traceback);
    for (unsigned i = 0; i < 4; i++)
        ck_assert_uint_eq(ids[i], expected_three[i]);

    uintptr_t *addresses = NULL;
    ck_assert_uint_eq(ms_traceback_frames(&addresses, malloc), 4);
    ck_assert_ptr_nonnull(addresses);
    ck_assert_uint_eq(addresses[0], a);
    ck_assert_uint_eq(addresses[1], b);
    ck_assert_uint_eq(addresses[2], c);
    ck_assert_uint_eq(addresses[3], d);
    free(addresses);
}
END_TEST

/* 70000 distinct addresses: the frame table grows past its first sizes and
 * every address keeps its id. */
START_TEST(test_frame_table_grows)
{
    enum { KEYS = 10000, DEPTH = 7 };
    uintptr_t frames[DEPTH];
    for (uint32_t k = 0; k < KEYS; k++) {
        make_frames(frames, DEPTH, k);
        unit_expect(ms_traceback_intern(0, frames, DEPTH, 0) == k + 1, "key %u", k);
    }
    uintptr_t *addresses = NULL;
    ck_assert_uint_eq(ms_traceback_frames(&addresses, malloc), KEYS * DEPTH);
    for (uint32_t k = 0; k < KEYS; k++) {
        const ms_traceback_t *record = ms_site(k + 1)->traceback;
        const uint32_t *ids = ms_traceback_frame_ids(record);
        for (unsigned depth = 0; depth < DEPTH; depth++) {
            /* Key k's frames were the 7k-th to (7k+6)-th addresses seen. */
            unit_expect(ids[depth] == k * DEPTH + depth && addresses[ids[depth]] ==
                        frame_address(k, depth), "key %u, frame %u: id %u", k, depth, ids[depth]);
        }
    }
    free(addresses);
}
END_TEST

/* Threads interning the same keys in different orders agree on every id,
 * and no key gets two. */
enum { SHARED_KEYS = 2000, THREADS = 4, UPDATES = 100000 };
static uint32_t shared_ids[THREADS][SHARED_KEYS];

static void *intern_shared(void *argument)
{
    unsigned thread = (unsigned)(uintptr_t)argument;
    uintptr_t frames[5];
    for (uint32_t step = 0; step < SHARED_KEYS; step++) {
        /* Each thread walks every key once, with its own stride (each
         * coprime with 2000 = 2^4 * 5^3), so the orders differ. */
        static const uint32_t strides[THREADS] = { 1, 3, 7, 9 };
        uint32_t k = (step * strides[thread]) % SHARED_KEYS;
        make_frames(frames, 5, k);
        shared_ids[thread][k] = ms_traceback_intern(0, frames, 5, 0);
    }
    return NULL;
}

START_TEST(test_threads_agree_on_ids)
{
    pthread_t threads[THREADS];
    for (unsigned t = 0; t < THREADS; t++)
        ck_assert_int_eq(pthread_create(&threads[t], NULL, intern_shared, (void *)(uintptr_t)t), 0);
    for (unsigned t = 0; t < THREADS; t++)
        pthread_join(threads[t], NULL);
    ck_assert_uint_eq(ms_traceback_count(), SHARED_KEYS + 1);
    static unsigned char seen[SHARED_KEYS + 1];
    for (uint32_t k = 0; k < SHARED_KEYS; k++) {
        uint32_t id = shared_ids[0][k];
        unit_expect(id >= 1 && id <= SHARED_KEYS && !seen[id], "key %u: id %u", k, id);
        seen[id] = 1;
        for (unsigned t = 1; t < THREADS; t++)
            unit_expect(shared_ids[t][k] == id, "key %u: thread %u got %u, thread 0 %u", k, t,
                        shared_ids[t][k], id);
    }
}
END_TEST

/* Site locks: concurrent updates of one site lose nothing, and a reader
 * never sees bytes and weight of different moments (every update moves
 * both by 8 bytes per MS_WEIGHT_ONE). */
static uint32_t contended_site;

static void *update_site(void *argument)
{
    (void)argument;
    for (unsigned k = 0; k < UPDATES; k++) {
        ms_site_allocated(contended_site, 8, MS_WEIGHT_ONE);
        if (k % 2 == 1)
            ms_site_freed(contended_site, 8, MS_WEIGHT_ONE);
        if (k % 1024 == 0) {
            ms_counters_t counters;
            ms_site_read(contended_site, &counters);
            unit_expect(counters.live_bytes * MS_WEIGHT_ONE == counters.live_weight * 8 &&
                        counters.total_bytes * MS_WEIGHT_ONE == counters.total_weight * 8,
                        "torn read: %lu bytes, %lu weight", (unsigned long)counters.live_bytes,
                        (unsigned long)counters.live_weight);
        }
    }
    return NULL;
}

START_TEST(test_threads_update_counters)
{
    uintptr_t frame = 0x777000;
    contended_site = ms_traceback_intern(0, &frame, 1, 0);
    pthread_t threads[THREADS];
    for (unsigned t = 0; t < THREADS; t++)
        ck_assert_int_eq(pthread_create(&threads[t], NULL, update_site, NULL), 0);
    for (unsigned t = 0; t < THREADS; t++)
        pthread_join(threads[t], NULL);
    uint64_t allocated = (uint64_t)THREADS * UPDATES, live = allocated / 2;
    expect_counters(contended_site, live * 8, live * MS_WEIGHT_ONE, allocated * 8,
                    allocated * MS_WEIGHT_ONE);
    ck_assert_uint_eq(ms_site(contended_site)->lock, 0);
}
END_TEST

static Suite *traceback_suite(void)
{
    Suite *suite = suite_create("traceback");
    TCase *intern = tcase_create("intern");
    tcase_add_test(intern, test_intern_identity);
    tcase_add_test(intern, test_records_hold_frames);
    tcase_add_test(intern, test_many_tracebacks);
    tcase_add_test(intern, test_frame_ids);
    tcase_add_test(intern, test_frame_table_grows);
    suite_add_tcase(suite, intern);
    TCase *counters = tcase_create("counters");
    tcase_add_test(counters, test_counters_exact);
    suite_add_tcase(suite, counters);
    TCase *threads = tcase_create("threads");
    tcase_set_timeout(threads, 60);
    tcase_add_test(threads, test_threads_agree_on_ids);
    tcase_add_test(threads, test_threads_update_counters);
    suite_add_tcase(suite, threads);
    return suite;
}

int main(void)
{
    return run_suite(traceback_suite());
}
