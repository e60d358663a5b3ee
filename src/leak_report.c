/* leak_report.c: what a leak check leads to: the snapshot that holds its
 * result, the report on stderr and the exit status (leak_report.h).
 *
 * The report is rendered by the memsnap command-line tool, run as
 *
 *   memsnap leaks SNAPSHOT --format text --status-fd 3 [--fail-kinds K]
 *                          [--suppressions FILE] [--gen-suppressions]
 *
 * with its standard output on the program's stderr: symbolization (libdw)
 * and suppressions live in the tool, never inside the traced program. The
 * tool writes "BLOCKS BYTES" of the failing kinds left after suppressions to
 * fd 3. When it cannot be run, the library prints the summary itself and
 * counts without suppressions.
 *
 * Globals: leaks_enabled, report_fd and tool_path are written once by the
 * constructor and only read afterwards. */
#include "leak_report.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "format.h"
#include "leaks.h"
#include "options.h"
#include "os.h"
#include "snapshot.h"
#include "trace.h"

/* The descriptor the tool writes its counts to. */
#define STATUS_FD 3

extern char **environ;

static int leaks_enabled;
static char tool_path[PATH_MAX];
/* stderr, or the copy that outlives the program closing it (os.c). */
static int report_fd = STDERR_FILENO;

/* The tool sits next to the library in the build tree (build/memsnap next
 * to build/libmemsnap.so), and at PREFIX/bin/memsnap when the library is
 * PREFIX/lib/memsnap/libmemsnap.so. */
static void find_tool(void)
{
    Dl_info info;
    char library[PATH_MAX];
    if (dladdr((void *)find_tool, &info) == 0 || info.dli_fname == NULL ||
        realpath(info.dli_fname, library) == NULL)
        return;
    char *slash = strrchr(library, '/');
    if (slash == NULL)
        return;
    *slash = '\0';
    static const char *const candidates[] = { "/memsnap", "/../../bin/memsnap" };
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
        char candidate[PATH_MAX];
        if ((size_t)snprintf(candidate, sizeof candidate, "%s%s", library, candidates[i]) <
                sizeof candidate &&
            access(candidate, X_OK) == 0 && realpath(candidate, tool_path) != NULL)
            return;
    }
    tool_path[0] = '\0';
}

void ms_leak_report_init(void)
{
    if (!ms_trace_enabled()) {
        if (ms_option(MS_OPTION_LEAKS))
            ms_warn("MEMSNAP_LEAKS=1 needs tracing, but MEMSNAP_TRACE=0: no leak check", NULL);
        return;
    }
    leaks_enabled = (int)ms_option(MS_OPTION_LEAKS);
    if (leaks_enabled)
        report_fd = ms_os_keep_stderr();
    find_tool();
}

int ms_leak_report_enabled(void)
{
    return leaks_enabled;
}

static long failing_kinds(void)
{
    return ms_option(MS_OPTION_LEAK_KINDS);
}

/* "definite,indirect" for the tool's --fail-kinds. */
static void kinds_text(long mask, char *text, size_t size)
{
    text[0] = '\0';
    for (int kind = 0; kind < MS_LEAK_KIND_COUNT; kind++) {
        if (!(mask & (1L << kind)))
            continue;
        if (text[0] != '\0')
            strncat(text, ",", size - strlen(text) - 1);
        strncat(text, ms_leak_kind_names[kind], size - strlen(text) - 1);
    }
}

/* The environment without LD_PRELOAD, so that the tool is not traced. */
static char **tool_environment(size_t *bytes)
{
    size_t count = 0;
    while (environ != NULL && environ[count] != NULL)
        count++;
    *bytes = (count + 1) * sizeof(char *);
    char **copy = ms_os_map(*bytes);
    if (copy == NULL)
        return NULL;
    size_t kept = 0;
    for (size_t i = 0; i < count; i++)
        if (strncmp(environ[i], "LD_PRELOAD=", 11) != 0)
            copy[kept++] = environ[i];
    copy[kept] = NULL;
    return copy;
}

/* Runs the tool on the snapshot at path; 0 and the failing blocks left after
 * suppressions in *blocks, or -1 when it could not say. */
