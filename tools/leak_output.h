/* leak_output.h: a leak check (leak_groups.h) written out for `memsnap
 * leaks`: text for people (valgrind's and LeakSanitizer's shape, and what
 * the preload shows on a program's stderr), JSON (docs/cli-json.md), SARIF
 * 2.1.0 for code-scanning tools and JUnit XML for CI test reports. The
 * text and JSON are in leak_output.c, SARIF and JUnit in leak_ci.c; the
 * helpers below are what they share. Options and exit statuses are
 * cmd_leaks.c's. */
#ifndef MEMSNAP_LEAK_OUTPUT_H
#define MEMSNAP_LEAK_OUTPUT_H

#include <jansson.h>
#include <stdio.h>

#include "leak_groups.h"

typedef enum cli_leak_format {
    CLI_LEAK_TEXT,
    CLI_LEAK_JSON,
    CLI_LEAK_SARIF,
    CLI_LEAK_JUNIT,
} cli_leak_format_t;

/* "text", "json", "sarif", "junit", by format. */
extern const char *const cli_leak_format_names[];
#define CLI_LEAK_FORMATS 4

typedef struct cli_leak_output {
    FILE *stream;
    cli_leak_format_t format;
    int colour;                   /* text only: escape sequences allowed */
    int gen_suppressions;         /* text only: a rule per listed group after the report */
} cli_leak_output_t;

/* Writes check in output's format; -1 when the stream failed. */
int cli_leak_report(const cli_leak_output_t *output, const cli_leak_check_t *check);

/* SARIF and JUnit (leak_ci.c). */
int cli_leak_report_sarif(FILE *stream, const cli_leak_check_t *check);
int cli_leak_report_junit(FILE *stream, const cli_leak_check_t *check);

/* ---- shared by the formats ------------------------------------------- */

/* "100 bytes in 1 blocks are definitely lost (traceback 7)"; returns
 * buffer (cut to size). */
char *cli_leak_title(char *buffer, size_t size, const cli_leak_group_t *group);

/* The group as the text report shows it: its title (bold when colour,
 * red too for a failing kind), then one indented line per frame,
 * "    at file.c:12 (function)". */
void cli_leak_print_group(FILE *stream, const cli_leak_group_t *group, int colour);

/* text as valid UTF-8: each byte that does not belong to a well-formed
 * UTF-8 sequence (nor any control character but tab, line feed and
 * carriage return) becomes '?'. JSON and XML need both. Returns a string
 * from malloc; NULL when memory is short. */
char *cli_clean_text(const char *text);

/* A JSON string of text, cleaned as above; JSON null for NULL. */
json_t *cli_json_text(const char *text);

#endif
