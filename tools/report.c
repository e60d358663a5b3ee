/* report.c: writing statistics and differences (report.h).
 *
 * Text follows tracemalloc's str() of Statistic and StatisticDiff, so that a
 * Python user reads memsnap's lines at once:
 *   a.c:12: size=1.2 MiB, count=3, average=410 KiB
 *   a.c:12: size=1.2 MiB (+1.0 MiB), count=3 (+2), average=410 KiB
 * A traceback group prints its figures, then one indented line per source
 * frame, innermost first. JSON is built with jansson; CSV quotes a field
 * that holds a comma, a quote or a line break. */
#include "report.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const cli_group_by_names[] = {
    [CLI_GROUP_LINENO] = "lineno",     [CLI_GROUP_FILENAME] = "filename",
    [CLI_GROUP_FUNCTION] = "function", [CLI_GROUP_MODULE] = "module",
    [CLI_GROUP_TRACEBACK] = "traceback",
};

const char *const cli_measure_names[] = {
    [CLI_MEASURE_LIVE] = "live",
    [CLI_MEASURE_TOTAL] = "total",
    [CLI_MEASURE_PEAK] = "peak",
};

#define BOLD  "\033[1m"
#define RED   "\033[31m"
#define GREEN "\033[32m"
#define RESET "\033[0m"

char *cli_format_size(char *buffer, size_t size, double bytes, int sign)
{
    static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
    for (size_t unit = 0; unit < 5; unit++) {
        if (fabs(bytes) < 100 && unit != 0) {
            snprintf(buffer, size, sign ? "%+.1f %s" : "%.1f %s", bytes, units[unit]);
            return buffer;
        }
        if (fabs(bytes) < 10 * 1024 || unit == 4) {
            snprintf(buffer, size, sign ? "%+.0f %s" : "%.0f %s", bytes, units[unit]);
            return buffer;
        }
        bytes /= 1024;
    }
    return buffer;
}

int cli_use_colour(void)
{
    const char *no_colour = getenv("NO_COLOR");
    const char *term = getenv("TERM");
    return isatty(STDOUT_FILENO) && (no_colour == NULL || no_colour[0] == '\0') &&
           (term == NULL || strcmp(term, "dumb") != 0);
}

static size_t rows(const cli_report_t *report, size_t available)
{
    return report->top != 0 && report->top < available ? report->top : available;
}

/* ---- text -------------------------------------------------------------- */

static void text_key(const cli_report_t *report, cli_key_t key)
{
    if (report->query->group_by == CLI_GROUP_TRACEBACK)
        return;
    fprintf(report->stream, "%s%s%s: ", report->colour ? BOLD : "", cli_location_text(key.ids[0]),
            report->colour ? RESET : "");
}

static void text_frames(const cli_report_t *report, cli_key_t key)
{
    if (report->query->group_by != CLI_GROUP_TRACEBACK)
        return;
    for (uint32_t i = 0; i < key.length; i++)
        fprintf(report->stream, "  %s\n", cli_location_text(key.ids[i]));
}

static void text_average(FILE *stream, uint64_t size, uint64_t count)
{
    char average[32];
    if (count != 0)
        fprintf(stream, ", average=%s",
                cli_format_size(average, sizeof average, (double)size / (double)count, 0));
}

static void text_stat(const cli_report_t *report, const cli_stat_t *stat)
{
    char size[32];
    text_key(report, stat->key);
    fprintf(report->stream, "size=%s, count=%llu",
            cli_format_size(size, sizeof size, (double)stat->size, 0),
            (unsigned long long)stat->count);
    text_average(report->stream, stat->size, stat->count);
    fputc('\n', report->stream);
    text_frames(report, stat->key);
}

static void text_diff(const cli_report_t *report, const cli_stat_diff_t *diff)
{
    char size[32], change[32];
    const char *colour = !report->colour       ? ""
                         : diff->size_diff > 0 ? RED
                         : diff->size_diff < 0 ? GREEN
                                               : "";
    text_key(report, diff->key);
    fprintf(report->stream, "size=%s (%s%s%s), count=%llu (%+lld)",
            cli_format_size(size, sizeof size, (double)diff->size, 0), colour,
            cli_format_size(change, sizeof change, (double)diff->size_diff, 1),
            colour[0] != '\0' ? RESET : "", (unsigned long long)diff->count,
            (long long)diff->count_diff);
    text_average(report->stream, diff->size, diff->count);
    fputc('\n', report->stream);
    text_frames(report, diff->key);
}

/* ---- CSV --------------------------------------------------------------- */

static void csv_field(FILE *stream, const char *text)
{
    if (strpbrk(text, ",\"\r\n") == NULL) {
        fputs(text, stream);
        return;
    }
    fputc('"', stream);
    for (; *text != '\0'; text++) {
        if (*text == '"')
            fputc('"', stream);
        fputc(*text, stream);
    }
    fputc('"', stream);
}

/* A traceback's frames in one field, innermost first, " <- " between. */
static void csv_key(FILE *stream, cli_key_t key)
{
    size_t length = 1;
    for (uint32_t i = 0; i < key.length; i++)
        length += strlen(cli_location_text(key.ids[i])) + 4;
    char *text = malloc(length);
    if (text == NULL)
        return;
    text[0] = '\0';
    for (uint32_t i = 0; i < key.length; i++) {
        if (i > 0)
            strcat(text, " <- ");
        strcat(text, cli_location_text(key.ids[i]));
    }
    csv_field(stream, text);
    free(text);
}

static double average_of(uint64_t size, uint64_t count)
{
    return count != 0 ? (double)size / (double)count : 0.0;
}

/* ---- JSON -------------------------------------------------------------- */

