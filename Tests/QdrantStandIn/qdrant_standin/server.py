"""The HTTP server: routing, envelopes, auth and faults around the store and snapshots."""

import hashlib
import os
import re
import sys
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import orjson

from . import convert
from .auth import Access, ApiKeys, Unauthorized
from .cluster import ClusterLayout
from .cluster import REPLICA_STATES
from .errors import (ApiError, ConnectionAborted, bad_input, bad_request, checksum_mismatch, forbidden,
                     json_error, json_too_large)
from .faults import FaultSet, Stats
from .snapshots import CHUNK, Snapshots, file_sha256, hashes_equal, valid_checksum_param
from .store import Store
from .transport import BodyReader, ResponseWriter

# Qdrant v1.15.5 config/config.yaml `service.max_request_size_mb: 32`, applied by src/actix/mod.rs to
# every JSON body (actix_web_validator::JsonConfig.limit); multipart uploads have no limit
# (MultipartFormConfig total_limit usize::MAX).
JSON_LIMIT = 32 * 1024 * 1024
JSON_OPTS = orjson.OPT_SERIALIZE_NUMPY
_STRING_OR_EXP = re.compile(rb'"(?:[^"\\]|\\.)*"|e\+')


def dumps(value) -> bytes:
    """JSON as Qdrant's serde_json writes it. orjson and serde_json (ryu) print floats alike (shortest
    round trip, `2.0`, `-0.0`, `1e16` past 15 digits) except that orjson writes a positive exponent
    as `e+300` where ryu writes `e300`."""
    data = orjson.dumps(value, option=JSON_OPTS)
    if b"e+" in data:
        data = _STRING_OR_EXP.sub(lambda m: m.group(0) if m.group(0)[:1] == b'"' else b"e", data)
    return data


class Response:
    def __init__(self, status=200, body=b"", content_type="application/json", headers=None, file=None,
                 chunked=False):
        self.status = status
        self.body = body
        self.content_type = content_type
        self.headers = headers or {}
        self.file = file  # (path, start, length) streamed from disk
        self.chunked = chunked  # Transfer-Encoding: chunked instead of Content-Length


def envelope(result, started: float, status: int = 200) -> Response:
    return Response(status, dumps({"result": result, "status": "ok", "time": time.perf_counter() - started}))


def accepted(started: float) -> Response:
    return Response(202, orjson.dumps({"status": "accepted", "time": time.perf_counter() - started}))


def error_response(err: ApiError, started: float) -> Response:
    body = orjson.dumps({"status": {"error": err.message}, "time": time.perf_counter() - started})
    return Response(err.http_status, body, headers=dict(err.headers))


def text(body: str, status: int = 200) -> Response:
    return Response(status, body.encode(), content_type="text/plain; charset=utf-8")


def _bool_query(query: dict, key: str, default: bool) -> bool:
    v = query.get(key)
    if v is None:
        return default
    if v.lower() in ("true", "1"):
        return True
    if v.lower() in ("false", "0"):
        return False
    raise ApiError(400, f"Deserialize error in query parameters: provided string was not `true` or `false`")


# ---------------------------------------------------------------- routes

ROUTES = []  # (method, compiled regex, route template, read_only, handler)


def route(method: str, template: str, read_only: bool):
    pattern = "^" + re.sub(r"\{[a-z_]+\}", "([^/]+)", template) + "$"

    def deco(fn):
        ROUTES.append((method, re.compile(pattern), template, read_only, fn))
        return fn
    return deco


def match_route(method: str, path: str):
    for m, rx, template, read_only, fn in ROUTES:
        if m != method:
            continue
        mo = rx.match(path)
        if mo:
            return fn, template, read_only, [urllib.parse.unquote(g) for g in mo.groups()]
    return None


