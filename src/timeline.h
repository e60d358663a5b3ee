/* timeline.h: a bounded series of (time, traced bytes) points.
 *
 * A point is added when traced bytes move by a step from the last point; the
 * step starts at 64 KiB and doubles each time the series fills its 1024
 * points, when every other point is dropped. A whole run thus fits in a
 * fixed 16 KiB, coarser the longer and larger it is. */
#ifndef MS_TIMELINE_H
#define MS_TIMELINE_H

#include <stdint.h>

#define MS_TIMELINE_POINTS 1024

/* Traced bytes outside [ms_timeline_low, ms_timeline_high] call note. */
extern uint64_t ms_timeline_low, ms_timeline_high;

void ms_timeline_note(uint64_t current);

typedef struct ms_timeline_point {
    uint64_t time_ns;             /* CLOCK_REALTIME */
    uint64_t bytes;
} ms_timeline_point_t;

/* Copies the points into out (room for MS_TIMELINE_POINTS); returns how many. */
unsigned ms_timeline_read(ms_timeline_point_t *out);

void ms_timeline_fork_prepare(void);
void ms_timeline_fork_parent(void);
void ms_timeline_fork_child(void);

#endif
