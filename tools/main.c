/* main.c: the memsnap command-line tool's entry point: finds the subcommand
 * in the table below and hands it the rest of the command line; prints the
 * usage text, the version and the errors shared by every subcommand. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static int run_help(int argc, char **argv);

static const cli_command help_command = {
    .name = "help",
    .synopsis = "[COMMAND]",
    .summary = "show this text, or one command's",
    .run = run_help,
    .print_options = NULL,
};

/* A new subcommand is a file defining a cli_command, listed here. */
static const cli_command *const commands[] = {
    &cli_run_command,
    &cli_stats_command,
    &cli_diff_command,
    &cli_top_command,
    &cli_leaks_command,
    &help_command,
};

#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

static void print_usage(FILE *stream)
{
    fputs("usage: memsnap COMMAND [ARGS...]\n"
          "       memsnap --help | --version\n"
          "\n"
          "memsnap traces the heap of an unmodified program: it preloads\n"
          "libmemsnap.so, which serves the program's malloc, free and friends.\n"
          "\n"
          "Commands:\n",
          stream);
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        char line[80];
        snprintf(line, sizeof line, "%s %s", commands[i]->name, commands[i]->synopsis);
        fprintf(stream, "  %-34s %s\n", line, commands[i]->summary);
    }
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        if (commands[i]->print_options != NULL) {
            fputc('\n', stream);
            commands[i]->print_options(stream);
        }
    }
    fputc('\n', stream);
    cli_print_exit_statuses(stream);
}

static const cli_command *find_command(const char *name)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        if (strcmp(commands[i]->name, name) == 0)
            return commands[i];
    }
    return NULL;
}

static int run_help(int argc, char **argv)
{
    if (argc == 1) {
        print_usage(stdout);
        return CLI_EXIT_OK;
    }
    if (argc > 2)
        return cli_usage_error("help: one command at most, got '%s' too", argv[2]);
    const cli_command *command = find_command(argv[1]);
    if (command == NULL)
        return cli_usage_error("help: unknown command '%s'", argv[1]);
    cli_print_command_help(command, stdout);
    return CLI_EXIT_OK;
}

static int is_help_option(const char *word)
{
    return strcmp(word, "--help") == 0 || strcmp(word, "-h") == 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        /* Not asked for, so not output: a script piping memsnap's stdout
         * should not receive the usage text. */
        print_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *word = argv[1];
    if (is_help_option(word)) {
        print_usage(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(word, "--version") == 0) {
        printf("memsnap %s\n", MEMSNAP_VERSION);
        return CLI_EXIT_OK;
    }
    if (word[0] == '-')
        return cli_usage_error("unknown option '%s'", word);
    const cli_command *command = find_command(word);
    if (command == NULL)
        return cli_usage_error("unknown command '%s'", word);
    return command->run(argc - 1, argv + 1);
}
