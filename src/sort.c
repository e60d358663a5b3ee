/* sort.c: heapsort (sort.h): O(n log n) at worst and no memory beyond one
 * element's worth of stack, where glibc's qsort may allocate. */
#include "sort.h"

#include <string.h>

static void swap(char *a, char *b, size_t size)
{
    char held[64];
    memcpy(held, a, size);
    memcpy(a, b, size);
    memcpy(b, held, size);
}

/* Moves element root down until the heap below it (up to end) is a heap
 * again: every parent sorts after both its children. */
static void sift_down(char *base, size_t root, size_t end, size_t size,
                      int (*before)(const void *, const void *))
{
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= end)
            return;
        if (child + 1 < end && before(base + child * size, base + (child + 1) * size))
            child++;
        if (!before(base + root * size, base + child * size))
            return;
        swap(base + root * size, base + child * size, size);
        root = child;
    }
}

void ms_sort(void *base, size_t count, size_t size, int (*before)(const void *a, const void *b))
{
    char *bytes = base;
    if (count < 2 || size > 64)
        return;
    for (size_t root = count / 2; root-- > 0;)
        sift_down(bytes, root, count, size, before);
    for (size_t end = count - 1; end > 0; end--) {
        swap(bytes, bytes + end * size, size);
        sift_down(bytes, 0, end, size, before);
    }
}
