"""A loopback HTTP server that answers the Databricks workspace REST calls the SDK makes.

Tests give it state (users, serving endpoints, ...) and scripted faults; the real databricks-sdk talks to it
over HTTP through DATABRICKS_HOST. Every request is recorded, headers included, so tests can check what was
sent and that credentials go only where they should.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable
from urllib.parse import urlsplit


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Reply:
    status: int
    body: dict | None = None
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[["WorkspaceServer", Recorded], Reply]


class WorkspaceServer:
    def __init__(self, token: str = "dapi-test-token"):
        self.token = token
        self.me = {"id": "1001", "userName": "migrator@example.com", "displayName": "Migrator"}
        self.requests: list[Recorded] = []
        self.routes: dict[tuple[str, str], Handler] = {}
        # (method, path) → replies to send before the normal route answers (fault injection).
        self.faults: dict[tuple[str, str], deque[Reply]] = {}
        self.workspace_id = "1234567890123456"
        # Paths the SDK reads without credentials.
        self.public_paths = {"/.well-known/databricks-config"}
        self.add_route("GET", "/api/2.0/preview/scim/v2/Me", lambda s, r: Reply(200, s.me))
        self.add_route(
            "GET",
            "/.well-known/databricks-config",
            lambda s, r: Reply(200, {"oidc_endpoint": f"{s.url}/oidc", "workspace_id": s.workspace_id}),
        )
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def add_route(self, method: str, path: str, handler: Handler) -> None:
        self.routes[(method, path)] = handler

    def fail_next(self, method: str, path: str, *replies: Reply) -> None:
        self.faults.setdefault((method, path), deque()).extend(replies)

    def authenticated_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path not in self.public_paths]

    def __enter__(self) -> WorkspaceServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=10)

    def _answer(self, request: Recorded) -> Reply:
        queued = self.faults.get((request.method, request.path))
        if queued:
            return queued.popleft()
        authorized = request.headers.get("authorization") == f"Bearer {self.token}"
        if not authorized and request.path not in self.public_paths:
            return Reply(401, {"error_code": "UNAUTHENTICATED", "message": "Invalid access token."})
        handler = self.routes.get((request.method, request.path))
        if handler is None:
            return Reply(404, {"error_code": "ENDPOINT_NOT_FOUND", "message": f"No API found for {request.path}"})
        return handler(self, request)

    def _handler_class(self):
        server = self

        class _Handler(BaseHTTPRequestHandler):
            def _serve(self):
                length = int(self.headers.get("content-length") or 0)
                request = Recorded(
                    method=self.command,
                    path=urlsplit(self.path).path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                )
                server.requests.append(request)
                reply = server._answer(request)
                payload = json.dumps(reply.body if reply.body is not None else {}).encode()
                self.send_response(reply.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

            def log_message(self, *args):  # keep test output clean
                pass

        return _Handler
