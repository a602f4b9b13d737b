"""A tiny real HTTP server on loopback for what mocks cannot show: timeouts, resets and true concurrency.

It speaks just enough of the REST API (session, mutation by id) and takes a script of faults per request. The
full fake e-Boekhouden is the sandbox; this one stays small so each fault is deterministic.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeRest:
    """Serves ``POST/DELETE /v1/session`` and ``GET /v1/mutation/{id}``; faults are queued per path."""

    def __init__(self, *, delay: float = 0.0, cap: int | None = None, retry_after: str = "0") -> None:
        self.delay = delay
        self.cap = cap
        self.retry_after = retry_after
        self.faults: dict[str, deque[str]] = {}
        self.lock = threading.Lock()
        self.in_flight = 0
        self.peak = 0
        self.served: list[str] = []
        self.rate_limited = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def fault(self, path: str, *kinds: str) -> None:
        """Queue faults for the next requests to ``path``: ``reset``, ``reset_mid_body``, ``hang``, ``503``."""
        self.faults.setdefault(path, deque()).extend(kinds)

    def __enter__(self) -> FakeRest:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _next_fault(self, path: str) -> str | None:
        with self.lock:
            queue = self.faults.get(path)
            return queue.popleft() if queue else None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def _reset(self) -> None:
                # SO_LINGER 0 makes close() send a TCP reset instead of a clean end.
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
                self.close_connection = True

            def _send(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
                data = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self._send(200, {"token": "fake-session-token-123456", "expiresIn": 3600})

            def do_DELETE(self) -> None:
                self._send(204)

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                template = "/v1/mutation/{id}" if path.startswith("/v1/mutation/") else path
                fault = fake._next_fault(template)
                if fault == "reset":
                    self._reset()
                    return
                if fault == "hang":
                    time.sleep(1.0)
                    self._send(200, {})
                    return
                if fault == "503":
                    self._send(503, {"title": "Service Unavailable"})
                    return
                if fault == "reset_mid_body":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", "500")
                    self.end_headers()
                    self.wfile.write(b'{"id": 1, "type": ')
                    self.wfile.flush()
                    self._reset()
                    return
                with fake.lock:
                    fake.in_flight += 1
                    over_cap = fake.cap is not None and fake.in_flight > fake.cap
                    fake.peak = max(fake.peak, fake.in_flight)
                try:
                    if over_cap:
                        with fake.lock:
                            fake.rate_limited += 1
                        self._send(429, {"title": "Too many requests"}, {"Retry-After": fake.retry_after})
                        return
                    time.sleep(fake.delay)
                    mutation_id = int(path.rsplit("/", 1)[-1])
                    with fake.lock:
                        fake.served.append(path)
                    self._send(
                        200,
                        {"id": mutation_id, "type": 7, "date": "2025-01-01", "rows": [], "vat": []},
                    )
                finally:
                    with fake.lock:
                        fake.in_flight -= 1

        return Handler
