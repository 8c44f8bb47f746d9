"""Loopback servers: a server process run until its health URL answers, then stopped (verify runs the app so), and
an in-process threaded HTTP server on a free port (verify's recording and replay servers, the tests' fakes)."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import threading
import time
from http.server import ThreadingHTTPServer
from pathlib import Path

import httpx


class ServerDidNotStart(Exception):
    def __init__(self, url: str, returncode: int | None, log: Path):
        self.log_tail = log.read_text(errors="replace")[-3000:]
        state = f"exited with {returncode}" if returncode is not None else "did not answer in time"
        super().__init__(f"the server {state} before answering {url} (log: {log}):\n{self.log_tail}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_server(command: list[str], cwd: Path, env: dict[str, str], log: Path, health: str, timeout: float = 60):
    """Start `command` (output to `log`), wait until `health` answers below 500, yield the process, stop it."""
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise ServerDidNotStart(health, proc.poll(), log)
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(health, timeout=2).status_code < 500:
                    break
            time.sleep(0.2)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class _Server(ThreadingHTTPServer):
    # The default backlog (5) resets connections when many clients connect at once (benchmarks, load tests).
    request_queue_size = 1024
    daemon_threads = True


class LoopbackHTTPServer:
    """A threaded http.server on a free loopback port, used as a context manager."""

    def __init__(self, handler_class):
        self._httpd = _Server(("127.0.0.1", 0), handler_class)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=10)
