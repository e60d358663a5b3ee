/* fuzz_reader.c: libFuzzer target for the snapshot reader (tools/reader.c).
 *
 * Each input goes through cli_snapshot_parse and cli_snapshot_free under
 * ASan, UBSan and LeakSanitizer. Beyond "no crash, no leak" it checks:
 *
 *   - a failure leaves one line, "fuzz.json: ...", in the error buffer;
 *   - a success keeps its promises: every frame id below nframes, every
 *     module index below nmodules, every string there, every leaks row of
 *     a kind below 5 pointing at the tracebacks row of its id (or at none,
 *     for the unsampled blocks' id 1);
 *   - the reader's two paths agree. Rows and frames are read straight from
 *     the text when the keys "rows" and "frames" are written plainly, from
 *     jansson's strings otherwise; spelling those keys with an escape
 *     ("ro\u0077s", "fr\u0061mes") means the same JSON but forces the
 *     second path, so both spellings must give the same snapshot, or the
 *     same error (the JSON errors differ only in their position).
 *
 * Any disagreement aborts, which libFuzzer reports as a crash. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reader.h"

#define NAME "fuzz.json"

static void expect(int condition, const char *what)
{
    if (!condition) {
        fprintf(stderr, "fuzz_reader: %s\n", what);
        abort();
    }
}

static void check_error(const char *error)
{
    static const char prefix[] = NAME ": ";
    expect(strncmp(error, prefix, sizeof prefix - 1) == 0, "error does not start with the name");
    expect(strlen(error) > sizeof prefix - 1, "error is empty");
    for (const char *p = error; *p != '\0'; p++)
        expect((unsigned char)*p >= 0x20 && *p != 0x7f, "error is not one printable line");
}

static void check_snapshot(const cli_snapshot_t *snapshot)
{
    expect(snapshot->path != NULL && strcmp(snapshot->path, NAME) == 0, "path");
    expect(snapshot->argv != NULL && snapshot->argv[snapshot->argc] == NULL, "argv");
    for (size_t i = 0; i < snapshot->argc; i++)
        expect(snapshot->argv[i] != NULL, "argv element");
    expect(snapshot->trigger != NULL, "trigger");
    expect(snapshot->frames_setting >= 1, "settings.frames");
    for (size_t i = 0; i < snapshot->nmodules; i++)
        expect(snapshot->modules[i].path != NULL && snapshot->modules[i].build_id != NULL &&
               snapshot->modules[i].start <= snapshot->modules[i].end, "module");
    for (size_t i = 0; i < snapshot->nframes; i++)
        expect(snapshot->frames[i].module >= -1 &&
               snapshot->frames[i].module < (int64_t)snapshot->nmodules, "frame module");
    for (size_t i = 0; i < snapshot->ntracebacks; i++) {
        const cli_traceback_t *row = &snapshot->tracebacks[i];
        expect(row->id >= 2 && (i == 0 || row->id > snapshot->tracebacks[i - 1].id), "row id");
        expect(row->truncated == 0 || row->truncated == 1, "truncated");
        expect(row->nframes <= snapshot->frames_setting, "row frame count");
        for (uint32_t k = 0; k < row->nframes; k++)
            expect(row->frames[k] < snapshot->nframes, "frame id");
    }
    expect(snapshot->allocator != NULL && json_is_object(snapshot->allocator), "allocator");
    expect(snapshot->document != NULL, "document");
    const cli_leaks_t *leaks = &snapshot->leaks;
    expect(leaks->present || (leaks->nrows == 0 && leaks->rows == NULL), "leaks without leaks");
    for (size_t i = 0; i < leaks->nrows; i++) {
        const cli_leak_row_t *row = &leaks->rows[i];
        expect(row->kind < CLI_LEAK_KINDS && row->count >= 1, "leaks row kind or count");
        expect(row->traceback == CLI_UNSAMPLED_TRACEBACK
                   ? row->trace == NULL
                   : row->trace != NULL && row->trace >= snapshot->tracebacks &&
                         row->trace < snapshot->tracebacks + snapshot->ntracebacks &&
                         row->trace->id == row->traceback,
               "leaks row traceback");
    }
}

static int same_string(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void compare(const cli_snapshot_t *a, const cli_snapshot_t *b)
{
    expect(a->pid == b->pid && a->ppid == b->ppid && a->argc == b->argc, "process differs");
    for (size_t i = 0; i < a->argc; i++)
        expect(strcmp(a->argv[i], b->argv[i]) == 0, "argv differs");
    expect(same_string(a->trigger, b->trigger) && same_string(a->tag, b->tag), "trigger/tag differ");
    expect(a->start_time_ns == b->start_time_ns && a->snapshot_time_ns == b->snapshot_time_ns,
           "times differ");
    expect(a->frames_setting == b->frames_setting && a->sample_bytes == b->sample_bytes,
           "settings differ");
    expect(a->nmodules == b->nmodules, "module count differs");
    for (size_t i = 0; i < a->nmodules; i++) {
        const cli_module_t *x = &a->modules[i], *y = &b->modules[i];
        expect(strcmp(x->path, y->path) == 0 && x->base == y->base && x->start == y->start &&
               x->end == y->end && strcmp(x->build_id, y->build_id) == 0, "module differs");
    }
    expect(a->nframes == b->nframes, "frame count differs");
    for (size_t i = 0; i < a->nframes; i++)
        expect(a->frames[i].module == b->frames[i].module &&
               a->frames[i].offset == b->frames[i].offset, "frame differs");
    expect(a->ntracebacks == b->ntracebacks, "row count differs");
    for (size_t i = 0; i < a->ntracebacks; i++) {
        const cli_traceback_t *x = &a->tracebacks[i], *y = &b->tracebacks[i];
        expect(x->id == y->id && x->domain == y->domain && x->truncated == y->truncated &&
               x->size == y->size && x->count == y->count && x->total_size == y->total_size &&
               x->total_count == y->total_count && x->peak_size == y->peak_size &&
               x->peak_count == y->peak_count && x->nframes == y->nframes, "row differs");
        expect(x->nframes == 0 || memcmp(x->frames, y->frames, x->nframes * sizeof x->frames[0]) == 0,
               "row frames differ");
    }
    expect(memcmp(&a->totals, &b->totals, sizeof a->totals) == 0, "totals differ");
    expect(a->peak_size == b->peak_size && a->peak_time_ns == b->peak_time_ns, "peak differs");
    expect(a->ntimeline == b->ntimeline, "timeline length differs");
    expect(a->ntimeline == 0 ||
           memcmp(a->timeline, b->timeline, a->ntimeline * sizeof a->timeline[0]) == 0,
           "timeline differs");
    expect(json_equal(a->allocator, b->allocator), "allocator differs");
    expect(a->leaks.present == b->leaks.present && a->leaks.complete == b->leaks.complete &&
           a->leaks.threads == b->leaks.threads && a->leaks.nrows == b->leaks.nrows &&
           memcmp(a->leaks.summary, b->leaks.summary, sizeof a->leaks.summary) == 0,
           "leaks differ");
    for (size_t i = 0; i < a->leaks.nrows; i++) {
        const cli_leak_row_t *x = &a->leaks.rows[i], *y = &b->leaks.rows[i];
        expect(x->traceback == y->traceback && x->kind == y->kind && x->size == y->size &&
               x->count == y->count, "leaks row differs");
    }
}

/* text with every `"rows"` and `"frames"` spelt with an escape; NULL when
 * there is none (nothing to compare). */
