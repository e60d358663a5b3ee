/* check_suppressions.c: suppression files (tools/suppressions.c) against
 * the format in tools/suppressions.h.
 *
 *   parse     every form a good line takes (comments, blanks, tabs, CRLF,
 *             each kind word and field), rules appended file after file,
 *             and the exact message of every error, its line counted from 1
 *   load      files from disk: a good one, a missing one, a directory
 *   match     each field (function by symbol, file and module by base name
 *             or whole path), globs and escapes, any frame of the
 *             traceback, kinds (leak, all, ignored never), first rule wins
 *   pattern   the exact-name patterns generated rules use, matching their
 *             name and nothing else */
#include <check.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check_run.h"
#include "leak_words.h"
#include "suppressions.h"

/* Parses text as the file "rules.supp" into a fresh set; the caller frees
 * it. */
static cli_suppressions_t parsed(const char *text)
{
    cli_suppressions_t rules = { 0 };
    char error[512];
    int result = cli_suppressions_parse(&rules, "rules.supp", text, strlen(text), error,
                                        sizeof error);
    ck_assert_msg(result == 0, "refused: %s", error);
    ck_assert_str_eq(error, "");
    return rules;
}

static void expect_rule(const cli_suppression_t *rule, unsigned line, const char *kind_word,
                        unsigned kinds, cli_suppression_field_t field, const char *pattern,
                        int whole_path)
{
    ck_assert_str_eq(rule->path, "rules.supp");
    ck_assert_uint_eq(rule->line, line);
    ck_assert_str_eq(rule->kind_word, kind_word);
    ck_assert_uint_eq(rule->kinds, kinds);
    ck_assert_int_eq(rule->field, field);
    ck_assert_str_eq(rule->pattern, pattern);
    ck_assert_int_eq(rule->whole_path, whole_path);
}

#define DEFINITE  CLI_LEAK_MASK(CLI_LEAK_DEFINITE)
#define INDIRECT  CLI_LEAK_MASK(CLI_LEAK_INDIRECT)
#define POSSIBLE  CLI_LEAK_MASK(CLI_LEAK_POSSIBLE)
#define REACHABLE CLI_LEAK_MASK(CLI_LEAK_REACHABLE)

/* ---- parse ----------------------------------------------------------------- */

START_TEST(test_parse_forms)
{
    cli_suppressions_t rules = parsed(
        "# memsnap suppressions\n"
        "\n"
        "leak function make_widget   # 100 bytes in 1 blocks definitely lost\n"
        "   \t  \n"
        "definite\tfile\twidget.c\r\n"
        "  indirect file */src/cache.c\n"
        "possible module libfoo.so*#not-a-comment\n"
        "    # an indented comment\n"
        "reachable module /usr/lib/*\n"
        "all function a#b #comment right after\n"
        "leak function last-line-without-newline");
    ck_assert_uint_eq(rules.count, 7);
    expect_rule(&rules.rules[0], 3, "leak", DEFINITE | INDIRECT | POSSIBLE,
                CLI_SUPPRESS_FUNCTION, "make_widget", 0);
    expect_rule(&rules.rules[1], 5, "definite", DEFINITE, CLI_SUPPRESS_FILE, "widget.c", 0);
    expect_rule(&rules.rules[2], 6, "indirect", INDIRECT, CLI_SUPPRESS_FILE, "*/src/cache.c", 1);
    expect_rule(&rules.rules[3], 7, "possible", POSSIBLE, CLI_SUPPRESS_MODULE,
                "libfoo.so*#not-a-comment", 0);
    expect_rule(&rules.rules[4], 9, "reachable", REACHABLE, CLI_SUPPRESS_MODULE, "/usr/lib/*", 1);
    expect_rule(&rules.rules[5], 10, "all", DEFINITE | INDIRECT | POSSIBLE | REACHABLE,
                CLI_SUPPRESS_FUNCTION, "a#b", 0);
    expect_rule(&rules.rules[6], 11, "leak", DEFINITE | INDIRECT | POSSIBLE,
                CLI_SUPPRESS_FUNCTION, "last-line-without-newline", 0);
    ck_assert_uint_eq(rules.npaths, 1);
    ck_assert_str_eq(rules.paths[0], "rules.supp");
    cli_suppressions_free(&rules);
    ck_assert_uint_eq(rules.count, 0);
    ck_assert_ptr_null(rules.rules);
}
END_TEST

