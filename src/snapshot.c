/* snapshot.c: one snapshot, from the live counters to a file.
 *
 * The document is built with jansson, whose allocator is scratch.c's (set
 * once at start-up: memsnap links its own static copy of jansson, so the
 * program's jansson, if any, is not affected). Each distinct frame is
 * written once, in the "frames" table; each traceback is one row string of
 * numbers under a "columns" header, its frames given as ids into that table:
 * an object per traceback and a number per frame would make a snapshot of
 * 100k tracebacks take several times longer to write.
 *
 * The file appears atomically: written to a hidden temporary in the same
 * directory, then renamed without replacing (renameat2 RENAME_NOREPLACE,
 * or link and unlink where that is missing), taking the next sequence number
 * when a name exists already: an exec'd image with the same pid and name
 * never overwrites its predecessor's files.
 *
 * Lock: snapshot_lock serialises snapshots (scratch memory, jansson). It is
 * taken before any other memsnap lock, and never on the allocation path
 * except at the safe point. Globals: start_time_ns (written once), sequence
 * and error_reported (under snapshot_lock). */
#include "snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "format.h"
#include "leaks.h"
#include "meta.h"
#include "modules.h"
#include "options.h"
#include "os.h"
#include "peak.h"
#include "sample.h"
#include "scratch.h"
#include "slots.h"
#include "stats.h"
#include "timeline.h"
#include "trace.h"
#include "traceback.h"
#include "unwind.h"

#define WRITE_BUFFER (256 << 10)
#define LABEL_MAX    64

static pthread_mutex_t snapshot_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t start_time_ns;
/* MEMSNAP_DIR made absolute at start-up: a program that changes directory
 * still writes where it was told to. */
static char directory[4096];
static unsigned sequence;
static int sequence_scanned;        /* the directory was read for this pid */
static int error_reported;

static const char *const trigger_names[] = {
    [MS_TRIGGER_EXIT] = "exit",
    [MS_TRIGGER_SIGNAL] = "signal",
    [MS_TRIGGER_INTERVAL] = "interval",
    [MS_TRIGGER_API] = "api",
    [MS_TRIGGER_LEAK_CHECK] = "leak_check",
};

static uint64_t realtime_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

void ms_snapshot_init(void)
{
    start_time_ns = realtime_ns();
    const char *configured = ms_option_string(MS_OPTION_DIR);
    if (configured == NULL)
        configured = ".";
    ms_out_t path;
    ms_out_init(&path, -1);
    if (configured[0] != '/' && getcwd(directory, sizeof directory) != NULL) {
        ms_out_str(&path, directory);
        if (strcmp(directory, "/") != 0)
            ms_out_str(&path, "/");
    }
    ms_out_str(&path, configured);
    const char *text = ms_out_text(&path);
    size_t length = strlen(text);
    if (length >= sizeof directory)
        length = sizeof directory - 1;
    memcpy(directory, text, length);
    directory[length] = '\0';
    json_set_alloc_funcs(ms_scratch_alloc, ms_scratch_free);
    json_object_seed(0x6d656d736e6170);
}

/* ---- the document ------------------------------------------------------ */

static json_t *integer(uint64_t value)
{
    return json_integer((json_int_t)value);
}

/* A JSON string of text; bytes that are not valid UTF-8 (a file name or an
 * argument in another encoding) become '?', so the value is never lost. */
static json_t *text_value(const char *text, size_t length)
{
    json_t *value = json_stringn(text, length);
    if (value != NULL)
        return value;
    char *clean = ms_scratch_alloc(length + 1);
    if (clean == NULL)
        return json_null();
    for (size_t i = 0; i < length; i++)
        clean[i] = (unsigned char)text[i] >= 0x80 || text[i] == '\0' ? '?' : text[i];
    return json_stringn_nocheck(clean, length);
}

