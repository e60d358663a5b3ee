/* cmd_top.c: `memsnap top SNAP`: the overview a person opens first: where
 * memory is now and was at the peak, the biggest live sites, the hot spots
 * by number of allocations (heaptrack's "most calls"), and the allocator's
 * own table. */
#include <stdlib.h>
#include <string.h>

#include "analysis.h"

static void print_options(FILE *stream)
{
    cli_print_analysis_options(stream, CLI_OPTIONS_TOP);
}

/* Heaptrack's "most calls": by allocations, then bytes, then key (all
 * descending, as the other sections). */
static int by_count(const void *left, const void *right)
{
    const cli_stat_t *a = left, *b = right;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    if (a->size != b->size)
        return a->size > b->size ? -1 : 1;
    return cli_compare_keys(b->key, a->key);
}

/* A group's key on its own line(s): a traceback as indented frames. */
static void print_key(FILE *stream, cli_key_t key, int traceback, const char *figures)
{
    if (!traceback) {
        fprintf(stream, "  %s: %s\n", cli_location_text(key.ids[0]), figures);
        return;
    }
    fprintf(stream, "  %s\n", figures);
    for (uint32_t i = 0; i < key.length; i++)
        fprintf(stream, "    %s\n", cli_location_text(key.ids[i]));
}

static void section(const char *title, cli_report_t *report, const cli_snapshot_t *snapshot,
                    cli_symbols_t *symbols, cli_query_t *query, cli_measure_t measure,
                    int sort_by_count)
{
    query->measure = measure;
    cli_stats_t stats;
    cli_statistics(snapshot, symbols, query, &stats);
    if (sort_by_count)
        qsort(stats.items, stats.count, sizeof *stats.items, by_count);
    fprintf(report->stream, "\n%s\n", title);
    if (stats.count == 0)
        fputs("  (none)\n", report->stream);
    size_t rows = report->top != 0 && report->top < stats.count ? report->top : stats.count;
    for (size_t i = 0; i < rows; i++) {
        char size[32], average[32], figures[160];
        const cli_stat_t *stat = &stats.items[i];
        if (sort_by_count)
            snprintf(figures, sizeof figures, "calls=%llu, size=%s, average=%s",
                     (unsigned long long)stat->count,
                     cli_format_size(size, sizeof size, (double)stat->size, 0),
                     cli_format_size(average, sizeof average,
                                     stat->count ? (double)stat->size / (double)stat->count : 0, 0));
        else
            snprintf(figures, sizeof figures, "size=%s, count=%llu",
                     cli_format_size(size, sizeof size, (double)stat->size, 0),
                     (unsigned long long)stat->count);
        print_key(report->stream, stat->key, query->group_by == CLI_GROUP_TRACEBACK, figures);
    }
    cli_stats_free(&stats);
}

static uint64_t number(json_t *object, const char *key)
{
    json_t *value = json_object_get(object, key);
    return json_is_integer(value) && json_integer_value(value) > 0 ? (uint64_t)json_integer_value(value) : 0;
}

