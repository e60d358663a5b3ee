/* trace.h: what is recorded, and the traced entry points of the allocator.
 *
 * The shim calls the plain allocator (alloc.h) while nothing is recorded,
 * and these functions while something is: they pick a traceback (unwind.h,
 * or the sampler), allocate with it, and keep the counters. */
#ifndef MS_TRACE_H
#define MS_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "unwind.h"

/* Built-in domains; a program's own go through memsnap_track (api). */
#define MS_DOMAIN_MALLOC 0
#define MS_DOMAIN_BRK    1
#define MS_DOMAIN_MMAP   2
#define MS_DOMAIN_USER_FIRST 16

/* Site 1, in a domain of its own, collects the allocations the sampler
 * passed over (exact bytes, no frames), so that every block that counts in
 * the totals has a site. */
#define MS_TRACEBACK_UNSAMPLED 1
#define MS_DOMAIN_UNSAMPLED    UINT32_MAX

/* New allocations are recorded. Read by the shim on every call. */
extern int ms_trace_recording;
/* Something was recorded once: frees must look at their slots. */
extern int ms_trace_armed;

/* Reads MEMSNAP_TRACE, _START, _FRAMES, _SAMPLE_BYTES; from the constructor. */
void ms_trace_configure(void);
/* Start and stop recording new allocations (MEMSNAP_START, the API, the
 * signal). Stopping keeps what was recorded: live blocks still leave the
 * counters when freed. Start returns -1 when MEMSNAP_TRACE=0. */
int ms_trace_start(void);
/* MEMSNAP_TRACE: 0 means nothing is ever recorded and no trigger is armed. */
int ms_trace_enabled(void);
void ms_trace_stop(void);
/* Frames per traceback and the sampling mean (0: exact). */
unsigned ms_trace_frames(void);
uint64_t ms_trace_sample_bytes(void);

void *ms_trace_malloc(size_t size, ms_entry_t entry);
void *ms_trace_calloc(size_t count, size_t size, ms_entry_t entry);
void *ms_trace_realloc(void *pointer, size_t size, ms_entry_t entry);
void *ms_trace_memalign(size_t alignment, size_t size, ms_entry_t entry);
void ms_trace_free(void *pointer);

/* memsnap's own work on this thread (the leak check): what the libraries
 * it calls allocate or map meanwhile (libunwind, dlsym) is not recorded,
 * as inside a traced call. begin returns what end needs: calls nest. */
int ms_trace_own_begin(void);
void ms_trace_own_end(int outer);

/* For the other domains (domains.c): the traceback a new region of size
 * bytes is recorded with (0: none), then the counters, both ways. */
uint32_t ms_trace_capture(uint32_t domain, ms_entry_t entry);
void ms_trace_allocated(uint32_t traceback, uint64_t size);
void ms_trace_released(uint32_t traceback, uint64_t size);
/* A recorded region shrank by size bytes and stays one block (munmap of part
 * of a mapping, sbrk giving back part of a growth). */
void ms_trace_shrunk(uint32_t traceback, uint64_t size);

typedef struct ms_trace_totals {
    uint64_t current;             /* live traced bytes, all domains */
    uint64_t peak;                /* highest current since start or reset */
    uint64_t allocations;         /* traced allocations since start */
    uint64_t frees;               /* frees of traced blocks */
} ms_trace_totals_t;

void ms_trace_totals(ms_trace_totals_t *out);
/* peak = current, and the peak breakdown is taken again now. */
void ms_trace_reset_peak(void);

#endif
