/* traceback.c: the intern table of tracebacks (design in traceback.h).
 *
 * The index is an open-addressing table of ids, keyed by each record's hash,
 * grown (doubled, in a new mapping) at half load. Lookups and inserts both
 * take intern_lock; they only happen when the per-thread stack cache misses
 * (unwind.c), so the lock is off the hot path.
 *
 * Frame ids: a second open-addressing table maps each return address to its
 * id, and frame_addresses lists them by id; both grow by doubling.
 *
 * Lock: intern_lock, a leaf: guards index, index_capacity, next_id, the
 * frame tables and the directory's chunk pointers. A site's counters are guarded by its own lock
 * (traceback.h); its traceback pointer is written once before its id is
 * published (release store of next_id) and never changes. */
#include "traceback.h"

#include <pthread.h>
#include <string.h>

#include "meta.h"

ms_site_t *ms_site_directory[MS_SITE_CHUNKS];

static pthread_mutex_t intern_lock = PTHREAD_MUTEX_INITIALIZER;
static uint32_t *index_slots;           /* ids; 0 = empty */
static size_t index_capacity;           /* a power of two, or 0 */
static uint32_t next_id = 1;            /* read without the lock: acquire */
static uint64_t record_bytes;           /* intern_lock */
static uint32_t *frame_slots;           /* frame id + 1; 0 = empty */
static size_t frame_capacity;           /* a power of two, or 0 */
static uintptr_t *frame_addresses;      /* by frame id */
static uint32_t frame_count;

static uint64_t hash_frames(uint32_t domain, const uintptr_t *frames, unsigned nframes,
                            int truncated)
{
    uint64_t hash = 0xcbf29ce484222325ULL ^ domain ^ ((uint64_t)truncated << 40);
    for (unsigned i = 0; i < nframes; i++) {
        hash ^= frames[i];
        hash *= 0x100000001b3ULL;
        hash ^= hash >> 29;
    }
    return hash ^ nframes;
}

static int same_traceback(const ms_traceback_t *record, uint64_t hash, uint32_t domain,
                          const uintptr_t *frames, unsigned nframes, int truncated)
{
    return record->hash == hash && record->domain == domain && record->nframes == nframes &&
           record->truncated == truncated &&
           memcmp(record->frames, frames, nframes * sizeof frames[0]) == 0;
}

static int grow_index(void)
{
    size_t capacity = index_capacity == 0 ? 4096 : index_capacity * 2;
    uint32_t *slots = ms_meta_map(capacity * sizeof *slots);
    if (slots == NULL)
        return -1;
    for (size_t i = 0; i < index_capacity; i++) {
        uint32_t id = index_slots[i];
        if (id == 0)
            continue;
        size_t probe = ms_site(id)->traceback->hash & (capacity - 1);
        while (slots[probe] != 0)
            probe = (probe + 1) & (capacity - 1);
        slots[probe] = id;
    }
    if (index_slots != NULL)
        ms_meta_unmap(index_slots, index_capacity * sizeof *index_slots);
    index_slots = slots;
    index_capacity = capacity;
    return 0;
}

static size_t frame_probe(const uint32_t *slots, size_t capacity, uintptr_t address)
{
    size_t probe = (size_t)((address * 0x9E3779B97F4A7C15ULL) >> 17) & (capacity - 1);
    while (slots[probe] != 0 && frame_addresses[slots[probe] - 1] != address)
        probe = (probe + 1) & (capacity - 1);
    return probe;
}

static int grow_frames(void)
{
    size_t capacity = frame_capacity == 0 ? 4096 : frame_capacity * 2;
    uint32_t *slots = ms_meta_map(capacity * sizeof *slots);
    uintptr_t *addresses = ms_meta_map(capacity / 2 * sizeof *addresses);
    if (slots == NULL || addresses == NULL) {
        if (slots != NULL)
            ms_meta_unmap(slots, capacity * sizeof *slots);
        if (addresses != NULL)
            ms_meta_unmap(addresses, capacity / 2 * sizeof *addresses);
        return -1;
    }
    if (frame_count != 0)
        memcpy(addresses, frame_addresses, frame_count * sizeof *addresses);
    if (frame_addresses != NULL) {
        ms_meta_unmap(frame_addresses, frame_capacity / 2 * sizeof *frame_addresses);
        ms_meta_unmap(frame_slots, frame_capacity * sizeof *frame_slots);
    }
    frame_addresses = addresses;
    for (uint32_t id = 0; id < frame_count; id++)
        slots[frame_probe(slots, capacity, addresses[id])] = id + 1;
    frame_slots = slots;
    frame_capacity = capacity;
    return 0;
}

