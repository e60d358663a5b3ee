#!/usr/bin/env bash
# test_stress.sh: threads, fork and exec under the preload.
#
#   stress        4 threads x 1,000,000 random malloc/free/realloc/calloc with
#                 cross-thread frees and content checks; without the preload
#                 and under it: traced (the default), then with
#                 MEMSNAP_ALIGN16=0 (8-byte classes, not the default),
#                 MEMSNAP_TRACE=0 (the allocator alone) and
#                 MEMSNAP_SAMPLE_BYTES=64k (sampled tracebacks); the traced
#                 and sampled runs' exit snapshots valid
#   thread_churn  300 rounds of short-lived threads; their blocks are freed
#                 and reallocated after they exit (abandoned, adopted heaps)
#   fork_threads  50 forks while 3 threads allocate; children free blocks
#                 the parent's other threads allocated; three runs under the
#                 preload; each writes 51 valid exit snapshots, one per
#                 process (pid)
#   fork_pool_filled  100 forks while a thread fills pools; a thread in the
#                 child allocates from the heap that thread left behind
#   exit_with_threads  exit() while 3 threads allocate, 10 times, with
#                 MEMSNAP_STATS=1: exit status 0, the table written, and one
#                 valid exit snapshot, written while the threads allocate
#   exec_self     fork + exec of itself, /bin/true and /bin/false; exit
#                 statuses pass through, LD_PRELOAD survives exec
#
# A program exits 0 only when all of its own checks pass. Every command runs
# under `timeout 60` (run_recorded in lib.sh): a deadlock fails, not hangs.
# Compound conditions are single-quoted for eval, so that they expand when
# the check runs.
# shellcheck disable=SC2016
set -euo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"

if have_program stress; then
    stress=$(program stress)
    expect_success stress.plain "stress: 4 threads x 1,000,000 operations, without the preload" \
        "$stress"
    directory=$(new_snapshot_dir stress.preload)
    expect_success stress.preload "stress: 4 threads x 1,000,000 operations, under the preload" \
        "${PRELOADED[@]}" MEMSNAP_DIR="$directory" "$stress"
    check "stress: one valid exit snapshot (threads joined: --quiescent)" \
        eval 'exit_snapshots_valid "$directory" --quiescent &&
              [ "$(snapshot_files "$directory" | wc -l)" = 1 ]'
    expect_success stress.align8 "stress: the same with MEMSNAP_ALIGN16=0" \
        "${PRELOADED[@]}" MEMSNAP_ALIGN16=0 "$stress"
    expect_success stress.untraced "stress: the same with MEMSNAP_TRACE=0" \
        "${PRELOADED[@]}" MEMSNAP_TRACE=0 "$stress"
    directory=$(new_snapshot_dir stress.sampled)
    expect_success stress.sampled "stress: the same with MEMSNAP_SAMPLE_BYTES=64k" \
        "${PRELOADED[@]}" MEMSNAP_DIR="$directory" MEMSNAP_SAMPLE_BYTES=64k "$stress"
    check "stress with MEMSNAP_SAMPLE_BYTES=64k: one valid exit snapshot (sampling mode)" \
        eval 'exit_snapshots_valid "$directory" --quiescent &&
              [ "$(snapshot_files "$directory" | wc -l)" = 1 ]'
fi

if have_program thread_churn; then
    thread_churn=$(program thread_churn)
    expect_success_both churn "thread_churn: blocks outlive their threads" "$thread_churn"
fi

# one_exit_snapshot_per_process DIR PROCESSES: DIR holds PROCESSES exit
# snapshots and nothing else, of as many pids, all valid. Forks happen while
# other threads allocate, so a child's allocation counts may be off by what
# those threads had in flight: snapshot_check's default strictness.
one_exit_snapshot_per_process() {
    local directory=$1 expected=$2 files pids
    files=$(snapshot_files "$directory" | wc -l)
    pids=$(snapshot_files "$directory" | grep '\.1\.exit\.json$' |
        sed -E 's/.*\.([0-9]+)\.1\.exit\.json$/\1/' | sort -u | wc -l)
    if [ "$files" != "$expected" ] || [ "$pids" != "$expected" ]; then
        note "$directory: $files snapshots of $pids processes, expected $expected exit snapshots of as many"
        return 1
    fi
    snapshots_valid "$directory"
}

if have_program fork_threads; then
    fork_threads=$(program fork_threads)
    expect_success fork.plain "fork_threads: 50 forks among allocating threads without the preload" \
        "$fork_threads"
    # Fork races are timing-dependent: three runs give them more chances.
    for run in 1 2 3; do
        directory=$(new_snapshot_dir "fork.preload.$run")
        expect_success "fork.preload.$run" \
            "fork_threads: 50 forks among allocating threads under the preload, no deadlock (run $run of 3)" \
            "${PRELOADED[@]}" MEMSNAP_DIR="$directory" "$fork_threads"
        check "fork_threads: 51 valid exit snapshots, one per process (run $run of 3)" \
            one_exit_snapshot_per_process "$directory" 51
    done
fi

if have_program fork_pool_filled; then
    fork_pool_filled=$(program fork_pool_filled)
    expect_success_both fork_pool "fork_pool_filled: children allocate from a pool-filling thread's heap" \
        "$fork_pool_filled"
fi

# exits_cleanly_with_table RUNS PROGRAM: PROGRAM, under the preload with
# MEMSNAP_STATS=1, exits 0, writes the table and one valid exit snapshot,
# RUNS times in a row.
exits_cleanly_with_table() {
    local runs=$1 program=$2 run directory
    for run in $(seq 1 "$runs"); do
        rm -f "$WORK/exit.table"
        directory=$(new_snapshot_dir "exit.$run")
        run_recorded "exit.$run" "${PRELOADED[@]}" MEMSNAP_DIR="$directory" MEMSNAP_STATS=1 \
            MEMSNAP_STATS_FILE="$WORK/exit.table" "$program"
        expect_status "exit.$run" 0 || return 1
        if ! is_stats_table "$WORK/exit.table"; then
            note "run $run wrote no table"
            return 1
        fi
        one_exit_snapshot_per_process "$directory" 1 || return 1
    done
}

if have_program exit_with_threads; then
    check "exit_with_threads: exit() while 3 threads allocate, 10 runs with MEMSNAP_STATS=1, table and exit snapshot written" \
        exits_cleanly_with_table 10 "$(program exit_with_threads)"
fi

if have_program exec_self; then
    exec_self=$(program exec_self)
    expect_success exec.plain "exec_self: exit statuses pass through fork + exec without the preload" \
        "$exec_self"
    expect_success exec.preload "exec_self: exit statuses pass through fork + exec under the preload, which exec keeps" \
        "${PRELOADED[@]}" "$exec_self" --expect-preload
fi

finish