static void allocator_section(FILE *stream, json_t *allocator)
{
    char bytes[32], live[32];
    fputs("\nAllocator\n", stream);
    if (!json_is_object(allocator)) {
        fputs("  (not in this snapshot)\n", stream);
        return;
    }
    fprintf(stream, "  arenas: %llu now (%s), %llu at most, %llu mapped in all, %llu given back\n",
            (unsigned long long)number(allocator, "arenas_current"),
            cli_format_size(bytes, sizeof bytes, (double)number(allocator, "arena_bytes"), 0),
            (unsigned long long)number(allocator, "arenas_highwater"),
            (unsigned long long)number(allocator, "arenas_allocated_total"),
            (unsigned long long)number(allocator, "arenas_reclaimed"));
    fprintf(stream, "  large blocks: %llu live (%s), %llu allocated in all\n",
            (unsigned long long)number(allocator, "large_live_blocks"),
            cli_format_size(live, sizeof live, (double)number(allocator, "large_live_bytes"), 0),
            (unsigned long long)number(allocator, "large_calls"));
    json_t *classes = json_object_get(allocator, "classes");
    if (!json_is_array(classes) || json_array_size(classes) == 0)
        return;
    fprintf(stream, "  %5s %6s %11s %15s %13s\n", "class", "size", "num pools", "blocks in use",
            "avail blocks");
    size_t index;
    json_t *row;
    json_array_foreach(classes, index, row) {
        fprintf(stream, "  %5llu %6llu %11llu %15llu %13llu\n",
                (unsigned long long)number(row, "class"), (unsigned long long)number(row, "size"),
                (unsigned long long)number(row, "pools"),
                (unsigned long long)number(row, "blocks_in_use"),
                (unsigned long long)number(row, "blocks_available"));
    }
}

static void header(FILE *stream, const cli_snapshot_t *snapshot)
{
    char current[32], peak[32], at_peak[32];
    fprintf(stream, "memsnap top: %s\n  process:", snapshot->path);
    cli_print_command_line(stream, snapshot);
    fprintf(stream, " (pid %lld), snapshot on %s%s%s, %.3f s after start\n",
            (long long)snapshot->pid, snapshot->trigger, snapshot->tag ? " " : "",
            snapshot->tag ? snapshot->tag : "",
            (double)(snapshot->snapshot_time_ns - snapshot->start_time_ns) / 1e9);
    fprintf(stream, "  current %s in %llu tracebacks; peak %s",
            cli_format_size(current, sizeof current, (double)snapshot->totals.current, 0),
            (unsigned long long)snapshot->ntracebacks,
            cli_format_size(peak, sizeof peak, (double)snapshot->totals.peak, 0));
    if (snapshot->peak_time_ns != 0)
        fprintf(stream, " (breakdown of %s at %.3f s)",
                cli_format_size(at_peak, sizeof at_peak, (double)snapshot->peak_size, 0),
                (double)(snapshot->peak_time_ns - snapshot->start_time_ns) / 1e9);
    fprintf(stream, "\n  %llu allocations and %llu frees traced; %s\n",
            (unsigned long long)snapshot->totals.allocations,
            (unsigned long long)snapshot->totals.frees,
            snapshot->sample_bytes == 0 ? "every allocation recorded"
                                        : "sampled: per-site figures are estimates");
}

static int run(int argc, char **argv)
{
    cli_analysis_t analysis;
    int status = cli_parse_analysis(&cli_top_command, argc, argv, CLI_OPTIONS_TOP, 1, &analysis);
    if (status >= 0)
        return status;
    cli_loaded_t loaded;
    if (cli_load(analysis.paths[0], &loaded) != 0)
        return CLI_EXIT_BAD_SNAPSHOT;
    cli_report_t report = { .stream = stdout, .top = analysis.top, .query = &analysis.query };
    header(stdout, loaded.snapshot);
    section("At the peak (biggest lines in the peak breakdown)", &report, loaded.snapshot,
            loaded.symbols, &analysis.query, CLI_MEASURE_PEAK, 0);
    section("Live now (biggest lines)", &report, loaded.snapshot, loaded.symbols, &analysis.query,
            CLI_MEASURE_LIVE, 0);
    section("Most allocations (calls since tracing started)", &report, loaded.snapshot,
            loaded.symbols, &analysis.query, CLI_MEASURE_TOTAL, 1);
    allocator_section(stdout, loaded.snapshot->allocator);
    cli_unload(&loaded);
    return cli_finish_output();
}

const cli_command cli_top_command = {
    .name = "top",
    .synopsis = "[OPTIONS] SNAPSHOT",
    .summary = "overview: current and peak, biggest sites, hot spots, allocator",
    .run = run,
    .print_options = print_options,
};
