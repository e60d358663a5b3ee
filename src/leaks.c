/* leaks.c: the leak check's mark phase and classification (leaks.h).
 *
 * A block is named by a reference: a small block by its address (8-aligned),
 * a large block by its index in the sorted table of large blocks, shifted
 * left with the low bit set. Its state lives in two bits of a 32-bit word:
 * the top of its slot's size field for a small block (slots.h), the flags of
 * its entry in the large table for a large one, so both are handled alike:
 *
 *   slot.size / large.flags:  | ignored (31) | state (30..29) | size (28..0) |
 *
 *   state  UNREACHED --start pointer from a definite source--> REACHABLE
 *             |  \--interior pointer, or any from a possible one--> POSSIBLE
 *             |                                                      |
 *             |                                  start pointer from a definite source
 *             |                                                      v
 *             \--reached from a lost block (step 3)--> INDIRECT   REACHABLE
 *
 * Every transition pushes the block on the work stack, so it is scanned
 * once per state it takes: at most twice. The state bits are cleared again
 * before the other threads go on.
 *
 * Memory: everything here is mapped with ms_os_map and given back at the end;
 * while the world is stopped nothing may call malloc or take a lock. */
#include "leaks.h"

#include <dlfcn.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "caller_frame.h"
#include "domains.h"
#include "fork.h"
#include "large.h"
#include "mappings.h"
#include "os.h"
#include "radix.h"
#include "slots.h"
#include "sort.h"
#include "trace.h"
#include "traceback.h"
#include "world.h"

enum { UNREACHED, REACHABLE, POSSIBLE, INDIRECT };

/* How a scanned range counts as the source of the pointers in it. */
typedef enum source { DEFINITE_SOURCE, POSSIBLE_SOURCE, LOST_SOURCE } source_t;

/* Per traceback id, from its frames. */
enum { ALLOCATED_BY_LOADER = 1, ALLOCATED_BY_NEW = 2 };

/* A thread's TLS block and control block around its thread pointer: glibc's
 * struct pthread is about 2.3 KiB. */
#define THREAD_CONTROL_BYTES 4096

typedef struct array {
    char *items;
    size_t count, capacity, item_size;
} array_t;

typedef struct range {
    uintptr_t start, end;
} range_t;

typedef struct large_block {
    uintptr_t start;
    uint64_t size;
    uint64_t inside;              /* pointers below start + inside point into it */
    uint32_t traceback;
    uint32_t flags;               /* MS_SLOT_IGNORED and state bits, as in a slot */
} large_block_t;

typedef struct arena_entry {
    uintptr_t address;
    uint64_t held_pools;
} arena_entry_t;

typedef struct block {
    uintptr_t reference;
    uintptr_t start;
    uint64_t size;
    uint32_t *word;               /* the state bits */
    uint32_t traceback;
} block_t;

typedef struct checker {
    array_t roots;                /* range_t: segments and regions, not clamped yet */
    array_t large;                /* large_block_t, sorted by start */
    array_t arenas;               /* arena_entry_t, sorted by address */
    array_t stack;                /* uintptr_t references still to scan */
    uint8_t *traceback_flags;
    uint32_t ntracebacks;
    uintptr_t low, high;          /* no block lies outside */
    uintptr_t loader_start, loader_end;
    uintptr_t operator_new[4][2]; /* the C++ allocation functions' code */
    size_t static_tls_bytes;
    uintptr_t self[2];            /* memsnap's code, when it is a library of its own */
    uintptr_t libc[2];            /* the C library's code */
    ms_caller_frame_t caller;     /* the program's frame on this thread's stack */
    uintptr_t leader;             /* step 3: the lost block being followed */
    int concurrent;               /* a thread runs on: state changes are atomic */
    int failed;                   /* out of memory */
    ms_mappings_t mappings;
    uint64_t (*counts)[MS_LEAK_KIND_COUNT][2];
} checker_t;

/* ---- memory of the check's own ------------------------------------------ */

