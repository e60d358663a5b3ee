/* heap.c: the slow paths of the per-thread heaps (the design is in heap.h).
 *
 * Reached when a class has no pool with a free block, when a pool fills,
 * empties or comes back from full, and for every free by a thread other than
 * the owner. Thread exit (a pthread key destructor) abandons the heap; the
 * next thread without one adopts it.
 *
 * Locks, in the order they are taken: heaps_lock (the list of heaps and the
 * abandoned list), then a heap's lock, then arena.c's lock. */
#include "heap.h"

#include <errno.h>
#include <string.h>

#include "arena.h"
#include "meta.h"
#include "slots.h"

/* Static, so they are right before any constructor runs: the first malloc
 * may come from ld.so, long before this library's initialisers. */
ms_pool_t ms_pool_empty;
ms_heap_t ms_heap_empty = {
    .usedpools = { [0 ... MS_NB_SMALL_SIZE_CLASSES - 1] = &ms_pool_empty },
};
MS_TLS ms_heap_t *ms_heap_current = &ms_heap_empty;

static pthread_mutex_t heaps_lock = PTHREAD_MUTEX_INITIALIZER;
static ms_heap_t *all_heaps;        /* append-only, heaps_lock */
static ms_heap_t *abandoned_heaps;  /* heaps_lock */

/* The key's destructor abandons the heap when its thread exits. */
static pthread_key_t heap_key;
static pthread_once_t heap_key_once = PTHREAD_ONCE_INIT;

static void link_front(ms_heap_t *heap, ms_pool_t *pool)
{
    ms_pool_t *first = heap->usedpools[pool->szidx];
    pool->prevpool = NULL;
    pool->nextpool = first == &ms_pool_empty ? NULL : first;
    if (pool->nextpool != NULL)
        pool->nextpool->prevpool = pool;
    heap->usedpools[pool->szidx] = pool;
}

static void unlink_pool(ms_heap_t *heap, ms_pool_t *pool)
{
    if (pool->prevpool != NULL)
        pool->prevpool->nextpool = pool->nextpool;
    else
        heap->usedpools[pool->szidx] = pool->nextpool != NULL ? pool->nextpool : &ms_pool_empty;
    if (pool->nextpool != NULL)
        pool->nextpool->prevpool = pool->prevpool;
}

/* Its blocks are all free, so its side array holds only zeros. */
static void give_pool(ms_pool_t *pool)
{
    ms_slots_release(pool);
    ms_arena_pool_give(pool);
}

/* The pool a class keeps even when empty: the only one on its list. */
static int only_pool_of_class(const ms_heap_t *heap, const ms_pool_t *pool)
{
    return heap->usedpools[pool->szidx] == pool && pool->nextpool == NULL;
}

/* Frees block into pool of heap; the caller holds heap->lock and is heap's
 * owner, or heap is abandoned. */
static void pool_free_locked(ms_heap_t *heap, ms_pool_t *pool, void *block)
{
    void *head = pool->freeblock;
    *(void **)block = head;
    pool->freeblock = block;
    ms_compiler_barrier();
    pool->count--;
    if (head == NULL) {
        /* Was full, so on no list; put it first so its block is reused next. */
        link_front(heap, pool);
    } else if (pool->count == 0 && !only_pool_of_class(heap, pool)) {
        /* Empty and not the class's last pool (that one is kept, so a program
         * that allocates and frees one block in a loop does not take and give
         * a pool every time). */
        unlink_pool(heap, pool);
        give_pool(pool);
    }
}

static void drain_remote_frees(ms_heap_t *heap)
{
    void *block = __atomic_exchange_n(&heap->remote_free, NULL, __ATOMIC_ACQUIRE);
    while (block != NULL) {
        void *next = *(void **)block;
        pool_free_locked(heap, MS_POOL_OF(block), block);
        block = next;
    }
}

static void heap_detach(void *value)
{
    ms_heap_t *heap = value;
    pthread_mutex_lock(&heaps_lock);
    pthread_mutex_lock(&heap->lock);
    drain_remote_frees(heap);
    /* Kept empty pools would be stranded until someone adopts the heap. */
    for (unsigned szidx = 0; szidx < MS_NB_SMALL_SIZE_CLASSES; szidx++) {
        ms_pool_t *pool = heap->usedpools[szidx];
        if (pool != &ms_pool_empty && pool->count == 0 && only_pool_of_class(heap, pool)) {
            unlink_pool(heap, pool);
            give_pool(pool);
        }
    }
    __atomic_store_n(&heap->abandoned, 1, __ATOMIC_RELEASE);
    heap->next_abandoned = abandoned_heaps;
    abandoned_heaps = heap;
    pthread_mutex_unlock(&heap->lock);
    pthread_mutex_unlock(&heaps_lock);
    ms_heap_current = &ms_heap_empty;
}

static void heap_key_create(void)
{
    pthread_key_create(&heap_key, heap_detach);
}

