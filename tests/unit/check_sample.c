/* check_sample.c: the Poisson sampler of sample.h and its weights.
 *
 * The sampler picks each allocated byte with probability 1/mean, and a
 * picked allocation of s bytes counts as s/p(s) bytes and 1/p(s) blocks,
 * p(s) = 1 - exp(-s/mean). The estimates are checked over a million
 * allocations with fixed seeds (the sizes come from unit_random, the picks
 * from the sampler's own generator, so every run draws the same numbers);
 * the weight functions are checked to the unit against values computed
 * independently (Python's math.expm1, rounded half away from zero). */
#include "unit.h"

#include <math.h>

#include "sample.h"

#define MEAN        524288u             /* 512 KiB, MEMSNAP_SAMPLE_BYTES=512k */
#define ALLOCATIONS 1000000u

/* Sizes for the estimates: multiples of 8 from 8 B to 64 KiB, uniform.
 *
 * Why not a distribution dominated by tiny blocks: the count estimate's
 * variance is the sum of 1/p(s) - 1, about mean/s per allocation, so a
 * million 8-byte allocations would give it a standard deviation of about
 * 25%. Over this mix the sum is about 7.2e7: one standard deviation of the
 * count is 0.85% and of the bytes 0.4%, so 5% is a bound of six standard
 * deviations, not a lucky seed. */
static uint64_t draw_size(uint64_t *state)
{
    return 8 * (1 + unit_random(state) % 8192);
}

static const uint64_t seeds[] = { 1, 42, 0xC0FFEE, 0x9E3779B97F4A7C15ull };

/* Loop test over the seeds: the sums of bytes and weights over the picked
 * allocations estimate the true totals within 5%. */
START_TEST(test_estimates_within_five_percent)
{
    ms_sampler_t sampler;
    ms_sampler_seed(&sampler, seeds[_i], MEAN);
    uint64_t sizes = seeds[_i] * 7 + 3;
    uint64_t true_bytes = 0, estimated_bytes = 0, estimated_weight = 0, picks = 0;
    double expected_picks = 0;
    for (unsigned k = 0; k < ALLOCATIONS; k++) {
        uint64_t size = draw_size(&sizes);
        true_bytes += size;
        expected_picks += -expm1(-(double)size / MEAN);
        if (ms_sampler_pick(&sampler, size, MEAN)) {
            picks++;
            estimated_bytes += ms_sample_bytes(size, MEAN);
            estimated_weight += ms_sample_weight(size, MEAN);
        }
    }
    double blocks = (double)estimated_weight / (double)MS_WEIGHT_ONE;
    double byte_error = ((double)estimated_bytes - (double)true_bytes) / (double)true_bytes;
    double block_error = (blocks - ALLOCATIONS) / ALLOCATIONS;
    /* The sum of p(s) is the expected number of picks (about 59,900 here,
     * one standard deviation 245): the sampler picks at the rate it claims. */
    ck_assert_msg(picks > expected_picks * 0.95 && picks < expected_picks * 1.05,
                  "seed %#lx: %lu picks, expected about %.0f", (unsigned long)seeds[_i],
                  (unsigned long)picks, expected_picks);
    ck_assert_msg(byte_error > -0.05 && byte_error < 0.05,
                  "seed %#lx: %lu bytes estimated, %lu true (%.2f%%)", (unsigned long)seeds[_i],
                  (unsigned long)estimated_bytes, (unsigned long)true_bytes, byte_error * 100);
    ck_assert_msg(block_error > -0.05 && block_error < 0.05,
                  "seed %#lx: %.0f blocks estimated, %u true (%.2f%%)", (unsigned long)seeds[_i],
                  blocks, ALLOCATIONS, block_error * 100);
}
END_TEST

/* A block of one fixed size is picked with probability p(size): 4 KiB
 * blocks, p = 1 - exp(-1/128) = 0.0077820617, 7782 picks expected per
 * million (one standard deviation: 88). */
START_TEST(test_pick_rate_of_one_size)
{
    ms_sampler_t sampler;
    ms_sampler_seed(&sampler, 7, MEAN);
    unsigned picks = 0;
    for (unsigned k = 0; k < ALLOCATIONS; k++)
        picks += ms_sampler_pick(&sampler, 4096, MEAN);
    ck_assert_msg(picks > 7782 * 0.95 && picks < 7782 * 1.05, "%u picks of 4096-byte blocks", picks);
}
END_TEST

/* The same seed gives the same picks: a sampled run can be replayed. */
START_TEST(test_same_seed_same_picks)
{
    ms_sampler_t a, b;
    ms_sampler_seed(&a, 12345, MEAN);
    ms_sampler_seed(&b, 12345, MEAN);
    ck_assert_uint_eq(a.rng, b.rng);
    ck_assert_int_eq(a.bytes_left, b.bytes_left);
    uint64_t sizes = 99;
    for (unsigned k = 0; k < 100000; k++) {
        uint64_t size = draw_size(&sizes);
        int pick_a = ms_sampler_pick(&a, size, MEAN);
        int pick_b = ms_sampler_pick(&b, size, MEAN);
        unit_expect(pick_a == pick_b, "allocation %u: picks differ", k);
    }
    ck_assert_int_eq(a.bytes_left, b.bytes_left);
}
END_TEST

