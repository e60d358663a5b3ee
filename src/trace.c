/* trace.c: the traced entry points and the counters of traced memory.
 *
 * A traced allocation picks its traceback first (the sampler, then the
 * thread's stack cache or libunwind), then allocates with it, so the
 * allocator stores the id in the block's slot in the same step:
 *
 *   malloc (shim) -> ms_trace_malloc -> pick_traceback -> ms_malloc(size, id)
 *                                                      -> count_allocation
 *   free (shim)   -> ms_trace_free   -> ms_free(p, &record) -> count_release
 *
 * Re-entry: libunwind, or a signal handler that runs while this thread is
 * inside memsnap, may call malloc and free again. Such calls are not traced
 * (in_tracer is set), and the counter updates of their frees are deferred to
 * the end of the outer call: a site lock or a plain add must not be
 * interrupted by another update of the same counter on the same thread.
 *
 * Globals: ms_trace_recording and ms_trace_armed are flags read on every
 * call, written by start/stop. totals are ms_counter_add counters; the peak
 * is raised with a compare-and-swap. The sampler and re-entry state are
 * thread-local (initial-exec). */
#include "trace.h"

#include <errno.h>
#include <time.h>

#include "alloc.h"
#include "options.h"
#include "peak.h"
#include "sample.h"
#include "timeline.h"
#include "traceback.h"
#include "trigger.h"

#define DEFERRED_MAX 16

int ms_trace_recording;
int ms_trace_armed;
static int trace_enabled;           /* MEMSNAP_TRACE */
static unsigned frames = 64;
static uint64_t sample_bytes;
static ms_trace_totals_t totals;

typedef struct thread_state {
    int in_tracer;
    unsigned deferred_count;
    ms_record_t deferred[DEFERRED_MAX];
    int sampler_seeded;
    ms_sampler_t sampler;
} thread_state_t;

static MS_TLS thread_state_t thread_state;

void ms_trace_configure(void)
{
    trace_enabled = (int)ms_option(MS_OPTION_TRACE);
    frames = (unsigned)ms_option(MS_OPTION_FRAMES);
    sample_bytes = (uint64_t)ms_option(MS_OPTION_SAMPLE_BYTES);
    ms_unwind_configure(frames);
    /* Made even when nothing is recorded, so that id 1 always exists. */
    static const uintptr_t no_frames[1];
    if (ms_traceback_intern(MS_DOMAIN_UNSAMPLED, no_frames, 0, 0) != MS_TRACEBACK_UNSAMPLED)
        trace_enabled = 0;
    if (trace_enabled && ms_option(MS_OPTION_START))
        ms_trace_start();
}

int ms_trace_enabled(void)
{
    return trace_enabled;
}

int ms_trace_start(void)
{
    if (!trace_enabled)
        return -1;
    __atomic_store_n(&ms_trace_armed, 1, __ATOMIC_RELEASE);
    __atomic_store_n(&ms_trace_recording, 1, __ATOMIC_RELEASE);
    return 0;
}

void ms_trace_stop(void)
{
    __atomic_store_n(&ms_trace_recording, 0, __ATOMIC_RELEASE);
}

unsigned ms_trace_frames(void)
{
    return frames;
}

uint64_t ms_trace_sample_bytes(void)
{
    return sample_bytes;
}

/* Out of line: runs once per new peak step of 1/128. */
static MS_NOINLINE void raise_peak(uint64_t current)
{
    uint64_t peak = __atomic_load_n(&totals.peak, __ATOMIC_RELAXED);
    while (current > peak &&
           !__atomic_compare_exchange_n(&totals.peak, &peak, current, 1, __ATOMIC_RELAXED,
                                        __ATOMIC_RELAXED))
        ;
    if (current >= __atomic_load_n(&ms_peak_next, __ATOMIC_RELAXED))
        ms_peak_capture(current);
}