static void *array_push(checker_t *checker, array_t *array)
{
    if (array->count == array->capacity) {
        size_t capacity = array->capacity == 0 ? 4096 : array->capacity * 2;
        char *items = ms_os_map(capacity * array->item_size);
        if (items == NULL) {
            checker->failed = 1;
            return NULL;
        }
        if (array->count != 0)
            memcpy(items, array->items, array->count * array->item_size);
        if (array->items != NULL)
            ms_os_unmap(array->items, array->capacity * array->item_size);
        array->items = items;
        array->capacity = capacity;
    }
    return array->items + array->count++ * array->item_size;
}

static void array_free(array_t *array)
{
    if (array->items != NULL)
        ms_os_unmap(array->items, array->capacity * array->item_size);
    array->items = NULL;
    array->count = array->capacity = 0;
}

static void add_range(checker_t *checker, uintptr_t start, uintptr_t end)
{
    range_t *range = array_push(checker, &checker->roots);
    if (range != NULL)
        *range = (range_t){ start, end };
}

/* ---- before the world stops: what needs ld.so ---------------------------- */

static int in_range(uintptr_t address, uintptr_t start, uintptr_t end)
{
    return address >= start && address < end;
}

/* The extent of a module's PT_LOAD segments. */
static void module_extent(const struct dl_phdr_info *info, uintptr_t extent[2])
{
    extent[0] = UINTPTR_MAX;
    extent[1] = 0;
    for (unsigned i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *segment = &info->dlpi_phdr[i];
        uintptr_t start = info->dlpi_addr + segment->p_vaddr;
        if (segment->p_type != PT_LOAD)
            continue;
        if (start < extent[0])
            extent[0] = start;
        if (start + segment->p_memsz > extent[1])
            extent[1] = start + segment->p_memsz;
    }
}

static int segments_of_module(struct dl_phdr_info *info, size_t size, void *context)
{
    (void)size;
    checker_t *checker = context;
    uintptr_t extent[2];
    module_extent(info, extent);
    if (in_range((uintptr_t)exit, extent[0], extent[1]))
        memcpy(checker->libc, extent, sizeof extent);
    /* memsnap's own globals point at its own tables, never into blocks the
     * program holds; when it is a library of its own (the preload), skip it. */
    if (in_range((uintptr_t)ms_leak_check, extent[0], extent[1]) && info->dlpi_name != NULL &&
        info->dlpi_name[0] != '\0') {
        memcpy(checker->self, extent, sizeof extent);
        return 0;
    }
    for (unsigned i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *segment = &info->dlpi_phdr[i];
        if (segment->p_type == PT_LOAD && (segment->p_flags & PF_W)) {
            uintptr_t start = info->dlpi_addr + segment->p_vaddr;
            add_range(checker, start, start + segment->p_memsz);
        }
    }
    return 0;
}

/* The range of the function holding symbol name, or an empty one. */
static void function_range(const char *name, uintptr_t range[2])
{
    Dl_info info;
    const ElfW(Sym) *symbol = NULL;
    void *address = dlsym(RTLD_DEFAULT, name);
    range[0] = range[1] = 0;
    if (address != NULL && dladdr1(address, &info, (void **)&symbol, RTLD_DL_SYMENT) != 0 &&
        symbol != NULL) {
        range[0] = (uintptr_t)address;
        range[1] = range[0] + symbol->st_size;
    }
}

static void prepare(checker_t *checker, int at_exit, uintptr_t stack_low)
{
    dl_iterate_phdr(segments_of_module, checker);
    ms_large_loader_range(&checker->loader_start, &checker->loader_end);
    /* At exit, libc's exit and ld.so's _dl_fini called the destructor: their
     * frames are not the program's either. */
    const uintptr_t skip[3][2] = {
        { checker->self[0], checker->self[1] },
        { checker->loader_start, checker->loader_end },
        { checker->libc[0], checker->libc[1] },
    };
    if (ms_caller_frame(skip, at_exit ? 3 : 1, &checker->caller) != 0)
        checker->caller = (ms_caller_frame_t){ .stack_pointer = stack_low };
    /* glibc's own interface for the size of the static TLS area below the
     * thread pointer (LeakSanitizer uses it too); absent, only the control
     * block above the thread pointer is scanned. */
    void (*tls_info)(size_t *, size_t *) =
        (void (*)(size_t *, size_t *))dlsym(RTLD_DEFAULT, "_dl_get_tls_static_info");
    if (tls_info != NULL) {
        size_t alignment;
        tls_info(&checker->static_tls_bytes, &alignment);
    }
    /* operator new and new[], plain and aligned (the nothrow forms call
     * these): a new[] block may be held by a pointer past its element count
     * (memcheck's "newarray" heuristic). libstdc++'s new[] tail-calls new, so
     * the two cannot be told apart by their frames: both count. */
    static const char *const names[4] = { "_Znwm", "_Znam", "_ZnwmSt11align_val_t",
                                          "_ZnamSt11align_val_t" };
    for (int i = 0; i < 4; i++)
        function_range(names[i], checker->operator_new[i]);
}

