"""Start and stop real servers on loopback ports for the tests."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from http.server import ThreadingHTTPServer
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, proc: subprocess.Popen, log: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"server exited with {proc.returncode} before answering {url}:\n{tail}")
        try:
            if httpx.get(url, timeout=1.0).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


@contextlib.contextmanager
def running_process(command: list[str], cwd: Path, env: dict[str, str], log: Path, health: str, timeout: float = 60):
    """Run a server process (output to `log`) until `health` answers; yield; then stop it."""
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until_up(health, proc, log, timeout)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class LoopbackHTTPServer:
    """A threaded http.server on a free loopback port, used as a context manager."""

    def __init__(self, handler_class):
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler_class)
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


@contextlib.contextmanager
def running_agent_app(app_dir: Path, log: Path, env: dict[str, str] | None = None):
    """Run the app's own start-server entry point (real uvicorn) on a free loopback port; yield its URL."""
    port = free_port()
    full_env = {
        **os.environ,
        "PYTHONPATH": str(app_dir),
        "MLFLOW_TRACKING_URI": f"sqlite:///{app_dir / 'traces.db'}",
        **(env or {}),
    }
    full_env.pop("DATABRICKS_APP_PORT", None)
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "agent_server.start_server", "--port", str(port)]
    with running_process(command, app_dir, full_env, log, base + "/health"):
        yield base
