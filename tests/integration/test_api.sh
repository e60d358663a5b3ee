#!/usr/bin/env bash
# test_api.sh: the interposed API, called by test programs.
#
#   align_api      posix_memalign (alignments 8..65536, EINVAL for 0, 3, 4,
#                  24), aligned_alloc, memalign, valloc, pvalloc,
#                  malloc_usable_size, overflow -> NULL + ENOMEM, 16-byte
#                  alignment of multiples of 16 (also with MEMSNAP_ALIGN16=0,
#                  8-byte classes), and of every block over 8 bytes (by
#                  default, MEMSNAP_ALIGN16=1); each group with and without
#                  the preload
#   brk_growth     sbrk and brk grow the break by 20,480 bytes (16,384 net);
#                  MEMSNAP_STATS=1 reports exactly that
#   live_blocks    blocks kept until exit are counted in the table (208-byte
#                  blocks: the same class with MEMSNAP_ALIGN16=0 and 1)
#   foreign_free   free/realloc/malloc_usable_size of glibc's own blocks
#   exported symbols  nm -D lists exactly exported_symbols.txt
set -euo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"

# --- align_api, group by group ------------------------------------------
if have_program align_api; then
    align_api=$(program align_api)
    for group in posix_memalign posix_memalign_einval aligned_alloc memalign valloc \
        usable_size overflow sixteen_multiples realloc_sixteen_multiples; do
        expect_success "align.$group.plain" "align_api $group: without the preload" \
            "$align_api" "$group"
        expect_success "align.$group.preload" "align_api $group: under the preload" \
            "${PRELOADED[@]}" "$align_api" "$group"
    done
    expect_success align.every.plain "align_api sixteen_every_block: without the preload" \
        "$align_api" sixteen_every_block
    expect_success align.every.preload \
        "align_api sixteen_every_block: under the preload, by default (MEMSNAP_ALIGN16=1)" \
        "${PRELOADED[@]}" "$align_api" sixteen_every_block
    for group in sixteen_multiples realloc_sixteen_multiples; do
        expect_success "align.$group.align8" \
            "align_api $group: under the preload with MEMSNAP_ALIGN16=0 (8-byte classes)" \
            "${PRELOADED[@]}" MEMSNAP_ALIGN16=0 "$align_api" "$group"
    done
fi

# --- brk and sbrk in the statistics table ---------------------------------

# table_value FILE LABEL: the value on LABEL's line of the table, commas
# removed ("# bytes of brk/sbrk growth total   =   20,480" -> 20480).
table_value() {
    grep -F -- "$2" "$1" | head -n 1 | sed 's/.*=[[:space:]]*//; s/,//g'
}

# expect_table_value FILE LABEL EXPECTED
expect_table_value() {
    local actual
    actual=$(table_value "$1" "$2")
    if [ "$actual" != "$3" ]; then
        note "\"$2\" is '$actual', expected $3"
        return 1
    fi
}

if have_program brk_growth; then
    brk_growth=$(program brk_growth)
    expect_success brk.plain "brk_growth: sbrk and brk move the break without the preload" \
        "$brk_growth"
    table="$WORK/brk.table"
    expect_success brk.preload "brk_growth: sbrk and brk move the break under the preload" \
        "${PRELOADED[@]}" MEMSNAP_STATS=1 MEMSNAP_STATS_FILE="$table" "$brk_growth"
    check "brk_growth: the table shows 20,480 bytes of brk/sbrk growth" \
        expect_table_value "$table" "# bytes of brk/sbrk growth total" 20480
    check "brk_growth: the table shows a net brk/sbrk change of 16,384 bytes" \
        expect_table_value "$table" "# bytes of brk/sbrk change current" 16384
fi

# --- live blocks in the statistics table -----------------------------------

# class_blocks_in_use FILE SIZE: the "blocks in use" column of the class
# whose block size is SIZE (0 when the class has no row).
class_blocks_in_use() {
    awk -v size="$2" '$2 == size && NF == 5 { print $4; found = 1 } END { if (!found) print 0 }' "$1"
}

# at_least ACTUAL MINIMUM WHAT
at_least() {
    if [ "$1" -lt "$2" ]; then
        note "$3 is $1, expected at least $2"
        return 1
    fi
}

# large_blocks_counted FILE BLOCKS BYTES: at least BLOCKS large blocks and
# BYTES bytes in them.
large_blocks_counted() {
    at_least "$(table_value "$1" "# large blocks in use")" "$2" "large blocks in use" &&
        at_least "$(table_value "$1" "# bytes in large blocks")" "$3" "bytes in large blocks"
}

if have_program live_blocks; then
    live_blocks=$(program live_blocks)
    table="$WORK/live.table"
    expect_success live.preload "live_blocks: runs under the preload with MEMSNAP_STATS=1" \
        "${PRELOADED[@]}" MEMSNAP_STATS=1 MEMSNAP_STATS_FILE="$table" "$live_blocks"
    check "live_blocks: the table counts 1,000 live blocks in the 208-byte class" \
        at_least "$(class_blocks_in_use "$table" 208)" 1000 "blocks in use of class 208"
    check "live_blocks: the table counts 10 live large blocks of 1,000,000 bytes" \
        large_blocks_counted "$table" 10 1000000
fi

# --- pointers memsnap did not return ---------------------------------------
if have_program foreign_free; then
    foreign_free=$(program foreign_free)
    expect_success_both foreign "foreign_free: glibc's own blocks freed, reallocated, measured" \
        "$foreign_free"
fi

# --- exported symbols ------------------------------------------------------

# same_exports: nm -D --defined-only lists exactly the expected names.
same_exports() {
    nm -D --defined-only "$LIBRARY" | awk '{ print $NF }' | LC_ALL=C sort >"$WORK/exports"
    grep -v '^#' "$INTEGRATION_DIR/exported_symbols.txt" >"$WORK/exports.expected"
    if ! diff "$WORK/exports.expected" "$WORK/exports" >"$WORK/exports.diff"; then
        note "exported symbols differ from exported_symbols.txt (< expected, > actual):"
        note_file "$WORK/exports.diff"
        return 1
    fi
}

if command -v nm >/dev/null 2>&1; then
    check "libmemsnap.so exports exactly the interposed functions and memsnap_api_v1 (exported_symbols.txt)" \
        same_exports
else
    skip "exported symbols (nm: binary absent)"
fi

finish
