/* meta.c: a bump allocator over private mappings for memsnap's bookkeeping.
 *
 * Nothing here comes from the program's heap, so memsnap's structures never
 * show in the program's statistics and a program that corrupts its heap
 * cannot reach them through the allocator. Never calls malloc.
 *
 * Lock: meta_lock, the leaf of the lock order (nothing is taken under it);
 * guards chunk_next and chunk_end. mapped_bytes is a relaxed atomic. */
#include "meta.h"

#include <pthread.h>

#include "common.h"
#include "os.h"

#define META_CHUNK (64 << 10)

static pthread_mutex_t meta_lock = PTHREAD_MUTEX_INITIALIZER;
static char *chunk_next, *chunk_end;
static size_t mapped_bytes;

void *ms_meta_map(size_t size)
{
    void *mapping = ms_os_map(size);
    if (mapping != NULL)
        __atomic_add_fetch(&mapped_bytes, size, __ATOMIC_RELAXED);
    return mapping;
}

void ms_meta_unmap(void *mapping, size_t size)
{
    ms_os_unmap(mapping, size);
    __atomic_sub_fetch(&mapped_bytes, size, __ATOMIC_RELAXED);
}

void *ms_meta_alloc(size_t size)
{
    /* Whole cache lines: heaps keep their remote_free on a line of its own. */
    size = (size + MS_CACHE_LINE - 1) & ~(size_t)(MS_CACHE_LINE - 1);
    if (size > META_CHUNK / 4)
        return ms_meta_map(size);   /* big pieces keep chunks dense */
    pthread_mutex_lock(&meta_lock);
    if ((size_t)(chunk_end - chunk_next) < size) {
        char *chunk = ms_os_map(META_CHUNK);
        if (chunk == NULL) {
            pthread_mutex_unlock(&meta_lock);
            return NULL;
        }
        __atomic_add_fetch(&mapped_bytes, META_CHUNK, __ATOMIC_RELAXED);
        chunk_next = chunk;
        chunk_end = chunk + META_CHUNK;
    }
    void *piece = chunk_next;
    chunk_next += size;
    pthread_mutex_unlock(&meta_lock);
    return piece;
}

size_t ms_meta_bytes(void)
{
    return __atomic_load_n(&mapped_bytes, __ATOMIC_RELAXED);
}

void ms_meta_fork_prepare(void)
{
    pthread_mutex_lock(&meta_lock);
}

void ms_meta_fork_parent(void)
{
    pthread_mutex_unlock(&meta_lock);
}

void ms_meta_fork_child(void)
{
    pthread_mutex_init(&meta_lock, NULL);
}
