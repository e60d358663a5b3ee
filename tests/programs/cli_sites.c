/* cli_sites.c: allocations at known lines, for the `memsnap stats`, `diff`
 * and `top` checks of tests/integration/test_cli_analysis.sh.
 *
 * Each allocating line ends with a marker comment (an at sign and a name,
 * such as A or KR); the script finds the lines with grep -n, so that this
 * file can change without the expectations changing. The figures, live
 * bytes in blocks at memsnap_snapshot("one") and at
 * memsnap_snapshot("two"):
 *
 *   marker  what                                       at "one"       at "two"
 *   A       100 x malloc(24), every 10th freed         2160 B in 90   all freed
 *   B       site_b: malloc(1000), called from B1 (7    7000 B in 7    10000 B in 10
 *           blocks) and after "one" from B2 (3 more)
 *   C       make_c: calloc(1, 40), called from          120 B in 3     the same
 *           caller_one (line C1, 2 blocks) and
 *           caller_two (line C2, 1 block)
 *   I       malloc(32) in inline_alloc, an             192 B in 6     the same
 *           always_inline helper, from line IU
 *   R0      4 x malloc(16), realloc'd to 64 bytes      0 B            0 B
 *   R1      at R1 and then to 200 bytes at R2:         0 B            0 B
 *   R2      only R2 holds live blocks                  800 B in 4     400 B in 2
 *   F       1 x malloc(1200)                           1200 B in 1    the same
 *   G       4 x malloc(300): F's size, more blocks     1200 B in 4    the same
 *   K       malloc(48) at the bottom of recurse(2),    96 B in 2      the same
 *           which calls itself at KR (twice in each
 *           traceback); recursion calls it twice (KC)
 *   L       1 x malloc(1572864)                        1536 KiB in 1  freed
 *   E       malloc of 10, 20 and 20 bytes              50 B in 3      the same
 *   MM      mmap of 8192 bytes: domain 2               8192 B in 1    the same
 *   T       memsnap_track(16, ..., 3000) x 2: domain   6000 B in 2    3000 B in 1
 *           16, frame 0 in memsnap.h's inline wrapper
 *   Q       2 x malloc(8) in quoted_site, whose file   16 B in 2      the same
 *           is renamed by #line: `cli_sites,
 *           "quoted".c`, line 9003 (for CSV quoting)
 *   D       5 x malloc(2048)                           -              10240 B in 5
 *   M       1 x malloc(13107200)                       -              12.5 MiB in 1
 *
 * The program prints nothing on stdout (so that stdio allocates no buffer)
 * and exits 0 after its two snapshots; the exit snapshot is its third.
 *
 * Usage: cli_sites           the above
 *        cli_sites exit N    allocate A's blocks and exit with status N at
 *                            once (only the exit snapshot is written) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "memsnap.h"

#define NOINLINE __attribute__((noinline, noclone))
/* After a call, so that it is not a tail call: the caller keeps its frame. */
#define KEEP_FRAME() __asm__ __volatile__("" ::: "memory")

/* Kept in globals of external linkage, so that neither the allocations nor
 * the stores after the calls are optimized away (a call whose result is
 * dropped may become a tail call, and its caller's frame disappear). */
void *a_blocks[100], *b_blocks[10], *c_blocks[3], *i_blocks[6], *r_blocks[4];
void *f_block, *g_blocks[4], *k_blocks[2], *l_block, *e_blocks[3], *q_blocks[2];
void *d_blocks[5], *m_block;
char *mapping;
static volatile size_t e_sizes[3] = { 10, 20, 20 };

NOINLINE void quoted_site(void);

static void *must(void *block)
{
    if (block == NULL) {
        fputs("cli_sites: allocation failed\n", stderr);
        exit(1);
    }
    return block;
}

NOINLINE void site_a(void)
{
    for (int i = 0; i < 100; i++)
        memset(a_blocks[i] = must(malloc(24)), 'a', 24); /* @A */
    for (int i = 0; i < 100; i += 10) {
        free(a_blocks[i]);
        a_blocks[i] = NULL;
    }
}

NOINLINE void site_b(int first, int count)
{
    for (int i = first; i < first + count; i++)
        memset(b_blocks[i] = must(malloc(1000)), 'b', 1000); /* @B */
}

/* One line, two callers: two tracebacks, one lineno group. */
NOINLINE void make_c(int first, int count)
{
    for (int i = first; i < first + count; i++)
        c_blocks[i] = must(calloc(1, 40)); /* @C */
}

NOINLINE void caller_one(void)
{
    make_c(0, 2); /* @C1 */
    KEEP_FRAME();
}

NOINLINE void caller_two(void)
{
    make_c(2, 1); /* @C2 */
    KEEP_FRAME();
}

