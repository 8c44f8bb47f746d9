"""A real MLflow tracking server with a model registry (sqlite) on a loopback port, and helpers that log and
register fixture agents to it the way users log theirs."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path

from serving2apps.local_server import free_port, running_server

from example import echo

INPUT_EXAMPLE = echo.INPUT_EXAMPLE


@contextlib.contextmanager
def running_mlflow_server(workdir: Path, niceness: int = 0):
    """`niceness` lowers the server's CPU priority: a benchmark's stand-in for a service on other machines takes
    only the CPU the measured process leaves."""
    port = free_port()
    command = [
        *(["nice", "-n", str(niceness)] if niceness else []),
        sys.executable, "-m", "mlflow", "server",
        "--backend-store-uri", f"sqlite:///{workdir / 'mlflow.db'}",
        "--artifacts-destination", str(workdir / "artifacts"),
        "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
    ]
    # MLflow's server starts a job runner (seven huey consumer processes polling their queue) unless told not to:
    # measured idle, 19.9 CPU-seconds in 10 s on a 2-core machine, taken from whatever runs beside it. Nothing here
    # runs server-side jobs.
    env = {**os.environ, "MLFLOW_TRACKING_URI": "", "MLFLOW_REGISTRY_URI": "",
           "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
    url = f"http://127.0.0.1:{port}"
    with running_server(command, workdir, env, workdir / "mlflow-server.log", url + "/health", timeout=120):
        yield url


def log_agent(tracking_uri: str, registered_name: str, source: Path = echo.SOURCE, **log_kwargs) -> str:
    """Log <source>/agent.py from code and register it; returns the new version."""
    import mlflow

    # Log from a neutral folder: mlflow copies the uv project it finds in the working directory into the model.
    with contextlib.chdir(tempfile.mkdtemp()):
        return _log(mlflow, source, tracking_uri, registered_name, **log_kwargs)


def _log(mlflow, source: Path, tracking_uri: str, registered_name: str, **log_kwargs) -> str:
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_registry_uri(tracking_uri)
    mlflow.set_experiment("serving2apps-fixtures")
    with mlflow.start_run():
        info = mlflow.pyfunc.log_model(
            name="agent",
            python_model=str(source / "agent.py"),
            registered_model_name=registered_name,
            pip_requirements=["mlflow"],
            await_registration_for=0,
            **log_kwargs,
        )
    return str(info.registered_model_version)
