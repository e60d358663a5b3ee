/* analysis.c: the options of the analysing commands (stats, diff, top,
 * leaks), and loading a snapshot with its symbols.
 *
 * The options are one table; each entry says which commands take it, so
 * the help of each command and its parser cannot drift apart. */
#include "analysis.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "leak_words.h"

typedef struct analysis_option analysis_option_t;
struct analysis_option {
    const char *name;
    const char *argument;         /* NULL for a flag; "[=N]" for a value that is optional,
                                   * given only as --OPTION=N */
    int which;                    /* CLI_OPTIONS_* bits of the commands that take it */
    const char *help;
    /* Returns 0, or -1 after the error line. */
    int (*apply)(const char *command, const char *value, cli_analysis_t *analysis);
};

static int choose(const char *command, const char *option, const char *value,
                  const char *const *names, size_t count, int *chosen)
{
    for (size_t i = 0; i < count; i++) {
        if (names[i] != NULL && strcmp(value, names[i]) == 0) {
            *chosen = (int)i;
            return 0;
        }
    }
    cli_usage_error("%s: %s '%s' is not one of the accepted values", command, option, value);
    return -1;
}

static int set_group_by(const char *command, const char *value, cli_analysis_t *analysis)
{
    int chosen;
    if (choose(command, "--group-by", value, cli_group_by_names, 5, &chosen) != 0)
        return -1;
    analysis->query.group_by = (cli_group_by_t)chosen;
    return 0;
}

static int set_cumulative(const char *command, const char *value, cli_analysis_t *analysis)
{
    (void)command;
    (void)value;
    analysis->query.cumulative = 1;
    return 0;
}

static int set_all_frames(const char *command, const char *value, cli_analysis_t *analysis)
{
    (void)command;
    (void)value;
    analysis->query.all_frames = 1;
    return 0;
}

/* Digits only, and no more than maximum. */
static int parse_count(const char *text, unsigned long long maximum, unsigned long long *value)
{
    if (*text < '0' || *text > '9')
        return -1;
    errno = 0;
    char *end;
    unsigned long long parsed = strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0' || parsed > maximum)
        return -1;
    *value = parsed;
    return 0;
}

/* An option's value as a count up to maximum; -1 after the error line
 * "COMMAND: OPTION 'VALUE' is not WHAT". */
static int count_option(const char *command, const char *option, const char *value,
                        unsigned long long maximum, const char *what, unsigned long long *count)
{
    if (parse_count(value, maximum, count) == 0)
        return 0;
    cli_usage_error("%s: %s '%s' is not %s", command, option, value, what);
    return -1;
}

static int set_top(const char *command, const char *value, cli_analysis_t *analysis)
{
    unsigned long long top;
    if (count_option(command, "--top", value, SIZE_MAX, "a number of rows (0 for all)", &top) != 0)
        return -1;
    analysis->top = (size_t)top;
    return 0;
}

static int set_domain(const char *command, const char *value, cli_analysis_t *analysis)
{
    static const char *const names[] = { "malloc", "brk", "mmap" };
    unsigned long long domain;
    for (unsigned i = 0; i < 3; i++) {
        if (strcmp(value, names[i]) == 0) {
            analysis->query.has_domain = 1;
            analysis->query.domain = i;
            return 0;
        }
    }
    if (parse_count(value, UINT32_MAX, &domain) != 0) {
        cli_usage_error("%s: --domain '%s' is not a domain (a number, malloc, brk or mmap)",
                        command, value);
        return -1;
    }
    analysis->query.has_domain = 1;
    analysis->query.domain = (uint32_t)domain;
    return 0;
}

/* PATTERN or PATTERN:LINE, as tracemalloc.Filter's filename_pattern and lineno. */
static int add_filter(const char *command, const char *value, cli_analysis_t *analysis,
                      int inclusive)
{
    if (analysis->query.nfilters == CLI_FILTERS_MAX) {
        cli_usage_error("%s: more than %d --include and --exclude filters", command,
                        CLI_FILTERS_MAX);
        return -1;
    }
    cli_filter_t *filter = &analysis->filters[analysis->query.nfilters];
    *filter = (cli_filter_t){ inclusive, value, 0 };
    const char *colon = strrchr(value, ':');
    unsigned long long line;
    if (colon != NULL && colon[1] != '\0' && parse_count(colon + 1, UINT32_MAX, &line) == 0) {
        char *pattern = strndup(value, (size_t)(colon - value));
        if (pattern == NULL || line == 0) {
            free(pattern);
            cli_usage_error("%s: filter '%s': line 0 does not exist", command, value);
            return -1;
        }
        filter->pattern = pattern;       /* lives until the process exits */
        filter->line = (unsigned)line;
    }
    analysis->query.nfilters++;
    return 0;
}

