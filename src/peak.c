/* peak.c: the peak breakdown (design in peak.h).
 *
 *   chunks[id >> 12] -> 4096 x { live bytes, live weight } at the last copy
 *
 * Lock: peak_lock, taken with trylock by the allocating thread that crossed
 * ms_peak_next (it never waits), and by snapshots; site locks are taken under
 * it. ms_peak_next is read without the lock (a stale value only delays or
 * repeats a copy) and written under it. */
#include "peak.h"

#include <pthread.h>
#include <time.h>

#include "meta.h"
#include "traceback.h"

typedef struct peak_counters {
    uint64_t bytes;
    uint64_t weight;
} peak_counters_t;

static pthread_mutex_t peak_lock = PTHREAD_MUTEX_INITIALIZER;
static peak_counters_t *chunks[MS_SITE_CHUNKS];
static ms_peak_info_t info;
static uint64_t memory_bytes;
uint64_t ms_peak_next;

void ms_peak_capture(uint64_t current)
{
    if (pthread_mutex_trylock(&peak_lock) != 0)
        return;
    uint32_t count = ms_traceback_count();
    for (uint32_t id = 1; id < count; id++) {
        peak_counters_t **chunk = &chunks[id >> MS_SITE_CHUNK_BITS];
        if (*chunk == NULL) {
            *chunk = ms_meta_map(MS_SITE_CHUNK * sizeof(peak_counters_t));
            if (*chunk == NULL) {
                count = id;
                break;
            }
            memory_bytes += MS_SITE_CHUNK * sizeof(peak_counters_t);
        }
        ms_counters_t counters;
        ms_site_read(id, &counters);
        (*chunk)[id & (MS_SITE_CHUNK - 1)] = (peak_counters_t){ counters.live_bytes,
                                                                counters.live_weight };
    }
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    info = (ms_peak_info_t){ current, (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec,
                             count };
    __atomic_store_n(&ms_peak_next, current + current / 128 + 1, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&peak_lock);
}

void ms_peak_visit(ms_peak_info_t *out, void (*visit)(void *context, uint32_t id,
                   uint64_t bytes, uint64_t weight), void *context)
{
    pthread_mutex_lock(&peak_lock);
    *out = info;
    for (uint32_t id = 1; id < info.sites; id++) {
        const peak_counters_t *counters = &chunks[id >> MS_SITE_CHUNK_BITS][id & (MS_SITE_CHUNK - 1)];
        if (counters->weight != 0 || counters->bytes != 0)
            visit(context, id, counters->bytes, counters->weight);
    }
    pthread_mutex_unlock(&peak_lock);
}

uint64_t ms_peak_memory(void)
{
    return __atomic_load_n(&memory_bytes, __ATOMIC_RELAXED);
}

void ms_peak_fork_prepare(void)
{
    pthread_mutex_lock(&peak_lock);
}

void ms_peak_fork_parent(void)
{
    pthread_mutex_unlock(&peak_lock);
}

void ms_peak_fork_child(void)
{
    pthread_mutex_init(&peak_lock, NULL);
}
