#!/usr/bin/env bash
# test_cli_analysis.sh: `memsnap stats`, `diff` and `top` on snapshots of a
# program whose allocation sites are known (tests/programs/cli_sites.c), the
# errors for files that are not snapshots, colour, and `memsnap run`'s
# report of the snapshots it leaves.
#
# cli_sites allocates at lines that end with marker comments (an at sign
# and a name, such as A or KR; its header lists them with their bytes) and
# calls memsnap_snapshot("one"), allocates and frees more, then
# memsnap_snapshot("two"). Every expectation here is in "marker space": the
# CLI's output is normalized (normalize, below) so that
#   tests/programs/cli_sites.c:N   becomes  SRC:@A, A the marker on line N
#   include/memsnap.h:N            becomes  HDR:@TRACK, N memsnap_track's call
#   the program's absolute path    becomes  PROG
# and the work tree's path is dropped, so that the expectations hold however
# cli_sites.c is edited and wherever the tree is. The figures were computed
# by hand from the program (its header comment); tracemalloc's size format:
# a size under 10240 in its unit is printed whole ("7000 B", "1536 KiB"),
# under 100 with one decimal ("10.0 KiB", "12.5 MiB").
#
#   sites       the run: status 0, files one, two, exit
#   stats       golden lineno list (sorted by size, then count: G's 1200 B
#               in 4 before F's 1200 B in 1); --top N and its default (10);
#               --group-by filename, function, module, traceback (golden:
#               whole tracebacks innermost first, the always_inline helper
#               a frame of its own, two tracebacks with the same text one
#               group); --cumulative (a key once per trace: recurse's line
#               KR, twice in each traceback, counts 96 B in 2, not 192);
#               --domain malloc, mmap, 16, brk; --include / --exclude with
#               PAT and PAT:LINE (file, function or module), several
#               inclusive filters OR-ed, exclusive ones dropping, and
#               --all-frames (without it only the innermost frame counts)
#   diff        golden compare_to list (|size diff|, then size, then |count
#               diff|, then count; a vanished line "size=0 B (-X), count=0
#               (-N)" with no average); golden by traceback; --cumulative;
#               --fail-on-growth: status 1 and one stderr line when the
#               growth passes SIZE, 0 at SIZE exactly, filters applying
#   json        --format json (jq, or python3 when jq is absent): the whole
#               document of docs/cli-json.md, flattened, compared exactly;
#               averages are fractions, every other number an integer
#   csv         --format csv: golden, the header, a key with a comma and
#               quotes quoted (and read back with python3's csv module)
#   top         the header figures and each section's first rows
#   errors      missing file, directory, empty, truncated, not JSON, JSON
#               but no snapshot, version 2, a frame id past the frame table,
#               a module index past the module list (stats; diff and top for
#               some): status 2, nothing on stdout, one stderr line
#               "memsnap: " naming the file; but a snapshot with an unknown
#               key and column reads as before, and a program rebuilt since
#               the run gets one warning and module+offset frames
#   colour      none on a pipe; with a terminal (script(1)) bold keys, red
#               growth and green shrinkage; none with NO_COLOR=1, TERM=dumb
#               or --format json
#   run         --output-dir: the snapshots land there, one stderr line
#               naming them (one file) or counting them; PROG's exit status
#               passed through; --frames 1 (traceback golden); --frames 0
#               and abc: usage errors, PROG not run
#
# Golden files are tests/integration/golden/cli_*; after a deliberate change
# of cli_sites.c or of the output format, UPDATE_GOLDEN=1 rewrites them
# (then read the diff: they are expectations, checked by hand).

# Conditions are single-quoted for eval, so that they expand when the check
# runs (and the variables they use look unused to shellcheck).
# shellcheck disable=SC2016,SC2034
set -euo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"

# The program, its markers, normalize, cli and the checks shared with
# test_cli_leaks.sh: cli_sites.sh.
# shellcheck source=tests/integration/cli_sites.sh
source "$INTEGRATION_DIR/cli_sites.sh"

# collapse_outer: in a traceback listing, each run of frames outside the
# program's sources (the C library's start-up code, named differently with
# and without its debug information) becomes one line "  ...".
collapse_outer() {
    awk '/^  / && !/^  (SRC|HDR|cli_sites, "quoted"\.c)/ { if (!outer) print "  ..."; outer = 1; next }
         { outer = 0; print }'
}

# The checks of one invocation each: stats_is DESCRIPTION EXPECTED ARGS...
queries=0
stats_is() {
    local description=$1 expected=$2
    shift 2
    queries=$((queries + 1))
    cli "query$queries" "$@"
    check "$description" report_is "query$queries" "$expected"
}

# --- the run -----------------------------------------------------------------

take_sites_snapshots

# --- stats: lineno, top --------------------------------------------------------

# The rows of `stats one.json`, hand-computed (see cli_sites.c).
A_ONE='SRC:@A: size=2160 B, count=90, average=24 B'           # 100 x 24 B, 10 freed
B_ONE='SRC:@B: size=7000 B, count=7, average=1000 B'
C_ONE='SRC:@C: size=120 B, count=3, average=40 B'             # 2 from caller_one + 1 from caller_two
I_ONE='SRC:@I: size=192 B, count=6, average=32 B'             # the inlined helper's line
R2_ONE='SRC:@R2: size=800 B, count=4, average=200 B'          # R0 and R1 hold nothing live
F_ONE='SRC:@F: size=1200 B, count=1, average=1200 B'
G_ONE='SRC:@G: size=1200 B, count=4, average=300 B'
K_ONE='SRC:@K: size=96 B, count=2, average=48 B'
L_ONE='SRC:@L: size=1536 KiB, count=1, average=1536 KiB'      # 1572864 B
E_ONE='SRC:@E: size=50 B, count=3, average=17 B'              # 10 + 20 + 20; 16.7 rounds to 17
MM_ONE='SRC:@MM: size=8192 B, count=1, average=8192 B'        # domain 2
T_ONE='HDR:@TRACK: size=6000 B, count=2, average=3000 B'      # domain 16
Q_ONE='cli_sites, "quoted".c:9003: size=16 B, count=2, average=8 B'
# In the order of statistics(): size, then count.
STATS_ONE=$(printf '%s\n' "$L_ONE" "$MM_ONE" "$B_ONE" "$T_ONE" "$A_ONE" "$G_ONE" "$F_ONE" \
    "$R2_ONE" "$I_ONE" "$C_ONE" "$K_ONE" "$E_ONE" "$Q_ONE")

