/* large.c: the large-object path, served by glibc's own allocator.
 *
 * Blocks above 512 bytes, and blocks whose alignment the pools cannot give,
 * come from glibc through its __libc_* entry points, which do not go back
 * through the interposed malloc, so there is no recursion. Each such block is
 * recorded in blocks, which gives exact live totals and tells a block memsnap
 * handed out from a foreign pointer. A value packs the block's traceback id
 * and requested size in 16 bytes of entry:
 *
 *   value = traceback << 32 | ignored << 31 | size        (size < 2 GiB - 1)
 *   value = traceback << 32 | ignored << 31 | 0x7fffffff  (larger: the size is in huge)
 *
 * ignored is memsnap_ignore's mark for the leak check; a free drops it with
 * the entry.
 *
 * Foreign pointers: a pointer in no arena and not in blocks came from
 * elsewhere. Pointers from ld.so's bootstrap allocator (inside ld.so's own
 * image) are counted and left alone; glibc would abort on them. Anything else
 * is a block glibc made for itself, and goes back to glibc.
 *
 * Globals: blocks has its own shard locks (ptrmap.c). The counters are
 * relaxed atomics. libc_usable_size and the ld.so range are written once by
 * ms_large_init before the program's code runs. */
#include "large.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <link.h>
#include <string.h>
#include <sys/auxv.h>

#include "ptrmap.h"

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void __libc_free(void *pointer);

#define SIZE_IN_HUGE   0x7fffffffu
#define SIZE_MASK      0x7fffffffu
#define IGNORED_BIT    0x80000000u

static ms_ptrmap_t blocks = MS_PTRMAP_INITIALIZER;
static ms_ptrmap_t huge = MS_PTRMAP_INITIALIZER;
static ms_large_counters_t counters;
static size_t (*libc_usable_size)(void *);
static uintptr_t ldso_start, ldso_end;

static uint64_t pack(size_t size, uint32_t traceback)
{
    return (uint64_t)traceback << 32 | (size >= SIZE_IN_HUGE ? SIZE_IN_HUGE : size);
}

/* The record of a value taken out of blocks; drops its huge entry. */
static ms_record_t unpack_taken(uintptr_t pointer, uint64_t value)
{
    ms_record_t record = { .traceback = (uint32_t)(value >> 32), .size = (uint32_t)value & SIZE_MASK };
    if (record.size == SIZE_IN_HUGE)
        ms_ptrmap_take(&huge, pointer, &record.size);
    return record;
}

static void *record(void *pointer, size_t size, uint32_t traceback)
{
    if (pointer == NULL)
        return NULL;
    if ((size >= SIZE_IN_HUGE && ms_ptrmap_put(&huge, (uintptr_t)pointer, size) != 0) ||
        ms_ptrmap_put(&blocks, (uintptr_t)pointer, pack(size, traceback)) != 0) {
        /* Without a record the block could not be told from a foreign one. */
        __libc_free(pointer);
        errno = ENOMEM;
        return NULL;
    }
    __atomic_add_fetch(&counters.calls, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&counters.bytes_total, size, __ATOMIC_RELAXED);
    __atomic_add_fetch(&counters.live_blocks, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&counters.live_bytes, size, __ATOMIC_RELAXED);
    return pointer;
}

static void forget(size_t size)
{
    __atomic_sub_fetch(&counters.live_blocks, 1, __ATOMIC_RELAXED);
    __atomic_sub_fetch(&counters.live_bytes, size, __ATOMIC_RELAXED);
}

static int from_ldso(const void *pointer)
{
    return (uintptr_t)pointer >= ldso_start && (uintptr_t)pointer < ldso_end;
}

void *ms_large_malloc(size_t size, uint32_t traceback)
{
    return record(__libc_malloc(size), size, traceback);
}

void *ms_large_calloc(size_t size, uint32_t traceback)
{
    return record(__libc_calloc(1, size), size, traceback);
}

void *ms_large_memalign(size_t alignment, size_t size, uint32_t traceback)
{
    return record(__libc_memalign(alignment, size), size, traceback);
}

/* Tells the caller what was freed, and drops it from the live totals. */
static void forget_record(ms_record_t *freed, ms_record_t record)
{
    if (freed != NULL)
        *freed = record;
    forget(record.size);
}

void ms_large_free(void *pointer, ms_record_t *freed)
{
    uint64_t value;
    if (ms_ptrmap_take(&blocks, (uintptr_t)pointer, &value))
        forget_record(freed, unpack_taken((uintptr_t)pointer, value));
    else if (from_ldso(pointer)) {
        __atomic_add_fetch(&counters.foreign_frees, 1, __ATOMIC_RELAXED);
        return;
    }
    __libc_free(pointer);
}

