/* held_global.c: a global variable holds the only pointer to a block of
 * 1111 bytes. Expected: reachable at least 1111 bytes in 1 block, nothing
 * lost. */
#include "leaks.h"

void *global_block;

static LEAKS_NOINLINE void hold(void)
{
    global_block = allocate(1111);
}

int main(void)
{
    hold();
    scrub_stack();
    say("held_global: 1111 bytes held by a global\n");
    return 0;
}
