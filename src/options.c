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

#include <string.h>

#include "format.h"

typedef enum option_kind { OPTION_BOOL, OPTION_STRING } option_kind;

typedef struct option {
    const char *name;
    option_kind kind;
    long default_value;
    long value;
    const char *string;     /* points into the environment block */
} option;

static option options[MS_OPTION_COUNT] = {
    [MS_OPTION_STATS]      = { "MEMSNAP_STATS", OPTION_BOOL, 0, 0, NULL },
    [MS_OPTION_STATS_FILE] = { "MEMSNAP_STATS_FILE", OPTION_STRING, 0, 0, NULL },
    [MS_OPTION_ALIGN16]    = { "MEMSNAP_ALIGN16", OPTION_BOOL, 0, 0, NULL },
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

static void parse_bool(option *opt, const char *text)
{
    static const char *const truths[] = { "1", "yes", "true", "on" };
    static const char *const falsehoods[] = { "0", "no", "false", "off" };
    for (size_t i = 0; i < sizeof truths / sizeof truths[0]; i++) {
        if (equals_ignoring_case(text, truths[i])) {
            opt->value = 1;
            return;
        }
        if (equals_ignoring_case(text, falsehoods[i])) {
            opt->value = 0;
            return;
        }
    }
    ms_warn(opt->name, "='", text, "' is not valid (accepted: 0 or 1, no or yes, ",
            "false or true, off or on); using ", opt->default_value ? "1" : "0", NULL);
}

static void parse(option *opt, const char *text)
{
    switch (opt->kind) {
    case OPTION_BOOL:
        parse_bool(opt, text);
        break;
    case OPTION_STRING:
        if (text[0] == '\0')
            ms_warn(opt->name, " is set but empty (accepted: a file path); ignoring it", NULL);
        else
            opt->string = text;
        break;
    }
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
