/* check_reader.c: the snapshot reader (tools/reader.c) against
 * docs/snapshot-format.md.
 *
 *   example     the document's own example (tests/tools/fixtures/example.json,
 *               pretty-printed as there) read back value by value
 *   real        every snapshot of tests/fuzz/corpus/ (real ones, and a
 *               minimal hand-written one) read back and compared, field by
 *               field and row by row, with a plain jansson reading of the
 *               same file (reference_check)
 *   live        a snapshot written by this very binary, run again under
 *               build/libmemsnap.so with known allocations (skipped under
 *               AddressSanitizer, which cannot share a process with the
 *               preload): its own process, its sites' exact rows, and its
 *               truncated copies
 *   compatible  what version 1 allows: unknown keys, a new column, columns
 *               and keys in another order, other whitespace, escapes; the
 *               largest values; 40000 rows
 *   errors      one line per problem, exact text: every error class, from
 *               a missing file to a frame id past the frame table, on
 *               hand-edited copies of the example
 *   leaks       the optional "leaks" object: the example with one
 *               (tests/tools/fixtures/example-leaks.json) read back value
 *               by value, what version 1 allows in it, and one line per
 *               problem (kinds, columns, rows, tracebacks, sums)
 *   truncated   cut copies of real snapshots
 *   crashers    every input in tests/fuzz/crashers/ (found by `make fuzz`)
 *               goes through the reader again: no crash, no leak, and what
 *               it returns keeps the reader's promises
 *
 * Paths are relative to the top of the tree, where make runs the suites. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../check_run.h"
#include "memsnap.h"
#include "reader.h"

#define FIXTURES "tests/tools/fixtures"
#define CORPUS   "tests/fuzz/corpus"
#define CRASHERS "tests/fuzz/crashers"
#define EXAMPLE  FIXTURES "/example.json"
#define EXAMPLE_LEAKS FIXTURES "/example-leaks.json"

/* For loops: ck_assert records every success, this only failures. */
#define expect(condition, ...)          \
    do {                                \
        if (!(condition))               \
            ck_abort_msg(__VA_ARGS__);  \
    } while (0)

/* ---- helpers ------------------------------------------------------------- */

/* The whole file, NUL-terminated. */
static char *read_text(const char *path, size_t *length)
{
    FILE *file = fopen(path, "rb");
    ck_assert_msg(file != NULL, "cannot open %s: %s", path, strerror(errno));
    size_t capacity = 1 << 16, used = 0;
    char *text = malloc(capacity);
    size_t got;
    while (text != NULL && (got = fread(text + used, 1, capacity - used - 1, file)) > 0) {
        used += got;
        if (capacity - used == 1)
            text = realloc(text, capacity *= 2);
    }
    ck_assert_ptr_nonnull(text);
    ck_assert_int_eq(ferror(file), 0);
    fclose(file);
    text[used] = '\0';
    *length = used;
    return text;
}

/* A copy of text with its one occurrence of from replaced by to. */
static char *replaced(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    ck_assert_msg(at != NULL, "'%s' not in the text", from);
    ck_assert_msg(strstr(at + 1, from) == NULL, "'%s' is in the text more than once", from);
    size_t before = (size_t)(at - text), length = strlen(text) - strlen(from) + strlen(to);
    char *copy = malloc(length + 1);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, text, before);
    memcpy(copy + before, to, strlen(to));
    strcpy(copy + before + strlen(to), at + strlen(from));
    return copy;
}

static cli_snapshot_t *parse_ok(const char *name, const char *text, size_t length)
{
    char error[512];
    cli_snapshot_t *snapshot = cli_snapshot_parse(name, text, length, error, sizeof error);
    ck_assert_msg(snapshot != NULL, "refused: %s", error);
    ck_assert_str_eq(error, "");
    return snapshot;
}

/* The reader's promises, whatever the input. */
static void check_promises(const cli_snapshot_t *snapshot)
{
    ck_assert_ptr_nonnull(snapshot->path);
    ck_assert_ptr_nonnull(snapshot->argv);
    ck_assert_ptr_null(snapshot->argv[snapshot->argc]);
    ck_assert_ptr_nonnull(snapshot->trigger);
    ck_assert_uint_ge(snapshot->frames_setting, 1);
    for (size_t i = 0; i < snapshot->nmodules; i++)
        expect(snapshot->modules[i].path != NULL && snapshot->modules[i].build_id != NULL &&
               snapshot->modules[i].start <= snapshot->modules[i].end, "module %zu", i);
    for (size_t i = 0; i < snapshot->nframes; i++)
        expect(snapshot->frames[i].module >= -1 &&
               snapshot->frames[i].module < (int64_t)snapshot->nmodules, "frame %zu", i);
    for (size_t i = 0; i < snapshot->ntracebacks; i++) {
        const cli_traceback_t *row = &snapshot->tracebacks[i];
        expect(row->id >= 2 && (i == 0 || row->id > snapshot->tracebacks[i - 1].id), "row %zu", i);
        expect(row->nframes <= snapshot->frames_setting, "row %zu", i);
        for (uint32_t k = 0; k < row->nframes; k++)
            expect(row->frames[k] < snapshot->nframes, "row %zu frame %u", i, k);
    }
    ck_assert(json_is_object(snapshot->allocator));
    const cli_leaks_t *leaks = &snapshot->leaks;
    ck_assert(leaks->present || (leaks->nrows == 0 && leaks->rows == NULL));
    for (size_t i = 0; i < leaks->nrows; i++) {
        const cli_leak_row_t *row = &leaks->rows[i];
        expect(row->kind < CLI_LEAK_KINDS && row->count >= 1, "leaks row %zu", i);
        expect(row->traceback == CLI_UNSAMPLED_TRACEBACK
                   ? row->trace == NULL
                   : row->trace != NULL && row->trace->id == row->traceback &&
                         row->trace >= snapshot->tracebacks &&
                         row->trace < snapshot->tracebacks + snapshot->ntracebacks,
               "leaks row %zu: traceback", i);
    }
}

static uint64_t integer_at(json_t *object, const char *key)
{
    json_t *value = json_object_get(object, key);
    expect(json_is_integer(value), "\"%s\" is not an integer", key);
    return (uint64_t)json_integer_value(value);
}

/* The "leaks" object (NULL: none) against snapshot->leaks. */
static void reference_leaks(const cli_snapshot_t *snapshot, json_t *leaks)
{
    ck_assert_int_eq(snapshot->leaks.present, leaks != NULL);
    if (leaks == NULL)
        return;
    ck_assert_int_eq(snapshot->leaks.complete, json_is_true(json_object_get(leaks, "complete")));
    ck_assert_uint_eq(snapshot->leaks.threads, integer_at(leaks, "threads"));
    json_t *summary = json_object_get(leaks, "summary");
    for (int kind = 0; kind < CLI_LEAK_KINDS; kind++) {
        json_t *entry = json_object_get(summary, cli_leak_kind_names[kind]);
        ck_assert_uint_eq(snapshot->leaks.summary[kind].size, integer_at(entry, "size"));
        ck_assert_uint_eq(snapshot->leaks.summary[kind].count, integer_at(entry, "count"));
    }
    json_t *rows = json_object_get(leaks, "rows");
    ck_assert_uint_eq(snapshot->leaks.nrows, json_array_size(rows));
    for (size_t i = 0; i < snapshot->leaks.nrows; i++) {
        const cli_leak_row_t *row = &snapshot->leaks.rows[i];
        unsigned long long traceback, kind, size, count;
        ck_assert_int_eq(sscanf(json_string_value(json_array_get(rows, i)), "%llu %llu %llu %llu",
                                &traceback, &kind, &size, &count), 4);
        expect(row->traceback == traceback && row->kind == kind && row->size == size &&
               row->count == count, "leaks row %zu differs", i);
    }
}

/* Reads text again with jansson alone, the way the format document's
 * minimal reader does, and compares every value with snapshot's. */
static void reference_check(const cli_snapshot_t *snapshot, const char *text, size_t length)
{
    json_error_t json_error;
    json_t *root = json_loadb(text, length, 0, &json_error);
    ck_assert_msg(root != NULL, "jansson: %s", json_error.text);
    json_t *process = json_object_get(root, "process");
    ck_assert_int_eq(snapshot->pid, (int64_t)integer_at(process, "pid"));
    ck_assert_int_eq(snapshot->ppid, (int64_t)integer_at(process, "ppid"));
    json_t *argv = json_object_get(process, "argv");
    ck_assert_uint_eq(snapshot->argc, json_array_size(argv));
    for (size_t i = 0; i < snapshot->argc; i++)
        ck_assert_str_eq(snapshot->argv[i], json_string_value(json_array_get(argv, i)));
    ck_assert_uint_eq(snapshot->start_time_ns, integer_at(process, "start_time_ns"));
    ck_assert_uint_eq(snapshot->snapshot_time_ns, integer_at(process, "snapshot_time_ns"));
    ck_assert_str_eq(snapshot->trigger, json_string_value(json_object_get(process, "trigger")));
    json_t *tag = json_object_get(process, "tag");
    if (json_is_null(tag))
        ck_assert_ptr_null(snapshot->tag);
    else
        ck_assert_str_eq(snapshot->tag, json_string_value(tag));
    json_t *settings = json_object_get(root, "settings");
    ck_assert_uint_eq(snapshot->frames_setting, integer_at(settings, "frames"));
    ck_assert_uint_eq(snapshot->sample_bytes, integer_at(settings, "sample_bytes"));

    json_t *modules = json_object_get(root, "modules");
    ck_assert_uint_eq(snapshot->nmodules, json_array_size(modules));
    for (size_t i = 0; i < snapshot->nmodules; i++) {
        json_t *module = json_array_get(modules, i);
        ck_assert_str_eq(snapshot->modules[i].path,
                         json_string_value(json_object_get(module, "path")));
        ck_assert_uint_eq(snapshot->modules[i].base, integer_at(module, "base"));
        ck_assert_uint_eq(snapshot->modules[i].start, integer_at(module, "start"));
        ck_assert_uint_eq(snapshot->modules[i].end, integer_at(module, "end"));
        ck_assert_str_eq(snapshot->modules[i].build_id,
                         json_string_value(json_object_get(module, "build_id")));
    }
    json_t *frames = json_object_get(root, "frames");
    ck_assert_uint_eq(snapshot->nframes, json_array_size(frames));
    for (size_t i = 0; i < snapshot->nframes; i++) {
        const char *frame = json_string_value(json_array_get(frames, i));
        const char *colon = strchr(frame, ':');
        int64_t module = frame[0] == '-' ? -1 : (int64_t)strtoull(frame, NULL, 10);
        uint64_t offset = strtoull(colon + 1, NULL, 16);
        expect(snapshot->frames[i].module == module && snapshot->frames[i].offset == offset,
               "frame %zu: %" PRId64 ":%" PRIx64 ", expected %s", i, snapshot->frames[i].module,
               snapshot->frames[i].offset, frame);
    }

    json_t *tracebacks = json_object_get(root, "tracebacks");
    json_t *columns = json_object_get(tracebacks, "columns");
    json_t *rows = json_object_get(tracebacks, "rows");
    size_t named = json_array_size(columns) - 1;
    ck_assert_uint_eq(snapshot->ntracebacks, json_array_size(rows));
    for (size_t i = 0; i < snapshot->ntracebacks; i++) {
        const cli_traceback_t *row = &snapshot->tracebacks[i];
        const char *p = json_string_value(json_array_get(rows, i));
        uint64_t numbers[512];
        size_t count = 0;
        while (*p != '\0' && count < 512) {
            char *end;
            numbers[count++] = strtoull(p, &end, 10);
            p = *end == ' ' ? end + 1 : end;
        }
        for (size_t c = 0; c < named; c++) {
            const char *name = json_string_value(json_array_get(columns, c));
            uint64_t value = !strcmp(name, "id")            ? row->id
                             : !strcmp(name, "domain")      ? row->domain
                             : !strcmp(name, "truncated")   ? (uint64_t)row->truncated
                             : !strcmp(name, "size")        ? row->size
                             : !strcmp(name, "count")       ? row->count
                             : !strcmp(name, "total_size")  ? row->total_size
                             : !strcmp(name, "total_count") ? row->total_count
                             : !strcmp(name, "peak_size")   ? row->peak_size
                             : !strcmp(name, "peak_count")  ? row->peak_count
                                                            : numbers[c];
            expect(value == numbers[c], "row %zu, %s: %" PRIu64 ", expected %" PRIu64, i, name,
                   value, numbers[c]);
        }
        expect(row->nframes == count - named, "row %zu: %u frames, expected %zu", i,
               row->nframes, count - named);
        for (size_t k = 0; k < row->nframes; k++)
            expect(row->frames[k] == numbers[named + k], "row %zu frame %zu", i, k);
    }

    json_t *totals = json_object_get(root, "totals");
    ck_assert_uint_eq(snapshot->totals.current, integer_at(totals, "current"));
    ck_assert_uint_eq(snapshot->totals.peak, integer_at(totals, "peak"));
    ck_assert_uint_eq(snapshot->totals.allocations, integer_at(totals, "allocations"));
    ck_assert_uint_eq(snapshot->totals.frees, integer_at(totals, "frees"));
    ck_assert_uint_eq(snapshot->totals.unsampled_size, integer_at(totals, "unsampled_size"));
    ck_assert_uint_eq(snapshot->totals.unsampled_count, integer_at(totals, "unsampled_count"));
    json_t *peak = json_object_get(root, "peak");
    ck_assert_uint_eq(snapshot->peak_size, integer_at(peak, "size"));
    ck_assert_uint_eq(snapshot->peak_time_ns, integer_at(peak, "time_ns"));
    json_t *timeline = json_object_get(root, "timeline");
    ck_assert_uint_eq(snapshot->ntimeline, json_array_size(timeline));
    for (size_t i = 0; i < snapshot->ntimeline; i++) {
        json_t *point = json_array_get(timeline, i);
        expect(snapshot->timeline[i][0] == (uint64_t)json_integer_value(json_array_get(point, 0)) &&
               snapshot->timeline[i][1] == (uint64_t)json_integer_value(json_array_get(point, 1)),
               "timeline point %zu", i);
    }
    ck_assert(json_equal(snapshot->allocator, json_object_get(root, "allocator")));
    reference_leaks(snapshot, json_object_get(root, "leaks"));
    json_decref(root);
}

