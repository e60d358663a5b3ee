/* leak_groups.c: the groups of a leak check, symbolized, suppressed and
 * summed (leak_groups.h). Reads the snapshot and the symbols, writes no
 * output. */
#include "leak_groups.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "leak_words.h"

/* Frames a generated rule should not name: where the block was allocated
 * rather than who allocated it. Frame 0 is already the caller of malloc
 * (memsnap records none of its own frames), but C++'s new, strdup and the
 * like call malloc on the program's behalf. */
static const char *const allocation_functions[] = {
    "malloc", "calloc", "realloc", "reallocarray", "memalign", "aligned_alloc",
    "posix_memalign", "valloc", "pvalloc", "strdup", "strndup",
    "_Znwm*", "_Znam*", "_Znwj*", "_Znaj*", "operator new*",
};

static const char *const runtime_modules[] = { "libmemsnap.so*", "libc.so*", "libstdc++.so*" };

static int matches_any(const char *text, const char *const *patterns, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (fnmatch(patterns[i], text, 0) == 0)
            return 1;
    }
    return 0;
}

long cli_leak_rule_location(const cli_location_t *locations, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        const cli_location_t *location = &locations[i];
        if (location->symbol == NULL || location->symbol[0] == '\0' ||
            strpbrk(location->symbol, " \t\r\n") != NULL ||
            matches_any(location->symbol, allocation_functions,
                        sizeof allocation_functions / sizeof allocation_functions[0]))
            continue;
        if (location->module != NULL &&
            matches_any(cli_base_name(location->module), runtime_modules,
                        sizeof runtime_modules / sizeof runtime_modules[0]))
            continue;
        return (long)i;
    }
    return -1;
}

static int by_kind_then_size(const void *left, const void *right)
{
    const cli_leak_group_t *a = left, *b = right;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    if (a->amount.size != b->amount.size)
        return a->amount.size > b->amount.size ? -1 : 1;
    if (a->amount.count != b->amount.count)
        return a->amount.count > b->amount.count ? -1 : 1;
    return a->traceback < b->traceback ? -1 : a->traceback > b->traceback;
}

static void add(cli_leak_amount_t *sum, cli_leak_amount_t amount)
{
    sum->size += amount.size;
    sum->count += amount.count;
}

/* Every source frame of every row's traceback, in one array; each group
 * points into it. Two passes, so that the array never moves. */
static int collect_locations(cli_leak_check_t *check, cli_symbols_t *symbols)
{
    const cli_leaks_t *leaks = &check->snapshot->leaks;
    size_t total = 0;
    for (size_t i = 0; i < leaks->nrows; i++) {
        const cli_traceback_t *trace = leaks->rows[i].trace;
        for (uint32_t f = 0; trace != NULL && f < trace->nframes; f++)
            total += cli_symbols_resolve(symbols, trace->frames[f])->count;
    }
    check->locations = malloc((total + 1) * sizeof *check->locations);
    if (check->locations == NULL)
        return -1;
    size_t used = 0;
    for (size_t i = 0; i < leaks->nrows; i++) {
        const cli_leak_row_t *row = &leaks->rows[i];
        cli_leak_group_t *group = &check->groups[i];
        size_t first = used;
        *group = (cli_leak_group_t){
            .traceback = row->traceback, .kind = row->kind, .amount = { row->size, row->count },
            .truncated = row->trace != NULL && row->trace->truncated,
            .locations = check->locations + used, .rule = -1,
        };
        for (uint32_t f = 0; row->trace != NULL && f < row->trace->nframes; f++) {
            const cli_resolved_t *resolved = cli_symbols_resolve(symbols, row->trace->frames[f]);
            memcpy(check->locations + used, resolved->locations,
                   resolved->count * sizeof *resolved->locations);
            used += resolved->count;
        }
        group->nlocations = used - first;
    }
    return 0;
}

/* Applies the rules to each group and adds it up where it belongs. */
static void sum_groups(cli_leak_check_t *check)
{
    for (size_t i = 0; i < check->ngroups; i++) {
        cli_leak_group_t *group = &check->groups[i];
        if (group->kind != CLI_LEAK_IGNORED)
            group->rule = cli_suppressions_match(check->suppressions, group->kind,
                                                 group->locations, group->nlocations);
        if (group->rule >= 0) {
            add(&check->hidden[group->kind], group->amount);
            add(&check->by_rule[group->rule], group->amount);
            continue;
        }
        add(&check->kept[group->kind], group->amount);
        group->listed = (check->listed_kinds & CLI_LEAK_MASK(group->kind)) != 0;
        group->failing = (check->failing_kinds & CLI_LEAK_MASK(group->kind)) != 0;
        check->listed_groups += group->listed ? 1 : 0;
        if (group->failing) {
            check->failing_groups++;
            add(&check->failing, group->amount);
        }
    }
}

int cli_leak_check_build(cli_leak_check_t *check, const cli_snapshot_t *snapshot,
                         cli_symbols_t *symbols, const cli_suppressions_t *suppressions,
                         unsigned listed_kinds, unsigned failing_kinds)
{
    *check = (cli_leak_check_t){
        .snapshot = snapshot, .suppressions = suppressions, .listed_kinds = listed_kinds,
        .failing_kinds = failing_kinds, .ngroups = snapshot->leaks.nrows,
    };
    check->groups = calloc(check->ngroups + 1, sizeof *check->groups);
    check->by_rule = calloc(suppressions->count + 1, sizeof *check->by_rule);
    if (check->groups == NULL || check->by_rule == NULL ||
        collect_locations(check, symbols) != 0) {
        cli_error("%s: out of memory", snapshot->path);
        cli_leak_check_free(check);
        return -1;
    }
    sum_groups(check);
    qsort(check->groups, check->ngroups, sizeof *check->groups, by_kind_then_size);
    return 0;
}

void cli_leak_check_free(cli_leak_check_t *check)
{
    free(check->groups);
    free(check->locations);
    free(check->by_rule);
    check->groups = NULL;
    check->locations = NULL;
    check->by_rule = NULL;
}
