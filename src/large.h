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
/* Where ld.so's image lies (empty before ms_large_init): its code, and the
 * tail of its last page its bootstrap allocator hands out. */
void ms_large_loader_range(uintptr_t *start, uintptr_t *end);

/* memsnap_ignore of a large block: 0, or -1 if pointer is not one. */
int ms_large_ignore(const void *pointer);

/* Every live large block, for the leak check, which holds the table's locks
 * (ms_large_fork_prepare): size is what was asked for, inside how much of
 * it a pointer may point into and be the program's (the rest may be where
 * glibc's pointer to the next chunk points). */
typedef void ms_large_visitor_t(void *context, uintptr_t start, uint64_t size, uint64_t inside,
                                uint32_t traceback, int ignored);
void ms_large_visit_held(ms_large_visitor_t *visitor, void *context);

void ms_large_fork_prepare(void);
void ms_large_fork_parent(void);
void ms_large_fork_child(void);

#endif
