# shellcheck shell=bash
# bench/lib.sh: what bench/run.sh and bench/trace.sh share, sourced by both
# (not run): the command line, the scratch directory, the environment the
# runs start from, "result k=v ..." lines, medians and ratios, the table's
# rows and verdicts, and how busy the machine was while they ran.
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
# base) taken line by line, that is repetition by repetition.
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
