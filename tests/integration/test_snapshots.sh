#!/usr/bin/env bash
# test_snapshots.sh: tracebacks and snapshot files, read back.
#
# The programs are tests/programs/snapshot_*.c; those that read snapshots
# use snapshot_read.h (jansson) and symbolize their own frames with dladdr.
# snapshot_check validates files from here (see lib.sh, snapshots_valid):
# shape, no negative number, totals.current = the sum of the rows (all
# domains), per-domain totals, frames in their modules, the file name
# against the document.
#
#   sites       snapshot_sites: known allocation sites (malloc, free, calloc,
#               realloc, memalign, posix_memalign, aligned_alloc, mmap +
#               partial munmap, memsnap_track/untrack) read back from its
#               own memsnap_snapshot("sites"): exact bytes and blocks per
#               function name, frame 1 the caller; MEMSNAP_FRAMES=1
#               truncates every traceback to one frame; the exit snapshot
#               holds only what the program kept; API errors (EINVAL,
#               ENOENT) and reset_peak
#   absent      the same program without the preload: every API call -1 with
#               ENOSYS, same stdout, exit 0, no file anywhere
#   fork/exec   snapshot_exec: one set of files per process, none
#               overwritten; the exec'd image (same pid) takes the next free
#               number for a name its predecessor used; _exit writes none
#   signal      snapshot_threads: SIGUSR2 while 4 threads allocate; each
#               signal snapshot valid, every row of a thread's site whole
#               blocks of its size, the quiescent one exact
#   unwritable  MEMSNAP_DIR under a regular file, and in /proc: stdout and
#               status unchanged, one "memsnap: cannot write snapshot" line
#               per process, API calls -1 with errno set
#   start/stop  MEMSNAP_START=0: no snapshot unless recording starts
#               (memsnap_start or SIGUSR2); what was allocated before is not
#               recorded, what is freed while stopped still counts
#   untraced    MEMSNAP_TRACE=0: no snapshot, memsnap_start fails (EPERM),
#               SIGUSR2 keeps its default action (no handler)
#   names       relative MEMSNAP_DIR and the default (the directory the
#               program started in, even after chdir); tags cleaned and cut
#               at 64 bytes in the name, kept whole in the document;
#               memsnap_snapshot(NULL) is labelled "api"
#   signals     MEMSNAP_SIGNAL=0 leaves SIGUSR2 fatal; MEMSNAP_SIGNAL=USR1
#               moves the trigger; MEMSNAP_INTERVAL writes interval snapshots
#
# Every preloaded run writes into a folder of its own under $WORK.

# Compound conditions are single-quoted for eval, so that they expand when
# the check runs.
# shellcheck disable=SC2016
set -euo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"

# listing DIR: the names in DIR, hidden ones too, pids replaced by PID,
# sorted: "memsnap.prog.1234.2.exit.json" -> "memsnap.prog.PID.2.exit.json".
listing() {
    find "$1" -mindepth 1 -maxdepth 1 -printf '%f\n' |
        sed -E 's/^(\.?memsnap\..*)\.[0-9]+\.([0-9]+)\.([^.]*)\.json(\.tmp)?$/\1.PID.\2.\3.json\4/' |
        LC_ALL=C sort
}

# listing_is DIR NAME...: DIR holds exactly the files NAME... (as listing
# prints them), and all snapshots in it come from one process.
listing_is() {
    local directory=$1
    shift
    printf '%s\n' "$@" | LC_ALL=C sort >"$WORK/listing.expected"
    listing "$directory" >"$WORK/listing.actual"
    if ! cmp -s "$WORK/listing.expected" "$WORK/listing.actual"; then
        note "files in $directory (< expected, > actual):"
        diff "$WORK/listing.expected" "$WORK/listing.actual" >"$WORK/listing.diff" || true
        note_file "$WORK/listing.diff"
        return 1
    fi
    local pids
    pids=$(snapshot_files "$directory" | sed -E 's/.*\.([0-9]+)\.[0-9]+\.[^.]*\.json$/\1/' |
        sort -u | wc -l)
    if [ "$pids" -gt 1 ]; then
        note "snapshots of $pids processes in $directory, expected one"
        return 1
    fi
}

