"""snapshot_leaks.py SNAPSHOT...: the `leaks` objects of memsnap snapshots as
process records (tests/leaks/common.sh), one line per process and kind:

    PID PPID KIND BYTES BLOCKS GROUPS ROW_BYTES ROW_BLOCKS

BYTES and BLOCKS come from `leaks.summary`, GROUPS is the number of
`leaks.rows` of that kind and ROW_BYTES, ROW_BLOCKS what those rows add up
to. A snapshot that cannot be read, or has no `leaks` object, or one of the
wrong shape, gives "PID PPID missing REASON"; `"complete": false` adds a line
"PID PPID incomplete ...". Run with /usr/bin/python3 (the standard library
only).
"""
import json
import re
import sys

KINDS = ["definite", "indirect", "possible", "reachable", "ignored"]
CHECKED = KINDS[:4]


def records(path):
    match = re.search(r"\.(\d+)\.\d+\.[^./]*\.json$", path)
    pid, ppid = (match.group(1) if match else "0"), "0"
    try:
        with open(path, encoding="utf-8") as stream:
            document = json.load(stream)
        pid = str(document["process"]["pid"])
        ppid = str(document["process"]["ppid"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        return [f"{pid} {ppid} missing cannot read {path}: {error}"]
    leaks = document.get("leaks")
    if not isinstance(leaks, dict):
        return [f"{pid} {ppid} missing no `leaks` object in {path}"]
    try:
        if leaks["kinds"] != KINDS:
            return [f"{pid} {ppid} missing leaks.kinds is {leaks['kinds']!r}"]
        if leaks["columns"] != ["traceback", "kind", "size", "count"]:
            return [f"{pid} {ppid} missing leaks.columns is {leaks['columns']!r}"]
        groups = {kind: [0, 0, 0] for kind in KINDS}
        for row in leaks["rows"]:
            _traceback, kind, size, count = (int(field) for field in row.split(" "))
            group = groups[KINDS[kind]]
            group[0] += 1
            group[1] += size
            group[2] += count
        lines = []
        if leaks.get("complete") is not True:
            lines.append(f"{pid} {ppid} incomplete complete={leaks.get('complete')!r} "
                         f"threads={leaks.get('threads')!r}")
        for kind in CHECKED:
            summary = leaks["summary"][kind]
            count, size, blocks = groups[kind]
            lines.append(f"{pid} {ppid} {kind} {int(summary['size'])} {int(summary['count'])} "
                         f"{count} {size} {blocks}")
        return lines
    except (KeyError, TypeError, ValueError, IndexError) as error:
        return [f"{pid} {ppid} missing malformed `leaks` in {path}: {error!r}"]


def main():
    for path in sys.argv[1:]:
        for line in records(path):
            print(line)


if __name__ == "__main__":
    main()