/* Reads a whole small /proc file into scratch memory, NUL-terminated. */
static char *read_proc(const char *path, size_t *length)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    size_t capacity = 4096, used = 0;
    char *text = ms_scratch_alloc(capacity + 1);
    for (;;) {
        if (text == NULL)
            break;
        ssize_t got = read(fd, text + used, capacity - used);
        if (got <= 0)
            break;
        used += (size_t)got;
        if (used == capacity) {
            char *grown = ms_scratch_alloc(capacity * 2 + 1);
            if (grown != NULL)
                memcpy(grown, text, used);
            text = grown;
            capacity *= 2;
        }
    }
    close(fd);
    if (text != NULL)
        text[used] = '\0';
    *length = used;
    return text;
}

static json_t *process_object(ms_trigger_t trigger, const char *tag, uint64_t now_ns,
                              const char **program)
{
    json_t *process = json_object();
    json_t *argv = json_array();
    size_t length = 0;
    char *cmdline = read_proc("/proc/self/cmdline", &length);
    *program = NULL;
    for (size_t start = 0; cmdline != NULL && start < length;) {
        size_t end = start;
        while (end < length && cmdline[end] != '\0')
            end++;
        if (*program == NULL) {
            const char *slash = memrchr(cmdline + start, '/', end - start);
            *program = slash != NULL ? slash + 1 : cmdline + start;
        }
        json_array_append_new(argv, text_value(cmdline + start, end - start));
        start = end + 1;
    }
    json_object_set_new(process, "pid", integer((uint64_t)getpid()));
    json_object_set_new(process, "ppid", integer((uint64_t)getppid()));
    json_object_set_new(process, "argv", argv);
    json_object_set_new(process, "start_time_ns", integer(start_time_ns));
    json_object_set_new(process, "snapshot_time_ns", integer(now_ns));
    json_object_set_new(process, "trigger", json_string(trigger_names[trigger]));
    json_object_set_new(process, "tag", tag != NULL ? text_value(tag, strlen(tag)) : json_null());
    return process;
}

static json_t *modules_array(const ms_modules_t *modules)
{
    static const char hex[] = "0123456789abcdef";
    json_t *array = json_array();
    for (size_t i = 0; i < modules->count; i++) {
        const ms_module_t *module = &modules->modules[i];
        char build_id[2 * MS_BUILD_ID_MAX + 1];
        for (unsigned k = 0; k < module->build_id_length; k++) {
            build_id[2 * k] = hex[module->build_id[k] >> 4];
            build_id[2 * k + 1] = hex[module->build_id[k] & 15];
        }
        build_id[2 * module->build_id_length] = '\0';
        json_t *object = json_object();
        json_object_set_new(object, "path", text_value(module->path, strlen(module->path)));
        json_object_set_new(object, "base", integer(module->base));
        json_object_set_new(object, "start", integer(module->start - module->base));
        json_object_set_new(object, "end", integer(module->end - module->base));
        json_object_set_new(object, "build_id", json_string(build_id));
        json_array_append_new(array, object);
    }
    return array;
}

static char *append_decimal(char *p, uint64_t value)
{
    char digits[20];
    int n = 0;
    do {
        digits[n++] = (char)('0' + value % 10);
        value /= 10;
    } while (value != 0);
    while (n > 0)
        *p++ = digits[--n];
    return p;
}

static char *append_hex(char *p, uint64_t value)
{
    static const char hex[] = "0123456789abcdef";
    int shift = 60;
    while (shift > 0 && ((value >> shift) & 15) == 0)
        shift -= 4;
    for (; shift >= 0; shift -= 4)
        *p++ = hex[(value >> shift) & 15];
    return p;
}

/* The frame table: "M:HEX" per frame id, M the module index and HEX the
 * offset from its base; "-:HEX" (the address) for a frame in no module. */
