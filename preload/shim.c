/* shim.c: the allocation functions libmemsnap.so exports to the program.
 *
 * Each checks its arguments the way glibc 2.36 does, so a program sees the
 * same errors with and without memsnap, and forwards to the core: the plain
 * allocator (src/alloc.h) while nothing is recorded, the traced entry points
 * (src/trace.h) while something is. Those need the caller's return address
 * and frame (MS_ENTRY), taken here, in the function the program called. It
 * holds no state and takes no lock. C++ operator new and delete reach these
 * through libstdc++. */
#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include "alloc.h"
#include "common.h"
#include "trace.h"

MS_EXPORT void *malloc(size_t size)
{
    if (MS_LIKELY(!ms_trace_recording))
        return ms_malloc(size, 0);
    return ms_trace_malloc(size, MS_ENTRY());
}

MS_EXPORT void free(void *pointer)
{
    if (MS_LIKELY(!ms_trace_armed))
        ms_free(pointer, NULL);
    else
        ms_trace_free(pointer);
}

MS_EXPORT void *calloc(size_t count, size_t size)
{
    if (MS_LIKELY(!ms_trace_recording))
        return ms_calloc(count, size, 0);
    return ms_trace_calloc(count, size, MS_ENTRY());
}

static void *realloc_from(void *pointer, size_t size, ms_entry_t entry)
{
    if (MS_LIKELY(!ms_trace_armed))
        return ms_realloc(pointer, size, 0, NULL);
    return ms_trace_realloc(pointer, size, entry);
}

MS_EXPORT void *realloc(void *pointer, size_t size)
{
    return realloc_from(pointer, size, MS_ENTRY());
}

MS_EXPORT void *reallocarray(void *pointer, size_t count, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(count, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc_from(pointer, total, MS_ENTRY());
}

static int is_power_of_two(size_t value)
{
    return value != 0 && (value & (value - 1)) == 0;
}

static void *aligned_from(size_t alignment, size_t size, ms_entry_t entry)
{
    if (MS_LIKELY(!ms_trace_recording))
        return ms_memalign(alignment, size, 0);
    return ms_trace_memalign(alignment, size, entry);
}

/* glibc's memalign and aligned_alloc round an alignment that is not a power
 * of two up to the next one, and refuse one above SIZE_MAX / 2 + 1. */
static void *memalign_like_glibc(size_t alignment, size_t size, ms_entry_t entry)
{
    if (alignment > SIZE_MAX / 2 + 1) {
        errno = EINVAL;
        return NULL;
    }
    size_t rounded = 1;
    while (rounded < alignment)
        rounded <<= 1;
    return aligned_from(rounded, size, entry);
}

MS_EXPORT void *memalign(size_t alignment, size_t size)
{
    return memalign_like_glibc(alignment, size, MS_ENTRY());
}

MS_EXPORT void *aligned_alloc(size_t alignment, size_t size)
{
    return memalign_like_glibc(alignment, size, MS_ENTRY());
}

MS_EXPORT int posix_memalign(void **result, size_t alignment, size_t size)
{
    if (alignment % sizeof(void *) != 0 || !is_power_of_two(alignment))
        return EINVAL;
    int saved_errno = errno;
    void *block = aligned_from(alignment, size, MS_ENTRY());
    errno = saved_errno;
    if (block == NULL)
        return ENOMEM;
    *result = block;
    return 0;
}

MS_EXPORT void *valloc(size_t size)
{
    return aligned_from((size_t)sysconf(_SC_PAGESIZE), size, MS_ENTRY());
}

MS_EXPORT void *pvalloc(size_t size)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    if (size > SIZE_MAX - page) {
        errno = ENOMEM;
        return NULL;
    }
    size_t rounded = size == 0 ? page : (size + page - 1) & ~(page - 1);
    return aligned_from(page, rounded, MS_ENTRY());
}

MS_EXPORT size_t malloc_usable_size(void *pointer)
{
    return ms_usable_size(pointer);
}
