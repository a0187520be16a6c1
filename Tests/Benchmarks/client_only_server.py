"""A client-only Qdrant for the benchmark: it speaks just the REST calls qdrant-backup and the
qdrant-client baseline (qdrant_client_baseline.py) make, and moves bytes as cheaply as it can, so
that the client is what is measured.

- Scroll pages are replayed from memory: the points of each collection are loaded once from a
  JSON Lines file (what the stand-in's scroll returns for them) and pages are joined on request
  (cached per offset and limit); ids-only pages and retrieves by id are joined from the same lines.
- Upserts are received in full, counted (one `"vector"` key per point) and dropped.
- Snapshots: creating one returns the description of a pre-generated file; downloads go through
  `socket.sendfile` (with Range); deleting one keeps the file; uploads are drained and counted.

- A second state of a collection (`--changes NAME=PERCENT`): that share of its points changed, a
  quarter each by payload, by vector, deleted and new; `POST /__bench/collections/NAME/changed`
  switches the replay to it, for incremental exports. Pages of that state are joined on each request
  (not cached), so a full and an incremental export of it cost the server the same.
- A collection that holds its points (`POST /__bench/collections/LOCAL/holds/NAME`, once the tool
  has imported NAME into LOCAL: it checks the count): its ids and lines are tracked, so that what
  `import DELTA --onto LOCAL` reads back is true. It answers the exact count, scrolls filtered by
  `has_id` (ids only, or whole points), deletes by ids, and takes upserts into what it holds.

Each connection has its own thread (HTTP/1.1 keep-alive). Not a general HTTP server: no TLS, no
auth, chunked request bodies only in their simplest form.

    python3 client_only_server.py --port-file F --points NAME=FILE[:COUNT] --snapshot NAME=FILE [--changes NAME=PERCENT]
"""
import argparse
import hashlib
import os
import re
import socket
import threading
import time
from urllib.parse import unquote, urlsplit, parse_qs

import orjson

VERSION = "1.15.1"


# Where a point object of an upsert opens, and its id.
POINT_OPENING = re.compile(rb'[\[,]\{"id":(-?\d+|"[^"\\]*")')

# The points a snapshot collection reports (its file holds no real points).
SNAPSHOT_POINTS = 1_000_000


