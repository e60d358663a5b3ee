/* symbols.c: frames of a snapshot turned into functions, files and lines with
 * libdwfl (elfutils), offline: nothing here looks at a live process.
 *
 * Each module the snapshot names gets a Dwfl session of its own, opened the
 * first time one of its frames is resolved. The file is reported with
 * dwfl_report_elf at base 0, adding the segments' p_vaddr: an ET_DYN object
 * then sits at the addresses of its own file (load bias 0), and an ET_EXEC
 * is always placed at its link addresses, so in both cases a snapshot
 * offset, which is an address in the ELF file's virtual address space, is
 * also an address in the session (plus the module's bias, which is 0 unless
 * libdwfl decides otherwise, and is added anyway). dwfl_standard_find_debuginfo
 * finds separate debug files: by build-id under /usr/lib/debug/.build-id, by
 * .gnu_debuglink, and through debuginfod when DEBUGINFOD_URLS is set.
 *
 * Inlined calls: the function (DW_TAG_subprogram) that holds the address
 * is found in a sorted index of the compilation unit's function ranges,
 * then its concrete DIE tree is walked down through the DIEs whose ranges
 * contain the address, collecting the DW_TAG_inlined_subroutine instances
 * on the way. (dwarf_getscopes stops at the innermost inlined instance and
 * continues with the scopes of its abstract definition, not with the
 * functions it was inlined into, so it cannot give this chain by itself.)
 * The innermost source frame takes the line table's file and line for the
 * address; each outer one takes the call site (DW_AT_call_file,
 * DW_AT_call_line) of the instance inlined into it.
 *
 * Without debug information the name comes from the ELF symbol tables,
 * through an index sorted by address (dwfl_module_addrinfo scans the whole
 * table at every call).
 *
 * Every string handed out lives in an arena owned by the cli_symbols_t; the
 * libdw sessions live as long, and both go in cli_symbols_free. */
#include "symbols.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* --- the arena ------------------------------------------------------------ */

typedef struct arena_chunk arena_chunk_t;
struct arena_chunk {
    arena_chunk_t *next;
    size_t used, size;
    _Alignas(16) unsigned char data[];
};

#define ARENA_CHUNK_SIZE ((size_t)64 * 1024)

/* size bytes, 16-aligned, or NULL when memory is short. */
static void *arena_alloc(arena_chunk_t **chunks, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    arena_chunk_t *chunk = *chunks;
    if (chunk == NULL || chunk->size - chunk->used < size) {
        size_t capacity = size > ARENA_CHUNK_SIZE / 4 ? size : ARENA_CHUNK_SIZE;
        chunk = malloc(sizeof *chunk + capacity);
        if (chunk == NULL)
            return NULL;
        chunk->used = 0;
        chunk->size = capacity;
        if (capacity == ARENA_CHUNK_SIZE || *chunks == NULL) {
            chunk->next = *chunks;
            *chunks = chunk;
        } else {
            /* A big one-off goes behind the current chunk, which keeps its room. */
            chunk->next = (*chunks)->next;
            (*chunks)->next = chunk;
        }
    }
    void *block = chunk->data + chunk->used;
    chunk->used += size;
    return block;
}

static const char *arena_strdup(arena_chunk_t **chunks, const char *text)
{
    size_t length = strlen(text);
    char *copy = arena_alloc(chunks, length + 1);
    if (copy != NULL)
        memcpy(copy, text, length + 1);
    return copy;
}

