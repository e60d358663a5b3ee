/* churn.c: workload 1, single-thread small-object churn.
 *
 *   churn [slots [steps [seed]]]      defaults: 100000 slots, 8000000 steps
 *
 * Setup (not timed): slots live blocks of sizes uniform in 8..512.
 * Timed: steps times, pick a slot at random, free its block, malloc a new
 * random size into it and write a byte into the new block. One step is one
 * free plus one malloc; the metric is steps per second (ops/s).
 *
 * Prints: result ops_per_s=<x> seconds=<t> steps=<n> slots=<n> peak_rss_mib=<m> allocator=<a> */
#include "bench.h"

int main(int argc, char **argv)
{
    long slots = bench_arg(argc, argv, 1, 100000);
    long steps = bench_arg(argc, argv, 2, 8000000);
    uint64_t seed = (uint64_t)bench_arg(argc, argv, 3, 12345);
    const char *allocator = bench_allocator();

    bench_rng_t rng;
    bench_rng_seed(&rng, seed);
    unsigned char **slot = bench_map((size_t)slots * sizeof *slot);
    for (long i = 0; i < slots; i++) {
        slot[i] = malloc(bench_rng_size(&rng));
        if (slot[i] == NULL) {
            perror("churn: malloc");
            return 1;
        }
        slot[i][0] = (unsigned char)i;
    }

    double start = bench_now();
    for (long step = 0; step < steps; step++) {
        uint32_t i = bench_rng_below(&rng, (uint32_t)slots);
        size_t size = bench_rng_size(&rng);
        free(slot[i]);
        unsigned char *block = malloc(size);
        if (__builtin_expect(block == NULL, 0)) {
            perror("churn: malloc");
            return 1;
        }
        block[0] = (unsigned char)step;
        slot[i] = block;
    }
    double seconds = bench_now() - start;

    for (long i = 0; i < slots; i++)
        free(slot[i]);
    bench_unmap(slot, (size_t)slots * sizeof *slot);
    printf("result ops_per_s=%.0f seconds=%.3f steps=%ld slots=%ld peak_rss_mib=%.1f allocator=%s\n",
           (double)steps / seconds, seconds, steps, slots, bench_status_kib("VmHWM") / 1024.0, allocator);
    return 0;
}