class Request:
    def __init__(self, handler, app, params, query, body: BodyReader, started):
        self.handler = handler
        self.app = app
        self.params = params
        self.query = query
        self.body = body
        self.started = started

    def json(self, required=True):
        declared = self.body.declared_length
        if declared is not None and declared > JSON_LIMIT:
            # actix-web 4.11 JsonBody::limit: a Content-Length over the limit fails before reading.
            self.handler.close_connection = True
            raise json_too_large(declared, JSON_LIMIT)
        try:
            raw = self.body.read_all(JSON_LIMIT)
        except ApiError as e:
            if e.http_status == 413:
                self.handler.close_connection = True
                raise json_too_large(None, JSON_LIMIT) from None
            raise
        if not raw.strip():
            if required:
                raise json_error("EOF while parsing a value at line 1 column 0")
            return None
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError as e:
            raise json_error(str(e)) from None

    def timeout(self):
        """The `timeout` query parameter (seconds) of read requests, for strict mode's max_timeout."""
        value = self.query.get("timeout")
        if value is None:
            return None
        try:
            return int(value)
        except ValueError:
            raise ApiError(400, f"Deserialize error in query parameters: invalid digit found in string") from None

    def ok(self, result, status=200):
        return envelope(result, self.started, status)


@route("GET", "/", True)
def r_root(req):
    # Qdrant v1.15.5 src/actix/mod.rs index: VersionInfo {title, version, commit (a 40-hex git hash)}.
    commit = hashlib.sha1(f"qdrant-standin {req.app.version}".encode()).hexdigest()
    return Response(200, orjson.dumps({"title": "qdrant - vector search engine", "version": req.app.version,
                                       "commit": commit}))


@route("GET", "/healthz", True)
def r_healthz(req):
    return text("healthz check passed")


@route("GET", "/livez", True)
def r_livez(req):
    # Qdrant v1.15.5 src/actix/api/service_api.rs: /livez answers kubernetes_healthz() too.
    return text("healthz check passed")


@route("GET", "/readyz", True)
def r_readyz(req):
    return text("all shards are ready")


@route("GET", "/telemetry", True)
def r_telemetry(req):
    store = req.app.store
    return req.ok({"id": str(req.app.peer_id), "app": {"name": "qdrant", "version": req.app.version},
                   "collections": {"number_of_collections": len(store.names())}})


@route("GET", "/cluster", True)
def r_cluster(req):
    return req.ok(req.app.cluster.status())


@route("GET", "/collections", True)
def r_list(req):
    return req.ok({"collections": [{"name": n} for n in req.app.store.names()]})


@route("GET", "/aliases", True)
def r_aliases(req):
    return req.ok({"aliases": req.app.store.list_aliases()})


@route("POST", "/collections/aliases", False)
def r_update_aliases(req):
    req.app.store.update_aliases(req.json())
    return req.ok(True)


@route("GET", "/collections/{collection_name}", True)
def r_info(req):
    return req.ok(req.app.store.get(req.params[0]).info())


@route("PUT", "/collections/{collection_name}", False)
def r_create(req):
    body = req.json(required=False) or {}
    req.app.store.create(req.params[0], body)
    return req.ok(True)


@route("PATCH", "/collections/{collection_name}", False)
def r_update(req):
    body = req.json(required=False) or {}
    req.app.store.get(req.params[0]).update_config(body)
    return req.ok(True)


@route("DELETE", "/collections/{collection_name}", False)
def r_delete(req):
    return req.ok(req.app.store.delete(req.params[0]))


@route("GET", "/collections/{collection_name}/exists", True)
def r_exists(req):
    return req.ok({"exists": req.app.store.exists(req.params[0])})


@route("GET", "/collections/{collection_name}/aliases", True)
def r_collection_aliases(req):
    c = req.app.store.get(req.params[0])
    return req.ok({"aliases": req.app.store.list_aliases(c.name)})


@route("GET", "/collections/{collection_name}/cluster", True)
def r_collection_cluster(req):
    c = req.app.store.get(req.params[0])
    return req.ok(req.app.cluster.collection_info(c))


def _shard_key_body(req) -> dict:
    body = req.json()
    if not isinstance(body, dict) or "shard_key" not in body:
        raise json_error("missing field `shard_key`")
    # Qdrant v1.15.5 src/common/collections.rs do_update_collection_cluster: after the body is parsed
    # and before the collection is looked up, a node without consensus answers
    # StorageError::BadRequest "Distributed mode disabled" (400 "Bad request: Distributed mode disabled").
    if not req.app.cluster.enabled:
        raise bad_request("Distributed mode disabled")
    return body