/* A function pattern with '/' is not a path: whole_path is for files and
 * modules only. */
START_TEST(test_parse_function_slash)
{
    cli_suppressions_t rules = parsed("leak function a/b\n");
    expect_rule(&rules.rules[0], 1, "leak", CLI_LEAKS_LOST, CLI_SUPPRESS_FUNCTION, "a/b", 0);
    cli_suppressions_free(&rules);
}
END_TEST

START_TEST(test_parse_nothing)
{
    static const char *const texts[] = { "", "\n", "# only a comment", "\n\n  \t\r\n#x\n" };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        cli_suppressions_t rules = parsed(texts[i]);
        ck_assert_uint_eq(rules.count, 0);
        cli_suppressions_free(&rules);
    }
}
END_TEST

/* Two files: the rules of both, in order, each naming its own file. */
START_TEST(test_parse_appends)
{
    cli_suppressions_t rules = { 0 };
    char error[256];
    ck_assert_int_eq(cli_suppressions_parse(&rules, "one.supp", "leak function a\n", 16, error,
                                            sizeof error), 0);
    ck_assert_int_eq(cli_suppressions_parse(&rules, "two.supp", "\nreachable file b\n", 18, error,
                                            sizeof error), 0);
    ck_assert_uint_eq(rules.count, 2);
    ck_assert_str_eq(rules.rules[0].path, "one.supp");
    ck_assert_uint_eq(rules.rules[0].line, 1);
    ck_assert_str_eq(rules.rules[1].path, "two.supp");
    ck_assert_uint_eq(rules.rules[1].line, 2);
    ck_assert_str_eq(rules.rules[1].pattern, "b");
    ck_assert_uint_eq(rules.npaths, 2);
    cli_suppressions_free(&rules);
}
END_TEST

static const struct {
    const char *text, *error;
} bad_files[] = {
    { "leek function x\n",
      "rules.supp:1: unknown kind 'leek' (expected definite, indirect, possible, reachable, leak "
      "or all)" },
    { "# fine\n\nLeak function x\n",
      "rules.supp:3: unknown kind 'Leak' (expected definite, indirect, possible, reachable, leak "
      "or all)" },
    { "ignored function x\n",
      "rules.supp:1: unknown kind 'ignored' (expected definite, indirect, possible, reachable, "
      "leak or all)" },
    { "definite,indirect function x\n",
      "rules.supp:1: unknown kind 'definite,indirect' (expected definite, indirect, possible, "
      "reachable, leak or all)" },
    { "leak\n", "rules.supp:1: no FIELD and PATTERN after 'leak' (a rule is KIND FIELD PATTERN)" },
    { "leak # function x\n",
      "rules.supp:1: no FIELD and PATTERN after 'leak' (a rule is KIND FIELD PATTERN)" },
    { "leak fuction x\n", "rules.supp:1: unknown field 'fuction' (expected function, file or "
                          "module)" },
    { "leak function\n",
      "rules.supp:1: no PATTERN after 'leak' 'function' (a rule is KIND FIELD PATTERN)" },
    { "leak file   # x\n",
      "rules.supp:1: no PATTERN after 'leak' 'file' (a rule is KIND FIELD PATTERN)" },
    { "leak function make widget\n",
      "rules.supp:1: 'widget' after the pattern (a comment starts with '#')" },
    { "leak function x\nleak function y z # w\n",
      "rules.supp:2: 'z' after the pattern (a comment starts with '#')" },
    { "leak function x\\\n", "rules.supp:1: pattern 'x\\' ends with a lone '\\'" },
    { "leak function \\\\\\\n", "rules.supp:1: pattern '\\\\\\' ends with a lone '\\'" },
    { "leak \001unction x\n",
      "rules.supp:1: unknown field '?unction' (expected function, file or module)" },
    { "leak function 0123456789012345678901234567890123456789extra more\n",
      "rules.supp:1: 'more' after the pattern (a comment starts with '#')" },
    { "reachable function x\n\n\nleak 0123456789012345678901234567890123456789extra x\n",
      "rules.supp:4: unknown field '0123456789012345678901234567890123456789...' (expected "
      "function, file or module)" },
};

