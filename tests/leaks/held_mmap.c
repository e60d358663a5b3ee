/* held_mmap.c: the only pointer to a block of 1212 bytes is stored in an
 * anonymous mapping the program made itself with mmap. Expected: reachable
 * at least 1212 bytes in 1 block, nothing lost. */
#include <sys/mman.h>

#include "leaks.h"

static void **page;

static LEAKS_NOINLINE void hold(void)
{
    page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED)
        fail("mmap failed");
    page[100] = allocate(1212);
    escape(page);
}

int main(void)
{
    hold();
    scrub_stack();
    say("held_mmap: 1212 bytes held from the program's own mapping\n");
    return 0;
}
