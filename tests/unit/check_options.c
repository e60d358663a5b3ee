/* check_options.c: the MEMSNAP_* table of options.c, parsed from crafted
 * environment arrays: accepted spellings of booleans, the one-line warnings
 * for bad values and unknown names (captured from stderr, checked to the
 * byte), strings, and the parse happening once per process. Every test runs
 * in a fresh process, so each sees the table unparsed. */
#include "unit.h"

#include "alloc.h"
#include "options.h"

#define KNOWN_NAMES "(known: MEMSNAP_STATS MEMSNAP_STATS_FILE MEMSNAP_ALIGN16)"

/* Runs ms_options_init(envp) and returns what it wrote on stderr. */
static const char *parse_capturing_stderr(char **envp)
{
    static char text[4096];
    unit_capture_t capture = unit_capture_stderr_begin();
    ms_options_init(envp);
    unit_capture_stderr_end(capture, text, sizeof text);
    return text;
}

/* Parses an environment of one entry "name=value" among unrelated ones. */
static const char *parse_one(const char *name, const char *value)
{
    static char entry[256];
    ck_assert_int_lt(snprintf(entry, sizeof entry, "%s=%s", name, value), (int)sizeof entry);
    static char *envp[] = { "PATH=/usr/bin:/bin", entry, "HOME=/root", NULL };
    return parse_capturing_stderr(envp);
}

static const char *const truths[] = { "1", "yes", "on", "true", "TRUE", "Yes", "oN" };
static const char *const falsehoods[] = { "0", "no", "off", "false", "NO", "False" };
static const char *const invalid[] = { "banana", "", "2", "tru", "yes ", " 1", "onn" };

START_TEST(test_defaults_before_parse)
{
    ck_assert_int_eq(ms_option(MS_OPTION_STATS), 0);
    ck_assert_int_eq(ms_option(MS_OPTION_ALIGN16), 0);
    ck_assert_ptr_null(ms_option_string(MS_OPTION_STATS_FILE));
    ck_assert_str_eq(ms_option_name(MS_OPTION_STATS), "MEMSNAP_STATS");
    ck_assert_str_eq(ms_option_name(MS_OPTION_STATS_FILE), "MEMSNAP_STATS_FILE");
    ck_assert_str_eq(ms_option_name(MS_OPTION_ALIGN16), "MEMSNAP_ALIGN16");
}
END_TEST

START_TEST(test_true_spellings)
{
    ck_assert_str_eq(parse_one("MEMSNAP_STATS", truths[_i]), "");
    ck_assert_int_eq(ms_option(MS_OPTION_STATS), 1);
}
END_TEST

/* 0 is also the default, so the proof that "0" was understood is the
 * absence of a warning. */
START_TEST(test_false_spellings)
{
    ck_assert_str_eq(parse_one("MEMSNAP_STATS", falsehoods[_i]), "");
    ck_assert_int_eq(ms_option(MS_OPTION_STATS), 0);
}
END_TEST

START_TEST(test_invalid_boolean_warns_once)
{
    char expected[512];
    snprintf(expected, sizeof expected,
             "memsnap: MEMSNAP_STATS='%s' is not valid (accepted: 0 or 1, no or yes, "
             "false or true, off or on); using 0\n", invalid[_i]);
    ck_assert_str_eq(parse_one("MEMSNAP_STATS", invalid[_i]), expected);
    ck_assert_int_eq(ms_option(MS_OPTION_STATS), 0);
}
END_TEST

START_TEST(test_unknown_variable_warns)
{
    ck_assert_str_eq(parse_one("MEMSNAP_FOO", "1"),
                     "memsnap: unknown variable MEMSNAP_FOO ignored " KNOWN_NAMES "\n");
}
END_TEST

/* A known name with a letter more or less is unknown, not a prefix match. */
START_TEST(test_near_miss_names_are_unknown)
{
    static char *envp[] = { "MEMSNAP_STAT=1", "MEMSNAP_STATSX=1", NULL };
    ck_assert_str_eq(parse_capturing_stderr(envp),
                     "memsnap: unknown variable MEMSNAP_STAT ignored " KNOWN_NAMES "\n"
                     "memsnap: unknown variable MEMSNAP_STATSX ignored " KNOWN_NAMES "\n");
    ck_assert_int_eq(ms_option(MS_OPTION_STATS), 0);
}
END_TEST

/* Not ours (no MEMSNAP_ prefix, or no '='): skipped without a word. */
START_TEST(test_foreign_entries_are_silent)
{
    static char *envp[] = { "memsnap_stats=1", "MEMSNAPSTATS=1", "MEMSNAP_STATS", "=1", "", NULL };
    ck_assert_str_eq(parse_capturing_stderr(envp), "");
    ck_assert_int_eq(ms_option(MS_OPTION_STATS), 0);
}
END_TEST

