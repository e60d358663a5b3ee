#!/usr/bin/env bash
# test_real_programs.sh: real programs under the preload.
#
# Each program runs without LD_PRELOAD, with it (tracing every allocation,
# the default), with it plus MEMSNAP_STATS=1 MEMSNAP_STATS_FILE=<file>, and
# with it plus MEMSNAP_TRACE=0; stdout, stderr and exit status must match
# byte for byte, the traced run must leave valid exit snapshots (checked by
# snapshot_check) in its own MEMSNAP_DIR, the table must be written, and the
# untraced run must write no snapshot (see compare_under_preload in lib.sh).
# No snapshot lands in the programs' folders (git's snapshot repository
# would show untracked files). Workloads live in workloads/. A program whose
# binary is not installed is reported as skipped.
#
#   python3   JSON encode/decode and dicts; threads passing objects through a
#             queue; PYTHONMALLOC=malloc so that every object goes through
#             malloc
#   perl      hashes, regexes, sorting
#   sqlite3   tables, inserts through a recursive CTE, an index, joins,
#             group by
#   git       on a snapshot of this repository: log --stat, rev-list, ls-files,
#             diff, grep
#   tclsh     dicts, lists, strings
#   gcc       compiles and runs a program (cc1, as, collect2, ld all under the
#             preload through exec); a file with a warning; one with an error;
#             the binaries built with and without the preload (traced and
#             untraced) are identical
#   g++       compiles containers.cpp, likewise
#   containers (tests/programs/containers.cpp) new/delete, new[]/delete[],
#             vector, string, map: checksums
set -euo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"

WORKLOADS=$INTEGRATION_DIR/workloads

# compare_tool NAME BINARY_NAME EXPECTED_STATUS ARGUMENTS...: compares
# BINARY_NAME run with ARGUMENTS, or reports it skipped when not installed.
compare_tool() {
    local name=$1 binary_name=$2 expected_status=$3 binary
    shift 3
    if binary=$(find_binary "$binary_name"); then
        compare_under_preload "$name" "$expected_status" "$binary" "$@"
    else
        skip "$name ($binary_name: binary absent)"
    fi
}

if python=$(find_binary python3); then
    compare_under_preload python3-json-dict 0 \
        env PYTHONMALLOC=malloc PYTHONHASHSEED=0 "$python" "$WORKLOADS/json_dict.py"
    compare_under_preload python3-threads-queue 0 \
        env PYTHONMALLOC=malloc PYTHONHASHSEED=0 "$python" "$WORKLOADS/threads_queue.py"
else
    skip "python3 (binary absent)"
fi

compare_tool perl-hash-regex-sort perl 0 "$WORKLOADS/hash_regex_sort.pl"
compare_tool sqlite3-sql-script sqlite3 0 -batch -bail :memory: ".read $WORKLOADS/tables.sql"
compare_tool tclsh-dict-list-string tclsh 0 "$WORKLOADS/dict_list_string.tcl"

# git runs on a snapshot: a clone of this repository with the working tree's
# current files copied over it, so that the lead's commits and edits during
# the test cannot change the output between runs, and `git diff` has
# something to show.
snapshot_repository() {
    local snapshot=$1
    git clone --quiet "$REPOSITORY_ROOT" "$snapshot" &&
        git -C "$REPOSITORY_ROOT" ls-files -z |
        (cd "$REPOSITORY_ROOT" && tar --null --files-from=- --ignore-failed-read -cf - 2>/dev/null) |
            tar -C "$snapshot" -xf - &&
        echo "a line added by the integration test" >>"$snapshot/Makefile"
}

if ! git=$(find_binary git); then
    skip "git (binary absent)"
elif ! git -C "$REPOSITORY_ROOT" rev-parse --git-dir >/dev/null 2>&1; then
    skip "git ($REPOSITORY_ROOT is not a git repository)"
elif ! snapshot_repository "$WORK/repository"; then
    not_ok "git: cannot snapshot $REPOSITORY_ROOT"
else
    git_in_snapshot=("$git" --no-pager -C "$WORK/repository" -c color.ui=never)
    compare_under_preload git-log-stat 0 "${git_in_snapshot[@]}" log --stat
    compare_under_preload git-rev-list 0 "${git_in_snapshot[@]}" rev-list --all --count
    compare_under_preload git-ls-files 0 "${git_in_snapshot[@]}" ls-files -s
    compare_under_preload git-diff 0 "${git_in_snapshot[@]}" diff HEAD~0
    compare_under_preload git-grep 0 "${git_in_snapshot[@]}" grep -n -e malloc -e free
fi

# compile_and_run NAME COMPILER EXPECTED_STATUS SOURCE FLAGS...: COMPILER
# builds SOURCE into $WORK/NAME.<run> and, if it succeeds, runs it; output and
# status are those of the compiler on failure, of the program otherwise.
# Then the binaries built with and without the preload must be identical.
compile_and_run() {
    local name=$1 compiler_name=$2 expected_status=$3 source=$4 compiler
    shift 4
    if ! compiler=$(find_binary "$compiler_name"); then
        skip "$name ($compiler_name: binary absent)"
        return
    fi
    # RUN_LABEL (plain, preload, stats, untraced) is set by
    # compare_under_preload; the single quotes are for sh -c.
    # shellcheck disable=SC2016
    compare_under_preload "$name" "$expected_status" sh -c \
        'output="$0.$RUN_LABEL"; "$@" -o "$output" && "$output"' \
        "$WORK/$name" "$compiler" -fdiagnostics-color=never "$@" "$source"
    if [ -e "$WORK/$name.plain" ]; then
        check "$name: binaries built with and without the preload are identical" \
            cmp -s "$WORK/$name.plain" "$WORK/$name.preload"
        check "$name: binaries built with and without the preload, MEMSNAP_TRACE=0, are identical" \
            cmp -s "$WORK/$name.plain" "$WORK/$name.untraced"
    fi
}

compile_and_run gcc-compile-and-run gcc 0 "$WORKLOADS/compile_clean.c" -O2 -Wall
compile_and_run gcc-deliberate-warning gcc 3 "$WORKLOADS/compile_warning.c" -O2 -Wall
compile_and_run gcc-deliberate-error gcc 1 "$WORKLOADS/compile_error.c" -O2 -Wall
compile_and_run g++-compile-and-run g++ 0 "$INTEGRATION_DIR/../programs/containers.cpp" \
    -O2 -Wall -std=gnu++17

if have_program containers; then
    compare_under_preload cxx-containers 0 "$(program containers)"
fi

finish
