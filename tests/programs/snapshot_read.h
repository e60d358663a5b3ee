/* snapshot_read.h: reads a memsnap snapshot back, for the snapshot tests.
 *
 * Header only (static functions), used by the tests/programs/snapshot_*.c
 * programs, which integration.mk links with jansson and -rdynamic. Nothing
 * here comes from src/: the test reads the file as any tool would.
 *
 *   snapshot_t snapshot;
 *   if (snapshot_load(path, &snapshot, error, sizeof error) != 0) ...
 *   snapshot_check(&snapshot, strictness, error, sizeof error)
 *   snapshot_frame_symbol(&snapshot, &row->frames[0])   (this process only)
 *   snapshot_free(&snapshot);
 *
 * snapshot_load checks the shape of the document and turns the traceback
 * rows into snapshot_row_t. Two layouts of a row are understood, told
 * apart by the "columns" header:
 *   - an array of values, one per column, "frames" a string "M:HEX M:HEX"
 *   - one string of decimal numbers, the last column "frames..." standing
 *     for the remaining numbers, ids into the top-level "frames" table of
 *     "M:HEX" strings.
 * M is a module index (decimal) into "modules", HEX an offset from that
 * module's base; "-:HEX" is an address in no module.
 *
 * snapshot_check checks what docs/snapshot-format.md promises: every value
 * non-negative, live <= total per row, in exact mode totals.current the sum
 * of the rows' sizes (all domains), the per-domain totals the sums of their
 * rows, frames inside their module, modules sorted; and more with
 * SNAPSHOT_QUIESCENT (nothing allocated concurrently while the snapshot was
 * taken: allocations and frees agree with the rows, every frame id is in the
 * frame table, the allocator table adds up, peak.size <= totals.peak, the
 * peak breakdown and the timeline no later than the snapshot) and
 * SNAPSHOT_SINGLE_THREAD
 * (never more than one thread: the peak breakdown adds up to peak.size, the
 * timeline is in time order). */
#ifndef SNAPSHOT_READ_H
#define SNAPSHOT_READ_H

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SNAPSHOT_UNUSED __attribute__((unused))

/* snapshot_check strictness, bits. */
#define SNAPSHOT_CONCURRENT    0  /* threads may have allocated meanwhile */
#define SNAPSHOT_QUIESCENT     1  /* no other thread allocated while it was written */
#define SNAPSHOT_SINGLE_THREAD 3  /* and the process never had a second thread */

/* A frame id past the end of the frame table: allowed, rarely, while other
 * threads allocate (a stack first seen after the table was copied). */
#define SNAPSHOT_FRAME_UNKNOWN (-2)

typedef struct snapshot_frame {
    long module;                  /* index into modules, -1 for none,
                                     SNAPSHOT_FRAME_UNKNOWN */
    uint64_t offset;              /* from the module's base, or the address */
} snapshot_frame_t;

typedef struct snapshot_row {
    uint64_t id, domain, truncated;
    uint64_t size, count, total_size, total_count, peak_size, peak_count;
    size_t nframes;
    snapshot_frame_t *frames;
    size_t unknown_frames;        /* frame ids past the end of the table */
} snapshot_row_t;

typedef struct snapshot_module {
    const char *path;
    uint64_t base, start, end;
    const char *build_id;
} snapshot_module_t;

typedef struct snapshot_domain {
    uint64_t domain, size, count;
} snapshot_domain_t;

typedef struct snapshot {
    json_t *root;
    const char *path;
    /* process */
    uint64_t pid, ppid, start_time_ns, snapshot_time_ns;
    const char *trigger;
    const char *tag;              /* NULL for JSON null */
    size_t argc;
    const char **argv;
    /* settings */
    uint64_t frames, sample_bytes;
    int recording;
    /* modules and rows */
    size_t nmodules;
    snapshot_module_t *modules;
    size_t nrows;
    snapshot_row_t *rows;
    /* totals */
    uint64_t current, peak, allocations, frees, unsampled_size, unsampled_count;
    size_t ndomains;
    snapshot_domain_t *domains;
    /* peak */
    uint64_t peak_size, peak_time_ns;
    /* timeline: whether its times are in order, the latest */
    int timeline_ordered;
    uint64_t timeline_last_ns;
} snapshot_t;

/* ---- errors ------------------------------------------------------------- */

