# shellcheck shell=bash
# tests/integration/lib.sh: helpers shared by the integration scripts.
#
# Sourced, never run. The caller sets `set -euo pipefail` first. Expects in
# the environment (integration.mk sets them, as absolute paths):
#   LIBRARY   build/libmemsnap.so
#   PROGRAMS  build/tests/programs, where the test programs were built
#
# Every check prints one line, "ok - ...", "not ok - ..." or "skip - ...";
# details of a failure go to stderr as "#" lines. `finish` prints the
# closing "N passed, N failed[, N skipped]" line and sets the exit status.
#
# memsnap writes a snapshot at every traced process's exit into MEMSNAP_DIR,
# by default the current directory: every preloaded command here runs with
# MEMSNAP_DIR=$SNAPSHOTS (PRELOADED), or a folder of its own under $WORK, so
# that no snapshot lands in the work tree or a program's folder; `finish`
# checks that none did.

: "${LIBRARY:?LIBRARY must name libmemsnap.so}"
: "${PROGRAMS:?PROGRAMS must name the folder of test programs}"
LIBRARY=$(realpath "$LIBRARY")
PROGRAMS=$(realpath "$PROGRAMS")
INTEGRATION_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck disable=SC2034 # used by the scripts that source this file
REPOSITORY_ROOT=$(cd "$INTEGRATION_DIR/../.." && pwd)

# A clean slate: no preload and no memsnap option inherited from the caller,
# so "without the preload" really is plain glibc.
unset LD_PRELOAD
while read -r variable; do
    unset "$variable"
done < <(compgen -e | grep '^MEMSNAP_' || true)

# No command may run longer than this (run_recorded): a deadlock fails its
# check instead of hanging the suite.
DEADLINE_SECONDS=60

passed=0
failed=0
skipped=0

WORK=$(mktemp -d "${TMPDIR:-/tmp}/memsnap-integration.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# For finish: snapshots newer than this one that land outside $WORK.
touch "$WORK/.started"

# Where preloaded commands write their snapshots unless told otherwise.
SNAPSHOTS=$WORK/snapshots
mkdir "$SNAPSHOTS"

# "${PRELOADED[@]}" COMMAND...: runs COMMAND with libmemsnap.so preloaded
# and MEMSNAP_DIR=$SNAPSHOTS (a later MEMSNAP_DIR=... argument overrides
# it); an array, not a function, so that timeout and the like can run it.
PRELOADED=(env "LD_PRELOAD=$LIBRARY" "MEMSNAP_DIR=$SNAPSHOTS")

ok() {
    echo "ok - $*"
    passed=$((passed + 1))
}

not_ok() {
    echo "not ok - $*"
    failed=$((failed + 1))
}

skip() {
    echo "skip - $*"
    skipped=$((skipped + 1))
}

# A diagnostic line for a failed check, on stderr.
note() {
    echo "#   $*" >&2
}

# Shows the first lines of a file (or of a diff) as diagnostics.
note_file() {
    sed -n '1,20p' "$1" | sed 's/^/#     /' >&2
}

# has_whole_lines FILE LINE...: every LINE is a whole line of FILE (the
# file is shown when one is missing).
has_whole_lines() {
    local file=$1 wanted
    shift
    for wanted in "$@"; do
        if ! grep -qxF -- "$wanted" "$file"; then
            note "no line '$wanted' in $(basename "$file"):"
            note_file "$file"
            return 1
        fi
    done
}

# check DESCRIPTION COMMAND...: one line, ok when COMMAND succeeds.
check() {
    local description=$1
    shift
    if "$@"; then
        ok "$description"
    else
        not_ok "$description"
    fi
}

# stray_snapshots: snapshot files written since the script started outside
# $WORK: in the work tree (the current directory is in it when make runs the
# scripts) or the current directory.
stray_snapshots() {
    {
        find "$REPOSITORY_ROOT" -path "$REPOSITORY_ROOT/.git" -prune -o \
            -name 'memsnap.*.json' -newer "$WORK/.started" -print
        find . -maxdepth 1 -name 'memsnap.*.json' -newer "$WORK/.started" -print
    } 2>/dev/null | sort -u
}

# finish: one last check, that no snapshot escaped $WORK, then the closing
# line; exit status 1 if any check failed.
finish() {
    local stray path
    stray=$(stray_snapshots)
    if [ -n "$stray" ]; then
        note "snapshots written outside $WORK (MEMSNAP_DIR not set for some preloaded run?):"
        while read -r path; do note "  $path"; done <<<"$stray"
        not_ok "no snapshot written outside the test's temporary folders"
    fi
    local summary="$passed passed, $failed failed"
    if [ "$skipped" -gt 0 ]; then
        summary="$summary, $skipped skipped"
    fi
    echo "$summary"
    [ "$failed" -eq 0 ]
}

# find_binary NAME...: prints the path of the first NAME that is installed,
# preferring /usr/bin (a real binary, not a pyenv-style shell shim); fails
# when none is.
find_binary() {
    local name
    for name in "$@"; do
        if [ -x "/usr/bin/$name" ]; then
            echo "/usr/bin/$name"
            return 0
        fi
    done
    for name in "$@"; do
        if command -v "$name" >/dev/null 2>&1; then
            command -v "$name"
            return 0
        fi
    done
    return 1
}

# program NAME: path of a test program built from tests/programs/NAME.c(pp).
program() {
    echo "$PROGRAMS/$1"
}

# have_program NAME: succeeds if the test program was built; otherwise
# prints a skip line and fails.
have_program() {
    if [ -x "$(program "$1")" ]; then
        return 0
    fi
    skip "$1 (binary absent)"
    return 1
}

# run_recorded LABEL COMMAND...: runs COMMAND with stdin from /dev/null,
# ended after DEADLINE_SECONDS (status 124), or killed 10 seconds later if
# it ignores that (status 137: one that blocks signals while it deadlocks),
# its stdout, stderr and exit status kept in $WORK/LABEL.{out,err,status}.
# The group's stderr goes to /dev/null only for bash's own notice of a
# command killed by a signal ("... User defined signal 2 timeout ...").
run_recorded() {
    local label=$1
    shift
    local status=0
    { timeout -k 10 "$DEADLINE_SECONDS" "$@" </dev/null >"$WORK/$label.out" 2>"$WORK/$label.err"; } \
        2>/dev/null || status=$?
    echo "$status" >"$WORK/$label.status"
    case $status in
    124 | 137) note "$label did not finish within $DEADLINE_SECONDS seconds (deadlock?): status $status" ;;
    esac
}

