/* unwind.h: the traceback id of the current call stack, cached per thread. */
#ifndef MS_UNWIND_H
#define MS_UNWIND_H

#include <stdint.h>

/* Where the program called into memsnap: the return address of the
 * interposed function (the call site in the program) and that function's
 * canonical frame address (the caller's stack pointer after the return). */
typedef struct ms_entry {
    uintptr_t return_address;
    uintptr_t cfa;
} ms_entry_t;

/* The shim's exported functions take this at their entry. They need a frame
 * pointer for it, which GCC sets up when __builtin_frame_address is used. */
#define MS_ENTRY() ((ms_entry_t){ (uintptr_t)__builtin_return_address(0), \
                                  (uintptr_t)__builtin_frame_address(0) + 16 })

/* Frames recorded per traceback (MEMSNAP_FRAMES), 1..MS_FRAMES_MAX. */
void ms_unwind_configure(unsigned max_frames);

/* The sigreturn trampoline, as sigaction reports it: a stack that crosses a
 * signal frame is never cached (its frames may lie on two stacks). */
void ms_unwind_set_signal_trampoline(uintptr_t address);

/* The id of the current stack, below entry, interned in domain; 0 when it
 * cannot be recorded (memory ran out). Calls libunwind on a cache miss:
 * the caller must hold no lock. */
uint32_t ms_unwind_traceback(uint32_t domain, ms_entry_t entry);

/* Cache statistics, for the snapshot's overhead section. */
typedef struct ms_unwind_counters {
    uint64_t hits;
    uint64_t misses;
    uint64_t cache_bytes;
} ms_unwind_counters_t;
void ms_unwind_counters(ms_unwind_counters_t *out);

#endif
