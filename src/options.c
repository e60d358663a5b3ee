/* options.c: the table of MEMSNAP_* variables, parsed from the environment.
 *
 * Runs inside the traced program, possibly before libc has initialised
 * itself: it walks the envp array it is given instead of calling getenv, does
 * not allocate, and reports problems with ms_warn (write(2), no stdio).
 *
 * Globals: options[] is written once, by whichever thread first calls
 * ms_options_init with an environment (the constructor, or an earlier first
 * allocation); an int flag guarded by a compare-and-swap makes the parse
 * happen once. Readers that run earlier see the defaults. */
#include "options.h"

#include <signal.h>
#include <string.h>

#include "format.h"
#include "leak_kinds.h"

typedef enum option_kind {
    OPTION_BOOL,
    OPTION_STRING,
    OPTION_INTEGER,         /* decimal, optional k/M/G suffix (powers of 1024) */
    OPTION_SECONDS,         /* decimal seconds with up to 3 decimals, stored in ms */
    OPTION_SIGNAL,          /* a number, or a name with or without SIG */
    OPTION_KINDS,           /* leak kinds separated by commas, stored as a mask (leaks.h) */
} option_kind;

typedef struct option {
    const char *name;
    option_kind kind;
    long default_value;
    long minimum, maximum;  /* OPTION_INTEGER and OPTION_SECONDS */
    const char *accepted;   /* for the warning about a bad value */
    long value;
    const char *string;     /* points into the environment block */
} option;

#define BOOL(name, default_value) \
    { name, OPTION_BOOL, default_value, 0, 1, "0 or 1, no or yes, false or true, off or on", \
      default_value, NULL }

static option options[MS_OPTION_COUNT] = {
    [MS_OPTION_STATS]        = BOOL("MEMSNAP_STATS", 0),
    [MS_OPTION_STATS_FILE]   = { "MEMSNAP_STATS_FILE", OPTION_STRING, 0, 0, 0, "a file path", 0, NULL },
    [MS_OPTION_ALIGN16]      = BOOL("MEMSNAP_ALIGN16", 1),
    [MS_OPTION_TRACE]        = BOOL("MEMSNAP_TRACE", 1),
    [MS_OPTION_START]        = BOOL("MEMSNAP_START", 1),
    [MS_OPTION_FRAMES]       = { "MEMSNAP_FRAMES", OPTION_INTEGER, 64, 1, 256,
                                 "an integer from 1 to 256", 64, NULL },
    [MS_OPTION_SAMPLE_BYTES] = { "MEMSNAP_SAMPLE_BYTES", OPTION_INTEGER, 0, 0, 1L << 40,
                                 "a byte count such as 524288 or 512k, 0 for exact", 0, NULL },
    [MS_OPTION_DIR]          = { "MEMSNAP_DIR", OPTION_STRING, 0, 0, 0, "a directory", 0, NULL },
    [MS_OPTION_SIGNAL]       = { "MEMSNAP_SIGNAL", OPTION_SIGNAL, SIGUSR2, 0, 0,
                                 "a signal number or name such as USR1, 0 for none", SIGUSR2, NULL },
    [MS_OPTION_INTERVAL]     = { "MEMSNAP_INTERVAL", OPTION_SECONDS, 0, 0, 86400000L,
                                 "seconds such as 10 or 0.5, 0 for none", 0, NULL },
    [MS_OPTION_LEAKS]        = BOOL("MEMSNAP_LEAKS", 0),
    [MS_OPTION_LEAK_EXITCODE] = { "MEMSNAP_LEAK_EXITCODE", OPTION_INTEGER, 0, 0, 255,
                                  "an exit status from 1 to 255, 0 for none", 0, NULL },
    [MS_OPTION_LEAK_KINDS]   = { "MEMSNAP_LEAK_KINDS", OPTION_KINDS, MS_LEAK_FAILING_DEFAULT, 0, 0,
                                 "kinds among definite, indirect, possible, reachable, separated"
                                 " by commas", MS_LEAK_FAILING_DEFAULT, NULL },
    [MS_OPTION_SUPPRESSIONS] = { "MEMSNAP_SUPPRESSIONS", OPTION_STRING, 0, 0, 0, "a file path", 0, NULL },
    [MS_OPTION_GEN_SUPPRESSIONS] = BOOL("MEMSNAP_GEN_SUPPRESSIONS", 0),
};

