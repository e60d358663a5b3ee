/* scratch.c: the snapshot's bump allocator (scratch.h).
 *
 * Chunks of 1 MiB (or one mapping per larger request) are chained through
 * their first 16 bytes. Globals: head and its cursor, guarded by the
 * snapshot lock held by every caller. */
#include "scratch.h"

#include <stdint.h>

#include "meta.h"

#define CHUNK_BYTES (1 << 20)
#define HEADER      16

typedef struct chunk {
    struct chunk *next;
    size_t size;
} chunk_t;

static chunk_t *head;
static char *cursor, *limit;

void *ms_scratch_alloc(size_t size)
{
    size = (size + 15) & ~(size_t)15;
    if ((size_t)(limit - cursor) < size) {
        size_t bytes = size + HEADER > CHUNK_BYTES ? size + HEADER : CHUNK_BYTES;
        chunk_t *chunk = ms_meta_map(bytes);
        if (chunk == NULL)
            return NULL;
        chunk->next = head;
        chunk->size = bytes;
        head = chunk;
        cursor = (char *)chunk + HEADER;
        limit = (char *)chunk + bytes;
    }
    void *piece = cursor;
    cursor += size;
    return piece;
}

void ms_scratch_free(void *pointer)
{
    (void)pointer;
}

void ms_scratch_release(void)
{
    while (head != NULL) {
        chunk_t *next = head->next;
        ms_meta_unmap(head, head->size);
        head = next;
    }
    cursor = limit = NULL;
}