START_TEST(test_parse_errors)
{
    cli_suppressions_t rules = { 0 };
    char error[512];
    memset(error, 'x', sizeof error);
    const char *text = bad_files[_i].text;
    ck_assert_int_eq(cli_suppressions_parse(&rules, "rules.supp", text, strlen(text), error,
                                            sizeof error), -1);
    ck_assert_str_eq(error, bad_files[_i].error);
    cli_suppressions_free(&rules);
}
END_TEST

/* A NUL byte is text too: the line is refused, not cut short. */
START_TEST(test_parse_nul)
{
    cli_suppressions_t rules = { 0 };
    char error[256];
    static const char text[] = "leak function x\nleak function y\0z\n";
    ck_assert_int_eq(cli_suppressions_parse(&rules, "rules.supp", text, sizeof text - 1, error,
                                            sizeof error), -1);
    ck_assert_str_eq(error, "rules.supp:2: a NUL byte (not a text file?)");
    ck_assert_uint_eq(rules.count, 1);  /* the lines before stay */
    cli_suppressions_free(&rules);
}
END_TEST

/* The message is cut to the buffer and stays one line whatever the name. */
START_TEST(test_parse_error_buffer)
{
    cli_suppressions_t rules = { 0 };
    char error[16];
    memset(error, 'x', sizeof error);
    ck_assert_int_eq(cli_suppressions_parse(&rules, "a\nb.supp", "leek x y\n", 9, error, 12), -1);
    ck_assert_str_eq(error, "a?b.supp:1:");
    ck_assert_int_eq(error[12], 'x');
    ck_assert_int_eq(cli_suppressions_parse(&rules, "a.supp", "leek x y\n", 9, NULL, 0), -1);
    cli_suppressions_free(&rules);
}
END_TEST

/* ---- load ------------------------------------------------------------------ */

START_TEST(test_load)
{
    char directory[] = "/tmp/memsnap-check-suppressions-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(directory));
    char path[128], error[512];
    snprintf(path, sizeof path, "%s/rules.supp", directory);
    FILE *file = fopen(path, "w");
    ck_assert_ptr_nonnull(file);
    fputs("# from disk\nleak module libfoo.so\nreachable function g\n", file);
    ck_assert_int_eq(fclose(file), 0);

    cli_suppressions_t rules = { 0 };
    ck_assert_int_eq(cli_suppressions_load(&rules, path, error, sizeof error), 0);
    ck_assert_uint_eq(rules.count, 2);
    ck_assert_str_eq(rules.rules[0].path, path);
    ck_assert_uint_eq(rules.rules[1].line, 3);
    ck_assert_str_eq(rules.rules[1].pattern, "g");

    char expected[256];
    snprintf(expected, sizeof expected, "%s: cannot read: Is a directory", directory);
    ck_assert_int_eq(cli_suppressions_load(&rules, directory, error, sizeof error), -1);
    ck_assert_str_eq(error, expected);
    snprintf(path, sizeof path, "%s/missing.supp", directory);
    snprintf(expected, sizeof expected, "%s: cannot read: No such file or directory", path);
    ck_assert_int_eq(cli_suppressions_load(&rules, path, error, sizeof error), -1);
    ck_assert_str_eq(error, expected);
    ck_assert_uint_eq(rules.count, 2);
    cli_suppressions_free(&rules);

    snprintf(path, sizeof path, "%s/rules.supp", directory);
    unlink(path);
    rmdir(directory);
}
END_TEST

