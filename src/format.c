/* format.c: number and text formatting into a fixed buffer, flushed with
 * write(2).
 *
 * memsnap prints from places where stdio is off limits (inside malloc, at
 * exit after the program closed stdout, in the option parser that runs before
 * libc is initialised) and where the locale must not change a digit, so it
 * formats by hand. Allocates nothing. */
#include "format.h"

#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "os.h"

void ms_out_init(ms_out_t *out, int fd)
{
    out->fd = fd;
    out->failed = 0;
    out->length = 0;
}

int ms_out_flush(ms_out_t *out)
{
    if (!out->failed && out->length > 0 &&
        ms_os_write_all(out->fd, out->buffer, out->length) != 0)
        out->failed = 1;
    out->length = 0;
    return out->failed ? -1 : 0;
}

const char *ms_out_text(ms_out_t *out)
{
    if (out->length == sizeof out->buffer)
        out->length--;
    out->buffer[out->length] = '\0';
    return out->buffer;
}

static void out_bytes(ms_out_t *out, const char *bytes, size_t count)
{
    while (count > 0) {
        if (out->length == sizeof out->buffer)
            ms_out_flush(out);
        size_t room = sizeof out->buffer - out->length;
        size_t chunk = count < room ? count : room;
        memcpy(out->buffer + out->length, bytes, chunk);
        out->length += chunk;
        bytes += chunk;
        count -= chunk;
    }
}

void ms_out_str(ms_out_t *out, const char *text)
{
    out_bytes(out, text, strlen(text));
}

void ms_out_chars(ms_out_t *out, char c, size_t count)
{
    while (count-- > 0)
        out_bytes(out, &c, 1);
}

static void out_integer(ms_out_t *out, uint64_t value, int negative, int width, int grouped)
{
    char digits[32];
    int length = 0, since_comma = 0;
    do {
        if (grouped && since_comma == 3) {
            digits[length++] = ',';
            since_comma = 0;
        }
        digits[length++] = (char)('0' + value % 10);
        since_comma++;
        value /= 10;
    } while (value != 0);
    if (negative)
        digits[length++] = '-';
    if (width > length)
        ms_out_chars(out, ' ', (size_t)(width - length));
    while (length > 0)
        out_bytes(out, &digits[--length], 1);
}

void ms_out_u64(ms_out_t *out, uint64_t value, int width, int grouped)
{
    out_integer(out, value, 0, width, grouped);
}

void ms_out_i64(ms_out_t *out, int64_t value, int width, int grouped)
{
    uint64_t magnitude = value < 0 ? -(uint64_t)value : (uint64_t)value;
    out_integer(out, magnitude, value < 0, width, grouped);
}

void ms_out_padded(ms_out_t *out, const char *text, int width)
{
    size_t length = strlen(text);
    out_bytes(out, text, length);
    if ((size_t)width > length)
        ms_out_chars(out, ' ', (size_t)width - length);
}

void ms_warn(const char *first, ...)
{
    ms_out_t out;
    ms_out_init(&out, STDERR_FILENO);
    ms_out_str(&out, "memsnap: ");
    va_list parts;
    va_start(parts, first);
    for (const char *part = first; part != NULL; part = va_arg(parts, const char *))
        ms_out_str(&out, part);
    va_end(parts);
    ms_out_str(&out, "\n");
    ms_out_flush(&out);
}

const char *ms_parse_hex(const char *p, const char *end, uintptr_t *value)
{
    uintptr_t number = 0;
    for (; p < end; p++) {
        unsigned digit;
        if (*p >= '0' && *p <= '9')
            digit = (unsigned)(*p - '0');
        else if (*p >= 'a' && *p <= 'f')
            digit = (unsigned)(*p - 'a' + 10);
        else
            break;
        number = number << 4 | digit;
    }
    *value = number;
    return p;
}
