# shellcheck shell=bash
# bench/lib.sh: what bench/run.sh, bench/trace.sh and bench/leaks.sh share,
# sourced by each (not run): the command line, the scratch directory, the
# environment the runs start from, "result k=v ..." lines, medians and
# ratios, the table's rows and verdicts, and how busy the machine was while
# they ran; for trace.sh and leaks.sh, their workloads, timed runs,
# interleaved repetitions and tables.
#
# The caller sets `set -euo pipefail`, then calls bench_args and
# bench_scratch: the other functions keep their files in $results.

# bench_args VARIABLE DEFAULT "$@": checks the command line, BINDIR LIBRARY,
# and sets bindir, library (made absolute) and reps, the repetition count
# taken from the environment variable VARIABLE, DEFAULT when it is unset.
# shellcheck disable=SC2034  # bindir, library and reps are the caller's
bench_args() {
    local variable=$1 default=$2
    shift 2
    if [ $# -ne 2 ]; then
        echo "usage: $0 BINDIR LIBRARY" >&2
        exit 2
    fi
    bindir=$1
    library=$(realpath "$2")
    reps=${!variable:-$default}
    if ! [[ $reps =~ ^[1-9][0-9]*$ ]]; then
        echo "bench: $variable must be a positive integer" >&2
        exit 2
    fi
    [ -f "$library" ] || { echo "bench: $library not built" >&2; exit 2; }
}

# Makes $results, a fresh directory removed when the calling script exits.
bench_scratch() {
    results=$(mktemp -d "${TMPDIR:-/tmp}/memsnap-bench.XXXXXX")
    trap 'rm -rf "$results"' EXIT
}

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

# stats FILE_BASE FILE_MEASURED: "median_base median_measured median_ratio
# min_ratio max_ratio", one value a line in each file, ratios (measured /
# base) taken line by line, that is repetition by repetition; 1 where both
# are equal, 0 and 0 included (a count, one file given twice).
stats() {
    paste "$1" "$2" | awk '
        function median(a, n,   i, j, t) {
            for (i = 2; i <= n; i++)
                for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
            return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
        }
        { n++; g[n] = $1; m[n] = $2; r[n] = $1 == $2 ? 1 : $2 / $1 }
        END {
            lo = hi = r[1]
            for (i = 2; i <= n; i++) { if (r[i] < lo) lo = r[i]; if (r[i] > hi) hi = r[i] }
            printf "%.6g %.6g %.6g %.6g %.6g\n", median(g, n), median(m, n), median(r, n), lo, hi
        }'
}

# The table's columns: label, base, measured, ratio, target, verdict.
format='%-38s %12s %12s %8s %9s  %s\n'
missed=0

# target_row LABEL BASE MEASURED RATIO SIGN TARGET: prints one row of the
# table, ratio checked against "SIGN TARGET" (SIGN is >=, <= or <), and
# counts it in $missed when it is not met. BASE and MEASURED come formatted.
target_row() {
    local label=$1 base=$2 measured=$3 ratio=$4 sign=$5 target=$6 verdict
    verdict=$(awk -v r="$ratio" -v s="$sign" -v t="$target" 'BEGIN {
        met = s == ">=" ? r >= t : s == "<=" ? r <= t : r < t
        print met ? "ok" : "MISSED" }')
    [ "$verdict" = ok ] || missed=$((missed + 1))
    printf "$format" "$label" "$base" "$measured" "$(printf '%.2fx' "$ratio")" \
        "$sign $(printf '%.1fx' "$target")" "$verdict"
}

# spread_row NAME LO HI: the min..max line under "for information" for the
# target row NAME ("1", "4 traced").
spread_row() {
    printf '%-38s %34s\n' "  $1 ratio spread, min..max" "$(printf '%.2fx..%.2fx' "$2" "$3")"
}

# The last line of the table: how many targets were missed.
missed_summary() {
    if [ "$missed" -gt 0 ]; then
        echo "$missed target(s) missed."
    else
        echo "all targets met."
    fi
}

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

# noise_begin, then the measured runs, then noise_end: sets other_share and
# steal_share, the share (percent) of the machine's CPU time that other
# processes took while the runs went on, and the time the hypervisor stole:
# both make the numbers noisier.
noise_begin() {
    read -r busy0 steal0 total0 < <(cpu_jiffies)
    children_seconds >"$results/ours0"
}
noise_end() {
    local busy1 steal1 total1 ours
    read -r busy1 steal1 total1 < <(cpu_jiffies)
    children_seconds >"$results/ours1"
    ours=$(awk 'NR == FNR { a = $1; next } { print $1 - a }' "$results/ours0" "$results/ours1")
    read -r other_share steal_share < <(awk -v b="$((busy1 - busy0))" -v s="$((steal1 - steal0))" \
            -v t="$((total1 - total0))" -v o="$ours" -v hz="$(getconf CLK_TCK)" '
        BEGIN { other = b / hz - o; if (other < 0) other = 0
                printf "%.0f %.0f\n", 100 * other * hz / t, 100 * s / t }')
}

# noise_report WHAT: the line on other processes and steal, and a warning
# naming WHAT (the figures that suffer) when the machine was not idle.
noise_report() {
    echo "during the run, other processes used ${other_share}% of the machine's CPU time and the hypervisor stole ${steal_share}%."
    if [ "$other_share" -ge 5 ] || [ "$steal_share" -ge 5 ]; then
        echo "warning: the machine was not idle; $1 are noisier than usual."
    fi
}

# Every run starts from the same environment, whatever the caller's: no
# preload and no MEMSNAP_* option but those the run sets itself.
clean_environment() {
    local name
    unset LD_PRELOAD
    for name in $(compgen -e MEMSNAP_); do
        unset "$name"
    done
}

# result_line WHAT: the last "result ..." line of the output on stdin.
result_line() {
    grep '^result ' | tail -n 1 | grep . || {
        echo "bench: $1 printed no result line" >&2; return 1; }
}

# took WHAT LINE KEY EXPECTED: fails unless KEY in LINE, an object's file
# name or a comma-separated list of them, names EXPECTED: the check that the
# preload took.
took() {
    local value
    value=$(field "$2" "$3")
    if [[ ",$value," != *",$4,"* ]]; then
        echo "bench: $1 got $3=$value, expected $4" >&2
        return 1
    fi
}

# appends VALUE FILE: one value a line in $results/FILE, one line a
# repetition.
appends() {
    echo "$1" >>"$results/$2"
}

# bench_python: sets python, the interpreter of the python workload:
# /usr/bin/python3, not the python3 on PATH, which can be a pyenv shim (a
# shell script whose own start-up would be timed, and traced, too).
bench_python() {
    python=/usr/bin/python3
    [ -x "$python" ] || { echo "bench: $python not found (Debian package python3)" >&2; exit 2; }
}

# bench_workload WORKLOAD: sets what a run of python or churn (trace.sh's
# workloads 4 and 5, leaks.sh's too) needs: settings, the environment it
# runs with; command; key, the result key took checks (python names the
# objects mapped, churn the one its malloc comes from). Needs bench_python.
bench_workload() {
    case $1 in
        python) settings=(PYTHONMALLOC=malloc)
                command=("$python" "$(dirname "${BASH_SOURCE[0]}")/python_json.py")
                key=objects ;;
        churn)  settings=()
                command=("$bindir/churn")
                key=allocator ;;
    esac
}

