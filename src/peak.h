/* peak.h: the per-traceback breakdown at the peak of traced memory.
 *
 * massif's idea at tracemalloc's granularity: when traced bytes reach a new
 * high at least 1/128 above the last breakdown, every site's live counters are
 * copied. The last copy is therefore within 1% of the true peak, and copies
 * cost O(sites) about 89 times per doubling of the peak. */
#ifndef MS_PEAK_H
#define MS_PEAK_H

#include <stdint.h>

/* Current traced bytes at which the next breakdown is due. */
extern uint64_t ms_peak_next;

/* Copies the sites' live counters; current is the traced total now. Skipped
 * when another thread is copying. */
void ms_peak_capture(uint64_t current);

typedef struct ms_peak_info {
    uint64_t bytes;               /* traced bytes when the copy was taken */
    uint64_t time_ns;             /* CLOCK_REALTIME of the copy, 0 if none */
    uint32_t sites;               /* sites covered: ids 1 .. sites-1 */
} ms_peak_info_t;

/* Under the peak lock, calls visit for every site with live bytes at the
 * peak; returns the breakdown's info. */
void ms_peak_visit(ms_peak_info_t *info, void (*visit)(void *context, uint32_t id,
                   uint64_t bytes, uint64_t weight), void *context);

uint64_t ms_peak_memory(void);

void ms_peak_fork_prepare(void);
void ms_peak_fork_parent(void);
void ms_peak_fork_child(void);

#endif
