/* format.h: a buffered text writer to a file descriptor, without stdio. */
#ifndef MS_FORMAT_H
#define MS_FORMAT_H

#include <stddef.h>
#include <stdint.h>

typedef struct ms_out {
    int fd;
    int failed;          /* a write failed; later output is dropped */
    size_t length;
    char buffer[4096];
} ms_out_t;

void ms_out_init(ms_out_t *out, int fd);
void ms_out_str(ms_out_t *out, const char *text);
void ms_out_chars(ms_out_t *out, char c, size_t count);
/* Right-aligned in width columns; with grouped, commas every three digits. */
void ms_out_u64(ms_out_t *out, uint64_t value, int width, int grouped);
/* Same, with a minus sign for negative values. */
void ms_out_i64(ms_out_t *out, int64_t value, int width, int grouped);
/* Left-aligned, padded with spaces to width columns. */
void ms_out_padded(ms_out_t *out, const char *text, int width);
int ms_out_flush(ms_out_t *out);
/* For a writer made with fd -1, a string builder: its text so far, NUL
 * terminated (cut at the buffer's size). */
const char *ms_out_text(ms_out_t *out);

/* Reads lowercase hex digits from p up to end (/proc's numbers): the value
 * into *value, returns where the digits stop. */
const char *ms_parse_hex(const char *p, const char *end, uintptr_t *value);

/* One line on stderr, "memsnap: " and the parts joined; for warnings. */
void ms_warn(const char *first, ...);

#endif