cli stats.all stats --top 0 one.json
check "stats --top 0: every line, by size then count (golden cli_stats_lineno.txt)" \
    golden_is stats.all cli_stats_lineno.txt
check "stats --top 0: the golden file is the hand-computed list" \
    text_is stats.all "$STATS_ONE"
stats_is "stats (no --top): the 10 biggest lines" "$(head -n 10 <<<"$STATS_ONE")" stats one.json
stats_is "stats --top 3" "$(head -n 3 <<<"$STATS_ONE")" stats --top 3 one.json
stats_is "stats --top=1 --group-by=lineno" "$L_ONE" stats --top=1 --group-by=lineno one.json

# --- stats: other groupings ----------------------------------------------------

stats_is "stats --group-by filename: the program's file, memsnap.h (track), the #line file" \
    'SRC: size=1557 KiB, count=122, average=12.8 KiB
HDR: size=6000 B, count=2, average=3000 B
cli_sites, "quoted".c: size=16 B, count=2, average=8 B' \
    stats --group-by filename one.json

stats_is "stats --group-by function: innermost function (inline_alloc, not use_inline)" \
    'large_and_odd: size=1536 KiB, count=4, average=384 KiB
site_mmap: size=8192 B, count=1, average=8192 B
site_b: size=7000 B, count=7, average=1000 B
memsnap_track: size=6000 B, count=2, average=3000 B
same_size: size=2400 B, count=5, average=480 B
site_a: size=2160 B, count=90, average=24 B
realloc_chain: size=800 B, count=4, average=200 B
inline_alloc: size=192 B, count=6, average=32 B
make_c: size=120 B, count=3, average=40 B
recurse: size=96 B, count=2, average=48 B
quoted_site: size=16 B, count=2, average=8 B' \
    stats --group-by function --top 0 one.json

stats_is "stats --group-by module: every innermost frame in the program" \
    'PROG: size=1562 KiB, count=126, average=12.4 KiB' \
    stats --group-by module one.json

cli stats.traceback stats --group-by traceback --top 0 one.json
collapse_outer <"$WORK/stats.traceback.norm" >"$WORK/stats.traceback.collapsed"
check "stats --group-by traceback: whole tracebacks, innermost first, inlined helper a frame (golden cli_stats_traceback.txt)" \
    golden_is stats.traceback cli_stats_traceback.txt "$WORK/stats.traceback.collapsed"
check "stats --group-by traceback: inline_alloc's frame, then use_inline's, at the same address" \
    eval 'grep -A 2 -xF "size=192 B, count=6, average=32 B" "$WORK/stats.traceback.norm" |
          tail -n 2 | cmp -s - <(printf "  SRC:@I (inline_alloc)\n  SRC:@IU (use_inline)\n")'

# --- stats: cumulative -------------------------------------------------------

# Each line of a trace once: KR is in each K traceback twice.
CUMULATIVE_ONE="$STATS_ONE
SRC:@ONE: size=1562 KiB, count=126, average=12.4 KiB
SRC:@PLE: size=1536 KiB, count=4, average=384 KiB
SRC:@PMM: size=8192 B, count=1, average=8192 B
SRC:@B1: size=7000 B, count=7, average=1000 B
SRC:@T: size=6000 B, count=2, average=3000 B
SRC:@PT: size=6000 B, count=2, average=3000 B
SRC:@PFG: size=2400 B, count=5, average=480 B
SRC:@PA: size=2160 B, count=90, average=24 B
SRC:@PR: size=800 B, count=4, average=200 B
SRC:@IU: size=192 B, count=6, average=32 B
SRC:@PI: size=192 B, count=6, average=32 B
SRC:@KR: size=96 B, count=2, average=48 B
SRC:@KC: size=96 B, count=2, average=48 B
SRC:@PK: size=96 B, count=2, average=48 B
SRC:@C1: size=80 B, count=2, average=40 B
SRC:@PC1: size=80 B, count=2, average=40 B
SRC:@C2: size=40 B, count=1, average=40 B
SRC:@PC2: size=40 B, count=1, average=40 B
SRC:@PQ: size=16 B, count=2, average=8 B"
cli stats.cumulative stats --cumulative --top 0 one.json
check "stats --cumulative: every line of the program's traces, each once per trace (KR: 96 B, not 192)" \
    eval 'clean stats.cumulative && grep -E "^(SRC|HDR|cli_sites)" "$WORK/stats.cumulative.norm" |
          LC_ALL=C sort >"$WORK/stats.cumulative.ours" &&
          text_is stats.cumulative "$(LC_ALL=C sort <<<"$CUMULATIVE_ONE")" "$WORK/stats.cumulative.ours"'
check "stats --cumulative: the first line is main's call of phase_one or a C library frame, all 1562 KiB in 126" \
    eval 'head -n 1 "$WORK/stats.cumulative.norm" | grep -q ": size=1562 KiB, count=126, average=12.4 KiB\$"'

cli stats.cumulative.function stats --cumulative --group-by function --top 0 one.json
check "stats --cumulative --group-by function: recurse once per trace (96 B in 2), main holds all" \
    eval 'clean stats.cumulative.function && has_lines stats.cumulative.function \
          "main: size=1562 KiB, count=126, average=12.4 KiB" \
          "phase_one: size=1562 KiB, count=126, average=12.4 KiB" \
          "recurse: size=96 B, count=2, average=48 B" \
          "recursion: size=96 B, count=2, average=48 B" \
          "use_inline: size=192 B, count=6, average=32 B" \
          "inline_alloc: size=192 B, count=6, average=32 B" \
          "caller_one: size=80 B, count=2, average=40 B" \
          "caller_two: size=40 B, count=1, average=40 B" \
          "site_track: size=6000 B, count=2, average=3000 B"'

cli stats.cumulative.module stats --cumulative --group-by module --top 0 one.json
check "stats --cumulative --group-by module: the program and libc.so.6, each every trace" \
    eval 'clean stats.cumulative.module && [ "$(grep -c . "$WORK/stats.cumulative.module.norm")" = 2 ] &&
          has_lines stats.cumulative.module "PROG: size=1562 KiB, count=126, average=12.4 KiB" &&
          grep -qE "/libc\.so\.6: size=1562 KiB, count=126, average=12\.4 KiB\$" \
              "$WORK/stats.cumulative.module.norm"'

