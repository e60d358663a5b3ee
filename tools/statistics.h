/* statistics.h: tracemalloc's Snapshot.statistics and compare_to over
 * memsnap snapshots: traces grouped by a key, filtered, sorted.
 *
 * A group's key is a list of location texts, interned process-wide so that
 * the same text has the same id in every snapshot read: one text for
 * lineno ("file.c:12"), filename, function and module grouping, and one per
 * source frame (inlined frames expanded, innermost first) for traceback
 * grouping. Keys of two snapshots thus compare as id lists, and texts are
 * only built once per distinct location. */
#ifndef MEMSNAP_STATISTICS_H
#define MEMSNAP_STATISTICS_H

#include <stddef.h>
#include <stdint.h>

#include "reader.h"
#include "symbols.h"

typedef enum cli_group_by {
    CLI_GROUP_LINENO,
    CLI_GROUP_FILENAME,
    CLI_GROUP_FUNCTION,
    CLI_GROUP_MODULE,
    CLI_GROUP_TRACEBACK,
} cli_group_by_t;

/* Which counters of a traceback a statistic adds up. */
typedef enum cli_measure {
    CLI_MEASURE_LIVE,             /* size, count: live now */
    CLI_MEASURE_TOTAL,            /* total_size, total_count: allocated in all */
    CLI_MEASURE_PEAK,             /* peak_size, peak_count: in the peak breakdown */
} cli_measure_t;

/* tracemalloc.Filter: pattern (fnmatch) on a frame's file name, function
 * name or module path (or the module's base name); line 0 means any. */
typedef struct cli_filter {
    int inclusive;
    const char *pattern;
    unsigned line;
} cli_filter_t;

typedef struct cli_query {
    cli_group_by_t group_by;
    cli_measure_t measure;
    int cumulative;               /* every frame of a traceback counts, once */
    int all_frames;               /* filters look at every frame, not the innermost */
    int has_domain;
    uint32_t domain;
    const cli_filter_t *filters;
    size_t nfilters;
} cli_query_t;

typedef struct cli_key {
    const uint32_t *ids;          /* interned location texts */
    uint32_t length;
} cli_key_t;

typedef struct cli_stat {
    cli_key_t key;
    uint64_t size, count;
} cli_stat_t;

typedef struct cli_stats {
    cli_stat_t *items;
    size_t count;
    uint64_t total_size, total_count;   /* over the traces that passed the filters */
} cli_stats_t;

typedef struct cli_stat_diff {
    cli_key_t key;
    uint64_t size, count;
    int64_t size_diff, count_diff;
} cli_stat_diff_t;

typedef struct cli_diffs {
    cli_stat_diff_t *items;
    size_t count;
    int64_t total_size_diff, total_count_diff;
    uint64_t total_size, total_count;
} cli_diffs_t;

/* A source frame as a traceback group shows it: "file.c:12 (function)";
 * without a file "function (libfoo.so)", or the function text alone when
 * it is an offset ("parse+0x1c", "libfoo.so+0x1234", "0x7f..."). Returns
 * buffer (cut to size). */
char *cli_format_location(char *buffer, size_t size, const cli_location_t *location);

/* The text of an interned id. */
const char *cli_location_text(uint32_t id);
/* Keys in the order of their texts, frame by frame (strcmp's sign). */
int cli_compare_keys(cli_key_t a, cli_key_t b);

/* Groups snapshot's traces as query says, sorted as Snapshot.statistics
 * sorts them: size, count and key, all descending. */
int cli_statistics(const cli_snapshot_t *snapshot, cli_symbols_t *symbols,
                   const cli_query_t *query, cli_stats_t *out);
void cli_stats_free(cli_stats_t *stats);

/* Snapshot.compare_to: every group of new, with its change from old, and
 * the groups only old has, at size 0; sorted as compare_to sorts them:
 * |size_diff|, size, |count_diff|, count and key, all descending. */
int cli_compare(const cli_stats_t *old_stats, const cli_stats_t *new_stats, cli_diffs_t *out);
void cli_diffs_free(cli_diffs_t *diffs);

#endif
