/* arena.c: arenas of pools, shared by every heap.
 *
 * Memory layout. Each arena is one 256 KiB anonymous mapping, aligned to its
 * size so that the radix tree (radix.h) can tell ownership from an address
 * alone. It is cut into 64 pools of 4 KiB:
 *
 *   arena (262144-aligned)
 *   +--------+--------+--------+--------+-- ... --+---------+
 *   | pool 0 | pool 1 | pool 2 | pool 3 |         | pool 63 |
 *   +--------+--------+--------+--------+-- ... --+---------+
 *     heap A   free     heap B   free,              free,
 *     szidx 3  dirty    szidx 40 decommitted        never touched
 *
 *   free_pools  = ...1 0 1 0     (pools no heap holds)
 *   dirty_pools = ...0 0 1 0     (free pools whose pages are still resident)
 *
 * Allocation policy, after obmalloc.c: usable_arenas lists the arenas that
 * have a free pool, sorted by ascending number of free pools, and a new pool
 * always comes from the head, the fullest arena. Lightly used arenas thus
 * drain and can go back to the OS. nfp2lasta[k] points at the rightmost arena
 * with k free pools, so an arena moves to its new place in O(1) when it gains
 * a pool back.
 *
 * Giving memory back: within an arena, dirty free pools are taken first (no
 * page fault), and once MS_DIRTY_POOLS_MAX of them pile up their pages are
 * decommitted. An arena whose 64 pools are all free is unmapped, unless it is
 * the only empty one (MS_EMPTY_ARENAS_KEPT), which stays for the next swing.
 *
 * Lock: arena_lock guards every global below and every ms_arena_t. It ranks
 * after the heap locks (a heap calls in here holding its own lock) and before
 * meta_lock. Nothing in here allocates from the program's heap. */
#include "arena.h"

#include <pthread.h>

#include "meta.h"
#include "os.h"
#include "radix.h"

#define ALL_POOLS (~(uint64_t)0)

static pthread_mutex_t arena_lock = PTHREAD_MUTEX_INITIALIZER;
static ms_arena_t *usable_arenas;                       /* sorted, see above */
static ms_arena_t *nfp2lasta[MS_POOLS_PER_ARENA + 1];   /* rightmost arena with k free pools */
static ms_arena_t *unused_arenas;                       /* recycled descriptors */
static ms_arena_t *mapped_arenas;                       /* every mapped arena */
static unsigned empty_arenas;                           /* mapped arenas with all pools free */
static ms_arena_counters_t counters;

static unsigned free_count(const ms_arena_t *arena)
{
    return (unsigned)__builtin_popcountll(arena->free_pools);
}

static void usable_unlink(ms_arena_t *arena)
{
    if (arena->prevarena != NULL)
        arena->prevarena->nextarena = arena->nextarena;
    else
        usable_arenas = arena->nextarena;
    if (arena->nextarena != NULL)
        arena->nextarena->prevarena = arena->prevarena;
}

static void usable_insert_after(ms_arena_t *arena, ms_arena_t *before)
{
    arena->prevarena = before;
    arena->nextarena = before != NULL ? before->nextarena : usable_arenas;
    if (arena->nextarena != NULL)
        arena->nextarena->prevarena = arena;
    if (before != NULL)
        before->nextarena = arena;
    else
        usable_arenas = arena;
}

/* arena is leaving the group of arenas with old_count free pools: if it was
 * that group's rightmost member, its left neighbour takes over (when it has
 * the same count). */
static void nfp2lasta_leave(ms_arena_t *arena, unsigned old_count)
{
    if (nfp2lasta[old_count] != arena)
        return;
    ms_arena_t *left = arena->prevarena;
    nfp2lasta[old_count] = (left != NULL && free_count(left) == old_count) ? left : NULL;
}

static ms_arena_t *new_arena(void)
{
    ms_arena_t *arena = unused_arenas;
    if (arena != NULL)
        unused_arenas = arena->nextarena;
    else if ((arena = ms_meta_alloc(sizeof *arena)) == NULL)
        return NULL;

    void *address = ms_os_map_aligned(MS_ARENA_SIZE, MS_ARENA_SIZE);
    if (address == NULL || ms_radix_set((uintptr_t)address, arena) != 0) {
        if (address != NULL)
            ms_os_unmap(address, MS_ARENA_SIZE);
        arena->nextarena = unused_arenas;
        unused_arenas = arena;
        return NULL;
    }
    arena->address = (uintptr_t)address;
    arena->free_pools = ALL_POOLS;
    arena->dirty_pools = 0;
    arena->prev_mapped = NULL;
    arena->next_mapped = mapped_arenas;
    if (mapped_arenas != NULL)
        mapped_arenas->prev_mapped = arena;
    mapped_arenas = arena;

    /* Only called when no arena has a free pool, so the list is empty. */
    usable_insert_after(arena, NULL);
    nfp2lasta[MS_POOLS_PER_ARENA] = arena;
    empty_arenas++;
    counters.allocated_total++;
    counters.current++;
    if (counters.current > counters.highwater)
        counters.highwater = counters.current;
    return arena;
}

