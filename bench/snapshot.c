/* snapshot.c: the time memsnap_snapshot() takes from the program with 1M
 * live allocations in about 100k distinct tracebacks.
 *
 * A recursive walk of depth 17 takes the left or right function at each
 * level by one bit of the path number, so 2^17 paths give 131072 distinct
 * call stacks; 8 blocks per path make 1M live blocks. Prints
 * "result snapshot_ms=... tracebacks=... blocks=..." (bench.h's format);
 * without memsnap the API call fails and the program says so. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "memsnap.h"

#define DEPTH 17
#define BLOCKS_PER_PATH 8

static void **blocks;
static size_t block_count;

static void descend(unsigned path, int depth);

/* Two functions so that each bit of the path is a different return address;
 * the volatile read after the call keeps the compiler from a tail call. */
static volatile int sink;

__attribute__((noinline)) static void left(unsigned path, int depth)
{
    descend(path >> 1, depth - 1);
    sink++;
}

__attribute__((noinline)) static void right(unsigned path, int depth)
{
    descend(path >> 1, depth - 1);
    sink++;
}

__attribute__((noinline)) static void descend(unsigned path, int depth)
{
    if (depth == 0) {
        for (int i = 0; i < BLOCKS_PER_PATH; i++)
            blocks[block_count++] = malloc(16 + (size_t)(i * 8));
        return;
    }
    if (path & 1)
        left(path, depth);
    else
        right(path, depth);
    sink++;
}

static double seconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

int main(void)
{
    unsigned paths = 1u << DEPTH;
    blocks = malloc((size_t)paths * BLOCKS_PER_PATH * sizeof *blocks);
    if (blocks == NULL)
        return 1;
    for (unsigned path = 0; path < paths; path++)
        descend(path, DEPTH);
    double start = seconds();
    int status = memsnap_snapshot("bench");
    double elapsed = seconds() - start;
    if (status != 0) {
        perror("memsnap_snapshot");
        return 1;
    }
    printf("result snapshot_ms=%.1f tracebacks=%u blocks=%zu\n", elapsed * 1e3, paths,
           block_count);
    for (size_t i = 0; i < block_count; i++)
        free(blocks[i]);
    free(blocks);
    return 0;
}