static int run_tool(const char *path, uint64_t *blocks)
{
    if (tool_path[0] == '\0')
        return -1;
    char kinds[64];
    kinds_text(failing_kinds(), kinds, sizeof kinds);
    char status_fd[16];
    snprintf(status_fd, sizeof status_fd, "%d", STATUS_FD);
    const char *argv[16];
    int argc = 0;
    argv[argc++] = tool_path;
    argv[argc++] = "leaks";
    argv[argc++] = path;
    argv[argc++] = "--format";
    argv[argc++] = "text";
    argv[argc++] = "--status-fd";
    argv[argc++] = status_fd;
    argv[argc++] = "--fail-kinds";
    argv[argc++] = kinds;
    if (ms_option_string(MS_OPTION_SUPPRESSIONS) != NULL) {
        argv[argc++] = "--suppressions";
        argv[argc++] = ms_option_string(MS_OPTION_SUPPRESSIONS);
    }
    if (ms_option(MS_OPTION_GEN_SUPPRESSIONS))
        argv[argc++] = "--gen-suppressions";
    argv[argc] = NULL;

    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0)
        return -1;
    size_t environment_bytes;
    char **environment = tool_environment(&environment_bytes);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, report_fd, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STATUS_FD);
    pid_t pid;
    int spawned = environment != NULL &&
                  posix_spawn(&pid, tool_path, &actions, NULL, (char *const *)argv, environment) == 0;
    posix_spawn_file_actions_destroy(&actions);
    if (environment != NULL)
        ms_os_unmap(environment, environment_bytes);
    close(pipe_fds[1]);
    char line[64];
    size_t length = 0;
    ssize_t got;
    while (spawned && length < sizeof line - 1 &&
           ((got = read(pipe_fds[0], line + length, sizeof line - 1 - length)) > 0 ||
            (got < 0 && errno == EINTR)))
        length += got > 0 ? (size_t)got : 0;
    close(pipe_fds[0]);
    line[length] = '\0';
    int status = 0;
    if (!spawned)
        return -1;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        continue;
    if (length == 0 || line[0] < '0' || line[0] > '9')
        return -1;
    *blocks = strtoull(line, NULL, 10);
    return 0;
}

/* Without the tool: the summary, one line a kind, and where the file is. */
static void print_summary(const ms_leak_result_t *result, const char *path)
{
    static const char *const titles[MS_LEAK_KIND_COUNT] = {
        "definitely lost", "indirectly lost", "possibly lost", "still reachable", "ignored",
    };
    ms_out_t out;
    ms_out_init(&out, report_fd);
    for (int kind = 0; kind < MS_LEAK_KIND_COUNT; kind++) {
        ms_out_str(&out, "memsnap: ");
        ms_out_padded(&out, titles[kind], 16);
        ms_out_str(&out, ": ");
        ms_out_u64(&out, result->size[kind], 0, 1);
        ms_out_str(&out, " bytes in ");
        ms_out_u64(&out, result->count[kind], 0, 1);
        ms_out_str(&out, " blocks\n");
    }
    if (!result->complete)
        ms_out_str(&out, "memsnap: a thread did not stop for the leak check: its registers were"
                         " not scanned\n");
    if (path != NULL) {
        ms_out_str(&out, "memsnap: the full report is in ");
        ms_out_str(&out, path);
        ms_out_str(&out, " (memsnap leaks FILE)\n");
    }
    ms_out_flush(&out);
}

/* The check, its snapshot and its report; returns the failing blocks left
 * after suppressions, or -1 when the check could not run. quiet: say
 * nothing and write nothing when nothing is lost. */
static long check_and_report(ms_trigger_t trigger, int quiet)
{
    ms_leak_result_t result;
    if (ms_leak_check(&result, trigger == MS_TRIGGER_EXIT) != 0) {
        ms_warn("the leak check ran out of memory", NULL);
        return -1;
    }
    long listed = 1L << MS_LEAK_DEFINITE | 1L << MS_LEAK_INDIRECT | 1L << MS_LEAK_POSSIBLE;
    uint64_t failing = ms_leak_blocks(&result, failing_kinds());
    if (quiet && ms_leak_blocks(&result, listed) == 0) {
        ms_leak_result_free(&result);
        return 0;
    }
    char path[PATH_MAX + 256];
    int written = ms_snapshot_write_report(trigger, NULL, &result, path, sizeof path) == 0;
    uint64_t left;
    if (ms_leak_blocks(&result, listed) == 0 || !written || run_tool(path, &left) != 0) {
        print_summary(&result, written ? path : NULL);
        left = failing;
        if (ms_option_string(MS_OPTION_SUPPRESSIONS) != NULL && failing != 0)
            ms_warn("suppressions not applied: the memsnap tool could not be run", NULL);
    }
    ms_leak_result_free(&result);
    return left > LONG_MAX ? LONG_MAX : (long)left;
}

int ms_leak_report_at_exit(void)
{
    if (!leaks_enabled)
        return 0;
    long left = check_and_report(MS_TRIGGER_EXIT, 0);
    long exit_status = ms_option(MS_OPTION_LEAK_EXITCODE);
    if (left > 0 && exit_status != 0) {
        /* exit() flushes stdio only after the destructors: do it now, the
         * program's output must not be lost to the changed status. */
        fflush(NULL);
        _exit((int)exit_status);
    }
    return 1;
}

long ms_leak_report_now(void)
{
    return check_and_report(MS_TRIGGER_LEAK_CHECK, 1);
}
