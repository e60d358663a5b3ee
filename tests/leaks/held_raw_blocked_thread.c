/* held_raw_blocked_thread.c: a thread blocks every signal with the raw
 * rt_sigprocmask system call (past any library's sigprocmask), then waits
 * in pause() with the only pointer to a block of 4646 bytes on its stack
 * while the main thread calls exit(). A checker that stops threads with a
 * signal gets no answer from it (memsnap waits 3 s), but can still scan its
 * stack from the stack pointer the kernel saved. Expected: reachable at
 * least 4646 bytes in 1 block, nothing lost. */
#include <signal.h>
#include <sys/syscall.h>

#include "leaks.h"

static int ready;

static void *holder(void *argument)
{
    (void)argument;
    void *volatile on_stack = allocate(4646);
    (void)on_stack;
    scrub_stack();
    uint64_t all = ~(uint64_t)0;
    if (syscall(SYS_rt_sigprocmask, SIG_BLOCK, &all, NULL, sizeof all) != 0)
        fail("rt_sigprocmask failed");
    block_forever(&ready);
    return NULL;
}

int main(void)
{
    exit_while_running(holder, &ready,
                       "held_raw_blocked_thread: 4646 bytes held by a thread deaf to signals\n");
}