/* ---- tables, once the locks are held ------------------------------------- */

static void add_large(void *context, uintptr_t start, uint64_t size, uint64_t inside,
                      uint32_t traceback, int ignored)
{
    checker_t *checker = context;
    large_block_t *block = array_push(checker, &checker->large);
    if (block != NULL)
        *block = (large_block_t){ start, size, inside, traceback, ignored ? MS_SLOT_IGNORED : 0 };
}

static void add_arena(void *context, uintptr_t address, uint64_t held_pools)
{
    checker_t *checker = context;
    arena_entry_t *entry = array_push(checker, &checker->arenas);
    if (entry != NULL)
        *entry = (arena_entry_t){ address, held_pools };
}

static void add_region(void *context, uintptr_t start, uint64_t size)
{
    add_range(context, start, start + size);
}

static int large_before(const void *a, const void *b)
{
    return ((const large_block_t *)a)->start < ((const large_block_t *)b)->start;
}

static int arena_before(const void *a, const void *b)
{
    return ((const arena_entry_t *)a)->address < ((const arena_entry_t *)b)->address;
}

static void flag_tracebacks(checker_t *checker)
{
    for (uint32_t id = 1; id < checker->ntracebacks; id++) {
        const ms_traceback_t *traceback = ms_site(id)->traceback;
        if (traceback == NULL || traceback->nframes == 0)
            continue;
        uint8_t flags = 0;
        if (in_range(traceback->frames[0], checker->loader_start, checker->loader_end))
            flags |= ALLOCATED_BY_LOADER;
        for (int i = 0; i < 4; i++)
            if (in_range(traceback->frames[0], checker->operator_new[i][0],
                         checker->operator_new[i][1]))
                flags |= ALLOCATED_BY_NEW;
        checker->traceback_flags[id] = flags;
    }
}

static void build_tables(checker_t *checker)
{
    ms_large_visit_held(add_large, checker);
    ms_arena_visit_held(add_arena, checker);
    ms_domains_visit_regions_held(add_region, checker);
    ms_sort(checker->large.items, checker->large.count, sizeof(large_block_t), large_before);
    ms_sort(checker->arenas.items, checker->arenas.count, sizeof(arena_entry_t), arena_before);

    checker->low = UINTPTR_MAX;
    checker->high = 0;
    if (checker->arenas.count != 0) {
        const arena_entry_t *arenas = (const arena_entry_t *)checker->arenas.items;
        checker->low = arenas[0].address;
        checker->high = arenas[checker->arenas.count - 1].address + MS_ARENA_SIZE;
    }
    if (checker->large.count != 0) {
        const large_block_t *large = (const large_block_t *)checker->large.items;
        const large_block_t *last = &large[checker->large.count - 1];
        if (large[0].start < checker->low)
            checker->low = large[0].start;
        if (last->start + last->size + 1 > checker->high)
            checker->high = last->start + last->size + 1;
    }
}

/* ---- finding the block a word points into -------------------------------- */

static large_block_t *large_table(const checker_t *checker)
{
    return (large_block_t *)checker->large.items;
}

