/* leaky.c: a program that leaks, for the leak check end to end
 * (tests/integration/test_leak_check.sh).
 *
 *   leaky [STATUS]   prints "hello" with stdio (buffered when stdout is a
 *                    file or a pipe, so an exit that skips the flush would
 *                    lose it), leaks two blocks of 100 bytes from the line
 *                    marked LEAK, keeps one of 300 in a global, and exits
 *                    with STATUS (default 0)
 *   leaky api        prints what memsnap_leak_check() returns before and
 *                    after the same leaks: "before 0" and "after 2" under
 *                    the preload, -1 without it
 *   leaky ignore     the same leaks, each passed to memsnap_ignore first
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memsnap.h"

void *kept;

static __attribute__((noinline)) void *leak_one(void)
{
    void *block = malloc(100); /* LEAK */
    memset(block, 0x5a, 100);
    return block;
}

/* One call site for both blocks: a count the compiler cannot see, so the
 * loop is not unrolled into two. */
static volatile int leak_count = 2;

/* The pointers go out of every register and stack slot main keeps. */
static __attribute__((noinline)) void leak_two(int ignore)
{
    for (int i = 0; i < leak_count; i++) {
        void *volatile block = leak_one();
        if (ignore)
            memsnap_ignore((void *)block);
        block = NULL;
    }
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "0";
    kept = malloc(300);
    memset(kept, 0, 300);
    if (strcmp(mode, "api") == 0) {
        printf("before %ld\n", memsnap_leak_check());
        leak_two(0);
        printf("after %ld\n", memsnap_leak_check());
        return 0;
    }
    leak_two(strcmp(mode, "ignore") == 0);
    printf("hello\n");
    return strcmp(mode, "ignore") == 0 ? 0 : atoi(mode);
}