/* The name in the warning is cut to 63 characters, the size of the buffer
 * the parser may use without allocating. */
START_TEST(test_long_unknown_name_is_cut)
{
    char name[100];
    memset(name, 'X', sizeof name);
    memcpy(name, "MEMSNAP_", 8);
    name[80] = '\0';
    char expected[256];
    snprintf(expected, sizeof expected, "memsnap: unknown variable %.63s ignored " KNOWN_NAMES "\n",
             name);
    ck_assert_str_eq(parse_one(name, "1"), expected);
}
END_TEST

START_TEST(test_second_call_does_nothing)
{
    static char *first[] = { "MEMSNAP_STATS=1", NULL };
    static char *second[] = { "MEMSNAP_STATS=0", "MEMSNAP_FOO=1", "MEMSNAP_ALIGN16=1", NULL };
    ck_assert_str_eq(parse_capturing_stderr(first), "");
    ck_assert_str_eq(parse_capturing_stderr(second), "");
    ck_assert_int_eq(ms_option(MS_OPTION_STATS), 1);
    ck_assert_int_eq(ms_option(MS_OPTION_ALIGN16), 0);
}
END_TEST

/* A call without an environment (an allocation before libc is up) does not
 * use up the parse. */
START_TEST(test_null_environment_does_not_count)
{
    static char *envp[] = { "MEMSNAP_STATS=yes", NULL };
    ms_options_init(NULL);
    ck_assert_str_eq(parse_capturing_stderr(envp), "");
    ck_assert_int_eq(ms_option(MS_OPTION_STATS), 1);
}
END_TEST

START_TEST(test_string_option)
{
    static char *envp[] = { "MEMSNAP_STATS_FILE=/tmp/stats.txt", NULL };
    ck_assert_str_eq(parse_capturing_stderr(envp), "");
    /* The value points into the environment: nothing was copied. */
    ck_assert_ptr_eq(ms_option_string(MS_OPTION_STATS_FILE), envp[0] + strlen("MEMSNAP_STATS_FILE="));
    ck_assert_int_eq(ms_option(MS_OPTION_STATS), 0);
}
END_TEST

START_TEST(test_empty_string_option_warns)
{
    ck_assert_str_eq(parse_one("MEMSNAP_STATS_FILE", ""),
                     "memsnap: MEMSNAP_STATS_FILE is set but empty (accepted: a file path); "
                     "ignoring it\n");
    ck_assert_ptr_null(ms_option_string(MS_OPTION_STATS_FILE));
}
END_TEST

START_TEST(test_align16_reaches_allocator)
{
    ck_assert_str_eq(parse_one("MEMSNAP_ALIGN16", "on"), "");
    ck_assert_int_eq(ms_option(MS_OPTION_ALIGN16), 1);
    ms_alloc_configure();
    ck_assert_int_eq(ms_align16, 1);
    ck_assert_uint_eq(ms_usable_size(ms_malloc(17)), 32);
}
END_TEST

static Suite *options_suite(void)
{
    Suite *suite = suite_create("options");
    TCase *booleans = tcase_create("booleans");
    tcase_add_test(booleans, test_defaults_before_parse);
    tcase_add_loop_test(booleans, test_true_spellings, 0, sizeof truths / sizeof truths[0]);
    tcase_add_loop_test(booleans, test_false_spellings, 0, sizeof falsehoods / sizeof falsehoods[0]);
    tcase_add_loop_test(booleans, test_invalid_boolean_warns_once, 0,
                        sizeof invalid / sizeof invalid[0]);
    tcase_add_test(booleans, test_align16_reaches_allocator);
    suite_add_tcase(suite, booleans);
    TCase *names = tcase_create("names");
    tcase_add_test(names, test_unknown_variable_warns);
    tcase_add_test(names, test_near_miss_names_are_unknown);
    tcase_add_test(names, test_foreign_entries_are_silent);
    tcase_add_test(names, test_long_unknown_name_is_cut);
    suite_add_tcase(suite, names);
    TCase *once = tcase_create("once");
    tcase_add_test(once, test_second_call_does_nothing);
    tcase_add_test(once, test_null_environment_does_not_count);
    suite_add_tcase(suite, once);
    TCase *strings = tcase_create("strings");
    tcase_add_test(strings, test_string_option);
    tcase_add_test(strings, test_empty_string_option_warns);
    suite_add_tcase(suite, strings);
    return suite;
}

int main(void)
{
    return unit_run(options_suite());
}
