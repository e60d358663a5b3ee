/* check_options.c: the MEMSNAP_* table of options.c, parsed from crafted
 * environment arrays: accepted spellings of booleans; integers with k/m/g
 * suffixes and their ranges (MEMSNAP_FRAMES, MEMSNAP_SAMPLE_BYTES); signal
 * numbers and names (MEMSNAP_SIGNAL); seconds with up to three decimals
 * (MEMSNAP_INTERVAL); the one-line warnings for bad values and unknown names
 * (captured from stderr, checked to the byte); strings; and the parse
 * happening once per process. Every test runs in a fresh process, so each
 * sees the table unparsed. */
#include "unit.h"

#include "alloc.h"
#include "leak_kinds.h"
#include "options.h"

#include <signal.h>

#define KNOWN_NAMES "(known: MEMSNAP_STATS MEMSNAP_STATS_FILE MEMSNAP_ALIGN16 MEMSNAP_TRACE " \
                    "MEMSNAP_START MEMSNAP_FRAMES MEMSNAP_SAMPLE_BYTES MEMSNAP_DIR " \
                    "MEMSNAP_SIGNAL MEMSNAP_INTERVAL MEMSNAP_LEAKS MEMSNAP_LEAK_EXITCODE " \
                    "MEMSNAP_LEAK_KINDS MEMSNAP_SUPPRESSIONS MEMSNAP_GEN_SUPPRESSIONS)"

/* Runs ms_options_init(envp) and returns what it wrote on stderr. */
static const char *parse_capturing_stderr(char **envp)
{
    static char text[4096];
    unit_capture_t capture = unit_capture_stderr_begin();
    ms_options_init(envp);
    unit_capture_stderr_end(capture, text, sizeof text);
    return text;
}

/* The line a bad value gets: the variable, the value, what is accepted,
 * and the default that stays in force. */
