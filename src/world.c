/* world.c: stopping and resuming the other threads (world.h).
 *
 * The handshake, for each thread T other than the checker C:
 *
 *   C: lists /proc/self/task, queues MS_WORLD_SIGNAL to T with
 *      (generation << 32 | index) as the signal's value
 *   T: (in stop_handler) writes stack_low and thread_pointer into
 *      thread_table[index], sets state STOPPED, sleeps on release_generation
 *   C: waits until every T is STOPPED (or gives up on it), lists the task
 *      directory again for threads born meanwhile, scans, then
 *      sets release_generation = generation and wakes them all
 *   T: sets state RESUMED and returns into the code it interrupted
 *   C: waits for every RESUMED before the next check may reuse the table
 *
 * Globals: thread_table is mapped once and never unmapped, because a
 * thread that blocked the signal may take it long after its check ended: the
 * handler then sees an old generation and returns at once. checking_generation
 * and release_generation are written by the checker only (leaks.c serialises
 * checks) and read by the handlers. previous_action is the program's own
 * handler for the signal, if it had one: signals that are not ours go to it. */
#include "world.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "format.h"
#include "os.h"

/* A real-time signal near the top of the range: programs that use real-time
 * signals usually count up from SIGRTMIN. */
#define MS_WORLD_SIGNAL (SIGRTMAX - 3)
/* More threads than this are left running and make the check incomplete. */
#define THREADS_MAX 65536
/* How long a thread may take to answer: one that blocks the signal never
 * does, and the check goes on without its stack. */
#define ANSWER_TIMEOUT_NS 3000000000ll

enum { SIGNALLED, STOPPED, RESUMED, GONE };

static ms_thread_context_t *thread_table;
static uint32_t checking_generation;
static int release_generation;
static struct sigaction previous_action;

static void stop_handler(int signal, siginfo_t *info, void *context);

static int64_t monotonic_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

static void pause_briefly(void)
{
    struct timespec delay = { 0, 100000 };
    nanosleep(&delay, NULL);
}

/* A signal of that number that memsnap did not send goes where it would
 * have gone without memsnap; a default action is not replayed. */
static void forward(int signal, siginfo_t *info, void *context)
{
    if (previous_action.sa_flags & SA_SIGINFO) {
        if (previous_action.sa_sigaction != NULL)
            previous_action.sa_sigaction(signal, info, context);
    } else if (previous_action.sa_handler != SIG_DFL && previous_action.sa_handler != SIG_IGN &&
               previous_action.sa_handler != NULL) {
        previous_action.sa_handler(signal);
    }
}

static void stop_handler(int signal, siginfo_t *info, void *context)
{
    int saved_errno = errno;
    uint64_t value = (uint64_t)(uintptr_t)info->si_value.sival_ptr;
    uint32_t generation = (uint32_t)(value >> 32);
    if (info->si_code != SI_QUEUE || info->si_pid != getpid()) {
        forward(signal, info, context);
    } else if (generation == __atomic_load_n(&checking_generation, __ATOMIC_ACQUIRE) &&
               (uint32_t)value < THREADS_MAX) {
        ms_thread_context_t *self = &thread_table[(uint32_t)value];
        volatile char marker = 0;
        self->stack_low = (uintptr_t)&marker;
        self->thread_pointer = (uintptr_t)__builtin_thread_pointer();
        __atomic_store_n(&self->state, STOPPED, __ATOMIC_RELEASE);
        int observed;
        while ((uint32_t)(observed = __atomic_load_n(&release_generation, __ATOMIC_ACQUIRE)) !=
               generation)
            syscall(SYS_futex, &release_generation, FUTEX_WAIT_PRIVATE, observed, NULL, NULL, 0);
        __atomic_store_n(&self->state, RESUMED, __ATOMIC_RELEASE);
    }
    errno = saved_errno;
}

static int install_handler(void)
{
    struct sigaction action, old;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = stop_handler;
    action.sa_flags = SA_SIGINFO | SA_RESTART;
    /* Nothing of the program's may run on a stopped thread's stack. */
    sigfillset(&action.sa_mask);
    if (sigaction(MS_WORLD_SIGNAL, &action, &old) != 0)
        return -1;
    if (old.sa_sigaction != stop_handler)
        previous_action = old;
    return 0;
}

/* The program's handler comes back; in place of the default action (which
 * would kill the process if a late signal came in) memsnap's stays. */
static void restore_handler(void)
{
    if ((previous_action.sa_flags & SA_SIGINFO) || previous_action.sa_handler != SIG_DFL)
        sigaction(MS_WORLD_SIGNAL, &previous_action, NULL);
}

static int queue_stop(pid_t tid, uint64_t value)
{
    siginfo_t info;
    memset(&info, 0, sizeof info);
    info.si_signo = MS_WORLD_SIGNAL;
    info.si_code = SI_QUEUE;
    info.si_pid = getpid();
    info.si_uid = getuid();
    info.si_value.sival_ptr = (void *)(uintptr_t)value;
    return (int)syscall(SYS_rt_tgsigqueueinfo, getpid(), tid, MS_WORLD_SIGNAL, &info);
}

static int listed(const ms_world_t *world, pid_t tid)
{
    for (size_t i = 0; i < world->count; i++)
        if (world->threads[i].tid == tid)
            return 1;
    return 0;
}

