"""Start and stop real servers on loopback ports for the tests."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

from serving2apps.local_server import free_port, running_server


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
    with running_server(command, app_dir, full_env, log, base + "/health"):
        yield base