/* Two readings that must give the same snapshot. */
static void check_same(const cli_snapshot_t *a, const cli_snapshot_t *b)
{
    ck_assert_int_eq(a->pid, b->pid);
    ck_assert_int_eq(a->ppid, b->ppid);
    ck_assert_uint_eq(a->argc, b->argc);
    for (size_t i = 0; i < a->argc; i++)
        ck_assert_str_eq(a->argv[i], b->argv[i]);
    ck_assert_str_eq(a->trigger, b->trigger);
    ck_assert_pstr_eq(a->tag, b->tag);
    ck_assert_uint_eq(a->start_time_ns, b->start_time_ns);
    ck_assert_uint_eq(a->snapshot_time_ns, b->snapshot_time_ns);
    ck_assert_uint_eq(a->frames_setting, b->frames_setting);
    ck_assert_uint_eq(a->sample_bytes, b->sample_bytes);
    ck_assert_uint_eq(a->nmodules, b->nmodules);
    for (size_t i = 0; i < a->nmodules; i++) {
        ck_assert_str_eq(a->modules[i].path, b->modules[i].path);
        ck_assert_uint_eq(a->modules[i].base, b->modules[i].base);
        ck_assert_uint_eq(a->modules[i].start, b->modules[i].start);
        ck_assert_uint_eq(a->modules[i].end, b->modules[i].end);
        ck_assert_str_eq(a->modules[i].build_id, b->modules[i].build_id);
    }
    ck_assert_uint_eq(a->nframes, b->nframes);
    ck_assert_mem_eq(a->frames, b->frames, a->nframes * sizeof a->frames[0]);
    ck_assert_uint_eq(a->ntracebacks, b->ntracebacks);
    for (size_t i = 0; i < a->ntracebacks; i++) {
        const cli_traceback_t *x = &a->tracebacks[i], *y = &b->tracebacks[i];
        expect(x->id == y->id && x->domain == y->domain && x->truncated == y->truncated &&
               x->size == y->size && x->count == y->count && x->total_size == y->total_size &&
               x->total_count == y->total_count && x->peak_size == y->peak_size &&
               x->peak_count == y->peak_count && x->nframes == y->nframes &&
               memcmp(x->frames, y->frames, x->nframes * sizeof x->frames[0]) == 0,
               "row %zu differs", i);
    }
    ck_assert_mem_eq(&a->totals, &b->totals, sizeof a->totals);
    ck_assert_uint_eq(a->peak_size, b->peak_size);
    ck_assert_uint_eq(a->peak_time_ns, b->peak_time_ns);
    ck_assert_uint_eq(a->ntimeline, b->ntimeline);
    ck_assert_mem_eq(a->timeline, b->timeline, a->ntimeline * sizeof a->timeline[0]);
    ck_assert(json_equal(a->allocator, b->allocator));
    ck_assert_int_eq(a->leaks.present, b->leaks.present);
    ck_assert_int_eq(a->leaks.complete, b->leaks.complete);
    ck_assert_uint_eq(a->leaks.threads, b->leaks.threads);
    ck_assert_mem_eq(a->leaks.summary, b->leaks.summary, sizeof a->leaks.summary);
    ck_assert_uint_eq(a->leaks.nrows, b->leaks.nrows);
    for (size_t i = 0; i < a->leaks.nrows; i++) {
        const cli_leak_row_t *x = &a->leaks.rows[i], *y = &b->leaks.rows[i];
        expect(x->traceback == y->traceback && x->kind == y->kind && x->size == y->size &&
               x->count == y->count && (x->trace == NULL) == (y->trace == NULL),
               "leaks row %zu differs", i);
    }
}

/* Every cut of text at the given lengths is refused as cut short. */
static void check_cuts(const char *name, const char *text, const size_t *cuts, size_t ncuts)
{
    char prefix[256], error[512];
    snprintf(prefix, sizeof prefix, "%s: truncated or invalid JSON at line ", name);
    for (size_t i = 0; i < ncuts; i++) {
        cli_snapshot_t *snapshot = cli_snapshot_parse(name, text, cuts[i], error, sizeof error);
        expect(snapshot == NULL, "cut at %zu accepted", cuts[i]);
        expect(strncmp(error, prefix, strlen(prefix)) == 0, "cut at %zu: %s", cuts[i], error);
    }
}

/* ---- example ------------------------------------------------------------- */

static void check_example_values(const cli_snapshot_t *s)
{
    ck_assert_int_eq(s->pid, 15054);
    ck_assert_int_eq(s->ppid, 15042);
    ck_assert_uint_eq(s->argc, 1);
    ck_assert_str_eq(s->argv[0], "./example");
    ck_assert_ptr_null(s->argv[1]);
    ck_assert_uint_eq(s->start_time_ns, 1795253902965042495ull);
    ck_assert_uint_eq(s->snapshot_time_ns, 1795253902965610495ull);
    ck_assert_str_eq(s->trigger, "api");
    ck_assert_str_eq(s->tag, "after load");
    ck_assert_uint_eq(s->frames_setting, 64);
    ck_assert_uint_eq(s->sample_bytes, 0);

    ck_assert_uint_eq(s->nmodules, 8);
    ck_assert_str_eq(s->modules[0].path, "/tmp/x/example");
    ck_assert_uint_eq(s->modules[0].base, 93836565393408ull);
    ck_assert_uint_eq(s->modules[0].start, 0);
    ck_assert_uint_eq(s->modules[0].end, 20624);
    ck_assert_str_eq(s->modules[0].build_id, "cb807ce8820d27412ff0434a054362c15453bc64");
    ck_assert_str_eq(s->modules[4].path, "/lib/x86_64-linux-gnu/libc.so.6");
    ck_assert_uint_eq(s->modules[4].base, 139696465555456ull);
    ck_assert_uint_eq(s->modules[4].end, 1974096);
    ck_assert_str_eq(s->modules[7].path, "/lib64/ld-linux-x86-64.so.2");
    ck_assert_str_eq(s->modules[7].build_id, "7ebc65e52f2bbea498b4040fa92f7238377aaba9");

    static const cli_frame_t frames[] = {
        { 0, 0x12a6 }, { 0, 0x12df }, { 4, 0x2724a }, { 4, 0x27305 }, { 0, 0x10d1 },
        { 0, 0x12fe }, { 0, 0x133a }, { 0, 0x1280 }, { 0, 0x1353 },
    };
    ck_assert_uint_eq(s->nframes, 9);
    for (size_t i = 0; i < 9; i++) {
        ck_assert_int_eq(s->frames[i].module, frames[i].module);
        ck_assert_uint_eq(s->frames[i].offset, frames[i].offset);
    }

    static const struct {
        cli_traceback_t row;
        uint32_t frames[8];
    } rows[] = {
        { { 2, 0, 0, 24, 3, 24, 3, 24, 3, 5, NULL }, { 0, 1, 2, 3, 4 } },
        { { 3, 0, 0, 0, 0, 200000, 1, 0, 0, 4, NULL }, { 5, 2, 3, 4 } },
        { { 4, 2, 0, 1048576, 1, 1048576, 1, 1048576, 1, 4, NULL }, { 6, 2, 3, 4 } },
        { { 5, 16, 0, 4096, 1, 4096, 1, 0, 0, 5, NULL }, { 7, 8, 2, 3, 4 } },
    };
    ck_assert_uint_eq(s->ntracebacks, 4);
    for (size_t i = 0; i < 4; i++) {
        const cli_traceback_t *row = &s->tracebacks[i], *want = &rows[i].row;
        ck_assert_uint_eq(row->id, want->id);
        ck_assert_uint_eq(row->domain, want->domain);
        ck_assert_int_eq(row->truncated, want->truncated);
        ck_assert_uint_eq(row->size, want->size);
        ck_assert_uint_eq(row->count, want->count);
        ck_assert_uint_eq(row->total_size, want->total_size);
        ck_assert_uint_eq(row->total_count, want->total_count);
        ck_assert_uint_eq(row->peak_size, want->peak_size);
        ck_assert_uint_eq(row->peak_count, want->peak_count);
        ck_assert_uint_eq(row->nframes, want->nframes);
        ck_assert_mem_eq(row->frames, rows[i].frames, want->nframes * sizeof(uint32_t));
    }

    ck_assert_uint_eq(s->totals.current, 1052696);
    ck_assert_uint_eq(s->totals.peak, 1052696);
    ck_assert_uint_eq(s->totals.allocations, 6);
    ck_assert_uint_eq(s->totals.frees, 1);
    ck_assert_uint_eq(s->totals.unsampled_size, 0);
    ck_assert_uint_eq(s->totals.unsampled_count, 0);
    ck_assert_uint_eq(s->peak_size, 1048600);
    ck_assert_uint_eq(s->peak_time_ns, 1795253902965540654ull);

    static const uint64_t timeline[][2] = {
        { 1795253902965461166ull, 8 }, { 1795253902965509256ull, 200024 },
        { 1795253902965516790ull, 24 }, { 1795253902965540694ull, 1048600 },
    };
    ck_assert_uint_eq(s->ntimeline, 4);
    ck_assert_mem_eq(s->timeline, timeline, sizeof timeline);

    ck_assert(json_is_object(s->allocator));
    ck_assert_int_eq(json_integer_value(json_object_get(s->allocator, "arena_bytes")), 262144);
    json_t *classes = json_object_get(s->allocator, "classes");
    ck_assert_uint_eq(json_array_size(classes), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(classes, 0),
                                                        "blocks_available")), 501);
    ck_assert_ptr_nonnull(s->document);
}

