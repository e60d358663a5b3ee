/* brk_growth.c: moves the program break by known amounts through sbrk and
 * brk, so that memsnap's table can be checked against them.
 *
 * Grows the break by sbrk(3 * 4096), then by brk(current + 2 * 4096), then
 * shrinks it by sbrk(-4096): 20,480 bytes of growth in all, 16,384 net. The
 * script runs this with MEMSNAP_STATS=1 and reads "# bytes of brk/sbrk growth
 * total" and "# bytes of brk/sbrk change current". Checks here: each call
 * succeeds and the break lands where it should. Exits 0 if so.
 */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#define PAGE 4096

static int failures;

static void expect(int condition, const char *what)
{
    if (!condition) {
        fprintf(stderr, "brk_growth: %s\n", what);
        failures++;
    }
}

int main(void)
{
    /* No allocation between the calls: glibc's malloc may move the break
     * too, through its own internal sbrk. */
    char *start = sbrk(0);
    char *old_break = sbrk(3 * PAGE);
    expect(old_break == start, "sbrk(3 pages) did not return the old break");
    char *after_sbrk = sbrk(0);
    expect(after_sbrk == start + 3 * PAGE, "sbrk(3 pages) did not move the break by 3 pages");
    expect(brk(after_sbrk + 2 * PAGE) == 0, "brk(+2 pages) failed");
    char *after_brk = sbrk(0);
    expect(after_brk == after_sbrk + 2 * PAGE, "brk(+2 pages) did not move the break");
    expect(sbrk(-PAGE) == after_brk, "sbrk(-1 page) did not return the old break");
    expect(sbrk(0) == after_brk - PAGE, "sbrk(-1 page) did not move the break back");

    /* The memory gained is usable. */
    for (char *byte = start; byte < start + 4 * PAGE; byte++)
        *byte = (char)(uintptr_t)byte;

    printf("brk_growth: grew by %d bytes, %d net, %d failures\n", 5 * PAGE, 4 * PAGE, failures);
    return failures == 0 ? 0 : 1;
}
