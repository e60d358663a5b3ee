/* alloc.h: memsnap's allocator, the functions the preload shim calls. */
#ifndef MS_ALLOC_H
#define MS_ALLOC_H

#include <stddef.h>

#include "slots.h"

/* traceback: the id a new block is recorded with (traceback.h), 0 for none;
 * a recorded block that cannot get its slot is not handed out (ENOMEM).
 * freed: NULL when nothing was ever recorded (then no slot is looked at),
 * else it receives what the released block was recorded with: traceback 0
 * if it was not recorded, all zero if no block was released. */
void *ms_malloc(size_t size, uint32_t traceback);
void ms_free(void *pointer, ms_record_t *freed);
void *ms_calloc(size_t count, size_t size, uint32_t traceback);
void *ms_realloc(void *pointer, size_t size, uint32_t traceback, ms_record_t *freed);
/* alignment: a power of two. */
void *ms_memalign(size_t alignment, size_t size, uint32_t traceback);
size_t ms_usable_size(void *pointer);
/* memsnap_ignore: marks a live recorded block so that leak checks treat it
 * as a root and never report it. 0, or -1 if pointer is no such block. */
int ms_ignore(const void *pointer);
/* Is pointer inside one of the small-object arenas? Safe for any value. */
int ms_owns(const void *pointer);

/* Applies MEMSNAP_ALIGN16; called once options are read. */
void ms_alloc_configure(void);

#endif
