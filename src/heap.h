/* heap.h: per-thread heaps and the inline fast paths of small malloc/free.
 *
 * Each thread allocates from its own heap: one list of pools per size class,
 * touched without any lock or atomic instruction by the owning thread. A
 * block freed by another thread goes on its heap's remote_free stack (one
 * compare-and-swap) and the owner takes the whole stack back in its next slow
 * path. A heap whose thread exits is abandoned and adopted, pools and all, by
 * the next thread that needs a heap.
 *
 *   thread T1 (TLS ms_heap_current)        thread T2
 *        |                                      |
 *        v                                      v
 *   ms_heap_t A                            ms_heap_t B
 *   usedpools[0]  -> pool <-> pool          usedpools[0]  -> &ms_pool_empty
 *   usedpools[1]  -> pool                   usedpools[1]  -> pool
 *   ...                                     ...
 *   remote_free   -> block -> block         remote_free   -> NULL
 *                    (freed by T2, waiting for T1)
 *
 * A thread that has no heap yet points at ms_heap_empty, whose lists all hold
 * ms_pool_empty, a pool with no free block: the fast path needs no "is there
 * a heap" test, and its first miss lands in the slow path, which attaches one.
 *
 * Fork: the lock-free fast paths cannot be paused by an atfork handler. They
 * are written so that a thread stopped between any two of their stores leaves
 * a pool the child can still use: count is raised before a block leaves the
 * free list and lowered after it is back on it, so a child sees a block as
 * used at worst, never as free twice. */
#ifndef MS_HEAP_H
#define MS_HEAP_H

#include <pthread.h>

#include "common.h"
#include "pool.h"

typedef struct ms_heap {
    /* Per class, the first pool with a free block; &ms_pool_empty if none.
     * Touched only by the owner, or by whoever holds lock while abandoned. */
    ms_pool_t *usedpools[MS_NB_SMALL_SIZE_CLASSES];
    /* Rank: after the heaps lock, before the arena lock. Held by the owner in
     * its slow paths, by other threads freeing into an abandoned heap, and by
     * the fork handlers. */
    pthread_mutex_t lock;
    int abandoned;                  /* no thread owns it; written under lock */
    struct ms_heap *next_heap;      /* every heap ever made; heaps lock */
    struct ms_heap *next_abandoned; /* heaps lock */
    /* The owner's cache of recently seen stacks (unwind.c); it goes with the
     * heap when another thread adopts it. Owner only. */
    struct ms_stack_cache *stack_cache;
    /* Blocks freed by other threads, linked through their first word. On a
     * line of its own: other threads write it, the owner's fast path must not
     * share a cache line with them. */
    _Alignas(MS_CACHE_LINE) void *remote_free;
} ms_heap_t;

extern ms_heap_t ms_heap_empty;
extern ms_pool_t ms_pool_empty;
extern MS_TLS ms_heap_t *ms_heap_current;

void *ms_heap_malloc_slow(ms_heap_t *heap, unsigned szidx);
void ms_heap_pool_filled(ms_heap_t *heap, ms_pool_t *pool);
void ms_heap_free_slow(ms_heap_t *heap, ms_pool_t *pool, void *block);

MS_INLINE void *ms_heap_malloc(unsigned szidx)
{
    ms_heap_t *heap = ms_heap_current;
    ms_pool_t *pool = heap->usedpools[szidx];
    void **block = pool->freeblock;
    if (MS_UNLIKELY(block == NULL))
        return ms_heap_malloc_slow(heap, szidx);
    pool->count++;
    ms_compiler_barrier();
    void *next = *block;
    if (MS_UNLIKELY(next == NULL) && (next = ms_pool_carve(pool)) == NULL) {
        ms_heap_pool_filled(heap, pool);
        return block;
    }
    pool->freeblock = next;
    return block;
}

/* block lies in pool, which some heap owns. */
MS_INLINE void ms_heap_free(ms_pool_t *pool, void *block)
{
    ms_heap_t *heap = ms_heap_current;
    if (MS_LIKELY(pool->heap == heap)) {
        void *head = pool->freeblock;
        if (MS_LIKELY(head != NULL && pool->count > 1)) {
            *(void **)block = head;
            pool->freeblock = block;
            ms_compiler_barrier();
            pool->count--;
            return;
        }
    }
    ms_heap_free_slow(heap, pool, block);
}

void ms_heap_fork_prepare(void);
void ms_heap_fork_parent(void);
void ms_heap_fork_child(void);

#endif
