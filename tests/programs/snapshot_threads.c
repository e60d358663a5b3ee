/* snapshot_threads.c: SIGUSR2 snapshots while 4 threads allocate.
 *
 * Thread k allocates blocks of one fixed size (24, 72, 136 and 1000 bytes:
 * three of memsnap's size classes and its large path) at one site,
 * thread_site_k, into 64 slots it recycles: free the oldest, allocate anew.
 *
 *   1. quiescent: each thread fills its 64 slots and waits at a barrier;
 *      the main thread sends itself SIGUSR2 (kill(getpid(), SIGUSR2)) and
 *      then calls malloc and free, the safe point where the requested
 *      snapshot is written; it must be there when free returns.
 *   2. busy: the threads recycle their slots as fast as they can while the
 *      main thread sends SIGUSR2 five times, 20 ms apart; the snapshots are
 *      written at a safe point of whichever thread allocates next.
 *   3. the threads stop, keep their 64 blocks, and are joined.
 *
 * Then this process reads its signal snapshots back (MEMSNAP_DIR) and
 * checks them: the first one taken quiescent and later ones at least one,
 * at most five; all valid (snapshot_check: totals.current is the sum of
 * the rows, all domains; per-domain totals; no negative value), trigger
 * "signal", tag null. In every one, each row whose frame 0 (symbolized with
 * dladdr) is in thread_site_k holds whole blocks of that thread's size:
 * size = count x SIZE, total_size = total_count x SIZE, peak_size =
 * peak_count x SIZE, and its frame 1 is in worker. In the quiescent one,
 * each site has exactly its 64 live blocks, and allocations and frees agree
 * with the rows (snapshot_check --quiescent).
 *
 * Exits 0 when all checks pass, 1 otherwise (reasons on stderr). The exit
 * snapshot that follows holds 64 blocks per site; the script checks it. */
#include <pthread.h>
#include <signal.h>
#include <time.h>

#include "memsnap.h"
#include "snapshot_read.h"

#define NOINLINE __attribute__((noinline, noclone))
#define THREADS 4
#define SLOTS   64
#define SIGNALS 5

static const size_t sizes[THREADS] = { 24, 72, 136, 1000 };
static const char *const site_names[THREADS] = {
    "thread_site_0", "thread_site_1", "thread_site_2", "thread_site_3",
};

static unsigned failures;
static pthread_barrier_t filled, resume;
static int stop;

static void fail(const char *format, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    fputs("snapshot_threads: ", stderr);
    vfprintf(stderr, format, arguments);
    fputc('\n', stderr);
    va_end(arguments);
    __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
}

static void *allocated(void *block, size_t size)
{
    if (block == NULL) {
        fail("malloc(%zu) failed", size);
        exit(1);
    }
    memset(block, (int)size, size);
    return block;
}

/* One site per thread: frame 0 tells the threads apart. */
NOINLINE void *thread_site_0(void) { return allocated(malloc(24), 24); }
NOINLINE void *thread_site_1(void) { return allocated(malloc(72), 72); }
NOINLINE void *thread_site_2(void) { return allocated(malloc(136), 136); }
NOINLINE void *thread_site_3(void) { return allocated(malloc(1000), 1000); }

static void *(*const sites[THREADS])(void) = {
    thread_site_0, thread_site_1, thread_site_2, thread_site_3,
};

static void *kept[THREADS][SLOTS];

NOINLINE void *worker(void *argument)
{
    unsigned k = (unsigned)(uintptr_t)argument;
    for (unsigned i = 0; i < SLOTS; i++)
        kept[k][i] = sites[k]();
    pthread_barrier_wait(&filled);
    pthread_barrier_wait(&resume);
    for (unsigned i = 0; !__atomic_load_n(&stop, __ATOMIC_RELAXED); i++) {
        unsigned slot = i % SLOTS;
        if (((unsigned char *)kept[k][slot])[sizes[k] - 1] != (unsigned char)sizes[k])
            fail("thread %u: block contents changed", k);
        free(kept[k][slot]);
        kept[k][slot] = sites[k]();
    }
    return NULL;
}

static void sleep_ms(long ms)
{
    struct timespec delay = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&delay, &delay) != 0 && errno == EINTR)
        ;
}

static int site_of(const snapshot_t *s, const snapshot_row_t *row)
{
    const char *symbol = snapshot_frame_symbol(s, &row->frames[0]);
    for (int k = 0; symbol != NULL && k < THREADS; k++) {
        if (strcmp(symbol, site_names[k]) == 0)
            return k;
    }
    return -1;
}