# --- stats: domains ----------------------------------------------------------

stats_is "stats --domain malloc: domain 0 only (no mmap, no memsnap_track)" \
    "$(grep -v -e '^HDR' -e '^SRC:@MM:' <<<"$STATS_ONE")" stats --domain malloc --top 0 one.json
stats_is "stats --domain 0: the same as --domain malloc" \
    "$(grep -v -e '^HDR' -e '^SRC:@MM:' <<<"$STATS_ONE")" stats --domain 0 --top 0 one.json
stats_is "stats --domain mmap: the mapping alone" "$MM_ONE" stats --domain mmap one.json
stats_is "stats --domain 2: the same" "$MM_ONE" stats --domain 2 one.json
stats_is "stats --domain 16: the memsnap_track blocks alone" "$T_ONE" stats --domain 16 one.json
stats_is "stats --domain brk: nothing (no output, status 0)" "" stats --domain brk one.json
stats_is "stats --domain 17: nothing" "" stats --domain 17 one.json

# --- stats: filters ----------------------------------------------------------

SRC_ONLY=$(grep '^SRC' <<<"$STATS_ONE")
stats_is "--include PAT: traces whose innermost file matches" \
    "$SRC_ONLY" stats --top 0 --include '*/cli_sites.c' one.json
stats_is "--include PAT:LINE: that line only" \
    "$A_ONE" stats --include "*/cli_sites.c:$(line A)" one.json
stats_is "two --include PAT:LINE: OR-ed" \
    "$B_ONE
$A_ONE" stats --include "*/cli_sites.c:$(line A)" --include "*/cli_sites.c:$(line B)" one.json
stats_is "--include of a line no trace allocates at: nothing" \
    "" stats --include "*/cli_sites.c:$(line C1)" one.json
stats_is "--exclude PAT: the traces whose innermost file is elsewhere" \
    "$T_ONE
$Q_ONE" stats --exclude '*/cli_sites.c' one.json
stats_is "--include PAT --exclude PAT:LINE: exclusion wins" \
    "$(grep -v '^SRC:@B:' <<<"$SRC_ONLY")" \
    stats --top 0 --include '*/cli_sites.c' --exclude "*/cli_sites.c:$(line B)" one.json
stats_is "--include FUNCTION (innermost): make_c" "$C_ONE" stats --include make_c one.json
stats_is "--include FUNCTION:LINE: make_c at its calloc line" \
    "$C_ONE" stats --include "make_c:$(line C)" one.json
stats_is "--include of a caller without --all-frames: nothing (not the innermost frame)" \
    "" stats --include caller_one one.json
stats_is "--include caller_one --all-frames: its two blocks" \
    'SRC:@C: size=80 B, count=2, average=40 B' stats --include caller_one --all-frames one.json
stats_is "--include caller_one --include caller_two --all-frames: OR-ed, all three" \
    "$C_ONE" stats --include caller_one --include caller_two --all-frames one.json
stats_is "--include PAT:LINE --all-frames: a caller's line" \
    'SRC:@C: size=80 B, count=2, average=40 B' \
    stats --include "*/cli_sites.c:$(line C1)" --all-frames one.json
stats_is "--include of the inlined helper: it is the innermost frame" \
    "$I_ONE" stats --include inline_alloc one.json
stats_is "--include of the function it is inlined into: not innermost" \
    "" stats --include use_inline one.json
stats_is "--include use_inline --all-frames: the inlined frames are looked at" \
    "$I_ONE" stats --include use_inline --all-frames one.json
stats_is "--exclude caller_two --all-frames: C keeps caller_one's 80 B" \
    "$(sed -e "/^SRC:@C:/d" -e "s/^SRC:@K: .*/&\nSRC:@C: size=80 B, count=2, average=40 B/" <<<"$STATS_ONE")" \
    stats --top 0 --exclude caller_two --all-frames one.json
stats_is "--exclude recursion --all-frames: the recursive traces dropped" \
    "$(grep -v '^SRC:@K:' <<<"$STATS_ONE")" stats --top 0 --exclude recursion --all-frames one.json
stats_is "--include MODULE (base name of the program): everything" \
    "$STATS_ONE" stats --top 0 --include cli_sites one.json
stats_is "--include 'libc.so*': no innermost frame in the C library" \
    "" stats --include 'libc.so*' one.json
stats_is "--include 'libc.so*' --all-frames: every trace passes through libc's start-up" \
    "$STATS_ONE" stats --top 0 --include 'libc.so*' --all-frames one.json
stats_is "--exclude '*/cli_sites.c' --all-frames: every trace has such a frame: nothing" \
    "" stats --exclude '*/cli_sites.c' --all-frames one.json
stats_is "--domain malloc --exclude PAT: both apply" \
    "$Q_ONE" stats --domain malloc --exclude '*/cli_sites.c' one.json

# --- diff ----------------------------------------------------------------------

# compare_to's order: |size diff|, size, |count diff|, count.
DIFF=$(printf '%s\n' \
    'SRC:@M: size=12.5 MiB (+12.5 MiB), count=1 (+1), average=12.5 MiB' \
    'SRC:@L: size=0 B (-1536 KiB), count=0 (-1)' \
    'SRC:@D: size=10.0 KiB (+10.0 KiB), count=5 (+5), average=2048 B' \
    'SRC:@B: size=10000 B (+3000 B), count=10 (+3), average=1000 B' \
    'HDR:@TRACK: size=3000 B (-3000 B), count=1 (-1), average=3000 B' \
    'SRC:@A: size=0 B (-2160 B), count=0 (-90)' \
    'SRC:@R2: size=400 B (-400 B), count=2 (-2), average=200 B' \
    'SRC:@MM: size=8192 B (+0 B), count=1 (+0), average=8192 B' \
    'SRC:@G: size=1200 B (+0 B), count=4 (+0), average=300 B' \
    'SRC:@F: size=1200 B (+0 B), count=1 (+0), average=1200 B' \
    'SRC:@I: size=192 B (+0 B), count=6 (+0), average=32 B' \
    'SRC:@C: size=120 B (+0 B), count=3 (+0), average=40 B' \
    'SRC:@K: size=96 B (+0 B), count=2 (+0), average=48 B' \
    'SRC:@E: size=50 B (+0 B), count=3 (+0), average=17 B' \
    'cli_sites, "quoted".c:9003: size=16 B (+0 B), count=2 (+0), average=8 B')

