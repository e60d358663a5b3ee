/* leak_scan.c: workload 7 of `make bench` (bench/leaks.sh), the time a leak
 * check takes on a big heap: memsnap_leak_check() with 10M live blocks,
 * about 1 GiB.
 *
 *   LD_PRELOAD=build/libmemsnap.so leak_scan [blocks [seed]]
 *                                          defaults: 10000000 blocks
 *
 * Setup (not timed): blocks mallocs of sizes uniform in 16..199 bytes
 * (mean 107.5: 10M blocks hold 1.0 GiB), all reachable. Each block's first
 * word points to the block allocated before it, and a global holds the
 * newest: one chain through the whole heap, a pointer to the start of every
 * block, so the mark phase follows 10M pointers one after another. The
 * other words hold the block's index, small integers, as a heap's data
 * would: every word is written (the pages are really there) and every word
 * is read by the scan.
 *
 * Timed (bench.h's clock): one call of memsnap_leak_check(), from the call
 * to its return: stopping the threads, the mark phase over the roots and
 * every live block, and the result. Nothing is lost, so it writes no
 * snapshot and prints no report.
 *
 * Prints: result check_s=<t> blocks=<n> mib=<requested MiB> lost=0
 *         peak_rss_mib=<m> allocator=<a>
 * Fails (exit 1) when the check cannot run (without the preload:
 * memsnap_leak_check() is -1 with ENOSYS; checked before the heap is
 * built, so that run is immediate) or when it reports blocks lost: all are
 * reachable, so that would be a wrong answer, not a time to compare. The
 * blocks are not freed: the process exits. */
#include <errno.h>

#include "bench.h"
#include "memsnap.h"

#define MIN_BLOCK 16
#define MAX_BLOCK 199

static void **newest;   /* the root: the head of the chain */

/* memsnap_leak_check(), or exit 1 saying why it could not run. */
static long leak_check(void)
{
    long lost = memsnap_leak_check();
    if (lost < 0) {
        if (errno == ENOSYS)
            fprintf(stderr, "leak_scan: memsnap_leak_check: no memsnap (run it under"
                            " LD_PRELOAD=build/libmemsnap.so)\n");
        else
            perror("leak_scan: memsnap_leak_check");
        exit(1);
    }
    return lost;
}

int main(int argc, char **argv)
{
    long blocks = bench_arg(argc, argv, 1, 10000000);
    uint64_t seed = (uint64_t)bench_arg(argc, argv, 2, 12345);
    const char *allocator = bench_allocator();

    /* On the nearly empty heap: fails at once without memsnap. */
    leak_check();

    bench_rng_t rng;
    bench_rng_seed(&rng, seed);
    size_t bytes = 0;
    for (long i = 0; i < blocks; i++) {
        size_t size = MIN_BLOCK + bench_rng_below(&rng, MAX_BLOCK - MIN_BLOCK + 1);
        void **block = malloc(size);
        if (block == NULL) {
            perror("leak_scan: malloc");
            return 1;
        }
        block[0] = newest;
        for (size_t word = 1; word < size / sizeof *block; word++)
            block[word] = (void *)(uintptr_t)i;
        newest = block;
        bytes += size;
    }

    double start = bench_now();
    long lost = leak_check();
    double seconds = bench_now() - start;
    if (lost != 0) {
        fprintf(stderr, "leak_scan: the check reports %ld blocks lost; all %ld are reachable\n",
                lost, blocks);
        return 1;
    }
    printf("result check_s=%.3f blocks=%ld mib=%.1f lost=%ld peak_rss_mib=%.1f allocator=%s\n",
           seconds, blocks, (double)bytes / 1048576, lost,
           (double)bench_status_kib("VmHWM") / 1024, allocator);
    return 0;
}
