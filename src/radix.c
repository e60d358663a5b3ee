/* radix.c: updates of the arena address map (lookups are inline in radix.h).
 * Called only by arena.c with the arena lock held; leaves come from meta
 * memory and are never freed, so a lock-free reader never sees one vanish. */
#include "radix.h"

#include "meta.h"

struct ms_arena **ms_radix_root[1 << MS_RADIX_ROOT_BITS];

int ms_radix_set(uintptr_t base, struct ms_arena *arena)
{
    if (base >> MS_RADIX_USER_BITS)
        return -1;
    struct ms_arena ***slot = &ms_radix_root[base >> (MS_RADIX_ARENA_BITS + MS_RADIX_LEAF_BITS)];
    struct ms_arena **leaf = *slot;
    if (leaf == NULL) {
        if (arena == NULL)
            return 0;
        leaf = ms_meta_alloc(sizeof(struct ms_arena *) << MS_RADIX_LEAF_BITS);
        if (leaf == NULL)
            return -1;
        __atomic_store_n(slot, leaf, __ATOMIC_RELEASE);
    }
    __atomic_store_n(&leaf[(base >> MS_RADIX_ARENA_BITS) & ((1u << MS_RADIX_LEAF_BITS) - 1)],
                     arena, __ATOMIC_RELEASE);
    return 0;
}
