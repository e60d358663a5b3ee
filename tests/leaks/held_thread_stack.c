/* held_thread_stack.c: a live thread's stack holds the only pointer to a
 * block of 4444 bytes (a volatile local of the thread function) while the
 * thread blocks in pause() and the main thread calls exit(). Expected:
 * reachable at least 4444 bytes in 1 block, nothing lost. */
#include "leaks.h"

static int ready;

static void *holder(void *argument)
{
    (void)argument;
    hold_on_stack(4444, &ready);
    return NULL;
}

int main(void)
{
    exit_while_running(holder, &ready,
                       "held_thread_stack: 4444 bytes held by a blocked thread's stack\n");
}
