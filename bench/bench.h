/* bench.h: what every benchmark program shares.
 *
 * Each program in bench/ runs one workload once and prints one line,
 *
 *   result <key>=<value> [<key>=<value> ...]
 *
 * that bench/run.sh parses; the first key is the workload's metric and the
 * last, allocator=, names the object malloc resolved to. The same
 * binary runs with plain glibc and under LD_PRELOAD=build/libmemsnap.so, so
 * everything that is not malloc/free (the PRNG, the bookkeeping arrays, the
 * thread handoff) costs the same in both runs. The bookkeeping arrays come
 * from mmap, not malloc, so they never depend on the allocator under test.
 *
 * Timing brackets the measured work only (clock_gettime(CLOCK_MONOTONIC));
 * setup (filling the working set) and teardown are outside it. */
#ifndef BENCH_H
#define BENCH_H

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

/* Smallest and largest request of every workload: the whole range memsnap
 * serves from its pools (8..512 bytes). */
#define BENCH_MIN_SIZE 8
#define BENCH_MAX_SIZE 512

/* xorshift64*: fast, fixed-seed, identical sequence in both runs. */
typedef struct bench_rng {
    uint64_t state;
} bench_rng_t;

static inline void bench_rng_seed(bench_rng_t *rng, uint64_t seed)
{
    rng->state = seed != 0 ? seed : 0x9e3779b97f4a7c15ull;
}

static inline uint64_t bench_rng_next(bench_rng_t *rng)
{
    uint64_t x = rng->state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng->state = x;
    return x * 0x2545f4914f6cdd1dull;
}

/* Uniform in [0, bound) from the high 32 bits (Lemire's multiply-shift; the
 * bias is below 2^-32 * bound, irrelevant here). */
static inline uint32_t bench_rng_below(bench_rng_t *rng, uint32_t bound)
{
    return (uint32_t)(((bench_rng_next(rng) >> 32) * (uint64_t)bound) >> 32);
}

static inline size_t bench_rng_size(bench_rng_t *rng)
{
    return BENCH_MIN_SIZE + bench_rng_below(rng, BENCH_MAX_SIZE - BENCH_MIN_SIZE + 1);
}

static inline double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Zeroed, allocator-independent memory for the benchmark's own arrays. */
static inline void *bench_map(size_t bytes)
{
    void *memory = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) {
        perror("bench: mmap");
        exit(2);
    }
    return memory;
}

static inline void bench_unmap(void *memory, size_t bytes)
{
    munmap(memory, bytes);
}

/* A positive integer from argv[index], or fallback when absent. */
static inline long bench_arg(int argc, char **argv, int index, long fallback)
{
    if (index >= argc)
        return fallback;
    char *end;
    long value = strtol(argv[index], &end, 10);
    if (*end != '\0' || value <= 0) {
        fprintf(stderr, "bench: bad argument '%s'\n", argv[index]);
        exit(2);
    }
    return value;
}

/* The file name of the object whose malloc this process calls
 * ("libc.so.6" with plain glibc, "libmemsnap.so" under the preload): printed
 * with every result so the driver can check the preload took. */
static inline const char *bench_allocator(void)
{
    Dl_info info;
    void *symbol = dlsym(RTLD_DEFAULT, "malloc");
    if (symbol == NULL || dladdr(symbol, &info) == 0 || info.dli_fname == NULL)
        return "unknown";
    const char *slash = strrchr(info.dli_fname, '/');
    return slash != NULL ? slash + 1 : info.dli_fname;
}

/* A field of /proc/self/status ("VmRSS", "VmHWM") in KiB; -1 if missing. */
static inline long bench_status_kib(const char *field)
{
    char line[256];
    size_t length = strlen(field);
    long value = -1;
    FILE *status = fopen("/proc/self/status", "r");
    if (status == NULL)
        return -1;
    while (fgets(line, sizeof line, status) != NULL) {
        if (strncmp(line, field, length) == 0 && line[length] == ':') {
            value = strtol(line + length + 1, NULL, 10);
            break;
        }
    }
    fclose(status);
    return value;
}

#endif