typedef struct listing {
    ms_world_t *world;
    pid_t self;
    long found;
} listing_t;

static void signal_if_new(void *context, const char *name)
{
    listing_t *listing = context;
    ms_world_t *world = listing->world;
    if (name[0] < '0' || name[0] > '9')
        return;
    pid_t tid = 0;
    for (; *name >= '0' && *name <= '9'; name++)
        tid = tid * 10 + (*name - '0');
    if (tid == listing->self || listed(world, tid))
        return;
    if (world->count == THREADS_MAX) {
        world->complete = 0;
        return;
    }
    ms_thread_context_t *thread = &world->threads[world->count];
    *thread = (ms_thread_context_t){ .tid = tid, .state = SIGNALLED };
    uint64_t value = (uint64_t)checking_generation << 32 | world->count;
    world->count++;
    listing->found++;
    /* ESRCH: it ended since the listing. */
    if (queue_stop(tid, value) != 0)
        thread->state = GONE;
}

/* Signals every thread of the task directory not signalled yet; returns how
 * many it found, or -1 when the directory cannot be read. */
static long signal_new_threads(ms_world_t *world, pid_t self)
{
    listing_t listing = { world, self, 0 };
    if (ms_os_each_entry("/proc/self/task", signal_if_new, &listing) != 0)
        return -1;
    return listing.found;
}

/* The user stack pointer of a thread that is blocked in the kernel, from
 * /proc/self/task/TID/syscall ("NR ARGS... SP PC", or "-1 SP PC"); 0 when
 * it is running or the file cannot be read. Its registers stay unknown. */
static uintptr_t blocked_stack_pointer(pid_t tid)
{
    ms_out_t path;
    ms_out_init(&path, -1);
    ms_out_str(&path, "/proc/self/task/");
    ms_out_u64(&path, (uint64_t)tid, 0, 0);
    ms_out_str(&path, "/syscall");
    int fd = open(ms_out_text(&path), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    char text[256];
    ssize_t got = read(fd, text, sizeof text - 1);
    close(fd);
    if (got <= 0 || text[0] == 'r')
        return 0;
    /* The stack pointer is the next to last field: before the last space
     * (and the program counter), after the one before it. */
    const char *end = text + got;
    while (end > text && (end[-1] == '\n' || end[-1] == ' '))
        end--;
    const char *last = memrchr(text, ' ', (size_t)(end - text));
    const char *before = last != NULL ? memrchr(text, ' ', (size_t)(last - text)) : NULL;
    uintptr_t sp = 0;
    if (before == NULL || last - before < 4 || before[1] != '0' || before[2] != 'x' ||
        ms_parse_hex(before + 3, last, &sp) != last)
        return 0;
    return sp;
}

static void wait_for_answers(ms_world_t *world)
{
    int64_t deadline = monotonic_ns() + ANSWER_TIMEOUT_NS;
    for (size_t i = 0; i < world->count; i++) {
        ms_thread_context_t *thread = &world->threads[i];
        while (__atomic_load_n(&thread->state, __ATOMIC_ACQUIRE) == SIGNALLED) {
            /* A thread that exited after being signalled never answers. */
            if (syscall(SYS_tgkill, getpid(), thread->tid, 0) != 0) {
                thread->state = GONE;
                break;
            }
            if (monotonic_ns() > deadline) {
                /* Its stack can still be scanned from where the kernel
                 * saved its stack pointer; its registers are lost. */
                thread->stack_low = blocked_stack_pointer(thread->tid);
                world->complete = 0;
                break;
            }
            pause_briefly();
        }
    }
}

int ms_world_signal(void)
{
    return MS_WORLD_SIGNAL;
}

int ms_world_stop(ms_world_t *world)
{
    memset(world, 0, sizeof *world);
    if (thread_table == NULL &&
        (thread_table = ms_os_map(THREADS_MAX * sizeof(ms_thread_context_t))) == NULL)
        return -1;
    if (install_handler() != 0)
        return -1;
    world->threads = thread_table;
    world->complete = 1;
    __atomic_store_n(&checking_generation, checking_generation + 1, __ATOMIC_RELEASE);
    pid_t self = (pid_t)syscall(SYS_gettid);
    /* Threads made by threads not stopped yet appear in later listings. */
    for (int round = 0; round < 100; round++) {
        long found = signal_new_threads(world, self);
        if (found < 0)
            world->complete = 0;
        if (found <= 0)
            break;
        wait_for_answers(world);
    }
    for (size_t i = 0; i < world->count; i++)
        if (world->threads[i].state == STOPPED)
            world->stopped++;
    return 0;
}

void ms_world_resume(ms_world_t *world)
{
    __atomic_store_n(&release_generation, (int)checking_generation, __ATOMIC_RELEASE);
    syscall(SYS_futex, &release_generation, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
    for (size_t i = 0; i < world->count; i++) {
        ms_thread_context_t *thread = &world->threads[i];
        if (__atomic_load_n(&thread->state, __ATOMIC_ACQUIRE) != STOPPED)
            continue;
        while (__atomic_load_n(&thread->state, __ATOMIC_ACQUIRE) == STOPPED)
            pause_briefly();
    }
    restore_handler();
    memset(world, 0, sizeof *world);
}
