#!/usr/bin/env python3
"""Regenerates the frozen archives of Tests/Fixtures (see README.md there).

DO NOT RUN THIS CASUALLY. The committed archives are test vectors: they stand for archives that
users already hold. A change to the reader or writer that makes a committed fixture unreadable is a
format break, and regenerating the fixtures would hide it. Regenerate only to add a fixture, or
when a format change is deliberate (a new major version), and say so in the commit.

By default the archives are written to a fresh temporary directory, which is printed; only
`--into-repo` replaces the files in Tests/Fixtures.

    cd /work/main                                  # the repository root
    swift build --build-tests --scratch-path .build-fixtures
    python3 Tests/Fixtures/make_fixtures.py [--into-repo] [--scratch-path .build-fixtures]

What it does: starts the Qdrant stand-in (Tests/QdrantStandIn, reporting Qdrant 1.15.1) in a
temporary data directory, creates the fixture collections from fixed data, and writes each archive
with the built CLI (`<scratch>/debug/qdrant-backup`), except the snapshot archive of 32 MiB slices:
the CLI has no option for the slice size, so `swift test` runs the gated test
`LegacySnapshotFixtureWriter` (Tests/IntegrationTests/FixtureArchiveTests.swift), which exports
through the library with `ExportOptions.snapshotSliceBytes = 32 MiB`. The custom-sharded archive
comes from a second stand-in in cluster mode (`--cluster-peers 1`). Needs python3 with the stand-in's
requirements, `swift`, and `age-keygen` only if test-identity.txt is missing.

The data is fixed (no randomness), so the points, ids and payloads are the same on every run; the
archives' bytes are not (creation times, the source's port, age's random file keys, the stand-in's
segment names), which is why the tests check what a reader sees, never the bytes.
"""

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
STANDIN_DIR = os.path.join(ROOT, "Tests", "QdrantStandIn")
QDRANT_VERSION = "1.15.1"
IDENTITY = os.path.join(HERE, "test-identity.txt")
LEGACY_SLICE_BYTES = 32 * 1024 * 1024

FIXTURES = [
    "fixture_points.qdrant.tar",
    "fixture_snapshot32.qdrant.tar",
    "fixture_encrypted.qdrant.tar",
    "fixture_sharded.qdrant.tar",
    "fixture_repaired.qdrant.tar",
]


# ----------------------------------------------------------------------------- the stand-in

class StandIn:
    def __init__(self, workdir: str, name: str, cluster_peers: int | None = None):
        self.data = os.path.join(workdir, f"standin-{name}")
        port_file = os.path.join(workdir, f"standin-{name}.port")
        args = [sys.executable, "-m", "qdrant_standin", "--host", "127.0.0.1", "--port", "0",
                "--data-dir", self.data, "--port-file", port_file, "--version", QDRANT_VERSION]
        if cluster_peers is not None:
            args += ["--cluster-peers", str(cluster_peers)]
        env = dict(os.environ, PYTHONPATH=STANDIN_DIR)
        for key in ("QDRANT_STANDIN_API_KEY", "QDRANT_STANDIN_READ_ONLY_API_KEY"):
            env.pop(key, None)
        self.log = open(os.path.join(workdir, f"standin-{name}.log"), "w")
        self.process = subprocess.Popen(args, cwd=STANDIN_DIR, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while not os.path.exists(port_file):
            if self.process.poll() is not None or time.time() > deadline:
                raise SystemExit(f"the stand-in did not start; see {self.log.name}")
            time.sleep(0.1)
        with open(port_file) as f:
            self.url = f"http://127.0.0.1:{int(f.read())}"

    def call(self, method: str, path: str, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + "/" + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read() or b"null")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


# ----------------------------------------------------------------------------- fixed data

def vector(i: int, size: int = 4) -> list:
    # Never all zero (Cosine); short decimals, so the JSON stays small.
    return [round(((i * 7 + k * 3) % 11 - 5) / 10 + 0.05, 2) for k in range(size)]


def payload(i: int, **extra) -> dict:
    p = {
        "title": f"Ünïcødé 漢字 \"quoted\" \\ #{i}",
        "n": i,
        "score": i * 0.5,
        "tags": ["even", f"t{i % 3}"] if i % 2 == 0 else ["odd"],
        "nested": {"x": None, "y": [1, 2.5, {"z": True}]},
        "empty": None,
    }
    p.update(extra)
    return p


def uuid(i: int) -> str:
    return f"{i:08x}-0000-4000-8000-{i * 4099:012x}"


def create(s: StandIn, name: str, config: dict):
    s.call("PUT", f"collections/{name}", config)


def upsert(s: StandIn, name: str, points: list, shard_key=None):
    body = {"points": points}
    if shard_key is not None:
        body["shard_key"] = shard_key
    s.call("PUT", f"collections/{name}/points?wait=true", body)


def index(s: StandIn, name: str, field: str, schema: str):
    s.call("PUT", f"collections/{name}/index?wait=true", {"field_name": field, "field_schema": schema})


def alias(s: StandIn, name: str, alias_name: str):
    s.call("POST", "collections/aliases",
           {"actions": [{"create_alias": {"collection_name": name, "alias_name": alias_name}}]})


# ----------------------------------------------------------------------------- the tool

class Tool:
    def __init__(self, cli: str, scratch: str, workdir: str):
        self.cli = cli
        self.scratch = scratch
        self.home = os.path.join(workdir, "home")

    def env(self, s: StandIn) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("QDRANT_")}
        env.update(QDRANT_PRODUCTION_URL=s.url, QDRANT_LOCAL_URL=s.url, LOG_LEVEL="info",
                   XDG_STATE_HOME=os.path.join(self.home, "state"), XDG_CACHE_HOME=os.path.join(self.home, "cache"))
        return env

    def run(self, s: StandIn, *args: str, expect: int = 0) -> str:
        result = subprocess.run([self.cli, *args], env=self.env(s), capture_output=True, text=True)
        if result.returncode != expect:
            raise SystemExit(f"qdrant-backup {' '.join(args)}: exit {result.returncode} (expected {expect})\n"
                             f"{result.stdout}\n{result.stderr}")
        return result.stdout

    def write_legacy_snapshot(self, s: StandIn, collection: str, output: str):
        """The snapshot archive of 32 MiB slices, through the library (no CLI flag for the slice size)."""
        env = self.env(s)
        env.update(QDRANT_BACKUP_FIXTURE_PRODUCTION_URL=s.url, QDRANT_BACKUP_FIXTURE_COLLECTION=collection,
                   QDRANT_BACKUP_FIXTURE_OUTPUT=output, QDRANT_BACKUP_FIXTURE_SLICE_BYTES=str(LEGACY_SLICE_BYTES))
        result = subprocess.run(["swift", "test", "--skip-build", "--scratch-path", self.scratch,
                                 "--filter", "LegacySnapshotFixtureWriter"], cwd=ROOT, env=env,
                                capture_output=True, text=True)
        path = os.path.join(output, collection + ".qdrant.tar")
        if result.returncode != 0 or not os.path.exists(path):
            raise SystemExit(f"the legacy snapshot writer failed (exit {result.returncode}):\n"
                             f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}")


