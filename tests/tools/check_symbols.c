/* check_symbols.c: symbols.c against real objects built for the test.
 *
 * Before the tests run, the unchecked fixture compiles, into a temporary
 * directory, symbols_fixture_lib.c as a shared object and
 * symbols_fixture_main.c as a non-PIE program (ET_EXEC) linked with it,
 * both -g -O2, then makes a debug-stripped copy, a fully stripped copy, a
 * copy without .debug_aranges and a rebuilt copy (other code, other
 * build-id) of the shared object, and runs
 * the program, which prints the return addresses of its malloc calls as a
 * snapshot would record them (offset from the module's load bias) with its
 * modules' paths and build-ids. The tests build snapshots by hand from those
 * and check the names, files and lines symbols.c gives. Expected lines come
 * from the SITE_ marker comments in the fixture sources, so editing them
 * moves nothing here. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../check_run.h"
#include "reader.h"
#include "symbols.h"

/* --- the fixture, built once before the tests ---------------------------- */

#define MAX_SITES 16

typedef struct site {
    char label[32];
    uint64_t offset;          /* return address less the load bias */
    char build_id[128];       /* "-" when none */
    char path[PATH_MAX];
} site_t;

typedef struct fixture_symbol {
    char name[64];
    uint64_t offset;
} fixture_symbol_t;

static char setup_error[1024];      /* non-empty: the fixture could not be built */
static char work_dir[64];           /* /tmp/memsnap-symbols-XXXXXX */
static char source_dir[PATH_MAX];
static char library_path[PATH_MAX], stripped_path[PATH_MAX], bare_path[PATH_MAX],
    rebuilt_path[PATH_MAX], no_aranges_path[PATH_MAX], not_elf_path[PATH_MAX],
    missing_path[PATH_MAX];
static site_t sites[MAX_SITES];
static size_t nsites;
static fixture_symbol_t fixture_symbols[MAX_SITES];
static size_t nfixture_symbols;

static void setup_fail(const char *format, ...) __attribute__((format(printf, 1, 2)));

static void setup_fail(const char *format, ...)
{
    if (setup_error[0] != '\0')
        return;
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(setup_error, sizeof setup_error, format, arguments);
    va_end(arguments);
}

static int run_command(const char *format, ...) __attribute__((format(printf, 1, 2)));

static int run_command(const char *format, ...)
{
    char command[4 * PATH_MAX + 512];
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(command, sizeof command, format, arguments);
    va_end(arguments);
    int status = system(command);
    if (status != 0)
        setup_fail("command failed (status %d): %s", status, command);
    return status;
}

static void read_sites(const char *path)
{
    FILE *file = fopen(path, "r");
    if (file == NULL) {
        setup_fail("%s: %s", path, strerror(errno));
        return;
    }
    char line[PATH_MAX + 512];
    while (fgets(line, sizeof line, file) != NULL) {
        site_t site;
        fixture_symbol_t symbol;
        if (nsites < MAX_SITES &&
            sscanf(line, "site %31s %" SCNx64 " %127s %4095s", site.label, &site.offset,
                   site.build_id, site.path) == 4)
            sites[nsites++] = site;
        else if (nfixture_symbols < MAX_SITES &&
                 sscanf(line, "symbol %63s %" SCNx64, symbol.name, &symbol.offset) == 2)
            fixture_symbols[nfixture_symbols++] = symbol;
        else
            setup_fail("%s: unexpected line: %s", path, line);
    }
    fclose(file);
}

