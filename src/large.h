/* large.h: requests above 512 bytes, and alignments pools cannot give. */
#ifndef MS_LARGE_H
#define MS_LARGE_H

#include <stddef.h>
#include <stdint.h>

#include "slots.h"

typedef struct ms_large_counters {
    uint64_t calls;               /* large allocations ever made */
    uint64_t bytes_total;         /* bytes they asked for */
    uint64_t live_blocks;
    uint64_t live_bytes;
    uint64_t foreign_frees;       /* frees of pointers from ld.so's early allocator, ignored */
} ms_large_counters_t;

/* traceback: the id the block is recorded with (traceback.h), 0 for none. */
void *ms_large_malloc(size_t size, uint32_t traceback);
void *ms_large_calloc(size_t size, uint32_t traceback);
void *ms_large_memalign(size_t alignment, size_t size, uint32_t traceback);
/* pointer is not in an arena; it may be ours or foreign. *freed receives the
 * old block's record when the block moved or was freed. */
void *ms_large_realloc(void *pointer, size_t size, uint32_t traceback, ms_record_t *freed);
void ms_large_free(void *pointer, ms_record_t *freed);
size_t ms_large_usable_size(void *pointer);

/* Looks up glibc's malloc_usable_size and where ld.so lies; called once from
 * the constructor, when dlsym is safe. */
void ms_large_init(void);
void ms_large_counters(ms_large_counters_t *counters);

void ms_large_fork_prepare(void);
void ms_large_fork_parent(void);
void ms_large_fork_child(void);

#endif