# field NAME FIELD: the value of FIELD (pid, trigger, current...) on the
# line of snapshot file NAME in $WORK/last.snapshots (snapshots_valid).
field() {
    awk -v name="$1" -v field="$2" '$1 == name {
        for (i = 2; i <= NF; i++) if (index($i, field "=") == 1) print substr($i, length(field) + 2)
    }' "$WORK/last.snapshots"
}

# expect_field NAME FIELD VALUE
expect_field() {
    local actual
    actual=$(field "$1" "$2")
    if [ "$actual" != "$3" ]; then
        note "$1: $2 is '$actual', expected '$3'"
        return 1
    fi
}

# expect_output LABEL TEXT: LABEL's recorded stdout is exactly TEXT.
expect_output() {
    if [ "$(cat "$WORK/$1.out")" != "$2" ]; then
        note "$1 printed:"
        note_file "$WORK/$1.out"
        note "expected:"
        echo "$2" | sed -n '1,10s/^/#     /p' >&2
        return 1
    fi
}

# one_snapshot_error LABEL BASELINE: LABEL's stderr is BASELINE's stderr
# plus exactly one line from memsnap, "memsnap: cannot write snapshot...".
one_snapshot_error() {
    local errors="$WORK/$1.err" lines
    lines=$(grep -c '^memsnap: ' "$errors" || true)
    if [ "$lines" != 1 ] || ! grep -q '^memsnap: cannot write snapshot' "$errors"; then
        note "$1: $lines lines from memsnap on stderr, expected 1 \"memsnap: cannot write snapshot...\":"
        note_file "$errors"
        return 1
    fi
    { grep -v '^memsnap: ' "$errors" || true; } | cmp -s - "$WORK/$2.err"
}

# same_stdout_and_status LABEL_A LABEL_B
same_stdout_and_status() {
    cmp -s "$WORK/$1.out" "$WORK/$2.out" && cmp -s "$WORK/$1.status" "$WORK/$2.status"
}

# --- known sites, read back in the process -------------------------------
if have_program snapshot_sites; then
    sites=$(program snapshot_sites)
    directory=$(new_snapshot_dir sites)
    run_recorded sites.preload "${PRELOADED[@]}" MEMSNAP_DIR="$directory" "$sites" --expect-memsnap
    check "snapshot_sites: every site's live and total bytes and blocks, by function name, in its memsnap_snapshot(\"sites\")" \
        expect_status sites.preload 0
    check "snapshot_sites: writes exactly memsnap.snapshot_sites.PID.1.sites.json and .2.exit.json, valid (single thread)" \
        eval 'listing_is "$directory" memsnap.snapshot_sites.PID.1.sites.json \
                  memsnap.snapshot_sites.PID.2.exit.json &&
              snapshots_valid "$directory" --single-thread'
    # shellcheck disable=SC2034 # used in the eval below
    exit_file=$(basename "$(snapshot_files "$directory" | grep '\.exit\.json$' || true)")
    check "snapshot_sites: the exit snapshot holds only site_b's 7000 bytes, peak reset to them" \
        eval 'expect_field "$exit_file" current 7000 && expect_field "$exit_file" peak 7000 &&
              expect_field "$exit_file" peak_size 7000 && expect_field "$exit_file" trigger exit &&
              expect_field "$exit_file" tag -'

    directory=$(new_snapshot_dir sites.frames1)
    run_recorded sites.frames1 "${PRELOADED[@]}" MEMSNAP_DIR="$directory" MEMSNAP_FRAMES=1 \
        "$sites" --expect-memsnap
    check "snapshot_sites with MEMSNAP_FRAMES=1: the same counts, every traceback one frame, truncated" \
        eval 'expect_status sites.frames1 0 && snapshots_valid "$directory" --single-thread'

    # The API without the preload, in a folder of its own: nothing written.
    directory=$(new_snapshot_dir sites.absent)
    run_recorded sites.absent env -C "$directory" "$sites" --expect-absent
    check "snapshot_sites without the preload: every API call -1 with ENOSYS, exit 0, nothing on stderr" \
        eval 'expect_status sites.absent 0 && [ ! -s "$WORK/sites.absent.err" ]'
    check "snapshot_sites without the preload: the same stdout as under it, no file written" \
        eval 'cmp -s "$WORK/sites.absent.out" "$WORK/sites.preload.out" && no_snapshot "$directory"'