/* Inlined into use_inline: its own frame in the symbolized traceback. */
static inline __attribute__((always_inline)) void *inline_alloc(size_t size)
{
    void *block = must(malloc(size)); /* @I */
    memset(block, 'i', size);
    return block;
}

NOINLINE void use_inline(void)
{
    for (int i = 0; i < 6; i++)
        i_blocks[i] = inline_alloc(32); /* @IU */
}

NOINLINE void realloc_chain(void)
{
    for (int i = 0; i < 4; i++)
        memset(r_blocks[i] = must(malloc(16)), 'r', 16); /* @R0 */
    for (int i = 0; i < 4; i++)
        r_blocks[i] = must(realloc(r_blocks[i], 64)); /* @R1 */
    for (int i = 0; i < 4; i++)
        r_blocks[i] = must(realloc(r_blocks[i], 200)); /* @R2 */
}

NOINLINE void same_size(void)
{
    memset(f_block = must(malloc(1200)), 'f', 1200); /* @F */
    for (int i = 0; i < 4; i++)
        memset(g_blocks[i] = must(malloc(300)), 'g', 300); /* @G */
}

/* A line that appears three times in one traceback: --cumulative counts it
 * once per trace. */
NOINLINE void *recurse(int depth)
{
    void *block;
    if (depth == 0)
        block = must(malloc(48)); /* @K */
    else
        block = recurse(depth - 1); /* @KR */
    KEEP_FRAME();
    return block;
}

NOINLINE void recursion(void)
{
    for (int i = 0; i < 2; i++)
        k_blocks[i] = recurse(2); /* @KC */
    KEEP_FRAME();
}

NOINLINE void large_and_odd(void)
{
    memset(l_block = must(malloc(1572864)), 'l', 1572864); /* @L */
    for (int i = 0; i < 3; i++)
        memset(e_blocks[i] = must(malloc(e_sizes[i])), 'e', e_sizes[i]); /* @E */
}

NOINLINE void site_mmap(void)
{
    mapping = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0); /* @MM */
    if (mapping == MAP_FAILED) {
        perror("cli_sites: mmap");
        exit(1);
    }
    memset(mapping, 'm', 8192);
}

NOINLINE void site_track(void)
{
    for (uintptr_t i = 1; i <= 2; i++) {
        if (memsnap_track(MEMSNAP_DOMAIN_USER, (const void *)(i << 16), 3000) != 0) { /* @T */
            perror("cli_sites: memsnap_track");
            exit(1);
        }
    }
}

NOINLINE void phase_one(void)
{
    site_a(); /* @PA */
    site_b(0, 7); /* @B1 */
    caller_one(); /* @PC1 */
    caller_two(); /* @PC2 */
    use_inline(); /* @PI */
    realloc_chain(); /* @PR */
    same_size(); /* @PFG */
    recursion(); /* @PK */
    large_and_odd(); /* @PLE */
    site_mmap(); /* @PMM */
    site_track(); /* @PT */
    quoted_site(); /* @PQ */
    KEEP_FRAME();
}

NOINLINE void phase_two(void)
{
    for (int i = 0; i < 100; i++) {
        free(a_blocks[i]);
        a_blocks[i] = NULL;
    }
    site_b(7, 3); /* @B2 */
    free(l_block);
    l_block = NULL;
    memset(m_block = must(malloc(13107200)), 'm', 4096); /* @M */
    for (int i = 0; i < 5; i++)
        memset(d_blocks[i] = must(malloc(2048)), 'd', 2048); /* @D */
    for (int i = 2; i < 4; i++) {
        free(r_blocks[i]);
        r_blocks[i] = NULL;
    }
    if (memsnap_untrack(MEMSNAP_DOMAIN_USER, (const void *)((uintptr_t)2 << 16)) != 0) {
        perror("cli_sites: memsnap_untrack");
        exit(1);
    }
    KEEP_FRAME();
}

static void snapshot(const char *tag)
{
    if (memsnap_snapshot(tag) != 0) {
        perror("cli_sites: memsnap_snapshot");
        exit(1);
    }
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "exit") == 0) {
        site_a(); /* @XA */
        return atoi(argv[2]);
    }
    if (argc != 1) {
        fputs("usage: cli_sites [exit N]\n", stderr);
        return 2;
    }
    phase_one(); /* @ONE */
    snapshot("one");
    phase_two(); /* @TWO */
    snapshot("two");
    return 0;
}

/* Last in the file: the #line below renames the file and renumbers the
 * lines for what follows, so the malloc call is at
 * `cli_sites, "quoted".c:9003` whatever changes above. */
#line 9000 "cli_sites, \"quoted\".c"
NOINLINE void quoted_site(void)
{
    for (int i = 0; i < 2; i++)
        memset(q_blocks[i] = must(malloc(8)), 'q', 8);
    KEEP_FRAME();
}
