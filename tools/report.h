/* report.h: statistics and differences written out as text (tracemalloc's
 * lines), JSON (docs/cli-json.md) or CSV, and the size format they share. */
#ifndef MEMSNAP_REPORT_H
#define MEMSNAP_REPORT_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "statistics.h"

typedef enum cli_output_format { CLI_FORMAT_TEXT, CLI_FORMAT_JSON, CLI_FORMAT_CSV } cli_output_format_t;

/* tracemalloc's _format_size: "512 B", "12.3 KiB", "140 KiB", "1.2 MiB";
 * with sign, "+0 B", "-1.2 KiB". Returns buffer. */
char *cli_format_size(char *buffer, size_t size, double bytes, int sign);

/* Whether text output may use colour: stdout is a terminal, NO_COLOR is
 * unset or empty, and TERM is not "dumb". */
int cli_use_colour(void);

typedef struct cli_report {
    FILE *stream;
    cli_output_format_t format;
    int colour;
    size_t top;                   /* rows at most; 0 = all */
    const char *command;          /* "stats" or "diff", for JSON */
    const char *old_path, *new_path;   /* the snapshots (old is NULL for stats) */
    const cli_query_t *query;
} cli_report_t;

int cli_report_stats(const cli_report_t *report, const cli_stats_t *stats);
int cli_report_diffs(const cli_report_t *report, const cli_diffs_t *diffs);

/* Writes root, indented, then a newline; -1 when that failed. Takes
 * root's reference. */
int cli_dump_json(FILE *stream, json_t *root);

/* The traced process's command line, its first 8 words and " ..." after
 * them, each word after a space (" ./prog -v"). */
void cli_print_command_line(FILE *stream, const cli_snapshot_t *snapshot);

/* The names of the groupings and measures, as the options spell them. */
extern const char *const cli_group_by_names[];
extern const char *const cli_measure_names[];

#endif