static const char *arena_printf(arena_chunk_t **chunks, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static const char *arena_printf(arena_chunk_t **chunks, const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    int length = vsnprintf(NULL, 0, format, arguments);
    va_end(arguments);
    if (length < 0)
        return NULL;
    char *text = arena_alloc(chunks, (size_t)length + 1);
    if (text == NULL)
        return NULL;
    va_start(arguments, format);
    vsnprintf(text, (size_t)length + 1, format, arguments);
    va_end(arguments);
    return text;
}

/* --- modules ---------------------------------------------------------------- */

enum module_state {
    MODULE_UNOPENED = 0,
    MODULE_READY,         /* dwfl and module set: symbolize from it */
    MODULE_UNUSABLE,      /* no file, another file, or no ELF: module+offset */
};

/* The address ranges of a compilation unit's functions (its DW_TAG_subprogram
 * DIEs with code, at the top of the unit or in namespaces), sorted, so that
 * finding the function of an address does not walk the whole unit, which in
 * a big one (CPython's ceval.c, glibc's malloc.c) takes longer than
 * everything else. Built the first time one of the unit's addresses is
 * looked up. */
typedef struct function_range {
    Dwarf_Addr low, high;   /* [low, high) */
    Dwarf_Die die;
} function_range_t;

typedef struct unit_functions {
    Dwarf_Off unit_offset;  /* the CU DIE's, the key */
    function_range_t *ranges;
    size_t count;
} unit_functions_t;

/* The ELF symbol table, sorted by address: dwfl_module_addrinfo reads the
 * whole table on every call, which a module without debug information and
 * thousands of frames (a distribution's stripped python3) cannot afford.
 * Lookups follow dwfl_module_addrinfo's rules: the closest symbol whose
 * size covers the address, the better binding at equal addresses (global,
 * weak, local); failing that, a symbol without size (an assembly label)
 * when it is the closest one, in the address's section, and past the end of
 * every sized symbol below the address. (Checked against
 * dwfl_module_addrinfo over every call site of libc, libpython, libcrypto
 * and ld.so: the same answers, except for addresses in no section at all,
 * which libdwfl may pair with a label such as __ehdr_start.) */
typedef struct symbol_entry {
    Dwarf_Addr start;
    Dwarf_Addr end;          /* start + size; section end for a sizeless one */
    const char *name;        /* in libelf's string table */
    unsigned char sized, binding_rank;
} symbol_entry_t;

typedef struct symbol_index {
    bool built;
    symbol_entry_t *entries;
    Dwarf_Addr *covered_end;  /* per entry: highest end of the sized entries up to it */
    size_t *last_sizeless;    /* per entry: best sizeless entry at or below it, or SIZE_MAX */
    size_t count;
} symbol_index_t;

/* The address ranges of the compilation units, for modules without
 * .debug_aranges (clang does not write them by default), where
 * dwfl_module_addrdie of elfutils 0.188 finds no unit at all. */
typedef struct unit_range {
    Dwarf_Addr low, high;   /* [low, high), DWARF addresses */
    Dwarf_Die *unit;        /* libdwfl's, lives as long as the session */
} unit_range_t;

typedef struct symbols_module {
    enum module_state state;
    Dwfl *dwfl;
    Dwfl_Module *module;
    Dwarf_Addr bias;      /* session address = file address + bias */
    bool unit_ranges_built;
    unit_range_t *unit_ranges; /* sorted by low */
    size_t nunit_ranges;
    Dwarf_Addr unit_bias;      /* session address = DWARF address + unit_bias */
    unit_functions_t *units;   /* sorted by unit_offset */
    size_t nunits, units_capacity;
    symbol_index_t symbols;
} symbols_module_t;

struct cli_symbols {
    const cli_snapshot_t *snapshot;
    symbols_module_t *modules;     /* one per snapshot module */
    cli_resolved_t *resolved;      /* one per frame id; count 0 until resolved */
    arena_chunk_t *arena;
    cli_location_t unknown_location;
    cli_resolved_t unknown;        /* for a frame id past the table, or no memory */
};

static char *debuginfo_path;       /* NULL: libdwfl's default search path */

static const Dwfl_Callbacks offline_callbacks = {
    .find_elf = dwfl_build_id_find_elf,
    .find_debuginfo = dwfl_standard_find_debuginfo,
    .section_address = dwfl_offline_section_address,
    .debuginfo_path = &debuginfo_path,
};

static const char *path_basename(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash != NULL ? slash + 1 : path;
}

static void module_warning(const cli_module_t *info, const char *problem)
{
    fprintf(stderr, "memsnap: warning: %s: %s; its frames are shown as %s+OFFSET\n", info->path,
            problem, path_basename(info->path));
}

static bool build_id_matches(const unsigned char *bits, int length, const char *hex)
{
    if (length <= 0 || strlen(hex) != (size_t)length * 2)
        return false;
    static const char digits[] = "0123456789abcdef";
    for (int k = 0; k < length; k++) {
        char high = hex[2 * k], low = hex[2 * k + 1];
        /* The format says lowercase; accept uppercase all the same. */
        if (high >= 'A' && high <= 'F')
            high = (char)(high - 'A' + 'a');
        if (low >= 'A' && low <= 'F')
            low = (char)(low - 'A' + 'a');
        if (high != digits[bits[k] >> 4] || low != digits[bits[k] & 15])
            return false;
    }
    return true;
}

static void module_close(symbols_module_t *module)
{
    for (size_t k = 0; k < module->nunits; k++)
        free(module->units[k].ranges);
    free(module->units);
    module->units = NULL;
    free(module->unit_ranges);
    module->unit_ranges = NULL;
    module->nunit_ranges = 0;
    module->unit_ranges_built = false;
    free(module->symbols.entries);
    free(module->symbols.covered_end);
    free(module->symbols.last_sizeless);
    memset(&module->symbols, 0, sizeof module->symbols);
    module->nunits = module->units_capacity = 0;
    if (module->dwfl != NULL)
        dwfl_end(module->dwfl);
    module->dwfl = NULL;
    module->module = NULL;
}

/* Opens the module's file on first use and checks it is the one the
 * snapshot saw; says why not on stderr, once, when it cannot be used. */
static symbols_module_t *module_get(cli_symbols_t *symbols, size_t index)
{
    symbols_module_t *module = &symbols->modules[index];
    if (module->state != MODULE_UNOPENED)
        return module;
    module->state = MODULE_UNUSABLE;
    const cli_module_t *info = &symbols->snapshot->modules[index];
    const char *path = info->path != NULL ? info->path : "";

    /* The vDSO ("linux-vdso.so.1") has no file, and the dynamic loader
     * gives every object that has one its path: nothing to open or report. */
    if (strchr(path, '/') == NULL)
        return module;

    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        char problem[256];
        snprintf(problem, sizeof problem, "cannot open (%s)", strerror(errno));
        module_warning(info, problem);
        return module;
    }
    module->dwfl = dwfl_begin(&offline_callbacks);
    if (module->dwfl == NULL) {
        close(fd);
        char problem[256];
        snprintf(problem, sizeof problem, "cannot open (%s)", dwfl_errmsg(-1));
        module_warning(info, problem);
        return module;
    }
    dwfl_report_begin(module->dwfl);
    /* Base 0 with p_vaddr added: file addresses for ET_DYN (prelinked or
     * not); ET_EXEC ignores both and stays at its link addresses. */
    module->module = dwfl_report_elf(module->dwfl, path_basename(path), path, fd, 0, true);
    if (module->module == NULL) {
        /* libdwfl consumes the descriptor only on success. */
        close(fd);
        char problem[256];
        snprintf(problem, sizeof problem, "cannot open (%s)", dwfl_errmsg(-1));
        module_close(module);
        module_warning(info, problem);
        return module;
    }
    dwfl_report_end(module->dwfl, NULL, NULL);

    if (info->build_id != NULL && info->build_id[0] != '\0') {
        const unsigned char *bits = NULL;
        GElf_Addr note_address;
        int length = dwfl_module_build_id(module->module, &bits, &note_address);
        if (!build_id_matches(bits, length, info->build_id)) {
            module_close(module);
            module_warning(info, "build-id differs from the snapshot's (rebuilt since the run?)");
            return module;
        }
    }
    Dwarf_Addr bias = 0;
    if (dwfl_module_getelf(module->module, &bias) == NULL) {
        char problem[256];
        snprintf(problem, sizeof problem, "cannot open (%s)", dwfl_errmsg(-1));
        module_close(module);
        module_warning(info, problem);
        return module;
    }
    module->bias = bias;
    module->state = MODULE_READY;
    return module;
}

