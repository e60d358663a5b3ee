/* xthread.c: workload 2, two threads churning, a quarter of frees crossing.
 *
 *   xthread [slots [steps [seed]]]    per thread; defaults 100000, 4000000
 *
 * Each thread churns its own slots exactly like churn.c (pick a random slot,
 * release its block, malloc a new random size 8..512 into it, write a byte),
 * except that on a quarter of the steps (chosen at random) the released block
 * is not freed but handed to the other thread, which frees it. So each
 * thread frees 3/4 of its own blocks and all the blocks handed to it: of the
 * frees a thread performs, 1/4 are of blocks the other thread allocated.
 *
 * Handoff: one single-producer single-consumer ring per direction. The
 * producer gathers HANDOFF_BATCH blocks before publishing them (one index
 * store), the consumer looks at its ring every HANDOFF_BATCH steps and frees
 * whatever is there, so the cache-line traffic of the handoff is small and,
 * being the same code in both runs, costs the same with either allocator.
 *
 * Timed: from the earliest thread's start to the latest thread's end, after
 * both have finished and every handed-over block is freed. Metric: steps of
 * both threads per second (one step = one malloc + one free, as in churn).
 *
 * Prints: result ops_per_s=<x> seconds=<t> steps=<n> cross_frees=<n> cross_share=<f>
 *                peak_rss_mib=<m> allocator=<a> */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include "bench.h"

#define THREADS        2
#define HANDOFF_BATCH  64
#define RING_SIZE      8192          /* entries, a power of two */

typedef struct ring {
    _Alignas(64) _Atomic uint64_t tail;      /* written by the producer */
    _Alignas(64) _Atomic uint64_t head;      /* written by the consumer */
    _Alignas(64) void *entry[RING_SIZE];
} ring_t;

typedef struct worker {
    int index;
    long slots;
    long steps;
    uint64_t seed;
    ring_t *outgoing;                 /* blocks this thread hands over */
    ring_t *incoming;                 /* blocks handed to this thread */
    double start, end;
    long cross_frees;                 /* blocks of the other thread freed here */
    pthread_t thread;
} worker_t;

static pthread_barrier_t ready;
static _Atomic int finished;          /* threads done with their own steps */

/* Frees every block waiting in the ring; returns how many. */
static long drain(ring_t *ring)
{
    uint64_t head = atomic_load_explicit(&ring->head, memory_order_relaxed);
    uint64_t tail = atomic_load_explicit(&ring->tail, memory_order_acquire);
    if (head == tail)
        return 0;
    for (uint64_t i = head; i != tail; i++)
        free(ring->entry[i & (RING_SIZE - 1)]);
    atomic_store_explicit(&ring->head, tail, memory_order_release);
    return (long)(tail - head);
}

/* Frees what the other thread handed over; when there is nothing, lets the
 * other thread run, in case both share a CPU (other load on the machine). */
static void wait_for_other(worker_t *self)
{
    long freed = drain(self->incoming);
    self->cross_frees += freed;
    if (freed == 0)
        sched_yield();
}

/* Publishes count blocks; while the ring is full, frees the incoming blocks,
 * so that two threads waiting on each other always make progress. */
static void publish(worker_t *self, void **blocks, int count)
{
    ring_t *ring = self->outgoing;
    uint64_t tail = atomic_load_explicit(&ring->tail, memory_order_relaxed);
    while (tail + (uint64_t)count - atomic_load_explicit(&ring->head, memory_order_acquire) > RING_SIZE)
        wait_for_other(self);
    for (int i = 0; i < count; i++)
        ring->entry[(tail + (uint64_t)i) & (RING_SIZE - 1)] = blocks[i];
    atomic_store_explicit(&ring->tail, tail + (uint64_t)count, memory_order_release);
}

