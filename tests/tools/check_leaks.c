/* check_leaks.c: the leak report's pieces (tools/leak_words.c,
 * leak_groups.c, leak_output.c, leak_ci.c) on values computed by hand.
 *
 *   words    kind words, lists and their canonical text
 *   choose   which frame a generated suppression names
 *   clean    text made valid UTF-8 for JSON and XML
 *   report   a small snapshot (the format document's example with its
 *            modules, frames, tracebacks and "leaks" replaced: modules
 *            named without a '/', which the symbolizer shows by offset
 *            without opening anything) grouped, suppressed and summed, and
 *            written as text (exact), JSON, SARIF and JUnit (exact)
 *
 * The whole command, with real symbols, is tests/integration/
 * test_cli_leaks.sh's. Paths are relative to the top of the tree. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../check_run.h"
#include "leak_groups.h"
#include "leak_output.h"
#include "leak_words.h"
#include "reader.h"
#include "suppressions.h"
#include "symbols.h"

#define EXAMPLE "tests/tools/fixtures/example.json"

#define DEFINITE  (1u << CLI_LEAK_DEFINITE)
#define INDIRECT  (1u << CLI_LEAK_INDIRECT)
#define POSSIBLE  (1u << CLI_LEAK_POSSIBLE)
#define REACHABLE (1u << CLI_LEAK_REACHABLE)

/* ---- words ----------------------------------------------------------------- */

START_TEST(test_words)
{
    static const struct {
        const char *word;
        unsigned mask;
    } words[] = {
        { "definite", DEFINITE }, { "indirect", INDIRECT }, { "possible", POSSIBLE },
        { "reachable", REACHABLE }, { "leak", DEFINITE | INDIRECT | POSSIBLE },
        { "all", DEFINITE | INDIRECT | POSSIBLE | REACHABLE },
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        unsigned mask = 0;
        ck_assert_int_eq(cli_leak_kinds_word(words[i].word, strlen(words[i].word), &mask), 0);
        ck_assert_uint_eq(mask, words[i].mask);
    }
    static const char *const not_words[] = { "ignored", "Definite", "definit", "definites",
                                             "", "leaks", "none" };
    for (size_t i = 0; i < sizeof not_words / sizeof not_words[0]; i++) {
        unsigned mask = 77;
        ck_assert_int_eq(cli_leak_kinds_word(not_words[i], strlen(not_words[i]), &mask), -1);
        ck_assert_uint_eq(mask, 77);
    }
    /* a prefix of the text is a word of its own */
    unsigned mask = 0;
    ck_assert_int_eq(cli_leak_kinds_word("leak,all", 4, &mask), 0);
    ck_assert_uint_eq(mask, DEFINITE | INDIRECT | POSSIBLE);
    ck_assert_str_eq(cli_leak_phrases[CLI_LEAK_DEFINITE], "definitely lost");
    ck_assert_str_eq(cli_leak_phrases[CLI_LEAK_INDIRECT], "indirectly lost");
    ck_assert_str_eq(cli_leak_phrases[CLI_LEAK_POSSIBLE], "possibly lost");
    ck_assert_str_eq(cli_leak_phrases[CLI_LEAK_REACHABLE], "still reachable");
    ck_assert_str_eq(cli_leak_phrases[CLI_LEAK_IGNORED], "ignored");
}
END_TEST

