/* domains.c: the non-malloc domains (domains.h).
 *
 *   brk:   a stack of growths, newest on top; shrinking the break takes
 *          bytes back from the top, whole growths first.
 *   mmap:  mapped regions sorted by address; munmap of any range removes or
 *          trims the regions it covers (a region cut in the middle keeps
 *          both ends as one block, since it is still one mapping's record).
 *   user:  an open-addressing table keyed by (domain, address).
 *
 * Each region is a block of its traceback's site (traceback.h). Tables live
 * in meta memory and grow by doubling. Lock: domains_lock, taken after the
 * traceback is captured (never around libunwind) and before the site locks. */
#include "domains.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "meta.h"
#include "trace.h"

typedef struct region {
    uintptr_t start;
    uint64_t size;
    uint32_t domain;
    uint32_t traceback;
} region_t;

typedef struct region_list {
    region_t *items;
    size_t count, capacity;
} region_list_t;

static pthread_mutex_t domains_lock = PTHREAD_MUTEX_INITIALIZER;
static region_list_t growths;       /* brk, in order of growth */
static region_list_t mappings;      /* mmap, sorted by start */
static region_t *user_slots;        /* user domains; start 0 = empty */
static size_t user_capacity, user_count;

static int reserve(region_list_t *list)
{
    if (list->count < list->capacity)
        return 0;
    size_t capacity = list->capacity == 0 ? 256 : list->capacity * 2;
    region_t *items = ms_meta_map(capacity * sizeof *items);
    if (items == NULL)
        return -1;
    if (list->count != 0)
        memcpy(items, list->items, list->count * sizeof *items);
    if (list->items != NULL)
        ms_meta_unmap(list->items, list->capacity * sizeof *items);
    list->items = items;
    list->capacity = capacity;
    return 0;
}

void ms_domain_brk_moved(uintptr_t old_break, intptr_t delta, ms_entry_t entry)
{
    if (delta > 0) {
        uint32_t traceback = ms_trace_capture(MS_DOMAIN_BRK, entry);
        if (traceback == 0)
            return;
        pthread_mutex_lock(&domains_lock);
        if (reserve(&growths) == 0) {
            growths.items[growths.count++] =
                (region_t){ old_break, (uint64_t)delta, MS_DOMAIN_BRK, traceback };
            ms_trace_allocated(traceback, (uint64_t)delta);
        }
        pthread_mutex_unlock(&domains_lock);
        return;
    }
    uint64_t shrink = (uint64_t)-delta;
    pthread_mutex_lock(&domains_lock);
    while (shrink > 0 && growths.count > 0) {
        region_t *top = &growths.items[growths.count - 1];
        if (top->size <= shrink) {
            shrink -= top->size;
            ms_trace_released(top->traceback, top->size);
            growths.count--;
        } else {
            top->size -= shrink;
            ms_trace_shrunk(top->traceback, shrink);
            shrink = 0;
        }
    }
    pthread_mutex_unlock(&domains_lock);
}

/* First mapping that ends after address. */
static size_t first_after(uintptr_t address)
{
    size_t low = 0, high = mappings.count;
    while (low < high) {
        size_t middle = (low + high) / 2;
        if (mappings.items[middle].start + mappings.items[middle].size <= address)
            low = middle + 1;
        else
            high = middle;
    }
    return low;
}

/* Drops or trims the recorded regions in [address, address + length);
 * returns whether there were any. */
static int unmap_locked(uintptr_t address, size_t length)
{
    int found = 0;
    uintptr_t end = address + length;
    size_t i = first_after(address);
    while (i < mappings.count && mappings.items[i].start < end) {
        region_t *region = &mappings.items[i];
        uintptr_t region_end = region->start + region->size;
        uintptr_t cut_start = region->start > address ? region->start : address;
        uintptr_t cut_end = region_end < end ? region_end : end;
        found = 1;
        if (cut_start == region->start && cut_end == region_end) {
            ms_trace_released(region->traceback, region->size);
            memmove(region, region + 1, (mappings.count - i - 1) * sizeof *region);
            mappings.count--;
            continue;
        }
        ms_trace_shrunk(region->traceback, cut_end - cut_start);
        region->size -= cut_end - cut_start;
        if (cut_start == region->start)
            region->start = cut_end;
        i++;
    }
    return found;
}

void ms_domain_mapped(uintptr_t address, size_t length, ms_entry_t entry)
{
    uint32_t traceback = ms_trace_capture(MS_DOMAIN_MMAP, entry);
    pthread_mutex_lock(&domains_lock);
    /* MAP_FIXED may replace part of a recorded mapping. */
    unmap_locked(address, length);
    if (traceback != 0 && reserve(&mappings) == 0) {
        size_t i = first_after(address);
        memmove(&mappings.items[i + 1], &mappings.items[i],
                (mappings.count - i) * sizeof mappings.items[0]);
        mappings.items[i] = (region_t){ address, length, MS_DOMAIN_MMAP, traceback };
        mappings.count++;
        ms_trace_allocated(traceback, length);
    }
    pthread_mutex_unlock(&domains_lock);
}

