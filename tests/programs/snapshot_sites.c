/* snapshot_sites.c: allocations at known sites, read back from a snapshot.
 *
 * Each site_* function allocates a known number of blocks of a known size
 * (run_sites calls them all):
 *
 *   site_a         100 x malloc(24), then frees 10 of them  live 2160 B in 90
 *   site_b         7 x malloc(1000) (memsnap's large path)   7000 B in 7
 *   site_c         3 x calloc(5, 8)                          120 B in 3
 *   site_r_origin  5 x malloc(16), all moved by site_r       0 B in 0 (80 B in 5 in total)
 *   site_r         realloc of those 5 to 300 bytes           1500 B in 5
 *   site_m         4 x memalign(64, 100)                     400 B in 4
 *   site_p         2 x posix_memalign(256, 1000)             2000 B in 2
 *   site_aa        2 x aligned_alloc(32, 64)                 128 B in 2
 *   site_map       mmap of 4 pages, the last one unmapped    domain 2: 12288 B in 1
 *   site_track     memsnap_track of 3 x 5000 B, 1 untracked  domain 16: 10000 B in 2
 *
 * Usage: snapshot_sites --expect-memsnap | --expect-absent
 *
 * --expect-memsnap (under the preload): checks memsnap_is_tracing, calls
 * memsnap_snapshot("sites"), finds that file in MEMSNAP_DIR and reads it
 * back: for each site, the traceback rows whose frame 0, symbolized in
 * this process with dladdr (module base from the snapshot, hence
 * -rdynamic), is that function in this executable (one row per call site:
 * more than one where the compiler unrolled a loop) add up to the bytes and
 * blocks above, live and in total, in the right domain; frame 1 is run_sites (unless
 * MEMSNAP_FRAMES=1, when every row must be truncated at one frame);
 * totals.current equals memsnap_traced_memory's current just before; and
 * the snapshot passes snapshot_check. memsnap_track and memsnap_untrack
 * fail with EINVAL in the reserved domains 0-15, untrack with ENOENT for an
 * address not tracked. Then it frees everything but site_b's blocks, which
 * the exit snapshot shows, and calls memsnap_reset_peak: after it,
 * memsnap_traced_memory gives peak = current, and so does the exit
 * snapshot (totals.peak and peak.size 7000, nothing being allocated after).
 *
 * --expect-absent (without the preload): every API call returns -1 with
 * errno ENOSYS (memsnap_tracer_memory 0), and the sites run all the same.
 *
 * Either way stdout is the same lines (one per site) and the exit status 0
 * when every check passed, 1 otherwise; failures are explained on stderr. */
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "memsnap.h"
#include "snapshot_read.h"

#define NOINLINE __attribute__((noinline, noclone))

#define USER_DOMAIN (MEMSNAP_DOMAIN_USER + 0)

static unsigned failures;

static void fail(const char *format, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    fputs("snapshot_sites: ", stderr);
    vfprintf(stderr, format, arguments);
    fputc('\n', stderr);
    va_end(arguments);
    failures++;
}

/* The blocks, kept in globals so that no allocation is optimized away. */
static void *a_blocks[100], *b_blocks[7], *c_blocks[3], *r_blocks[5], *m_blocks[4];
static void *p_blocks[2], *aa_blocks[2];
static char *mapping;
static int memsnap_present;

static void *checked(void *block, const char *site)
{
    if (block == NULL) {
        fail("%s: allocation failed", site);
        exit(1);
    }
    return block;
}

NOINLINE void site_a(void)
{
    for (int i = 0; i < 100; i++)
        memset(a_blocks[i] = checked(malloc(24), "site_a"), 'a', 24);
    for (int i = 0; i < 100; i += 10) {
        free(a_blocks[i]);
        a_blocks[i] = NULL;
    }
}

NOINLINE void site_b(void)
{
    for (int i = 0; i < 7; i++)
        memset(b_blocks[i] = checked(malloc(1000), "site_b"), 'b', 1000);
}

NOINLINE void site_c(void)
{
    for (int i = 0; i < 3; i++) {
        c_blocks[i] = checked(calloc(5, 8), "site_c");
        for (int k = 0; k < 40; k++) {
            if (((char *)c_blocks[i])[k] != 0)
                fail("site_c: calloc'd block not zeroed");
        }
    }
}

NOINLINE void site_r_origin(void)
{
    for (int i = 0; i < 5; i++)
        memset(r_blocks[i] = checked(malloc(16), "site_r_origin"), 'r', 16);
}

