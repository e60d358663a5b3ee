/* interior.c: a block of 400 bytes reachable only through a pointer 100
 * bytes into it (a global holds block + 100), which holds at its start the
 * only pointer to a second block of 96 bytes.
 *
 * The first block is possibly lost; the second, reached only from a
 * possibly lost block, is possibly lost too. The offset is 100 on purpose:
 * memcheck's heuristics (--leak-check-heuristics, all of them on by
 * default) take interior pointers at offset 8 (length64, newarray,
 * multipleinheritance) or 24 (stdstring) of suitable blocks as pointers to
 * the start; none applies at offset 100 of a block filled with 0xA5.
 * Expected: possible 496 bytes in 2 blocks, nothing else. */
#include "leaks.h"

char *inside_first; /* the first block + 100 */

static LEAKS_NOINLINE void hold_inside(void)
{
    char *first = allocate(400);
    *(void **)first = allocate(96);
    inside_first = first + 100;
    escape(&inside_first);
}

int main(void)
{
    hold_inside();
    scrub_stack();
    say("interior: 400 + 96 bytes held through an interior pointer\n");
    return 0;
}