/* --- DWARF: the chain of functions at an address ---------------------------- */

/* Concrete DIEs, outermost first: a DW_TAG_subprogram (when one was found),
 * then the DW_TAG_inlined_subroutine instances inside it. */
typedef struct die_chain {
    Dwarf_Die *dies;
    size_t count, capacity;
} die_chain_t;

static bool chain_push(die_chain_t *chain, const Dwarf_Die *die)
{
    if (chain->count == chain->capacity) {
        size_t capacity = chain->capacity != 0 ? 2 * chain->capacity : 16;
        Dwarf_Die *dies = realloc(chain->dies, capacity * sizeof dies[0]);
        if (dies == NULL)
            return false;
        chain->dies = dies;
        chain->capacity = capacity;
    }
    chain->dies[chain->count++] = *die;
    return true;
}

/* How deep the walk goes: far beyond any real nesting, short of a stack
 * overflow on a corrupt (cyclic) tree. */
#define WALK_MAX_DEPTH 512

/* Descends from parent through the child whose ranges contain pc, adding
 * the functions on the way to chain. Returns true when a child contained pc
 * (no sibling can then: ranges of siblings do not overlap). */
static bool walk_scopes(Dwarf_Die *parent, Dwarf_Addr pc, die_chain_t *chain, unsigned depth)
{
    Dwarf_Die child;
    if (depth > WALK_MAX_DEPTH || dwarf_child(parent, &child) != 0)
        return false;
    do {
        int tag = dwarf_tag(&child);
        switch (tag) {
        case DW_TAG_subprogram:
        case DW_TAG_inlined_subroutine:
        case DW_TAG_lexical_block:
        case DW_TAG_try_block:
        case DW_TAG_catch_block:
        case DW_TAG_with_stmt:
        case DW_TAG_module:
            /* A DIE without ranges (a declaration, an abstract instance)
             * makes dwarf_haspc fail or say no: not this one. */
            if (dwarf_haspc(&child, pc) <= 0)
                break;
            if (tag == DW_TAG_subprogram)
                chain->count = 0;   /* a nested function: the chain starts in it */
            if ((tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine) &&
                !chain_push(chain, &child))
                return true;
            walk_scopes(&child, pc, chain, depth + 1);
            return true;
        case DW_TAG_namespace:
            /* No ranges of its own, but C++ compilers may put function
             * definitions inside. */
            if (walk_scopes(&child, pc, chain, depth + 1))
                return true;
            break;
        default:
            break;
        }
    } while (dwarf_siblingof(&child, &child) == 0);
    return false;
}