/* The frame id of address, added if new; UINT32_MAX when out of memory. */
static uint32_t frame_id(uintptr_t address)
{
    if ((size_t)(frame_count + 1) * 2 > frame_capacity && grow_frames() != 0)
        return UINT32_MAX;
    size_t probe = frame_probe(frame_slots, frame_capacity, address);
    if (frame_slots[probe] == 0) {
        frame_addresses[frame_count] = address;
        frame_slots[probe] = ++frame_count;
    }
    return frame_slots[probe] - 1;
}

uint32_t ms_traceback_frames(uintptr_t **addresses, void *(*allocate)(size_t))
{
    pthread_mutex_lock(&intern_lock);
    uint32_t count = frame_count;
    *addresses = allocate((count + 1) * sizeof **addresses);
    if (*addresses == NULL)
        count = 0;
    else if (count != 0)
        memcpy(*addresses, frame_addresses, count * sizeof **addresses);
    pthread_mutex_unlock(&intern_lock);
    return count;
}

/* A new site for record; the caller holds intern_lock. */
static uint32_t add_site(ms_traceback_t *record)
{
    uint32_t id = next_id;
    if (id >= MS_SITE_CHUNK * MS_SITE_CHUNKS)
        return 0;
    ms_site_t **chunk = &ms_site_directory[id >> MS_SITE_CHUNK_BITS];
    if (*chunk == NULL) {
        *chunk = ms_meta_map(MS_SITE_CHUNK * sizeof(ms_site_t));
        if (*chunk == NULL)
            return 0;
        record_bytes += MS_SITE_CHUNK * sizeof(ms_site_t);
    }
    ms_site(id)->traceback = record;
    __atomic_store_n(&next_id, id + 1, __ATOMIC_RELEASE);
    return id;
}

uint32_t ms_traceback_intern(uint32_t domain, const uintptr_t *frames, unsigned nframes,
                             int truncated)
{
    uint64_t hash = hash_frames(domain, frames, nframes, truncated);
    uint32_t id = 0;
    pthread_mutex_lock(&intern_lock);
    if ((size_t)next_id * 2 >= index_capacity && grow_index() != 0)
        goto out;
    size_t probe = hash & (index_capacity - 1);
    for (; index_slots[probe] != 0; probe = (probe + 1) & (index_capacity - 1)) {
        uint32_t candidate = index_slots[probe];
        if (same_traceback(ms_site(candidate)->traceback, hash, domain, frames, nframes,
                           truncated)) {
            id = candidate;
            goto out;
        }
    }
    size_t size = sizeof(ms_traceback_t) + nframes * (sizeof frames[0] + sizeof(uint32_t));
    ms_traceback_t *record = ms_meta_alloc(size);
    if (record == NULL)
        goto out;
    record_bytes += (size + MS_CACHE_LINE - 1) & ~(size_t)(MS_CACHE_LINE - 1);
    record->hash = hash;
    record->domain = domain;
    record->nframes = (uint16_t)nframes;
    record->truncated = (uint16_t)truncated;
    memcpy(record->frames, frames, nframes * sizeof frames[0]);
    uint32_t *ids = (uint32_t *)&record->frames[nframes];
    for (unsigned i = 0; i < nframes; i++) {
        if ((ids[i] = frame_id(frames[i])) == UINT32_MAX)
            goto out;
    }
    id = add_site(record);
    if (id != 0)
        index_slots[probe] = id;
out:
    pthread_mutex_unlock(&intern_lock);
    return id;
}

uint32_t ms_traceback_count(void)
{
    return __atomic_load_n(&next_id, __ATOMIC_ACQUIRE);
}

void ms_site_lock_slow(ms_site_t *site)
{
    do {
        while (__atomic_load_n(&site->lock, __ATOMIC_RELAXED) != 0)
            __builtin_ia32_pause();
    } while (__atomic_exchange_n(&site->lock, 1, __ATOMIC_ACQUIRE) != 0);
}

void ms_site_read(uint32_t id, ms_counters_t *out)
{
    ms_site_t *site = ms_site(id);
    int locked = ms_site_lock(site);
    *out = site->counters;
    ms_site_unlock(site, locked);
}

uint64_t ms_traceback_memory(void)
{
    pthread_mutex_lock(&intern_lock);
    uint64_t bytes = record_bytes + index_capacity * sizeof *index_slots +
                     frame_capacity * (sizeof *frame_slots + sizeof *frame_addresses / 2);
    pthread_mutex_unlock(&intern_lock);
    return bytes;
}

void ms_traceback_fork_prepare(void)
{
    pthread_mutex_lock(&intern_lock);
}

void ms_traceback_fork_parent(void)
{
    pthread_mutex_unlock(&intern_lock);
}

/* A site lock held by a thread that no longer exists would never open. */
void ms_traceback_fork_child(void)
{
    pthread_mutex_init(&intern_lock, NULL);
    uint32_t count = next_id;
    for (uint32_t id = 1; id < count; id++)
        ms_site(id)->lock = 0;
}
