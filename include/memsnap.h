/* memsnap.h: the program-side API of memsnap, the LD_PRELOAD heap tracer.
 *
 * Header only, with no link-time dependency: each call looks for the
 * preloaded library at run time (dlsym of "memsnap_api_v1") and is a no-op
 * returning -1 with errno ENOSYS when the program runs without it. Include
 * it and call the functions; nothing to link (glibc 2.34 and later have dlsym
 * in libc itself; older ones need -ldl).
 *
 *   memsnap_snapshot("after-load");        write a snapshot now
 *   memsnap_track(MY_POOL, p, n);          a block of my own allocator
 *
 * Return values: 0 on success, -1 with errno on failure. Domains 0-15 are
 * memsnap's own: 0 malloc, 1 brk/sbrk, 2 the program's anonymous mmaps. */
#ifndef MEMSNAP_H
#define MEMSNAP_H

#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#define MEMSNAP_DOMAIN_MALLOC 0u
#define MEMSNAP_DOMAIN_BRK    1u
#define MEMSNAP_DOMAIN_MMAP   2u
#define MEMSNAP_DOMAIN_USER   16u   /* the first domain a program may use */

/* The table the library exports; append-only (size tells what is there). */
struct memsnap_api {
    size_t size;
    int (*snapshot)(const char *tag);
    int (*start)(void);
    int (*stop)(void);
    int (*is_tracing)(void);
    int (*track)(unsigned domain, const void *pointer, size_t size);
    int (*untrack)(unsigned domain, const void *pointer);
    int (*traced_memory)(size_t *current, size_t *peak);
    int (*reset_peak)(void);
    size_t (*tracer_memory)(void);
    long (*leak_check)(void);
    int (*ignore)(const void *pointer);
};

static inline const struct memsnap_api *memsnap__api(void)
{
    static const struct memsnap_api *api;
    static int looked_up;
    if (!looked_up) {
        /* RTLD_DEFAULT is the null handle in glibc; spelt out so that the
         * header needs no _GNU_SOURCE. A race here only repeats the lookup. */
        api = (const struct memsnap_api *)dlsym((void *)0, "memsnap_api_v1");
        looked_up = 1;
    }
    return api;
}

#define MEMSNAP__CALL(member, ...)                      \
    const struct memsnap_api *api = memsnap__api();     \
    if (api == NULL || api->size <= offsetof(struct memsnap_api, member) || \
        api->member == NULL) {                          \
        errno = ENOSYS;                                 \
        return -1;                                      \
    }                                                   \
    return api->member(__VA_ARGS__)

/* Writes a snapshot now into MEMSNAP_DIR; tag (may be NULL) goes into the
 * file name (letters, digits, - and _ kept) and the snapshot. */
static inline int memsnap_snapshot(const char *tag) { MEMSNAP__CALL(snapshot, tag); }

/* Start or stop recording new allocations (MEMSNAP_START=0 starts stopped).
 * Stopping keeps what was recorded. is_tracing: 1, 0, or -1 without memsnap. */
static inline int memsnap_start(void) { MEMSNAP__CALL(start); }
static inline int memsnap_stop(void) { MEMSNAP__CALL(stop); }
static inline int memsnap_is_tracing(void) { MEMSNAP__CALL(is_tracing); }

/* Memory of the program's own allocators, in a domain >= MEMSNAP_DOMAIN_USER:
 * recorded with the caller's traceback. Tracking a pointer already tracked
 * in that domain replaces it. */
static inline int memsnap_track(unsigned domain, const void *pointer, size_t size)
{
    MEMSNAP__CALL(track, domain, pointer, size);
}
static inline int memsnap_untrack(unsigned domain, const void *pointer)
{
    MEMSNAP__CALL(untrack, domain, pointer);
}

/* Traced bytes now and at the peak (all domains), as tracemalloc's
 * get_traced_memory; reset_peak sets the peak to the current value. */
static inline int memsnap_traced_memory(size_t *current, size_t *peak)
{
    MEMSNAP__CALL(traced_memory, current, peak);
}
static inline int memsnap_reset_peak(void) { MEMSNAP__CALL(reset_peak); }

/* Bytes memsnap uses for itself (tracemalloc's get_tracemalloc_memory);
 * 0 without memsnap. */
static inline size_t memsnap_tracer_memory(void)
{
    const struct memsnap_api *api = memsnap__api();
    return api != NULL ? api->tracer_memory() : 0;
}

/* A leak check now, as at exit with MEMSNAP_LEAKS=1, and the program goes
 * on: returns the number of blocks of the failing kinds (definitely and
 * indirectly lost, or MEMSNAP_LEAK_KINDS) left after MEMSNAP_SUPPRESSIONS.
 * When it finds lost blocks it writes a snapshot (label "leak_check") and
 * prints the report on stderr. A test harness can call it after each test. */
static inline long memsnap_leak_check(void) { MEMSNAP__CALL(leak_check); }

/* Marks the block malloc returned as intended to stay (LeakSanitizer's
 * __lsan_ignore_object): never reported, and what it points to counts as
 * reachable. -1 with EINVAL when pointer is no live recorded block. */
static inline int memsnap_ignore(const void *pointer) { MEMSNAP__CALL(ignore, pointer); }

#endif
