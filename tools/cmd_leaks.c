/* cmd_leaks.c: `memsnap leaks SNAP`: the leak check a snapshot holds
 * ("leaks", written by a run with MEMSNAP_LEAKS=1), as a report in the
 * format asked for, with an exit status CI can gate on (--fail) and the
 * one line the preload reads back (--status-fd). The options are parsed
 * with the other analysing commands' (analysis.c); the groups are built by
 * leak_groups.c and written by leak_output.c and leak_ci.c.
 *
 * The preload runs, at the traced program's exit, with this command's
 * stdout on the program's stderr:
 *   memsnap leaks SNAP --format text --status-fd 3 [--fail-kinds LIST]
 *                 [--suppressions FILE] [--gen-suppressions]
 * and decides the program's exit status from the line on fd 3. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "analysis.h"
#include "leak_groups.h"
#include "leak_words.h"

static void print_options(FILE *stream)
{
    cli_print_analysis_options(stream, CLI_OPTIONS_LEAKS);
}

/* "BLOCKS BYTES\n" to fd, whole (a pipe may take it in pieces). */
static int write_status(int fd, cli_leak_amount_t failing)
{
    char line[64];
    int length = snprintf(line, sizeof line, "%llu %llu\n", (unsigned long long)failing.count,
                          (unsigned long long)failing.size);
    for (int done = 0; done < length;) {
        ssize_t wrote = write(fd, line + done, (size_t)(length - done));
        if (wrote < 0 && errno == EINTR)
            continue;
        if (wrote <= 0)
            return -1;
        done += (int)wrote;
    }
    return 0;
}

/* The combinations the option table cannot refuse on its own. */
static int check_options(const cli_analysis_t *analysis)
{
    if (analysis->leaks.gen_suppressions && analysis->leaks.format != CLI_LEAK_TEXT)
        return cli_usage_error("leaks: --gen-suppressions goes with --format text, not %s",
                               cli_leak_format_names[analysis->leaks.format]);
    return -1;
}

/* Reports check, writes the status line, and says which status to exit
 * with. */
static int report(const cli_analysis_t *analysis, const cli_leak_check_t *check)
{
    const cli_leak_options_t *options = &analysis->leaks;
    cli_leak_output_t output = {
        .stream = stdout,
        .format = options->format,
        .colour = options->format == CLI_LEAK_TEXT && cli_use_colour(),
        .gen_suppressions = options->gen_suppressions,
    };
    cli_leak_report(&output, check);
    int status = cli_finish_output();
    /* Written even when the report could not be: the preload's verdict
     * does not depend on the program's stderr being open. */
    if (options->status_fd >= 0 && write_status(options->status_fd, check->failing) != 0) {
        cli_error("cannot write to --status-fd %d: %s", options->status_fd, strerror(errno));
        status = CLI_EXIT_USAGE;
    }
    if (status == CLI_EXIT_OK && options->fail_status != 0 && check->failing_groups > 0) {
        char kinds[64];
        cli_error("%zu group%s of the failing kinds (%s) left: %llu bytes in %llu blocks",
                  check->failing_groups, check->failing_groups == 1 ? "" : "s",
                  cli_leak_kinds_text(kinds, sizeof kinds, check->failing_kinds),
                  (unsigned long long)check->failing.size,
                  (unsigned long long)check->failing.count);
        status = options->fail_status;
    }
    return status;
}

static int run(int argc, char **argv)
{
    cli_analysis_t analysis;
    int status = cli_parse_analysis(&cli_leaks_command, argc, argv, CLI_OPTIONS_LEAKS, 1,
                                    &analysis);
    if (status < 0)
        status = check_options(&analysis);
    if (status >= 0) {
        cli_suppressions_free(&analysis.leaks.suppressions);
        return status;
    }
    const char *path = analysis.paths[0];
    cli_loaded_t loaded;
    cli_leak_check_t check;
    if (cli_load(path, &loaded) != 0) {
        cli_suppressions_free(&analysis.leaks.suppressions);
        return CLI_EXIT_BAD_SNAPSHOT;
    }
    if (!loaded.snapshot->leaks.present) {
        cli_error("%s: no leak check in this snapshot (run the program with memsnap run --leaks)",
                  path);
        status = CLI_EXIT_BAD_SNAPSHOT;
    } else if (cli_leak_check_build(&check, loaded.snapshot, loaded.symbols,
                                    &analysis.leaks.suppressions, analysis.leaks.listed_kinds,
                                    analysis.leaks.failing_kinds) != 0) {
        status = CLI_EXIT_BAD_SNAPSHOT;
    } else {
        status = report(&analysis, &check);
        cli_leak_check_free(&check);
    }
    cli_unload(&loaded);
    cli_suppressions_free(&analysis.leaks.suppressions);
    return status;
}

const cli_command cli_leaks_command = {
    .name = "leaks",
    .synopsis = "[OPTIONS] SNAPSHOT",
    .summary = "the leak check of a run with --leaks: lost blocks by traceback",
    .run = run,
    .print_options = print_options,
};
