/* rss.c: workload 3, resident memory after freeing 90% of 1 GiB of small blocks.
 *
 *   rss [mib [seed]]                  default: 1024 MiB requested in total
 *
 * Allocates blocks of sizes uniform in 8..512 until the requested bytes add
 * up to mib MiB (a byte is written into each block, so it is touched), then
 * frees 90% of them, chosen at random and in random order (a Fisher-Yates
 * shuffle of the indices, prepared before any allocation). Reads VmRSS from
 * /proc/self/status after the frees: the metric, lower is better.
 *
 * The bookkeeping (pointer and index arrays, ~47 MiB for 1 GiB) is mapped
 * and touched before the baseline is read, so it is in every RSS figure in
 * the same amount with either allocator; heap_mib (rss - baseline) shows the
 * allocator's own share.
 *
 * Prints: result rss_mib=<after frees> heap_mib=<after - baseline>
 *                peak_mib=<VmHWM> baseline_mib=<before allocating>
 *                blocks=<n> seconds=<alloc + free time> allocator=<a> */
#include "bench.h"

int main(int argc, char **argv)
{
    long mib = bench_arg(argc, argv, 1, 1024);
    uint64_t seed = (uint64_t)bench_arg(argc, argv, 2, 12345);
    const char *allocator = bench_allocator();
    uint64_t budget = (uint64_t)mib << 20;

    /* Count the blocks first, on a copy of the PRNG the loop will use. */
    bench_rng_t rng;
    bench_rng_seed(&rng, seed);
    bench_rng_t probe = rng;
    size_t count = 0;
    for (uint64_t total = 0; total < budget; count++)
        total += bench_rng_size(&probe);
    if (count > UINT32_MAX) {
        fprintf(stderr, "rss: %zu blocks are too many\n", count);
        return 2;
    }
    unsigned char **block = bench_map(count * sizeof *block);
    uint32_t *order = bench_map(count * sizeof *order);
    for (size_t i = 0; i < count; i++)
        block[i] = NULL;                /* touched now, not while measuring */

    bench_rng_t shuffle_rng;
    bench_rng_seed(&shuffle_rng, seed ^ 0x5bd1e995u);
    for (size_t i = 0; i < count; i++)
        order[i] = (uint32_t)i;
    for (size_t i = count - 1; i > 0; i--) {
        size_t j = bench_rng_below(&shuffle_rng, (uint32_t)(i + 1));
        uint32_t swap = order[i];
        order[i] = order[j];
        order[j] = swap;
    }
    size_t freed = count - count / 10;

    long baseline_kib = bench_status_kib("VmRSS");
    double start = bench_now();
    for (size_t i = 0; i < count; i++) {
        size_t size = bench_rng_size(&rng);
        block[i] = malloc(size);
        if (block[i] == NULL) {
            perror("rss: malloc");
            return 1;
        }
        block[i][0] = (unsigned char)i;
    }
    for (size_t i = 0; i < freed; i++) {
        free(block[order[i]]);
        block[order[i]] = NULL;
    }
    double seconds = bench_now() - start;
    long rss_kib = bench_status_kib("VmRSS");
    long peak_kib = bench_status_kib("VmHWM");

    printf("result rss_mib=%.1f heap_mib=%.1f peak_mib=%.1f baseline_mib=%.1f blocks=%zu seconds=%.3f allocator=%s\n",
           rss_kib / 1024.0, (rss_kib - baseline_kib) / 1024.0, peak_kib / 1024.0,
           baseline_kib / 1024.0, count, seconds, allocator);
    return 0;
}