static json_t *frames_array(const ms_modules_t *modules)
{
    uintptr_t *addresses;
    uint32_t count = ms_traceback_frames(&addresses, ms_scratch_alloc);
    json_t *array = json_array();
    for (uint32_t id = 0; id < count; id++) {
        char text[48], *p = text;
        uintptr_t address = addresses[id];
        long module = ms_modules_find(modules, address);
        if (module < 0) {
            *p++ = '-';
        } else {
            p = append_decimal(p, (uint64_t)module);
            address -= modules->modules[module].base;
        }
        *p++ = ':';
        p = append_hex(p, address);
        json_array_append_new(array, json_stringn_nocheck(text, (size_t)(p - text)));
    }
    return array;
}

typedef struct peak_row {
    uint64_t bytes;
    uint64_t weight;
} peak_row_t;

typedef struct peak_table {
    peak_row_t *rows;             /* by id, scratch memory */
    uint32_t count;
} peak_table_t;

static void keep_peak_row(void *context, uint32_t id, uint64_t bytes, uint64_t weight)
{
    peak_table_t *table = context;
    if (id < table->count)
        table->rows[id] = (peak_row_t){ bytes, weight };
}

static uint64_t blocks_of(uint64_t weight)
{
    return (weight + MS_WEIGHT_ONE / 2) >> MS_WEIGHT_SHIFT;
}

typedef struct domain_totals {
    uint32_t domain;
    uint64_t bytes, blocks;
} domain_totals_t;

/* A row is one string of decimal numbers, the columns in this order and
 * then the traceback's frame ids: a jansson number costs an snprintf to
 * write, and a snapshot of 100k tracebacks has millions of them. */
static const char *const columns[] = {
    "id", "domain", "truncated", "size", "count", "total_size", "total_count",
    "peak_size", "peak_count", "frames...",
};

/* live_bytes: receives the sum of the rows' sizes, read with them. */
static json_t *tracebacks_object(const peak_table_t *peak, json_t *domains, uint64_t *live_bytes)
{
    *live_bytes = 0;
    json_t *object = json_object();
    json_t *names = json_array();
    for (size_t i = 0; i < sizeof columns / sizeof columns[0]; i++)
        json_array_append_new(names, json_string(columns[i]));
    json_object_set_new(object, "columns", names);
    json_t *rows = json_array();
    char *buffer = ms_scratch_alloc(9 * 21 + MS_FRAMES_MAX * 11);
    domain_totals_t totals[64];
    unsigned ndomains = 0;
    uint32_t count = ms_traceback_count();
    for (uint32_t id = MS_TRACEBACK_UNSAMPLED + 1; id < count && buffer != NULL; id++) {
        ms_counters_t counters;
        ms_site_read(id, &counters);
        peak_row_t at_peak = id < peak->count ? peak->rows[id] : (peak_row_t){ 0, 0 };
        if (counters.total_weight == 0 && at_peak.weight == 0)
            continue;
        const ms_traceback_t *traceback = ms_site(id)->traceback;
        uint64_t numbers[] = {
            id, traceback->domain, traceback->truncated, counters.live_bytes,
            blocks_of(counters.live_weight), counters.total_bytes,
            blocks_of(counters.total_weight), at_peak.bytes, blocks_of(at_peak.weight),
        };
        char *p = buffer;
        for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
            if (i > 0)
                *p++ = ' ';
            p = append_decimal(p, numbers[i]);
        }
        const uint32_t *frame_ids = ms_traceback_frame_ids(traceback);
        for (unsigned i = 0; i < traceback->nframes; i++) {
            *p++ = ' ';
            p = append_decimal(p, frame_ids[i]);
        }
        json_array_append_new(rows, json_stringn_nocheck(buffer, (size_t)(p - buffer)));
        *live_bytes += counters.live_bytes;
        unsigned d = 0;
        while (d < ndomains && totals[d].domain != traceback->domain)
            d++;
        if (d == ndomains && ndomains < 64)
            totals[ndomains++] = (domain_totals_t){ traceback->domain, 0, 0 };
        if (d < ndomains) {
            totals[d].bytes += counters.live_bytes;
            totals[d].blocks += blocks_of(counters.live_weight);
        }
    }
    json_object_set_new(object, "rows", rows);
    for (unsigned d = 0; d < ndomains; d++) {
        json_t *entry = json_object();
        json_object_set_new(entry, "domain", integer(totals[d].domain));
        json_object_set_new(entry, "size", integer(totals[d].bytes));
        json_object_set_new(entry, "count", integer(totals[d].blocks));
        json_array_append_new(domains, entry);
    }
    return object;
}

