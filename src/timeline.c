/* timeline.c: the series of traced bytes over time (design in timeline.h).
 *
 * Lock: timeline_lock, a leaf, taken with trylock on the allocation path (a
 * point lost to contention is harmless: the next move adds one) and with
 * lock by readers. It guards points, count and step; ms_timeline_low/high
 * are read without it and written under it. */
#include "timeline.h"

#include <pthread.h>
#include <time.h>

#define FIRST_STEP (64 << 10)

static pthread_mutex_t timeline_lock = PTHREAD_MUTEX_INITIALIZER;
static ms_timeline_point_t points[MS_TIMELINE_POINTS];
static unsigned count;
static uint64_t step = FIRST_STEP;
uint64_t ms_timeline_low, ms_timeline_high;

static void drop_every_other_point(void)
{
    unsigned kept = 0;
    for (unsigned i = 0; i < count; i += 2)
        points[kept++] = points[i];
    count = kept;
    step *= 2;
}

void ms_timeline_note(uint64_t current)
{
    if (pthread_mutex_trylock(&timeline_lock) != 0)
        return;
    if (count == MS_TIMELINE_POINTS)
        drop_every_other_point();
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    points[count++] = (ms_timeline_point_t){
        (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec, current };
    ms_timeline_low = current > step ? current - step : 0;
    ms_timeline_high = current + step;
    pthread_mutex_unlock(&timeline_lock);
}

unsigned ms_timeline_read(ms_timeline_point_t *out)
{
    pthread_mutex_lock(&timeline_lock);
    unsigned n = count;
    for (unsigned i = 0; i < n; i++)
        out[i] = points[i];
    pthread_mutex_unlock(&timeline_lock);
    return n;
}

void ms_timeline_fork_prepare(void)
{
    pthread_mutex_lock(&timeline_lock);
}

void ms_timeline_fork_parent(void)
{
    pthread_mutex_unlock(&timeline_lock);
}

void ms_timeline_fork_child(void)
{
    pthread_mutex_init(&timeline_lock, NULL);
}