static int find_small(uintptr_t value, block_t *block)
{
    ms_arena_t *arena = ms_radix_lookup((const void *)value);
    if (arena == NULL)
        return 0;
    uintptr_t pool_address = value & ~(uintptr_t)(MS_POOL_SIZE - 1);
    unsigned index = (unsigned)((pool_address - arena->address) / MS_POOL_SIZE);
    if ((arena->free_pools >> index) & 1)
        return 0;
    ms_pool_t *pool = (ms_pool_t *)pool_address;
    uintptr_t offset = value - pool_address;
    ms_slot_t *slots = pool->slots;
    if (offset < MS_POOL_OVERHEAD || offset >= pool->nextoffset || slots == NULL)
        return 0;
    unsigned number = ms_block_number(pool, (const void *)value);
    ms_slot_t *slot = &slots[number];
    if (slot->traceback == 0)
        return 0;
    block->start = pool_address + MS_POOL_OVERHEAD + number * ms_szidx_to_size(pool->szidx);
    block->size = slot->size & MS_SLOT_SIZE_MASK;
    if (value != block->start && value - block->start >= block->size)
        return 0;
    block->reference = block->start;
    block->word = &slot->size;
    block->traceback = slot->traceback;
    return 1;
}

static void describe_large(const checker_t *checker, size_t index, block_t *block)
{
    large_block_t *large = &large_table(checker)[index];
    block->reference = (uintptr_t)index << 1 | 1;
    block->start = large->start;
    block->size = large->size;
    block->word = &large->flags;
    block->traceback = large->traceback;
}

static int find_large(const checker_t *checker, uintptr_t value, block_t *block)
{
    const large_block_t *large = large_table(checker);
    size_t low = 0, high = checker->large.count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (large[middle].start <= value)
            low = middle + 1;
        else
            high = middle;
    }
    if (low == 0)
        return 0;
    const large_block_t *candidate = &large[low - 1];
    if (value != candidate->start && value - candidate->start >= candidate->inside)
        return 0;
    describe_large(checker, low - 1, block);
    return 1;
}

static void describe(const checker_t *checker, uintptr_t reference, block_t *block)
{
    if (reference & 1) {
        describe_large(checker, reference >> 1, block);
        return;
    }
    ms_pool_t *pool = MS_POOL_OF(reference);
    ms_slot_t *slot = &pool->slots[ms_block_number(pool, (const void *)reference)];
    *block = (block_t){ reference, reference, slot->size & MS_SLOT_SIZE_MASK, &slot->size,
                        slot->traceback };
}

static unsigned state_of(const block_t *block)
{
    return (__atomic_load_n(block->word, __ATOMIC_RELAXED) & MS_SLOT_STATE_MASK) >> MS_SLOT_STATE_SHIFT;
}

/* From state from to state to; XOR leaves the other bits, which a running
 * thread may be changing (only when the world is incomplete), alone. */
static void change_state(checker_t *checker, const block_t *block, unsigned from, unsigned to)
{
    uint32_t flip = (from ^ to) << MS_SLOT_STATE_SHIFT;
    if (checker->concurrent)
        __atomic_fetch_xor(block->word, flip, __ATOMIC_RELAXED);
    else
        *block->word ^= flip;
}

static void push(checker_t *checker, uintptr_t reference)
{
    uintptr_t *slot = array_push(checker, &checker->stack);
    if (slot != NULL)
        *slot = reference;
}

/* memcheck's heuristics (valgrind's --leak-check-heuristics, all on by
 * default there): interior pointers that C++ and C idioms hold. */
MS_NO_ASAN static int counts_as_start(const checker_t *checker, const block_t *block,
                                      uintptr_t value)
{
    const uint64_t *header = (const uint64_t *)block->start;
    uint64_t offset = value - block->start;
    if (offset == 8 && block->size >= 8) {
        /* length64: a 64-bit length, then the data the pointer points to. */
        if (header[0] == block->size - 8)
            return 1;
        /* newarray: new[] of objects with destructors keeps the element
         * count first and returns the address after it. */
        if (block->traceback < checker->ntracebacks &&
            (checker->traceback_flags[block->traceback] & ALLOCATED_BY_NEW) &&
            header[0] != 0 && (block->size - 8) % header[0] == 0)
            return 1;
    }
    /* stdstring: libstdc++'s old reference-counted string, pointed to at
     * its characters after length, capacity and reference count. */
    if (offset == 24 && block->size >= 25 && header[0] <= header[1] && header[1] + 25 == block->size)
        return 1;
    return 0;
}

