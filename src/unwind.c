/* unwind.c: call stacks with libunwind, and the per-thread stack cache that
 * makes exact tracing affordable.
 *
 * Why a cache: unw_backtrace on every malloc of an allocation-heavy Python
 * run (21 frames on average) costs more time than the program itself, and
 * frame pointers are no way out (Debian builds Python without them). But
 * almost every allocation comes from a stack seen before: so each thread
 * keeps a cache of stacks, in sets chosen by the entry's return address and
 * CFA (the call site and its depth). An entry remembers where on the stack
 * each frame's return address was found; a hit re-reads those words and
 * takes the cached traceback when all of them still hold the same return
 * addresses. A hit costs one read per frame and no unwinding; a miss costs
 * one unw_backtrace and one scan.
 *
 * Measured on the Python JSON workload of `make bench` (6M allocations):
 * one entry per key hits 79% (a call site at one depth is reached from a few
 * different callers, in turn, and they evict each other); four ways per set
 * hit 99.7%, and tracing then costs about as much as glibc's malloc saves.
 *
 *   stack (grows down)                     cache entry (return_address, cfa)
 *   | ...             |  <- top                 traceback id 17, 4 frames
 *   | return addr 3   |  cfa + 8 * offsets[3]   offsets[3]
 *   | ...frame 2...   |
 *   | return addr 2   |  cfa + 8 * offsets[2]   offsets[2]
 *   | return addr 1   |  cfa + 8 * offsets[1]   offsets[1]
 *   | ...frame 0...   |
 *   +-----------------+  cfa (caller's stack pointer after malloc returns)
 *   | return addr 0   |  the entry's own return address: the key
 *
 * The positions come from scanning the stack upwards for each return address
 * unw_backtrace reported (libunwind's fast trace does not report where it
 * found them). A stale copy of a return address below the real one would
 * make the cache check the wrong word, so a stack where a return address
 * shows up twice before the next frame's is never cached. Neither is a stack
 * through a signal frame (it may span two stacks), one deeper than
 * CACHED_FRAMES_MAX, or one not on the thread's own stack: scans and checks
 * stay between the CFA and the top of the thread's stack (its glibc thread
 * descriptor, or __libc_stack_end for the main thread), so they only read
 * mapped memory.
 *
 * State: the cache hangs off the thread's heap (heap.h) and is touched only by
 * its owner. max_frames, the library range and the trampoline are written
 * once at start-up; the counters are relaxed atomics. */
#include "unwind.h"

#define UNW_LOCAL_ONLY
#include <dlfcn.h>
#include <libunwind.h>
#include <link.h>
#include <pthread.h>

#include "heap.h"
#include "meta.h"
#include "traceback.h"

#define CACHE_SETS         512
#define CACHE_WAYS         4          /* stacks kept per set, any key */
#define CACHED_FRAMES_MAX  64
#define OWN_FRAMES_MAX     8          /* memsnap frames above the entry */
#define SCAN_GAP_MAX       (64 << 10) /* bytes searched for the next frame */
#define THREAD_STACK_MAX   ((uintptr_t)256 << 20)
#define MAIN_STACK_MAX     ((uintptr_t)1 << 30)

typedef struct cache_entry {
    uintptr_t return_address;
    uintptr_t cfa;
    const ms_traceback_t *record;
    uint32_t traceback;
    uint16_t nframes;             /* 0: this stack cannot be cached */
    uint16_t offsets[CACHED_FRAMES_MAX];  /* words above cfa; [0] unused */
} cache_entry_t;

typedef struct ms_stack_cache {
    cache_entry_t sets[CACHE_SETS][CACHE_WAYS];
    uint8_t next_victim[CACHE_SETS];  /* round-robin replacement */
} ms_stack_cache_t;

extern void *__libc_stack_end;

static unsigned max_frames = 64;
static uintptr_t library_start, library_end;
static uintptr_t signal_trampoline;
static ms_unwind_counters_t counters;

static int find_library(struct dl_phdr_info *info, size_t size, void *base)
{
    (void)size;
    if ((void *)info->dlpi_addr != base)
        return 0;
    for (unsigned i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *segment = &info->dlpi_phdr[i];
        if (segment->p_type == PT_LOAD && (segment->p_flags & PF_X)) {
            library_start = info->dlpi_addr + segment->p_vaddr;
            library_end = library_start + segment->p_memsz;
        }
    }
    return 1;
}

void ms_unwind_configure(unsigned frames)
{
    max_frames = frames;
    Dl_info info;
    if (dladdr((void *)ms_unwind_configure, &info) != 0)
        dl_iterate_phdr(find_library, info.dli_fbase);
}

void ms_unwind_set_signal_trampoline(uintptr_t address)
{
    signal_trampoline = address;
}

/* The top of the stack cfa lies on, or 0 if it is not this thread's stack. */
static uintptr_t stack_top(uintptr_t cfa)
{
    uintptr_t descriptor = (uintptr_t)pthread_self();
    if (cfa < descriptor && descriptor - cfa < THREAD_STACK_MAX)
        return descriptor;
    uintptr_t main_top = (uintptr_t)__libc_stack_end;
    if (cfa < main_top && main_top - cfa < MAIN_STACK_MAX)
        return main_top;
    return 0;
}