fi

if have_program snapshot_repeat; then
    run_recorded repeat.absent "$(program snapshot_repeat)" 2
    check "memsnap_snapshot without the preload: -1 with ENOSYS, each call" \
        expect_output repeat.absent "snapshot 1: -1 ENOSYS
snapshot 2: -1 ENOSYS"
fi

# --- fork and exec -------------------------------------------------------

# exec_parent_and_children DIR PARENT EXEC_CHILD EXIT_CHILD QUICK_CHILD:
# the parent and the exit child have one exit snapshot each (the exit
# child's ppid the parent), the _exit child none, and no other process but
# the exec child wrote any (see tests/programs/snapshot_exec.c).
exec_parent_and_children() {
    local directory=$1 parent=$2 exec_child=$3 exit_child=$4 quick_child=$5
    local files name
    files=$(snapshot_files "$directory" | xargs -n 1 basename)
    if [ "$(echo "$files" | grep -c "\.$parent\.")" != 1 ] ||
        ! echo "$files" | grep -qx "memsnap\.snapshot_exec\.$parent\.1\.exit\.json"; then
        note "parent $parent: expected memsnap.snapshot_exec.$parent.1.exit.json alone"
        return 1
    fi
    if [ "$(echo "$files" | grep -c "\.$exit_child\.")" != 1 ] ||
        ! echo "$files" | grep -qx "memsnap\.snapshot_exec\.$exit_child\.1\.exit\.json"; then
        note "exit child $exit_child: expected memsnap.snapshot_exec.$exit_child.1.exit.json alone"
        return 1
    fi
    if echo "$files" | grep -q "\.$quick_child\."; then
        note "the _exit child $quick_child wrote a snapshot"
        return 1
    fi
    if [ "$(echo "$files" | wc -l)" != $((2 + $(echo "$files" | grep -c "\.$exec_child\."))) ]; then
        note "files of other processes in $directory:"
        while read -r name; do note "  $name"; done <<<"$files"
        return 1
    fi
    expect_field "memsnap.snapshot_exec.$exit_child.1.exit.json" ppid "$parent"
}

# exec_child_files EXEC_CHILD PARENT: the exec child's four snapshots, told
# apart by their contents: the first image's "handover" and "before-exec"
# (argv[1] "parent"), the exec'd image's "handover" and exit snapshot
# (argv[1] "execd"); the exec'd "handover" took a number of its own.
exec_child_files() {
    local child=$1 parent=$2 line
    local -A seen=()
    while read -r line; do
        local name=${line%% *} key
        key="$(field "$name" argv1)/$(field "$name" trigger)/$(field "$name" tag)"
        seen[$key]=$name
        expect_field "$name" ppid "$parent" || return 1
    done < <(grep "^memsnap\.snapshot_exec\.$child\." "$WORK/last.snapshots")
    local key
    for key in parent/api/handover parent/api/before-exec execd/api/handover execd/exit/-; do
        if [ -z "${seen[$key]:-}" ]; then
            note "exec child $child: no snapshot with argv[1]/trigger/tag $key; found:"
            grep "^memsnap\.snapshot_exec\.$child\." "$WORK/last.snapshots" | sed 's/^/#     /' >&2
            return 1
        fi
    done
    if [ "${#seen[@]}" != 4 ]; then
        note "exec child $child: ${#seen[@]} snapshots, expected 4"
        return 1
    fi
    if [ "${seen[parent/api/handover]}" = "${seen[execd/api/handover]}" ]; then
        note "the exec'd image's handover snapshot has its predecessor's name"
        return 1
    fi
}

