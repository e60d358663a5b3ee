#!/usr/bin/env bash
# test_cli_leaks.sh: `memsnap leaks` and the leak options of `memsnap run`.
#
# The leak check itself lives in the library; this script checks the CLI
# on its own, so its input is made by hand: a real snapshot of
# tests/programs/cli_sites.c (taken as test_cli_analysis.sh takes it, see
# cli_sites.sh) with a "leaks" object added by python3, whose rows name
# that snapshot's real traceback ids (found by their live bytes and
# blocks, which cli_sites.c's header gives), so that every frame
# symbolizes to an exact file and line. The leak check written in, by
# hand (group = traceback of a marker's line, bytes in blocks):
#
#   definite   B 7000 in 7, C1 (make_c from caller_one) 80 in 2,
#              1 (no traceback) 64 in 1, Q (the #line file) 8 in 1
#   indirect   I (the inlined helper) 192 in 6, C2 (make_c from caller_two)
#              40 in 1
#   possible   R2 800 in 4
#   reachable  L 1572864 in 1, A 2160 in 90
#   ignored    E 50 in 3
#
# so definitely lost 7152 B in 11, indirectly 232 in 7, possibly 800 in 4,
# still reachable 1575024 in 91, ignored 50 in 3; failing by default
# (definite, indirect): 6 groups, 7384 B in 18 blocks.
#
#   text        golden report (outer frames collapsed), group titles in
#               order, frames of the marker lines, the summary; --kinds
#   exit        --fail (23), --fail=N, --fail-kinds, 0 without --fail, and
#               the stderr line; --status-fd to a file and to a pipe
#   rules       suppressions by function, file (base name, whole path) and
#               module (base name, whole path), first rule wins, a rule
#               that hides nothing, two files; the counts per rule;
#               bad files: FILE:LINE errors, status 2
#   generated   --gen-suppressions: one rule per listed lost group, which
#               fed back hides exactly those groups (all but the one
#               without a traceback, which no rule can name)
#   json        docs/cli-json.md's document, values checked
#   sarif       SARIF 2.1.0's required structure, rules, results, levels,
#               locations (relative to the current directory or file://)
#   junit       parsed with xml.etree: suites, cases, failures, escapes
#   errors      no leak check in the snapshot, a bad leaks section, every
#               option's bad values: status 2, one line, no stdout
#   colour      bold titles (red for failing kinds) on a terminal only
#   run         --leaks, --fail[=N], --fail-kinds, --suppressions,
#               --gen-suppressions set the variables (seen by env);
#               bad values: status 2 before PROG runs
#
# Golden files: tests/integration/golden/cli_leaks*.txt (UPDATE_GOLDEN=1).

# Conditions are single-quoted for eval, so that they expand when the check
# runs (and the variables they use look unused to shellcheck).
# shellcheck disable=SC2016,SC2034
set -euo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/cli_sites.sh
source "$INTEGRATION_DIR/cli_sites.sh"

# /usr/bin's, not a version manager's shim.
if ! PYTHON=$(find_binary python3); then
    skip "memsnap leaks (no python3 to build the snapshots with a leak check)"
    finish
fi

take_sites_snapshots

# --- the snapshot with a leak check ------------------------------------------

# ID[MARKER]: the traceback id of a marker's line in one.json; PID: its pid.
declare -A ID=()
if ! "$PYTHON" - "$WORK/one.json" "$WORK/leaks.json" >"$WORK/ids.sh" 2>"$WORK/ids.err" <<'EOF'
import json, sys

with open(sys.argv[1]) as f:
    snapshot = json.load(f)
columns = snapshot["tracebacks"]["columns"][:-1]
by_live = {}
for text in snapshot["tracebacks"]["rows"]:
    row = dict(zip(columns, map(int, text.split(" "))))
    if row["domain"] == 0 and row["count"] > 0:
        by_live.setdefault((row["size"], row["count"]), []).append(row["id"])

# Marker: (live bytes, blocks) at memsnap_snapshot("one"), from cli_sites.c.
# Q's two blocks come from two tracebacks (one per loop turn), 8 B each:
# the first is taken.
sites = {"A": (2160, 90), "B": (7000, 7), "C1": (80, 2), "C2": (40, 1), "I": (192, 6),
         "R2": (800, 4), "L": (1572864, 1), "E": (50, 3), "Q": (8, 1)}
ids = {}
for marker, live in sites.items():
    found = sorted(by_live.get(live, []))
    if len(found) != (2 if marker == "Q" else 1):
        sys.exit("%s: %d tracebacks of %d B in %d blocks, expected %d"
                 % (marker, len(found), live[0], live[1], 2 if marker == "Q" else 1))
    ids[marker] = found[0]

# (marker or 1 for no traceback, kind, bytes, blocks), as the header says.
rows = [("B", 0, 7000, 7), ("C1", 0, 80, 2), (1, 0, 64, 1), ("Q", 0, 8, 1),
        ("I", 1, 192, 6), ("C2", 1, 40, 1), ("R2", 2, 800, 4),
        ("L", 3, 1572864, 1), ("A", 3, 2160, 90), ("E", 4, 50, 3)]
kinds = ["definite", "indirect", "possible", "reachable", "ignored"]
summary = {kind: {"size": 0, "count": 0} for kind in kinds}
for _, kind, size, count in rows:
    summary[kinds[kind]]["size"] += size
    summary[kinds[kind]]["count"] += count
