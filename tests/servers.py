"""Start and stop real servers on loopback ports for the tests."""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import shutil
import sys
import tempfile
from pathlib import Path

from serving2apps.local_server import free_port, running_server


@functools.cache
def _made_trace_store() -> Path:
    """An MLflow tracking database with its tables made, once per test run."""
    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore

    folder = Path(tempfile.mkdtemp(prefix="serving2apps-tests-traces-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    SqlAlchemyStore(f"sqlite:///{folder / 'traces.db'}", str(folder / "artifacts"))
    return folder / "traces.db"


def trace_store(app_dir: Path) -> dict[str, str]:
    """The environment that sends an app's traces to traces.db in its folder. A server given a new database
    spends 10-30 s making MLflow's tables before its first request; a copy of one made once does not."""
    target = app_dir / "traces.db"
    if not target.exists():
        shutil.copyfile(_made_trace_store(), target)
    return {"MLFLOW_TRACKING_URI": f"sqlite:///{target}"}


@contextlib.contextmanager
def running_agent_app(app_dir: Path, log: Path, env: dict[str, str] | None = None):
    """Run the app's own start-server entry point (real uvicorn) on a free loopback port; yield its URL."""
    port = free_port()
    full_env = {
        **os.environ,
        "PYTHONPATH": str(app_dir),
        **(env if env and "MLFLOW_TRACKING_URI" in env else trace_store(app_dir)),
        **(env or {}),
    }
    full_env.pop("DATABRICKS_APP_PORT", None)
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "agent_server.start_server", "--port", str(port)]
    with running_server(command, app_dir, full_env, log, base + "/health"):
        yield base
