/* module_tls.c: libleaks_tls.so, loaded by held_tls_dynamic with dlopen.
 * Its __thread variable lives in dynamic TLS: a block that ld.so allocates
 * with malloc the first time a thread touches it (__tls_get_addr). */
#include "leaks.h"

static __thread void *module_block;

void module_hold(size_t size);

void module_hold(size_t size)
{
    module_block = allocate(size);
    escape(&module_block);
}