START_TEST(test_example)
{
    char error[512];
    cli_snapshot_t *snapshot = cli_snapshot_load(EXAMPLE, error, sizeof error);
    ck_assert_msg(snapshot != NULL, "refused: %s", error);
    ck_assert_str_eq(snapshot->path, EXAMPLE);
    check_example_values(snapshot);
    check_promises(snapshot);
    /* no leak check: nothing of it */
    ck_assert_int_eq(snapshot->leaks.present, 0);
    ck_assert_ptr_null(snapshot->leaks.rows);
    ck_assert_uint_eq(snapshot->leaks.nrows, 0);
    size_t length;
    char *text = read_text(EXAMPLE, &length);
    reference_check(snapshot, text, length);
    cli_snapshot_free(snapshot);

    /* The same from memory, and with the name given. */
    snapshot = parse_ok("in memory", text, length);
    ck_assert_str_eq(snapshot->path, "in memory");
    check_example_values(snapshot);
    cli_snapshot_free(snapshot);
    free(text);
}
END_TEST

/* ---- real snapshots ------------------------------------------------------ */

/* Calls visit(path) for each regular file in directory, in name order. */
static size_t each_file(const char *directory, void (*visit)(const char *path))
{
    struct dirent **entries;
    int count = scandir(directory, &entries, NULL, alphasort);
    if (count < 0)
        return 0;
    size_t visited = 0;
    for (int i = 0; i < count; i++) {
        char path[PATH_MAX];
        struct stat status;
        snprintf(path, sizeof path, "%s/%s", directory, entries[i]->d_name);
        if (entries[i]->d_name[0] != '.' && stat(path, &status) == 0 && S_ISREG(status.st_mode)) {
            visit(path);
            visited++;
        }
        free(entries[i]);
    }
    free(entries);
    return visited;
}

static void check_real_file(const char *path)
{
    char error[512];
    cli_snapshot_t *snapshot = cli_snapshot_load(path, error, sizeof error);
    ck_assert_msg(snapshot != NULL, "refused: %s", error);
    check_promises(snapshot);
    size_t length;
    char *text = read_text(path, &length);
    reference_check(snapshot, text, length);
    cli_snapshot_free(snapshot);
    free(text);
}

START_TEST(test_real_snapshots)
{
    ck_assert_uint_ge(each_file(CORPUS, check_real_file), 5);
}
END_TEST

/* A tagged snapshot with rows in domains 0, 2 and 16 (from
 * tests/programs/snapshot_sites), a few values by hand. */
START_TEST(test_real_sites)
{
    char error[512];
    cli_snapshot_t *s = cli_snapshot_load(CORPUS "/sites-tagged-domains.json", error, sizeof error);
    ck_assert_msg(s != NULL, "refused: %s", error);
    ck_assert_str_eq(s->trigger, "api");
    ck_assert_str_eq(s->tag, "sites");
    ck_assert_uint_eq(s->argc, 2);
    ck_assert_str_eq(s->argv[1], "--expect-memsnap");
    ck_assert_str_eq(s->modules[0].path, "/work/main/build/tests/programs/snapshot_sites");
    uint64_t sum = 0, domain2 = 0, domain16 = 0;
    for (size_t i = 0; i < s->ntracebacks; i++) {
        sum += s->tracebacks[i].size;
        if (s->tracebacks[i].domain == 2)
            domain2 += s->tracebacks[i].size;
        if (s->tracebacks[i].domain == 16)
            domain16 += s->tracebacks[i].size;
    }
    ck_assert_uint_eq(sum, s->totals.current);
    ck_assert_uint_eq(domain2, 12288);
    ck_assert_uint_eq(domain16, 10000);
    cli_snapshot_free(s);
}
END_TEST

/* A sampled snapshot with 3 frames per traceback. */
START_TEST(test_real_sampled)
{
    char error[512];
    cli_snapshot_t *s = cli_snapshot_load(CORPUS "/ls-sampled-3frames.json", error, sizeof error);
    ck_assert_msg(s != NULL, "refused: %s", error);
    ck_assert_uint_eq(s->sample_bytes, 4096);
    ck_assert_uint_eq(s->frames_setting, 3);
    int truncated = 0;
    for (size_t i = 0; i < s->ntracebacks; i++) {
        ck_assert_uint_le(s->tracebacks[i].nframes, 3);
        truncated |= s->tracebacks[i].truncated;
    }
    ck_assert_int_eq(truncated, 1);
    cli_snapshot_free(s);
}
END_TEST

/* ---- live: this binary under the preload ---------------------------------- */

#define LIVE_KEPT_SIZE  1234
#define LIVE_FREED_SIZE 77777
#define LIVE_MAP_SIZE   8192
#define LIVE_DOMAIN     17
#define LIVE_TRACK_SIZE 4096

static void *live_kept[3];
static void *live_mapped;
static char live_tracked[LIVE_TRACK_SIZE];

/* Each site calls the allocation function once and does something after
 * it, so that the call is no tail call: frame 0 is in the site. */
#if defined(__clang__)
#define LIVE_SITE __attribute__((noinline))
#else
#define LIVE_SITE __attribute__((noinline, noclone))
#endif
#if defined(__SANITIZE_ADDRESS__)
#define LIVE_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LIVE_UNDER_ASAN 1
#endif
#endif
LIVE_SITE static void live_site_keep(int slot)
{
    live_kept[slot] = malloc(LIVE_KEPT_SIZE);
    __asm__ volatile("" ::: "memory");
}

LIVE_SITE static void live_site_free(void)
{
    void *block = malloc(LIVE_FREED_SIZE);
    __asm__ volatile("" : : "r"(block) : "memory");
    free(block);
}

LIVE_SITE static void live_site_map(void)
{
    live_mapped = mmap(NULL, LIVE_MAP_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                       -1, 0);
    __asm__ volatile("" ::: "memory");
}

LIVE_SITE static int live_site_track(void)
{
    int result = memsnap_track(LIVE_DOMAIN, live_tracked, sizeof live_tracked);
    __asm__ volatile("" ::: "memory");
    return result;
}

/* The child: run as READER_TEST_CHILD=1 with the preload. */
static int live_child(void)
{
    for (volatile int i = 0; i < 3; i++)
        live_site_keep(i);
    live_site_free();
    live_site_map();
    if (live_kept[2] == NULL || live_mapped == MAP_FAILED || live_site_track() != 0 ||
        memsnap_snapshot("reader test") != 0)
        _exit(3);
    _exit(0);                   /* no exit snapshot */
}

static int main_module(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    *(uintptr_t *)data = info->dlpi_addr;
    return 1;                   /* the first is the program */
}

/* The row of domain whose frame 0 is in function (offset from this
 * program's base) and whose total_size is total; fails unless there is
 * exactly one. */
static const cli_traceback_t *live_row(const cli_snapshot_t *s, int64_t module, uint32_t domain,
                                       uintptr_t function, uint64_t total)
{
    const cli_traceback_t *found = NULL;
    for (size_t i = 0; i < s->ntracebacks; i++) {
        const cli_traceback_t *row = &s->tracebacks[i];
        if (row->domain != domain || row->total_size != total || row->nframes == 0)
            continue;
        const cli_frame_t *frame = &s->frames[row->frames[0]];
        if (frame->module != module || frame->offset <= function || frame->offset > function + 256)
            continue;
        ck_assert_msg(found == NULL, "two rows of %" PRIu64 " bytes in domain %u", total, domain);
        found = row;
    }
    ck_assert_msg(found != NULL, "no row of %" PRIu64 " bytes in domain %u from its site", total,
                  domain);
    return found;
}

/* Removes directory and the files in it; returns how many there were. */
static int remove_folder(const char *directory)
{
    int files = 0;
    DIR *folder = opendir(directory);
    struct dirent *entry;
    while (folder != NULL && (entry = readdir(folder)) != NULL) {
        char path[PATH_MAX];
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", directory, entry->d_name);
        unlink(path);
        files++;
    }
    if (folder != NULL)
        closedir(folder);
    rmdir(directory);
    return files;
}

static uint64_t realtime_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

