/* snapshot_exec.c: snapshots across fork and exec, one set per process.
 *
 * Usage: snapshot_exec parent
 *
 * The parent allocates, then starts three children and waits for them:
 *   exec child   allocates, calls memsnap_snapshot("handover") and then
 *                memsnap_snapshot("before-exec"), and execs this program
 *                (/proc/self/exe) as "snapshot_exec execd": same pid, a new
 *                image, which allocates, calls memsnap_snapshot("handover")
 *                again (the name its predecessor used first) and returns
 *                from main: an exit snapshot. exec runs no exit handler, so
 *                the first image writes nothing but its two API snapshots.
 *   exit child   allocates and calls exit(0): an exit snapshot of its own
 *   _exit child  allocates and calls _exit(0): no snapshot
 * and returns from main (its own exit snapshot).
 *
 * Prints on stdout, one per line: "parent PID", "exec-child PID",
 * "exit-child PID", "quick-exit-child PID", then "done"; the script checks
 * the files. Exits 0, or 1 when an API call or a child failed (why on
 * stderr). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "memsnap.h"

static void *kept[64];

static void allocate(size_t size, int count)
{
    for (int i = 0; i < count && i < 64; i++) {
        kept[i] = malloc(size);
        if (kept[i] == NULL)
            exit(1);
        memset(kept[i], i, size);
    }
}

static int snapshot(const char *tag)
{
    if (memsnap_snapshot(tag) != 0) {
        fprintf(stderr, "snapshot_exec[%d]: memsnap_snapshot(\"%s\"): %s\n", (int)getpid(), tag,
                strerror(errno));
        return 1;
    }
    return 0;
}

static int run_execd(void)
{
    allocate(300, 30);
    return snapshot("handover");
}

/* Waits for pid; its exit status, or -1. */
static int wait_for(pid_t pid)
{
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "execd") == 0)
        return run_execd();
    if (argc != 2 || strcmp(argv[1], "parent") != 0) {
        fprintf(stderr, "usage: snapshot_exec parent\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    allocate(100, 10);
    printf("parent %d\n", (int)getpid());

    pid_t exec_child = fork();
    if (exec_child == 0) {
        allocate(200, 20);
        if (snapshot("handover") != 0 || snapshot("before-exec") != 0)
            _exit(1);
        char *const child_argv[] = { argv[0], "execd", NULL };
        execv("/proc/self/exe", child_argv);
        fprintf(stderr, "snapshot_exec: execv: %s\n", strerror(errno));
        _exit(1);
    }
    int failed = exec_child < 0 || wait_for(exec_child) != 0;
    printf("exec-child %d\n", (int)exec_child);

    pid_t exit_child = fork();
    if (exit_child == 0) {
        allocate(400, 40);
        exit(0);
    }
    failed |= exit_child < 0 || wait_for(exit_child) != 0;
    printf("exit-child %d\n", (int)exit_child);

    pid_t quick_child = fork();
    if (quick_child == 0) {
        allocate(500, 50);
        _exit(0);
    }
    failed |= quick_child < 0 || wait_for(quick_child) != 0;
    printf("quick-exit-child %d\n", (int)quick_child);
    printf("done\n");
    if (failed)
        fprintf(stderr, "snapshot_exec: a child failed\n");
    return failed;
}
