/* snapshot.h: writing a snapshot file (format: docs/snapshot-format.md). */
#ifndef MS_SNAPSHOT_H
#define MS_SNAPSHOT_H

#include <stddef.h>

#define MS_SNAPSHOT_FORMAT_VERSION 1

typedef enum ms_trigger {
    MS_TRIGGER_EXIT,
    MS_TRIGGER_SIGNAL,
    MS_TRIGGER_INTERVAL,
    MS_TRIGGER_API,
    MS_TRIGGER_LEAK_CHECK,
} ms_trigger_t;

struct ms_leak_result;

/* Records the start time and sets jansson's allocator; from the constructor. */
void ms_snapshot_init(void);

/* Writes one snapshot into MEMSNAP_DIR. tag may be NULL or empty (then the
 * trigger names the file). Returns 0, or the errno value of the failure
 * after saying why on stderr (once per process: a full disk does not flood
 * the program's stderr); errno itself is left as it was, since this runs
 * inside the program's malloc calls. Takes the snapshot lock; the caller
 * holds no other memsnap lock. */
int ms_snapshot_write(ms_trigger_t trigger, const char *tag);
/* The same with a leak check's result as its "leaks" object (leaks may be
 * NULL), and the file's path into path (path_size bytes) on success. */
int ms_snapshot_write_report(ms_trigger_t trigger, const char *tag,
                             const struct ms_leak_result *leaks, char *path, size_t path_size);

void ms_snapshot_fork_prepare(void);
void ms_snapshot_fork_parent(void);
void ms_snapshot_fork_child(void);

#endif