START_TEST(test_live)
{
#if defined(LIVE_UNDER_ASAN)
    fputs("check_reader: live snapshot skipped: an ASan binary cannot run under the preload "
          "(the plain build runs it)\n", stderr);
    return;
#endif
    /* build/cli-unit/check_reader -> build/libmemsnap.so */
    char self[PATH_MAX], library[PATH_MAX + 32];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    ck_assert_int_gt(n, 0);
    self[n] = '\0';
    const char *name = strrchr(self, '/');
    int folder = (int)(name - self);
    while (folder > 0 && self[folder - 1] != '/')
        folder--;
    snprintf(library, sizeof library, "%.*slibmemsnap.so", folder, self);
    if (access(library, R_OK) != 0) {
        fprintf(stderr, "check_reader: live snapshot skipped: %s not built (run make first)\n",
                library);
        return;
    }
    char directory[] = "/tmp/memsnap-check-reader-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(directory));
    char preload[PATH_MAX + 64], dir_variable[64];
    snprintf(preload, sizeof preload, "LD_PRELOAD=%s", library);
    snprintf(dir_variable, sizeof dir_variable, "MEMSNAP_DIR=%s", directory);
    char *child_argv[] = { "reader-child", "one", "two words", NULL };
    /* Only these (and the library path, if any): no MEMSNAP_* of the caller. */
    char library_path[PATH_MAX + 32] = "LD_LIBRARY_PATH=";
    const char *inherited = getenv("LD_LIBRARY_PATH");
    if (inherited != NULL)
        strncat(library_path, inherited, sizeof library_path - strlen(library_path) - 1);
    char *child_environment[] = { preload, dir_variable, "MEMSNAP_FRAMES=32",
                                  "READER_TEST_CHILD=1", library_path, NULL };
    uint64_t before = realtime_ns();
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        execve("/proc/self/exe", child_argv, child_environment);
        _exit(127);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    uint64_t after = realtime_ns();
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %#x", status);

    /* The one file expected, read; then the folder goes, whatever it held. */
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/memsnap.reader-child.%d.1.reader_test.json", directory,
             (int)pid);
    char error[512];
    cli_snapshot_t *s = cli_snapshot_load(path, error, sizeof error);
    size_t length = 0;
    char *text = s != NULL ? read_text(path, &length) : NULL;
    int files = remove_folder(directory);
    ck_assert_msg(s != NULL, "refused: %s", error);
    ck_assert_int_eq(files, 1);
    check_promises(s);
    reference_check(s, text, length);

    ck_assert_int_eq(s->pid, pid);
    ck_assert_int_eq(s->ppid, getpid());
    ck_assert_uint_eq(s->argc, 3);
    ck_assert_str_eq(s->argv[0], "reader-child");
    ck_assert_str_eq(s->argv[1], "one");
    ck_assert_str_eq(s->argv[2], "two words");
    ck_assert_str_eq(s->trigger, "api");
    ck_assert_str_eq(s->tag, "reader test");
    ck_assert_uint_ge(s->start_time_ns, before);
    ck_assert_uint_le(s->start_time_ns, s->snapshot_time_ns);
    ck_assert_uint_le(s->snapshot_time_ns, after);
    ck_assert_uint_eq(s->frames_setting, 32);
    ck_assert_uint_eq(s->sample_bytes, 0);

    int64_t module = -1;
    for (size_t i = 0; i < s->nmodules; i++) {
        if (strcmp(s->modules[i].path, self) == 0)
            module = (int64_t)i;
    }
    ck_assert_msg(module >= 0, "%s not among the modules", self);
    ck_assert_uint_eq(strlen(s->modules[module].build_id) % 2, 0);
    uintptr_t base = 0;
    dl_iterate_phdr(main_module, &base);

    const cli_traceback_t *row = live_row(s, module, 0, (uintptr_t)live_site_keep - base,
                                          3 * LIVE_KEPT_SIZE);
    ck_assert_uint_eq(row->size, 3 * LIVE_KEPT_SIZE);
    ck_assert_uint_eq(row->count, 3);
    ck_assert_uint_eq(row->total_count, 3);
    ck_assert_int_eq(row->truncated, 0);
    ck_assert_uint_ge(row->nframes, 2);
    row = live_row(s, module, 0, (uintptr_t)live_site_free - base, LIVE_FREED_SIZE);
    ck_assert_uint_eq(row->size, 0);
    ck_assert_uint_eq(row->count, 0);
    ck_assert_uint_eq(row->total_count, 1);
    row = live_row(s, module, 2, (uintptr_t)live_site_map - base, LIVE_MAP_SIZE);
    ck_assert_uint_eq(row->size, LIVE_MAP_SIZE);
    ck_assert_uint_eq(row->count, 1);
    ck_assert_uint_eq(row->total_count, 1);
    int tracked = 0;
    uint64_t sum = 0;
    for (size_t i = 0; i < s->ntracebacks; i++) {
        const cli_traceback_t *r = &s->tracebacks[i];
        sum += r->size;
        if (r->domain == LIVE_DOMAIN) {
            tracked++;
            ck_assert_uint_eq(r->size, LIVE_TRACK_SIZE);
            ck_assert_uint_eq(r->count, 1);
        }
    }
    ck_assert_int_eq(tracked, 1);
    ck_assert_uint_eq(sum, s->totals.current);
    ck_assert_uint_ge(s->totals.peak, s->totals.current);
    ck_assert_uint_ge(s->totals.allocations, 6);
    ck_assert_uint_ge(s->ntimeline, 1);
    cli_snapshot_free(s);

    size_t cuts[] = { 0, 1, length / 7, length / 3, length / 2, length * 5 / 6, length - 2 };
    check_cuts("live.json", text, cuts, sizeof cuts / sizeof cuts[0]);
    free(text);
}
END_TEST

/* ---- compatible variants, and sizes ---------------------------------------- */

/* The fixture at path, read as "example.json", and its text. */
static cli_snapshot_t *fixture(const char *path, char **text)
{
    size_t length;
    *text = read_text(path, &length);
    return parse_ok("example.json", *text, length);
}

static cli_snapshot_t *example(char **text)
{
    return fixture(EXAMPLE, text);
}

/* The fixture at path with edit applied ({from, to} and maybe a second
 * pair, else NULLs) reads as the fixture itself. */
static void check_same_edit(const char *path, const char *const edit[4])
{
    char *text;
    cli_snapshot_t *original = fixture(path, &text);
    char *edited = replaced(text, edit[0], edit[1]);
    if (edit[2] != NULL) {
        char *again = replaced(edited, edit[2], edit[3]);
        free(edited);
        edited = again;
    }
    cli_snapshot_t *snapshot = parse_ok("example.json", edited, strlen(edited));
    check_same(original, snapshot);
    cli_snapshot_free(snapshot);
    cli_snapshot_free(original);
    free(edited);
    free(text);
}

/* The fixture at path with from replaced by to is refused with error. */
static void check_error_edit(const char *path, const char *from, const char *to,
                             const char *expected)
{
    char *text;
    cli_snapshot_free(fixture(path, &text));
    char *edited = replaced(text, from, to);
    char error[512];
    memset(error, 'x', sizeof error);
    cli_snapshot_t *snapshot = cli_snapshot_parse("example.json", edited, strlen(edited), error,
                                                  sizeof error);
    ck_assert_ptr_null(snapshot);
    ck_assert_str_eq(error, expected);
    free(edited);
    free(text);
}

/* Each is a (from, to) edit of the example, or two, that must read the same. */
static const char *const same_edits[][4] = {
    /* unknown keys, at every level */
    { "\"version\": 1,", "\"version\": 1, \"future\": {\"a\": [1, {\"frames\": 2}], \"rows\": null}," },
    { "\"pid\": 15054,", "\"pid\": 15054, \"cgroup\": \"/x\"," },
    { "\"recording\": true", "\"recording\": true, \"new\": [[]]" },
    { "\"build_id\": \"cb807ce8820d27412ff0434a054362c15453bc64\"",
      "\"build_id\": \"cb807ce8820d27412ff0434a054362c15453bc64\", \"soname\": \"x\"" },
    { "\"tracebacks\": {", "\"tracebacks\": {\"order\": \"id\", " },
    { "\"frees\": 1,", "\"frees\": 1, \"reallocs\": 0," },
    /* settings.recording is not read */
    { "\"recording\": true", "\"recording\": 7" },
    /* rows before columns */
    { "\"columns\": [\"id\", \"domain\", \"truncated\", \"size\", \"count\", \"total_size\", "
      "\"total_count\", \"peak_size\", \"peak_count\", \"frames...\"],\n    \"rows\": [",
      "\"rows\": [", "\n  },\n  \"totals\"",
      ",\n    \"columns\": [\"id\", \"domain\", \"truncated\", \"size\", \"count\", "
      "\"total_size\", \"total_count\", \"peak_size\", \"peak_count\", \"frames...\"]\n  },\n"
      "  \"totals\"" },
    /* escapes: rows and frames from jansson's strings instead of the text */
    { "\"2 0 0 24 3 24 3 24 3 0 1 2 3 4\"", "\"\\u0032 0 0 24 3 24 3 24 3 0 1 2 3 4\"" },
    { "\"0:12a6\"", "\"0\\u003a12a6\"" },
    { "\"rows\":", "\"ro\\u0077s\":" },
    { "\"frames\": [", "\"fr\\u0061mes\": [" },
    /* whitespace JSON allows */
    { "\"rows\": [", "\"rows\" :\r\n\t[ \n" },
    { "\"frames\": [\"0:12a6\",", "\"frames\":[ \"0:12a6\" \n ," },
    /* leading zeros in a frame offset */
    { "\"0:12a6\"", "\"0:00000000000000000000000012a6\"" },
};

START_TEST(test_compatible_edit)
{
    check_same_edit(EXAMPLE, same_edits[_i]);
}
END_TEST

/* The example's tracebacks with the columns in another order and a column
 * this reader does not know, made with jansson. */
START_TEST(test_compatible_columns)
{
    char *text;
    cli_snapshot_t *original = example(&text);
    json_t *root = json_loads(text, 0, NULL);
    ck_assert_ptr_nonnull(root);
    json_t *tracebacks = json_object_get(root, "tracebacks");
    /* new position of each old column, -1 for "frames..." */
    static const char *const order[] = { "peak_count", "future", "count", "id", "size",
                                          "truncated", "total_size", "domain", "total_count",
                                          "peak_size", "frames..." };
    static const int old_index[] = { 8, -2, 4, 0, 3, 2, 5, 1, 6, 7 };
    json_t *columns = json_array();
    for (size_t c = 0; c < 11; c++)
        json_array_append_new(columns, json_string(order[c]));
    json_t *rows = json_object_get(tracebacks, "rows"), *new_rows = json_array();
    for (size_t i = 0; i < json_array_size(rows); i++) {
        uint64_t numbers[32];
        size_t count = 0;
        const char *p = json_string_value(json_array_get(rows, i));
        while (*p != '\0') {
            char *end;
            numbers[count++] = strtoull(p, &end, 10);
            p = *end == ' ' ? end + 1 : end;
        }
        char row[512];
        int used = 0;
        for (size_t c = 0; c < 10; c++) {
            uint64_t value = old_index[c] == -2 ? 18446744073709551615ull : numbers[old_index[c]];
            used += snprintf(row + used, sizeof row - (size_t)used, "%s%" PRIu64,
                             c > 0 ? " " : "", value);
        }
        for (size_t k = 9; k < count; k++)
            used += snprintf(row + used, sizeof row - (size_t)used, " %" PRIu64, numbers[k]);
        json_array_append_new(new_rows, json_string(row));
    }
    json_t *new_tracebacks = json_object();
    json_object_set_new(new_tracebacks, "rows", new_rows);
    json_object_set_new(new_tracebacks, "columns", columns);
    json_object_set(root, "tracebacks", new_tracebacks);
    json_decref(new_tracebacks);
    char *rebuilt = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    cli_snapshot_t *snapshot = parse_ok("example.json", rebuilt, strlen(rebuilt));
    check_same(original, snapshot);
    reference_check(snapshot, rebuilt, strlen(rebuilt));
    cli_snapshot_free(snapshot);
    cli_snapshot_free(original);
    free(rebuilt);
    free(text);
}
END_TEST

/* The same document dumped by jansson in other shapes. */
START_TEST(test_compatible_layouts)
{
    static const size_t flags[] = {
        JSON_COMPACT, JSON_SORT_KEYS, JSON_INDENT(3) | JSON_ENSURE_ASCII,
        JSON_COMPACT | JSON_SORT_KEYS | JSON_ESCAPE_SLASH,
    };
    char *text;
    cli_snapshot_t *original = example(&text);
    json_t *root = json_loads(text, 0, NULL);
    ck_assert_ptr_nonnull(root);
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        char *dumped = json_dumps(root, flags[i]);
        cli_snapshot_t *snapshot = parse_ok("example.json", dumped, strlen(dumped));
        check_same(original, snapshot);
        cli_snapshot_free(snapshot);
        free(dumped);
    }
    json_decref(root);
    cli_snapshot_free(original);
    free(text);
}
END_TEST

