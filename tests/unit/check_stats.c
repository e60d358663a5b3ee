/* check_stats.c: the allocator table of stats.c: the figures
 * ms_stats_collect gathers for a known state, the lines ms_stats_print
 * writes for them (the Total line always equals arenas * 262144), and
 * ms_stats_report's handling of MEMSNAP_STATS and MEMSNAP_STATS_FILE. */
#include "unit.h"

#include "alloc.h"
#include "options.h"
#include "stats.h"

static char report[65536];

/* ms_stats_print of stats into report, which holds the text afterwards. */
static void print_stats(const ms_stats_t *stats)
{
    int fd = unit_temporary_file();
    ck_assert_int_eq(ms_stats_print(stats, fd), 0);
    unit_read_file(fd, report, sizeof report);
    close(fd);
}

/* The report holds line as a whole line. */
static void expect_line(const char *line)
{
    char *found = report;
    size_t length = strlen(line);
    while ((found = strstr(found, line)) != NULL) {
        if ((found == report || found[-1] == '\n') && found[length] == '\n')
            return;
        found++;
    }
    /* check carries messages of a few kilobytes at most: the table's head
     * shows what went wrong well enough. */
    ck_abort_msg("no line \"%s\" in:\n%.2000s", line, report);
}

/* "label = value" as the table aligns it: label in 35 columns, the value in
 * 21 with commas. */
static void expect_value_line(const char *label, const char *value)
{
    char line[128];
    snprintf(line, sizeof line, "%-35s=%21s", label, value);
    expect_line(line);
}

/* value with a comma every three digits, as the table prints it. */
static void group_thousands(uint64_t value, char *text, size_t capacity)
{
    char digits[32];
    int length = snprintf(digits, sizeof digits, "%lu", (unsigned long)value);
    size_t out = 0;
    for (int k = 0; k < length; k++) {
        if (k > 0 && (length - k) % 3 == 0 && out + 1 < capacity)
            text[out++] = ',';
        if (out + 1 < capacity)
            text[out++] = digits[k];
    }
    text[out] = '\0';
}

/* Three 40-byte blocks (a class whose pools waste 32 bytes), one large
 * block, and some brk traffic, in a fresh process. The "table" tests run
 * with the classic spacing (fixture), so a 40-byte request is a 40-byte
 * block and every one of the 64 classes can be in use. */
static void make_known_state(void)
{
    unit_require_fresh_allocator();
    for (int k = 0; k < 3; k++)
        ck_assert_ptr_nonnull(ms_malloc(40, 0));
    ck_assert_ptr_nonnull(ms_malloc(600, 0));
    ms_stats_note_brk(8192);
    ms_stats_note_brk(-12288);
}

START_TEST(test_collect_known_state)
{
    make_known_state();
    ms_stats_t stats;
    ms_stats_collect(&stats);
    for (unsigned szidx = 0; szidx < MS_NB_SMALL_SIZE_CLASSES; szidx++)
        ck_assert_uint_eq(stats.classes[szidx].pools, szidx == 4);
    ck_assert_uint_eq(stats.classes[4].blocks_in_use, 3);
    ck_assert_uint_eq(stats.classes[4].blocks_available, 97);
    ck_assert_uint_eq(stats.arenas.allocated_total, 1);
    ck_assert_uint_eq(stats.arenas.current, 1);
    ck_assert_uint_eq(stats.arenas.highwater, 1);
    ck_assert_uint_eq(stats.arenas.reclaimed, 0);
    ck_assert_uint_eq(stats.arena_bytes, 262144);
    ck_assert_uint_eq(stats.allocated_bytes, 120);
    ck_assert_uint_eq(stats.available_bytes, 97 * 40);
    ck_assert_uint_eq(stats.unused_pools, 63);
    ck_assert_uint_eq(stats.pool_header_bytes, 64);
    ck_assert_uint_eq(stats.quantization_bytes, 32);
    ck_assert_uint_eq(stats.fragmentation_permille, (262144 - 120) * 1000 / 262144);
    ck_assert_uint_eq(stats.large.live_blocks, 1);
    ck_assert_uint_eq(stats.large.live_bytes, 600);
    ck_assert_uint_eq(stats.large.calls, 1);
    ck_assert_uint_eq(stats.large.bytes_total, 600);
    ck_assert_uint_eq(stats.brk_grown_total, 8192);
    ck_assert_int_eq(stats.brk_current, -4096);
    ck_assert_uint_gt(stats.meta_bytes, 0);
}
END_TEST

