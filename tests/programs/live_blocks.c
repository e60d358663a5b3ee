/* live_blocks.c: blocks still allocated at exit, for the statistics table.
 *
 * Allocates 1,000 blocks of 208 bytes (memsnap's 208-byte class, szidx 25,
 * whatever MEMSNAP_ALIGN16 says: 208 is a multiple of 16) and 10 blocks of
 * 100,000 bytes (large), frees none of them, and exits. The script reads
 * MEMSNAP_STATS=1's table: class 25 must have at least 1,000 blocks in use,
 * and there must be at least 10 large blocks in use holding at least
 * 1,000,000 bytes (the program's own; libc may add some).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SMALL_COUNT 1000
#define SMALL_SIZE  208
#define LARGE_COUNT 10
#define LARGE_SIZE  100000

static void *kept[SMALL_COUNT + LARGE_COUNT];

int main(void)
{
    for (int i = 0; i < SMALL_COUNT + LARGE_COUNT; i++) {
        size_t size = i < SMALL_COUNT ? SMALL_SIZE : LARGE_SIZE;
        kept[i] = malloc(size);
        if (kept[i] == NULL)
            return 1;
        memset(kept[i], i, size);
    }
    printf("live_blocks: %d blocks of %d bytes and %d of %d bytes kept\n", SMALL_COUNT, SMALL_SIZE,
           LARGE_COUNT, LARGE_SIZE);
    return 0;
}