static json_t *allocator_object(void)
{
    ms_stats_t stats;
    ms_stats_collect(&stats);
    json_t *object = json_object();
    json_t *classes = json_array();
    for (unsigned szidx = 0; szidx < MS_NB_SMALL_SIZE_CLASSES; szidx++) {
        const ms_class_stats_t *row = &stats.classes[szidx];
        if (row->pools == 0)
            continue;
        json_t *entry = json_object();
        json_object_set_new(entry, "class", integer(szidx));
        json_object_set_new(entry, "size", integer(ms_szidx_to_size(szidx)));
        json_object_set_new(entry, "pools", integer(row->pools));
        json_object_set_new(entry, "blocks_in_use", integer(row->blocks_in_use));
        json_object_set_new(entry, "blocks_available", integer(row->blocks_available));
        json_array_append_new(classes, entry);
    }
    json_object_set_new(object, "classes", classes);
    json_object_set_new(object, "arenas_allocated_total", integer(stats.arenas.allocated_total));
    json_object_set_new(object, "arenas_reclaimed", integer(stats.arenas.reclaimed));
    json_object_set_new(object, "arenas_highwater", integer(stats.arenas.highwater));
    json_object_set_new(object, "arenas_current", integer(stats.arenas.current));
    json_object_set_new(object, "arena_bytes", integer(stats.arena_bytes));
    json_object_set_new(object, "decommitted_pools", integer(stats.arenas.decommitted_pools));
    json_object_set_new(object, "allocated_bytes", integer(stats.allocated_bytes));
    json_object_set_new(object, "available_bytes", integer(stats.available_bytes));
    json_object_set_new(object, "unused_pools", integer(stats.unused_pools));
    json_object_set_new(object, "pool_header_bytes", integer(stats.pool_header_bytes));
    json_object_set_new(object, "quantization_bytes", integer(stats.quantization_bytes));
    json_object_set_new(object, "large_calls", integer(stats.large.calls));
    json_object_set_new(object, "large_bytes_total", integer(stats.large.bytes_total));
    json_object_set_new(object, "large_live_blocks", integer(stats.large.live_blocks));
    json_object_set_new(object, "large_live_bytes", integer(stats.large.live_bytes));
    json_object_set_new(object, "brk_grown_total", integer(stats.brk_grown_total));
    json_object_set_new(object, "brk_current", json_integer(stats.brk_current));
    return object;
}

static json_t *timeline_array(void)
{
    ms_timeline_point_t *points = ms_scratch_alloc(MS_TIMELINE_POINTS * sizeof *points);
    json_t *array = json_array();
    unsigned n = points != NULL ? ms_timeline_read(points) : 0;
    for (unsigned i = 0; i < n; i++) {
        json_t *point = json_array();
        json_array_append_new(point, integer(points[i].time_ns));
        json_array_append_new(point, integer(points[i].bytes));
        json_array_append_new(array, point);
    }
    return array;
}

static json_t *overhead_object(void)
{
    ms_unwind_counters_t unwind;
    ms_unwind_counters(&unwind);
    json_t *object = json_object();
    json_object_set_new(object, "meta_bytes", integer(ms_meta_bytes()));
    json_object_set_new(object, "traceback_bytes", integer(ms_traceback_memory()));
    json_object_set_new(object, "slot_bytes", integer(ms_slots_memory()));
    json_object_set_new(object, "peak_bytes", integer(ms_peak_memory()));
    json_object_set_new(object, "stack_cache_bytes", integer(unwind.cache_bytes));
    json_object_set_new(object, "stack_cache_hits", integer(unwind.hits));
    json_object_set_new(object, "stack_cache_misses", integer(unwind.misses));
    return object;
}