def flip_byte_in_member(path: str, member: str, at: int = 20):
    """Damages a data member's stored bytes (not its header), as a bad disk sector would."""
    with tarfile.open(path) as tar:
        offset = tar.getmember(member).offset_data + at
    with open(path, "r+b") as f:
        f.seek(offset)
        byte = f.read(1)[0]
        f.seek(offset)
        f.write(bytes([byte ^ 0x40]))


# ----------------------------------------------------------------------------- the fixtures

def make_points(s: StandIn, tool: Tool, out: str):
    """Dense, Cosine, payload indexes and an alias; integer ids (one above 2^53) and UUIDs; several
    members cut inside scroll pages."""
    name = "fixture_points"
    create(s, name, {"vectors": {"size": 4, "distance": "Cosine"}, "hnsw_config": {"m": 20}})
    points = [{"id": i, "vector": vector(i), "payload": payload(i)} for i in range(1, 13)]
    points.append({"id": 9007199254740993, "vector": vector(13), "payload": payload(13, big_id=True)})
    points += [{"id": uuid(i), "vector": vector(100 + i), "payload": payload(100 + i)} for i in range(1, 6)]
    upsert(s, name, points)
    index(s, name, "tags", "keyword")
    index(s, name, "n", "integer")
    alias(s, name, name + "_alias")
    tool.run(s, "export", name, "--method", "scroll", "--batch-size", "5", "--points-member-bytes", "1200",
             "--output", out, "--quiet")


def make_snapshot32(s: StandIn, tool: Tool, out: str):
    """A snapshot archive whose slices are 32 MiB (the stand-in's snapshot is ~69 MB of mostly zeros)."""
    name = "fixture_snapshot32"
    create(s, name, {"vectors": {"size": 4, "distance": "Dot"}})
    upsert(s, name, [{"id": i, "vector": vector(i), "payload": payload(i)} for i in range(1, 9)])
    index(s, name, "tags", "keyword")
    alias(s, name, name + "_alias")
    tool.write_legacy_snapshot(s, name, out)


def make_encrypted(s: StandIn, tool: Tool, out: str, recipient: str):
    """A points archive encrypted (age) to the throwaway test recipient."""
    name = "fixture_encrypted"
    create(s, name, {"vectors": {"size": 4, "distance": "Euclid"}})
    points = [{"id": i, "vector": vector(i), "payload": payload(i, secret=f"s{i}")} for i in range(1, 9)]
    points += [{"id": uuid(i), "vector": vector(200 + i), "payload": payload(200 + i)} for i in range(1, 3)]
    upsert(s, name, points)
    tool.run(s, "export", name, "--method", "scroll", "--batch-size", "4", "--points-member-bytes", "1500",
             "--encrypt-to", recipient, "--output", out, "--quiet")