static void count_weighted(uint32_t traceback, uint64_t size, int allocated)
{
    uint64_t bytes = size, weight = MS_WEIGHT_ONE;
    /* Only the malloc family is sampled; the other domains record every
     * region and count it as it is. */
    if (sample_bytes != 0 && traceback != MS_TRACEBACK_UNSAMPLED &&
        ms_site(traceback)->traceback->domain == MS_DOMAIN_MALLOC) {
        bytes = ms_sample_bytes(size, sample_bytes);
        weight = ms_sample_weight(size, sample_bytes);
    }
    if (allocated)
        ms_site_allocated(traceback, bytes, weight);
    else
        ms_site_freed(traceback, bytes, weight);
}

void ms_trace_allocated(uint32_t traceback, uint64_t size)
{
    count_weighted(traceback, size, 1);
    ms_counter_add(&totals.allocations, 1);
    uint64_t current = ms_counter_add(&totals.current, size);
    if (MS_UNLIKELY(current > totals.peak))
        raise_peak(current);
    if (MS_UNLIKELY(current > ms_timeline_high))
        ms_timeline_note(current);
}

void ms_trace_released(uint32_t traceback, uint64_t size)
{
    count_weighted(traceback, size, 0);
    ms_counter_add(&totals.frees, 1);
    uint64_t current = ms_counter_sub(&totals.current, size);
    if (MS_UNLIKELY(current < ms_timeline_low))
        ms_timeline_note(current);
}

void ms_trace_shrunk(uint32_t traceback, uint64_t size)
{
    ms_site_freed(traceback, size, 0);
    uint64_t current = ms_counter_sub(&totals.current, size);
    if (MS_UNLIKELY(current < ms_timeline_low))
        ms_timeline_note(current);
}

static void release_record(thread_state_t *state, ms_record_t record)
{
    if (record.traceback == 0)
        return;
    if (MS_UNLIKELY(state->in_tracer)) {
        /* The outer call applies it; a full list loses it (its site keeps
         * the bytes: a signal handler freeing 16 blocks mid-malloc). */
        if (state->deferred_count < DEFERRED_MAX)
            state->deferred[state->deferred_count++] = record;
        return;
    }
    ms_trace_released(record.traceback, record.size);
}

static void enter(thread_state_t *state)
{
    state->in_tracer = 1;
    ms_compiler_barrier();
}

/* Applies deferred releases, then serves a pending snapshot request: the
 * end of a traced call is the safe point (no memsnap lock is held). */
static void leave(thread_state_t *state)
{
    ms_compiler_barrier();
    state->in_tracer = 0;
    while (MS_UNLIKELY(state->deferred_count != 0)) {
        ms_record_t record = state->deferred[--state->deferred_count];
        ms_trace_released(record.traceback, record.size);
    }
    if (MS_UNLIKELY(ms_trigger_pending))
        ms_trigger_serve();
}

int ms_trace_own_begin(void)
{
    thread_state_t *state = &thread_state;
    int outer = state->in_tracer;
    enter(state);
    return outer;
}

void ms_trace_own_end(int outer)
{
    if (!outer)
        leave(&thread_state);
}

uint32_t ms_trace_capture(uint32_t domain, ms_entry_t entry)
{
    thread_state_t *state = &thread_state;
    if (!ms_trace_recording || state->in_tracer)
        return 0;
    enter(state);
    uint32_t traceback = ms_unwind_traceback(domain, entry);
    state->in_tracer = 0;
    return traceback;
}

static MS_NOINLINE uint32_t sampled_traceback(thread_state_t *state, size_t size,
                                              ms_entry_t entry)
{
    if (!state->sampler_seeded) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        ms_sampler_seed(&state->sampler, (uint64_t)(uintptr_t)state ^ (uint64_t)now.tv_nsec,
                        sample_bytes);
        state->sampler_seeded = 1;
    }
    if (!ms_sampler_pick(&state->sampler, size, sample_bytes))
        return MS_TRACEBACK_UNSAMPLED;
    return ms_unwind_traceback(MS_DOMAIN_MALLOC, entry);
}

