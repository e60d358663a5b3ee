/* held_tls_thread.c: a thread-local variable (__thread) of a second thread
 * holds the only pointer to a block of 2323 bytes; that thread blocks in
 * pause() while the main thread calls exit(). Its static TLS lives in its
 * thread descriptor, at the top of its stack mapping. Expected: reachable at
 * least 2323 bytes in 1 block, nothing lost (the thread's DTV, a block that
 * ld.so allocated, does not count: see README.md). */
#include "leaks.h"

static __thread void *thread_block;
static int ready;

static LEAKS_NOINLINE void hold(void)
{
    thread_block = allocate(2323);
    escape(&thread_block);
}

static void *holder(void *argument)
{
    (void)argument;
    hold();
    scrub_stack();
    block_forever(&ready);
    return NULL;
}

int main(void)
{
    exit_while_running(holder, &ready,
                       "held_tls_thread: 2323 bytes held by a blocked thread's __thread variable\n");
}