static json_t *json_key(json_t *row, const cli_report_t *report, cli_key_t key)
{
    if (report->query->group_by == CLI_GROUP_TRACEBACK) {
        json_t *frames = json_array();
        for (uint32_t i = 0; i < key.length; i++)
            json_array_append_new(frames, json_string(cli_location_text(key.ids[i])));
        json_object_set_new(row, "frames", frames);
    } else {
        json_object_set_new(row, "key", json_string(cli_location_text(key.ids[0])));
    }
    return row;
}

static json_t *json_header(const cli_report_t *report)
{
    json_t *root = json_object();
    json_object_set_new(root, "command", json_string(report->command));
    if (report->old_path != NULL)
        json_object_set_new(root, "old", json_string(report->old_path));
    json_object_set_new(root, report->old_path != NULL ? "new" : "snapshot",
                        json_string(report->new_path));
    json_object_set_new(root, "group_by", json_string(cli_group_by_names[report->query->group_by]));
    json_object_set_new(root, "cumulative", json_boolean(report->query->cumulative));
    json_object_set_new(root, "measure", json_string(cli_measure_names[report->query->measure]));
    return root;
}

int cli_dump_json(FILE *stream, json_t *root)
{
    int status = json_dumpf(root, stream, JSON_INDENT(2)) == 0 ? 0 : -1;
    fputc('\n', stream);
    json_decref(root);
    return status;
}

void cli_print_command_line(FILE *stream, const cli_snapshot_t *snapshot)
{
    for (size_t i = 0; i < snapshot->argc && i < 8; i++)
        fprintf(stream, " %s", snapshot->argv[i]);
    if (snapshot->argc > 8)
        fputs(" ...", stream);
}

/* ---- entry points ------------------------------------------------------ */

int cli_report_stats(const cli_report_t *report, const cli_stats_t *stats)
{
    size_t count = rows(report, stats->count);
    FILE *stream = report->stream;
    switch (report->format) {
    case CLI_FORMAT_TEXT:
        for (size_t i = 0; i < count; i++)
            text_stat(report, &stats->items[i]);
        break;
    case CLI_FORMAT_CSV:
        fputs("key,size,count,average\n", stream);
        for (size_t i = 0; i < count; i++) {
            const cli_stat_t *stat = &stats->items[i];
            csv_key(stream, stat->key);
            fprintf(stream, ",%llu,%llu,%.1f\n", (unsigned long long)stat->size,
                    (unsigned long long)stat->count, average_of(stat->size, stat->count));
        }
        break;
    case CLI_FORMAT_JSON: {
        json_t *root = json_header(report);
        json_t *total = json_object();
        json_object_set_new(total, "size", json_integer((json_int_t)stats->total_size));
        json_object_set_new(total, "count", json_integer((json_int_t)stats->total_count));
        json_object_set_new(root, "total", total);
        json_t *list = json_array();
        for (size_t i = 0; i < count; i++) {
            const cli_stat_t *stat = &stats->items[i];
            json_t *row = json_key(json_object(), report, stat->key);
            json_object_set_new(row, "size", json_integer((json_int_t)stat->size));
            json_object_set_new(row, "count", json_integer((json_int_t)stat->count));
            json_object_set_new(row, "average", json_real(average_of(stat->size, stat->count)));
            json_array_append_new(list, row);
        }
        json_object_set_new(root, "statistics", list);
        return cli_dump_json(report->stream, root);
    }
    }
    return ferror(stream) ? -1 : 0;
}

int cli_report_diffs(const cli_report_t *report, const cli_diffs_t *diffs)
{
    size_t count = rows(report, diffs->count);
    FILE *stream = report->stream;
    switch (report->format) {
    case CLI_FORMAT_TEXT:
        for (size_t i = 0; i < count; i++)
            text_diff(report, &diffs->items[i]);
        break;
    case CLI_FORMAT_CSV:
        fputs("key,size,size_diff,count,count_diff,average\n", stream);
        for (size_t i = 0; i < count; i++) {
            const cli_stat_diff_t *diff = &diffs->items[i];
            csv_key(stream, diff->key);
            fprintf(stream, ",%llu,%lld,%llu,%lld,%.1f\n", (unsigned long long)diff->size,
                    (long long)diff->size_diff, (unsigned long long)diff->count,
                    (long long)diff->count_diff, average_of(diff->size, diff->count));
        }
        break;
    case CLI_FORMAT_JSON: {
        json_t *root = json_header(report);
        json_t *total = json_object();
        json_object_set_new(total, "size", json_integer((json_int_t)diffs->total_size));
        json_object_set_new(total, "size_diff", json_integer(diffs->total_size_diff));
        json_object_set_new(total, "count", json_integer((json_int_t)diffs->total_count));
        json_object_set_new(total, "count_diff", json_integer(diffs->total_count_diff));
        json_object_set_new(root, "total", total);
        json_t *list = json_array();
        for (size_t i = 0; i < count; i++) {
            const cli_stat_diff_t *diff = &diffs->items[i];
            json_t *row = json_key(json_object(), report, diff->key);
            json_object_set_new(row, "size", json_integer((json_int_t)diff->size));
            json_object_set_new(row, "size_diff", json_integer(diff->size_diff));
            json_object_set_new(row, "count", json_integer((json_int_t)diff->count));
            json_object_set_new(row, "count_diff", json_integer(diff->count_diff));
            json_object_set_new(row, "average", json_real(average_of(diff->size, diff->count)));
            json_array_append_new(list, row);
        }
        json_object_set_new(root, "statistics", list);
        return cli_dump_json(report->stream, root);
    }
    }
    return ferror(stream) ? -1 : 0;
}
