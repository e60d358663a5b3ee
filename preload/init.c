/* init.c: start-up and shut-down of memsnap inside the traced program.
 *
 * The allocator needs no start-up: it works from the first malloc, which may
 * come from ld.so before any constructor. The constructor then reads the
 * MEMSNAP_* options, resolves what needs dlsym (safe here, not inside malloc)
 * and registers the fork handlers. A preloaded library's constructor runs
 * after libc's and before the program's, and its destructor after the
 * program's, so the statistics printed at exit see the program's last frees.
 * Exec needs nothing: LD_PRELOAD is inherited and the new image starts over. */
#include <pthread.h>
#include <unistd.h>

#include "alloc.h"
#include "brk.h"
#include "fork.h"
#include "large.h"
#include "leak_report.h"
#include "options.h"
#include "sigmask.h"
#include "snapshot.h"
#include "stats.h"
#include "trace.h"
#include "trigger.h"

extern char **environ;

__attribute__((constructor)) static void memsnap_init(void)
{
    ms_options_init(environ);
    ms_alloc_configure();
    ms_large_init();
    ms_brk_init();
    ms_sigmask_init();
    ms_stats_prepare();
    ms_snapshot_init();
    pthread_atfork(ms_fork_prepare, ms_fork_parent, ms_fork_child);
    ms_trace_configure();
    ms_leak_report_init();
    ms_trigger_init();
}

/* The exit snapshot: after the program's destructors and atexit handlers,
 * so it shows what the program left allocated; with MEMSNAP_LEAKS=1 it
 * holds the leak check's result. */
__attribute__((destructor)) static void memsnap_fini(void)
{
    if (!ms_leak_report_at_exit() && ms_trace_armed)
        ms_snapshot_write(MS_TRIGGER_EXIT, NULL);
    ms_stats_report();
}
