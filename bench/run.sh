#!/usr/bin/env bash
# bench/run.sh: runs every workload with glibc malloc and under memsnap,
# interleaved, and prints the table of medians, ratios and targets.
#
#   bench/run.sh BINDIR LIBRARY       (make bench passes build/bench and
#                                      build/libmemsnap.so)
#
# Environment:
#   BENCH_REPS   repetitions per allocator and workload (default 7, at least 5
#                for a meaningful median; fewer is allowed for a quick look)
#
# These rows measure memsnap's allocator: its runs set MEMSNAP_TRACE=0. What
# tracing costs (issue 3: traced, sampled and heaptrack runs of a Python
# program and of the churn) is bench/trace.sh's table, which make bench
# prints after this one. Its runs take longer (heaptrack alone about 10 s a
# repetition), so it has its own, smaller count: BENCH_TRACE_REPS, default 5.
#
# Order: for each repetition, for each workload, glibc then memsnap, so slow
# drifts of the machine (other tenants, frequency, page cache) hit both sides
# alike. A repetition's ratio is memsnap / glibc of that pair; the table shows
# the median of those ratios, the spread line their min..max. The absolute
# columns are the medians of each side.
#
# A benchmark, not a test: a missed target is reported, not an error. The
# exit status is non-zero only when a program fails or the preload did not
# take.
set -euo pipefail
# The command line, field, stats, target_row, the noise measure...: shared
# with trace.sh.
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

bench_args BENCH_REPS 7 "$@"

# name|program|metric key|row label|better (higher/lower)|target ratio
workloads=(
    "churn|churn|ops_per_s|1 small churn (Mops/s)|higher|1.0"
    "xthread|xthread|ops_per_s|2 two threads, 25% cross (Mops/s)|higher|0.9"
    "rss|rss|rss_mib|3 RSS after 90% freed (MiB)|lower|1.0"
)
# Informational rows: name|workload|key|label
infos=(
    "rss_peak|rss|peak_mib|  3 peak RSS, VmHWM (MiB)"
    "rss_heap|rss|heap_mib|  3 RSS above baseline (MiB)"
    "churn_peak|churn|peak_rss_mib|  1 peak RSS, VmHWM (MiB)"
    "xthread_peak|xthread|peak_rss_mib|  2 peak RSS, VmHWM (MiB)"
)

bench_scratch
clean_environment
mkdir "$results/snapshots"

# run_one WORKLOAD ALLOCATOR: runs it, appends every key's value to
# $results/<workload>.<allocator>.<key>, and prints the result line.
# memsnap runs with MEMSNAP_TRACE=0: these rows measure its allocator (the
# cost of tracing is trace.sh's), and MEMSNAP_DIR keeps anything it might
# write out of the work tree. Its stderr (warnings about options this build
# does not know yet, say) is shown only when the program fails.
run_one() {
    local name=$1 allocator=$2 output line word expected=libc.so.6
    local -a settings=()
    if [ "$allocator" = memsnap ]; then
        settings=(LD_PRELOAD="$library" MEMSNAP_TRACE=0 MEMSNAP_DIR="$results/snapshots")
        expected=$(basename "$library")
    fi
    output=$(env "${settings[@]}" "$bindir/$name" 2>"$results/stderr") || {
        echo "bench: $name failed with $allocator:" >&2; cat "$results/stderr" >&2; exit 1; }
    # Command substitution clears `set -e`, hence the explicit exits.
    line=$(result_line "$name" <<<"$output") || exit 1
    # The program names the object its malloc comes from.
    took "$name ($allocator run)" "$line" allocator "$expected" || exit 1
    for word in ${line#result }; do
        [ "${word%%=*}" = allocator ] && continue
        echo "${word#*=}" >>"$results/$name.$allocator.${word%%=*}"
    done
    printf '%s' "$line"
}

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
glibc=$(getconf GNU_LIBC_VERSION 2>/dev/null || ldd --version 2>/dev/null | head -n 1)
revision=$(git -C "$(dirname "$0")/.." describe --always --dirty 2>/dev/null || echo unknown)
echo "memsnap bench: glibc malloc vs LD_PRELOAD=$2"
echo "machine: $(nproc) CPUs (${cpu:-unknown CPU}), $glibc, Linux $(uname -r), $(awk '/MemTotal/ {printf "%.1f GiB RAM", $2 / 1048576}' /proc/meminfo)"
echo "memsnap: $revision; $reps interleaved repetitions per allocator (glibc, memsnap, glibc, memsnap, ...)"
echo

noise_begin
for ((rep = 1; rep <= reps; rep++)); do
    for entry in "${workloads[@]}"; do
        IFS='|' read -r name _ key _ <<<"$entry"
        printf 'run %d/%d %-8s' "$rep" "$reps" "$name"
        g=$(run_one "$name" glibc)
        m=$(run_one "$name" memsnap)
        printf ' glibc %-12s memsnap %-12s (%s)\n' "$(field "$g" "$key")" "$(field "$m" "$key")" "$key"
    done
done
noise_end
echo

scale() {   # scale VALUE KEY: ops/s are shown in millions
    if [ "$2" = ops_per_s ]; then awk -v v="$1" 'BEGIN { printf "%.2f", v / 1e6 }'
    else awk -v v="$1" 'BEGIN { printf "%.1f", v }'; fi
}

printf "$format" workload glibc memsnap ratio target verdict
spreads=()
for entry in "${workloads[@]}"; do
    IFS='|' read -r name _ key label better target <<<"$entry"
    read -r g m ratio lo hi < <(stats "$results/$name.glibc.$key" "$results/$name.memsnap.$key")
    if [ "$better" = higher ]; then sign='>='; else sign='<='; fi
    target_row "$label" "$(scale "$g" "$key")" "$(scale "$m" "$key")" "$ratio" "$sign" "$target"
    spreads+=("$(spread_row "${label%% *}" "$lo" "$hi")")
done
echo
echo "for information (not targets):"
for entry in "${infos[@]}"; do
    IFS='|' read -r _ name key label <<<"$entry"
    read -r g m ratio _ _ < <(stats "$results/$name.glibc.$key" "$results/$name.memsnap.$key")
    printf "$format" "$label" "$(scale "$g" "$key")" "$(scale "$m" "$key")" "$(printf '%.2fx' "$ratio")" "" ""
done
for spread in "${spreads[@]}"; do
    echo "$spread"
done
echo
echo "ratio = memsnap / glibc, median of $reps interleaved pairs; throughput: higher is better, RSS: lower is better."
noise_report "throughput figures (workloads 1 and 2)"
missed_summary