class Collection:
    def __init__(self, name, dim=768):
        self.name = name
        self.dim = dim
        self.lines = []          # point JSON, one bytes object each
        self.ids = []            # id JSON text per point
        self.position = {}       # id JSON text -> index
        self.count = 0           # points "stored" (upserted, or loaded)
        self.pages = {}          # (start, limit) -> response body
        self.snapshot = None     # (path, size, sha256)
        self.snapshot_name = None
        self.lock = threading.Lock()
        self.changed = None      # (lines, ids) of the second state, when prepared
        self.cached = True
        self.held = None         # id JSON text -> point JSON, for a collection that holds its points
        self.unparsed = []       # upsert bodies into `held` whose points are not parsed yet

    def load_points(self, path, limit=None):
        with open(path, "rb") as f:
            for line in f:
                if limit is not None and len(self.lines) >= limit:
                    break
                line = line.rstrip(b"\n")
                # `{"id":N,...`: the id is the first value.
                id_text = line[6:line.index(b",", 6)]
                self.position[id_text] = len(self.lines)
                self.ids.append(id_text)
                self.lines.append(line)
        self.count = len(self.lines)

    def page(self, offset, limit, ids_only=False):
        """A scroll page. `ids_only` (neither payload nor vector asked for) gives `{"id":N}` per point:
        Qdrant's REST `Record` (lib/api/src/rest/schema.rs at v1.15.5) leaves out what was not asked for."""
        start = 0 if offset is None else self.position.get(offset, len(self.lines))
        key = (start, limit, ids_only)
        body = self.pages.get(key)
        if body is None:
            end = min(start + limit, len(self.lines))
            following = self.ids[end] if end < len(self.lines) else b"null"
            points = [b'{"id":' + i + b"}" for i in self.ids[start:end]] if ids_only else self.lines[start:end]
            body = scroll_body(points, following)
            if self.cached:
                self.pages[key] = body
        return body

    def retrieve(self, ids):
        """`POST /collections/{name}/points`: the points held, in the order asked, each once, as the
        same text a scroll page holds (lib/collection/src/collection/point_ops.rs `retrieve` at v1.15.5)."""
        seen = set()
        found = []
        for i in ids:
            at = self.position.get(orjson.dumps(i))
            if at is not None and at not in seen:
                seen.add(at)
                found.append(self.lines[at])
        return b'{"result":[' + b",".join(found) + b'],"status":"ok","time":0.0001}'

    def prepare_changes(self, percent):
        """The second state: every (100 / percent)-th point changes, in turn by payload only, by
        vector only (negated, still unit length), deleted, or copied under a new id after the last."""
        step = max(1, round(100 / percent))
        lines = list(self.lines)
        deleted = set()
        new = []
        next_id = max(int(i) for i in self.ids) + 1
        for n, index in enumerate(range(0, len(lines), step)):
            point = orjson.loads(lines[index])
            kind = n % 4
            if kind == 0:
                point["payload"]["changed"] = True
                lines[index] = orjson.dumps(point)
            elif kind == 1:
                point["vector"] = [-v for v in point["vector"]]
                lines[index] = orjson.dumps(point)
            elif kind == 2:
                deleted.add(index)
            else:
                point["id"] = next_id
                next_id += 1
                new.append(orjson.dumps(point))
        lines = [line for index, line in enumerate(lines) if index not in deleted] + new
        self.changed = (lines, [line[6:line.index(b",", 6)] for line in lines])

    def switch_to_changed(self):
        lines, ids = self.changed
        with self.lock:
            self.lines, self.ids = lines, ids
            self.position = {i: n for n, i in enumerate(ids)}
            self.count = len(lines)
            self.pages = {}
            self.cached = False

    def hold(self, source):
        """Holds `source`'s points as they are now (the tool imported them here)."""
        if self.count != len(source.lines):
            return f"{self.name} received {self.count} points, not the {len(source.lines)} of {source.name}"
        self.held = dict(zip(source.ids, source.lines))
        self.unparsed = []
        self.count = len(self.held)
        return None

    def filtered_page(self, request):
        """A scroll page of the held points (or the replayed ones) whose ids the `has_id` filter
        lists, in id order from `offset` (ScrollResult in lib/collection/src/operations/types.rs at
        v1.15.5). Points without payload and vector are `{"id":N}`: Record in
        lib/api/src/rest/schema.rs skips the fields it was not asked for."""
        try:
            (condition,) = request["filter"]["must"]
            wanted = condition["has_id"]
        except (KeyError, TypeError, ValueError):
            return None
        whole = request.get("with_payload") is not False
        if whole != (request.get("with_vector") is not False):
            return None
        limit = int(request.get("limit") or 10)
        offset = request.get("offset")
        ids = sorted({i for i in wanted if offset is None or i >= offset})
        points, following = [], b"null"
        for i in ids:
            line = self.line(orjson.dumps(i))
            if line is None:
                continue
            if len(points) == limit:
                following = orjson.dumps(i)
                break
            points.append(line if whole else b'{"id":' + orjson.dumps(i) + b"}")
        return scroll_body(points, following)

    def take_upsert(self, data):
        """Records the ids of an upsert's points at once (the count depends on them) and keeps the
        body to be parsed when a point is asked for: parsing 1,000 768-d points costs this server
        about 0.2 s, which would be counted against the client. An id is found where a point object
        opens (`[{"id":` or `,{"id":`, which cannot occur inside a vector); when that finds another
        number of points than there are `"vector"` keys, the body is parsed instead."""
        ids = POINT_OPENING.findall(data)
        if len(ids) != data.count(b'"vector"'):
            ids = [orjson.dumps(point["id"]) for point in orjson.loads(data)["points"]]
        with self.lock:
            for i in ids:
                self.held[i] = None
            self.unparsed.append(data)
            self.count = len(self.held)
        return len(ids)

    def absorb(self):
        """Parses the upserts kept unparsed into `held` (called with the lock held), in Qdrant's
        order of a Record's fields (id, payload, vector), as a scroll gives them back."""
        for data in self.unparsed:
            for point in orjson.loads(data)["points"]:
                self.held[orjson.dumps(point["id"])] = orjson.dumps(
                    {"id": point["id"], "payload": point.get("payload") or {}, "vector": point["vector"]})
        self.unparsed = []

    def line(self, id_text):
        if self.held is not None:
            with self.lock:
                self.absorb()
                return self.held.get(id_text)
        index = self.position.get(id_text)
        return None if index is None else self.lines[index]

    def info(self):
        return {
            "status": "green", "optimizer_status": "ok", "indexed_vectors_count": 0,
            "points_count": self.count, "segments_count": 1,
            "config": {
                "params": {"vectors": {"size": self.dim, "distance": "Cosine"}, "shard_number": 1,
                           "replication_factor": 1, "write_consistency_factor": 1, "on_disk_payload": True},
                "hnsw_config": {"m": 16, "ef_construct": 100, "full_scan_threshold": 10000,
                                "max_indexing_threads": 0, "on_disk": False},
                "optimizer_config": {"deleted_threshold": 0.2, "vacuum_min_vector_number": 1000,
                                     "default_segment_number": 0, "max_segment_size": None,
                                     "memmap_threshold": None, "indexing_threshold": 10000,
                                     "flush_interval_sec": 5, "max_optimization_threads": None},
                "wal_config": {"wal_capacity_mb": 32, "wal_segments_ahead": 0},
                "quantization_config": None, "strict_mode_config": {"enabled": False},
            },
            "payload_schema": {},
        }

    def snapshot_description(self):
        path, size, checksum = self.snapshot
        return {"name": self.snapshot_name, "creation_time": "2026-01-01T00:00:00", "size": size,
                "checksum": checksum}


