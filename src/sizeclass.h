/* sizeclass.h: request size -> size class index (szidx) -> block size.
 *
 *   request in bytes    block size    szidx
 *   ----------------    ----------    -----
 *        0 ...   8          8            0
 *        9 ...  16         16            1
 *       17 ...  24         24            2
 *           ...           ...          ...
 *      505 ... 512        512           63
 *
 * malloc(0) is served from class 0, so every call returns a unique pointer.
 * By default (MEMSNAP_ALIGN16=1) requests above 16 bytes round up to a
 * multiple of 16 first, so only the even classes above 16 are used and every
 * block of more than 8 bytes is 16-aligned, as glibc promises: code compiled
 * against that promise (libffi closures under Python's ctypes, found by the
 * benchmark) faults on an 8-aligned 24-byte block. MEMSNAP_ALIGN16=0 uses
 * all 64 classes, pymalloc's classic spacing, for programs known to be
 * safe with it. Requests above 512 bytes never reach this table (large.h). */
#ifndef MS_SIZECLASS_H
#define MS_SIZECLASS_H

#include "common.h"

#define MS_ALIGNMENT               8
#define MS_ALIGNMENT_SHIFT         3
#define MS_SMALL_REQUEST_THRESHOLD 512
#define MS_NB_SMALL_SIZE_CLASSES   (MS_SMALL_REQUEST_THRESHOLD / MS_ALIGNMENT)

/* 1 from the start (blocks made before the constructor get glibc's
 * alignment too); set from MEMSNAP_ALIGN16 by ms_alloc_configure, before the
 * program's own code runs; read on every small allocation. */
extern int ms_align16;

MS_INLINE unsigned ms_size_to_szidx(size_t size)
{
    if (MS_LIKELY(ms_align16) && size > 16)
        size = (size + 15) & ~(size_t)15;
    return size == 0 ? 0 : (unsigned)((size - 1) >> MS_ALIGNMENT_SHIFT);
}

MS_INLINE size_t ms_szidx_to_size(unsigned szidx)
{
    return (size_t)(szidx + 1) << MS_ALIGNMENT_SHIFT;
}

#endif
