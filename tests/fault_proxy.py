"""A loopback HTTP proxy in front of a real server that breaks chosen requests, for fault injection."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

import httpx


class FaultProxy:
    """Forwards every request to `upstream`; requests for which `cut(method, path)` is true get their
    response headers and half of the body, then the connection is closed (a reset mid-download)."""

    def __init__(self, upstream: str, cut: Callable[[str, str], bool]):
        self.upstream = upstream.rstrip("/")
        self.cut = cut
        self.cut_count = 0
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=10)

    def _handler_class(self):
        proxy = self

        class _Handler(BaseHTTPRequestHandler):
            def _forward(self):
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                upstream = httpx.request(self.command, proxy.upstream + self.path, content=body, headers=headers, timeout=60)
                payload = upstream.content
                self.send_response(upstream.status_code)
                for name, value in upstream.headers.items():
                    if name.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                        self.send_header(name, value)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                if proxy.cut(self.command, self.path):
                    proxy.cut_count += 1
                    self.wfile.write(payload[: len(payload) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _forward

            def log_message(self, *args):
                pass

        return _Handler
