"""Fixtures of the dashboard's browser test: the Qdrant stand-in, `qdrant-backup serve` (the built
binary, `.build/debug/qdrant-backup`, or QDRANT_BACKUP_BINARY) and headless Chromium driven by
Selenium through Debian's chromedriver. Screenshots go to .build/test-artifacts/ui/."""
import json
import os
import pathlib
import re
import select
import shutil
import subprocess
import tempfile
import time
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / ".build" / "test-artifacts" / "ui"


def binary() -> pathlib.Path:
    path = pathlib.Path(os.environ.get("QDRANT_BACKUP_BINARY", ROOT / ".build" / "debug" / "qdrant-backup"))
    if not path.exists():
        pytest.fail(f"{path} does not exist: run `swift build` first (or set QDRANT_BACKUP_BINARY)")
    return path


def wait_for_line(process: subprocess.Popen, pattern: str, seconds: float = 60) -> re.Match:
    """Reads the process's stdout (unbuffered bytes) until a line matches; fails with what it
    printed otherwise."""
    deadline = time.monotonic() + seconds
    output = b""
    descriptor = process.stdout.fileno()
    while time.monotonic() < deadline:
        ready, _, _ = select.select([descriptor], [], [], 0.5)
        if ready:
            chunk = os.read(descriptor, 65536)
            if not chunk:
                break
            output += chunk
            for line in output.decode(errors="replace").splitlines():
                match = re.search(pattern, line)
                if match:
                    return match
        elif process.poll() is not None:
            break
    process.kill()
    pytest.fail(f"{process.args[0]} never printed /{pattern}/; it printed: {output.decode(errors='replace')[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class StandIn:
    """The Qdrant stand-in on a free loopback port, with a fresh data directory."""

    def __init__(self, directory: pathlib.Path):
        environment = dict(os.environ, PYTHONPATH=str(ROOT / "Tests" / "QdrantStandIn"))
        for name in ("QDRANT_STANDIN_API_KEY", "QDRANT_STANDIN_READ_ONLY_API_KEY"):
            environment.pop(name, None)
        self.process = subprocess.Popen(
            ["python3", "-m", "qdrant_standin", "--host", "127.0.0.1", "--port", "0", "--data-dir", str(directory),
             "--exit-with-parent"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, bufsize=0, env=environment)
        port = wait_for_line(self.process, r"listening on https?://[^:]+:(\d+)").group(1)
        self.url = f"http://127.0.0.1:{port}"
        # Keep draining its output so that a chatty stand-in never blocks on a full pipe.
        self.drain = subprocess.Popen(["cat"], stdin=self.process.stdout, stdout=subprocess.DEVNULL)

    def request(self, method: str, path: str, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read() or b"null")

    def create_collection(self, name: str, points: int, dimension: int = 8) -> None:
        self.request("PUT", f"/collections/{name}", {"vectors": {"size": dimension, "distance": "Cosine"}})
        for start in range(0, points, 500):
            batch = [{"id": index + 1, "vector": [((index * 7 + d) % 13) / 13 + 0.01 for d in range(dimension)],
                      "payload": {"title": f"document {index}"}}
                     for index in range(start, min(points, start + 500))]
            self.request("PUT", f"/collections/{name}/points?wait=true", {"points": batch})

    def slow_scrolls(self, seconds: float) -> None:
        """Every scroll waits `seconds` first, until the faults are cleared (which also ends the waits)."""
        self.request("POST", "/__standin/faults",
                     {"kind": "delay", "seconds": seconds, "path": "/points/scroll", "count": -1})

    def clear_faults(self) -> None:
        self.request("DELETE", "/__standin/faults")

    def stop(self) -> None:
        stop(self.process)


class Serve:
    """`qdrant-backup serve` with the stand-in as production and local, on a free port."""

    def __init__(self, stand_in: StandIn, home: pathlib.Path, token: str | None = None):
        self.archive_dir = home / "archives"
        environment = {name: value for name, value in os.environ.items()
                       if not name.startswith("QDRANT_") and not name.startswith("XDG_")}
        environment.update(HOME=str(home), XDG_STATE_HOME=str(home / "state"), XDG_CACHE_HOME=str(home / "cache"),
                           QDRANT_PRODUCTION_URL=stand_in.url, QDRANT_LOCAL_URL=stand_in.url)
        if token:
            environment["QDRANT_BACKUP_ADMIN_TOKEN"] = token
        self.token = token
        self.process = subprocess.Popen(
            [str(binary()), "serve", "--port", "0", "--archive-dir", str(self.archive_dir)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, bufsize=0, env=environment)
        self.url = wait_for_line(self.process, r"listening on (http://[^/\s]+)").group(1)
        self.drain = subprocess.Popen(["cat"], stdin=self.process.stdout, stdout=subprocess.DEVNULL)

    def api(self, method: str, path: str, body=None, token: str | None = None):
        """One API request; returns (status, headers, body text)."""
        headers = {"Content-Type": "application/json"} if method == "POST" else {}
        if token or self.token:
            headers["Authorization"] = f"Bearer {token or self.token}"
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()

    def stop(self) -> None:
        stop(self.process)


@pytest.fixture(scope="module")
def workspace():
    directory = pathlib.Path(tempfile.mkdtemp(prefix="dashboard-test-"))
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def stand_in(workspace):
    server = StandIn(workspace / "standin")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def serve(stand_in, workspace):
    server = Serve(stand_in, workspace / "serve")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def serve_with_token(stand_in, workspace):
    server = Serve(stand_in, workspace / "serve-token", token="dashboard-test-token-7f3a")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1280,900", "--force-device-scale-factor=1"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(60)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()