static uint32_t pick_traceback(thread_state_t *state, size_t size, ms_entry_t entry)
{
    if (MS_UNLIKELY(sample_bytes != 0))
        return sampled_traceback(state, size, entry);
    return ms_unwind_traceback(MS_DOMAIN_MALLOC, entry);
}

/* Counts a new block, if it was recorded. */
static void *count_allocation(void *block, uint32_t traceback, uint64_t size)
{
    if (block != NULL && traceback != 0)
        ms_trace_allocated(traceback, size);
    return block;
}

typedef enum allocation_kind { KIND_MALLOC, KIND_CALLOC, KIND_MEMALIGN } allocation_kind_t;

/* first: calloc's count or memalign's alignment. */
MS_INLINE void *allocate(allocation_kind_t kind, size_t first, size_t size, uint32_t traceback)
{
    switch (kind) {
    case KIND_MALLOC:
        return ms_malloc(size, traceback);
    case KIND_CALLOC:
        return ms_calloc(first, size, traceback);
    default:
        return ms_memalign(first, size, traceback);
    }
}

/* recorded: the bytes the block counts for (calloc's product). */
MS_INLINE void *traced_allocation(allocation_kind_t kind, size_t first, size_t size,
                                  size_t recorded, ms_entry_t entry)
{
    thread_state_t *state = &thread_state;
    if (state->in_tracer)
        return allocate(kind, first, size, 0);
    enter(state);
    uint32_t traceback = pick_traceback(state, recorded, entry);
    void *block = count_allocation(allocate(kind, first, size, traceback), traceback, recorded);
    leave(state);
    return block;
}

void *ms_trace_malloc(size_t size, ms_entry_t entry)
{
    return traced_allocation(KIND_MALLOC, 0, size, size, entry);
}

void *ms_trace_calloc(size_t count, size_t size, ms_entry_t entry)
{
    size_t total;
    if (__builtin_mul_overflow(count, size, &total))
        return ms_calloc(count, size, 0);
    return traced_allocation(KIND_CALLOC, count, size, total, entry);
}

void *ms_trace_memalign(size_t alignment, size_t size, ms_entry_t entry)
{
    return traced_allocation(KIND_MEMALIGN, alignment, size, size, entry);
}

void *ms_trace_realloc(void *pointer, size_t size, ms_entry_t entry)
{
    thread_state_t *state = &thread_state;
    ms_record_t freed;
    if (state->in_tracer) {
        void *moved = ms_realloc(pointer, size, 0, &freed);
        release_record(state, freed);
        return moved;
    }
    enter(state);
    uint32_t traceback = 0;
    if (ms_trace_recording && size != 0)
        traceback = pick_traceback(state, size, entry);
    void *moved = ms_realloc(pointer, size, traceback, &freed);
    /* freed is set only if the old block was released (or re-recorded). */
    if (freed.traceback != 0)
        ms_trace_released(freed.traceback, freed.size);
    count_allocation(moved, traceback, size);
    leave(state);
    return moved;
}

void ms_trace_free(void *pointer)
{
    thread_state_t *state = &thread_state;
    ms_record_t freed;
    ms_free(pointer, &freed);
    release_record(state, freed);
    if (MS_UNLIKELY(ms_trigger_pending) && !state->in_tracer)
        ms_trigger_serve();
}

void ms_trace_totals(ms_trace_totals_t *out)
{
    out->current = __atomic_load_n(&totals.current, __ATOMIC_RELAXED);
    out->peak = __atomic_load_n(&totals.peak, __ATOMIC_RELAXED);
    out->allocations = __atomic_load_n(&totals.allocations, __ATOMIC_RELAXED);
    out->frees = __atomic_load_n(&totals.frees, __ATOMIC_RELAXED);
}

void ms_trace_reset_peak(void)
{
    uint64_t current = __atomic_load_n(&totals.current, __ATOMIC_RELAXED);
    __atomic_store_n(&totals.peak, current, __ATOMIC_RELAXED);
    ms_peak_capture(current);
}
