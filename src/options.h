/* options.h: the MEMSNAP_* environment variables, read once into a table. */
#ifndef MS_OPTIONS_H
#define MS_OPTIONS_H

typedef enum ms_option_id {
    MS_OPTION_STATS,        /* MEMSNAP_STATS: print the allocator table at exit */
    MS_OPTION_STATS_FILE,   /* MEMSNAP_STATS_FILE: where that table goes (default stderr) */
    MS_OPTION_ALIGN16,      /* MEMSNAP_ALIGN16: 16-byte spacing of classes above 16 bytes */
    MS_OPTION_TRACE,        /* MEMSNAP_TRACE: record tracebacks at all (default 1) */
    MS_OPTION_START,        /* MEMSNAP_START: record from process start (default 1) */
    MS_OPTION_FRAMES,       /* MEMSNAP_FRAMES: frames per traceback, 1..256 (default 64) */
    MS_OPTION_SAMPLE_BYTES, /* MEMSNAP_SAMPLE_BYTES: mean sampling interval, 0 = exact */
    MS_OPTION_DIR,          /* MEMSNAP_DIR: where snapshots go (default: the current directory) */
    MS_OPTION_SIGNAL,       /* MEMSNAP_SIGNAL: snapshot signal, 0 = none (default SIGUSR2) */
    MS_OPTION_INTERVAL,     /* MEMSNAP_INTERVAL: seconds between snapshots, in ms; 0 = none */
    MS_OPTION_LEAKS,        /* MEMSNAP_LEAKS: leak check at exit (default 0) */
    MS_OPTION_LEAK_EXITCODE, /* MEMSNAP_LEAK_EXITCODE: exit status when leaks remain, 0 = none */
    MS_OPTION_LEAK_KINDS,   /* MEMSNAP_LEAK_KINDS: the kinds that fail, a mask of 1 << kind */
    MS_OPTION_SUPPRESSIONS, /* MEMSNAP_SUPPRESSIONS: the suppressions file */
    MS_OPTION_GEN_SUPPRESSIONS, /* MEMSNAP_GEN_SUPPRESSIONS: print rules after the report */
    MS_OPTION_COUNT
} ms_option_id;

/* Reads the options from envp (a NULL-terminated "NAME=value" array). The
 * first call with a non-NULL envp wins; later calls do nothing. Bad values
 * print one line on stderr and leave the default in force. */
void ms_options_init(char **envp);

/* Numeric value (booleans are 0 or 1): the default until ms_options_init. */
long ms_option(ms_option_id id);
/* String value, NULL when unset. */
const char *ms_option_string(ms_option_id id);
/* "MEMSNAP_STATS" and so on. */
const char *ms_option_name(ms_option_id id);

#endif
