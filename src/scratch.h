/* scratch.h: throw-away memory for one snapshot (jansson's allocator).
 *
 * A bump allocator over private mappings: free does nothing, and
 * ms_scratch_release gives every mapping back at once when the snapshot is
 * written. Never touches the program's heap. Callers serialise (one
 * snapshot at a time, under the snapshot lock). */
#ifndef MS_SCRATCH_H
#define MS_SCRATCH_H

#include <stddef.h>

void *ms_scratch_alloc(size_t size);
void ms_scratch_free(void *pointer);
void ms_scratch_release(void);

#endif