NOINLINE void site_r(void)
{
    for (int i = 0; i < 5; i++) {
        r_blocks[i] = checked(realloc(r_blocks[i], 300), "site_r");
        if (((char *)r_blocks[i])[15] != 'r')
            fail("site_r: realloc lost the contents");
    }
}

NOINLINE void site_m(void)
{
    for (int i = 0; i < 4; i++) {
        m_blocks[i] = checked(memalign(64, 100), "site_m");
        if ((uintptr_t)m_blocks[i] % 64 != 0)
            fail("site_m: memalign(64) returned %p", m_blocks[i]);
    }
}

NOINLINE void site_p(void)
{
    for (int i = 0; i < 2; i++) {
        if (posix_memalign(&p_blocks[i], 256, 1000) != 0)
            checked(NULL, "site_p");
        if ((uintptr_t)p_blocks[i] % 256 != 0)
            fail("site_p: posix_memalign(256) returned %p", p_blocks[i]);
    }
}

NOINLINE void site_aa(void)
{
    for (int i = 0; i < 2; i++) {
        aa_blocks[i] = checked(aligned_alloc(32, 64), "site_aa");
        if ((uintptr_t)aa_blocks[i] % 32 != 0)
            fail("site_aa: aligned_alloc(32) returned %p", aa_blocks[i]);
    }
}

