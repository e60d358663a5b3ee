/* leak_output.c: the text and JSON reports of `memsnap leaks`, and the
 * helpers every format shares (leak_output.h). Writes only to the stream
 * it is given; SARIF and JUnit are in leak_ci.c.
 *
 * The text, for a person, possibly on a traced program's stderr (the
 * preload runs `memsnap leaks` there at exit), so it says first whose
 * report it is:
 *
 *   memsnap leak report for ./prog -v (pid 4242)
 *   snapshot: memsnap.prog.4242.1.exit.json (threads scanned: 1)
 *
 *   100 bytes in 1 blocks are definitely lost (traceback 7)
 *       at src/widget.c:12 (make_widget)
 *       at src/main.c:40 (main)
 *
 *   leak summary:
 *     definitely lost: 100 bytes in 1 blocks
 *     ...every kind...
 *     suppressed: 48 bytes in 2 blocks (rules.supp:3: leak function cache_*)
 *
 * and, with --gen-suppressions, a rule per listed group after a comment
 * line, ready to be saved as a suppression file. */
#include "leak_output.h"

#include <stdlib.h>
#include <string.h>

#include "leak_words.h"
#include "report.h"
#include "statistics.h"

const char *const cli_leak_format_names[] = {
    [CLI_LEAK_TEXT] = "text", [CLI_LEAK_JSON] = "json", [CLI_LEAK_SARIF] = "sarif",
    [CLI_LEAK_JUNIT] = "junit",
};

#define BOLD  "\033[1m"
#define RED   "\033[31m"
#define RESET "\033[0m"

/* Blocks without a traceback, and a traceback without frames. */
#define UNSAMPLED_TEXT "<unsampled allocations>"
#define NO_FRAMES_TEXT "<unknown>"

/* ---- shared -------------------------------------------------------------- */

char *cli_leak_title(char *buffer, size_t size, const cli_leak_group_t *group)
{
    snprintf(buffer, size, "%llu bytes in %llu blocks are %s (traceback %u)",
             (unsigned long long)group->amount.size, (unsigned long long)group->amount.count,
             cli_leak_phrases[group->kind], (unsigned)group->traceback);
    return buffer;
}

void cli_leak_print_group(FILE *stream, const cli_leak_group_t *group, int colour)
{
    char title[160], frame[8192];
    fprintf(stream, "%s%s%s\n", !colour ? "" : group->failing ? BOLD RED : BOLD,
            cli_leak_title(title, sizeof title, group), colour ? RESET : "");
    if (group->traceback == CLI_UNSAMPLED_TRACEBACK)
        fputs("    " UNSAMPLED_TEXT "\n", stream);
    else if (group->nlocations == 0)
        fputs("    " NO_FRAMES_TEXT "\n", stream);
    for (size_t i = 0; i < group->nlocations; i++)
        fprintf(stream, "    at %s\n",
                cli_format_location(frame, sizeof frame, &group->locations[i]));
    if (group->truncated)
        fputs("    ... (deeper frames were not recorded)\n", stream);
}

/* The length of the well-formed UTF-8 sequence at p; 0 when there is none
 * (Unicode's table 3-7: no overlong forms, no surrogates, nothing past
 * U+10FFFF). */
static size_t utf8_sequence(const unsigned char *p)
{
    unsigned char lowest = 0x80, highest = 0xbf;
    size_t length;
    if (p[0] < 0x80)
        return 1;
    if (p[0] >= 0xc2 && p[0] <= 0xdf) {
        length = 2;
    } else if (p[0] >= 0xe0 && p[0] <= 0xef) {
        length = 3;
        lowest = p[0] == 0xe0 ? 0xa0 : 0x80;
        highest = p[0] == 0xed ? 0x9f : 0xbf;
    } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
        length = 4;
        lowest = p[0] == 0xf0 ? 0x90 : 0x80;
        highest = p[0] == 0xf4 ? 0x8f : 0xbf;
    } else {
        return 0;
    }
    if (p[1] < lowest || p[1] > highest)
        return 0;
    for (size_t i = 2; i < length; i++) {
        if (p[i] < 0x80 || p[i] > 0xbf)
            return 0;
    }
    return length;
}

char *cli_clean_text(const char *text)
{
    char *clean = strdup(text);
    if (clean == NULL)
        return NULL;
    unsigned char *p = (unsigned char *)clean;
    while (*p != '\0') {
        size_t length = utf8_sequence(p);
        int control = length == 1 && (*p < 0x20 || *p == 0x7f) && *p != '\t' && *p != '\n' &&
                      *p != '\r';
        if (length == 0 || control) {
            *p++ = '?';
            continue;
        }
        p += length;
    }
    return clean;
}

json_t *cli_json_text(const char *text)
{
    if (text == NULL)
        return json_null();
    char *clean = cli_clean_text(text);
    json_t *value = clean != NULL ? json_string(clean) : NULL;
    free(clean);
    return value;
}