snapshot["leaks"] = {
    "complete": True, "threads": 1, "kinds": kinds, "summary": summary,
    "columns": ["traceback", "kind", "size", "count"],
    "rows": ["%d %d %d %d" % (ids.get(marker, marker), kind, size, count)
             for marker, kind, size, count in rows],
}
with open(sys.argv[2], "w") as f:
    json.dump(snapshot, f, separators=(",", ":"))
for marker, number in ids.items():
    print("ID[%s]=%d" % (marker, number))
print("PID=%d" % snapshot["process"]["pid"])
EOF
then
    note_file "$WORK/ids.err"
    not_ok "one.json with a leak check added, its traceback ids found by their live bytes"
    finish
fi
# shellcheck source=/dev/null # written just above
source "$WORK/ids.sh"
ok "one.json with a leak check added, its traceback ids found by their live bytes"

# Hand-computed lines.
T_B="7000 bytes in 7 blocks are definitely lost (traceback ${ID[B]})"
T_C1="80 bytes in 2 blocks are definitely lost (traceback ${ID[C1]})"
T_U="64 bytes in 1 blocks are definitely lost (traceback 1)"
T_Q="8 bytes in 1 blocks are definitely lost (traceback ${ID[Q]})"
T_I="192 bytes in 6 blocks are indirectly lost (traceback ${ID[I]})"
T_C2="40 bytes in 1 blocks are indirectly lost (traceback ${ID[C2]})"
T_R2="800 bytes in 4 blocks are possibly lost (traceback ${ID[R2]})"
T_L="1572864 bytes in 1 blocks are still reachable (traceback ${ID[L]})"
T_A="2160 bytes in 90 blocks are still reachable (traceback ${ID[A]})"

# --- helpers -------------------------------------------------------------------

# summary PAIR... [RULE...]: the report's summary for five "BYTES BLOCKS"
# pairs (definitely lost, indirectly lost, possibly lost, still reachable,
# ignored), then a "suppressed: RULE" line for each further argument.
summary() {
    local phrase pair
    echo 'leak summary:'
    for phrase in 'definitely lost' 'indirectly lost' 'possibly lost' 'still reachable' ignored; do
        pair=$1
        shift
        echo "  $phrase: ${pair% *} bytes in ${pair#* } blocks"
    done
    for pair in "$@"; do
        echo "  suppressed: $pair"
    done
}
SUMMARY=$(summary "7152 11" "232 7" "800 4" "1575024 91" "50 3")

# report LABEL ARGS...: `memsnap ARGS` as cli does it, with in
# $WORK/LABEL.norm, besides, the pid as PID and each run of frames outside
# the program's sources (the C library's start-up code, named differently
# with and without its debug information) as one "    ...".
report() {
    local label=$1
    shift
    cli "$label" "$@"
    sed "s/ (pid $PID)\$/ (pid PID)/" "$WORK/$label.norm" |
        awk '/^    at / && !/^    at (SRC|HDR|cli_sites, "quoted"\.c)/ {
                 if (!outer) print "    ..."; outer = 1; next }
             { outer = 0; print }' >"$WORK/$label.text"
    mv "$WORK/$label.text" "$WORK/$label.norm"
}

# titles_are LABEL TITLE...: the group titles of LABEL's text, in order.
titles_are() {
    local label=$1
    shift
    grep -E '^[0-9]+ bytes in [0-9]+ blocks are ' "$WORK/$label.norm" >"$WORK/$label.titles" || true
    text_is "$label.titles" "$(if [ $# -gt 0 ]; then printf '%s\n' "$@"; fi)" "$WORK/$label.titles"
}

# summary_is LABEL EXPECTED: from "leak summary:" to the end of the summary.
summary_is() {
    awk '/^leak summary:$/ { inside = 1 } /^$/ { inside = 0 } inside' "$WORK/$1.norm" \
        >"$WORK/$1.summary"
    text_is "$1.summary" "$2" "$WORK/$1.summary"
}

# failed_with LABEL STATUS LINE: exit status STATUS, one stderr line LINE.
failed_with() {
    expect_status "$1" "$2" && text_is "$1.err" "$3" "$WORK/$1.err"
}

# python LABEL SCRIPT ARGS...: runs python3 SCRIPT on ARGS, its output
# normalized into $WORK/LABEL.py; fails (with its stderr shown) if it does.
python() {
    local label=$1 script=$2
    shift 2
    if ! "$PYTHON" -c "$script" "$@" >"$WORK/$label.py.raw" 2>"$WORK/$label.py.err"; then
        note "$label: python3 failed:"
        note_file "$WORK/$label.py.err"
        return 1
    fi
    normalize <"$WORK/$label.py.raw" >"$WORK/$label.py"
}

# --- text ----------------------------------------------------------------------

report text leaks leaks.json
# For the golden file, traceback ids as their markers: (traceback @B).
for marker in "${!ID[@]}"; do
    echo "s/(traceback ${ID[$marker]})\$/(traceback @$marker)/"
done >"$WORK/ids.sed"
sed -f "$WORK/ids.sed" "$WORK/text.norm" >"$WORK/text.golden"
check "leaks: the text report (golden cli_leaks.txt)" golden_is text cli_leaks.txt "$WORK/text.golden"
check "leaks: the listed kinds' groups, kind by kind, largest first" \
    titles_are text "$T_B" "$T_C1" "$T_U" "$T_Q" "$T_I" "$T_C2" "$T_R2"
