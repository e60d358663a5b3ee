/* leaks.h: helpers shared by the leak-check corpus, the programs in tests/leaks/.
 *
 * Every program of the corpus must give the same answer under any
 * conservative leak checker: memcheck (which scans only defined words, and
 * only above the stack pointer) and memsnap (which cannot know which words
 * are defined, and scans every word of its roots). So the programs
 *
 *   - never use stdio (its buffers are libc's reachable blocks): say()
 *     writes with write(2);
 *   - fill every block they allocate with 0xA5 bytes (fill()), so that no
 *     block holds a stale pointer left by the allocator;
 *   - let every pointer escape (escape()) so that the compiler cannot drop
 *     a malloc whose result is otherwise unused;
 *   - allocate in noinline functions and then call scrub_stack(), which
 *     zeroes 64 KiB of the stack below the caller: the dead frames of
 *     malloc (and of memsnap's unwinder) that may still hold a copy of a
 *     pointer are overwritten before the process exits. scrub_stack uses
 *     no callee-saved register (it saves none on its stack), so a pointer
 *     the caller keeps in such a register across the call is not copied
 *     to memory (held_register.c relies on it).
 *
 * Header-only, C and C++.
 */
#ifndef MEMSNAP_TESTS_LEAKS_H
#define MEMSNAP_TESTS_LEAKS_H

#include <pthread.h>

#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LEAKS_NOINLINE __attribute__((noinline, noclone))
#define LEAKS_UNUSED   __attribute__((unused))

/* The byte every block is filled with: 0xA5A5A5A5A5A5A5A5 is not a
 * canonical x86-64 address, so it never looks like a pointer. */
#define LEAKS_FILL 0xA5

/* The compiler must assume that p is read, and that memory changed. */
static inline void escape(const void *p)
{
    __asm__ volatile("" : : "r"(p) : "memory");
}

/* Writes a string to stdout, whole, with write(2). */
static LEAKS_UNUSED void say(const char *text)
{
    size_t length = strlen(text), done = 0;
    while (done < length) {
        ssize_t written = write(1, text + done, length - done);
        if (written <= 0)
            _exit(3);
        done += (size_t)written;
    }
}

/* Ends the program with status 2 and a message on stderr. */
static LEAKS_UNUSED void fail(const char *text)
{
    size_t length = strlen(text);
    if (write(2, text, length) < 0 || write(2, "\n", 1) < 0)
        _exit(2);
    _exit(2);
}

/* Fills a block with LEAKS_FILL; returns it. Fails the program on NULL. */
static inline void *fill(void *block, size_t size)
{
    if (block == NULL)
        fail("allocation failed");
    memset(block, LEAKS_FILL, size);
    escape(block);
    return block;
}

/* malloc(size), filled. Not inlined, so that every call of one call site
 * has the same traceback and its frame is below the caller's. */
static LEAKS_NOINLINE LEAKS_UNUSED void *allocate(size_t size)
{
    return fill(malloc(size), size);
}

/* Zeroes SCRUB_BYTES of stack below the caller's frame, and the registers
 * a call may clobber: whatever a callee left there (copies of pointers in
 * the dead frames of malloc, of the preloaded library, of the program's own
 * functions) is gone. */
#define SCRUB_BYTES 65536
static LEAKS_NOINLINE LEAKS_UNUSED void scrub_stack(void)
{
    char area[SCRUB_BYTES];
    memset(area, 0, sizeof area);
    __asm__ volatile("" : : "r"(area) : "memory");
#if defined(__x86_64__)
    /* And the registers a call may leave anything in: memcheck scans every
     * register of a thread at exit, and a copy of a block's address (its
     * last word, say, where memset stopped) can sit in one of these long
     * after the call that put it there. */
    __asm__ volatile("xor %%eax, %%eax\n\txor %%ecx, %%ecx\n\txor %%edx, %%edx\n\t"
                     "xor %%esi, %%esi\n\txor %%edi, %%edi\n\txor %%r8d, %%r8d\n\t"
                     "xor %%r9d, %%r9d\n\txor %%r10d, %%r10d\n\txor %%r11d, %%r11d"
                     ::: "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11");
#endif
}

/* An integer read and written by several threads. */
static inline int flag_get(const int *flag)
{
    return __atomic_load_n(flag, __ATOMIC_ACQUIRE);
}

static inline void flag_set(int *flag, int value)
{
    __atomic_store_n(flag, value, __ATOMIC_RELEASE);
}

/* Waits until *flag is not 0. */
static LEAKS_UNUSED void flag_wait(const int *flag)
{
    while (flag_get(flag) == 0)
        sched_yield();
}

/* Runs body on a thread of its own, waits until body sets *ready, says
 * message and calls exit() while that thread still runs. */
static LEAKS_UNUSED void exit_while_running(void *(*body)(void *), const int *ready,
                                            const char *message)
{
    pthread_t thread;
    if (pthread_create(&thread, NULL, body, NULL) != 0)
        fail("pthread_create failed");
    flag_wait(ready);
    say(message);
    exit(0);
}

/* Sets *ready and blocks for good: the thread stays alive until exit. */
static LEAKS_UNUSED void block_forever(int *ready)
{
    flag_set(ready, 1);
    for (;;)
        pause();
}

/* Allocates size bytes, keeps the only pointer in a local of this frame
 * (volatile: on the stack, not in a register) and blocks for good. */
static LEAKS_NOINLINE LEAKS_UNUSED void hold_on_stack(size_t size, int *ready)
{
    void *volatile on_stack = allocate(size);
    (void)on_stack;
    scrub_stack();
    block_forever(ready);
}

/* Sets *ready and spins for good with block in a register: the asm
 * statements make the compiler keep it live in one, never in memory. */
static inline __attribute__((always_inline, noreturn)) void spin_with(void *block, int *ready)
{
    __asm__ volatile("" : "+r"(block));
    flag_set(ready, 1);
    for (;;)
        __asm__ volatile("" : "+r"(block));
}

#endif