static int set_include(const char *command, const char *value, cli_analysis_t *analysis)
{
    return add_filter(command, value, analysis, 1);
}

static int set_exclude(const char *command, const char *value, cli_analysis_t *analysis)
{
    return add_filter(command, value, analysis, 0);
}

static int set_format(const char *command, const char *value, cli_analysis_t *analysis)
{
    static const char *const names[] = { "text", "json", "csv" };
    int chosen;
    if (choose(command, "--format", value, names, 3, &chosen) != 0)
        return -1;
    analysis->format = (cli_output_format_t)chosen;
    return 0;
}

/* "1048576", "512k", "1.5MiB", "2 GB": units of 1024 whatever the spelling. */
static int parse_size(const char *text, uint64_t *bytes)
{
    char *end;
    if (*text < '0' || *text > '9')
        return -1;
    errno = 0;
    double value = strtod(text, &end);
    if (errno != 0)
        return -1;
    while (*end == ' ')
        end++;
    static const struct { const char *unit; double scale; } units[] = {
        { "", 1 }, { "b", 1 }, { "k", 1024.0 }, { "kb", 1024.0 }, { "kib", 1024.0 },
        { "m", 1048576.0 }, { "mb", 1048576.0 }, { "mib", 1048576.0 },
        { "g", 1073741824.0 }, { "gb", 1073741824.0 }, { "gib", 1073741824.0 },
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcasecmp(end, units[i].unit) == 0) {
            double scaled = value * units[i].scale;
            if (scaled >= 1.8e19)
                return -1;
            *bytes = (uint64_t)scaled;
            return 0;
        }
    }
    return -1;
}

static int set_fail_on_growth(const char *command, const char *value, cli_analysis_t *analysis)
{
    if (parse_size(value, &analysis->fail_on_growth) != 0) {
        cli_usage_error("%s: --fail-on-growth '%s' is not a size (such as 4096, 512k, 1.5MiB)",
                        command, value);
        return -1;
    }
    analysis->fail_on_growth_set = 1;
    return 0;
}

/* ---- leaks -------------------------------------------------------------- */

static int set_leak_format(const char *command, const char *value, cli_analysis_t *analysis)
{
    int chosen;
    if (choose(command, "--format", value, cli_leak_format_names, CLI_LEAK_FORMATS, &chosen) != 0)
        return -1;
    analysis->leaks.format = (cli_leak_format_t)chosen;
    return 0;
}

static int set_kind_list(const char *command, const char *option, const char *value,
                         unsigned *mask)
{
    if (cli_leak_kinds_list(value, mask) != 0) {
        cli_usage_error("%s: %s '%s' is not a comma-separated list of " CLI_LEAK_WORDS, command,
                        option, value);
        return -1;
    }
    return 0;
}

static int set_kinds(const char *command, const char *value, cli_analysis_t *analysis)
{
    return set_kind_list(command, "--kinds", value, &analysis->leaks.listed_kinds);
}

static int set_fail_kinds(const char *command, const char *value, cli_analysis_t *analysis)
{
    return set_kind_list(command, "--fail-kinds", value, &analysis->leaks.failing_kinds);
}

static int set_fail(const char *command, const char *value, cli_analysis_t *analysis)
{
    unsigned long long status = CLI_EXIT_LEAKS;
    if (value != NULL && (parse_count(value, 255, &status) != 0 || status == 0)) {
        cli_usage_error("%s: --fail=%s is not an exit status from 1 to 255", command, value);
        return -1;
    }
    analysis->leaks.fail_status = (int)status;
    return 0;
}

/* Checked now, so that a wrong number fails before anything is written. */
static int set_status_fd(const char *command, const char *value, cli_analysis_t *analysis)
{
    unsigned long long fd;
    if (count_option(command, "--status-fd", value, INT_MAX, "a file descriptor number", &fd) != 0)
        return -1;
    if (fcntl((int)fd, F_GETFD) == -1) {
        cli_usage_error("%s: --status-fd %llu is not an open file descriptor", command, fd);
        return -1;
    }
    analysis->leaks.status_fd = (int)fd;
    return 0;
}