/* ---- text ---------------------------------------------------------------- */

static void text_header(FILE *stream, const cli_leak_check_t *check)
{
    const cli_snapshot_t *snapshot = check->snapshot;
    fputs("memsnap leak report for", stream);
    cli_print_command_line(stream, snapshot);
    fprintf(stream, " (pid %lld)\nsnapshot: %s (threads scanned: %llu)\n\n",
            (long long)snapshot->pid, snapshot->path,
            (unsigned long long)snapshot->leaks.threads);
}

/* "no blocks definitely lost, indirectly lost or possibly lost" */
static void text_nothing_listed(FILE *stream, unsigned listed_kinds)
{
    int kinds[CLI_LEAK_KINDS], count = 0;
    for (int kind = 0; kind < CLI_LEAK_KINDS; kind++) {
        if (listed_kinds & CLI_LEAK_MASK(kind))
            kinds[count++] = kind;
    }
    fputs("no blocks", stream);
    for (int i = 0; i < count; i++)
        fprintf(stream, "%s%s", i == 0 ? " " : i + 1 == count ? " or " : ", ",
                cli_leak_phrases[kinds[i]]);
    fputs("\n\n", stream);
}

static void text_summary(FILE *stream, const cli_leak_check_t *check)
{
    fputs("leak summary:\n", stream);
    for (int kind = 0; kind < CLI_LEAK_KINDS; kind++)
        fprintf(stream, "  %s: %llu bytes in %llu blocks\n", cli_leak_phrases[kind],
                (unsigned long long)check->kept[kind].size,
                (unsigned long long)check->kept[kind].count);
    for (size_t r = 0; r < check->suppressions->count; r++) {
        const cli_suppression_t *rule = &check->suppressions->rules[r];
        if (check->by_rule[r].count == 0)
            continue;
        fprintf(stream, "  suppressed: %llu bytes in %llu blocks (%s:%u: %s %s %s)\n",
                (unsigned long long)check->by_rule[r].size,
                (unsigned long long)check->by_rule[r].count, rule->path, rule->line,
                rule->kind_word, cli_suppression_field_names[rule->field], rule->pattern);
    }
    if (!check->snapshot->leaks.complete)
        fputs("warning: the check is incomplete: a thread did not stop for the scan (it blocks "
              "memsnap's signal), so blocks only its registers point to may show as lost\n",
              stream);
}

/* One rule per listed leak group, each valid as a line of a suppression
 * file: "leak function make_widget   # 100 bytes in 1 blocks definitely
 * lost (traceback 7)"; a comment instead when no frame can be named. The
 * kind is "leak", not the group's own: a block that is definitely lost in
 * one run may be indirectly lost in the next. */
static void text_rules(FILE *stream, const cli_leak_check_t *check)
{
    int header = 0;
    for (size_t i = 0; i < check->ngroups; i++) {
        const cli_leak_group_t *group = &check->groups[i];
        if (!group->listed || (CLI_LEAK_MASK(group->kind) & CLI_LEAKS_LOST) == 0)
            continue;
        if (!header) {
            fputs("\n# memsnap suppressions for the groups listed above\n", stream);
            header = 1;
        }
        char pattern[1024];
        long chosen = cli_leak_rule_location(group->locations, group->nlocations);
        const char *name = chosen >= 0 ? cli_suppression_pattern(pattern, sizeof pattern,
                                                                 group->locations[chosen].symbol)
                                       : NULL;
        if (name != NULL)
            fprintf(stream, "leak function %s   # ", name);
        else
            fputs("# no rule (no frame names a function outside the allocator) for ", stream);
        fprintf(stream, "%llu bytes in %llu blocks %s (traceback %u)\n",
                (unsigned long long)group->amount.size, (unsigned long long)group->amount.count,
                cli_leak_phrases[group->kind], (unsigned)group->traceback);
    }
}

static int report_text(const cli_leak_output_t *output, const cli_leak_check_t *check)
{
    FILE *stream = output->stream;
    text_header(stream, check);
    for (size_t i = 0; i < check->ngroups; i++) {
        if (!check->groups[i].listed)
            continue;
        cli_leak_print_group(stream, &check->groups[i], output->colour);
        fputc('\n', stream);
    }
    if (check->listed_groups == 0)
        text_nothing_listed(stream, check->listed_kinds);
    text_summary(stream, check);
    if (output->gen_suppressions)
        text_rules(stream, check);
    return ferror(stream) ? -1 : 0;
}

/* ---- JSON ------------------------------------------------------------------ */

static json_t *json_amount(cli_leak_amount_t amount)
{
    return json_pack("{s:I, s:I}", "size", (json_int_t)amount.size, "count",
                     (json_int_t)amount.count);
}

/* ["definite", "indirect"] */
static json_t *json_kinds(unsigned mask)
{
    json_t *list = json_array();
    for (int kind = 0; kind < CLI_LEAK_KINDS; kind++) {
        if (mask & CLI_LEAK_MASK(kind))
            json_array_append_new(list, json_string(cli_leak_kind_names[kind]));
    }
    return list;
}