cli diff.all diff --top 0 one.json two.json
check "diff --top 0: compare_to's order, vanished lines at 0 B without average (golden cli_diff_lineno.txt)" \
    golden_is diff.all cli_diff_lineno.txt
check "diff --top 0: the golden file is the hand-computed list" text_is diff.all "$DIFF"
stats_is "diff (no --top): the 10 biggest changes" "$(head -n 10 <<<"$DIFF")" diff one.json two.json
stats_is "diff --domain 16: memsnap_track's block untracked" \
    'HDR:@TRACK: size=3000 B (-3000 B), count=1 (-1), average=3000 B' diff --domain 16 one.json two.json
stats_is "diff of a snapshot with itself: every line +0" \
    "$(sed -E 's/: size=([^,]*), count=([0-9]+), /: size=\1 (+0 B), count=\2 (+0), /' <<<"$STATS_ONE")" \
    diff --top 0 one.json one.json
stats_is "diff NEW OLD: the changes reversed, a line only OLD has at 0 B" \
    'SRC:@M: size=0 B (-12.5 MiB), count=0 (-1)
SRC:@L: size=1536 KiB (+1536 KiB), count=1 (+1), average=1536 KiB
SRC:@D: size=0 B (-10.0 KiB), count=0 (-5)' diff --top 3 two.json one.json
# `stats two.json`: A and L freed, B 3 more, R2 2 freed, T 1 untracked, D
# and M new.
STATS_TWO=$(printf '%s\n' \
    'SRC:@M: size=12.5 MiB, count=1, average=12.5 MiB' \
    'SRC:@D: size=10.0 KiB, count=5, average=2048 B' \
    'SRC:@B: size=10000 B, count=10, average=1000 B' \
    "$MM_ONE" \
    'HDR:@TRACK: size=3000 B, count=1, average=3000 B' \
    "$G_ONE" "$F_ONE" \
    'SRC:@R2: size=400 B, count=2, average=200 B' \
    "$I_ONE" "$C_ONE" "$K_ONE" "$E_ONE" "$Q_ONE")
stats_is "stats --top 0 two.json: the hand-computed list" "$STATS_TWO" stats --top 0 two.json
stats_is "diff two exit: nothing changed after the last snapshot, every line +0" \
    "$(sed -E 's/: size=([^,]*), count=([0-9]+), /: size=\1 (+0 B), count=\2 (+0), /' <<<"$STATS_TWO")" \
    diff --top 0 two.json exit.json

cli diff.traceback diff --group-by traceback --top 0 one.json two.json
collapse_outer <"$WORK/diff.traceback.norm" >"$WORK/diff.traceback.collapsed"
check "diff --group-by traceback: site_b's two callers two groups (golden cli_diff_traceback.txt)" \
    golden_is diff.traceback cli_diff_traceback.txt "$WORK/diff.traceback.collapsed"

cli diff.cumulative diff --cumulative --group-by function --top 0 one.json two.json
check "diff --cumulative --group-by function: main and phase_one, each trace once" \
    eval 'clean diff.cumulative && has_lines diff.cumulative \
          "phase_two: size=12.5 MiB (+12.5 MiB), count=9 (+9), average=1424 KiB" \
          "main: size=12.5 MiB (+11.0 MiB), count=41 (-85), average=313 KiB" \
          "phase_one: size=21.0 KiB (-1541 KiB), count=32 (-94), average=671 B" \
          "large_and_odd: size=50 B (-1536 KiB), count=3 (-1), average=17 B" \
          "site_a: size=0 B (-2160 B), count=0 (-90)" \
          "recurse: size=96 B (+0 B), count=2 (+0), average=48 B"'

# --fail-on-growth: the total grew by 13141906 - 1599890 = 11542016 bytes.
GROWTH_LINE='memsnap: memory grew by +11.0 MiB, more than the 1024 KiB --fail-on-growth allows'
cli growth.over diff --fail-on-growth 1M one.json two.json
check "diff --fail-on-growth 1M: status 1, the report, one stderr line" \
    eval 'expect_status growth.over 1 && text_is growth.over "$(head -n 10 <<<"$DIFF")" &&
          text_is growth.over.err "$GROWTH_LINE" "$WORK/growth.over.err"'
cli growth.exact diff --fail-on-growth 11542016 one.json two.json
check "diff --fail-on-growth at the growth exactly: status 0 (more than SIZE fails)" \
    eval 'clean growth.exact && text_is growth.exact "$(head -n 10 <<<"$DIFF")"'
cli growth.byte diff --fail-on-growth 11542015 one.json two.json
check "diff --fail-on-growth one byte under: status 1, one line" \
    eval 'expect_status growth.byte 1 && [ "$(grep -c . "$WORK/growth.byte.err")" = 1 ] &&
          grep -q "^memsnap: memory grew by +11.0 MiB, more than the 11.0 MiB --fail-on-growth allows\$" \
              "$WORK/growth.byte.err"'
cli growth.under diff --fail-on-growth 12M --format json one.json two.json
check "diff --fail-on-growth 12M: status 0, nothing on stderr" clean growth.under
cli growth.shrink diff --fail-on-growth 0 two.json one.json
check "diff --fail-on-growth 0 on a shrink: status 0" clean growth.shrink
cli growth.filtered diff --domain malloc --fail-on-growth 11M one.json two.json
check "diff --domain malloc --fail-on-growth 11M: malloc grew 11545016 > 11534336: status 1" \
    eval 'expect_status growth.filtered 1 && [ "$(grep -c . "$WORK/growth.filtered.err")" = 1 ]'
cli growth.filtered16 diff --domain 16 --fail-on-growth 0 one.json two.json
check "diff --domain 16 --fail-on-growth 0: domain 16 shrank: status 0" clean growth.filtered16
cli growth.bad diff --fail-on-growth lots one.json two.json
check "diff --fail-on-growth lots: usage error, status 2, one line, no stdout" \
    eval 'expect_status growth.bad 2 && [ ! -s "$WORK/growth.bad.out" ] &&
          [ "$(grep -c . "$WORK/growth.bad.err")" = 1 ] && grep -q "^memsnap: .*lots" "$WORK/growth.bad.err"'

# --- JSON ----------------------------------------------------------------------

