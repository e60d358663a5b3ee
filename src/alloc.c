/* alloc.c: memsnap's allocator: malloc, free and friends, by size.
 *
 * The design follows CPython's obmalloc.c, with per-thread heaps added so
 * that threads do not serialise on one lock:
 *
 *   request  0..512 B ------------> small-object allocator (heap.h)
 *            (and alignment <= 64)   8-byte size classes (sizeclass.h)
 *                                      |
 *            thread heap: usedpools[szidx] -> 4 KiB pools (pool.h)
 *                                      |  a pool at a time, under arena lock
 *            arenas: 256 KiB mmaps of 64 pools (arena.c), ordered
 *            fullest first, decommitted and unmapped when they empty
 *
 *   request  > 512 B, or alignment > 64 --> glibc via __libc_* (large.c)
 *
 *   free(p): radix tree (radix.h) says whether p lies in an arena;
 *            yes: its pool is p rounded down to 4 KiB, and the pool says
 *                 which heap owns it (local free, or the owner's
 *                 remote_free stack when another thread frees);
 *            no:  large.c, which knows its own blocks and routes foreign
 *                 pointers (glibc's own, ld.so's bootstrap) where they belong.
 *
 *   256 KiB arena, 256 KiB-aligned
 *   +------------+------------+------------+-----+------------+
 *   | pool       | pool       | pool       | ... | pool       |
 *   | szidx 1    | szidx 40   | (free)     |     | szidx 1    |
 *   +------------+------------+------------+-----+------------+
 *    /                 \
 *   +--------+-----+-----+-----+-----+-----+---------+-------+
 *   | header | 16B | 16B | 16B | 16B | ... | virgin  | waste |
 *   | 64 B   |used |free |used |free |     | blocks  |       |
 *   +--------+-----+-----+-----+-----+-----+---------+-------+
 *
 * Alignment: a block's address is pool + 64 + k * size, so blocks whose size
 * is a multiple of 16 (32, 64) are 16- (32-, 64-) aligned. A type that needs
 * 16-byte alignment has a size that is a multiple of 16, so the default
 * 8-byte spacing is safe for correct C; MEMSNAP_ALIGN16=1 gives glibc's
 * stricter promise (every block over 8 bytes 16-aligned) at some memory cost.
 *
 * This file holds only dispatch: no state of its own beyond ms_align16. */
#include "alloc.h"

#include <errno.h>
#include <string.h>

#include "heap.h"
#include "large.h"
#include "options.h"
#include "radix.h"

int ms_align16;

void ms_alloc_configure(void)
{
    ms_align16 = (int)ms_option(MS_OPTION_ALIGN16);
}

/* Inlined into every entry point: free pays for it on each call. */
MS_INLINE int in_arena(const void *pointer)
{
    return ms_radix_lookup(pointer) != NULL;
}

int ms_owns(const void *pointer)
{
    return in_arena(pointer);
}

void *ms_malloc(size_t size)
{
    if (MS_LIKELY(size <= MS_SMALL_REQUEST_THRESHOLD))
        return ms_heap_malloc(ms_size_to_szidx(size));
    return ms_large_malloc(size);
}

void ms_free(void *pointer)
{
    if (MS_LIKELY(in_arena(pointer))) {
        ms_heap_free(MS_POOL_OF(pointer), pointer);
        return;
    }
    if (pointer != NULL)
        ms_large_free(pointer);
}

void *ms_calloc(size_t count, size_t size)
{
    size_t total;
    if (MS_UNLIKELY(__builtin_mul_overflow(count, size, &total))) {
        errno = ENOMEM;
        return NULL;
    }
    if (total > MS_SMALL_REQUEST_THRESHOLD)
        return ms_large_calloc(total);
    void *block = ms_heap_malloc(ms_size_to_szidx(total));
    if (block != NULL)
        memset(block, 0, total);
    return block;
}

static void *move_block(void *pointer, size_t old_size, size_t size)
{
    void *moved = ms_malloc(size);
    if (moved == NULL)
        return NULL;
    memcpy(moved, pointer, old_size < size ? old_size : size);
    ms_free(pointer);
    return moved;
}

/* realloc(p, 0) frees p and returns NULL, as glibc does. A small block stays
 * in place unless it must grow, would shrink by a quarter or more
 * (obmalloc's rule), or lacks the alignment the new size is owed; a large block moves into the pools when it shrinks to
 * 512 bytes or less, so memory can go back when arenas empty. */
void *ms_realloc(void *pointer, size_t size)
{
    if (pointer == NULL)
        return ms_malloc(size);
    if (size == 0) {
        ms_free(pointer);
        return NULL;
    }
    if (in_arena(pointer)) {
        size_t old_size = ms_szidx_to_size(MS_POOL_OF(pointer)->szidx);
        /* A size that is a multiple of 16 may hold a 16-aligned type, so it
         * may not stay in an 8-aligned block of a larger class. */
        int aligned_enough = size % 16 != 0 || (uintptr_t)pointer % 16 == 0;
        if (size <= old_size && size * 4 > old_size * 3 && aligned_enough)
            return pointer;
        return move_block(pointer, old_size, size);
    }
    if (size <= MS_SMALL_REQUEST_THRESHOLD) {
        /* 0 means a block with no known size (ld.so's bootstrap): large.c
         * knows how much of it can be copied. */
        size_t old_size = ms_large_usable_size(pointer);
        if (old_size != 0)
            return move_block(pointer, old_size, size);
    }
    return ms_large_realloc(pointer, size);
}

void *ms_memalign(size_t alignment, size_t size)
{
    if (alignment <= MS_ALIGNMENT)
        return ms_malloc(size);
    if (alignment <= MS_POOL_OVERHEAD && size <= MS_SMALL_REQUEST_THRESHOLD) {
        /* A class whose size is a multiple of alignment is aligned to it. */
        size_t rounded = size == 0 ? alignment : (size + alignment - 1) & ~(alignment - 1);
        if (rounded <= MS_SMALL_REQUEST_THRESHOLD)
            return ms_heap_malloc(ms_size_to_szidx(rounded));
    }
    return ms_large_memalign(alignment, size);
}

size_t ms_usable_size(void *pointer)
{
    if (in_arena(pointer))
        return ms_szidx_to_size(MS_POOL_OF(pointer)->szidx);
    return pointer == NULL ? 0 : ms_large_usable_size(pointer);
}