NOINLINE void site_map(void)
{
    long page = sysconf(_SC_PAGESIZE);
    mapping = mmap(NULL, 4 * (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
    if (mapping == MAP_FAILED) {
        fail("site_map: mmap: %s", strerror(errno));
        exit(1);
    }
    memset(mapping, 'm', 4 * (size_t)page);
    if (munmap(mapping + 3 * page, (size_t)page) != 0)
        fail("site_map: munmap: %s", strerror(errno));
}

/* Fake addresses: a domain of the program's own says what they are. */
NOINLINE void site_track(void)
{
    static const uintptr_t addresses[] = { 0x10000, 0x20000, 0x30000 };
    for (int i = 0; i < 3; i++) {
        errno = 0;
        int result = memsnap_track(USER_DOMAIN, (const void *)addresses[i], 5000);
        if (memsnap_present ? result != 0 : result != -1 || errno != ENOSYS)
            fail("memsnap_track: %d, errno %d", result, errno);
    }
    errno = 0;
    int result = memsnap_untrack(USER_DOMAIN, (const void *)addresses[1]);
    if (memsnap_present ? result != 0 : result != -1 || errno != ENOSYS)
        fail("memsnap_untrack: %d, errno %d", result, errno);
    if (!memsnap_present)
        return;
    /* The errors include/memsnap.h and the README promise. */
    static const unsigned reserved[] = { MEMSNAP_DOMAIN_MALLOC, MEMSNAP_DOMAIN_BRK,
                                         MEMSNAP_DOMAIN_MMAP, 15 };
    for (int i = 0; i < 4; i++) {
        errno = 0;
        result = memsnap_track(reserved[i], (const void *)0x40000, 10);
        if (result != -1 || errno != EINVAL)
            fail("memsnap_track in reserved domain %u: %d, errno %d; expected -1, EINVAL",
                 reserved[i], result, errno);
        errno = 0;
        result = memsnap_untrack(reserved[i], (const void *)0x40000);
        if (result != -1 || errno != EINVAL)
            fail("memsnap_untrack in reserved domain %u: %d, errno %d; expected -1, EINVAL",
                 reserved[i], result, errno);
    }
    errno = 0;
    result = memsnap_untrack(USER_DOMAIN, (const void *)addresses[1]);
    if (result != -1 || errno != ENOENT)
        fail("memsnap_untrack of an untracked address: %d, errno %d; expected -1, ENOENT", result,
             errno);
}

/* Each call is followed by a store, so that none is a tail call: frame 1
 * of every site is run_sites. */
static volatile int sites_run;

NOINLINE void run_sites(void)
{
    site_a();
    sites_run++;
    site_b();
    sites_run++;
    site_c();
    sites_run++;
    site_r_origin();
    sites_run++;
    site_r();
    sites_run++;
    site_m();
    sites_run++;
    site_p();
    sites_run++;
    site_aa();
    sites_run++;
    site_map();
    sites_run++;
    site_track();
    sites_run++;
}

typedef struct expected_site {
    const char *function;
    uint64_t domain;
    uint64_t size, count;               /* live */
    uint64_t total_size, total_count;
} expected_site_t;

static const expected_site_t expected[] = {
    { "site_a", MEMSNAP_DOMAIN_MALLOC, 2160, 90, 2400, 100 },
    { "site_b", MEMSNAP_DOMAIN_MALLOC, 7000, 7, 7000, 7 },
    { "site_c", MEMSNAP_DOMAIN_MALLOC, 120, 3, 120, 3 },
    { "site_r_origin", MEMSNAP_DOMAIN_MALLOC, 0, 0, 80, 5 },
    { "site_r", MEMSNAP_DOMAIN_MALLOC, 1500, 5, 1500, 5 },
    { "site_m", MEMSNAP_DOMAIN_MALLOC, 400, 4, 400, 4 },
    { "site_p", MEMSNAP_DOMAIN_MALLOC, 2000, 2, 2000, 2 },
    { "site_aa", MEMSNAP_DOMAIN_MALLOC, 128, 2, 128, 2 },
    { "site_map", MEMSNAP_DOMAIN_MMAP, 12288, 1, 16384, 1 },
    { "site_track", USER_DOMAIN, 10000, 2, 15000, 3 },
};
#define NSITES (sizeof expected / sizeof expected[0])

static void print_sites(void)
{
    for (size_t i = 0; i < NSITES; i++)
        printf("%s: domain %llu, %llu bytes in %llu blocks live, %llu in %llu in total\n",
               expected[i].function, (unsigned long long)expected[i].domain,
               (unsigned long long)expected[i].size, (unsigned long long)expected[i].count,
               (unsigned long long)expected[i].total_size,
               (unsigned long long)expected[i].total_count);
}

/* The rows of the snapshot against the table above. */
static void check_rows(const snapshot_t *s)
{
    char executable[PATH_MAX];
    ssize_t length = readlink("/proc/self/exe", executable, sizeof executable - 1);
    executable[length > 0 ? length : 0] = '\0';
    for (size_t e = 0; e < NSITES; e++) {
        const expected_site_t *site = &expected[e];
        /* The compiler may unroll a loop into several call sites: a site
         * is the sum of the rows whose frame 0 is in its function. */
        snapshot_row_t sum = { 0 };
        unsigned matches = 0;
        for (size_t i = 0; i < s->nrows; i++) {
            const snapshot_row_t *row = &s->rows[i];
            const char *symbol = snapshot_frame_symbol(s, &row->frames[0]);
            if (symbol == NULL || strcmp(symbol, site->function) != 0)
                continue;
            matches++;
            if (strcmp(snapshot_frame_module(s, &row->frames[0]), executable) != 0)
                fail("%s: frame 0 in module \"%s\", expected \"%s\"", site->function,
                     snapshot_frame_module(s, &row->frames[0]), executable);
            if (row->domain != site->domain)
                fail("%s: a row in domain %llu, expected %llu", site->function,
                     (unsigned long long)row->domain, (unsigned long long)site->domain);
            sum.size += row->size;
            sum.count += row->count;
            sum.total_size += row->total_size;
            sum.total_count += row->total_count;
            if (s->frames == 1) {
                if (row->nframes != 1 || !row->truncated)
                    fail("%s: MEMSNAP_FRAMES=1 but %zu frames, truncated %llu", site->function,
                         row->nframes, (unsigned long long)row->truncated);
            } else {
                const char *caller = row->nframes > 1 ? snapshot_frame_symbol(s, &row->frames[1])
                                                      : NULL;
                if (caller == NULL || strcmp(caller, "run_sites") != 0)
                    fail("%s: frame 1 is in %s, expected run_sites", site->function,
                         caller != NULL ? caller : "(unknown)");
                if (row->truncated)
                    fail("%s: truncated at %zu frames", site->function, row->nframes);
            }
        }
        if (matches == 0) {
            fail("%s: no row has frame 0 in it", site->function);
            continue;
        }
        if (sum.size != site->size || sum.count != site->count ||
            sum.total_size != site->total_size || sum.total_count != site->total_count)
            fail("%s: %llu B in %llu live, %llu B in %llu in total (%u rows); expected "
                 "%llu B in %llu live, %llu B in %llu in total",
                 site->function, (unsigned long long)sum.size, (unsigned long long)sum.count,
                 (unsigned long long)sum.total_size, (unsigned long long)sum.total_count,
                 matches, (unsigned long long)site->size, (unsigned long long)site->count,
                 (unsigned long long)site->total_size, (unsigned long long)site->total_count);
    }
}

static void check_snapshot(uint64_t current_before)
{
    snapshot_file_t files[4];
    int count = snapshot_find(snapshot_directory(), (uint64_t)getpid(), "sites", files, 4);
    if (count != 1) {
        fail("%d files memsnap.*.%d.*.sites.json in %s, expected 1", count, (int)getpid(),
             snapshot_directory());
        return;
    }
    snapshot_t s;
    char error[512];
    if (snapshot_load(files[0].path, &s, error, sizeof error) != 0) {
        fail("%s: %s", files[0].path, error);
        snapshot_free(&s);
        return;
    }
    if (snapshot_check(&s, SNAPSHOT_SINGLE_THREAD, error, sizeof error) != 0)
        fail("%s: %s", files[0].path, error);
    if (s.pid != (uint64_t)getpid() || strcmp(s.trigger, "api") != 0 || s.tag == NULL ||
        strcmp(s.tag, "sites") != 0 || !s.recording)
        fail("%s: pid %llu, trigger %s, tag %s, recording %d; expected pid %d, api, sites, 1",
             files[0].path, (unsigned long long)s.pid, s.trigger, s.tag ? s.tag : "null",
             s.recording, (int)getpid());
    if (s.current != current_before)
        fail("totals.current is %llu, memsnap_traced_memory said %llu just before",
             (unsigned long long)s.current, (unsigned long long)current_before);
    if (files[0].sequence != 1)
        fail("%s: sequence number %llu, expected 1 (the first snapshot)", files[0].path,
             (unsigned long long)files[0].sequence);
    check_rows(&s);
    snapshot_free(&s);
}

static void expect_enosys(const char *call, int result)
{
    if (result != -1 || errno != ENOSYS)
        fail("%s without memsnap: %d, errno %d; expected -1, ENOSYS", call, result, errno);
}

static void check_absent_api(void)
{
    size_t current = 1, peak = 1;
    errno = 0;
    expect_enosys("memsnap_snapshot", memsnap_snapshot("sites"));
    errno = 0;
    expect_enosys("memsnap_start", memsnap_start());
    errno = 0;
    expect_enosys("memsnap_stop", memsnap_stop());
    errno = 0;
    expect_enosys("memsnap_is_tracing", memsnap_is_tracing());
    errno = 0;
    expect_enosys("memsnap_traced_memory", memsnap_traced_memory(&current, &peak));
    errno = 0;
    expect_enosys("memsnap_reset_peak", memsnap_reset_peak());
    if (memsnap_tracer_memory() != 0)
        fail("memsnap_tracer_memory without memsnap: %zu, expected 0", memsnap_tracer_memory());
}

static void free_all_but_site_b(void)
{
    for (int i = 0; i < 100; i++)
        free(a_blocks[i]);
    for (int i = 0; i < 3; i++)
        free(c_blocks[i]);
    for (int i = 0; i < 5; i++)
        free(r_blocks[i]);
    for (int i = 0; i < 4; i++)
        free(m_blocks[i]);
    for (int i = 0; i < 2; i++) {
        free(p_blocks[i]);
        free(aa_blocks[i]);
    }
    munmap(mapping, 3 * (size_t)sysconf(_SC_PAGESIZE));
    if (memsnap_present) {
        memsnap_untrack(USER_DOMAIN, (const void *)0x10000);
        memsnap_untrack(USER_DOMAIN, (const void *)0x30000);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2 ||
        (strcmp(argv[1], "--expect-memsnap") != 0 && strcmp(argv[1], "--expect-absent") != 0)) {
        fprintf(stderr, "usage: snapshot_sites --expect-memsnap | --expect-absent\n");
        return 2;
    }
    memsnap_present = strcmp(argv[1], "--expect-memsnap") == 0;
    setvbuf(stdout, NULL, _IONBF, 0);   /* no stdio buffer among the rows */
    if (memsnap_present) {
        if (memsnap_is_tracing() != 1)
            fail("memsnap_is_tracing() is %d, expected 1", memsnap_is_tracing());
    } else {
        check_absent_api();
    }
    run_sites();
    print_sites();
    if (memsnap_present) {
        size_t current = 0, peak = 0;
        if (memsnap_traced_memory(&current, &peak) != 0 || peak < current)
            fail("memsnap_traced_memory: current %zu, peak %zu", current, peak);
        if (memsnap_snapshot("sites") != 0)
            fail("memsnap_snapshot(\"sites\"): %s", strerror(errno));
        else
            check_snapshot(current);
    }
    free_all_but_site_b();
    if (memsnap_present) {
        size_t current = 0, peak = 0;
        if (memsnap_reset_peak() != 0)
            fail("memsnap_reset_peak: %s", strerror(errno));
        if (memsnap_traced_memory(&current, &peak) != 0 || peak != current || current < 7000)
            fail("after memsnap_reset_peak: current %zu, peak %zu; expected equal, >= 7000",
                 current, peak);
        if (memsnap_tracer_memory() == 0)
            fail("memsnap_tracer_memory() is 0 under memsnap");
    }
    return failures == 0 ? 0 : 1;
}