# status_of LABEL: the exit status recorded by run_recorded.
status_of() {
    cat "$WORK/$1.status"
}

# same_streams LABEL_A LABEL_B STREAM...: the runs recorded by run_recorded
# have the same STREAMs (out, err, status) byte for byte; the differences
# are shown when not.
same_streams() {
    local a=$1 b=$2 stream result=0
    shift 2
    for stream in "$@"; do
        if ! cmp -s "$WORK/$a.$stream" "$WORK/$b.$stream"; then
            note "$stream differs between $a and $b:"
            diff "$WORK/$a.$stream" "$WORK/$b.$stream" >"$WORK/diff" || true
            note_file "$WORK/diff"
            result=1
        fi
    done
    return $result
}

# same_outcome LABEL_A LABEL_B: stdout, stderr and exit status equal.
same_outcome() {
    same_streams "$1" "$2" out err status
}

# expect_success NAME DESCRIPTION COMMAND...: one check, ok when COMMAND
# exits 0 within DEADLINE_SECONDS; its stderr is shown when it does not.
expect_success() {
    local name=$1 description=$2
    shift 2
    run_recorded "$name" "$@"
    check "$description" expect_status "$name" 0
}

# expect_success_both NAME DESCRIPTION COMMAND...: COMMAND exits 0 once
# without the preload and once under it.
expect_success_both() {
    local name=$1 description=$2
    shift 2
    expect_success "$name.plain" "$description, without the preload" "$@"
    expect_success "$name.preload" "$description, under the preload" "${PRELOADED[@]}" "$@"
}

# is_stats_table FILE: FILE holds memsnap's allocator table.
is_stats_table() {
    [ -s "$1" ] && head -n 1 "$1" | grep -qx 'memsnap allocator statistics' &&
        grep -q '^# bytes of brk/sbrk growth total' "$1"
}

# expect_status LABEL STATUS: the recorded exit status is STATUS.
expect_status() {
    local actual
    actual=$(status_of "$1")
    if [ "$actual" != "$2" ]; then
        note "$1 exited with status $actual, expected $2; its stderr:"
        note_file "$WORK/$1.err"
        return 1
    fi
}

# --- snapshots -----------------------------------------------------------

# new_snapshot_dir NAME: prints the path of a new, empty folder for the
# snapshots of one run ($WORK/NAME.snapshots).
new_snapshot_dir() {
    local directory="$WORK/$1.snapshots"
    rm -rf "$directory"
    mkdir -p "$directory"
    echo "$directory"
}

# snapshot_files DIR: the snapshot files in DIR, one path a line, by name.
snapshot_files() {
    find "$1" -maxdepth 1 -name 'memsnap.*.json' | LC_ALL=C sort
}

# none_named DIR PATTERN WHAT: DIR holds no file named PATTERN (WHAT says
# what such files are, for the failure note).
none_named() {
    local found
    found=$(find "$1" -maxdepth 1 -name "$2" | LC_ALL=C sort)
    if [ -n "$found" ]; then
        note "expected no $3 in $1, found:"
        echo "$found" | sed -n '1,10s|^.*/|#     |p' >&2
        return 1
    fi
}

