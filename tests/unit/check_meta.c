/* check_meta.c: memsnap's own bookkeeping memory, meta.c: zeroed,
 * 64-aligned (cache-line) pieces cut from 64 KiB chunks, big pieces and growing tables in
 * mappings of their own, and ms_meta_bytes counting all of it exactly. */
#include "unit.h"

#include "meta.h"

enum { CHUNK = 64 << 10 };

START_TEST(test_pieces_share_chunks)
{
    ck_assert_msg(ms_meta_bytes() == 0, "needs a fresh process: leave CK_FORK unset");
    /* Sizes round up to a cache line: a chunk holds exactly 1024 pieces of
     * 1..64 bytes. */
    unsigned char *first = ms_meta_alloc(1);
    ck_assert_ptr_nonnull(first);
    ck_assert_uint_eq(ms_meta_bytes(), CHUNK);
    unsigned char *previous = first;
    for (int k = 1; k < CHUNK / 64; k++) {
        unsigned char *piece = ms_meta_alloc((size_t)k % 64 + 1);
        unit_expect(piece == previous + 64, "piece %d at %p, expected %p", k, (void *)piece,
                    (void *)(previous + 64));
        previous = piece;
    }
    ck_assert_uint_eq(ms_meta_bytes(), CHUNK);
    ms_meta_alloc(16);
    ck_assert_uint_eq(ms_meta_bytes(), 2 * CHUNK);
}
END_TEST

/* Loop test over sizes: each piece is 64-aligned and zeroed, and pieces
 * made one after another do not overlap (each keeps its own pattern). */
START_TEST(test_pieces_aligned_zeroed_apart)
{
    static const size_t sizes[] = { 1, 15, 16, 17, 100, 640, 4096, 16384 };
    size_t size = sizes[_i];
    enum { PIECES = 40 };
    unsigned char *pieces[PIECES];
    for (unsigned k = 0; k < PIECES; k++) {
        pieces[k] = ms_meta_alloc(size);
        ck_assert_ptr_nonnull(pieces[k]);
        ck_assert_uint_eq((uintptr_t)pieces[k] % 64, 0);
        for (size_t offset = 0; offset < size; offset++)
            unit_expect(pieces[k][offset] == 0, "piece %u of %zu: byte %zu is %#x", k, size,
                        offset, pieces[k][offset]);
        unit_fill(pieces[k], size, k);
    }
    for (unsigned k = 0; k < PIECES; k++)
        unit_check_fill(pieces[k], size, k);
}
END_TEST

/* Above a quarter chunk a piece gets a mapping of its own, counted at its
 * size rounded up to a cache line, and leaves the current chunk alone. */
START_TEST(test_big_piece_mapped_apart)
{
    unsigned char *small = ms_meta_alloc(32);
    size_t before = ms_meta_bytes();
    unsigned char *big = ms_meta_alloc(CHUNK / 4 + 16);
    ck_assert_ptr_nonnull(big);
    ck_assert_uint_eq(ms_meta_bytes(), before + CHUNK / 4 + 64);
    ck_assert_ptr_eq(ms_meta_alloc(32), small + 64);
    memset(big, 0xAA, CHUNK / 4 + 16);
}
END_TEST

START_TEST(test_map_and_unmap_counted)
{
    size_t before = ms_meta_bytes();
    unsigned char *table = ms_meta_map(1 << 20);
    ck_assert_ptr_nonnull(table);
    ck_assert_uint_eq(ms_meta_bytes(), before + (1 << 20));
    ck_assert_uint_eq(table[0], 0);
    ck_assert_uint_eq(table[(1 << 20) - 1], 0);
    memset(table, 1, 1 << 20);
    ms_meta_unmap(table, 1 << 20);
    ck_assert_uint_eq(ms_meta_bytes(), before);
}
END_TEST

static Suite *meta_suite(void)
{
    Suite *suite = suite_create("meta");
    TCase *pieces = tcase_create("pieces");
    tcase_add_test(pieces, test_pieces_share_chunks);
    tcase_add_loop_test(pieces, test_pieces_aligned_zeroed_apart, 0, 8);
    tcase_add_test(pieces, test_big_piece_mapped_apart);
    tcase_add_test(pieces, test_map_and_unmap_counted);
    suite_add_tcase(suite, pieces);
    return suite;
}

int main(void)
{
    return run_suite(meta_suite());
}
