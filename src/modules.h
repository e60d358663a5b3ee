/* modules.h: the loaded ELF modules, so frames can be written as (module,
 * offset) and symbolized offline against the same files. */
#ifndef MS_MODULES_H
#define MS_MODULES_H

#include <stddef.h>
#include <stdint.h>

#define MS_BUILD_ID_MAX 64

typedef struct ms_module {
    const char *path;             /* absolute when known; points into ld.so's data or path_buffer */
    uintptr_t base;               /* load bias: file address = ip - base */
    uintptr_t start, end;         /* mapped range of its PT_LOAD segments */
    unsigned build_id_length;
    unsigned char build_id[MS_BUILD_ID_MAX];
} ms_module_t;

typedef struct ms_modules {
    ms_module_t *modules;         /* sorted by start */
    size_t count;
    char executable[4096];        /* the main program's path (/proc/self/exe) */
} ms_modules_t;

/* Lists the modules into memory from allocate (never the program's heap).
 * -1 when out of memory. */
int ms_modules_collect(ms_modules_t *out, void *(*allocate)(size_t));
/* Index of the module holding address, or -1. */
long ms_modules_find(const ms_modules_t *modules, uintptr_t address);

#endif
