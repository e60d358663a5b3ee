/* check_format.c: the stdio-free writer of format.c: numbers with widths,
 * digit grouping and signs, padding, buffering past 4 KiB, write failures
 * that stick, and ms_warn's one line on stderr. */
#include "unit.h"

#include <fcntl.h>

#include "format.h"

/* What the writer holds, as text; then empties it for the next case. */
static void expect_buffered(ms_out_t *out, const char *expected, const char *what)
{
    ck_assert_msg(out->length == strlen(expected) &&
                      memcmp(out->buffer, expected, out->length) == 0,
                  "%s: wrote \"%.*s\", expected \"%s\"", what, (int)out->length, out->buffer,
                  expected);
    out->length = 0;
}

typedef struct unsigned_case {
    uint64_t value;
    int width;
    int grouped;
    const char *expected;
} unsigned_case_t;

typedef struct signed_case {
    int64_t value;
    int width;
    int grouped;
    const char *expected;
} signed_case_t;

START_TEST(test_unsigned_numbers)
{
    static const unsigned_case_t cases[] = {
        { 0, 0, 0, "0" },
        { 0, 0, 1, "0" },
        { 999, 0, 1, "999" },
        { 1000, 0, 1, "1,000" },
        { 1234567, 0, 1, "1,234,567" },
        { 1234567, 0, 0, "1234567" },
        { 100000, 7, 1, "100,000" },
        { 42, 5, 0, "   42" },
        { 1234567, 12, 1, "   1,234,567" },
        /* A width too small for the number never cuts it. */
        { 1234567, 3, 1, "1,234,567" },
        { UINT64_MAX, 0, 1, "18,446,744,073,709,551,615" },
        { UINT64_MAX, 0, 0, "18446744073709551615" },
    };
    ms_out_t out;
    ms_out_init(&out, -1);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        ms_out_u64(&out, cases[k].value, cases[k].width, cases[k].grouped);
        expect_buffered(&out, cases[k].expected, "ms_out_u64");
    }
}
END_TEST

START_TEST(test_signed_numbers)
{
    static const signed_case_t cases[] = {
        { -1, 0, 0, "-1" },
        { 0, 3, 0, "  0" },
        { -999, 0, 1, "-999" },
        { -999999, 0, 1, "-999,999" },
        { -1234567, 0, 1, "-1,234,567" },
        { -1234567, 12, 1, "  -1,234,567" },
        { 1234567, 12, 1, "   1,234,567" },
        { INT64_MAX, 0, 1, "9,223,372,036,854,775,807" },
        { INT64_MIN, 0, 1, "-9,223,372,036,854,775,808" },
        { INT64_MIN, 0, 0, "-9223372036854775808" },
    };
    ms_out_t out;
    ms_out_init(&out, -1);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        ms_out_i64(&out, cases[k].value, cases[k].width, cases[k].grouped);
        expect_buffered(&out, cases[k].expected, "ms_out_i64");
    }
}
END_TEST

START_TEST(test_text_and_padding)
{
    ms_out_t out;
    ms_out_init(&out, -1);
    ms_out_padded(&out, "ab", 5);
    expect_buffered(&out, "ab   ", "padded to 5");
    ms_out_padded(&out, "abcdef", 3);
    expect_buffered(&out, "abcdef", "padded to less than its length");
    ms_out_padded(&out, "", 2);
    expect_buffered(&out, "  ", "empty, padded to 2");
    ms_out_chars(&out, '-', 3);
    ms_out_chars(&out, 'x', 0);
    ms_out_str(&out, "|");
    ms_out_str(&out, "");
    expect_buffered(&out, "---|", "chars and strings");
}
END_TEST

/* More than the 4 KiB buffer holds: flushed on the way, nothing lost. */
START_TEST(test_parse_hex)
{
    const char text[] = "7ffd0a2c3b40-7ffd0a2e4000 rw-p";
    uintptr_t value = 1;
    const char *stop = ms_parse_hex(text, text + sizeof text - 1, &value);
    ck_assert_uint_eq(value, 0x7ffd0a2c3b40u);
    ck_assert_ptr_eq(stop, text + 12);
    /* Stops at end even amid digits, and reads nothing before a non-digit. */
    stop = ms_parse_hex(text, text + 4, &value);
    ck_assert_uint_eq(value, 0x7ffd);
    ck_assert_ptr_eq(stop, text + 4);
    stop = ms_parse_hex(text + 12, text + sizeof text - 1, &value);
    ck_assert_uint_eq(value, 0);
    ck_assert_ptr_eq(stop, text + 12);
}
END_TEST

START_TEST(test_long_output_reaches_file)
{
    int fd = unit_temporary_file();
    ms_out_t out;
    ms_out_init(&out, fd);
    for (int k = 0; k < 1000; k++) {
        ms_out_u64(&out, (uint64_t)k, 9, 1);
        ms_out_str(&out, "\n");
    }
    ck_assert_int_eq(ms_out_flush(&out), 0);
    ck_assert_uint_eq(out.length, 0);

    static char text[16384];
    ck_assert_uint_eq(unit_read_file(fd, text, sizeof text), 10000);
    for (int k = 0; k < 1000; k++) {
        char expected[11];
        snprintf(expected, sizeof expected, "%9d\n", k);
        unit_expect(memcmp(text + k * 10, expected, 10) == 0, "line %d: \"%.10s\", expected \"%s\"",
                    k, text + k * 10, expected);
    }
    close(fd);
}
END_TEST

/* A failed write fails the flush and every later one: the rest of a table
 * is dropped rather than written with a hole in it. */
START_TEST(test_write_failure_sticks)
{
    int read_only = open("/dev/null", O_RDONLY);
    ck_assert_int_ge(read_only, 0);
    ms_out_t out;
    ms_out_init(&out, read_only);
    ms_out_str(&out, "lost");
    ck_assert_int_eq(ms_out_flush(&out), -1);
    ck_assert_int_eq(out.failed, 1);

    int fd = unit_temporary_file();
    out.fd = fd;
    ms_out_str(&out, "dropped");
    ck_assert_int_eq(ms_out_flush(&out), -1);
    char text[64];
    ck_assert_uint_eq(unit_read_file(fd, text, sizeof text), 0);
    close(fd);
    close(read_only);
}
END_TEST

START_TEST(test_warn_line)
{
    char text[256];
    unit_capture_t capture = unit_capture_stderr_begin();
    ms_warn("one", NULL);
    ms_warn("MEMSNAP_X", "='", "y", "' is odd", NULL);
    unit_capture_stderr_end(capture, text, sizeof text);
    ck_assert_str_eq(text, "memsnap: one\nmemsnap: MEMSNAP_X='y' is odd\n");
}
END_TEST

static Suite *format_suite(void)
{
    Suite *suite = suite_create("format");
    TCase *numbers = tcase_create("numbers");
    tcase_add_test(numbers, test_unsigned_numbers);
    tcase_add_test(numbers, test_signed_numbers);
    tcase_add_test(numbers, test_text_and_padding);
    tcase_add_test(numbers, test_parse_hex);
    suite_add_tcase(suite, numbers);
    TCase *output = tcase_create("output");
    tcase_add_test(output, test_long_output_reaches_file);
    tcase_add_test(output, test_write_failure_sticks);
    tcase_add_test(output, test_warn_line);
    suite_add_tcase(suite, output);
    return suite;
}

int main(void)
{
    return run_suite(format_suite());
}
