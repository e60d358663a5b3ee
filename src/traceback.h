/* traceback.h: interned tracebacks and their per-traceback statistics.
 *
 * Every distinct (domain, call stack) pair is stored once and named by a
 * dense id, 1, 2, 3, ...; id 0 means "not traced". A live block stores only
 * the id (slots.h, large.c, domains.c). Records and statistics live in meta
 * memory and are never freed, so an id stays valid for the process's life.
 *
 *   directory[id >> 12] -> chunk of 4096 ms_site_t, indexed by id & 4095
 *   ms_site_t: frames and domain (immutable) + counters (change all the time)
 *
 * Frames are return addresses, innermost (the call into malloc) first. */
#ifndef MS_TRACEBACK_H
#define MS_TRACEBACK_H

#include <stdint.h>
#include <sys/single_threaded.h>

#include "common.h"

#define MS_FRAMES_MAX 256

/* Counters of one traceback. Weights count blocks in fixed point
 * (sample.h): exact mode adds MS_WEIGHT_ONE per block. */
typedef struct ms_counters {
    uint64_t live_bytes;
    uint64_t live_weight;
    uint64_t total_bytes;         /* allocated since tracing started */
    uint64_t total_weight;
} ms_counters_t;

/* frames[] is followed by nframes uint32 frame ids (ms_traceback_frame_ids):
 * each distinct return address gets one id, in order of first sight, so a
 * snapshot writes each address once and tracebacks as lists of small ids. */
typedef struct ms_traceback {
    uint64_t hash;
    uint32_t domain;
    uint16_t nframes;
    uint16_t truncated;           /* the stack had more than nframes frames */
    uintptr_t frames[];
} ms_traceback_t;

MS_INLINE const uint32_t *ms_traceback_frame_ids(const ms_traceback_t *traceback)
{
    return (const uint32_t *)&traceback->frames[traceback->nframes];
}

typedef struct ms_site {
    /* 0 free, 1 held: taken around counter updates only when the process has
     * threads, so a snapshot never sees bytes and blocks of different moments. */
    uint32_t lock;
    uint32_t pad;
    const ms_traceback_t *traceback;
    ms_counters_t counters;
} ms_site_t;

#define MS_SITE_CHUNK_BITS 12
#define MS_SITE_CHUNK      (1u << MS_SITE_CHUNK_BITS)
#define MS_SITE_CHUNKS     (1u << 16)

extern ms_site_t *ms_site_directory[MS_SITE_CHUNKS];

/* The id of (domain, frames), added if new; 0 when memory ran out or the
 * id space is full. Takes intern_lock, a leaf lock. */
uint32_t ms_traceback_intern(uint32_t domain, const uintptr_t *frames, unsigned nframes,
                             int truncated);

/* Number of ids handed out so far, plus one (ids are 1 .. count-1). */
uint32_t ms_traceback_count(void);

/* Copies the return address of every frame id, in id order, into a new
 * array from allocate, stored in *addresses; returns the count. */
uint32_t ms_traceback_frames(uintptr_t **addresses, void *(*allocate)(size_t));

MS_INLINE ms_site_t *ms_site(uint32_t id)
{
    return &ms_site_directory[id >> MS_SITE_CHUNK_BITS][id & (MS_SITE_CHUNK - 1)];
}

void ms_site_lock_slow(ms_site_t *site);

/* With one thread there is nobody to race: glibc clears
 * __libc_single_threaded in pthread_create before the second thread exists. */
MS_INLINE int ms_site_lock(ms_site_t *site)
{
    if (__libc_single_threaded)
        return 0;
    if (__atomic_exchange_n(&site->lock, 1, __ATOMIC_ACQUIRE) != 0)
        ms_site_lock_slow(site);
    return 1;
}

MS_INLINE void ms_site_unlock(ms_site_t *site, int locked)
{
    if (locked)
        __atomic_store_n(&site->lock, 0, __ATOMIC_RELEASE);
}

MS_INLINE void ms_site_allocated(uint32_t id, uint64_t bytes, uint64_t weight)
{
    ms_site_t *site = ms_site(id);
    int locked = ms_site_lock(site);
    site->counters.live_bytes += bytes;
    site->counters.live_weight += weight;
    site->counters.total_bytes += bytes;
    site->counters.total_weight += weight;
    ms_site_unlock(site, locked);
}

MS_INLINE void ms_site_freed(uint32_t id, uint64_t bytes, uint64_t weight)
{
    ms_site_t *site = ms_site(id);
    int locked = ms_site_lock(site);
    site->counters.live_bytes -= bytes;
    site->counters.live_weight -= weight;
    ms_site_unlock(site, locked);
}

/* A consistent copy of a site's counters. */
void ms_site_read(uint32_t id, ms_counters_t *out);

/* Bytes the tables use: the records, the chunks and the hash index. */
uint64_t ms_traceback_memory(void);

void ms_traceback_fork_prepare(void);
void ms_traceback_fork_parent(void);
void ms_traceback_fork_child(void);

#endif
