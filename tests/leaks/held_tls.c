/* held_tls.c: a thread-local variable (__thread) of the main thread holds
 * the only pointer to a block of 2222 bytes when the main thread calls
 * exit(). The main thread's static TLS block was set up by ld.so before
 * main (not a malloc block). Expected: reachable at least 2222 bytes in 1
 * block, nothing lost. */
#include "leaks.h"

static __thread void *thread_block;

static LEAKS_NOINLINE void hold(void)
{
    thread_block = allocate(2222);
    escape(&thread_block);
}

int main(void)
{
    hold();
    scrub_stack();
    say("held_tls: 2222 bytes held by the main thread's __thread variable\n");
    exit(0);
}
