/* ptrmap.h: a thread-safe map from addresses to 64-bit values. */
#ifndef MS_PTRMAP_H
#define MS_PTRMAP_H

#include <pthread.h>
#include <stdint.h>

#define MS_PTRMAP_SHARDS 64

typedef struct ms_ptrmap_entry {
    uintptr_t key;                /* 0: empty slot */
    uint64_t value;
} ms_ptrmap_entry_t;

/* One cache line each, so two threads on two shards do not share one. */
typedef struct ms_ptrmap_shard {
    _Alignas(64) pthread_mutex_t lock;   /* guards the rest of the shard */
    ms_ptrmap_entry_t *entries;   /* capacity slots, meta memory */
    size_t capacity;              /* a power of two, or 0 */
    size_t count;
} ms_ptrmap_shard_t;

typedef struct ms_ptrmap {
    ms_ptrmap_shard_t shards[MS_PTRMAP_SHARDS];
} ms_ptrmap_t;

#define MS_PTRMAP_INITIALIZER { .shards = { [0 ... MS_PTRMAP_SHARDS - 1] = { \
    .lock = PTHREAD_MUTEX_INITIALIZER } } }

/* Adds or replaces key (non-zero). -1 when the table cannot grow. */
int ms_ptrmap_put(ms_ptrmap_t *map, uintptr_t key, uint64_t value);
/* 1 and *value if key is present, 0 if not. */
int ms_ptrmap_get(ms_ptrmap_t *map, uintptr_t key, uint64_t *value);
/* Like get, and removes the key. */
int ms_ptrmap_take(ms_ptrmap_t *map, uintptr_t key, uint64_t *value);
/* ORs bits into key's value; 0 if key is absent. */
int ms_ptrmap_set_bits(ms_ptrmap_t *map, uintptr_t key, uint64_t bits);

/* For a caller that holds every shard lock already (the fork handlers'
 * prepare, as the leak check takes them): a lookup, and a visit of every
 * entry in no particular order. */
int ms_ptrmap_get_held(const ms_ptrmap_t *map, uintptr_t key, uint64_t *value);
void ms_ptrmap_visit_held(const ms_ptrmap_t *map,
                          void (*visit)(void *context, uintptr_t key, uint64_t value), void *context);

void ms_ptrmap_fork_prepare(ms_ptrmap_t *map);
void ms_ptrmap_fork_parent(ms_ptrmap_t *map);
void ms_ptrmap_fork_child(ms_ptrmap_t *map);

#endif
