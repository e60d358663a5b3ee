/* cli.c: what every subcommand shares: the one-line errors, the help of a
 * command with the exit statuses, and the check that the report was
 * written. main.c holds only the command table and the entry point, so the
 * tool's check suites can link everything else. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* One line on stderr: "memsnap: ", the message, then ending. */
static void print_error(const char *ending, const char *format, va_list arguments)
{
    fputs("memsnap: ", stderr);
    vfprintf(stderr, format, arguments);
    fputs(ending, stderr);
}

void cli_error(const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    print_error("\n", format, arguments);
    va_end(arguments);
}

int cli_usage_error(const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    print_error("; see 'memsnap help'\n", format, arguments);
    va_end(arguments);
    return CLI_EXIT_USAGE;
}

const char *cli_base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash != NULL ? slash + 1 : path;
}

/* A failed write of the report (a closed pipe, a full disk) must not pass
 * for success. */
int cli_finish_output(void)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error("cannot write the report: %s", strerror(errno));
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

void cli_print_exit_statuses(FILE *stream)
{
    fprintf(stream,
            "Exit status:\n"
            "  %-6d success; for 'run', PROG's own exit status\n"
            "  1      'diff --fail-on-growth': memory grew by more than allowed\n"
            "  %-6d usage error, libmemsnap.so not found, a snapshot that cannot\n"
            "         be read (missing, truncated, not a snapshot...), 'leaks' on a\n"
            "         snapshot without a leak check, a bad suppression file\n"
            "  %-6d 'leaks --fail' (N with --fail=N): lost blocks left after\n"
            "         suppressions; for 'run --fail', the status the library\n"
            "         gives PROG when it leaks\n"
            "  %-6d PROG exists but cannot be executed (permission denied)\n"
            "  %-6d PROG cannot be run (not found, or another error before it started)\n"
            "  %d+N  PROG was killed by signal N\n",
            CLI_EXIT_OK, CLI_EXIT_USAGE, CLI_EXIT_LEAKS, CLI_EXIT_CANNOT_EXECUTE,
            CLI_EXIT_CANNOT_RUN, CLI_EXIT_SIGNAL_BASE);
}

void cli_print_command_help(const cli_command *command, FILE *stream)
{
    fprintf(stream, "memsnap %s: %s\n\nusage: memsnap %s %s\n", command->name,
            command->summary, command->name, command->synopsis);
    if (command->print_options != NULL) {
        fputc('\n', stream);
        command->print_options(stream);
    }
    fputc('\n', stream);
    cli_print_exit_statuses(stream);
}

int cli_value_optional(const char *argument)
{
    return argument != NULL && argument[0] == '[';
}

void cli_print_option(FILE *stream, const char *name, const char *argument, const char *help,
                      int column)
{
    /* An optional value ("[=N]") goes right after the name: --fail[=N]. */
    int width = fprintf(stream, "  %s%s%s", name,
                        argument != NULL && !cli_value_optional(argument) ? " " : "",
                        argument ? argument : "");
    fprintf(stream, "%*s", width < column ? column - width : 1, "");
    for (const char *c = help; *c != '\0'; c++) {
        fputc(*c, stream);
        if (*c == '\n')
            fprintf(stream, "%*s", column, "");
    }
    fputc('\n', stream);
}