void *ms_large_realloc(void *pointer, size_t size, uint32_t traceback, ms_record_t *freed)
{
    uint64_t old_value;
    /* Drop the record before glibc can hand the address to another thread,
     * whose record would otherwise be the one removed. */
    if (!ms_ptrmap_take(&blocks, (uintptr_t)pointer, &old_value)) {
        if (from_ldso(pointer)) {
            /* ld.so's bootstrap blocks have no size on record: copy what can
             * be read without leaving ld.so's image. */
            void *moved = ms_large_malloc(size, traceback);
            size_t readable = ldso_end - (uintptr_t)pointer;
            if (moved != NULL)
                memcpy(moved, pointer, size < readable ? size : readable);
            return moved;
        }
        /* A block glibc made for itself: the new block is ours from now on. */
        return record(__libc_realloc(pointer, size), size, traceback);
    }
    void *moved = __libc_realloc(pointer, size);
    if (moved == NULL) {
        /* glibc kept the old block: it is still ours, as it was. Its entry
         * was just freed, so the put fails only if another thread filled
         * the shard meanwhile and memory for growing it is gone too. */
        ms_ptrmap_put(&blocks, (uintptr_t)pointer, old_value);
        return NULL;
    }
    forget_record(freed, unpack_taken((uintptr_t)pointer, old_value));
    return record(moved, size, traceback);
}

size_t ms_large_usable_size(void *pointer)
{
    uint64_t value;
    if (ms_ptrmap_get(&blocks, (uintptr_t)pointer, &value)) {
        uint64_t size = (uint32_t)value & SIZE_MASK;
        if (size == SIZE_IN_HUGE)
            ms_ptrmap_get(&huge, (uintptr_t)pointer, &size);
        return size;
    }
    if (from_ldso(pointer) || libc_usable_size == NULL)
        return 0;
    return libc_usable_size(pointer);
}

/* ld.so's image, from its ELF program headers in memory; its bootstrap
 * allocator hands out the tail of the last page after .bss. */
static void find_ldso(void)
{
    const ElfW(Ehdr) *header = (const ElfW(Ehdr) *)getauxval(AT_BASE);
    if (header == NULL || memcmp(header->e_ident, ELFMAG, SELFMAG) != 0)
        return;
    const ElfW(Phdr) *segments = (const ElfW(Phdr) *)((const char *)header + header->e_phoff);
    uintptr_t end = 0;
    for (unsigned i = 0; i < header->e_phnum; i++) {
        if (segments[i].p_type == PT_LOAD && segments[i].p_vaddr + segments[i].p_memsz > end)
            end = segments[i].p_vaddr + segments[i].p_memsz;
    }
    ldso_start = (uintptr_t)header;
    ldso_end = ((uintptr_t)header + end + 4095) & ~(uintptr_t)4095;
}

void ms_large_init(void)
{
    /* glibc's own, even when something else interposes it (the unit tests'
     * AddressSanitizer does): it is asked only about glibc's blocks. */
    void *libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
    if (libc != NULL) {
        libc_usable_size = (size_t (*)(void *))dlsym(libc, "malloc_usable_size");
        dlclose(libc);
    }
    find_ldso();
}

void ms_large_loader_range(uintptr_t *start, uintptr_t *end)
{
    *start = ldso_start;
    *end = ldso_end;
}

void ms_large_counters(ms_large_counters_t *out)
{
    out->calls = __atomic_load_n(&counters.calls, __ATOMIC_RELAXED);
    out->bytes_total = __atomic_load_n(&counters.bytes_total, __ATOMIC_RELAXED);
    out->live_blocks = __atomic_load_n(&counters.live_blocks, __ATOMIC_RELAXED);
    out->live_bytes = __atomic_load_n(&counters.live_bytes, __ATOMIC_RELAXED);
    out->foreign_frees = __atomic_load_n(&counters.foreign_frees, __ATOMIC_RELAXED);
}

int ms_large_ignore(const void *pointer)
{
    return ms_ptrmap_set_bits(&blocks, (uintptr_t)pointer, IGNORED_BIT) ? 0 : -1;
}

typedef struct visit_context {
    ms_large_visitor_t *visitor;
    void *context;
} visit_context_t;

static void visit_entry(void *context, uintptr_t key, uint64_t value)
{
    visit_context_t *visit = context;
    uint64_t size = (uint32_t)value & SIZE_MASK;
    if (size == SIZE_IN_HUGE)
        ms_ptrmap_get_held(&huge, key, &size);
    /* glibc keeps pointers to the chunk after this one, whose header
     * overlaps the last 8 bytes glibc lets the block use: an address from
     * there on is glibc's, not an interior pointer of the program's. */
    uint64_t inside = size;
    if (libc_usable_size != NULL) {
        size_t usable = libc_usable_size((void *)key);
        if (usable >= 8 && usable - 8 < inside)
            inside = usable - 8;
    }
    visit->visitor(visit->context, key, size, inside, (uint32_t)(value >> 32),
                   (value & IGNORED_BIT) != 0);
}

void ms_large_visit_held(ms_large_visitor_t *visitor, void *context)
{
    visit_context_t visit = { visitor, context };
    ms_ptrmap_visit_held(&blocks, visit_entry, &visit);
}

void ms_large_fork_prepare(void)
{
    ms_ptrmap_fork_prepare(&blocks);
    ms_ptrmap_fork_prepare(&huge);
}

void ms_large_fork_parent(void)
{
    ms_ptrmap_fork_parent(&blocks);
    ms_ptrmap_fork_parent(&huge);
}

void ms_large_fork_child(void)
{
    ms_ptrmap_fork_child(&blocks);
    ms_ptrmap_fork_child(&huge);
}