static int compare_unit_ranges(const void *left, const void *right)
{
    const unit_range_t *a = left, *b = right;
    return a->low < b->low ? -1 : a->low > b->low ? 1 : 0;
}

/* Reads every unit's ranges into the module's unit_ranges. */
static void unit_ranges_build(symbols_module_t *module)
{
    module->unit_ranges_built = true;
    size_t capacity = 0;
    Dwarf_Addr bias = 0;
    for (Dwarf_Die *unit = NULL; (unit = dwfl_module_nextcu(module->module, unit, &bias)) != NULL;) {
        module->unit_bias = bias;
        Dwarf_Addr base, low, high;
        ptrdiff_t offset = 0;
        while ((offset = dwarf_ranges(unit, offset, &base, &low, &high)) > 0) {
            if (low >= high)
                continue;
            if (module->nunit_ranges == capacity) {
                size_t grown = capacity != 0 ? 2 * capacity : 64;
                unit_range_t *ranges = realloc(module->unit_ranges, grown * sizeof ranges[0]);
                if (ranges == NULL)
                    goto sort;   /* short of memory: with what there is */
                module->unit_ranges = ranges;
                capacity = grown;
            }
            module->unit_ranges[module->nunit_ranges++] = (unit_range_t){ low, high, unit };
        }
    }
sort:
    if (module->nunit_ranges > 1)
        qsort(module->unit_ranges, module->nunit_ranges, sizeof module->unit_ranges[0],
              compare_unit_ranges);
}

/* The compilation unit that holds a session address, and its bias; NULL
 * when none does. */
static Dwarf_Die *unit_at(symbols_module_t *module, Dwarf_Addr address, Dwarf_Addr *bias)
{
    Dwarf_Die *unit = dwfl_module_addrdie(module->module, address, bias);
    if (unit != NULL)
        return unit;
    if (!module->unit_ranges_built)
        unit_ranges_build(module);
    if (address < module->unit_bias)
        return NULL;
    Dwarf_Addr pc = address - module->unit_bias;
    size_t low = 0, high = module->nunit_ranges;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (module->unit_ranges[middle].low <= pc)
            low = middle + 1;
        else
            high = middle;
    }
    if (low == 0 || pc >= module->unit_ranges[low - 1].high)
        return NULL;
    *bias = module->unit_bias;
    return module->unit_ranges[low - 1].unit;
}

/* The ranges of the functions under parent (a unit, or a namespace in it)
 * into unit. False when memory ran short. */
static bool collect_functions(Dwarf_Die *parent, unit_functions_t *unit, size_t *capacity,
                              unsigned depth)
{
    Dwarf_Die child;
    if (depth > WALK_MAX_DEPTH || dwarf_child(parent, &child) != 0)
        return true;
    do {
        int tag = dwarf_tag(&child);
        if (tag == DW_TAG_namespace || tag == DW_TAG_module) {
            if (!collect_functions(&child, unit, capacity, depth + 1))
                return false;
        } else if (tag == DW_TAG_subprogram) {
            /* A declaration or an abstract instance has no ranges: the
             * loop ends at once. */
            Dwarf_Addr base, low, high;
            ptrdiff_t offset = 0;
            while ((offset = dwarf_ranges(&child, offset, &base, &low, &high)) > 0) {
                if (low >= high)
                    continue;
                if (unit->count == *capacity) {
                    size_t grown = *capacity != 0 ? 2 * *capacity : 64;
                    function_range_t *ranges = realloc(unit->ranges, grown * sizeof ranges[0]);
                    if (ranges == NULL)
                        return false;
                    unit->ranges = ranges;
                    *capacity = grown;
                }
                unit->ranges[unit->count++] = (function_range_t){ low, high, child };
            }
        }
    } while (dwarf_siblingof(&child, &child) == 0);
    return true;
}

