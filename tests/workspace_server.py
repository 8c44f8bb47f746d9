"""A loopback HTTP server that answers the Databricks workspace REST calls the SDK makes.

Tests give it state (users, serving endpoints, ...) and scripted faults; the real databricks-sdk talks to it
over HTTP through DATABRICKS_HOST. Every request is recorded, headers included, so tests can check what was
sent and that credentials go only where they should.
"""

from __future__ import annotations

import json
import re
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Callable
from urllib.parse import parse_qs, urlsplit

from serving2apps.local_server import LoopbackHTTPServer


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    query: dict[str, str] = field(default_factory=dict)


@dataclass
class Reply:
    status: int
    body: dict | None = None
    headers: dict[str, str] = field(default_factory=dict)
    # Server-sent events instead of a JSON body: each chunk is written and flushed, after `delays[i]` seconds.
    events: list[bytes] | None = None
    delays: list[float] = field(default_factory=list)
    delay: float = 0.0  # before the reply starts (a slow model, a slow network)


Handler = Callable[["WorkspaceServer", Recorded, dict], Reply]


class WorkspaceServer(LoopbackHTTPServer):
    def __init__(self, token: str = "dapi-test-token"):
        self.token = token
        self.me = {"id": "1001", "userName": "migrator@example.com", "displayName": "Migrator"}
        self.requests: list[Recorded] = []
        self.routes: list[tuple[str, re.Pattern, Handler]] = []
        self.serving_endpoints: dict[str, dict] = {}
        self.experiments: dict[str, str] = {}  # path → id
        # (method, path) → replies to send before the normal route answers (fault injection).
        self.faults: dict[tuple[str, str], deque[Reply]] = {}
        self.workspace_id = "1234567890123456"
        # Paths the SDK reads without credentials.
        self.public_paths = {"/.well-known/databricks-config"}
        self.add_route("GET", "/api/2.0/preview/scim/v2/Me", lambda s, r, p: Reply(200, s.me))
        self.add_route(
            "GET",
            "/.well-known/databricks-config",
            lambda s, r, p: Reply(200, {"oidc_endpoint": f"{s.url}/oidc", "workspace_id": s.workspace_id}),
        )
        self.add_route("GET", "/api/2.0/serving-endpoints/{name}", _get_serving_endpoint)
        self.add_route("GET", "/api/2.0/serving-endpoints",
                       lambda s, r, p: Reply(200, {"endpoints": list(s.serving_endpoints.values())}))
        self.add_route("GET", "/api/2.0/mlflow/experiments/get-by-name", _get_experiment_by_name)
        self.add_route("POST", "/api/2.0/mlflow/experiments/create", _create_experiment)
        super().__init__(self._handler_class())

    def add_route(self, method: str, path: str, handler: Handler) -> None:
        """path may hold {placeholders}; the handler gets their values as a dict."""
        pattern = re.compile("^" + re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+)", re.escape(path)) + "$")
        self.routes.insert(0, (method, pattern, handler))

    def fail_next(self, method: str, path: str, *replies: Reply) -> None:
        self.faults.setdefault((method, path), deque()).extend(replies)

    def authenticated_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path not in self.public_paths]

    def _answer(self, request: Recorded) -> Reply:
        queued = self.faults.get((request.method, request.path))
        if queued:
            return queued.popleft()
        authorized = request.headers.get("authorization") == f"Bearer {self.token}"
        if not authorized and request.path not in self.public_paths:
            return Reply(401, {"error_code": "UNAUTHENTICATED", "message": "Invalid access token."})
        for method, pattern, handler in self.routes:
            match = pattern.match(request.path)
            if method == request.method and match:
                return handler(self, request, match.groupdict())
        return Reply(404, {"error_code": "ENDPOINT_NOT_FOUND", "message": f"No API found for {request.path}"})

    def _handler_class(self):
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive: clients reuse connections, as with a real workspace
            # Headers and body go out in separate writes: with Nagle's algorithm the body waits for the client's
            # (delayed) ACK of the headers, up to 40 ms a response on a kept-alive connection. Real servers do not.
            disable_nagle_algorithm = True

            def _serve(self):
                length = int(self.headers.get("content-length") or 0)
                request = Recorded(
                    method=self.command,
                    path=urlsplit(self.path).path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                    query={k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()},
                )
                server.requests.append(request)
                reply = server._answer(request)
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.events is not None:
                    self._send_events(reply)
                    return
                payload = json.dumps(reply.body if reply.body is not None else {}).encode()
                self.send_response(reply.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def _send_events(self, reply: Reply):
                # Chunked, so the connection stays open for the next request as real endpoints allow.
                self.send_response(reply.status)
                self.send_header("content-type", "text/event-stream")
                self.send_header("cache-control", "no-cache")
                self.send_header("transfer-encoding", "chunked")
                self.end_headers()
                for i, event in enumerate(reply.events):
                    if i < len(reply.delays) and reply.delays[i]:
                        time.sleep(reply.delays[i])
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(event), event))
                    self.wfile.flush()
                self.wfile.write(b"0\r\n\r\n")

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

            def log_message(self, *args):  # keep test output clean
                pass

        return _Handler


def _get_serving_endpoint(server: WorkspaceServer, request: Recorded, params: dict) -> Reply:
    endpoint = server.serving_endpoints.get(params["name"])
    if endpoint is None:
        return Reply(
            404,
            {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": f"Endpoint with name '{params['name']}' does not exist."},
        )
    return Reply(200, endpoint)


def custom_model_endpoint(name: str, entities: list[dict], routes: list[tuple[str, int]] | None = None) -> dict:
    """The JSON of GET /api/2.0/serving-endpoints/{name} for an endpoint serving registered models.

    entities: {"name", "entity_name", "entity_version", ...extra served-entity fields}.
    routes: (served entity name, traffic percentage); default: all traffic to the first entity.
    """
    routes = routes if routes is not None else [(entities[0]["name"], 100)]
    return {
        "name": name,
        "id": f"id-{name}",
        "task": "agent/v1/responses",
        "state": {"ready": "READY", "config_update": "NOT_UPDATING"},
        "config": {
            "config_version": 1,
            "served_entities": [
                {"workload_size": "Small", "scale_to_zero_enabled": True, "state": {"deployment": "DEPLOYMENT_READY"}, **e}
                for e in entities
            ],
            "traffic_config": {
                "routes": [{"served_entity_name": n, "served_model_name": n, "traffic_percentage": p} for n, p in routes]
            },
        },
    }


def _get_experiment_by_name(server: WorkspaceServer, request: Recorded, params: dict) -> Reply:
    name = request.query.get("experiment_name", "")
    if name not in server.experiments:
        return Reply(404, {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": f"Experiment '{name}' does not exist."})
    return Reply(200, {"experiment": {"experiment_id": server.experiments[name], "name": name,
                                      "lifecycle_stage": "active"}})


def _create_experiment(server: WorkspaceServer, request: Recorded, params: dict) -> Reply:
    name = json.loads(request.body)["name"]
    if name in server.experiments:
        return Reply(400, {"error_code": "RESOURCE_ALREADY_EXISTS", "message": f"Experiment '{name}' already exists."})
    server.experiments[name] = str(1000 + len(server.experiments))
    return Reply(200, {"experiment_id": server.experiments[name]})
