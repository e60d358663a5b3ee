/* sample.h: Poisson sampling on allocated bytes, and its unbiased weights.
 *
 * MEMSNAP_SAMPLE_BYTES=N picks each allocated byte with probability 1/N, as
 * tcmalloc and jemalloc do: an allocation is recorded when one of its bytes
 * is picked, so a block of s bytes is recorded with probability
 * p(s) = 1 - exp(-s/N). Counting a recorded block as 1/p(s) blocks and s/p(s)
 * bytes makes every per-traceback sum an unbiased estimate of the truth.
 *
 * Weights are fixed point (MS_WEIGHT_ONE == one block), so that the free of
 * a block subtracts exactly what its allocation added. Pure functions and a
 * caller-owned state: no globals, nothing here allocates. */
#ifndef MS_SAMPLE_H
#define MS_SAMPLE_H

#include <stdint.h>

#define MS_WEIGHT_SHIFT 16
#define MS_WEIGHT_ONE   ((uint64_t)1 << MS_WEIGHT_SHIFT)

typedef struct ms_sampler {
    uint64_t rng;                 /* xorshift64* state, never 0 */
    int64_t bytes_left;           /* bytes until the next picked byte */
} ms_sampler_t;

void ms_sampler_seed(ms_sampler_t *sampler, uint64_t seed, uint64_t mean_bytes);

/* Is an allocation of size bytes recorded? Draws the next interval when it is. */
static inline int ms_sampler_pick(ms_sampler_t *sampler, uint64_t size, uint64_t mean_bytes)
{
    extern int ms_sampler_pick_slow(ms_sampler_t *, uint64_t, uint64_t);
    sampler->bytes_left -= (int64_t)size;
    if (__builtin_expect(sampler->bytes_left > 0, 1))
        return 0;
    return ms_sampler_pick_slow(sampler, size, mean_bytes);
}

/* 1/p(size) blocks and size/p(size) bytes, for a recorded allocation;
 * mean_bytes 0 means exact mode (weight one, bytes size). */
uint64_t ms_sample_weight(uint64_t size, uint64_t mean_bytes);
uint64_t ms_sample_bytes(uint64_t size, uint64_t mean_bytes);

#endif
