"""A loopback HTTP proxy in front of a real server that breaks chosen requests, for fault injection."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler
from typing import Callable

import httpx

from serving2apps.local_server import LoopbackHTTPServer


class FaultProxy(LoopbackHTTPServer):
    """Forwards every request to `upstream`. `rewrite(method, path, body)` may change a response body (a
    malicious server); requests for which `cut(method, path)` is true get their response headers and half of
    the body, then the connection is closed (a reset mid-download); `refuse(method, path)` may return an HTTP
    status to answer with instead of forwarding (an expired token, say)."""

    def __init__(self, upstream: str, cut: Callable[[str, str], bool] = lambda m, p: False,
                 rewrite: Callable[[str, str, bytes], bytes] = lambda m, p, b: b,
                 refuse: Callable[[str, str], int | None] = lambda m, p: None):
        self.upstream = upstream.rstrip("/")
        self.cut = cut
        self.rewrite = rewrite
        self.refuse = refuse
        self.refused_count = 0
        self.cut_count = 0
        super().__init__(self._handler_class())

    def _handler_class(self):
        proxy = self

        class _Handler(BaseHTTPRequestHandler):
            def _forward(self):
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                status = proxy.refuse(self.command, self.path)
                if status is not None:
                    proxy.refused_count += 1
                    payload = b'{"error_code": "UNAUTHENTICATED", "message": "Token expired."}'
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                upstream = httpx.request(self.command, proxy.upstream + self.path, content=body, headers=headers, timeout=60)
                payload = proxy.rewrite(self.command, self.path, upstream.content)
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
