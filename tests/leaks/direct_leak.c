/* direct_leak.c: one block of 1000 bytes whose only pointer is dropped.
 * Expected: definite 1000 bytes in 1 block. */
#include "leaks.h"

static LEAKS_NOINLINE void leak(void)
{
    allocate(1000);
}

int main(void)
{
    leak();
    scrub_stack();
    say("direct_leak: 1000 bytes lost\n");
    return 0;
}
