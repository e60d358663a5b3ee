/* reader.h: a snapshot file (docs/snapshot-format.md) read into memory and
 * checked, for the subcommands that analyse snapshots.
 *
 * Everything the analysis needs is copied out of the JSON into plain C
 * arrays; the JSON document itself is kept only for the allocator table,
 * which `top` prints as it is. A file that is missing, unreadable, cut
 * short, not JSON, of another format or version, or inconsistent (a frame id
 * past the frame table, a module index past the module list, a negative or
 * non-integer number where a count belongs...) is refused with one line
 * naming the file and the problem.
 *
 * What is checked (tools/reader.c): every key read below is present with
 * its documented type, every count a non-negative integer; the columns are
 * found by name (unknown ones skipped, "frames..." last); each row is
 * decimal numbers separated by single spaces, its id 2 or more and above
 * the previous row's, domain and id 32-bit, truncated 0 or 1, at most
 * settings.frames frame ids, each one below nframes; each frame "M:HEX"
 * with M below nmodules, or "-:HEX". Unknown keys are ignored; duplicate
 * keys make the JSON invalid. Messages count rows and frames from 0
 * ("x.json: tracebacks row 12: frame id 99 past the frame table (40
 * frames)").
 *
 * The optional "leaks" object (written by a leak check) is checked as
 * strictly: "kinds" exactly the five names of cli_leak_kind_names, in order;
 * "columns" exactly traceback, kind, size, count; each row four decimal
 * numbers separated by single spaces, its kind below 5, its count 1 or
 * more, its traceback 1 (the sampler's blocks) or the id of a tracebacks
 * row, no (traceback, kind) twice; every kind in "summary", and the rows of
 * each kind adding up to it ("x.json: leaks row 3: traceback 99 is not in
 * the tracebacks table"). */
#ifndef MEMSNAP_READER_H
#define MEMSNAP_READER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cli_module {
    char *path;
    uint64_t base;                /* load bias in the traced process */
    uint64_t start, end;          /* mapped range, relative to base */
    char *build_id;               /* lowercase hex; "" when the module had none */
} cli_module_t;

typedef struct cli_frame {
    int64_t module;               /* index into modules, or -1: no module */
    uint64_t offset;              /* from the module's base; the address itself when module is -1 */
} cli_frame_t;

typedef struct cli_traceback {
    uint32_t id;
    uint32_t domain;
    int truncated;
    uint64_t size, count;                 /* live now */
    uint64_t total_size, total_count;     /* allocated since tracing started */
    uint64_t peak_size, peak_count;       /* in the peak breakdown */
    uint32_t nframes;
    const uint32_t *frames;               /* frame ids, innermost first, each < nframes; the
                                           * rows' ids are one array, owned by the snapshot */
} cli_traceback_t;

/* The kinds of a leak check, as "leaks.kinds" names them (memcheck's). */
typedef enum cli_leak_kind {
    CLI_LEAK_DEFINITE,            /* definitely lost */
    CLI_LEAK_INDIRECT,            /* indirectly lost: reached only from lost blocks */
    CLI_LEAK_POSSIBLE,            /* possibly lost: reached only through interior pointers */
    CLI_LEAK_REACHABLE,           /* still reachable */
    CLI_LEAK_IGNORED,             /* marked with memsnap_ignore: never reported */
    CLI_LEAK_KINDS,
} cli_leak_kind_t;

extern const char *const cli_leak_kind_names[CLI_LEAK_KINDS];

/* The traceback id of the blocks the sampler recorded without a traceback. */
#define CLI_UNSAMPLED_TRACEBACK 1

typedef struct cli_leak_row {
    uint32_t traceback;           /* CLI_UNSAMPLED_TRACEBACK, or a tracebacks id */
    cli_leak_kind_t kind;
    uint64_t size, count;         /* bytes and blocks of that traceback of that kind */
    const cli_traceback_t *trace; /* the tracebacks row of that id; NULL for 1 */
} cli_leak_row_t;

typedef struct cli_leaks {
    int present;                  /* the snapshot has a "leaks" object; all else is 0 if not */
    int complete;                 /* every thread's stack was scanned */
    uint64_t threads;             /* threads scanned */
    struct {
        uint64_t size, count;
    } summary[CLI_LEAK_KINDS];    /* by kind; the rows of a kind add up to it */
    cli_leak_row_t *rows;         /* in the file's order */
    size_t nrows;
} cli_leaks_t;

typedef struct cli_snapshot {
    char *path;                   /* the file it was read from */
    int64_t pid, ppid;
    char **argv;
    size_t argc;
    char *trigger;
    char *tag;                    /* NULL when the snapshot has none */
    uint64_t start_time_ns, snapshot_time_ns;
    uint64_t frames_setting;      /* settings.frames */
    uint64_t sample_bytes;        /* settings.sample_bytes: 0 = exact */
    cli_module_t *modules;
    size_t nmodules;
    cli_frame_t *frames;
    size_t nframes;
    cli_traceback_t *tracebacks;
    size_t ntracebacks;
    struct {
        uint64_t current, peak, allocations, frees, unsampled_size, unsampled_count;
    } totals;
    uint64_t peak_size, peak_time_ns;     /* the peak breakdown's moment */
    uint64_t (*timeline)[2];              /* [time_ns, bytes] */
    size_t ntimeline;
    json_t *allocator;                    /* the "allocator" object as written; each key the
                                           * format documents is there, an integer (every one
                                           * non-negative but brk_current), and "classes" an
                                           * array of objects of five such integers */
    cli_leaks_t leaks;                    /* the leak check's result, when there was one */
    json_t *document;                     /* owns the strings above that come from it. Its
                                           * "frames" and "tracebacks.rows" may be empty
                                           * arrays: those are read from the text directly
                                           * (use frames and tracebacks) */
} cli_snapshot_t;

/* Reads and checks the file at path. On failure returns NULL and puts one
 * line, "PATH: what is wrong" (no newline), into error. */
cli_snapshot_t *cli_snapshot_load(const char *path, char *error, size_t error_size);

/* The same from text in memory; name stands for the path in messages. */
cli_snapshot_t *cli_snapshot_parse(const char *name, const char *text, size_t length,
                                   char *error, size_t error_size);

void cli_snapshot_free(cli_snapshot_t *snapshot);

/* The whole file at path, in memory from malloc (not NUL-terminated;
 * *length bytes); NULL with *error_number set when it cannot be read. */
char *cli_read_file(const char *path, size_t *length, int *error_number);

#endif
