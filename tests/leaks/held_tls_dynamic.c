/* held_tls_dynamic.c: a thread-local variable in dynamic TLS holds the only
 * pointer to a block of 2424 bytes. The variable belongs to libleaks_tls.so
 * (module_tls.c, built next to this program), loaded with dlopen, so its
 * TLS block is allocated by ld.so at first use; the main thread's DTV
 * points to it. Expected: reachable at least 2424 bytes in 1 block, nothing
 * lost (ld.so's own blocks, the TLS block and the library's link map among
 * them, do not count: see README.md). */
#include <dlfcn.h>
#include <limits.h>

#include "leaks.h"

static LEAKS_NOINLINE void hold(void)
{
    char path[PATH_MAX];
    ssize_t length = readlink("/proc/self/exe", path, sizeof path - 32);
    if (length <= 0)
        fail("readlink /proc/self/exe failed");
    path[length] = '\0';
    char *slash = strrchr(path, '/');
    strcpy(slash + 1, "libleaks_tls.so");
    void *module = dlopen(path, RTLD_NOW);
    if (module == NULL)
        fail("dlopen libleaks_tls.so failed");
    void (*module_hold)(size_t);
    *(void **)&module_hold = dlsym(module, "module_hold");
    if (module_hold == NULL)
        fail("dlsym module_hold failed");
    module_hold(2424);
}

int main(void)
{
    hold();
    scrub_stack();
    say("held_tls_dynamic: 2424 bytes held by a dlopen'ed library's __thread variable\n");
    exit(0);
}
