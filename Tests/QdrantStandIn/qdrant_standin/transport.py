"""HTTP plumbing: request bodies (Content-Length or chunked, with the drop_request fault) and
response writing (with the stall and drop_response faults)."""

import socket
import time

from .errors import ApiError, ConnectionAborted

WRITE_CHUNK = 1 << 20


def abort_connection(handler) -> None:
    """Closes the client connection at once, mid-message."""
    handler.close_connection = True
    try:
        handler.wfile.flush()
    except OSError:
        pass
    try:
        handler.connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        handler.connection.close()
    except OSError:
        pass
    raise ConnectionAborted()


class BodyReader:
    """Streams a request body without holding it in memory."""

    def __init__(self, handler, drop_fault=None):
        self.handler = handler
        self.rfile = handler.rfile
        te = (handler.headers.get("Transfer-Encoding") or "").lower()
        self.chunked = "chunked" in te
        cl = handler.headers.get("Content-Length")
        self.remaining = None
        if not self.chunked:
            try:
                self.remaining = int(cl) if cl is not None else 0
            except ValueError:
                raise ApiError(400, "Bad request: invalid Content-Length") from None
        self.chunk_left = 0
        self.done = not self.chunked and self.remaining == 0
        self.consumed = 0
        self.drop_fault = drop_fault

    @property
    def declared_length(self):
        return None if self.chunked else self.remaining + self.consumed

    def _raw_read(self, n: int) -> bytes:
        if self.done:
            return b""
        if not self.chunked:
            n = self.remaining if n < 0 else min(n, self.remaining)
            data = self.rfile.read(n) if n else b""
            if len(data) < n:
                self.handler.close_connection = True
                raise ConnectionAborted()
            self.remaining -= len(data)
            if self.remaining == 0:
                self.done = True
            return data
        if self.chunk_left == 0:
            line = self.rfile.readline(65537)
            if not line:
                raise ConnectionAborted()
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise ApiError(400, "Bad request: invalid chunked encoding") from None
            if size == 0:
                while True:  # trailers
                    t = self.rfile.readline(65537)
                    if not t or t in (b"\r\n", b"\n"):
                        break
                self.done = True
                return b""
            self.chunk_left = size
        n = self.chunk_left if n < 0 else min(n, self.chunk_left)
        data = self.rfile.read(n)
        if len(data) < n:
            raise ConnectionAborted()
        self.chunk_left -= len(data)
        if self.chunk_left == 0:
            self.rfile.readline(3)  # CRLF after the chunk
        return data

    def read(self, n: int = WRITE_CHUNK) -> bytes:
        data = self._raw_read(n)
        if self.drop_fault is not None and data:
            limit = self.drop_fault.after_bytes
            if self.consumed + len(data) >= limit:
                self.consumed = limit
                abort_connection(self.handler)
        self.consumed += len(data)
        return data

    def read_all(self, limit: int) -> bytes:
        parts, total = [], 0
        while True:
            b = self.read(WRITE_CHUNK)
            if not b:
                break
            total += len(b)
            if total > limit:
                raise ApiError(413, f"Payload Too Large: request body is over {limit} bytes")
            parts.append(b)
        return b"".join(parts)

    def drain(self, limit: int = 1 << 20) -> bool:
        """Reads what is left (up to `limit`) so that the connection can be kept; False if not."""
        total = 0
        while not self.done:
            b = self._raw_read(64 * 1024)
            if not b:
                break
            total += len(b)
            if total > limit:
                return False
        return True


class ResponseWriter:
    """Writes a response body, applying a stall or a drop_response fault at their byte offsets."""

    def __init__(self, handler, stall=None, drop=None):
        self.handler = handler
        self.wfile = handler.wfile
        self.stall = stall
        self.drop = drop
        self.sent = 0
        self.stalled = False

    def _check_stall(self):
        if self.stall is not None and not self.stalled and self.sent >= self.stall.after_bytes:
            self.stalled = True
            self.wfile.flush()
            time.sleep(self.stall.seconds)

    def write(self, data) -> None:
        view = memoryview(data)
        while len(view):
            self._check_stall()
            n = len(view)
            if self.stall is not None and not self.stalled:
                n = min(n, self.stall.after_bytes - self.sent)
            if self.drop is not None:
                n = min(n, self.drop.after_bytes - self.sent)
                if n <= 0:
                    abort_connection(self.handler)
            self.wfile.write(view[:n])
            self.sent += n
            view = view[n:]
        self._check_stall()
        if self.drop is not None and self.sent >= self.drop.after_bytes:
            abort_connection(self.handler)
