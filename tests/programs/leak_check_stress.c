/* leak_check_stress.c: leak checks while threads allocate and free.
 *
 * Four threads run random malloc, realloc and free on 1024 blocks each
 * (sizes up to 512 bytes, some up to 16 KiB), every block filled with its
 * pattern (pattern.h) and checked before it is freed or reallocated; the
 * blocks are held in a global array, so nothing is ever lost. Meanwhile the
 * main thread calls memsnap_leak_check() CHECKS times (default 40).
 *
 * Checks: every leak check returns 0 (a block a stopped thread holds only in
 * a register, or is moving in realloc, is still found), every pattern is
 * intact (a check disturbs no block), and every thread finishes its work
 * (each was resumed). Prints "checks N, lost 0, damaged 0" and exits 0
 * only then. Without the preload the checks return -1: it prints that and
 * exits 2.
 *
 * Usage: leak_check_stress [CHECKS] */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "memsnap.h"
#include "pattern.h"

#define THREADS 4
#define BLOCKS  1024

typedef struct worker {
    pthread_t thread;
    uint64_t random_state;
    uint64_t next_id;
    block_t blocks[BLOCKS];
    unsigned long damaged;
} worker_t;

static worker_t workers[THREADS];
static int stop;

static size_t random_size(uint64_t *state)
{
    uint64_t r = next_random_from(state);
    return r % 50 == 0 ? 513 + (size_t)(r >> 8) % 16000 : 1 + (size_t)(r >> 8) % 512;
}

static void *work(void *argument)
{
    worker_t *worker = argument;
    while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
        uint64_t r = next_random_from(&worker->random_state);
        block_t *block = &worker->blocks[r % BLOCKS];
        if (block->data == NULL) {
            block->size = random_size(&worker->random_state);
            block->id = worker->next_id++;
            block->data = malloc(block->size);
            if (block->data != NULL)
                fill_pattern(block->data, block->size, block->id);
        } else if (r % 3 == 0) {
            if (block_reallocate(block, random_size(&worker->random_state)) != NULL)
                worker->damaged++;
        } else {
            if (!pattern_intact(block->data, block->size, block->id))
                worker->damaged++;
            free(block->data);
            block->data = NULL;
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    long checks = argc > 1 ? atol(argv[1]) : 40;
    for (int i = 0; i < THREADS; i++) {
        workers[i].random_state = 0x9E3779B97F4A7C15ULL * (uint64_t)(i + 1);
        if (pthread_create(&workers[i].thread, NULL, work, &workers[i]) != 0) {
            fprintf(stderr, "leak_check_stress: pthread_create failed\n");
            return 1;
        }
    }
    long lost = 0;
    for (long i = 0; i < checks; i++) {
        struct timespec pause = { 0, 2000000 };
        nanosleep(&pause, NULL);
        long found = memsnap_leak_check();
        if (found < 0) {
            fprintf(stderr, "leak_check_stress: memsnap_leak_check() returned -1 (no preload?)\n");
            return 2;
        }
        lost += found;
    }
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    unsigned long damaged = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(workers[i].thread, NULL);
        damaged += workers[i].damaged;
        for (int b = 0; b < BLOCKS; b++) {
            block_t *block = &workers[i].blocks[b];
            if (block->data != NULL && !pattern_intact(block->data, block->size, block->id))
                damaged++;
            free(block->data);
        }
    }
    printf("checks %ld, lost %ld, damaged %lu\n", checks, lost, damaged);
    return lost == 0 && damaged == 0 ? 0 : 1;
}
