# threads_queue.py: four Python threads build dicts and feed a consumer
# thread through a queue (PYTHONMALLOC=malloc: objects are allocated and freed
# by different threads). Prints one total, the same with and without memsnap.
import json
import queue
import threading

results = queue.Queue()


def produce(factor):
    table = {}
    for i in range(30000):
        table[str(i * factor)] = [i] * (i % 10)
        if i % 3 == 0:
            results.put(json.dumps(table[str(i * factor)]))
    results.put(len(table))


consumed = 0


def consume():
    global consumed
    while True:
        item = results.get()
        if item is None:
            break
        consumed += len(str(item))


producers = [threading.Thread(target=produce, args=(factor,)) for factor in range(1, 5)]
consumer = threading.Thread(target=consume)
consumer.start()
for thread in producers:
    thread.start()
for thread in producers:
    thread.join()
results.put(None)
consumer.join()
print("consumed", consumed)
