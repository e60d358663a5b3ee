/* pattern.h: helpers shared by the test programs: a block record, a small
 * random number generator and the fill pattern that lets a block's contents
 * be checked.
 *
 * A block is filled with a pattern derived from an id chosen by its owner:
 * byte i is byte (i % 8) of pattern_word(id, i / 8). Any byte that changes
 * while the block is live (a block handed out twice, a realloc that lost
 * data, a free list written into a live block) breaks the pattern. */
#ifndef TEST_PATTERN_H
#define TEST_PATTERN_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A block under test: where it is, how big, and the id of its pattern. */
typedef struct block {
    unsigned char *data;          /* NULL: no block */
    size_t size;
    uint64_t id;
} block_t;

/* xorshift64*: state must not be 0. */
static inline uint64_t next_random_from(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static inline uint64_t pattern_word(uint64_t id, size_t word_index)
{
    uint64_t x = (id + 1) * 0x9E3779B97F4A7C15ULL + word_index * 0xBF58476D1CE4E5B9ULL;
    return x ^ (x >> 31);
}

static inline void fill_pattern(unsigned char *data, size_t size, uint64_t id)
{
    size_t words = size / 8;
    for (size_t w = 0; w < words; w++) {
        uint64_t value = pattern_word(id, w);
        memcpy(data + w * 8, &value, 8);
    }
    uint64_t tail = pattern_word(id, words);
    memcpy(data + words * 8, &tail, size % 8);
}

/* 1 if the first size bytes of data still hold id's pattern. */
static inline int pattern_intact(const unsigned char *data, size_t size, uint64_t id)
{
    size_t words = size / 8;
    for (size_t w = 0; w < words; w++) {
        uint64_t value = pattern_word(id, w);
        if (memcmp(data + w * 8, &value, 8) != 0)
            return 0;
    }
    uint64_t tail = pattern_word(id, words);
    return memcmp(data + words * 8, &tail, size % 8) == 0;
}

/* Reallocates a block to size: checks its pattern before, the bytes kept
 * after, and fills it anew. Returns NULL, or what went wrong (the block is
 * then left as it was). */
static inline const char *block_reallocate(block_t *block, size_t size)
{
    if (!pattern_intact(block->data, block->size, block->id))
        return "pattern damaged before realloc";
    unsigned char *moved = realloc(block->data, size);
    if (moved == NULL)
        return "realloc returned NULL";
    size_t kept = block->size < size ? block->size : size;
    block->data = moved;
    block->size = size;
    if (!pattern_intact(moved, kept, block->id))
        return "realloc lost the contents";
    fill_pattern(moved, size, block->id);
    return NULL;
}

#endif
