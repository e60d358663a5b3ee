/* check_heap.c: the per-thread heaps of heap.c: a block freed by another
 * thread waits on its owner's remote_free stack and is reused by the owner;
 * many threads freeing into each other at once lose no block; a thread's
 * heap outlives it and the next thread adopts it instead of a new one. */
#include "unit.h"

#include <pthread.h>

#include "alloc.h"
#include "heap.h"
#include "meta.h"

/* Runs body(argument) on a new thread and waits for it to end. */
static void run_thread(void *(*body)(void *), void *argument)
{
    pthread_t thread;
    ck_assert_int_eq(pthread_create(&thread, NULL, body, argument), 0);
    ck_assert_int_eq(pthread_join(thread, NULL), 0);
}

enum { REMOTE_SIZE = 64, REMOTE_CAPACITY = (4096 - 64) / REMOTE_SIZE };

static void *free_all_blocks(void *argument)
{
    char **blocks = argument;
    for (int k = 0; k < REMOTE_CAPACITY; k++)
        ms_free(blocks[k], NULL);
    return NULL;
}

START_TEST(test_remote_frees_reused_by_owner)
{
    unit_require_fresh_allocator();
    char *blocks[REMOTE_CAPACITY];
    for (int k = 0; k < REMOTE_CAPACITY; k++)
        blocks[k] = ms_malloc(REMOTE_SIZE, 0);
    ms_pool_t *pool = MS_POOL_OF(blocks[0]);
    ck_assert_ptr_eq(MS_POOL_OF(blocks[REMOTE_CAPACITY - 1]), pool);
    ck_assert_ptr_null(pool->freeblock);

    run_thread(free_all_blocks, blocks);
    /* The blocks wait on this thread's stack, newest first, and still count
     * as used: only the owner touches its pools. */
    ck_assert_ptr_eq(ms_heap_current->remote_free, blocks[REMOTE_CAPACITY - 1]);
    ck_assert_uint_eq(pool->count, REMOTE_CAPACITY);

    /* The full pool sends the next malloc to the slow path, which takes the
     * stack back; the blocks come out in their old order, from the same
     * pool, and no other pool is taken. */
    for (int k = 0; k < REMOTE_CAPACITY; k++) {
        char *block = ms_malloc(REMOTE_SIZE, 0);
        unit_expect(block == blocks[k], "block %d: %p, expected %p", k, (void *)block,
                    (void *)blocks[k]);
    }
    ck_assert_ptr_null(ms_heap_current->remote_free);
    ck_assert_uint_eq(unit_held_pools(NULL), 1);
}
END_TEST

/* THREADS threads, in rounds: each allocates a batch of blocks of mixed
 * sizes and marks them; then each frees one share of every batch, so every
 * heap receives remote frees from all other threads at once while its owner
 * frees its own share. A block handed out twice would show as a broken mark. */
enum { THREADS = 4, ROUNDS = 40, BATCH = 400 };

typedef struct exchange {
    pthread_barrier_t barrier;
    char *batches[THREADS][BATCH];
    unsigned broken_marks;      /* atomic */
} exchange_t;

typedef struct worker {
    exchange_t *exchange;
    unsigned id;
} worker_t;

static size_t batch_size(unsigned round, unsigned index)
{
    return 1 + (round * 131 + index * 17) % 512;
}

static void *exchange_blocks(void *argument)
{
    worker_t *worker = argument;
    exchange_t *exchange = worker->exchange;
    for (unsigned round = 0; round < ROUNDS; round++) {
        for (unsigned index = 0; index < BATCH; index++) {
            char *block = ms_malloc(batch_size(round, index), 0);
            unit_fill(block, batch_size(round, index), worker->id * BATCH + index);
            exchange->batches[worker->id][index] = block;
        }
        pthread_barrier_wait(&exchange->barrier);
        for (unsigned owner = 0; owner < THREADS; owner++) {
            for (unsigned index = worker->id; index < BATCH; index += THREADS) {
                const unsigned char *block = (const unsigned char *)exchange->batches[owner][index];
                size_t size = batch_size(round, index);
                for (size_t offset = 0; offset < size; offset++) {
                    if (block[offset] != unit_pattern_byte(owner * BATCH + index, offset)) {
                        __atomic_add_fetch(&exchange->broken_marks, 1, __ATOMIC_RELAXED);
                        break;
                    }
                }
                ms_free(exchange->batches[owner][index], NULL);
            }
        }
        pthread_barrier_wait(&exchange->barrier);
    }
    return NULL;
}