static SNAPSHOT_UNUSED int snapshot__fail(char *error, size_t size, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static int snapshot__fail(char *error, size_t size, const char *format, ...)
{
    if (error != NULL && size > 0) {
        va_list arguments;
        va_start(arguments, format);
        vsnprintf(error, size, format, arguments);
        va_end(arguments);
    }
    return -1;
}

#define SNAPSHOT__FAIL(...) return snapshot__fail(error, error_size, __VA_ARGS__)

/* ---- reading values ----------------------------------------------------- */

/* A non-negative JSON integer member of object. */
static SNAPSHOT_UNUSED int snapshot__u64(const json_t *object, const char *where, const char *key,
                                         uint64_t *out, char *error, size_t error_size)
{
    json_t *value = json_object_get(object, key);
    if (!json_is_integer(value))
        SNAPSHOT__FAIL("%s.%s: missing or not an integer", where, key);
    if (json_integer_value(value) < 0)
        SNAPSHOT__FAIL("%s.%s: negative (%" JSON_INTEGER_FORMAT ")", where, key,
                       json_integer_value(value));
    *out = (uint64_t)json_integer_value(value);
    return 0;
}

static SNAPSHOT_UNUSED int snapshot__string(const json_t *object, const char *where,
                                            const char *key, const char **out, char *error,
                                            size_t error_size)
{
    json_t *value = json_object_get(object, key);
    if (!json_is_string(value))
        SNAPSHOT__FAIL("%s.%s: missing or not a string", where, key);
    *out = json_string_value(value);
    return 0;
}

static SNAPSHOT_UNUSED int snapshot__object(const json_t *object, const char *key, json_t **out,
                                            char *error, size_t error_size)
{
    *out = json_object_get(object, key);
    if (!json_is_object(*out))
        SNAPSHOT__FAIL("%s: missing or not an object", key);
    return 0;
}

/* "M:HEX" or "-:HEX" into frame. */
static SNAPSHOT_UNUSED int snapshot__parse_frame(const char *text, size_t length,
                                                 snapshot_frame_t *frame)
{
    const char *colon = memchr(text, ':', length);
    if (colon == NULL || colon == text || colon + 1 == text + length)
        return -1;
    if (colon - text == 1 && text[0] == '-') {
        frame->module = -1;
    } else {
        long module = 0;
        for (const char *p = text; p < colon; p++) {
            if (*p < '0' || *p > '9' || module > 1000000)
                return -1;
            module = module * 10 + (*p - '0');
        }
        frame->module = module;
    }
    uint64_t offset = 0;
    for (const char *p = colon + 1; p < text + length; p++) {
        int digit = *p >= '0' && *p <= '9' ? *p - '0' : *p >= 'a' && *p <= 'f' ? *p - 'a' + 10 : -1;
        if (digit < 0 || offset >> 60 != 0)
            return -1;
        offset = offset * 16 + (uint64_t)digit;
    }
    frame->offset = offset;
    return 0;
}

/* The column names the checks need; a snapshot may have more. */
enum {
    COLUMN_ID, COLUMN_DOMAIN, COLUMN_TRUNCATED, COLUMN_SIZE, COLUMN_COUNT, COLUMN_TOTAL_SIZE,
    COLUMN_TOTAL_COUNT, COLUMN_PEAK_SIZE, COLUMN_PEAK_COUNT, COLUMN_FRAMES, COLUMN_KNOWN
};

static const char *const snapshot__column_names[COLUMN_KNOWN] = {
    "id", "domain", "truncated", "size", "count", "total_size", "total_count", "peak_size",
    "peak_count", "frames",
};

static SNAPSHOT_UNUSED uint64_t *snapshot__row_field(snapshot_row_t *row, int column)
{
    switch (column) {
    case COLUMN_ID: return &row->id;
    case COLUMN_DOMAIN: return &row->domain;
    case COLUMN_TRUNCATED: return &row->truncated;
    case COLUMN_SIZE: return &row->size;
    case COLUMN_COUNT: return &row->count;
    case COLUMN_TOTAL_SIZE: return &row->total_size;
    case COLUMN_TOTAL_COUNT: return &row->total_count;
    case COLUMN_PEAK_SIZE: return &row->peak_size;
    case COLUMN_PEAK_COUNT: return &row->peak_count;
    default: return NULL;
    }
}

typedef struct snapshot__layout {
    int position[COLUMN_KNOWN];   /* column index in the header, -1 if absent */
    size_t ncolumns;
    int frame_ids;                /* the last column is "frames...": ids follow */
    json_t *frame_table;          /* top-level "frames", for frame_ids */
} snapshot__layout_t;

static SNAPSHOT_UNUSED int snapshot__layout(const json_t *root, const json_t *tracebacks,
                                            snapshot__layout_t *layout, char *error,
                                            size_t error_size)
{
    json_t *columns = json_object_get(tracebacks, "columns");
    if (!json_is_array(columns) || json_array_size(columns) == 0)
        SNAPSHOT__FAIL("tracebacks.columns: missing, empty or not an array");
    for (int c = 0; c < COLUMN_KNOWN; c++)
        layout->position[c] = -1;
    layout->ncolumns = json_array_size(columns);
    layout->frame_ids = 0;
    layout->frame_table = NULL;
    for (size_t i = 0; i < layout->ncolumns; i++) {
        const char *name = json_string_value(json_array_get(columns, i));
        if (name == NULL)
            SNAPSHOT__FAIL("tracebacks.columns[%zu]: not a string", i);
        const char *known = name;
        if (strcmp(name, "frames...") == 0) {
            if (i + 1 != layout->ncolumns)
                SNAPSHOT__FAIL("tracebacks.columns: \"frames...\" is not the last column");
            layout->frame_ids = 1;
            known = "frames";
        }
        for (int c = 0; c < COLUMN_KNOWN; c++) {
            if (strcmp(known, snapshot__column_names[c]) == 0) {
                if (layout->position[c] >= 0)
                    SNAPSHOT__FAIL("tracebacks.columns: \"%s\" twice", known);
                layout->position[c] = (int)i;
            }
        }
    }
    for (int c = 0; c < COLUMN_KNOWN; c++) {
        if (layout->position[c] < 0)
            SNAPSHOT__FAIL("tracebacks.columns: no \"%s\" column", snapshot__column_names[c]);
    }
    if (layout->frame_ids) {
        layout->frame_table = json_object_get(root, "frames");
        if (!json_is_array(layout->frame_table))
            SNAPSHOT__FAIL("frames: missing or not an array (the rows give frame ids)");
    }
    return 0;
}

/* A row given as an array of values. */
static SNAPSHOT_UNUSED int snapshot__array_row(const json_t *values,
                                               const snapshot__layout_t *layout,
                                               snapshot_row_t *row, size_t index, char *error,
                                               size_t error_size)
{
    if (json_array_size(values) != layout->ncolumns)
        SNAPSHOT__FAIL("tracebacks.rows[%zu]: %zu values for %zu columns", index,
                       json_array_size(values), layout->ncolumns);
    for (int c = 0; c < COLUMN_KNOWN; c++) {
        json_t *value = json_array_get(values, (size_t)layout->position[c]);
        if (c == COLUMN_FRAMES) {
            const char *text = json_string_value(value);
            if (text == NULL)
                SNAPSHOT__FAIL("tracebacks.rows[%zu]: frames is not a string", index);
            size_t capacity = 1;
            for (const char *p = text; *p != '\0'; p++)
                capacity += *p == ' ';
            row->frames = calloc(capacity, sizeof *row->frames);
            row->nframes = 0;
            for (const char *p = text; *p != '\0';) {
                const char *end = strchr(p, ' ');
                size_t length = end != NULL ? (size_t)(end - p) : strlen(p);
                if (snapshot__parse_frame(p, length, &row->frames[row->nframes]) != 0)
                    SNAPSHOT__FAIL("tracebacks.rows[%zu]: bad frame \"%.*s\"", index, (int)length, p);
                row->nframes++;
                p += length + (end != NULL);
            }
            continue;
        }
        if (c == COLUMN_TRUNCATED && json_is_boolean(value)) {
            row->truncated = json_is_true(value);
            continue;
        }
        if (!json_is_integer(value) || json_integer_value(value) < 0)
            SNAPSHOT__FAIL("tracebacks.rows[%zu].%s: not a non-negative integer", index,
                           snapshot__column_names[c]);
        *snapshot__row_field(row, c) = (uint64_t)json_integer_value(value);
    }
    return 0;
}

/* A row given as one string of decimal numbers, frame ids last. */
static SNAPSHOT_UNUSED int snapshot__string_row(const char *text,
                                                const snapshot__layout_t *layout,
                                                snapshot_row_t *row, size_t index, char *error,
                                                size_t error_size)
{
    size_t capacity = 1;
    for (const char *p = text; *p != '\0'; p++)
        capacity += *p == ' ';
    uint64_t *numbers = calloc(capacity, sizeof *numbers);
    size_t n = 0;
    for (const char *p = text; *p != '\0';) {
        if (*p < '0' || *p > '9') {
            free(numbers);
            SNAPSHOT__FAIL("tracebacks.rows[%zu]: \"%s\" is not a list of numbers", index, text);
        }
        uint64_t value = 0;
        for (; *p >= '0' && *p <= '9'; p++)
            value = value * 10 + (uint64_t)(*p - '0');
        numbers[n++] = value;
        if (*p == ' ' && p[1] != '\0')
            p++;
        else if (*p != '\0') {
            free(numbers);
            SNAPSHOT__FAIL("tracebacks.rows[%zu]: \"%s\" is not a list of numbers", index, text);
        }
    }
    size_t fixed = layout->frame_ids ? layout->ncolumns - 1 : layout->ncolumns;
    if (!layout->frame_ids || n < fixed) {
        free(numbers);
        SNAPSHOT__FAIL("tracebacks.rows[%zu]: %zu numbers for %zu columns", index, n, fixed);
    }
    for (int c = 0; c < COLUMN_KNOWN; c++) {
        if (c != COLUMN_FRAMES)
            *snapshot__row_field(row, c) = numbers[layout->position[c]];
    }
    row->nframes = n - fixed;
    row->frames = calloc(row->nframes + 1, sizeof *row->frames);
    for (size_t f = 0; f < row->nframes; f++) {
        uint64_t id = numbers[fixed + f];
        if (id >= json_array_size(layout->frame_table)) {
            row->frames[f].module = SNAPSHOT_FRAME_UNKNOWN;
            row->frames[f].offset = id;
            row->unknown_frames++;
            continue;
        }
        const char *frame = json_string_value(json_array_get(layout->frame_table, (size_t)id));
        if (frame == NULL || snapshot__parse_frame(frame, strlen(frame), &row->frames[f]) != 0) {
            free(numbers);
            SNAPSHOT__FAIL("tracebacks.rows[%zu]: frame id %" PRIu64 ": \"%s\" is not "
                           "\"M:HEX\" nor \"-:HEX\"", index, id, frame != NULL ? frame : "");
        }
    }
    free(numbers);
    return 0;
}

/* ---- loading ------------------------------------------------------------ */

static SNAPSHOT_UNUSED void snapshot_free(snapshot_t *snapshot)
{
    for (size_t i = 0; snapshot->rows != NULL && i < snapshot->nrows; i++)
        free(snapshot->rows[i].frames);
    free(snapshot->rows);
    free(snapshot->modules);
    free(snapshot->domains);
    free(snapshot->argv);
    json_decref(snapshot->root);
    memset(snapshot, 0, sizeof *snapshot);
}

static SNAPSHOT_UNUSED int snapshot__load(const char *path, snapshot_t *s, char *error,
                                          size_t error_size)
{
    json_error_t json_error;
    s->path = path;
    s->root = json_load_file(path, JSON_REJECT_DUPLICATES, &json_error);
    if (s->root == NULL)
        SNAPSHOT__FAIL("not valid JSON: line %d: %s", json_error.line, json_error.text);
    if (!json_is_object(s->root))
        SNAPSHOT__FAIL("the document is not an object");
    /* The writer's own serializer must give exactly jansson's compact text
     * (in insertion order, which jansson keeps when it reads), then "\n". */
    char *canonical = json_dumps(s->root, JSON_COMPACT);
    FILE *file = fopen(path, "rb");
    size_t canonical_length = canonical != NULL ? strlen(canonical) : 0;
    char *text = malloc(canonical_length + 2);
    size_t got = file != NULL && text != NULL ? fread(text, 1, canonical_length + 2, file) : 0;
    int same = canonical != NULL && got == canonical_length + 1 &&
               memcmp(text, canonical, canonical_length) == 0 && text[canonical_length] == '\n';
    if (file != NULL)
        fclose(file);
    free(text);
    free(canonical);
    if (!same)
        SNAPSHOT__FAIL("the file is not jansson's compact text of its document and a newline");
    const char *format = "";
    uint64_t version = 0;
    if (snapshot__string(s->root, "", "format", &format, error, error_size) != 0 ||
        snapshot__u64(s->root, "", "version", &version, error, error_size) != 0)
        return -1;
    if (strcmp(format, "memsnap-snapshot") != 0)
        SNAPSHOT__FAIL(".format is \"%s\", expected \"memsnap-snapshot\"", format);
    if (version != 1)
        SNAPSHOT__FAIL(".version is %" PRIu64 ", expected 1", version);

    json_t *process, *settings, *tracebacks, *totals, *peak;
    if (snapshot__object(s->root, "process", &process, error, error_size) != 0 ||
        snapshot__object(s->root, "settings", &settings, error, error_size) != 0 ||
        snapshot__object(s->root, "tracebacks", &tracebacks, error, error_size) != 0 ||
        snapshot__object(s->root, "totals", &totals, error, error_size) != 0 ||
        snapshot__object(s->root, "peak", &peak, error, error_size) != 0)
        return -1;
    const char *const others[] = { "allocator", "overhead" };
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        json_t *object;
        if (snapshot__object(s->root, others[i], &object, error, error_size) != 0)
            return -1;
        const char *key;
        json_t *value;
        json_object_foreach(object, key, value) {
            if (json_is_integer(value) && json_integer_value(value) < 0 &&
                strcmp(key, "brk_current") != 0)
                SNAPSHOT__FAIL("%s.%s: negative", others[i], key);
        }
    }

    /* process */
    if (snapshot__u64(process, "process", "pid", &s->pid, error, error_size) != 0 ||
        snapshot__u64(process, "process", "ppid", &s->ppid, error, error_size) != 0 ||
        snapshot__u64(process, "process", "start_time_ns", &s->start_time_ns, error,
                      error_size) != 0 ||
        snapshot__u64(process, "process", "snapshot_time_ns", &s->snapshot_time_ns, error,
                      error_size) != 0 ||
        snapshot__string(process, "process", "trigger", &s->trigger, error, error_size) != 0)
        return -1;
    if (s->pid == 0)
        SNAPSHOT__FAIL("process.pid is 0");
    if (s->snapshot_time_ns < s->start_time_ns)
        SNAPSHOT__FAIL("process.snapshot_time_ns is before start_time_ns");
    static const char *const triggers[] = { "exit", "signal", "interval", "api", "leak_check" };
    int trigger_known = 0;
    for (size_t i = 0; i < sizeof triggers / sizeof triggers[0]; i++)
        trigger_known |= strcmp(s->trigger, triggers[i]) == 0;
    if (!trigger_known)
        SNAPSHOT__FAIL("process.trigger \"%s\" is none of exit, signal, interval, api, leak_check",
                       s->trigger);
    json_t *tag = json_object_get(process, "tag");
    if (json_is_null(tag))
        s->tag = NULL;
    else if (json_is_string(tag))
        s->tag = json_string_value(tag);
    else
        SNAPSHOT__FAIL("process.tag: missing, or neither a string nor null");
    json_t *argv = json_object_get(process, "argv");
    if (!json_is_array(argv) || json_array_size(argv) == 0)
        SNAPSHOT__FAIL("process.argv: missing, empty or not an array");
    s->argc = json_array_size(argv);
    s->argv = calloc(s->argc + 1, sizeof *s->argv);
    for (size_t i = 0; i < s->argc; i++) {
        s->argv[i] = json_string_value(json_array_get(argv, i));
        if (s->argv[i] == NULL)
            SNAPSHOT__FAIL("process.argv[%zu]: not a string", i);
    }

    /* settings */
    json_t *recording = json_object_get(settings, "recording");
    if (snapshot__u64(settings, "settings", "frames", &s->frames, error, error_size) != 0 ||
        snapshot__u64(settings, "settings", "sample_bytes", &s->sample_bytes, error,
                      error_size) != 0)
        return -1;
    if (!json_is_boolean(recording))
        SNAPSHOT__FAIL("settings.recording: missing or not a boolean");
    s->recording = json_is_true(recording);
    if (s->frames < 1 || s->frames > 256)
        SNAPSHOT__FAIL("settings.frames is %" PRIu64 ", not in 1..256", s->frames);

    /* modules */
    json_t *modules = json_object_get(s->root, "modules");
    if (!json_is_array(modules))
        SNAPSHOT__FAIL("modules: missing or not an array");
    s->nmodules = json_array_size(modules);
    s->modules = calloc(s->nmodules + 1, sizeof *s->modules);
    for (size_t i = 0; i < s->nmodules; i++) {
        json_t *module = json_array_get(modules, i);
        snapshot_module_t *m = &s->modules[i];
        char where[48];
        snprintf(where, sizeof where, "modules[%zu]", i);
        if (!json_is_object(module))
            SNAPSHOT__FAIL("%s: not an object", where);
        if (snapshot__string(module, where, "path", &m->path, error, error_size) != 0 ||
            snapshot__string(module, where, "build_id", &m->build_id, error, error_size) != 0 ||
            snapshot__u64(module, where, "base", &m->base, error, error_size) != 0 ||
            snapshot__u64(module, where, "start", &m->start, error, error_size) != 0 ||
            snapshot__u64(module, where, "end", &m->end, error, error_size) != 0)
            return -1;
        if (m->start >= m->end)
            SNAPSHOT__FAIL("%s (%s): start %" PRIu64 " is not below end %" PRIu64, where, m->path,
                           m->start, m->end);
        size_t length = strlen(m->build_id);
        if (length % 2 != 0 || strspn(m->build_id, "0123456789abcdef") != length)
            SNAPSHOT__FAIL("%s (%s): build_id \"%s\" is not lowercase hex bytes", where, m->path,
                           m->build_id);
    }

    /* tracebacks */
    snapshot__layout_t layout = { { 0 }, 0, 0, NULL };
    if (snapshot__layout(s->root, tracebacks, &layout, error, error_size) != 0)
        return -1;
    json_t *rows = json_object_get(tracebacks, "rows");
    if (!json_is_array(rows))
        SNAPSHOT__FAIL("tracebacks.rows: missing or not an array");
    s->nrows = json_array_size(rows);
    s->rows = calloc(s->nrows + 1, sizeof *s->rows);
    for (size_t i = 0; i < s->nrows; i++) {
        json_t *row = json_array_get(rows, i);
        int status;
        if (json_is_array(row))
            status = snapshot__array_row(row, &layout, &s->rows[i], i, error, error_size);
        else if (json_is_string(row))
            status = snapshot__string_row(json_string_value(row), &layout, &s->rows[i], i, error,
                                          error_size);
        else
            SNAPSHOT__FAIL("tracebacks.rows[%zu]: neither an array nor a string", i);
        if (status != 0)
            return -1;
    }

    /* totals */
    if (snapshot__u64(totals, "totals", "current", &s->current, error, error_size) != 0 ||
        snapshot__u64(totals, "totals", "peak", &s->peak, error, error_size) != 0 ||
        snapshot__u64(totals, "totals", "allocations", &s->allocations, error, error_size) != 0 ||
        snapshot__u64(totals, "totals", "frees", &s->frees, error, error_size) != 0 ||
        snapshot__u64(totals, "totals", "unsampled_size", &s->unsampled_size, error,
                      error_size) != 0 ||
        snapshot__u64(totals, "totals", "unsampled_count", &s->unsampled_count, error,
                      error_size) != 0)
        return -1;
    json_t *domains = json_object_get(totals, "domains");
    if (!json_is_array(domains))
        SNAPSHOT__FAIL("totals.domains: missing or not an array");
    s->ndomains = json_array_size(domains);
    s->domains = calloc(s->ndomains + 1, sizeof *s->domains);
    for (size_t i = 0; i < s->ndomains; i++) {
        json_t *domain = json_array_get(domains, i);
        char where[48];
        snprintf(where, sizeof where, "totals.domains[%zu]", i);
        if (!json_is_object(domain))
            SNAPSHOT__FAIL("%s: not an object", where);
        if (snapshot__u64(domain, where, "domain", &s->domains[i].domain, error, error_size) != 0 ||
            snapshot__u64(domain, where, "size", &s->domains[i].size, error, error_size) != 0 ||
            snapshot__u64(domain, where, "count", &s->domains[i].count, error, error_size) != 0)
            return -1;
    }

    /* peak */
    if (snapshot__u64(peak, "peak", "size", &s->peak_size, error, error_size) != 0 ||
        snapshot__u64(peak, "peak", "time_ns", &s->peak_time_ns, error, error_size) != 0)
        return -1;

    /* timeline: [time, bytes] pairs */
    json_t *timeline = json_object_get(s->root, "timeline");
    if (!json_is_array(timeline))
        SNAPSHOT__FAIL("timeline: missing or not an array");
    s->timeline_ordered = 1;
    for (size_t i = 0; i < json_array_size(timeline); i++) {
        json_t *point = json_array_get(timeline, i);
        json_t *time = json_array_get(point, 0), *bytes = json_array_get(point, 1);
        if (json_array_size(point) != 2 || !json_is_integer(time) || !json_is_integer(bytes) ||
            json_integer_value(time) < 0 || json_integer_value(bytes) < 0)
            SNAPSHOT__FAIL("timeline[%zu]: not a pair of non-negative integers", i);
        if ((uint64_t)json_integer_value(time) > s->timeline_last_ns)
            s->timeline_last_ns = (uint64_t)json_integer_value(time);
        if (i > 0 && json_integer_value(time) <
                         json_integer_value(json_array_get(json_array_get(timeline, i - 1), 0)))
            s->timeline_ordered = 0;
    }
    return 0;
}

