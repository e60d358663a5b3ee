/* stats.h: the allocator table, in the spirit of sys._debugmallocstats(). */
#ifndef MS_STATS_H
#define MS_STATS_H

#include <stdint.h>

#include "arena.h"
#include "large.h"
#include "sizeclass.h"

typedef struct ms_class_stats {
    uint64_t pools;               /* pools some heap holds for this class */
    uint64_t blocks_in_use;
    uint64_t blocks_available;    /* free or never carved, in those pools */
} ms_class_stats_t;

typedef struct ms_stats {
    ms_class_stats_t classes[MS_NB_SMALL_SIZE_CLASSES];
    ms_arena_counters_t arenas;
    uint64_t arena_bytes;          /* current arenas * arena size */
    uint64_t allocated_bytes;      /* bytes in allocated blocks */
    uint64_t available_bytes;      /* bytes in available blocks */
    uint64_t unused_pools;         /* pools no heap holds */
    uint64_t pool_header_bytes;
    uint64_t quantization_bytes;   /* pool tails too short for a block */
    uint64_t fragmentation_permille; /* arena bytes not in allocated blocks */
    ms_large_counters_t large;
    uint64_t brk_grown_total;      /* bytes the program's brk/sbrk calls added */
    int64_t brk_current;           /* net change of the break by those calls */
    uint64_t meta_bytes;           /* memsnap's own bookkeeping */
} ms_stats_t;

void ms_stats_collect(ms_stats_t *stats);
/* Writes the table as text; -1 if a write failed. */
int ms_stats_print(const ms_stats_t *stats, int fd);

/* Keeps a way to stderr open for the report at exit; from the constructor. */
void ms_stats_prepare(void);

/* With MEMSNAP_STATS=1, collects and prints the table to MEMSNAP_STATS_FILE
 * or stderr; a file that cannot be written gets one line on stderr. */
int ms_stats_report(void);

/* The program moved its break by delta bytes through brk or sbrk. */
void ms_stats_note_brk(intptr_t delta);

#endif
