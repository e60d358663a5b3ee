/* brk.c: brk and sbrk, passed through to glibc and counted.
 *
 * Only the program's own calls land here: glibc's malloc grows the heap
 * through its internal __sbrk, not through these symbols. The growth is
 * reported to stats.c (and later becomes its own domain in snapshots).
 *
 * Global: real_brk, glibc's brk, set once by ms_brk_init from the
 * constructor (dlsym is safe there, not inside the allocator). */
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>

#include "brk.h"
#include "common.h"
#include "stats.h"

extern void *__sbrk(intptr_t increment);

static int (*real_brk)(void *address);

void ms_brk_init(void)
{
    real_brk = (int (*)(void *))dlsym(RTLD_NEXT, "brk");
}

MS_EXPORT void *sbrk(intptr_t increment)
{
    void *old_break = __sbrk(increment);
    if (old_break != (void *)-1)
        ms_stats_note_brk(increment);
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
        ms_stats_note_brk((char *)address - old_break);
    return result;
}
