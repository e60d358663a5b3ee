#!/usr/bin/env bash
# bench/leaks.sh: what leak checking costs (issue 5). memsnap with
# MEMSNAP_LEAKS=1 against memsnap's exact tracing alone, glibc malloc and
# LeakSanitizer, on trace.sh's Python program and C churn; then the time one
# leak check takes on a heap of 10M live blocks. Interleaved repetitions,
# medians and ratios as in run.sh and trace.sh.
#
#   bench/leaks.sh BINDIR LIBRARY     (make bench runs it after trace.sh)
#
# Environment:
#   BENCH_LEAK_REPS   repetitions (default 5: one takes about 20 s on the
#                     2-core bench machine, the whole about 1.7 minutes)
#
# Workloads:
#   4 python  /usr/bin/python3 bench/python_json.py, PYTHONMALLOC=malloc, as
#             in trace.sh: about 6M allocations, most freed before the exit.
#   5 churn   BINDIR/churn as in run.sh and trace.sh: 16M malloc and free
#             calls; it frees everything before the exit.
#   7 scan    BINDIR/leak_scan (bench/leak_scan.c): 10M live blocks, 1 GiB,
#             all reachable; it times one memsnap_leak_check() from the
#             inside. It fails, and so does this script, when the check
#             cannot run (without the preload) or finds anything lost.
#
# Variants of 4 and 5, in this order in every repetition, each run given a
# fresh scratch directory, removed after it:
#   plain    glibc malloc
#   traced   memsnap as it comes, as trace.sh's traced: exact tracing and
#            the exit snapshot
#   leaks    traced plus MEMSNAP_LEAKS=1: at exit the leak check (threads
#            stopped, the mark phase), its result in the exit snapshot and
#            the library's own five-line summary on stderr. The library runs
#            from a copy in the scratch tree with no memsnap tool where it
#            looks for one (next to it, or ../../bin/memsnap), so that it
#            cannot run the report: this variant is the check alone
#   report   (python only) MEMSNAP_LEAKS=1 with LIBRARY itself, as
#            `memsnap run --leaks` runs: when the check lists blocks
#            (definitely, indirectly or possibly lost) the library also runs
#            `memsnap leaks SNAPSHOT`, which symbolizes the report onto
#            stderr, and waits for it. churn lists none, so there this
#            variant would be leaks again
#   lsan     LeakSanitizer alone, the peer: LD_PRELOAD=liblsan.so.0 (Debian
#            package liblsan0; preloaded by its real path, the file name the
#            programs report), LSAN_OPTIONS=exitcode=0:detect_leaks=1: the
#            check at exit, its report not failing the run. It records a
#            stack for every allocation too
# Measured: the wall time of the whole command, start-up to exit, as in
# trace.sh; scan: duration_ns of the leak check, read from the leaks run's
# exit snapshot (docs/snapshot-format.md, "leaks"), how long it held the
# process still; stderr is shown only when a run fails.
#
# The rows with a target, one a workload, each ratio the median of
# per-repetition ratios:
#   leaks / (traced + scan) <= 1.0x: a run with leak checking costs no more
#   than exact tracing plus the scan, the scan of the same repetition's
#   leaks run. Both inputs, traced and scan, are informational rows. Not
#   (leaks - traced) / scan: these programs hold little at exit, so the scan
#   takes about a millisecond, far below the tens of milliseconds by which
#   two runs of the same command differ, and that quotient would be noise.
#   The report is not in this bound (it is about the check): its cost is the
#   row "report - leaks", the difference of the two runs, and "memsnap
#   leaks FILE", that command timed alone on the leaks run's snapshot (out
#   of the timed run); "leaks + report / plain" is what `memsnap run
#   --leaks` costs in all. Informational too: leaks / plain, lsan / plain
#   (the issue quotes LeakSanitizer at 1.2x), the blocks of each kind the
#   check found (python), and the blocks LeakSanitizer reported leaked.
#   "after work" rows (python, as in trace.sh) time only the exit, where the
#   check and the report happen: from the end of python_json.py's work
#   (it prints when) until the command returned, free of the noise of the
#   work itself.
# And an absolute target: the check of 7, 10M live blocks (1 GiB), in at
# most 2 s: the median of the times leak_scan prints, with its heap's size
# and peak RSS for information.
# A benchmark, not a test: a missed target is reported, not an error. The
# exit status is non-zero only when a program or `memsnap leaks` fails, a
# preload did not take, or a leaks run wrote no leak check into its
# snapshot.
set -euo pipefail
# The command line, the workloads, run_timed, the table's rows, the noise
# measure...: shared with run.sh and trace.sh.
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

