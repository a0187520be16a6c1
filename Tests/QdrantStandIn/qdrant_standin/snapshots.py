"""Collection snapshots in the stand-in's own format (clients treat snapshots as opaque bytes).

A snapshot is an uncompressed POSIX tar:

    standin-snapshot.json   {"format": "qdrant-standin-snapshot", "format_version": 1,
                             "collection": <name>, "qdrant_version": <reported version>,
                             "created": <ISO time>}
    collection.json         the collection's configuration and payload index specs
    shard/...               the EdgeShard directory (segments, edge_config.json), flushed; no WAL

Files live in `<data>/snapshots/<collection>/<name>.snapshot` with a `<name>.snapshot.checksum`
sidecar holding the SHA-256 hex, as Qdrant keeps them.
"""

import datetime
import hashlib
import io
import os
import shutil
import tarfile
import threading
import time

import orjson

from .errors import ApiError, bad_input, checksum_mismatch, not_found, service_error

FORMAT = "qdrant-standin-snapshot"
FORMAT_VERSION = 1
CHUNK = 1 << 20


class HashingWriter(io.RawIOBase):
    """A file that hashes what is written to it."""

    def __init__(self, f):
        self.f = f
        self.sha = hashlib.sha256()
        self.size = 0

    def writable(self):
        return True

    def write(self, b):
        self.f.write(b)
        self.sha.update(b)
        self.size += len(b)
        return len(b)


def parse_version(text: str) -> tuple:
    parts = []
    for p in text.split(".")[:3]:
        digits = "".join(ch for ch in p if ch.isdigit())
        parts.append(int(digits or 0))
    while len(parts) < 3:
        parts.append(0)
    return tuple(parts)


def can_restore(snapshot_version: str, server_version: str) -> bool:
    """Qdrant restores a snapshot made by the same minor version or the one just before."""
    s, a = parse_version(snapshot_version), parse_version(server_version)
    return s[0] == a[0] and (s[1] == a[1] or s[1] + 1 == a[1])


def file_sha256(path: str) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(CHUNK)
            if not b:
                break
            sha.update(b)
    return sha.hexdigest()


