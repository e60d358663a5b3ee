/* thread_exit_leak.c: a thread allocates a block of 555 bytes, keeps the
 * only pointer in a volatile local on its own stack, and returns; the main
 * thread joins it. Once the thread is gone its stack is no root (glibc
 * keeps the mapping in its stack cache, but nothing live is in it).
 * Expected: definite 555 bytes in 1 block. */
#include <pthread.h>

#include "leaks.h"

static void *worker(void *argument)
{
    (void)argument;
    void *volatile on_stack = allocate(555);
    (void)on_stack;
    return NULL;
}

int main(void)
{
    pthread_t thread;
    if (pthread_create(&thread, NULL, worker, NULL) != 0 || pthread_join(thread, NULL) != 0)
        fail("pthread_create or pthread_join failed");
    scrub_stack();
    say("thread_exit_leak: 555 bytes lost with a thread's stack\n");
    return 0;
}