static int compare_ranges(const void *left, const void *right)
{
    const function_range_t *a = left, *b = right;
    return a->low < b->low ? -1 : a->low > b->low ? 1 : 0;
}

/* The index of the unit whose CU DIE is unit_die, built on first use; NULL
 * when memory ran short. */
static unit_functions_t *unit_functions(symbols_module_t *module, Dwarf_Die *unit_die)
{
    Dwarf_Off key = dwarf_dieoffset(unit_die);
    size_t low = 0, high = module->nunits;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (module->units[middle].unit_offset < key)
            low = middle + 1;
        else
            high = middle;
    }
    if (low < module->nunits && module->units[low].unit_offset == key)
        return &module->units[low];

    unit_functions_t unit = { key, NULL, 0 };
    size_t capacity = 0;
    if (!collect_functions(unit_die, &unit, &capacity, 0)) {
        free(unit.ranges);
        return NULL;
    }
    if (unit.count > 1)
        qsort(unit.ranges, unit.count, sizeof unit.ranges[0], compare_ranges);
    if (module->nunits == module->units_capacity) {
        size_t grown = module->units_capacity != 0 ? 2 * module->units_capacity : 16;
        unit_functions_t *units = realloc(module->units, grown * sizeof units[0]);
        if (units == NULL) {
            free(unit.ranges);
            return NULL;
        }
        module->units = units;
        module->units_capacity = grown;
    }
    memmove(&module->units[low + 1], &module->units[low],
            (module->nunits - low) * sizeof module->units[0]);
    module->units[low] = unit;
    module->nunits++;
    return &module->units[low];
}

/* The function (a concrete DW_TAG_subprogram) whose ranges contain pc, or
 * NULL. Functions do not overlap: the candidate is the last range that
 * starts at or below pc. */
static Dwarf_Die *unit_function_at(unit_functions_t *unit, Dwarf_Addr pc)
{
    size_t low = 0, high = unit->count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (unit->ranges[middle].low <= pc)
            low = middle + 1;
        else
            high = middle;
    }
    if (low == 0 || pc >= unit->ranges[low - 1].high)
        return NULL;
    return &unit->ranges[low - 1].die;
}

/* The chain of functions at pc in the unit: through the index, else (a
 * function the index does not hold, say one inside a class) by walking the
 * whole unit. */
static void function_chain(symbols_module_t *module, Dwarf_Die *unit_die, Dwarf_Addr pc,
                           die_chain_t *chain)
{
    unit_functions_t *unit = unit_functions(module, unit_die);
    Dwarf_Die *function = unit != NULL ? unit_function_at(unit, pc) : NULL;
    if (function != NULL && chain_push(chain, function)) {
        walk_scopes(function, pc, chain, 0);
        return;
    }
    chain->count = 0;
    walk_scopes(unit_die, pc, chain, 0);
}

/* The function's name: the linkage name when there is one (C++: mangled,
 * complete and the same as the symbol table's), else DW_AT_name, following
 * DW_AT_abstract_origin and DW_AT_specification. NULL when it has none. */
static const char *die_function_name(Dwarf_Die *die)
{
    Dwarf_Attribute attribute;
    const char *name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &attribute));
    if (name == NULL)
        name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &attribute));
    if (name == NULL)
        name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &attribute));
    return name;
}

/* An inlined instance's call site: the file and line in the function it
 * was inlined into. */
static void die_call_site(Dwarf_Die *die, const char **file, unsigned *line)
{
    Dwarf_Attribute attribute;
    Dwarf_Word value;
    *file = NULL;
    *line = 0;
    if (dwarf_formudata(dwarf_attr(die, DW_AT_call_line, &attribute), &value) == 0 &&
        value <= UINT32_MAX)
        *line = (unsigned)value;
    Dwarf_Die unit;
    Dwarf_Files *files;
    size_t nfiles;
    if (dwarf_formudata(dwarf_attr(die, DW_AT_call_file, &attribute), &value) == 0 &&
        dwarf_diecu(die, &unit, NULL, NULL) != NULL &&
        dwarf_getsrcfiles(&unit, &files, &nfiles) == 0 && value < nfiles)
        *file = dwarf_filesrc(files, value, NULL, NULL);
}

