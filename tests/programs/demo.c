/* demo.c: the example program `make demo` traces with memsnap.
 *
 * It counts the words of a generated text in a hash table and prints the
 * most frequent ones. Its allocations are the kinds memsnap's table tells
 * apart: one large buffer for the text, many small nodes and strings for the
 * table, a medium array for sorting. At the end it frees everything except
 * the three most frequent words, left allocated on purpose so that the table
 * printed at exit has blocks still in use to show. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORDS_IN_TEXT 50000
#define BUCKET_COUNT 1024
#define TOP_WORDS 10
#define WORDS_KEPT 3

/* One distinct word and how often it occurs; a bucket's words are chained. */
typedef struct word_count {
    struct word_count *next;
    char *word;
    unsigned count;
} word_count;

typedef struct word_table {
    word_count **buckets;     /* BUCKET_COUNT chains */
    size_t distinct_words;
} word_table;

/* A fixed pseudo-random sequence, so every run prints the same words. */
static unsigned next_random(void)
{
    static unsigned state = 12345;
    state = state * 1103515245u + 12345u;
    return (state >> 16) & 0x7fff;
}

/* Words of one to three syllables; squaring the draws favours short words
 * and the first syllables, so that some words are frequent, as in real text. */
static size_t append_random_word(char *text, size_t length)
{
    static const char *const syllables[] = {
        "ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "bra", "sto", "qui",
    };
    size_t syllable_count = sizeof syllables / sizeof syllables[0];
    unsigned draw = next_random() % 4;
    unsigned syllables_in_word = 1 + draw * draw / 4;
    for (unsigned i = 0; i < syllables_in_word; i++) {
        unsigned pick = next_random() % syllable_count;
        pick = pick * pick / syllable_count;
        size_t syllable_length = strlen(syllables[pick]);
        memcpy(text + length, syllables[pick], syllable_length);
        length += syllable_length;
    }
    text[length++] = ' ';
    return length;
}

static char *generate_text(void)
{
    /* At most three syllables of three letters and a space per word. */
    char *text = malloc(WORDS_IN_TEXT * 10 + 1);
    if (text == NULL)
        return NULL;
    size_t length = 0;
    for (int i = 0; i < WORDS_IN_TEXT; i++)
        length = append_random_word(text, length);
    text[length] = '\0';
    printf("generated a text of %d words in one buffer of %zu bytes\n", WORDS_IN_TEXT, length);
    return text;
}

/* FNV-1a: short and spreads similar words across buckets. */
static unsigned hash(const char *word)
{
    unsigned value = 2166136261u;
    for (; *word != '\0'; word++)
        value = (value ^ (unsigned char)*word) * 16777619u;
    return value;
}

static int count_word(word_table *table, const char *word)
{
    word_count **bucket = &table->buckets[hash(word) % BUCKET_COUNT];
    for (word_count *node = *bucket; node != NULL; node = node->next) {
        if (strcmp(node->word, word) == 0) {
            node->count++;
            return 0;
        }
    }
    word_count *node = malloc(sizeof *node);
    if (node == NULL || (node->word = strdup(word)) == NULL) {
        free(node);
        return -1;
    }
    node->count = 1;
    node->next = *bucket;
    *bucket = node;
    table->distinct_words++;
    return 0;
}

static int by_count_then_word(const void *a, const void *b)
{
    const word_count *left = *(const word_count *const *)a;
    const word_count *right = *(const word_count *const *)b;
    if (left->count != right->count)
        return left->count < right->count ? 1 : -1;
    return strcmp(left->word, right->word);
}

/* The table's nodes, most frequent first, in a new array. */
static word_count **sorted_words(const word_table *table)
{
    word_count **array = malloc(table->distinct_words * sizeof *array);
    if (array == NULL)
        return NULL;
    size_t filled = 0;
    for (size_t i = 0; i < BUCKET_COUNT; i++) {
        for (word_count *node = table->buckets[i]; node != NULL; node = node->next)
            array[filled++] = node;
    }
    qsort(array, filled, sizeof *array, by_count_then_word);
    return array;
}

int main(void)
{
    word_table table = { calloc(BUCKET_COUNT, sizeof *table.buckets), 0 };
    char *text = generate_text();
    if (table.buckets == NULL || text == NULL)
        return 1;
    for (char *word = strtok(text, " "); word != NULL; word = strtok(NULL, " ")) {
        if (count_word(&table, word) != 0)
            return 1;
    }
    free(text);
    printf("counted %zu distinct words in a hash table of %d buckets\n", table.distinct_words,
           BUCKET_COUNT);

    word_count **sorted = sorted_words(&table);
    if (sorted == NULL)
        return 1;
    printf("the %d most frequent:\n", TOP_WORDS);
    for (size_t i = 0; i < TOP_WORDS && i < table.distinct_words; i++)
        printf("  %-10s %5u\n", sorted[i]->word, sorted[i]->count);

    /* Everything goes back except the first WORDS_KEPT nodes and their
     * strings: a leak on purpose, for the table to show. */
    for (size_t i = WORDS_KEPT; i < table.distinct_words; i++) {
        free(sorted[i]->word);
        free(sorted[i]);
    }
    free(sorted);
    free(table.buckets);
    printf("freed all but the top %d words: %d nodes and %d strings left allocated\n",
           WORDS_KEPT, WORDS_KEPT, WORDS_KEPT);
    return 0;
}