/* Values at the edges of what is allowed. */
START_TEST(test_edges)
{
    char *text;
    cli_snapshot_t *original = example(&text);
    cli_snapshot_free(original);

    char *edited = replaced(text, "\"tag\": \"after load\"", "\"tag\": null");
    cli_snapshot_t *s = parse_ok("example.json", edited, strlen(edited));
    ck_assert_ptr_null(s->tag);
    cli_snapshot_free(s);
    free(edited);

    edited = replaced(text, "\"brk_current\": 0", "\"brk_current\": -4096");
    s = parse_ok("example.json", edited, strlen(edited));
    ck_assert_int_eq(json_integer_value(json_object_get(s->allocator, "brk_current")), -4096);
    cli_snapshot_free(s);
    free(edited);

    /* the largest values: one row, with jansson */
    json_t *root = json_loads(text, 0, NULL);
    json_t *rows = json_object_get(json_object_get(root, "tracebacks"), "rows");
    json_array_clear(rows);
    json_array_append_new(rows,
                          json_string("4294967295 4294967295 1 18446744073709551615 0 0 0 0 0 0"));
    char *dumped = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    s = parse_ok("example.json", dumped, strlen(dumped));
    ck_assert_uint_eq(s->ntracebacks, 1);
    ck_assert_uint_eq(s->tracebacks[0].id, UINT32_MAX);
    ck_assert_uint_eq(s->tracebacks[0].domain, UINT32_MAX);
    ck_assert_int_eq(s->tracebacks[0].truncated, 1);
    ck_assert_uint_eq(s->tracebacks[0].size, UINT64_MAX);
    ck_assert_uint_eq(s->tracebacks[0].nframes, 1);
    ck_assert_uint_eq(s->tracebacks[0].frames[0], 0);
    cli_snapshot_free(s);
    free(dumped);

    /* a row without frames (an unwind that found none) */
    edited = replaced(text, "\"2 0 0 24 3 24 3 24 3 0 1 2 3 4\"", "\"2 0 0 24 3 24 3 24 3\"");
    s = parse_ok("example.json", edited, strlen(edited));
    ck_assert_uint_eq(s->tracebacks[0].nframes, 0);
    ck_assert_uint_eq(s->tracebacks[1].nframes, 4);
    ck_assert_uint_eq(s->tracebacks[1].frames[0], 5);
    cli_snapshot_free(s);
    free(edited);

    /* a frame in no module, and the highest offset */
    edited = replaced(text, "\"0:1353\"", "\"-:ffffffffffffffff\"");
    char *edited2 = replaced(edited, "\"0:1280\"", "\"-:7f0012345678\"");
    s = parse_ok("example.json", edited2, strlen(edited2));
    ck_assert_int_eq(s->frames[8].module, -1);
    ck_assert_uint_eq(s->frames[8].offset, UINT64_MAX);
    ck_assert_int_eq(s->frames[7].module, -1);
    ck_assert_uint_eq(s->frames[7].offset, 0x7f0012345678ull);
    cli_snapshot_free(s);
    free(edited);
    free(edited2);

    /* no rows, no frames, no modules, no timeline, empty argv */
    edited = replaced(text, "\"argv\": [\"./example\"]", "\"argv\": []");
    root = json_loads(edited, 0, NULL);
    json_object_set_new(root, "modules", json_array());
    json_object_set_new(root, "frames", json_array());
    json_object_set_new(root, "timeline", json_array());
    json_array_clear(json_object_get(json_object_get(root, "tracebacks"), "rows"));
    dumped = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    s = parse_ok("example.json", dumped, strlen(dumped));
    ck_assert_uint_eq(s->argc, 0);
    ck_assert_ptr_null(s->argv[0]);
    ck_assert_uint_eq(s->nmodules + s->nframes + s->ntracebacks + s->ntimeline, 0);
    cli_snapshot_free(s);
    free(dumped);
    free(edited);
    free(text);
}
END_TEST

/* Many rows of many frames: the frame ids' one array grows many times. */
START_TEST(test_many_rows)
{
    char *text;
    cli_snapshot_t *original = example(&text);
    cli_snapshot_free(original);
    json_t *root = json_loads(text, 0, NULL);
    json_t *frames = json_array();
    for (unsigned i = 0; i < 5000; i++) {
        char frame[32];
        snprintf(frame, sizeof frame, "%u:%x", i % 8, i * 16 + 1);
        json_array_append_new(frames, json_string(frame));
    }
    json_object_set_new(root, "frames", frames);
    json_t *rows = json_object_get(json_object_get(root, "tracebacks"), "rows");
    json_array_clear(rows);
    uint64_t state = 1;
    size_t total = 0;
    for (unsigned id = 2; id < 40000; id += 1 + id % 3) {
        char row[64 * 8 + 128];
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        unsigned nframes = (unsigned)(state >> 58);       /* 0 to 63 */
        int used = snprintf(row, sizeof row, "%u %u %u %" PRIu64 " 1 %" PRIu64 " 2 0 0", id,
                            id % 20, nframes == 63, state >> 20, state >> 19);
        for (unsigned k = 0; k < nframes; k++)
            used += snprintf(row + used, sizeof row - (size_t)used, " %u", (id * 7 + k) % 5000);
        json_array_append_new(rows, json_string(row));
        total += nframes;
    }
    char *dumped = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    cli_snapshot_t *snapshot = parse_ok("many.json", dumped, strlen(dumped));
    check_promises(snapshot);
    reference_check(snapshot, dumped, strlen(dumped));
    ck_assert_uint_eq(snapshot->nframes, 5000);
    ck_assert_uint_gt(total, 100000);
    ck_assert_ptr_eq(snapshot->tracebacks[1].frames,
                     snapshot->tracebacks[0].frames + snapshot->tracebacks[0].nframes);
    cli_snapshot_free(snapshot);
    free(dumped);
    free(text);
}
END_TEST

/* ---- errors ---------------------------------------------------------------- */

/* An edit of a fixture, from to to, and the one line it must give. */
typedef struct error_edit {
    const char *from, *to, *error;
} error_edit_t;