# json_head_is LABEL EXPECTED: the first lines of $WORK/LABEL.flat are
# EXPECTED.
json_head_is() {
    head -n "$(grep -c '' <<<"$2")" "$WORK/$1.flat" >"$WORK/$1.flat.head"
    text_is "$1" "$2" "$WORK/$1.flat.head"
}

# json_rows LABEL: each statistic of $WORK/LABEL.flat as one line, "KEY
# SIZE COUNT" (KEY as JSON), sorted.
json_rows() {
    awk '$1 ~ /^statistics\.[0-9]+\.(key|size|count)$/ {
             split($1, path, "."); value[path[2], path[3]] = $2; rows[path[2]] = 1 }
         END { for (row in rows) print value[row, "key"], value[row, "size"], value[row, "count"] }' \
        "$WORK/$1.flat" | LC_ALL=C sort
}

# numbers_typed LABEL: in LABEL's JSON, every average has a fraction and
# every size and count is an integer.
numbers_typed() {
    local bad
    bad=$(grep -oE '"(average|size|count|size_diff|count_diff)": *[-+0-9.eE]+' "$WORK/$1.out" |
        grep -vE '^"average": *[0-9]+\.[0-9]+$' | grep -vE '^"(size|count|size_diff|count_diff)": *-?[0-9]+$' || true)
    if [ -n "$bad" ]; then
        note "$1: numbers of the wrong kind: $bad"
        return 1
    fi
    grep -qE '"average": *[0-9]+\.[0-9]+' "$WORK/$1.out"
}

json_check() {
    local description=$1 label=$2 expected=$3
    shift 3
    cli "$label" "$@"
    check "$description" json_is "$label" "$expected"
}

if [ -z "${JQ:-}" ] && [ -z "${PYTHON:-}" ]; then
    skip "--format json checks (neither jq nor python3)"
else
    json_check "stats --format json --top 3: the documented document, totals over all traces" stats.json \
        'command "stats"
snapshot "one.json"
group_by "lineno"
cumulative false
measure "live"
total.size 1599890
total.count 126
statistics.0.key "SRC:@L"
statistics.0.size 1572864
statistics.0.count 1
statistics.0.average 1572864
statistics.1.key "SRC:@MM"
statistics.1.size 8192
statistics.1.count 1
statistics.1.average 8192
statistics.2.key "SRC:@B"
statistics.2.size 7000
statistics.2.count 7
statistics.2.average 1000' stats --format json --top 3 one.json
    check "stats --format json: averages are fractions, sizes and counts integers" numbers_typed stats.json

    json_check "stats --format json with two --include: docs/cli-json.md's example figures (9160 B in 97)" \
        stats.json.example 'command "stats"
snapshot "one.json"
group_by "lineno"
cumulative false
measure "live"
total.size 9160
total.count 97
statistics.0.key "SRC:@B"
statistics.0.size 7000
statistics.0.count 7
statistics.0.average 1000
statistics.1.key "SRC:@A"
statistics.1.size 2160
statistics.1.count 90
statistics.1.average 24' \
        stats --format json --include "*/cli_sites.c:$(line A)" --include "*/cli_sites.c:$(line B)" one.json

    json_check "stats --format json, no trace left: total 0, statistics []" stats.json.empty \
        'command "stats"
snapshot "one.json"
group_by "lineno"
cumulative false
measure "live"
total.size 0
total.count 0
statistics []' stats --format json --domain brk one.json

    # Cumulative: every frame of the one trace, the C library's too (named
    # differently with and without its debug information), each 192 B in 6.
    cli stats.json.cumulative stats --format json --cumulative --group-by function \
        --include inline_alloc --top 0 one.json
    check "stats --format json --cumulative --group-by function: the flags echoed, each function once, 192 B in 6" \
        eval 'clean stats.json.cumulative && json_flat stats.json.cumulative &&
              json_head_is stats.json.cumulative "command \"stats\"
snapshot \"one.json\"
group_by \"function\"
cumulative true
measure \"live\"
total.size 192
total.count 6" &&
              json_rows stats.json.cumulative >"$WORK/stats.json.cumulative.rows" &&
              ! grep -vq " 192 6\$" "$WORK/stats.json.cumulative.rows" &&
              grep -E "^\"(inline_alloc|use_inline|phase_one|main)\" " "$WORK/stats.json.cumulative.rows" \
                  >"$WORK/stats.json.cumulative.program" &&
              text_is stats.json.cumulative.program \
                  "$(printf "\"%s\" 192 6\n" inline_alloc main phase_one use_inline)" \
                  "$WORK/stats.json.cumulative.program"'

    json_check "stats --format json: a key with quotes and a comma, escaped" stats.json.quoted \
        'command "stats"
snapshot "one.json"
group_by "filename"
cumulative false
measure "live"
total.size 16
total.count 2
statistics.0.key "cli_sites, \"quoted\".c"
statistics.0.size 16
statistics.0.count 2
statistics.0.average 8' stats --format json --group-by filename --include quoted_site one.json

    cli stats.json.traceback stats --format json --group-by traceback --include inline_alloc one.json
    check "stats --format json --group-by traceback: frames, innermost first, \"file:line (function)\"" \
        eval 'clean stats.json.traceback && flatten "$WORK/stats.json.traceback.out" | normalize |
              grep -v "^statistics\.0\.frames\.[4-9] " >"$WORK/stats.json.traceback.flat" &&
              text_is stats.json.traceback "command \"stats\"
snapshot \"one.json\"
group_by \"traceback\"
cumulative false
measure \"live\"
total.size 192
total.count 6
statistics.0.frames.0 \"SRC:@I (inline_alloc)\"
statistics.0.frames.1 \"SRC:@IU (use_inline)\"
statistics.0.frames.2 \"SRC:@PI (phase_one)\"
statistics.0.frames.3 \"SRC:@ONE (main)\"
statistics.0.size 192
statistics.0.count 6
statistics.0.average 32" "$WORK/stats.json.traceback.flat"'

    json_check "diff --format json --top 3: new totals and their change, vanished line at 0" diff.json \
        'command "diff"
