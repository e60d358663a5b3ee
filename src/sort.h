/* sort.h: an in-place sort that never allocates, for code that may not call
 * glibc's qsort (which can call malloc, that is: memsnap itself). */
#ifndef MS_SORT_H
#define MS_SORT_H

#include <stddef.h>

/* Heapsort of count elements of size bytes (at most 64) at base, by
 * before(a, b) != 0 when a sorts before b. Not stable. */
void ms_sort(void *base, size_t count, size_t size, int (*before)(const void *a, const void *b));

#endif
