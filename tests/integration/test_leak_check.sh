#!/usr/bin/env bash
# test_leak_check.sh: the leak check end to end, from the preload to the
# report memsnap leaks renders on the program's stderr, with
# tests/programs/leaky.c (two blocks of 100 bytes lost from one call site,
# the line marked LEAK; 300 bytes kept in a global):
#
#   report     memsnap run --leaks: status and stdout as without memsnap,
#              the group with its exact file:line frames, the summary
#   status     --fail: 23, with the program's buffered stdout still
#              written; the program's own status otherwise; a custom
#              MEMSNAP_LEAK_EXITCODE with the bare preload; ignored blocks
#              fail nothing
#   rules      --gen-suppressions' rules, fed back with --suppressions,
#              hide the leak: status 0, the "suppressed" line
#   api        memsnap_leak_check() returns 0, then 2 (0 with the rules),
#              -1 without the preload; a snapshot labelled leak_check holds
#              the lost blocks
#   stress     leak_check_stress.c: 100 checks while 4 threads allocate,
#              reallocate and free: none finds a lost block, no block is
#              damaged, every thread goes on to finish
# The leak corpus (tests/leaks/) checks the kinds themselves. Conditions
# are single-quoted for eval, so that they expand when the check runs.
# shellcheck disable=SC2016
set -euo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"

have_program leaky || { finish; exit; }
leaky=$(program leaky)
cli=$(dirname "$LIBRARY")/memsnap
source_file=$(cd "$(dirname "$0")/../programs" && pwd)/leaky.c
leak_line=$(grep -n '/\* LEAK \*/' "$source_file" | cut -d: -f1)

# lines_in LABEL LINE...: each LINE is a whole line of LABEL's stderr.
lines_in() {
    local label=$1
    shift
    has_whole_lines "$WORK/$label.err" "$@"
}

stdout_is() {
    [ "$(cat "$WORK/$1.out")" = "$2" ] || { note "$1: stdout: $(cat "$WORK/$1.out")"; return 1; }
}

# --- report ---------------------------------------------------------------------
run_recorded plain "$leaky"
directory=$(new_snapshot_dir report)
run_recorded report env MEMSNAP_DIR="$directory" "$cli" run --leaks -- "$leaky"
check "run --leaks: the program's status and stdout, as without memsnap" \
    eval 'expect_status plain 0 && expect_status report 0 && stdout_is plain hello && stdout_is report hello'
check "run --leaks: the lost blocks in one group, at leaky.c:$leak_line (leak_one), then leak_two" \
    eval 'grep -A2 -E "^200 bytes in 2 blocks are definitely lost \(traceback [0-9]+\)$" "$WORK/report.err" |
          tail -n 2 | sed "s/:[0-9]* (leak_two)/ (leak_two)/" >"$WORK/report.frames" &&
          [ "$(cat "$WORK/report.frames")" = "    at tests/programs/leaky.c:$leak_line (leak_one)
    at tests/programs/leaky.c (leak_two)" ]'
check "run --leaks: the summary counts 200 bytes in 2 blocks definitely lost" \
    lines_in report "  definitely lost: 200 bytes in 2 blocks" "  indirectly lost: 0 bytes in 0 blocks" \
    "  possibly lost: 0 bytes in 0 blocks"
# Snapshots are compact JSON whose keys come in the documented order.
definite_two='"definite":{"size":200,"count":2}'
check "run --leaks: the exit snapshot holds the check (200 bytes in 2 definite blocks)" \
    grep -qF "$definite_two" "$(snapshot_files "$directory")"

# --- status -----------------------------------------------------------------------
directory=$(new_snapshot_dir fail)
run_recorded fail env MEMSNAP_DIR="$directory" "$cli" run --leaks --fail -- "$leaky"
check "run --fail: status 23, and the program's buffered stdout is still written" \
    eval 'expect_status fail 23 && stdout_is fail hello'
run_recorded own_status env MEMSNAP_DIR="$directory" "$cli" run --leaks -- "$leaky" 3
run_recorded own_status_fail env MEMSNAP_DIR="$directory" "$cli" run --leaks --fail -- "$leaky" 3
check "the program's own status 3 without --fail, 23 with it" \
    eval 'expect_status own_status 3 && expect_status own_status_fail 23'
run_recorded bare "${PRELOADED[@]}" MEMSNAP_LEAKS=1 MEMSNAP_LEAK_EXITCODE=9 "$leaky"
check "the bare preload with MEMSNAP_LEAK_EXITCODE=9: status 9" expect_status bare 9
run_recorded ignored env MEMSNAP_DIR="$directory" "$cli" run --leaks --fail -- "$leaky" ignore
check "blocks passed to memsnap_ignore fail nothing and are summed as ignored" \
    eval 'expect_status ignored 0 && lines_in ignored "memsnap: ignored         : 200 bytes in 2 blocks" \
          "memsnap: definitely lost : 0 bytes in 0 blocks"'

# --- rules --------------------------------------------------------------------------
directory=$(new_snapshot_dir rules)
run_recorded generate env MEMSNAP_DIR="$directory" "$cli" run --gen-suppressions -- "$leaky"
grep '^leak function ' "$WORK/generate.err" >"$WORK/rules.supp" || true
check "--gen-suppressions: one rule, on leak_one" \
    eval '[ "$(cut -d" " -f1-3 "$WORK/rules.supp" | tr -s " ")" = "leak function leak_one" ]'
run_recorded suppressed env MEMSNAP_DIR="$directory" "$cli" run --fail --suppressions "$WORK/rules.supp" -- "$leaky"
check "--suppressions with that rule: status 0, and the summary says what it hid" \
    eval 'expect_status suppressed 0 && grep -q "^  suppressed: 200 bytes in 2 blocks" "$WORK/suppressed.err"'

# --- api ---------------------------------------------------------------------------------
directory=$(new_snapshot_dir api)
run_recorded api env MEMSNAP_DIR="$directory" LD_PRELOAD="$LIBRARY" "$leaky" api
check "memsnap_leak_check(): 0 before the leak, 2 after it" \
    eval 'expect_status api 0 && stdout_is api "before 0
after 2"'
check "memsnap_leak_check(): one snapshot labelled leak_check, with the 2 lost blocks" \
    eval '[ "$(find "$directory" -name "memsnap.leaky.*.leak_check.json" | wc -l)" = 1 ] &&
          grep -qF "$definite_two" "$directory"/memsnap.leaky.*.leak_check.json'
run_recorded api_rules env MEMSNAP_DIR="$directory" LD_PRELOAD="$LIBRARY" \
    MEMSNAP_SUPPRESSIONS="$WORK/rules.supp" "$leaky" api
check "memsnap_leak_check() with MEMSNAP_SUPPRESSIONS: 0 after the leak the rule hides" \
    stdout_is api_rules "before 0
after 0"
run_recorded api_plain "$leaky" api
check "memsnap_leak_check() without the preload: -1" stdout_is api_plain "before -1
after -1"

# --- stress --------------------------------------------------------------------------------
if have_program leak_check_stress; then
    stress=$(program leak_check_stress)
    run_recorded stress_plain "$stress" 1
    check "leak_check_stress without the preload: the check is missing, status 2" \
        expect_status stress_plain 2
    directory=$(new_snapshot_dir stress)
    run_recorded stress env MEMSNAP_DIR="$directory" LD_PRELOAD="$LIBRARY" "$stress" 100
    check "100 leak checks while 4 threads allocate: none finds a lost block, no block damaged" \
        eval 'expect_status stress 0 && stdout_is stress "checks 100, lost 0, damaged 0"'
fi

finish