START_TEST(test_lists)
{
    static const struct {
        const char *list;
        unsigned mask;
        const char *text;
    } lists[] = {
        { "definite", DEFINITE, "definite" },
        { "definite,indirect", DEFINITE | INDIRECT, "definite,indirect" },
        { "indirect,definite", DEFINITE | INDIRECT, "definite,indirect" },
        { "reachable,reachable", REACHABLE, "reachable" },
        { "leak", DEFINITE | INDIRECT | POSSIBLE, "definite,indirect,possible" },
        { "leak,reachable", DEFINITE | INDIRECT | POSSIBLE | REACHABLE,
          "definite,indirect,possible,reachable" },
        { "all", DEFINITE | INDIRECT | POSSIBLE | REACHABLE,
          "definite,indirect,possible,reachable" },
        { "possible,all", DEFINITE | INDIRECT | POSSIBLE | REACHABLE,
          "definite,indirect,possible,reachable" },
    };
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        unsigned mask = 0;
        char text[64];
        ck_assert_int_eq(cli_leak_kinds_list(lists[i].list, &mask), 0);
        ck_assert_uint_eq(mask, lists[i].mask);
        ck_assert_str_eq(cli_leak_kinds_text(text, sizeof text, mask), lists[i].text);
    }
    static const char *const bad[] = { "", ",", "definite,", ",definite", "definite,,indirect",
                                       "definite indirect", "ignored", "definite,ignored",
                                       "DEFINITE" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        unsigned mask = 77;
        ck_assert_msg(cli_leak_kinds_list(bad[i], &mask) == -1, "'%s' accepted", bad[i]);
        ck_assert_uint_eq(mask, 77);
    }
    char text[64];
    ck_assert_str_eq(cli_leak_kinds_text(text, sizeof text, 0), "");
    /* cut at a whole word */
    ck_assert_str_eq(cli_leak_kinds_text(text, 18, DEFINITE | INDIRECT | POSSIBLE),
                     "definite,indirect");
    ck_assert_str_eq(cli_leak_kinds_text(text, 17, DEFINITE | INDIRECT), "definite");
}
END_TEST

/* ---- choose ---------------------------------------------------------------- */

START_TEST(test_rule_location)
{
    const cli_location_t frames[] = {
        { "malloc", "malloc", NULL, 0, "/usr/lib/libmemsnap.so" },        /* 0: allocator */
        { "strdup", "strdup", NULL, 0, "/lib/x86_64-linux-gnu/libc.so.6" },
        { "_Znwm", "_Znwm", NULL, 0, "/usr/lib/libstdc++.so.6" },
        { "_ZnamRKSt9nothrow_t", "_ZnamRKSt9nothrow_t", NULL, 0, "/opt/app" },
        { "helper+0x10", "helper", NULL, 0, "/lib/x86_64-linux-gnu/libc.so.6" }, /* libc */
        { "app+0x1234", NULL, NULL, 0, "/opt/app" },                      /* 5: no name */
        { "0x7f0000001000", NULL, NULL, 0, NULL },
        { "two words", "two words", NULL, 0, "/opt/app" },                /* 7: a blank */
        { "make_widget", "make_widget", "/src/widget.c", 12, "/opt/app" }, /* 8 */
        { "main", "main", "/src/main.c", 40, "/opt/app" },
    };
    ck_assert_int_eq(cli_leak_rule_location(frames, 10), 8);
    ck_assert_int_eq(cli_leak_rule_location(frames, 8), -1);
    ck_assert_int_eq(cli_leak_rule_location(frames + 9, 1), 0);
    ck_assert_int_eq(cli_leak_rule_location(frames, 0), -1);
    /* a name the allocator list does not hold, in no module, is named */
    const cli_location_t jit[] = { { "jitted", "jitted", NULL, 0, NULL } };
    ck_assert_int_eq(cli_leak_rule_location(jit, 1), 0);
    /* calloc called by a program's own function of another name is the
     * allocator; "callocator" is not */
    const cli_location_t near[] = { { "calloc", "calloc", NULL, 0, "/opt/app" },
                                    { "callocator", "callocator", NULL, 0, "/opt/app" } };
    ck_assert_int_eq(cli_leak_rule_location(near, 2), 1);
}
END_TEST

/* ---- clean ----------------------------------------------------------------- */

