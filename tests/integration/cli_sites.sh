# shellcheck shell=bash
# tests/integration/cli_sites.sh: what the scripts that check the CLI on
# the snapshots of tests/programs/cli_sites.c share (test_cli_analysis.sh,
# test_cli_leaks.sh): the program, built if need be; its marker lines;
# normalize, which turns the CLI's output into "marker space";
# take_sites_snapshots, which runs it under the preload and keeps its
# snapshots one.json, two.json and exit.json in $WORK; cli, which runs
# memsnap there; and the checks on what it printed. Sourced after lib.sh;
# it runs nothing of the CLI itself.
#
# cli_sites allocates at lines that end with marker comments (an at sign
# and a name, such as A or KR; its header lists them with their bytes).
# normalize rewrites
#   tests/programs/cli_sites.c:N   as  SRC:@A, A the marker on line N
#   include/memsnap.h:N            as  HDR:@TRACK, N memsnap_track's call
#   the program's absolute path    as  PROG
# and drops the work tree's path, so that expectations hold however
# cli_sites.c is edited and wherever the tree is. Golden files are in
# tests/integration/golden/; UPDATE_GOLDEN=1 rewrites them.

# Conditions are single-quoted for eval by the scripts, and some variables
# here are used only by them.
# shellcheck disable=SC2016,SC2034

CLI=${CLI:-$(dirname "$LIBRARY")/memsnap}
GOLDEN=$INTEGRATION_DIR/golden
SOURCE_NAME=tests/programs/cli_sites.c
SOURCE=$REPOSITORY_ROOT/$SOURCE_NAME
HEADER=$REPOSITORY_ROOT/include/memsnap.h

if [ ! -x "$CLI" ]; then
    not_ok "memsnap CLI at $CLI (run make)"
    finish
fi

# --- the program -----------------------------------------------------------

# Built by integration.mk's rule for tests/programs/*.c (-O2 -g -Iinclude);
# run directly without it, the script builds it the same way, from the root
# of the tree so that its debug information names the same files.
SITES=$(program cli_sites)
if [ ! -x "$SITES" ]; then
    SITES=$WORK/cli_sites
    if ! (cd "$REPOSITORY_ROOT" &&
        "${CC:-cc}" -O2 -g -Wall -Wextra -Werror -std=gnu11 -pthread -D_GNU_SOURCE \
            -Itests/programs -Iinclude -o "$SITES" "$SOURCE_NAME" -ldl) 2>"$WORK/compile.err"; then
        note_file "$WORK/compile.err"
        not_ok "cli_sites: builds"
        finish
    fi
fi
SITES=$(realpath "$SITES")

# Marker -> line in cli_sites.c.
declare -A LINE=()
while IFS=: read -r number marker; do
    if [ -n "${LINE[$marker]:-}" ]; then
        note "marker @$marker twice in $SOURCE_NAME"
    fi
    LINE[$marker]=$number
done < <(grep -n -o '/\* @[A-Z0-9]* \*/' "$SOURCE" | sed -E 's|^([0-9]+):/\* @([A-Z0-9]+) \*/$|\1:\2|')
TRACK_LINE=$(grep -n 'MEMSNAP__CALL(track,' "$HEADER" | cut -d: -f1)

# line MARKER: its line number, for the command lines of filters.
line() {
    echo "${LINE[$1]:?no marker @$1 in $SOURCE_NAME}"
}

# sed_escape TEXT: TEXT as a literal in a sed regular expression.
sed_escape() {
    printf '%s' "$1" | sed 's/[][\.*^$#/]/\\&/g'
}

{
    echo "s#$(sed_escape "$SITES")#PROG#g"
    for root in "$REPOSITORY_ROOT" "$(cd "$REPOSITORY_ROOT" && pwd -P)"; do
        echo "s#$(sed_escape "$root/")##g"
    done
    for marker in "${!LINE[@]}"; do
        printf 's#%s:%s\\b#SRC:@%s#g\n' "$(sed_escape "$SOURCE_NAME")" "${LINE[$marker]}" "$marker"
    done
    echo "s#$(sed_escape "$SOURCE_NAME")#SRC#g"
    printf 's#include/memsnap\\.h:%s\\b#HDR:@TRACK#g\n' "$TRACK_LINE"
    echo "s#include/memsnap\\.h#HDR#g"
} >"$WORK/normalize.sed"

# normalize: stdin to stdout in marker space.
normalize() {
    sed -f "$WORK/normalize.sed"
}

# --- running the CLI ---------------------------------------------------------

# cli LABEL ARGS...: memsnap ARGS run in $WORK (where the snapshots are
# one.json, two.json, exit.json), recorded as LABEL (lib.sh's
# run_recorded), its stdout normalized into $WORK/LABEL.norm.
cli() {
    local label=$1
    shift
    run_recorded "$label" env -C "$WORK" "$CLI" "$@"
    normalize <"$WORK/$label.out" >"$WORK/$label.norm"
}

# clean LABEL: exit status 0, nothing on stderr.
clean() {
    expect_status "$1" 0 || return 1
    if [ -s "$WORK/$1.err" ]; then
        note "$1 wrote on stderr:"
        note_file "$WORK/$1.err"
        return 1
    fi
}

# same_file LABEL ACTUAL EXPECTED: the files are equal; the difference is
# shown when not.
same_file() {
    if ! cmp -s "$2" "$3"; then
        note "$1: output (>) differs from the expected (<):"
        diff "$3" "$2" >"$WORK/$1.diff" || true
        note_file "$WORK/$1.diff"
        return 1
    fi
}