/* Loads and checks the shape of the snapshot at path; 0, or -1 with a
 * message in error. snapshot_free afterwards either way. */
static SNAPSHOT_UNUSED int snapshot_load(const char *path, snapshot_t *snapshot, char *error,
                                         size_t error_size)
{
    memset(snapshot, 0, sizeof *snapshot);
    return snapshot__load(path, snapshot, error, error_size);
}

/* ---- checks ------------------------------------------------------------- */

static SNAPSHOT_UNUSED int snapshot_check(const snapshot_t *s, int strictness, char *error,
                                          size_t error_size)
{
    uint64_t live = 0, live_blocks = 0, total_blocks = 0, at_peak = 0;
    for (size_t i = 0; i < s->nrows; i++) {
        const snapshot_row_t *r = &s->rows[i];
        for (size_t j = 0; j < i; j++) {
            if (s->rows[j].id == r->id)
                SNAPSHOT__FAIL("rows %zu and %zu have the same id %" PRIu64, j, i, r->id);
        }
        if (r->truncated > 1)
            SNAPSHOT__FAIL("row id %" PRIu64 ": truncated is %" PRIu64, r->id, r->truncated);
        if (r->count > r->total_count || r->size > r->total_size)
            SNAPSHOT__FAIL("row id %" PRIu64 ": live %" PRIu64 " B in %" PRIu64
                           " blocks exceeds the total %" PRIu64 " B in %" PRIu64 " blocks",
                           r->id, r->size, r->count, r->total_size, r->total_count);
        if (r->peak_count > r->total_count || r->peak_size > r->total_size)
            SNAPSHOT__FAIL("row id %" PRIu64 ": at the peak %" PRIu64 " B in %" PRIu64
                           " blocks, more than the total %" PRIu64 " B in %" PRIu64 " blocks",
                           r->id, r->peak_size, r->peak_count, r->total_size, r->total_count);
        if (s->sample_bytes == 0 && r->count == 0 && r->size != 0)
            SNAPSHOT__FAIL("row id %" PRIu64 ": %" PRIu64 " B in no block", r->id, r->size);
        if (r->nframes == 0 || r->nframes > s->frames)
            SNAPSHOT__FAIL("row id %" PRIu64 ": %zu frames (settings.frames %" PRIu64 ")", r->id,
                           r->nframes, s->frames);
        if (r->truncated && r->nframes != s->frames)
            SNAPSHOT__FAIL("row id %" PRIu64 ": truncated at %zu frames, not at %" PRIu64, r->id,
                           r->nframes, s->frames);
        if (r->unknown_frames != 0 && (strictness & SNAPSHOT_QUIESCENT))
            SNAPSHOT__FAIL("row id %" PRIu64 ": %zu frame ids past the end of the frame table",
                           r->id, r->unknown_frames);
        for (size_t f = 0; f < r->nframes; f++) {
            const snapshot_frame_t *frame = &r->frames[f];
            if (frame->module < 0)
                continue;
            if ((size_t)frame->module >= s->nmodules)
                SNAPSHOT__FAIL("row id %" PRIu64 ", frame %zu: module %ld of %zu", r->id, f,
                               frame->module, s->nmodules);
            const snapshot_module_t *m = &s->modules[frame->module];
            if (frame->offset < m->start || frame->offset >= m->end)
                SNAPSHOT__FAIL("row id %" PRIu64 ", frame %zu: offset %#" PRIx64
                               " outside %s [%#" PRIx64 ", %#" PRIx64 ")", r->id, f,
                               frame->offset, m->path, m->start, m->end);
        }
        live += r->size;
        live_blocks += r->count;
        total_blocks += r->total_count;
        at_peak += r->peak_size;
    }
    /* Exact mode: current is the rows' sum, read with them. With sampling
     * the rows are estimates and current the exact counter. */
    if (s->sample_bytes == 0 && s->current != live)
        SNAPSHOT__FAIL("totals.current %" PRIu64 " != %" PRIu64 ", the sum of the rows' sizes",
                       s->current, live);
    if (s->peak < s->current)
        SNAPSHOT__FAIL("totals.peak %" PRIu64 " < totals.current %" PRIu64, s->peak, s->current);
    for (size_t i = 1; i < s->nmodules; i++) {
        if (s->modules[i].base + s->modules[i].start <
            s->modules[i - 1].base + s->modules[i - 1].start)
            SNAPSHOT__FAIL("modules: %s before %s is not sorted by start address",
                           s->modules[i - 1].path, s->modules[i].path);
    }
    if (s->frees > s->allocations)
        SNAPSHOT__FAIL("totals.frees %" PRIu64 " > totals.allocations %" PRIu64, s->frees,
                       s->allocations);
    if (s->sample_bytes == 0 && (s->unsampled_size != 0 || s->unsampled_count != 0))
        SNAPSHOT__FAIL("exact recording (sample_bytes 0) but unsampled %" PRIu64 " B in %" PRIu64
                       " blocks", s->unsampled_size, s->unsampled_count);
    /* The per-domain totals: one entry per domain of the rows, their sums. */
    for (size_t d = 0; d < s->ndomains; d++) {
        uint64_t size = 0, count = 0;
        size_t rows = 0;
        for (size_t j = 0; j < d; j++) {
            if (s->domains[j].domain == s->domains[d].domain)
                SNAPSHOT__FAIL("totals.domains: domain %" PRIu64 " twice", s->domains[d].domain);
        }
        for (size_t i = 0; i < s->nrows; i++) {
            if (s->rows[i].domain == s->domains[d].domain) {
                size += s->rows[i].size;
                count += s->rows[i].count;
                rows++;
            }
        }
        if (rows == 0 || size != s->domains[d].size || count != s->domains[d].count)
            SNAPSHOT__FAIL("totals.domains: domain %" PRIu64 " says %" PRIu64 " B in %" PRIu64
                           " blocks, its %zu rows %" PRIu64 " B in %" PRIu64 " blocks",
                           s->domains[d].domain, s->domains[d].size, s->domains[d].count, rows,
                           size, count);
    }
    for (size_t i = 0; i < s->nrows; i++) {
        size_t d = 0;
        while (d < s->ndomains && s->domains[d].domain != s->rows[i].domain)
            d++;
        if (d == s->ndomains)
            SNAPSHOT__FAIL("row id %" PRIu64 ": domain %" PRIu64 " missing from totals.domains",
                           s->rows[i].id, s->rows[i].domain);
    }
    if ((strictness & SNAPSHOT_QUIESCENT) && s->sample_bytes == 0) {
        /* Every traced allocation is in one row's total, every free out of
         * one row's live count. */
        if (s->allocations != total_blocks)
            SNAPSHOT__FAIL("totals.allocations %" PRIu64 " != %" PRIu64 " in the rows' totals",
                           s->allocations, total_blocks);
        if (s->allocations - s->frees != live_blocks)
            SNAPSHOT__FAIL("totals.allocations - frees = %" PRIu64 " != %" PRIu64
                           " live blocks in the rows", s->allocations - s->frees, live_blocks);
    }
    /* totals.peak, then the peak breakdown and the timeline are read after
     * snapshot_time_ns: threads that allocate meanwhile may take a new
     * breakdown or add later points. */
    if (strictness & SNAPSHOT_QUIESCENT) {
        if (s->peak_size > s->peak)
            SNAPSHOT__FAIL("peak.size %" PRIu64 " > totals.peak %" PRIu64, s->peak_size,
                           s->peak);
        if (s->peak_time_ns > s->snapshot_time_ns)
            SNAPSHOT__FAIL("peak.time_ns after the snapshot's time");
        if (s->timeline_last_ns > s->snapshot_time_ns)
            SNAPSHOT__FAIL("timeline: a point at %" PRIu64 ", after the snapshot's time %" PRIu64,
                           s->timeline_last_ns, s->snapshot_time_ns);
    }
    if (strictness & SNAPSHOT_QUIESCENT) {
        /* allocated + available + 4096 x unused pools + headers +
         * quantization = arena bytes */
        json_t *allocator = json_object_get(s->root, "allocator");
        static const char *const parts[] = {
            "allocated_bytes", "available_bytes", "pool_header_bytes", "quantization_bytes",
        };
        uint64_t sum = 0, value = 0, arena_bytes = 0;
        for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
            if (snapshot__u64(allocator, "allocator", parts[i], &value, error, error_size) != 0)
                return -1;
            sum += value;
        }
        if (snapshot__u64(allocator, "allocator", "unused_pools", &value, error, error_size) != 0 ||
            snapshot__u64(allocator, "allocator", "arena_bytes", &arena_bytes, error,
                          error_size) != 0)
            return -1;
        sum += 4096 * value;
        if (sum != arena_bytes)
            SNAPSHOT__FAIL("allocator: the parts add up to %" PRIu64 ", arena_bytes is %" PRIu64,
                           sum, arena_bytes);
    }
    if (strictness == SNAPSHOT_SINGLE_THREAD && s->sample_bytes == 0 && at_peak != s->peak_size)
        SNAPSHOT__FAIL("the rows' peak sizes add up to %" PRIu64 ", peak.size is %" PRIu64,
                       at_peak, s->peak_size);
    if (strictness == SNAPSHOT_SINGLE_THREAD && !s->timeline_ordered)
        SNAPSHOT__FAIL("timeline: times not in order");
    return 0;
}