bench_args BENCH_LEAK_REPS 5 "$@"
bench_python
lsan=/usr/lib/x86_64-linux-gnu/liblsan.so.0
[ -f "$lsan" ] || { echo "bench: $lsan not found (Debian package liblsan0)" >&2; exit 2; }
lsan=$(readlink -f "$lsan")
cli=$(dirname "$library")/memsnap
[ -x "$cli" ] || { echo "bench: $cli not built" >&2; exit 2; }

# workload|variants, in running order; scan has the one
workloads=(
    "python|plain traced leaks report lsan"
    "churn|plain traced leaks lsan"
    "scan|check"
)
# Rows with a target, from $results/<workload>.<variant>.<key> files:
# base|measured|label|sign|target|name on the spread line
targets=(
    "python.budget.seconds|python.leaks.seconds|4 python: leaks / (traced + scan) (s)|<=|1.0|4 leaks"
    "churn.budget.seconds|churn.leaks.seconds|5 churn: leaks / (traced + scan) (s)|<=|1.0|5 leaks"
)
# Informational rows: base|measured|label (the same file twice: one value)
infos=(
    "python.plain.seconds|python.traced.seconds|  4 traced / plain (s)"
    "python.scan.ms|python.scan.ms|  4 scan, duration_ns (ms)"
    "python.traced.after|python.leaks.after|  4 after work (s): traced, leaks"
    "python.plain.seconds|python.leaks.seconds|  4 leaks / plain (s)"
    "python.plain.seconds|python.report.seconds|  4 leaks + report / plain (s)"
    "python.report.extra|python.report.extra|  4 report in the run: report - leaks (s)"
    "python.leaks.after|python.report.after|  4 after work (s): leaks, report"
    "python.cli.seconds|python.cli.seconds|  4 report alone: memsnap leaks FILE (s)"
    "python.plain.seconds|python.lsan.seconds|  4 LeakSanitizer / plain (s)"
    "python.definite.blocks|python.definite.blocks|  4 definitely lost (blocks)"
    "python.indirect.blocks|python.indirect.blocks|  4 indirectly lost (blocks)"
    "python.possible.blocks|python.possible.blocks|  4 possibly lost (blocks)"
    "python.reachable.blocks|python.reachable.blocks|  4 still reachable (blocks)"
    "python.lsan.blocks|python.lsan.blocks|  4 LeakSanitizer: leaked (blocks)"
    "churn.plain.seconds|churn.traced.seconds|  5 traced / plain (s)"
    "churn.scan.ms|churn.scan.ms|  5 scan, duration_ns (ms)"
    "churn.plain.seconds|churn.leaks.seconds|  5 leaks / plain (s)"
    "churn.plain.seconds|churn.lsan.seconds|  5 LeakSanitizer / plain (s)"
    "scan.mib|scan.mib|  7 live MiB requested, 10M blocks"
    "scan.peak_rss_mib|scan.peak_rss_mib|  7 peak RSS, VmHWM (MiB)"
)

bench_scratch
clean_environment
# The library where it finds no memsnap tool, for the leaks variant.
nocli=$results/nocli/lib/memsnap/$(basename "$library")
mkdir -p "$(dirname "$nocli")"
cp "$library" "$nocli"

# leak_numbers SNAPSHOT: from the leaks object of the snapshot, lines
# "scan.ms DURATION" (duration_ns in milliseconds) and "KIND.blocks COUNT"
# for definite, indirect, possible and reachable.
leak_numbers() {
    "$python" -c '
import json, sys
leaks = json.load(open(sys.argv[1]))["leaks"]
print("scan.ms %.3f" % (leaks["duration_ns"] / 1e6))
for kind in ("definite", "indirect", "possible", "reachable"):
    print("%s.blocks %d" % (kind, leaks["summary"][kind]["count"]))
' "$1"
}

