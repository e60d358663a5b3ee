/* symbols_fixture_lib.c: the shared object check_symbols.c symbolizes,
 * compiled at test time with -g -O2 -fPIC -shared.
 *
 * check_symbols.c finds the lines by the SITE_ marker comments, so code may
 * move; keep each marker on the line of the call it names. The program
 * (symbols_fixture_main.c) replaces malloc to record its return address.
 * With -DFIXTURE_REBUILT the object gets different code and so a different
 * build-id: the "rebuilt since the run" case. */
#include <stddef.h>
#include <stdlib.h>

volatile int fixture_sink;

#ifdef FIXTURE_REBUILT
/* Moves every function that follows, and changes the build-id. */
__attribute__((noinline)) int fixture_rebuilt(int value)
{
    for (int k = 0; k < value; k++)
        fixture_sink += k * 3;
    return fixture_sink;
}
#endif

/* Two levels of always_inline helpers, so that the malloc call in the
 * inner one stands for three source frames at one address. The volatile
 * store after each call keeps it from becoming a tail jump. */
static inline __attribute__((always_inline)) void *inner_helper(size_t size)
{
    void *block = malloc(size);   /* SITE_INNER */
    fixture_sink++;
    return block;
}

static inline __attribute__((always_inline)) void *middle_helper(size_t size)
{
    void *block = inner_helper(size + 1);   /* SITE_MIDDLE */
    fixture_sink++;
    return block;
}

/* Stores its own return address (in the program's main) in *caller. */
__attribute__((noinline)) void *fixture_outer(size_t size, void **caller)
{
    *caller = __builtin_return_address(0);
    void *block = middle_helper(size);   /* SITE_OUTER */
    fixture_sink++;
    return block;
}

__attribute__((noinline)) void *fixture_plain(size_t size)
{
    void *block = malloc(size * 2);   /* SITE_PLAIN */
    fixture_sink++;
    return block;
}

/* GCC could otherwise clone it under another name (hidden_alloc.constprop.0). */
#if defined(__has_attribute)
#if __has_attribute(noclone)
#define FIXTURE_NOCLONE __attribute__((noclone))
#endif
#endif
#ifndef FIXTURE_NOCLONE
#define FIXTURE_NOCLONE
#endif

/* Not exported: a full strip leaves no symbol for it. */
static __attribute__((noinline)) FIXTURE_NOCLONE void *hidden_alloc(size_t size)
{
    void *block = malloc(size + 3);   /* SITE_HIDDEN */
    fixture_sink++;
    return block;
}

__attribute__((noinline)) void *fixture_hidden(size_t size)
{
    void *block = hidden_alloc(size);
    fixture_sink++;
    return block;
}

/* The functions' own addresses, for the expected offsets of "symbol+0x..."
 * names. Taken through hidden aliases: the address of an exported function
 * taken anywhere in a non-PIE program is the program's PLT entry. */
extern void *fixture_outer_here(size_t size, void **caller)
    __attribute__((alias("fixture_outer"), visibility("hidden")));
extern void *fixture_plain_here(size_t size)
    __attribute__((alias("fixture_plain"), visibility("hidden")));

void *fixture_address(const char *name)
{
    switch (name[0]) {
    case 'o':
        return (void *)fixture_outer_here;
    case 'p':
        return (void *)fixture_plain_here;
    default:
        return (void *)hidden_alloc;
    }
}