old "one.json"
new "two.json"
group_by "lineno"
cumulative false
measure "live"
total.size 13141906
total.size_diff 11542016
total.count 41
total.count_diff -85
statistics.0.key "SRC:@M"
statistics.0.size 13107200
statistics.0.size_diff 13107200
statistics.0.count 1
statistics.0.count_diff 1
statistics.0.average 13107200
statistics.1.key "SRC:@L"
statistics.1.size 0
statistics.1.size_diff -1572864
statistics.1.count 0
statistics.1.count_diff -1
statistics.1.average 0
statistics.2.key "SRC:@D"
statistics.2.size 10240
statistics.2.size_diff 10240
statistics.2.count 5
statistics.2.count_diff 5
statistics.2.average 2048' diff --format json --top 3 one.json two.json
    check "diff --format json: averages are fractions (0.0 too), sizes and counts integers" \
        numbers_typed diff.json
    json_check "diff --format json --fail-on-growth 12M: the same document (status 0)" growth.json \
        "$(cat "$WORK/diff.json.flat" 2>/dev/null || true)" \
        diff --format json --top 3 --fail-on-growth 12M one.json two.json
fi

# --- CSV -----------------------------------------------------------------------

cli stats.csv stats --format csv --top 0 one.json
check "stats --format csv: header, one row per line, averages with one decimal (golden cli_stats.csv)" \
    golden_is stats.csv cli_stats.csv
check "stats --format csv: header key,size,count,average; the quoted key" \
    eval 'head -n 1 "$WORK/stats.csv.norm" | grep -qx "key,size,count,average" &&
          grep -qxF "\"cli_sites, \"\"quoted\"\".c:9003\",16,2,8.0" "$WORK/stats.csv.norm"'
cli diff.csv diff --format csv --top 0 one.json two.json
check "diff --format csv: header, signed differences, 0.0 average for a vanished line (golden cli_diff.csv)" \
    golden_is diff.csv cli_diff.csv
check "diff --format csv: header key,size,size_diff,count,count_diff,average" \
    eval 'head -n 1 "$WORK/diff.csv.norm" | grep -qx "key,size,size_diff,count,count_diff,average" &&
          grep -qxF "SRC:@A,0,-2160,0,-90,0.0" "$WORK/diff.csv.norm"'
cli traceback.csv stats --format csv --group-by traceback --include quoted_site one.json
check "stats --format csv --group-by traceback: frames joined by ' <- ' in one quoted field" \
    eval 'clean traceback.csv && head -n 1 "$WORK/traceback.csv.norm" | grep -qx "key,size,count,average" &&
          sed -n 2p "$WORK/traceback.csv.norm" |
              grep -q "^\"cli_sites, \"\"quoted\"\".c:9003 (quoted_site) <- SRC:@PQ (phase_one) <- SRC:@ONE (main) <- .*\",16,2,8\.0\$" &&
          [ "$(grep -c . "$WORK/traceback.csv.norm")" = 2 ]'
