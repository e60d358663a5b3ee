/* slots.c: side arrays of the pools (design in slots.h).
 *
 * Arrays are sized for their class (capacity x 8 bytes: 4 KiB for 8-byte
 * blocks, 56 bytes for 512-byte ones), come from meta memory, and are
 * recycled through one free list per class, linked through their first word.
 *
 * Lock: slots_lock, a leaf, guards free_lists and memory_bytes. */
#include "slots.h"

#include <pthread.h>
#include <string.h>

#include "meta.h"

static pthread_mutex_t slots_lock = PTHREAD_MUTEX_INITIALIZER;
static void *free_lists[MS_NB_SMALL_SIZE_CLASSES];
static uint64_t memory_bytes;

static size_t array_bytes(unsigned szidx)
{
    return ms_pool_capacity(szidx) * sizeof(ms_slot_t);
}

MS_NOINLINE ms_slot_t *ms_slots_attach(ms_pool_t *pool)
{
    unsigned szidx = pool->szidx;
    pthread_mutex_lock(&slots_lock);
    ms_slot_t *slots = free_lists[szidx];
    if (slots != NULL) {
        free_lists[szidx] = *(void **)slots;
        *(void **)slots = NULL;
    } else if ((slots = ms_meta_alloc(array_bytes(szidx))) != NULL) {
        memory_bytes += array_bytes(szidx);
    }
    pthread_mutex_unlock(&slots_lock);
    __atomic_store_n(&pool->slots, slots, __ATOMIC_RELEASE);
    return slots;
}

void ms_slots_release(ms_pool_t *pool)
{
    ms_slot_t *slots = pool->slots;
    if (slots == NULL)
        return;
    pool->slots = NULL;
    pthread_mutex_lock(&slots_lock);
    *(void **)slots = free_lists[pool->szidx];
    free_lists[pool->szidx] = slots;
    pthread_mutex_unlock(&slots_lock);
}

uint64_t ms_slots_memory(void)
{
    pthread_mutex_lock(&slots_lock);
    uint64_t bytes = memory_bytes;
    pthread_mutex_unlock(&slots_lock);
    return bytes;
}

void ms_slots_fork_prepare(void)
{
    pthread_mutex_lock(&slots_lock);
}

void ms_slots_fork_parent(void)
{
    pthread_mutex_unlock(&slots_lock);
}

void ms_slots_fork_child(void)
{
    pthread_mutex_init(&slots_lock, NULL);
}