static void build_fixture(void)
{
    /* No network lookups of debug information from a test. */
    unsetenv("DEBUGINFOD_URLS");

    /* The sources sit next to this file; make runs the suites from the
     * top of the tree, where __FILE__ is relative to. */
    char here[PATH_MAX];
    snprintf(here, sizeof here, "%s", __FILE__);
    char *slash = strrchr(here, '/');
    if (slash != NULL)
        *slash = '\0';
    else
        snprintf(here, sizeof here, ".");
    if (realpath(here, source_dir) == NULL) {
        setup_fail("%s: %s (run the suite from the top of the source tree)", here,
                   strerror(errno));
        return;
    }

    snprintf(work_dir, sizeof work_dir, "/tmp/memsnap-symbols-XXXXXX");
    if (mkdtemp(work_dir) == NULL) {
        setup_fail("mkdtemp: %s", strerror(errno));
        work_dir[0] = '\0';
        return;
    }
    snprintf(library_path, sizeof library_path, "%s/libsymfix.so", work_dir);
    snprintf(stripped_path, sizeof stripped_path, "%s/stripped/libsymfix.so", work_dir);
    snprintf(bare_path, sizeof bare_path, "%s/bare/libsymfix.so", work_dir);
    snprintf(rebuilt_path, sizeof rebuilt_path, "%s/rebuilt/libsymfix.so", work_dir);
    snprintf(no_aranges_path, sizeof no_aranges_path, "%s/no-aranges/libsymfix.so", work_dir);
    snprintf(not_elf_path, sizeof not_elf_path, "%s/sites.txt", work_dir);
    snprintf(missing_path, sizeof missing_path, "%s/gone/libgone.so", work_dir);

    const char *compiler = getenv("CC") != NULL && getenv("CC")[0] != '\0' ? getenv("CC") : "cc";
    if (run_command("%s -g -O2 -fPIC -shared -o '%s' '%s/symbols_fixture_lib.c'", compiler,
                    library_path, source_dir) != 0 ||
        run_command("%s -g -O2 -fno-pie -no-pie -o '%s/symfix' '%s/symbols_fixture_main.c' "
                    "-L'%s' -lsymfix -Wl,-rpath,'%s'",
                    compiler, work_dir, source_dir, work_dir, work_dir) != 0 ||
        run_command("mkdir '%s/stripped' '%s/bare' '%s/rebuilt' '%s/no-aranges'", work_dir,
                    work_dir, work_dir, work_dir) != 0 ||
        run_command("strip --strip-debug -o '%s' '%s'", stripped_path, library_path) != 0 ||
        run_command("objcopy --remove-section=.debug_aranges '%s' '%s'", library_path,
                    no_aranges_path) != 0 ||
        run_command("strip --strip-all -o '%s' '%s'", bare_path, library_path) != 0 ||
        run_command("%s -g -O2 -fPIC -shared -DFIXTURE_REBUILT -o '%s' "
                    "'%s/symbols_fixture_lib.c'",
                    compiler, rebuilt_path, source_dir) != 0 ||
        run_command("'%s/symfix' > '%s'", work_dir, not_elf_path) != 0)
        return;
    read_sites(not_elf_path);
}

static void remove_fixture(void)
{
    if (work_dir[0] != '\0' && strncmp(work_dir, "/tmp/memsnap-symbols-", 21) == 0) {
        char command[PATH_MAX + 32];
        snprintf(command, sizeof command, "rm -rf '%s'", work_dir);
        if (system(command) != 0)
            fprintf(stderr, "check_symbols: could not remove %s\n", work_dir);
    }
}

static void require_fixture(void)
{
    ck_assert_msg(setup_error[0] == '\0', "fixture: %s", setup_error);
}

static const site_t *site(const char *label)
{
    for (size_t k = 0; k < nsites; k++)
        if (strcmp(sites[k].label, label) == 0)
            return &sites[k];
    ck_abort_msg("the fixture program printed no site '%s'", label);
    return NULL;
}

static uint64_t symbol_offset(const char *name)
{
    for (size_t k = 0; k < nfixture_symbols; k++)
        if (strcmp(fixture_symbols[k].name, name) == 0)
            return fixture_symbols[k].offset;
    ck_abort_msg("the fixture program printed no symbol '%s'", name);
    return 0;
}

/* The line of the fixture source file that holds "/\* MARKER *\/". */
static unsigned marker_line(const char *file_name, const char *marker)
{
    char path[PATH_MAX + 64], needle[64], line[1024];
    snprintf(path, sizeof path, "%s/%s", source_dir, file_name);
    snprintf(needle, sizeof needle, "/* %s */", marker);
    FILE *file = fopen(path, "r");
    ck_assert_msg(file != NULL, "%s: %s", path, strerror(errno));
    unsigned number = 0, found = 0;
    while (fgets(line, sizeof line, file) != NULL) {
        number++;
        if (strstr(line, needle) != NULL) {
            ck_assert_msg(found == 0, "%s: marker %s twice", path, marker);
            found = number;
        }
    }
    fclose(file);
    ck_assert_msg(found != 0, "%s: no marker %s", path, marker);
    return found;
}

#define LIB_SOURCE "symbols_fixture_lib.c"
#define MAIN_SOURCE "symbols_fixture_main.c"

/* --- snapshots made by hand ------------------------------------------------ */

static cli_snapshot_t *snapshot_new(size_t nmodules, size_t nframes)
{
    cli_snapshot_t *snapshot = calloc(1, sizeof *snapshot);
    ck_assert_ptr_nonnull(snapshot);
    snapshot->modules = calloc(nmodules, sizeof snapshot->modules[0]);
    snapshot->frames = calloc(nframes, sizeof snapshot->frames[0]);
    ck_assert(snapshot->modules != NULL && snapshot->frames != NULL);
    snapshot->nmodules = nmodules;
    snapshot->nframes = nframes;
    return snapshot;
}