START_TEST(test_concurrent_remote_frees)
{
    static exchange_t exchange;
    worker_t workers[THREADS];
    pthread_t threads[THREADS];
    uint64_t held_before = unit_held_pools(NULL);
    ck_assert_int_eq(pthread_barrier_init(&exchange.barrier, NULL, THREADS), 0);
    for (unsigned id = 0; id < THREADS; id++) {
        workers[id] = (worker_t){ &exchange, id };
        ck_assert_int_eq(pthread_create(&threads[id], NULL, exchange_blocks, &workers[id]), 0);
    }
    for (unsigned id = 0; id < THREADS; id++)
        ck_assert_int_eq(pthread_join(threads[id], NULL), 0);
    pthread_barrier_destroy(&exchange.barrier);

    ck_assert_uint_eq(exchange.broken_marks, 0);
    /* Every block is free and every thread gone: each exiting thread took
     * its stack back and returned its emptied pools. */
    ck_assert_uint_eq(unit_held_pools(NULL), held_before);
}
END_TEST

/* Each short-lived thread allocates and frees in three classes and leaves
 * one 8-byte block behind, and reports the heap it ran on. */
enum { CYCLES = 200 };

typedef struct visitor {
    ms_heap_t *heap;
    void *left_behind;
} visitor_t;

static void *visit_and_leave_one(void *argument)
{
    visitor_t *visitor = argument;
    static const size_t sizes[] = { 8, 100, 512 };
    void *blocks[3][10];
    for (int class = 0; class < 3; class++)
        for (int k = 0; k < 10; k++)
            blocks[class][k] = ms_malloc(sizes[class], 0);
    for (int class = 0; class < 3; class++)
        for (int k = 0; k < 10; k++)
            ms_free(blocks[class][k], NULL);
    visitor->left_behind = ms_malloc(8, 0);
    visitor->heap = ms_heap_current;
    return NULL;
}

START_TEST(test_exited_thread_heap_is_adopted)
{
    static visitor_t visitors[CYCLES];
    uint64_t held_before = unit_held_pools(NULL);
    size_t meta_after_first = 0;
    for (int cycle = 0; cycle < CYCLES; cycle++) {
        run_thread(visit_and_leave_one, &visitors[cycle]);
        if (cycle == 0)
            meta_after_first = ms_meta_bytes();
        /* One heap for all: a new heap per thread would also take a new
         * 8-byte pool for its block left behind. The 100- and 512-byte pools
         * went back when each thread exited. */
        ck_assert_ptr_eq(visitors[cycle].heap, visitors[0].heap);
        ck_assert_uint_eq(unit_held_pools(NULL), held_before + 1);
    }
    ck_assert_uint_eq(ms_meta_bytes(), meta_after_first);

    /* Frees into the abandoned heap happen at once, under its lock. */
    ms_pool_t *pool = MS_POOL_OF(visitors[0].left_behind);
    ck_assert_uint_eq(pool->count, CYCLES);
    for (int cycle = 0; cycle < CYCLES; cycle++)
        ms_free(visitors[cycle].left_behind, NULL);
    ck_assert_uint_eq(pool->count, 0);
    ck_assert_ptr_null(visitors[0].heap->remote_free);
}
END_TEST

static Suite *heap_suite(void)
{
    Suite *suite = suite_create("heap");
    TCase *threads = tcase_create("threads");
    tcase_set_timeout(threads, 30);
    tcase_add_test(threads, test_remote_frees_reused_by_owner);
    tcase_add_test(threads, test_concurrent_remote_frees);
    tcase_add_test(threads, test_exited_thread_heap_is_adopted);
    suite_add_tcase(suite, threads);
    return suite;
}

int main(void)
{
    return run_suite(heap_suite());
}
