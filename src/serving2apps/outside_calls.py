"""Calls that bypass the workspace host (a hard-coded URL, another provider): verify can neither record nor replay
them, so it lists them. Both sides run with this forward proxy as HTTP_PROXY/HTTPS_PROXY (the loopback recording
and replay servers are exempt through NO_PROXY); it passes every call on unchanged, HTTPS as an opaque CONNECT
tunnel, and counts the hosts.

Not seen: clients that ignore the proxy variables (aiohttp without trust_env, raw sockets, gRPC).
"""

from __future__ import annotations

import select
import socket
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlsplit

import httpx

from serving2apps.local_server import LoopbackHTTPServer

_HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "proxy-authorization", "transfer-encoding", "te",
               "trailer", "upgrade", "content-length", "host"}


class OutsideCallsProxy(LoopbackHTTPServer):
    def __init__(self):
        self.hosts: Counter[str] = Counter()
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_CONNECT(self):
                host, _, port = self.path.rpartition(":")
                proxy.seen(host)
                try:
                    upstream = socket.create_connection((host, int(port or 443)), timeout=30)
                except OSError as exc:
                    self.send_error(502, f"cannot reach {self.path}: {exc}")
                    return
                self.send_response(200, "Connection Established")
                self.end_headers()
                _relay(self.connection, upstream)
                self.close_connection = True

            def _forward(self):
                target = urlsplit(self.path)
                proxy.seen(target.hostname or "")
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
                try:
                    answer = httpx.request(self.command, self.path, content=body, headers=headers, timeout=60)
                except httpx.HTTPError as exc:
                    self.send_error(502, f"cannot reach {target.netloc}: {exc}")
                    return
                self.send_response(answer.status_code)
                for name, value in answer.headers.items():
                    if name.lower() not in _HOP_BY_HOP | {"content-encoding"}:
                        self.send_header(name, value)
                self.send_header("content-length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _forward

            def log_message(self, *args):  # the agent's calls are not the user's log
                pass

        super().__init__(Handler)

    def seen(self, host: str) -> None:
        with self._lock:
            self.hosts[host] += 1

    def environment(self) -> dict[str, str]:
        """The variables that send a process's HTTP clients through this proxy, loopback servers excepted."""
        # uv (when verify runs the app through `uv run`) may reach the package index: not the agent's call.
        values = {"HTTP_PROXY": self.url, "HTTPS_PROXY": self.url,
                  "NO_PROXY": "127.0.0.1,pypi.org,files.pythonhosted.org"}
        return {**values, **{k.lower(): v for k, v in values.items()}}


def _relay(client: socket.socket, upstream: socket.socket) -> None:
    sockets = [client, upstream]
    try:
        while True:
            readable, _, failed = select.select(sockets, [], sockets, 60)
            if failed or not readable:
                return
            for source in readable:
                data = source.recv(65536)
                if not data:
                    return
                (upstream if source is client else client).sendall(data)
    except OSError:
        return
    finally:
        upstream.close()