static int add_suppressions(const char *command, const char *value, cli_analysis_t *analysis)
{
    (void)command;
    char error[1024];
    if (cli_suppressions_load(&analysis->leaks.suppressions, value, error, sizeof error) != 0) {
        cli_error("%s", error);
        return -1;
    }
    return 0;
}

static int set_gen_suppressions(const char *command, const char *value, cli_analysis_t *analysis)
{
    (void)command;
    (void)value;
    analysis->leaks.gen_suppressions = 1;
    return 0;
}

static const analysis_option_t options[] = {
    { "--group-by", "KEY", CLI_OPTIONS_TRACES,
      "lineno (default), filename, function, module or traceback", set_group_by },
    { "--cumulative", NULL, CLI_OPTIONS_STATS | CLI_OPTIONS_DIFF,
      "count every frame of a trace, not only the innermost\n(each key once per trace)",
      set_cumulative },
    { "--top", "N", CLI_OPTIONS_TRACES, "show the N biggest groups (default 10; 0 for all)",
      set_top },
    { "--domain", "D", CLI_OPTIONS_TRACES, "only domain D: malloc, brk, mmap or a number",
      set_domain },
    { "--include", "PAT[:LINE]", CLI_OPTIONS_TRACES,
      "keep traces whose innermost frame's file, function or\nmodule matches the fnmatch "
      "pattern PAT (and line LINE);\nrepeatable: a trace is kept if any --include matches",
      set_include },
    { "--exclude", "PAT[:LINE]", CLI_OPTIONS_TRACES, "drop traces that match; repeatable",
      set_exclude },
    { "--all-frames", NULL, CLI_OPTIONS_TRACES,
      "filters look at every frame, not only the innermost", set_all_frames },
    { "--format", "FORMAT", CLI_OPTIONS_STATS | CLI_OPTIONS_DIFF,
      "text (default), json (docs/cli-json.md) or csv", set_format },
    { "--fail-on-growth", "SIZE", CLI_OPTIONS_DIFF,
      "exit with status 1 when the total grew by more than\nSIZE (such as 4096, 512k, 1.5MiB)",
      set_fail_on_growth },
    { "--format", "FORMAT", CLI_OPTIONS_LEAKS,
      "text (default), json (docs/cli-json.md), sarif (SARIF\n2.1.0) or junit (JUnit XML)",
      set_leak_format },
    { "--kinds", "LIST", CLI_OPTIONS_LEAKS,
      "the kinds whose groups are listed, comma-separated:\ndefinite, indirect, possible, "
      "reachable, leak (the\nfirst three: the default) or all (the four)",
      set_kinds },
    { "--fail-kinds", "LIST", CLI_OPTIONS_LEAKS,
      "the kinds --fail and --status-fd count, listed or not\n(default definite,indirect)",
      set_fail_kinds },
    { "--fail", "[=N]", CLI_OPTIONS_LEAKS,
      "exit with status N (1 to 255, default 23) when groups\nof the failing kinds are left "
      "after suppressions",
      set_fail },
    { "--suppressions", "FILE", CLI_OPTIONS_LEAKS,
      "hide the groups FILE's rules match (KIND FIELD PATTERN\na line: see the man page); "
      "repeatable",
      add_suppressions },
    { "--gen-suppressions", NULL, CLI_OPTIONS_LEAKS,
      "after the report, a rule for each listed group that\nis lost (text only)",
      set_gen_suppressions },
    { "--status-fd", "N", CLI_OPTIONS_LEAKS,
      "after the report, write the line 'BLOCKS BYTES' (of\nthe failing kinds left) to file "
      "descriptor N; for\nthe preload, which runs memsnap leaks at exit",
      set_status_fd },
};

#define OPTION_COUNT (sizeof options / sizeof options[0])
#define HELP_COLUMN 24

static int takes(const analysis_option_t *option, int which)
{
    return (option->which & which) != 0;
}