# no_snapshot DIR: DIR holds no snapshot and no temporary of one.
no_snapshot() {
    none_named "$1" '*memsnap.*' snapshot
}

# no_temporaries DIR: no hidden .memsnap.*.tmp left behind in DIR.
no_temporaries() {
    none_named "$1" '.memsnap.*' "temporary left behind"
}

# snapshots_valid DIR [STRICTNESS]: every snapshot in DIR passes
# snapshot_check (tests/programs/snapshot_check.c; STRICTNESS --quiescent
# or --single-thread), with its listing in $WORK/last.snapshots; and no
# temporary is left. Without snapshot_check built, the files are only
# counted.
snapshots_valid() {
    local directory=$1 strictness=${2:-}
    local files=()
    mapfile -t files < <(snapshot_files "$directory")
    : >"$WORK/last.snapshots"
    no_temporaries "$directory" || return 1
    if [ "${#files[@]}" -eq 0 ] || [ ! -x "$(program snapshot_check)" ]; then
        return 0
    fi
    if ! "$(program snapshot_check)" ${strictness:+"$strictness"} "${files[@]}" \
        >"$WORK/last.snapshots" 2>"$WORK/last.snapshots.err"; then
        note "invalid snapshots in $directory:"
        note_file "$WORK/last.snapshots.err"
        return 1
    fi
}

# exit_snapshots_valid DIR [STRICTNESS]: DIR holds at least one exit
# snapshot, and snapshots_valid.
exit_snapshots_valid() {
    if ! snapshot_files "$1" | grep -q '\.exit\.json$'; then
        note "no exit snapshot (memsnap.*.exit.json) in $1"
        return 1
    fi
    snapshots_valid "$@"
}

# --- real programs ---------------------------------------------------------

# compare_under_preload NAME EXPECTED_STATUS COMMAND...
#
# Runs COMMAND four times: without the preload; with it (tracing on, the
# default); with it and MEMSNAP_STATS=1 MEMSNAP_STATS_FILE=<file>; and with
# it and MEMSNAP_TRACE=0 (the allocator alone). Checks that the plain run
# ends with EXPECTED_STATUS (so the workload itself is sound), that every
# preloaded run matches it byte for byte (stdout, stderr, exit status), that
# the traced run wrote valid exit snapshots into its MEMSNAP_DIR (at least
# one: each process writes its own; snapshot_check --quiescent, as no thread
# allocates any more when the exit snapshot is written), that the statistics file was written,
# and that the untraced run wrote no snapshot. Four checks, named after NAME.
# Each run gets RUN_LABEL=plain, preload, stats or untraced in its
# environment, for commands that write files of their own.
compare_under_preload() {
    local name=$1 expected_status=$2
    shift 2
    local table="$WORK/$name.table" traced untraced
    traced=$(new_snapshot_dir "$name.preload")
    untraced=$(new_snapshot_dir "$name.untraced")
    run_recorded "$name.plain" env RUN_LABEL=plain "$@"
    run_recorded "$name.preload" "${PRELOADED[@]}" MEMSNAP_DIR="$traced" RUN_LABEL=preload "$@"
    run_recorded "$name.stats" "${PRELOADED[@]}" RUN_LABEL=stats MEMSNAP_STATS=1 \
        MEMSNAP_STATS_FILE="$table" "$@"
    run_recorded "$name.untraced" "${PRELOADED[@]}" MEMSNAP_DIR="$untraced" MEMSNAP_TRACE=0 \
        RUN_LABEL=untraced "$@"
    check "$name: exits with status $expected_status without the preload" \
        expect_status "$name.plain" "$expected_status"
    if same_outcome "$name.plain" "$name.preload" &&
        exit_snapshots_valid "$traced" --quiescent; then
        ok "$name: stdout, stderr and exit status identical under the preload, tracing; valid exit snapshots"
    else
        not_ok "$name: stdout, stderr and exit status identical under the preload, tracing; valid exit snapshots"
    fi
    if same_outcome "$name.plain" "$name.stats" && is_stats_table "$table"; then
        ok "$name: identical with MEMSNAP_STATS=1, table written to MEMSNAP_STATS_FILE"
    else
        [ -s "$table" ] || note "no statistics table in $table"
        not_ok "$name: identical with MEMSNAP_STATS=1, table written to MEMSNAP_STATS_FILE"
    fi
    if same_outcome "$name.plain" "$name.untraced" && no_snapshot "$untraced"; then
        ok "$name: identical with MEMSNAP_TRACE=0, no snapshot written"
    else
        not_ok "$name: identical with MEMSNAP_TRACE=0, no snapshot written"
    fi
}
