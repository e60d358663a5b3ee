/* exit_with_threads.c: exit() while other threads are still allocating.
 *
 * Three threads malloc and free (small and large blocks, swapped between
 * threads through atomic exchanges) without end; after 20 ms the main thread
 * calls exit(0). memsnap's destructor, and with MEMSNAP_STATS=1 its table,
 * then run while the allocator is busy. Checks: the exit status is 0 (no
 * crash, no hang: the script adds a timeout) and the table is written.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define THREADS 3
#define SLOTS   256

static void *slots[SLOTS];

static void *allocate_forever(void *argument)
{
    unsigned state = (unsigned)(uintptr_t)argument;
    for (;;) {
        state = state * 1103515245u + 12345u;
        size_t size = (state >> 8) % 16 == 0 ? 513 + (state >> 12) % 30000 : 1 + (state >> 12) % 512;
        void *block = malloc(size);
        if (block != NULL)
            memset(block, 0x5A, size);
        free(__atomic_exchange_n(&slots[(state >> 4) % SLOTS], block, __ATOMIC_ACQ_REL));
    }
    return NULL;
}

int main(void)
{
    pthread_t threads[THREADS];
    for (uintptr_t i = 0; i < THREADS; i++)
        if (pthread_create(&threads[i], NULL, allocate_forever, (void *)(i + 1)) != 0)
            return 1;
    usleep(20000);
    exit(0);
}