# run_repetitions: $reps repetitions, said in a line, with noise_begin
# before them and noise_end after; in each, for each "workload|variants"
# entry of the caller's array workloads, a line "run R/N WORKLOAD" with the
# caller's `run_variant WORKLOAD VARIANT` for each variant in order (each
# prints " VARIANT SECONDS" on it).
# shellcheck disable=SC2154  # workloads is the caller's
run_repetitions() {
    local rep entry workload variants variant
    echo "$reps interleaved repetitions of every variant; wall time of the whole command"
    echo
    noise_begin
    for ((rep = 1; rep <= reps; rep++)); do
        for entry in "${workloads[@]}"; do
            IFS='|' read -r workload variants <<<"$entry"
            printf 'run %d/%d %-7s' "$rep" "$reps" "$workload"
            for variant in $variants; do
                run_variant "$workload" "$variant"
            done
            echo ' (s)'
        done
    done
    noise_end
    echo
}

# run_timed WORKLOAD VARIANT EXPECTED COMMAND...: runs COMMAND once (with
# `env` and the variant's settings), its output in $results/out and
# $results/err, and stops the script, showing that stderr, when it fails,
# prints no result line or the preload did not take ($key of the result line
# must name EXPECTED). Appends its wall seconds to
# $results/WORKLOAD.VARIANT.seconds; sets line, its result line, and end,
# $EPOCHREALTIME when it returned. Every python run must compute the same:
# its checksum must be the first run's; for python, also appends the time
# from the end of its work (python_json.py prints when) until the command
# returned to $results/python.VARIANT.after.
run_timed() {
    local workload=$1 variant=$2 expected=$3 start sum
    shift 3
    start=$EPOCHREALTIME
    "$@" >"$results/out" 2>"$results/err" || {
        echo "bench: $workload failed ($variant run):" >&2; cat "$results/err" >&2; exit 1; }
    end=$EPOCHREALTIME

    line=$(result_line "$workload" <"$results/out")
    took "$workload ($variant run)" "$line" "$key" "$expected"
    appends "$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f", b - a }')" \
        "$workload.$variant.seconds"
    if [ "$workload" = python ]; then
        sum=$(field "$line" checksum)
        checksum=${checksum:-$sum}
        if [ "$sum" != "$checksum" ]; then
            echo "bench: python ($variant run) printed checksum $sum, expected $checksum" >&2
            exit 1
        fi
        appends "$(awk -v a="$(field "$line" end)" -v b="$end" 'BEGIN { printf "%.4f", b - a }')" \
            "$workload.$variant.after"
    fi
}

