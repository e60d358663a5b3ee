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

if [ $# -ne 2 ]; then
    echo "usage: $0 BINDIR LIBRARY" >&2
    exit 2
fi
bindir=$1
library=$(realpath "$2")
reps=${BENCH_REPS:-7}
if ! [[ $reps =~ ^[1-9][0-9]*$ ]]; then
    echo "bench: BENCH_REPS must be a positive integer" >&2
    exit 2
fi
[ -f "$library" ] || { echo "bench: $library not built" >&2; exit 2; }

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

results=$(mktemp -d "${TMPDIR:-/tmp}/memsnap-bench.XXXXXX")
trap 'rm -rf "$results"' EXIT

# Prints the value of key in a "result k=v ..." line.
field() {
    local line=$1 key=$2 word
    for word in $line; do
        if [ "${word%%=*}" = "$key" ]; then
            echo "${word#*=}"
            return 0
        fi
    done
    echo "bench: no $key in: $line" >&2
    return 1
}

# run_one WORKLOAD ALLOCATOR: runs it, appends every key's value to
# $results/<workload>.<allocator>.<key>, and prints the result line.
run_one() {
    local name=$1 allocator=$2 output line word
    local program="$bindir/$name"
    if [ "$allocator" = memsnap ]; then
        output=$(env -u MEMSNAP_STATS -u MEMSNAP_STATS_FILE LD_PRELOAD="$library" "$program") || {
            echo "bench: $name failed under memsnap" >&2; exit 1; }
    else
        output=$(env -u LD_PRELOAD -u MEMSNAP_STATS -u MEMSNAP_STATS_FILE "$program") || {
            echo "bench: $name failed with glibc" >&2; exit 1; }
    fi
    line=$(grep '^result ' <<<"$output" | tail -n 1) || {
        echo "bench: $name printed no result line" >&2; exit 1; }
    # The program names the object its malloc comes from.
    local expected=libc.so.6
    [ "$allocator" = memsnap ] && expected=$(basename "$library")
    if [ "$(field "$line" allocator)" != "$expected" ]; then
        echo "bench: $name ($allocator run) got malloc from $(field "$line" allocator), expected $expected" >&2
        exit 1
    fi
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

# CPU jiffies (USER_HZ) of the whole machine: "busy steal total".
cpu_jiffies() {
    awk '/^cpu / { busy = $2 + $3 + $4 + $7 + $8; print busy, $9, busy + $5 + $6 + $9 }' /proc/stat
}
# CPU seconds used by this script's children so far. `times` must run in
# this shell, not in a command substitution's subshell, hence the file.
children_seconds() {
    times >"$results/times"
    awk 'NR == 2 {
        split($1, u, /[ms]/); split($2, s, /[ms]/)
        print u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$results/times"
}
read -r busy0 steal0 total0 < <(cpu_jiffies)
children_seconds >"$results/ours0"; ours0=$(cat "$results/ours0")

for ((rep = 1; rep <= reps; rep++)); do
    for entry in "${workloads[@]}"; do
        IFS='|' read -r name _ key _ <<<"$entry"
        printf 'run %d/%d %-8s' "$rep" "$reps" "$name"
        g=$(run_one "$name" glibc)
        m=$(run_one "$name" memsnap)
        printf ' glibc %-12s memsnap %-12s (%s)\n' "$(field "$g" "$key")" "$(field "$m" "$key")" "$key"
    done
done
read -r busy1 steal1 total1 < <(cpu_jiffies)
children_seconds >"$results/ours1"; ours1=$(cat "$results/ours1")
hz=$(getconf CLK_TCK)
# Share of the machine's CPU time taken by other processes while we ran,
# and time stolen by the hypervisor: both make the numbers noisier.
noise=$(awk -v b="$((busy1 - busy0))" -v s="$((steal1 - steal0))" -v t="$((total1 - total0))" \
            -v o="$(awk -v a="$ours0" -v b="$ours1" 'BEGIN { print b - a }')" -v hz="$hz" '
    BEGIN { other = b / hz - o; if (other < 0) other = 0
            printf "%.0f %.0f", 100 * other * hz / t, 100 * s / t }')
read -r other_share steal_share <<<"$noise"
echo

# stats FILE_GLIBC FILE_MEMSNAP: "median_glibc median_memsnap median_ratio
# min_ratio max_ratio", ratios taken pair by pair.
stats() {
    paste "$1" "$2" | awk '
        function median(a, n,   i, j, t) {
            for (i = 2; i <= n; i++)
                for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
            return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
        }
        { n++; g[n] = $1; m[n] = $2; r[n] = $2 / $1 }
        END {
            lo = hi = r[1]
            for (i = 2; i <= n; i++) { if (r[i] < lo) lo = r[i]; if (r[i] > hi) hi = r[i] }
            printf "%.6g %.6g %.6g %.6g %.6g\n", median(g, n), median(m, n), median(r, n), lo, hi
        }'
}

scale() {   # scale VALUE KEY: ops/s are shown in millions
    if [ "$2" = ops_per_s ]; then awk -v v="$1" 'BEGIN { printf "%.2f", v / 1e6 }'
    else awk -v v="$1" 'BEGIN { printf "%.1f", v }'; fi
}

format='%-38s %12s %12s %8s %9s  %s\n'
printf "$format" workload glibc memsnap ratio target verdict
missed=0
spreads=()
for entry in "${workloads[@]}"; do
    IFS='|' read -r name _ key label better target <<<"$entry"
    read -r g m ratio lo hi < <(stats "$results/$name.glibc.$key" "$results/$name.memsnap.$key")
    if [ "$better" = higher ]; then
        sign='>='; ok=$(awk -v r="$ratio" -v t="$target" 'BEGIN { print (r >= t) ? "ok" : "MISSED" }')
    else
        sign='<='; ok=$(awk -v r="$ratio" -v t="$target" 'BEGIN { print (r <= t) ? "ok" : "MISSED" }')
    fi
    [ "$ok" = ok ] || missed=$((missed + 1))
    printf "$format" "$label" "$(scale "$g" "$key")" "$(scale "$m" "$key")" \
        "$(printf '%.2fx' "$ratio")" "$sign $(printf '%.1fx' "$target")" "$ok"
    spreads+=("$(printf '%-38s %34s' "  ${label%% *} ratio spread, min..max" "$(printf '%.2fx..%.2fx' "$lo" "$hi")")")
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
echo "during the run, other processes used ${other_share}% of the machine's CPU time and the hypervisor stole ${steal_share}%."
if [ "$other_share" -ge 5 ] || [ "$steal_share" -ge 5 ]; then
    echo "warning: the machine was not idle; throughput figures (workloads 1 and 2) are noisier than usual."
fi
if [ "$missed" -gt 0 ]; then
    echo "$missed target(s) missed."
else
    echo "all targets met."
fi
