/* slots.h: the traceback id and requested size of each traced small block.
 *
 * A pool that serves traced allocations gets a side array with one 8-byte
 * slot per block, indexed by block number, so a free finds its traceback in
 * O(1) without touching the block. The block number comes from the offset
 * by a multiply with the class's reciprocal instead of a division:
 *
 *   pool (4 KiB)                               side array (meta memory)
 *   +--------+---------+---------+-----+        +------+------+-----+
 *   | header | block 0 | block 1 | ... |        | id 7 | id 0 | ... |
 *   | slots -+---------+---------+-----+------->| 24 B | --   |     |
 *   +--------+---------+---------+-----+        +------+------+-----+
 *
 * The slot of a block that is free, or was allocated while nothing was
 * recorded, is all zero: a free reads its slot and clears it. Only the
 * pool's owner attaches an array (when it first records a block there);
 * arrays go back to a free list per class when the pool returns to its arena. */
#ifndef MS_SLOTS_H
#define MS_SLOTS_H

#include "pool.h"

typedef struct ms_slot {
    uint32_t traceback;           /* 0: not recorded */
    uint32_t size;                /* requested bytes, and the leak check's bits: */
} ms_slot_t;

/* A small block asks for at most 512 bytes, so the top bits of size are free:
 * bit 31 is memsnap_ignore's mark (it goes when the free clears the slot);
 * bits 29 and 30 hold the block's state during a leak check (leaks.c), zero
 * at any other time. Readers of the size mask them off. */
#define MS_SLOT_SIZE_MASK   0x1fffffffu
#define MS_SLOT_IGNORED     0x80000000u
#define MS_SLOT_STATE_SHIFT 29
#define MS_SLOT_STATE_MASK  (3u << MS_SLOT_STATE_SHIFT)

/* What a free reports about the block it released: its traceback id (0 if
 * it was not recorded) and requested size; for any block, small or large. */
typedef struct ms_record {
    uint32_t traceback;
    uint64_t size;
} ms_record_t;

MS_INLINE unsigned ms_block_number(const ms_pool_t *pool, const void *block)
{
    uint64_t offset = (uint64_t)((uintptr_t)block - (uintptr_t)pool - MS_POOL_OVERHEAD);
    return (unsigned)((offset * pool->reciprocal) >> 32);
}

/* The slot of block, or NULL if its pool has no array (nothing recorded). */
MS_INLINE ms_slot_t *ms_slot_find(ms_pool_t *pool, const void *block)
{
    ms_slot_t *slots = __atomic_load_n(&pool->slots, __ATOMIC_ACQUIRE);
    return slots == NULL ? NULL : &slots[ms_block_number(pool, block)];
}

ms_slot_t *ms_slots_attach(ms_pool_t *pool);

/* The slot of block for recording, attaching an array if needed; NULL when
 * memory for it ran out. Owner thread only. */
MS_INLINE ms_slot_t *ms_slot_for_record(ms_pool_t *pool, const void *block)
{
    ms_slot_t *slots = pool->slots;
    if (MS_UNLIKELY(slots == NULL) && (slots = ms_slots_attach(pool)) == NULL)
        return NULL;
    return &slots[ms_block_number(pool, block)];
}

/* Returns pool's array (all zero: its blocks are all free) to the free list. */
void ms_slots_release(ms_pool_t *pool);

/* Bytes of side arrays in use and on the free lists. */
uint64_t ms_slots_memory(void);

void ms_slots_fork_prepare(void);
void ms_slots_fork_parent(void);
void ms_slots_fork_child(void);

#endif