static void *work(void *argument)
{
    worker_t *self = argument;
    bench_rng_t rng;
    bench_rng_seed(&rng, self->seed);
    size_t bytes = (size_t)self->slots * sizeof(unsigned char *);
    unsigned char **slot = bench_map(bytes);
    for (long i = 0; i < self->slots; i++) {
        slot[i] = malloc(bench_rng_size(&rng));
        if (slot[i] == NULL) {
            perror("xthread: malloc");
            exit(1);
        }
        slot[i][0] = (unsigned char)i;
    }
    void *outbox[HANDOFF_BATCH];
    int pending = 0;

    pthread_barrier_wait(&ready);
    self->start = bench_now();
    for (long step = 0; step < self->steps; step++) {
        uint64_t random = bench_rng_next(&rng);
        uint32_t i = (uint32_t)(((random >> 32) * (uint64_t)self->slots) >> 32);
        size_t size = BENCH_MIN_SIZE + (((random & 0xffffffffu) >> 2) % (BENCH_MAX_SIZE - BENCH_MIN_SIZE + 1));
        if ((random & 3) == 0) {
            outbox[pending++] = slot[i];
            if (pending == HANDOFF_BATCH) {
                publish(self, outbox, pending);
                pending = 0;
            }
        } else {
            free(slot[i]);
        }
        unsigned char *block = malloc(size);
        if (__builtin_expect(block == NULL, 0)) {
            perror("xthread: malloc");
            exit(1);
        }
        block[0] = (unsigned char)step;
        slot[i] = block;
        if ((step & (HANDOFF_BATCH - 1)) == 0)
            self->cross_frees += drain(self->incoming);
    }
    publish(self, outbox, pending);
    atomic_fetch_add(&finished, 1);
    /* The other thread may still hand blocks over until it is done. */
    while (atomic_load(&finished) < THREADS)
        wait_for_other(self);
    self->cross_frees += drain(self->incoming);
    self->end = bench_now();

    pthread_barrier_wait(&ready);     /* nobody frees into a heap that exits */
    for (long i = 0; i < self->slots; i++)
        free(slot[i]);
    bench_unmap(slot, bytes);
    return NULL;
}

int main(int argc, char **argv)
{
    long slots = bench_arg(argc, argv, 1, 100000);
    long steps = bench_arg(argc, argv, 2, 4000000);
    uint64_t seed = (uint64_t)bench_arg(argc, argv, 3, 12345);
    const char *allocator = bench_allocator();

    ring_t *rings = bench_map(THREADS * sizeof(ring_t));
    worker_t workers[THREADS];
    pthread_barrier_init(&ready, NULL, THREADS);
    for (int t = 0; t < THREADS; t++) {
        workers[t] = (worker_t){
            .index = t,
            .slots = slots,
            .steps = steps,
            .seed = seed * (uint64_t)(t + 1) + (uint64_t)t,
            .outgoing = &rings[t],
            .incoming = &rings[(t + 1) % THREADS],
        };
    }
    for (int t = 0; t < THREADS; t++) {
        if (pthread_create(&workers[t].thread, NULL, work, &workers[t]) != 0) {
            fprintf(stderr, "xthread: pthread_create failed\n");
            return 1;
        }
    }
    double start = 1e300, end = 0;
    long cross = 0;
    for (int t = 0; t < THREADS; t++) {
        pthread_join(workers[t].thread, NULL);
        start = workers[t].start < start ? workers[t].start : start;
        end = workers[t].end > end ? workers[t].end : end;
        cross += workers[t].cross_frees;
    }
    double seconds = end - start;
    long total = steps * THREADS;
    bench_unmap(rings, THREADS * sizeof(ring_t));
    printf("result ops_per_s=%.0f seconds=%.3f steps=%ld cross_frees=%ld cross_share=%.3f peak_rss_mib=%.1f allocator=%s\n",
           (double)total / seconds, seconds, total, cross, (double)cross / (double)total,
           bench_status_kib("VmHWM") / 1024.0, allocator);
    return 0;
}
