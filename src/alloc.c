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
 * 16-byte alignment has a size that is a multiple of 16, so 8-byte spacing
 * would be enough for correct C; but compiled code relies on glibc's wider
 * promise (every block over 8 bytes 16-aligned: libffi under Python's ctypes
 * faults otherwise), so that is the default, and MEMSNAP_ALIGN16=0 gives the
 * denser 8-byte spacing.
 *
 * This file holds only dispatch: no state of its own beyond ms_align16. */
#include "alloc.h"

#include <errno.h>
#include <string.h>

#include "heap.h"
#include "large.h"
#include "options.h"
#include "radix.h"

int ms_align16 = 1;

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

/* Writes block's slot; a block that cannot be recorded goes back. */
static void *record_small(void *block, size_t size, uint32_t traceback)
{
    if (traceback == 0 || block == NULL)
        return block;
    ms_pool_t *pool = MS_POOL_OF(block);
    ms_slot_t *slot = ms_slot_for_record(pool, block);
    if (MS_UNLIKELY(slot == NULL)) {
        ms_heap_free(pool, block);
        errno = ENOMEM;
        return NULL;
    }
    slot->traceback = traceback;
    slot->size = (uint32_t)size;
    return block;
}

/* Reads and clears the slot of a small block about to be freed. */
static void take_slot(ms_pool_t *pool, void *block, ms_record_t *freed)
{
    ms_slot_t *slot = ms_slot_find(pool, block);
    if (slot == NULL) {
        *freed = (ms_record_t){ 0, 0 };
        return;
    }
    *freed = (ms_record_t){ slot->traceback, slot->size & MS_SLOT_SIZE_MASK };
    *slot = (ms_slot_t){ 0, 0 };
}

static void *small_malloc(size_t size, size_t class_request, uint32_t traceback)
{
    return record_small(ms_heap_malloc(ms_size_to_szidx(class_request)), size, traceback);
}

void *ms_malloc(size_t size, uint32_t traceback)
{
    if (MS_LIKELY(size <= MS_SMALL_REQUEST_THRESHOLD))
        return small_malloc(size, size, traceback);
    return ms_large_malloc(size, traceback);
}

void ms_free(void *pointer, ms_record_t *freed)
{
    if (MS_LIKELY(in_arena(pointer))) {
        if (freed != NULL)
            take_slot(MS_POOL_OF(pointer), pointer, freed);
        ms_heap_free(MS_POOL_OF(pointer), pointer);
        return;
    }
    if (freed != NULL)
        *freed = (ms_record_t){ 0, 0 };
    if (pointer != NULL)
        ms_large_free(pointer, freed);
}

void *ms_calloc(size_t count, size_t size, uint32_t traceback)
{
    size_t total;
    if (MS_UNLIKELY(__builtin_mul_overflow(count, size, &total))) {
        errno = ENOMEM;
        return NULL;
    }
    if (total > MS_SMALL_REQUEST_THRESHOLD)
        return ms_large_calloc(total, traceback);
    void *block = small_malloc(total, total, traceback);
    if (block != NULL)
        memset(block, 0, total);
    return block;
}

static void *move_block(void *pointer, size_t old_size, size_t size, uint32_t traceback,
                        ms_record_t *freed)
{
    void *moved = ms_malloc(size, traceback);
    if (moved == NULL)
        return NULL;
    memcpy(moved, pointer, old_size < size ? old_size : size);
    ms_free(pointer, freed);
    return moved;
}

/* realloc(p, 0) frees p and returns NULL, as glibc does. A small block stays
 * in place unless it must grow, would shrink by a quarter or more
 * (obmalloc's rule), or lacks the alignment the new size is owed; a large block moves into the pools when it shrinks to
 * 512 bytes or less, so memory can go back when arenas empty. A block that
 * stays is recorded anew, as tracemalloc does: with the realloc's traceback. */
void *ms_realloc(void *pointer, size_t size, uint32_t traceback, ms_record_t *freed)
{
    if (freed != NULL)
        *freed = (ms_record_t){ 0, 0 };
    if (pointer == NULL)
        return ms_malloc(size, traceback);
    if (size == 0) {
        ms_free(pointer, freed);
        return NULL;
    }
    if (in_arena(pointer)) {
        ms_pool_t *pool = MS_POOL_OF(pointer);
        size_t old_size = ms_szidx_to_size(pool->szidx);
        /* A size that is a multiple of 16 may hold a 16-aligned type, so it
         * may not stay in an 8-aligned block of a larger class. */
        int aligned_enough = size % 16 != 0 || (uintptr_t)pointer % 16 == 0;
        int same_class = size <= MS_SMALL_REQUEST_THRESHOLD && ms_size_to_szidx(size) == pool->szidx;
        if (same_class || (size <= old_size && size * 4 > old_size * 3 && aligned_enough)) {
            /* Only the pool's owner may attach a side array to it. */
            ms_slot_t *slot = NULL;
            if (traceback != 0 && (slot = ms_slot_find(pool, pointer)) == NULL &&
                pool->heap == ms_heap_current)
                slot = ms_slot_for_record(pool, pointer);
            if (traceback == 0 || slot != NULL) {
                if (freed != NULL)
                    take_slot(pool, pointer, freed);
                if (slot != NULL)
                    *slot = (ms_slot_t){ traceback, (uint32_t)size };
                return pointer;
            }
        }
        return move_block(pointer, old_size, size, traceback, freed);
    }
    if (size <= MS_SMALL_REQUEST_THRESHOLD) {
        /* 0 means a block with no known size (ld.so's bootstrap): large.c
         * knows how much of it can be copied. */
        size_t old_size = ms_large_usable_size(pointer);
        if (old_size != 0)
            return move_block(pointer, old_size, size, traceback, freed);
    }
    return ms_large_realloc(pointer, size, traceback, freed);
}

void *ms_memalign(size_t alignment, size_t size, uint32_t traceback)
{
    if (alignment <= MS_ALIGNMENT)
        return ms_malloc(size, traceback);
    if (alignment <= MS_POOL_OVERHEAD && size <= MS_SMALL_REQUEST_THRESHOLD) {
        /* A class whose size is a multiple of alignment is aligned to it. */
        size_t rounded = size == 0 ? alignment : (size + alignment - 1) & ~(alignment - 1);
        if (rounded <= MS_SMALL_REQUEST_THRESHOLD)
            return small_malloc(size, rounded, traceback);
    }
    return ms_large_memalign(alignment, size, traceback);
}

int ms_ignore(const void *pointer)
{
    if (in_arena(pointer)) {
        ms_pool_t *pool = MS_POOL_OF(pointer);
        if ((uintptr_t)pointer - (uintptr_t)pool < MS_POOL_OVERHEAD ||
            ms_block_number(pool, pointer) >= ms_pool_capacity(pool->szidx))
            return -1;
        ms_slot_t *slot = ms_slot_find(pool, pointer);
        if (slot == NULL || slot->traceback == 0)
            return -1;
        __atomic_fetch_or(&slot->size, MS_SLOT_IGNORED, __ATOMIC_RELAXED);
        return 0;
    }
    return pointer == NULL ? -1 : ms_large_ignore(pointer);
}

size_t ms_usable_size(void *pointer)
{
    if (in_arena(pointer))
        return ms_szidx_to_size(MS_POOL_OF(pointer)->szidx);
    return pointer == NULL ? 0 : ms_large_usable_size(pointer);
}