static void reach(checker_t *checker, uintptr_t value, source_t source)
{
    block_t block;
    if (!find_small(value, &block) && !find_large(checker, value, &block))
        return;
    unsigned state = state_of(&block);
    if (source == LOST_SOURCE) {
        if (state == UNREACHED && block.reference != checker->leader) {
            change_state(checker, &block, UNREACHED, INDIRECT);
            push(checker, block.reference);
        }
        return;
    }
    if (state == REACHABLE)
        return;
    int via_start = value == block.start || counts_as_start(checker, &block, value);
    if (via_start && source == DEFINITE_SOURCE) {
        change_state(checker, &block, state, REACHABLE);
        push(checker, block.reference);
    } else if (state == UNREACHED) {
        change_state(checker, &block, UNREACHED, POSSIBLE);
        push(checker, block.reference);
    }
}

/* Reads the program's memory as words, redzones and all. */
MS_NO_ASAN static void scan(checker_t *checker, uintptr_t start, uintptr_t end, source_t source)
{
    uintptr_t low = checker->low, high = checker->high;
    for (uintptr_t word = (start + 7) & ~(uintptr_t)7; word + 8 <= end; word += 8) {
        uintptr_t value = *(const uintptr_t *)word;
        if (value >= low && value < high)
            reach(checker, value, source);
    }
}

/* Scans the readable parts of [start, end) as a root. */
static void scan_root(checker_t *checker, uintptr_t start, uintptr_t end)
{
    const ms_mappings_t *mappings = &checker->mappings;
    for (size_t i = ms_mappings_first_after(mappings, start); i < mappings->count; i++) {
        const ms_mapping_t *mapping = &mappings->items[i];
        if (mapping->start >= end)
            break;
        if (mapping->readable)
            scan(checker, start > mapping->start ? start : mapping->start,
                 end < mapping->end ? end : mapping->end, DEFINITE_SOURCE);
    }
}

static void drain(checker_t *checker)
{
    while (checker->stack.count > 0) {
        uintptr_t reference = ((uintptr_t *)checker->stack.items)[--checker->stack.count];
        block_t block;
        describe(checker, reference, &block);
        source_t source = LOST_SOURCE;
        if (checker->leader == 0)
            source = state_of(&block) == REACHABLE ? DEFINITE_SOURCE : POSSIBLE_SOURCE;
        scan(checker, block.start, block.start + block.size, source);
    }
}

/* ---- walking every block in address order -------------------------------- */

typedef void block_visitor_t(checker_t *checker, block_t *block);

static void visit_pool(checker_t *checker, ms_pool_t *pool, block_visitor_t *visitor)
{
    ms_slot_t *slots = pool->slots;
    if (slots == NULL)
        return;
    size_t block_size = ms_szidx_to_size(pool->szidx);
    unsigned carved = (unsigned)((pool->nextoffset - MS_POOL_OVERHEAD) / block_size);
    for (unsigned number = 0; number < carved; number++) {
        if (slots[number].traceback == 0)
            continue;
        uintptr_t start = (uintptr_t)pool + MS_POOL_OVERHEAD + number * block_size;
        block_t block = { start, start, slots[number].size & MS_SLOT_SIZE_MASK, &slots[number].size,
                          slots[number].traceback };
        visitor(checker, &block);
    }
}

static void visit_blocks(checker_t *checker, block_visitor_t *visitor)
{
    const arena_entry_t *arenas = (const arena_entry_t *)checker->arenas.items;
    size_t next_large = 0;
    for (size_t a = 0; a <= checker->arenas.count; a++) {
        uintptr_t limit = a < checker->arenas.count ? arenas[a].address : UINTPTR_MAX;
        for (; next_large < checker->large.count && large_table(checker)[next_large].start < limit;
             next_large++) {
            block_t block;
            describe_large(checker, next_large, &block);
            visitor(checker, &block);
        }
        if (a == checker->arenas.count)
            break;
        uint64_t held = arenas[a].held_pools;
        while (held != 0) {
            unsigned index = (unsigned)__builtin_ctzll(held);
            held &= held - 1;
            visit_pool(checker, (ms_pool_t *)(arenas[a].address + (uintptr_t)index * MS_POOL_SIZE),
                       visitor);
        }
    }
}

