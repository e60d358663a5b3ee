/* statistics.c: grouping, filtering and comparing traces (statistics.h).
 *
 * Three tables, all open addressing with linear probing:
 *   texts:   location text -> id, process-wide (both snapshots of a diff);
 *   per run: frame id -> its source locations' text ids (built once per
 *            frame, not per trace: 131072 traces share a few thousand frames);
 *   groups:  key (a list of text ids) -> statistic.
 * The tool is single-threaded; texts lives as long as the process. */
#include "statistics.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* ---- interned texts ---------------------------------------------------- */

static char **texts;
static size_t text_count, text_capacity;
static uint32_t *text_slots;            /* id + 1; 0 empty */
static size_t text_slot_capacity;

static uint64_t hash_bytes(const void *data, size_t length, uint64_t hash)
{
    const unsigned char *bytes = data;
    for (size_t i = 0; i < length; i++) {
        hash ^= bytes[i];
        hash *= 0x100000001b3ULL;
    }
    return hash;
}

static void *checked(void *pointer)
{
    if (pointer == NULL) {
        fputs("memsnap: out of memory\n", stderr);
        exit(2);
    }
    return pointer;
}

static size_t text_probe(const uint32_t *slots, size_t capacity, const char *text)
{
    size_t probe = hash_bytes(text, strlen(text), 0xcbf29ce484222325ULL) & (capacity - 1);
    while (slots[probe] != 0 && strcmp(texts[slots[probe] - 1], text) != 0)
        probe = (probe + 1) & (capacity - 1);
    return probe;
}

static uint32_t intern(const char *text)
{
    if ((text_count + 1) * 2 > text_slot_capacity) {
        size_t capacity = text_slot_capacity == 0 ? 1024 : text_slot_capacity * 2;
        uint32_t *slots = checked(calloc(capacity, sizeof *slots));
        for (size_t id = 0; id < text_count; id++)
            slots[text_probe(slots, capacity, texts[id])] = (uint32_t)id + 1;
        free(text_slots);
        text_slots = slots;
        text_slot_capacity = capacity;
    }
    size_t probe = text_probe(text_slots, text_slot_capacity, text);
    if (text_slots[probe] != 0)
        return text_slots[probe] - 1;
    if (text_count == text_capacity) {
        text_capacity = text_capacity == 0 ? 1024 : text_capacity * 2;
        texts = checked(realloc(texts, text_capacity * sizeof *texts));
    }
    texts[text_count] = checked(strdup(text));
    text_slots[probe] = (uint32_t)++text_count;
    return (uint32_t)text_count - 1;
}

const char *cli_location_text(uint32_t id)
{
    return texts[id];
}

/* ---- keys of frames ---------------------------------------------------- */

char *cli_format_location(char *buffer, size_t size, const cli_location_t *location)
{
    if (location->file != NULL)
        snprintf(buffer, size, "%s:%u (%s)", location->file, location->line, location->function);
    else if (location->module != NULL && strchr(location->function, '+') == NULL)
        snprintf(buffer, size, "%s (%s)", location->function, cli_base_name(location->module));
    else
        snprintf(buffer, size, "%s", location->function);
    return buffer;
}

static uint32_t location_id(const cli_location_t *location, cli_group_by_t group_by)
{
    char buffer[8192];
    switch (group_by) {
    case CLI_GROUP_LINENO:
        if (location->file == NULL)
            return intern(location->function);
        snprintf(buffer, sizeof buffer, "%s:%u", location->file, location->line);
        return intern(buffer);
    case CLI_GROUP_FILENAME:
        return intern(location->file != NULL     ? location->file
                      : location->module != NULL ? location->module
                                                 : location->function);
    case CLI_GROUP_FUNCTION:
        return intern(location->function);
    case CLI_GROUP_MODULE:
        return intern(location->module != NULL ? location->module : "<no module>");
    case CLI_GROUP_TRACEBACK:
        return intern(cli_format_location(buffer, sizeof buffer, location));
    }
    return 0;
}

/* Per frame id, the text ids of its source locations for one grouping. */
typedef struct frame_keys {
    uint32_t *first;              /* by frame id: index into ids, UINT32_MAX if not built */
    uint32_t *count;
    uint32_t *ids;
    size_t used, capacity;
} frame_keys_t;

static void frame_keys_init(frame_keys_t *keys, size_t nframes)
{
    keys->first = checked(malloc((nframes + 1) * sizeof *keys->first));
    keys->count = checked(calloc(nframes + 1, sizeof *keys->count));
    memset(keys->first, 0xff, (nframes + 1) * sizeof *keys->first);
    keys->ids = NULL;
    keys->used = keys->capacity = 0;
}