/* The set entry's stacks go to, and *victim the way a miss replaces. */
static cache_entry_t *cache_set(ms_entry_t entry, uint8_t **victim)
{
    ms_heap_t *heap = ms_heap_current;
    if (heap == &ms_heap_empty)
        return NULL;
    ms_stack_cache_t *cache = heap->stack_cache;
    if (MS_UNLIKELY(cache == NULL)) {
        cache = ms_meta_map(sizeof *cache);
        if (cache == NULL)
            return NULL;
        heap->stack_cache = cache;
        __atomic_add_fetch(&counters.cache_bytes, sizeof *cache, __ATOMIC_RELAXED);
    }
    uint64_t hash = (entry.return_address * 0x9E3779B97F4A7C15ULL) ^
                    ((entry.cfa >> 3) * 0xC2B2AE3D27D4EB4FULL);
    unsigned set = (unsigned)(hash >> 32) % CACHE_SETS;
    *victim = &cache->next_victim[set];
    return cache->sets[set];
}

MS_NO_ASAN static int cache_hit(const cache_entry_t *cached, ms_entry_t entry)
{
    if (cached->return_address != entry.return_address || cached->cfa != entry.cfa ||
        cached->nframes == 0)
        return 0;
    const uintptr_t *frames = cached->record->frames;
    unsigned n = cached->nframes;
    /* The thread (a new owner of this heap, maybe) must have the words. */
    uintptr_t top = stack_top(entry.cfa);
    if (top == 0 || entry.cfa + 8 * (uintptr_t)cached->offsets[n - 1] >= top)
        return 0;
    for (unsigned i = 1; i < n; i++) {
        if (*(const uintptr_t *)(entry.cfa + 8 * (uintptr_t)cached->offsets[i]) != frames[i])
            return 0;
    }
    return 1;
}

/* Finds where each frame's return address sits; 0 if the stack cannot be
 * cached (see the comment at the top). */
MS_NO_ASAN static unsigned find_slots(const uintptr_t *frames, unsigned nframes, uintptr_t cfa,
                           uint16_t *offsets)
{
    uintptr_t top = stack_top(cfa);
    if (top == 0 || nframes > CACHED_FRAMES_MAX || *(const uintptr_t *)(cfa - 8) != frames[0])
        return 0;
    const uintptr_t *word = (const uintptr_t *)cfa;
    const uintptr_t *end = (const uintptr_t *)(top & ~(uintptr_t)7);
    for (unsigned i = 1; i < nframes; i++) {
        if (frames[i] == signal_trampoline)
            return 0;
        const uintptr_t *limit = word + SCAN_GAP_MAX / 8;
        if (limit > end)
            limit = end;
        while (word < limit && *word != frames[i]) {
            /* The previous frame's address again: which copy was real? */
            if (*word == frames[i - 1])
                return 0;
            word++;
        }
        uintptr_t offset = (uintptr_t)(word - (const uintptr_t *)cfa);
        if (word == limit || offset > UINT16_MAX)
            return 0;
        offsets[i] = (uint16_t)offset;
        word++;
    }
    return nframes;
}

static uint32_t unwind_and_intern(uint32_t domain, ms_entry_t entry, cache_entry_t *cached)
{
    void *buffer[MS_FRAMES_MAX + OWN_FRAMES_MAX + 1];
    int count = unw_backtrace(buffer, (int)(max_frames + OWN_FRAMES_MAX + 1));
    /* Drop memsnap's own frames: everything up to the entry's return
     * address, or failing that (an unexpected inlining) every frame inside
     * this library. */
    int first = 0;
    while (first < count && first <= OWN_FRAMES_MAX &&
           (uintptr_t)buffer[first] != entry.return_address)
        first++;
    if (first == count || first > OWN_FRAMES_MAX) {
        first = 0;
        while (first < count && (uintptr_t)buffer[first] >= library_start &&
               (uintptr_t)buffer[first] < library_end)
            first++;
    }
    unsigned available = (unsigned)(count - first);
    unsigned nframes = available < max_frames ? available : max_frames;
    const uintptr_t *frames = (const uintptr_t *)&buffer[first];
    uint32_t id = ms_traceback_intern(domain, frames, nframes, available > max_frames);
    if (cached != NULL && id != 0) {
        cached->return_address = entry.return_address;
        cached->cfa = entry.cfa;
        cached->traceback = id;
        cached->record = ms_site(id)->traceback;
        cached->nframes = (uint16_t)find_slots(frames, nframes, entry.cfa, cached->offsets);
    }
    return id;
}

uint32_t ms_unwind_traceback(uint32_t domain, ms_entry_t entry)
{
    uint8_t *victim = NULL;
    cache_entry_t *set = domain == 0 ? cache_set(entry, &victim) : NULL;
    if (set == NULL) {
        ms_counter_add(&counters.misses, 1);
        return unwind_and_intern(domain, entry, NULL);
    }
    for (unsigned way = 0; way < CACHE_WAYS; way++) {
        if (cache_hit(&set[way], entry)) {
            ms_counter_add(&counters.hits, 1);
            return set[way].traceback;
        }
    }
    ms_counter_add(&counters.misses, 1);
    unsigned way = (*victim)++ % CACHE_WAYS;
    return unwind_and_intern(domain, entry, &set[way]);
}

void ms_unwind_counters(ms_unwind_counters_t *out)
{
    out->hits = __atomic_load_n(&counters.hits, __ATOMIC_RELAXED);
    out->misses = __atomic_load_n(&counters.misses, __ATOMIC_RELAXED);
    out->cache_bytes = __atomic_load_n(&counters.cache_bytes, __ATOMIC_RELAXED);
}
