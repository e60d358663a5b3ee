/* sanitizer_glibc.c: linked into the sanitizer build of the suites only.
 *
 * libasan interposes __libc_memalign, alone of the __libc_* functions
 * large.c calls, so under ASan an aligned large block would come from ASan's
 * heap and later reach glibc's __libc_free, which aborts. The link wraps
 * large.c's reference (-Wl,--wrap=__libc_memalign) and this file forwards it
 * to glibc's own definition: a lookup through libc.so.6's handle searches
 * libc and its dependencies only, which libasan is not one of. */
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

static void *(*glibc_memalign)(size_t alignment, size_t size);
static pthread_once_t glibc_memalign_once = PTHREAD_ONCE_INIT;

static void find_glibc_memalign(void)
{
    void *libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
    if (libc != NULL)
        glibc_memalign = (void *(*)(size_t, size_t))dlsym(libc, "__libc_memalign");
    if (glibc_memalign == NULL) {
        fprintf(stderr, "sanitizer_glibc: glibc's __libc_memalign not found: %s\n", dlerror());
        abort();
    }
}

void *__wrap___libc_memalign(size_t alignment, size_t size);

void *__wrap___libc_memalign(size_t alignment, size_t size)
{
    pthread_once(&glibc_memalign_once, find_glibc_memalign);
    return glibc_memalign(alignment, size);
}
