/* api.c: the table behind include/memsnap.h, exported as memsnap_api_v1.
 *
 * One exported data symbol instead of one per function: the header finds it
 * with dlsym, so programs need no link-time dependency, and new functions
 * go at the end of the table (its size field tells callers what exists).
 * The functions only forward to the core; track and untrack take the
 * caller's entry here, where the program called. */
#include <errno.h>

#include "common.h"
#include "alloc.h"
#include "domains.h"
#include "leak_report.h"
#include "memsnap.h"
#include "meta.h"
#include "snapshot.h"
#include "trace.h"

/* The traceback of memsnap_track is the caller's: the header's inline
 * wrapper is part of the program, so this function's return address is in it. */
static int api_track(unsigned domain, const void *pointer, size_t size)
{
    return ms_domain_track(domain, (uintptr_t)pointer, size, MS_ENTRY());
}

static int api_untrack(unsigned domain, const void *pointer)
{
    if (domain < MEMSNAP_DOMAIN_USER) {
        errno = EINVAL;
        return -1;
    }
    return ms_domain_untrack(domain, (uintptr_t)pointer);
}

static int api_snapshot(const char *tag)
{
    int error = ms_snapshot_write(MS_TRIGGER_API, tag);
    if (error != 0) {
        errno = error;
        return -1;
    }
    return 0;
}

static int api_start(void)
{
    if (ms_trace_start() != 0) {
        errno = EPERM;
        return -1;
    }
    return 0;
}

static int api_stop(void)
{
    ms_trace_stop();
    return 0;
}

static int api_is_tracing(void)
{
    return ms_trace_recording;
}

static int api_traced_memory(size_t *current, size_t *peak)
{
    ms_trace_totals_t totals;
    ms_trace_totals(&totals);
    if (current != NULL)
        *current = totals.current;
    if (peak != NULL)
        *peak = totals.peak;
    return 0;
}

static int api_reset_peak(void)
{
    ms_trace_reset_peak();
    return 0;
}

static size_t api_tracer_memory(void)
{
    return ms_meta_bytes();
}

static long api_leak_check(void)
{
    return ms_leak_report_now();
}

static int api_ignore(const void *pointer)
{
    if (ms_ignore(pointer) != 0) {
        errno = EINVAL;
        return -1;
    }
    return 0;
}

MS_EXPORT const struct memsnap_api memsnap_api_v1 = {
    .size = sizeof(struct memsnap_api),
    .snapshot = api_snapshot,
    .start = api_start,
    .stop = api_stop,
    .is_tracing = api_is_tracing,
    .track = api_track,
    .untrack = api_untrack,
    .traced_memory = api_traced_memory,
    .reset_peak = api_reset_peak,
    .tracer_memory = api_tracer_memory,
    .leak_check = api_leak_check,
    .ignore = api_ignore,
};
