# shellcheck shell=bash
# tests/leaks/common.sh: what memcheck.sh and memsnap.sh share: the expected
# file, the list of real programs, the inputs those read, and the comparison
# of a tool's report with expected.txt (README.md in this folder).
#
# Sourced, never run; sources tests/integration/lib.sh (ok, not_ok, note,
# run_recorded, finish, $WORK...). Expects in the environment, as leaks.mk
# sets them (defaults: the build folder of this work tree):
#   LIBRARY   build/libmemsnap.so (memsnap.sh only)
#   PROGRAMS  build/tests/leaks, where the corpus was built
#
# A tool's report is turned into "process records", one line per process and
# kind, whatever the tool:
#
#   PID PPID KIND BYTES BLOCKS GROUPS ROW_BYTES ROW_BLOCKS
#
# KIND is definite, indirect, possible or reachable, with the bytes and
# blocks of the tool's summary, the number of its groups (loss records,
# rows) and what those groups add up to; or "missing" (no leak report for
# that process: memcheck printed no summary, the snapshot has no `leaks`),
# or "incomplete" (memsnap's `leaks.complete` is false). label_processes then
# names each process main or child.

LEAKS_SOURCE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${LIBRARY:=$LEAKS_SOURCE_DIR/../../build/libmemsnap.so}"
: "${PROGRAMS:=$LEAKS_SOURCE_DIR/../../build/tests/leaks}"
export LIBRARY PROGRAMS
# shellcheck source=tests/integration/lib.sh
source "$LEAKS_SOURCE_DIR/../integration/lib.sh"

# The slowest run here, python3 under memcheck, takes some 4 seconds.
DEADLINE_SECONDS=30

EXPECTED=$LEAKS_SOURCE_DIR/expected.txt
# Programs with a thread deaf to every signal: memsnap cannot stop it, and
# its report must say it is incomplete (memcheck needs no signal).
DEAF_THREAD_PROGRAMS=" held_raw_blocked_thread "
REAL_PROGRAMS=$LEAKS_SOURCE_DIR/real_programs.txt

# expected_lines: expected.txt without comments and blank lines, one space
# between fields.
expected_lines() {
    awk '!/^[[:space:]]*(#|$)/ { $1 = $1; print }' "$EXPECTED"
}

# expected_programs: the programs expected.txt names, in its order.
expected_programs() {
    expected_lines | awk '!seen[$1]++ { print $1 }'
}

# expected_well_formed: every line has 5 or 6 fields of the right shapes, no
# (program, process, kind) twice, and definite, indirect and possible for
# every (program, process).
expected_well_formed() {
    local problems
    problems=$(expected_lines | awk '
        function count(field) { return field ~ /^(>=)?[0-9]+$/ }
        NF != 5 && NF != 6 { print "wrong number of fields: " $0; next }
        $2 !~ /^(main|child)$/ { print "PROCESS is not main or child: " $0 }
        $3 !~ /^(definite|indirect|possible|reachable)$/ { print "unknown KIND: " $0 }
        !count($4) || !count($5) { print "BYTES or BLOCKS is not N or >=N: " $0 }
        NF == 6 && $6 !~ /^[0-9]+$/ { print "GROUPS is not a number: " $0 }
        seen[$1 " " $2 " " $3]++ { print "listed twice: " $1 " " $2 " " $3 }
        { processes[$1 " " $2] = 1 }
        END {
            for (process in processes)
                for (kind = 1; kind <= 3; kind++) {
                    name = kind == 1 ? "definite" : kind == 2 ? "indirect" : "possible"
                    if (!((process " " name) in seen))
                        print "no " name " line for " process
                }
        }')
    if [ -n "$problems" ]; then
        note "$EXPECTED:"
        while read -r line; do note "  $line"; done <<<"$problems"
        return 1
    fi
}

# corpus_matches_expected: the programs built in $PROGRAMS (executables, not
# the library) are exactly those expected.txt names.
corpus_matches_expected() {
    local built listed
    built=$(find "$PROGRAMS" -maxdepth 1 -type f -perm -u+x ! -name '*.so' -printf '%f\n' 2>/dev/null |
        LC_ALL=C sort)
    listed=$(expected_programs | LC_ALL=C sort)
    if [ "$built" != "$listed" ]; then
        note "programs built in $PROGRAMS (<) and named in expected.txt (>):"
        diff <(echo "$built") <(echo "$listed") | grep '^[<>]' | sed 's/^/#     /' >&2 || true
        return 1
    fi
}

# label_processes RECORDS: prints RECORDS with the PPID column replaced by the
# process name: main for a process whose parent is not among the processes
# of the records, child for the others.
label_processes() {
    awk 'NR == FNR { pids[$1] = 1; next }
         { $2 = ($2 in pids) ? "child" : "main"; print }' "$1" "$1"
}

# value_matches VALUE SPEC: VALUE equals SPEC, or SPEC is ">=N" and VALUE is
# at least N.
value_matches() {
    case $2 in
    ">="*) [ "$1" -ge "${2#>=}" ] ;;
    *) [ "$1" -eq "$2" ] ;;
    esac
}

