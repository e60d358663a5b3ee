/* modules.c: the module list, read with dl_iterate_phdr at snapshot time
 * (modules come and go with dlopen). The build-id is read from each
 * module's PT_NOTE segments in memory. Holds no state of its own. */
#include "modules.h"

#include <elf.h>
#include <link.h>
#include <string.h>
#include <unistd.h>

typedef struct collect_state {
    ms_modules_t *modules;
    size_t capacity;
    void *(*allocate)(size_t);
    int failed;
} collect_state_t;

static void read_build_id(const struct dl_phdr_info *info, ms_module_t *module)
{
    for (unsigned i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *segment = &info->dlpi_phdr[i];
        if (segment->p_type != PT_NOTE)
            continue;
        const char *note = (const char *)(info->dlpi_addr + segment->p_vaddr);
        const char *end = note + segment->p_memsz;
        while (note + sizeof(ElfW(Nhdr)) <= end) {
            const ElfW(Nhdr) *header = (const ElfW(Nhdr) *)note;
            const char *name = note + sizeof *header;
            const char *desc = name + ((header->n_namesz + 3) & ~3u);
            if (header->n_type == NT_GNU_BUILD_ID && header->n_namesz == 4 &&
                memcmp(name, "GNU", 4) == 0 && header->n_descsz <= MS_BUILD_ID_MAX &&
                desc + header->n_descsz <= end) {
                module->build_id_length = header->n_descsz;
                memcpy(module->build_id, desc, header->n_descsz);
                return;
            }
            note = desc + ((header->n_descsz + 3) & ~3u);
        }
    }
}

static int add_module(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    collect_state_t *state = data;
    ms_modules_t *modules = state->modules;
    if (modules->count == state->capacity) {
        size_t capacity = state->capacity == 0 ? 64 : state->capacity * 2;
        ms_module_t *grown = state->allocate(capacity * sizeof *grown);
        if (grown == NULL) {
            state->failed = 1;
            return 1;
        }
        if (modules->count != 0)
            memcpy(grown, modules->modules, modules->count * sizeof *grown);
        modules->modules = grown;
        state->capacity = capacity;
    }
    ms_module_t *module = &modules->modules[modules->count];
    memset(module, 0, sizeof *module);
    module->base = info->dlpi_addr;
    module->start = UINTPTR_MAX;
    for (unsigned i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *segment = &info->dlpi_phdr[i];
        if (segment->p_type != PT_LOAD)
            continue;
        uintptr_t start = info->dlpi_addr + segment->p_vaddr;
        if (start < module->start)
            module->start = start;
        if (start + segment->p_memsz > module->end)
            module->end = start + segment->p_memsz;
    }
    if (module->start == UINTPTR_MAX)
        return 0;
    /* The main program has an empty name; ld.so lists it first. */
    module->path = info->dlpi_name != NULL && info->dlpi_name[0] != '\0' ? info->dlpi_name
                                                                          : modules->executable;
    read_build_id(info, module);
    modules->count++;
    return 0;
}

static int by_start(const void *a, const void *b)
{
    const ms_module_t *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

int ms_modules_collect(ms_modules_t *out, void *(*allocate)(size_t))
{
    out->modules = NULL;
    out->count = 0;
    ssize_t length = readlink("/proc/self/exe", out->executable, sizeof out->executable - 1);
    out->executable[length > 0 ? length : 0] = '\0';
    collect_state_t state = { out, 0, allocate, 0 };
    dl_iterate_phdr(add_module, &state);
    if (state.failed)
        return -1;
    /* Insertion sort: glibc's qsort may call malloc, and modules are few. */
    for (size_t i = 1; i < out->count; i++) {
        ms_module_t key = out->modules[i];
        size_t j = i;
        while (j > 0 && by_start(&out->modules[j - 1], &key) > 0) {
            out->modules[j] = out->modules[j - 1];
            j--;
        }
        out->modules[j] = key;
    }
    return 0;
}

long ms_modules_find(const ms_modules_t *modules, uintptr_t address)
{
    size_t low = 0, high = modules->count;
    while (low < high) {
        size_t middle = (low + high) / 2;
        if (address < modules->modules[middle].start)
            high = middle;
        else if (address >= modules->modules[middle].end)
            low = middle + 1;
        else
            return (long)middle;
    }
    return -1;
}
