/* suppressions.c: reading suppression files and matching their rules
 * against a group's frames (the format is in suppressions.h). Counting
 * what each rule hid, and every output, is the report's business. */
#include "suppressions.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "leak_words.h"

const char *const cli_suppression_field_names[] = {
    [CLI_SUPPRESS_FUNCTION] = "function",
    [CLI_SUPPRESS_FILE] = "file",
    [CLI_SUPPRESS_MODULE] = "module",
};

#define FIELD_COUNT 3
/* KIND FIELD PATTERN, and one more to say that there is one too many. */
#define WORDS_MAX 4

typedef struct word {
    const char *text;
    size_t length;
} word_t;

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* The words of line[0...length) up to a word that starts with '#', at most
 * WORDS_MAX of them; returns how many. */
static size_t split_words(const char *line, size_t length, word_t words[WORDS_MAX])
{
    size_t count = 0, i = 0;
    while (count < WORDS_MAX) {
        while (i < length && is_blank(line[i]))
            i++;
        if (i == length || line[i] == '#')
            break;
        size_t start = i;
        while (i < length && !is_blank(line[i]))
            i++;
        words[count++] = (word_t){ line + start, i - start };
    }
    return count;
}

/* word for a message, in single quotes: at most 40 bytes, anything but
 * printable ASCII as '?'. */