# describe BYTES BLOCKS [GROUPS]: "1000 bytes in 1 blocks[, 1 groups]".
describe() {
    echo "$1 bytes in $2 blocks${3:+, $3 groups}"
}

# compare_with_expected PROGRAM RECORDS TOOL: the checks of one program of
# the corpus against TOOL's process records (labelled with label_processes):
# first that there is one report per expected process and no other, then
# one check per line of expected.txt. A missing report fails every line.
compare_with_expected() {
    local program=$1 records=$2 tool=$3
    local expected_processes actual_processes labelled="$WORK/$program.$tool.labelled"
    label_processes "$records" >"$labelled"
    expected_processes=$(expected_lines | awk -v p="$program" '$1 == p { print $2 }' | LC_ALL=C sort -u | tr '\n' ' ')
    actual_processes=$(awk '!seen[$1]++ { print $2 }' "$labelled" | LC_ALL=C sort | uniq -c |
        awk '{ printf "%s%s ", $2, ($1 > 1 ? "x" $1 : "") }')
    local description="$program: $tool reports on exactly the processes ${expected_processes% }"
    if [ "$expected_processes" != "$actual_processes" ]; then
        note "$tool's reports for $program: ${actual_processes:-none} (PID PROCESS KIND...):"
        note_file "$labelled"
        not_ok "$description"
    elif [ "$tool" = memsnap ] && [[ $DEAF_THREAD_PROGRAMS == *" $program "* ]]; then
        if grep -qE '^[0-9]+ [a-z]+ missing' "$labelled" ||
            ! grep -qE '^[0-9]+ [a-z]+ incomplete' "$labelled"; then
            note_file "$labelled"
            not_ok "$description (each report says it is incomplete)"
        else
            ok "$description (each report says it is incomplete)"
        fi
    elif grep -qE '^[0-9]+ [a-z]+ (missing|incomplete)' "$labelled"; then
        note "$tool's reports for $program:"
        grep -E '^[0-9]+ [a-z]+ (missing|incomplete)' "$labelled" | sed 's/^/#     /' >&2
        not_ok "$description (with a complete leak report each)"
    else
        ok "$description"
    fi

    local _program process kind bytes blocks groups
    while read -r _program process kind bytes blocks groups; do
        local label=$program
        [ "$process" = main ] || label="$program ($process)"
        description="$label: $kind $(describe "$bytes" "$blocks" "$groups")"
        local actual
        actual=$(awk -v p="$process" -v k="$kind" '$2 == p && $3 == k' "$labelled")
        if [ -z "$actual" ] || [ "$(echo "$actual" | wc -l)" != 1 ]; then
            note "$tool: no $kind figures for process $process of $program"
            not_ok "$description"
            continue
        fi
        local a_bytes a_blocks a_groups a_row_bytes a_row_blocks
        read -r _ _ _ a_bytes a_blocks a_groups a_row_bytes a_row_blocks <<<"$actual"
        local good=1
        value_matches "$a_bytes" "$bytes" && value_matches "$a_blocks" "$blocks" || good=0
        if [ -n "$groups" ]; then
            [ "$a_groups" -eq "$groups" ] || good=0
            # The groups hold every block of the kind.
            [ "$a_row_bytes" -eq "$a_bytes" ] && [ "$a_row_blocks" -eq "$a_blocks" ] || good=0
        fi
        if [ "$good" = 1 ]; then
            ok "$description"
        else
            note "$tool reports $kind $(describe "$a_bytes" "$a_blocks" "$a_groups") (groups add up to $a_row_bytes bytes in $a_row_blocks blocks)"
            not_ok "$description"
        fi
    done < <(expected_lines | awk -v p="$program" '$1 == p')
}