/* Each edit of the example and the one line it must give. */
static const error_edit_t error_edits[] = {
    /* not a snapshot, or not this version */
    { "\"format\": \"memsnap-snapshot\",\n", "",
      "example.json: not a memsnap snapshot (no \"format\" key)" },
    { "\"format\": \"memsnap-snapshot\"", "\"format\": \"memsnap-snapshot-2\"",
      "example.json: not a memsnap snapshot (\"format\" is \"memsnap-snapshot-2\", expected "
      "\"memsnap-snapshot\")" },
    { "\"format\": \"memsnap-snapshot\"", "\"format\": [\"memsnap-snapshot\"]",
      "example.json: not a memsnap snapshot (\"format\" is an array, expected "
      "\"memsnap-snapshot\")" },
    { "\"format\": \"memsnap-snapshot\"", "\"format\": \"line\\nbreak\\u0001\"",
      "example.json: not a memsnap snapshot (\"format\" is \"line?break?\", expected "
      "\"memsnap-snapshot\")" },
    { "\"version\": 1,\n", "", "example.json: no \"version\" key" },
    { "\"version\": 1,", "\"version\": 2,",
      "example.json: snapshot format version 2 is not supported (this memsnap reads version 1)" },
    { "\"version\": 1,", "\"version\": 0,",
      "example.json: snapshot format version 0 is not valid (this memsnap reads version 1)" },
    { "\"version\": 1,", "\"version\": \"1\",",
      "example.json: \"version\" is a string, expected an integer" },
    { "\"version\": 1,", "\"version\": 1.0,",
      "example.json: \"version\" is a real number, expected an integer" },
    /* process */
    { "\"pid\": 15054,", "\"pid\": -15054,",
      "example.json: \"process.pid\" is -15054, expected a non-negative integer" },
    { "\"ppid\": 15042,\n", "", "example.json: \"process.ppid\" is missing" },
    { "\"argv\": [\"./example\"]", "\"argv\": \"./example\"",
      "example.json: \"process.argv\" is a string, expected an array" },
    { "\"argv\": [\"./example\"]", "\"argv\": [\"./example\", 7]",
      "example.json: \"process.argv[1]\" is an integer, expected a string" },
    { "\"start_time_ns\": 1795253902965042495", "\"start_time_ns\": 1.795e18",
      "example.json: \"process.start_time_ns\" is a real number, expected a non-negative integer" },
    { "\"trigger\": \"api\"", "\"trigger\": null",
      "example.json: \"process.trigger\" is null, expected a string" },
    { "\"tag\": \"after load\"", "\"tag\": false",
      "example.json: \"process.tag\" is false, expected a string or null" },
    { "\"process\": {", "\"process\": [{\"was\": {",
      "example.json: truncated or invalid JSON at line 86, column 0: ']' expected near end of file" },
    /* settings */
    { "{\"frames\": 64,", "{\"frames\": 0,",
      "example.json: \"settings.frames\" is 0, expected 1 or more" },
    { "\"sample_bytes\": 0, ", "", "example.json: \"settings.sample_bytes\" is missing" },
    { "\"settings\": {\"frames\": 64, \"sample_bytes\": 0, \"recording\": true}",
      "\"settings\": []", "example.json: \"settings\" is an array, expected an object" },
    /* modules */
    { "\"base\": 93836565393408,", "\"base\": \"0x5558\",",
      "example.json: \"modules[0].base\" is a string, expected a non-negative integer" },
    { "\"start\": 0, \"end\": 20624,", "\"start\": 30000, \"end\": 20624,",
      "example.json: \"modules[0]\": start 30000 is past end 20624" },
    { "\"cb807ce8820d27412ff0434a054362c15453bc64\"", "\"CB807CE8\"",
      "example.json: \"modules[0].build_id\" is \"CB807CE8\", expected lowercase hex digits in pairs" },
    { "\"cb807ce8820d27412ff0434a054362c15453bc64\"", "\"cb8\"",
      "example.json: \"modules[0].build_id\" is \"cb8\", expected lowercase hex digits in pairs" },
    { "{\"path\": \"/tmp/x/example\", ", "{",
      "example.json: \"modules[0].path\" is missing" },
    { "\"modules\": [\n", "\"modules\": [7,\n",
      "example.json: \"modules[0]\" is an integer, expected an object" },
    /* frames */
    { "\"0:12a6\"", "\"12a6\"", "example.json: frame 0 (\"12a6\") is not \"M:HEX\" or \"-:HEX\"" },
    { "\"0:12df\"", "\"8:12df\"",
      "example.json: frame 1 (\"8:12df\"): module 8 past the module list (8 modules)" },
    { "\"0:12df\"", "\"0:\"", "example.json: frame 1 (\"0:\") is not \"M:HEX\" or \"-:HEX\"" },
    { "\"0:12df\"", "\"0:12DF\"",
      "example.json: frame 1 (\"0:12DF\") is not \"M:HEX\" or \"-:HEX\"" },
    { "\"0:12df\"", "\"0:12df \"",
      "example.json: frame 1 (\"0:12df \") is not \"M:HEX\" or \"-:HEX\"" },
    { "\"0:12df\"", "\"0:10000000000000000\"",
      "example.json: frame 1 (\"0:10000000000000000\") is not \"M:HEX\" or \"-:HEX\"" },
    { "\"0:12df\"", "\"-1:12df\"",
      "example.json: frame 1 (\"-1:12df\") is not \"M:HEX\" or \"-:HEX\"" },
    { "\"0:12df\"", "\"99999999999999999999:12df\"",
      "example.json: frame 1 (\"99999999999999999999:12df\") is not \"M:HEX\" or \"-:HEX\"" },
    { "\"0:12df\"", "\"0:12\\u00e9\"",
      "example.json: frame 1 (\"0:12??\") is not \"M:HEX\" or \"-:HEX\"" },
    { "\"frames\": [\"0:12a6\"", "\"frames\": [12",
      "example.json: frame 0 is an integer, expected a string" },
    { "\"frames\": [\"0:12a6\"", "\"frames\": {\"0\": \"0:12a6\"}, \"x\": [0",
      "example.json: \"frames\" is an object, expected an array" },
    /* columns */
    { "\"truncated\", \"size\", \"count\"", "\"truncated\", \"count\"",
      "example.json: \"tracebacks.columns\" has no \"size\" column" },
    { "\"peak_count\", \"frames...\"", "\"peak_count\", \"frames...\", \"extra\"",
      "example.json: \"tracebacks.columns\" ends with \"extra\", expected \"frames...\"" },
    { "\"peak_count\", \"frames...\"", "\"peak_count\", \"frames...\", \"frames...\"",
      "example.json: \"tracebacks.columns\" names \"frames...\" before the end" },
    { "[\"id\", \"domain\"", "[\"id\", \"id\", \"domain\"",
      "example.json: \"tracebacks.columns\" names \"id\" twice" },
    { "\"columns\": [\"id\",", "\"columns\": [7, \"id\",",
      "example.json: \"tracebacks.columns[0]\" is an integer, expected a string" },
    { "\"columns\": [", "\"old_columns\": [", "example.json: \"tracebacks.columns\" is missing" },
    { "\"rows\": [", "\"old_rows\": [", "example.json: \"tracebacks.rows\" is missing" },
    { "\"tracebacks\": {", "\"tracebacks\": [{",
      "example.json: truncated or invalid JSON at line 34, column 11: ']' expected near ':'" },
    /* rows */
    { "\"2 0 0 24 3 24 3 24 3 0 1 2 3 4\"", "\"2 0 0 24 3 24 3 24 3 0 1 2 3 99\"",
      "example.json: tracebacks row 0: frame id 99 past the frame table (9 frames)" },
    { "\"2 0 0 24 3 24 3 24 3 0 1 2 3 4\"", "\"2 0 0 24 3 24 3 24 3 0 1 2 3 9\"",
      "example.json: tracebacks row 0: frame id 9 past the frame table (9 frames)" },
    { "\"5 16 0 4096 1 4096 1 0 0 7 8 2 3 4\"", "\"5 16 0 4096 1 4096 1 0 0 7 8 2 3 4 \"",
      "example.json: tracebacks row 3: not decimal numbers separated by single spaces "
      "(at character 35)" },
    { "\"3 0 0 0 0 200000 1 0 0 5 2 3 4\"", "\"3 0 0 0 0  200000 1 0 0 5 2 3 4\"",
      "example.json: tracebacks row 1: not decimal numbers separated by single spaces "
      "(at character 10)" },
    { "\"4 2 0 1048576 1 1048576 1 1048576 1 6 2 3 4\"",
      "\"4 2 0 1048576 1 1048576 1 1048576 1 6 2 3 x\"",
      "example.json: tracebacks row 2: not decimal numbers separated by single spaces "
      "(at character 42)" },
    { "\"4 2 0 1048576 1 1048576 1 1048576 1 6 2 3 4\"",
      "\"4 2 0 1048576 1 1048576 1 1048576 1 6 2 3 4x\"",
      "example.json: tracebacks row 2: not decimal numbers separated by single spaces "
      "(at character 43)" },
    { "\"2 0 0 24 3 24 3 24 3 0 1 2 3 4\"", "\"\"",
      "example.json: tracebacks row 0: not decimal numbers separated by single spaces "
      "(at character 0)" },
    { "\"2 0 0 24 3 24 3 24 3 0 1 2 3 4\"", "\" 2 0 0 24 3 24 3 24 3 0 1 2 3 4\"",
      "example.json: tracebacks row 0: not decimal numbers separated by single spaces "
      "(at character 0)" },
    { "\"2 0 0 24 3 24 3 24 3 0 1 2 3 4\"", "\"2 0 0 -24 3 24 3 24 3 0 1 2 3 4\"",
      "example.json: tracebacks row 0: not decimal numbers separated by single spaces "
      "(at character 6)" },
    { "\"2 0 0 24 3 24 3 24 3 0 1 2 3 4\"", "\"2 0 0 24 3 24 3 24 3 0 1 2 3\\t4\"",
      "example.json: tracebacks row 0: not decimal numbers separated by single spaces "
      "(at character 28)" },
    { "\"3 0 0 0 0 200000 1 0 0 5 2 3 4\"", "\"3 0 0 0 0 200000 1 0\"",
      "example.json: tracebacks row 1: 8 numbers, expected at least 9 (one per column before "
      "\"frames...\")" },
    { "\"3 0 0 0 0 200000 1 0 0 5 2 3 4\"", "\"3 0 0 0 0 18446744073709551616 1 0 0 5 2 3 4\"",
      "example.json: tracebacks row 1: number 6 does not fit in 64 bits" },
    { "\"3 0 0 0 0 200000 1 0 0 5 2 3 4\"", "\"3 0 0 0 0 200000 1 0 0 5 2 3 4294967296\"",
      "example.json: tracebacks row 1: frame id 4294967296 past the frame table (9 frames)" },
    { "\"2 0 0 24 3 24 3 24 3 0 1 2 3 4\"", "\"1 0 0 24 3 24 3 24 3 0 1 2 3 4\"",
      "example.json: tracebacks row 0: id 1, expected 2 to 4294967295" },
    { "\"2 0 0 24 3 24 3 24 3 0 1 2 3 4\"", "\"4294967296 0 0 24 3 24 3 24 3 0 1 2 3 4\"",
      "example.json: tracebacks row 0: id 4294967296, expected 2 to 4294967295" },
    { "\"3 0 0 0 0 200000 1 0 0 5 2 3 4\"", "\"2 0 0 0 0 200000 1 0 0 5 2 3 4\"",
      "example.json: tracebacks row 1: id 2 not above the previous row's (2): rows must be in "
      "increasing id order" },
    { "\"4 2 0 1048576 1 1048576 1 1048576 1 6 2 3 4\"",
      "\"4 4294967296 0 1048576 1 1048576 1 1048576 1 6 2 3 4\"",
      "example.json: tracebacks row 2: domain 4294967296 does not fit in 32 bits" },
    { "\"4 2 0 1048576 1 1048576 1 1048576 1 6 2 3 4\"",
      "\"4 2 2 1048576 1 1048576 1 1048576 1 6 2 3 4\"",
      "example.json: tracebacks row 2: truncated is 2, expected 0 or 1" },
    { "{\"frames\": 64,", "{\"frames\": 4,",
      "example.json: tracebacks row 0: 5 frames, more than settings.frames (4)" },
    { "\"2 0 0 24 3 24 3 24 3 0 1 2 3 4\"", "[2, 0]",
      "example.json: tracebacks row 0 is an array, expected a string" },
    { "\"rows\": [", "\"rows\": {\"a\": [",
      "example.json: truncated or invalid JSON at line 86, column 0: '}' expected near end of file" },
    /* totals, peak, allocator, timeline */
    { "\"frees\": 1,", "\"frees\": -1,",
      "example.json: \"totals.frees\" is -1, expected a non-negative integer" },
    { "\"unsampled_count\": 0,\n", "", "example.json: \"totals.unsampled_count\" is missing" },
    { "\"peak\": {\"size\": 1048600,", "\"peak\": {\"size\": true,",
      "example.json: \"peak.size\" is true, expected a non-negative integer" },
    { "\"arena_bytes\": 262144,\n", "", "example.json: \"allocator.arena_bytes\" is missing" },
    { "\"brk_current\": 0", "\"brk_current\": \"0\"",
      "example.json: \"allocator.brk_current\" is a string, expected an integer" },
    { "{\"class\": 0, \"size\": 8,", "{\"class\": 0, \"size\": -8,",
      "example.json: \"allocator.classes[0].size\" is -8, expected a non-negative integer" },
    { "\"classes\": [\n", "\"classes\": [null,\n",
      "example.json: \"allocator.classes[0]\" is null, expected an object" },
    { "[1795253902965461166, 8],", "[1795253902965461166, 8, 9],",
      "example.json: \"timeline[0]\" is an array of another length, expected a [time_ns, bytes] "
      "pair" },
    { "[1795253902965509256, 200024],", "[1795253902965509256, -200024],",
      "example.json: \"timeline[1][1]\" is -200024, expected a non-negative integer" },
    { "[1795253902965509256, 200024],", "{},",
      "example.json: \"timeline[1]\" is an object, expected a [time_ns, bytes] pair" },
    /* JSON itself */
    { "\"version\": 1,", "\"version\": 1,,",
      "example.json: truncated or invalid JSON at line 3, column 16: string or '}' expected near ','" },
    { "\"version\": 1,", "\"version\": 1, \"version\": 1,",
      "example.json: truncated or invalid JSON at line 3, column 25: duplicate object key near "
      "'\"version\"'" },
    { "\"pid\": 15054,", "\"pid\": 9223372036854775808,",
      "example.json: truncated or invalid JSON at line 5, column 30: too big integer near "
      "'9223372036854775808'" },
    { "\"./example\"", "\"./ex\001ample\"",
      "example.json: truncated or invalid JSON at line 7, column 18: control character 0x1 near "
      "'\"./ex'" },
    { "\"./example\"", "\"./ex\xff\"",
      "example.json: truncated or invalid JSON at line 7, column 18: unable to decode byte 0xff "
      "near '\"./ex'" },
    { "\"2 0 0 24 3 24 3 24 3 0 1 2 3 4\",", "\"2 0 0 24 3 24 3 24 3 0 1 2 3 4\",]",
      "example.json: truncated or invalid JSON at line 28, column 40: unexpected token near ']'" },
};

START_TEST(test_error_edit)
{
    check_error_edit(EXAMPLE, error_edits[_i].from, error_edits[_i].to, error_edits[_i].error);
}
END_TEST