static const char *invalid_line(const char *name, const char *value, const char *accepted,
                                const char *default_value)
{
    static char line[512];
    ck_assert_int_lt(snprintf(line, sizeof line,
                              "memsnap: %s='%s' is not valid (accepted: %s); using the default, %s\n",
                              name, value, accepted, default_value),
                     (int)sizeof line);
    return line;
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
    ck_assert_ptr_null(ms_option_string(MS_OPTION_STATS_FILE));
    ck_assert_int_eq(ms_option(MS_OPTION_ALIGN16), 1);
    ck_assert_int_eq(ms_option(MS_OPTION_TRACE), 1);
    ck_assert_int_eq(ms_option(MS_OPTION_START), 1);
    ck_assert_int_eq(ms_option(MS_OPTION_FRAMES), 64);
    ck_assert_int_eq(ms_option(MS_OPTION_SAMPLE_BYTES), 0);
    ck_assert_ptr_null(ms_option_string(MS_OPTION_DIR));
    ck_assert_int_eq(ms_option(MS_OPTION_SIGNAL), SIGUSR2);
    ck_assert_int_eq(ms_option(MS_OPTION_INTERVAL), 0);
    ck_assert_int_eq(ms_option(MS_OPTION_LEAKS), 0);
    ck_assert_int_eq(ms_option(MS_OPTION_LEAK_EXITCODE), 0);
    ck_assert_int_eq(ms_option(MS_OPTION_LEAK_KINDS), 1 << MS_LEAK_DEFINITE | 1 << MS_LEAK_INDIRECT);
    ck_assert_ptr_null(ms_option_string(MS_OPTION_SUPPRESSIONS));
    ck_assert_int_eq(ms_option(MS_OPTION_GEN_SUPPRESSIONS), 0);
    static const char *const names[MS_OPTION_COUNT] = {
        [MS_OPTION_STATS] = "MEMSNAP_STATS",
        [MS_OPTION_STATS_FILE] = "MEMSNAP_STATS_FILE",
        [MS_OPTION_ALIGN16] = "MEMSNAP_ALIGN16",
        [MS_OPTION_TRACE] = "MEMSNAP_TRACE",
        [MS_OPTION_START] = "MEMSNAP_START",
        [MS_OPTION_FRAMES] = "MEMSNAP_FRAMES",
        [MS_OPTION_SAMPLE_BYTES] = "MEMSNAP_SAMPLE_BYTES",
        [MS_OPTION_DIR] = "MEMSNAP_DIR",
        [MS_OPTION_SIGNAL] = "MEMSNAP_SIGNAL",
        [MS_OPTION_INTERVAL] = "MEMSNAP_INTERVAL",
        [MS_OPTION_LEAKS] = "MEMSNAP_LEAKS",
        [MS_OPTION_LEAK_EXITCODE] = "MEMSNAP_LEAK_EXITCODE",
        [MS_OPTION_LEAK_KINDS] = "MEMSNAP_LEAK_KINDS",
        [MS_OPTION_SUPPRESSIONS] = "MEMSNAP_SUPPRESSIONS",
        [MS_OPTION_GEN_SUPPRESSIONS] = "MEMSNAP_GEN_SUPPRESSIONS",
    };
    for (int id = 0; id < MS_OPTION_COUNT; id++) {
        ck_assert_ptr_nonnull(names[id]);
        ck_assert_str_eq(ms_option_name((ms_option_id)id), names[id]);
    }
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

#define BOOL_ACCEPTED "0 or 1, no or yes, false or true, off or on"

START_TEST(test_invalid_boolean_warns_once)
{
    const char *expected = invalid_line("MEMSNAP_STATS", invalid[_i], BOOL_ACCEPTED, "0");
    ck_assert_str_eq(parse_one("MEMSNAP_STATS", invalid[_i]), expected);
    ck_assert_int_eq(ms_option(MS_OPTION_STATS), 0);
}
END_TEST

/* The booleans whose default is 1: "0" is understood, a bad value keeps 1
 * and says so. */
static const ms_option_id true_by_default[] = { MS_OPTION_ALIGN16, MS_OPTION_TRACE,
                                                MS_OPTION_START };

START_TEST(test_boolean_default_one_turned_off)
{
    ms_option_id id = true_by_default[_i];
    ck_assert_str_eq(parse_one(ms_option_name(id), "off"), "");
    ck_assert_int_eq(ms_option(id), 0);
}
END_TEST

START_TEST(test_boolean_default_one_kept_on_bad_value)
{
    ms_option_id id = true_by_default[_i];
    ck_assert_str_eq(parse_one(ms_option_name(id), "maybe"),
                     invalid_line(ms_option_name(id), "maybe", BOOL_ACCEPTED, "1"));
    ck_assert_int_eq(ms_option(id), 1);
}
END_TEST

/* Numbers: each table row is a value and what it must parse to. */
typedef struct number_case {
    const char *text;
    long value;
} number_case_t;

#define FRAMES_ACCEPTED   "an integer from 1 to 256"
#define SAMPLE_ACCEPTED   "a byte count such as 524288 or 512k, 0 for exact"
#define SIGNAL_ACCEPTED   "a signal number or name such as USR1, 0 for none"
#define INTERVAL_ACCEPTED "seconds such as 10 or 0.5, 0 for none"

static const number_case_t valid_frames[] = {
    { "1", 1 }, { "2", 2 }, { "64", 64 }, { "100", 100 }, { "255", 255 }, { "256", 256 },
    { "0256", 256 },
};
static const char *const invalid_frames[] = {
    "0", "257", "1000", "-1", "abc", "", "1.5", " 64", "64 ", "1k", "0k", "99999999999999999999999",
};

START_TEST(test_frames_valid)
{
    ck_assert_str_eq(parse_one("MEMSNAP_FRAMES", valid_frames[_i].text), "");
    ck_assert_int_eq(ms_option(MS_OPTION_FRAMES), valid_frames[_i].value);
}
END_TEST

START_TEST(test_frames_invalid)
{
    ck_assert_str_eq(parse_one("MEMSNAP_FRAMES", invalid_frames[_i]),
                     invalid_line("MEMSNAP_FRAMES", invalid_frames[_i], FRAMES_ACCEPTED, "64"));
    ck_assert_int_eq(ms_option(MS_OPTION_FRAMES), 64);
}
END_TEST

/* Suffixes are powers of 1024, either case; 2^40 is the largest value. */
static const number_case_t valid_sample_bytes[] = {
    { "0", 0 }, { "1", 1 }, { "524288", 524288 }, { "512k", 524288 }, { "512K", 524288 },
    { "1m", 1048576 }, { "1M", 1048576 }, { "3m", 3145728 }, { "1g", 1073741824 },
    { "1G", 1073741824 }, { "1024g", 1099511627776 }, { "1099511627776", 1099511627776 },
    { "0k", 0 },
};
static const char *const invalid_sample_bytes[] = {
    "1025g", "1099511627777", "1048577m", "512kb", "512 k", "k", "-1", "0.5", "1t", "",
    "abc", "1kk",
};

START_TEST(test_sample_bytes_valid)
{
    ck_assert_str_eq(parse_one("MEMSNAP_SAMPLE_BYTES", valid_sample_bytes[_i].text), "");
    ck_assert_int_eq(ms_option(MS_OPTION_SAMPLE_BYTES), valid_sample_bytes[_i].value);
}
END_TEST

START_TEST(test_sample_bytes_invalid)
{
    ck_assert_str_eq(parse_one("MEMSNAP_SAMPLE_BYTES", invalid_sample_bytes[_i]),
                     invalid_line("MEMSNAP_SAMPLE_BYTES", invalid_sample_bytes[_i],
                                  SAMPLE_ACCEPTED, "0"));
    ck_assert_int_eq(ms_option(MS_OPTION_SAMPLE_BYTES), 0);
}
END_TEST

/* Names with or without SIG, in any case; numbers; 0 or none for no signal.
 * SIGKILL and SIGSTOP cannot be caught, so they are refused. */
static const number_case_t valid_signals[] = {
    { "USR1", SIGUSR1 }, { "SIGUSR1", SIGUSR1 }, { "usr1", SIGUSR1 }, { "SigUsr1", SIGUSR1 },
    { "10", SIGUSR1 }, { "USR2", SIGUSR2 }, { "sigusr2", SIGUSR2 }, { "12", SIGUSR2 },
    { "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT }, { "TERM", SIGTERM },
    { "PROF", SIGPROF }, { "URG", SIGURG }, { "WINCH", SIGWINCH }, { "SIGPWR", SIGPWR },
    { "none", 0 }, { "NONE", 0 }, { "0", 0 }, { "1", 1 }, { "64", 64 },
};
static const char *const invalid_signals[] = {
    "KILL", "SIGKILL", "9", "STOP", "SIGSTOP", "19", "65", "-1", "USR3", "SIG", "", "1k",
    "SIGUSR1 ", "10.0",
};

START_TEST(test_signal_valid)
{
    ck_assert_str_eq(parse_one("MEMSNAP_SIGNAL", valid_signals[_i].text), "");
    ck_assert_int_eq(ms_option(MS_OPTION_SIGNAL), valid_signals[_i].value);
}
END_TEST

START_TEST(test_signal_invalid)
{
    char default_signal[16];
    snprintf(default_signal, sizeof default_signal, "%d", SIGUSR2);
    ck_assert_str_eq(parse_one("MEMSNAP_SIGNAL", invalid_signals[_i]),
                     invalid_line("MEMSNAP_SIGNAL", invalid_signals[_i], SIGNAL_ACCEPTED,
                                  default_signal));
    ck_assert_int_eq(ms_option(MS_OPTION_SIGNAL), SIGUSR2);
}
END_TEST

/* Seconds with up to three decimals, kept in milliseconds, up to a day. */
static const number_case_t valid_intervals[] = {
    { "0", 0 }, { "0.5", 500 }, { "0.50", 500 }, { "0.500", 500 }, { "10", 10000 },
    { "1.234", 1234 }, { "0.001", 1 }, { "2.05", 2050 }, { "86400", 86400000 },
    { "86400.000", 86400000 },
};
static const char *const invalid_intervals[] = {
    "1.2345", "0.0001", "abc", "", "-1", ".5", "86400.001", "86401", "1e3", "1s", "1,5",
    "0.5.1",
};

START_TEST(test_interval_valid)
{
    ck_assert_str_eq(parse_one("MEMSNAP_INTERVAL", valid_intervals[_i].text), "");
    ck_assert_int_eq(ms_option(MS_OPTION_INTERVAL), valid_intervals[_i].value);
}
END_TEST

START_TEST(test_interval_invalid)
{
    ck_assert_str_eq(parse_one("MEMSNAP_INTERVAL", invalid_intervals[_i]),
                     invalid_line("MEMSNAP_INTERVAL", invalid_intervals[_i], INTERVAL_ACCEPTED,
                                  "0"));
    ck_assert_int_eq(ms_option(MS_OPTION_INTERVAL), 0);
}
END_TEST

/* Every new option at once, among unrelated entries: no word on stderr. */
START_TEST(test_leak_kinds_valid)
{
    ck_assert_str_eq(parse_one("MEMSNAP_LEAK_KINDS", "possible,definite"), "");
    ck_assert_int_eq(ms_option(MS_OPTION_LEAK_KINDS), 1 << MS_LEAK_POSSIBLE | 1 << MS_LEAK_DEFINITE);
}
END_TEST

static const char *const bad_kinds[] = { "", "ignored", "definite,", ",definite", "definite,,indirect",
                                         "Definite", "lost", "definite indirect" };

START_TEST(test_leak_kinds_invalid)
{
    const char *accepted = "kinds among definite, indirect, possible, reachable, separated by commas";
    ck_assert_str_eq(parse_one("MEMSNAP_LEAK_KINDS", bad_kinds[_i]),
                     invalid_line("MEMSNAP_LEAK_KINDS", bad_kinds[_i], accepted, "definite,indirect"));
    ck_assert_int_eq(ms_option(MS_OPTION_LEAK_KINDS), 1 << MS_LEAK_DEFINITE | 1 << MS_LEAK_INDIRECT);
}
END_TEST

START_TEST(test_leak_exit_code)
{
    ck_assert_str_eq(parse_one("MEMSNAP_LEAK_EXITCODE", "23"), "");
    ck_assert_int_eq(ms_option(MS_OPTION_LEAK_EXITCODE), 23);
}
END_TEST

START_TEST(test_leak_exit_code_out_of_range)
{
    ck_assert_str_eq(parse_one("MEMSNAP_LEAK_EXITCODE", "256"),
                     invalid_line("MEMSNAP_LEAK_EXITCODE", "256", "an exit status from 1 to 255, 0 for none",
                                  "0"));
    ck_assert_int_eq(ms_option(MS_OPTION_LEAK_EXITCODE), 0);
}
END_TEST

START_TEST(test_all_options_together)
{
    static char *envp[] = {
        "MEMSNAP_TRACE=yes", "PATH=/bin", "MEMSNAP_START=no", "MEMSNAP_FRAMES=32",
        "MEMSNAP_SAMPLE_BYTES=256k", "MEMSNAP_DIR=/tmp/snapshots", "MEMSNAP_SIGNAL=SIGPROF",
        "MEMSNAP_INTERVAL=2.5", "MEMSNAP_STATS=on", "MEMSNAP_ALIGN16=false", NULL,
    };
    ck_assert_str_eq(parse_capturing_stderr(envp), "");
    ck_assert_int_eq(ms_option(MS_OPTION_TRACE), 1);
    ck_assert_int_eq(ms_option(MS_OPTION_START), 0);
    ck_assert_int_eq(ms_option(MS_OPTION_FRAMES), 32);
    ck_assert_int_eq(ms_option(MS_OPTION_SAMPLE_BYTES), 262144);
    ck_assert_str_eq(ms_option_string(MS_OPTION_DIR), "/tmp/snapshots");
    ck_assert_int_eq(ms_option(MS_OPTION_SIGNAL), SIGPROF);
    ck_assert_int_eq(ms_option(MS_OPTION_INTERVAL), 2500);
    ck_assert_int_eq(ms_option(MS_OPTION_STATS), 1);
    ck_assert_int_eq(ms_option(MS_OPTION_ALIGN16), 0);
}
END_TEST

/* Two bad values: one line each, in environment order. */
START_TEST(test_bad_values_each_warn)
{
    static char *envp[] = { "MEMSNAP_FRAMES=0", "MEMSNAP_SIGNAL=KILL", NULL };
    char expected[1024];
    snprintf(expected, sizeof expected, "%s", invalid_line("MEMSNAP_FRAMES", "0", FRAMES_ACCEPTED, "64"));
    snprintf(expected + strlen(expected), sizeof expected - strlen(expected), "%s",
             invalid_line("MEMSNAP_SIGNAL", "KILL", SIGNAL_ACCEPTED, "12"));
    ck_assert_str_eq(parse_capturing_stderr(envp), expected);
    ck_assert_int_eq(ms_option(MS_OPTION_FRAMES), 64);
    ck_assert_int_eq(ms_option(MS_OPTION_SIGNAL), SIGUSR2);
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
    char expected[512];
    snprintf(expected, sizeof expected, "memsnap: unknown variable %.63s ignored " KNOWN_NAMES "\n",
             name);
    ck_assert_str_eq(parse_one(name, "1"), expected);
}
END_TEST

START_TEST(test_second_call_does_nothing)
{
    static char *first[] = { "MEMSNAP_STATS=1", NULL };
    static char *second[] = { "MEMSNAP_STATS=0", "MEMSNAP_FOO=1", "MEMSNAP_ALIGN16=0",
                              "MEMSNAP_FRAMES=8", NULL };
    ck_assert_str_eq(parse_capturing_stderr(first), "");
    ck_assert_str_eq(parse_capturing_stderr(second), "");
    ck_assert_int_eq(ms_option(MS_OPTION_STATS), 1);
    ck_assert_int_eq(ms_option(MS_OPTION_ALIGN16), 1);
    ck_assert_int_eq(ms_option(MS_OPTION_FRAMES), 64);
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

START_TEST(test_dir_option)
{
    static char *envp[] = { "MEMSNAP_DIR=/var/tmp/memsnap dir", NULL };
    ck_assert_str_eq(parse_capturing_stderr(envp), "");
    ck_assert_ptr_eq(ms_option_string(MS_OPTION_DIR), envp[0] + strlen("MEMSNAP_DIR="));
    ck_assert_str_eq(ms_option_string(MS_OPTION_DIR), "/var/tmp/memsnap dir");
}
END_TEST

START_TEST(test_empty_dir_warns)
{
    ck_assert_str_eq(parse_one("MEMSNAP_DIR", ""),
                     "memsnap: MEMSNAP_DIR is set but empty (accepted: a directory); "
                     "ignoring it\n");
    ck_assert_ptr_null(ms_option_string(MS_OPTION_DIR));
}
END_TEST

/* Loop test: 0 sets "off" (a 17-byte request gets a 24-byte block), 1 sets
 * "on" (32 bytes, 16-aligned). */
START_TEST(test_align16_reaches_allocator)
{
    static const char *const values[] = { "off", "on" };
    ck_assert_str_eq(parse_one("MEMSNAP_ALIGN16", values[_i]), "");
    ck_assert_int_eq(ms_option(MS_OPTION_ALIGN16), _i);
    ms_alloc_configure();
    ck_assert_int_eq(ms_align16, _i);
    void *block = ms_malloc(17, 0);
    ck_assert_uint_eq(ms_usable_size(block), _i ? 32 : 24);
    ms_free(block, NULL);
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
    tcase_add_loop_test(booleans, test_align16_reaches_allocator, 0, 2);
    tcase_add_loop_test(booleans, test_boolean_default_one_turned_off, 0,
                        sizeof true_by_default / sizeof true_by_default[0]);
    tcase_add_loop_test(booleans, test_boolean_default_one_kept_on_bad_value, 0,
                        sizeof true_by_default / sizeof true_by_default[0]);
    suite_add_tcase(suite, booleans);
    TCase *numbers = tcase_create("numbers");
    tcase_add_loop_test(numbers, test_frames_valid, 0, sizeof valid_frames / sizeof valid_frames[0]);
    tcase_add_loop_test(numbers, test_frames_invalid, 0,
                        sizeof invalid_frames / sizeof invalid_frames[0]);
    tcase_add_loop_test(numbers, test_sample_bytes_valid, 0,
                        sizeof valid_sample_bytes / sizeof valid_sample_bytes[0]);
    tcase_add_loop_test(numbers, test_sample_bytes_invalid, 0,
                        sizeof invalid_sample_bytes / sizeof invalid_sample_bytes[0]);
    tcase_add_loop_test(numbers, test_signal_valid, 0,
                        sizeof valid_signals / sizeof valid_signals[0]);
    tcase_add_loop_test(numbers, test_signal_invalid, 0,
                        sizeof invalid_signals / sizeof invalid_signals[0]);
    tcase_add_loop_test(numbers, test_interval_valid, 0,
                        sizeof valid_intervals / sizeof valid_intervals[0]);
    tcase_add_loop_test(numbers, test_interval_invalid, 0,
                        sizeof invalid_intervals / sizeof invalid_intervals[0]);
    tcase_add_test(numbers, test_leak_kinds_valid);
    tcase_add_loop_test(numbers, test_leak_kinds_invalid, 0, sizeof bad_kinds / sizeof bad_kinds[0]);
    tcase_add_test(numbers, test_leak_exit_code);
    tcase_add_test(numbers, test_leak_exit_code_out_of_range);
    tcase_add_test(numbers, test_all_options_together);
    tcase_add_test(numbers, test_bad_values_each_warn);
    suite_add_tcase(suite, numbers);
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
    tcase_add_test(strings, test_dir_option);
    tcase_add_test(strings, test_empty_dir_warns);
    suite_add_tcase(suite, strings);
    return suite;
}

int main(void)
{
    return run_suite(options_suite());
}
