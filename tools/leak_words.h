/* leak_words.h: the kinds of a leak check (reader.h's cli_leak_kind_t) as
 * sets, the words that name them and the phrases reports print. Shared by
 * the suppression files, `memsnap leaks` and `memsnap run`, so that every
 * place spells a kind the same way. Nothing here reads a snapshot.
 *
 * A set of kinds is a mask, bit (1 << kind). The words:
 *   definite, indirect, possible, reachable   one kind each
 *   leak                                      definite, indirect and possible
 *   all                                       the four above (never ignored:
 *                                             those blocks are not reported) */
#ifndef MEMSNAP_LEAK_WORDS_H
#define MEMSNAP_LEAK_WORDS_H

#include <stddef.h>

#include "reader.h"

#define CLI_LEAK_MASK(kind) (1u << (kind))
#define CLI_LEAKS_LOST                                                                   \
    (CLI_LEAK_MASK(CLI_LEAK_DEFINITE) | CLI_LEAK_MASK(CLI_LEAK_INDIRECT) |               \
     CLI_LEAK_MASK(CLI_LEAK_POSSIBLE))
#define CLI_LEAKS_ALL (CLI_LEAKS_LOST | CLI_LEAK_MASK(CLI_LEAK_REACHABLE))
/* What `leaks` lists, and what fails, without --kinds and --fail-kinds. */
#define CLI_LEAKS_DEFAULT_LISTED CLI_LEAKS_LOST
#define CLI_LEAKS_DEFAULT_FAILING                                                        \
    (CLI_LEAK_MASK(CLI_LEAK_DEFINITE) | CLI_LEAK_MASK(CLI_LEAK_INDIRECT))

/* For messages: the words a kind may be written as. */
#define CLI_LEAK_WORDS "definite, indirect, possible, reachable, leak or all"

/* By kind: "definitely lost", "indirectly lost", "possibly lost", "still
 * reachable", "ignored", as valgrind words them. */
extern const char *const cli_leak_phrases[CLI_LEAK_KINDS];

/* The set named by word[0...length): 0, or -1 when it names none. */
int cli_leak_kinds_word(const char *word, size_t length, unsigned *mask);

/* A comma-separated list of words ("definite,indirect", "leak,reachable"):
 * 0 and the union in *mask, or -1 (an unknown word, an empty element). */
int cli_leak_kinds_list(const char *list, unsigned *mask);

/* The kinds of mask as a list of single kinds in kind order,
 * "definite,indirect" ("" for none); returns buffer (cut to size). */
char *cli_leak_kinds_text(char *buffer, size_t size, unsigned mask);

#endif