static json_t *kind_totals(uint64_t size, uint64_t count)
{
    json_t *object = json_object();
    json_object_set_new(object, "size", integer(size));
    json_object_set_new(object, "count", integer(count));
    return object;
}

/* "leaks": rows as strings of numbers, like the traceback rows. */
static json_t *leaks_object(const ms_leak_result_t *leaks)
{
    static const char *const leak_columns[] = { "traceback", "kind", "size", "count" };
    json_t *object = json_object();
    json_object_set_new(object, "complete", json_boolean(leaks->complete));
    json_object_set_new(object, "threads", integer(leaks->threads));
    json_object_set_new(object, "duration_ns", integer(leaks->duration_ns));
    json_t *kinds = json_array(), *summary = json_object();
    for (int kind = 0; kind < MS_LEAK_KIND_COUNT; kind++) {
        json_array_append_new(kinds, json_string(ms_leak_kind_names[kind]));
        json_object_set_new(summary, ms_leak_kind_names[kind],
                            kind_totals(leaks->size[kind], leaks->count[kind]));
    }
    json_object_set_new(object, "kinds", kinds);
    json_object_set_new(object, "summary", summary);
    json_t *names = json_array(), *rows = json_array();
    for (size_t i = 0; i < sizeof leak_columns / sizeof leak_columns[0]; i++)
        json_array_append_new(names, json_string(leak_columns[i]));
    json_object_set_new(object, "columns", names);
    for (size_t i = 0; i < leaks->nrows; i++) {
        const ms_leak_row_t *row = &leaks->rows[i];
        char buffer[4 * 21], *p = buffer;
        p = append_decimal(p, row->traceback);
        *p++ = ' ';
        p = append_decimal(p, row->kind);
        *p++ = ' ';
        p = append_decimal(p, row->size);
        *p++ = ' ';
        p = append_decimal(p, row->count);
        json_array_append_new(rows, json_stringn_nocheck(buffer, (size_t)(p - buffer)));
    }
    json_object_set_new(object, "rows", rows);
    return object;
}