# distinct_sequence_numbers PID DIR: PID's files have distinct numbers.
distinct_sequence_numbers() {
    local numbers
    numbers=$(snapshot_files "$2" | sed -nE "s/.*\.$1\.([0-9]+)\.[^.]*\.json$/\1/p" | sort)
    if [ "$(echo "$numbers" | uniq -d)" != "" ]; then
        note "pid $1's files share sequence numbers:"
        snapshot_files "$2" | grep "\.$1\." | sed 's|^.*/|#     |' >&2
        return 1
    fi
}

if have_program snapshot_exec; then
    directory=$(new_snapshot_dir exec)
    run_recorded exec "${PRELOADED[@]}" MEMSNAP_DIR="$directory" "$(program snapshot_exec)" parent
    if expect_status exec 0 && grep -qx 'done' "$WORK/exec.out"; then
        ok "snapshot_exec: fork, exec and three children under the preload"
        parent=$(sed -n 's/^parent //p' "$WORK/exec.out")
        exec_child=$(sed -n 's/^exec-child //p' "$WORK/exec.out")
        exit_child=$(sed -n 's/^exit-child //p' "$WORK/exec.out")
        quick_child=$(sed -n 's/^quick-exit-child //p' "$WORK/exec.out")
        check "snapshot_exec: every snapshot valid, no temporary left" \
            snapshots_valid "$directory" --single-thread
        check "snapshot_exec: one exit snapshot for the parent, one for the child that exits, none for the one that calls _exit" \
            exec_parent_and_children "$directory" "$parent" "$exec_child" "$exit_child" "$quick_child"
        check "snapshot_exec: the exec child's 2 snapshots before exec and the exec'd image's 2 all kept, none overwritten" \
            exec_child_files "$exec_child" "$parent"
        # docs/snapshot-format.md: after exec the new image's "files get
        # numbers past its predecessor's" (1.handover, 2.before-exec, then
        # 3.handover, 4.exit), not only past an exact clash of the name.
        check "snapshot_exec: one process's files (before and after exec) have distinct sequence numbers" \
            distinct_sequence_numbers "$exec_child" "$directory"
    else
        not_ok "snapshot_exec: fork, exec and three children under the preload"
    fi
fi

# --- SIGUSR2 while threads allocate ---------------------------------------
if have_program snapshot_threads; then
    directory=$(new_snapshot_dir threads)
    run_recorded threads "${PRELOADED[@]}" MEMSNAP_DIR="$directory" "$(program snapshot_threads)"
    check "snapshot_threads: SIGUSR2 while 4 threads allocate: signal snapshots consistent, whole blocks per thread site" \
        expect_status threads 0
    check "snapshot_threads: 2 to 6 signal snapshots and one exit snapshot, all valid" \
        eval 'snapshots_valid "$directory" &&
              [ "$(snapshot_files "$directory" | grep -c "\.signal\.json$")" -ge 2 ] &&
              [ "$(snapshot_files "$directory" | grep -c "\.signal\.json$")" -le 6 ] &&
              [ "$(snapshot_files "$directory" | grep -c "\.exit\.json$")" = 1 ] &&
              [ "$(snapshot_files "$directory" | wc -l)" -le 7 ]'
    # shellcheck disable=SC2034 # used in the eval below
    exit_file=$(snapshot_files "$directory" | grep '\.exit\.json$' | head -n 1 || true)
    check "snapshot_threads: the exit snapshot, threads joined, is quiescent-consistent" \
        eval '[ -n "$exit_file" ] && "$(program snapshot_check)" --quiescent "$exit_file" >/dev/null'
fi

