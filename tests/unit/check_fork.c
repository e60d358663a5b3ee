/* check_fork.c: the fork handlers of fork.c, called around fork() as the
 * preload registers them with pthread_atfork: every lock is free again on
 * both sides, the forking thread keeps its heap in the child, and the heaps
 * of threads that do not exist in the child are adopted there. */
#include "unit.h"

#include <pthread.h>
#include <sys/wait.h>

#include "alloc.h"
#include "fork.h"
#include "heap.h"

/* What the child found wrong, as its exit status. */
enum child_status {
    CHILD_OK,
    CHILD_NO_THREAD,
    CHILD_WRONG_HEAP,
    CHILD_WRONG_BLOCK,
    CHILD_NO_MEMORY,
};

typedef struct probe {
    size_t size;
    ms_heap_t *heap;
    void *block;
} probe_t;

/* A thread's first malloc: which heap it got, and which block. */
static void *first_malloc(void *argument)
{
    probe_t *probe = argument;
    probe->block = ms_malloc(probe->size, 0);
    probe->heap = ms_heap_current;
    return NULL;
}

static int probe_in_thread(probe_t *probe)
{
    pthread_t thread;
    if (pthread_create(&thread, NULL, first_malloc, probe) != 0)
        return -1;
    return pthread_join(thread, NULL);
}

/* Forks with the handlers around it; the child runs child_body and exits
 * with its status. Returns that status. */
static int fork_and_wait(int (*child_body)(void *context), void *context)
{
    ms_fork_prepare();
    pid_t child = fork();
    if (child == 0) {
        ms_fork_child();
        _exit(child_body(context));
    }
    ms_fork_parent();
    ck_assert_int_gt(child, 0);
    int status;
    ck_assert_int_eq(waitpid(child, &status, 0), child);
    ck_assert_msg(WIFEXITED(status), "the child died (status %#x)", status);
    return WEXITSTATUS(status);
}

typedef struct owner {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int state;                    /* 0 starting, 1 blocks made, 2 may finish */
    void *blocks[2];
    ms_heap_t *heap;
} owner_t;

/* Allocates two blocks, then waits, alive, while the main thread forks. */
static void *own_blocks_across_fork(void *argument)
{
    owner_t *owner = argument;
    owner->blocks[0] = ms_malloc(48, 0);
    owner->blocks[1] = ms_malloc(48, 0);
    pthread_mutex_lock(&owner->lock);
    owner->heap = ms_heap_current;
    owner->state = 1;
    pthread_cond_broadcast(&owner->changed);
    while (owner->state != 2)
        pthread_cond_wait(&owner->changed, &owner->lock);
    pthread_mutex_unlock(&owner->lock);
    ms_free(owner->blocks[0], NULL);
    return NULL;
}

/* In the child the owner thread is gone: its heap waits for adoption. */
static int child_adopts_owner_heap(void *context)
{
    owner_t *owner = context;
    /* A free into the orphaned heap takes effect at once... */
    ms_free(owner->blocks[1], NULL);
    /* ...and the child's next new thread adopts that heap and gets the
     * block back first. */
    probe_t probe = { 48, NULL, NULL };
    if (probe_in_thread(&probe) != 0)
        return CHILD_NO_THREAD;
    if (probe.heap != owner->heap)
        return CHILD_WRONG_HEAP;
    if (probe.block != owner->blocks[1])
        return CHILD_WRONG_BLOCK;
    /* A class never used so far: the slow path takes every lock again. */
    return ms_malloc(300, 0) != NULL ? CHILD_OK : CHILD_NO_MEMORY;
}

START_TEST(test_other_thread_heap_adopted_in_child)
{
    static owner_t owner = {
        PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, { NULL, NULL }, NULL,
    };
    pthread_t thread;
    ck_assert_int_eq(pthread_create(&thread, NULL, own_blocks_across_fork, &owner), 0);
    pthread_mutex_lock(&owner.lock);
    while (owner.state != 1)
        pthread_cond_wait(&owner.changed, &owner.lock);
    pthread_mutex_unlock(&owner.lock);

    ck_assert_int_eq(fork_and_wait(child_adopts_owner_heap, &owner), CHILD_OK);

    /* In the parent nothing changed hands: the owner still runs on its
     * heap, and the locks the handlers took are free again. */
    pthread_mutex_lock(&owner.lock);
    owner.state = 2;
    pthread_cond_broadcast(&owner.changed);
    pthread_mutex_unlock(&owner.lock);
    ck_assert_int_eq(pthread_join(thread, NULL), 0);
    ck_assert_ptr_nonnull(ms_malloc(300, 0));
    ck_assert_ptr_eq(MS_POOL_OF(owner.blocks[1])->heap, owner.heap);
}
END_TEST

typedef struct forker {
    ms_heap_t *heap;
    void *freed;
} forker_t;

/* The forking thread lives on in the child, with its own heap: its freed
 * block is its next one, and a new thread gets a heap of its own. */
static int child_keeps_forker_heap(void *context)
{
    forker_t *forker = context;
    if (ms_heap_current != forker->heap)
        return CHILD_WRONG_HEAP;
    if (ms_malloc(24, 0) != forker->freed)
        return CHILD_WRONG_BLOCK;
    probe_t probe = { 24, NULL, NULL };
    if (probe_in_thread(&probe) != 0)
        return CHILD_NO_THREAD;
    if (probe.heap == forker->heap || probe.block == NULL)
        return CHILD_WRONG_HEAP;
    return CHILD_OK;
}

START_TEST(test_forking_thread_keeps_heap)
{
    void *freed = ms_malloc(24, 0);
    forker_t forker = { ms_heap_current, freed };
    ms_free(freed, NULL);
    ck_assert_int_eq(fork_and_wait(child_keeps_forker_heap, &forker), CHILD_OK);
    ck_assert_ptr_eq(ms_malloc(24, 0), forker.freed);
}
END_TEST

static Suite *fork_suite(void)
{
    Suite *suite = suite_create("fork");
    TCase *handlers = tcase_create("handlers");
    tcase_add_test(handlers, test_other_thread_heap_adopted_in_child);
    tcase_add_test(handlers, test_forking_thread_keeps_heap);
    suite_add_tcase(suite, handlers);
    return suite;
}

int main(void)
{
    return run_suite(fork_suite());
}