static json_t *build_document(ms_trigger_t trigger, const char *tag, const ms_modules_t *modules,
                              const ms_leak_result_t *leaks, const char **program)
{
    uint64_t now_ns = realtime_ns();
    /* The counters before the rows, the peak breakdown under its own lock. */
    ms_trace_totals_t totals;
    ms_trace_totals(&totals);
    peak_table_t peak = { NULL, ms_traceback_count() };
    peak.rows = ms_scratch_alloc(peak.count * sizeof *peak.rows);
    ms_peak_info_t peak_info = { 0, 0, 0 };
    if (peak.rows != NULL) {
        memset(peak.rows, 0, peak.count * sizeof *peak.rows);
        ms_peak_visit(&peak_info, keep_peak_row, &peak);
    } else {
        peak.count = 0;
    }

    json_t *root = json_object();
    json_object_set_new(root, "format", json_string("memsnap-snapshot"));
    json_object_set_new(root, "version", integer(MS_SNAPSHOT_FORMAT_VERSION));
    json_object_set_new(root, "process", process_object(trigger, tag, now_ns, program));
    json_t *settings = json_object();
    json_object_set_new(settings, "frames", integer(ms_trace_frames()));
    json_object_set_new(settings, "sample_bytes", integer(ms_trace_sample_bytes()));
    json_object_set_new(settings, "recording", json_boolean(ms_trace_recording));
    json_object_set_new(root, "settings", settings);
    json_object_set_new(root, "modules", modules_array(modules));
    /* The frame table after the rows, so it has every id they name. */
    json_t *domains = json_array();
    uint64_t rows_bytes;
    json_t *tracebacks = tracebacks_object(&peak, domains, &rows_bytes);
    json_object_set_new(root, "frames", frames_array(modules));
    json_object_set_new(root, "tracebacks", tracebacks);
    ms_counters_t unsampled;
    ms_site_read(MS_TRACEBACK_UNSAMPLED, &unsampled);
    /* Exact mode: current is the sum of what the rows say, read with them,
     * so threads that allocate meanwhile cannot make the totals disagree
     * with the rows. Sampling mode: the rows are estimates of everything,
     * so the exact counter is the better number. */
    uint64_t current = ms_trace_sample_bytes() != 0 ? totals.current : rows_bytes;
    json_t *totals_object = json_object();
    json_object_set_new(totals_object, "current", integer(current));
    json_object_set_new(totals_object, "peak", integer(totals.peak > current ? totals.peak : current));
    json_object_set_new(totals_object, "allocations", integer(totals.allocations));
    json_object_set_new(totals_object, "frees", integer(totals.frees));
    json_object_set_new(totals_object, "unsampled_size", integer(unsampled.live_bytes));
    json_object_set_new(totals_object, "unsampled_count", integer(blocks_of(unsampled.live_weight)));
    json_object_set_new(totals_object, "domains", domains);
    json_object_set_new(root, "totals", totals_object);
    json_t *peak_object = json_object();
    json_object_set_new(peak_object, "size", integer(peak_info.bytes));
    json_object_set_new(peak_object, "time_ns", integer(peak_info.time_ns));
    json_object_set_new(root, "peak", peak_object);
    json_object_set_new(root, "allocator", allocator_object());
    json_object_set_new(root, "timeline", timeline_array());
    json_object_set_new(root, "overhead", overhead_object());
    if (leaks != NULL)
        json_object_set_new(root, "leaks", leaks_object(leaks));
    return root;
}

/* ---- the file ---------------------------------------------------------- */

typedef struct writer {
    int fd;
    int failed;                   /* errno of the first failed write */
    size_t used;
    char *buffer;
} writer_t;

static int flush_writer(writer_t *writer)
{
    if (writer->used != 0 && !writer->failed &&
        ms_os_write_all(writer->fd, writer->buffer, writer->used) != 0)
        writer->failed = errno != 0 ? errno : EIO;
    writer->used = 0;
    return writer->failed ? -1 : 0;
}

static int write_chunk(const char *text, size_t length, void *data)
{
    writer_t *writer = data;
    while (length > 0) {
        if (writer->used == WRITE_BUFFER && flush_writer(writer) != 0)
            return -1;
        size_t room = WRITE_BUFFER - writer->used;
        size_t n = length < room ? length : room;
        memcpy(writer->buffer + writer->used, text, n);
        writer->used += n;
        text += n;
        length -= n;
    }
    return 0;
}

/* A string JSON can hold as it is: no quote, backslash, control or non-ASCII
 * byte. The traceback rows and the frame table are made of nothing else. */
static int plain_text(const char *text, size_t length)
{
    for (size_t i = 0; i < length; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\')
            return 0;
    }
    return 1;
}

static int write_quoted(writer_t *writer, const char *text, size_t length)
{
    return write_chunk("\"", 1, writer) || write_chunk(text, length, writer) ||
           write_chunk("\"", 1, writer);
}

/* The same text as json_dump_callback(value, JSON_COMPACT), which checks and
 * escapes every byte of every string one at a time: on megabytes of rows
 * that was most of a snapshot's time. Objects and arrays are walked here
 * and plain strings copied whole; other values, and strings that need
 * escaping, go to jansson. Keys come in insertion order, as jansson keeps. */