START_TEST(test_clean_text)
{
    static const struct {
        const char *text, *clean;
    } cases[] = {
        { "plain", "plain" },
        { "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
          "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80" },
        { "tab\tline\nreturn\r", "tab\tline\nreturn\r" },
        { "bell\001del\177", "bell?del?" },
        { "\xff\xfe", "??" },
        { "overlong \xc0\xaf", "overlong ??" },
        { "surrogate \xed\xa0\x80", "surrogate ???" },
        { "past U+10FFFF \xf4\x90\x80\x80", "past U+10FFFF ????" },
        { "cut \xe2\x82", "cut ??" },
        { "lone \x80 continuation", "lone ? continuation" },
        { "", "" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *clean = cli_clean_text(cases[i].text);
        ck_assert_str_eq(clean, cases[i].clean);
        free(clean);
    }
    json_t *value = cli_json_text("a\xff" "b");
    ck_assert_str_eq(json_string_value(value), "a?b");
    json_decref(value);
    value = cli_json_text(NULL);
    ck_assert(json_is_null(value));
    json_decref(value);
}
END_TEST

/* ---- report ---------------------------------------------------------------- */

/* The example's tracebacks, as rows of its columns ("id domain truncated
 * size count total_size total_count peak_size peak_count frames..."):
 *   2  prog+0x1000
 *   3  prog+0x2000 <- libc.so.6+0x3000
 *   4  libc.so.6+0x3000, truncated
 *   5  0x7f0000001000 <- we&ird<"'>.so+0x4000
 * and its leak check:
 *   definite   2 (100 B in 1), 4 (24 B in 3)     indirect  3 (48 B in 2)
 *   possible   1 (16 B in 1, no traceback)       reachable 5 (8 B in 1)
 *   ignored    3 (32 B in 1) */
static const char *const modules[] = { "prog", "libc.so.6", "we&ird<\"'>.so" };
static const char *const frame_texts[] = { "0:1001", "0:2001", "1:3001", "-:7f0000001000",
                                           "2:4001" };
static const char *const traceback_rows[] = {
    "2 0 0 100 1 100 1 0 0 0", "3 0 0 80 3 80 3 0 0 1 2", "4 0 1 24 3 24 3 0 0 2",
    "5 0 0 8 1 8 1 0 0 3 4",
};
static const char *const leak_rows[] = { "2 0 100 1", "4 0 24 3", "3 1 48 2", "1 2 16 1",
                                         "5 3 8 1", "3 4 32 1" };

typedef struct fixture {
    cli_snapshot_t *snapshot;
    cli_symbols_t *symbols;
    cli_suppressions_t suppressions;
    cli_leak_check_t check;
} fixture_t;

static json_t *string_array(const char *const *texts, size_t count)
{
    json_t *array = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(array, json_string(texts[i]));
    return array;
}

#define ARRAY(texts) string_array(texts, sizeof texts / sizeof texts[0])

/* The snapshot above (complete as given), with the rules of text applied
 * and the kinds listed and failing as given. */
static void fixture_build(fixture_t *fixture, int complete, const char *rules, unsigned listed,
                          unsigned failing)
{
    json_error_t error;
    json_t *root = json_load_file(EXAMPLE, 0, &error);
    ck_assert_msg(root != NULL, "%s: %s", EXAMPLE, error.text);
    json_t *module_list = json_array();
    for (size_t i = 0; i < sizeof modules / sizeof modules[0]; i++)
        json_array_append_new(module_list,
                              json_pack("{s:s, s:i, s:i, s:i, s:s}", "path", modules[i], "base", 0,
                                        "start", 0, "end", 65536, "build_id", ""));
    json_object_set_new(root, "modules", module_list);
    json_object_set_new(root, "frames", ARRAY(frame_texts));
    json_object_set_new(json_object_get(root, "tracebacks"), "rows", ARRAY(traceback_rows));
    json_object_set_new(
        root, "leaks",
        json_pack("{s:b, s:i, s:[sssss], s:{s:{s:i,s:i}, s:{s:i,s:i}, s:{s:i,s:i}, "
                  "s:{s:i,s:i}, s:{s:i,s:i}}, s:[ssss], s:o}",
                  "complete", complete, "threads", 2, "kinds", "definite", "indirect",
                  "possible", "reachable", "ignored", "summary", "definite", "size", 124,
                  "count", 4, "indirect", "size", 48, "count", 2, "possible", "size", 16,
                  "count", 1, "reachable", "size", 8, "count", 1, "ignored", "size", 32,
                  "count", 1, "columns", "traceback", "kind", "size", "count", "rows",
                  ARRAY(leak_rows)));
    char *text = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    char message[512];
    fixture->snapshot = cli_snapshot_parse("unit.json", text, strlen(text), message,
                                           sizeof message);
    free(text);
    ck_assert_msg(fixture->snapshot != NULL, "refused: %s", message);
    fixture->symbols = cli_symbols_new(fixture->snapshot);
    ck_assert_ptr_nonnull(fixture->symbols);
    fixture->suppressions = (cli_suppressions_t){ 0 };
    ck_assert_int_eq(cli_suppressions_parse(&fixture->suppressions, "rules.supp", rules,
                                            strlen(rules), message, sizeof message), 0);
    ck_assert_int_eq(cli_leak_check_build(&fixture->check, fixture->snapshot, fixture->symbols,
                                          &fixture->suppressions, listed, failing), 0);
}

static void fixture_free(fixture_t *fixture)
{
    cli_leak_check_free(&fixture->check);
    cli_suppressions_free(&fixture->suppressions);
    cli_symbols_free(fixture->symbols);
    cli_snapshot_free(fixture->snapshot);
}

/* The report of check in format, as a string to free. */
static char *rendered(const cli_leak_check_t *check, cli_leak_format_t format, int gen)
{
    char *text = NULL;
    size_t length = 0;
    FILE *stream = open_memstream(&text, &length);
    ck_assert_ptr_nonnull(stream);
    cli_leak_output_t output = { stream, format, 0, gen };
    ck_assert_int_eq(cli_leak_report(&output, check), 0);
    ck_assert_int_eq(fclose(stream), 0);
    return text;
}

#define RULES "leak module libc.so*\n" \
              "reachable module we*\n" \
              "all function *\n"

/* How the text report of the snapshot above starts, whatever the options:
 * the largest group is always listed and never hidden. */
#define REPORT_HEAD                                                       \
    "memsnap leak report for ./example (pid 15054)\n"                     \
    "snapshot: unit.json (threads scanned: 2)\n"                          \
    "\n"                                                                  \
    "100 bytes in 1 blocks are definitely lost (traceback 2)\n"           \
    "    at prog+0x1000\n"                                                \
    "\n"

/* The snapshot above, complete, with RULES and the default kinds (lost
 * ones listed, definite and indirect failing), reported in format. */
static char *default_report(fixture_t *fixture, cli_leak_format_t format, int gen)
{
    fixture_build(fixture, 1, RULES, DEFINITE | INDIRECT | POSSIBLE, DEFINITE | INDIRECT);
    return rendered(&fixture->check, format, gen);
}

START_TEST(test_groups)
{
    fixture_t f;
    fixture_build(&f, 1, RULES, DEFINITE | INDIRECT | POSSIBLE, DEFINITE | INDIRECT);
    const cli_leak_check_t *check = &f.check;
    static const struct {
        uint32_t traceback;
        cli_leak_kind_t kind;
        uint64_t size, count;
        size_t nlocations;
        int truncated;
        long rule;
        int listed, failing;
    } expected[] = {
        { 2, CLI_LEAK_DEFINITE, 100, 1, 1, 0, -1, 1, 1 },
        { 4, CLI_LEAK_DEFINITE, 24, 3, 1, 1, 0, 0, 0 },
        { 3, CLI_LEAK_INDIRECT, 48, 2, 2, 0, 0, 0, 0 },
        { 1, CLI_LEAK_POSSIBLE, 16, 1, 0, 0, -1, 1, 0 },
        { 5, CLI_LEAK_REACHABLE, 8, 1, 2, 0, 1, 0, 0 },
        { 3, CLI_LEAK_IGNORED, 32, 1, 2, 0, -1, 0, 0 },
    };
    ck_assert_uint_eq(check->ngroups, 6);
    for (size_t i = 0; i < 6; i++) {
        const cli_leak_group_t *group = &check->groups[i];
        ck_assert_uint_eq(group->traceback, expected[i].traceback);
        ck_assert_int_eq(group->kind, expected[i].kind);
        ck_assert_uint_eq(group->amount.size, expected[i].size);
        ck_assert_uint_eq(group->amount.count, expected[i].count);
        ck_assert_uint_eq(group->nlocations, expected[i].nlocations);
        ck_assert_int_eq(group->truncated, expected[i].truncated);
        ck_assert_int_eq(group->rule, expected[i].rule);
        ck_assert_int_eq(group->listed, expected[i].listed);
        ck_assert_int_eq(group->failing, expected[i].failing);
    }
    ck_assert_str_eq(check->groups[2].locations[0].function, "prog+0x2000");
    ck_assert_str_eq(check->groups[2].locations[1].function, "libc.so.6+0x3000");
    ck_assert_str_eq(check->groups[2].locations[1].module, "libc.so.6");
    ck_assert_ptr_null(check->groups[2].locations[1].symbol);
    static const uint64_t kept[CLI_LEAK_KINDS][2] = { { 100, 1 }, { 0, 0 }, { 16, 1 }, { 0, 0 },
                                                      { 32, 1 } };
    static const uint64_t hidden[CLI_LEAK_KINDS][2] = { { 24, 3 }, { 48, 2 }, { 0, 0 }, { 8, 1 },
                                                        { 0, 0 } };
    for (int kind = 0; kind < CLI_LEAK_KINDS; kind++) {
        ck_assert_uint_eq(check->kept[kind].size, kept[kind][0]);
        ck_assert_uint_eq(check->kept[kind].count, kept[kind][1]);
        ck_assert_uint_eq(check->hidden[kind].size, hidden[kind][0]);
        ck_assert_uint_eq(check->hidden[kind].count, hidden[kind][1]);
    }
    ck_assert_uint_eq(check->by_rule[0].size, 72);
    ck_assert_uint_eq(check->by_rule[0].count, 5);
    ck_assert_uint_eq(check->by_rule[1].size, 8);
    ck_assert_uint_eq(check->by_rule[1].count, 1);
    ck_assert_uint_eq(check->by_rule[2].size + check->by_rule[2].count, 0);
    ck_assert_uint_eq(check->listed_groups, 2);
    ck_assert_uint_eq(check->failing_groups, 1);
    ck_assert_uint_eq(check->failing.size, 100);
    ck_assert_uint_eq(check->failing.count, 1);
    fixture_free(&f);
}
END_TEST

/* Failing kinds count whether listed or not; without rules nothing hides. */
START_TEST(test_groups_failing_unlisted)
{
    fixture_t f;
    fixture_build(&f, 1, "", REACHABLE, DEFINITE | INDIRECT | POSSIBLE);
    ck_assert_uint_eq(f.check.listed_groups, 1);
    ck_assert_uint_eq(f.check.failing_groups, 4);
    ck_assert_uint_eq(f.check.failing.size, 188);
    ck_assert_uint_eq(f.check.failing.count, 7);
    for (size_t i = 0; i < f.check.ngroups; i++)
        ck_assert_int_eq(f.check.groups[i].rule, -1);
    fixture_free(&f);
}
END_TEST

START_TEST(test_text)
{
    fixture_t f;
    char *text = default_report(&f, CLI_LEAK_TEXT, 1);
    ck_assert_str_eq(text,
                     REPORT_HEAD
                     "16 bytes in 1 blocks are possibly lost (traceback 1)\n"
                     "    <unsampled allocations>\n"
                     "\n"
                     "leak summary:\n"
                     "  definitely lost: 100 bytes in 1 blocks\n"
                     "  indirectly lost: 0 bytes in 0 blocks\n"
                     "  possibly lost: 16 bytes in 1 blocks\n"
                     "  still reachable: 0 bytes in 0 blocks\n"
                     "  ignored: 32 bytes in 1 blocks\n"
                     "  suppressed: 72 bytes in 5 blocks (rules.supp:1: leak module libc.so*)\n"
                     "  suppressed: 8 bytes in 1 blocks (rules.supp:2: reachable module we*)\n"
                     "\n"
                     "# memsnap suppressions for the groups listed above\n"
                     "# no rule (no frame names a function outside the allocator) for 100 bytes "
                     "in 1 blocks definitely lost (traceback 2)\n"
                     "# no rule (no frame names a function outside the allocator) for 16 bytes "
                     "in 1 blocks possibly lost (traceback 1)\n");
    free(text);
    fixture_free(&f);
}
END_TEST

/* Every kind listed, nothing hidden, the check incomplete: the truncated
 * traceback says so, and the summary ends with the warning. */
START_TEST(test_text_all_incomplete)
{
    fixture_t f;
    fixture_build(&f, 0, "", DEFINITE | INDIRECT | POSSIBLE | REACHABLE, DEFINITE | INDIRECT);
    char *text = rendered(&f.check, CLI_LEAK_TEXT, 0);
    ck_assert_str_eq(text,
                     REPORT_HEAD
                     "24 bytes in 3 blocks are definitely lost (traceback 4)\n"
                     "    at libc.so.6+0x3000\n"
                     "    ... (deeper frames were not recorded)\n"
                     "\n"
                     "48 bytes in 2 blocks are indirectly lost (traceback 3)\n"
                     "    at prog+0x2000\n"
                     "    at libc.so.6+0x3000\n"
                     "\n"
                     "16 bytes in 1 blocks are possibly lost (traceback 1)\n"
                     "    <unsampled allocations>\n"
                     "\n"
                     "8 bytes in 1 blocks are still reachable (traceback 5)\n"
                     "    at 0x7f0000001000\n"
                     "    at we&ird<\"'>.so+0x4000\n"
                     "\n"
                     "leak summary:\n"
                     "  definitely lost: 124 bytes in 4 blocks\n"
                     "  indirectly lost: 48 bytes in 2 blocks\n"
                     "  possibly lost: 16 bytes in 1 blocks\n"
                     "  still reachable: 8 bytes in 1 blocks\n"
                     "  ignored: 32 bytes in 1 blocks\n"
                     "warning: the check is incomplete: a thread did not stop for the scan (it "
                     "blocks memsnap's signal), so blocks only its registers point to may show as "
                     "lost\n");
    free(text);
    fixture_free(&f);
}
END_TEST

/* Nothing of the listed kinds (a rule hides every group with a frame;
 * the sampler's possibly lost block has none): one line says so, and which
 * kinds. */
START_TEST(test_text_nothing)
{
    static const struct {
        unsigned listed;
        const char *line;
    } cases[] = {
        { INDIRECT, "no blocks indirectly lost\n" },
        { INDIRECT | REACHABLE, "no blocks indirectly lost or still reachable\n" },
        { DEFINITE | INDIRECT | REACHABLE,
          "no blocks definitely lost, indirectly lost or still reachable\n" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fixture_t f;
        fixture_build(&f, 1, "all module *\n", cases[i].listed, DEFINITE);
        char *text = rendered(&f.check, CLI_LEAK_TEXT, 1);
        char expected[512];
        snprintf(expected, sizeof expected, "snapshot: unit.json (threads scanned: 2)\n\n%s\n"
                 "leak summary:\n", cases[i].line);
        ck_assert_msg(strstr(text, expected) != NULL, "no '%s' in:\n%s", cases[i].line, text);
        ck_assert_ptr_null(strstr(text, "# memsnap suppressions"));
        free(text);
        fixture_free(&f);
    }
}
END_TEST

static json_t *parsed_json(const char *text)
{
    json_error_t error;
    json_t *root = json_loads(text, 0, &error);
    ck_assert_msg(root != NULL, "not JSON: %s\n%s", error.text, text);
    return root;
}

static json_int_t integer_at(json_t *root, const char *path)
{
    json_t *value = json_object_get(root, path);
    ck_assert_msg(json_is_integer(value), "%s is not an integer", path);
    return json_integer_value(value);
}

/* object's "size" and "count". */
static void expect_amount(json_t *object, json_int_t size, json_int_t count)
{
    ck_assert_int_eq(integer_at(object, "size"), size);
    ck_assert_int_eq(integer_at(object, "count"), count);
}

START_TEST(test_json)
{
    fixture_t f;
    char *text = default_report(&f, CLI_LEAK_JSON, 0);
    json_t *root = parsed_json(text);
    ck_assert_str_eq(json_string_value(json_object_get(root, "command")), "leaks");
    ck_assert_str_eq(json_string_value(json_object_get(root, "snapshot")), "unit.json");
    json_t *process = json_object_get(root, "process");
    ck_assert_int_eq(integer_at(process, "pid"), 15054);
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(process, "argv"), 0)),
                     "./example");
    ck_assert(json_is_true(json_object_get(root, "complete")));
    ck_assert_int_eq(integer_at(root, "threads"), 2);
    json_t *kinds = json_object_get(root, "kinds");
    json_t *fail_kinds = json_object_get(root, "fail_kinds");
    ck_assert_uint_eq(json_array_size(kinds), 3);
    ck_assert_str_eq(json_string_value(json_array_get(kinds, 2)), "possible");
    ck_assert_uint_eq(json_array_size(fail_kinds), 2);
    ck_assert_str_eq(json_string_value(json_array_get(fail_kinds, 1)), "indirect");
    json_t *definite = json_object_get(json_object_get(root, "summary"), "definite");
    expect_amount(definite, 100, 1);
    ck_assert_int_eq(integer_at(definite, "suppressed_size"), 24);
    ck_assert_int_eq(integer_at(definite, "suppressed_count"), 3);
    json_t *ignored = json_object_get(json_object_get(root, "summary"), "ignored");
    ck_assert_int_eq(integer_at(ignored, "size"), 32);
    json_t *suppressed = json_object_get(root, "suppressed");
    ck_assert_uint_eq(json_array_size(suppressed), 3);
    json_t *first = json_array_get(suppressed, 0);
    ck_assert_str_eq(json_string_value(json_object_get(first, "file")), "rules.supp");
    ck_assert_int_eq(integer_at(first, "line"), 1);
    ck_assert_str_eq(json_string_value(json_object_get(first, "kind")), "leak");
    ck_assert_str_eq(json_string_value(json_object_get(first, "field")), "module");
    ck_assert_str_eq(json_string_value(json_object_get(first, "pattern")), "libc.so*");
    expect_amount(first, 72, 5);
    ck_assert_int_eq(integer_at(json_array_get(suppressed, 2), "count"), 0);
    json_t *failing = json_object_get(root, "failing");
    ck_assert_int_eq(integer_at(failing, "groups"), 1);
    expect_amount(failing, 100, 1);
    json_t *groups = json_object_get(root, "groups");
    ck_assert_uint_eq(json_array_size(groups), 2);
    json_t *group = json_array_get(groups, 0);
    ck_assert_str_eq(json_string_value(json_object_get(group, "kind")), "definite");
    expect_amount(group, 100, 1);
    ck_assert_int_eq(integer_at(group, "traceback"), 2);
    ck_assert(json_is_true(json_object_get(group, "failing")));
    ck_assert(json_is_false(json_object_get(group, "truncated")));
    json_t *frame = json_array_get(json_object_get(group, "frames"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(frame, "function")), "prog+0x1000");
    ck_assert(json_is_null(json_object_get(frame, "file")));
    ck_assert(json_is_null(json_object_get(frame, "line")));
    ck_assert_str_eq(json_string_value(json_object_get(frame, "module")), "prog");
    group = json_array_get(groups, 1);
    ck_assert_int_eq(integer_at(group, "traceback"), 1);
    ck_assert(json_is_false(json_object_get(group, "failing")));
    ck_assert_uint_eq(json_array_size(json_object_get(group, "frames")), 0);
    json_decref(root);
    free(text);
    fixture_free(&f);
}
END_TEST

