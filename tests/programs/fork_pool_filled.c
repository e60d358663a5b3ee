/* fork_pool_filled.c: fork while another thread is filling pools, then
 * allocate from that thread's heap in the child.
 *
 * A worker thread allocates 500-byte blocks in batches (a 4 KiB pool holds 8
 * of them, so it fills a pool every 8 calls) and frees each batch. The main
 * thread forks 100 times. Each child starts a thread, which adopts the heap
 * the worker left behind, and allocates and frees 500-byte blocks; the child
 * exits 0, or is killed by alarm() after 2 seconds if an allocation never
 * returns. The parent stops at the first child that does not exit 0.
 *
 * Exits 0 if every child exited 0.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define FORKS          100
#define BLOCK_SIZE     500
#define BATCH          4096
#define CHILD_SECONDS  2

static void *fill_pools(void *argument)
{
    (void)argument;
    static void *batch[BATCH];
    for (;;) {
        for (int i = 0; i < BATCH; i++)
            batch[i] = malloc(BLOCK_SIZE);
        for (int i = 0; i < BATCH; i++)
            free(batch[i]);
    }
    return NULL;
}

static void *allocate_in_child(void *argument)
{
    (void)argument;
    for (int round = 0; round < 100; round++) {
        void *blocks[64];
        for (int i = 0; i < 64; i++)
            blocks[i] = malloc(BLOCK_SIZE);
        for (int i = 0; i < 64; i++)
            free(blocks[i]);
    }
    return NULL;
}

int main(void)
{
    pthread_t worker;
    if (pthread_create(&worker, NULL, fill_pools, NULL) != 0)
        return 1;
    usleep(10000);
    int failed = 0;
    for (int round = 0; round < FORKS; round++) {
        pid_t pid = fork();
        if (pid == 0) {
            alarm(CHILD_SECONDS);
            pthread_t thread;
            if (pthread_create(&thread, NULL, allocate_in_child, NULL) != 0)
                _exit(2);
            pthread_join(thread, NULL);
            _exit(0);
        }
        int status;
        if (pid < 0 || waitpid(pid, &status, 0) != pid) {
            fprintf(stderr, "fork_pool_filled: fork or waitpid failed\n");
            return 1;
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "fork_pool_filled: child %d %s\n", round,
                    WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM
                        ? "hung in malloc (killed by its alarm)" : "failed");
            failed = 1;
            break;
        }
        usleep(1000);
    }
    if (!failed)
        printf("fork_pool_filled: %d forks, every child exited 0\n", FORKS);
    return failed == 0 ? 0 : 1;
}
