/* cmd_diff.c: `memsnap diff OLD NEW`: tracemalloc's Snapshot.compare_to,
 * and with --fail-on-growth an exit status CI can gate on. */
#include "analysis.h"

static void print_options(FILE *stream)
{
    cli_print_analysis_options(stream, CLI_OPTIONS_DIFF);
}

static int run(int argc, char **argv)
{
    cli_analysis_t analysis;
    int status = cli_parse_analysis(&cli_diff_command, argc, argv, CLI_OPTIONS_DIFF, 2, &analysis);
    if (status >= 0)
        return status;
    cli_loaded_t old_snapshot, new_snapshot;
    if (cli_load(analysis.paths[0], &old_snapshot) != 0)
        return CLI_EXIT_BAD_SNAPSHOT;
    if (cli_load(analysis.paths[1], &new_snapshot) != 0) {
        cli_unload(&old_snapshot);
        return CLI_EXIT_BAD_SNAPSHOT;
    }
    cli_stats_t old_stats, new_stats;
    cli_statistics(old_snapshot.snapshot, old_snapshot.symbols, &analysis.query, &old_stats);
    cli_statistics(new_snapshot.snapshot, new_snapshot.symbols, &analysis.query, &new_stats);
    cli_diffs_t diffs;
    cli_compare(&old_stats, &new_stats, &diffs);
    cli_report_t report = {
        .stream = stdout,
        .format = analysis.format,
        .colour = analysis.format == CLI_FORMAT_TEXT && cli_use_colour(),
        .top = analysis.top,
        .command = "diff",
        .old_path = analysis.paths[0],
        .new_path = analysis.paths[1],
        .query = &analysis.query,
    };
    cli_report_diffs(&report, &diffs);
    status = cli_finish_output();
    if (status == CLI_EXIT_OK && analysis.fail_on_growth_set &&
        diffs.total_size_diff > (int64_t)analysis.fail_on_growth) {
        char grown[32], allowed[32];
        cli_error("memory grew by %s, more than the %s --fail-on-growth allows",
                  cli_format_size(grown, sizeof grown, (double)diffs.total_size_diff, 1),
                  cli_format_size(allowed, sizeof allowed, (double)analysis.fail_on_growth, 0));
        status = CLI_EXIT_GROWTH;
    }
    cli_diffs_free(&diffs);
    cli_stats_free(&old_stats);
    cli_stats_free(&new_stats);
    cli_unload(&old_snapshot);
    cli_unload(&new_snapshot);
    return status;
}

const cli_command cli_diff_command = {
    .name = "diff",
    .synopsis = "[OPTIONS] OLD NEW",
    .summary = "what changed between two snapshots, as tracemalloc's compare_to()",
    .run = run,
    .print_options = print_options,
};
