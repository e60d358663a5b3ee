/* realloc_leak.c: two blocks lost after realloc: one grown from 16 to 3000
 * bytes (realloc moves it; the 16-byte block is freed), one allocated by
 * realloc(NULL, 1234). Expected: definite 4234 bytes in 2 blocks. */
#include "leaks.h"

static LEAKS_NOINLINE void leak_grown(void)
{
    char *block = allocate(16);
    block = realloc(block, 3000);
    fill(block, 3000);
}

static LEAKS_NOINLINE void leak_from_null(void)
{
    fill(realloc(NULL, 1234), 1234);
}

int main(void)
{
    leak_grown();
    leak_from_null();
    scrub_stack();
    say("realloc_leak: 3000 + 1234 bytes lost after realloc\n");
    return 0;
}
