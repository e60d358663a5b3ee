/* snapshot_start.c: starting and stopping the recording (MEMSNAP_START=0,
 * SIGUSR2, memsnap_start and memsnap_stop), and MEMSNAP_TRACE=0.
 *
 * Usage: snapshot_start api | signal | untraced
 *
 * Each site_* function allocates blocks of one size and keeps them:
 * before_start 5 x 100 B, after_start 3 x 200 B, while_stopped 2 x 300 B.
 *
 *   api       (MEMSNAP_START=0) memsnap_is_tracing() is 0 and no snapshot
 *             exists; before_start; memsnap_start() -> 0, is_tracing 1;
 *             after_start; memsnap_snapshot("started"): after_start 600 B
 *             in 3, no row of before_start, settings.recording true;
 *             memsnap_stop() -> 0, is_tracing 0; memsnap_track fails
 *             with EPERM; while_stopped; one
 *             after_start block freed; memsnap_snapshot("stopped"):
 *             after_start 400 B in 2 (a free while stopped still counts),
 *             no row of while_stopped, recording false. The exit snapshot
 *             follows (recording was started once).
 *   signal    (MEMSNAP_START=0) before_start; kill(getpid(), SIGUSR2)
 *             starts recording and requests no snapshot: is_tracing 1 and
 *             no file after a malloc and free; after_start; a second
 *             SIGUSR2 then a malloc and free: one signal snapshot, with
 *             after_start 600 B in 3 and no row of before_start.
 *   untraced  (MEMSNAP_TRACE=0) memsnap_is_tracing() 0; memsnap_start()
 *             -1 with errno EPERM and still 0; the script checks that no
 *             file appears at all. (memsnap installs no signal handler
 *             then: SIGUSR2 would end the program, as without memsnap.)
 *
 * Sites are told apart by frame 0, symbolized in this process with dladdr.
 * Prints "snapshot_start MODE: ok" and exits 0 when every check passed, 1
 * otherwise (reasons on stderr). */
#include <signal.h>

#include "memsnap.h"
#include "snapshot_read.h"

#define NOINLINE __attribute__((noinline, noclone))

static unsigned failures;
static void *kept[16];
static unsigned nkept;

static void fail(const char *format, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    fputs("snapshot_start: ", stderr);
    vfprintf(stderr, format, arguments);
    fputc('\n', stderr);
    va_end(arguments);
    failures++;
}

static void keep(size_t size, void *block)
{
    if (block == NULL) {
        fail("malloc(%zu) failed", size);
        exit(1);
    }
    memset(block, 1, size);
    kept[nkept++] = block;
}

NOINLINE void before_start(void)
{
    for (int i = 0; i < 5; i++)
        keep(100, malloc(100));
}

NOINLINE void after_start(void)
{
    for (int i = 0; i < 3; i++)
        keep(200, malloc(200));
}

NOINLINE void while_stopped(void)
{
    for (int i = 0; i < 2; i++)
        keep(300, malloc(300));
}

/* A traced malloc and free: the safe point where a requested snapshot is
 * written. volatile, or the compiler removes the pair. */
static void safe_point(void)
{
    void *volatile block = malloc(32);
    free(block);
}

static int files_of_this_process(const char *label)
{
    snapshot_file_t files[8];
    return snapshot_find(snapshot_directory(), (uint64_t)getpid(), label, files, 8);
}

/* The live bytes and blocks of the rows whose frame 0 is in function;
 * rows: how many rows that is. */
static void site_totals(const snapshot_t *s, const char *function, uint64_t *size,
                        uint64_t *count, unsigned *rows)
{
    *size = *count = 0;
    *rows = 0;
    for (size_t i = 0; i < s->nrows; i++) {
        const char *symbol = snapshot_frame_symbol(s, &s->rows[i].frames[0]);
        if (symbol != NULL && strcmp(symbol, function) == 0) {
            *size += s->rows[i].size;
            *count += s->rows[i].count;
            (*rows)++;
        }
    }
}

/* The one snapshot labelled label: recording as given, the three sites as
 * given (rows 0: the site has no row at all). */