#undef SNAPSHOT__FAIL

/* ---- this process ------------------------------------------------------- */

/* The function a frame returns into, by dladdr: valid only in the process
 * that wrote the snapshot (module bases are its own). The frame is a return
 * address; address - 1 is inside the call. NULL when unknown. */
static SNAPSHOT_UNUSED const char *snapshot_frame_symbol(const snapshot_t *s,
                                                         const snapshot_frame_t *frame)
{
    uintptr_t address = (uintptr_t)frame->offset;
    if (frame->module == SNAPSHOT_FRAME_UNKNOWN)
        return NULL;
    if (frame->module >= 0) {
        if ((size_t)frame->module >= s->nmodules)
            return NULL;
        address += (uintptr_t)s->modules[frame->module].base;
    }
    Dl_info info;
    if (dladdr((void *)(address - 1), &info) == 0 || info.dli_sname == NULL)
        return NULL;
    return info.dli_sname;
}

/* The module path of a frame, "" for none. */
static SNAPSHOT_UNUSED const char *snapshot_frame_module(const snapshot_t *s,
                                                         const snapshot_frame_t *frame)
{
    if (frame->module < 0 || (size_t)frame->module >= s->nmodules)
        return "";
    return s->modules[frame->module].path;
}

/* ---- finding files ------------------------------------------------------ */

