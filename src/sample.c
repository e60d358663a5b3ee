/* sample.c: the sampling intervals and weights described in sample.h. Uses
 * libm's log and expm1, which neither allocate nor lock. */
#include "sample.h"

#include <math.h>

static uint64_t next_random(ms_sampler_t *sampler)
{
    uint64_t x = sampler->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    sampler->rng = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* An exponential interval with the given mean: the gap between picked bytes
 * of a Poisson process. */
static int64_t draw_interval(ms_sampler_t *sampler, uint64_t mean_bytes)
{
    /* 53 random bits in (0, 1]: never log(0). */
    double uniform = ((double)(next_random(sampler) >> 11) + 1.0) / 9007199254740992.0;
    double interval = -log(uniform) * (double)mean_bytes;
    return interval >= 9.0e18 ? INT64_MAX : (int64_t)interval + 1;
}

void ms_sampler_seed(ms_sampler_t *sampler, uint64_t seed, uint64_t mean_bytes)
{
    sampler->rng = seed != 0 ? seed : 0x9E3779B97F4A7C15ULL;
    sampler->bytes_left = mean_bytes == 0 ? 0 : draw_interval(sampler, mean_bytes);
}

int ms_sampler_pick_slow(ms_sampler_t *sampler, uint64_t size, uint64_t mean_bytes)
{
    (void)size;
    /* Memoryless: the interval to the next picked byte starts afresh. */
    sampler->bytes_left = draw_interval(sampler, mean_bytes);
    return 1;
}

static double pick_probability(uint64_t size, uint64_t mean_bytes)
{
    return -expm1(-(double)size / (double)mean_bytes);
}

uint64_t ms_sample_weight(uint64_t size, uint64_t mean_bytes)
{
    if (mean_bytes == 0)
        return MS_WEIGHT_ONE;
    if (size == 0)
        return MS_WEIGHT_ONE;
    return (uint64_t)llround((double)MS_WEIGHT_ONE / pick_probability(size, mean_bytes));
}

uint64_t ms_sample_bytes(uint64_t size, uint64_t mean_bytes)
{
    if (mean_bytes == 0 || size == 0)
        return size;
    return (uint64_t)llround((double)size / pick_probability(size, mean_bytes));
}
