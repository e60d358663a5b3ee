/* symbols_fixture_main.c: the program check_symbols.c runs to learn real
 * return addresses, compiled at test time with -g -O2 as a non-PIE
 * executable (ET_EXEC) and linked with symbols_fixture_lib.c's object.
 *
 * It replaces malloc with one that, when asked, records its return address,
 * calls each fixture function, and prints one line per call site:
 *
 *     site LABEL OFFSET BUILD-ID PATH
 *
 * OFFSET is the return address less its module's load bias (lowercase hex,
 * as in a snapshot's frames), BUILD-ID the module's GNU build-id in hex (or
 * "-"), PATH its file. Then "symbol NAME OFFSET" for functions whose
 * offsets the test needs. Lines are found by the SITE_ marker comments. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *fixture_outer(size_t size, void **caller);
void *fixture_plain(size_t size);
void *fixture_hidden(size_t size);
void *fixture_address(const char *name);

extern void *__libc_malloc(size_t size);

static volatile int capture;
static void *captured;
volatile int program_sink;

/* Not inlined into the program's own callers: a call of its own, with a
 * return address, as for any other malloc. */
__attribute__((noinline)) void *malloc(size_t size)
{
    if (capture) {
        capture = 0;
        captured = __builtin_return_address(0);
    }
    return __libc_malloc(size);
}

/* The module that holds address: its load bias, path and build-id. */
typedef struct module_info {
    const void *address;
    uintptr_t bias;
    char path[4096];
    char build_id[128];
} module_info_t;

static int find_build_id(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    module_info_t *module = data;
    if (info->dlpi_addr != module->bias)
        return 0;
    int contains = 0;
    for (int k = 0; k < info->dlpi_phnum; k++) {
        const ElfW(Phdr) *phdr = &info->dlpi_phdr[k];
        uintptr_t start = info->dlpi_addr + phdr->p_vaddr;
        if (phdr->p_type == PT_LOAD && (uintptr_t)module->address >= start &&
            (uintptr_t)module->address < start + phdr->p_memsz)
            contains = 1;
    }
    if (!contains)
        return 0;
    for (int k = 0; k < info->dlpi_phnum; k++) {
        const ElfW(Phdr) *phdr = &info->dlpi_phdr[k];
        if (phdr->p_type != PT_NOTE)
            continue;
        const unsigned char *note = (const unsigned char *)(info->dlpi_addr + phdr->p_vaddr);
        const unsigned char *end = note + phdr->p_memsz;
        while (note + sizeof(ElfW(Nhdr)) <= end) {
            const ElfW(Nhdr) *header = (const ElfW(Nhdr) *)note;
            const unsigned char *name = note + sizeof *header;
            const unsigned char *desc = name + ((header->n_namesz + 3) & ~3u);
            if (header->n_type == NT_GNU_BUILD_ID && header->n_namesz == 4 &&
                memcmp(name, "GNU", 4) == 0 && header->n_descsz * 2 < sizeof module->build_id) {
                for (unsigned byte = 0; byte < header->n_descsz; byte++)
                    sprintf(module->build_id + 2 * byte, "%02x", desc[byte]);
                return 1;
            }
            note = desc + ((header->n_descsz + 3) & ~3u);
        }
    }
    return 1;
}

static void describe(const void *address, module_info_t *module)
{
    Dl_info info;
    struct link_map *map = NULL;
    memset(module, 0, sizeof *module);
    module->address = address;
    strcpy(module->build_id, "-");
    if (dladdr1(address, &info, (void **)&map, RTLD_DL_LINKMAP) == 0 || map == NULL) {
        fprintf(stderr, "symbols_fixture: no module holds %p\n", address);
        exit(1);
    }
    module->bias = map->l_addr;
    if (map->l_name[0] != '\0') {
        snprintf(module->path, sizeof module->path, "%s", map->l_name);
    } else {
        ssize_t length = readlink("/proc/self/exe", module->path, sizeof module->path - 1);
        if (length < 0) {
            perror("symbols_fixture: /proc/self/exe");
            exit(1);
        }
        module->path[length] = '\0';
    }
    dl_iterate_phdr(find_build_id, module);
}

static void print_site(const char *label, const void *address)
{
    module_info_t module;
    describe(address, &module);
    printf("site %s %lx %s %s\n", label, (unsigned long)((uintptr_t)address - module.bias),
           module.build_id, module.path);
}

static void print_symbol(const char *name, const void *address)
{
    module_info_t module;
    describe(address, &module);
    printf("symbol %s %lx\n", name, (unsigned long)((uintptr_t)address - module.bias));
}

/* A helper inlined into a function of the executable itself. */
static inline __attribute__((always_inline)) void *program_helper(size_t size)
{
    void *block = malloc(size);   /* SITE_PROGRAM_HELPER */
    program_sink++;
    return block;
}

__attribute__((noinline)) void *program_function(size_t size)
{
    void *block = program_helper(size * 3);   /* SITE_PROGRAM_FUNCTION */
    program_sink++;
    return block;
}

int main(void)
{
    void *caller = NULL;
    void *block;

    capture = 1;
    block = fixture_outer(10, &caller);   /* SITE_MAIN_CALL */
    print_site("inner", captured);
    print_site("main_call", caller);
    free(block);

    capture = 1;
    block = fixture_plain(10);
    print_site("plain", captured);
    free(block);

    capture = 1;
    block = fixture_hidden(10);
    print_site("hidden", captured);
    free(block);

    capture = 1;
    block = program_function(10);
    print_site("program", captured);
    free(block);

    /* main's caller: the C library's start-up code. */
    print_site("libc", __builtin_return_address(0));

    print_symbol("fixture_outer", fixture_address("outer"));
    print_symbol("fixture_plain", fixture_address("plain"));
    print_symbol("hidden_alloc", fixture_address("hidden"));
    return fflush(stdout) == 0 ? 0 : 1;
}