/* Blocks ld.so allocated (dynamic TLS, its own tables) and blocks the
 * program asked memsnap to ignore are roots. */
static void seed(checker_t *checker, block_t *block)
{
    int ignored = (*block->word & MS_SLOT_IGNORED) != 0;
    int loader = block->traceback < checker->ntracebacks &&
                 (checker->traceback_flags[block->traceback] & ALLOCATED_BY_LOADER);
    if (ignored || loader) {
        change_state(checker, block, state_of(block), REACHABLE);
        push(checker, block->reference);
    }
}

static void follow_lost(checker_t *checker, block_t *block)
{
    if (state_of(block) != UNREACHED)
        return;
    checker->leader = block->reference;
    push(checker, block->reference);
    drain(checker);
}

static void count_and_clear(checker_t *checker, block_t *block)
{
    static const ms_leak_kind_t kind_of_state[] = {
        [UNREACHED] = MS_LEAK_DEFINITE, [REACHABLE] = MS_LEAK_REACHABLE,
        [POSSIBLE] = MS_LEAK_POSSIBLE, [INDIRECT] = MS_LEAK_INDIRECT,
    };
    unsigned state = state_of(block);
    ms_leak_kind_t kind = kind_of_state[state];
    if (*block->word & MS_SLOT_IGNORED)
        kind = MS_LEAK_IGNORED;
    /* A large block made before tracing started (traceback 0) takes part in
     * the marking but has no row to be counted in. */
    if (block->traceback != 0 && block->traceback < checker->ntracebacks) {
        checker->counts[block->traceback][kind][0] += block->size;
        checker->counts[block->traceback][kind][1]++;
    }
    change_state(checker, block, state, UNREACHED);
}

/* ---- the threads ----------------------------------------------------------- */

static void scan_thread(checker_t *checker, uintptr_t stack_low, uintptr_t thread_pointer)
{
    const ms_mapping_t *stack = ms_mappings_find(&checker->mappings, stack_low);
    if (stack != NULL)
        scan_root(checker, stack_low, stack->end);
    if (thread_pointer != 0)
        scan_root(checker, thread_pointer - checker->static_tls_bytes,
                  thread_pointer + THREAD_CONTROL_BYTES);
}

/* ---- the result ------------------------------------------------------------ */

static int row_before(const void *a, const void *b)
{
    const ms_leak_row_t *x = a, *y = b;
    if (x->kind != y->kind)
        return x->kind < y->kind;
    if (x->size != y->size)
        return x->size > y->size;
    return x->traceback < y->traceback;
}

static int make_rows(checker_t *checker, ms_leak_result_t *result)
{
    size_t nrows = 0;
    for (uint32_t id = 0; id < checker->ntracebacks; id++)
        for (int kind = 0; kind < MS_LEAK_KIND_COUNT; kind++)
            nrows += checker->counts[id][kind][1] != 0;
    result->rows_bytes = (nrows + 1) * sizeof(ms_leak_row_t);
    result->rows = ms_os_map(result->rows_bytes);
    if (result->rows == NULL)
        return -1;
    for (uint32_t id = 0; id < checker->ntracebacks; id++) {
        for (int kind = 0; kind < MS_LEAK_KIND_COUNT; kind++) {
            uint64_t size = checker->counts[id][kind][0], count = checker->counts[id][kind][1];
            if (count == 0)
                continue;
            result->rows[result->nrows++] = (ms_leak_row_t){ id, (uint32_t)kind, size, count };
            result->size[kind] += size;
            result->count[kind] += count;
        }
    }
    ms_sort(result->rows, result->nrows, sizeof(ms_leak_row_t), row_before);
    return 0;
}

