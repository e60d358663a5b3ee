/* leak_report.h: leak checks as the program sees them: at exit with
 * MEMSNAP_LEAKS=1, and on demand through memsnap_leak_check(). */
#ifndef MS_LEAK_REPORT_H
#define MS_LEAK_REPORT_H

/* Reads MEMSNAP_LEAKS and finds the memsnap tool; from the constructor. */
void ms_leak_report_init(void);
int ms_leak_report_enabled(void);

/* With MEMSNAP_LEAKS=1: the check, the exit snapshot with its result, the
 * report on stderr, and _exit(MEMSNAP_LEAK_EXITCODE) when failing leaks
 * remain. Returns 1 when it wrote the exit snapshot, 0 when disabled. */
int ms_leak_report_at_exit(void);

/* memsnap_leak_check(): the failing blocks left after suppressions, or -1.
 * Writes a snapshot and a report only when something is lost. */
long ms_leak_report_now(void);

#endif