/* One snapshot; quiescent: taken while the threads waited at the barrier. */
static void check_one(const char *path, int quiescent)
{
    snapshot_t s;
    char error[1024];
    if (snapshot_load(path, &s, error, sizeof error) != 0 ||
        snapshot_check(&s, quiescent ? SNAPSHOT_QUIESCENT : SNAPSHOT_CONCURRENT, error,
                       sizeof error) != 0) {
        fail("%s: %s", path, error);
        snapshot_free(&s);
        return;
    }
    if (strcmp(s.trigger, "signal") != 0 || s.tag != NULL || !s.recording ||
        s.pid != (uint64_t)getpid())
        fail("%s: trigger %s, tag %s, recording %d, pid %llu; expected signal, null, 1, %d", path,
             s.trigger, s.tag != NULL ? s.tag : "null", s.recording, (unsigned long long)s.pid,
             (int)getpid());
    uint64_t live[THREADS] = { 0 };
    unsigned rows[THREADS] = { 0 };
    for (size_t i = 0; i < s.nrows; i++) {
        const snapshot_row_t *row = &s.rows[i];
        int k = site_of(&s, row);
        if (k < 0)
            continue;
        rows[k]++;
        live[k] += row->count;
        uint64_t size = sizes[k];
        if (row->size != row->count * size || row->total_size != row->total_count * size ||
            row->peak_size != row->peak_count * size)
            fail("%s: %s row %llu: %llu B in %llu blocks, %llu B in %llu in total, %llu B in "
                 "%llu at the peak: not whole blocks of %llu bytes", path, site_names[k],
                 (unsigned long long)row->id, (unsigned long long)row->size,
                 (unsigned long long)row->count, (unsigned long long)row->total_size,
                 (unsigned long long)row->total_count, (unsigned long long)row->peak_size,
                 (unsigned long long)row->peak_count, (unsigned long long)size);
        const char *caller = row->nframes > 1 ? snapshot_frame_symbol(&s, &row->frames[1]) : NULL;
        if (caller == NULL || strcmp(caller, "worker") != 0)
            fail("%s: %s row %llu: frame 1 in %s, expected worker", path, site_names[k],
                 (unsigned long long)row->id, caller != NULL ? caller : "(unknown)");
    }
    for (int k = 0; k < THREADS; k++) {
        if (rows[k] == 0)
            fail("%s: no row for %s", path, site_names[k]);
        else if (quiescent && live[k] != SLOTS)
            fail("%s: %s has %llu live blocks while its thread waited with %d", path,
                 site_names[k], (unsigned long long)live[k], SLOTS);
        else if (live[k] > SLOTS)
            fail("%s: %s has %llu live blocks; its thread never holds more than %d", path,
                 site_names[k], (unsigned long long)live[k], SLOTS);
    }
    snapshot_free(&s);
}

int main(void)
{
    if (memsnap_is_tracing() != 1) {
        fprintf(stderr, "snapshot_threads: memsnap is not tracing (run under the preload)\n");
        return 1;
    }
    pid_t pid = getpid();
    const char *directory = snapshot_directory();
    pthread_barrier_init(&filled, NULL, THREADS + 1);
    pthread_barrier_init(&resume, NULL, THREADS + 1);
    pthread_t threads[THREADS];
    for (unsigned k = 0; k < THREADS; k++) {
        if (pthread_create(&threads[k], NULL, worker, (void *)(uintptr_t)k) != 0) {
            fprintf(stderr, "snapshot_threads: pthread_create failed\n");
            return 1;
        }
    }

    /* 1. quiescent */
    pthread_barrier_wait(&filled);
    snapshot_file_t files[SIGNALS + 2];
    if (snapshot_find(directory, (uint64_t)pid, NULL, files, 1) != 0)
        fail("a snapshot was written before any signal");
    kill(pid, SIGUSR2);
    /* The safe point that writes it; volatile, or the compiler drops the
     * pair. kill delivers the signal to the calling thread before it
     * returns when that thread does not block it. */
    void *volatile block = malloc(40);
    free(block);
    if (snapshot_find(directory, (uint64_t)pid, "signal", files, 1) != 1)
        fail("no signal snapshot after kill(getpid(), SIGUSR2) and a malloc and free");
    pthread_barrier_wait(&resume);

    /* 2. busy */
    sleep_ms(20);
    for (int i = 0; i < SIGNALS; i++) {
        kill(pid, SIGUSR2);
        sleep_ms(20);
    }
    __atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
    for (unsigned k = 0; k < THREADS; k++)
        pthread_join(threads[k], NULL);

    /* 3. the files */
    int count = snapshot_find(directory, (uint64_t)pid, NULL, files, SIGNALS + 2);
    if (count < 2 || count > SIGNALS + 1) {
        fail("%d snapshots of pid %d in %s, expected 2 to %d (1 quiescent, 1 to %d busy)", count,
             (int)pid, directory, SIGNALS + 1, SIGNALS);
    } else {
        for (int i = 0; i < count; i++) {
            if (strcmp(files[i].label, "signal") != 0 || files[i].sequence != (uint64_t)i + 1)
                fail("%s: expected memsnap.*.%d.%d.signal.json", files[i].path, (int)pid, i + 1);
            check_one(files[i].path, i == 0);
        }
    }
    printf("snapshot_threads: %d signal snapshots checked\n", count);
    return failures == 0 ? 0 : 1;
}
