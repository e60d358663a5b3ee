/* foreign_free.c: pointers memsnap did not hand out, given to its functions.
 *
 * Blocks come straight from glibc through __libc_malloc, __libc_calloc and
 * __libc_memalign (which memsnap does not interpose), then go to the
 * interposed free, realloc (to small, large and zero sizes) and
 * malloc_usable_size. Also loads and unloads a library with dlopen/dlclose
 * repeatedly (ld.so allocates and frees its link maps). Checks: no crash, the
 * usable size covers the block, realloc keeps the contents. Exits 0 if every
 * check passed.
 */
#include <dlfcn.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>

#include "pattern.h"

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);

static int failures;

static void expect(int condition, const char *what, size_t size)
{
    if (!condition) {
        fprintf(stderr, "foreign_free: %s (size %zu)\n", what, size);
        failures++;
    }
}

/* A glibc block of size bytes, filled with a pattern; kind picks the call. */
static unsigned char *foreign_block(int kind, size_t size)
{
    unsigned char *block = kind == 0   ? __libc_malloc(size)
                           : kind == 1 ? __libc_calloc(1, size)
                                       : __libc_memalign(64, size);
    expect(block != NULL, "glibc returned NULL", size);
    if (block != NULL) {
        expect(malloc_usable_size(block) >= size, "malloc_usable_size below the size", size);
        fill_pattern(block, size, size);
    }
    return block;
}

static void check_realloc(int kind, size_t size, size_t new_size)
{
    unsigned char *block = foreign_block(kind, size);
    unsigned char *moved = realloc(block, new_size);
    expect(moved != NULL, "realloc of a glibc block returned NULL", size);
    if (moved == NULL)
        return;
    expect(pattern_intact(moved, size < new_size ? size : new_size, size),
           "realloc of a glibc block lost its contents", size);
    expect(malloc_usable_size(moved) >= new_size, "usable size after realloc", new_size);
    free(moved);
}

int main(void)
{
    static const size_t sizes[] = { 1, 24, 100, 512, 513, 4000, 200000 };
    for (int kind = 0; kind < 3; kind++)
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            free(foreign_block(kind, sizes[i]));
            check_realloc(kind, sizes[i], 16);
            check_realloc(kind, sizes[i], 1000);
            check_realloc(kind, sizes[i], 300000);
            expect(realloc(foreign_block(kind, sizes[i]), 0) == NULL, "realloc(p, 0) != NULL",
                   sizes[i]);
        }

    for (int round = 0; round < 20; round++) {
        void *library = dlopen("libm.so.6", RTLD_NOW | RTLD_LOCAL);
        expect(library != NULL, "dlopen libm.so.6 failed", 0);
        expect(library == NULL || dlsym(library, "cos") != NULL, "dlsym cos failed", 0);
        if (library != NULL)
            dlclose(library);
    }

    printf("foreign_free: %d failures\n", failures);
    return failures == 0 ? 0 : 1;
}
