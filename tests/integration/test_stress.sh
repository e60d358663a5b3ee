#!/usr/bin/env bash
# test_stress.sh: threads, fork and exec under the preload.
#
#   stress        4 threads x 1,000,000 random malloc/free/realloc/calloc with
#                 cross-thread frees and content checks; under the preload
#                 (also with MEMSNAP_ALIGN16=1) and without
#   thread_churn  300 rounds of short-lived threads; their blocks are freed
#                 and reallocated after they exit (abandoned, adopted heaps)
#   fork_threads  50 forks while 3 threads allocate; children free blocks
#                 the parent's other threads allocated; three runs under the
#                 preload
#   fork_pool_filled  100 forks while a thread fills pools; a thread in the
#                 child allocates from the heap that thread left behind
#   exit_with_threads  exit() while 3 threads allocate, 10 times, with
#                 MEMSNAP_STATS=1: exit status 0 and the table written
#   exec_self     fork + exec of itself, /bin/true and /bin/false; exit
#                 statuses pass through, LD_PRELOAD survives exec
#
# A program exits 0 only when all of its own checks pass. Every command runs
# under `timeout 60` (run_recorded in lib.sh): a deadlock fails, not hangs.
set -euo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"

if have_program stress; then
    stress=$(program stress)
    expect_success_both stress "stress: 4 threads x 1,000,000 operations" "$stress"
    expect_success stress.align16 "stress: the same with MEMSNAP_ALIGN16=1" \
        "${PRELOADED[@]}" MEMSNAP_ALIGN16=1 "$stress"
fi

if have_program thread_churn; then
    thread_churn=$(program thread_churn)
    expect_success_both churn "thread_churn: blocks outlive their threads" "$thread_churn"
fi

if have_program fork_threads; then
    fork_threads=$(program fork_threads)
    expect_success fork.plain "fork_threads: 50 forks among allocating threads without the preload" \
        "$fork_threads"
    # Fork races are timing-dependent: three runs give them more chances.
    for run in 1 2 3; do
        expect_success "fork.preload.$run" \
            "fork_threads: 50 forks among allocating threads under the preload, no deadlock (run $run of 3)" \
            "${PRELOADED[@]}" "$fork_threads"
    done
fi

if have_program fork_pool_filled; then
    fork_pool_filled=$(program fork_pool_filled)
    expect_success_both fork_pool "fork_pool_filled: children allocate from a pool-filling thread's heap" \
        "$fork_pool_filled"
fi

# exits_cleanly_with_table RUNS PROGRAM: PROGRAM, under the preload with
# MEMSNAP_STATS=1, exits 0 and writes the table, RUNS times in a row.
exits_cleanly_with_table() {
    local runs=$1 program=$2 run
    for run in $(seq 1 "$runs"); do
        rm -f "$WORK/exit.table"
        run_recorded "exit.$run" "${PRELOADED[@]}" MEMSNAP_STATS=1 \
            MEMSNAP_STATS_FILE="$WORK/exit.table" "$program"
        expect_status "exit.$run" 0 || return 1
        if ! is_stats_table "$WORK/exit.table"; then
            note "run $run wrote no table"
            return 1
        fi
    done
}

if have_program exit_with_threads; then
    check "exit_with_threads: exit() while 3 threads allocate, 10 runs with MEMSNAP_STATS=1" \
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
