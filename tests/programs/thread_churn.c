/* thread_churn.c: short-lived threads whose blocks outlive them.
 *
 * 300 rounds of 4 threads. Each thread allocates blocks (mostly small, some
 * large), frees some, and hands the rest over through a lock-protected list.
 * The threads of the next round check, reallocate and free those blocks after
 * their allocating thread has exited: memsnap then frees into an abandoned
 * heap, or into the heap a new thread adopted. Every block carries a
 * pattern derived from its id, checked before each free and realloc.
 *
 * Exits 0 only if every check passed.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "pattern.h"

#define ROUNDS            300
#define THREADS_PER_ROUND 4
#define BLOCKS_PER_THREAD 1000
#define HANDOFF_MAX       (THREADS_PER_ROUND * BLOCKS_PER_THREAD)

/* Blocks handed from one round to the next; guarded by handoff_lock. */
static block_t handoff[HANDOFF_MAX];
static size_t handoff_count;
static pthread_mutex_t handoff_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long failures;      /* atomic */

static void expect(int condition, const char *what)
{
    if (!condition && __atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED) < 10)
        fprintf(stderr, "thread_churn: %s\n", what);
}

static size_t random_size(uint64_t *random_state)
{
    uint64_t r = next_random_from(random_state);
    return r % 16 == 0 ? 513 + (size_t)((r >> 8) % 20000) : 1 + (size_t)((r >> 8) % 512);
}

static void check_and_free(block_t *block)
{
    expect(pattern_intact(block->data, block->size, block->id), "pattern damaged before free");
    free(block->data);
    block->data = NULL;
}

/* Takes up to count blocks from the hand-off list into blocks[]. */
static size_t take_handed_off(block_t *blocks, size_t count)
{
    pthread_mutex_lock(&handoff_lock);
    size_t taken = 0;
    while (taken < count && handoff_count > 0)
        blocks[taken++] = handoff[--handoff_count];
    pthread_mutex_unlock(&handoff_lock);
    return taken;
}

static void run_round_thread(uint64_t seed)
{
    uint64_t random_state = seed;
    block_t own[BLOCKS_PER_THREAD];
    for (size_t i = 0; i < BLOCKS_PER_THREAD; i++) {
        own[i].size = random_size(&random_state);
        own[i].id = seed * BLOCKS_PER_THREAD + i;
        own[i].data = malloc(own[i].size);
        expect(own[i].data != NULL, "malloc returned NULL");
        if (own[i].data != NULL)
            fill_pattern(own[i].data, own[i].size, own[i].id);
    }

    /* Blocks of threads that have exited: reallocate half, free all. */
    block_t inherited[BLOCKS_PER_THREAD];
    size_t taken = take_handed_off(inherited, BLOCKS_PER_THREAD);
    for (size_t i = 0; i < taken; i++) {
        block_t *block = &inherited[i];
        if (i % 2 == 0) {
            const char *problem = block_reallocate(block, random_size(&random_state));
            expect(problem == NULL, problem);
            if (problem != NULL)
                continue;
        }
        check_and_free(block);
    }

    /* Free every other own block; hand the rest to the next round. */
    for (size_t i = 0; i < BLOCKS_PER_THREAD; i += 2)
        if (own[i].data != NULL)
            check_and_free(&own[i]);
    pthread_mutex_lock(&handoff_lock);
    for (size_t i = 1; i < BLOCKS_PER_THREAD; i += 2)
        if (own[i].data != NULL && handoff_count < HANDOFF_MAX)
            handoff[handoff_count++] = own[i];
        else if (own[i].data != NULL)
            check_and_free(&own[i]);
    pthread_mutex_unlock(&handoff_lock);
}

static void *round_thread(void *argument)
{
    run_round_thread((uintptr_t)argument);
    return NULL;
}

int main(void)
{
    for (unsigned round = 0; round < ROUNDS; round++) {
        pthread_t threads[THREADS_PER_ROUND];
        for (unsigned i = 0; i < THREADS_PER_ROUND; i++) {
            uintptr_t seed = round * THREADS_PER_ROUND + i + 1;
            if (pthread_create(&threads[i], NULL, round_thread, (void *)seed) != 0) {
                fprintf(stderr, "thread_churn: cannot create thread\n");
                return 1;
            }
        }
        for (unsigned i = 0; i < THREADS_PER_ROUND; i++)
            pthread_join(threads[i], NULL);
        /* Every tenth round the main thread frees some of what is left. */
        if (round % 10 == 9) {
            block_t leftovers[BLOCKS_PER_THREAD];
            size_t taken = take_handed_off(leftovers, BLOCKS_PER_THREAD);
            for (size_t i = 0; i < taken; i++)
                check_and_free(&leftovers[i]);
        }
    }
    block_t leftovers[BLOCKS_PER_THREAD];
    size_t taken;
    while ((taken = take_handed_off(leftovers, BLOCKS_PER_THREAD)) > 0)
        for (size_t i = 0; i < taken; i++)
            check_and_free(&leftovers[i]);
    printf("thread_churn: %d rounds of %d threads, %lu failures\n", ROUNDS, THREADS_PER_ROUND,
           failures);
    return failures == 0 ? 0 : 1;
}
