/* compile_clean.c: compiled by gcc under memsnap (cc1, as and ld all run with
 * the preload); the program it makes must print the same line either way. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int compare(const void *a, const void *b)
{
    unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
    return (x > y) - (x < y);
}

int main(void)
{
    enum { COUNT = 10000 };
    unsigned *values = malloc(COUNT * sizeof *values);
    if (values == NULL)
        return 1;
    unsigned state = 12345;
    for (int i = 0; i < COUNT; i++) {
        state = state * 1103515245u + 12345u;
        values[i] = state >> 8;
    }
    qsort(values, COUNT, sizeof *values, compare);
    unsigned long long checksum = 0;
    for (int i = 0; i < COUNT; i++)
        checksum = checksum * 31 + values[i];
    char label[64];
    strcpy(label, "sorted checksum");
    printf("%s %llu\n", label, checksum);
    free(values);
    return 0;
}
