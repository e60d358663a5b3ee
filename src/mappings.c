/* mappings.c: /proc/self/maps read and parsed without libc's help (mappings.h).
 *
 * The leak check reads the map while the other threads are stopped, so this
 * may not call anything that could wait for them: only open/read/close and
 * raw mmap. The text goes into a buffer that doubles until the whole file
 * fits; then each line's "start-end perms" is all that is kept. */
#include "mappings.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "format.h"
#include "os.h"

/* The whole file in *text (length in *length, mapping size in *size). */
static int read_file(char **text, size_t *length, size_t *size)
{
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t capacity = 1 << 16, used = 0;
    char *buffer = ms_os_map(capacity);
    while (buffer != NULL) {
        ssize_t got = read(fd, buffer + used, capacity - used);
        if (got <= 0) {
            if (got == 0)
                break;
            ms_os_unmap(buffer, capacity);
            buffer = NULL;
            break;
        }
        used += (size_t)got;
        if (used == capacity) {
            char *bigger = ms_os_map(capacity * 2);
            if (bigger != NULL)
                memcpy(bigger, buffer, used);
            ms_os_unmap(buffer, capacity);
            buffer = bigger;
            capacity *= 2;
        }
    }
    close(fd);
    if (buffer == NULL)
        return -1;
    *text = buffer;
    *length = used;
    *size = capacity;
    return 0;
}

static int append(ms_mappings_t *mappings, ms_mapping_t mapping)
{
    if (mappings->count == mappings->capacity) {
        size_t capacity = mappings->capacity == 0 ? 1024 : mappings->capacity * 2;
        ms_mapping_t *items = ms_os_map(capacity * sizeof *items);
        if (items == NULL)
            return -1;
        if (mappings->count != 0)
            memcpy(items, mappings->items, mappings->count * sizeof *items);
        ms_mappings_free(mappings);
        mappings->items = items;
        mappings->capacity = capacity;
    }
    mappings->items[mappings->count++] = mapping;
    return 0;
}

int ms_mappings_read(ms_mappings_t *mappings)
{
    char *text;
    size_t length, size;
    memset(mappings, 0, sizeof *mappings);
    if (read_file(&text, &length, &size) != 0)
        return -1;
    int status = 0;
    const char *end = text + length;
    for (const char *line = text; line < end && status == 0;) {
        const char *line_end = memchr(line, '\n', (size_t)(end - line));
        if (line_end == NULL)
            line_end = end;
        ms_mapping_t mapping = { 0, 0, 0 };
        const char *p = ms_parse_hex(line, line_end, &mapping.start);
        if (p < line_end && *p == '-') {
            p = ms_parse_hex(p + 1, line_end, &mapping.end);
            mapping.readable = p + 1 < line_end && p[1] == 'r';
            status = append(mappings, mapping);
        }
        line = line_end + 1;
    }
    ms_os_unmap(text, size);
    if (status != 0)
        ms_mappings_free(mappings);
    return status;
}

void ms_mappings_free(ms_mappings_t *mappings)
{
    if (mappings->items != NULL)
        ms_os_unmap(mappings->items, mappings->capacity * sizeof *mappings->items);
    mappings->items = NULL;
    mappings->count = mappings->capacity = 0;
}

size_t ms_mappings_first_after(const ms_mappings_t *mappings, uintptr_t address)
{
    size_t low = 0, high = mappings->count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (mappings->items[middle].end <= address)
            low = middle + 1;
        else
            high = middle;
    }
    return low;
}

const ms_mapping_t *ms_mappings_find(const ms_mappings_t *mappings, uintptr_t address)
{
    size_t i = ms_mappings_first_after(mappings, address);
    if (i == mappings->count || mappings->items[i].start > address)
        return NULL;
    return &mappings->items[i];
}