static void release(checker_t *checker)
{
    array_free(&checker->roots);
    array_free(&checker->large);
    array_free(&checker->arenas);
    array_free(&checker->stack);
    ms_mappings_free(&checker->mappings);
    if (checker->traceback_flags != NULL)
        ms_os_unmap(checker->traceback_flags, checker->ntracebacks);
    if (checker->counts != NULL)
        ms_os_unmap(checker->counts, checker->ntracebacks * sizeof *checker->counts);
}

/* Everything between stopping the world and letting it go. */
static void mark_and_sweep(checker_t *checker, const ms_world_t *world)
{
    flag_tracebacks(checker);
    build_tables(checker);
    visit_blocks(checker, seed);
    const range_t *roots = (const range_t *)checker->roots.items;
    for (size_t i = 0; i < checker->roots.count; i++)
        scan_root(checker, roots[i].start, roots[i].end);
    const ms_caller_frame_t *caller = &checker->caller;
    scan(checker, (uintptr_t)caller->registers, (uintptr_t)&caller->registers[caller->nregisters],
         DEFINITE_SOURCE);
    scan_thread(checker, caller->stack_pointer, (uintptr_t)__builtin_thread_pointer());
    for (size_t i = 0; i < world->count; i++)
        if (world->threads[i].stack_low != 0)
            scan_thread(checker, world->threads[i].stack_low, world->threads[i].thread_pointer);
    drain(checker);
    visit_blocks(checker, follow_lost);
    visit_blocks(checker, count_and_clear);
}

static uint64_t monotonic_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

MS_NOINLINE static int check(ms_leak_result_t *result, int at_exit, uintptr_t stack_low)
{
    uint64_t start_ns = monotonic_ns();
    checker_t checker;
    memset(&checker, 0, sizeof checker);
    checker.roots.item_size = sizeof(range_t);
    checker.large.item_size = sizeof(large_block_t);
    checker.arenas.item_size = sizeof(arena_entry_t);
    checker.stack.item_size = sizeof(uintptr_t);
    prepare(&checker, at_exit, stack_low);

    ms_fork_prepare();
    checker.ntracebacks = ms_traceback_count();
    checker.traceback_flags = ms_os_map(checker.ntracebacks);
    checker.counts = ms_os_map(checker.ntracebacks * sizeof *checker.counts);
    ms_world_t world;
    int status = -1;
    if (checker.traceback_flags != NULL && checker.counts != NULL && !checker.failed &&
        ms_world_stop(&world) == 0) {
        checker.concurrent = !world.complete;
        if (ms_mappings_read(&checker.mappings) == 0) {
            mark_and_sweep(&checker, &world);
            status = checker.failed ? -1 : 0;
        }
        result->complete = world.complete;
        result->threads = 1 + (unsigned)world.stopped;
        ms_world_resume(&world);
    }
    ms_fork_parent();
    if (status == 0)
        status = make_rows(&checker, result);
    release(&checker);
    result->duration_ns = monotonic_ns() - start_ns;
    return status;
}

/* Should the unwinder fail, the scan starts here: the registers the caller
 * holds are pushed into this frame, above marker. */
MS_NOINLINE int ms_leak_check(ms_leak_result_t *result, int at_exit)
{
    __builtin_unwind_init();
    volatile char marker = 0;
    memset(result, 0, sizeof *result);
    /* libunwind maps memory as it goes: not the program's, and recording
     * it would unwind again inside libunwind's lock. */
    int outer = ms_trace_own_begin();
    int status = check(result, at_exit, (uintptr_t)&marker);
    ms_trace_own_end(outer);
    if (status != 0)
        ms_leak_result_free(result);
    return status;
}

void ms_leak_result_free(ms_leak_result_t *result)
{
    if (result->rows != NULL)
        ms_os_unmap(result->rows, result->rows_bytes);
    memset(result, 0, sizeof *result);
}

uint64_t ms_leak_blocks(const ms_leak_result_t *result, long mask)
{
    uint64_t total = 0;
    for (int kind = 0; kind < MS_LEAK_KIND_COUNT; kind++)
        if (mask & (1L << kind))
            total += result->count[kind];
    return total;
}