check "leaks: the header names the program, its pid, the snapshot and the threads" \
    eval 'sed -n 1,3p "$WORK/text.norm" >"$WORK/text.head" &&
          text_is text.head "memsnap leak report for PROG (pid PID)
snapshot: leaks.json (threads scanned: 1)
" "$WORK/text.head"'
check "leaks: frames as top and stats print them, an inlined call a frame of its own" \
    eval 'grep -A4 -xF "$T_I" "$WORK/text.norm" >"$WORK/text.inline" &&
          text_is text.inline "$T_I
    at SRC:@I (inline_alloc)
    at SRC:@IU (use_inline)
    at SRC:@PI (phase_one)
    at SRC:@ONE (main)" "$WORK/text.inline"'
check "leaks: the #line file, and the blocks without a traceback" \
    eval 'has_lines text "    at cli_sites, \"quoted\".c:9003 (quoted_site)" \
              "    <unsampled allocations>" &&
          [ "$(grep -A1 -xF "$T_U" "$WORK/text.norm" | tail -n 1)" = "    <unsampled allocations>" ]'
check "leaks: the summary covers every kind" summary_is text "$SUMMARY"

report kinds.all leaks --kinds all leaks.json
check "--kinds all: the reachable groups too, never the ignored ones" \
    eval 'clean kinds.all && titles_are kinds.all "$T_B" "$T_C1" "$T_U" "$T_Q" "$T_I" "$T_C2" \
              "$T_R2" "$T_L" "$T_A" && summary_is kinds.all "$SUMMARY"'
report kinds.reachable leaks --kinds=reachable leaks.json
check "--kinds=reachable: those alone; the summary still every kind" \
    eval 'clean kinds.reachable && titles_are kinds.reachable "$T_L" "$T_A" &&
          summary_is kinds.reachable "$SUMMARY"'
report kinds.two leaks --kinds possible,definite leaks.json
check "--kinds possible,definite: in kind order" \
    eval 'clean kinds.two && titles_are kinds.two "$T_B" "$T_C1" "$T_U" "$T_Q" "$T_R2"'
report kinds.leak leaks --kinds leak leaks.json
check "--kinds leak: the default" eval 'clean kinds.leak && cmp -s "$WORK/kinds.leak.norm" "$WORK/text.norm"'

# --- exit statuses and --status-fd ---------------------------------------------------

FAIL_LINE='memsnap: 6 groups of the failing kinds (definite,indirect) left: 7384 bytes in 18 blocks'
report fail leaks --fail leaks.json
check "--fail: status 23, the report, one stderr line with the failing blocks" \
    eval 'failed_with fail 23 "$FAIL_LINE" && cmp -s "$WORK/fail.norm" "$WORK/text.norm"'
report fail.n leaks --fail=5 leaks.json
check "--fail=5: status 5" failed_with fail.n 5 "$FAIL_LINE"
report fail.255 leaks --fail=255 leaks.json
check "--fail=255: status 255" failed_with fail.255 255 "$FAIL_LINE"
report fail.kinds leaks --fail --fail-kinds possible leaks.json
check "--fail --fail-kinds possible: the possibly lost group alone fails" \
    failed_with fail.kinds 23 'memsnap: 1 group of the failing kinds (possible) left: 800 bytes in 4 blocks'
report fail.unlisted leaks --fail --kinds reachable --fail-kinds definite leaks.json
check "--fail counts failing kinds that are not listed" \
    failed_with fail.unlisted 23 'memsnap: 4 groups of the failing kinds (definite) left: 7152 bytes in 11 blocks'
printf 'indirect function phase_one\n' >"$WORK/indirect.supp"
report fail.none leaks --fail --fail-kinds indirect --suppressions indirect.supp leaks.json
check "--fail with every failing group suppressed: status 0" clean fail.none
report nofail leaks --fail-kinds all leaks.json
check "no --fail: status 0 whatever is lost" clean nofail

# status_fd LABEL ARGS...: memsnap leaks ARGS with fd 3 on $WORK/LABEL.fd.
status_fd() {
    local label=$1
    shift
    run_recorded "$label" bash -c 'exec 3>"$1"; shift; exec "$@"' bash "$WORK/$label.fd" \
        env -C "$WORK" "$CLI" leaks "$@"
}
status_fd fd.file leaks.json --status-fd 3
check "--status-fd 3: one line 'BLOCKS BYTES' of the failing kinds, the report on stdout" \
    eval 'clean fd.file && text_is fd.file "18 7384" "$WORK/fd.file.fd" &&
          grep -qxF "$T_B" "$WORK/fd.file.out"'
status_fd fd.kinds leaks.json --status-fd=3 --fail-kinds possible,reachable --format json
check "--status-fd with --fail-kinds possible,reachable (and --format json)" \
    eval 'clean fd.kinds && text_is fd.kinds "95 1575824" "$WORK/fd.kinds.fd"'
printf 'leak function make_c\nleak file cli_sites,*\n' >"$WORK/fd.supp"
status_fd fd.rules leaks.json --status-fd 3 --suppressions fd.supp
check "--status-fd after suppressions: make_c's and Q's blocks left out" \
    eval 'clean fd.rules && text_is fd.rules "14 7256" "$WORK/fd.rules.fd"'
