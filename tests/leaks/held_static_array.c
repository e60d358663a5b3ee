/* held_static_array.c: a static array (in .bss) holds the only pointers to
 * 8 blocks of 160 bytes. Expected: reachable at least 1280 bytes in 8
 * blocks, nothing lost. */
#include "leaks.h"

static void *table[8];

static LEAKS_NOINLINE void hold(void)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        table[i] = allocate(160);
    escape(table);
}

int main(void)
{
    hold();
    scrub_stack();
    say("held_static_array: 8 blocks of 160 bytes held by a static array\n");
    return 0;
}
