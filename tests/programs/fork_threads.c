/* fork_threads.c: fork() in a threaded program while other threads allocate.
 *
 * Three worker threads malloc, realloc and free in a loop (small and large
 * blocks, each filled with a pattern) and keep replacing blocks in a shared
 * array. The main thread forks 50 times while they run. Each child checks the
 * pattern of every shared block (allocated by threads that do not exist in
 * the child), reallocates or frees them, allocates and frees small and large
 * blocks itself and from a new thread, then exits 0 if every check passed.
 * The parent checks each child's exit status; a child still running after
 * 10 seconds is killed by its alarm and counts as failed.
 *
 * Checks: no deadlock (the script runs this under `timeout 60`), no
 * corruption in parent or child. Exits 0 only if every check passed.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pattern.h"

#define WORKERS          3
#define FORKS            50
#define SHARED_SLOTS     256
#define PRIVATE_SLOTS    128
#define LARGE_SIZE_MAX   (64 * 1024)
#define CHILD_BLOCKS     1000
#define CHILD_SECONDS    10

/* Guarded by shared_lock; the main thread holds it across fork(), so a
 * child sees every shared block whole. */
static block_t shared[SHARED_SLOTS];
static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t next_shared_id = 1;

static int stop;                    /* atomic: workers end their loop */
static unsigned long failures;      /* atomic */
static unsigned long worker_rounds; /* atomic: proof the workers ran */

static void expect(int condition, const char *what)
{
    if (!condition && __atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED) < 10)
        fprintf(stderr, "fork_threads[%d]: %s\n", (int)getpid(), what);
}

/* Mostly small blocks, one in eight large (over memsnap's 512 bytes). */
static size_t random_size(uint64_t *random_state)
{
    uint64_t r = next_random_from(random_state);
    if (r % 8 == 0)
        return 513 + (size_t)((r >> 8) % LARGE_SIZE_MAX);
    return 1 + (size_t)((r >> 8) % 512);
}

static void block_allocate(block_t *block, size_t size, uint64_t id)
{
    block->data = malloc(size);
    block->size = size;
    block->id = id;
    expect(block->data != NULL, "malloc returned NULL");
    if (block->data != NULL)
        fill_pattern(block->data, size, id);
}

static void block_release(block_t *block)
{
    if (block->data == NULL)
        return;
    expect(pattern_intact(block->data, block->size, block->id), "pattern damaged before free");
    free(block->data);
    block->data = NULL;
}

static void reallocate_checked(block_t *block, size_t size)
{
    const char *problem = block_reallocate(block, size);
    expect(problem == NULL, problem);
}

static void *run_worker(void *argument)
{
    uint64_t random_state = (uintptr_t)argument * 0x9E3779B9u + 1;
    uint64_t id = (uint64_t)(uintptr_t)argument << 48;
    block_t own[PRIVATE_SLOTS] = { { 0 } };
    while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
        for (int i = 0; i < 64; i++) {
            block_t *block = &own[next_random_from(&random_state) % PRIVATE_SLOTS];
            if (block->data != NULL && next_random_from(&random_state) % 2)
                reallocate_checked(block, random_size(&random_state));
            else {
                block_release(block);
                block_allocate(block, random_size(&random_state), id++);
            }
        }
        pthread_mutex_lock(&shared_lock);
        block_t *slot = &shared[next_random_from(&random_state) % SHARED_SLOTS];
        block_release(slot);
        block_allocate(slot, random_size(&random_state), next_shared_id++);
        pthread_mutex_unlock(&shared_lock);
        __atomic_add_fetch(&worker_rounds, 1, __ATOMIC_RELAXED);
    }
    for (int i = 0; i < PRIVATE_SLOTS; i++)
        block_release(&own[i]);
    return NULL;
}

/* Allocates and frees blocks of every kind; run by the child's threads. */
static void *allocate_and_free(void *argument)
{
    uint64_t random_state = (uintptr_t)argument + 77;
    block_t blocks[CHILD_BLOCKS];
    for (int i = 0; i < CHILD_BLOCKS; i++)
        block_allocate(&blocks[i], random_size(&random_state), 0xC0DE0000u + (unsigned)i);
    for (int i = 0; i < CHILD_BLOCKS; i += 2)
        block_release(&blocks[i]);
    for (int i = 1; i < CHILD_BLOCKS; i += 2)
        reallocate_checked(&blocks[i], random_size(&random_state));
    for (int i = 1; i < CHILD_BLOCKS; i += 2)
        block_release(&blocks[i]);
    return NULL;
}

/* The child: only this thread survived the fork. An allocation that never
 * returns gets it killed by SIGALRM, which the parent reports. */
static void child(unsigned round)
{
    alarm(CHILD_SECONDS);
    uint64_t random_state = round + 1;
    __atomic_store_n(&failures, 0, __ATOMIC_RELAXED);
    for (int i = 0; i < SHARED_SLOTS; i++) {
        if (shared[i].data == NULL)
            continue;
        if (i % 2)
            reallocate_checked(&shared[i], random_size(&random_state));
        block_release(&shared[i]);
    }
    allocate_and_free((void *)(uintptr_t)round);
    pthread_t thread;
    expect(pthread_create(&thread, NULL, allocate_and_free, (void *)(uintptr_t)(round + 1000)) == 0,
           "child cannot create a thread");
    pthread_join(thread, NULL);
    exit(__atomic_load_n(&failures, __ATOMIC_RELAXED) == 0 ? 0 : 1);
}

int main(void)
{
    pthread_t workers[WORKERS];
    for (uintptr_t i = 0; i < WORKERS; i++)
        if (pthread_create(&workers[i], NULL, run_worker, (void *)(i + 1)) != 0) {
            fprintf(stderr, "fork_threads: cannot create thread\n");
            return 1;
        }
    while (__atomic_load_n(&worker_rounds, __ATOMIC_RELAXED) < 100)
        sched_yield();

    unsigned children_failed = 0;
    for (unsigned round = 0; round < FORKS; round++) {
        fflush(stdout);
        pthread_mutex_lock(&shared_lock);
        pid_t pid = fork();
        if (pid == 0)
            child(round);
        pthread_mutex_unlock(&shared_lock);
        expect(pid > 0, "fork failed");
        int status;
        if (pid > 0 && (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
                        WEXITSTATUS(status) != 0)) {
            if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
                fprintf(stderr, "fork_threads: child %u hung (killed by its alarm)\n", round);
            else
                fprintf(stderr, "fork_threads: child %u ended with status %#x\n", round, status);
            children_failed++;
        }
        /* Let the workers move on before the next fork. */
        unsigned long seen = __atomic_load_n(&worker_rounds, __ATOMIC_RELAXED);
        while (__atomic_load_n(&worker_rounds, __ATOMIC_RELAXED) < seen + 20)
            sched_yield();
    }

    __atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
    for (int i = 0; i < WORKERS; i++)
        pthread_join(workers[i], NULL);
    for (int i = 0; i < SHARED_SLOTS; i++)
        block_release(&shared[i]);
    printf("fork_threads: %d forks, %u children failed, %lu failures in the parent\n", FORKS,
           children_failed, failures);
    return children_failed == 0 && failures == 0 ? 0 : 1;
}
