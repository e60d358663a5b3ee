/* many_leaks.c: 100000 blocks of 56 bytes lost, all from one call site
 * (one traceback, one memcheck loss record). A thread of its own makes
 * them and ends before the check: the last addresses it handled die with
 * its registers and stack. (Made on the main thread, one of them was now
 * and then possibly lost under memcheck: a stale interior address in some
 * register or stack word that scrubbing did not reach.) Expected: definite
 * 5600000 bytes in 100000 blocks, in exactly 1 group. */
#include "leaks.h"

#define BLOCKS 100000

static LEAKS_NOINLINE void leak_one(void)
{
    allocate(56);
}

static void *leak_all(void *argument)
{
    (void)argument;
    for (int i = 0; i < BLOCKS; i++)
        leak_one();
    return NULL;
}

int main(void)
{
    pthread_t thread;
    if (pthread_create(&thread, NULL, leak_all, NULL) != 0 || pthread_join(thread, NULL) != 0)
        fail("pthread_create or pthread_join failed");
    scrub_stack();
    say("many_leaks: 100000 blocks of 56 bytes lost from one site\n");
    return 0;
}