/* A seed of 0 (xorshift's one forbidden state) is replaced; the first
 * interval is at least one byte and at most the largest exponential draw,
 * -ln(2^-53) = 36.74 means. */
START_TEST(test_seed_state)
{
    ms_sampler_t sampler;
    ms_sampler_seed(&sampler, 0, MEAN);
    ck_assert_uint_ne(sampler.rng, 0);
    for (uint64_t seed = 0; seed < 1000; seed++) {
        ms_sampler_seed(&sampler, seed, MEAN);
        unit_expect(sampler.bytes_left >= 1 && sampler.bytes_left <= 37 * (int64_t)MEAN,
                    "seed %lu: first interval %ld", (unsigned long)seed, (long)sampler.bytes_left);
    }
}
END_TEST

/* Exact mode (mean 0): every block counts once, with its own size. */
START_TEST(test_exact_mode)
{
    static const uint64_t sizes[] = { 0, 1, 7, 8, 24, 512, 513, 4096, 65536, 1u << 20,
                                      (uint64_t)1 << 40, UINT64_MAX };
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        ck_assert_uint_eq(ms_sample_weight(sizes[k], 0), MS_WEIGHT_ONE);
        ck_assert_uint_eq(ms_sample_bytes(sizes[k], 0), sizes[k]);
    }
    ck_assert_uint_eq(MS_WEIGHT_ONE, 65536);
}
END_TEST

/* Weights against values computed outside C: 1/p(s) and s/p(s), p(s) =
 * -expm1(-s/524288), times 65536 for the weight. */
START_TEST(test_weights_known_values)
{
    static const struct {
        uint64_t size, weight, bytes;
    } known[] = {
        { 1, 34359771136u, 524289 },
        { 8, 4295000064u, 524292 },
        { 1024, 33587211, 524800 },
        { 65536, 557738, 557738 },
        { 524288, 103676, 829411 },
        { 1048576, 75794, 1212697 },
    };
    for (size_t k = 0; k < sizeof known / sizeof known[0]; k++) {
        ck_assert_uint_eq(ms_sample_weight(known[k].size, MEAN), known[k].weight);
        ck_assert_uint_eq(ms_sample_bytes(known[k].size, MEAN), known[k].bytes);
    }
    /* A block of 0 bytes is one block of 0 bytes. */
    ck_assert_uint_eq(ms_sample_weight(0, MEAN), MS_WEIGHT_ONE);
    ck_assert_uint_eq(ms_sample_bytes(0, MEAN), 0);
}
END_TEST

/* Larger blocks are likelier picks: the weight never rises with the size,
 * the byte estimate never falls, and neither goes below the block itself. */
START_TEST(test_weights_monotonic)
{
    uint64_t last_weight = UINT64_MAX, last_bytes = 0;
    for (uint64_t size = 1; size <= 64 * (uint64_t)MEAN; size += size / 64 + 1) {
        uint64_t weight = ms_sample_weight(size, MEAN);
        uint64_t bytes = ms_sample_bytes(size, MEAN);
        unit_expect(weight >= MS_WEIGHT_ONE && weight <= last_weight,
                    "size %lu: weight %lu after %lu", (unsigned long)size, (unsigned long)weight,
                    (unsigned long)last_weight);
        unit_expect(bytes >= size && bytes >= last_bytes, "size %lu: bytes %lu after %lu",
                    (unsigned long)size, (unsigned long)bytes, (unsigned long)last_bytes);
        last_weight = weight;
        last_bytes = bytes;
    }
}
END_TEST

/* 64 means is beyond any interval the sampler can draw (at most 36.74
 * means): such a block is always picked and counts as itself, exactly. */
START_TEST(test_large_block_always_picked)
{
    const uint64_t big = 64 * (uint64_t)MEAN;
    ck_assert_uint_eq(ms_sample_weight(big, MEAN), MS_WEIGHT_ONE);
    ck_assert_uint_eq(ms_sample_bytes(big, MEAN), big);
    ms_sampler_t sampler;
    ms_sampler_seed(&sampler, 2024, MEAN);
    uint64_t sizes = 5;
    for (unsigned k = 0; k < 100000; k++) {
        ms_sampler_pick(&sampler, draw_size(&sizes), MEAN);
        unit_expect(ms_sampler_pick(&sampler, big, MEAN), "big block %u not picked", k);
    }
}
END_TEST

static Suite *sample_suite(void)
{
    Suite *suite = suite_create("sample");
    TCase *estimates = tcase_create("estimates");
    tcase_set_timeout(estimates, 60);
    tcase_add_loop_test(estimates, test_estimates_within_five_percent, 0,
                        sizeof seeds / sizeof seeds[0]);
    tcase_add_test(estimates, test_pick_rate_of_one_size);
    tcase_add_test(estimates, test_same_seed_same_picks);
    tcase_add_test(estimates, test_seed_state);
    suite_add_tcase(suite, estimates);
    TCase *weights = tcase_create("weights");
    tcase_add_test(weights, test_exact_mode);
    tcase_add_test(weights, test_weights_known_values);
    tcase_add_test(weights, test_weights_monotonic);
    tcase_add_test(weights, test_large_block_always_picked);
    suite_add_tcase(suite, weights);
    return suite;
}

int main(void)
{
    return run_suite(sample_suite());
}
