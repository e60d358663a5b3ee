/* brk.c: brk and sbrk, passed through to glibc, counted and traced.
 *
 * Only the program's own calls land here: glibc's malloc grows the heap
 * through its internal __sbrk, not through these symbols. Growth goes to
 * stats.c's table and, while recording, to the brk domain (src/domains.h).
 *
 * Global: real_brk, glibc's brk, set once by ms_brk_init from the
 * constructor (dlsym is safe there, not inside the allocator). */
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>

#include "brk.h"
#include "common.h"
#include "domains.h"
#include "stats.h"
#include "trace.h"

extern void *__sbrk(intptr_t increment);

static int (*real_brk)(void *address);

void ms_brk_init(void)
{
    real_brk = (int (*)(void *))dlsym(RTLD_NEXT, "brk");
}

static void moved(void *old_break, intptr_t delta, ms_entry_t entry)
{
    ms_stats_note_brk(delta);
    if (ms_trace_armed && delta != 0)
        ms_domain_brk_moved((uintptr_t)old_break, delta, entry);
}

MS_EXPORT void *sbrk(intptr_t increment)
{
    void *old_break = __sbrk(increment);
    if (old_break != (void *)-1)
        moved(old_break, increment, MS_ENTRY());
    return old_break;
}

MS_EXPORT int brk(void *address)
{
    if (real_brk == NULL) {
        errno = ENOMEM;
        return -1;
    }
    char *old_break = __sbrk(0);
    int result = real_brk(address);
    if (result == 0)
        moved(old_break, (char *)address - old_break, MS_ENTRY());
    return result;
}
