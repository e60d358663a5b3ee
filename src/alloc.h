/* alloc.h: memsnap's allocator, the functions the preload shim calls. */
#ifndef MS_ALLOC_H
#define MS_ALLOC_H

#include <stddef.h>

void *ms_malloc(size_t size);
void ms_free(void *pointer);
void *ms_calloc(size_t count, size_t size);
void *ms_realloc(void *pointer, size_t size);
/* alignment: a power of two. */
void *ms_memalign(size_t alignment, size_t size);
size_t ms_usable_size(void *pointer);
/* Is pointer inside one of the small-object arenas? Safe for any value. */
int ms_owns(const void *pointer);

/* Applies MEMSNAP_ALIGN16; called once options are read. */
void ms_alloc_configure(void);

#endif