static int dump_value(json_t *value, writer_t *writer)
{
    if (json_is_object(value)) {
        const char *key;
        json_t *member;
        int first = 1;
        if (write_chunk("{", 1, writer))
            return -1;
        json_object_foreach(value, key, member) {
            size_t length = strlen(key);
            if ((!first && write_chunk(",", 1, writer)) ||
                (plain_text(key, length) ? write_quoted(writer, key, length)
                                         : dump_value(json_string(key), writer)) ||
                write_chunk(":", 1, writer) || dump_value(member, writer))
                return -1;
            first = 0;
        }
        return write_chunk("}", 1, writer);
    }
    if (json_is_array(value)) {
        if (write_chunk("[", 1, writer))
            return -1;
        for (size_t i = 0; i < json_array_size(value); i++)
            if ((i > 0 && write_chunk(",", 1, writer)) || dump_value(json_array_get(value, i), writer))
                return -1;
        return write_chunk("]", 1, writer);
    }
    if (json_is_string(value) && plain_text(json_string_value(value), json_string_length(value)))
        return write_quoted(writer, json_string_value(value), json_string_length(value));
    return json_dump_callback(value, write_chunk, writer, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* Letters, digits, '-' and '_' from label; anything else becomes '_'. */
static void append_label(ms_out_t *name, const char *label)
{
    char clean[LABEL_MAX + 1];
    size_t n = 0;
    for (; label[n] != '\0' && n < LABEL_MAX; n++) {
        char c = label[n];
        int plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
        clean[n] = plain ? c : '_';
    }
    clean[n] = '\0';
    ms_out_str(name, clean);
}

static void report_failure(const char *what, const char *path, int error)
{
    if (error_reported)
        return;
    error_reported = 1;
    const char *reason = strerrordesc_np(error);
    ms_warn("cannot write snapshots to ", path, ": ", what, ": ",
            reason != NULL ? reason : "unknown error", " (no further snapshot errors are reported)",
            NULL);
}

static int rename_no_replace(const char *from, const char *to)
{
    if (syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, 1 /* RENAME_NOREPLACE */) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return -1;
    if (link(from, to) != 0)
        return -1;
    unlink(from);
    return 0;
}

/* Builds "DIR/[.]memsnap.PROGRAM.PID.SEQ.LABEL.json[.tmp]" into name. */
static void snapshot_name(char *name, size_t size, const char *directory, int hidden,
                          const char *program, unsigned number, const char *label)
{
    ms_out_t out;
    ms_out_init(&out, -1);
    ms_out_str(&out, directory);
    ms_out_str(&out, hidden ? "/.memsnap." : "/memsnap.");
    append_label(&out, program != NULL && program[0] != '\0' ? program : "program");
    ms_out_str(&out, ".");
    ms_out_u64(&out, (uint64_t)getpid(), 0, 0);
    ms_out_str(&out, ".");
    ms_out_u64(&out, number, 0, 0);
    ms_out_str(&out, ".");
    append_label(&out, label);
    ms_out_str(&out, hidden ? ".json.tmp" : ".json");
    const char *text = ms_out_text(&out);
    size_t length = strlen(text) < size - 1 ? strlen(text) : size - 1;
    memcpy(name, text, length);
    name[length] = '\0';
}

/* "memsnap.PROGRAM.PID.N...." (the program part never holds a dot): N if
 * PID is pid, else 0. */
static unsigned number_for_pid(const char *name, const char *pid)
{
    if (strncmp(name, "memsnap.", 8) != 0 || (name = strchr(name + 8, '.')) == NULL)
        return 0;
    size_t length = strlen(pid);
    if (strncmp(name + 1, pid, length) != 0 || name[1 + length] != '.')
        return 0;
    unsigned number = 0;
    for (const char *p = name + 2 + length; *p >= '0' && *p <= '9'; p++)
        number = number * 10 + (unsigned)(*p - '0');
    return number;
}

static void note_number_in_use(void *context, const char *name)
{
    unsigned number = number_for_pid(name, context);
    if (number > sequence)
        sequence = number;
}

/* An exec'd image keeps its pid: its files are numbered past those of the
 * images before it, found by reading the directory once. */
static void skip_numbers_in_use(void)
{
    sequence_scanned = 1;
    char pid[24], *end = append_decimal(pid, (uint64_t)getpid());
    *end = '\0';
    ms_os_each_entry(directory, note_number_in_use, pid);
}

/* 0, or the errno of the failure (already reported). */
static int write_file(json_t *root, const char *program, const char *label, char *path,
                      size_t path_size)
{
    char temporary[4352], final[4352];
    unsigned number, attempts = 0;
    int fd;
    if (!sequence_scanned)
        skip_numbers_in_use();
    /* A temporary left by a crashed image with the same pid takes a number. */
    do {
        number = ++sequence;
        snapshot_name(temporary, sizeof temporary, directory, 1, program, number, label);
        fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    } while (fd < 0 && errno == EEXIST && ++attempts < 1000);
    if (fd < 0) {
        int error = errno;
        report_failure("cannot create a file there", directory, error);
        return error;
    }
    writer_t writer = { fd, 0, 0, ms_scratch_alloc(WRITE_BUFFER) };
    if (writer.buffer == NULL)
        writer.failed = ENOMEM;
    else if (dump_value(root, &writer) != 0 && !writer.failed)
        writer.failed = ENOMEM;
    if (!writer.failed)
        write_chunk("\n", 1, &writer);
    flush_writer(&writer);
    if (close(fd) != 0 && !writer.failed)
        writer.failed = errno;
    if (writer.failed) {
        unlink(temporary);
        report_failure("write failed", directory, writer.failed);
        return writer.failed;
    }
    for (;;) {
        snapshot_name(final, sizeof final, directory, 0, program, number, label);
        if (rename_no_replace(temporary, final) == 0) {
            if (path != NULL && path_size > 0) {
                size_t length = strlen(final) < path_size - 1 ? strlen(final) : path_size - 1;
                memcpy(path, final, length);
                path[length] = '\0';
            }
            return 0;
        }
        if (errno != EEXIST) {
            int error = errno;
            unlink(temporary);
            report_failure("rename failed", directory, error);
            return error;
        }
        number = ++sequence;
    }
}

int ms_snapshot_write(ms_trigger_t trigger, const char *tag)
{
    return ms_snapshot_write_report(trigger, tag, NULL, NULL, 0);
}

int ms_snapshot_write_report(ms_trigger_t trigger, const char *tag, const ms_leak_result_t *leaks,
                             char *path, size_t path_size)
{
    pthread_mutex_lock(&snapshot_lock);
    int saved_errno = errno;
    /* Modules first: dl_iterate_phdr takes ld.so's lock, which must never
     * wait on a memsnap lock. */
    ms_modules_t modules;
    const char *program = NULL;
    int result;
    if (ms_modules_collect(&modules, ms_scratch_alloc) == 0) {
        json_t *root = build_document(trigger, tag, &modules, leaks, &program);
        const char *label = tag != NULL && tag[0] != '\0' ? tag : trigger_names[trigger];
        result = root != NULL ? write_file(root, program, label, path, path_size) : ENOMEM;
    } else {
        result = ENOMEM;
    }
    ms_scratch_release();
    errno = saved_errno;
    pthread_mutex_unlock(&snapshot_lock);
    return result;
}

void ms_snapshot_fork_prepare(void)
{
    pthread_mutex_lock(&snapshot_lock);
}

void ms_snapshot_fork_parent(void)
{
    pthread_mutex_unlock(&snapshot_lock);
}

/* The child numbers its files from 1 again: its pid is new. */
void ms_snapshot_fork_child(void)
{
    pthread_mutex_init(&snapshot_lock, NULL);
    sequence = 0;
    sequence_scanned = 0;
    error_reported = 0;
}