static void frame_keys_free(frame_keys_t *keys)
{
    free(keys->first);
    free(keys->count);
    free(keys->ids);
}

static const uint32_t *frame_key_ids(frame_keys_t *keys, cli_symbols_t *symbols,
                                     uint32_t frame, cli_group_by_t group_by, uint32_t *count)
{
    if (keys->first[frame] == UINT32_MAX) {
        const cli_resolved_t *resolved = cli_symbols_resolve(symbols, frame);
        if (keys->used + resolved->count > keys->capacity) {
            keys->capacity = (keys->used + resolved->count) * 2 + 256;
            keys->ids = checked(realloc(keys->ids, keys->capacity * sizeof *keys->ids));
        }
        keys->first[frame] = (uint32_t)keys->used;
        keys->count[frame] = resolved->count;
        for (unsigned i = 0; i < resolved->count; i++)
            keys->ids[keys->used++] = location_id(&resolved->locations[i], group_by);
    }
    *count = keys->count[frame];
    return &keys->ids[keys->first[frame]];
}

/* ---- filters ----------------------------------------------------------- */

static int location_matches(const cli_location_t *location, const cli_filter_t *filter)
{
    if (filter->line != 0 && location->line != filter->line)
        return 0;
    return (location->file != NULL && fnmatch(filter->pattern, location->file, 0) == 0) ||
           fnmatch(filter->pattern, location->function, 0) == 0 ||
           (location->module != NULL &&
            (fnmatch(filter->pattern, location->module, 0) == 0 ||
             fnmatch(filter->pattern, cli_base_name(location->module), 0) == 0));
}

static int filter_matches(const cli_traceback_t *trace, cli_symbols_t *symbols,
                          const cli_filter_t *filter, int all_frames)
{
    uint32_t frames = all_frames ? trace->nframes : (trace->nframes > 0 ? 1 : 0);
    for (uint32_t f = 0; f < frames; f++) {
        const cli_resolved_t *resolved = cli_symbols_resolve(symbols, trace->frames[f]);
        unsigned locations = all_frames ? resolved->count : 1;
        for (unsigned i = 0; i < locations; i++) {
            if (location_matches(&resolved->locations[i], filter))
                return 1;
        }
    }
    return 0;
}

/* tracemalloc's filter_traces: kept if some inclusive filter matches (or
 * there is none) and no exclusive one does. */
static int trace_passes(const cli_traceback_t *trace, cli_symbols_t *symbols,
                        const cli_query_t *query)
{
    if (query->has_domain && trace->domain != query->domain)
        return 0;
    int has_inclusive = 0, included = 0;
    for (size_t i = 0; i < query->nfilters; i++) {
        const cli_filter_t *filter = &query->filters[i];
        if (filter->inclusive) {
            has_inclusive = 1;
            if (!included && filter_matches(trace, symbols, filter, query->all_frames))
                included = 1;
        } else if (filter_matches(trace, symbols, filter, query->all_frames)) {
            return 0;
        }
    }
    return !has_inclusive || included;
}

/* ---- groups ------------------------------------------------------------ */

typedef struct groups {
    cli_stat_t *items;
    size_t count, capacity;
    uint32_t *slots;              /* index + 1; 0 empty */
    size_t slot_capacity;
} groups_t;

static uint64_t key_hash(const uint32_t *ids, uint32_t length)
{
    return hash_bytes(ids, length * sizeof *ids, 0xcbf29ce484222325ULL ^ length);
}

static int same_key(cli_key_t key, const uint32_t *ids, uint32_t length)
{
    return key.length == length && memcmp(key.ids, ids, length * sizeof *ids) == 0;
}

static size_t group_probe(const groups_t *groups, const uint32_t *slots, size_t capacity,
                          const uint32_t *ids, uint32_t length)
{
    size_t probe = key_hash(ids, length) & (capacity - 1);
    while (slots[probe] != 0 && !same_key(groups->items[slots[probe] - 1].key, ids, length))
        probe = (probe + 1) & (capacity - 1);
    return probe;
}

