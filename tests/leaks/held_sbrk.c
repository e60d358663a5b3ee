/* held_sbrk.c: the only pointer to a block of 1313 bytes is stored in
 * memory the program took from the heap segment itself with sbrk.
 * Expected: reachable at least 1313 bytes in 1 block, nothing lost. */
#include "leaks.h"

static void **area;

static LEAKS_NOINLINE void hold(void)
{
    area = sbrk(4096);
    if (area == (void *)-1)
        fail("sbrk failed");
    area[200] = allocate(1313);
    escape(area);
}

int main(void)
{
    hold();
    scrub_stack();
    say("held_sbrk: 1313 bytes held from the program's own sbrk area\n");
    return 0;
}
