"""Calls that bypass the workspace host (a hard-coded URL, another provider): verify can neither record nor replay
them, so it lists them. Both sides run with this forward proxy as HTTP_PROXY/HTTPS_PROXY (the loopback recording
and replay servers are exempt through NO_PROXY); it passes every call on unchanged, HTTPS as an opaque CONNECT
tunnel, and counts the hosts.

Clients that ignore the proxy variables (aiohttp without trust_env, raw sockets) are seen another way: both sides
also start with a sitecustomize that adds an audit hook on `socket.connect` and notes every connection made to a
resolved host name (socket.getaddrinfo is wrapped to remember which name gave which address and port) or to an
address that is not loopback. verify's own servers are reached by their loopback address, never by a name, and a
proxied call connects to the loopback proxy only, so neither is counted.

Not seen: connections made outside Python's socket module (gRPC's C core, a subprocess in another language).
"""

from __future__ import annotations

import os
import select
import shutil
import socket
import tempfile
import threading
from collections import Counter
from pathlib import Path
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlsplit

import httpx

from serving2apps.local_server import LoopbackHTTPServer

_HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "proxy-authorization", "transfer-encoding", "te",
               "trailer", "upgrade", "content-length", "host"}


# Started in both sides' processes (first on PYTHONPATH); runs the environment's own sitecustomize after itself.
_WATCHER = """
import ipaddress, os, socket, sys

_log = os.environ.get("SERVING2APPS_DIRECT_CALLS")
_names = {}  # (address, port) -> the host name it was resolved from
_resolve = socket.getaddrinfo


def _literal(host):
    try:
        ipaddress.ip_address(host.split("%")[0])
        return True
    except ValueError:
        return False


def _getaddrinfo(host, *args, **kwargs):
    found = _resolve(host, *args, **kwargs)
    name = host.decode() if isinstance(host, bytes) else host
    if isinstance(name, str) and not _literal(name):
        for *_, address in found:
            _names[address[:2]] = name
    return found


def _audit(event, args):
    if event != "socket.connect" or not _log or not isinstance(args[1], tuple):
        return  # another event, or a Unix socket
    address = args[1][:2]
    name = _names.get(address)
    if name is None:
        try:
            if ipaddress.ip_address(address[0].split("%")[0]).is_loopback:
                return  # verify's own servers (and the proxy), which are always named by their loopback address
        except ValueError:
            return
    with open(_log, "a") as log:
        log.write((name or address[0]) + "\\n")


socket.getaddrinfo = _getaddrinfo
sys.addaudithook(_audit)
here = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [entry for entry in sys.path if os.path.abspath(entry or ".") != here]
del sys.modules["sitecustomize"]
try:
    import sitecustomize  # noqa: F401  the environment's own, if it has one
except ImportError:
    pass
"""


class OutsideCallsProxy(LoopbackHTTPServer):
    def __init__(self):
        self.hosts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._folder = Path(tempfile.mkdtemp(prefix="serving2apps-outside-"))
        (self._folder / "sitecustomize.py").write_text(_WATCHER)
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

    def environment(self, python_path: str = "") -> dict[str, str]:
        """The variables that send a process's HTTP clients through this proxy, loopback servers excepted, and start
        the watcher of direct connections in its Python (before `python_path`)."""
        # uv (when verify runs the app through `uv run`) may reach the package index: not the agent's call.
        values = {"HTTP_PROXY": self.url, "HTTPS_PROXY": self.url,
                  "NO_PROXY": "127.0.0.1,pypi.org,files.pythonhosted.org"}
        return {**values, **{k.lower(): v for k, v in values.items()},
                "PYTHONPATH": os.pathsep.join(filter(None, [str(self._folder), python_path])),
                "SERVING2APPS_DIRECT_CALLS": str(self._folder / "direct-calls.log")}

    def __exit__(self, *exc) -> None:
        super().__exit__(*exc)
        log = self._folder / "direct-calls.log"
        if log.exists():
            self.hosts.update(line for line in log.read_text().splitlines() if line)
        shutil.rmtree(self._folder, ignore_errors=True)


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
