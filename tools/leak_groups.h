/* leak_groups.h: a snapshot's leak check made ready to report: one group
 * per row of "leaks" (a traceback and a kind), its frames symbolized, the
 * suppressions applied, the sums per kind, per rule and of the failing
 * kinds. Every output format of `memsnap leaks` renders this; nothing here
 * writes output or parses options.
 *
 * Groups are sorted in kind order (definite, indirect, possible,
 * reachable, ignored), then largest first: bytes, then blocks, then
 * traceback id ascending. */
#ifndef MEMSNAP_LEAK_GROUPS_H
#define MEMSNAP_LEAK_GROUPS_H

#include <stddef.h>
#include <stdint.h>

#include "reader.h"
#include "suppressions.h"
#include "symbols.h"

typedef struct cli_leak_amount {
    uint64_t size, count;         /* bytes, blocks */
} cli_leak_amount_t;

typedef struct cli_leak_group {
    uint32_t traceback;           /* CLI_UNSAMPLED_TRACEBACK: the sampler's blocks, no frames */
    cli_leak_kind_t kind;
    cli_leak_amount_t amount;
    int truncated;                /* the stack was deeper than the frames recorded */
    const cli_location_t *locations;   /* its source frames, innermost first, inlined
                                        * calls expanded (the check owns the array) */
    size_t nlocations;
    long rule;                    /* the suppression that hides it; -1 for none */
    int listed;                   /* of a listed kind, and not hidden */
    int failing;                  /* of a failing kind, and not hidden */
} cli_leak_group_t;

typedef struct cli_leak_check {
    const cli_snapshot_t *snapshot;
    const cli_suppressions_t *suppressions;
    unsigned listed_kinds, failing_kinds;   /* leak_words.h masks */
    cli_leak_group_t *groups;     /* every row of snapshot->leaks, sorted */
    size_t ngroups;
    cli_location_t *locations;    /* the groups' frames, one array */
    cli_leak_amount_t kept[CLI_LEAK_KINDS];    /* per kind: what no rule hid */
    cli_leak_amount_t hidden[CLI_LEAK_KINDS];  /* per kind: what rules hid */
    cli_leak_amount_t *by_rule;   /* per suppression rule: what it hid */
    size_t listed_groups;
    size_t failing_groups;
    cli_leak_amount_t failing;    /* the failing groups' blocks */
} cli_leak_check_t;

/* Builds check from snapshot (which must have leaks.present), resolving
 * frames with symbols; both must outlive check. Returns 0, or -1 after an
 * error line (out of memory). */
int cli_leak_check_build(cli_leak_check_t *check, const cli_snapshot_t *snapshot,
                         cli_symbols_t *symbols, const cli_suppressions_t *suppressions,
                         unsigned listed_kinds, unsigned failing_kinds);
void cli_leak_check_free(cli_leak_check_t *check);

/* Which frame a generated suppression names: the innermost location that
 * has a function name (cli_location_t.symbol) without blanks and is not
 * an allocation function (the malloc family, strdup, strndup, C++'s
 * operator new in every form) nor in libmemsnap, the C library or the C++
 * runtime (libmemsnap.so*, libc.so*, libstdc++.so*). Its index, or -1
 * when none is. */
long cli_leak_rule_location(const cli_location_t *locations, size_t count);

#endif