# --- an unwritable MEMSNAP_DIR ---------------------------------------------
# As root a folder without write permission is still writable: a path under
# a regular file, and one in /proc, cannot be created whoever runs this.
if have_program exit_status; then
    exit_status=$(program exit_status)
    run_recorded unwritable.baseline "$exit_status"
    : >"$WORK/a-file"
    for unwritable in "$WORK/a-file/sub" /proc/self/fdinfo; do
        label="unwritable.$(basename "$unwritable")"
        run_recorded "$label" "${PRELOADED[@]}" MEMSNAP_DIR="$unwritable" "$exit_status"
        check "MEMSNAP_DIR=$unwritable: stdout and exit status unchanged" \
            same_stdout_and_status "$label" unwritable.baseline
        check "MEMSNAP_DIR=$unwritable: stderr has exactly one more line, \"memsnap: cannot write snapshot...\"" \
            one_snapshot_error "$label" unwritable.baseline
    done
fi
if have_program snapshot_repeat; then
    run_recorded unwritable.repeat.baseline "$(program snapshot_repeat)" 3
    run_recorded unwritable.repeat "${PRELOADED[@]}" MEMSNAP_DIR="$WORK/a-file/sub" \
        "$(program snapshot_repeat)" 3
    check "MEMSNAP_DIR under a file: memsnap_snapshot -1 with ENOTDIR each of 3 times, exit 0" \
        eval 'expect_status unwritable.repeat 0 && expect_output unwritable.repeat "snapshot 1: -1 ENOTDIR
snapshot 2: -1 ENOTDIR
snapshot 3: -1 ENOTDIR"'
    check "MEMSNAP_DIR under a file: 4 failed snapshots (3 + exit), one line on stderr" \
        one_snapshot_error unwritable.repeat unwritable.repeat.baseline
fi

# --- a write that fails half way (a full disk) -----------------------------
# A file size limit (with SIGXFSZ ignored, as the ignored disposition
# survives exec) makes write(2) fail part way through each snapshot, as a
# full disk would: the program goes on, says nothing but one line, leaves no
# temporary, and the snapshots already in the directory are untouched.
if have_program snapshot_repeat; then
    full=$WORK/full
    mkdir -p "$full"
    run_recorded full.first "${PRELOADED[@]}" MEMSNAP_DIR="$full" "$(program snapshot_repeat)" 2
    sums_before=$(cd "$full" && sha256sum memsnap.*)
    run_recorded full.baseline "$(program snapshot_repeat)" 3
    run_recorded full.limited bash -c 'trap "" XFSZ; ulimit -f 2; exec "$@"' limited \
        "${PRELOADED[@]}" MEMSNAP_DIR="$full" "$(program snapshot_repeat)" 3
    check "file size limit: memsnap_snapshot -1 with EFBIG each of 3 times, exit 0" \
        eval 'expect_status full.limited 0 && expect_output full.limited "snapshot 1: -1 EFBIG
snapshot 2: -1 EFBIG
snapshot 3: -1 EFBIG"'
    check "file size limit: 4 failed snapshots (3 + exit), one line on stderr" \
        one_snapshot_error full.limited full.baseline
    check "file size limit: the 3 earlier snapshots unchanged, no temporary left" \
        eval '[ "$(cd "$full" && sha256sum memsnap.*)" = "$sums_before" ] &&
              [ "$(echo "$sums_before" | wc -l)" = 3 ] && no_temporaries "$full"'
fi