void cli_print_analysis_options(FILE *stream, int which)
{
    const char *name = which == CLI_OPTIONS_STATS  ? "stats"
                       : which == CLI_OPTIONS_DIFF ? "diff"
                       : which == CLI_OPTIONS_TOP  ? "top"
                                                   : "leaks";
    fprintf(stream, "Options of '%s' (also as --OPTION=VALUE):\n", name);
    for (size_t i = 0; i < OPTION_COUNT; i++) {
        const analysis_option_t *option = &options[i];
        if (!takes(option, which))
            continue;
        cli_print_option(stream, option->name, option->argument, option->help, HELP_COLUMN);
    }
    cli_print_option(stream, "--help", NULL, "show this text", HELP_COLUMN);
}

static const analysis_option_t *find_option(const char *word, size_t length, int which)
{
    for (size_t i = 0; i < OPTION_COUNT; i++) {
        if (takes(&options[i], which) && strlen(options[i].name) == length &&
            strncmp(options[i].name, word, length) == 0)
            return &options[i];
    }
    return NULL;
}

int cli_parse_analysis(const cli_command *command, int argc, char **argv, int which,
                       size_t npaths, cli_analysis_t *analysis)
{
    memset(analysis, 0, sizeof *analysis);
    analysis->top = CLI_DEFAULT_TOP;
    analysis->leaks.listed_kinds = CLI_LEAKS_DEFAULT_LISTED;
    analysis->leaks.failing_kinds = CLI_LEAKS_DEFAULT_FAILING;
    analysis->leaks.status_fd = -1;
    analysis->query.filters = analysis->filters;
    const char *name = argv[0];
    int options_done = 0;
    for (int index = 1; index < argc; index++) {
        const char *word = argv[index];
        if (!options_done && strcmp(word, "--") == 0) {
            options_done = 1;
            continue;
        }
        if (options_done || word[0] != '-' || word[1] == '\0') {
            if (analysis->npaths == npaths)
                return cli_usage_error("%s: too many snapshots: '%s' (expected %zu)", name, word,
                                       npaths);
            analysis->paths[analysis->npaths++] = word;
            continue;
        }
        if (strcmp(word, "--help") == 0 || strcmp(word, "-h") == 0) {
            cli_print_command_help(command, stdout);
            return CLI_EXIT_OK;
        }
        const char *equals = strchr(word, '=');
        size_t length = equals != NULL ? (size_t)(equals - word) : strlen(word);
        const analysis_option_t *option = find_option(word, length, which);
        if (option == NULL)
            return cli_usage_error("%s: unknown option '%.*s'", name, (int)length, word);
        const char *value = NULL;
        if (option->argument == NULL) {
            if (equals != NULL)
                return cli_usage_error("%s: option '%s' takes no value", name, option->name);
        } else if (cli_value_optional(option->argument)) {
            value = equals != NULL ? equals + 1 : NULL;
            if (value != NULL && value[0] == '\0')
                return cli_usage_error("%s: option '%s=' needs a value", name, option->name);
        } else {
            value = equals != NULL ? equals + 1 : (index + 1 < argc ? argv[++index] : NULL);
            if (value == NULL || value[0] == '\0')
                return cli_usage_error("%s: option '%s' needs a %s", name, option->name,
                                       option->argument);
        }
        if (option->apply(name, value, analysis) != 0)
            return CLI_EXIT_USAGE;
    }
    if (analysis->npaths < npaths)
        return cli_usage_error("%s: expected %zu snapshot%s, got %zu", name, npaths,
                               npaths == 1 ? "" : "s", analysis->npaths);
    if (analysis->query.cumulative && analysis->query.group_by == CLI_GROUP_TRACEBACK)
        return cli_usage_error("%s: --cumulative goes with --group-by lineno, filename, "
                               "function or module, not traceback", name);
    return -1;
}

int cli_load(const char *path, cli_loaded_t *loaded)
{
    char error[1024];
    loaded->symbols = NULL;
    loaded->snapshot = cli_snapshot_load(path, error, sizeof error);
    if (loaded->snapshot == NULL) {
        cli_error("%s", error);
        return -1;
    }
    loaded->symbols = cli_symbols_new(loaded->snapshot);
    if (loaded->symbols == NULL) {
        cli_error("%s: out of memory", path);
        cli_snapshot_free(loaded->snapshot);
        loaded->snapshot = NULL;
        return -1;
    }
    return 0;
}

void cli_unload(cli_loaded_t *loaded)
{
    if (loaded->symbols != NULL)
        cli_symbols_free(loaded->symbols);
    if (loaded->snapshot != NULL)
        cli_snapshot_free(loaded->snapshot);
}
