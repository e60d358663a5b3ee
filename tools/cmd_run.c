/* cmd_run.c: `memsnap run [OPTIONS] -- PROG [ARGS...]`: runs PROG with
 * libmemsnap.so preloaded and the MEMSNAP_* variables its options stand for,
 * waits for it and exits as it did.
 *
 * The options are a table: each sets a variable in memsnap's own
 * environment, which PROG inherits, or records a setting for later. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

/* Returned by an option's apply function to go on to the next word; any
 * other value is the status to exit with at once. */
#define RUN_CONTINUE (-1)

/* What the options ask for besides environment variables. */
typedef struct run_settings {
    const char *library;      /* from --library; NULL: look next to memsnap */
} run_settings;

typedef struct run_option run_option;
struct run_option {
    const char *name;
    const char *argument;     /* its value's placeholder in the help; NULL for a flag */
    const char *variable;     /* the MEMSNAP_* variable it sets, if any */
    const char *help;         /* lines after the first are indented to match */
    /* value is the argument, NULL for a flag; returns RUN_CONTINUE or a status. */
    int (*apply)(const run_option *option, const char *value, run_settings *settings);
};

static int set_variable(const char *name, const char *value)
{
    if (setenv(name, value, 1) != 0) {
        cli_error("cannot set %s: %s", name, strerror(errno));
        return CLI_EXIT_CANNOT_RUN;
    }
    return RUN_CONTINUE;
}

static int set_flag_variable(const run_option *option, const char *value, run_settings *settings)
{
    (void)value;
    (void)settings;
    return set_variable(option->variable, "1");
}

/* PROG opens the file when it exits, relative to whatever directory it is in
 * by then; anchored here, the file lands where the user meant it to. When the
 * current directory cannot be named, the path goes as given: right unless
 * PROG changes directory. */
static int set_path_variable(const char *name, const char *path)
{
    char *directory = path[0] == '/' ? NULL : getcwd(NULL, 0);
    char *absolute = NULL;
    if (directory != NULL && asprintf(&absolute, "%s/%s", directory, path) < 0)
        absolute = NULL;
    int status = set_variable(name, absolute != NULL ? absolute : path);
    free(absolute);
    free(directory);
    return status;
}

/* The library prints the table only with MEMSNAP_STATS=1; asking for a file
 * is asking for the table. */
static int set_stats_file(const run_option *option, const char *value, run_settings *settings)
{
    (void)settings;
    int status = set_variable("MEMSNAP_STATS", "1");
    return status != RUN_CONTINUE ? status : set_path_variable(option->variable, value);
}

static int set_library(const run_option *option, const char *value, run_settings *settings)
{
    (void)option;
    settings->library = value;
    return RUN_CONTINUE;
}

static int show_help(const run_option *option, const char *value, run_settings *settings)
{
    (void)option;
    (void)value;
    (void)settings;
    cli_print_command_help(&cli_run_command, stdout);
    return CLI_EXIT_OK;
}

static const run_option run_options[] = {
    { "--stats", NULL, "MEMSNAP_STATS",
      "print the allocator table on stderr when PROG exits\n(sets MEMSNAP_STATS=1)",
      set_flag_variable },
    { "--stats-file", "FILE", "MEMSNAP_STATS_FILE",
      "write the table to FILE instead; implies --stats\n(sets MEMSNAP_STATS_FILE)",
      set_stats_file },
    { "--align16", NULL, "MEMSNAP_ALIGN16",
      "space size classes above 16 bytes 16 apart, for glibc's\n"
      "16-byte alignment; the default (sets MEMSNAP_ALIGN16=1)",
      set_flag_variable },
    { "--library", "PATH", NULL,
      "preload PATH instead of the libmemsnap.so found next to\n"
      "memsnap or in ../lib/memsnap/",
      set_library },
    { "--help", NULL, NULL, "show this text", show_help },
};

#define RUN_OPTION_COUNT (sizeof run_options / sizeof run_options[0])
#define HELP_COLUMN 22

static void print_run_options(FILE *stream)
{
    fputs("Options of 'run' (also as --OPTION=VALUE):\n", stream);
    for (size_t i = 0; i < RUN_OPTION_COUNT; i++) {
        const run_option *option = &run_options[i];
        int width = fprintf(stream, "  %s%s%s", option->name, option->argument ? " " : "",
                            option->argument ? option->argument : "");
        fprintf(stream, "%*s", width < HELP_COLUMN ? HELP_COLUMN - width : 1, "");
        for (const char *c = option->help; *c != '\0'; c++) {
            fputc(*c, stream);
            if (*c == '\n')
                fprintf(stream, "%*s", HELP_COLUMN, "");
        }
        fputc('\n', stream);
    }
}