def scroll_body(lines, following):
    return (b'{"result":{"points":[' + b",".join(lines) + b'],"next_page_offset":' + following
            + b'},"status":"ok","time":0.0001}')


class State:
    def __init__(self):
        self.collections = {}
        self.lock = threading.Lock()
        self.upserted_points = 0
        self.upserted_bytes = 0
        self.uploaded_bytes = 0

    def get(self, name):
        return self.collections.get(name)


class Request:
    __slots__ = ("method", "path", "query", "headers")


class Connection:
    """One client connection: parses requests, answers them, keeps the connection alive."""

    def __init__(self, sock, state):
        self.sock = sock
        self.state = state
        self.buffer = bytearray()

    def serve(self):
        try:
            while True:
                request = self.read_head()
                if request is None:
                    return
                self.handle(request)
        except (ConnectionError, OSError):
            pass
        finally:
            try:
                self.sock.close()
            except OSError:
                pass

    def read_head(self):
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end >= 0:
                break
            chunk = self.sock.recv(65536)
            if not chunk:
                return None
            self.buffer += chunk
        head = bytes(self.buffer[:end]).decode("latin-1")
        del self.buffer[:end + 4]
        lines = head.split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        request = Request()
        request.method = method
        parts = urlsplit(target)
        request.path = [unquote(p) for p in parts.path.strip("/").split("/")] if parts.path.strip("/") else []
        request.query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        request.headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            request.headers[name.strip().lower()] = value.strip()
        if request.headers.get("expect", "").lower() == "100-continue":
            # As Qdrant (actix) does; curl otherwise waits a second before sending a large body.
            self.sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        return request

    def body_length(self, request):
        if request.headers.get("transfer-encoding", "").lower() == "chunked":
            return None
        return int(request.headers.get("content-length", "0"))

    def read_body(self, request):
        """The whole body (requests with small or counted bodies)."""
        length = self.body_length(request)
        if length is None:
            return self.read_chunked()
        body = bytearray(length)
        view = memoryview(body)
        have = min(len(self.buffer), length)
        view[:have] = self.buffer[:have]
        del self.buffer[:have]
        while have < length:
            got = self.sock.recv_into(view[have:], length - have)
            if got == 0:
                raise ConnectionError("body cut short")
            have += got
        return body

    def drain_body(self, request):
        """Reads and drops the body; returns its length."""
        length = self.body_length(request)
        if length is None:
            return len(self.read_chunked())
        have = min(len(self.buffer), length)
        del self.buffer[:have]
        scratch = bytearray(4 << 20)
        view = memoryview(scratch)
        while have < length:
            got = self.sock.recv_into(view, min(len(scratch), length - have))
            if got == 0:
                raise ConnectionError("body cut short")
            have += got
        return length

    def read_chunked(self):
        body = bytearray()
        while True:
            while b"\r\n" not in self.buffer:
                self.buffer += self.sock.recv(65536)
            line, _, rest = bytes(self.buffer).partition(b"\r\n")
            self.buffer = bytearray(rest)
            size = int(line.split(b";")[0], 16)
            while len(self.buffer) < size + 2:
                chunk = self.sock.recv(max(65536, size + 2 - len(self.buffer)))
                if not chunk:
                    raise ConnectionError("chunked body cut short")
                self.buffer += chunk
            body += self.buffer[:size]
            del self.buffer[:size + 2]
            if size == 0:
                return body

    def send(self, status, body=b"", content_type="application/json", extra=b""):
        reason = {200: b"OK", 206: b"Partial Content", 404: b"Not Found", 409: b"Conflict",
                  400: b"Bad Request"}.get(status, b"OK")
        head = (b"HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n%s\r\n"
                % (status, reason, content_type.encode(), len(body), extra))
        if len(body) < 65536:
            self.sock.sendall(head + body)
        else:
            self.sock.sendall(head)
            self.sock.sendall(body)

    def ok(self, result):
        self.send(200, orjson.dumps({"result": result, "status": "ok", "time": 0.0001}))

    def error(self, status, message):
        self.send(status, orjson.dumps({"status": {"error": message}, "time": 0.0001}))

    def missing(self, name):
        self.error(404, f"Not found: Collection `{name}` doesn't exist!")

    def handle(self, r):
        state = self.state
        p = r.path
        m = r.method
        if m in ("PUT", "POST", "PATCH", "DELETE") and not (len(p) >= 4 and p[2] == "snapshots" and p[3] == "upload") \
                and not (len(p) == 3 and p[2] == "points" and m == "PUT"):
            body = self.read_body(r)
        else:
            body = None
        if not p:
            return self.send(200, orjson.dumps({"title": "qdrant - vector search engine", "version": VERSION,
                                                "commit": "benchmark-client-only"}))
        if p == ["cluster"]:
            return self.ok({"status": "disabled"})
        if p == ["aliases"]:
            return self.ok({"aliases": []})
        if p[:2] == ["__bench", "collections"]:
            return self.control(p[2:])
        if p == ["collections"] and m == "GET":
            return self.ok({"collections": [{"name": n} for n in sorted(state.collections)]})
        if p[0] != "collections" or len(p) < 2:
            return self.send(404)
        if p[1] == "aliases":
            return self.ok(True)
        name = p[1]
        c = state.get(name)
        rest = p[2:]
        if not rest:
            if m == "GET":
                return self.ok(c.info()) if c else self.missing(name)
            if m == "PUT":
                if c:
                    return self.error(409, f"Wrong input: Collection `{name}` already exists!")
                created = Collection(name)
                try:
                    created.dim = orjson.loads(body)["vectors"]["size"]
                except (KeyError, TypeError, orjson.JSONDecodeError):
                    pass
                state.collections[name] = created
                return self.ok(True)
            if m == "PATCH":
                return self.ok(True) if c else self.missing(name)
            if m == "DELETE":
                existed = state.collections.pop(name, None) is not None
                return self.ok(existed)
        if rest == ["exists"]:
            return self.ok({"exists": c is not None})
        if c is None and rest[:2] == ["snapshots", "upload"]:
            # Qdrant creates the collection a snapshot is uploaded into, holding the snapshot's
            # points: the count every snapshot collection here reports, which the import checks.
            c = state.collections.setdefault(name, Collection(name))
            c.count = SNAPSHOT_POINTS
        if c is None:
            if rest == ["points"]:
                self.drain_body(r)
            return self.missing(name)
        if rest == ["aliases"]:
            return self.ok({"aliases": []})
        if rest == ["cluster"]:
            return self.ok({"peer_id": 1, "shard_count": 1, "local_shards": [
                {"shard_id": 0, "points_count": c.count, "state": "Active"}], "remote_shards": [],
                "shard_transfers": []})
        if rest == ["index"]:
            return self.ok({"operation_id": 0, "status": "completed"})
        if rest == ["points"] and m == "PUT" and c.held is not None:
            data = self.read_body(r)
            upserted = c.take_upsert(bytes(data))
            with state.lock:
                state.upserted_points += upserted
                state.upserted_bytes += len(data)
            return self.ok({"operation_id": 0, "status": "completed"})
        if rest == ["points", "delete"] and m == "POST":
            # A PointsSelector of ids; ids not held are passed over, as Qdrant does (delete_points in
            # src/actix/api/update_api.rs, lib/shard/src/update.rs at v1.15.5).
            if c.held is None:
                return self.error(400, "Bad request: this benchmark server deletes points only from a collection that holds them")
            ids = orjson.loads(body).get("points")
            if not isinstance(ids, list):
                return self.error(400, "Bad request: this benchmark server deletes points by ids only")
            with c.lock:
                c.absorb()
                for i in ids:
                    c.held.pop(orjson.dumps(i), None)
                c.count = len(c.held)
            return self.ok({"operation_id": 0, "status": "completed"})
        if rest == ["points"] and m == "PUT":
            data = self.read_body(r)
            points = data.count(b'"vector"')
            with c.lock:
                c.count += points
            with state.lock:
                state.upserted_points += points
                state.upserted_bytes += len(data)
            return self.ok({"operation_id": 0, "status": "completed"})
        if rest == ["points", "scroll"]:
            request = orjson.loads(body) if body else {}
            if request.get("filter") is not None:
                page = c.filtered_page(request)
                if page is None:
                    return self.error(400, "Bad request: this benchmark server filters a scroll by has_id only, for whole points or ids only")
                return self.send(200, page)
            if c.held is not None:
                return self.error(400, "Bad request: this benchmark server scrolls a collection it holds by has_id only")
            offset = request.get("offset")
            offset_text = None if offset is None else orjson.dumps(offset)
            ids_only = request.get("with_payload") is False and request.get("with_vector") is False
            return self.send(200, c.page(offset_text, int(request.get("limit") or 10), ids_only))
        if rest == ["points"] and m == "POST":
            return self.send(200, c.retrieve(orjson.loads(body)["ids"]))
        if rest == ["points", "count"]:
            return self.ok({"count": c.count})
        if rest == ["snapshots"] and m == "GET":
            return self.ok([c.snapshot_description()] if c.snapshot else [])
        if rest == ["snapshots"] and m == "POST":
            if not c.snapshot:
                return self.error(400, "Bad request: this benchmark collection has no snapshot file")
            return self.ok(c.snapshot_description())
        if rest[:2] == ["snapshots", "upload"]:
            received = self.drain_body(r)
            with state.lock:
                state.uploaded_bytes += received
            return self.ok(True)
        if len(rest) == 2 and rest[0] == "snapshots":
            if m == "DELETE":
                return self.ok(True)
            if m == "GET" and c.snapshot:
                return self.send_snapshot(r, c)
        return self.send(404)

    def control(self, p):
        """The benchmark's own calls (not Qdrant's API): switch a collection to its second state, or
        have a collection hold the points the tool imported into it."""
        state = self.state
        if len(p) == 2 and p[1] == "changed":
            c = state.get(p[0])
            if c is None or c.changed is None:
                return self.error(404, f"no second state of {p[0]}: start the server with --changes")
            c.switch_to_changed()
            return self.ok(c.count)
        if len(p) == 3 and p[1] == "holds":
            local, source = state.get(p[0]), state.get(p[2])
            if local is None or source is None:
                return self.error(404, f"no collection {p[0]} or {p[2]}")
            refused = local.hold(source)
            return self.error(409, refused) if refused else self.ok(local.count)
        return self.send(404)

    def send_snapshot(self, r, c):
        path, size, _ = c.snapshot
        start = 0
        status = 200
        extra = b""
        ranged = r.headers.get("range", "")
        if ranged.startswith("bytes=") and ranged[6:].endswith("-"):
            start = int(ranged[6:-1])
            status = 206
            extra = b"Content-Range: bytes %d-%d/%d\r\n" % (start, size - 1, size)
        count = size - start
        self.sock.sendall(b"HTTP/1.1 %d OK\r\nContent-Type: application/octet-stream\r\nContent-Length: %d\r\n%s\r\n"
                          % (status, count, extra))
        with open(path, "rb") as f:
            self.sock.sendfile(f, start, count)


