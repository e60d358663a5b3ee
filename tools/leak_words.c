/* leak_words.c: leak kinds as words and sets (leak_words.h). Plain string
 * work: no snapshot, no output. */
#include "leak_words.h"

#include <string.h>

const char *const cli_leak_phrases[CLI_LEAK_KINDS] = {
    [CLI_LEAK_DEFINITE] = "definitely lost", [CLI_LEAK_INDIRECT] = "indirectly lost",
    [CLI_LEAK_POSSIBLE] = "possibly lost",   [CLI_LEAK_REACHABLE] = "still reachable",
    [CLI_LEAK_IGNORED] = "ignored",
};

static const struct {
    const char *word;
    unsigned mask;
} kind_words[] = {
    { "definite", CLI_LEAK_MASK(CLI_LEAK_DEFINITE) },
    { "indirect", CLI_LEAK_MASK(CLI_LEAK_INDIRECT) },
    { "possible", CLI_LEAK_MASK(CLI_LEAK_POSSIBLE) },
    { "reachable", CLI_LEAK_MASK(CLI_LEAK_REACHABLE) },
    { "leak", CLI_LEAKS_LOST },
    { "all", CLI_LEAKS_ALL },
};

int cli_leak_kinds_word(const char *word, size_t length, unsigned *mask)
{
    for (size_t i = 0; i < sizeof kind_words / sizeof kind_words[0]; i++) {
        if (strlen(kind_words[i].word) == length && memcmp(kind_words[i].word, word, length) == 0) {
            *mask = kind_words[i].mask;
            return 0;
        }
    }
    return -1;
}

int cli_leak_kinds_list(const char *list, unsigned *mask)
{
    unsigned result = 0;
    for (const char *word = list;; ) {
        const char *comma = strchr(word, ',');
        size_t length = comma != NULL ? (size_t)(comma - word) : strlen(word);
        unsigned kinds;
        if (cli_leak_kinds_word(word, length, &kinds) != 0)
            return -1;
        result |= kinds;
        if (comma == NULL)
            break;
        word = comma + 1;
    }
    *mask = result;
    return 0;
}

char *cli_leak_kinds_text(char *buffer, size_t size, unsigned mask)
{
    size_t used = 0;
    if (size > 0)
        buffer[0] = '\0';
    for (int kind = 0; kind < CLI_LEAK_KINDS; kind++) {
        if ((mask & CLI_LEAK_MASK(kind)) == 0)
            continue;
        const char *name = cli_leak_kind_names[kind];
        size_t length = strlen(name) + (used > 0 ? 1 : 0);
        if (used + length >= size)
            break;
        if (used > 0)
            buffer[used++] = ',';
        memcpy(buffer + used, name, strlen(name) + 1);
        used += strlen(name);
    }
    return buffer;
}