@route("PUT", "/collections/{collection_name}/shards", False)
def r_create_shard_key(req):
    body = _shard_key_body(req)
    req.app.store.get(req.params[0]).create_shard_key(body)
    return req.ok(True)


@route("POST", "/collections/{collection_name}/shards/delete", False)
def r_drop_shard_key(req):
    body = _shard_key_body(req)
    req.app.store.get(req.params[0]).drop_shard_key(body)
    return req.ok(True)


def _update_result(req, op_id):
    wait = _bool_query(req.query, "wait", False)
    return req.ok({"operation_id": op_id, "status": "completed" if wait else "acknowledged"})


@route("PUT", "/collections/{collection_name}/index", False)
def r_create_index(req):
    c = req.app.store.get(req.params[0])
    return _update_result(req, c.create_index(req.json()))


@route("DELETE", "/collections/{collection_name}/index/{field_name}", False)
def r_delete_index(req):
    c = req.app.store.get(req.params[0])
    return _update_result(req, c.delete_index(req.params[1]))


@route("PUT", "/collections/{collection_name}/points", False)
def r_upsert(req):
    c = req.app.store.get(req.params[0])
    return _update_result(req, c.upsert(req.json()))


@route("POST", "/collections/{collection_name}/points/delete", False)
def r_delete_points(req):
    c = req.app.store.get(req.params[0])
    return _update_result(req, c.delete_points(req.json()))


@route("POST", "/collections/{collection_name}/points", True)
def r_retrieve(req):
    c = req.app.store.get(req.params[0])
    body = req.json()
    if not isinstance(body, dict) or not isinstance(body.get("ids"), list):
        raise json_error("missing field `ids`")
    ids = [convert.parse_point_id(i) for i in body["ids"]]
    return req.ok(c.retrieve(ids, body.get("with_payload"), body.get("with_vector", body.get("with_vectors")),
                             timeout=req.timeout(), shard_key=body.get("shard_key")))


@route("GET", "/collections/{collection_name}/points/{id}", True)
def r_get_point(req):
    c = req.app.store.get(req.params[0])
    pid = convert.parse_path_point_id(req.params[1])
    found = c.retrieve([pid], True, True, timeout=req.timeout())
    if not found:
        raise ApiError(404, f"Not found: No point with id {convert.point_id_out(pid)} found")
    return req.ok(found[0])


@route("POST", "/collections/{collection_name}/points/scroll", True)
def r_scroll(req):
    c = req.app.store.get(req.params[0])
    return req.ok(c.scroll(req.json(required=False), timeout=req.timeout()))


@route("POST", "/collections/{collection_name}/points/count", True)
def r_count(req):
    c = req.app.store.get(req.params[0])
    return req.ok({"count": c.count(req.json(required=False), timeout=req.timeout())})


# ---------------------------------------------------------------- snapshots

SNAPSHOT_WRITE_ROUTES = {"/collections/{collection_name}/snapshots",
                         "/collections/{collection_name}/snapshots/upload",
                         "/collections/{collection_name}/snapshots/{snapshot_name}"}


def _in_background(fn):
    def run():
        try:
            fn()
        except Exception as e:
            print(f"qdrant-standin: background task failed: {e}", file=sys.stderr, flush=True)
    threading.Thread(target=run, daemon=True).start()


@route("GET", "/collections/{collection_name}/snapshots", True)
def r_list_snapshots(req):
    return req.ok(req.app.snapshots.list(req.params[0]))


@route("POST", "/collections/{collection_name}/snapshots", False)
def r_create_snapshot(req):
    snapshots = req.app.snapshots
    name = req.params[0]
    if not _bool_query(req.query, "wait", True):
        req.app.store.get(name)
        _in_background(lambda: snapshots.create(name))
        return accepted(req.started)
    return req.ok(snapshots.create(name))


