"""Test-only fault injection and request counters (real Qdrant has neither).

A fault is a JSON object:

    {"kind": "status",        "status": 503, "retry_after": 2, "count": 3, "path": "/points/scroll$", "method": "POST"}
    {"kind": "drop_response", "after_bytes": 1000, "count": 1, "path": "/snapshots/"}
    {"kind": "drop_request",  "after_bytes": 65536, "count": 1, "path": "/snapshots/upload"}
    {"kind": "delay",         "seconds": 1.5, "count": 1}
    {"kind": "stall",         "seconds": 10, "after_bytes": 0, "count": 1}

`path` is a regular expression searched in the request path (without the query string), `method`
an HTTP method; both optional (absent = any). `count` is how many matching requests the fault
applies to (default 1; `null` or a negative number = every matching request until cleared).
`skip` lets that many matching requests pass untouched before the fault starts (default 0), e.g.
to fail the third scroll page.
"""

import re
import threading
import time
from collections import Counter

KINDS = ("status", "drop_response", "drop_request", "delay", "stall")


class Fault:
    def __init__(self, spec: dict, fault_id: int):
        if not isinstance(spec, dict):
            raise ValueError("a fault must be a JSON object")
        kind = spec.get("kind")
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {', '.join(KINDS)}")
        self.id = fault_id
        self.kind = kind
        self.spec = dict(spec)
        self.path_re = re.compile(spec["path"]) if spec.get("path") else None
        self.method = spec["method"].upper() if spec.get("method") else None
        count = spec.get("count", 1)
        self.remaining = None if count is None or count < 0 else int(count)
        self.skip = int(spec.get("skip", 0))
        self.status = int(spec.get("status", 503))
        self.retry_after = spec.get("retry_after")
        self.body = spec.get("body")
        self.after_bytes = int(spec.get("after_bytes", 0))
        self.seconds = float(spec.get("seconds", 0))
        # Set when the faults are cleared: a delay held for a long time ends then, so a test can
        # hold a request for as long as it needs (however slow a loaded machine makes it) and
        # then let it go on.
        self.released = threading.Event()
        self.triggered = 0
        if kind == "status" and not 100 <= self.status <= 599:
            raise ValueError("status must be an HTTP status code")

    def matches(self, method: str, path: str) -> bool:
        if self.remaining == 0:
            return False
        if self.method is not None and self.method != method:
            return False
        return self.path_re is None or self.path_re.search(path) is not None

    def describe(self) -> dict:
        out = dict(self.spec)
        out["id"] = self.id
        out["remaining"] = self.remaining
        out["triggered"] = self.triggered
        return out


class FaultPlan:
    """The faults that will fire for one request, at most one of each kind."""

    def __init__(self, faults: dict):
        self.by_kind = faults

    def get(self, kind: str):
        return self.by_kind.get(kind)


class FaultSet:
    def __init__(self):
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._holding: list[Fault] = []  # delays in progress, released by clear()
        self._next_id = 1

    def add(self, payload) -> list[dict]:
        specs = payload.get("faults") if isinstance(payload, dict) and "faults" in payload else payload
        if isinstance(specs, dict):
            specs = [specs]
        if not isinstance(specs, list):
            raise ValueError('expected a fault object, a list of them, or {"faults": [...]}')
        with self._lock:
            added = []
            for spec in specs:
                fault = Fault(spec, self._next_id)
                self._next_id += 1
                self._faults.append(fault)
                added.append(fault.describe())
            return added

    def clear(self) -> None:
        with self._lock:
            for fault in self._faults + self._holding:
                fault.released.set()
            self._faults.clear()
            self._holding.clear()

    def hold(self, fault: Fault) -> None:
        """Waits out a delay fault: its seconds, or until the faults are cleared."""
        with self._lock:
            self._holding.append(fault)
        fault.released.wait(fault.seconds)
        with self._lock:
            if fault in self._holding:
                self._holding.remove(fault)

    def list(self) -> list[dict]:
        with self._lock:
            return [f.describe() for f in self._faults]

    def plan(self, method: str, path: str, stats: "Stats") -> FaultPlan:
        chosen = {}
        with self._lock:
            for fault in self._faults:
                if fault.kind in chosen or not fault.matches(method, path):
                    continue
                if fault.skip > 0:
                    fault.skip -= 1
                    continue
                if fault.remaining is not None:
                    fault.remaining -= 1
                fault.triggered += 1
                chosen[fault.kind] = fault
            self._faults = [f for f in self._faults if f.remaining != 0]
        for kind in chosen:
            stats.count_fault(kind)
        return FaultPlan(chosen)


class Stats:
    """Request counters: per route template, per method and concrete path, per fault kind; and the
    query parameters of the last request per method and concrete path (what a test asserts a client
    sent, such as a snapshot upload's `checksum`)."""

    def __init__(self):
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.started = time.time()
            self.total = 0
            self.by_route = Counter()
            self.by_path = Counter()
            self.by_status = Counter()
            self.faults = Counter()
            self.last_query = {}

    def count_request(self, method: str, path: str, route: str | None, query: dict | None = None) -> None:
        with self._lock:
            self.total += 1
            self.by_route[f"{method} {route or '(unknown)'}"] += 1
            self.by_path[f"{method} {path}"] += 1
            self.last_query[f"{method} {path}"] = dict(query or {})

    def count_status(self, status: int) -> None:
        with self._lock:
            self.by_status[str(status)] += 1

    def count_fault(self, kind: str) -> None:
        with self._lock:
            self.faults[kind] += 1

    def snapshot(self) -> dict:
        with self._lock:
            return {
                "since": self.started,
                "total": self.total,
                "by_route": dict(self.by_route),
                "by_path": dict(self.by_path),
                "by_status": dict(self.by_status),
                "faults_triggered": dict(self.faults),
                "last_query": dict(self.last_query),
            }
