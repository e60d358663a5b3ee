# json_dict.py: a JSON and dict workload for python3 (PYTHONMALLOC=malloc), run
# with and without memsnap; every line it prints must be the same both ways.
import hashlib
import json

# Nested records of every JSON type, sizes spread over small and large blocks.
records = []
for i in range(20000):
    records.append({
        "id": i,
        "name": "item-%05d" % i,
        "tags": ["t%d" % (i % 7), "u%d" % (i % 13)] * (1 + i % 5),
        "score": (i * 37 % 1000) / 7.0,
        "active": i % 3 == 0,
        "parent": None if i % 11 else i // 11,
        "blob": "x" * (i % 700),
    })

text = json.dumps(records, sort_keys=True)
print("json length", len(text))
print("json sha256", hashlib.sha256(text.encode()).hexdigest())

decoded = json.loads(text)
print("round trip equal", decoded == records)

# Dicts that grow, shrink and get rebuilt.
index = {}
for record in decoded:
    for tag in record["tags"]:
        index.setdefault(tag, []).append(record["id"])
for tag in sorted(index):
    print("tag", tag, len(index[tag]), sum(index[tag]) % 100003)

counts = {}
for record in decoded:
    key = (record["active"], len(record["blob"]) // 100)
    counts[key] = counts.get(key, 0) + 1
for key in sorted(counts):
    print("bucket", key, counts[key])

for i in range(0, 20000, 2):
    del index["t%d" % (i % 7)][:1]
survivors = {tag: ids for tag, ids in index.items() if ids}
print("survivors", sorted((tag, len(ids)) for tag, ids in survivors.items()))

pretty = json.dumps({"summary": counts.__len__(), "nested": [{"k": k} for k in range(50)]},
                    indent=2)
print(pretty[:200])