/* --- resolving ---------------------------------------------------------------- */

static const char *module_offset_name(cli_symbols_t *symbols, const cli_module_t *info,
                                      uint64_t address)
{
    return arena_printf(&symbols->arena, "%s+0x%" PRIx64,
                        path_basename(info->path != NULL ? info->path : "?"), address);
}

static int binding_rank(unsigned char info)
{
    switch (GELF_ST_BIND(info)) {
    case STB_GLOBAL:
        return 3;
    case STB_WEAK:
        return 2;
    case STB_LOCAL:
        return 1;
    default:
        return 0;
    }
}

/* By address; at one address the one to choose first: sized, then by
 * binding. */
static int compare_symbols(const void *left, const void *right)
{
    const symbol_entry_t *a = left, *b = right;
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    if (a->sized != b->sized)
        return a->sized ? -1 : 1;
    return (int)b->binding_rank - (int)a->binding_rank;
}

/* Reads the module's symbol tables (the file's, its debug file's, a
 * .gnu_debugdata one) into the index. False when memory ran short. */
static bool symbol_index_build(symbols_module_t *module)
{
    symbol_index_t *index = &module->symbols;
    index->built = true;
    int total = dwfl_module_getsymtab(module->module);
    if (total <= 0)
        return true;
    index->entries = malloc((size_t)total * sizeof index->entries[0]);
    if (index->entries == NULL)
        return false;
    for (int k = 1; k < total; k++) {
        GElf_Sym symbol;
        GElf_Addr address;
        GElf_Word section;
        Elf *elf = NULL;
        Dwarf_Addr bias = 0;
        const char *name = dwfl_module_getsym_info(module->module, k, &symbol, &address,
                                                   &section, &elf, &bias);
        int type = GELF_ST_TYPE(symbol.st_info);
        if (name == NULL || name[0] == '\0' || section == SHN_UNDEF ||
            section >= SHN_LORESERVE || type == STT_SECTION || type == STT_FILE ||
            type == STT_TLS)
            continue;
        symbol_entry_t *entry = &index->entries[index->count];
        entry->start = address;
        entry->name = name;
        entry->binding_rank = (unsigned char)binding_rank(symbol.st_info);
        entry->sized = symbol.st_size != 0;
        if (entry->sized) {
            entry->end = address + symbol.st_size;
        } else {
            /* A label counts only within its own section. */
            GElf_Shdr header;
            Elf_Scn *scn = elf != NULL ? elf_getscn(elf, section) : NULL;
            if (scn == NULL || gelf_getshdr(scn, &header) == NULL)
                continue;
            entry->end = header.sh_addr + header.sh_size + bias;
            if (entry->end <= address)
                continue;
        }
        index->count++;
    }
    if (index->count == 0)
        return true;
    qsort(index->entries, index->count, sizeof index->entries[0], compare_symbols);
    index->covered_end = malloc(index->count * sizeof index->covered_end[0]);
    index->last_sizeless = malloc(index->count * sizeof index->last_sizeless[0]);
    if (index->covered_end == NULL || index->last_sizeless == NULL)
        return false;
    Dwarf_Addr covered = 0;
    size_t sizeless = SIZE_MAX;
    for (size_t k = 0; k < index->count; k++) {
        const symbol_entry_t *entry = &index->entries[k];
        if (entry->sized && entry->end > covered)
            covered = entry->end;
        /* Of several labels at one address, the first sorted is the best. */
        if (!entry->sized &&
            (sizeless == SIZE_MAX || index->entries[sizeless].start != entry->start))
            sizeless = k;
        index->covered_end[k] = covered;
        index->last_sizeless[k] = sizeless;
    }
    return true;
}