static cli_stat_t *group_for(groups_t *groups, const uint32_t *ids, uint32_t length)
{
    if ((groups->count + 1) * 2 > groups->slot_capacity) {
        size_t capacity = groups->slot_capacity == 0 ? 1024 : groups->slot_capacity * 2;
        uint32_t *slots = checked(calloc(capacity, sizeof *slots));
        for (size_t i = 0; i < groups->count; i++) {
            cli_key_t key = groups->items[i].key;
            slots[group_probe(groups, slots, capacity, key.ids, key.length)] = (uint32_t)i + 1;
        }
        free(groups->slots);
        groups->slots = slots;
        groups->slot_capacity = capacity;
    }
    size_t probe = group_probe(groups, groups->slots, groups->slot_capacity, ids, length);
    if (groups->slots[probe] != 0)
        return &groups->items[groups->slots[probe] - 1];
    if (groups->count == groups->capacity) {
        groups->capacity = groups->capacity == 0 ? 1024 : groups->capacity * 2;
        groups->items = checked(realloc(groups->items, groups->capacity * sizeof *groups->items));
    }
    uint32_t *copy = checked(malloc((length ? length : 1) * sizeof *copy));
    memcpy(copy, ids, length * sizeof *ids);
    cli_stat_t *stat = &groups->items[groups->count];
    *stat = (cli_stat_t){ { copy, length }, 0, 0 };
    groups->slots[probe] = (uint32_t)++groups->count;
    return stat;
}

static void measure(const cli_traceback_t *trace, cli_measure_t which, uint64_t *size,
                    uint64_t *count)
{
    switch (which) {
    case CLI_MEASURE_LIVE:
        *size = trace->size;
        *count = trace->count;
        break;
    case CLI_MEASURE_TOTAL:
        *size = trace->total_size;
        *count = trace->total_count;
        break;
    case CLI_MEASURE_PEAK:
        *size = trace->peak_size;
        *count = trace->peak_count;
        break;
    }
}

int cli_compare_keys(cli_key_t a, cli_key_t b)
{
    for (uint32_t i = 0; i < a.length && i < b.length; i++) {
        if (a.ids[i] != b.ids[i]) {
            int order = strcmp(texts[a.ids[i]], texts[b.ids[i]]);
            if (order != 0)
                return order;
        }
    }
    return a.length < b.length ? -1 : a.length > b.length;
}

static int descending(uint64_t a, uint64_t b)
{
    return a > b ? -1 : a < b;
}

static int by_size_then_count(const void *left, const void *right)
{
    const cli_stat_t *a = left, *b = right;
    int order = descending(a->size, b->size);
    if (order == 0)
        order = descending(a->count, b->count);
    /* tracemalloc sorts the whole tuple in reverse: the key too. */
    return order != 0 ? order : cli_compare_keys(b->key, a->key);
}

int cli_statistics(const cli_snapshot_t *snapshot, cli_symbols_t *symbols,
                   const cli_query_t *query, cli_stats_t *out)
{
    frame_keys_t keys;
    frame_keys_init(&keys, snapshot->nframes);
    groups_t groups = { 0 };
    uint32_t *scratch = NULL;
    size_t scratch_capacity = 0;
    out->total_size = out->total_count = 0;
    for (size_t t = 0; t < snapshot->ntracebacks; t++) {
        const cli_traceback_t *trace = &snapshot->tracebacks[t];
        uint64_t size = 0, count = 0;
        measure(trace, query->measure, &size, &count);
        if ((size == 0 && count == 0) || !trace_passes(trace, symbols, query))
            continue;
        out->total_size += size;
        out->total_count += count;
        /* Every key id of the trace, innermost first. */
        size_t used = 0;
        uint32_t frames = query->group_by == CLI_GROUP_TRACEBACK || query->cumulative
                              ? trace->nframes
                              : (trace->nframes > 0 ? 1 : 0);
        for (uint32_t f = 0; f < frames; f++) {
            uint32_t n;
            const uint32_t *ids = frame_key_ids(&keys, symbols, trace->frames[f], query->group_by, &n);
            if (query->group_by != CLI_GROUP_TRACEBACK && !query->cumulative)
                n = n > 0 ? 1 : 0;
            if (used + n > scratch_capacity) {
                scratch_capacity = (used + n) * 2 + 64;
                scratch = checked(realloc(scratch, scratch_capacity * sizeof *scratch));
            }
            memcpy(scratch + used, ids, n * sizeof *ids);
            used += n;
        }
        if (used == 0) {
            uint32_t unknown = intern("<unknown>");
            cli_stat_t *stat = group_for(&groups, &unknown, 1);
            stat->size += size;
            stat->count += count;
        } else if (query->group_by == CLI_GROUP_TRACEBACK) {
            cli_stat_t *stat = group_for(&groups, scratch, (uint32_t)used);
            stat->size += size;
            stat->count += count;
        } else {
            /* Cumulative: each key once per trace, whatever its repeats. */
            for (size_t i = 0; i < used; i++) {
                int seen = 0;
                for (size_t j = 0; j < i && !seen; j++)
                    seen = scratch[j] == scratch[i];
                if (seen)
                    continue;
                cli_stat_t *stat = group_for(&groups, &scratch[i], 1);
                stat->size += size;
                stat->count += count;
            }
        }
    }
    free(scratch);
    free(groups.slots);
    frame_keys_free(&keys);
    qsort(groups.items, groups.count, sizeof *groups.items, by_size_then_count);
    out->items = groups.items;
    out->count = groups.count;
    return 0;
}

