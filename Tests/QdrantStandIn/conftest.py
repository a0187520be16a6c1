"""Starts the stand-in as a child process, the way a fixture in another language would."""

import os
import signal
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))

API_KEY = "test-full-key"
READ_ONLY_KEY = "test-read-only-key"


class StandIn:
    def __init__(self, tmp_path, *extra):
        self.data_dir = str(tmp_path / "data")
        port_file = str(tmp_path / "port")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "qdrant_standin", "--host", "127.0.0.1", "--port", "0",
             "--data-dir", self.data_dir, "--port-file", port_file, *extra],
            cwd=HERE, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()  # "listening on http://127.0.0.1:PORT" (https with --tls-cert)
        scheme = "https" if "--tls-cert" in extra else "http"
        assert line.startswith(f"listening on {scheme}://"), line
        with open(port_file) as f:
            self.port = int(f.read())
        assert line.strip().endswith(f":{self.port}")
        self.url = f"{scheme}://127.0.0.1:{self.port}"

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise
        assert self.proc.returncode == 0


@pytest.fixture(scope="module")
def standin(tmp_path_factory):
    s = StandIn(tmp_path_factory.mktemp("standin"))
    yield s
    s.stop()


@pytest.fixture(scope="module")
def secured(tmp_path_factory):
    s = StandIn(tmp_path_factory.mktemp("secured"), "--api-key", API_KEY,
                "--read-only-api-key", READ_ONLY_KEY)
    yield s
    s.stop()


@pytest.fixture(scope="module")
def clustered(tmp_path_factory):
    s = StandIn(tmp_path_factory.mktemp("clustered"), "--cluster-peers", "3")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def one_peer(tmp_path_factory):
    """A one-peer cluster: distributed mode on, every shard local (what shard keys need)."""
    s = StandIn(tmp_path_factory.mktemp("one_peer"), "--cluster-peers", "1")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def s3_snapshots(tmp_path_factory):
    s = StandIn(tmp_path_factory.mktemp("s3"), "--snapshots-storage", "s3")
    yield s
    s.stop()