/* Gives the calling thread a heap: an abandoned one if any, else a new one. */
static ms_heap_t *heap_attach(void)
{
    pthread_mutex_lock(&heaps_lock);
    ms_heap_t *heap = abandoned_heaps;
    if (heap != NULL) {
        abandoned_heaps = heap->next_abandoned;
        pthread_mutex_lock(&heap->lock);
        __atomic_store_n(&heap->abandoned, 0, __ATOMIC_RELEASE);
        pthread_mutex_unlock(&heap->lock);
    } else if ((heap = ms_meta_alloc(sizeof *heap)) != NULL) {
        memcpy(heap->usedpools, ms_heap_empty.usedpools, sizeof heap->usedpools);
        pthread_mutex_init(&heap->lock, NULL);
        heap->next_heap = all_heaps;
        all_heaps = heap;
    }
    pthread_mutex_unlock(&heaps_lock);
    if (heap == NULL)
        return NULL;
    /* Set before pthread_setspecific, which may itself call malloc. */
    ms_heap_current = heap;
    pthread_once(&heap_key_once, heap_key_create);
    pthread_setspecific(heap_key, heap);
    return heap;
}

/* The class has no pool with a free block, or the thread has no heap. */
MS_NOINLINE void *ms_heap_malloc_slow(ms_heap_t *heap, unsigned szidx)
{
    if (heap == &ms_heap_empty && (heap = heap_attach()) == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    pthread_mutex_lock(&heap->lock);
    drain_remote_frees(heap);
    if (heap->usedpools[szidx] == &ms_pool_empty) {
        ms_pool_t *pool = ms_arena_pool_take();
        if (pool == NULL) {
            pthread_mutex_unlock(&heap->lock);
            errno = ENOMEM;
            return NULL;
        }
        ms_pool_init(pool, heap, szidx);
        link_front(heap, pool);
    }
    pthread_mutex_unlock(&heap->lock);
    return ms_heap_malloc(szidx);
}

/* The fast path just handed out the pool's last block. Emptying the free
 * list and unlinking happen in one locked step: a fork between the two would
 * leave the child a listed pool with no free block, which the slow path
 * would then try to allocate from forever. */
MS_NOINLINE void ms_heap_pool_filled(ms_heap_t *heap, ms_pool_t *pool)
{
    pthread_mutex_lock(&heap->lock);
    pool->freeblock = NULL;
    unlink_pool(heap, pool);
    pthread_mutex_unlock(&heap->lock);
}

static void remote_free(ms_heap_t *owner, ms_pool_t *pool, void *block)
{
    if (__atomic_load_n(&owner->abandoned, __ATOMIC_ACQUIRE)) {
        pthread_mutex_lock(&owner->lock);
        if (owner->abandoned) {
            pool_free_locked(owner, pool, block);
            pthread_mutex_unlock(&owner->lock);
            return;
        }
        pthread_mutex_unlock(&owner->lock);
    }
    void *head = __atomic_load_n(&owner->remote_free, __ATOMIC_RELAXED);
    do {
        *(void **)block = head;
    } while (!__atomic_compare_exchange_n(&owner->remote_free, &head, block, 1,
                                          __ATOMIC_RELEASE, __ATOMIC_RELAXED));
}

/* A free by another thread, into a full pool, or of a pool's last block. */
MS_NOINLINE void ms_heap_free_slow(ms_heap_t *heap, ms_pool_t *pool, void *block)
{
    if (pool->heap != heap) {
        remote_free(pool->heap, pool, block);
        return;
    }
    pthread_mutex_lock(&heap->lock);
    pool_free_locked(heap, pool, block);
    pthread_mutex_unlock(&heap->lock);
}

/* fork: take every heap lock, so no slow path is half done in the child. */
void ms_heap_fork_prepare(void)
{
    pthread_mutex_lock(&heaps_lock);
    for (ms_heap_t *heap = all_heaps; heap != NULL; heap = heap->next_heap)
        pthread_mutex_lock(&heap->lock);
}

void ms_heap_fork_parent(void)
{
    for (ms_heap_t *heap = all_heaps; heap != NULL; heap = heap->next_heap)
        pthread_mutex_unlock(&heap->lock);
    pthread_mutex_unlock(&heaps_lock);
}

/* Only the forking thread lives on in the child: every other heap loses its
 * owner and waits to be adopted. */
void ms_heap_fork_child(void)
{
    pthread_mutex_init(&heaps_lock, NULL);
    abandoned_heaps = NULL;
    for (ms_heap_t *heap = all_heaps; heap != NULL; heap = heap->next_heap) {
        pthread_mutex_init(&heap->lock, NULL);
        if (heap == ms_heap_current)
            continue;
        heap->abandoned = 1;
        heap->next_abandoned = abandoned_heaps;
        abandoned_heaps = heap;
    }
}