/* The symbol for address and its offset in it; NULL without one. */
static const char *symbol_lookup(symbols_module_t *module, Dwarf_Addr address,
                                 Dwarf_Addr *offset)
{
    symbol_index_t *index = &module->symbols;
    if (!index->built && !symbol_index_build(module)) {
        /* Short of memory: the slow way, without the index. */
        free(index->entries);
        free(index->covered_end);
        free(index->last_sizeless);
        memset(index, 0, sizeof *index);
        GElf_Off symbol_offset = 0;
        GElf_Sym symbol;
        const char *name = dwfl_module_addrinfo(module->module, address, &symbol_offset,
                                                &symbol, NULL, NULL, NULL);
        *offset = symbol_offset;
        return name;
    }
    size_t low = 0, high = index->count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (index->entries[middle].start <= address)
            low = middle + 1;
        else
            high = middle;
    }
    if (low == 0)
        return NULL;
    size_t last = low - 1;     /* the last entry at or below address */
    if (index->covered_end[last] > address) {
        /* Some sized symbol covers it: the one that starts highest, and at
         * that address the first in sorted order. */
        const symbol_entry_t *best = NULL;
        for (size_t k = last + 1; k-- > 0 && index->covered_end[k] > address;) {
            const symbol_entry_t *entry = &index->entries[k];
            if (best != NULL && entry->start != best->start)
                break;
            if (entry->sized && address < entry->end)
                best = entry;
        }
        if (best != NULL) {
            *offset = address - best->start;
            return best->name;
        }
        return NULL;
    }
    size_t sizeless = index->last_sizeless[last];
    if (sizeless == SIZE_MAX)
        return NULL;
    const symbol_entry_t *label = &index->entries[sizeless];
    /* At or past the end of every sized symbol that starts at or below the
     * address, and in the label's section. */
    if (index->covered_end[last] > label->start || address >= label->end)
        return NULL;
    *offset = address - label->start;
    return label->name;
}

/* "name" or "name+0xOFF" from the ELF symbol tables, with *bare the name
 * alone; NULL without a symbol (or memory), *bare NULL too. */
static const char *symbol_name(cli_symbols_t *symbols, symbols_module_t *module,
                               Dwarf_Addr address, const char **bare)
{
    Dwarf_Addr offset = 0;
    const char *name = symbol_lookup(module, address, &offset);
    *bare = name != NULL ? arena_strdup(&symbols->arena, name) : NULL;
    if (*bare == NULL || offset == 0)
        return *bare;
    return arena_printf(&symbols->arena, "%s+0x%" PRIx64, name, (uint64_t)offset);
}

/* The locations of address (a file address, already less one) in a usable
 * module, into result. False when memory ran short. */
static bool resolve_in_module(cli_symbols_t *symbols, const cli_module_t *info,
                              symbols_module_t *module, uint64_t address,
                              cli_resolved_t *result)
{
    Dwarf_Addr session_address = address + module->bias;
    die_chain_t chain = { NULL, 0, 0 };
    Dwarf_Addr cu_bias = 0;
    Dwarf_Die *unit = unit_at(module, session_address, &cu_bias);
    const char *file = NULL;
    int line_number = 0;
    if (unit != NULL) {
        Dwarf_Addr pc = session_address - cu_bias;
        function_chain(module, unit, pc, &chain);
        /* The line table's row for the address (what dwfl_module_getsrc
         * gives, from the unit found here even without .debug_aranges). */
        Dwarf_Line *line = dwarf_getsrc_die(unit, pc);
        if (line != NULL && dwarf_lineno(line, &line_number) == 0)
            file = dwarf_linesrc(line, NULL, NULL);
    }
    if (file == NULL || line_number < 0) {
        file = NULL;
        line_number = 0;
    }

    /* The chain with its outermost DIE not a function (an inlined instance
     * whose enclosing subprogram was not found) ends with the symbol. */
    bool outer_from_symbols = chain.count == 0 || dwarf_tag(&chain.dies[0]) != DW_TAG_subprogram;
    size_t count = chain.count + (outer_from_symbols ? 1 : 0);
    cli_location_t *locations = arena_alloc(&symbols->arena, count * sizeof locations[0]);
    if (locations == NULL) {
        free(chain.dies);
        return false;
    }
    bool complete = true;
    unsigned current_line = line_number > 0 ? (unsigned)line_number : 0;
    size_t slot = 0;
    for (size_t k = chain.count; k-- > 0;) {
        Dwarf_Die *die = &chain.dies[k];
        const char *name = die_function_name(die);
        cli_location_t *location = &locations[slot++];
        location->symbol = NULL;
        if (name != NULL)
            location->function = location->symbol = arena_strdup(&symbols->arena, name);
        else if (k == 0 && !outer_from_symbols)
            location->function = symbol_name(symbols, module, session_address,
                                             &location->symbol);
        else
            location->function = NULL;
        if (location->function == NULL)
            location->function = arena_strdup(&symbols->arena, "??");
        location->file = file != NULL ? arena_strdup(&symbols->arena, file) : NULL;
        location->line = file != NULL ? current_line : 0;
        location->module = info->path;
        if (location->function == NULL || (file != NULL && location->file == NULL))
            complete = false;
        if (dwarf_tag(die) == DW_TAG_inlined_subroutine)
            die_call_site(die, &file, &current_line);
    }
    if (outer_from_symbols) {
        /* No function in the debug information (none at all, or assembly
         * with only a line table): the symbol table names it, and the line
         * table, when it covers the address, still gives the line. */
        cli_location_t *location = &locations[slot++];
        location->function = symbol_name(symbols, module, session_address, &location->symbol);
        if (location->function == NULL)
            location->function = module_offset_name(symbols, info, address);
        location->file = file != NULL ? arena_strdup(&symbols->arena, file) : NULL;
        location->line = file != NULL ? current_line : 0;
        location->module = info->path;
        if (location->function == NULL || (file != NULL && location->file == NULL))
            complete = false;
    }
    free(chain.dies);
    if (!complete)
        return false;
    result->locations = locations;
    result->count = (unsigned)count;
    return true;
}