void cli_stats_free(cli_stats_t *stats)
{
    for (size_t i = 0; i < stats->count; i++)
        free((void *)stats->items[i].key.ids);
    free(stats->items);
    stats->items = NULL;
    stats->count = 0;
}

/* ---- compare_to -------------------------------------------------------- */

static uint64_t magnitude(int64_t value)
{
    return value < 0 ? (uint64_t)-value : (uint64_t)value;
}

static int by_change(const void *left, const void *right)
{
    const cli_stat_diff_t *a = left, *b = right;
    int order = descending(magnitude(a->size_diff), magnitude(b->size_diff));
    if (order == 0)
        order = descending(a->size, b->size);
    if (order == 0)
        order = descending(magnitude(a->count_diff), magnitude(b->count_diff));
    if (order == 0)
        order = descending(a->count, b->count);
    return order != 0 ? order : cli_compare_keys(b->key, a->key);
}

int cli_compare(const cli_stats_t *old_stats, const cli_stats_t *new_stats, cli_diffs_t *out)
{
    groups_t index = { 0 };
    for (size_t i = 0; i < old_stats->count; i++) {
        cli_key_t key = old_stats->items[i].key;
        cli_stat_t *entry = group_for(&index, key.ids, key.length);
        entry->size = old_stats->items[i].size;
        entry->count = old_stats->items[i].count;
    }
    char *matched = checked(calloc(index.count + 1, 1));
    size_t capacity = new_stats->count + index.count;
    out->items = checked(malloc((capacity ? capacity : 1) * sizeof *out->items));
    out->count = 0;
    for (size_t i = 0; i < new_stats->count; i++) {
        const cli_stat_t *now = &new_stats->items[i];
        uint64_t old_size = 0, old_count = 0;
        size_t probe = index.slot_capacity == 0
                           ? 0
                           : group_probe(&index, index.slots, index.slot_capacity, now->key.ids,
                                         now->key.length);
        if (index.slot_capacity != 0 && index.slots[probe] != 0) {
            size_t at = index.slots[probe] - 1;
            matched[at] = 1;
            old_size = index.items[at].size;
            old_count = index.items[at].count;
        }
        uint32_t *ids = checked(malloc((now->key.length ? now->key.length : 1) * sizeof *ids));
        memcpy(ids, now->key.ids, now->key.length * sizeof *ids);
        out->items[out->count++] = (cli_stat_diff_t){
            { ids, now->key.length }, now->size, now->count,
            (int64_t)(now->size - old_size), (int64_t)(now->count - old_count) };
    }
    for (size_t at = 0; at < index.count; at++) {
        if (matched[at])
            continue;
        cli_stat_t *gone = &index.items[at];
        out->items[out->count++] = (cli_stat_diff_t){ gone->key, 0, 0, -(int64_t)gone->size,
                                                      -(int64_t)gone->count };
        gone->key.ids = NULL;     /* now owned by out */
    }
    for (size_t at = 0; at < index.count; at++)
        free((void *)index.items[at].key.ids);
    free(index.items);
    free(index.slots);
    free(matched);
    qsort(out->items, out->count, sizeof *out->items, by_change);
    out->total_size = new_stats->total_size;
    out->total_count = new_stats->total_count;
    out->total_size_diff = (int64_t)(new_stats->total_size - old_stats->total_size);
    out->total_count_diff = (int64_t)(new_stats->total_count - old_stats->total_count);
    return 0;
}

void cli_diffs_free(cli_diffs_t *diffs)
{
    for (size_t i = 0; i < diffs->count; i++)
        free((void *)diffs->items[i].key.ids);
    free(diffs->items);
    diffs->items = NULL;
    diffs->count = 0;
}
