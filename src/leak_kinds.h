/* leak_kinds.h: the kinds a leak check sorts live blocks into, and their
 * names as the snapshot's "leaks" object and MEMSNAP_LEAK_KINDS spell them.
 * memcheck's meanings (docs/snapshot-format.md, "leaks"). Holds no state. */
#ifndef MS_LEAK_KINDS_H
#define MS_LEAK_KINDS_H

#include <stddef.h>
#include <string.h>

typedef enum ms_leak_kind {
    MS_LEAK_DEFINITE,             /* nothing points to it or into it */
    MS_LEAK_INDIRECT,             /* only lost blocks point to it */
    MS_LEAK_POSSIBLE,             /* only interior pointers reach it */
    MS_LEAK_REACHABLE,            /* a pointer to its start is reachable */
    MS_LEAK_IGNORED,              /* memsnap_ignore: a root, never reported */
    MS_LEAK_KIND_COUNT
} ms_leak_kind_t;

/* The kinds that fail a run by default, as LeakSanitizer's direct and
 * indirect leaks. */
#define MS_LEAK_FAILING_DEFAULT (1L << MS_LEAK_DEFINITE | 1L << MS_LEAK_INDIRECT)

static const char *const ms_leak_kind_names[MS_LEAK_KIND_COUNT] = {
    "definite", "indirect", "possible", "reachable", "ignored",
};

/* The kind named by the length bytes at name, or -1. */
static inline int ms_leak_kind_from_name(const char *name, size_t length)
{
    for (int kind = 0; kind < MS_LEAK_KIND_COUNT; kind++)
        if (strlen(ms_leak_kind_names[kind]) == length &&
            memcmp(ms_leak_kind_names[kind], name, length) == 0)
            return kind;
    return -1;
}

#endif