static bool resolve_frame(cli_symbols_t *symbols, const cli_frame_t *frame,
                          cli_resolved_t *result)
{
    const cli_snapshot_t *snapshot = symbols->snapshot;
    if (frame->module < 0 || (uint64_t)frame->module >= snapshot->nmodules) {
        /* In no module: the absolute address, as recorded. */
        cli_location_t *location = arena_alloc(&symbols->arena, sizeof *location);
        if (location == NULL)
            return false;
        location->function = arena_printf(&symbols->arena, "0x%" PRIx64, frame->offset);
        location->symbol = NULL;
        location->file = NULL;
        location->line = 0;
        location->module = NULL;
        if (location->function == NULL)
            return false;
        result->locations = location;
        result->count = 1;
        return true;
    }

    size_t index = (size_t)frame->module;
    const cli_module_t *info = &snapshot->modules[index];
    /* A return address: the call is the instruction before it. */
    uint64_t address = frame->offset > 0 ? frame->offset - 1 : 0;
    symbols_module_t *module = module_get(symbols, index);
    if (module->state == MODULE_READY)
        return resolve_in_module(symbols, info, module, address, result);

    cli_location_t *location = arena_alloc(&symbols->arena, sizeof *location);
    if (location == NULL)
        return false;
    location->function = module_offset_name(symbols, info, address);
    location->symbol = NULL;
    location->file = NULL;
    location->line = 0;
    location->module = info->path;
    if (location->function == NULL)
        return false;
    result->locations = location;
    result->count = 1;
    return true;
}

/* --- the interface -------------------------------------------------------------- */

cli_symbols_t *cli_symbols_new(const cli_snapshot_t *snapshot)
{
    cli_symbols_t *symbols = calloc(1, sizeof *symbols);
    if (symbols == NULL)
        return NULL;
    symbols->snapshot = snapshot;
    symbols->modules = calloc(snapshot->nmodules != 0 ? snapshot->nmodules : 1,
                              sizeof symbols->modules[0]);
    symbols->resolved = calloc(snapshot->nframes != 0 ? snapshot->nframes : 1,
                               sizeof symbols->resolved[0]);
    if (symbols->modules == NULL || symbols->resolved == NULL) {
        free(symbols->modules);
        free(symbols->resolved);
        free(symbols);
        return NULL;
    }
    symbols->unknown_location.function = "?";
    symbols->unknown.locations = &symbols->unknown_location;
    symbols->unknown.count = 1;
    return symbols;
}

const cli_resolved_t *cli_symbols_resolve(cli_symbols_t *symbols, uint32_t frame_id)
{
    if (frame_id >= symbols->snapshot->nframes)
        return &symbols->unknown;
    cli_resolved_t *resolved = &symbols->resolved[frame_id];
    if (resolved->count == 0 &&
        !resolve_frame(symbols, &symbols->snapshot->frames[frame_id], resolved))
        return &symbols->unknown;    /* out of memory: tried again next time */
    return resolved;
}

void cli_symbols_free(cli_symbols_t *symbols)
{
    if (symbols == NULL)
        return;
    for (size_t k = 0; k < symbols->snapshot->nmodules; k++)
        module_close(&symbols->modules[k]);
    free(symbols->modules);
    free(symbols->resolved);
    for (arena_chunk_t *chunk = symbols->arena, *next; chunk != NULL; chunk = next) {
        next = chunk->next;
        free(chunk);
    }
    free(symbols);
}