/* Splits "memsnap.PROGRAM.PID.SEQ.LABEL.json" (PROGRAM may hold dots);
 * 0, or -1 when name is not a snapshot's. program is copied into program_out. */
static SNAPSHOT_UNUSED int snapshot_parse_name(const char *name, char *program_out,
                                               size_t program_size, uint64_t *pid,
                                               uint64_t *sequence, char *label_out,
                                               size_t label_size)
{
    size_t length = strlen(name);
    if (length < 8 || strncmp(name, "memsnap.", 8) != 0 || length < 5 ||
        strcmp(name + length - 5, ".json") != 0)
        return -1;
    const char *end = name + length - 5;  /* the '.' of ".json" */
    const char *dot = end;
    const char *fields[3];                 /* label, sequence, pid: their first chars */
    size_t lengths[3];
    for (int k = 0; k < 3; k++) {
        const char *p = dot;
        while (p > name + 8 && p[-1] != '.')
            p--;
        if (p <= name + 8 || p == dot)
            return -1;
        fields[k] = p;
        lengths[k] = (size_t)(dot - p);
        dot = p - 1;
    }
    uint64_t numbers[2];
    for (int k = 1; k < 3; k++) {
        uint64_t value = 0;
        for (size_t i = 0; i < lengths[k]; i++) {
            char c = fields[k][i];
            if (c < '0' || c > '9')
                return -1;
            value = value * 10 + (uint64_t)(c - '0');
        }
        numbers[k - 1] = value;
    }
    size_t program_length = (size_t)(dot - (name + 8));
    if (program_length == 0)
        return -1;
    if (program_out != NULL)
        snprintf(program_out, program_size, "%.*s", (int)program_length, name + 8);
    if (label_out != NULL)
        snprintf(label_out, label_size, "%.*s", (int)lengths[0], fields[0]);
    *sequence = numbers[0];
    *pid = numbers[1];
    return 0;
}