status_fd fd.fail leaks.json --status-fd 3 --fail=9
check "--status-fd with --fail=9: the line, and status 9" \
    eval 'expect_status fd.fail 9 && text_is fd.fail "18 7384" "$WORK/fd.fail.fd"'
# Through a pipe, as the preload reads it: the report to /dev/null, fd 3
# into the pipe.
run_recorded fd.pipe env -C "$WORK" bash -c \
    '"$@" 3>&1 >/dev/null | cat; exit "${PIPESTATUS[0]}"' bash "$CLI" leaks leaks.json --status-fd 3
check "--status-fd 3 on a pipe: the line arrives whole" \
    eval 'clean fd.pipe && text_is fd.pipe "18 7384" "$WORK/fd.pipe.out"'

# --- suppressions ------------------------------------------------------------------

cat >"$WORK/rules.supp" <<'EOF'
# test_cli_leaks.sh: one rule per kind of match
leak function caller_two          # C2: a frame below its innermost one
reachable module cli_sites        # A and L: the program, by base name
definite file cli_sites,*         # Q: cli_sites, "quoted".c by base name
	possible   file   */programs/cli_sites.c   # R2: the whole path (tabs, spaces)
leak file programs/cli_sites.c    # a '/', so the whole path: hides nothing

leak function make_c              # C1; C2 went to the first rule that matched
indirect function inline_alloc    # I; a later rule
EOF
report rules leaks --suppressions rules.supp leaks.json
check "suppressions: the groups no rule hides" \
    eval 'clean rules && titles_are rules "$T_B" "$T_U"'
check "suppressions: per kind what is left, per rule what it hid, none for a rule that hid nothing" \
    summary_is rules "$(summary "7064 8" "0 0" "0 0" "0 0" "50 3" \
        "40 bytes in 1 blocks (rules.supp:2: leak function caller_two)" \
        "1575024 bytes in 91 blocks (rules.supp:3: reachable module cli_sites)" \
        "8 bytes in 1 blocks (rules.supp:4: definite file cli_sites,*)" \
        "800 bytes in 4 blocks (rules.supp:5: possible file */programs/cli_sites.c)" \
        "80 bytes in 2 blocks (rules.supp:8: leak function make_c)" \
        "192 bytes in 6 blocks (rules.supp:9: indirect function inline_alloc)")"

