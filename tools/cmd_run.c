/* cmd_run.c: `memsnap run [OPTIONS] -- PROG [ARGS...]`: runs PROG with
 * libmemsnap.so preloaded and the MEMSNAP_* variables its options stand for,
 * waits for it and exits as it did.
 *
 * The options are a table: each sets a variable in memsnap's own
 * environment, which PROG inherits, or records a setting for later. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "leak_words.h"
#include "suppressions.h"

/* Returned by an option's apply function to go on to the next word; any
 * other value is the status to exit with at once. */
#define RUN_CONTINUE (-1)

/* What the options ask for besides environment variables. */
typedef struct run_settings {
    const char *library;      /* from --library; NULL: look next to memsnap */
    const char *output_dir;   /* from --output-dir; NULL: the current directory */
    const char *suppressions; /* from --suppressions; the library reads one file */
} run_settings;

typedef struct run_option run_option;
struct run_option {
    const char *name;
    const char *argument;     /* its value's placeholder in the help; NULL for a flag;
                               * "[=N]" for an optional value (cli_value_optional) */
    const char *variable;     /* the MEMSNAP_* variable it sets, if any */
    const char *help;         /* lines after the first are indented to match */
    const char *argument_help;  /* what a valid argument is, for the error */
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

static int set_output_dir(const run_option *option, const char *value, run_settings *settings)
{
    settings->output_dir = value;
    return set_path_variable(option->variable, value);
}

/* Checks a value the way the library will (src/options.c), so that a typo is
 * an error here rather than a warning from every process PROG starts. */
static int set_checked_variable(const run_option *option, const char *value,
                                run_settings *settings)
{
    (void)settings;
    const char *p = value;
    int digits = 0, ok = 1;
    if (strcmp(option->variable, "MEMSNAP_SIGNAL") == 0) {
        /* Names are checked by the library, which knows the list. */
        return set_variable(option->variable, value);
    }
    for (; *p >= '0' && *p <= '9'; p++)
        digits++;
    if (strcmp(option->variable, "MEMSNAP_INTERVAL") == 0 && *p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++)
            ;
    else if (strcmp(option->variable, "MEMSNAP_SAMPLE_BYTES") == 0 && *p != '\0' &&
             strchr("kKmMgG", *p) != NULL)
        p++;
    if (digits == 0 || *p != '\0')
        ok = 0;
    if (ok && strcmp(option->variable, "MEMSNAP_FRAMES") == 0) {
        long frames = strtol(value, NULL, 10);
        ok = frames >= 1 && frames <= 256;
    }
    if (!ok)
        return cli_usage_error("run: %s '%s' is not valid (%s)", option->name, value,
                               option->argument_help);
    return set_variable(option->variable, value);
}

/* ---- leaks: each option but --leaks implies it ---------------------------- */

/* Sets option's variable to value, after MEMSNAP_LEAKS=1. */
static int set_leak_variable(const run_option *option, const char *value)
{
    int status = set_variable("MEMSNAP_LEAKS", "1");
    return status != RUN_CONTINUE ? status : set_variable(option->variable, value);
}

static int set_leak_flag(const run_option *option, const char *value, run_settings *settings)
{
    (void)value;
    (void)settings;
    return set_leak_variable(option, "1");
}

/* --fail or --fail=N: N from 0 (report, never fail) to 255. */
static int set_leak_exit_code(const run_option *option, const char *value, run_settings *settings)
{
    (void)settings;
    char code[16];
    snprintf(code, sizeof code, "%d", CLI_EXIT_LEAKS);
    if (value != NULL) {
        size_t digits = strspn(value, "0123456789");
        if (digits == 0 || digits > 3 || value[digits] != '\0' || atoi(value) > 255)
            return cli_usage_error("run: %s=%s is not valid (%s)", option->name, value,
                                   option->argument_help);
        snprintf(code, sizeof code, "%d", atoi(value));
    }
    return set_leak_variable(option, code);
}

/* Passed on as the library reads it: single kinds in kind order ("all"
 * and "leak" spelled out). */
static int set_leak_kinds(const run_option *option, const char *value, run_settings *settings)
{
    (void)settings;
    unsigned mask;
    if (cli_leak_kinds_list(value, &mask) != 0)
        return cli_usage_error("run: %s '%s' is not valid (%s)", option->name, value,
                               option->argument_help);
    char kinds[64];
    return set_leak_variable(option, cli_leak_kinds_text(kinds, sizeof kinds, mask));
}

/* Read and checked now: a bad rule is one error here rather than a report
 * without suppressions when PROG exits. */
static int set_suppressions(const run_option *option, const char *value, run_settings *settings)
{
    if (settings->suppressions != NULL)
        return cli_usage_error("run: %s given twice (the library reads one file: put the "
                               "rules in one)", option->name);
    cli_suppressions_t rules = { 0 };
    char error[1024];
    int loaded = cli_suppressions_load(&rules, value, error, sizeof error);
    cli_suppressions_free(&rules);
    if (loaded != 0) {
        cli_error("%s", error);
        return CLI_EXIT_USAGE;
    }
    settings->suppressions = value;
    int status = set_variable("MEMSNAP_LEAKS", "1");
    return status != RUN_CONTINUE ? status : set_path_variable(option->variable, value);
}

static int set_zero_variable(const run_option *option, const char *value, run_settings *settings)
{
    (void)value;
    (void)settings;
    return set_variable(option->variable, "0");
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
    { "--output-dir", "DIR", "MEMSNAP_DIR",
      "write snapshots into DIR (default: the current\ndirectory) (sets MEMSNAP_DIR)", NULL,
      set_output_dir },
    { "--frames", "N", "MEMSNAP_FRAMES",
      "record up to N frames per traceback, 1..256\n(default 64) (sets MEMSNAP_FRAMES)",
      "an integer from 1 to 256", set_checked_variable },
    { "--sample-bytes", "N", "MEMSNAP_SAMPLE_BYTES",
      "sample one allocation per N bytes on average\n(such as 512k; default: exact)"
      " (sets MEMSNAP_SAMPLE_BYTES)",
      "a byte count such as 524288 or 512k", set_checked_variable },
    { "--interval", "SECONDS", "MEMSNAP_INTERVAL",
      "also write a snapshot every SECONDS (such as 10\nor 0.5) (sets MEMSNAP_INTERVAL)",
      "seconds such as 10 or 0.5", set_checked_variable },
    { "--signal", "SIG", "MEMSNAP_SIGNAL",
      "write a snapshot on signal SIG (default USR2; 0:\nnone) (sets MEMSNAP_SIGNAL)", NULL,
      set_checked_variable },
    { "--no-start", NULL, "MEMSNAP_START",
      "start with recording off; the signal or the API\nstarts it (sets MEMSNAP_START=0)",
      NULL, set_zero_variable },
    { "--no-trace", NULL, "MEMSNAP_TRACE",
      "record nothing: the allocator alone (sets\nMEMSNAP_TRACE=0)", NULL, set_zero_variable },
    { "--stats", NULL, "MEMSNAP_STATS",
      "print the allocator table on stderr when PROG exits\n(sets MEMSNAP_STATS=1)", NULL,
      set_flag_variable },
    { "--stats-file", "FILE", "MEMSNAP_STATS_FILE",
      "write the table to FILE instead; implies --stats\n(sets MEMSNAP_STATS_FILE)", NULL,
      set_stats_file },
    { "--align16", NULL, "MEMSNAP_ALIGN16",
      "space size classes above 16 bytes 16 apart, for glibc's\n"
      "16-byte alignment; the default (sets MEMSNAP_ALIGN16=1)", NULL,
      set_flag_variable },
    { "--leaks", NULL, "MEMSNAP_LEAKS",
      "check for leaks when PROG exits and report them on\nstderr (sets MEMSNAP_LEAKS=1)", NULL,
      set_flag_variable },
    { "--fail", "[=N]", "MEMSNAP_LEAK_EXITCODE",
      "exit with status N (default 23; 0: never) when\nleaks of the failing kinds are left; "
      "implies\n--leaks (sets MEMSNAP_LEAK_EXITCODE)",
      "an exit status from 0 to 255", set_leak_exit_code },
    { "--fail-kinds", "LIST", "MEMSNAP_LEAK_KINDS",
      "the kinds that fail (default definite,indirect;\nas memsnap leaks --kinds); implies "
      "--leaks\n(sets MEMSNAP_LEAK_KINDS)",
      "a comma-separated list of " CLI_LEAK_WORDS, set_leak_kinds },
    { "--suppressions", "FILE", "MEMSNAP_SUPPRESSIONS",
      "hide the leaks FILE's rules match (see memsnap\nleaks); implies --leaks "
      "(sets MEMSNAP_SUPPRESSIONS)", NULL,
      set_suppressions },
    { "--gen-suppressions", NULL, "MEMSNAP_GEN_SUPPRESSIONS",
      "print a suppression rule for each leak; implies\n--leaks (sets "
      "MEMSNAP_GEN_SUPPRESSIONS=1)",
      NULL, set_leak_flag },
    { "--library", "PATH", NULL,
      "preload PATH instead of the libmemsnap.so found next to\n"
      "memsnap or in ../lib/memsnap/", NULL,
      set_library },
    { "--help", NULL, NULL, "show this text", NULL, show_help },
};

#define RUN_OPTION_COUNT (sizeof run_options / sizeof run_options[0])
#define HELP_COLUMN 22

static void print_run_options(FILE *stream)
{
    fputs("Options of 'run' (also as --OPTION=VALUE):\n", stream);
    for (size_t i = 0; i < RUN_OPTION_COUNT; i++) {
        const run_option *option = &run_options[i];
        cli_print_option(stream, option->name, option->argument, option->help, HELP_COLUMN);
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
        } else if (cli_value_optional(option->argument)) {
            value = equals != NULL ? equals + 1 : NULL;
            if (value != NULL && value[0] == '\0')
                return cli_usage_error("run: option '%s=' needs a value", option->name);
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

/* The directory PROG's snapshots go to, made absolute and exported, so that
 * it is the same for every process PROG starts and memsnap can look there. */
static char *snapshot_directory(void)
{
    const char *configured = getenv("MEMSNAP_DIR");
    if (configured == NULL || configured[0] == '\0')
        configured = ".";
    char *absolute = realpath(configured, NULL);
    if (absolute == NULL)
        return NULL;       /* the library will say it cannot write there */
    if (set_variable("MEMSNAP_DIR", absolute) != RUN_CONTINUE) {
        free(absolute);
        return NULL;
    }
    return absolute;
}

typedef struct name_list {
    char **names;
    size_t count;
} name_list;

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The snapshot files in directory, sorted. */
static name_list list_snapshots(const char *directory)
{
    name_list list = { NULL, 0 };
    size_t capacity = 0;
    DIR *listing = opendir(directory);
    if (listing == NULL)
        return list;
    struct dirent *entry;
    while ((entry = readdir(listing)) != NULL) {
        size_t length = strlen(entry->d_name);
        if (strncmp(entry->d_name, "memsnap.", 8) != 0 || length < 13 ||
            strcmp(entry->d_name + length - 5, ".json") != 0)
            continue;
        if (list.count == capacity) {
            capacity = capacity == 0 ? 64 : capacity * 2;
            char **grown = realloc(list.names, capacity * sizeof *grown);
            if (grown == NULL)
                break;
            list.names = grown;
        }
        if ((list.names[list.count] = strdup(entry->d_name)) != NULL)
            list.count++;
    }
    closedir(listing);
    if (list.count > 1)
        qsort(list.names, list.count, sizeof *list.names, by_name);
    return list;
}

static void free_list(name_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        free(list->names[i]);
    free(list->names);
}

/* One line on stderr: the snapshots that appeared in directory during the
 * run (those not in before), named when there is one. */
static void report_snapshots(const char *directory, name_list *before)
{
    name_list after = list_snapshots(directory);
    size_t count = 0;
    const char *last = NULL;
    for (size_t i = 0; i < after.count; i++) {
        if (before->count != 0 &&
            bsearch(&after.names[i], before->names, before->count, sizeof *before->names,
                    by_name) != NULL)
            continue;
        count++;
        last = after.names[i];
    }
    if (count == 1)
        fprintf(stderr, "memsnap: snapshot written to %s/%s\n", directory, last);
    else if (count > 1)
        fprintf(stderr, "memsnap: %zu snapshots written to %s\n", count, directory);
    free_list(&after);
}

static int run(int argc, char **argv)
{
    run_settings settings = { .library = NULL, .output_dir = NULL, .suppressions = NULL };
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
    char *directory = snapshot_directory();
    name_list before = directory != NULL ? list_snapshots(directory) : (name_list){ NULL, 0 };
    status = run_program(argv + program_index);
    if (directory != NULL)
        report_snapshots(directory, &before);
    free_list(&before);
    free(directory);
    return status;
}

const cli_command cli_run_command = {
    .name = "run",
    .synopsis = "[OPTIONS] -- PROG [ARGS...]",
    .summary = "run PROG with libmemsnap.so preloaded",
    .run = run,
    .print_options = print_run_options,
};
