/* leaks.h: the leak check, a conservative mark phase over the live blocks.
 *
 * Every live recorded block of the malloc family is sorted into one of the
 * kinds of leak_kinds.h, the way valgrind's memcheck does it:
 *
 *   1. roots: the writable segments of the program and of every library
 *      (memsnap's own excepted), the program's brk growths and anonymous
 *      mappings (domains 1 and 2), each thread's registers and stack, and
 *      its static TLS and thread control block; blocks allocated by ld.so
 *      (dynamic TLS, link maps) and blocks passed to memsnap_ignore are
 *      roots too, as LeakSanitizer treats them;
 *   2. mark: every aligned word of the roots that points to the start of a
 *      block makes it reachable, and the block is scanned in turn; a word
 *      that points inside a block, or any pointer from a possibly lost
 *      block, makes it possibly lost (memcheck's heuristics for C++ arrays,
 *      length-prefixed blocks and old-ABI strings count as start pointers);
 *   3. what is left is lost: in address order, each lost block not yet
 *      claimed scans what it reaches, and every lost block it reaches is
 *      indirectly lost; it is definitely lost itself.
 *
 * The check stops every other thread for its duration (world.h) and holds
 * every memsnap lock, so the process is frozen while it runs. */
#ifndef MS_LEAKS_H
#define MS_LEAKS_H

#include <stddef.h>
#include <stdint.h>

#include "leak_kinds.h"

typedef struct ms_leak_row {
    uint32_t traceback;           /* id, or MS_TRACEBACK_UNSAMPLED */
    uint32_t kind;                /* ms_leak_kind_t */
    uint64_t size;                /* requested bytes */
    uint64_t count;               /* blocks */
} ms_leak_row_t;

typedef struct ms_leak_result {
    int complete;                 /* every thread was stopped and scanned */
    unsigned threads;             /* threads scanned, the checking one included */
    uint64_t duration_ns;         /* how long the check took, from start to result */
    uint64_t size[MS_LEAK_KIND_COUNT];
    uint64_t count[MS_LEAK_KIND_COUNT];
    ms_leak_row_t *rows;          /* by kind, then size (largest first), then traceback */
    size_t nrows;
    size_t rows_bytes;            /* the mapping rows lives in */
} ms_leak_result_t;

/* Runs a check now. The caller holds no memsnap lock. Its thread's roots
 * are the registers and stack of the program's innermost frame (memsnap's
 * frames above it are skipped, and ld.so's too when at_exit: the destructor
 * runs under _dl_fini). -1 (result empty) when memory for the check's own
 * tables ran out. */
int ms_leak_check(ms_leak_result_t *result, int at_exit);
void ms_leak_result_free(ms_leak_result_t *result);

/* The blocks of the kinds in mask (1 << kind). */
uint64_t ms_leak_blocks(const ms_leak_result_t *result, long mask);

#endif