def make_sharded(s: StandIn, tool: Tool, out: str):
    """Custom sharding: key "eu" (two members), key 7, and key "spare" without points."""
    name = "fixture_sharded"
    create(s, name, {"vectors": {"size": 4, "distance": "Cosine"}, "sharding_method": "custom"})
    for key in ["eu", 7, "spare"]:
        s.call("PUT", f"collections/{name}/shards", {"shard_key": key})
    upsert(s, name, [{"id": i, "vector": vector(i), "payload": payload(i, region="eu")} for i in range(1, 8)], "eu")
    upsert(s, name, [{"id": i, "vector": vector(i), "payload": payload(i, region="seven")} for i in range(8, 11)]
           + [{"id": uuid(7), "vector": vector(77), "payload": payload(77, region="seven")}], 7)
    tool.run(s, "export", name, "--method", "scroll", "--batch-size", "4", "--points-member-bytes", "1200",
             "--output", out, "--quiet")


def make_repaired(s: StandIn, tool: Tool, out: str):
    """A points archive whose member 1 was damaged and re-read by `repair`; the source's points of
    that range changed in between (revision 1 -> 2), so the repaired member shows repair-time data."""
    name = "fixture_repaired"
    create(s, name, {"vectors": {"size": 4, "distance": "Cosine"}})
    upsert(s, name, [{"id": i, "vector": vector(i), "payload": payload(i, revision=1)} for i in range(1, 17)])
    flags = ["--batch-size", "4", "--points-member-bytes", "1200"]
    tool.run(s, "export", name, "--method", "scroll", *flags, "--output", out, "--quiet")
    archive = os.path.join(out, name + ".qdrant.tar")
    member = "points/000001.jsonl.zst"
    with tarfile.open(archive) as tar:
        records = tar.getmember(member).pax_headers
    first = int(records["SCHILY.xattr.user.qdrant.first_id"])
    last = int(records["SCHILY.xattr.user.qdrant.last_id"])
    flip_byte_in_member(archive, member)
    tool.run(s, "verify", archive, expect=2)
    upsert(s, name, [{"id": i, "vector": vector(i), "payload": payload(i, revision=2)} for i in range(first, last + 1)])
    tool.run(s, "repair", archive, *flags, "--json")
    print(f"  {name}: {member} (points {first}..{last}) damaged and repaired at revision 2")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--into-repo", action="store_true", help="replace the archives in Tests/Fixtures")
    parser.add_argument("--scratch-path", default=".build-fixtures",
                        help="the swift build scratch path holding debug/qdrant-backup and the test build")
    parser.add_argument("--keep-work", action="store_true", help="keep the stand-ins' data and logs")
    args = parser.parse_args()
    scratch = os.path.join(ROOT, args.scratch_path)
    cli = os.path.join(scratch, "debug", "qdrant-backup")
    if not os.access(cli, os.X_OK):
        raise SystemExit(f"{cli} is missing: swift build --build-tests --scratch-path {args.scratch_path}")
    if not os.path.exists(IDENTITY):
        with open(IDENTITY, "w") as f:
            f.write("# THROWAWAY TEST KEY. Not a secret: it is committed on purpose so that the tests can open\n"
                    "# fixture_encrypted.qdrant.tar. Never encrypt anything real to its public key.\n")
        key = subprocess.run(["age-keygen"], capture_output=True, text=True, check=True).stdout
        with open(IDENTITY, "a") as f:
            f.write(key)
    recipient = subprocess.run(["age-keygen", "-y", IDENTITY], capture_output=True, text=True,
                               check=True).stdout.strip()

    work = tempfile.mkdtemp(prefix="qdrant-backup-fixtures-")
    out = os.path.join(work, "out")
    os.makedirs(out)
    tool = Tool(cli, scratch, work)
    single = StandIn(work, "single")
    cluster = None
    try:
        print(f"stand-in {single.url}; writing into {out}")
        make_points(single, tool, out)
        make_snapshot32(single, tool, out)
        make_encrypted(single, tool, out, recipient)
        make_repaired(single, tool, out)
        cluster = StandIn(work, "cluster", cluster_peers=1)
        make_sharded(cluster, tool, out)
        for name in FIXTURES:
            path = os.path.join(out, name)
            key = ["--identity", IDENTITY] if "encrypted" in name else []
            tool.run(single, "verify", path, *key)
            summary = json.loads(tool.run(single, "inspect", path, "--json", *key))
            with open(path, "rb") as f:
                digest = hashlib.sha256(f.read()).hexdigest()
            tool_version = summary["tool_version"]
            print(f"  {name}: {os.path.getsize(path)} bytes, {summary['method']}, {summary['points_count']} points, "
                  f"{summary['member_count']} members, sha256 {digest}")
    finally:
        single.stop()
        if cluster:
            cluster.stop()
    version = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"], capture_output=True,
                             text=True).stdout.strip()
    print(f"written by qdrant-backup {tool_version} at commit {version}, the stand-in reporting Qdrant {QDRANT_VERSION}")
    if args.into_repo:
        for name in FIXTURES:
            for suffix in ("", ".sha256"):
                shutil.copyfile(os.path.join(out, name + suffix), os.path.join(HERE, name + suffix))
        print(f"replaced the fixtures in {HERE}: update README.md there and the test vectors in formats/archive-v1.md")
    if args.into_repo and not args.keep_work:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"kept {work} (the stand-ins' data and logs; the archives in {out})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
