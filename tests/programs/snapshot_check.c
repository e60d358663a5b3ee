/* snapshot_check.c: checks snapshot files from the shell.
 *
 * Usage: snapshot_check [--quiescent | --single-thread] FILE...
 *
 * Loads each FILE with snapshot_read.h and runs snapshot_check on it (shape,
 * non-negative numbers, totals.current = the sum of the rows' sizes plus
 * the unsampled bytes, per-domain totals, frames inside their modules);
 * --quiescent adds the checks that hold when nothing was allocated
 * concurrently (allocations and frees agree with the rows), --single-thread
 * those that need a single thread all along (the peak breakdown adds up).
 * And the file name, memsnap.PROGRAM.PID.SEQ.LABEL.json, must match the
 * document: PID its process.pid, PROGRAM the last part of argv[0], LABEL
 * its tag or else its trigger, both cleaned (bytes other than letters,
 * digits, '-' and '_' become '_', at most 64 bytes kept).
 *
 * Prints one line per valid file, fields separated by single spaces:
 *   NAME pid=PID ppid=PPID trigger=TRIGGER tag=TAG|- recording=0|1 rows=N
 *        current=BYTES peak=BYTES peak_size=BYTES argv1=ARGV[1]|-
 * (NAME the file's base name; current and peak from totals, peak_size from
 * peak; a tag with spaces keeps them), and one line on stderr per invalid
 * file.
 * Exits 0 when every file is valid, 1 otherwise, 2 on a usage error. */
#include <libgen.h>

#include "snapshot_read.h"

/* What memsnap makes of a program name or tag in a file name. */
static void clean(const char *text, char *out)
{
    size_t n = 0;
    for (; text[n] != '\0' && n < 64; n++) {
        char c = text[n];
        int plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
        out[n] = plain ? c : '_';
    }
    out[n] = '\0';
}

static int check_name(const char *name, const snapshot_t *s, char *error, size_t size)
{
    char program[4096], label[128], expected[128];
    uint64_t pid, sequence;
    if (snapshot_parse_name(name, program, sizeof program, &pid, &sequence, label,
                            sizeof label) != 0) {
        snprintf(error, size, "the name is not memsnap.PROGRAM.PID.SEQ.LABEL.json");
        return -1;
    }
    if (pid != s->pid || sequence == 0) {
        snprintf(error, size, "pid %llu and sequence %llu in the name, process.pid %llu",
                 (unsigned long long)pid, (unsigned long long)sequence,
                 (unsigned long long)s->pid);
        return -1;
    }
    const char *slash = strrchr(s->argv[0], '/');
    clean(slash != NULL ? slash + 1 : s->argv[0], expected);
    if (strcmp(program, expected[0] != '\0' ? expected : "program") != 0) {
        snprintf(error, size, "program \"%.200s\" in the name, argv[0] is \"%.200s\"", program,
                 s->argv[0]);
        return -1;
    }
    clean(s->tag != NULL ? s->tag : s->trigger, expected);
    if (strcmp(label, expected) != 0) {
        snprintf(error, size, "label \"%s\" in the name, expected \"%s\" (tag %s, trigger %s)",
                 label, expected, s->tag != NULL ? s->tag : "null", s->trigger);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int strictness = SNAPSHOT_CONCURRENT;
    int first = 1;
    if (argc > 1 && strcmp(argv[1], "--quiescent") == 0) {
        strictness = SNAPSHOT_QUIESCENT;
        first = 2;
    } else if (argc > 1 && strcmp(argv[1], "--single-thread") == 0) {
        strictness = SNAPSHOT_SINGLE_THREAD;
        first = 2;
    }
    if (first >= argc) {
        fprintf(stderr, "usage: snapshot_check [--quiescent | --single-thread] FILE...\n");
        return 2;
    }
    int invalid = 0;
    for (int i = first; i < argc; i++) {
        snapshot_t s;
        char error[1024];
        char name[4096];
        snprintf(name, sizeof name, "%s", argv[i]);
        if (snapshot_load(argv[i], &s, error, sizeof error) != 0 ||
            snapshot_check(&s, strictness, error, sizeof error) != 0 ||
            check_name(basename(name), &s, error, sizeof error) != 0) {
            fprintf(stderr, "snapshot_check: %s: %s\n", argv[i], error);
            invalid = 1;
        } else {
            printf("%s pid=%llu ppid=%llu trigger=%s tag=%s recording=%d rows=%zu current=%llu "
                   "peak=%llu peak_size=%llu argv1=%s\n",
                   basename(name), (unsigned long long)s.pid, (unsigned long long)s.ppid,
                   s.trigger, s.tag != NULL ? s.tag : "-", s.recording, s.nrows,
                   (unsigned long long)s.current, (unsigned long long)s.peak,
                   (unsigned long long)s.peak_size, s.argc > 1 ? s.argv[1] : "-");
        }
        snapshot_free(&s);
    }
    return invalid;
}
