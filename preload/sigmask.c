/* sigmask.c: sigprocmask and pthread_sigmask, passed through to glibc with
 * the leak check's stop signal taken out of what they would block.
 *
 * A thread that blocks every signal (servers often do so in their workers
 * and wait for signals in one thread with sigwait) would never answer the
 * stop signal of a leak check (src/world.h): its stack would go unscanned,
 * and what only it holds would look lost. Boehm's collector keeps its own
 * signal deliverable in the same way. Every other signal, and every other
 * use of these calls, is left as the program asked.
 *
 * Globals: the real functions, looked up by ms_sigmask_init from the
 * constructor, or by the first call if it comes earlier. */
#include <dlfcn.h>
#include <signal.h>

#include "common.h"
#include "sigmask.h"
#include "trace.h"
#include "world.h"

typedef int mask_function_t(int how, const sigset_t *set, sigset_t *old);

static mask_function_t *real_sigprocmask;
static mask_function_t *real_pthread_sigmask;

void ms_sigmask_init(void)
{
    real_sigprocmask = (mask_function_t *)dlsym(RTLD_NEXT, "sigprocmask");
    real_pthread_sigmask = (mask_function_t *)dlsym(RTLD_NEXT, "pthread_sigmask");
}

/* set, or a copy of it without the stop signal when it would block it. */
static const sigset_t *without_stop_signal(int how, const sigset_t *set, sigset_t *copy)
{
    if (set == NULL || how == SIG_UNBLOCK || !ms_trace_enabled() ||
        sigismember(set, ms_world_signal()) != 1)
        return set;
    *copy = *set;
    sigdelset(copy, ms_world_signal());
    return copy;
}

static int call(mask_function_t **real, int how, const sigset_t *set, sigset_t *old)
{
    if (*real == NULL)
        ms_sigmask_init();
    if (*real == NULL)
        return -1;
    sigset_t copy;
    return (*real)(how, without_stop_signal(how, set, &copy), old);
}

MS_EXPORT int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
    return call(&real_sigprocmask, how, set, old);
}

MS_EXPORT int pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
    return call(&real_pthread_sigmask, how, set, old);
}
