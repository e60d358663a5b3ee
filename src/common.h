/* common.h: compiler helpers and build-wide constants shared by every layer.
 *
 * Holds no state and includes only compiler and libc headers, so any file may
 * include it first. */
#ifndef MS_COMMON_H
#define MS_COMMON_H

#include <stddef.h>
#include <stdint.h>

#define MS_LIKELY(x)   __builtin_expect(!!(x), 1)
#define MS_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define MS_NOINLINE    __attribute__((noinline))
#define MS_INLINE      static inline __attribute__((always_inline))
#define MS_EXPORT      __attribute__((visibility("default")))
/* For code that reads words of the program's stack on purpose (unwind.c):
 * AddressSanitizer would flag the redzones around the caller's locals. */
#define MS_NO_ASAN     __attribute__((no_sanitize_address))

/* Thread-locals of the preload use the initial-exec model: a plain %fs-relative
 * load, no __tls_get_addr call that could allocate on first touch. */
#define MS_TLS __thread __attribute__((tls_model("initial-exec")))

/* Orders plain stores for a thread interrupted by fork() in another thread:
 * the child then sees the stores in program order (see heap.h). */
#define ms_compiler_barrier() __asm__ __volatile__("" ::: "memory")

#define MS_CACHE_LINE 64

/* A statistics counter bumped from any thread: a plain add while the process
 * has one thread (glibc clears __libc_single_threaded before a second one
 * exists), a relaxed atomic add after. */
#include <sys/single_threaded.h>
MS_INLINE uint64_t ms_counter_add(uint64_t *counter, uint64_t amount)
{
    if (__libc_single_threaded)
        return *counter += amount;
    return __atomic_add_fetch(counter, amount, __ATOMIC_RELAXED);
}

MS_INLINE uint64_t ms_counter_sub(uint64_t *counter, uint64_t amount)
{
    if (__libc_single_threaded)
        return *counter -= amount;
    return __atomic_sub_fetch(counter, amount, __ATOMIC_RELAXED);
}

#endif