# text_is LABEL EXPECTED [FILE]: FILE (LABEL's normalized stdout) holds the
# lines EXPECTED exactly (nothing for "").
text_is() {
    local file=${3:-$WORK/$1.norm}
    if [ -n "$2" ]; then printf '%s\n' "$2"; fi >"$WORK/$1.expected"
    same_file "$1" "$file" "$WORK/$1.expected"
}

# report_is LABEL EXPECTED: clean, and text_is.
report_is() {
    clean "$1" && text_is "$1" "$2"
}

# golden_is LABEL NAME [FILE]: clean, and FILE (LABEL's normalized stdout)
# equals golden/NAME; with UPDATE_GOLDEN=1 the golden file is written.
golden_is() {
    local file=${3:-$WORK/$1.norm}
    clean "$1" || return 1
    if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
        mkdir -p "$GOLDEN"
        cp "$file" "$GOLDEN/$2"
        note "wrote $GOLDEN/$2"
    fi
    if [ ! -f "$GOLDEN/$2" ]; then
        note "no golden file $GOLDEN/$2 (UPDATE_GOLDEN=1 writes it)"
        return 1
    fi
    same_file "$1" "$file" "$GOLDEN/$2"
}

# has_lines LABEL LINE...: every LINE is a whole line of LABEL's normalized
# stdout.
has_lines() {
    local label=$1
    shift
    has_whole_lines "$WORK/$label.norm" "$@"
}

# --- the snapshots -------------------------------------------------------------

# take_sites_snapshots: runs cli_sites under the preload (one check: exit 0,
# nothing on stderr) and copies its snapshots tagged one and two and its exit
# snapshot to $WORK/one.json, two.json and exit.json; without all three the
# script ends there.
take_sites_snapshots() {
    local directory file tag
    directory=$(new_snapshot_dir sites)
    run_recorded sites "${PRELOADED[@]}" MEMSNAP_DIR="$directory" "$SITES"
    check "cli_sites under the preload: exit 0, nothing on stderr" clean sites
    for tag in one two exit; do
        file=$(snapshot_files "$directory" | grep "\.$tag\.json\$" || true)
        if [ "$(echo "$file" | grep -c .)" = 1 ]; then
            cp "$file" "$WORK/$tag.json"
        fi
    done
    if [ ! -s "$WORK/one.json" ] || [ ! -s "$WORK/two.json" ] || [ ! -s "$WORK/exit.json" ]; then
        note "snapshots written: $(snapshot_files "$directory" | tr '\n' ' ')"
        not_ok "cli_sites: one snapshot each tagged one, two and exit"
        finish
    fi
    ok "cli_sites: one snapshot each tagged one, two and exit"
}

# --- JSON ----------------------------------------------------------------------

# flatten FILE: one line per leaf of the JSON document, "PATH VALUE" in
# document order, PATH the keys and indices joined by dots, VALUE as JSON
# (a number without a fraction printed as an integer); empty arrays and
# objects are leaves.
if JQ=$(find_binary jq); then
    flatten() {
        "$JQ" -r 'paths(if type == "object" or type == "array" then length == 0 else true end) as $p
                  | "\($p | map(tostring) | join(".")) \(getpath($p) | tojson)"' "$1"
    }
elif PYTHON=$(find_binary python3); then
    flatten() {
        "$PYTHON" -c '
import json, sys
def walk(path, value):
    if isinstance(value, dict) and value:
        for key, item in value.items():
            walk(path + [key], item)
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            walk(path + [str(index)], item)
    else:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        print(".".join(path), json.dumps(value, ensure_ascii=False))
with open(sys.argv[1]) as f:
    walk([], json.load(f))
' "$1"
    }
else
    flatten() { return 1; }
fi

# json_is LABEL EXPECTED: clean, LABEL's stdout parses, and flattened (and
# normalized) it is EXPECTED.
json_is() {
    clean "$1" && json_flat "$1" && text_is "$1" "$2" "$WORK/$1.flat"
}

# json_flat LABEL: LABEL's stdout parses as JSON; flattened and normalized
# into $WORK/LABEL.flat.
json_flat() {
    if ! flatten "$WORK/$1.out" >"$WORK/$1.flat.raw" 2>"$WORK/$1.flat.err"; then
        note "$1: not JSON:"
        note_file "$WORK/$1.flat.err"
        return 1
    fi
    normalize <"$WORK/$1.flat.raw" >"$WORK/$1.flat"
}

# refused LABEL NAME: status 2, nothing on stdout, exactly one line on
# stderr, "memsnap: " and naming NAME.
refused() {
    local label=$1 name=$2 status
    status=$(status_of "$label")
    if [ "$status" -ge 128 ]; then
        note "$label: killed by signal $((status - 128))"
        return 1
    fi
    expect_status "$label" 2 || return 1
    if [ -s "$WORK/$label.out" ]; then
        note "$label wrote on stdout:"
        note_file "$WORK/$label.out"
        return 1
    fi
    if [ "$(grep -c '' "$WORK/$label.err")" != 1 ] || ! grep -q '^memsnap: ' "$WORK/$label.err" ||
        ! grep -qF -- "$name" "$WORK/$label.err"; then
        note "$label: expected one line 'memsnap: ...$name...' on stderr, got:"
        note_file "$WORK/$label.err"
        return 1
    fi
}
