/* trigger.c: snapshots on a signal and on an interval (design in trigger.h).
 *
 * The handler is async-signal-safe by doing almost nothing: it starts
 * recording if it was off (two flag stores) or else sets ms_trigger_pending,
 * and posts the interval thread's semaphore (sem_post is async-signal-safe)
 * when there is one. Whoever sees the flag first and clears it writes the
 * snapshot: a thread at the end of a traced malloc or free, or the interval
 * thread.
 *
 * The interval thread exists only with MEMSNAP_INTERVAL, so a plain run adds
 * no thread to the program (some programs, unshare(2) users among them, must
 * stay single-threaded). It blocks every signal, so the program's signals
 * are never delivered to it. After fork the child has no such thread: the
 * child's first safe point starts one (PENDING_THREAD).
 *
 * Globals: ms_trigger_pending holds bits (PENDING_SIGNAL, _INTERVAL, _THREAD),
 * set by the handler and the thread, cleared with an atomic exchange.
 * interval_ms and signal_number are written once by ms_trigger_init;
 * thread_pid (the pid the interval thread runs in) under thread_lock. */
#include "trigger.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "format.h"
#include "options.h"
#include "snapshot.h"
#include "trace.h"

#define PENDING_SIGNAL   1
#define PENDING_INTERVAL 2
#define PENDING_THREAD   4          /* a forked child needs its interval thread */

int ms_trigger_pending;
static long interval_ms;
static int signal_number;
static sem_t wakeup;
static pthread_mutex_t thread_lock = PTHREAD_MUTEX_INITIALIZER;
static pid_t thread_pid;

static void start_thread(void);

static void on_signal(int number)
{
    (void)number;
    int saved_errno = errno;
    if (!__atomic_load_n(&ms_trace_recording, __ATOMIC_RELAXED) && ms_trace_start() == 0) {
        errno = saved_errno;
        return;
    }
    __atomic_or_fetch(&ms_trigger_pending, PENDING_SIGNAL, __ATOMIC_RELEASE);
    if (interval_ms != 0)
        sem_post(&wakeup);
    errno = saved_errno;
}

void ms_trigger_serve(void)
{
    int pending = __atomic_exchange_n(&ms_trigger_pending, 0, __ATOMIC_ACQ_REL);
    if (pending & PENDING_SIGNAL)
        ms_snapshot_write(MS_TRIGGER_SIGNAL, NULL);
    if (pending & PENDING_INTERVAL)
        ms_snapshot_write(MS_TRIGGER_INTERVAL, NULL);
    if (pending & PENDING_THREAD)
        start_thread();
}

static void *interval_thread(void *unused)
{
    (void)unused;
    struct timespec next;
    clock_gettime(CLOCK_REALTIME, &next);
    for (;;) {
        next.tv_sec += interval_ms / 1000;
        next.tv_nsec += (interval_ms % 1000) * 1000000L;
        if (next.tv_nsec >= 1000000000L) {
            next.tv_sec++;
            next.tv_nsec -= 1000000000L;
        }
        while (sem_timedwait(&wakeup, &next) == 0 || errno == EINTR) {
            if (__atomic_load_n(&ms_trigger_pending, __ATOMIC_ACQUIRE))
                ms_trigger_serve();
        }
        __atomic_or_fetch(&ms_trigger_pending, PENDING_INTERVAL, __ATOMIC_RELEASE);
        ms_trigger_serve();
    }
    return NULL;
}

static void start_thread(void)
{
    pthread_mutex_lock(&thread_lock);
    if (thread_pid != getpid()) {
        thread_pid = getpid();
        sigset_t all, saved;
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &saved);
        pthread_attr_t attributes;
        pthread_attr_init(&attributes);
        pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
        pthread_t thread;
        if (pthread_create(&thread, &attributes, interval_thread, NULL) != 0)
            ms_warn("cannot start the MEMSNAP_INTERVAL thread; no interval snapshots", NULL);
        pthread_attr_destroy(&attributes);
        pthread_sigmask(SIG_SETMASK, &saved, NULL);
    }
    pthread_mutex_unlock(&thread_lock);
}

void ms_trigger_init(void)
{
    /* MEMSNAP_TRACE=0 leaves the program's signals and threads alone. */
    if (!ms_trace_enabled())
        return;
    interval_ms = ms_option(MS_OPTION_INTERVAL);
    signal_number = (int)ms_option(MS_OPTION_SIGNAL);
    struct sigaction action = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
    sigemptyset(&action.sa_mask);
    struct sigaction installed;
    if (signal_number != 0) {
        if (sigaction(signal_number, &action, NULL) == 0 &&
            sigaction(signal_number, NULL, &installed) == 0)
            ms_unwind_set_signal_trampoline((uintptr_t)installed.sa_restorer);
    } else {
        /* The stack cache needs the trampoline even with no snapshot
         * signal: install a handler on SIGUSR2 for as long as it takes to
         * read back what glibc gave the kernel, then put the old one back.
         * The constructor runs before the program's code: no signal of its
         * own can be lost in between. */
        struct sigaction saved;
        if (sigaction(SIGUSR2, &action, &saved) == 0) {
            if (sigaction(SIGUSR2, &saved, &installed) == 0)
                ms_unwind_set_signal_trampoline((uintptr_t)installed.sa_restorer);
        }
    }
    if (interval_ms != 0) {
        sem_init(&wakeup, 0, 0);
        start_thread();
    }
}

/* Starting a thread here would cost every fork+exec a thread; the child's
 * first safe point starts it instead. */
void ms_trigger_fork_child(void)
{
    pthread_mutex_init(&thread_lock, NULL);
    if (interval_ms != 0)
        __atomic_or_fetch(&ms_trigger_pending, PENDING_THREAD, __ATOMIC_RELEASE);
}
