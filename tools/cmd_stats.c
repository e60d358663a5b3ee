/* cmd_stats.c: `memsnap stats SNAP`: tracemalloc's Snapshot.statistics on
 * a memsnap snapshot: traces grouped, filtered, biggest first. */
#include "analysis.h"

static void print_options(FILE *stream)
{
    cli_print_analysis_options(stream, CLI_OPTIONS_STATS);
}

static int run(int argc, char **argv)
{
    cli_analysis_t analysis;
    int status = cli_parse_analysis(&cli_stats_command, argc, argv, CLI_OPTIONS_STATS, 1, &analysis);
    if (status >= 0)
        return status;
    cli_loaded_t loaded;
    if (cli_load(analysis.paths[0], &loaded) != 0)
        return CLI_EXIT_BAD_SNAPSHOT;
    cli_stats_t stats;
    cli_statistics(loaded.snapshot, loaded.symbols, &analysis.query, &stats);
    cli_report_t report = {
        .stream = stdout,
        .format = analysis.format,
        .colour = analysis.format == CLI_FORMAT_TEXT && cli_use_colour(),
        .top = analysis.top,
        .command = "stats",
        .new_path = analysis.paths[0],
        .query = &analysis.query,
    };
    cli_report_stats(&report, &stats);
    cli_stats_free(&stats);
    cli_unload(&loaded);
    return cli_finish_output();
}

const cli_command cli_stats_command = {
    .name = "stats",
    .synopsis = "[OPTIONS] SNAPSHOT",
    .summary = "the biggest groups of live memory, as tracemalloc's statistics()",
    .run = run,
    .print_options = print_options,
};