@route("GET", "/collections/{collection_name}/snapshots/{snapshot_name}", True)
def r_download_snapshot(req):
    path = req.app.snapshots.path(req.params[0], req.params[1])
    size = os.path.getsize(path)
    if req.app.snapshots.s3:
        # Qdrant v1.15.5 lib/collection/src/common/snapshot_stream.rs: an S3 snapshot is a
        # SnapshotStream::ByteStream answered 200 application/octet-stream with a streaming (chunked)
        # body and no Content-Disposition (filename None in SnapshotStorageCloud::get_snapshot_stream);
        # no Range support, a Range header is ignored.
        return Response(200, content_type="application/octet-stream", file=(path, 0, size), chunked=True)
    # Local: actix-files NamedFile (Range -> 206, Content-Disposition attachment).
    headers = {"Accept-Ranges": "bytes",
               "Content-Disposition": f'attachment; filename="{os.path.basename(path)}"'}
    rng = req.handler.headers.get("Range")
    if rng:
        parsed = _parse_range(rng, size)
        if parsed is None:
            headers["Content-Range"] = f"bytes */{size}"
            return Response(416, b"", content_type="text/plain; charset=utf-8", headers=headers)
        start, end = parsed
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        return Response(206, content_type="application/octet-stream", headers=headers,
                        file=(path, start, end - start + 1))
    return Response(200, content_type="application/octet-stream", headers=headers, file=(path, 0, size))


def _parse_range(value: str, size: int):
    """A single `bytes=` range to (start, end) inclusive; None when unsatisfiable."""
    m = re.fullmatch(r"\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*", value)
    if not m or (m.group(1) == "" and m.group(2) == ""):
        return None
    if m.group(1) == "":
        n = int(m.group(2))
        if n == 0 or size == 0:
            return None
        return max(0, size - n), size - 1
    start = int(m.group(1))
    end = int(m.group(2)) if m.group(2) else size - 1
    if start >= size or end < start:
        return None
    return start, min(end, size - 1)


@route("DELETE", "/collections/{collection_name}/snapshots/{snapshot_name}", False)
def r_delete_snapshot(req):
    snapshots = req.app.snapshots
    col, snap = req.params
    if not _bool_query(req.query, "wait", True):
        req.app.store.get(col)
        _in_background(lambda: snapshots.delete(col, snap))
        return accepted(req.started)
    return req.ok(snapshots.delete(col, snap))


def _priority(value):
    if value not in (None, "replica", "snapshot", "no_sync"):
        raise ApiError(400, f"Deserialize error in query parameters: unknown variant `{value}`, expected one of "
                            f"`no_sync`, `snapshot`, `replica`")
    return value


def _run_recovery(req, fn):
    """`helpers::time_or_accept`: wait=false answers 202 at once and only logs a failure."""
    if not _bool_query(req.query, "wait", True):
        _in_background(fn)
        return accepted(req.started)
    return req.ok(fn())