void ms_domain_unmapped(uintptr_t address, size_t length)
{
    pthread_mutex_lock(&domains_lock);
    unmap_locked(address, length);
    pthread_mutex_unlock(&domains_lock);
}

/* Only a recorded (anonymous) mapping is recorded again where it moved. */
void ms_domain_remapped(uintptr_t old_address, size_t old_length, uintptr_t address,
                        size_t length, ms_entry_t entry)
{
    pthread_mutex_lock(&domains_lock);
    int recorded = unmap_locked(old_address, old_length);
    pthread_mutex_unlock(&domains_lock);
    if (recorded)
        ms_domain_mapped(address, length, entry);
}

static size_t user_probe(uint32_t domain, uintptr_t address)
{
    uint64_t hash = (address ^ ((uint64_t)domain << 40)) * 0x9E3779B97F4A7C15ULL;
    size_t i = (size_t)(hash >> 20) & (user_capacity - 1);
    while (user_slots[i].start != 0 &&
           (user_slots[i].start != address || user_slots[i].domain != domain))
        i = (i + 1) & (user_capacity - 1);
    return i;
}

static int grow_user_table(void)
{
    size_t capacity = user_capacity == 0 ? 1024 : user_capacity * 2;
    region_t *slots = ms_meta_map(capacity * sizeof *slots);
    if (slots == NULL)
        return -1;
    region_t *old = user_slots;
    size_t old_capacity = user_capacity;
    user_slots = slots;
    user_capacity = capacity;
    for (size_t i = 0; i < old_capacity; i++) {
        if (old[i].start != 0)
            user_slots[user_probe(old[i].domain, old[i].start)] = old[i];
    }
    if (old != NULL)
        ms_meta_unmap(old, old_capacity * sizeof *old);
    return 0;
}

/* Removes slot i, moving later entries of its probe run back. */
static void user_remove(size_t i)
{
    user_slots[i].start = 0;
    user_count--;
    for (size_t j = (i + 1) & (user_capacity - 1); user_slots[j].start != 0;
         j = (j + 1) & (user_capacity - 1)) {
        region_t moved = user_slots[j];
        user_slots[j].start = 0;
        user_slots[user_probe(moved.domain, moved.start)] = moved;
    }
}

int ms_domain_track(uint32_t domain, uintptr_t address, size_t size, ms_entry_t entry)
{
    if (domain < MS_DOMAIN_USER_FIRST || domain == MS_DOMAIN_UNSAMPLED || address == 0) {
        errno = EINVAL;
        return -1;
    }
    uint32_t traceback = ms_trace_capture(domain, entry);
    if (traceback == 0) {
        errno = ms_trace_recording ? ENOMEM : EPERM;
        return -1;
    }
    int result = 0;
    pthread_mutex_lock(&domains_lock);
    if ((user_count + 1) * 2 > user_capacity && grow_user_table() != 0) {
        errno = ENOMEM;
        result = -1;
    } else {
        size_t i = user_probe(domain, address);
        if (user_slots[i].start != 0)
            ms_trace_released(user_slots[i].traceback, user_slots[i].size);
        else
            user_count++;
        user_slots[i] = (region_t){ address, size, domain, traceback };
        ms_trace_allocated(traceback, size);
    }
    pthread_mutex_unlock(&domains_lock);
    return result;
}

int ms_domain_untrack(uint32_t domain, uintptr_t address)
{
    int result = -1;
    pthread_mutex_lock(&domains_lock);
    size_t i = user_capacity == 0 ? 0 : user_probe(domain, address);
    if (user_capacity != 0 && user_slots[i].start != 0) {
        ms_trace_released(user_slots[i].traceback, user_slots[i].size);
        user_remove(i);
        result = 0;
    } else {
        errno = ENOENT;
    }
    pthread_mutex_unlock(&domains_lock);
    return result;
}

void ms_domains_visit_regions_held(void (*visit)(void *context, uintptr_t start, uint64_t size),
                                   void *context)
{
    for (size_t i = 0; i < growths.count; i++)
        visit(context, growths.items[i].start, growths.items[i].size);
    for (size_t i = 0; i < mappings.count; i++)
        visit(context, mappings.items[i].start, mappings.items[i].size);
}

void ms_domains_fork_prepare(void)
{
    pthread_mutex_lock(&domains_lock);
}

void ms_domains_fork_parent(void)
{
    pthread_mutex_unlock(&domains_lock);
}

void ms_domains_fork_child(void)
{
    pthread_mutex_init(&domains_lock, NULL);
}
