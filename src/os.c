/* os.c: memory mappings and writes made on memsnap's own behalf.
 *
 * Uses raw system calls, never the libc wrappers: a later layer interposes
 * mmap/munmap to trace the program's own mappings, and memsnap's mappings must
 * not show up there. Allocates nothing and touches no stdio, so it is safe at
 * any point of the process, including inside the allocator. */
#include "os.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

void *ms_os_map(size_t size)
{
    long result = syscall(SYS_mmap, NULL, size, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (result == -1)
        return NULL;
    return (void *)result;
}

void ms_os_unmap(void *address, size_t size)
{
    syscall(SYS_munmap, address, size);
}

/* Most mappings come back aligned already (the kernel places a new mapping
 * right below the previous one, and every size here is a multiple of the
 * alignment), so try the exact size first and over-map only on a miss. */
void *ms_os_map_aligned(size_t size, size_t alignment)
{
    char *address = ms_os_map(size);
    if (address == NULL || ((uintptr_t)address & (alignment - 1)) == 0)
        return address;
    ms_os_unmap(address, size);

    char *wide = ms_os_map(size + alignment);
    if (wide == NULL)
        return NULL;
    char *aligned = (char *)(((uintptr_t)wide + alignment - 1) & ~(uintptr_t)(alignment - 1));
    size_t head = (size_t)(aligned - wide);
    if (head != 0)
        ms_os_unmap(wide, head);
    if (alignment - head != 0)
        ms_os_unmap(aligned + size, alignment - head);
    return aligned;
}

/* Gives the pages back to the kernel but keeps the range mapped: the next
 * touch faults in a zero page. */
void ms_os_decommit(void *address, size_t size)
{
    syscall(SYS_madvise, address, size, MADV_DONTNEED);
}

int ms_os_write_all(int fd, const char *buffer, size_t length)
{
    while (length > 0) {
        ssize_t written = write(fd, buffer, length);
        if (written < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        buffer += written;
        length -= (size_t)written;
    }
    return 0;
}

/* Programs built on gnulib (coreutils) close stderr in an atexit handler,
 * before this library's destructor prints. A close-on-exec duplicate taken at
 * start-up survives that; it sits at a high number so that the program's own
 * open() calls still get the descriptors they would get without memsnap. */
#define KEPT_STDERR_FLOOR 600

int ms_os_keep_stderr(void)
{
    static int kept = -1;
    if (kept < 0)
        kept = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, KEPT_STDERR_FLOOR);
    return kept >= 0 ? kept : STDERR_FILENO;
}

int ms_os_each_entry(const char *path, void (*visit)(void *context, const char *name),
                     void *context)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    char buffer[8192];
    long got;
    while ((got = syscall(SYS_getdents64, fd, buffer, sizeof buffer)) > 0) {
        for (long offset = 0; offset < got;) {
            /* struct linux_dirent64: d_reclen at 16, d_name at 19. */
            const char *entry = buffer + offset;
            unsigned short length;
            memcpy(&length, entry + 16, sizeof length);
            visit(context, entry + 19);
            offset += length;
        }
    }
    close(fd);
    return 0;
}
