#!/usr/bin/env python3
"""A small HTTP server for the transport tests: large streamed bodies, Range, error statuses,
dropped connections and stalls. Standard library only. Prints "PORT <n>" once it listens."""
import hashlib
import json
import os
import random
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

BLOCK_SIZE = 1 << 20


def block(seed: int) -> bytes:
    return random.Random(seed).randbytes(BLOCK_SIZE)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def query(self):
        return {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}

    def route(self):
        return urlparse(self.path).path

    def reply_json(self, status, obj, extra=()):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        q, path = self.query(), self.route()
        if path == "/block":
            data = block(int(q.get("seed", "1")))
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        elif path == "/bytes":
            self.send_bytes(int(q["size"]), int(q.get("seed", "1")), int(q.get("drop_after", "-1")))
        elif path.startswith("/status/"):
            code = int(path.rsplit("/", 1)[1])
            if code == 401:
                body = b"Must provide an API key or an Authorization bearer token"
                self.send_response(401)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            else:
                extra = [("Retry-After", q["retry_after"])] if "retry_after" in q else []
                self.reply_json(code, {"status": {"error": q.get("message", "Not found: Collection `x` doesn't exist!")},
                                       "time": 0.0}, extra)
        elif path == "/stall":
            self.send_response(200)
            self.send_header("Content-Length", "1000000")
            self.end_headers()
            self.wfile.write(b"x" * 10)
            self.wfile.flush()
            time.sleep(float(q.get("seconds", "30")))
        elif path == "/headers":
            self.reply_json(200, {k.lower(): v for k, v in self.headers.items()})
        else:
            self.reply_json(404, {"status": {"error": "no route"}, "time": 0.0})

    def send_bytes(self, size, seed, drop_after):
        data = block(seed)
        start = 0
        status = 200
        range_header = self.headers.get("Range")
        if range_header and range_header.startswith("bytes="):
            start = int(range_header[6:].split("-")[0])
            status = 206
        self.send_response(status)
        self.send_header("Content-Length", str(size - start))
        self.send_header("Accept-Ranges", "bytes")
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{size - 1}/{size}")
        self.end_headers()
        position = start
        while position < size:
            offset = position % BLOCK_SIZE
            chunk = data[offset:offset + min(BLOCK_SIZE - offset, size - position)]
            if drop_after >= 0 and position + len(chunk) > drop_after:
                self.wfile.write(chunk[:drop_after - position])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(2)
                return
            self.wfile.write(chunk)
            position += len(chunk)

    def read_body(self):
        """Yields the request body in pieces, for Content-Length and chunked bodies alike."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while True:
                size = int(self.rfile.readline().strip(), 16)
                if size == 0:
                    self.rfile.readline()
                    return
                yield self.rfile.read(size)
                self.rfile.readline()
        remaining = int(self.headers.get("Content-Length", "0"))
        while remaining > 0:
            piece = self.rfile.read(min(remaining, BLOCK_SIZE))
            if not piece:
                return
            remaining -= len(piece)
            yield piece

    def do_POST(self):
        self.do_PUT()

    def do_PUT(self):
        path = self.route()
        if path == "/upload":
            whole = hashlib.sha256()
            part = hashlib.sha256()
            length = 0
            content_type = self.headers.get("Content-Type", "")
            boundary = content_type.split("boundary=", 1)[1] if "boundary=" in content_type else None
            epilogue_len = len(f"\r\n--{boundary}--\r\n") if boundary else 0
            head = b""
            in_part = boundary is None
            tail = b""
            for piece in self.read_body():
                whole.update(piece)
                length += len(piece)
                if not in_part:
                    head += piece
                    end = head.find(b"\r\n\r\n")
                    if end < 0:
                        continue
                    in_part = True
                    piece = head[end + 4:]
                tail += piece
                if len(tail) > epilogue_len:
                    part.update(tail[:len(tail) - epilogue_len])
                    tail = tail[len(tail) - epilogue_len:]
            self.reply_json(200, {"length": length, "sha256": whole.hexdigest(), "part_sha256": part.hexdigest(),
                                  "expect": self.headers.get("Expect"), "api_key": self.headers.get("api-key"),
                                  "method": self.command})
        elif path == "/echo":
            body = b"".join(self.read_body())
            self.send_response(200)
            self.send_header("Content-Type", self.headers.get("Content-Type", "application/octet-stream"))
            self.send_header("Content-Length", str(len(body)))
            self.send_header("X-Method", self.command)
            self.end_headers()
            self.wfile.write(body)
        else:
            self.reply_json(404, {"status": {"error": "no route"}, "time": 0.0})

    def do_DELETE(self):
        self.reply_json(200, {"result": True, "status": "ok", "time": 0.0}, [("X-Method", "DELETE")])


if __name__ == "__main__":
    # A child of a Swift test process inherits its blocked signals; SIGTERM must reach us.
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    parent = os.getppid()

    def exit_with_parent():
        # No orphan after a killed test run: stop when the test process is gone.
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=exit_with_parent, daemon=True).start()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()
