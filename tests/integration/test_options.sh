#!/usr/bin/env bash
# test_options.sh: bad MEMSNAP_* values change nothing but one line on stderr.
#
# exit_status prints a line on stdout and one on stderr and exits 3. Under
# the preload with a bad option, its stdout and exit status must be those of
# the run without the preload, and its stderr that run's plus exactly one
# "memsnap: ..." line:
#   MEMSNAP_STATS=banana                     "memsnap: MEMSNAP_STATS='banana' is not valid ..."
#   MEMSNAP_STATS_FILE in a missing folder   "memsnap: cannot open MEMSNAP_STATS_FILE ..."
#   the tracing options out of range or misspelt: MEMSNAP_TRACE=maybe,
#   MEMSNAP_START=maybe, MEMSNAP_FRAMES=0 and 257, MEMSNAP_SAMPLE_BYTES=2T,
#   MEMSNAP_SIGNAL=KILL and 9, MEMSNAP_INTERVAL=abc and 0.0001 (one decimal
#   too many)                                "memsnap: MEMSNAP_...='...' is not valid ..."
#   MEMSNAP_DIR set but empty                "memsnap: MEMSNAP_DIR is set but empty ...",
#                                            and the snapshot goes to the current directory
#   MEMSNAP_TRACES=0 (misspelt)              "memsnap: unknown variable MEMSNAP_TRACES ..."
# And MEMSNAP_STATS=1 alone puts the table on stderr after the program's own
# output, stdout and exit status unchanged.
set -euo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"

if ! have_program exit_status; then
    finish
    exit
fi
exit_status=$(program exit_status)

run_recorded baseline "$exit_status"
check "exit_status: exits with status 3 without the preload" expect_status baseline 3

# same_stdout_and_status LABEL: as in the run without the preload.
same_stdout_and_status() {
    cmp -s "$WORK/baseline.out" "$WORK/$1.out" && cmp -s "$WORK/baseline.status" "$WORK/$1.status"
}

# stderr_plus_one_warning LABEL PREFIX: LABEL's stderr is the baseline's
# plus exactly one line from memsnap, and that line starts with PREFIX.
stderr_plus_one_warning() {
    local label=$1 prefix=$2 errors="$WORK/$1.err"
    local warnings
    warnings=$(grep -c '^memsnap: ' "$errors" || true)
    if [ "$warnings" != 1 ]; then
        note "$label: $warnings lines from memsnap on stderr, expected 1:"
        note_file "$errors"
        return 1
    fi
    if [ "$(grep '^memsnap: ' "$errors" | cut -c "1-${#prefix}")" != "$prefix" ]; then
        note "$label: the warning does not start with \"$prefix\":"
        note_file "$errors"
        return 1
    fi
    grep -v '^memsnap: ' "$errors" | cmp -s - "$WORK/baseline.err"
}

# bad_option NAME PREFIX VARIABLE=VALUE...: two checks for one bad setting.
bad_option() {
    local name=$1 prefix=$2
    shift 2
    run_recorded "$name" "${PRELOADED[@]}" "$@" "$exit_status"
    check "$name: stdout and exit status unchanged" same_stdout_and_status "$name"
    check "$name: stderr has exactly one more line, \"$prefix...\"" \
        stderr_plus_one_warning "$name" "$prefix"
}

bad_option "MEMSNAP_STATS=banana" "memsnap: MEMSNAP_STATS='banana' is not valid" \
    MEMSNAP_STATS=banana
bad_option "MEMSNAP_STATS_FILE in a missing folder" "memsnap: cannot open MEMSNAP_STATS_FILE" \
    MEMSNAP_STATS=1 MEMSNAP_STATS_FILE="$WORK/no/such/folder/table"

for setting in MEMSNAP_TRACE=maybe MEMSNAP_START=maybe MEMSNAP_FRAMES=0 MEMSNAP_FRAMES=257 \
    MEMSNAP_SAMPLE_BYTES=2T MEMSNAP_SIGNAL=KILL MEMSNAP_SIGNAL=9 MEMSNAP_INTERVAL=abc \
    MEMSNAP_INTERVAL=0.0001; do
    bad_option "$setting" "memsnap: ${setting%%=*}='${setting#*=}' is not valid" "$setting"
done
bad_option "MEMSNAP_TRACES=0 (misspelt)" "memsnap: unknown variable MEMSNAP_TRACES" MEMSNAP_TRACES=0

# An empty MEMSNAP_DIR is ignored: the snapshot goes to the default, the
# current directory (here a folder of the test's own).
current_directory="$WORK/empty-dir.cwd"
mkdir "$current_directory"
name="MEMSNAP_DIR set but empty"
run_recorded "$name" env -C "$current_directory" "${PRELOADED[@]}" MEMSNAP_DIR= "$exit_status"
check "$name: stdout and exit status unchanged" same_stdout_and_status "$name"
check "$name: stderr has exactly one more line, \"memsnap: MEMSNAP_DIR is set but empty...\"" \
    stderr_plus_one_warning "$name" "memsnap: MEMSNAP_DIR is set but empty"
# shellcheck disable=SC2016 # expands when the check runs
check "$name: the exit snapshot is written to the current directory" \
    eval '[ "$(find "$current_directory" -name "memsnap.exit_status.*.1.exit.json" | wc -l)" = 1 ]'

# stderr_then_table LABEL: the baseline's stderr, then the table.
stderr_then_table() {
    local lines
    lines=$(wc -l <"$WORK/baseline.err")
    head -n "$lines" "$WORK/$1.err" | cmp -s - "$WORK/baseline.err" &&
        tail -n "+$((lines + 1))" "$WORK/$1.err" >"$WORK/$1.table" &&
        is_stats_table "$WORK/$1.table"
}

run_recorded stats-on-stderr "${PRELOADED[@]}" MEMSNAP_STATS=1 "$exit_status"
check "MEMSNAP_STATS=1: stdout and exit status unchanged" same_stdout_and_status stats-on-stderr
check "MEMSNAP_STATS=1: the table follows the program's stderr" stderr_then_table stats-on-stderr

finish