START_TEST(test_sarif)
{
    fixture_t f;
    char *text = default_report(&f, CLI_LEAK_SARIF, 0);
    json_t *root = parsed_json(text);
    ck_assert_str_eq(json_string_value(json_object_get(root, "$schema")),
                     "https://json.schemastore.org/sarif-2.1.0.json");
    ck_assert_str_eq(json_string_value(json_object_get(root, "version")), "2.1.0");
    json_t *runs = json_object_get(root, "runs");
    ck_assert_uint_eq(json_array_size(runs), 1);
    json_t *driver = json_object_get(json_object_get(json_array_get(runs, 0), "tool"), "driver");
    ck_assert_str_eq(json_string_value(json_object_get(driver, "name")), "memsnap");
    ck_assert_str_eq(json_string_value(json_object_get(driver, "version")), MEMSNAP_VERSION);
    json_t *rules = json_object_get(driver, "rules");
    static const char *const ids[] = { "memsnap/definite-leak", "memsnap/indirect-leak",
                                       "memsnap/possible-leak", "memsnap/still-reachable" };
    static const char *const levels[] = { "error", "error", "warning", "warning" };
    ck_assert_uint_eq(json_array_size(rules), 4);
    for (size_t i = 0; i < 4; i++) {
        json_t *rule = json_array_get(rules, i);
        ck_assert_str_eq(json_string_value(json_object_get(rule, "id")), ids[i]);
        ck_assert_str_eq(json_string_value(json_object_get(
                             json_object_get(rule, "defaultConfiguration"), "level")),
                         levels[i]);
    }
    json_t *results = json_object_get(json_array_get(runs, 0), "results");
    ck_assert_uint_eq(json_array_size(results), 2);
    json_t *result = json_array_get(results, 0);
    ck_assert_str_eq(json_string_value(json_object_get(result, "ruleId")), ids[0]);
    ck_assert_int_eq(integer_at(result, "ruleIndex"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(result, "level")), "error");
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(result, "message"), "text")),
                     "100 bytes in 1 blocks are definitely lost (traceback 2)");
    /* no frame with a file: no location, the stack all the same */
    ck_assert_ptr_null(json_object_get(result, "locations"));
    json_t *stack = json_array_get(json_object_get(result, "stacks"), 0);
    json_t *frames = json_object_get(stack, "frames");
    ck_assert_uint_eq(json_array_size(frames), 1);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(frames, 0), "module")),
                     "prog");
    result = json_array_get(results, 1);
    ck_assert_str_eq(json_string_value(json_object_get(result, "ruleId")), ids[2]);
    ck_assert_str_eq(json_string_value(json_object_get(result, "level")), "warning");
    ck_assert_ptr_null(json_object_get(result, "stacks"));
    json_decref(root);
    free(text);
    fixture_free(&f);
}
END_TEST

