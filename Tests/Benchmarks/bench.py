"""qdrant-backup's benchmark: every figure beside a baseline measured in the same run.

Run it through `bash Tests/Benchmarks/run` (which installs what it needs and builds the release
binary). Tests/Benchmarks/README.md says what each row measures and keeps the figures of past runs.

Servers, all on loopback:
- the client-only server (client_only_server.py): snapshot bytes from a file by sendfile, scroll
  pages replayed from memory, upserts counted and dropped;
- the Qdrant stand-in (Tests/QdrantStandIn), for the tool's scroll export beside a bare client.

Every run is wrapped in `/usr/bin/time -v` (CPU seconds, peak RSS); the wall time is measured here.
Runs of a pair alternate (tool, baseline, tool, baseline, ...) and the median wall time is kept.
"""
import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MiB = 1 << 20
# The servers a run talks to: their CPU during a run counts toward the machine's busy cores.
RUNNING_SERVERS = []


def log(message):
    print(message, file=sys.stderr, flush=True)


class Server:
    """A server process on a free loopback port, stopped with the benchmark."""

    def __init__(self, name, command, port_file, cwd=None, env=None, timeout=900):
        self.name = name
        if os.path.exists(port_file):
            os.remove(port_file)
        self.log = open(port_file + ".log", "w")
        self.process = subprocess.Popen(command, cwd=cwd, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.time() + timeout
        while not os.path.exists(port_file):
            if self.process.poll() is not None:
                sys.exit(f"{name} exited: see {port_file}.log")
            if time.time() > deadline:
                sys.exit(f"{name} did not start within {timeout} s")
            time.sleep(0.1)
        self.url = f"http://127.0.0.1:{open(port_file).read().strip()}"
        RUNNING_SERVERS.append(self)

    def cpu_seconds(self):
        """User + system CPU of the server process so far (all its threads), from /proc."""
        try:
            with open(f"/proc/{self.process.pid}/stat") as stat:
                fields = stat.read().rpartition(")")[2].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return 0.0

    def stop(self):
        if self in RUNNING_SERVERS:
            RUNNING_SERVERS.remove(self)
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Measurement:
    def __init__(self, label, wall, cpu, rss_mib, output, size=None, server_cpu=0.0):
        self.size = size
        self.server_cpu = server_cpu
        self.label = label
        self.wall = wall
        self.cpu = cpu
        self.rss_mib = rss_mib
        self.output = output


def measure(label, command, env, work, output=None):
    """Runs `command` (a list, or a string for bash) under /usr/bin/time -v; `output`: a file or
    directory whose size is recorded after the run."""
    if isinstance(command, str):
        command = ["bash", "-c", "set -o pipefail; " + command]
    report = os.path.join(work, "time-v.txt")
    server_cpu_before = sum(server.cpu_seconds() for server in RUNNING_SERVERS)
    started = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-v", "-o", report] + command, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wall = time.perf_counter() - started
    server_cpu = sum(server.cpu_seconds() for server in RUNNING_SERVERS) - server_cpu_before
    if done.returncode != 0:
        sys.exit(f"{label} failed ({done.returncode}):\n{done.stderr.decode()[-3000:]}\n{done.stdout.decode()[-2000:]}")
    fields = {}
    for line in open(report):
        name, _, value = line.strip().rpartition(": ")
        fields[name] = value
    cpu = float(fields["User time (seconds)"]) + float(fields["System time (seconds)"])
    rss = int(fields["Maximum resident set size (kbytes)"]) / 1024
    log(f"  {label}: {wall:.2f} s wall, {cpu:.2f} s CPU, {rss:.0f} MiB peak RSS")
    size = None
    if output and os.path.isdir(output):
        size = sum(os.path.getsize(os.path.join(output, f)) for f in os.listdir(output))
    elif output:
        size = os.path.getsize(output)
    return Measurement(label, wall, cpu, rss, done.stdout.decode(), size, server_cpu)


def median_run(runs):
    ordered = sorted(runs, key=lambda m: m.wall)
    return ordered[len(ordered) // 2]


def paired(repeat, tool, baseline, prepare=None):
    """Alternates tool and baseline `repeat` times; returns the median run of each."""
    tools, bases = [], []
    for _ in range(repeat):
        for runs, run in ((tools, tool), (bases, baseline)):
            if prepare:
                prepare()
            runs.append(run())
    return median_run(tools), median_run(bases)


class Table:
    HEAD = ("run", "wall s", "MB/s", "points/s", "CPU s", "CPU s/GB", "cores busy", "peak RSS MiB", "size ratio",
            "vs baseline", "target", "")

    def __init__(self):
        self.rows = []
        self.verdicts = []
        self.limits = []

    def add(self, m, megabytes, points=None, size_ratio=None, baseline=None, target=None, higher=True,
            rss_limit=150, wire=False):
        """`target`: the least ratio of baseline wall / this wall (speed) for a pass. `wire`: the
        baseline only moves the bytes (curl), so a ratio near 1 means the wire is the limit."""
        mbps = megabytes / m.wall
        pps = f"{points / m.wall:,.0f}" if points else ""
        versus, goal, verdict = "", "", ""
        ratio = None
        if baseline is not None:
            ratio = baseline.wall / m.wall
            versus = f"{ratio:.2f}x {baseline.label}"
            if target is not None:
                goal = f">= {target:.2f}x"
                verdict = "pass" if ratio >= target else "MISS"
                self.verdicts.append((m.label, f"speed {ratio:.2f}x {goal}", verdict))
        # Busy cores: the client's CPU and the server's (both on this machine) over the wall time.
        busy = (m.cpu + m.server_cpu) / m.wall
        self.rows.append((m.label, f"{m.wall:.2f}", f"{mbps:,.0f}", pps, f"{m.cpu:.2f}",
                          f"{m.cpu / (megabytes / 1000):.2f}", f"{m.cpu / m.wall:.2f} + {m.server_cpu / m.wall:.2f}",
                          f"{m.rss_mib:.0f}", "" if size_ratio is None else f"{size_ratio:.3f}", versus, goal, verdict))
        if rss_limit is not None and not m.label.startswith("baseline"):
            self.verdicts.append((m.label, f"peak RSS {m.rss_mib:.0f} MiB < {rss_limit}",
                                  "pass" if m.rss_mib < rss_limit else "MISS"))
        if not m.label.startswith("baseline"):
            self.limits.append((m.label, limiting_resource(busy, wire and ratio is not None and ratio >= 0.9)))

    def note(self, label, text, verdict):
        self.verdicts.append((label, text, verdict))

    def render(self):
        # A Markdown table: a `|` inside a cell (`curl | zstd`) is escaped.
        cells = [[str(c).replace("|", "\\|") for c in row] for row in [self.HEAD] + self.rows]
        widths = [max(len(row[i]) for row in cells) for i in range(len(self.HEAD))]
        lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(cells[0], widths)) + " |",
                 "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
        lines += ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |" for row in cells[1:]]
        lines.append("")
        lines.append("targets:")
        lines += [f"  {v:4}  {label}: {text}" for label, text, v in self.verdicts]
        lines.append("")
        lines.append("limiting resource (cores busy = the tool's CPU + the server's, over the wall time):")
        lines += [f"  {label}: {text}" for label, text in self.limits]
        return "\n".join(lines)


def limiting_resource(busy, at_wire_speed):
    """What a run waited on, from its busy cores: every core busy means CPU; a ratio near 1 against
    a baseline that only moves bytes means the wire (the server and loopback); otherwise the stages
    waited on one another (or on the disk)."""
    cores = os.cpu_count()
    if at_wire_speed:
        return f"the wire: within 10% of the bytes-only baseline ({busy:.2f} of {cores} cores busy)"
    if busy >= 0.85 * cores:
        return f"CPU: {busy:.2f} of {cores} cores busy"
    return f"waiting: only {busy:.2f} of {cores} cores busy, stages wait on each other, the disk or the server"


def ensure_data(args, work):
    data = os.path.join(work, "data")
    os.makedirs(data, exist_ok=True)
    snapshot = os.path.join(data, f"snapshot-{args.snapshot_mib}MiB.bin")
    points = os.path.join(data, f"points-{args.points}x768.jsonl")
    maker = [sys.executable, os.path.join(HERE, "make_data.py")]
    if not args.skip_snapshot and not os.path.exists(snapshot):
        log(f"generating a {args.snapshot_mib} MiB snapshot-like file (once) ...")
        subprocess.run(maker + ["--snapshot", snapshot, "--size", str(args.snapshot_mib * MiB)], check=True)
    if not os.path.exists(points):
        log(f"generating {args.points} points of 768 dimensions (once) ...")
        subprocess.run(maker + ["--points", points, "--count", str(args.points)], check=True)
    return snapshot, points


def json_lines_bytes(path, count):
    size = 0
    with open(path, "rb") as f:
        for index, line in enumerate(f):
            if index == count:
                break
            size += len(line)
    return size


def tool_env(url, work):
    env = dict(os.environ)
    env.update(QDRANT_PRODUCTION_URL=url, QDRANT_LOCAL_URL=url, XDG_STATE_HOME=os.path.join(work, "state"),
               XDG_CACHE_HOME=os.path.join(work, "cache"), LOG_LEVEL="warning")
    env.pop("QDRANT_API_KEY", None)
    env.pop("QDRANT_LOCAL_API_KEY", None)
    return env


def clear(*paths):
    for path in paths:
        if os.path.isdir(path):
            shutil.rmtree(path)
        elif os.path.exists(path):
            os.remove(path)


def age_identity(work):
    """An identity file from age-keygen, and the `--encrypt-to` and `--identity` flags it gives."""
    path = os.path.join(work, "bench-identity.txt")
    if not os.path.exists(path):
        subprocess.run(["age-keygen", "-o", path], check=True, stderr=subprocess.DEVNULL)
    recipient = subprocess.run(["age-keygen", "-y", path], check=True, capture_output=True, text=True).stdout.strip()
    return ["--encrypt-to", recipient], ["--identity", path]


def encryption_cost(args, table, label, plain, encrypted, env, work, output, megabytes, points=None, prepare=None):
    """The same run with and without encryption, paired; the plain run is the baseline (no target:
    the issue asks for the cost, which the closing note reports)."""
    repeat = args.repeat_points if points else args.repeat
    tool, base = paired(repeat, lambda: measure(label + ", encrypted", encrypted, env, work, output),
                        lambda: measure(label + ", plain (encryption baseline)", plain, env, work, output), prepare)
    table.add(tool, megabytes, points, baseline=base)
    table.add(base, megabytes, points)


def snapshot_path(args, table, binary, server, snapshot, work):
    env = tool_env(server.url, work)
    size = os.path.getsize(snapshot)
    mb = size / 1e6
    out = os.path.join(work, "out")
    archive = os.path.join(out, "snap.qdrant.tar")
    base_file = os.path.join(work, "baseline.snapshot.zst")
    raw_file = os.path.join(work, "baseline.snapshot")
    u = server.url
    create_download_delete = (
        f"name=$(curl -sf -X POST '{u}/collections/snap/snapshots?wait=true' | sed -E 's/.*\"name\":\"([^\"]+)\".*/\\1/') && "
        f"curl -sf \"{u}/collections/snap/snapshots/$name\" {{sink}} && "
        f"curl -sf -X DELETE \"{u}/collections/snap/snapshots/$name\" > /dev/null")
    export = [binary, "export", "snap", "--method", "snapshot", "--output", out, "--overwrite", "--quiet"]

    def prepare():
        clear(archive, archive + ".sha256", base_file, raw_file)
        os.makedirs(out, exist_ok=True)

    log("snapshot export, compressed (zstd level 3), against curl | zstd -3 -T2:")
    tool, base = paired(args.repeat,
                        lambda: measure("export snapshot, zstd -3", export, env, work, archive),
                        lambda: measure("baseline curl | zstd -3 -T2", create_download_delete.format(
                            sink=f"| zstd -3 -T2 -q -o {base_file}"), env, work, base_file),
                        prepare)
    table.add(tool, mb, size_ratio=tool.size / size, baseline=base, target=0.9)
    table.add(base, mb, size_ratio=base.size / size)
    compressed_archive = os.path.join(work, "snap-compressed.qdrant.tar")
    measure("export snapshot, zstd -3 (for the import)", export, env, work)
    shutil.copy(archive, compressed_archive)

    log("snapshot export, uncompressed (stored zstd frames), against curl -o file:")
    tool, base = paired(args.repeat,
                        lambda: measure("export snapshot, stored", export + ["--compression-level", "0"], env, work,
                                        archive),
                        lambda: measure("baseline curl -o file", create_download_delete.format(sink=f"-o {raw_file}"),
                                        env, work),
                        prepare)
    table.add(tool, mb, size_ratio=tool.size / size, baseline=base, target=0.6, wire=True)
    table.add(base, mb, size_ratio=1.0)

    log("snapshot import (the compressed archive), against curl -F snapshot=@file:")
    # Into a collection that does not exist, for the tool and curl alike: `--overwrite` of an
    # existing one checks the whole archive before the upload (the --verify-first row).
    importing = [binary, "import", compressed_archive, "--target", "snap_restored", "--quiet"]
    upload = f"curl -sf -F snapshot=@{snapshot} '{u}/collections/snap_restored/snapshots/upload?priority=snapshot' > /dev/null"

    def no_target():
        subprocess.run(["curl", "-sf", "-X", "DELETE", f"{u}/collections/snap_restored"], check=True,
                       stdout=subprocess.DEVNULL)

    tool, base = paired(args.repeat, lambda: measure("import snapshot (checked as it streams)", importing, env, work),
                        lambda: measure("baseline curl -F", upload, env, work), no_target)
    table.add(tool, mb, baseline=base, target=0.8)
    table.add(base, mb)
    tool, base = paired(args.repeat, lambda: measure("import snapshot --verify-first", importing + ["--verify-first"],
                                                     env, work),
                        lambda: measure("baseline curl -F", upload, env, work), no_target)
    table.add(tool, mb, baseline=base)
    table.add(base, mb)

    log("snapshot export and import, encrypted (age, one X25519 recipient) against the same unencrypted:")
    seal, opening = age_identity(work)
    encryption_cost(args, table, "export snapshot, zstd -3", export, export + seal, env, work, archive, mb, prepare=prepare)
    encrypted_archive = os.path.join(work, "snap-encrypted.qdrant.tar")
    prepare()
    measure("export snapshot, encrypted (for the import)", export + seal, env, work)
    shutil.copy(archive, encrypted_archive)
    encryption_cost(args, table, "import snapshot", importing,
                    [binary, "import", encrypted_archive, "--target", "snap_restored", "--quiet"] + opening,
                    env, work, None, mb, prepare=no_target)
    clear(out, base_file, raw_file, encrypted_archive)


def subset_cost(args, table, binary, server, name, count, export, env, work, archive, mb):
    """A 5% sample against reading the collection (bare_scroll.py over the same pages: the sample
    must cost no more than 1.1x the scroll), and a redacted export against the same export plain
    (redaction at most 15% slower)."""
    sampled = export + ["--sample", "0.05"]
    scroll = [sys.executable, os.path.join(HERE, "bare_scroll.py"), server.url, name]
    tool, base = paired(args.repeat_points, lambda: measure(f"export {count:,} points, 5% sample", sampled, env, work, archive),
                        lambda: measure("baseline bare scroll of the same pages", scroll, env, work))
    table.add(tool, mb, count, baseline=base, target=1 / 1.1, wire=True)
    table.add(base, mb, count)
    key = os.path.join(work, "redaction.key")
    with open(key, "w") as file:
        file.write("benchmark-redaction-key")
    redacted = export + ["--drop-payload", "title", "--hash-payload", "category", "--hash-payload", "tags[]",
                         "--redaction-key-file", key]
    tool, base = paired(args.repeat_points, lambda: measure(f"export {count:,} points, redacted", redacted, env, work, archive),
                        lambda: measure(f"export {count:,} points (redaction baseline)", export, env, work, archive))
    table.add(tool, mb, count, baseline=base, target=1 / 1.15)
    table.add(base, mb, count)


def curl_page_fetch(server, name, work):
    """The command of the wire's speed for a points export: one curl process asking for every scroll
    page over one keep-alive connection, the offsets known beforehand, the bodies discarded. The
    offsets come from an untimed bare scroll, which also has the server build its pages."""
    offsets = os.path.join(work, f"{name}.offsets")
    subprocess.run([sys.executable, os.path.join(HERE, "bare_scroll.py"), server.url, name, "1000",
                    "--offsets", offsets], check=True, stdout=subprocess.DEVNULL)
    config = os.path.join(work, f"{name}.curl")
    with open(config, "w") as out, open(offsets) as lines:
        for index, offset in enumerate(lines):
            body = '{"limit":1000,"offset":%s,"with_payload":true,"with_vector":true}' % offset.strip()
            if index:
                out.write("next\n")
            out.write(f'url = "{server.url}/collections/{name}/points/scroll"\n'
                      'header = "Content-Type: application/json"\n'
                      'data-binary = "%s"\n'
                      'output = "/dev/null"\n'
                      'silent\nfail\n' % body.replace("\\", "\\\\").replace('"', '\\"'))
    return ["curl", "--config", config]


def points_path(args, table, binary, server, points_file, work, counts):
    env = tool_env(server.url, work)
    out = os.path.join(work, "out")
    client_dir = os.path.join(work, "qdrant-client")
    client_baseline = [sys.executable, os.path.join(HERE, "qdrant_client_baseline.py")]
    results = {}
    for count in counts:
        name = f"points_{count}"
        raw = json_lines_bytes(points_file, count)
        mb = raw / 1e6
        archive = os.path.join(out, f"{name}.qdrant.tar")
        export = [binary, "export", name, "--method", "scroll", "--output", out, "--overwrite", "--quiet"]
        importing = [binary, "import", archive, "--target", f"{name}_restored", "--overwrite", "--quiet"]
        clear(archive)
        os.makedirs(out, exist_ok=True)
        log(f"points export and import, {count} points ({mb:,.0f} MB of JSON):")
        # The wire's speed first: every page the export asks for, fetched by one curl process.
        page_fetch = curl_page_fetch(server, name, work)
        tool, base = paired(args.repeat_points, lambda: measure(f"export {count:,} points", export, env, work, archive),
                            lambda: measure("baseline curl page fetch (1 process, 1 connection)", page_fetch, env,
                                            work))
        table.add(tool, mb, count, size_ratio=tool.size / raw, baseline=base, target=0.8, wire=True)
        table.add(base, mb, count)
        # The official client's export at every size (5x at each is a target); its import, and the
        # rows that cost more time, at the largest only.
        def client_export():
            clear(client_dir)
            return measure("baseline qdrant-client (1 thread) export",
                           client_baseline + ["export", server.url, name, client_dir], env, work, client_dir)
        tool, base = paired(args.repeat_points,
                            lambda: measure(f"export {count:,} points", export, env, work, archive), client_export)
        ratio = tool.size / raw
        table.add(tool, mb, count, size_ratio=ratio, baseline=base, target=5.0)
        table.add(base, mb, count, size_ratio=base.size / raw)
        if count == max(counts):
            table.note(f"export {count:,} points", f"archive {ratio:.3f}x raw JSON <= 0.45",
                       "pass" if ratio <= 0.45 else "MISS")
            tool, base = paired(args.repeat_points, lambda: measure(f"import {count:,} points", importing, env, work),
                                lambda: measure("baseline qdrant-client (1 thread) import",
                                                client_baseline + ["import", server.url, f"{name}_client", client_dir],
                                                env, work))
            table.add(tool, mb, count, baseline=base, target=5.0)
            table.add(base, mb, count)
            clear(client_dir)
            subset_cost(args, table, binary, server, name, count, export, env, work, archive, mb)
            seal, opening = age_identity(work)
            encryption_cost(args, table, f"export {count:,} points", export, export + seal, env, work, archive, mb, count)
            encrypted_archive = os.path.join(work, f"{name}-encrypted.qdrant.tar")
            measure(f"export {count:,} points, encrypted (for the import)", export + seal, env, work)
            shutil.copy(archive, encrypted_archive)
            measure(f"export {count:,} points (plain, again)", export, env, work, archive)
            encryption_cost(args, table, f"import {count:,} points", importing,
                            [binary, "import", encrypted_archive, "--target", f"{name}_restored", "--overwrite",
                             "--quiet"] + opening, env, work, None, mb, count)
            clear(encrypted_archive)
        else:
            # zstd -3 beside the default level, for the choice of the default (Tests/Benchmarks/README.md).
            level3 = measure(f"export {count:,} points, zstd -3", export + ["--compression-level", "3"], env, work,
                             archive)
            table.add(level3, mb, count, size_ratio=level3.size / raw)
            table.add(measure(f"import {count:,} points", importing, env, work), mb, count)
        results[count] = archive
    return results


def incremental_path(args, table, binary, server, count, work):
    """A delta archive against a full one, when 1% of the points changed since (a quarter each by
    payload, by vector, deleted and new): its size, exporting it, and applying it with `import
    --onto` onto a copy imported from the full archive. The full export beside it reads the same
    changed state, so the two differ only in what they write."""
    env = tool_env(server.url, work)
    name = f"points_{count}"
    local = f"{name}_local"
    out = os.path.join(work, "out-incremental")
    clear(out)
    base, full, delta = (os.path.join(out, folder) for folder in ("base", "full", "delta"))
    for folder in (base, full, delta):
        os.makedirs(folder)

    def export(folder, extra=()):
        return [binary, "export", name, "--method", "scroll", "--output", folder, "--quiet", *extra]

    def control(path):
        urllib.request.urlopen(urllib.request.Request(f"{server.url}/__bench/collections/{path}", method="POST", data=b"")).read()

    log(f"incremental export of {count:,} points, 1% changed, and import --onto:")
    measure(f"export {count:,} points (the base)", export(base), env, work)
    base_archive = os.path.join(base, f"{name}.qdrant.tar")
    raw = json_lines_bytes(args.points_file, count)
    mb = raw / 1e6
    imported = measure(f"import {count:,} points (the local copy)", [binary, "import", base_archive, "--target", local,
                                                                     "--overwrite", "--quiet"], env, work)
    control(f"{local}/holds/{name}")
    control(f"{name}/changed")
    whole = measure(f"export {count:,} points, 1% changed, in full", export(full), env, work,
                    os.path.join(full, f"{name}.qdrant.tar"))
    incremental = measure(f"export {count:,} points, 1% changed, incremental", export(delta, ["--incremental-from", base_archive]),
                          env, work, os.path.join(delta, f"{name}.qdrant.tar"))
    table.add(incremental, mb, count, size_ratio=incremental.size / raw, baseline=whole, target=1 / 1.1)
    table.add(whole, mb, count, size_ratio=whole.size / raw)
    share = incremental.size / whole.size
    table.note(incremental.label, f"delta {incremental.size:,} B = {share:.4f}x the full archive <= 0.02",
               "pass" if share <= 0.02 else "MISS")
    onto = measure(f"import --onto of the delta ({count:,} points, 1% changed)",
                   [binary, "import", os.path.join(delta, f"{name}.qdrant.tar"), "--onto", local, "--quiet"], env, work)
    table.add(onto, mb, count, baseline=imported, target=20.0)
    table.add(imported, mb, count)
    clear(out)


def standin_path(args, table, binary, work, points_file):
    count = args.standin_points
    data_dir = os.path.join(work, "standin-data")
    clear(data_dir)
    os.makedirs(data_dir)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.path.join(ROOT, "Tests", "QdrantStandIn")
    server = Server("the stand-in", [sys.executable, "-m", "qdrant_standin", "--host", "127.0.0.1", "--port", "0",
                                     "--data-dir", data_dir, "--port-file", os.path.join(work, "standin.port")],
                    os.path.join(work, "standin.port"), cwd=os.path.join(ROOT, "Tests", "QdrantStandIn"), env=env)
    try:
        log(f"loading {count} points into the stand-in (not measured) ...")
        load = [sys.executable, os.path.join(HERE, "load_standin.py"), server.url, "points_standin", points_file,
                str(count)]
        subprocess.run(load, check=True)
        raw = json_lines_bytes(points_file, count)
        mb = raw / 1e6
        out = os.path.join(work, "out-standin")
        os.makedirs(out, exist_ok=True)
        export = [binary, "export", "points_standin", "--method", "scroll", "--output", out, "--overwrite", "--quiet"]
        bare = [sys.executable, os.path.join(HERE, "bare_scroll.py"), server.url, "points_standin", "1000"]
        log("on the stand-in: the tool's scroll export against a bare client that discards the pages:")
        env = tool_env(server.url, work)
        tool, base = paired(args.repeat_points, lambda: measure(f"stand-in: export {count:,} points", export, env, work),
                            lambda: measure("baseline stand-in bare scroll", bare, env, work))
        table.add(tool, mb, count, baseline=base, target=0.9)
        table.add(base, mb, count, rss_limit=None)

        # Issue 11: a full comparison (validate --full) against what it saves, a full re-import.
        archive = os.path.join(out, "points_standin.qdrant.tar")
        reimport = [binary, "import", archive, "--target", "points_standin_copy", "--overwrite", "--quiet"]
        full = [binary, "validate", "--full", "points_standin", "points_standin_copy", "--quiet"]
        log("on the stand-in: validate --full of an identical copy against a full re-import:")
        imported = measure(f"stand-in: full re-import {count:,} points", reimport, env, work)
        compared = measure(f"stand-in: validate --full {count:,} points", full, env, work)
        table.add(compared, mb, count, baseline=imported)
        table.add(imported, mb, count)
        clear(out)
    finally:
        server.stop()
        clear(data_dir)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "qdrant-backup"))
    parser.add_argument("--work-dir", default=os.path.join(os.environ.get("TMPDIR", "/tmp"), "qdrant-backup-bench"))
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run of a minute or two")
    parser.add_argument("--snapshot-mib", type=int, default=1024)
    parser.add_argument("--points", type=int, default=200_000)
    parser.add_argument("--small-points", type=int, default=50_000)
    parser.add_argument("--standin-points", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each snapshot pair (median kept)")
    parser.add_argument("--repeat-points", type=int, default=1, help="runs of each points pair (median kept)")
    parser.add_argument("--skip-snapshot", action="store_true")
    parser.add_argument("--skip-points", action="store_true")
    parser.add_argument("--skip-standin", action="store_true")
    parser.add_argument("--only-incremental", action="store_true",
                        help="only the rows of a delta archive (1%% changed) against a full one, at --points")
    args = parser.parse_args()
    if args.only_incremental:
        args.skip_snapshot = args.skip_standin = True
    if args.quick:
        args.snapshot_mib, args.points, args.small_points, args.standin_points = 128, 10_000, 4_000, 4_000
        args.repeat = 1
    binary = os.path.abspath(args.binary)
    work = os.path.abspath(args.work_dir)
    os.makedirs(work, exist_ok=True)
    snapshot, points_file = ensure_data(args, work)
    args.points_file = points_file

    start_load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    table = Table()
    counts = [args.points] if args.only_incremental else sorted({args.small_points, args.points})
    server_args = [sys.executable, os.path.join(HERE, "client_only_server.py"),
                   "--port-file", os.path.join(work, "client-only.port")]
    if not args.skip_snapshot:
        server_args += ["--snapshot", f"snap={snapshot}"]
    if not args.skip_points:
        server_args += [arg for c in counts for arg in ("--points", f"points_{c}={points_file}:{c}")]
        server_args += ["--changes", f"points_{args.points}=1"]
    log("starting the client-only server ...")
    server = Server("the client-only server", server_args, os.path.join(work, "client-only.port"))
    started = time.time()
    try:
        if not args.skip_snapshot:
            snapshot_path(args, table, binary, server, snapshot, work)
        if not args.skip_points:
            if not args.only_incremental:
                points_path(args, table, binary, server, points_file, work, counts)
            incremental_path(args, table, binary, server, args.points, work)
            rss = [r for r in table.rows if r[0].startswith(("export ", "import ")) and r[0].endswith(" points")]
            if len(rss) >= 2:
                rss_column = Table.HEAD.index("peak RSS MiB")
                table.note("points RSS", "peak RSS by size: " + ", ".join(f"{r[0]} {r[rss_column]} MiB" for r in rss), "info")
    finally:
        server.stop()
    if not args.skip_standin:
        standin_path(args, table, binary, work, points_file)

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    machine = (f"{os.cpu_count()} cores, {os.uname().sysname} {os.uname().release}; load average at the end "
               f"{load}, at the start {start_load}")
    print(f"\nqdrant-backup benchmark ({machine}; {time.time() - started:.0f} s; "
          f"snapshot {args.snapshot_mib} MiB, points {', '.join(map(str, counts))} x 768-d, "
          f"stand-in {args.standin_points}; median of {args.repeat} snapshot / {args.repeat_points} points runs)\n")
    print("speed ratio = baseline wall / this wall (higher is faster); size ratio = stored / raw bytes; "
          "points exports use the default level (1) unless the row says otherwise\n")
    print(table.render())


if __name__ == "__main__":
    main()