static void snapshot_module(cli_snapshot_t *snapshot, size_t index, const char *path,
                            const char *build_id)
{
    cli_module_t *module = &snapshot->modules[index];
    module->path = strdup(path);
    module->build_id = strdup(strcmp(build_id, "-") == 0 ? "" : build_id);
    ck_assert(module->path != NULL && module->build_id != NULL);
    module->base = 0x7f0000000000ull + index * 0x1000000ull;
    module->start = 0;
    module->end = 0x100000;
}

static void snapshot_frame(cli_snapshot_t *snapshot, size_t index, int64_t module,
                           uint64_t offset)
{
    snapshot->frames[index].module = module;
    snapshot->frames[index].offset = offset;
}

static void snapshot_free(cli_snapshot_t *snapshot)
{
    for (size_t k = 0; k < snapshot->nmodules; k++) {
        free(snapshot->modules[k].path);
        free(snapshot->modules[k].build_id);
    }
    free(snapshot->modules);
    free(snapshot->frames);
    free(snapshot);
}

/* --- checks ---------------------------------------------------------------- */

static const char *basename_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash != NULL ? slash + 1 : path;
}

/* Location k of resolved: the function, the file's last component (NULL:
 * no file, and line 0) and line, and the module. */
static void expect_location(const cli_resolved_t *resolved, unsigned k, const char *function,
                            const char *file, unsigned line, const char *module)
{
    ck_assert_msg(k < resolved->count, "location %u of %u", k, resolved->count);
    const cli_location_t *location = &resolved->locations[k];
    ck_assert_ptr_nonnull(location->function);
    ck_assert_msg(strcmp(location->function, function) == 0,
                  "location %u: function '%s', expected '%s'", k, location->function, function);
    if (file == NULL) {
        ck_assert_msg(location->file == NULL, "location %u (%s): file '%s', expected none", k,
                      function, location->file);
        ck_assert_uint_eq(location->line, 0);
    } else {
        ck_assert_msg(location->file != NULL, "location %u (%s): no file, expected %s", k,
                      function, file);
        ck_assert_msg(strcmp(basename_of(location->file), file) == 0,
                      "location %u (%s): file '%s', expected '%s'", k, function, location->file,
                      file);
        ck_assert_msg(location->line == line, "location %u (%s): line %u, expected %u", k,
                      function, location->line, line);
    }
    if (module == NULL)
        ck_assert_ptr_null(location->module);
    else
        ck_assert_str_eq(location->module, module);
}

/* Location k's symbol, the function's name alone (NULL: none). */
static void expect_symbol(const cli_resolved_t *resolved, unsigned k, const char *symbol)
{
    ck_assert_msg(k < resolved->count, "location %u of %u", k, resolved->count);
    const char *actual = resolved->locations[k].symbol;
    ck_assert_msg(symbol == NULL ? actual == NULL : actual != NULL && strcmp(actual, symbol) == 0,
                  "location %u: symbol '%s', expected '%s'", k, actual ? actual : "(null)",
                  symbol ? symbol : "(null)");
}

