#!/usr/bin/env bash
# memsnap.sh: memsnap's leak check against expected.txt.
#
# Every program of the corpus runs twice: plain, and as
#
#   MEMSNAP_DIR=DIR MEMSNAP_LEAKS=1 LD_PRELOAD=build/libmemsnap.so PROGRAM
#
# Its stdout and exit status must be the same both times. Each process
# writes an exit snapshot into DIR (memsnap.PROG.PID.SEQ.exit.json; the fork
# case has two pids, the child's parent is the other); snapshot_leaks.py
# reads their `leaks` objects, and every figure of expected.txt is checked
# against `leaks.summary`, the number of groups against `leaks.rows`
# (many_leaks: exactly one definite row, 100000 blocks), as memcheck.sh does
# with memcheck's reports (common.sh, compare_with_expected). A snapshot
# without `leaks`, or with `"complete": false`, fails its program's checks,
# one "not ok" each.
#
# Then every entry of real_programs.txt, in which memcheck finds no definite
# leak, runs the same way: same stdout and exit status, and no definite leak
# in the exit snapshot of any of its processes. A program not installed is
# skipped.
#
# One "ok - ..." / "not ok - ..." line per check; the last line is
# "N passed, N failed[, N skipped]"; exit status 1 if any check failed.
set -euo pipefail
# shellcheck source=tests/leaks/common.sh
source "$(dirname "$0")/common.sh"

SECONDS=0
PYTHON=/usr/bin/python3
READER=$LEAKS_SOURCE_DIR/snapshot_leaks.py

check "expected.txt is well formed" expected_well_formed
check "the corpus built in $PROGRAMS is the list of programs in expected.txt" corpus_matches_expected
if [ ! -x "$PYTHON" ]; then
    note "snapshots are read with $PYTHON (make leak-test installs python3)"
fi
if [ ! -f "$LIBRARY" ]; then
    note "$LIBRARY is not built"
fi

# memsnap_records LABEL DIR: the process records of the exit snapshots in
# DIR, into $WORK/LABEL.records; when a process has no leak report, memsnap's
# stderr of run LABEL is shown.
memsnap_records() {
    local label=$1 directory=$2 files=()
    mapfile -t files < <(find "$directory" -maxdepth 1 -name 'memsnap.*.exit.json' | LC_ALL=C sort)
    : >"$WORK/$label.records"
    if [ "${#files[@]}" -gt 0 ]; then
        "$PYTHON" "$READER" "${files[@]}" >"$WORK/$label.records" 2>"$WORK/$label.reader.err" ||
            note "$READER failed: $(head -n 1 "$WORK/$label.reader.err")"
    fi
    if [ "${#files[@]}" = 0 ] || grep -q ' missing ' "$WORK/$label.records"; then
        [ "${#files[@]}" -gt 0 ] || note "$label: no exit snapshot in $directory"
        grep -h ' missing ' "$WORK/$label.records" | sed 's/^/#     /' >&2 || true
        if [ -s "$WORK/$label.err" ]; then
            note "$label: stderr under the preload:"
            note_file "$WORK/$label.err"
        fi
    fi
}

# preloaded_run LABEL DIR COMMAND...: COMMAND with the preload and the leak
# check, its snapshots into DIR.
preloaded_run() {
    local label=$1 directory=$2
    shift 2
    run_recorded "$label" env "LD_PRELOAD=$LIBRARY" "MEMSNAP_DIR=$directory" MEMSNAP_LEAKS=1 "$@"
}

# --- the corpus ----------------------------------------------------------
while read -r program; do
    binary="$PROGRAMS/$program"
    directory=$(new_snapshot_dir "$program")
    run_recorded "$program.plain" "$binary"
    preloaded_run "$program.memsnap" "$directory" "$binary"
    if expect_status "$program.plain" 0 && same_stdout_and_status "$program.plain" "$program.memsnap"; then
        ok "$program: the same stdout and exit status (0) with and without the preload"
    else
        not_ok "$program: the same stdout and exit status (0) with and without the preload"
    fi
    memsnap_records "$program.memsnap" "$directory"
    compare_with_expected "$program" "$WORK/$program.memsnap.records" memsnap
done < <(expected_programs)
echo "# the corpus under memsnap: $SECONDS s"

# --- real programs ---------------------------------------------------------
make_real_inputs
while read -r name rest; do
    if ! real_program_command "$name" "$rest"; then
        skip "$name (not installed)"
        continue
    fi
    directory=$(new_snapshot_dir "real.$name")
    run_recorded "real.$name.plain" env "${REAL_ENVIRONMENT[@]}" "${REAL_COMMAND[@]}"
    preloaded_run "real.$name.memsnap" "$directory" env "${REAL_ENVIRONMENT[@]}" "${REAL_COMMAND[@]}"
    check "$name: the same stdout and exit status with and without the preload" \
        same_stdout_and_status "real.$name.plain" "real.$name.memsnap"
    memsnap_records "real.$name.memsnap" "$directory"
    records="$WORK/real.$name.memsnap.records"
    if [ ! -s "$records" ] || grep -qE '^[0-9]+ [0-9]+ (missing|incomplete)' "$records"; then
        note_file "$records"
        not_ok "$name: memsnap finds no definite leak (a complete leak report for each process)"
    elif awk '$3 == "definite" && ($4 != 0 || $5 != 0) { bad = 1 } END { exit !bad }' "$records"; then
        note "$name: memsnap reports definite leaks, memcheck none (PID PPID KIND BYTES BLOCKS ROWS...):"
        note_file "$records"
        not_ok "$name: memsnap finds no definite leak (a complete leak report for each process)"
    else
        ok "$name: memsnap finds no definite leak (a complete leak report for each process)"
    fi
done < <(real_program_entries)
echo "# memsnap.sh: $SECONDS s in all"

finish