class Snapshots:
    def __init__(self, store, data_dir: str, peer_id: int, version: str):
        self.store = store
        self.root = os.path.join(data_dir, "snapshots")
        self.peer_id = peer_id
        self.version = version
        self.name_lock = threading.Lock()
        os.makedirs(self.root, exist_ok=True)
        for dirpath, _, files in os.walk(self.root):
            for f in files:
                if f.endswith(".tmp"):
                    os.unlink(os.path.join(dirpath, f))

    def _dir(self, collection: str) -> str:
        return os.path.join(self.root, collection)

    def _describe(self, path: str) -> dict:
        st = os.stat(path)
        checksum = None
        try:
            with open(path + ".checksum") as f:
                checksum = f.read().strip()
        except FileNotFoundError:
            checksum = file_sha256(path)
        created = datetime.datetime.fromtimestamp(st.st_mtime, datetime.timezone.utc)
        return {"name": os.path.basename(path), "creation_time": created.strftime("%Y-%m-%dT%H:%M:%S"),
                "size": st.st_size, "checksum": checksum}

    # ------------------------------------------------------------ create / list / delete

    def _reserve_name(self, collection: str) -> str:
        """`{collection}-{peer_id}-{YYYY-MM-DD-HH-MM-SS}.snapshot`; a later second if taken."""
        directory = self._dir(collection)
        os.makedirs(directory, exist_ok=True)
        with self.name_lock:
            t = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
            while True:
                name = f"{collection}-{self.peer_id}-{t.strftime('%Y-%m-%d-%H-%M-%S')}.snapshot"
                path = os.path.join(directory, name)
                if not os.path.exists(path) and not os.path.exists(path + ".tmp"):
                    open(path + ".tmp", "wb").close()
                    return path
                t += datetime.timedelta(seconds=1)

    def create(self, collection_name: str) -> dict:
        collection = self.store.get(collection_name)
        name = collection.name
        path = self._reserve_name(name)
        tmp = path + ".tmp"
        try:
            with open(tmp, "wb") as raw:
                writer = HashingWriter(raw)
                buffered = io.BufferedWriter(writer, buffer_size=CHUNK)
                with tarfile.open(fileobj=buffered, mode="w|", format=tarfile.PAX_FORMAT,
                                  bufsize=CHUNK) as tar:
                    manifest = {"format": FORMAT, "format_version": FORMAT_VERSION, "collection": name,
                                "qdrant_version": self.version,
                                "created": datetime.datetime.now(datetime.timezone.utc).isoformat()}
                    self._add_bytes(tar, "standin-snapshot.json", orjson.dumps(manifest))
                    with collection.lock:
                        if collection.shard is None:
                            raise not_found(f"Collection `{collection_name}` doesn't exist!")
                        collection.shard.flush()
                        self._add_bytes(tar, "collection.json", orjson.dumps(collection.state))
                        shard_dir = os.path.join(collection.path, "shard")
                        for dirpath, dirnames, filenames in os.walk(shard_dir):
                            rel = os.path.relpath(dirpath, shard_dir)
                            if rel == "wal" or rel.startswith("wal" + os.sep):
                                continue
                            dirnames.sort()
                            for fn in sorted(filenames):
                                full = os.path.join(dirpath, fn)
                                arc = os.path.normpath(os.path.join("shard", rel, fn))
                                tar.add(full, arcname=arc, recursive=False)
                buffered.flush()
                raw.flush()
                os.fsync(raw.fileno())
            with open(path + ".checksum.tmp", "w") as f:
                f.write(writer.sha.hexdigest())
            os.replace(path + ".checksum.tmp", path + ".checksum")
            os.replace(tmp, path)
        except BaseException:
            for p in (tmp, path + ".checksum.tmp"):
                try:
                    os.unlink(p)
                except FileNotFoundError:
                    pass
            raise
        return self._describe(path)

    @staticmethod
    def _add_bytes(tar, name: str, data: bytes) -> None:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        info.mtime = int(time.time())
        info.mode = 0o644
        tar.addfile(info, io.BytesIO(data))

    def list(self, collection_name: str) -> list:
        name = self.store.get(collection_name).name
        directory = self._dir(name)
        if not os.path.isdir(directory):
            return []
        out = []
        for fn in sorted(os.listdir(directory)):
            if fn.endswith(".snapshot"):
                try:
                    out.append(self._describe(os.path.join(directory, fn)))
                except FileNotFoundError:
                    pass
        return out

    def path(self, collection_name: str, snapshot_name: str) -> str:
        name = self.store.get(collection_name).name
        if "/" in snapshot_name or snapshot_name in (".", "..") or not snapshot_name.endswith(".snapshot"):
            raise not_found(f"Snapshot {snapshot_name} not found")
        p = os.path.join(self._dir(name), snapshot_name)
        if not os.path.isfile(p):
            raise not_found(f"Snapshot {snapshot_name} not found")
        return p

    def delete(self, collection_name: str, snapshot_name: str) -> bool:
        p = self.path(collection_name, snapshot_name)
        os.unlink(p)
        try:
            os.unlink(p + ".checksum")
        except FileNotFoundError:
            pass
        return True

    def count_all(self) -> dict:
        out = {}
        for name in sorted(os.listdir(self.root)):
            d = os.path.join(self.root, name)
            if os.path.isdir(d):
                out[name] = len([f for f in os.listdir(d) if f.endswith(".snapshot")])
        return out

    # ------------------------------------------------------------ restore

    def restore(self, collection_name: str, snapshot_path: str, priority: str | None,
                checksum: str | None = None, computed_checksum: str | None = None) -> bool:
        """Recovers collection `collection_name` from a snapshot file.

        priority `snapshot`/`no_sync`: the snapshot replaces the collection (creating it if absent).
        priority `replica` (Qdrant's default): local data is the source of truth, so an existing
        collection keeps its state; a missing one is created from the snapshot.
        """
        if priority not in (None, "replica", "snapshot", "no_sync"):
            raise ApiError(400, f"Query deserialize error: unknown variant `{priority}`, expected one of "
                                f"`no_sync`, `snapshot`, `replica`")
        if checksum is not None:
            actual = computed_checksum or file_sha256(snapshot_path)
            if actual.lower() != checksum.lower():
                raise checksum_mismatch(checksum, actual)
        if (priority or "replica") == "replica" and self.store.exists(collection_name):
            return True
        staged = os.path.join(self.store.tmp_dir, f"restore-{os.getpid()}-{threading.get_ident()}-"
                                                  f"{time.monotonic_ns()}")
        os.makedirs(staged)
        try:
            self._extract(snapshot_path, staged)
            self.store.install(self.store.resolve(collection_name), staged)
        finally:
            shutil.rmtree(staged, ignore_errors=True)
        return True

    def _extract(self, snapshot_path: str, staged: str) -> None:
        try:
            tar = tarfile.open(snapshot_path, mode="r|", bufsize=CHUNK)
        except tarfile.TarError as e:
            raise bad_input(f"Invalid snapshot: not a snapshot archive ({e})") from None
        manifest = None
        with tar:
            try:
                for member in tar:
                    target = os.path.normpath(member.name)
                    if target.startswith("..") or os.path.isabs(target):
                        raise bad_input(f"Invalid snapshot: unsafe member {member.name}")
                    if member.name == "standin-snapshot.json":
                        manifest = orjson.loads(tar.extractfile(member).read())
                        if manifest.get("format") != FORMAT:
                            raise bad_input("Invalid snapshot: not a Qdrant stand-in snapshot")
                        if manifest.get("format_version") != FORMAT_VERSION:
                            raise bad_input(f"Invalid snapshot: format version "
                                            f"{manifest.get('format_version')} is not supported")
                        if not can_restore(manifest.get("qdrant_version", "0.0.0"), self.version):
                            raise service_error(f"Cannot upgrade version {manifest.get('qdrant_version')} "
                                                f"to {self.version}. Try to use older version of Qdrant "
                                                f"first.")
                        continue
                    if manifest is None:
                        raise bad_input("Invalid snapshot: standin-snapshot.json must come first")
                    if member.isdir():
                        os.makedirs(os.path.join(staged, target), exist_ok=True)
                        continue
                    if not member.isfile():
                        continue
                    dest = os.path.join(staged, target)
                    os.makedirs(os.path.dirname(dest), exist_ok=True)
                    src = tar.extractfile(member)
                    with open(dest, "wb") as out:
                        shutil.copyfileobj(src, out, CHUNK)
            except (tarfile.TarError, EOFError, OSError, orjson.JSONDecodeError) as e:
                raise bad_input(f"Invalid snapshot: {e}") from None
        if manifest is None or not os.path.exists(os.path.join(staged, "collection.json")) \
                or not os.path.isdir(os.path.join(staged, "shard")):
            raise bad_input("Invalid snapshot: incomplete snapshot archive")
