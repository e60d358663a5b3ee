/* os.h: the operating-system calls memsnap itself makes. */
#ifndef MS_OS_H
#define MS_OS_H

#include <stddef.h>

void *ms_os_map(size_t size);
void *ms_os_map_aligned(size_t size, size_t alignment);
void ms_os_unmap(void *address, size_t size);
void ms_os_decommit(void *address, size_t size);
int ms_os_write_all(int fd, const char *buffer, size_t length);
/* A descriptor for stderr that outlives the program closing it (the first
 * call makes it: from the constructor); stderr itself if none can be made. */
int ms_os_keep_stderr(void);
/* Calls visit with the name of each entry of the directory at path (read
 * with getdents64 into a stack buffer: opendir would allocate). -1 when it
 * cannot be opened. */
int ms_os_each_entry(const char *path, void (*visit)(void *context, const char *name),
                     void *context);

#endif
