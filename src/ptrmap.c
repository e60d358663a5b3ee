/* ptrmap.c: open addressing with linear probing, split into 64 shards so
 * that threads working on different addresses rarely meet on one lock.
 *
 * A key's hash picks its shard (top bits) and its home slot (low bits).
 * Removal shifts later members of the probe run back instead of leaving
 * tombstones, so lookups never slow down with churn. A shard doubles when
 * three quarters full: 16-byte entries then cost 21 to 43 bytes per key.
 * Tables live in meta memory; nothing here calls malloc.
 *
 * Locks: each shard's lock guards that shard only and is a leaf below the
 * arena lock; nothing else is taken while it is held (meta memory is mapped
 * with raw syscalls). */
#include "ptrmap.h"

#include "meta.h"

static uint64_t hash_key(uintptr_t key)
{
    return (uint64_t)(key >> 4) * 0x9E3779B97F4A7C15ull;
}

static ms_ptrmap_shard_t *shard_of(ms_ptrmap_t *map, uint64_t hash)
{
    return &map->shards[hash >> 58];
}

static int grow(ms_ptrmap_shard_t *shard)
{
    size_t capacity = shard->capacity ? shard->capacity * 2 : 256;
    ms_ptrmap_entry_t *entries = ms_meta_map(capacity * sizeof *entries);
    if (entries == NULL)
        return -1;
    for (size_t i = 0; i < shard->capacity; i++) {
        uintptr_t key = shard->entries[i].key;
        if (key == 0)
            continue;
        size_t slot = hash_key(key) & (capacity - 1);
        while (entries[slot].key != 0)
            slot = (slot + 1) & (capacity - 1);
        entries[slot] = shard->entries[i];
    }
    if (shard->entries != NULL)
        ms_meta_unmap(shard->entries, shard->capacity * sizeof *entries);
    shard->entries = entries;
    shard->capacity = capacity;
    return 0;
}

/* Slot holding key, or the empty slot where it would go. */
static size_t probe(const ms_ptrmap_shard_t *shard, uintptr_t key, uint64_t hash)
{
    size_t slot = hash & (shard->capacity - 1);
    while (shard->entries[slot].key != 0 && shard->entries[slot].key != key)
        slot = (slot + 1) & (shard->capacity - 1);
    return slot;
}

int ms_ptrmap_put(ms_ptrmap_t *map, uintptr_t key, uint64_t value)
{
    uint64_t hash = hash_key(key);
    ms_ptrmap_shard_t *shard = shard_of(map, hash);
    pthread_mutex_lock(&shard->lock);
    if ((shard->count + 1) * 4 > shard->capacity * 3 && grow(shard) != 0) {
        pthread_mutex_unlock(&shard->lock);
        return -1;
    }
    size_t slot = probe(shard, key, hash);
    if (shard->entries[slot].key == 0)
        shard->count++;
    shard->entries[slot].key = key;
    shard->entries[slot].value = value;
    pthread_mutex_unlock(&shard->lock);
    return 0;
}

static int lookup(ms_ptrmap_t *map, uintptr_t key, uint64_t *value, int remove)
{
    uint64_t hash = hash_key(key);
    ms_ptrmap_shard_t *shard = shard_of(map, hash);
    pthread_mutex_lock(&shard->lock);
    if (shard->capacity == 0) {
        pthread_mutex_unlock(&shard->lock);
        return 0;
    }
    size_t mask = shard->capacity - 1;
    size_t slot = probe(shard, key, hash);
    ms_ptrmap_entry_t *entries = shard->entries;
    if (entries[slot].key == 0) {
        pthread_mutex_unlock(&shard->lock);
        return 0;
    }
    *value = entries[slot].value;
    if (remove) {
        /* Backward shift: pull each later member of the run into the hole
         * when the hole lies on its way from its home slot. */
        size_t hole = slot;
        for (size_t next = (hole + 1) & mask; entries[next].key != 0; next = (next + 1) & mask) {
            size_t home = hash_key(entries[next].key) & mask;
            if (((next - home) & mask) >= ((next - hole) & mask)) {
                entries[hole] = entries[next];
                hole = next;
            }
        }
        entries[hole].key = 0;
        shard->count--;
    }
    pthread_mutex_unlock(&shard->lock);
    return 1;
}

int ms_ptrmap_get(ms_ptrmap_t *map, uintptr_t key, uint64_t *value)
{
    return lookup(map, key, value, 0);
}

int ms_ptrmap_set_bits(ms_ptrmap_t *map, uintptr_t key, uint64_t bits)
{
    uint64_t hash = hash_key(key);
    ms_ptrmap_shard_t *shard = shard_of(map, hash);
    pthread_mutex_lock(&shard->lock);
    int found = 0;
    if (shard->capacity != 0) {
        size_t slot = probe(shard, key, hash);
        if (shard->entries[slot].key != 0) {
            shard->entries[slot].value |= bits;
            found = 1;
        }
    }
    pthread_mutex_unlock(&shard->lock);
    return found;
}

int ms_ptrmap_get_held(const ms_ptrmap_t *map, uintptr_t key, uint64_t *value)
{
    uint64_t hash = hash_key(key);
    const ms_ptrmap_shard_t *shard = &map->shards[hash >> 58];
    if (shard->capacity == 0)
        return 0;
    size_t slot = probe(shard, key, hash);
    if (shard->entries[slot].key == 0)
        return 0;
    *value = shard->entries[slot].value;
    return 1;
}

void ms_ptrmap_visit_held(const ms_ptrmap_t *map,
                          void (*visit)(void *context, uintptr_t key, uint64_t value), void *context)
{
    for (int i = 0; i < MS_PTRMAP_SHARDS; i++) {
        const ms_ptrmap_shard_t *shard = &map->shards[i];
        for (size_t slot = 0; slot < shard->capacity; slot++)
            if (shard->entries[slot].key != 0)
                visit(context, shard->entries[slot].key, shard->entries[slot].value);
    }
}

int ms_ptrmap_take(ms_ptrmap_t *map, uintptr_t key, uint64_t *value)
{
    return lookup(map, key, value, 1);
}

void ms_ptrmap_fork_prepare(ms_ptrmap_t *map)
{
    for (int i = 0; i < MS_PTRMAP_SHARDS; i++)
        pthread_mutex_lock(&map->shards[i].lock);
}

void ms_ptrmap_fork_parent(ms_ptrmap_t *map)
{
    for (int i = 0; i < MS_PTRMAP_SHARDS; i++)
        pthread_mutex_unlock(&map->shards[i].lock);
}

void ms_ptrmap_fork_child(ms_ptrmap_t *map)
{
    for (int i = 0; i < MS_PTRMAP_SHARDS; i++)
        pthread_mutex_init(&map->shards[i].lock, NULL);
}
