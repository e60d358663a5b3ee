/* mappings.h: the process's memory map (/proc/self/maps), for the leak
 * check: where a thread's stack ends, and which root ranges can be read. */
#ifndef MS_MAPPINGS_H
#define MS_MAPPINGS_H

#include <stddef.h>
#include <stdint.h>

typedef struct ms_mapping {
    uintptr_t start, end;
    int readable;
} ms_mapping_t;

typedef struct ms_mappings {
    ms_mapping_t *items;          /* sorted by start, not overlapping */
    size_t count, capacity;
} ms_mappings_t;

/* Reads the map into memory of memsnap's own (no malloc, no stdio).
 * -1 when it cannot be read or memory ran out. */
int ms_mappings_read(ms_mappings_t *mappings);
void ms_mappings_free(ms_mappings_t *mappings);
/* The index of the first mapping that ends above address (count if none). */
size_t ms_mappings_first_after(const ms_mappings_t *mappings, uintptr_t address);
/* The mapping holding address, or NULL. */
const ms_mapping_t *ms_mappings_find(const ms_mappings_t *mappings, uintptr_t address);

#endif