static char *format_text(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* A formatted string in a static buffer, for expected names. */
static char *format_text(const char *format, ...)
{
    static char text[PATH_MAX + 256];
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(text, sizeof text, format, arguments);
    va_end(arguments);
    return text;
}

/* stderr into a temporary file, between capture_begin and capture_end. */
typedef struct capture {
    int file, saved;
} capture_t;

static capture_t capture_begin(void)
{
    char path[] = "/tmp/memsnap-symbols-stderr-XXXXXX";
    capture_t capture = { mkstemp(path), -1 };
    ck_assert_int_ge(capture.file, 0);
    unlink(path);
    fflush(stderr);
    capture.saved = dup(STDERR_FILENO);
    ck_assert_int_ge(capture.saved, 0);
    ck_assert_int_eq(dup2(capture.file, STDERR_FILENO), STDERR_FILENO);
    return capture;
}

static void capture_end(capture_t capture, char *text, size_t capacity)
{
    fflush(stderr);
    ck_assert_int_eq(dup2(capture.saved, STDERR_FILENO), STDERR_FILENO);
    close(capture.saved);
    ck_assert_int_eq(lseek(capture.file, 0, SEEK_SET), 0);
    size_t length = 0;
    ssize_t got;
    while (length + 1 < capacity &&
           (got = read(capture.file, text + length, capacity - 1 - length)) > 0)
        length += (size_t)got;
    text[length] = '\0';
    close(capture.file);
}

static unsigned open_descriptors(void)
{
    unsigned count = 0;
    for (int fd = 0; fd < 1024; fd++)
        if (fcntl(fd, F_GETFD) != -1)
            count++;
    return count;
}

/* --- tests ------------------------------------------------------------------- */

START_TEST(test_inlined_frames)
{
    require_fixture();
    const site_t *inner = site("inner");
    cli_snapshot_t *snapshot = snapshot_new(1, 1);
    snapshot_module(snapshot, 0, inner->path, inner->build_id);
    snapshot_frame(snapshot, 0, 0, inner->offset);
    capture_t capture = capture_begin();
    cli_symbols_t *symbols = cli_symbols_new(snapshot);
    ck_assert_ptr_nonnull(symbols);

    const cli_resolved_t *resolved = cli_symbols_resolve(symbols, 0);
    char errors[4096];
    capture_end(capture, errors, sizeof errors);
    ck_assert_str_eq(errors, "");
    ck_assert_uint_eq(resolved->count, 3);
    expect_location(resolved, 0, "inner_helper", LIB_SOURCE, marker_line(LIB_SOURCE, "SITE_INNER"),
                    inner->path);
    expect_location(resolved, 1, "middle_helper", LIB_SOURCE,
                    marker_line(LIB_SOURCE, "SITE_MIDDLE"), inner->path);
    expect_location(resolved, 2, "fixture_outer", LIB_SOURCE,
                    marker_line(LIB_SOURCE, "SITE_OUTER"), inner->path);
    /* each inlined frame is named by its own function */
    expect_symbol(resolved, 0, "inner_helper");
    expect_symbol(resolved, 1, "middle_helper");
    expect_symbol(resolved, 2, "fixture_outer");
    cli_symbols_free(symbols);
    snapshot_free(snapshot);
}
END_TEST

START_TEST(test_plain_and_static_functions)
{
    require_fixture();
    const site_t *plain = site("plain"), *hidden = site("hidden");
    cli_snapshot_t *snapshot = snapshot_new(1, 2);
    snapshot_module(snapshot, 0, plain->path, plain->build_id);
    snapshot_frame(snapshot, 0, 0, plain->offset);
    snapshot_frame(snapshot, 1, 0, hidden->offset);
    cli_symbols_t *symbols = cli_symbols_new(snapshot);

    const cli_resolved_t *resolved = cli_symbols_resolve(symbols, 0);
    ck_assert_uint_eq(resolved->count, 1);
    expect_location(resolved, 0, "fixture_plain", LIB_SOURCE,
                    marker_line(LIB_SOURCE, "SITE_PLAIN"), plain->path);
    resolved = cli_symbols_resolve(symbols, 1);
    ck_assert_uint_eq(resolved->count, 1);
    expect_location(resolved, 0, "hidden_alloc", LIB_SOURCE,
                    marker_line(LIB_SOURCE, "SITE_HIDDEN"), plain->path);
    cli_symbols_free(symbols);
    snapshot_free(snapshot);
}
END_TEST

/* Without .debug_aranges (clang writes none by default) libdwfl 0.188 finds
 * no compilation unit for an address: the units' own ranges do. */
START_TEST(test_without_aranges)
{
    require_fixture();
    const site_t *inner = site("inner"), *plain = site("plain");
    cli_snapshot_t *snapshot = snapshot_new(1, 2);
    snapshot_module(snapshot, 0, no_aranges_path, inner->build_id);
    snapshot_frame(snapshot, 0, 0, inner->offset);
    snapshot_frame(snapshot, 1, 0, plain->offset);
    cli_symbols_t *symbols = cli_symbols_new(snapshot);

    const cli_resolved_t *resolved = cli_symbols_resolve(symbols, 0);
    ck_assert_uint_eq(resolved->count, 3);
    expect_location(resolved, 0, "inner_helper", LIB_SOURCE, marker_line(LIB_SOURCE, "SITE_INNER"),
                    no_aranges_path);
    expect_location(resolved, 1, "middle_helper", LIB_SOURCE,
                    marker_line(LIB_SOURCE, "SITE_MIDDLE"), no_aranges_path);
    expect_location(resolved, 2, "fixture_outer", LIB_SOURCE,
                    marker_line(LIB_SOURCE, "SITE_OUTER"), no_aranges_path);
    resolved = cli_symbols_resolve(symbols, 1);
    ck_assert_uint_eq(resolved->count, 1);
    expect_location(resolved, 0, "fixture_plain", LIB_SOURCE,
                    marker_line(LIB_SOURCE, "SITE_PLAIN"), no_aranges_path);
    cli_symbols_free(symbols);
    snapshot_free(snapshot);
}
END_TEST

/* The program is ET_EXEC: its offsets are its link addresses (bias 0). */
START_TEST(test_executable)
{
    require_fixture();
    const site_t *program = site("program"), *call = site("main_call");
    ck_assert_str_eq(program->path, call->path);
    cli_snapshot_t *snapshot = snapshot_new(1, 2);
    snapshot_module(snapshot, 0, program->path, program->build_id);
    snapshot_frame(snapshot, 0, 0, program->offset);
    snapshot_frame(snapshot, 1, 0, call->offset);
    cli_symbols_t *symbols = cli_symbols_new(snapshot);

    const cli_resolved_t *resolved = cli_symbols_resolve(symbols, 0);
    ck_assert_uint_eq(resolved->count, 2);
    expect_location(resolved, 0, "program_helper", MAIN_SOURCE,
                    marker_line(MAIN_SOURCE, "SITE_PROGRAM_HELPER"), program->path);
    expect_location(resolved, 1, "program_function", MAIN_SOURCE,
                    marker_line(MAIN_SOURCE, "SITE_PROGRAM_FUNCTION"), program->path);
    resolved = cli_symbols_resolve(symbols, 1);
    ck_assert_uint_eq(resolved->count, 1);
    expect_location(resolved, 0, "main", MAIN_SOURCE, marker_line(MAIN_SOURCE, "SITE_MAIN_CALL"),
                    program->path);
    cli_symbols_free(symbols);
    snapshot_free(snapshot);
}
END_TEST

/* Computed once per frame id; another id for the same address gets its
 * own, equal, result. */
START_TEST(test_results_are_cached)
{
    require_fixture();
    const site_t *inner = site("inner");
    cli_snapshot_t *snapshot = snapshot_new(1, 2);
    snapshot_module(snapshot, 0, inner->path, inner->build_id);
    snapshot_frame(snapshot, 0, 0, inner->offset);
    snapshot_frame(snapshot, 1, 0, inner->offset);
    cli_symbols_t *symbols = cli_symbols_new(snapshot);

    const cli_resolved_t *first = cli_symbols_resolve(symbols, 0);
    const cli_location_t *locations = first->locations;
    ck_assert_ptr_eq(cli_symbols_resolve(symbols, 0), first);
    ck_assert_ptr_eq(cli_symbols_resolve(symbols, 0)->locations, locations);
    const cli_resolved_t *other = cli_symbols_resolve(symbols, 1);
    ck_assert_ptr_ne(other, first);
    ck_assert_uint_eq(other->count, first->count);
    for (unsigned k = 0; k < first->count; k++) {
        const cli_location_t *a = &other->locations[k], *b = &first->locations[k];
        ck_assert_str_eq(a->function, b->function);
        ck_assert((a->file == NULL) == (b->file == NULL));
        if (a->file != NULL)
            ck_assert_str_eq(a->file, b->file);
        ck_assert_uint_eq(a->line, b->line);
        ck_assert_str_eq(a->module, b->module);
    }
    cli_symbols_free(symbols);
    snapshot_free(snapshot);
}
END_TEST

/* The C library's start-up code, main's caller. With its separate debug
 * file installed (/usr/lib/debug/.build-id, libc6-dbg on Debian) the frame
 * has a function, file and line; without, at least a name. */
START_TEST(test_system_library)
{
    require_fixture();
    const site_t *libc = site("libc");
    cli_snapshot_t *snapshot = snapshot_new(1, 1);
    snapshot_module(snapshot, 0, libc->path, libc->build_id);
    snapshot_frame(snapshot, 0, 0, libc->offset);
    capture_t capture = capture_begin();
    cli_symbols_t *symbols = cli_symbols_new(snapshot);
    const cli_resolved_t *resolved = cli_symbols_resolve(symbols, 0);
    char errors[4096];
    capture_end(capture, errors, sizeof errors);
    ck_assert_str_eq(errors, "");
    ck_assert_uint_ge(resolved->count, 1);
    const cli_location_t *outer = &resolved->locations[resolved->count - 1];
    ck_assert(outer->function[0] != '\0');
    ck_assert_str_eq(outer->module, libc->path);

    char debug_file[PATH_MAX];
    snprintf(debug_file, sizeof debug_file, "/usr/lib/debug/.build-id/%.2s/%s.debug",
             libc->build_id, libc->build_id + 2);
    if (strlen(libc->build_id) > 2 && access(debug_file, R_OK) == 0) {
        ck_assert_str_eq(outer->function, "__libc_start_call_main");
        ck_assert_ptr_nonnull(outer->file);
        ck_assert_uint_gt(outer->line, 0);
    }
    cli_symbols_free(symbols);
    snapshot_free(snapshot);
}
END_TEST

/* A copy without debug information, same build-id: the symbol table names
 * the function, with the offset of the call (return address - 1). */
START_TEST(test_symbols_without_debug_information)
{
    require_fixture();
    const site_t *inner = site("inner"), *plain = site("plain"), *hidden = site("hidden");
    cli_snapshot_t *snapshot = snapshot_new(1, 3);
    snapshot_module(snapshot, 0, stripped_path, inner->build_id);
    snapshot_frame(snapshot, 0, 0, inner->offset);
    snapshot_frame(snapshot, 1, 0, plain->offset);
    snapshot_frame(snapshot, 2, 0, hidden->offset);
    capture_t capture = capture_begin();
    cli_symbols_t *symbols = cli_symbols_new(snapshot);
    const cli_resolved_t *resolved[3];
    for (uint32_t k = 0; k < 3; k++)
        resolved[k] = cli_symbols_resolve(symbols, k);
    char errors[4096];
    capture_end(capture, errors, sizeof errors);
    ck_assert_str_eq(errors, "");

    ck_assert_uint_eq(resolved[0]->count, 1);
    expect_location(resolved[0], 0,
                    format_text("fixture_outer+0x%" PRIx64,
                                inner->offset - 1 - symbol_offset("fixture_outer")),
                    NULL, 0, stripped_path);
    ck_assert_uint_eq(resolved[1]->count, 1);
    expect_location(resolved[1], 0,
                    format_text("fixture_plain+0x%" PRIx64,
                                plain->offset - 1 - symbol_offset("fixture_plain")),
                    NULL, 0, stripped_path);
    ck_assert_uint_eq(resolved[2]->count, 1);
    expect_location(resolved[2], 0,
                    format_text("hidden_alloc+0x%" PRIx64,
                                hidden->offset - 1 - symbol_offset("hidden_alloc")),
                    NULL, 0, stripped_path);
    /* the symbol without its offset */
    expect_symbol(resolved[0], 0, "fixture_outer");
    expect_symbol(resolved[1], 0, "fixture_plain");
    expect_symbol(resolved[2], 0, "hidden_alloc");
    cli_symbols_free(symbols);
    snapshot_free(snapshot);
}
END_TEST

/* Fully stripped: exported functions keep their dynamic symbol; a static
 * one has none, and shows as module+offset. */
START_TEST(test_fully_stripped)
{
    require_fixture();
    const site_t *inner = site("inner"), *hidden = site("hidden");
    cli_snapshot_t *snapshot = snapshot_new(1, 2);
    snapshot_module(snapshot, 0, bare_path, inner->build_id);
    snapshot_frame(snapshot, 0, 0, inner->offset);
    snapshot_frame(snapshot, 1, 0, hidden->offset);
    cli_symbols_t *symbols = cli_symbols_new(snapshot);

    expect_location(cli_symbols_resolve(symbols, 0), 0,
                    format_text("fixture_outer+0x%" PRIx64,
                                inner->offset - 1 - symbol_offset("fixture_outer")),
                    NULL, 0, bare_path);
    const cli_resolved_t *resolved = cli_symbols_resolve(symbols, 1);
    ck_assert_uint_eq(resolved->count, 1);
    expect_location(resolved, 0, format_text("libsymfix.so+0x%" PRIx64, hidden->offset - 1), NULL,
                    0, bare_path);
    expect_symbol(resolved, 0, NULL);
    cli_symbols_free(symbols);
    snapshot_free(snapshot);
}
END_TEST

/* The file at the module's path was rebuilt: one warning, then module and
 * offset for every frame in it, although it has debug information. A
 * module that still matches, in the same snapshot, is not affected. */
START_TEST(test_rebuilt_module)
{
    require_fixture();
    const site_t *inner = site("inner"), *plain = site("plain"), *hidden = site("hidden"),
                 *call = site("main_call");
    cli_snapshot_t *snapshot = snapshot_new(2, 4);
    snapshot_module(snapshot, 0, rebuilt_path, inner->build_id);
    snapshot_module(snapshot, 1, call->path, call->build_id);
    snapshot_frame(snapshot, 0, 0, inner->offset);
    snapshot_frame(snapshot, 1, 1, call->offset);
    snapshot_frame(snapshot, 2, 0, plain->offset);
    snapshot_frame(snapshot, 3, 0, hidden->offset);
    capture_t capture = capture_begin();
    cli_symbols_t *symbols = cli_symbols_new(snapshot);
    const cli_resolved_t *resolved[4];
    for (uint32_t k = 0; k < 4; k++)
        resolved[k] = cli_symbols_resolve(symbols, k);
    char errors[4096];
    capture_end(capture, errors, sizeof errors);

    ck_assert_str_eq(errors,
                     format_text("memsnap: warning: %s: build-id differs from the snapshot's "
                                 "(rebuilt since the run?); its frames are shown as "
                                 "libsymfix.so+OFFSET\n",
                                 rebuilt_path));
    ck_assert_uint_eq(resolved[0]->count, 1);
    expect_location(resolved[0], 0, format_text("libsymfix.so+0x%" PRIx64, inner->offset - 1),
                    NULL, 0, rebuilt_path);
    expect_location(resolved[2], 0, format_text("libsymfix.so+0x%" PRIx64, plain->offset - 1),
                    NULL, 0, rebuilt_path);
    expect_location(resolved[3], 0, format_text("libsymfix.so+0x%" PRIx64, hidden->offset - 1),
                    NULL, 0, rebuilt_path);
    expect_location(resolved[1], 0, "main", MAIN_SOURCE, marker_line(MAIN_SOURCE, "SITE_MAIN_CALL"),
                    call->path);
    cli_symbols_free(symbols);
    snapshot_free(snapshot);
}
END_TEST

/* No build-id in the snapshot: the file is used as it is. */
START_TEST(test_module_without_build_id)
{
    require_fixture();
    const site_t *plain = site("plain");
    cli_snapshot_t *snapshot = snapshot_new(1, 1);
    snapshot_module(snapshot, 0, plain->path, "");
    snapshot_frame(snapshot, 0, 0, plain->offset);
    capture_t capture = capture_begin();
    cli_symbols_t *symbols = cli_symbols_new(snapshot);
    const cli_resolved_t *resolved = cli_symbols_resolve(symbols, 0);
    char errors[4096];
    capture_end(capture, errors, sizeof errors);
    ck_assert_str_eq(errors, "");
    expect_location(resolved, 0, "fixture_plain", LIB_SOURCE,
                    marker_line(LIB_SOURCE, "SITE_PLAIN"), plain->path);
    cli_symbols_free(symbols);
    snapshot_free(snapshot);
}
END_TEST

START_TEST(test_missing_and_unreadable_files)
{
    require_fixture();
    const site_t *inner = site("inner"), *plain = site("plain");
    cli_snapshot_t *snapshot = snapshot_new(2, 3);
    snapshot_module(snapshot, 0, missing_path, inner->build_id);
    snapshot_module(snapshot, 1, not_elf_path, "");
    snapshot_frame(snapshot, 0, 0, inner->offset);
    snapshot_frame(snapshot, 1, 0, plain->offset);
    snapshot_frame(snapshot, 2, 1, 0x1234);
    capture_t capture = capture_begin();
    cli_symbols_t *symbols = cli_symbols_new(snapshot);
    const cli_resolved_t *resolved[3];
    for (uint32_t k = 0; k < 3; k++)
        resolved[k] = cli_symbols_resolve(symbols, k);
    char errors[4096];
    capture_end(capture, errors, sizeof errors);

    expect_location(resolved[0], 0, format_text("libgone.so+0x%" PRIx64, inner->offset - 1), NULL,
                    0, missing_path);
    expect_location(resolved[1], 0, format_text("libgone.so+0x%" PRIx64, plain->offset - 1), NULL,
                    0, missing_path);
    expect_location(resolved[2], 0, "sites.txt+0x1233", NULL, 0, not_elf_path);
    /* Two lines: one per module, however many frames. */
    char *second = strchr(errors, '\n');
    ck_assert_ptr_nonnull(second);
    *second++ = '\0';
    ck_assert_str_eq(errors, format_text("memsnap: warning: %s: cannot open (No such file or "
                                         "directory); its frames are shown as libgone.so+OFFSET",
                                         missing_path));
    const char *prefix = format_text("memsnap: warning: %s: cannot open (", not_elf_path);
    ck_assert_msg(strncmp(second, prefix, strlen(prefix)) == 0, "second warning: %s", second);
    const char *suffix = "); its frames are shown as sites.txt+OFFSET\n";
    ck_assert_msg(strlen(second) > strlen(suffix) &&
                      strcmp(second + strlen(second) - strlen(suffix), suffix) == 0,
                  "second warning: %s", second);
    cli_symbols_free(symbols);
    snapshot_free(snapshot);
}
END_TEST

/* A frame in no module is its address; the vDSO has no file and is shown
 * by offset without a warning; an id past the table is "?". */
START_TEST(test_frames_without_a_file)
{
    cli_snapshot_t *snapshot = snapshot_new(1, 2);
    snapshot_module(snapshot, 0, "linux-vdso.so.1", "55d674c3e87c2bbe00df028976aa20a7e70319e5");
    snapshot_frame(snapshot, 0, -1, 0x7f00deadbeefull);
    snapshot_frame(snapshot, 1, 0, 0x9a1);
    capture_t capture = capture_begin();
    cli_symbols_t *symbols = cli_symbols_new(snapshot);
    const cli_resolved_t *absolute = cli_symbols_resolve(symbols, 0);
    const cli_resolved_t *vdso = cli_symbols_resolve(symbols, 1);
    const cli_resolved_t *past = cli_symbols_resolve(symbols, 2);
    char errors[4096];
    capture_end(capture, errors, sizeof errors);
    ck_assert_str_eq(errors, "");
    ck_assert_uint_eq(absolute->count, 1);
    expect_location(absolute, 0, "0x7f00deadbeef", NULL, 0, NULL);
    ck_assert_uint_eq(vdso->count, 1);
    expect_location(vdso, 0, "linux-vdso.so.1+0x9a0", NULL, 0, "linux-vdso.so.1");
    ck_assert_uint_eq(past->count, 1);
    expect_location(past, 0, "?", NULL, 0, NULL);
    /* none of them names a function */
    expect_symbol(absolute, 0, NULL);
    expect_symbol(vdso, 0, NULL);
    expect_symbol(past, 0, NULL);
    cli_symbols_free(symbols);
    snapshot_free(snapshot);
}
END_TEST

/* cli_symbols_free closes every file it opened. */
START_TEST(test_no_descriptor_left_open)
{
    require_fixture();
    const site_t *inner = site("inner"), *call = site("main_call"), *libc = site("libc");
    unsigned before = open_descriptors();
    cli_snapshot_t *snapshot = snapshot_new(5, 5);
    snapshot_module(snapshot, 0, inner->path, inner->build_id);
    snapshot_module(snapshot, 1, call->path, call->build_id);
    snapshot_module(snapshot, 2, libc->path, libc->build_id);
    snapshot_module(snapshot, 3, rebuilt_path, inner->build_id);
    snapshot_module(snapshot, 4, not_elf_path, "");
    for (size_t k = 0; k < 5; k++)
        snapshot_frame(snapshot, k, (int64_t)k, k == 1 ? call->offset : k == 2 ? libc->offset
                                                                                : inner->offset);
    capture_t capture = capture_begin();
    cli_symbols_t *symbols = cli_symbols_new(snapshot);
    for (uint32_t k = 0; k < 5; k++)
        cli_symbols_resolve(symbols, k);
    cli_symbols_free(symbols);
    char errors[4096];
    capture_end(capture, errors, sizeof errors);
    snapshot_free(snapshot);
    ck_assert_uint_eq(open_descriptors(), before);
}
END_TEST

static Suite *symbols_suite(void)
{
    Suite *suite = suite_create("symbols");
    TCase *dwarf = tcase_create("dwarf");
    /* Built once, in the runner, before the tests fork from it. */
    tcase_add_unchecked_fixture(dwarf, build_fixture, remove_fixture);
    tcase_set_timeout(dwarf, 60);
    tcase_add_test(dwarf, test_inlined_frames);
    tcase_add_test(dwarf, test_plain_and_static_functions);
    tcase_add_test(dwarf, test_without_aranges);
    tcase_add_test(dwarf, test_executable);
    tcase_add_test(dwarf, test_results_are_cached);
    tcase_add_test(dwarf, test_system_library);
    tcase_add_test(dwarf, test_symbols_without_debug_information);
    tcase_add_test(dwarf, test_fully_stripped);
    tcase_add_test(dwarf, test_rebuilt_module);
    tcase_add_test(dwarf, test_module_without_build_id);
    tcase_add_test(dwarf, test_missing_and_unreadable_files);
    tcase_add_test(dwarf, test_frames_without_a_file);
    tcase_add_test(dwarf, test_no_descriptor_left_open);
    suite_add_tcase(suite, dwarf);
    return suite;
}

int main(void)
{
    return run_suite(symbols_suite());
}