# With a '/', a pattern is matched against the whole path: the program's
# path without its leading '/' is not its whole path, and the debug
# information names cli_sites.c by a relative path, which "/*/..." is not.
# Then the program's whole path hides every group that has a frame.
printf 'all module %s\nleak file /*/programs/cli_sites.c\n' "${SITES#/}" >"$WORK/paths.supp"
printf 'all module /*/%s\nall file */cli_sites.c\n' "$(basename "$SITES")" >"$WORK/paths2.supp"
report rules.paths leaks --kinds all --suppressions paths.supp --suppressions paths2.supp leaks.json
check "suppressions: whole paths of module and file; two files, read in order" \
    eval 'clean rules.paths && titles_are rules.paths "$T_U" &&
          summary_is rules.paths "$(summary "64 1" "0 0" "0 0" "0 0" "50 3" \
              "1583144 bytes in 112 blocks (paths2.supp:1: all module /*/cli_sites)")"'

printf '# fine\nleak function x\nleak fuction make_c\n' >"$WORK/bad.supp"
report rules.bad leaks --suppressions bad.supp leaks.json
check "a bad rule: status 2, no report, one line 'FILE:LINE: what is wrong'" \
    eval 'failed_with rules.bad 2 "memsnap: bad.supp:3: unknown field '"'"'fuction'"'"' (expected function, file or module)" &&
          [ ! -s "$WORK/rules.bad.out" ]'
printf 'leak function a b\n' >"$WORK/bad2.supp"
report rules.bad2 leaks --suppressions rules.supp --suppressions bad2.supp leaks.json
check "a bad line in the second file: named by its own file and line" \
    failed_with rules.bad2 2 "memsnap: bad2.supp:1: 'b' after the pattern (a comment starts with '#')"
report rules.missing leaks --suppressions missing.supp leaks.json
check "a missing suppression file: status 2, one line" \
    failed_with rules.missing 2 'memsnap: missing.supp: cannot read: No such file or directory'

# --- generated suppressions ---------------------------------------------------------

report gen leaks --gen-suppressions leaks.json
sed -n '/^# memsnap suppressions for the groups listed above$/,$p' "$WORK/gen.norm" >"$WORK/gen.supp"
check "--gen-suppressions: after the report, a rule per listed lost group" \
    eval 'clean gen && text_is gen.rules "# memsnap suppressions for the groups listed above
leak function site_b   # 7000 bytes in 7 blocks definitely lost (traceback ${ID[B]})
leak function make_c   # 80 bytes in 2 blocks definitely lost (traceback ${ID[C1]})
# no rule (no frame names a function outside the allocator) for 64 bytes in 1 blocks definitely lost (traceback 1)
leak function quoted_site   # 8 bytes in 1 blocks definitely lost (traceback ${ID[Q]})
leak function inline_alloc   # 192 bytes in 6 blocks indirectly lost (traceback ${ID[I]})
leak function make_c   # 40 bytes in 1 blocks indirectly lost (traceback ${ID[C2]})
leak function realloc_chain   # 800 bytes in 4 blocks possibly lost (traceback ${ID[R2]})" "$WORK/gen.supp"'
report gen.back leaks --kinds all --suppressions gen.supp leaks.json
check "the generated rules fed back: exactly the listed lost groups hidden" \
    eval 'clean gen.back && titles_are gen.back "$T_U" "$T_L" "$T_A" &&
          summary_is gen.back "$(summary "64 1" "0 0" "0 0" "1575024 91" "50 3" \
              "7000 bytes in 7 blocks (gen.supp:2: leak function site_b)" \
              "120 bytes in 3 blocks (gen.supp:3: leak function make_c)" \
              "8 bytes in 1 blocks (gen.supp:5: leak function quoted_site)" \
              "192 bytes in 6 blocks (gen.supp:6: leak function inline_alloc)" \
              "800 bytes in 4 blocks (gen.supp:8: leak function realloc_chain)")"'
report gen.kinds leaks --gen-suppressions --kinds reachable,indirect leaks.json
check "--gen-suppressions --kinds reachable,indirect: rules for the lost groups listed only" \
    eval 'clean gen.kinds && sed -n "/^# memsnap suppressions/,\$p" "$WORK/gen.kinds.norm" >"$WORK/gen.kinds.rules" &&
          text_is gen.kinds "# memsnap suppressions for the groups listed above
leak function inline_alloc   # 192 bytes in 6 blocks indirectly lost (traceback ${ID[I]})
leak function make_c   # 40 bytes in 1 blocks indirectly lost (traceback ${ID[C2]})" "$WORK/gen.kinds.rules"'

# --- JSON ----------------------------------------------------------------------------

# The document's values, one line each, frames in the program's sources
# only (as the text's collapsed ones).
JSON_VIEW='
import json, sys
with open(sys.argv[1]) as f:
    d = json.load(f)
print("command", d["command"], d["snapshot"], d["process"]["argv"][0], d["complete"], d["threads"])
print("kinds", ",".join(d["kinds"]), "fail_kinds", ",".join(d["fail_kinds"]))
for kind, s in d["summary"].items():
    print("summary", kind, s["size"], s["count"], s["suppressed_size"], s["suppressed_count"])
for r in d["suppressed"]:
    print("suppressed", "%s:%d" % (r["file"], r["line"]), r["kind"], r["field"], r["pattern"],
          r["size"], r["count"])
print("failing", d["failing"]["groups"], d["failing"]["size"], d["failing"]["count"])
for g in d["groups"]:
    print("group", g["kind"], g["size"], g["count"], g["traceback"], g["failing"], g["truncated"])
    for fr in g["frames"]:
        if fr["file"] and (fr["file"].endswith("cli_sites.c") or fr["file"].endswith("\".c")):
            print("  frame %s:%d %s %s" % (fr["file"], fr["line"], fr["function"], fr["module"]))
'
report json leaks --format json --suppressions rules.supp leaks.json
check "--format json: every value (docs/cli-json.md)" \
    eval 'clean json && python json.view "$JSON_VIEW" "$WORK/json.out" &&
          text_is json.view "command leaks leaks.json PROG True 1
kinds definite,indirect,possible fail_kinds definite,indirect
summary definite 7064 8 88 3
summary indirect 0 0 232 7
summary possible 0 0 800 4
summary reachable 0 0 1575024 91
summary ignored 50 3 0 0
suppressed rules.supp:2 leak function caller_two 40 1
suppressed rules.supp:3 reachable module cli_sites 1575024 91
suppressed rules.supp:4 definite file cli_sites,* 8 1
suppressed rules.supp:5 possible file */programs/cli_sites.c 800 4
suppressed rules.supp:6 leak file programs/cli_sites.c 0 0
suppressed rules.supp:8 leak function make_c 80 2
suppressed rules.supp:9 indirect function inline_alloc 192 6
failing 2 7064 8
group definite 7000 7 ${ID[B]} True False
  frame SRC:@B site_b PROG
  frame SRC:@B1 phase_one PROG
  frame SRC:@ONE main PROG
group definite 64 1 1 True False" "$WORK/json.view.py"'
report json.plain leaks --format=json --kinds all --fail-kinds possible leaks.json
check "--format json --kinds all --fail-kinds possible: groups, failing, the quoted file" \
    eval 'clean json.plain && python json.plain "$JSON_VIEW" "$WORK/json.plain.out" &&
          grep "^\(group\|failing\|kinds\)" "$WORK/json.plain.py" >"$WORK/json.plain.groups" &&
          text_is json.plain "kinds definite,indirect,possible,reachable fail_kinds possible
failing 1 800 4
group definite 7000 7 ${ID[B]} False False
group definite 80 2 ${ID[C1]} False False
group definite 64 1 1 False False
group definite 8 1 ${ID[Q]} False False
group indirect 192 6 ${ID[I]} False False
group indirect 40 1 ${ID[C2]} False False
group possible 800 4 ${ID[R2]} True False
group reachable 1572864 1 ${ID[L]} False False
group reachable 2160 90 ${ID[A]} False False" "$WORK/json.plain.groups" &&
          grep -qxF "  frame cli_sites, \"quoted\".c:9003 quoted_site PROG" "$WORK/json.plain.py"'

# --- SARIF ---------------------------------------------------------------------------

# The keys SARIF 2.1.0 requires (no schema offline): checked, then the
# values, one line per result. The #line file is an absolute path in the
# tree, outside $WORK: a file:// URI (normalized: the tree's path dropped).
SARIF_VIEW='
import json, sys
with open(sys.argv[1]) as f:
    d = json.load(f)
def need(condition, what):
    if not condition:
        sys.exit("not SARIF 2.1.0: " + what)
need(d.get("version") == "2.1.0", "version")
need(d.get("$schema") == "https://json.schemastore.org/sarif-2.1.0.json", "$schema")
need(isinstance(d.get("runs"), list) and len(d["runs"]) == 1, "one run")
run = d["runs"][0]
driver = run["tool"]["driver"]
need(driver["name"] == "memsnap" and isinstance(driver.get("version"), str), "driver")
rules = driver["rules"]
ids = [r["id"] for r in rules]
need(len(set(ids)) == len(ids), "rule ids unique")
for r in rules:
    need(isinstance(r["shortDescription"]["text"], str), "rule text")
    print("rule", r["id"], r["defaultConfiguration"]["level"])
for base, value in run.get("originalUriBaseIds", {}).items():
    need(value["uri"].startswith("file:///") and value["uri"].endswith("/"), "base uri")
    print("base", base, value["uri"])
def where(location):
    physical = location["physicalLocation"]
    artifact = physical["artifactLocation"]
    line = physical["region"]["startLine"]
    need(isinstance(line, int) and line >= 1, "startLine")
    return "%s%s:%d" % (artifact.get("uriBaseId", "") + "|" if "uriBaseId" in artifact else "",
                        artifact["uri"], line)
for result in run["results"]:
    need(result["ruleId"] in ids and ids.index(result["ruleId"]) == result["ruleIndex"], "ruleId")
    need(result["level"] in ("none", "note", "warning", "error"), "level")
    need(isinstance(result["message"]["text"], str), "message")
    line = [result["ruleId"], result["level"], result["message"]["text"]]
    if "locations" in result:
        line.append("at " + where(result["locations"][0]))
    for stack in result.get("stacks", []):
        need(all("location" in frame for frame in stack["frames"]), "stack frames")
        line.append("frames %d" % len(stack["frames"]))
        line.append("first " + where(stack["frames"][0]["location"]))
    print(" | ".join(line))
'
report sarif leaks --format sarif leaks.json
check "--format sarif: valid, a rule per kind, a result per listed group, located" \
    eval 'clean sarif && python sarif "$SARIF_VIEW" "$WORK/sarif.out" &&
          sed -E "s/ \| frames [0-9]+//" "$WORK/sarif.py" >"$WORK/sarif.lines" &&
          text_is sarif "rule memsnap/definite-leak error
rule memsnap/indirect-leak error
rule memsnap/possible-leak warning
rule memsnap/still-reachable warning
base SRCROOT file://$(realpath "$WORK")/
memsnap/definite-leak | error | $T_B | at SRCROOT|SRC:@B | first SRCROOT|SRC:@B
memsnap/definite-leak | error | $T_C1 | at SRCROOT|SRC:@C | first SRCROOT|SRC:@C
memsnap/definite-leak | error | $T_U
memsnap/definite-leak | error | $T_Q | at file://cli_sites%2C%20%22quoted%22.c:9003 | first file://cli_sites%2C%20%22quoted%22.c:9003
memsnap/indirect-leak | error | $T_I | at SRCROOT|SRC:@I | first SRCROOT|SRC:@I
memsnap/indirect-leak | error | $T_C2 | at SRCROOT|SRC:@C | first SRCROOT|SRC:@C
memsnap/possible-leak | warning | $T_R2 | at SRCROOT|SRC:@R2 | first SRCROOT|SRC:@R2" "$WORK/sarif.lines"'
# From the root of the tree, the #line file (an absolute path there) is
# relative to the current directory.
run_recorded sarif.root env -C "$(cd "$REPOSITORY_ROOT" && pwd -P)" "$CLI" leaks --format sarif \
    --kinds definite --fail-kinds possible "$WORK/leaks.json"
check "--format sarif from the tree's root: paths under it relative, --fail-kinds sets the levels" \
    eval 'clean sarif.root && python sarif.root "$SARIF_VIEW" "$WORK/sarif.root.out" &&
          grep -F "$T_Q" "$WORK/sarif.root.py" | grep -qF "| warning | $T_Q | at SRCROOT|cli_sites%2C%20%22quoted%22.c:9003" &&
          grep -qx "rule memsnap/possible-leak error" "$WORK/sarif.root.py" &&
          grep -qx "rule memsnap/definite-leak warning" "$WORK/sarif.root.py" &&
          [ "$(grep -c "^memsnap/" "$WORK/sarif.root.py")" = 4 ]'

# --- JUnit ---------------------------------------------------------------------------

JUNIT_VIEW='
import sys
import xml.etree.ElementTree as tree
root = tree.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
suites = root.findall("testsuite")
assert len(suites) == 1
suite = suites[0]
print("suite", suite.get("name"), suite.get("tests"), suite.get("failures"), root.get("tests"),
      root.get("failures"))
for case in suite.findall("testcase"):
    failure = case.find("failure")
    out = case.find("system-out")
    body = failure.text if failure is not None else out.text if out is not None else ""
    print("case", case.get("name"), "|", "failure " + failure.get("type") + " " +
          failure.get("message") if failure is not None else "pass")
    for line in (body or "").splitlines()[:2]:
        print(line)
'
# junit_case TITLE RESULT FRAME: the view of one case: its name and result
# ("failure KIND TITLE" or "pass"), its traceback's title and first frame.
junit_case() {
    printf 'case %s | %s\n%s\n    %s\n' "$1" "$2" "$1" "$3"
}
report junit leaks --format junit --kinds all leaks.json
check "--format junit: parses; a case per listed group, failures for the failing kinds" \
    eval 'clean junit && python junit "$JUNIT_VIEW" "$WORK/junit.out" &&
          text_is junit "suite memsnap leaks 9 6 9 6
$(junit_case "$T_B" "failure definite $T_B" "at SRC:@B (site_b)")
$(junit_case "$T_C1" "failure definite $T_C1" "at SRC:@C (make_c)")
$(junit_case "$T_U" "failure definite $T_U" "<unsampled allocations>")
$(junit_case "$T_Q" "failure definite $T_Q" "at cli_sites, \"quoted\".c:9003 (quoted_site)")
$(junit_case "$T_I" "failure indirect $T_I" "at SRC:@I (inline_alloc)")
$(junit_case "$T_C2" "failure indirect $T_C2" "at SRC:@C (make_c)")
$(junit_case "$T_R2" pass "at SRC:@R2 (realloc_chain)")
$(junit_case "$T_L" pass "at SRC:@L (large_and_odd)")
$(junit_case "$T_A" pass "at SRC:@A (site_a)")" "$WORK/junit.py"'
report junit.none leaks --format junit --kinds reachable --suppressions rules.supp leaks.json
check "--format junit with nothing listed: one passing case, no leaks" \
    eval 'clean junit.none && python junit.none "$JUNIT_VIEW" "$WORK/junit.none.out" &&
          text_is junit.none "suite memsnap leaks 1 0 1 0
case no leaks | pass" "$WORK/junit.none.py"'

# --- errors --------------------------------------------------------------------------

report no.check leaks one.json
check "a snapshot without a leak check: status 2, one line saying how to get one" \
    eval 'failed_with no.check 2 "memsnap: one.json: no leak check in this snapshot (run the program with memsnap run --leaks)" &&
          [ ! -s "$WORK/no.check.out" ]'
sed -E 's/("rows":\[")[0-9]+ 0 7000 7"/\199999 0 7000 7"/' "$WORK/leaks.json" >"$WORK/bad-leaks.json"
report bad.leaks leaks bad-leaks.json
check "a leaks row naming no traceback: refused, naming the file and the row" \
    failed_with bad.leaks 2 'memsnap: bad-leaks.json: leaks row 0: traceback 99999 is not in the tracebacks table'
report bad.missing leaks missing.json
check "a missing snapshot: refused" refused bad.missing missing.json

# Each: status 2, nothing on stdout, one line naming the value.
bad_options=(
    "--format xml|xml" "--format csv|csv" "--kinds ignored|ignored" "--kinds definite,|definite,"
    "--kinds=|--kinds" "--fail-kinds bogus|bogus" "--fail=0|--fail=0" "--fail=256|--fail=256"
    "--fail=x|--fail=x" "--fail=|--fail=" "--status-fd 99|99" "--status-fd x|'x'"
    "--status-fd -1|-1" "--gen-suppressions --format sarif|sarif" "--bogus|--bogus"
    "--fail 5|too many snapshots" "--gen-suppressions=1|--gen-suppressions"
)
bad=0
for entry in "${bad_options[@]}"; do
    words=${entry%|*} name=${entry#*|} bad=$((bad + 1))
    # shellcheck disable=SC2086 # the options are words
    report "bad.option.$bad" leaks $words leaks.json
    check "leaks $words: refused, naming $name" refused "bad.option.$bad" "$name"
done
report bad.two leaks leaks.json one.json
check "two snapshots: refused" refused bad.two one.json
report bad.none leaks --kinds all
check "no snapshot: refused" refused bad.none "expected 1 snapshot"

# --- colour --------------------------------------------------------------------------

ESC=$'\033'
if SCRIPT=$(find_binary script) && "$SCRIPT" -qec true /dev/null </dev/null >/dev/null 2>&1; then
    run_recorded colour.tty env -C "$WORK" -u NO_COLOR TERM=xterm "$SCRIPT" -qec \
        "$(printf '%q ' "$CLI" leaks --kinds all leaks.json)" /dev/null
    check "on a terminal: failing titles bold red, others bold" \
        eval 'clean colour.tty && tr -d "\r" <"$WORK/colour.tty.out" >"$WORK/colour.tty.txt" &&
              grep -qxF "${ESC}[1m${ESC}[31m$T_B${ESC}[0m" "$WORK/colour.tty.txt" &&
              grep -qxF "${ESC}[1m$T_R2${ESC}[0m" "$WORK/colour.tty.txt"'
    run_recorded colour.no env -C "$WORK" NO_COLOR=1 TERM=xterm "$SCRIPT" -qec \
        "$(printf '%q ' "$CLI" leaks leaks.json)" /dev/null
    check "on a terminal with NO_COLOR=1: no escape sequence" \
        eval 'clean colour.no && ! grep -q "$ESC" "$WORK/colour.no.out"'
else
    skip "colour on a terminal (no working script(1))"
fi
check "to a file: no escape sequence" eval '! grep -q "$ESC" "$WORK/text.out"'

# --- help ----------------------------------------------------------------------------

cli help.leaks help leaks
cli help.run help run
cli help.all help
check "help: the leaks command listed, --fail[=N] in leaks' and run's options, status 23" \
    eval 'clean help.leaks && clean help.run && clean help.all &&
          grep -q "^  leaks \[OPTIONS\] SNAPSHOT  *the leak check of a run with --leaks" "$WORK/help.all.out" &&
          grep -q "^  --fail\[=N\]  *exit with status N (1 to 255, default 23)" "$WORK/help.leaks.out" &&
          grep -q "^  --fail\[=N\]  *exit with status N (default 23; 0: never)" "$WORK/help.run.out" &&
          grep -q "^  23  *.leaks --fail. (N with --fail=N)" "$WORK/help.leaks.out"'

# --- run -----------------------------------------------------------------------------

# run_env LABEL OPTIONS...: memsnap run OPTIONS -- env, in $WORK, its
# snapshots in a folder of their own; $WORK/LABEL.vars: its MEMSNAP_LEAK*,
# MEMSNAP_SUPPRESSIONS and MEMSNAP_GEN_SUPPRESSIONS lines, sorted. The
# library reads these variables once its leak check is in; its stderr and
# status are not checked here.
run_env() {
    local label=$1 directory
    shift
    directory=$(new_snapshot_dir "$label")
    run_recorded "$label" env -C "$WORK" "$CLI" run --output-dir "$directory" "$@" -- \
        "$(find_binary env)"
    grep -E '^MEMSNAP_(LEAK|SUPPRESSIONS|GEN_SUPPRESSIONS)' "$WORK/$label.out" | LC_ALL=C sort \
        >"$WORK/$label.vars" || true
}

run_env run.leaks --leaks --fail
check "run --leaks --fail: MEMSNAP_LEAKS=1, MEMSNAP_LEAK_EXITCODE=23" \
    text_is run.leaks 'MEMSNAP_LEAKS=1
MEMSNAP_LEAK_EXITCODE=23' "$WORK/run.leaks.vars"
run_env run.all --fail=7 --fail-kinds all --suppressions rules.supp --gen-suppressions
check "run --fail=7 --fail-kinds all --suppressions FILE --gen-suppressions: each variable, the file absolute" \
    text_is run.all "MEMSNAP_GEN_SUPPRESSIONS=1
MEMSNAP_LEAKS=1
MEMSNAP_LEAK_EXITCODE=7
MEMSNAP_LEAK_KINDS=definite,indirect,possible,reachable
MEMSNAP_SUPPRESSIONS=$(cd "$WORK" && pwd -P)/rules.supp" "$WORK/run.all.vars"
run_env run.kinds --fail-kinds=possible,leak
check "run --fail-kinds=possible,leak: implies --leaks, the kinds spelled out" \
    text_is run.kinds 'MEMSNAP_LEAKS=1
MEMSNAP_LEAK_KINDS=definite,indirect,possible' "$WORK/run.kinds.vars"
run_env run.zero --fail=0
check "run --fail=0: MEMSNAP_LEAK_EXITCODE=0 (report, never fail)" \
    text_is run.zero 'MEMSNAP_LEAKS=1
MEMSNAP_LEAK_EXITCODE=0' "$WORK/run.zero.vars"
run_env run.gen --gen-suppressions
check "run --gen-suppressions: implies --leaks" \
    text_is run.gen 'MEMSNAP_GEN_SUPPRESSIONS=1
MEMSNAP_LEAKS=1' "$WORK/run.gen.vars"
run_env run.rules --suppressions="$WORK/rules.supp"
check "run --suppressions=ABSOLUTE: as given, implies --leaks" \
    text_is run.rules "MEMSNAP_LEAKS=1
MEMSNAP_SUPPRESSIONS=$WORK/rules.supp" "$WORK/run.rules.vars"

# Each: status 2, PROG not run (no output, no snapshot), one line naming it.
bad_runs=(
    "--fail=256|--fail=256" "--fail=x|--fail=x" "--fail=|--fail=" "--fail=-1|--fail=-1"
    "--fail-kinds bogus|bogus" "--fail-kinds ignored|ignored" "--fail-kinds definite,,possible|definite,,possible"
    "--suppressions missing.supp|missing.supp: cannot read: No such file or directory"
    "--suppressions bad.supp|bad.supp:3: unknown field"
    "--suppressions rules.supp --suppressions rules.supp|given twice"
    "--leaks=1|--leaks" "--fail 3|'3'"
)
for entry in "${bad_runs[@]}"; do
    words=${entry%|*} name=${entry#*|}
    BAD_DIR=$(new_snapshot_dir "run.bad")
    # shellcheck disable=SC2086 # the options are words
    run_recorded run.bad env -C "$WORK" "$CLI" run --output-dir "$BAD_DIR" $words -- \
        "$(find_binary env)"
    check "run $words: refused before PROG runs, naming $name" \
        eval 'refused run.bad "$name" && no_snapshot "$BAD_DIR"'
done

finish