START_TEST(test_error_documents)
{
    static const struct {
        const char *text, *error;
    } cases[] = {
        { "", "x.json: truncated or invalid JSON at line 1, column 0: '[' or '{' expected near end "
              "of file" },
        { "hello", "x.json: truncated or invalid JSON at line 1, column 5: '[' or '{' expected "
                   "near 'hello'" },
        { "{\"a\":1", "x.json: truncated or invalid JSON at line 1, column 6: '}' expected near "
                      "end of file" },
        { "{} {}", "x.json: truncated or invalid JSON at line 1, column 4: end of file expected "
                   "near '{'" },
        { "[]", "x.json: not a memsnap snapshot (the document is not a JSON object)" },
        { "[{\"format\":\"memsnap-snapshot\",\"version\":1}]",
          "x.json: not a memsnap snapshot (the document is not a JSON object)" },
        { "{}", "x.json: not a memsnap snapshot (no \"format\" key)" },
        { "{\"format\":\"memsnap-snapshot\",\"version\":3}",
          "x.json: snapshot format version 3 is not supported (this memsnap reads version 1)" },
        { "{\"format\":\"memsnap-snapshot\",\"version\":-1}",
          "x.json: snapshot format version -1 is not valid (this memsnap reads version 1)" },
        { "{\"format\":\"memsnap-snapshot\",\"version\":1}", "x.json: \"process\" is missing" },
        { "{\"version\":1,\"format\":\"memsnap-snapshot\",\"process\":7}",
          "x.json: \"process\" is an integer, expected an object" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char error[512];
        cli_snapshot_t *snapshot = cli_snapshot_parse("x.json", cases[i].text,
                                                      strlen(cases[i].text), error, sizeof error);
        ck_assert_ptr_null(snapshot);
        ck_assert_str_eq(error, cases[i].error);
    }
    /* A NUL byte in the text is not the end of it. */
    char error[512];
    ck_assert_ptr_null(cli_snapshot_parse("x.json", "{}\0{}", 5, error, sizeof error));
    ck_assert_str_eq(error, "x.json: truncated or invalid JSON at line 1, column 3: end of file "
                            "expected near end of file");
    /* NULL text of length 0 is an empty document. */
    ck_assert_ptr_null(cli_snapshot_parse("x.json", NULL, 0, error, sizeof error));
    ck_assert_str_eq(error, "x.json: truncated or invalid JSON at line 1, column 0: '[' or '{' "
                            "expected near end of file");
    /* The name may hold anything; the message stays one line. */
    ck_assert_ptr_null(cli_snapshot_parse("a\nb.json", "[]", 2, error, sizeof error));
    ck_assert_str_eq(error, "a?b.json: not a memsnap snapshot (the document is not a JSON object)");
}
END_TEST

START_TEST(test_error_files)
{
    char error[512];
    ck_assert_ptr_null(cli_snapshot_load("/nonexistent/x.json", error, sizeof error));
    ck_assert_str_eq(error, "/nonexistent/x.json: cannot read: No such file or directory");
    ck_assert_ptr_null(cli_snapshot_load(FIXTURES, error, sizeof error));
    ck_assert_str_eq(error, FIXTURES ": cannot read: Is a directory");
    ck_assert_ptr_null(cli_snapshot_load("/dev/null", error, sizeof error));
    ck_assert_str_eq(error, "/dev/null: truncated or invalid JSON at line 1, column 0: '[' or '{' "
                            "expected near end of file");
    if (geteuid() != 0) {
        char path[] = "/tmp/memsnap-check-reader-XXXXXX";
        int fd = mkstemp(path);
        ck_assert_int_ge(fd, 0);
        close(fd);
        chmod(path, 0);
        char expected[128];
        snprintf(expected, sizeof expected, "%s: cannot read: Permission denied", path);
        ck_assert_ptr_null(cli_snapshot_load(path, error, sizeof error));
        ck_assert_str_eq(error, expected);
        unlink(path);
    }
    /* Through a pipe, whose size is not known in advance. */
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(fds[0]);
        size_t length;
        char *text = read_text(EXAMPLE, &length);
        for (size_t done = 0; done < length;) {
            ssize_t wrote = write(fds[1], text + done, length - done);
            if (wrote <= 0)
                _exit(1);
            done += (size_t)wrote;
        }
        _exit(0);
    }
    close(fds[1]);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fds[0]);
    cli_snapshot_t *snapshot = cli_snapshot_load(path, error, sizeof error);
    ck_assert_msg(snapshot != NULL, "refused: %s", error);
    check_example_values(snapshot);
    cli_snapshot_free(snapshot);
    close(fds[0]);
    waitpid(pid, NULL, 0);
}
END_TEST

/* The error buffer is cut, never overrun, and may be absent. */
START_TEST(test_error_buffer)
{
    char error[16];
    memset(error, 'x', sizeof error);
    ck_assert_ptr_null(cli_snapshot_parse("x.json", "{}", 2, error, 10));
    ck_assert_str_eq(error, "x.json: n");
    ck_assert_int_eq(error[10], 'x');
    ck_assert_ptr_null(cli_snapshot_parse("a-long-name.json", "{}", 2, error, 5));
    ck_assert_str_eq(error, "a-lo");
    error[0] = 'x';
    ck_assert_ptr_null(cli_snapshot_parse("x.json", "{}", 2, error, 0));
    ck_assert_int_eq(error[0], 'x');
    ck_assert_ptr_null(cli_snapshot_parse("x.json", "{}", 2, NULL, 0));
    ck_assert_ptr_null(cli_snapshot_load("/nonexistent", NULL, 0));
    /* success clears it */
    size_t length;
    char *text = read_text(EXAMPLE, &length);
    char large[64] = "old";
    cli_snapshot_t *snapshot = cli_snapshot_parse("x.json", text, length, large, sizeof large);
    ck_assert_ptr_nonnull(snapshot);
    ck_assert_str_eq(large, "");
    cli_snapshot_free(snapshot);
    cli_snapshot_free(NULL);
    free(text);
}
END_TEST

/* ---- leaks ------------------------------------------------------------------- */

START_TEST(test_leaks_example)
{
    char error[512];
    cli_snapshot_t *s = cli_snapshot_load(EXAMPLE_LEAKS, error, sizeof error);
    ck_assert_msg(s != NULL, "refused: %s", error);
    check_example_values(s);          /* the rest reads as without it */
    check_promises(s);
    const cli_leaks_t *leaks = &s->leaks;
    ck_assert_int_eq(leaks->present, 1);
    ck_assert_int_eq(leaks->complete, 0);
    ck_assert_uint_eq(leaks->threads, 3);
    static const uint64_t summary[CLI_LEAK_KINDS][2] = {
        { 16, 2 }, { 48, 2 }, { 0, 0 }, { 8, 1 }, { 10, 1 },
    };
    for (int kind = 0; kind < CLI_LEAK_KINDS; kind++) {
        ck_assert_uint_eq(leaks->summary[kind].size, summary[kind][0]);
        ck_assert_uint_eq(leaks->summary[kind].count, summary[kind][1]);
    }
    static const struct {
        uint32_t traceback;
        cli_leak_kind_t kind;
        uint64_t size, count;
        int row;                      /* index into tracebacks; -1 for none */
    } rows[] = {
        { 2, CLI_LEAK_DEFINITE, 16, 2, 0 },
        { 1, CLI_LEAK_INDIRECT, 48, 2, -1 },
        { 2, CLI_LEAK_REACHABLE, 8, 1, 0 },
        { 3, CLI_LEAK_IGNORED, 10, 1, 1 },
    };
    ck_assert_uint_eq(leaks->nrows, 4);
    for (size_t i = 0; i < 4; i++) {
        ck_assert_uint_eq(leaks->rows[i].traceback, rows[i].traceback);
        ck_assert_int_eq(leaks->rows[i].kind, rows[i].kind);
        ck_assert_uint_eq(leaks->rows[i].size, rows[i].size);
        ck_assert_uint_eq(leaks->rows[i].count, rows[i].count);
        ck_assert_ptr_eq(leaks->rows[i].trace,
                         rows[i].row < 0 ? NULL : &s->tracebacks[rows[i].row]);
    }
    ck_assert_str_eq(cli_leak_kind_names[CLI_LEAK_POSSIBLE], "possible");
    size_t length;
    char *text = read_text(EXAMPLE_LEAKS, &length);
    reference_check(s, text, length);
    cli_snapshot_free(s);
    free(text);
}
END_TEST

/* Edits of the example with leaks that must read the same. */
static const char *const leak_same_edits[][4] = {
    { "\"complete\": false,", "\"complete\": false, \"future\": [1, {\"rows\": 2}],", NULL,
      NULL },
    { "\"definite\":  {\"size\": 16, \"count\": 2}",
      "\"definite\":  {\"count\": 2, \"bytes\": 99, \"size\": 16}", NULL, NULL },
    { "\"rows\": [\"2 0 16 2\"", "\"ro\\u0077s\": [\"2 0 16 2\"", NULL, NULL },
    { "\"2 0 16 2\"", "\"\\u0032 0 16 2\"", NULL, NULL },
    { "\"leaks\": {", "\"leaks\" :\n\t{ ", NULL, NULL },
};

START_TEST(test_leaks_compatible)
{
    check_same_edit(EXAMPLE_LEAKS, leak_same_edits[_i]);
}
END_TEST

/* A check that found no block at all: no rows, every summary 0. */
START_TEST(test_leaks_empty)
{
    char *text;
    cli_snapshot_free(fixture(EXAMPLE_LEAKS, &text));
    json_t *root = json_loads(text, 0, NULL);
    json_t *leaks = json_object_get(root, "leaks");
    json_array_clear(json_object_get(leaks, "rows"));
    for (int kind = 0; kind < CLI_LEAK_KINDS; kind++)
        json_object_set_new(json_object_get(leaks, "summary"), cli_leak_kind_names[kind],
                            json_pack("{s:i, s:i}", "size", 0, "count", 0));
    char *dumped = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    cli_snapshot_t *s = parse_ok("example.json", dumped, strlen(dumped));
    ck_assert_int_eq(s->leaks.present, 1);
    ck_assert_uint_eq(s->leaks.nrows, 0);
    for (int kind = 0; kind < CLI_LEAK_KINDS; kind++)
        ck_assert_uint_eq(s->leaks.summary[kind].size + s->leaks.summary[kind].count, 0);
    cli_snapshot_free(s);
    free(dumped);
    free(text);
}
END_TEST

