/* reader.c: a snapshot file read into a cli_snapshot_t and checked
 * (docs/snapshot-format.md, version 1).
 *
 * jansson parses the document, but most of a large snapshot is two arrays
 * of plain strings: "tracebacks.rows" (a 14 MB snapshot of 131072
 * tracebacks is 13.5 MB of rows) and "frames". jansson reads about 60 MB/s
 * and makes one json_t per string, so those two arrays are read straight
 * from the text instead:
 *
 *   1. scan_regions() walks the text once, tracking only strings, nesting
 *      and the keys of the root object and of root."tracebacks", and finds
 *      the byte range of the value of root."frames" and of
 *      root."tracebacks"."rows". A range is kept only when it is strictly
 *      an array of strings of printable ASCII without '"' or '\' (no
 *      escapes), so that the strings' text is exactly their value.
 *   2. jansson parses a copy of the text with each kept range replaced by
 *      "[]". The copy is valid JSON exactly when the original is: the
 *      prefix up to a range is the same text, so if jansson accepts it, it
 *      reads it as the scan did (strings, nesting and keys of valid JSON
 *      are unambiguous) and expects a value where the range starts; a range
 *      is a complete array value and "[]" is one too, so both leave the
 *      parser in the same state. Duplicate keys are refused
 *      (JSON_REJECT_DUPLICATES), so no later "rows" or "frames" can
 *      replace the one the scan found. When the copy fails, the original
 *      is parsed again to get jansson's message with the right position.
 *   3. The rows and frame strings are parsed by hand, from the ranges or,
 *      when a range was not kept (escapes, say), from jansson's strings:
 *      both paths meet in parse_row() and parse_frame().
 *
 * All the frame ids of all rows go in one array (the rows are parsed in
 * order, so rows[0].frames is its start, which cli_snapshot_free frees);
 * the other strings point into the jansson document, which the snapshot
 * keeps. Every failure is one line, "NAME: problem". */
#include "reader.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FORMAT_NAME    "memsnap-snapshot"
#define FORMAT_VERSION 1
/* traceback ids 0 and 1 are "not traced" and the sampler's pool */
#define FIRST_TRACEBACK_ID 2

typedef struct parser {
    const char *name;
    char *error;
    size_t error_size;
    int failed;
} parser_t;

/* ---- errors -------------------------------------------------------------- */

/* Writes "NAME: message" into the error buffer (the first failure only),
 * every control character replaced by '?' so the message stays one line. */
__attribute__((format(printf, 2, 3))) static void fail(parser_t *parser, const char *format, ...)
{
    if (parser->failed)
        return;
    parser->failed = 1;
    if (parser->error == NULL || parser->error_size == 0)
        return;
    int used = snprintf(parser->error, parser->error_size, "%s: ", parser->name);
    if (used >= 0 && (size_t)used < parser->error_size) {
        va_list arguments;
        va_start(arguments, format);
        vsnprintf(parser->error + used, parser->error_size - (size_t)used, format, arguments);
        va_end(arguments);
    }
    for (char *p = parser->error; *p != '\0'; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    }
}