# ratio_table TITLE: the table of the caller's arrays targets and infos,
# whose files in $results hold a value a repetition, formatted by the
# caller's `scale VALUE FILE`: the header row, a row for each target
# "base|measured|label|sign|target|name", its ratio the median of the
# per-repetition ratios, then "for information (not targets):", a row for
# each info "base|measured|label" (both medians and the ratio, or the median
# alone when base and measured are the same file), and the spread line of
# each target.
# shellcheck disable=SC2154  # targets and infos are the caller's
ratio_table() {
    local entry base measured label sign target name b m ratio lo hi
    local -a spreads=()
    printf "$format" "$1" base measured ratio target verdict
    for entry in "${targets[@]}"; do
        IFS='|' read -r base measured label sign target name <<<"$entry"
        read -r b m ratio lo hi < <(stats "$results/$base" "$results/$measured")
        target_row "$label" "$(scale "$b" "$base")" "$(scale "$m" "$measured")" "$ratio" "$sign" "$target"
        spreads+=("$(spread_row "$name" "$lo" "$hi")")
    done
    echo
    echo "for information (not targets):"
    for entry in "${infos[@]}"; do
        IFS='|' read -r base measured label <<<"$entry"
        read -r b m ratio _ _ < <(stats "$results/$base" "$results/$measured")
        if [ "$base" = "$measured" ]; then
            printf "$format" "$label" "" "$(scale "$m" "$measured")" "" "" ""
        else
            printf "$format" "$label" "$(scale "$b" "$base")" "$(scale "$m" "$measured")" \
                "$(printf '%.2fx' "$ratio")" "" ""
        fi
    done
    printf '%s\n' "${spreads[@]}"
}

# absolute_row LABEL FILE LIMIT: the median of $results/FILE (the lower
# middle value of an even count) against LIMIT, counted in $missed when
# above it.
absolute_row() {
    local median
    median=$(sort -n "$results/$2" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
    printf "$format" "$1" "" "$median" "" "<= $3" \
        "$(awk -v v="$median" -v l="$3" 'BEGIN { print v <= l ? "ok" : "MISSED" }')"
    awk -v v="$median" -v l="$3" 'BEGIN { exit !(v > l) }' && missed=$((missed + 1))
    return 0
}