/* Each edit of the example with leaks and the one line it must give. */
static const error_edit_t leak_error_edits[] = {
    /* the object and its plain members */
    { "\"leaks\": {\n    \"complete\": false,", "\"leaks\": 7, \"x\": {\n    \"complete\": false,",
      "example.json: \"leaks\" is an integer, expected an object" },
    { "\"complete\": false,\n    ", "", "example.json: \"leaks.complete\" is missing" },
    { "\"complete\": false,", "\"complete\": 0,",
      "example.json: \"leaks.complete\" is an integer, expected true or false" },
    { "\"threads\": 3,", "\"threads\": -1,",
      "example.json: \"leaks.threads\" is -1, expected a non-negative integer" },
    { "\"threads\": 3,\n    ", "", "example.json: \"leaks.threads\" is missing" },
    /* kinds */
    { "\"reachable\", \"ignored\"]", "\"reachable\"]",
      "example.json: \"leaks.kinds\" has 4 names, expected 5: definite, indirect, possible, "
      "reachable, ignored" },
    { "\"indirect\", \"possible\"", "\"indirect\", \"posible\"",
      "example.json: \"leaks.kinds[2]\" is \"posible\", expected \"possible\"" },
    { "[\"definite\", \"indirect\",", "[\"indirect\", \"definite\",",
      "example.json: \"leaks.kinds[0]\" is \"indirect\", expected \"definite\"" },
    { "\"reachable\", \"ignored\"]", "\"reachable\", 4]",
      "example.json: \"leaks.kinds[4]\" is an integer, expected \"ignored\"" },
    { "\"reachable\", \"ignored\"]", "\"reachable\", \"ignored \"]",
      "example.json: \"leaks.kinds[4]\" is \"ignored \", expected \"ignored\"" },
    { "\"kinds\": [\"definite\", \"indirect\", \"possible\", \"reachable\", \"ignored\"]",
      "\"kinds\": \"all\"", "example.json: \"leaks.kinds\" is a string, expected an array" },
    /* summary */
    { "\"summary\": {", "\"old_summary\": {", "example.json: \"leaks.summary\" is missing" },
    { "\"possible\":  {\"size\": 0, \"count\": 0},\n      ", "",
      "example.json: \"leaks.summary.possible\" is missing" },
    { "\"possible\":  {\"size\": 0, \"count\": 0}", "\"possible\":  [0, 0]",
      "example.json: \"leaks.summary.possible\" is an array, expected an object" },
    { "\"reachable\": {\"size\": 8, \"count\": 1}", "\"reachable\": {\"size\": 8}",
      "example.json: \"leaks.summary.reachable.count\" is missing" },
    { "\"ignored\":   {\"size\": 10,", "\"ignored\":   {\"size\": -10,",
      "example.json: \"leaks.summary.ignored.size\" is -10, expected a non-negative integer" },
    /* columns */
    { "[\"traceback\", \"kind\", \"size\", \"count\"]", "[\"traceback\", \"kind\", \"size\"]",
      "example.json: \"leaks.columns\" has 3 names, expected 4: traceback, kind, size, count" },
    { "[\"traceback\", \"kind\",", "[\"traceback\", \"type\",",
      "example.json: \"leaks.columns[1]\" is \"type\", expected \"kind\"" },
    { "\"columns\": [\"traceback\"", "\"cols\": [\"traceback\"",
      "example.json: \"leaks.columns\" is missing" },
    /* rows */
    { "\"rows\": [\"2 0 16 2\", \"1 1 48 2\", \"2 3 8 1\", \"3 4 10 1\"]",
      "\"rows\": \"2 0 16 2\"", "example.json: \"leaks.rows\" is a string, expected an array" },
    { "\"1 1 48 2\"", "[1, 1, 48, 2]", "example.json: leaks row 1 is an array, expected a string" },
    { "\"2 3 8 1\"", "\"2 3 8 x\"",
      "example.json: leaks row 2: not decimal numbers separated by single spaces "
      "(at character 6)" },
    { "\"2 3 8 1\"", "\"2 3  8 1\"",
      "example.json: leaks row 2: not decimal numbers separated by single spaces "
      "(at character 4)" },
    { "\"3 4 10 1\"", "\"3 4 10 1 \"",
      "example.json: leaks row 3: not decimal numbers separated by single spaces "
      "(at character 9)" },
    { "\"2 0 16 2\"", "\"\"",
      "example.json: leaks row 0: not decimal numbers separated by single spaces "
      "(at character 0)" },
    { "\"2 3 8 1\"", "\"2 3 8\"",
      "example.json: leaks row 2: 3 numbers, expected 4 (traceback, kind, size, count)" },
    { "\"2 3 8 1\"", "\"2 3 8 1 0\"",
      "example.json: leaks row 2: 5 numbers, expected 4 (traceback, kind, size, count)" },
    { "\"2 3 8 1\"", "\"2 3 18446744073709551616 1\"",
      "example.json: leaks row 2: number 3 does not fit in 64 bits" },
    { "\"3 4 10 1\"", "\"3 5 10 1\"",
      "example.json: leaks row 3: kind 5 past \"leaks.kinds\" (5 kinds)" },
    { "\"2 3 8 1\"", "\"2 3 8 0\"",
      "example.json: leaks row 2: count 0, expected 1 or more (rows are only written for blocks)" },
    { "\"2 0 16 2\"", "\"6 0 16 2\"",
      "example.json: leaks row 0: traceback 6 is not in the tracebacks table" },
    { "\"3 4 10 1\"", "\"0 4 10 1\"",
      "example.json: leaks row 3: traceback 0 is not in the tracebacks table" },
    { "\"3 4 10 1\"", "\"4294967298 4 10 1\"",
      "example.json: leaks row 3: traceback 4294967298 is not in the tracebacks table" },
    { "\"3 4 10 1\"", "\"2 0 10 1\"",
      "example.json: leaks row 3: traceback 2 and kind definite again (as in row 0)" },
    /* sums */
    { "\"2 3 8 1\"", "\"2 3 9 1\"",
      "example.json: the leaks rows of kind reachable add up to 9 bytes in 1 blocks, but "
      "\"leaks.summary.reachable\" says 8 bytes in 1 blocks" },
    { "\"definite\":  {\"size\": 16, \"count\": 2}", "\"definite\":  {\"size\": 16, \"count\": 3}",
      "example.json: the leaks rows of kind definite add up to 16 bytes in 2 blocks, but "
      "\"leaks.summary.definite\" says 16 bytes in 3 blocks" },
    { "\"possible\":  {\"size\": 0,", "\"possible\":  {\"size\": 5,",
      "example.json: the leaks rows of kind possible add up to 0 bytes in 0 blocks, but "
      "\"leaks.summary.possible\" says 5 bytes in 0 blocks" },
    { "\"2 3 8 1\", \"3 4 10 1\"", "\"2 3 18446744073709551615 1\", \"3 3 10 1\"",
      "example.json: the leaks rows of kind reachable add up to more than 64 bits" },
};

START_TEST(test_leaks_error_edit)
{
    check_error_edit(EXAMPLE_LEAKS, leak_error_edits[_i].from, leak_error_edits[_i].to,
                     leak_error_edits[_i].error);
}
END_TEST

/* ---- truncated ------------------------------------------------------------- */

START_TEST(test_truncated)
{
    /* Every cut of the compact example, and some of a larger snapshot. */
    size_t length;
    char *text = read_text(CORPUS "/doc-example.json", &length);
    ck_assert_int_eq(text[length - 1], '\n');
    size_t *cuts = malloc(length * sizeof cuts[0]);
    for (size_t i = 0; i + 1 < length; i++)
        cuts[i] = i;
    check_cuts("cut.json", text, cuts, length - 1);
    free(cuts);
    /* Exact messages at a few cuts: in a key, in a number, in a row, in the
     * frame table, at the end. */
    static const struct {
        const char *after;
        size_t extra;
        const char *error;
    } exact[] = {
        { "{\"form", 0, "cut.json: truncated or invalid JSON at line 1, column 6: premature end "
                        "of input near '\"form'" },
        { "\"pid\":150", 0, "cut.json: truncated or invalid JSON at line 1, column 61: '}' "
                            "expected near end of file" },
        { "\"rows\":[\"2 0 0 24", 0, "cut.json: truncated or invalid JSON at line 1, column "
                                     "1634: premature end of input near '\"2 0 0 24'" },
        { "\"frames\":[\"0:12a6\",\"0:1", 0, "cut.json: truncated or invalid JSON at line 1, "
                                            "column 1415: premature end of input near '\"0:1'" },
        { "\"stack_cache_misses\":5}", 0, "cut.json: truncated or invalid JSON at line 1, "
                                          "column 2804: '}' expected near end of file" },
    };
    for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++) {
        const char *at = strstr(text, exact[i].after);
        ck_assert_ptr_nonnull(at);
        size_t cut = (size_t)(at - text) + strlen(exact[i].after) + exact[i].extra;
        char error[512];
        ck_assert_ptr_null(cli_snapshot_parse("cut.json", text, cut, error, sizeof error));
        ck_assert_str_eq(error, exact[i].error);
    }
    /* without its final newline it is whole */
    cli_snapshot_t *snapshot = parse_ok("cut.json", text, length - 1);
    cli_snapshot_free(snapshot);
    free(text);

    text = read_text(CORPUS "/python3-sampled-2frames.json", &length);
    size_t some[] = { 0, 17, length / 5, length / 4, length / 3, length / 2, length - 40,
                      length - 2 };
    check_cuts("python3.json", text, some, sizeof some / sizeof some[0]);
    free(text);
}
END_TEST

/* ---- crashers -------------------------------------------------------------- */

static void check_crasher(const char *path)
{
    size_t length;
    char *text = read_text(path, &length);
    char error[512];
    cli_snapshot_t *snapshot = cli_snapshot_parse("crasher.json", text, length, error,
                                                  sizeof error);
    if (snapshot != NULL) {
        check_promises(snapshot);
        cli_snapshot_free(snapshot);
    } else {
        ck_assert_msg(strncmp(error, "crasher.json: ", 14) == 0 && strchr(error, '\n') == NULL,
                      "%s: error '%s'", path, error);
    }
    free(text);
}

START_TEST(test_crashers)
{
    size_t count = each_file(CRASHERS, check_crasher);
    fprintf(stderr, "check_reader: %zu inputs of " CRASHERS " read again\n", count);
}
END_TEST

static Suite *reader_suite(void)
{
    Suite *suite = suite_create("reader");
    TCase *example_case = tcase_create("example");
    tcase_add_test(example_case, test_example);
    suite_add_tcase(suite, example_case);

    TCase *real = tcase_create("real");
    tcase_add_test(real, test_real_snapshots);
    tcase_add_test(real, test_real_sites);
    tcase_add_test(real, test_real_sampled);
    suite_add_tcase(suite, real);

    TCase *live = tcase_create("live");
    tcase_set_timeout(live, 30);
    tcase_add_test(live, test_live);
    suite_add_tcase(suite, live);

    TCase *compatible = tcase_create("compatible");
    tcase_add_loop_test(compatible, test_compatible_edit, 0,
                        (int)(sizeof same_edits / sizeof same_edits[0]));
    tcase_add_test(compatible, test_compatible_columns);
    tcase_add_test(compatible, test_compatible_layouts);
    tcase_add_test(compatible, test_edges);
    tcase_add_test(compatible, test_many_rows);
    suite_add_tcase(suite, compatible);

    TCase *errors = tcase_create("errors");
    tcase_add_loop_test(errors, test_error_edit, 0,
                        (int)(sizeof error_edits / sizeof error_edits[0]));
    tcase_add_test(errors, test_error_documents);
    tcase_add_test(errors, test_error_files);
    tcase_add_test(errors, test_error_buffer);
    suite_add_tcase(suite, errors);

    TCase *leaks = tcase_create("leaks");
    tcase_add_test(leaks, test_leaks_example);
    tcase_add_loop_test(leaks, test_leaks_compatible, 0,
                        (int)(sizeof leak_same_edits / sizeof leak_same_edits[0]));
    tcase_add_test(leaks, test_leaks_empty);
    tcase_add_loop_test(leaks, test_leaks_error_edit, 0,
                        (int)(sizeof leak_error_edits / sizeof leak_error_edits[0]));
    suite_add_tcase(suite, leaks);

    TCase *truncated = tcase_create("truncated");
    tcase_set_timeout(truncated, 60);
    tcase_add_test(truncated, test_truncated);
    suite_add_tcase(suite, truncated);

    TCase *crashers = tcase_create("crashers");
    tcase_set_timeout(crashers, 60);
    tcase_add_test(crashers, test_crashers);
    suite_add_tcase(suite, crashers);
    return suite;
}

int main(void)
{
    if (getenv("READER_TEST_CHILD") != NULL)
        return live_child();
    return run_suite(reader_suite());
}
