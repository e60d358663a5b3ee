# python_json.py: workload 4 of `make bench`, a Python program that allocates
# a lot, for the tracing-overhead rows (bench/trace.sh).
#
#   /usr/bin/python3 bench/python_json.py [rounds]      default: 4 rounds
#
# Run with PYTHONMALLOC=malloc, every Python object comes from malloc, so the
# script stands for the interpreters memsnap is meant to trace. Each round
# builds 20,000 small nested records, turns them into JSON text and back, and
# groups the decoded ids by tag in a dict of lists: with 4 rounds, about 6
# million calls to malloc, calloc and realloc (heaptrack's count), about 1.2 s
# with glibc on the 2-core bench machine.
#
# Prints one line in the format of bench/bench.h,
#
#   result checksum=<n> end=<t> objects=<a>,<b>,...
#
# checksum: lengths summed over the rounds, the same in every run (so a run
# that went wrong shows); end: time.time() after the last round, so that the
# driver can tell how long the process took to finish after its work (for
# heaptrack, the wait for its interpreter); objects: the file names of the
# shared objects mapped, so the driver can check that the preload took (see
# mapped_objects). That runs after the work and costs the same in every run.
import json
import os
import sys
import time


def one_round(count):
    records = [
        {
            "id": i,
            "name": "item-%d" % i,
            "tags": ["a%d" % (i % 7), "b%d" % (i % 5)],
            "score": i / 7.0,
            "nested": {"k": i, "v": [i, i + 1]},
        }
        for i in range(count)
    ]
    text = json.dumps(records)
    decoded = json.loads(text)
    by_tag = {}
    for record in decoded:
        for tag in record["tags"]:
            by_tag.setdefault(tag, []).append(record["id"])
    return len(text) + sum(len(ids) for ids in by_tag.values())


def mapped_objects():
    # Not bench.h's dladdr(dlsym(RTLD_DEFAULT, "malloc")): /usr/bin/python3
    # is not position-independent, so that address is a stub inside python3
    # itself, and asking from Python needs ctypes, whose callbacks crash under
    # memsnap's default 8-byte spacing (they assume 16-byte aligned blocks).
    # Nor LD_PRELOAD: heaptrack takes itself out of it once loaded.
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if ".so" in line}
    return ",".join(sorted(os.path.basename(path) for path in paths))


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    checksum = sum(one_round(20000) for _ in range(rounds))
    end = time.time()
    print("result checksum=%d end=%.6f objects=%s" % (checksum, end, mapped_objects()))


main()
