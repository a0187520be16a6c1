"""The baseline of the points path: the official qdrant-client, single-threaded, as a plain
script would use it to copy a collection through JSON-lines files.

    qdrant_client_baseline.py export URL COLLECTION DIR   scroll pages of 1000 into DIR/page-NNNNN.jsonl
    qdrant_client_baseline.py import URL COLLECTION DIR   recreate COLLECTION, upsert each file's points (1000 a request)

One thread, one request at a time, pages and batches of 1000 points (the tool's defaults), so that
the ratio in the benchmark table measures what the tool adds over the straightforward client.
Prints one JSON line: {"points": N, "bytes": JSON bytes written or read}.
"""
import glob
import json
import os
import sys

from qdrant_client import QdrantClient, models

BATCH = 1000


def client(url):
    return QdrantClient(url=url, timeout=600, check_compatibility=False)


def export(url, collection, directory):
    qdrant = client(url)
    os.makedirs(directory, exist_ok=True)
    offset = None
    page = 0
    points = 0
    written = 0
    while True:
        records, offset = qdrant.scroll(collection, limit=BATCH, offset=offset, with_payload=True, with_vectors=True)
        with open(os.path.join(directory, f"page-{page:05d}.jsonl"), "w") as out:
            for record in records:
                line = json.dumps({"id": record.id, "vector": record.vector, "payload": record.payload}) + "\n"
                out.write(line)
                written += len(line)
        points += len(records)
        page += 1
        if offset is None:
            break
    print(json.dumps({"points": points, "bytes": written}))


def import_(url, collection, directory):
    qdrant = client(url)
    files = sorted(glob.glob(os.path.join(directory, "page-*.jsonl")))
    first = json.loads(open(files[0]).readline())
    if qdrant.collection_exists(collection):
        qdrant.delete_collection(collection)
    qdrant.create_collection(collection, vectors_config=models.VectorParams(
        size=len(first["vector"]), distance=models.Distance.COSINE))
    points = 0
    read = 0
    for path in files:
        batch = []
        with open(path) as f:
            for line in f:
                read += len(line)
                p = json.loads(line)
                batch.append(models.PointStruct(id=p["id"], vector=p["vector"], payload=p["payload"]))
        for start in range(0, len(batch), BATCH):
            qdrant.upsert(collection, points=batch[start:start + BATCH], wait=True)
        points += len(batch)
    print(json.dumps({"points": points, "bytes": read}))


if __name__ == "__main__":
    command, url, collection, directory = sys.argv[1:5]
    {"export": export, "import": import_}[command](url, collection, directory)