/* ---- match ------------------------------------------------------------------ */

/* A source frame: function text, symbol, file, module. */
static cli_location_t frame(const char *function, const char *symbol, const char *file,
                            const char *module)
{
    return (cli_location_t){ function, symbol, file, file != NULL ? 12 : 0, module };
}

/* The index of the rule of text that hides a group of kind with frames. */
static long match(const char *text, cli_leak_kind_t kind, const cli_location_t *frames,
                  size_t count)
{
    cli_suppressions_t rules = parsed(text);
    long rule = cli_suppressions_match(&rules, kind, frames, count);
    cli_suppressions_free(&rules);
    return rule;
}

static const cli_location_t widget[] = {
    { "make_widget", "make_widget", "/src/lib/widget.c", 12, "/opt/app/bin/app" },
    { "parse+0x1c", "parse", NULL, 0, "/usr/lib/libfoo.so.1" },
    { "inlined_helper", "inlined_helper", "src/util/helper.h", 40, "/opt/app/bin/app" },
    { "libbar.so+0x1234", NULL, NULL, 0, "/usr/lib/libbar.so" },
    { "0x7f0012345678", NULL, NULL, 0, NULL },
    { "main", "main", "/src/main.c", 3, "/opt/app/bin/app" },
};

#define WIDGET_FRAMES (sizeof widget / sizeof widget[0])

typedef struct match_case {
    const char *rule;
    long expected;                /* the rule's index when it matches: 0; -1 */
} match_case_t;

/* Each case's one rule against widget's frames, as a group of kind. */
static void expect_matches(const match_case_t *cases, size_t count, cli_leak_kind_t kind)
{
    for (size_t i = 0; i < count; i++) {
        long rule = match(cases[i].rule, kind, widget, WIDGET_FRAMES);
        ck_assert_msg(rule == cases[i].expected, "'%s': rule %ld, expected %ld", cases[i].rule,
                      rule, cases[i].expected);
    }
}

START_TEST(test_match_function)
{
    static const match_case_t cases[] = {
        { "leak function make_widget", 0 },
        { "leak function main", 0 },                  /* any frame, the outermost too */
        { "leak function inlined_helper", 0 },        /* an inlined frame is a frame */
        { "leak function parse", 0 },                 /* the symbol, without +0x1c */
        { "leak function parse+0x1c", -1 },
        { "leak function parse*", 0 },
        { "leak function make_*", 0 },
        { "leak function ?ake_widget", 0 },
        { "leak function [lm]ake_widget", 0 },
        { "leak function [!m]ake_widget", -1 },
        { "leak function make", -1 },                 /* the whole name */
        { "leak function Make_widget", -1 },
        { "leak function libbar.so*", -1 },           /* module+offset names no function */
        { "leak function 0x7f*", -1 },
        { "leak function widget.c", -1 },             /* a file is not a function */
    };
    expect_matches(cases, sizeof cases / sizeof cases[0], CLI_LEAK_DEFINITE);
    /* '*' matches every frame that names a function, and only those. */
    const cli_location_t nameless[] = { widget[3], widget[4] };
    ck_assert_int_eq(match("leak function *", CLI_LEAK_DEFINITE, nameless, 2), -1);
    ck_assert_int_eq(match("leak function *", CLI_LEAK_DEFINITE, widget, WIDGET_FRAMES), 0);
}
END_TEST