static void check_snapshot(const char *label, int recording, uint64_t after_size,
                           uint64_t after_count)
{
    snapshot_file_t files[2];
    int count = snapshot_find(snapshot_directory(), (uint64_t)getpid(), label, files, 2);
    if (count != 1) {
        fail("%d snapshots labelled %s, expected 1", count, label);
        return;
    }
    snapshot_t s;
    char error[1024];
    if (snapshot_load(files[0].path, &s, error, sizeof error) != 0 ||
        snapshot_check(&s, SNAPSHOT_SINGLE_THREAD, error, sizeof error) != 0) {
        fail("%s: %s", files[0].path, error);
        snapshot_free(&s);
        return;
    }
    if (s.recording != recording)
        fail("%s: settings.recording %d, expected %d", files[0].path, s.recording, recording);
    uint64_t size, blocks;
    unsigned rows;
    site_totals(&s, "before_start", &size, &blocks, &rows);
    if (rows != 0)
        fail("%s: %u rows of before_start (allocated before recording started)", files[0].path,
             rows);
    site_totals(&s, "while_stopped", &size, &blocks, &rows);
    if (rows != 0)
        fail("%s: %u rows of while_stopped (allocated while stopped)", files[0].path, rows);
    site_totals(&s, "after_start", &size, &blocks, &rows);
    if (size != after_size || blocks != after_count)
        fail("%s: after_start has %llu B in %llu blocks, expected %llu B in %llu", files[0].path,
             (unsigned long long)size, (unsigned long long)blocks,
             (unsigned long long)after_size, (unsigned long long)after_count);
    snapshot_free(&s);
}

static void expect_tracing(int expected, const char *when)
{
    int tracing = memsnap_is_tracing();
    if (tracing != expected)
        fail("memsnap_is_tracing() %s: %d, expected %d", when, tracing, expected);
}

static void run_api(void)
{
    expect_tracing(0, "with MEMSNAP_START=0");
    before_start();
    safe_point();
    if (files_of_this_process(NULL) != 0)
        fail("a snapshot exists before recording started");
    if (memsnap_start() != 0)
        fail("memsnap_start: %s", strerror(errno));
    expect_tracing(1, "after memsnap_start");
    after_start();
    if (memsnap_snapshot("started") != 0)
        fail("memsnap_snapshot(\"started\"): %s", strerror(errno));
    check_snapshot("started", 1, 600, 3);
    if (memsnap_stop() != 0)
        fail("memsnap_stop: %s", strerror(errno));
    expect_tracing(0, "after memsnap_stop");
    errno = 0;
    int result = memsnap_track(MEMSNAP_DOMAIN_USER, (const void *)0x10000, 100);
    if (result != -1 || errno != EPERM)
        fail("memsnap_track while stopped: %d, errno %d; expected -1, EPERM", result, errno);
    while_stopped();
    free(kept[5]);                  /* the first after_start block */
    kept[5] = NULL;
    if (memsnap_snapshot("stopped") != 0)
        fail("memsnap_snapshot(\"stopped\"): %s", strerror(errno));
    check_snapshot("stopped", 0, 400, 2);
}

static void run_signal(void)
{
    expect_tracing(0, "with MEMSNAP_START=0");
    before_start();
    kill(getpid(), SIGUSR2);
    expect_tracing(1, "after the first SIGUSR2");
    safe_point();
    if (files_of_this_process(NULL) != 0)
        fail("the SIGUSR2 that started recording also wrote a snapshot");
    after_start();
    kill(getpid(), SIGUSR2);
    safe_point();
    check_snapshot("signal", 1, 600, 3);
}

static void run_untraced(void)
{
    expect_tracing(0, "with MEMSNAP_TRACE=0");
    errno = 0;
    int result = memsnap_start();
    if (result != -1 || errno != EPERM)
        fail("memsnap_start() with MEMSNAP_TRACE=0: %d, errno %d; expected -1, EPERM", result,
             errno);
    expect_tracing(0, "after memsnap_start with MEMSNAP_TRACE=0");
    before_start();
    after_start();
    safe_point();
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: snapshot_start api | signal | untraced\n");
        return 2;
    }
    if (strcmp(argv[1], "api") == 0)
        run_api();
    else if (strcmp(argv[1], "signal") == 0)
        run_signal();
    else if (strcmp(argv[1], "untraced") == 0)
        run_untraced();
    else {
        fprintf(stderr, "usage: snapshot_start api | signal | untraced\n");
        return 2;
    }
    if (failures == 0)
        printf("snapshot_start %s: ok\n", argv[1]);
    return failures == 0 ? 0 : 1;
}