/* The option named by the first length characters of word, or NULL. */
static const run_option *find_option(const char *word, size_t length)
{
    for (size_t i = 0; i < RUN_OPTION_COUNT; i++) {
        if (strlen(run_options[i].name) == length && strncmp(run_options[i].name, word, length) == 0)
            return &run_options[i];
    }
    return NULL;
}

/* Applies the options in argv[1...] up to "--"; sets *program_index to the
 * word after it. Returns RUN_CONTINUE, or the status to exit with. */
static int parse_options(int argc, char **argv, run_settings *settings, int *program_index)
{
    int index = 1;
    for (; index < argc && strcmp(argv[index], "--") != 0; index++) {
        const char *word = argv[index];
        if (word[0] != '-')
            return cli_usage_error("run: missing '--' before '%s' "
                                   "(memsnap run [OPTIONS] -- PROG [ARGS...])", word);
        const char *equals = strchr(word, '=');
        size_t name_length = equals != NULL ? (size_t)(equals - word) : strlen(word);
        const run_option *option = find_option(word, name_length);
        if (option == NULL)
            return cli_usage_error("run: unknown option '%.*s'", (int)name_length, word);
        const char *value = NULL;
        if (option->argument == NULL) {
            if (equals != NULL)
                return cli_usage_error("run: option '%s' takes no value", option->name);
        } else {
            if (equals != NULL)
                value = equals + 1;
            else if (index + 1 < argc)
                value = argv[++index];
            if (value == NULL || value[0] == '\0')
                return cli_usage_error("run: option '%s' needs a %s", option->name,
                                       option->argument);
        }
        int status = option->apply(option, value, settings);
        if (status != RUN_CONTINUE)
            return status;
    }
    if (index == argc)
        return cli_usage_error("run: missing '--' before PROG "
                               "(memsnap run [OPTIONS] -- PROG [ARGS...])");
    if (index + 1 == argc)
        return cli_usage_error("run: missing PROG after '--'");
    *program_index = index + 1;
    return RUN_CONTINUE;
}

/* Ahead of any preload already asked for, so that memsnap's malloc is the
 * one the program gets. */
static int prepend_preload(const char *library)
{
    const char *existing = getenv("LD_PRELOAD");
    if (existing == NULL || existing[0] == '\0')
        return set_variable("LD_PRELOAD", library);
    char *joined;
    if (asprintf(&joined, "%s:%s", library, existing) < 0) {
        cli_error("cannot set LD_PRELOAD: %s", strerror(errno));
        return CLI_EXIT_CANNOT_RUN;
    }
    int status = set_variable("LD_PRELOAD", joined);
    free(joined);
    return status;
}

/* Runs program_argv and waits for it, as a shell runs a foreground command. */
static int run_program(char **program_argv)
{
    /* Ctrl-C and Ctrl-\ at the terminal reach PROG as well, which decides
     * what they mean; memsnap stays to pass on how PROG ended. */
    struct sigaction ignore = { .sa_handler = SIG_IGN };
    struct sigaction old_interrupt, old_quit;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGINT, &ignore, &old_interrupt);
    sigaction(SIGQUIT, &ignore, &old_quit);

    pid_t child = fork();
    if (child < 0) {
        cli_error("cannot run '%s': %s", program_argv[0], strerror(errno));
        return CLI_EXIT_CANNOT_RUN;
    }
    if (child == 0) {
        sigaction(SIGINT, &old_interrupt, NULL);
        sigaction(SIGQUIT, &old_quit, NULL);
        execvp(program_argv[0], program_argv);
        int error = errno;
        cli_error("cannot run '%s': %s", program_argv[0], strerror(error));
        _exit(error == EACCES ? CLI_EXIT_CANNOT_EXECUTE : CLI_EXIT_CANNOT_RUN);
    }

    int status;
    while (waitpid(child, &status, 0) < 0) {
        if (errno != EINTR) {
            cli_error("cannot wait for '%s': %s", program_argv[0], strerror(errno));
            return CLI_EXIT_CANNOT_RUN;
        }
    }
    if (WIFSIGNALED(status))
        return CLI_EXIT_SIGNAL_BASE + WTERMSIG(status);
    return WEXITSTATUS(status);
}

static int run(int argc, char **argv)
{
    run_settings settings = { .library = NULL };
    int program_index = 0;
    int status = parse_options(argc, argv, &settings, &program_index);
    if (status != RUN_CONTINUE)
        return status;
    char *library = cli_library_path(settings.library);
    if (library == NULL)
        return CLI_EXIT_USAGE;
    status = prepend_preload(library);
    free(library);
    if (status != RUN_CONTINUE)
        return status;
    return run_program(argv + program_index);
}

const cli_command cli_run_command = {
    .name = "run",
    .synopsis = "[OPTIONS] -- PROG [ARGS...]",
    .summary = "run PROG with libmemsnap.so preloaded",
    .run = run,
    .print_options = print_run_options,
};
