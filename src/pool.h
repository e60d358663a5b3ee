/* pool.h: the 4 KiB pool, its header, and the lazy carving of its blocks.
 *
 * A pool holds blocks of one size class. Its header sits in its first 64
 * bytes; blocks follow back to back; the tail that cannot hold a whole block
 * is quantization waste. Blocks are carved lazily: nextoffset is the first
 * block never handed out, so pages of a fresh pool are only touched as the
 * program asks for them.
 *
 *   pool (4096-aligned)
 *   +----------------+---------+---------+-----+---------+--------+-------+
 *   | header (64 B)  | block 0 | block 1 | ... | block k | virgin | waste |
 *   +----------------+---------+---------+-----+---------+--------+-------+
 *                     ^ MS_POOL_OVERHEAD        nextoffset ^
 *
 *   freeblock -> a free block -> another -> ... -> NULL
 *   (the first word of a free block links to the next; at most one block
 *    past the freed ones is a virgin block, carved when the list runs dry)
 *
 * Invariants, for a pool owned by a heap:
 *   count + (blocks on the free list) + (virgin blocks) == capacity, where a
 *       block freed by another thread and not yet drained still counts as used;
 *   the pool is on its heap's usedpools list for szidx iff freeblock != NULL;
 *   count == 0 only for the one empty pool a heap keeps per class.
 * The 64-byte header keeps every block 16-aligned when its size is a multiple
 * of 16, and 32- or 64-aligned when its size is a multiple of those. */
#ifndef MS_POOL_H
#define MS_POOL_H

#include "common.h"
#include "sizeclass.h"

#define MS_POOL_SIZE     4096
#define MS_POOL_OVERHEAD 64

struct ms_arena;
struct ms_heap;

typedef struct ms_pool {
    void *freeblock;              /* head of the free list, NULL when full */
    struct ms_pool *nextpool;     /* the heap's usedpools list for szidx */
    struct ms_pool *prevpool;
    struct ms_heap *heap;         /* owner; fixed while any block is in use */
    struct ms_arena *arena;       /* the arena this pool was carved from */
    uint16_t count;               /* blocks handed out */
    uint16_t szidx;
    uint16_t nextoffset;          /* first virgin block */
    uint16_t maxnextoffset;       /* last offset a whole block fits at */
    uint32_t reciprocal;          /* 2^32 / block size, rounded up (slots.h) */
    struct ms_slot *slots;        /* traced blocks' side array, or NULL (slots.h) */
} ms_pool_t;

_Static_assert(sizeof(ms_pool_t) <= MS_POOL_OVERHEAD, "pool header outgrew its overhead");
_Static_assert(MS_POOL_OVERHEAD % 64 == 0, "blocks must keep 64-byte alignment");

#define MS_POOL_OF(p) ((ms_pool_t *)((uintptr_t)(p) & ~(uintptr_t)(MS_POOL_SIZE - 1)))

MS_INLINE unsigned ms_pool_capacity(unsigned szidx)
{
    return (unsigned)((MS_POOL_SIZE - MS_POOL_OVERHEAD) / ms_szidx_to_size(szidx));
}

/* Hands the next virgin block to the free list; NULL once the pool is carved. */
MS_INLINE void *ms_pool_carve(ms_pool_t *pool)
{
    if (pool->nextoffset > pool->maxnextoffset)
        return NULL;
    void **block = (void **)((char *)pool + pool->nextoffset);
    pool->nextoffset = (uint16_t)(pool->nextoffset + ms_szidx_to_size(pool->szidx));
    *block = NULL;
    return block;
}

/* Makes a pool fresh from an arena ready to serve class szidx. */
MS_INLINE void ms_pool_init(ms_pool_t *pool, struct ms_heap *heap, unsigned szidx)
{
    size_t size = ms_szidx_to_size(szidx);
    pool->heap = heap;
    pool->count = 0;
    pool->szidx = (uint16_t)szidx;
    pool->nextoffset = MS_POOL_OVERHEAD;
    pool->maxnextoffset = (uint16_t)(MS_POOL_SIZE - size);
    /* Exact for every offset in a pool: the rounding error stays below
     * 4096 / 2^32, far under the 1 / size step between block numbers. */
    pool->reciprocal = (uint32_t)(((uint64_t)1 << 32) / size + 1);
    pool->slots = NULL;
    pool->freeblock = ms_pool_carve(pool);
}

#endif
