/* analysis.h: what the commands that read snapshots (`stats`, `diff`,
 * `top`, `leaks`) share: their options, and reading a snapshot with its
 * symbols. */
#ifndef MEMSNAP_ANALYSIS_H
#define MEMSNAP_ANALYSIS_H

#include <stdio.h>

#include "cli.h"
#include "leak_output.h"
#include "reader.h"
#include "report.h"
#include "statistics.h"
#include "suppressions.h"
#include "symbols.h"

#define CLI_FILTERS_MAX 64
#define CLI_DEFAULT_TOP 10

/* Which command an option belongs to (bits: an option may be several's). */
enum { CLI_OPTIONS_STATS = 1, CLI_OPTIONS_DIFF = 2, CLI_OPTIONS_TOP = 4, CLI_OPTIONS_LEAKS = 8 };
/* The commands that group traces as tracemalloc does. */
#define CLI_OPTIONS_TRACES (CLI_OPTIONS_STATS | CLI_OPTIONS_DIFF | CLI_OPTIONS_TOP)

/* The options of `leaks`. */
typedef struct cli_leak_options {
    cli_leak_format_t format;
    unsigned listed_kinds;        /* --kinds (leak_words.h masks) */
    unsigned failing_kinds;       /* --fail-kinds */
    int fail_status;              /* --fail[=N]: N; 0 without --fail */
    int status_fd;                /* --status-fd N: N; -1 without */
    int gen_suppressions;         /* --gen-suppressions */
    cli_suppressions_t suppressions;   /* every --suppressions FILE's rules, in order */
} cli_leak_options_t;

typedef struct cli_analysis {
    cli_query_t query;
    cli_filter_t filters[CLI_FILTERS_MAX];
    size_t top;                   /* rows; 0 = all */
    cli_output_format_t format;
    int fail_on_growth_set;
    uint64_t fail_on_growth;      /* bytes */
    const char *paths[2];
    size_t npaths;
    cli_leak_options_t leaks;
} cli_analysis_t;

/* Parses argv[1...] (argv[0] is the command's name) into analysis, with
 * npaths snapshot paths. Returns -1 when the caller should go on, or the
 * exit status (after the error line, or the help text for --help). The
 * caller frees analysis->leaks.suppressions in both cases. */
int cli_parse_analysis(const cli_command *command, int argc, char **argv, int which,
                       size_t npaths, cli_analysis_t *analysis);
void cli_print_analysis_options(FILE *stream, int which);

/* A snapshot with its symbols, or NULL after its one-line error. */
typedef struct cli_loaded {
    cli_snapshot_t *snapshot;
    cli_symbols_t *symbols;
} cli_loaded_t;

int cli_load(const char *path, cli_loaded_t *loaded);
void cli_unload(cli_loaded_t *loaded);

/* Exit status for an analysis that could not read its input. */
#define CLI_EXIT_BAD_SNAPSHOT 2
/* `diff --fail-on-growth`: the total grew by more than allowed. */
#define CLI_EXIT_GROWTH 1

#endif