START_TEST(test_print_known_state)
{
    make_known_state();
    ms_stats_t stats;
    ms_stats_collect(&stats);
    print_stats(&stats);

    ck_assert_msg(strncmp(report, "memsnap allocator statistics\n", 29) == 0, "%s", report);
    expect_line("class   size   num pools   blocks in use  avail blocks");
    /* The one class in use, right after the dashes, and no other row. */
    ck_assert_ptr_nonnull(strstr(report,
                                 "-----   ----   ---------   -------------  ------------\n"
                                 "    4     40           1               3            97\n\n"));
    expect_value_line("# arenas allocated total", "1");
    expect_value_line("# arenas allocated current", "1");
    expect_value_line("1 arenas * 262144 bytes/arena", "262,144");
    expect_value_line("# bytes in allocated blocks", "120");
    expect_value_line("# bytes in available blocks", "3,880");
    expect_value_line("63 unused pools * 4096 bytes", "258,048");
    expect_value_line("# bytes lost to quantization", "32");
    expect_value_line("Total", "262,144");
    expect_value_line("# fragmentation, per mille", "999");
    expect_value_line("# bytes in large blocks", "600");
    expect_value_line("# bytes of brk/sbrk growth total", "8,192");
    expect_value_line("# bytes of brk/sbrk change current", "-4,096");
}
END_TEST

/* Many classes and several arenas: the table still adds up, Total being
 * every byte of every arena, and it has one row per class in use. */
START_TEST(test_total_is_arena_bytes)
{
    unit_require_fresh_allocator();
    for (size_t size = 8; size <= 512; size += 8)
        for (size_t k = 0; k < size * 7 % 300; k++)
            ck_assert_ptr_nonnull(ms_malloc(size, 0));
    ms_stats_t stats;
    ms_stats_collect(&stats);
    /* 683 pools: 11 arenas, so Total has two commas. */
    ck_assert_uint_eq(stats.arenas.current, 11);
    print_stats(&stats);

    char value[32];
    group_thousands(stats.arenas.current * 262144, value, sizeof value);
    expect_value_line("Total", value);
    char label[64];
    snprintf(label, sizeof label, "%lu arenas * 262144 bytes/arena", (unsigned long)stats.arenas.current);
    expect_value_line(label, value);

    unsigned rows = 0;
    for (const char *line = strstr(report, "------------\n") + 13; *line != '\n';
         line = strchr(line, '\n') + 1)
        rows++;
    unsigned classes_in_use = 0;
    for (unsigned szidx = 0; szidx < MS_NB_SMALL_SIZE_CLASSES; szidx++)
        classes_in_use += stats.classes[szidx].pools != 0;
    ck_assert_uint_eq(rows, classes_in_use);
    ck_assert_uint_eq(rows, 64);
}
END_TEST

START_TEST(test_report_off_by_default)
{
    char text[256];
    unit_capture_t capture = unit_capture_stderr_begin();
    ck_assert_int_eq(ms_stats_report(), 0);
    unit_capture_stderr_end(capture, text, sizeof text);
    ck_assert_str_eq(text, "");
}
END_TEST

START_TEST(test_report_to_file)
{
    char path[] = "/tmp/memsnap-stats-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    char entry[64];
    snprintf(entry, sizeof entry, "MEMSNAP_STATS_FILE=%s", path);
    char *envp[] = { "MEMSNAP_STATS=1", entry, NULL };
    ms_options_init(envp);
    ck_assert_ptr_nonnull(ms_malloc(40, 0));

    ck_assert_int_eq(ms_stats_report(), 0);
    unit_read_file(fd, report, sizeof report);
    close(fd);
    unlink(path);
    /* The default spacing: a 40-byte request is a 48-byte block, of which a
     * pool holds 84. */
    expect_line("    5     48           1               1            83");
    expect_value_line("Total", "262,144");
}
END_TEST

START_TEST(test_report_file_cannot_open)
{
    char *envp[] = { "MEMSNAP_STATS=yes", "MEMSNAP_STATS_FILE=/nonexistent/memsnap/stats", NULL };
    ms_options_init(envp);
    char text[256];
    unit_capture_t capture = unit_capture_stderr_begin();
    ck_assert_int_eq(ms_stats_report(), -1);
    unit_capture_stderr_end(capture, text, sizeof text);
    ck_assert_str_eq(text, "memsnap: cannot open MEMSNAP_STATS_FILE '/nonexistent/memsnap/stats': "
                           "No such file or directory\n");
}
END_TEST

static Suite *stats_suite(void)
{
    Suite *suite = suite_create("stats");
    TCase *table = tcase_create("table");
    tcase_add_checked_fixture(table, unit_classic_spacing, unit_restore_align16);
    tcase_add_test(table, test_collect_known_state);
    tcase_add_test(table, test_print_known_state);
    tcase_add_test(table, test_total_is_arena_bytes);
    suite_add_tcase(suite, table);
    TCase *report_case = tcase_create("report");
    tcase_add_test(report_case, test_report_off_by_default);
    tcase_add_test(report_case, test_report_to_file);
    tcase_add_test(report_case, test_report_file_cannot_open);
    suite_add_tcase(suite, report_case);
    return suite;
}

int main(void)
{
    return run_suite(stats_suite());
}
