#!/usr/bin/env bash
# tests/integration/test_cli.sh: checks the memsnap command-line tool: help and
# version, usage errors, `memsnap run`'s exit statuses, its options and where
# it finds the library.
#
#   bash tests/integration/test_cli.sh [BUILD_DIR]
#
# BUILD_DIR defaults to the folder of $LIBRARY (set by integration.mk), else build.
#
# Prints "ok - ..." or "not ok - ..." per check (details of a failure on
# stderr as "#" lines), then "N passed, N failed"; exits 1 if any failed.

# Conditions and sh -c scripts are single-quoted so that they expand later.
# shellcheck disable=SC2016
set -euo pipefail

default_build=build
[ -n "${LIBRARY:-}" ] && default_build=$(dirname "$LIBRARY")
build=$(realpath "${1:-$default_build}")
memsnap="$build/memsnap"
library="$build/libmemsnap.so"
if [ ! -x "$memsnap" ] || [ ! -f "$library" ]; then
    echo "test_cli.sh: no $memsnap or $library; run make first" >&2
    exit 1
fi

# Nothing inherited from the caller: no preload, no memsnap option.
unset LD_PRELOAD
while read -r variable; do
    unset "$variable"
done < <(compgen -e | grep '^MEMSNAP_' || true)

work=$(mktemp -d "${TMPDIR:-/tmp}/memsnap-cli.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Every program traced here writes an exit snapshot into MEMSNAP_DIR, by
# default its current directory (the work tree, under make): a folder of
# the test's own instead, checked at the end.
mkdir "$work/snapshots"
export MEMSNAP_DIR="$work/snapshots"

passed=0
failed=0

# capture COMMAND...: runs COMMAND, keeping its stdout and stderr in $work/out
# and $work/err and its exit status in $status.
status=0
capture() {
    status=0
    "$@" </dev/null >"$work/out" 2>"$work/err" || status=$?
}

# check DESCRIPTION CONDITION: CONDITION is shell code run with eval; when it
# fails, the last captured command's status, stdout and stderr are shown.
check() {
    if eval "$2"; then
        echo "ok - $1"
        passed=$((passed + 1))
    else
        echo "not ok - $1"
        failed=$((failed + 1))
        {
            echo "#   condition: $2"
            echo "#   exit status: $status"
            sed -n '1,10s/^/#   stdout: /p' "$work/out"
            sed -n '1,10s/^/#   stderr: /p' "$work/err"
        } >&2
    fi
}

# Conditions on the captured output.
line_count() { grep -c '' "$1" || true; }
one_line_on_stderr() { [ "$(line_count "$work/err")" -eq 1 ]; }
stdout_empty() { [ ! -s "$work/out" ]; }
stderr_has() { grep -qF -- "$1" "$work/err"; }
stdout_has() { grep -qF -- "$1" "$work/out"; }

# Help and version.
capture "$memsnap" --version
check "--version prints 'memsnap X.Y.Z'" \
    '[ $status -eq 0 ] && grep -qxE "memsnap [0-9]+\.[0-9]+\.[0-9]+" "$work/out"'

for help in "help" "--help" "-h" "run --help" "help run"; do
    # shellcheck disable=SC2086 # split "run --help" into words on purpose
    capture "$memsnap" $help
    check "'memsnap $help' prints the usage on stdout and exits 0" \
        '[ $status -eq 0 ] && stdout_has "usage: memsnap" && stdout_has "--stats-file FILE" &&
         stdout_has "Exit status:" && stdout_has "127" && [ ! -s "$work/err" ]'
done

capture "$memsnap"
check "no command: usage on stderr, exit 2" \
    '[ $status -eq 2 ] && stdout_empty && stderr_has "usage: memsnap"'

# Usage errors: exit 2, one line on stderr naming the culprit.
capture "$memsnap" frobnicate
check "unknown command: exit 2, one line naming it" \
    '[ $status -eq 2 ] && stdout_empty && one_line_on_stderr && stderr_has "frobnicate" &&
     stderr_has "see '"'"'memsnap help'"'"'"'

capture "$memsnap" --frobnicate
check "unknown global option: exit 2, one line naming it" \
    '[ $status -eq 2 ] && one_line_on_stderr && stderr_has "--frobnicate"'

capture "$memsnap" run --frobnicate -- true
check "unknown option of run: exit 2, one line naming it" \
    '[ $status -eq 2 ] && one_line_on_stderr && stderr_has "--frobnicate" &&
     stderr_has "see '"'"'memsnap help'"'"'"'

capture "$memsnap" run --stats=yes -- true
check "value given to a flag: exit 2, one line" \
    '[ $status -eq 2 ] && one_line_on_stderr && stderr_has "--stats"'

capture "$memsnap" run --stats-file
check "option without its argument: exit 2, one line" \
    '[ $status -eq 2 ] && one_line_on_stderr && stderr_has "--stats-file"'

capture "$memsnap" run touch "$work/ran"
check "run without '--': exit 2, one line, PROG not run" \
    '[ $status -eq 2 ] && one_line_on_stderr && stderr_has "--" && [ ! -e "$work/ran" ]'

capture "$memsnap" run --stats
check "run without '--' nor PROG: exit 2, one line" \
    '[ $status -eq 2 ] && one_line_on_stderr'

capture "$memsnap" run --
check "run with '--' but no PROG: exit 2, one line" \
    '[ $status -eq 2 ] && one_line_on_stderr && stderr_has "PROG"'

# After PROG, run says where the snapshots went, on one line of stderr;
# nothing else of memsnap's may appear there.
only_snapshot_line() {
    [ "$(wc -l <"$work/err")" -eq 1 ] &&
        grep -qE '^memsnap: (snapshot|[0-9]+ snapshots) written to ' "$work/err"
}

# Exit statuses of run.
capture "$memsnap" run -- true
check "run -- true exits 0, prints nothing but where the snapshot went" \
    '[ $status -eq 0 ] && stdout_empty && only_snapshot_line'

capture "$memsnap" run -- sh -c 'exit 7'
check "PROG's exit status 7 is passed through" '[ $status -eq 7 ]'

capture "$memsnap" run -- sh -c 'kill -KILL $$'
check "PROG killed by SIGKILL: exit 137" '[ $status -eq 137 ]'

capture "$memsnap" run -- sh -c 'kill -TERM $$'
check "PROG killed by SIGTERM: exit 143" '[ $status -eq 143 ]'

capture "$memsnap" run -- memsnap-no-such-program arg
check "PROG not found: exit 127 and one line" \
    '[ $status -eq 127 ] && stdout_empty && one_line_on_stderr &&
     grep -qxF "memsnap: cannot run '"'"'memsnap-no-such-program'"'"': No such file or directory" "$work/err"'

printf '#!/bin/sh\necho should not run\n' >"$work/not-executable"
chmod 644 "$work/not-executable"
capture "$memsnap" run -- "$work/not-executable"
check "PROG not executable: exit 126 and one line" \
    '[ $status -eq 126 ] && stdout_empty && one_line_on_stderr && stderr_has "Permission denied"'

# What run passes to PROG.
capture "$memsnap" run -- sh -c 'echo "$LD_PRELOAD"'
check "LD_PRELOAD is the library's absolute path" \
    '[ $status -eq 0 ] && [ "$(cat "$work/out")" = "$library" ]'

capture env LD_PRELOAD="$library" "$memsnap" run -- sh -c 'echo "$LD_PRELOAD"'
check "an existing LD_PRELOAD is kept, after the library" \
    '[ $status -eq 0 ] && [ "$(cat "$work/out")" = "$library:$library" ]'

capture "$memsnap" run --align16 -- sh -c 'echo "${MEMSNAP_ALIGN16-unset} ${MEMSNAP_STATS-unset}"'
check "--align16 sets MEMSNAP_ALIGN16=1 and nothing else" \
    '[ $status -eq 0 ] && [ "$(cat "$work/out")" = "1 unset" ]'

# The program's output, with and without memsnap: the same bytes.
generate() { seq 1 20000 | sort -r | awk '{ total += $1; print $1, total }'; }
export -f generate
bash -c generate >"$work/plain"
capture "$memsnap" run -- bash -c generate
check "PROG's stdout is unchanged under memsnap run" \
    '[ $status -eq 0 ] && cmp -s "$work/plain" "$work/out" && only_snapshot_line'

capture "$memsnap" run --stats -- bash -c generate
check "--stats: stdout unchanged, table on stderr" \
    '[ $status -eq 0 ] && cmp -s "$work/plain" "$work/out" &&
     stderr_has "Small block threshold = 512, in 64 size classes."'

# The statistics file. bash, not sh: dash's exit builtin calls _exit, which
# skips the library's destructor and so the table.
capture "$memsnap" run --stats-file "$work/table.txt" -- bash -c 'exit 3'
check "--stats-file writes the table to FILE, PROG's status kept" \
    '[ $status -eq 3 ] && only_snapshot_line &&
     grep -qxF "Small block threshold = 512, in 64 size classes." "$work/table.txt"'

mkdir "$work/elsewhere"
cd "$work"
capture "$memsnap" run --stats-file=relative.txt -- bash -c 'cd elsewhere && exit 0'
cd - >/dev/null
check "--stats-file=FILE, relative, lands in memsnap's directory even if PROG moves" \
    '[ $status -eq 0 ] && [ -s "$work/relative.txt" ] && [ ! -e "$work/elsewhere/relative.txt" ]'

# Finding the library.
mkdir -p "$work/alone" "$work/install/bin" "$work/install/lib/memsnap"
cp "$memsnap" "$work/alone/memsnap"
capture "$work/alone/memsnap" run -- true
check "no library beside memsnap: exit 2, one line" \
    '[ $status -eq 2 ] && one_line_on_stderr && stderr_has "libmemsnap.so"'

capture "$work/alone/memsnap" run --library "$library" -- sh -c 'echo "$LD_PRELOAD"'
check "--library PATH overrides the lookup" \
    '[ $status -eq 0 ] && [ "$(cat "$work/out")" = "$library" ]'

capture "$memsnap" run --library "$work/no-such-library.so" -- true
check "--library naming no file: exit 2, one line" \
    '[ $status -eq 2 ] && one_line_on_stderr && stderr_has "no-such-library.so"'

cp "$memsnap" "$work/install/bin/memsnap"
cp "$library" "$work/install/lib/memsnap/libmemsnap.so"
capture "$work/install/bin/memsnap" run -- sh -c 'echo "$LD_PRELOAD"'
check "installed layout: bin/memsnap finds lib/memsnap/libmemsnap.so" \
    '[ $status -eq 0 ] && [ "$(cat "$work/out")" = "$work/install/lib/memsnap/libmemsnap.so" ]'

ln -s "$memsnap" "$work/linked-memsnap"
capture "$work/linked-memsnap" run -- sh -c 'echo "$LD_PRELOAD"'
check "a symbolic link to memsnap finds the library beside its target" \
    '[ $status -eq 0 ] && [ "$(cat "$work/out")" = "$library" ]'

# Snapshots: in MEMSNAP_DIR, not in the folders the programs ran in.
check "traced programs wrote their snapshots into MEMSNAP_DIR, none into their own folders" \
    '[ -n "$(find "$work/snapshots" -name "memsnap.*.exit.json")" ] &&
     [ -z "$(find "$work" -path "$work/snapshots" -prune -o -name "memsnap.*" -print)" ]'

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