static int options_parsed;

/* ASCII only: the locale's case tables are off limits before libc is up. */
static int equals_ignoring_case(const char *a, const char *b)
{
    for (; *a != '\0' && *b != '\0'; a++, b++) {
        char x = (*a >= 'A' && *a <= 'Z') ? (char)(*a + 32) : *a;
        char y = (*b >= 'A' && *b <= 'Z') ? (char)(*b + 32) : *b;
        if (x != y)
            return 0;
    }
    return *a == *b;
}

static int parse_bool(const char *text, long *value)
{
    static const char *const truths[] = { "1", "yes", "true", "on" };
    static const char *const falsehoods[] = { "0", "no", "false", "off" };
    for (size_t i = 0; i < sizeof truths / sizeof truths[0]; i++) {
        if (equals_ignoring_case(text, truths[i])) {
            *value = 1;
            return 0;
        }
        if (equals_ignoring_case(text, falsehoods[i])) {
            *value = 0;
            return 0;
        }
    }
    return -1;
}

/* Digits, then (OPTION_INTEGER) one k/m/g suffix or (OPTION_SECONDS) up to
 * three decimals. No strtol: it may consult the locale. */
static int parse_number(const char *text, option_kind kind, long maximum, long *value)
{
    unsigned long number = 0;
    const char *p = text;
    if (*p < '0' || *p > '9')
        return -1;
    for (; *p >= '0' && *p <= '9'; p++) {
        number = number * 10 + (unsigned long)(*p - '0');
        if (number > (unsigned long)maximum)
            return -1;
    }
    if (kind == OPTION_SECONDS) {
        unsigned long scale = 1000, fraction = 0;
        if (*p == '.') {
            for (p++; *p >= '0' && *p <= '9'; p++) {
                if (scale == 1)
                    return -1;
                scale /= 10;
                fraction += (unsigned long)(*p - '0') * scale;
            }
        }
        number = number * 1000 + fraction;
    } else if (*p != '\0') {
        static const char suffixes[] = "kmg";
        const char *suffix = *p >= 'A' && *p <= 'Z' ? strchr(suffixes, *p + 32) : strchr(suffixes, *p);
        if (suffix == NULL || *suffix == '\0' || p[1] != '\0')
            return -1;
        for (long steps = suffix - suffixes + 1; steps > 0; steps--) {
            if (number > (unsigned long)maximum / 1024)
                return -1;
            number *= 1024;
        }
        p++;
    }
    if (*p != '\0' || number > (unsigned long)maximum)
        return -1;
    *value = (long)number;
    return 0;
}

static int parse_signal(const char *text, long *value)
{
    static const struct { const char *name; int number; } names[] = {
        { "USR1", SIGUSR1 }, { "USR2", SIGUSR2 }, { "HUP", SIGHUP }, { "INT", SIGINT },
        { "QUIT", SIGQUIT }, { "TERM", SIGTERM }, { "PROF", SIGPROF }, { "URG", SIGURG },
        { "WINCH", SIGWINCH }, { "PWR", SIGPWR }, { "none", 0 },
    };
    if (parse_number(text, OPTION_INTEGER, 64, value) == 0)
        return *value == SIGKILL || *value == SIGSTOP ? -1 : 0;
    if ((text[0] == 'S' || text[0] == 's') && (text[1] == 'I' || text[1] == 'i') &&
        (text[2] == 'G' || text[2] == 'g'))
        text += 3;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (equals_ignoring_case(text, names[i].name)) {
            *value = names[i].number;
            return 0;
        }
    }
    return -1;
}