def sha256_of(path):
    cached = path + ".sha256"
    if os.path.exists(cached) and os.path.getmtime(cached) >= os.path.getmtime(path):
        return open(cached).read().strip()
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(8 << 20):
            digest.update(chunk)
    value = digest.hexdigest()
    with open(cached, "w") as f:
        f.write(value)
    return value


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file")
    parser.add_argument("--points", action="append", default=[], help="NAME=FILE[:COUNT]")
    parser.add_argument("--snapshot", action="append", default=[], help="NAME=FILE")
    parser.add_argument("--changes", action="append", default=[], help="NAME=PERCENT: a second state of NAME")
    args = parser.parse_args()

    state = State()
    for spec in args.points:
        name, _, source = spec.partition("=")
        path, _, count = source.partition(":")
        c = state.collections.setdefault(name, Collection(name))
        c.load_points(path, int(count) if count else None)
    for spec in args.changes:
        name, _, percent = spec.partition("=")
        state.collections[name].prepare_changes(float(percent))
    for spec in args.snapshot:
        name, _, path = spec.partition("=")
        c = state.collections.setdefault(name, Collection(name))
        c.snapshot = (path, os.path.getsize(path), sha256_of(path))
        c.snapshot_name = f"{name}-benchmark.snapshot"
        c.count = c.count or SNAPSHOT_POINTS

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((args.host, args.port))
    listener.listen(64)
    port = listener.getsockname()[1]
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write(str(port))
        os.replace(args.port_file + ".tmp", args.port_file)
    print(f"listening on http://{args.host}:{port}", flush=True)
    while True:
        sock, _ = listener.accept()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=Connection(sock, state).serve, daemon=True).start()


if __name__ == "__main__":
    main()
