/* radix.h: "is this address inside one of memsnap's arenas?" in O(1).
 *
 * A two-level radix tree over the address bits above the arena size, in the
 * manner of CPython 3.10's arena map. Arenas are ARENA_SIZE-aligned, so one
 * leaf slot stands for exactly one arena:
 *
 *   address bits  63..47        46..32            31..18           17..0
 *                 must be 0     root index (15)   leaf index (14)  inside arena
 *
 *   root[2^15] (BSS, 256 KiB, touched lazily) -> leaf[2^14] of arena pointers
 *   (128 KiB each, one per 4 GiB of address space that holds an arena)
 *
 * The lookup reads only the tree, never the memory the pointer points at, so
 * any value, foreign or wild, is safe to ask about. */
#ifndef MS_RADIX_H
#define MS_RADIX_H

#include "common.h"

#define MS_RADIX_ARENA_BITS 18
#define MS_RADIX_LEAF_BITS  14
#define MS_RADIX_ROOT_BITS  15
#define MS_RADIX_USER_BITS  (MS_RADIX_ARENA_BITS + MS_RADIX_LEAF_BITS + MS_RADIX_ROOT_BITS)

struct ms_arena;

/* Written under the arena lock (arena.c), read by any thread without a lock. */
extern struct ms_arena **ms_radix_root[1 << MS_RADIX_ROOT_BITS];

MS_INLINE struct ms_arena *ms_radix_lookup(const void *pointer)
{
    uintptr_t address = (uintptr_t)pointer;
    if (MS_UNLIKELY(address >> MS_RADIX_USER_BITS))
        return NULL;
    struct ms_arena **leaf = __atomic_load_n(
        &ms_radix_root[address >> (MS_RADIX_ARENA_BITS + MS_RADIX_LEAF_BITS)], __ATOMIC_ACQUIRE);
    if (leaf == NULL)
        return NULL;
    return __atomic_load_n(
        &leaf[(address >> MS_RADIX_ARENA_BITS) & ((1u << MS_RADIX_LEAF_BITS) - 1)], __ATOMIC_RELAXED);
}

/* Maps the arena starting at base (ARENA_SIZE-aligned) to arena, or clears
 * the slot when arena is NULL. Returns -1 when a leaf cannot be allocated or
 * the address lies above the tree's reach. Caller holds the arena lock. */
int ms_radix_set(uintptr_t base, struct ms_arena *arena);

#endif