/* "definite,indirect" into (1 << MS_LEAK_DEFINITE | 1 << MS_LEAK_INDIRECT). */
static int parse_kinds(const char *text, long *value)
{
    long mask = 0;
    while (*text != '\0') {
        size_t length = strcspn(text, ",");
        int kind = ms_leak_kind_from_name(text, length);
        if (kind < 0 || kind == MS_LEAK_IGNORED)
            return -1;
        mask |= 1L << kind;
        text += length;
        if (*text == ',' && *++text == '\0')
            return -1;
    }
    if (mask == 0)
        return -1;
    *value = mask;
    return 0;
}

static void parse(option *opt, const char *text)
{
    long value = 0;
    int status = -1;
    switch (opt->kind) {
    case OPTION_BOOL:
        status = parse_bool(text, &value);
        break;
    case OPTION_STRING:
        if (text[0] != '\0') {
            opt->string = text;
            return;
        }
        ms_warn(opt->name, " is set but empty (accepted: ", opt->accepted, "); ignoring it", NULL);
        return;
    case OPTION_INTEGER:
    case OPTION_SECONDS:
        status = parse_number(text, opt->kind, opt->maximum, &value);
        if (status == 0 && value < opt->minimum)
            status = -1;
        break;
    case OPTION_SIGNAL:
        status = parse_signal(text, &value);
        break;
    case OPTION_KINDS:
        status = parse_kinds(text, &value);
        break;
    }
    if (status == 0) {
        opt->value = value;
        return;
    }
    ms_out_t out;
    ms_out_init(&out, 2);
    ms_out_str(&out, "memsnap: ");
    ms_out_str(&out, opt->name);
    ms_out_str(&out, "='");
    ms_out_str(&out, text);
    ms_out_str(&out, "' is not valid (accepted: ");
    ms_out_str(&out, opt->accepted);
    ms_out_str(&out, "); using the default, ");
    if (opt->kind == OPTION_KINDS)
        ms_out_str(&out, "definite,indirect");
    else
        ms_out_i64(&out, opt->kind == OPTION_SECONDS ? opt->default_value / 1000 : opt->default_value,
                   0, 0);
    ms_out_str(&out, "\n");
    ms_out_flush(&out);
}

/* A misspelt variable would otherwise be ignored without a word. */
static void warn_unknown(const char *entry, size_t name_length)
{
    char name[64];
    if (name_length >= sizeof name)
        name_length = sizeof name - 1;
    memcpy(name, entry, name_length);
    name[name_length] = '\0';
    ms_out_t out;
    ms_out_init(&out, 2);
    ms_out_str(&out, "memsnap: unknown variable ");
    ms_out_str(&out, name);
    ms_out_str(&out, " ignored (known:");
    for (int id = 0; id < MS_OPTION_COUNT; id++) {
        ms_out_str(&out, " ");
        ms_out_str(&out, options[id].name);
    }
    ms_out_str(&out, ")\n");
    ms_out_flush(&out);
}

void ms_options_init(char **envp)
{
    if (envp == NULL || __atomic_exchange_n(&options_parsed, 1, __ATOMIC_ACQ_REL))
        return;
    for (char **entry = envp; *entry != NULL; entry++) {
        if (strncmp(*entry, "MEMSNAP_", 8) != 0)
            continue;
        const char *equals = strchr(*entry, '=');
        if (equals == NULL)
            continue;
        size_t name_length = (size_t)(equals - *entry);
        int known = 0;
        for (int id = 0; id < MS_OPTION_COUNT; id++) {
            if (strlen(options[id].name) == name_length &&
                strncmp(options[id].name, *entry, name_length) == 0) {
                parse(&options[id], equals + 1);
                known = 1;
            }
        }
        if (!known)
            warn_unknown(*entry, name_length);
    }
}

long ms_option(ms_option_id id)
{
    return options[id].value;
}

const char *ms_option_string(ms_option_id id)
{
    return options[id].string;
}

const char *ms_option_name(ms_option_id id)
{
    return options[id].name;
}
