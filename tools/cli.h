/* cli.h: what the memsnap command-line tool's files share: its exit
 * statuses, the table of subcommands and the helpers for reporting errors. */
#ifndef MEMSNAP_CLI_H
#define MEMSNAP_CLI_H

#include <stdio.h>

/* memsnap's own exit statuses. 'run' otherwise exits with PROG's status, so
 * these follow the shell's conventions: a script cannot tell memsnap's 126
 * from PROG's, but it can from `sh -c PROG`'s. cli.c lists them in the help
 * texts; keep that list in step with this one. */
enum cli_exit_status {
    CLI_EXIT_OK = 0,
    CLI_EXIT_USAGE = 2,               /* bad command line, or no libmemsnap.so */
    CLI_EXIT_LEAKS = 23,              /* 'leaks --fail', 'run --fail': lost blocks left
                                       * (the default of --fail=N) */
    CLI_EXIT_CANNOT_EXECUTE = 126,    /* PROG exists but permission is denied */
    CLI_EXIT_CANNOT_RUN = 127,        /* PROG not found, or could not start otherwise */
    CLI_EXIT_SIGNAL_BASE = 128,       /* PROG killed by signal N: 128 + N */
};

/* One subcommand: `memsnap NAME ...` calls run with the arguments from NAME
 * on (argv[0] is NAME itself); print_options writes the section of the help
 * text that lists its options, and is NULL for a command without any. */
typedef struct cli_command {
    const char *name;
    const char *synopsis;     /* arguments after the name, for the usage line */
    const char *summary;      /* one line for the command list */
    int (*run)(int argc, char **argv);
    void (*print_options)(FILE *stream);
} cli_command;

extern const cli_command cli_run_command;
extern const cli_command cli_stats_command;
extern const cli_command cli_diff_command;
extern const cli_command cli_top_command;
extern const cli_command cli_leaks_command;

/* Flushes stdout; a report that could not be written is an error (exit 2). */
int cli_finish_output(void);

/* `memsnap help COMMAND`: the command's usage line, its help, the exit
 * statuses; for `memsnap run --help` too. */
void cli_print_command_help(const cli_command *command, FILE *stream);
/* One option in a help text: name and argument (an optional value, "[=N]",
 * right after the name), then the help from column on; lines after the
 * first (split by '\n') are indented to column. */
void cli_print_option(FILE *stream, const char *name, const char *argument, const char *help,
                      int column);
/* Whether an option's argument placeholder says its value is optional
 * ("[=N]"): such a value is given only as --OPTION=N, never as the next
 * word. */
int cli_value_optional(const char *argument);
/* The exit statuses, as the help texts list them. */
void cli_print_exit_statuses(FILE *stream);

/* The last '/'-separated part of path (path itself without a '/'). */
const char *cli_base_name(const char *path);

/* One line on stderr, "memsnap: " and the printf-style message. */
void cli_error(const char *format, ...) __attribute__((format(printf, 1, 2)));
/* The same with "; see 'memsnap help'" appended; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* The absolute path of the library to preload: requested (from --library)
 * if given, else the libmemsnap.so found next to this executable or in the
 * install layout's ../lib/memsnap/. NULL after reporting why not. */
char *cli_library_path(const char *requested);

#endif