if CSV_PYTHON=$(find_binary python3); then
    check "stats --format csv reads back with python3's csv module: 4 fields a row, the quoted key whole" \
        eval '"$CSV_PYTHON" -c "
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline=\"\")))
assert all(len(row) == 4 for row in rows), rows
for row in rows:
    print(\"|\".join(row))
" "$WORK/stats.csv.out" | normalize | sed -n "1p;\$p" >"$WORK/stats.csv.parsed" &&
          text_is stats.csv.parsed "key|size|count|average
cli_sites, \"quoted\".c:9003|16|2|8.0" "$WORK/stats.csv.parsed"'
else
    skip "CSV read back (no python3)"
fi

# --- top -----------------------------------------------------------------------

# section LABEL TITLE: the rows of section TITLE in LABEL's normalized output.
section() {
    awk -v title="$2" '$0 == title { inside = 1; next } /^$/ { inside = 0 } inside' "$WORK/$1.norm"
}

ROWS_ONE=
if [ -n "${JQ:-}${PYTHON:-}" ]; then
    ROWS_ONE=$(flatten "$WORK/one.json" | grep -c '^tracebacks\.rows\.' || true)
fi
cli top.one top one.json
check "top one.json: the header: file, process, current and peak, 144 allocations and 18 frees" \
    eval 'clean top.one && sed -n 1,4p "$WORK/top.one.norm" >"$WORK/top.one.head" &&
          sed -n 1p "$WORK/top.one.head" | grep -qx "memsnap top: one.json" &&
          sed -n 2p "$WORK/top.one.head" |
              grep -qxE "  process: PROG \(pid [0-9]+\), snapshot on api one, [0-9]+\.[0-9]{3} s after start" &&
          sed -n 3p "$WORK/top.one.head" |
              grep -qE "^  current 1562 KiB in ${ROWS_ONE:-[0-9]+} tracebacks; peak 1562 KiB( |\$)" &&
          sed -n 4p "$WORK/top.one.head" |
              grep -qx "  144 allocations and 18 frees traced; every allocation recorded"'
check "top one.json: peak and live sections start with L's 1536 KiB" \
    eval '[ "$(section top.one "At the peak (biggest lines in the peak breakdown)" | head -n 1)" = \
            "  SRC:@L: size=1536 KiB, count=1" ] &&
          [ "$(section top.one "Live now (biggest lines)" | head -n 2)" = \
            "  SRC:@L: size=1536 KiB, count=1
  SRC:@MM: size=8192 B, count=1" ]'
check "top one.json: most allocations: A's 100 calls (2400 B in all), then B's 7" \
    eval '[ "$(section top.one "Most allocations (calls since tracing started)" | head -n 2)" = \
            "  SRC:@A: calls=100, size=2400 B, average=24 B
  SRC:@B: calls=7, size=7000 B, average=1000 B" ]'
check "top one.json: the allocator section, with its arenas line" \
    eval 'section top.one "Allocator" | head -n 1 | grep -q "^  arenas: [0-9]* now"'
check "top one.json: 10 rows a section by default" \
    eval '[ "$(section top.one "Live now (biggest lines)" | grep -c .)" = 10 ]'

cli top.two top --top 2 two.json
check "top --top 2 two.json: two rows a section; M first live; A's 100 calls still first" \
    eval 'clean top.two && sed -n 4p "$WORK/top.two.norm" |
              grep -qx "  153 allocations and 112 frees traced; every allocation recorded" &&
          [ "$(section top.two "Live now (biggest lines)")" = \
            "  SRC:@M: size=12.5 MiB, count=1
  SRC:@D: size=10.0 KiB, count=5" ] &&
          [ "$(section top.two "At the peak (biggest lines in the peak breakdown)" | head -n 1)" = \
            "  SRC:@M: size=12.5 MiB, count=1" ] &&
          [ "$(section top.two "Most allocations (calls since tracing started)")" = \
            "  SRC:@A: calls=100, size=2400 B, average=24 B
  SRC:@B: calls=10, size=10000 B, average=1000 B" ]'
cli top.domain top --domain 16 one.json
check "top --domain 16: the filter applies to every section" \
    eval 'clean top.domain &&
          [ "$(section top.domain "Live now (biggest lines)")" = "  HDR:@TRACK: size=6000 B, count=2" ] &&
          [ "$(section top.domain "Most allocations (calls since tracing started)")" = \
            "  HDR:@TRACK: calls=2, size=6000 B, average=3000 B" ]'

# --- errors --------------------------------------------------------------------

mkdir "$WORK/a-directory"
: >"$WORK/empty.json"
size=$(wc -c <"$WORK/one.json")
head -c 1000 "$WORK/one.json" >"$WORK/truncated.json"
head -c $((size - 2)) "$WORK/one.json" >"$WORK/truncated-end.json"
printf 'memsnap.cli_sites.1.exit.json\n' >"$WORK/not-json.json"
printf '{"format": "tracemalloc", "version": 1}\n' >"$WORK/other-format.json"
printf '[1, 2, 3]\n' >"$WORK/array.json"
sed 's/"version":1,/"version":2,/' "$WORK/one.json" >"$WORK/version2.json"
# The first row's last frame id, and the first frame's module index. (A
# frame id past the table is refused, as tools/reader.h says;
# docs/snapshot-format.md, though, lets a threaded writer produce one,
# rarely, and tells readers to treat such a frame as unknown.)
sed -E 's/("rows":\["[0-9 ]*) [0-9]+"/\1 99999"/' "$WORK/one.json" >"$WORK/frame-past.json"
sed -E 's/"frames":\["[0-9]+:/"frames":["99:/' "$WORK/one.json" >"$WORK/module-past.json"

check "the hand-edited snapshots differ from the original where meant" \
    eval 'grep -q "\"version\":2," "$WORK/version2.json" && grep -q " 99999\"" "$WORK/frame-past.json" &&
          grep -q "\"frames\":\[\"99:" "$WORK/module-past.json"'

for bad in missing.json a-directory empty.json truncated.json truncated-end.json not-json.json \
    other-format.json array.json version2.json frame-past.json module-past.json; do
    cli "bad.$bad" stats "$bad"
    check "stats $bad: refused: status 2, no stdout, one line 'memsnap: ' naming it" \
        refused "bad.$bad" "$bad"
done
check "stats version2.json: the line says which version" \
    grep -q 'version' "$WORK/bad.version2.json.err"
check "stats frame-past.json: the line names the frame id" \
    grep -q '99999' "$WORK/bad.frame-past.json.err"
cli bad.diff.new diff one.json truncated.json
check "diff one.json truncated.json: refused, naming the bad one" refused bad.diff.new truncated.json
cli bad.diff.old diff missing.json two.json
check "diff missing.json two.json: refused, naming the missing one" refused bad.diff.old missing.json
cli bad.top top version2.json
check "top version2.json: refused" refused bad.top version2.json

# A snapshot of a later version 1 writer: an unknown key and an unknown
# column before "frames..." (docs/snapshot-format.md, Compatibility) are
# ignored. Rewritten with python3, which keeps 64-bit integers exact.
if COMPAT_PYTHON=$(find_binary python3); then
    "$COMPAT_PYTHON" -c '
import json, sys
with open(sys.argv[1]) as f:
    snapshot = json.load(f)
snapshot["future"] = {"nested": [1, 2]}
tracebacks = snapshot["tracebacks"]
tracebacks["columns"].insert(3, "future_column")
tracebacks["rows"] = [" ".join(row.split(" ")[:3] + ["12345"] + row.split(" ")[3:])
                      for row in tracebacks["rows"]]
with open(sys.argv[2], "w") as f:
    json.dump(snapshot, f, separators=(",", ":"))
' "$WORK/one.json" "$WORK/later.json"
    cli compat stats --top 0 later.json
    check "stats of a snapshot with an unknown key and an unknown column: the same lines" \
        eval 'clean compat && text_is compat "$STATS_ONE"'
else
    skip "unknown key and column (no python3)"
fi

# A module rebuilt since the run: one warning naming it, its frames by
# module and offset, status 0.
mkdir "$WORK/rebuilt"
cp "$SITES" "$WORK/rebuilt/prog"
run_recorded rebuilt.run "${PRELOADED[@]}" MEMSNAP_DIR="$WORK/rebuilt" "$WORK/rebuilt/prog" exit 0
cp "$(find_binary true)" "$WORK/rebuilt/prog"
rebuilt_snapshot=$(snapshot_files "$WORK/rebuilt" | head -n 1)
cli rebuilt stats "${rebuilt_snapshot:-missing.json}"
check "stats with the program rebuilt since the run: one warning naming it, frames as prog+0xOFFSET" \
    eval 'clean rebuilt.run && expect_status rebuilt 0 && [ "$(grep -c "" "$WORK/rebuilt.err")" = 1 ] &&
          grep -q "^memsnap: warning: .*/rebuilt/prog: " "$WORK/rebuilt.err" &&
          grep -qxE "prog\+0x[0-9a-f]+: size=2160 B, count=90, average=24 B" "$WORK/rebuilt.out" &&
          [ "$(grep -c "" "$WORK/rebuilt.out")" = 1 ]'

# --- colour --------------------------------------------------------------------

ESC=$'\033'
run_recorded colour.pipe env -C "$WORK" -u NO_COLOR TERM=xterm bash -c '"$@" | cat' bash \
    "$CLI" diff one.json two.json
check "diff to a pipe, NO_COLOR unset: no escape sequence" \
    eval 'clean colour.pipe && ! grep -q "$ESC" "$WORK/colour.pipe.out" && [ -s "$WORK/colour.pipe.out" ]'

if SCRIPT=$(find_binary script) && "$SCRIPT" -qec true /dev/null </dev/null >/dev/null 2>&1; then
    # on_terminal LABEL ENV... -- ARGS...: memsnap ARGS with a terminal as
    # stdout (script(1)), in the environment ENV.
    on_terminal() {
        local label=$1 environment=()
        shift
        while [ "$1" != -- ]; do
            environment+=("$1")
            shift
        done
        shift
        local command
        command=$(printf '%q ' "$CLI" "$@")
        run_recorded "$label" env -C "$WORK" -u NO_COLOR TERM=xterm "${environment[@]}" \
            "$SCRIPT" -qec "$command" /dev/null
    }
    on_terminal colour.tty -- diff one.json two.json
    check "diff on a terminal: bold keys, red growth, green shrinkage" \
        eval 'clean colour.tty && grep -qF "${ESC}[1mSRC:@M${ESC}[0m: size=12.5 MiB (${ESC}[31m+12.5 MiB${ESC}[0m)" \
                  <(normalize <"$WORK/colour.tty.out") &&
              grep -qF "(${ESC}[32m-1536 KiB${ESC}[0m)" "$WORK/colour.tty.out"'
    on_terminal colour.tty.stats -- stats --top 1 one.json
    check "stats on a terminal: the key in bold" \
        eval 'clean colour.tty.stats && normalize <"$WORK/colour.tty.stats.out" | tr -d "\r" |
              grep -qxF "${ESC}[1mSRC:@L${ESC}[0m: size=1536 KiB, count=1, average=1536 KiB"'
    on_terminal colour.no_color NO_COLOR=1 -- diff one.json two.json
    check "diff on a terminal with NO_COLOR=1: no escape sequence, same text" \
        eval 'clean colour.no_color && ! grep -q "$ESC" "$WORK/colour.no_color.out" &&
              tr -d "\r" <"$WORK/colour.no_color.out" | cmp -s - "$WORK/colour.pipe.out"'
    on_terminal colour.empty NO_COLOR= -- diff one.json two.json
    check "diff on a terminal with NO_COLOR empty: colour (no-color.org: set and not empty)" \
        eval 'clean colour.empty && grep -q "$ESC" "$WORK/colour.empty.out"'
    on_terminal colour.dumb TERM=dumb -- diff one.json two.json
    check "diff on a terminal with TERM=dumb: no escape sequence" \
        eval 'clean colour.dumb && ! grep -q "$ESC" "$WORK/colour.dumb.out"'
    on_terminal colour.json -- diff --format json one.json two.json
    check "diff --format json on a terminal: no escape sequence" \
        eval 'clean colour.json && ! grep -q "$ESC" "$WORK/colour.json.out"'
else
    skip "colour on a terminal (no working script(1))"
fi

# --- run -----------------------------------------------------------------------

RUN_DIR=$(new_snapshot_dir run)
run_recorded run.sites "$CLI" run --output-dir "$RUN_DIR" -- "$SITES"
check "run --output-dir DIR -- cli_sites: status 0, one line '3 snapshots written to DIR'" \
    eval 'expect_status run.sites 0 && [ ! -s "$WORK/run.sites.out" ] &&
          text_is run.sites.err "memsnap: 3 snapshots written to $(realpath "$RUN_DIR")" "$WORK/run.sites.err"'
check "run --output-dir: the three snapshots are in DIR, valid" \
    eval '[ "$(snapshot_files "$RUN_DIR" | sed -E "s/.*\.[0-9]+\.([0-9]+\.[a-z]+)\.json\$/\1/" | tr "\n" " ")" = \
            "1.one 2.two 3.exit " ] && snapshots_valid "$RUN_DIR" --single-thread'
run_cli_two=$(snapshot_files "$RUN_DIR" | grep '\.two\.json$' || true)
cli run.diff diff --top 0 one.json "$run_cli_two"
check "run's snapshot 'two' against the preloaded run's 'one': the same changes" \
    eval 'clean run.diff && text_is run.diff "$DIFF"'

run_recorded run.exit "$CLI" run --output-dir "$RUN_DIR" -- "$SITES" exit 3
check "run -- cli_sites exit 3: status 3, one line naming the one new snapshot" \
    eval 'expect_status run.exit 3 && [ ! -s "$WORK/run.exit.out" ] &&
          [ "$(grep -c "" "$WORK/run.exit.err")" = 1 ] &&
          new=$(sed -n "s|^memsnap: snapshot written to \(.*\)\$|\1|p" "$WORK/run.exit.err") &&
          [ -f "$new" ] && [ "$(dirname "$new")" = "$(realpath "$RUN_DIR")" ] &&
          [[ "$(basename "$new")" =~ ^memsnap\.cli_sites\.[0-9]+\.1\.exit\.json$ ]]'

mkdir "$WORK/relative"
run_recorded run.relative env -C "$WORK" "$CLI" run --output-dir=relative -- "$SITES" exit 0
check "run --output-dir=relative: the line names the absolute folder" \
    eval 'expect_status run.relative 0 &&
          grep -qxE "memsnap: snapshot written to $(realpath "$WORK/relative")/memsnap\.cli_sites\.[0-9]+\.1\.exit\.json" \
              "$WORK/run.relative.err" && [ "$(grep -c "" "$WORK/run.relative.err")" = 1 ]'

FRAMES_DIR=$(new_snapshot_dir frames1)
run_recorded run.frames1 "$CLI" run --frames 1 --output-dir "$FRAMES_DIR" -- "$SITES"
check "run --frames 1: status 0, 3 snapshots" \
    eval 'expect_status run.frames1 0 && [ "$(snapshot_files "$FRAMES_DIR" | grep -c .)" = 3 ]'
frames1_one=$(snapshot_files "$FRAMES_DIR" | grep '\.one\.json$' || true)
cli frames1.traceback stats --group-by traceback --top 0 "$frames1_one"
check "run --frames 1, stats --group-by traceback: one address a traceback, the inlined one two frames (golden cli_stats_traceback_frames1.txt)" \
    golden_is frames1.traceback cli_stats_traceback_frames1.txt

for frames in 0 abc 257 -1; do
    BAD_DIR=$(new_snapshot_dir "frames.$frames")
    run_recorded "run.frames.$frames" "$CLI" run --frames "$frames" --output-dir "$BAD_DIR" -- "$SITES"
    check "run --frames $frames: usage error, status 2, one line naming the value, PROG not run" \
        eval 'expect_status "run.frames.$frames" 2 && [ ! -s "$WORK/run.frames.$frames.out" ] &&
              [ "$(grep -c "" "$WORK/run.frames.$frames.err")" = 1 ] &&
              grep -q "^memsnap: .*--frames.*'"'"'$frames'"'"'" "$WORK/run.frames.$frames.err" &&
              no_snapshot "$BAD_DIR"'
done

finish