START_TEST(test_junit)
{
    fixture_t f;
    fixture_build(&f, 1, "", DEFINITE | REACHABLE, DEFINITE);
    char *text = rendered(&f.check, CLI_LEAK_JUNIT, 0);
    ck_assert_str_eq(
        text,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<testsuites name=\"memsnap\" tests=\"3\" failures=\"2\" errors=\"0\">\n"
        "  <testsuite name=\"memsnap leaks\" tests=\"3\" failures=\"2\" errors=\"0\" "
        "skipped=\"0\">\n"
        "    <testcase classname=\"memsnap.leaks\" name=\"100 bytes in 1 blocks are definitely "
        "lost (traceback 2)\">\n"
        "      <failure message=\"100 bytes in 1 blocks are definitely lost (traceback 2)\" "
        "type=\"definite\">100 bytes in 1 blocks are definitely lost (traceback 2)\n"
        "    at prog+0x1000\n"
        "</failure>\n"
        "    </testcase>\n"
        "    <testcase classname=\"memsnap.leaks\" name=\"24 bytes in 3 blocks are definitely "
        "lost (traceback 4)\">\n"
        "      <failure message=\"24 bytes in 3 blocks are definitely lost (traceback 4)\" "
        "type=\"definite\">24 bytes in 3 blocks are definitely lost (traceback 4)\n"
        "    at libc.so.6+0x3000\n"
        "    ... (deeper frames were not recorded)\n"
        "</failure>\n"
        "    </testcase>\n"
        "    <testcase classname=\"memsnap.leaks\" name=\"8 bytes in 1 blocks are still "
        "reachable (traceback 5)\">\n"
        "      <system-out>8 bytes in 1 blocks are still reachable (traceback 5)\n"
        "    at 0x7f0000001000\n"
        "    at we&amp;ird&lt;&quot;&apos;&gt;.so+0x4000\n"
        "</system-out>\n"
        "    </testcase>\n"
        "  </testsuite>\n"
        "</testsuites>\n");
    free(text);
    fixture_free(&f);

    fixture_build(&f, 1, "all module *\n", DEFINITE, DEFINITE);
    text = rendered(&f.check, CLI_LEAK_JUNIT, 0);
    ck_assert_str_eq(
        text,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<testsuites name=\"memsnap\" tests=\"1\" failures=\"0\" errors=\"0\">\n"
        "  <testsuite name=\"memsnap leaks\" tests=\"1\" failures=\"0\" errors=\"0\" "
        "skipped=\"0\">\n"
        "    <testcase classname=\"memsnap.leaks\" name=\"no leaks\"/>\n"
        "  </testsuite>\n"
        "</testsuites>\n");
    free(text);
    fixture_free(&f);
}
END_TEST

static Suite *leaks_suite(void)
{
    Suite *suite = suite_create("leaks");
    TCase *words = tcase_create("words");
    tcase_add_test(words, test_words);
    tcase_add_test(words, test_lists);
    suite_add_tcase(suite, words);

    TCase *choose = tcase_create("choose");
    tcase_add_test(choose, test_rule_location);
    suite_add_tcase(suite, choose);

    TCase *clean = tcase_create("clean");
    tcase_add_test(clean, test_clean_text);
    suite_add_tcase(suite, clean);

    TCase *report = tcase_create("report");
    tcase_add_test(report, test_groups);
    tcase_add_test(report, test_groups_failing_unlisted);
    tcase_add_test(report, test_text);
    tcase_add_test(report, test_text_all_incomplete);
    tcase_add_test(report, test_text_nothing);
    tcase_add_test(report, test_json);
    tcase_add_test(report, test_sarif);
    tcase_add_test(report, test_junit);
    suite_add_tcase(suite, report);
    return suite;
}

int main(void)
{
    return run_suite(leaks_suite());
}
