/* frees_everything.c: allocates with every function of the malloc family,
 * builds a linked list, reallocates, runs a thread that allocates and frees
 * on its own, then frees everything. Expected: nothing lost (definite,
 * indirect and possible 0). */
#include <malloc.h>
#include <pthread.h>

#include "leaks.h"

struct node {
    struct node *next;
    char *text;
};

static void *worker(void *argument)
{
    (void)argument;
    void *blocks[64];
    for (size_t i = 0; i < 64; i++)
        blocks[i] = allocate(8 + i * 40);
    for (size_t i = 0; i < 64; i++)
        free(blocks[i]);
    return NULL;
}

static LEAKS_NOINLINE void churn(void)
{
    struct node *list = NULL;
    for (int i = 0; i < 100; i++) {
        struct node *node = allocate(sizeof *node);
        node->text = strdup("a string of some length");
        node->next = list;
        list = node;
    }
    void *zeroed = calloc(10, 100);
    void *grown = realloc(allocate(10), 5000);
    void *aligned = NULL;
    if (posix_memalign(&aligned, 64, 200) != 0)
        fail("posix_memalign failed");
    void *aligned2 = aligned_alloc(128, 256);
    void *aligned3 = memalign(32, 96);
    escape(zeroed);
    escape(grown);
    escape(aligned2);
    escape(aligned3);
    pthread_t thread;
    if (pthread_create(&thread, NULL, worker, NULL) != 0 || pthread_join(thread, NULL) != 0)
        fail("pthread_create or pthread_join failed");
    while (list != NULL) {
        struct node *next = list->next;
        free(list->text);
        free(list);
        list = next;
    }
    free(zeroed);
    free(grown);
    free(aligned);
    free(aligned2);
    free(aligned3);
}

int main(void)
{
    churn();
    scrub_stack();
    say("frees_everything: every block freed\n");
    return 0;
}