static const char *shown(word_t word, char *buffer, size_t size)
{
    size_t used = 0, limit = word.length < 40 ? word.length : 40;
    buffer[used++] = '\'';
    for (size_t i = 0; i < limit && used + 6 < size; i++) {
        unsigned char c = (unsigned char)word.text[i];
        buffer[used++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    if (limit < word.length && used + 6 < size) {
        memcpy(buffer + used, "...", 3);
        used += 3;
    }
    buffer[used++] = '\'';
    buffer[used] = '\0';
    return buffer;
}

/* "NAME:LINE: message" into error, as one line; returns -1. */
__attribute__((format(printf, 5, 6))) static int bad_line(char *error, size_t error_size,
                                                          const char *name, unsigned line,
                                                          const char *format, ...)
{
    if (error == NULL || error_size == 0)
        return -1;
    int used = snprintf(error, error_size, "%s:%u: ", name, line);
    if (used >= 0 && (size_t)used < error_size) {
        va_list arguments;
        va_start(arguments, format);
        vsnprintf(error + used, error_size - (size_t)used, format, arguments);
        va_end(arguments);
    }
    for (char *p = error; *p != '\0'; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    }
    return -1;
}

/* An odd number of backslashes at the end escapes nothing. */
static int ends_with_lone_backslash(word_t word)
{
    size_t backslashes = 0;
    while (backslashes < word.length && word.text[word.length - 1 - backslashes] == '\\')
        backslashes++;
    return backslashes % 2 == 1;
}

static int add_rule(cli_suppressions_t *suppressions, const cli_suppression_t *rule)
{
    if (suppressions->count == suppressions->capacity) {
        size_t capacity = suppressions->capacity == 0 ? 16 : suppressions->capacity * 2;
        cli_suppression_t *grown = realloc(suppressions->rules, capacity * sizeof *grown);
        if (grown == NULL)
            return -1;
        suppressions->rules = grown;
        suppressions->capacity = capacity;
    }
    suppressions->rules[suppressions->count++] = *rule;
    return 0;
}

/* One line (without its '\n'): nothing, a rule appended, or -1 after the
 * error. */
static int parse_line(cli_suppressions_t *suppressions, const char *name, unsigned number,
                      const char *line, size_t length, char *error, size_t error_size)
{
    char first[64], second[64];
    if (memchr(line, '\0', length) != NULL)
        return bad_line(error, error_size, name, number, "a NUL byte (not a text file?)");
    word_t words[WORDS_MAX];
    size_t count = split_words(line, length, words);
    if (count == 0)
        return 0;
    cli_suppression_t rule = { .path = name, .line = number };
    if (cli_leak_kinds_word(words[0].text, words[0].length, &rule.kinds) != 0)
        return bad_line(error, error_size, name, number, "unknown kind %s (expected "
                        CLI_LEAK_WORDS ")", shown(words[0], first, sizeof first));
    if (count == 1)
        return bad_line(error, error_size, name, number, "no FIELD and PATTERN after %s (a rule "
                        "is KIND FIELD PATTERN)", shown(words[0], first, sizeof first));
    int field = 0;
    while (field < FIELD_COUNT && !(strlen(cli_suppression_field_names[field]) == words[1].length &&
                                    memcmp(cli_suppression_field_names[field], words[1].text,
                                           words[1].length) == 0))
        field++;
    if (field == FIELD_COUNT)
        return bad_line(error, error_size, name, number, "unknown field %s (expected function, "
                        "file or module)", shown(words[1], first, sizeof first));
    if (count == 2)
        return bad_line(error, error_size, name, number, "no PATTERN after %s %s (a rule is KIND "
                        "FIELD PATTERN)", shown(words[0], first, sizeof first),
                        shown(words[1], second, sizeof second));
    if (count == WORDS_MAX)
        return bad_line(error, error_size, name, number, "%s after the pattern (a comment starts "
                        "with '#')", shown(words[3], first, sizeof first));
    if (ends_with_lone_backslash(words[2]))
        return bad_line(error, error_size, name, number, "pattern %s ends with a lone '\\'",
                        shown(words[2], first, sizeof first));
    rule.field = (cli_suppression_field_t)field;
    rule.kind_word = strndup(words[0].text, words[0].length);
    rule.pattern = strndup(words[2].text, words[2].length);
    rule.whole_path = rule.field != CLI_SUPPRESS_FUNCTION && memchr(words[2].text, '/',
                                                                    words[2].length) != NULL;
    if (rule.kind_word == NULL || rule.pattern == NULL || add_rule(suppressions, &rule) != 0) {
        free(rule.kind_word);
        free(rule.pattern);
        return bad_line(error, error_size, name, number, "out of memory");
    }
    return 0;
}

int cli_suppressions_parse(cli_suppressions_t *suppressions, const char *name, const char *text,
                           size_t length, char *error, size_t error_size)
{
    if (error != NULL && error_size > 0)
        error[0] = '\0';
    char **paths = realloc(suppressions->paths, (suppressions->npaths + 1) * sizeof *paths);
    char *owned = strdup(name);
    if (paths != NULL)
        suppressions->paths = paths;
    if (paths == NULL || owned == NULL) {
        free(owned);
        return bad_line(error, error_size, name, 0, "out of memory");
    }
    suppressions->paths[suppressions->npaths++] = owned;
    unsigned number = 1;
    for (size_t start = 0; start < length; number++) {
        const char *newline = memchr(text + start, '\n', length - start);
        size_t end = newline != NULL ? (size_t)(newline - text) : length;
        if (parse_line(suppressions, owned, number, text + start, end - start, error,
                       error_size) != 0)
            return -1;
        start = end + 1;
    }
    return 0;
}

int cli_suppressions_load(cli_suppressions_t *suppressions, const char *path, char *error,
                          size_t error_size)
{
    size_t length = 0;
    int read_errno = 0;
    char *text = cli_read_file(path, &length, &read_errno);
    if (text == NULL) {
        if (error != NULL && error_size > 0)
            snprintf(error, error_size, "%s: cannot read: %s", path, strerror(read_errno));
        return -1;
    }
    int result = cli_suppressions_parse(suppressions, path, text, length, error, error_size);
    free(text);
    return result;
}

void cli_suppressions_free(cli_suppressions_t *suppressions)
{
    for (size_t i = 0; i < suppressions->count; i++) {
        free(suppressions->rules[i].kind_word);
        free(suppressions->rules[i].pattern);
    }
    for (size_t i = 0; i < suppressions->npaths; i++)
        free(suppressions->paths[i]);
    free(suppressions->rules);
    free(suppressions->paths);
    *suppressions = (cli_suppressions_t){ 0 };
}

/* A path (a file's or a module's; NULL: none) against a rule's pattern. */
static int path_matches(const cli_suppression_t *rule, const char *path)
{
    return path != NULL &&
           fnmatch(rule->pattern, rule->whole_path ? path : cli_base_name(path), 0) == 0;
}

static int location_matches(const cli_suppression_t *rule, const cli_location_t *location)
{
    switch (rule->field) {
    case CLI_SUPPRESS_FUNCTION:
        return location->symbol != NULL && fnmatch(rule->pattern, location->symbol, 0) == 0;
    case CLI_SUPPRESS_FILE:
        return path_matches(rule, location->file);
    case CLI_SUPPRESS_MODULE:
        return path_matches(rule, location->module);
    }
    return 0;
}

long cli_suppressions_match(const cli_suppressions_t *suppressions, cli_leak_kind_t kind,
                            const cli_location_t *locations, size_t count)
{
    for (size_t r = 0; r < suppressions->count; r++) {
        const cli_suppression_t *rule = &suppressions->rules[r];
        if ((rule->kinds & CLI_LEAK_MASK(kind)) == 0)
            continue;
        for (size_t i = 0; i < count; i++) {
            if (location_matches(rule, &locations[i]))
                return (long)r;
        }
    }
    return -1;
}

char *cli_suppression_pattern(char *buffer, size_t size, const char *name)
{
    size_t used = 0;
    for (const char *c = name; *c != '\0'; c++) {
        if (is_blank(*c) || *c == '\n' || used + 4 >= size)
            return NULL;
        if (c == name && *c == '#') {
            memcpy(buffer + used, "[#]", 3);
            used += 3;
            continue;
        }
        if (strchr("*?[\\", *c) != NULL)
            buffer[used++] = '\\';
        buffer[used++] = *c;
    }
    if (used >= size)
        return NULL;
    buffer[used] = '\0';
    return buffer;
}
