/* stress.c: 4 threads x 1,000,000 random malloc/free/realloc/calloc calls.
 *
 * Checks: every block is filled with a pattern derived from its id and the
 * pattern is checked before the block is freed or reallocated, and after a
 * realloc on the part that must have been kept; calloc blocks are zero;
 * malloc_usable_size covers the request; a block malloc or calloc returns for
 * a multiple of 16 bytes is 16-aligned (realloc's alignment: align_api.c).
 * Sizes are mostly 1..512 bytes (memsnap's pools), some up to 64 KiB (glibc
 * through memsnap's large path). Threads swap blocks through
 * a shared, lock-protected exchange array, so a block is often freed or
 * reallocated by a thread other than the one that allocated it.
 *
 * Usage: stress [operations per thread]. Exits 0 only if every check passed.
 */
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pattern.h"

#define THREADS            4
#define DEFAULT_OPERATIONS 1000000
#define SLOTS_PER_THREAD   2048
#define EXCHANGE_SLOTS     512
#define SMALL_MAX          512
#define LARGE_MAX          65536
#define FAILURES_SHOWN     10

typedef struct worker {
    pthread_t thread;
    unsigned index;
    uint64_t random_state;
    uint64_t next_id;
    block_t slots[SLOTS_PER_THREAD];
    unsigned long checks;
    unsigned long failures;
    unsigned long cross_thread_blocks;   /* blocks received from the exchange */
} worker_t;

static worker_t workers[THREADS];
static block_t exchange[EXCHANGE_SLOTS];
static pthread_mutex_t exchange_lock = PTHREAD_MUTEX_INITIALIZER;
static long operations_per_thread = DEFAULT_OPERATIONS;
static unsigned long failures_reported;

static uint64_t next_random(worker_t *worker)
{
    return next_random_from(&worker->random_state);
}

static size_t random_size(worker_t *worker)
{
    uint64_t r = next_random(worker);
    if (r % 100 < 3)
        return SMALL_MAX + 1 + (size_t)((r >> 8) % (LARGE_MAX - SMALL_MAX));
    if (r % 100 < 40)
        return 1 + (size_t)((r >> 8) % 64);
    return 1 + (size_t)((r >> 8) % SMALL_MAX);
}

static void fail(worker_t *worker, const char *what, const block_t *block)
{
    worker->failures++;
    if (__atomic_fetch_add(&failures_reported, 1, __ATOMIC_RELAXED) < FAILURES_SHOWN)
        fprintf(stderr, "stress: thread %u: %s (block id %llx, size %zu, at %p)\n", worker->index,
                what, (unsigned long long)block->id, block->size, (void *)block->data);
}

static void expect(worker_t *worker, int condition, const char *what, const block_t *block)
{
    worker->checks++;
    if (!condition)
        fail(worker, what, block);
}

/* Checks a block just returned for block->size bytes. */
static void check_fresh(worker_t *worker, const block_t *block)
{
    expect(worker, block->data != NULL, "allocation returned NULL", block);
    if (block->data == NULL)
        return;
    expect(worker, malloc_usable_size(block->data) >= block->size,
           "malloc_usable_size below the request", block);
}

static void allocate(worker_t *worker, block_t *block, int zeroed)
{
    block->size = random_size(worker);
    block->id = worker->next_id++;
    block->data = zeroed ? calloc(1, block->size) : malloc(block->size);
    check_fresh(worker, block);
    if (block->data == NULL)
        return;
    int aligned = (uintptr_t)block->data % (block->size % 16 == 0 ? 16 : 8) == 0;
    expect(worker, aligned, "block misaligned", block);
    if (zeroed) {
        int zero = block->data[0] == 0 && memcmp(block->data, block->data + 1, block->size - 1) == 0;
        expect(worker, zero, "calloc block not zeroed", block);
    }
    fill_pattern(block->data, block->size, block->id);
}

