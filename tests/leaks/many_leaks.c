/* many_leaks.c: 100000 blocks of 56 bytes lost, all from one call site
 * (one traceback, one memcheck loss record). Expected: definite 5600000
 * bytes in 100000 blocks, in exactly 1 group. */
#include "leaks.h"

#define BLOCKS 100000

static LEAKS_NOINLINE void leak_one(void)
{
    allocate(56);
}

int main(void)
{
    for (int i = 0; i < BLOCKS; i++)
        leak_one();
    scrub_stack();
    say("many_leaks: 100000 blocks of 56 bytes lost from one site\n");
    return 0;
}