# --- real programs -------------------------------------------------------

# real_program_entries: real_programs.txt's entries, "NAME COMMAND...".
real_program_entries() {
    awk '!/^[[:space:]]*(#|$)/' "$REAL_PROGRAMS"
}

# make_real_inputs: the files the real programs read, under $WORK/inputs:
# @INPUT@ a text of 5000 lines, @DIR@ a folder of two dated files, @JSON@ a
# small JSON document, @TCL@ a Tcl script, @BC@ a bc program.
make_real_inputs() {
    local inputs="$WORK/inputs"
    mkdir -p "$inputs/folder"
    awk 'BEGIN { for (i = 1; i <= 5000; i++) print (i * 7919) % 10007, "line", i, "alpha beta gamma" }' \
        >"$inputs/input.txt"
    printf 'first\n' >"$inputs/folder/first"
    printf 'second\n' >"$inputs/folder/second"
    touch -d '2020-01-02 03:04:05' "$inputs/folder/first" "$inputs/folder/second" "$inputs/folder"
    printf '{"a": [1, 2, {"b": "c"}], "d": {"e": null, "f": 1.5}}\n' >"$inputs/input.json"
    # shellcheck disable=SC2016 # Tcl's $, not the shell's
    printf 'set d [dict create]\nfor {set i 0} {$i < 1000} {incr i} { dict set d k$i [string repeat x [expr {$i %% 17}]] }\nputs [dict size $d]\nputs [lrange [lsort [dict keys $d]] 0 4]\n' \
        >"$inputs/script.tcl"
    printf 'scale=60\n4*a(1)\n' >"$inputs/pi.bc"
}

# real_program_command NAME COMMAND...: sets REAL_ENVIRONMENT (the leading
# VAR=value words) and REAL_COMMAND (the binary, found with find_binary,
# then its arguments), with @INPUT@, @DIR@, @JSON@, @TCL@ and @BC@ replaced;
# fails when the binary is not installed.
real_program_command() {
    local words=() word binary
    eval "words=($*)"
    REAL_ENVIRONMENT=()
    REAL_COMMAND=()
    for word in "${words[@]:1}"; do
        word=${word//@INPUT@/$WORK/inputs/input.txt}
        word=${word//@DIR@/$WORK/inputs/folder}
        word=${word//@JSON@/$WORK/inputs/input.json}
        word=${word//@TCL@/$WORK/inputs/script.tcl}
        word=${word//@BC@/$WORK/inputs/pi.bc}
        if [ "${#REAL_COMMAND[@]}" = 0 ] && [[ $word =~ ^[A-Za-z_][A-Za-z0-9_]*= ]]; then
            REAL_ENVIRONMENT+=("$word")
        elif [ "${#REAL_COMMAND[@]}" = 0 ]; then
            binary=$(find_binary "$word") || return 1
            REAL_COMMAND=("$binary")
        else
            REAL_COMMAND+=("$word")
        fi
    done
    [ "${#REAL_COMMAND[@]}" -gt 0 ]
}

# same_stdout_and_status LABEL_A LABEL_B: the runs recorded by run_recorded
# printed the same stdout and ended with the same status.
same_stdout_and_status() {
    same_streams "$1" "$2" out status
}
