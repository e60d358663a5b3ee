/* exit_status.c: a plain program for the option tests: allocates a little,
 * prints one line on stdout and one on stderr, and exits with status 3.
 *
 * The script compares its stdout, stderr and exit status with and without
 * memsnap (and bad MEMSNAP_* values): a warning from memsnap may add one
 * line on stderr, nothing else may change.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    unsigned long checksum = 0;
    for (int i = 1; i <= 1000; i++) {
        char *text = malloc((size_t)i);
        memset(text, 'a' + i % 26, (size_t)i - 1);
        text[i - 1] = '\0';
        checksum = checksum * 31 + strlen(text) + (unsigned char)text[0];
        free(text);
    }
    printf("exit_status: checksum %lu\n", checksum);
    fprintf(stderr, "exit_status: exiting with status 3\n");
    return 3;
}