START_TEST(test_match_file)
{
    static const match_case_t cases[] = {
        { "leak file widget.c", 0 },                  /* base name */
        { "leak file w*.c", 0 },
        { "leak file helper.h", 0 },                  /* the inlined frame's file */
        { "leak file */lib/widget.c", 0 },            /* with '/': the whole path */
        { "leak file /src/*", 0 },                    /* '*' crosses '/' */
        { "leak file lib/widget.c", -1 },             /* with '/' but not the whole path */
        { "leak file src/util/helper.h", 0 },         /* a relative path, whole */
        { "leak file src/*.h", 0 },
        { "leak file /src/lib", -1 },
        { "leak file widget", -1 },
        { "leak file app", -1 },                      /* a module is not a file */
        { "leak file libfoo.so.1", -1 },
    };
    expect_matches(cases, sizeof cases / sizeof cases[0], CLI_LEAK_INDIRECT);
    const cli_location_t fileless[] = { widget[1], widget[3], widget[4] };
    ck_assert_int_eq(match("leak file *", CLI_LEAK_DEFINITE, fileless, 3), -1);
}
END_TEST

START_TEST(test_match_module)
{
    static const match_case_t cases[] = {
        { "leak module app", 0 },                     /* base name */
        { "leak module libfoo.so*", 0 },
        { "leak module libbar.so", 0 },               /* a frame with no function still has one */
        { "leak module /usr/lib/*", 0 },              /* whole path */
        { "leak module */bin/app", 0 },
        { "leak module bin/app", -1 },
        { "leak module libfoo.so", -1 },              /* the base name is libfoo.so.1 */
        { "leak module widget.c", -1 },               /* a file is not a module */
    };
    expect_matches(cases, sizeof cases / sizeof cases[0], CLI_LEAK_POSSIBLE);
    const cli_location_t moduleless[] = { widget[4] };
    ck_assert_int_eq(match("leak module *", CLI_LEAK_DEFINITE, moduleless, 1), -1);
}
END_TEST

/* An escaped glob character matches itself only. */
START_TEST(test_match_escapes)
{
    const cli_location_t odd[] = { frame("operator*", "operator*", "/src/a[1].c", "/m/lib?.so") };
    ck_assert_int_eq(match("leak function operator\\*", CLI_LEAK_DEFINITE, odd, 1), 0);
    ck_assert_int_eq(match("leak file a\\[1\\].c", CLI_LEAK_DEFINITE, odd, 1), 0);
    ck_assert_int_eq(match("leak module lib\\?.so", CLI_LEAK_DEFINITE, odd, 1), 0);
    const cli_location_t plain[] = { frame("operatorX", "operatorX", "/src/a1.c", "/m/libX.so") };
    ck_assert_int_eq(match("leak function operator\\*", CLI_LEAK_DEFINITE, plain, 1), -1);
    ck_assert_int_eq(match("leak file a\\[1\\].c", CLI_LEAK_DEFINITE, plain, 1), -1);
    ck_assert_int_eq(match("leak module lib\\?.so", CLI_LEAK_DEFINITE, plain, 1), -1);
}
END_TEST

START_TEST(test_match_kinds)
{
    static const struct {
        const char *kind_word;
        unsigned covers;
    } words[] = {
        { "definite", DEFINITE }, { "indirect", INDIRECT }, { "possible", POSSIBLE },
        { "reachable", REACHABLE }, { "leak", DEFINITE | INDIRECT | POSSIBLE },
        { "all", DEFINITE | INDIRECT | POSSIBLE | REACHABLE },
    };
    for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
        char rule[64];
        snprintf(rule, sizeof rule, "%s function main", words[w].kind_word);
        for (int kind = 0; kind < CLI_LEAK_KINDS; kind++) {
            long expected = (words[w].covers & CLI_LEAK_MASK(kind)) ? 0 : -1;
            long got = match(rule, (cli_leak_kind_t)kind, widget, WIDGET_FRAMES);
            ck_assert_msg(got == expected, "'%s' on kind %s: %ld, expected %ld", rule,
                          cli_leak_kind_names[kind], got, expected);
        }
    }
}
END_TEST