/* text quoted for a message: at most 40 bytes, non-printable ASCII as '?'. */
static const char *quoted(const char *text, size_t length, char *buffer, size_t size)
{
    size_t limit = size > 8 ? size - 8 : 0, n = 0;
    if (limit > 40)
        limit = 40;
    buffer[n++] = '"';
    for (size_t i = 0; i < length && i < limit; i++) {
        unsigned char c = (unsigned char)text[i];
        buffer[n++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    if (length > limit) {
        memcpy(buffer + n, "...", 3);
        n += 3;
    }
    buffer[n++] = '"';
    buffer[n] = '\0';
    return buffer;
}

/* What a JSON value is, for "X is ..., expected ..." */
static const char *type_name(const json_t *value)
{
    switch (json_typeof(value)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a real number";
    case JSON_TRUE:
        return "true";
    case JSON_FALSE:
        return "false";
    case JSON_NULL:
        return "null";
    }
    return "a value of unknown type";
}

/* ---- typed members ------------------------------------------------------- */

/* where names object in messages ("process", "modules[3]"); "" for the root. */
static void label_of(char *label, size_t size, const char *where, const char *key)
{
    snprintf(label, size, "%s%s%s", where, where[0] != '\0' ? "." : "", key);
}

static json_t *member(parser_t *parser, json_t *object, const char *where, const char *key)
{
    json_t *value = json_object_get(object, key);
    if (value == NULL) {
        char label[128];
        label_of(label, sizeof label, where, key);
        fail(parser, "\"%s\" is missing", label);
    }
    return value;
}

static json_t *typed_member(parser_t *parser, json_t *object, const char *where, const char *key,
                            json_type type, const char *expected)
{
    json_t *value = member(parser, object, where, key);
    if (value != NULL && json_typeof(value) != type) {
        char label[128];
        label_of(label, sizeof label, where, key);
        fail(parser, "\"%s\" is %s, expected %s", label, type_name(value), expected);
        return NULL;
    }
    return value;
}

/* A non-negative JSON integer, described by label in messages. */
static int unsigned_value(parser_t *parser, const json_t *value, const char *label,
                          uint64_t *result)
{
    if (!json_is_integer(value)) {
        fail(parser, "\"%s\" is %s, expected a non-negative integer", label, type_name(value));
        return -1;
    }
    json_int_t number = json_integer_value(value);
    if (number < 0) {
        fail(parser, "\"%s\" is %" JSON_INTEGER_FORMAT ", expected a non-negative integer", label,
             number);
        return -1;
    }
    *result = (uint64_t)number;
    return 0;
}

static int unsigned_member(parser_t *parser, json_t *object, const char *where, const char *key,
                           uint64_t *result)
{
    json_t *value = member(parser, object, where, key);
    if (value == NULL)
        return -1;
    char label[128];
    label_of(label, sizeof label, where, key);
    return unsigned_value(parser, value, label, result);
}

/* A string member, or NULL after failing; with nullable, JSON null gives
 * *result NULL and success. */
static int string_member(parser_t *parser, json_t *object, const char *where, const char *key,
                         int nullable, char **result)
{
    json_t *value = member(parser, object, where, key);
    if (value == NULL)
        return -1;
    if (nullable && json_is_null(value)) {
        *result = NULL;
        return 0;
    }
    if (!json_is_string(value)) {
        char label[128];
        label_of(label, sizeof label, where, key);
        fail(parser, "\"%s\" is %s, expected %s", label, type_name(value),
             nullable ? "a string or null" : "a string");
        return -1;
    }
    *result = (char *)json_string_value(value);
    return 0;
}

/* ---- the scan: where "frames" and "tracebacks.rows" are in the text ----- */

enum { REGION_FRAMES, REGION_ROWS, REGION_COUNT };

typedef struct region {
    int found;
    size_t start, end;            /* '[' to just past ']' */
    size_t count;                 /* strings in it */
} region_t;

static int is_json_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The text of a kept string is its value: printable ASCII but '"' and '\'.
 * Whether text[start...end) is, with no early exit so that it vectorizes:
 * this runs over every byte of the rows. */
static int plain_text(const char *text, size_t start, size_t end)
{
    unsigned bad = 0;
    for (size_t i = start; i < end; i++) {
        unsigned char c = (unsigned char)text[i];
        bad |= (unsigned)(c < 0x20) | (unsigned)(c >= 0x7f) | (unsigned)(c == '\\');
    }
    return bad == 0;
}

/* Whether text[start] (a '[') opens an array of plain strings, strictly as
 * JSON has it; fills region when it does. */
static int plain_string_array(const char *text, size_t length, size_t start, region_t *region)
{
    size_t i = start + 1, count = 0;
    while (i < length && is_json_space(text[i]))
        i++;
    if (i < length && text[i] == ']') {
        *region = (region_t){ 1, start, i + 1, 0 };
        return 1;
    }
    for (;;) {
        if (i >= length || text[i] != '"')
            return 0;
        const char *close = memchr(text + i + 1, '"', length - i - 1);
        if (close == NULL || !plain_text(text, i + 1, (size_t)(close - text)))
            return 0;
        i = (size_t)(close - text) + 1;
        count++;
        while (i < length && is_json_space(text[i]))
            i++;
        if (i >= length)
            return 0;
        if (text[i] == ']') {
            *region = (region_t){ 1, start, i + 1, count };
            return 1;
        }
        if (text[i] != ',')
            return 0;
        i++;
        while (i < length && is_json_space(text[i]))
            i++;
    }
}

static int key_is(const char *key, size_t length, const char *name)
{
    return key != NULL && length == strlen(name) && memcmp(key, name, length) == 0;
}

/* Finds the kept regions. Only right for text that is valid JSON up to a
 * region, which is all step 2 above needs. Levels 1 (the root) and 2 are
 * tracked: whether each is an object, whether a key comes next, its key. */
static void scan_regions(const char *text, size_t length, region_t regions[REGION_COUNT])
{
    memset(regions, 0, REGION_COUNT * sizeof regions[0]);
    size_t depth = 0;
    int is_object[3] = { 0, 0, 0 }, expect_key[3] = { 0, 0, 0 };
    const char *key[3] = { NULL, NULL, NULL };
    size_t key_length[3] = { 0, 0, 0 };
    size_t i = 0;
    while (i < length) {
        char c = text[i];
        if (c == '"') {
            size_t j = i + 1;
            while (j < length && text[j] != '"')
                j += text[j] == '\\' ? 2 : 1;
            if (j >= length)
                return;               /* unterminated: jansson will say so */
            if (depth >= 1 && depth <= 2 && is_object[depth] && expect_key[depth]) {
                key[depth] = text + i + 1;
                key_length[depth] = j - i - 1;
                expect_key[depth] = 0;
            }
            i = j + 1;
        } else if (c == '{' || c == '[') {
            int region = -1;
            if (c == '[' && depth == 1 && is_object[1] && key_is(key[1], key_length[1], "frames"))
                region = REGION_FRAMES;
            else if (c == '[' && depth == 2 && is_object[1] && is_object[2] &&
                     key_is(key[1], key_length[1], "tracebacks") &&
                     key_is(key[2], key_length[2], "rows"))
                region = REGION_ROWS;
            if (region >= 0 && !regions[region].found &&
                plain_string_array(text, length, i, &regions[region])) {
                i = regions[region].end;
                continue;
            }
            depth++;
            if (depth <= 2) {
                is_object[depth] = c == '{';
                expect_key[depth] = c == '{';
                key[depth] = NULL;
            }
            i++;
        } else if (c == '}' || c == ']') {
            if (depth == 0)
                return;               /* unbalanced: jansson will say so */
            depth--;
            i++;
        } else {
            if (c == ',' && depth >= 1 && depth <= 2 && is_object[depth])
                expect_key[depth] = 1;
            i++;
        }
    }
}

/* jansson's parse of text with each found region replaced by "[]"; NULL
 * with *error filled when that fails (from the original text then, so the
 * position is right; should the original parse where the copy did not, it
 * is used, with no regions). */
static json_t *parse_json(const char *text, size_t length, region_t regions[REGION_COUNT],
                          json_error_t *error)
{
    const size_t flags = JSON_REJECT_DUPLICATES;
    int order[REGION_COUNT] = { REGION_FRAMES, REGION_ROWS };
    size_t removed = 0, kept = 0;
    for (int r = 0; r < REGION_COUNT; r++) {
        if (regions[r].found) {
            removed += regions[r].end - regions[r].start;
            kept++;
        }
    }
    if (kept == 0)
        return json_loadb(text, length, flags, error);
    if (regions[REGION_FRAMES].found && regions[REGION_ROWS].found &&
        regions[REGION_ROWS].start < regions[REGION_FRAMES].start) {
        order[0] = REGION_ROWS;
        order[1] = REGION_FRAMES;
    }
    char *copy = malloc(length - removed + 2 * kept + 1);
    json_t *document = NULL;
    if (copy != NULL) {
        size_t from = 0, to = 0;
        for (int k = 0; k < REGION_COUNT; k++) {
            const region_t *region = &regions[order[k]];
            if (!region->found)
                continue;
            memcpy(copy + to, text + from, region->start - from);
            to += region->start - from;
            memcpy(copy + to, "[]", 2);
            to += 2;
            from = region->end;
        }
        memcpy(copy + to, text + from, length - from);
        to += length - from;
        document = json_loadb(copy, to, flags, error);
        free(copy);
        if (document != NULL)
            return document;
    }
    /* The copy failed (or could not be made): the original gives the message. */
    for (int r = 0; r < REGION_COUNT; r++)
        regions[r].found = 0;
    return json_loadb(text, length, flags, error);
}

/* Calls visit(context, index, string, length) for each string of a kept
 * region, in order; stops at the first nonzero return. */
static int each_region_string(const char *text, const region_t *region,
                              int (*visit)(void *, size_t, const char *, size_t), void *context)
{
    const char *p = text + region->start, *end = text + region->end;
    for (size_t index = 0; index < region->count; index++) {
        const char *open = memchr(p, '"', (size_t)(end - p));
        const char *close = memchr(open + 1, '"', (size_t)(end - open - 1));
        if (visit(context, index, open + 1, (size_t)(close - open - 1)) != 0)
            return -1;
        p = close + 1;
    }
    return 0;
}

/* The same over a jansson array: a non-string element fails. */
static int each_json_string(parser_t *parser, const json_t *array, const char *what,
                            int (*visit)(void *, size_t, const char *, size_t), void *context)
{
    for (size_t index = 0; index < json_array_size(array); index++) {
        const json_t *value = json_array_get(array, index);
        if (!json_is_string(value)) {
            fail(parser, "%s %zu is %s, expected a string", what, index, type_name(value));
            return -1;
        }
        if (visit(context, index, json_string_value(value), json_string_length(value)) != 0)
            return -1;
    }
    return 0;
}

/* ---- decimal and hex ----------------------------------------------------- */

/* Digits at text[*i...]: 0 and *value, advancing *i; -1 when there are none
 * (*i unchanged) or -2 when the number does not fit in 64 bits. */
static inline int parse_decimal(const char *text, size_t length, size_t *i, uint64_t *value)
{
    size_t p = *i, start = p;
    uint64_t number = 0;
    /* 19 digits cannot overflow; the check is only for those after. */
    size_t quick = length - p < 19 ? length : p + 19;
    unsigned digit;
    while (p < quick && (digit = (unsigned)(unsigned char)text[p] - '0') <= 9) {
        number = number * 10 + digit;
        p++;
    }
    if (p == start)
        return -1;
    while (p < length && (digit = (unsigned)(unsigned char)text[p] - '0') <= 9) {
        if (number > UINT64_MAX / 10 || (number == UINT64_MAX / 10 && digit > UINT64_MAX % 10))
            return -2;
        number = number * 10 + digit;
        p++;
    }
    *i = p;
    *value = number;
    return 0;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* ---- process, settings, modules ------------------------------------------ */

static int read_process(parser_t *parser, json_t *root, cli_snapshot_t *snapshot)
{
    json_t *process = typed_member(parser, root, "", "process", JSON_OBJECT, "an object");
    if (process == NULL)
        return -1;
    uint64_t pid, ppid;
    if (unsigned_member(parser, process, "process", "pid", &pid) != 0 ||
        unsigned_member(parser, process, "process", "ppid", &ppid) != 0)
        return -1;
    if (pid > INT64_MAX || ppid > INT64_MAX)
        return -1;                    /* cannot happen: json_int_t is 64 bits */
    snapshot->pid = (int64_t)pid;
    snapshot->ppid = (int64_t)ppid;
    json_t *argv = typed_member(parser, process, "process", "argv", JSON_ARRAY, "an array");
    if (argv == NULL)
        return -1;
    snapshot->argc = json_array_size(argv);
    snapshot->argv = calloc(snapshot->argc + 1, sizeof snapshot->argv[0]);
    if (snapshot->argv == NULL) {
        fail(parser, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < snapshot->argc; i++) {
        json_t *word = json_array_get(argv, i);
        if (!json_is_string(word)) {
            fail(parser, "\"process.argv[%zu]\" is %s, expected a string", i, type_name(word));
            return -1;
        }
        snapshot->argv[i] = (char *)json_string_value(word);
    }
    if (unsigned_member(parser, process, "process", "start_time_ns", &snapshot->start_time_ns) != 0 ||
        unsigned_member(parser, process, "process", "snapshot_time_ns",
                        &snapshot->snapshot_time_ns) != 0 ||
        string_member(parser, process, "process", "trigger", 0, &snapshot->trigger) != 0 ||
        string_member(parser, process, "process", "tag", 1, &snapshot->tag) != 0)
        return -1;
    return 0;
}

static int read_settings(parser_t *parser, json_t *root, cli_snapshot_t *snapshot)
{
    json_t *settings = typed_member(parser, root, "", "settings", JSON_OBJECT, "an object");
    if (settings == NULL ||
        unsigned_member(parser, settings, "settings", "frames", &snapshot->frames_setting) != 0 ||
        unsigned_member(parser, settings, "settings", "sample_bytes", &snapshot->sample_bytes) != 0)
        return -1;
    if (snapshot->frames_setting == 0) {
        fail(parser, "\"settings.frames\" is 0, expected 1 or more");
        return -1;
    }
    return 0;
}

static int read_modules(parser_t *parser, json_t *root, cli_snapshot_t *snapshot)
{
    json_t *modules = typed_member(parser, root, "", "modules", JSON_ARRAY, "an array");
    if (modules == NULL)
        return -1;
    snapshot->nmodules = json_array_size(modules);
    snapshot->modules = calloc(snapshot->nmodules + 1, sizeof snapshot->modules[0]);
    if (snapshot->modules == NULL) {
        fail(parser, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < snapshot->nmodules; i++) {
        json_t *object = json_array_get(modules, i);
        char where[48];
        snprintf(where, sizeof where, "modules[%zu]", i);
        if (!json_is_object(object)) {
            fail(parser, "\"%s\" is %s, expected an object", where, type_name(object));
            return -1;
        }
        cli_module_t *module = &snapshot->modules[i];
        if (string_member(parser, object, where, "path", 0, &module->path) != 0 ||
            unsigned_member(parser, object, where, "base", &module->base) != 0 ||
            unsigned_member(parser, object, where, "start", &module->start) != 0 ||
            unsigned_member(parser, object, where, "end", &module->end) != 0 ||
            string_member(parser, object, where, "build_id", 0, &module->build_id) != 0)
            return -1;
        if (module->start > module->end) {
            fail(parser, "\"%s\": start %" PRIu64 " is past end %" PRIu64, where, module->start,
                 module->end);
            return -1;
        }
        size_t length = strlen(module->build_id);
        int hex = length % 2 == 0;
        for (size_t k = 0; hex && k < length; k++)
            hex = hex_digit(module->build_id[k]) >= 0;
        if (!hex) {
            char text[64];
            fail(parser, "\"%s.build_id\" is %s, expected lowercase hex digits in pairs", where,
                 quoted(module->build_id, length, text, sizeof text));
            return -1;
        }
    }
    return 0;
}

/* ---- frames -------------------------------------------------------------- */

/* What parse_frame and parse_leak_row fill: the snapshot being read. */
typedef struct fill_context {
    parser_t *parser;
    cli_snapshot_t *snapshot;
} fill_context_t;

/* "M:HEX" or "-:HEX": M decimal, below nmodules; HEX 1 to 16 lowercase digits. */
static int parse_frame(void *data, size_t index, const char *text, size_t length)
{
    fill_context_t *context = data;
    cli_frame_t *frame = &context->snapshot->frames[index];
    size_t i = 0;
    uint64_t module = 0;
    int ok;
    if (length > 0 && text[0] == '-') {
        frame->module = -1;
        i = 1;
        ok = 1;
    } else {
        ok = parse_decimal(text, length, &i, &module) == 0;
    }
    ok = ok && i < length && text[i] == ':';
    i++;
    uint64_t offset = 0;
    size_t digits = 0;
    for (; ok && i < length; i++, digits++) {
        int digit = hex_digit(text[i]);
        ok = digit >= 0 && offset >> 60 == 0;       /* 16 digits at most, but leading zeros */
        offset = offset << 4 | (uint64_t)(digit & 15);
    }
    char shown[64];
    if (!ok || digits == 0) {
        fail(context->parser, "frame %zu (%s) is not \"M:HEX\" or \"-:HEX\"", index,
             quoted(text, length, shown, sizeof shown));
        return -1;
    }
    if (text[0] != '-') {
        if (module >= context->snapshot->nmodules) {
            fail(context->parser, "frame %zu (%s): module %" PRIu64
                 " past the module list (%zu modules)", index,
                 quoted(text, length, shown, sizeof shown), module, context->snapshot->nmodules);
            return -1;
        }
        frame->module = (int64_t)module;
    }
    frame->offset = offset;
    return 0;
}

static int read_frames(parser_t *parser, json_t *root, const char *text,
                       const region_t *region, cli_snapshot_t *snapshot)
{
    json_t *frames = typed_member(parser, root, "", "frames", JSON_ARRAY, "an array");
    if (frames == NULL)
        return -1;
    snapshot->nframes = region->found ? region->count : json_array_size(frames);
    if (snapshot->nframes > UINT32_MAX) {
        fail(parser, "%zu frames, more than frame ids can name", snapshot->nframes);
        return -1;
    }
    snapshot->frames = calloc(snapshot->nframes + 1, sizeof snapshot->frames[0]);
    if (snapshot->frames == NULL) {
        fail(parser, "out of memory");
        return -1;
    }
    fill_context_t context = { parser, snapshot };
    if (region->found)
        return each_region_string(text, region, parse_frame, &context);
    return each_json_string(parser, frames, "frame", parse_frame, &context);
}

/* ---- tracebacks ---------------------------------------------------------- */

/* The named columns memsnap needs, in cli_traceback_t's terms. */
enum {
    COLUMN_ID, COLUMN_DOMAIN, COLUMN_TRUNCATED, COLUMN_SIZE, COLUMN_COUNT, COLUMN_TOTAL_SIZE,
    COLUMN_TOTAL_COUNT, COLUMN_PEAK_SIZE, COLUMN_PEAK_COUNT, COLUMN_KNOWN,
    COLUMN_OTHER = COLUMN_KNOWN,      /* a column this reader does not know: skipped */
};

static const char *const column_names[COLUMN_KNOWN] = {
    "id", "domain", "truncated", "size", "count", "total_size", "total_count",
    "peak_size", "peak_count",
};

#define FRAMES_COLUMN "frames..."

typedef struct rows_context {
    parser_t *parser;
    cli_snapshot_t *snapshot;
    unsigned char *column_of;         /* per named column: COLUMN_* */
    size_t named;                     /* columns before "frames..." */
    uint32_t *ids;                    /* every row's frame ids */
    size_t nids, capacity;
    uint64_t previous_id;
} rows_context_t;

/* Room for needed more frame ids. */
static int reserve_ids(rows_context_t *context, size_t needed)
{
    if (context->capacity - context->nids >= needed)
        return 0;
    size_t capacity = context->capacity < 1024 ? 1024 : context->capacity;
    while (capacity - context->nids < needed)
        capacity *= 2;
    uint32_t *ids = realloc(context->ids, capacity * sizeof ids[0]);
    if (ids == NULL) {
        fail(context->parser, "out of memory");
        return -1;
    }
    context->ids = ids;
    context->capacity = capacity;
    return 0;
}

/* The number at text[*i] and the space after it: 0 when more numbers
 * follow, 1 for the last, -1 after failing. what and index name the row in
 * messages ("tracebacks row", 12). */
static inline int next_number(parser_t *parser, const char *what, size_t index,
                              const char *text, size_t length, size_t *i, size_t number,
                              uint64_t *value)
{
    int result = parse_decimal(text, length, i, value);
    if (result == -2) {
        fail(parser, "%s %zu: number %zu does not fit in 64 bits", what, index, number + 1);
        return -1;
    }
    if (result == 0 && *i == length)
        return 1;
    if (result == 0 && text[*i] == ' ') {
        (*i)++;
        return 0;
    }
    fail(parser, "%s %zu: not decimal numbers separated by single spaces (at character %zu)",
         what, index, *i);
    return -1;
}

/* One row: decimal numbers separated by single spaces, the named columns
 * then the frame ids. The frame ids go to context->ids; the row's frames
 * pointer is set at the end, when that array has stopped moving. */
static int parse_row(void *data, size_t index, const char *text, size_t length)
{
    rows_context_t *context = data;
    parser_t *parser = context->parser;
    const cli_snapshot_t *snapshot = context->snapshot;
    uint64_t values[COLUMN_KNOWN + 1];
    size_t numbers = 0, i = 0;
    int last = 0;
    while (numbers < context->named) {
        if (last) {
            fail(parser, "tracebacks row %zu: %zu numbers, expected at least %zu (one per "
                 "column before \"" FRAMES_COLUMN "\")", index, numbers, context->named);
            return -1;
        }
        uint64_t value;
        last = next_number(parser, "tracebacks row", index, text, length, &i, numbers, &value);
        if (last < 0)
            return -1;
        values[context->column_of[numbers++]] = value;
    }
    /* The frame ids: at most one for every two bytes left. */
    size_t first_id = context->nids;
    if (!last && reserve_ids(context, (length - i + 1) / 2) != 0)
        return -1;
    while (!last) {
        uint64_t value;
        last = next_number(parser, "tracebacks row", index, text, length, &i, numbers++, &value);
        if (last < 0)
            return -1;
        if (value >= snapshot->nframes) {
            fail(parser, "tracebacks row %zu: frame id %" PRIu64
                 " past the frame table (%zu frames)", index, value, snapshot->nframes);
            return -1;
        }
        context->ids[context->nids++] = (uint32_t)value;
    }
    size_t nframes = numbers - context->named;
    uint64_t id = values[COLUMN_ID];
    if (id < FIRST_TRACEBACK_ID || id > UINT32_MAX) {
        fail(parser, "tracebacks row %zu: id %" PRIu64 ", expected %d to %" PRIu32, index, id,
             FIRST_TRACEBACK_ID, UINT32_MAX);
        return -1;
    }
    if (index > 0 && id <= context->previous_id) {
        fail(parser, "tracebacks row %zu: id %" PRIu64 " not above the previous row's (%" PRIu64
             "): rows must be in increasing id order", index, id, context->previous_id);
        return -1;
    }
    if (values[COLUMN_DOMAIN] > UINT32_MAX) {
        fail(parser, "tracebacks row %zu: domain %" PRIu64 " does not fit in 32 bits", index,
             values[COLUMN_DOMAIN]);
        return -1;
    }
    if (values[COLUMN_TRUNCATED] > 1) {
        fail(parser, "tracebacks row %zu: truncated is %" PRIu64 ", expected 0 or 1", index,
             values[COLUMN_TRUNCATED]);
        return -1;
    }
    if (nframes > snapshot->frames_setting) {
        fail(parser, "tracebacks row %zu: %zu frames, more than settings.frames (%" PRIu64 ")",
             index, nframes, snapshot->frames_setting);
        return -1;
    }
    context->previous_id = id;
    cli_traceback_t *row = &context->snapshot->tracebacks[index];
    row->id = (uint32_t)id;
    row->domain = (uint32_t)values[COLUMN_DOMAIN];
    row->truncated = (int)values[COLUMN_TRUNCATED];
    row->size = values[COLUMN_SIZE];
    row->count = values[COLUMN_COUNT];
    row->total_size = values[COLUMN_TOTAL_SIZE];
    row->total_count = values[COLUMN_TOTAL_COUNT];
    row->peak_size = values[COLUMN_PEAK_SIZE];
    row->peak_count = values[COLUMN_PEAK_COUNT];
    row->nframes = (uint32_t)nframes;
    row->frames = (const uint32_t *)(uintptr_t)first_id;      /* an index until the end */
    return 0;
}

/* Maps each named column to a COLUMN_*; every known one must be there once,
 * and "frames..." last. */
static int read_columns(parser_t *parser, json_t *tracebacks, rows_context_t *context)
{
    json_t *columns = typed_member(parser, tracebacks, "tracebacks", "columns", JSON_ARRAY,
                                   "an array");
    if (columns == NULL)
        return -1;
    size_t count = json_array_size(columns);
    for (size_t i = 0; i < count; i++) {
        json_t *name = json_array_get(columns, i);
        if (!json_is_string(name)) {
            fail(parser, "\"tracebacks.columns[%zu]\" is %s, expected a string", i,
                 type_name(name));
            return -1;
        }
    }
    const char *last = count > 0 ? json_string_value(json_array_get(columns, count - 1)) : NULL;
    if (last == NULL || strcmp(last, FRAMES_COLUMN) != 0) {
        char shown[64];
        if (last == NULL)
            fail(parser, "\"tracebacks.columns\" is empty, expected \"" FRAMES_COLUMN "\" last");
        else
            fail(parser, "\"tracebacks.columns\" ends with %s, expected \"" FRAMES_COLUMN "\"",
                 quoted(last, json_string_length(json_array_get(columns, count - 1)), shown,
                        sizeof shown));
        return -1;
    }
    context->named = count - 1;
    context->column_of = malloc(context->named + 1);
    if (context->column_of == NULL) {
        fail(parser, "out of memory");
        return -1;
    }
    int seen[COLUMN_KNOWN] = { 0 };
    for (size_t i = 0; i < context->named; i++) {
        const char *name = json_string_value(json_array_get(columns, i));
        unsigned column = 0;
        while (column < COLUMN_KNOWN && strcmp(column_names[column], name) != 0)
            column++;
        if (column < COLUMN_KNOWN && seen[column]++) {
            fail(parser, "\"tracebacks.columns\" names \"%s\" twice", name);
            return -1;
        }
        if (column == COLUMN_KNOWN && strcmp(name, FRAMES_COLUMN) == 0) {
            fail(parser, "\"tracebacks.columns\" names \"" FRAMES_COLUMN "\" before the end");
            return -1;
        }
        context->column_of[i] = (unsigned char)column;
    }
    for (unsigned column = 0; column < COLUMN_KNOWN; column++) {
        if (!seen[column]) {
            fail(parser, "\"tracebacks.columns\" has no \"%s\" column", column_names[column]);
            return -1;
        }
    }
    return 0;
}

static int read_tracebacks(parser_t *parser, json_t *root, const char *text,
                           const region_t *region, cli_snapshot_t *snapshot)
{
    json_t *tracebacks = typed_member(parser, root, "", "tracebacks", JSON_OBJECT, "an object");
    if (tracebacks == NULL)
        return -1;
    rows_context_t context = { parser, snapshot, NULL, 0, NULL, 0, 0, 0 };
    json_t *rows = NULL;
    int result = -1;
    if (read_columns(parser, tracebacks, &context) != 0)
        goto done;
    rows = typed_member(parser, tracebacks, "tracebacks", "rows", JSON_ARRAY, "an array");
    if (rows == NULL)
        goto done;
    size_t count = region->found ? region->count : json_array_size(rows);
    snapshot->tracebacks = calloc(count + 1, sizeof snapshot->tracebacks[0]);
    if (snapshot->tracebacks == NULL) {
        fail(parser, "out of memory");
        goto done;
    }
    if (region->found)
        result = each_region_string(text, region, parse_row, &context);
    else
        result = each_json_string(parser, rows, "tracebacks row", parse_row, &context);
    if (result != 0)
        goto done;
    /* One array for every row's frames; rows[0].frames is its start. */
    if (count > 0 && context.ids == NULL && reserve_ids(&context, 1) != 0) {
        result = -1;
        goto done;
    }
    snapshot->ntracebacks = count;
    for (size_t i = 0; i < count; i++)
        snapshot->tracebacks[i].frames = context.ids + (uintptr_t)snapshot->tracebacks[i].frames;
    context.ids = NULL;
done:
    free(context.ids);
    free(context.column_of);
    return result;
}

/* ---- totals, peak, allocator, timeline ----------------------------------- */

static int read_totals(parser_t *parser, json_t *root, cli_snapshot_t *snapshot)
{
    json_t *totals = typed_member(parser, root, "", "totals", JSON_OBJECT, "an object");
    if (totals == NULL ||
        unsigned_member(parser, totals, "totals", "current", &snapshot->totals.current) != 0 ||
        unsigned_member(parser, totals, "totals", "peak", &snapshot->totals.peak) != 0 ||
        unsigned_member(parser, totals, "totals", "allocations", &snapshot->totals.allocations) != 0 ||
        unsigned_member(parser, totals, "totals", "frees", &snapshot->totals.frees) != 0 ||
        unsigned_member(parser, totals, "totals", "unsampled_size",
                        &snapshot->totals.unsampled_size) != 0 ||
        unsigned_member(parser, totals, "totals", "unsampled_count",
                        &snapshot->totals.unsampled_count) != 0)
        return -1;
    json_t *peak = typed_member(parser, root, "", "peak", JSON_OBJECT, "an object");
    if (peak == NULL || unsigned_member(parser, peak, "peak", "size", &snapshot->peak_size) != 0 ||
        unsigned_member(parser, peak, "peak", "time_ns", &snapshot->peak_time_ns) != 0)
        return -1;
    return 0;
}

static const char *const allocator_keys[] = {
    "arenas_allocated_total", "arenas_reclaimed", "arenas_highwater", "arenas_current",
    "arena_bytes", "decommitted_pools", "allocated_bytes", "available_bytes", "unused_pools",
    "pool_header_bytes", "quantization_bytes", "large_calls", "large_bytes_total",
    "large_live_blocks", "large_live_bytes", "brk_grown_total",
};

static const char *const class_keys[] = { "class", "size", "pools", "blocks_in_use",
                                          "blocks_available" };

/* Kept as JSON, but every documented key is checked, so that a reader of
 * snapshot->allocator can take each one's json_integer_value as it is. */
static int read_allocator(parser_t *parser, json_t *root, cli_snapshot_t *snapshot)
{
    json_t *allocator = typed_member(parser, root, "", "allocator", JSON_OBJECT, "an object");
    if (allocator == NULL)
        return -1;
    uint64_t value;
    for (size_t k = 0; k < sizeof allocator_keys / sizeof allocator_keys[0]; k++) {
        if (unsigned_member(parser, allocator, "allocator", allocator_keys[k], &value) != 0)
            return -1;
    }
    json_t *brk = member(parser, allocator, "allocator", "brk_current");
    if (brk == NULL)
        return -1;
    if (!json_is_integer(brk)) {
        fail(parser, "\"allocator.brk_current\" is %s, expected an integer", type_name(brk));
        return -1;
    }
    json_t *classes = typed_member(parser, allocator, "allocator", "classes", JSON_ARRAY,
                                   "an array");
    if (classes == NULL)
        return -1;
    for (size_t i = 0; i < json_array_size(classes); i++) {
        json_t *entry = json_array_get(classes, i);
        char where[48];
        snprintf(where, sizeof where, "allocator.classes[%zu]", i);
        if (!json_is_object(entry)) {
            fail(parser, "\"%s\" is %s, expected an object", where, type_name(entry));
            return -1;
        }
        for (size_t k = 0; k < sizeof class_keys / sizeof class_keys[0]; k++) {
            if (unsigned_member(parser, entry, where, class_keys[k], &value) != 0)
                return -1;
        }
    }
    snapshot->allocator = allocator;
    return 0;
}

static int read_timeline(parser_t *parser, json_t *root, cli_snapshot_t *snapshot)
{
    json_t *timeline = typed_member(parser, root, "", "timeline", JSON_ARRAY, "an array");
    if (timeline == NULL)
        return -1;
    size_t count = json_array_size(timeline);
    snapshot->timeline = calloc(count + 1, sizeof snapshot->timeline[0]);
    if (snapshot->timeline == NULL) {
        fail(parser, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < count; i++) {
        json_t *point = json_array_get(timeline, i);
        char label[48];
        snprintf(label, sizeof label, "timeline[%zu]", i);
        if (!json_is_array(point) || json_array_size(point) != 2) {
            fail(parser, "\"%s\" is %s, expected a [time_ns, bytes] pair", label,
                 json_is_array(point) ? "an array of another length" : type_name(point));
            return -1;
        }
        for (size_t k = 0; k < 2; k++) {
            snprintf(label, sizeof label, "timeline[%zu][%zu]", i, k);
            if (unsigned_value(parser, json_array_get(point, k), label,
                               &snapshot->timeline[i][k]) != 0)
                return -1;
        }
    }
    snapshot->ntimeline = count;
    return 0;
}

/* ---- leaks --------------------------------------------------------------------- */

const char *const cli_leak_kind_names[CLI_LEAK_KINDS] = {
    [CLI_LEAK_DEFINITE] = "definite", [CLI_LEAK_INDIRECT] = "indirect",
    [CLI_LEAK_POSSIBLE] = "possible", [CLI_LEAK_REACHABLE] = "reachable",
    [CLI_LEAK_IGNORED] = "ignored",
};

enum { LEAK_TRACEBACK, LEAK_KIND, LEAK_SIZE, LEAK_COUNT, LEAK_COLUMNS };

static const char *const leak_column_names[LEAK_COLUMNS] = { "traceback", "kind", "size",
                                                             "count" };

/* "leaks.KEY" must be exactly the strings names[0...count), in order:
 * version 1 fixes both the kinds and the columns. */
static int fixed_names(parser_t *parser, json_t *leaks, const char *key,
                       const char *const *names, size_t count)
{
    json_t *array = typed_member(parser, leaks, "leaks", key, JSON_ARRAY, "an array");
    if (array == NULL)
        return -1;
    if (json_array_size(array) != count) {
        char expected[128] = "";
        for (size_t i = 0; i < count; i++)
            snprintf(expected + strlen(expected), sizeof expected - strlen(expected), "%s%s",
                     i > 0 ? ", " : "", names[i]);
        fail(parser, "\"leaks.%s\" has %zu names, expected %zu: %s", key,
             json_array_size(array), count, expected);
        return -1;
    }
    for (size_t i = 0; i < count; i++) {
        json_t *name = json_array_get(array, i);
        if (json_is_string(name) && json_string_length(name) == strlen(names[i]) &&
            memcmp(json_string_value(name), names[i], strlen(names[i])) == 0)
            continue;
        char shown[64];
        fail(parser, "\"leaks.%s[%zu]\" is %s, expected \"%s\"", key, i,
             json_is_string(name) ? quoted(json_string_value(name), json_string_length(name),
                                           shown, sizeof shown)
                                  : type_name(name),
             names[i]);
        return -1;
    }
    return 0;
}

static int by_id(const void *key, const void *row)
{
    uint64_t id = *(const uint64_t *)key, other = ((const cli_traceback_t *)row)->id;
    return id < other ? -1 : id > other;
}

/* The tracebacks row of id (the rows are in increasing id order); NULL
 * when there is none. */
static const cli_traceback_t *traceback_of(const cli_snapshot_t *snapshot, uint64_t id)
{
    if (snapshot->ntracebacks == 0)
        return NULL;
    return bsearch(&id, snapshot->tracebacks, snapshot->ntracebacks,
                   sizeof snapshot->tracebacks[0], by_id);
}

/* One row, "traceback kind size count". */
static int parse_leak_row(void *data, size_t index, const char *text, size_t length)
{
    fill_context_t *context = data;
    parser_t *parser = context->parser;
    uint64_t values[LEAK_COLUMNS];
    size_t numbers = 0, i = 0;
    int last = 0;
    while (!last) {
        uint64_t value;
        last = next_number(parser, "leaks row", index, text, length, &i, numbers, &value);
        if (last < 0)
            return -1;
        if (numbers < LEAK_COLUMNS)
            values[numbers] = value;
        numbers++;
    }
    if (numbers != LEAK_COLUMNS) {
        fail(parser, "leaks row %zu: %zu numbers, expected 4 (traceback, kind, size, count)",
             index, numbers);
        return -1;
    }
    if (values[LEAK_KIND] >= CLI_LEAK_KINDS) {
        fail(parser, "leaks row %zu: kind %" PRIu64 " past \"leaks.kinds\" (%d kinds)", index,
             values[LEAK_KIND], CLI_LEAK_KINDS);
        return -1;
    }
    if (values[LEAK_COUNT] == 0) {
        fail(parser, "leaks row %zu: count 0, expected 1 or more (rows are only written for "
             "blocks)", index);
        return -1;
    }
    const cli_traceback_t *trace = NULL;
    if (values[LEAK_TRACEBACK] != CLI_UNSAMPLED_TRACEBACK) {
        trace = traceback_of(context->snapshot, values[LEAK_TRACEBACK]);
        if (trace == NULL) {
            fail(parser, "leaks row %zu: traceback %" PRIu64 " is not in the tracebacks table",
                 index, values[LEAK_TRACEBACK]);
            return -1;
        }
    }
    context->snapshot->leaks.rows[index] = (cli_leak_row_t){
        (uint32_t)values[LEAK_TRACEBACK], (cli_leak_kind_t)values[LEAK_KIND], values[LEAK_SIZE],
        values[LEAK_COUNT], trace,
    };
    return 0;
}

typedef struct leak_key {
    uint32_t traceback;
    cli_leak_kind_t kind;
    size_t row;
} leak_key_t;

static int by_traceback_and_kind(const void *left, const void *right)
{
    const leak_key_t *a = left, *b = right;
    if (a->traceback != b->traceback)
        return a->traceback < b->traceback ? -1 : 1;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    return a->row < b->row ? -1 : a->row > b->row;
}

/* No (traceback, kind) in two rows: each is one group of the report. */
static int check_leak_duplicates(parser_t *parser, const cli_leaks_t *leaks)
{
    leak_key_t *keys = malloc((leaks->nrows + 1) * sizeof keys[0]);
    if (keys == NULL) {
        fail(parser, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < leaks->nrows; i++)
        keys[i] = (leak_key_t){ leaks->rows[i].traceback, leaks->rows[i].kind, i };
    qsort(keys, leaks->nrows, sizeof keys[0], by_traceback_and_kind);
    int result = 0;
    for (size_t i = 1; i < leaks->nrows && result == 0; i++) {
        if (keys[i].traceback == keys[i - 1].traceback && keys[i].kind == keys[i - 1].kind) {
            fail(parser, "leaks row %zu: traceback %" PRIu32 " and kind %s again (as in row %zu)",
                 keys[i].row, keys[i].traceback, cli_leak_kind_names[keys[i].kind],
                 keys[i - 1].row);
            result = -1;
        }
    }
    free(keys);
    return result;
}

/* The rows of each kind add up to its summary. */
static int check_leak_sums(parser_t *parser, const cli_leaks_t *leaks)
{
    uint64_t size[CLI_LEAK_KINDS] = { 0 }, count[CLI_LEAK_KINDS] = { 0 };
    int overflow[CLI_LEAK_KINDS] = { 0 };
    for (size_t i = 0; i < leaks->nrows; i++) {
        const cli_leak_row_t *row = &leaks->rows[i];
        overflow[row->kind] |= __builtin_add_overflow(size[row->kind], row->size,
                                                      &size[row->kind]);
        overflow[row->kind] |= __builtin_add_overflow(count[row->kind], row->count,
                                                      &count[row->kind]);
    }
    for (int kind = 0; kind < CLI_LEAK_KINDS; kind++) {
        const char *name = cli_leak_kind_names[kind];
        if (overflow[kind]) {
            fail(parser, "the leaks rows of kind %s add up to more than 64 bits", name);
            return -1;
        }
        if (size[kind] != leaks->summary[kind].size || count[kind] != leaks->summary[kind].count) {
            fail(parser, "the leaks rows of kind %s add up to %" PRIu64 " bytes in %" PRIu64
                 " blocks, but \"leaks.summary.%s\" says %" PRIu64 " bytes in %" PRIu64
                 " blocks", name, size[kind], count[kind], name, leaks->summary[kind].size,
                 leaks->summary[kind].count);
            return -1;
        }
    }
    return 0;
}

static int read_leak_summary(parser_t *parser, json_t *leaks_object, cli_leaks_t *leaks)
{
    json_t *summary = typed_member(parser, leaks_object, "leaks", "summary", JSON_OBJECT,
                                   "an object");
    if (summary == NULL)
        return -1;
    for (int kind = 0; kind < CLI_LEAK_KINDS; kind++) {
        json_t *entry = typed_member(parser, summary, "leaks.summary", cli_leak_kind_names[kind],
                                     JSON_OBJECT, "an object");
        char where[48];
        snprintf(where, sizeof where, "leaks.summary.%s", cli_leak_kind_names[kind]);
        if (entry == NULL ||
            unsigned_member(parser, entry, where, "size", &leaks->summary[kind].size) != 0 ||
            unsigned_member(parser, entry, where, "count", &leaks->summary[kind].count) != 0)
            return -1;
    }
    return 0;
}

/* The optional "leaks" object; read after the tracebacks, which its rows
 * name. */
static int read_leaks(parser_t *parser, json_t *root, cli_snapshot_t *snapshot)
{
    if (json_object_get(root, "leaks") == NULL)
        return 0;
    json_t *leaks_object = typed_member(parser, root, "", "leaks", JSON_OBJECT, "an object");
    if (leaks_object == NULL)
        return -1;
    cli_leaks_t *leaks = &snapshot->leaks;
    json_t *complete = member(parser, leaks_object, "leaks", "complete");
    if (complete == NULL)
        return -1;
    if (!json_is_boolean(complete)) {
        fail(parser, "\"leaks.complete\" is %s, expected true or false", type_name(complete));
        return -1;
    }
    leaks->complete = json_is_true(complete);
    if (unsigned_member(parser, leaks_object, "leaks", "threads", &leaks->threads) != 0 ||
        fixed_names(parser, leaks_object, "kinds", cli_leak_kind_names, CLI_LEAK_KINDS) != 0 ||
        read_leak_summary(parser, leaks_object, leaks) != 0 ||
        fixed_names(parser, leaks_object, "columns", leak_column_names, LEAK_COLUMNS) != 0)
        return -1;
    json_t *rows = typed_member(parser, leaks_object, "leaks", "rows", JSON_ARRAY, "an array");
    if (rows == NULL)
        return -1;
    leaks->rows = calloc(json_array_size(rows) + 1, sizeof leaks->rows[0]);
    if (leaks->rows == NULL) {
        fail(parser, "out of memory");
        return -1;
    }
    fill_context_t context = { parser, snapshot };
    if (each_json_string(parser, rows, "leaks row", parse_leak_row, &context) != 0)
        return -1;
    leaks->nrows = json_array_size(rows);
    if (check_leak_duplicates(parser, leaks) != 0 || check_leak_sums(parser, leaks) != 0)
        return -1;
    leaks->present = 1;
    return 0;
}

/* ---- the whole --------------------------------------------------------------- */

static int read_header(parser_t *parser, json_t *root)
{
    if (!json_is_object(root)) {
        fail(parser, "not a memsnap snapshot (the document is not a JSON object)");
        return -1;
    }
    json_t *format = json_object_get(root, "format");
    if (format == NULL) {
        fail(parser, "not a memsnap snapshot (no \"format\" key)");
        return -1;
    }
    if (!json_is_string(format) || strcmp(json_string_value(format), FORMAT_NAME) != 0) {
        char shown[64];
        fail(parser, "not a memsnap snapshot (\"format\" is %s, expected \"" FORMAT_NAME "\")",
             json_is_string(format) ? quoted(json_string_value(format),
                                             json_string_length(format), shown, sizeof shown)
                                    : type_name(format));
        return -1;
    }
    json_t *version = json_object_get(root, "version");
    if (version == NULL) {
        fail(parser, "no \"version\" key");
        return -1;
    }
    if (!json_is_integer(version)) {
        fail(parser, "\"version\" is %s, expected an integer", type_name(version));
        return -1;
    }
    json_int_t number = json_integer_value(version);
    if (number > FORMAT_VERSION) {
        fail(parser, "snapshot format version %" JSON_INTEGER_FORMAT
             " is not supported (this memsnap reads version %d)", number, FORMAT_VERSION);
        return -1;
    }
    if (number < FORMAT_VERSION) {
        fail(parser, "snapshot format version %" JSON_INTEGER_FORMAT
             " is not valid (this memsnap reads version %d)", number, FORMAT_VERSION);
        return -1;
    }
    return 0;
}

cli_snapshot_t *cli_snapshot_parse(const char *name, const char *text, size_t length,
                                   char *error, size_t error_size)
{
    parser_t parser = { name != NULL ? name : "(snapshot)", error, error_size, 0 };
    if (error != NULL && error_size > 0)
        error[0] = '\0';
    if (text == NULL) {
        text = "";
        length = 0;
    }
    region_t regions[REGION_COUNT];
    scan_regions(text, length, regions);
    json_error_t json_error;
    json_t *root = parse_json(text, length, regions, &json_error);
    if (root == NULL) {
        fail(&parser, "truncated or invalid JSON at line %d, column %d: %s", json_error.line,
             json_error.column, json_error.text);
        return NULL;
    }
    cli_snapshot_t *snapshot = calloc(1, sizeof *snapshot);
    if (snapshot == NULL) {
        json_decref(root);
        fail(&parser, "out of memory");
        return NULL;
    }
    snapshot->document = root;
    snapshot->path = strdup(parser.name);
    if (snapshot->path == NULL)
        fail(&parser, "out of memory");
    if (parser.failed || read_header(&parser, root) != 0 ||
        read_process(&parser, root, snapshot) != 0 ||
        read_settings(&parser, root, snapshot) != 0 ||
        read_modules(&parser, root, snapshot) != 0 ||
        read_frames(&parser, root, text, &regions[REGION_FRAMES], snapshot) != 0 ||
        read_tracebacks(&parser, root, text, &regions[REGION_ROWS], snapshot) != 0 ||
        read_totals(&parser, root, snapshot) != 0 ||
        read_allocator(&parser, root, snapshot) != 0 ||
        read_timeline(&parser, root, snapshot) != 0 ||
        read_leaks(&parser, root, snapshot) != 0) {
        if (!parser.failed)
            fail(&parser, "not a valid snapshot");
        cli_snapshot_free(snapshot);
        return NULL;
    }
    return snapshot;
}

char *cli_read_file(const char *path, size_t *length, int *error_number)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *error_number = errno;
        return NULL;
    }
    struct stat status;
    size_t capacity = 1 << 16, used = 0;
    if (fstat(fd, &status) == 0 && S_ISREG(status.st_mode) && status.st_size > 0 &&
        (uint64_t)status.st_size < SIZE_MAX - 1)
        capacity = (size_t)status.st_size + 1;
    char *text = malloc(capacity);
    int read_errno = text == NULL ? ENOMEM : 0;
    while (read_errno == 0) {
        if (used == capacity) {
            char *grown = capacity <= SIZE_MAX / 2 ? realloc(text, capacity * 2) : NULL;
            if (grown == NULL) {
                read_errno = ENOMEM;
                break;
            }
            text = grown;
            capacity *= 2;
        }
        ssize_t got = read(fd, text + used, capacity - used);
        if (got == 0)
            break;
        if (got < 0) {
            if (errno != EINTR)
                read_errno = errno;
            continue;
        }
        used += (size_t)got;
    }
    close(fd);
    if (read_errno != 0) {
        free(text);
        *error_number = read_errno;
        return NULL;
    }
    *length = used;
    return text;
}

cli_snapshot_t *cli_snapshot_load(const char *path, char *error, size_t error_size)
{
    parser_t parser = { path, error, error_size, 0 };
    if (error != NULL && error_size > 0)
        error[0] = '\0';
    size_t length = 0;
    int read_errno = 0;
    char *text = cli_read_file(path, &length, &read_errno);
    if (text == NULL) {
        fail(&parser, "cannot read: %s", strerror(read_errno));
        return NULL;
    }
    cli_snapshot_t *snapshot = cli_snapshot_parse(path, text, length, error, error_size);
    free(text);
    return snapshot;
}

void cli_snapshot_free(cli_snapshot_t *snapshot)
{
    if (snapshot == NULL)
        return;
    free(snapshot->path);
    free(snapshot->argv);
    free(snapshot->modules);
    free(snapshot->frames);
    if (snapshot->tracebacks != NULL && snapshot->ntracebacks > 0)
        free((void *)snapshot->tracebacks[0].frames);
    free(snapshot->tracebacks);
    free(snapshot->timeline);
    free(snapshot->leaks.rows);
    json_decref(snapshot->document);
    free(snapshot);
}