typedef struct snapshot_file {
    char path[4096];
    char label[128];
    uint64_t sequence;
} snapshot_file_t;

/* The snapshots of process pid in directory (label NULL: any), sorted by
 * sequence number, into files (room for max); returns how many there are
 * (possibly more than max), -1 if the directory cannot be read. */
static SNAPSHOT_UNUSED int snapshot_find(const char *directory, uint64_t pid, const char *label,
                                         snapshot_file_t *files, int max)
{
    DIR *dir = opendir(directory);
    if (dir == NULL)
        return -1;
    int count = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        uint64_t file_pid, sequence;
        char file_label[128];
        if (snapshot_parse_name(entry->d_name, NULL, 0, &file_pid, &sequence, file_label,
                                sizeof file_label) != 0 ||
            file_pid != pid || (label != NULL && strcmp(label, file_label) != 0))
            continue;
        if (count < max) {
            int k = count;
            while (k > 0 && files[k - 1].sequence > sequence) {
                files[k] = files[k - 1];
                k--;
            }
            snprintf(files[k].path, sizeof files[k].path, "%s/%s", directory, entry->d_name);
            snprintf(files[k].label, sizeof files[k].label, "%s", file_label);
            files[k].sequence = sequence;
        }
        count++;
    }
    closedir(dir);
    return count;
}

/* MEMSNAP_DIR, or the current directory as memsnap does. */
static SNAPSHOT_UNUSED const char *snapshot_directory(void)
{
    const char *directory = getenv("MEMSNAP_DIR");
    return directory != NULL && directory[0] != '\0' ? directory : ".";
}

#endif
