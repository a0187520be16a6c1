"""Collection snapshots in the stand-in's own format (clients treat snapshots as opaque bytes).

A snapshot is an uncompressed POSIX tar:

    standin-snapshot.json   {"format": "qdrant-standin-snapshot", "format_version": 1,
                             "collection": <name>, "qdrant_version": <reported version>,
                             "created": <ISO time>}
    collection.json         the collection's configuration and payload index specs
    shard/...               the EdgeShard directory (segments, edge_config.json), flushed; no WAL

Files live in `<data>/snapshots/<collection>/<name>.snapshot` with a `<name>.snapshot.checksum`
sidecar holding the SHA-256 hex, as Qdrant keeps them. With `--snapshots-storage s3` created snapshots
go to `<data>/s3/snapshots/<collection>/` instead (the pretend bucket: no checksum objects), while
uploads still land in the local `<data>/snapshots/<collection>/`, as on Qdrant.
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


_ZEROS = bytes(CHUNK)


def _copy_sparse(src, out, size: int) -> None:
    """Copies `size` bytes, seeking over all-zero chunks (the engine preallocates large mostly-empty
    files; writing them as holes keeps a restore fast)."""
    while True:
        chunk = src.read(CHUNK)
        if not chunk:
            break
        if chunk == _ZEROS[:len(chunk)]:
            out.seek(len(chunk), os.SEEK_CUR)
        else:
            out.write(chunk)
    out.truncate(size)


def file_sha256(path: str) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(CHUNK)
            if not b:
                break
            sha.update(b)
    return sha.hexdigest()


def valid_checksum_param(value: str, where: str) -> None:
    """Qdrant v1.15.5 lib/common/common/src/validation.rs validate_sha256_hash (64 hex digits), reported
    by src/actix/mod.rs validation_error_handler as 422 "Validation error in {where}: [checksum: …]"."""
    if len(value) != 64:
        # validator's Display of an error without message (params order approximated)
        raise ApiError(422, f"Validation error in {where}: [checksum: Validation error: invalid_sha256_hash "
                            f"[{{\"length\": Number({len(value)}), \"expected_length\": Number(64)}}]]")
    if not all(c in "0123456789abcdefABCDEF" for c in value):
        raise ApiError(422, f"Validation error in {where}: [checksum: invalid characters, expected 0-9, a-f, A-F]")


def hashes_equal(a: str, b: str) -> bool:
    # Qdrant v1.15.5 lib/collection/src/common/sha_256.rs hashes_equal: case and whitespace ignored.
    return "".join(a.split()).lower() == "".join(b.split()).lower()


class Snapshots:
    def __init__(self, store, data_dir: str, peer_id: int, version: str, storage: str = "local"):
        self.store = store
        self.s3 = storage == "s3"
        # Local snapshots folder (uploads always land here) and, in S3 mode, the pretend bucket.
        self.local_root = os.path.join(data_dir, "snapshots")
        self.root = os.path.join(data_dir, "s3", "snapshots") if self.s3 else self.local_root
        self.peer_id = peer_id
        self.version = version
        self.name_lock = threading.Lock()
        for root in {self.root, self.local_root}:
            os.makedirs(root, exist_ok=True)
            for dirpath, _, files in os.walk(root):
                for f in files:
                    if f.endswith(".tmp"):
                        os.unlink(os.path.join(dirpath, f))

    def _dir(self, collection: str) -> str:
        return os.path.join(self.root, collection)

    def local_dir(self, collection: str) -> str:
        return os.path.join(self.local_root, collection)

    def _describe(self, path: str) -> dict:
        st = os.stat(path)
        created = datetime.datetime.fromtimestamp(st.st_mtime, datetime.timezone.utc)
        out = {"name": os.path.basename(path), "creation_time": created.strftime("%Y-%m-%dT%H:%M:%S"),
               "size": st.st_size}
        if self.s3:
            # Qdrant v1.15.5 lib/collection/src/operations/snapshot_storage_ops.rs
            # get_snapshot_description / list_snapshot_descriptions: `checksum: None`, which
            # SnapshotDescription (lib/collection/src/operations/snapshot_ops.rs) does not serialise
            # (skip_serializing_if = "Option::is_none"): the key is absent.
            return out
        # Qdrant v1.15.5 lib/collection/src/operations/snapshot_ops.rs get_snapshot_description: the
        # `<name>.checksum` file's text when there is one; none (key absent) for an uploaded file.
        try:
            with open(path + ".checksum") as f:
                out["checksum"] = f.read()
        except (FileNotFoundError, IsADirectoryError):
            pass
        return out

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
            if not self.s3:
                # SnapshotStorageLocalFS::store_file writes the checksum file first; the S3 store keeps none.
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
            # Local: SnapshotStorageLocalFS::list_snapshots takes files with the `.snapshot` extension;
            # S3: list_snapshot_descriptions takes every object under the prefix.
            if (self.s3 or fn.endswith(".snapshot")) and not fn.endswith(".tmp"):
                full = os.path.join(directory, fn)
                if os.path.isfile(full):
                    try:
                        out.append(self._describe(full))
                    except FileNotFoundError:
                        pass
        return out

    def _key(self, collection: str, snapshot_name: str) -> str:
        return f"snapshots/{collection}/{snapshot_name}"

    def path(self, collection_name: str, snapshot_name: str) -> str:
        """The file of a snapshot to download. Local: any file inside the collection's snapshot folder
        (SnapshotStorageLocalFS::get_snapshot_path canonicalises and checks it stays inside), else 404
        "Not found: Snapshot {name} not found"."""
        name = self.store.get(collection_name).name
        directory = self._dir(name)
        p = os.path.realpath(os.path.join(directory, snapshot_name))
        inside = p.startswith(os.path.realpath(directory) + os.sep)
        if not inside or not os.path.isfile(p) or "\0" in snapshot_name:
            if self.s3:
                # SnapshotStorageCloud::get_snapshot_stream: object_store NotFound (its source text
                # approximated).
                key = self._key(name, snapshot_name)
                raise not_found(f"Snapshot {key} does not exist: Object at location {key} not found: "
                                f"Client error with status 404 Not Found: No Body")
            raise not_found(f"Snapshot {snapshot_name} not found")
        return p

    def delete(self, collection_name: str, snapshot_name: str) -> bool:
        name = self.store.get(collection_name).name
        if self.s3:
            p = os.path.join(self._dir(name), snapshot_name)
            if "/" in snapshot_name or not os.path.isfile(p):
                # snapshot_storage_ops::delete_snapshot: head() NotFound, `{s3_path:?}` of an object_store Path.
                raise not_found(f'Snapshot Path {{ raw: "{self._key(name, snapshot_name)}" }} not found')
            os.unlink(p)
            return True
        p = self.path(collection_name, snapshot_name)
        os.unlink(p)
        try:
            os.unlink(p + ".checksum")  # SnapshotStorageLocalFS::delete_snapshot ignores a missing one
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
                checksum: str | None, cluster) -> bool:
        """Recovers collection `collection_name` from a snapshot file (Qdrant v1.15.5
        lib/storage/src/content_manager/snapshots/recover.rs _do_recover_from_snapshot): the checksum
        (400 "Wrong input: Snapshot checksum mismatch: expected {given}, got {computed}"), the archive,
        then Store.recover. `priority` absent is SnapshotPriority's default, `snapshot`
        (lib/collection/src/operations/snapshot_ops.rs)."""
        if checksum is not None:
            actual = file_sha256(snapshot_path)
            if not hashes_equal(actual, checksum):
                raise bad_input(f"Snapshot checksum mismatch: expected {checksum}, got {actual}")
        staged = os.path.join(self.store.tmp_dir, f"restore-{os.getpid()}-{threading.get_ident()}-"
                                                  f"{time.monotonic_ns()}")
        os.makedirs(staged)
        try:
            self._extract(snapshot_path, staged)
            self.store.recover(collection_name, staged, priority or "snapshot", cluster)
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
                        _copy_sparse(src, out, member.size)
            except (tarfile.TarError, EOFError, OSError, orjson.JSONDecodeError) as e:
                raise bad_input(f"Invalid snapshot: {e}") from None
        if manifest is None or not os.path.exists(os.path.join(staged, "collection.json")) \
                or not os.path.isdir(os.path.join(staged, "shard")):
            raise bad_input("Invalid snapshot: incomplete snapshot archive")