static void release(worker_t *worker, block_t *block)
{
    if (block->data == NULL)
        return;
    expect(worker, pattern_intact(block->data, block->size, block->id),
           "pattern damaged before free", block);
    free(block->data);
    block->data = NULL;
}

static void reallocate(worker_t *worker, block_t *block)
{
    if (block->data == NULL) {
        allocate(worker, block, 0);
        return;
    }
    expect(worker, pattern_intact(block->data, block->size, block->id),
           "pattern damaged before realloc", block);
    size_t new_size = next_random(worker) % 64 == 0 ? 0 : random_size(worker);
    unsigned char *moved = realloc(block->data, new_size);
    if (new_size == 0) {
        /* glibc's realloc(p, 0) frees p and returns NULL; memsnap does too. */
        expect(worker, moved == NULL, "realloc to 0 did not return NULL", block);
        block->data = NULL;
        return;
    }
    size_t kept = block->size < new_size ? block->size : new_size;
    block->data = moved;
    block->size = new_size;
    check_fresh(worker, block);
    if (moved == NULL)
        return;
    expect(worker, pattern_intact(moved, kept, block->id), "realloc lost the contents", block);
    fill_pattern(moved, new_size, block->id);
}

/* Swaps a slot with a random exchange slot: the block given may be freed by
 * any thread, the block received came from any thread. */
static void swap_with_exchange(worker_t *worker, block_t *block)
{
    size_t index = next_random(worker) % EXCHANGE_SLOTS;
    pthread_mutex_lock(&exchange_lock);
    block_t received = exchange[index];
    exchange[index] = *block;
    pthread_mutex_unlock(&exchange_lock);
    *block = received;
    if (received.data != NULL && received.id >> 48 != worker->index)
        worker->cross_thread_blocks++;
}

static void *run_worker(void *argument)
{
    worker_t *worker = argument;
    for (long operation = 0; operation < operations_per_thread; operation++) {
        uint64_t r = next_random(worker);
        block_t *block = &worker->slots[(r >> 32) % SLOTS_PER_THREAD];
        unsigned choice = (unsigned)(r % 100);
        if (choice < 35) {
            release(worker, block);
            allocate(worker, block, 0);
        } else if (choice < 60) {
            release(worker, block);
        } else if (choice < 80) {
            reallocate(worker, block);
        } else if (choice < 90) {
            swap_with_exchange(worker, block);
        } else {
            release(worker, block);
            allocate(worker, block, 1);
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        operations_per_thread = atol(argv[1]);
    for (unsigned i = 0; i < THREADS; i++) {
        workers[i].index = i;
        workers[i].random_state = 0x123456789ULL * (i + 1);
        workers[i].next_id = (uint64_t)i << 48;
        if (pthread_create(&workers[i].thread, NULL, run_worker, &workers[i]) != 0) {
            fprintf(stderr, "stress: cannot create thread %u\n", i);
            return 1;
        }
    }
    for (unsigned i = 0; i < THREADS; i++)
        pthread_join(workers[i].thread, NULL);

    /* What is left, checked and freed by the main thread: yet another thread. */
    worker_t *main_worker = &workers[0];
    for (unsigned i = 0; i < THREADS; i++)
        for (size_t slot = 0; slot < SLOTS_PER_THREAD; slot++)
            release(main_worker, &workers[i].slots[slot]);
    for (size_t slot = 0; slot < EXCHANGE_SLOTS; slot++)
        release(main_worker, &exchange[slot]);

    unsigned long checks = 0, failures = 0, cross = 0;
    for (unsigned i = 0; i < THREADS; i++) {
        checks += workers[i].checks;
        failures += workers[i].failures;
        cross += workers[i].cross_thread_blocks;
    }
    printf("stress: %d threads x %ld operations, %lu checks, %lu failures, "
           "%lu blocks passed between threads\n",
           THREADS, operations_per_thread, checks, failures, cross);
    return failures == 0 && cross > 0 ? 0 : 1;
}