static void release_arena(ms_arena_t *arena)
{
    nfp2lasta_leave(arena, MS_POOLS_PER_ARENA - 1);
    usable_unlink(arena);
    if (arena->prev_mapped != NULL)
        arena->prev_mapped->next_mapped = arena->next_mapped;
    else
        mapped_arenas = arena->next_mapped;
    if (arena->next_mapped != NULL)
        arena->next_mapped->prev_mapped = arena->prev_mapped;

    /* Clear the map before unmapping: once the range is gone, glibc may map
     * it for a large block, and a free of that block must not look ours. */
    ms_radix_set(arena->address, NULL);
    ms_os_unmap((void *)arena->address, MS_ARENA_SIZE);
    arena->address = 0;
    arena->nextarena = unused_arenas;
    unused_arenas = arena;
    counters.reclaimed++;
    counters.current--;
}

/* Gives back the pages of the dirty free pools, one madvise per run. */
static void decommit_dirty(ms_arena_t *arena)
{
    uint64_t dirty = arena->dirty_pools;
    while (dirty != 0) {
        unsigned first = (unsigned)__builtin_ctzll(dirty);
        uint64_t from_first = dirty >> first;
        unsigned length = ~from_first == 0 ? MS_POOLS_PER_ARENA : (unsigned)__builtin_ctzll(~from_first);
        ms_os_decommit((void *)(arena->address + (uintptr_t)first * MS_POOL_SIZE),
                       (size_t)length * MS_POOL_SIZE);
        counters.decommitted_pools += length;
        dirty = length == MS_POOLS_PER_ARENA ? 0 : dirty & ~((((uint64_t)1 << length) - 1) << first);
    }
    arena->dirty_pools = 0;
}

ms_pool_t *ms_arena_pool_take(void)
{
    pthread_mutex_lock(&arena_lock);
    ms_arena_t *arena = usable_arenas;
    if (arena == NULL && (arena = new_arena()) == NULL) {
        pthread_mutex_unlock(&arena_lock);
        return NULL;
    }
    unsigned old_count = free_count(arena);
    if (old_count == MS_POOLS_PER_ARENA)
        empty_arenas--;

    uint64_t candidates = arena->dirty_pools != 0 ? arena->dirty_pools : arena->free_pools;
    unsigned index = (unsigned)__builtin_ctzll(candidates);
    arena->free_pools &= ~((uint64_t)1 << index);
    arena->dirty_pools &= ~((uint64_t)1 << index);

    /* The head has the fewest free pools, so it stays the head; it is the
     * only arena with old_count - 1 (if that is not zero). */
    nfp2lasta_leave(arena, old_count);
    if (old_count == 1)
        usable_unlink(arena);
    else
        nfp2lasta[old_count - 1] = arena;
    pthread_mutex_unlock(&arena_lock);

    ms_pool_t *pool = (ms_pool_t *)(arena->address + (uintptr_t)index * MS_POOL_SIZE);
    pool->arena = arena;
    return pool;
}

void ms_arena_pool_give(ms_pool_t *pool)
{
    ms_arena_t *arena = pool->arena;
    unsigned index = (unsigned)(((uintptr_t)pool - arena->address) / MS_POOL_SIZE);

    pthread_mutex_lock(&arena_lock);
    unsigned old_count = free_count(arena);
    arena->free_pools |= (uint64_t)1 << index;
    arena->dirty_pools |= (uint64_t)1 << index;

    if (old_count == 0) {
        /* It was on no list; one free pool is the smallest count, so it
         * belongs at the head. */
        usable_insert_after(arena, NULL);
        if (nfp2lasta[1] == NULL)
            nfp2lasta[1] = arena;
    } else if (old_count + 1 == MS_POOLS_PER_ARENA && empty_arenas >= MS_EMPTY_ARENAS_KEPT) {
        release_arena(arena);
        pthread_mutex_unlock(&arena_lock);
        return;
    } else {
        ms_arena_t *last_with_old = nfp2lasta[old_count];
        nfp2lasta_leave(arena, old_count);
        if (nfp2lasta[old_count + 1] == NULL)
            nfp2lasta[old_count + 1] = arena;
        if (last_with_old != arena) {
            usable_unlink(arena);
            usable_insert_after(arena, last_with_old);
        }
    }
    if (old_count + 1 == MS_POOLS_PER_ARENA)
        empty_arenas++;
    if (__builtin_popcountll(arena->dirty_pools) >= MS_DIRTY_POOLS_MAX)
        decommit_dirty(arena);
    pthread_mutex_unlock(&arena_lock);
}

void ms_arena_visit(void (*visit)(void *context, const ms_pool_t *pool), void *context,
                    ms_arena_counters_t *counters_out)
{
    pthread_mutex_lock(&arena_lock);
    for (ms_arena_t *arena = mapped_arenas; arena != NULL; arena = arena->next_mapped) {
        uint64_t held = ~arena->free_pools;
        while (held != 0) {
            unsigned index = (unsigned)__builtin_ctzll(held);
            held &= held - 1;
            visit(context, (const ms_pool_t *)(arena->address + (uintptr_t)index * MS_POOL_SIZE));
        }
    }
    *counters_out = counters;
    pthread_mutex_unlock(&arena_lock);
}

void ms_arena_visit_held(void (*visit)(void *context, uintptr_t address, uint64_t held_pools),
                         void *context)
{
    for (ms_arena_t *arena = mapped_arenas; arena != NULL; arena = arena->next_mapped)
        visit(context, arena->address, ~arena->free_pools);
}

void ms_arena_fork_prepare(void)
{
    pthread_mutex_lock(&arena_lock);
}

void ms_arena_fork_parent(void)
{
    pthread_mutex_unlock(&arena_lock);
}

void ms_arena_fork_child(void)
{
    pthread_mutex_init(&arena_lock, NULL);
}