def _unlink(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


@route("POST", "/collections/{collection_name}/snapshots/upload", False)
def r_upload_snapshot(req):
    """Qdrant v1.15.5 src/actix/api/snapshot_api.rs upload_snapshot: the multipart field `snapshot` is
    received to a temporary file; with `checksum` it is compared first (400 "Checksum mismatch:
    expected {computed}, actual {given}": StorageError::checksum_mismatch(snapshot_checksum, checksum));
    do_save_uploaded_snapshot then moves it to `snapshots/{collection}/{filename}` (the part's
    filename without directories, or a UUID when it has none; an existing file of that name is
    replaced, rename semantics), where it stays (qdrant/qdrant#10207), and the collection is recovered
    from `file://` that path. The handler takes the form through actix's `MultipartForm` extractor, so
    none of this runs before the whole body has arrived: a body that breaks off is discarded with its
    temporary file, and nothing is created."""
    ctype = req.handler.headers.get("Content-Type", "")
    m = re.search(r'boundary="?([^";]+)"?', ctype)
    if "multipart/form-data" not in ctype or not m:
        raise ApiError(400, "Bad request: Content type error: expected multipart/form-data with a boundary")
    priority = _priority(req.query.get("priority"))
    checksum = req.query.get("checksum")
    if checksum is not None:
        valid_checksum_param(checksum, "query parameters")
    tmp = os.path.join(req.app.store.tmp_dir, f"upload-{threading.get_ident()}-{time.monotonic_ns()}.snapshot")
    try:
        digest, filename = _receive_multipart_file(req.body, m.group(1).encode(), "snapshot", tmp)
    except BaseException:
        _unlink(tmp)
        raise
    name = req.params[0]
    snapshots = req.app.snapshots

    def work():
        try:
            if checksum is not None and not hashes_equal(digest, checksum):
                raise checksum_mismatch(digest, checksum)
            base = os.path.basename(filename) if filename else ""
            if base in ("", ".", ".."):
                base = str(uuid.uuid4())
            directory = snapshots.local_dir(name)
            os.makedirs(directory, exist_ok=True)
            target = os.path.join(directory, base)
            os.replace(tmp, target)
        finally:
            _unlink(tmp)
        return snapshots.restore(name, target, priority, None, req.app.cluster)

    return _run_recovery(req, work)


def _receive_multipart_file(body: BodyReader, boundary: bytes, field: str, dest: str):
    """Streams the part named `field` of a multipart body to `dest`; returns (SHA-256 hex, the part's
    filename or None)."""
    delim = b"--" + boundary
    buf = b""
    # Find the first delimiter line
    while delim not in buf:
        chunk = body.read(CHUNK)
        if not chunk:
            raise ApiError(400, "Bad request: Multipart stream is incomplete")
        buf += chunk
        if len(buf) > 1 << 20 and delim not in buf:
            raise ApiError(400, "Bad request: Multipart boundary not found")
    buf = buf[buf.index(delim) + len(delim):]
    sha = None
    filename = None
    while True:
        while b"\r\n\r\n" not in buf:
            chunk = body.read(CHUNK)
            if not chunk:
                raise ApiError(400, "Bad request: Multipart stream is incomplete")
            buf += chunk
        head, buf = buf.split(b"\r\n\r\n", 1)
        if head.startswith(b"--"):
            break
        disposition = re.search(rb'name="([^"]*)"', head)
        wanted = disposition is not None and disposition.group(1).decode() == field
        if wanted:
            fn = re.search(rb'filename="([^"]*)"', head) or re.search(rb"filename=([^;\r\n]+)", head)
            filename = fn.group(1).decode("utf-8", "replace") if fn else None
        end_marker = b"\r\n" + delim
        out = open(dest, "wb") if wanted else None
        h = hashlib.sha256() if wanted else None
        try:
            while True:
                idx = buf.find(end_marker)
                if idx >= 0:
                    if out:
                        out.write(buf[:idx])
                        h.update(buf[:idx])
                    buf = buf[idx + len(end_marker):]
                    break
                keep = len(end_marker) - 1
                if len(buf) > keep:
                    part = buf[:-keep]
                    if out:
                        out.write(part)
                        h.update(part)
                    buf = buf[-keep:]
                chunk = body.read(CHUNK)
                if not chunk:
                    raise ApiError(400, "Bad request: Multipart stream is incomplete")
                buf += chunk
        finally:
            if out:
                out.close()
        if wanted:
            sha = h.hexdigest()
        while len(buf) < 2:
            chunk = body.read(CHUNK)
            if not chunk:
                break
            buf += chunk
        if buf.startswith(b"--"):
            break
    body.drain(limit=1 << 30)
    if sha is None:
        raise ApiError(400, f"Bad request: Multipart field `{field}` is missing")
    return sha, filename


@route("PUT", "/collections/{collection_name}/snapshots/recover", False)
def r_recover(req):
    """Qdrant v1.15.5 src/actix/api/snapshot_api.rs recover_from_snapshot ->
    lib/storage/src/content_manager/snapshots/download.rs download_snapshot: a `file://` location is
    used in place (never deleted), `http(s)://` is downloaded to a temporary file (deleted after)."""
    body = req.json()
    if not isinstance(body, dict) or not isinstance(body.get("location"), str):
        raise json_error("missing field `location`")
    location = body["location"]
    priority = body.get("priority")
    if priority not in (None, "replica", "snapshot", "no_sync"):
        raise json_error(f"unknown variant `{priority}`, expected one of `no_sync`, `snapshot`, `replica`")
    if body.get("checksum") is not None:
        valid_checksum_param(body["checksum"], "JSON body")
    parsed = urllib.parse.urlsplit(location)
    if not parsed.scheme:
        raise json_error("relative URL without a base")
    name = req.params[0]
    snapshots = req.app.snapshots

    def work():
        if parsed.scheme == "file":
            if parsed.netloc not in ("", "localhost"):
                raise bad_request("Invalid snapshot URI, file path must be absolute or on localhost")
            src = urllib.parse.unquote(parsed.path)
            if not os.path.exists(src):
                raise bad_request(f"Snapshot file {orjson.dumps(src).decode()} does not exist")
            return snapshots.restore(name, src, priority, body.get("checksum"), req.app.cluster)
        if parsed.scheme in ("http", "https"):
            tmp = os.path.join(req.app.store.tmp_dir, f"recover-{threading.get_ident()}-{time.monotonic_ns()}.download")
            headers = {"api-key": body["api_key"]} if body.get("api_key") else {}
            try:
                try:
                    with urllib.request.urlopen(urllib.request.Request(location, headers=headers)) as r, \
                            open(tmp, "wb") as out:
                        while True:
                            b = r.read(CHUNK)
                            if not b:
                                break
                            out.write(b)
                except urllib.error.HTTPError as e:
                    raise bad_input(f"Failed to download snapshot from {location}: status - {e.code} {e.reason}")
                except (urllib.error.URLError, OSError) as e:
                    raise ApiError(500, f"Service internal error: Http request error: error sending request "
                                        f"for url ({location})")
                return snapshots.restore(name, tmp, priority, body.get("checksum"), req.app.cluster)
            finally:
                _unlink(tmp)
        raise bad_request(f"URL {location} with schema {parsed.scheme} is not supported")

    return _run_recovery(req, work)


# ---------------------------------------------------------------- stand-in control

@route("GET", "/__standin/faults", True)
def s_list_faults(req):
    return req.ok(req.app.faults.list())


@route("POST", "/__standin/faults", True)
def s_add_faults(req):
    try:
        return req.ok(req.app.faults.add(req.json()))
    except (ValueError, KeyError, TypeError, re.error) as e:
        raise ApiError(400, f"Bad request: {e}") from None


@route("DELETE", "/__standin/faults", True)
def s_clear_faults(req):
    req.app.faults.clear()
    return req.ok(True)


@route("GET", "/__standin/stats", True)
def s_stats(req):
    stats = req.app.stats.snapshot()
    stats["snapshots"] = req.app.snapshots.count_all()
    return req.ok(stats)


@route("DELETE", "/__standin/stats", True)
def s_reset_stats(req):
    req.app.stats.reset()
    return req.ok(True)


@route("POST", "/__standin/replica_state", True)
def s_replica_state(req):
    """Sets the state GET /collections/{c}/cluster reports for one replica:
    {"collection": C, "shard_id": N, "state": "Dead", "peer_id": P (default: this node)};
    "state": null puts it back to Active. Answers the collection's cluster info."""
    body = req.json()
    if not isinstance(body, dict):
        raise ApiError(400, "Bad request: expected a JSON object")
    c = req.app.store.get(str(body.get("collection")))
    state = body.get("state")
    if state is not None and state not in REPLICA_STATES:
        raise ApiError(400, f"Bad request: unknown replica state {state!r}; one of {', '.join(REPLICA_STATES)}")
    shard_id = body.get("shard_id", 0)
    known = {sid for sid, _, _ in c.shard_layout()}
    if shard_id not in known:
        raise ApiError(400, f"Bad request: collection {c.name} has no shard {shard_id} (shards: {sorted(known)})")
    cluster = req.app.cluster
    index = 0 if body.get("peer_id") is None else cluster.peer_index(body["peer_id"])
    replication = c.config["params"].get("replication_factor") or 1
    if index is None or index not in cluster.replicas(shard_id, replication):
        raise ApiError(400, f"Bad request: peer {body.get('peer_id')} holds no replica of shard {shard_id}")
    if state is None:
        c.replica_states.pop((shard_id, index), None)
    else:
        c.replica_states[(shard_id, index)] = state
    return req.ok(cluster.collection_info(c))


# ---------------------------------------------------------------- path and query validation

def method_of(command: str) -> str:
    return "GET" if command == "HEAD" else command


# Routes whose collection name is a plain `web::Path<String>` (no validation) in Qdrant v1.15.5
# src/actix/api/snapshot_api.rs; the others use CollectionPath, and collection creation and snapshot
# upload StrictCollectionPath (src/actix/api/mod.rs).
_UNVALIDATED = {("GET", "/collections/{collection_name}/snapshots"),
                ("POST", "/collections/{collection_name}/snapshots"),
                ("GET", "/collections/{collection_name}/snapshots/{snapshot_name}"),
                ("DELETE", "/collections/{collection_name}/snapshots/{snapshot_name}")}
_STRICT = {("PUT", "/collections/{collection_name}"), ("POST", "/collections/{collection_name}/snapshots/upload")}


def _validate_path(method: str, template: str, params: list) -> None:
    """length(min = 1, max = 255) and validate_collection_name(_legacy) of lib/common/common/src/
    validation.rs: 422 "Validation error in path parameters: [name: …]"."""
    if "{collection_name}" not in template or (method, template) in _UNVALIDATED or template.startswith("/__standin"):
        return
    name = params[0]
    errors = []
    if not 1 <= len(name) <= 255:
        errors.append(f"name: value {orjson.dumps(name).decode()} invalid, must be from 1 to 255 characters")
    invalid = ('<', '>', ':', '"', '/', '\\', '|', '?', '*', '\0', '\x1f') if (method, template) in _STRICT \
        else ('/', '\0')
    bad = next((c for c in invalid if c in name), None)
    if bad is not None:
        errors.append(f'name: collection name cannot contain "{bad}" char')
    if errors:
        raise ApiError(422, f"Validation error in path parameters: [{'; '.join(errors)}]")


# Routes taking `WaitTimeout` (timeout >= 1) in src/actix/api/collections_api.rs / shards_api.rs.
_WAIT_TIMEOUT = {("PUT", "/collections/{collection_name}"), ("PATCH", "/collections/{collection_name}"),
                 ("DELETE", "/collections/{collection_name}"), ("POST", "/collections/aliases"),
                 ("PUT", "/collections/{collection_name}/shards"),
                 ("POST", "/collections/{collection_name}/shards/delete")}


def _validate_query(method: str, template: str, query: dict) -> None:
    if (method, template) in _WAIT_TIMEOUT and query.get("timeout") is not None:
        try:
            value = int(query["timeout"])
        except ValueError:
            raise ApiError(400, "Deserialize error in query parameters: invalid digit found in string") from None
        if value < 1:
            raise ApiError(422, f"Validation error in query parameters: [timeout: value {value} invalid, "
                                f"must be 1 or larger]")


# ---------------------------------------------------------------- server

class App:
    def __init__(self, data_dir, version, api_key=None, read_only_api_key=None, verbose=False, cluster_peers=0,
                 snapshots_storage="local"):
        os.makedirs(data_dir, exist_ok=True)
        self.version = version
        self.verbose = verbose
        self.peer_id = self._peer_id(data_dir)
        self.cluster = ClusterLayout(self.peer_id, cluster_peers)
        self.store = Store(data_dir, distributed=self.cluster.enabled)
        self.snapshots = Snapshots(self.store, data_dir, self.peer_id, version, snapshots_storage)
        self.keys = ApiKeys(api_key, read_only_api_key)
        self.faults = FaultSet()
        self.stats = Stats()

    @staticmethod
    def _peer_id(data_dir) -> int:
        path = os.path.join(data_dir, "peer_id")
        try:
            with open(path) as f:
                return int(f.read().strip())
        except (FileNotFoundError, ValueError):
            peer = int.from_bytes(os.urandom(6), "big") + 1
            with open(path, "w") as f:
                f.write(str(peer))
            return peer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "qdrant-standin"
    sys_version = ""

    def log_message(self, fmt, *args):
        if self.server.app.verbose:
            sys.stderr.write("%s - %s\n" % (self.address_string(), fmt % args))

    def do_GET(self):
        self.dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_GET

    def dispatch(self):
        app = self.server.app
        started = time.perf_counter()
        split = urllib.parse.urlsplit(self.path)
        path = split.path or "/"
        query = {k: v[-1] for k, v in urllib.parse.parse_qs(split.query, keep_blank_values=True).items()}
        method = "GET" if self.command == "HEAD" else self.command
        found = match_route(method, path)
        app.stats.count_request(self.command, path, found[1] if found else None, query)
        plan = app.faults.plan(self.command, path, app.stats)
        body = None
        try:
            body = BodyReader(self, plan.get("drop_request"))
            response = self._handle(app, found, path, query, body, plan, started)
        except ConnectionAborted:
            self.close_connection = True
            return
        except ApiError as e:
            response = error_response(e, started)
        except Exception as e:
            traceback.print_exc()
            response = error_response(ApiError(500, f"Service internal error: {e}"), started)
        if body is not None:
            try:
                if not body.drain():
                    self.close_connection = True
            except (ConnectionAborted, ApiError, OSError):
                self.close_connection = True
        try:
            self._send(response, plan)
        except (ConnectionAborted, BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _handle(self, app, found, path, query, body, plan, started):
        try:
            access = app.keys.authenticate(path, self.headers)
        except Unauthorized as e:
            return text(e.message, 401)
        status_fault = plan.get("status")
        if status_fault is not None:
            headers = {}
            if status_fault.retry_after is not None:
                headers["Retry-After"] = str(status_fault.retry_after)
            message = status_fault.body or f"Injected fault: HTTP {status_fault.status}"
            return error_response(ApiError(status_fault.status, message, headers), started)
        delay = plan.get("delay")
        if delay is not None:
            app.faults.hold(delay)
        if found is None:
            return Response(404, b"", content_type="text/plain; charset=utf-8")
        fn, template, read_only, params = found
        _validate_path(method_of(self.command), template, params)
        _validate_query(method_of(self.command), template, query)
        if access is Access.READ and not read_only:
            if template in SNAPSHOT_WRITE_ROUTES and not _bool_query(query, "wait", True):
                return accepted(started)  # Qdrant only logs the refusal of a background operation
            raise forbidden()
        return fn(Request(self, app, params, query, body, started))

    def _send(self, response: Response, plan):
        app = self.server.app
        app.stats.count_status(response.status)
        self.send_response(response.status)
        if response.file is not None:
            length = response.file[2]
        else:
            length = len(response.body)
        self.send_header("Content-Type", response.content_type)
        if response.chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(length))
        for k, v in response.headers.items():
            self.send_header(k, v)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command == "HEAD":
            self.wfile.flush()
            return
        writer = ResponseWriter(self, plan.get("stall"), plan.get("drop_response"))
        if response.file is None:
            writer.write(response.body)
        else:
            path, start, remaining = response.file
            with open(path, "rb") as f:
                f.seek(start)
                while remaining > 0:
                    b = f.read(min(CHUNK, remaining))
                    if not b:
                        break
                    if response.chunked:
                        # Faults count the bytes on the wire, chunk framing included.
                        writer.write(b"%x\r\n" % len(b) + b + b"\r\n")
                    else:
                        writer.write(b)
                    remaining -= len(b)
            if response.chunked:
                writer.write(b"0\r\n\r\n")
        self.wfile.flush()


class StandInServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, app: App):
        self.app = app
        super().__init__(address, Handler)

    def finish_request(self, request, client_address):
        # With --tls-cert the listening socket is wrapped without an immediate handshake: do it
        # here, in the request's thread. A failed handshake (a client that distrusts the
        # certificate) only ends this connection.
        if hasattr(request, "do_handshake"):
            try:
                request.do_handshake()
            except (OSError, ValueError):
                return
        super().finish_request(request, client_address)
