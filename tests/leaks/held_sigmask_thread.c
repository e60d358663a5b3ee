/* held_sigmask_thread.c: a thread that has blocked every signal (as server
 * workers often do, leaving signals to one sigwait thread) holds the only
 * pointer to a block of 4545 bytes on its stack while the main thread calls
 * exit(). A checker that stops threads with a signal must still reach it.
 * Expected: reachable at least 4545 bytes in 1 block, nothing lost. */
#include <signal.h>

#include "leaks.h"

static int ready;

static void *holder(void *argument)
{
    (void)argument;
    sigset_t all;
    sigfillset(&all);
    if (pthread_sigmask(SIG_BLOCK, &all, NULL) != 0)
        fail("pthread_sigmask failed");
    hold_on_stack(4545, &ready);
    return NULL;
}

int main(void)
{
    exit_while_running(holder, &ready,
                       "held_sigmask_thread: 4545 bytes held by a thread that blocks all signals\n");
}
