/* arena.h: 256 KiB arenas that hand out 4 KiB pools to the heaps. */
#ifndef MS_ARENA_H
#define MS_ARENA_H

#include "common.h"
#include "pool.h"

#define MS_ARENA_SIZE      ((size_t)1 << 18)
#define MS_POOLS_PER_ARENA (MS_ARENA_SIZE / MS_POOL_SIZE)

_Static_assert(MS_POOLS_PER_ARENA == 64, "free_pools is one 64-bit mask");

/* An empty arena is kept mapped while fewer than this many others are: a
 * program that oscillates around an arena boundary does not mmap/munmap on
 * every swing. */
#define MS_EMPTY_ARENAS_KEPT 1
/* Empty pools of an arena are decommitted (madvise) once this many are
 * resident; fewer are left for quick reuse. */
#define MS_DIRTY_POOLS_MAX 8

typedef struct ms_arena {
    uintptr_t address;            /* 0 while the descriptor is unused */
    uint64_t free_pools;          /* bit i: pool i belongs to no heap */
    uint64_t dirty_pools;         /* free pools whose pages are resident */
    struct ms_arena *nextarena;   /* usable_arenas, or the unused list */
    struct ms_arena *prevarena;
    struct ms_arena *next_mapped; /* every mapped arena, for statistics */
    struct ms_arena *prev_mapped;
} ms_arena_t;

typedef struct ms_arena_counters {
    uint64_t allocated_total;     /* arenas ever mapped */
    uint64_t reclaimed;           /* arenas unmapped */
    uint64_t highwater;           /* most mapped at once */
    uint64_t current;             /* mapped now */
    uint64_t decommitted_pools;   /* empty pools whose pages went back to the OS */
} ms_arena_counters_t;

/* A pool for a heap, header not yet initialised; NULL when out of memory. */
ms_pool_t *ms_arena_pool_take(void);
/* Takes back a pool whose blocks are all free. */
void ms_arena_pool_give(ms_pool_t *pool);

/* Calls visit for every pool some heap holds, with the arena lock held, then
 * fills counters. visit must not allocate. */
void ms_arena_visit(void (*visit)(void *context, const ms_pool_t *pool), void *context,
                    ms_arena_counters_t *counters);

/* Calls visit for every mapped arena, with its address and a mask of the
 * pools heaps hold (bit i: pool i), for a caller that holds the arena lock
 * already (ms_arena_fork_prepare, as the leak check takes it). */
void ms_arena_visit_held(void (*visit)(void *context, uintptr_t address, uint64_t held_pools),
                         void *context);

void ms_arena_fork_prepare(void);
void ms_arena_fork_parent(void);
void ms_arena_fork_child(void);

#endif
