/* exec_self.c: fork + exec under the preload; exit statuses pass through.
 *
 * The parent allocates, forks, and the child execs this same program (via
 * /proc/self/exe) with "child N", which allocates and frees and exits with
 * status N; the parent checks it gets N back. It also execs /bin/true and
 * /bin/false (statuses 0 and 1), starts itself with posix_spawn (a vfork-like
 * clone: no fork handlers run), and execs from a second thread while a third
 * is allocating (exec must replace a process whose allocator is busy).
 *
 * Usage: exec_self [--expect-preload]. With --expect-preload every exec'd
 * copy of this program checks that its malloc is memsnap's (LD_PRELOAD was
 * inherited through exec), and exits 100 if not.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define STATUS_NOT_PRELOADED 100

static int expect_preload;
static unsigned failures;

/* Is the malloc this program calls the one in libmemsnap.so? */
static int malloc_is_memsnap(void)
{
    Dl_info info;
    void *(*volatile function)(size_t) = malloc;
    return dladdr((void *)function, &info) != 0 && info.dli_fname != NULL &&
           strstr(info.dli_fname, "libmemsnap") != NULL;
}

static void churn(unsigned rounds)
{
    void *blocks[64] = { 0 };
    for (unsigned i = 0; i < rounds; i++) {
        unsigned slot = i % 64;
        free(blocks[slot]);
        blocks[slot] = malloc(1 + (i * 37) % 2000);
        if (blocks[slot] != NULL)
            memset(blocks[slot], (int)i, 1);
    }
    for (unsigned i = 0; i < 64; i++)
        free(blocks[i]);
}

static int run_child(int status)
{
    if (expect_preload && !malloc_is_memsnap())
        return STATUS_NOT_PRELOADED;
    churn(10000);
    return status;
}

/* The exit status of `path argv...` run in a child process, or -1. */
static int spawn_and_wait(const char *path, char *const argv[])
{
    pid_t pid = fork();
    if (pid == 0) {
        execv(path, argv);
        _exit(127);
    }
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

static void expect_status(const char *what, int actual, int expected)
{
    if (actual != expected) {
        fprintf(stderr, "exec_self: %s: exit status %d, expected %d\n", what, actual, expected);
        failures++;
    }
}

static char *preload_flag(void)
{
    return expect_preload ? "--expect-preload" : "--no-preload-check";
}

static void exec_self_with_status(int status)
{
    char number[16];
    snprintf(number, sizeof number, "%d", status);
    char *argv[] = { "exec_self", preload_flag(), "child", number, NULL };
    expect_status("exec of self", spawn_and_wait("/proc/self/exe", argv), status);
}

static void spawn_self_with_status(int status)
{
    char number[16];
    snprintf(number, sizeof number, "%d", status);
    char *argv[] = { "exec_self", preload_flag(), "child", number, NULL };
    extern char **environ;
    pid_t pid;
    int wait_status, actual = -1;
    if (posix_spawn(&pid, "/proc/self/exe", NULL, NULL, argv, environ) == 0 &&
        waitpid(pid, &wait_status, 0) == pid && WIFEXITED(wait_status))
        actual = WEXITSTATUS(wait_status);
    expect_status("posix_spawn of self", actual, status);
}

static void *allocate_forever(void *argument)
{
    (void)argument;
    for (;;)
        churn(1000);
    return NULL;
}

static void *exec_from_thread(void *argument)
{
    (void)argument;
    char *argv[] = { "exec_self", preload_flag(), "child", "9", NULL };
    execv("/proc/self/exe", argv);
    _exit(127);
}

/* A child with two threads, one allocating, the other calling exec. */
static void exec_while_allocating(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        pthread_t allocator, executor;
        pthread_create(&allocator, NULL, allocate_forever, NULL);
        usleep(1000);
        pthread_create(&executor, NULL, exec_from_thread, NULL);
        pthread_join(executor, NULL);
        _exit(127);
    }
    int wait_status, actual = -1;
    if (pid > 0 && waitpid(pid, &wait_status, 0) == pid && WIFEXITED(wait_status))
        actual = WEXITSTATUS(wait_status);
    expect_status("exec from a thread while another allocates", actual, 9);
}

int main(int argc, char **argv)
{
    expect_preload = argc > 1 && strcmp(argv[1], "--expect-preload") == 0;
    if (argc > 3 && strcmp(argv[2], "child") == 0)
        return run_child(atoi(argv[3]));
    if (expect_preload && !malloc_is_memsnap()) {
        fprintf(stderr, "exec_self: malloc is not memsnap's in the parent\n");
        return 1;
    }

    churn(10000);
    static const int statuses[] = { 0, 1, 7, 42, 255 };
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
        exec_self_with_status(statuses[i]);
    expect_status("/bin/true", spawn_and_wait("/bin/true", (char *[]){ "true", NULL }), 0);
    expect_status("/bin/false", spawn_and_wait("/bin/false", (char *[]){ "false", NULL }), 1);
    spawn_self_with_status(5);
    exec_while_allocating();

    printf("exec_self: %u failures\n", failures);
    return failures == 0 ? 0 : 1;
}