static char *escaped_keys(const char *text, size_t length, size_t *result_length)
{
    static const struct {
        const char *plain, *escaped;
    } keys[] = { { "\"rows\"", "\"ro\\u0077s\"" }, { "\"frames\"", "\"fr\\u0061mes\"" } };
    size_t found = 0;
    for (size_t k = 0; k < 2; k++) {
        size_t n = strlen(keys[k].plain);
        for (const char *p = text; (p = memmem(p, length - (size_t)(p - text), keys[k].plain, n));
             p += n)
            found++;
    }
    if (found == 0)
        return NULL;
    char *copy = malloc(length + found * 6 + 1), *out = copy;
    if (copy == NULL)
        return NULL;
    for (size_t i = 0; i < length;) {
        size_t k = 0;
        while (k < 2 && !(length - i >= strlen(keys[k].plain) &&
                          memcmp(text + i, keys[k].plain, strlen(keys[k].plain)) == 0))
            k++;
        if (k < 2) {
            memcpy(out, keys[k].escaped, strlen(keys[k].escaped));
            out += strlen(keys[k].escaped);
            i += strlen(keys[k].plain);
        } else {
            *out++ = text[i++];
        }
    }
    *result_length = (size_t)(out - copy);
    return copy;
}

static int json_error(const char *error)
{
    static const char prefix[] = NAME ": truncated or invalid JSON at ";
    return strncmp(error, prefix, sizeof prefix - 1) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char error[512], other_error[512];
    const char *text = (const char *)data;
    cli_snapshot_t *snapshot = cli_snapshot_parse(NAME, text, size, error, sizeof error);
    if (snapshot == NULL)
        check_error(error);
    else
        check_snapshot(snapshot);

    size_t other_length = 0;
    char *other_text = escaped_keys(text, size, &other_length);
    if (other_text != NULL) {
        cli_snapshot_t *other =
            cli_snapshot_parse(NAME, other_text, other_length, other_error, sizeof other_error);
        expect((snapshot == NULL) == (other == NULL), "one spelling parses, the other does not");
        if (snapshot != NULL) {
            check_snapshot(other);
            compare(snapshot, other);
        } else {
            check_error(other_error);
            expect(json_error(error) == json_error(other_error), "different kinds of error");
            if (!json_error(error) && strcmp(error, other_error) != 0) {
                fprintf(stderr, "fuzz_reader: different errors:\n  %s\n  %s\n", error, other_error);
                abort();
            }
        }
        cli_snapshot_free(other);
        free(other_text);
    }

    cli_snapshot_free(snapshot);
    return 0;
}
