#!/usr/bin/env bash
# bench/trace.sh: what tracing costs (issue 3). memsnap with tracing off, on
# and sampled, against glibc malloc and against heaptrack, on a Python
# program and on the C churn: interleaved repetitions, medians and ratios as
# in run.sh.
#
#   bench/trace.sh BINDIR LIBRARY     (make bench runs it after run.sh)
#
# Environment:
#   BENCH_TRACE_REPS   repetitions (default 5: one takes about 17 s on the
#                      2-core bench machine, 10 of them in heaptrack; hence
#                      fewer than run.sh's BENCH_REPS)
#
# Workloads:
#   4 python  /usr/bin/python3 bench/python_json.py, PYTHONMALLOC=malloc:
#             about 6M allocations from many call sites. /usr/bin/python3,
#             not the python3 on PATH, which can be a pyenv shim: a shell
#             script whose own start-up would be timed (and traced) too.
#   5 churn   BINDIR/churn as in run.sh (workload 1): 16M malloc and free
#             calls from one call site.
#
# Variants, in this order in every repetition, each run given a fresh
# scratch directory, removed after it:
#   plain      glibc malloc
#   alloc      memsnap with MEMSNAP_TRACE=0: its allocator alone
#   traced     memsnap as it comes: tracing on, every allocation, full
#              tracebacks
#   sampled    memsnap with MEMSNAP_SAMPLE_BYTES=524288 (python only)
#   heaptrack  heaptrack -o SCRATCH/trace PROGRAM
# memsnap runs get MEMSNAP_DIR=SCRATCH, where the snapshot written at exit
# goes. A library that does not know these options yet warns on stderr and
# runs untraced; stderr is shown only when a run fails.
#
# Measured: the wall time of the whole command, as the person who runs it
# waits for it: start-up, the work, the exit, and what the tracer does before
# the command returns. For memsnap that is writing the snapshot. For
# heaptrack it is heaptrack_interpret: heaptrack's script pipes the raw trace
# through it into the compressed output file while the program runs, and
# waits for it after the program exits. The script runs no analysis
# (heaptrack_print) at the end; it would open heaptrack_gui if that were
# installed, so then this script stops instead. An informational row shows
# how much of the time comes after the work (python_json.py prints when its
# work ended), and another how much each tracer wrote.
#
# Rows with a target, each ratio the median of per-repetition ratios:
#   traced / plain <= 1.5x; sampled / plain <= 1.1x (python only);
#   memsnap / heaptrack overhead < 0.5x, overhead being the seconds a tracer
#   adds to the plain run, (traced - plain) / (heaptrack - plain).
# A benchmark, not a test: a missed target is reported, not an error. The
# exit status is non-zero only when a program fails or a preload did not
# take.
set -euo pipefail
# The command line, field, stats, target_row, the noise measure...: shared
# with run.sh.
here=$(dirname "$0")
# shellcheck source=bench/lib.sh
. "$here/lib.sh"

bench_args BENCH_TRACE_REPS 5 "$@"
bench_python
heaptrack=$(command -v heaptrack) || {
    echo "bench: heaptrack not found (Debian package heaptrack)" >&2; exit 2; }
if [ -x "$(dirname "$(readlink -f "$heaptrack")")/heaptrack_gui" ]; then
    echo "bench: heaptrack_gui is installed: heaptrack would open it after every run" >&2
    exit 2
fi

# workload|variants, in running order
workloads=(
    "python|plain alloc traced sampled heaptrack"
    "churn|plain alloc traced heaptrack"
)
# Rows with a target, from $results/<workload>.<variant>.<key> files:
# base|measured|label|sign|target|name on the spread line
targets=(
    "python.plain.seconds|python.traced.seconds|4 python: traced / plain (s)|<=|1.5|4 traced"
    "python.plain.seconds|python.sampled.seconds|4 python: sampled / plain (s)|<=|1.1|4 sampled"
    "python.heaptrack.overhead|python.traced.overhead|4 python: overhead, memsnap/heaptrack|<|0.5|4 overhead"
    "churn.plain.seconds|churn.traced.seconds|5 churn: traced / plain (s)|<=|1.5|5 traced"
    "churn.heaptrack.overhead|churn.traced.overhead|5 churn: overhead, memsnap/heaptrack|<|0.5|5 overhead"
)
# Informational rows: base|measured|label (the same file twice: one value)
infos=(
    "python.plain.seconds|python.alloc.seconds|  4 allocator only / plain (s)"
    "python.plain.seconds|python.heaptrack.seconds|  4 heaptrack / plain (s)"
    "python.plain.after|python.traced.after|  4 after work (s): plain, traced"
    "python.plain.after|python.heaptrack.after|  4 after work (s): plain, heaptrack"
    "python.heaptrack.written|python.traced.written|  4 written (MiB): heaptrack, traced"
    "python.heaptrack.allocations|python.heaptrack.allocations|  4 allocations, heaptrack's count (M)"
    "churn.plain.seconds|churn.alloc.seconds|  5 allocator only / plain (s)"
    "churn.plain.seconds|churn.heaptrack.seconds|  5 heaptrack / plain (s)"
    "churn.heaptrack.written|churn.traced.written|  5 written (MiB): heaptrack, traced"
    "churn.heaptrack.allocations|churn.heaptrack.allocations|  5 allocations, heaptrack's count (M)"
)

