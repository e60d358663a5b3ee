/* mmap.c: the program's own anonymous mappings, for the mmap domain.
 *
 * mmap, munmap and mremap pass straight to the kernel (glibc's own wrappers
 * are thin system calls too; its internal ones are private), and record
 * anonymous mappings while memsnap records. memsnap's own mappings use raw system calls (src/os.c),
 * so they never show here. */
#include <stdarg.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common.h"
#include "domains.h"
#include "trace.h"

static void *map(void *address, size_t length, int protection, int flags, int fd, off_t offset)
{
    return (void *)syscall(SYS_mmap, address, length, protection, flags, fd, offset);
}

/* A file mapping is not recorded, but with MAP_FIXED it may replace part
 * of a recorded anonymous one. */
static void *mapped(void *address, size_t length, int flags, ms_entry_t entry)
{
    if (address == MAP_FAILED || !ms_trace_armed)
        return address;
    if (flags & MAP_ANONYMOUS)
        ms_domain_mapped((uintptr_t)address, length, entry);
    else if (flags & MAP_FIXED)
        ms_domain_unmapped((uintptr_t)address, length);
    return address;
}

MS_EXPORT void *mmap(void *address, size_t length, int protection, int flags, int fd, off_t offset)
{
    return mapped(map(address, length, protection, flags, fd, offset), length, flags,
                  MS_ENTRY());
}

MS_EXPORT void *mmap64(void *address, size_t length, int protection, int flags, int fd,
                       off_t offset)
{
    return mapped(map(address, length, protection, flags, fd, offset), length, flags,
                  MS_ENTRY());
}

MS_EXPORT int munmap(void *address, size_t length)
{
    int result = (int)syscall(SYS_munmap, address, length);
    if (result == 0 && ms_trace_armed)
        ms_domain_unmapped((uintptr_t)address, length);
    return result;
}

MS_EXPORT void *mremap(void *old_address, size_t old_length, size_t length, int flags, ...)
{
    void *new_address = NULL;
    if (flags & MREMAP_FIXED) {
        va_list arguments;
        va_start(arguments, flags);
        new_address = va_arg(arguments, void *);
        va_end(arguments);
    }
    void *address = (void *)syscall(SYS_mremap, old_address, old_length, length, flags, new_address);
    if (address != MAP_FAILED && ms_trace_armed)
        ms_domain_remapped((uintptr_t)old_address, old_length, (uintptr_t)address, length,
                           MS_ENTRY());
    return address;
}
