#!/usr/bin/env bash
# memcheck.sh: the corpus and the real programs under valgrind's memcheck.
#
# expected.txt holds memcheck's answers: every program of the corpus runs
# under
#
#   valgrind --tool=memcheck --leak-check=full --show-leak-kinds=all
#            --errors-for-leak-kinds=none --suppressions=ldso.supp
#            --log-file=DIR/memcheck.%p.log
#
# (valgrind follows fork by default: each process writes its own log, and
# checks its own leaks at its exit), and the LEAK SUMMARY of each process,
# with the number of loss records of each kind, must be what expected.txt
# says (common.sh, compare_with_expected). ldso.supp leaves out the blocks
# ld.so allocated, which memsnap takes as roots.
#
# Then every entry of real_programs.txt runs under memcheck (the same
# options): memcheck must find no definite leak in any of its processes,
# since memsnap.sh asserts memsnap finds none either. The figures memcheck
# gives for them are printed as "#" lines. A program not installed is
# skipped.
#
# One "ok - ..." / "not ok - ..." line per check; the last line is
# "N passed, N failed[, N skipped]"; exit status 1 if any check failed.
set -euo pipefail
# shellcheck source=tests/leaks/common.sh
source "$(dirname "$0")/common.sh"

SECONDS=0
if ! VALGRIND=$(find_binary valgrind); then
    not_ok "valgrind is installed (make leak-memcheck installs it)"
    finish
fi
echo "# $("$VALGRIND" --version)"
MEMCHECK=("$VALGRIND" --tool=memcheck --leak-check=full --show-leak-kinds=all
    --errors-for-leak-kinds=none "--suppressions=$LEAKS_SOURCE_DIR/ldso.supp")

# memcheck_records DIR: the process records (common.sh) of the memcheck logs
# in DIR, one log a process.
memcheck_records() {
    local log
    for log in "$1"/memcheck.*.log; do
        [ -e "$log" ] || continue
        awk '
            function number(text) { gsub(/,/, "", text); return text + 0 }
            function summary(kind,   i) {
                for (i = 1; i <= NF; i++)
                    if ($i == "bytes") { bytes[kind] = number($(i - 1)); blocks[kind] = number($(i + 2)) }
                seen = 1
            }
            NR == 1 { pid = $1; gsub(/=/, "", pid) }
            /Parent PID:/ { ppid = $NF }
            /All heap blocks were freed -- no leaks are possible/ { seen = 1 }
            /definitely lost: .* bytes in/ { summary("definite") }
            /indirectly lost: .* bytes in/ { summary("indirect") }
            /possibly lost: .* bytes in/ { summary("possible") }
            /still reachable: .* bytes in/ { summary("reachable") }
            /are definitely lost in loss record/ { groups["definite"]++ }
            /are indirectly lost in loss record/ { groups["indirect"]++ }
            /are possibly lost in loss record/ { groups["possible"]++ }
            /are still reachable in loss record/ { groups["reachable"]++ }
            END {
                if (!seen) { print pid, ppid, "missing"; exit }
                n = split("definite indirect possible reachable", kinds, " ")
                for (k = 1; k <= n; k++) {
                    kind = kinds[k]
                    print pid, ppid, kind, bytes[kind] + 0, blocks[kind] + 0, groups[kind] + 0,
                          bytes[kind] + 0, blocks[kind] + 0
                }
            }' "$log"
    done
}

# suppressed_summary DIR: what ldso.supp hid, per process, for the notes.
suppressed_summary() {
    grep -h 'suppressed: .* bytes in' "$1"/memcheck.*.log 2>/dev/null |
        sed -E 's/^==([0-9]+)== +suppressed: /pid \1: /' | tr '\n' ';' | sed 's/;$//' || true
}

check "expected.txt is well formed" expected_well_formed
check "the corpus built in $PROGRAMS is the list of programs in expected.txt" corpus_matches_expected

# --- the corpus ----------------------------------------------------------
corpus_start=$SECONDS
while read -r program; do
    binary="$PROGRAMS/$program"
    logs="$WORK/$program.memcheck"
    mkdir -p "$logs"
    if [ ! -x "$binary" ]; then
        note "$binary was not built"
    fi
    run_recorded "$program.memcheck" "${MEMCHECK[@]}" "--log-file=$logs/memcheck.%p.log" "$binary"
    check "$program: exits with status 0 under memcheck" expect_status "$program.memcheck" 0
    memcheck_records "$logs" >"$WORK/$program.memcheck.records"
    compare_with_expected "$program" "$WORK/$program.memcheck.records" memcheck
    suppressed=$(suppressed_summary "$logs")
    case $suppressed in
    *": 0 bytes in 0 blocks" | "") ;;
    *) echo "#   $program: ld.so's blocks, left out by ldso.supp: $suppressed" ;;
    esac
done < <(expected_programs)
echo "# the corpus under memcheck: $((SECONDS - corpus_start)) s"

# --- real programs ---------------------------------------------------------
make_real_inputs
real_start=$SECONDS
while read -r name rest; do
    if ! real_program_command "$name" "$rest"; then
        skip "$name (not installed)"
        continue
    fi
    logs="$WORK/real.$name.memcheck"
    mkdir -p "$logs"
    started=$SECONDS
    run_recorded "real.$name.plain" env "${REAL_ENVIRONMENT[@]}" "${REAL_COMMAND[@]}"
    run_recorded "real.$name.memcheck" env "${REAL_ENVIRONMENT[@]}" "${MEMCHECK[@]}" \
        "--log-file=$logs/memcheck.%p.log" "${REAL_COMMAND[@]}"
    memcheck_records "$logs" >"$WORK/real.$name.records"
    figures=$(awk '$3 != "definite" && $3 != "indirect" { printf "%s%s %s/%s", sep, $3, $4, $5; sep = ", " }' \
        "$WORK/real.$name.records")
    echo "#   $name under memcheck ($((SECONDS - started)) s): $figures"
    if ! same_stdout_and_status "real.$name.plain" "real.$name.memcheck"; then
        note "$name: stdout or exit status differ under memcheck:"
        note_file "$WORK/real.$name.memcheck.err"
        not_ok "$name: memcheck finds no definite leak"
    elif [ ! -s "$WORK/real.$name.records" ] || grep -q ' missing$' "$WORK/real.$name.records"; then
        note "$name: a process without a LEAK SUMMARY:"
        note_file "$WORK/real.$name.records"
        not_ok "$name: memcheck finds no definite leak"
    elif awk '$3 == "definite" && ($4 != 0 || $5 != 0) { bad = 1 } END { exit !bad }' \
        "$WORK/real.$name.records"; then
        note "$name: memcheck finds definite leaks; take it out of real_programs.txt:"
        grep -h -A6 'are definitely lost' "$logs"/memcheck.*.log | sed -n '1,20s/^/#     /p' >&2
        not_ok "$name: memcheck finds no definite leak"
    else
        ok "$name: memcheck finds no definite leak"
    fi
done < <(real_program_entries)
echo "# the real programs under memcheck: $((SECONDS - real_start)) s"
echo "# memcheck.sh: $SECONDS s in all"

finish