# --- MEMSNAP_START=0, memsnap_start, SIGUSR2 -------------------------------
if have_program snapshot_start; then
    start=$(program snapshot_start)
    directory=$(new_snapshot_dir start.api)
    run_recorded start.api "${PRELOADED[@]}" MEMSNAP_DIR="$directory" MEMSNAP_START=0 "$start" api
    check "MEMSNAP_START=0: nothing recorded before memsnap_start, frees while stopped counted, EPERM for memsnap_track while stopped" \
        expect_status start.api 0
    check "MEMSNAP_START=0 then memsnap_start: exactly the started, stopped and exit snapshots, valid" \
        eval 'listing_is "$directory" memsnap.snapshot_start.PID.1.started.json \
                  memsnap.snapshot_start.PID.2.stopped.json memsnap.snapshot_start.PID.3.exit.json &&
              snapshots_valid "$directory" --single-thread &&
              expect_field "$(basename "$(snapshot_files "$directory" | tail -n 1)")" recording 0'

    directory=$(new_snapshot_dir start.signal)
    run_recorded start.signal "${PRELOADED[@]}" MEMSNAP_DIR="$directory" MEMSNAP_START=0 \
        "$start" signal
    check "MEMSNAP_START=0: the first SIGUSR2 starts recording and writes nothing, the second writes a snapshot" \
        expect_status start.signal 0
    check "MEMSNAP_START=0 then SIGUSR2 twice: exactly a signal and an exit snapshot, valid" \
        eval 'listing_is "$directory" memsnap.snapshot_start.PID.1.signal.json \
                  memsnap.snapshot_start.PID.2.exit.json &&
              snapshots_valid "$directory" --single-thread'

    directory=$(new_snapshot_dir untraced)
    run_recorded untraced "${PRELOADED[@]}" MEMSNAP_DIR="$directory" MEMSNAP_TRACE=0 "$start" untraced
    check "MEMSNAP_TRACE=0: memsnap_is_tracing 0, memsnap_start fails with EPERM, no snapshot" \
        eval 'expect_status untraced 0 && no_snapshot "$directory"'
fi

if have_program exit_status; then
    directory=$(new_snapshot_dir start.never)
    run_recorded start.never "${PRELOADED[@]}" MEMSNAP_DIR="$directory" MEMSNAP_START=0 \
        "$exit_status"
    check "MEMSNAP_START=0, recording never started: output unchanged, no snapshot at exit" \
        eval 'same_outcome unwritable.baseline start.never && no_snapshot "$directory"'

    directory=$(new_snapshot_dir untraced.exit)
    run_recorded untraced.exit "${PRELOADED[@]}" MEMSNAP_DIR="$directory" MEMSNAP_TRACE=0 \
        "$exit_status"
    check "MEMSNAP_TRACE=0: output unchanged, no snapshot at exit" \
        eval 'same_outcome unwritable.baseline untraced.exit && no_snapshot "$directory"'
fi

# --- where files go, what they are called ---------------------------------
if have_program snapshot_repeat; then
    repeat=$(program snapshot_repeat)
    # A relative MEMSNAP_DIR is taken from the starting directory, even
    # after the program changes directory; unset, it is that directory.
    mkdir -p "$WORK/start/out" "$WORK/start/moved/out"
    run_recorded names.relative env -C "$WORK/start" "${PRELOADED[@]}" MEMSNAP_DIR=out \
        "$repeat" --chdir moved 1
    check "MEMSNAP_DIR=out (relative): snapshots in out/ of the starting directory, not of the one the program moved to" \
        eval 'expect_output names.relative "snapshot 1: 0" &&
              listing_is "$WORK/start/out" memsnap.snapshot_repeat.PID.1.repeat.json \
                  memsnap.snapshot_repeat.PID.2.exit.json &&
              no_snapshot "$WORK/start/moved/out" && no_snapshot "$WORK/start/moved"'
    mkdir -p "$WORK/unset/moved"
    run_recorded names.unset env -C "$WORK/unset" -u MEMSNAP_DIR LD_PRELOAD="$LIBRARY" \
        "$repeat" --chdir moved 1
    check "MEMSNAP_DIR unset: snapshots in the starting directory, not the one the program moved to" \
        eval 'expect_output names.unset "snapshot 1: 0" &&
              listing_is "$WORK/unset" memsnap.snapshot_repeat.PID.1.repeat.json \
                  memsnap.snapshot_repeat.PID.2.exit.json moved &&
              no_snapshot "$WORK/unset/moved"'

    directory=$(new_snapshot_dir names.tag)
    long_tag="after load/é.$(printf 'x%.0s' {1..80})"
    run_recorded names.tag "${PRELOADED[@]}" MEMSNAP_DIR="$directory" "$repeat" --tag "$long_tag" 1
    # shellcheck disable=SC2034 # used in the eval below
    cleaned="after_load____$(printf 'x%.0s' {1..50})"
    check "a tag with a space, a slash, a dot and é, 94 bytes: cleaned and cut to 64 bytes in the name, whole in the document" \
        eval 'listing_is "$directory" "memsnap.snapshot_repeat.PID.1.$cleaned.json" \
                  memsnap.snapshot_repeat.PID.2.exit.json &&
              snapshots_valid "$directory" --single-thread &&
              grep -qF " tag=$long_tag recording=1 " "$WORK/last.snapshots"'

    directory=$(new_snapshot_dir names.null)
    run_recorded names.null "${PRELOADED[@]}" MEMSNAP_DIR="$directory" "$repeat" --null-tag 2
    check "memsnap_snapshot(NULL): labelled api, tag null, numbered 1 and 2, exit 3" \
        eval 'listing_is "$directory" memsnap.snapshot_repeat.PID.1.api.json \
                  memsnap.snapshot_repeat.PID.2.api.json memsnap.snapshot_repeat.PID.3.exit.json &&
              snapshots_valid "$directory" --single-thread &&
              [ "$(grep -c " trigger=api tag=- " "$WORK/last.snapshots")" = 2 ]'