START_TEST(test_match_first_rule_wins)
{
    const char *rules = "reachable function make_widget\n"   /* 0: not this kind */
                        "leak file nothing.c\n"              /* 1: no frame */
                        "definite module libfoo.so*\n"       /* 2: the first that matches */
                        "leak function make_widget\n"        /* 3: matches too */
                        "all function *\n";                  /* 4 */
    ck_assert_int_eq(match(rules, CLI_LEAK_DEFINITE, widget, WIDGET_FRAMES), 2);
    ck_assert_int_eq(match(rules, CLI_LEAK_INDIRECT, widget, WIDGET_FRAMES), 3);
    ck_assert_int_eq(match(rules, CLI_LEAK_REACHABLE, widget, WIDGET_FRAMES), 0);
    ck_assert_int_eq(match(rules, CLI_LEAK_IGNORED, widget, WIDGET_FRAMES), -1);
    /* no frames (the sampler's blocks): nothing matches */
    ck_assert_int_eq(match(rules, CLI_LEAK_DEFINITE, widget, 0), -1);
    /* no rules */
    cli_suppressions_t none = { 0 };
    ck_assert_int_eq(cli_suppressions_match(&none, CLI_LEAK_DEFINITE, widget, WIDGET_FRAMES), -1);
}
END_TEST

/* ---- pattern ---------------------------------------------------------------- */

START_TEST(test_pattern)
{
    static const struct {
        const char *name, *pattern;
    } cases[] = {
        { "make_widget", "make_widget" },
        { "_ZN3foo3barEv", "_ZN3foo3barEv" },
        { "operator*", "operator\\*" },
        { "a?b[c]d\\e", "a\\?b\\[c]d\\\\e" },
        { "#hash", "[#]hash" },
        { "x#y", "x#y" },
    };
    char buffer[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ck_assert_str_eq(cli_suppression_pattern(buffer, sizeof buffer, cases[i].name),
                         cases[i].pattern);
        /* it matches its name, and as a rule reads back to itself */
        ck_assert_int_eq(fnmatch(buffer, cases[i].name, 0), 0);
        char line[128];
        snprintf(line, sizeof line, "leak function %s # x\n", buffer);
        cli_suppressions_t rules = parsed(line);
        ck_assert_str_eq(rules.rules[0].pattern, cases[i].pattern);
        cli_suppressions_free(&rules);
    }
    ck_assert_int_ne(fnmatch("operator\\*", "operatorX", 0), 0);
    ck_assert_ptr_null(cli_suppression_pattern(buffer, sizeof buffer, "two words"));
    ck_assert_ptr_null(cli_suppression_pattern(buffer, sizeof buffer, "tab\there"));
    ck_assert_ptr_null(cli_suppression_pattern(buffer, 8, "longer_than_8"));
    ck_assert_str_eq(cli_suppression_pattern(buffer, 8, "fits"), "fits");
}
END_TEST

static Suite *suppressions_suite(void)
{
    Suite *suite = suite_create("suppressions");
    TCase *parse = tcase_create("parse");
    tcase_add_test(parse, test_parse_forms);
    tcase_add_test(parse, test_parse_function_slash);
    tcase_add_test(parse, test_parse_nothing);
    tcase_add_test(parse, test_parse_appends);
    tcase_add_loop_test(parse, test_parse_errors, 0, (int)(sizeof bad_files / sizeof bad_files[0]));
    tcase_add_test(parse, test_parse_nul);
    tcase_add_test(parse, test_parse_error_buffer);
    suite_add_tcase(suite, parse);

    TCase *load = tcase_create("load");
    tcase_add_test(load, test_load);
    suite_add_tcase(suite, load);

    TCase *matching = tcase_create("match");
    tcase_add_test(matching, test_match_function);
    tcase_add_test(matching, test_match_file);
    tcase_add_test(matching, test_match_module);
    tcase_add_test(matching, test_match_escapes);
    tcase_add_test(matching, test_match_kinds);
    tcase_add_test(matching, test_match_first_rule_wins);
    suite_add_tcase(suite, matching);

    TCase *pattern = tcase_create("pattern");
    tcase_add_test(pattern, test_pattern);
    suite_add_tcase(suite, pattern);
    return suite;
}

int main(void)
{
    return run_suite(suppressions_suite());
}
