"""Deterministic benchmark data: a snapshot-like file and 768-d points as JSON Lines.

Both are generated once into the benchmark's work directory (never committed) and reused while
the parameters stay the same.

- The snapshot imitates what a Qdrant segment snapshot holds: per segment, a block of float32
  vectors (half with fp16 precision widened to fp32, as embeddings from half-precision models are,
  half full float32), an HNSW-like graph of uint32 neighbour ids with locality, and a block of
  JSON payloads. zstd -3 shrinks it by roughly 1.4-1.7x, like a real snapshot of dense vectors.
- The points are what the stand-in's scroll returns for a 768-d Cosine collection:
  `{"id":N,"payload":{...},"vector":[...]}` with unit-length float32 vectors printed in shortest
  form (orjson), one per line.
"""
import argparse
import os
import random

import numpy as np
import orjson

WORDS = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november "
         "oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu").split()
CATEGORIES = ["news", "science", "sports", "culture", "finance", "travel", "health", "tech"]


def payload(rnd, i):
    words = rnd.choices(WORDS, k=6)
    return {
        "title": " ".join(words),
        "category": CATEGORIES[i % len(CATEGORIES)],
        "year": 1990 + i % 35,
        "rating": round(rnd.random() * 5, 2),
        "tags": words[:3],
    }


def unit_vectors(rng, count, dim):
    v = rng.standard_normal((count, dim), dtype=np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    return v


def make_points(path, count, dim, seed=7):
    rng = np.random.default_rng(seed)
    rnd = random.Random(seed)
    tmp = path + ".tmp"
    with open(tmp, "wb") as out:
        for start in range(0, count, 1000):
            n = min(1000, count - start)
            vectors = unit_vectors(rng, n, dim)
            lines = [orjson.dumps({"id": start + k + 1, "payload": payload(rnd, start + k), "vector": vectors[k]},
                                  option=orjson.OPT_SERIALIZE_NUMPY) for k in range(n)]
            out.write(b"\n".join(lines) + b"\n")
    os.replace(tmp, path)


def make_snapshot(path, size, seed=11):
    rng = np.random.default_rng(seed)
    rnd = random.Random(seed)
    segment = 64 << 20
    tmp = path + ".tmp"
    written = 0
    point = 0
    with open(tmp, "wb") as out:
        while written < size:
            parts = []
            # ~65%: vectors; alternate fp16-precision and full fp32 segments.
            n = int(segment * 0.65) // (768 * 4)
            v = unit_vectors(rng, n, 768)
            if (written // segment) % 2 == 0:
                v = v.astype(np.float16).astype(np.float32)
            parts.append(v.tobytes())
            # ~15%: HNSW-like links: 16 neighbours per point, mostly near ids.
            links = (np.arange(n, dtype=np.int64)[:, None] + rng.integers(-2000, 2000, size=(n, 16))) % max(n, 1)
            parts.append(links.astype(np.uint32).tobytes())
            # ~20%: payload JSON.
            payload_bytes = int(segment * 0.20)
            chunk = bytearray()
            while len(chunk) < payload_bytes:
                chunk += orjson.dumps({"id": point, "payload": payload(rnd, point)}) + b"\n"
                point += 1
            parts.append(bytes(chunk))
            data = b"".join(parts)
            data = data[: size - written]
            out.write(data)
            written += len(data)
    os.replace(tmp, path)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", help="write COUNT points to this JSON Lines file")
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--dim", type=int, default=768)
    parser.add_argument("--snapshot", help="write a snapshot-like file of SIZE bytes")
    parser.add_argument("--size", type=int, default=1 << 30)
    args = parser.parse_args()
    if args.points:
        make_points(args.points, args.count, args.dim)
    if args.snapshot:
        make_snapshot(args.snapshot, args.size)


if __name__ == "__main__":
    main()