fi

# --- the signal and the interval --------------------------------------------
if bash=$(find_binary bash); then
    # shellcheck disable=SC2016 # for bash -c
    suicide='kill -USR2 $$; echo survived'
    run_recorded signal.plain "$bash" -c "$suicide"
    directory=$(new_snapshot_dir signal.none)
    run_recorded signal.none "${PRELOADED[@]}" MEMSNAP_DIR="$directory" MEMSNAP_SIGNAL=0 \
        "$bash" -c "$suicide"
    check "MEMSNAP_SIGNAL=0: SIGUSR2 ends the program as without the preload (status 140)" \
        eval 'expect_status signal.plain 140 && same_outcome signal.plain signal.none'
    directory=$(new_snapshot_dir signal.untraced)
    run_recorded signal.untraced "${PRELOADED[@]}" MEMSNAP_DIR="$directory" MEMSNAP_TRACE=0 \
        "$bash" -c "$suicide"
    check "MEMSNAP_TRACE=0: SIGUSR2 ends the program as without the preload (no handler installed)" \
        eval 'same_outcome signal.plain signal.untraced && no_snapshot "$directory"'

    directory=$(new_snapshot_dir signal.usr1)
    # shellcheck disable=SC2016 # for bash -c
    run_recorded signal.usr1 "${PRELOADED[@]}" MEMSNAP_DIR="$directory" MEMSNAP_SIGNAL=USR1 \
        "$bash" -c 'kill -USR1 $$; echo after'
    check "MEMSNAP_SIGNAL=USR1: SIGUSR1 writes a signal snapshot, the program goes on" \
        eval 'expect_status signal.usr1 0 && expect_output signal.usr1 after &&
              snapshot_files "$directory" | grep -q "/memsnap\.bash\.[0-9]*\.1\.signal\.json$" &&
              snapshots_valid "$directory"'
fi
if sleep_binary=$(find_binary sleep); then
    directory=$(new_snapshot_dir interval)
    run_recorded interval "${PRELOADED[@]}" MEMSNAP_DIR="$directory" MEMSNAP_INTERVAL=0.1 \
        "$sleep_binary" 0.75
    check "MEMSNAP_INTERVAL=0.1 over 0.75 s of sleep: at least 3 interval snapshots, numbered in order, then the exit snapshot" \
        eval 'expect_status interval 0 && snapshots_valid "$directory" &&
              [ "$(snapshot_files "$directory" | grep -c "\.interval\.json$")" -ge 3 ] &&
              [ "$(listing "$directory" | sed -nE "s/.*\.PID\.([0-9]+)\.exit\.json$/\1/p")" = \
                "$(snapshot_files "$directory" | wc -l)" ]'
fi

finish