bench_scratch
clean_environment

# run_variant WORKLOAD VARIANT: runs it once, appends its wall seconds and
# what it wrote (MiB) to $results/<workload>.<variant>.<key>, with the time
# after the work for python and the allocation count for heaptrack.
run_variant() {
    local workload=$1 variant=$2 scratch=$results/scratch
    local end line key count expected=libc.so.6 stem=$1.$2
    local -a settings=() tracer=() command=()
    mkdir "$scratch"
    bench_workload "$workload"
    case $variant in
        alloc)     settings+=(MEMSNAP_TRACE=0) ;;
        sampled)   settings+=(MEMSNAP_SAMPLE_BYTES=524288) ;;
        heaptrack) tracer=("$heaptrack" -o "$scratch/trace")
                   expected=libheaptrack_preload.so ;;
    esac
    case $variant in
        alloc | traced | sampled)
            settings+=(LD_PRELOAD="$library" MEMSNAP_DIR="$scratch")
            expected=$(basename "$library") ;;
    esac

    run_timed "$workload" "$variant" "$expected" env "${settings[@]}" "${tracer[@]}" "${command[@]}"
    appends "$(find "$scratch" -type f -printf '%s\n' | awk '{ s += $1 } END { printf "%.3f", s / 1048576 }')" \
        "$stem.written"
    if [ "$variant" = heaptrack ]; then
        # heaptrack_interpret's summary on stderr: "allocations: N".
        count=$(awk '$1 == "allocations:" && $2 > 0 { print $2 / 1e6 }' "$results/err")
        [ -n "$count" ] || { echo "bench: heaptrack printed no allocation count" >&2; exit 1; }
        appends "$count" "$stem.allocations"
    fi
    rm -rf "$scratch"
    printf ' %s %.2f' "$variant" "$(tail -n 1 "$results/$stem.seconds")"
}

echo "memsnap tracing bench: glibc malloc, LD_PRELOAD=$2 (tracing off, on, sampled), $("$heaptrack" --version)"
echo "workloads: 4 python = $python ($("$python" --version 2>&1)) bench/python_json.py, PYTHONMALLOC=malloc; 5 churn = $bindir/churn"
run_repetitions

# <workload>.<variant>.overhead: the seconds the variant adds to the plain
# run of the same repetition.
for entry in "${workloads[@]}"; do
    IFS='|' read -r workload variants <<<"$entry"
    for variant in $variants; do
        paste "$results/$workload.$variant.seconds" "$results/$workload.plain.seconds" |
            awk '{ print $1 - $2 }' >"$results/$workload.$variant.overhead"
    done
done

scale() {   # scale VALUE FILE: MiB with one decimal, the rest with two
    case $2 in
        *.written) awk -v v="$1" 'BEGIN { printf "%.1f", v }' ;;
        *)         awk -v v="$1" 'BEGIN { printf "%.2f", v }' ;;
    esac
}

ratio_table "tracing overhead"
echo
echo "ratio = measured / base, median of $reps interleaved repetitions; times are wall seconds of the whole"
echo "command: start-up to exit, memsnap's snapshot and heaptrack's interpreter included (no analysis step)."
echo "after work = from the end of python_json.py's work until the command returned (exit, snapshot, interpreter)."
echo "overhead = seconds a tracer adds to the plain run of the same repetition; negative: faster than glibc."

# 6: the time memsnap_snapshot() takes inside a program holding 1M live
# blocks in 131072 tracebacks (bench/snapshot.c), then the time the CLI takes
# to read such snapshots: `stats` on one, `diff` of two (symbolization with
# libdw included: the program is built with -g). The targets are absolute.
snapshot_dir=$results/snapshots
for rep in $(seq "$reps"); do
    rm -rf "$snapshot_dir"
    mkdir -p "$snapshot_dir"
    line=$(MEMSNAP_DIR=$snapshot_dir LD_PRELOAD=$2 "$bindir/snapshot" | result_line snapshot)
    appends "$(field "$line" snapshot_ms)" snapshot.ms
done
cli=$(dirname "$2")/memsnap
bench_snapshot=$(find "$snapshot_dir" -name 'memsnap.snapshot.*.bench.json')
exit_snapshot=$(find "$snapshot_dir" -name 'memsnap.snapshot.*.exit.json')
# milliseconds COMMAND...: the wall time of one run, its output discarded.
milliseconds() {
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null
    end=$(date +%s%N)
    echo $(((end - start) / 1000000))
}
for rep in $(seq "$reps"); do
    appends "$(milliseconds "$cli" stats "$bench_snapshot")" stats.ms
    appends "$(milliseconds "$cli" diff "$bench_snapshot" "$exit_snapshot")" diff.ms
done
printf "$format" "snapshots of 131072 tracebacks (ms)" "" median "" target verdict
absolute_row "6 memsnap_snapshot(), 1M live blocks" snapshot.ms 200
absolute_row "6 memsnap stats, symbolized" stats.ms 500
absolute_row "6 memsnap diff of two, symbolized" diff.ms 1000
echo
noise_report "the times"
missed_summary
