/* meta.h: memsnap's own memory, kept apart from the program's heap. */
#ifndef MS_META_H
#define MS_META_H

#include <stddef.h>

/* Zeroed, 64-aligned (one cache line) memory that is never given back (heaps, arena
 * descriptors, radix leaves: all recycled by their owners). NULL when the
 * system is out of memory. */
void *ms_meta_alloc(size_t size);

/* For tables that grow: a mapping of its own, given back with
 * ms_meta_unmap (same size). */
void *ms_meta_map(size_t size);
void ms_meta_unmap(void *mapping, size_t size);

/* Bytes memsnap has mapped for its own bookkeeping. */
size_t ms_meta_bytes(void);

void ms_meta_fork_prepare(void);
void ms_meta_fork_parent(void);
void ms_meta_fork_child(void);

#endif