# run_variant WORKLOAD VARIANT: runs it once and appends its wall seconds to
# $results/<workload>.<variant>.seconds; for leaks, the scan time and the
# blocks of each kind; for lsan, the blocks LeakSanitizer reported leaked.
# The scan workload is run_scan's.
run_variant() {
    local workload=$1 variant=$2 scratch=$results/scratch
    local end line key numbers name value expected snapshot start
    local -a settings=() command=()
    if [ "$workload" = scan ]; then
        run_scan
        return
    fi
    expected=$(basename "$library")
    mkdir "$scratch"
    bench_workload "$workload"
    case $variant in
        plain)  expected=libc.so.6 ;;
        traced) settings+=(LD_PRELOAD="$library" MEMSNAP_DIR="$scratch") ;;
        leaks)  settings+=(LD_PRELOAD="$nocli" MEMSNAP_LEAKS=1 MEMSNAP_DIR="$scratch") ;;
        report) settings+=(LD_PRELOAD="$library" MEMSNAP_LEAKS=1 MEMSNAP_DIR="$scratch") ;;
        lsan)   settings+=(LD_PRELOAD="$lsan" LSAN_OPTIONS=exitcode=0:detect_leaks=1)
                expected=$(basename "$lsan") ;;
    esac
    run_timed "$workload" "$variant" "$expected" env "${settings[@]}" "${command[@]}"
    if [ "$variant" = leaks ]; then
        snapshot=$(find "$scratch" -name 'memsnap.*.exit.json')
        numbers=$(leak_numbers "$snapshot") || {
            echo "bench: $workload (leaks run) wrote no exit snapshot with a leak check" >&2
            exit 1; }
        while read -r name value; do
            appends "$value" "$workload.$name"
        done <<<"$numbers"
        # The report alone, as the report run has the library run it.
        start=$EPOCHREALTIME
        "$cli" leaks "$snapshot" >/dev/null 2>"$results/err" || {
            echo "bench: $cli leaks $snapshot failed:" >&2; cat "$results/err" >&2; exit 1; }
        appends "$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.4f", b - a }')" \
            "$workload.cli.seconds"
    fi
    if [ "$variant" = lsan ]; then
        # "SUMMARY: LeakSanitizer: B byte(s) leaked in N allocation(s).", or
        # nothing when it found no leak.
        appends "$(sed -n 's/^SUMMARY: LeakSanitizer: .* leaked in \([0-9]*\) allocation.*/\1/p' \
            "$results/err" | grep . || echo 0)" "$workload.lsan.blocks"
    fi
    rm -rf "$scratch"
    printf ' %s %.2f' "$variant" "$(tail -n 1 "$results/$workload.$variant.seconds")"
}

# run_scan: leak_scan once under the preload; appends the check's time
# (seconds), the heap's size and the peak RSS to $results/scan.<key>.
run_scan() {
    local scratch=$results/scratch end line key=allocator word
    mkdir "$scratch"
    run_timed scan check "$(basename "$library")" \
        env LD_PRELOAD="$library" MEMSNAP_DIR="$scratch" "$bindir/leak_scan"
    for word in check_s mib peak_rss_mib; do
        appends "$(field "$line" "$word")" "scan.$word"
    done
    rm -rf "$scratch"
    printf ' check %.2f' "$(tail -n 1 "$results/scan.check_s")"
}

# per_repetition OUT EXPRESSION A B: $results/OUT, line by line, the awk
# EXPRESSION of $1 (from $results/A) and $2 (from $results/B).
per_repetition() {
    paste "$results/$3" "$results/$4" | awk "{ printf \"%.4f\\n\", $2 }" >"$results/$1"
}

echo "memsnap leak-check bench: glibc malloc, LD_PRELOAD=$2 (traced, MEMSNAP_LEAKS=1 without and with the report), LeakSanitizer ($lsan)"
echo "workloads: 4 python = $python ($("$python" --version 2>&1)) bench/python_json.py, PYTHONMALLOC=malloc; 5 churn = $bindir/churn; 7 scan = $bindir/leak_scan"
run_repetitions

# shellcheck disable=SC2016  # awk's $1 and $2
for workload in python churn; do
    per_repetition "$workload.budget.seconds" '$1 + $2 / 1000' "$workload.traced.seconds" "$workload.scan.ms"
done
# shellcheck disable=SC2016
per_repetition python.report.extra '$1 - $2' python.report.seconds python.leaks.seconds

scale() {   # scale VALUE FILE: counts whole, MiB with one decimal, times after
            # the work with three, the rest with two
    case $2 in
        *.blocks) awk -v v="$1" 'BEGIN { printf "%.0f", v }' ;;
        *mib)     awk -v v="$1" 'BEGIN { printf "%.1f", v }' ;;
        *.after)  awk -v v="$1" 'BEGIN { printf "%.3f", v }' ;;
        *)        awk -v v="$1" 'BEGIN { printf "%.2f", v }' ;;
    esac
}

ratio_table "leak-check overhead"
echo
echo "ratio = measured / base, median of $reps interleaved repetitions; times are wall seconds of the whole"
echo "command, start-up to exit. scan = duration_ns of the leaks run's check (start to result)."
echo "leaks = tracing + check + snapshot, no report; report = what memsnap leaks adds when blocks are listed."
echo
printf "$format" "leak check of 10M live blocks (s)" "" median "" target verdict
absolute_row "7 memsnap_leak_check(), 1 GiB" scan.check_s 2
echo
noise_report "the times"
missed_summary
