/* suppressions.h: suppression files, the rules that hide leak groups from
 * `memsnap leaks` by the frames of their tracebacks (`memsnap run
 * --suppressions` checks a file with the same parser before PROG starts).
 * Parsing and matching only: what a rule hid is counted by the report.
 *
 * The format, one rule a line:
 *
 *     KIND  FIELD  PATTERN      # comment
 *
 *   KIND     definite, indirect, possible, reachable, leak (definite,
 *            indirect or possible) or all (any of the four)
 *   FIELD    function, file or module
 *   PATTERN  an fnmatch(3) glob (no flags: '*' also matches '/', '\'
 *            escapes), matched against every source frame of the traceback,
 *            inlined calls being frames of their own:
 *              function  the function's name: the symbol, mangled for C++,
 *                        without "+0xOFFSET"; a frame shown as module+offset
 *                        or as an address has none and never matches
 *              file      the source file's path, module the module's path:
 *                        a pattern without '/' against the base name, one
 *                        with '/' against the whole path
 *
 * Words are separated by spaces and tabs (a pattern holds neither). Blank
 * lines and lines whose first word starts with '#' are ignored; after the
 * pattern, a word starting with '#' starts a comment (so a pattern cannot
 * start with '#': write [#] instead). A carriage return
 * counts as a space, so files with CRLF line ends read the same. Keywords
 * are lower case. A bad line is one error, "FILE:LINE: what is wrong".
 *
 * A group (traceback, kind) is hidden by the first rule, in the order read
 * (file by file, line by line), whose KIND covers the group's kind and
 * whose PATTERN matches one of its frames. Ignored blocks are never
 * reported, so no rule applies to them; blocks without a traceback (the
 * sampler's) have no frame, and no rule matches them either. */
#ifndef MEMSNAP_SUPPRESSIONS_H
#define MEMSNAP_SUPPRESSIONS_H

#include <stddef.h>

#include "reader.h"
#include "symbols.h"

typedef enum cli_suppression_field {
    CLI_SUPPRESS_FUNCTION,
    CLI_SUPPRESS_FILE,
    CLI_SUPPRESS_MODULE,
} cli_suppression_field_t;

/* "function", "file", "module", by field. */
extern const char *const cli_suppression_field_names[];

typedef struct cli_suppression {
    const char *path;             /* the file the rule was read from, as named */
    unsigned line;                /* its line there, from 1 */
    char *kind_word;              /* KIND as written: "leak", "definite"... */
    unsigned kinds;               /* the kinds it covers (leak_words.h's masks) */
    cli_suppression_field_t field;
    char *pattern;
    int whole_path;               /* file or module, and the pattern has a '/' */
} cli_suppression_t;

typedef struct cli_suppressions {
    cli_suppression_t *rules;     /* in the order read */
    size_t count, capacity;
    char **paths;                 /* the names given, owned */
    size_t npaths;
} cli_suppressions_t;

/* Appends the rules of text (length bytes), name standing for the file in
 * messages and in the rules. Returns 0, or -1 with one line "NAME:LINE:
 * what is wrong" in error (the rules before the bad line stay appended). */
int cli_suppressions_parse(cli_suppressions_t *suppressions, const char *name, const char *text,
                           size_t length, char *error, size_t error_size);

/* The same from the file at path; "PATH: cannot read: REASON" when it
 * cannot be read. */
int cli_suppressions_load(cli_suppressions_t *suppressions, const char *path, char *error,
                          size_t error_size);

void cli_suppressions_free(cli_suppressions_t *suppressions);

/* The index of the first rule that hides a group of kind whose source
 * frames are locations[0...count), innermost first; -1 for none. */
long cli_suppressions_match(const cli_suppressions_t *suppressions, cli_leak_kind_t kind,
                            const cli_location_t *locations, size_t count);

/* A PATTERN that matches name exactly, for generated rules: '*', '?',
 * '[' and '\' escaped with '\', a leading '#' written [#]. Returns
 * buffer; NULL when name holds a blank (no pattern can) or does not fit. */
char *cli_suppression_pattern(char *buffer, size_t size, const char *name);

#endif