static json_t *json_frame(const cli_location_t *location)
{
    json_t *frame = json_object();
    json_object_set_new(frame, "function", cli_json_text(location->function));
    json_object_set_new(frame, "file", cli_json_text(location->file));
    json_object_set_new(frame, "line", location->file != NULL
                                           ? json_integer((json_int_t)location->line)
                                           : json_null());
    json_object_set_new(frame, "module", cli_json_text(location->module));
    return frame;
}

static json_t *json_group(const cli_leak_group_t *group)
{
    json_t *frames = json_array();
    for (size_t i = 0; i < group->nlocations; i++)
        json_array_append_new(frames, json_frame(&group->locations[i]));
    json_t *object = json_object();
    json_object_set_new(object, "kind", json_string(cli_leak_kind_names[group->kind]));
    json_object_set_new(object, "size", json_integer((json_int_t)group->amount.size));
    json_object_set_new(object, "count", json_integer((json_int_t)group->amount.count));
    json_object_set_new(object, "traceback", json_integer(group->traceback));
    json_object_set_new(object, "failing", json_boolean(group->failing));
    json_object_set_new(object, "truncated", json_boolean(group->truncated));
    json_object_set_new(object, "frames", frames);
    return object;
}

static json_t *json_suppressed(const cli_leak_check_t *check)
{
    json_t *list = json_array();
    for (size_t r = 0; r < check->suppressions->count; r++) {
        const cli_suppression_t *rule = &check->suppressions->rules[r];
        json_t *object = json_object();
        json_object_set_new(object, "file", cli_json_text(rule->path));
        json_object_set_new(object, "line", json_integer(rule->line));
        json_object_set_new(object, "kind", cli_json_text(rule->kind_word));
        json_object_set_new(object, "field", json_string(cli_suppression_field_names[rule->field]));
        json_object_set_new(object, "pattern", cli_json_text(rule->pattern));
        json_object_set_new(object, "size", json_integer((json_int_t)check->by_rule[r].size));
        json_object_set_new(object, "count", json_integer((json_int_t)check->by_rule[r].count));
        json_array_append_new(list, object);
    }
    return list;
}

static int report_json(FILE *stream, const cli_leak_check_t *check)
{
    const cli_snapshot_t *snapshot = check->snapshot;
    json_t *root = json_object();
    json_object_set_new(root, "command", json_string("leaks"));
    json_object_set_new(root, "snapshot", cli_json_text(snapshot->path));
    json_t *argv = json_array();
    for (size_t i = 0; i < snapshot->argc; i++)
        json_array_append_new(argv, cli_json_text(snapshot->argv[i]));
    json_object_set_new(root, "process", json_pack("{s:I, s:o}", "pid", (json_int_t)snapshot->pid,
                                                   "argv", argv));
    json_object_set_new(root, "complete", json_boolean(snapshot->leaks.complete));
    json_object_set_new(root, "threads", json_integer((json_int_t)snapshot->leaks.threads));
    json_object_set_new(root, "kinds", json_kinds(check->listed_kinds));
    json_object_set_new(root, "fail_kinds", json_kinds(check->failing_kinds));
    json_t *summary = json_object();
    for (int kind = 0; kind < CLI_LEAK_KINDS; kind++) {
        json_t *entry = json_amount(check->kept[kind]);
        json_object_set_new(entry, "suppressed_size",
                            json_integer((json_int_t)check->hidden[kind].size));
        json_object_set_new(entry, "suppressed_count",
                            json_integer((json_int_t)check->hidden[kind].count));
        json_object_set_new(summary, cli_leak_kind_names[kind], entry);
    }
    json_object_set_new(root, "summary", summary);
    json_object_set_new(root, "suppressed", json_suppressed(check));
    json_t *failing = json_amount(check->failing);
    json_object_set_new(failing, "groups", json_integer((json_int_t)check->failing_groups));
    json_object_set_new(root, "failing", failing);
    json_t *groups = json_array();
    for (size_t i = 0; i < check->ngroups; i++) {
        if (check->groups[i].listed)
            json_array_append_new(groups, json_group(&check->groups[i]));
    }
    json_object_set_new(root, "groups", groups);
    return cli_dump_json(stream, root);
}

/* ---- entry point ----------------------------------------------------------- */

int cli_leak_report(const cli_leak_output_t *output, const cli_leak_check_t *check)
{
    switch (output->format) {
    case CLI_LEAK_TEXT:
        return report_text(output, check);
    case CLI_LEAK_JSON:
        return report_json(output->stream, check);
    case CLI_LEAK_SARIF:
        return cli_leak_report_sarif(output->stream, check);
    case CLI_LEAK_JUNIT:
        return cli_leak_report_junit(output->stream, check);
    }
    return -1;
}
