"""Serves the agent with the MLflow agent server (`uv run start-server`), and a chat page at `/`.

Locally it listens on 127.0.0.1:8000; on Databricks Apps it binds every interface on DATABRICKS_APP_PORT, so
opening the app's URL in the workspace shows the chat page. The page is one static file (chat.html, no build
step, nothing downloaded at run time) at a path the agent server does not use: /invocations, /responses,
/health and the others answer as before.
"""

import argparse
import contextlib
import importlib.util
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from dotenv import load_dotenv

# Settings from .env must be in place before the agent module runs its start-up code.
load_dotenv(Path(__file__).resolve().parent.parent / ".env", override=False)

import uvicorn  # noqa: E402
from uvicorn.importer import import_from_string  # noqa: E402

if TYPE_CHECKING:
    from fastapi import FastAPI

# MLflow, the agent server and the agent are imported by build_app(), in the process that serves: a parent that only
# starts worker processes (`--workers N`) never imports them (seconds each), so the app is up in the time one
# import takes, not two.

NOTEBOOK_MODULES = ("dbruntime", "IPython")


def resolve_trace_experiment() -> None:
    """Look up the experiment the traces go to once, at start-up.

    MLflow resolves MLFLOW_EXPERIMENT_ID or MLFLOW_EXPERIMENT_NAME from the environment with a call to the tracking
    server every time a trace starts, and a trace starts on the server's event loop: every request then waited for
    one round trip to the workspace, one request at a time (measured at 128 concurrent clients: 24 requests/s with
    that lookup, 57 without). An experiment made active in the process is read from memory instead.

    If the lookup fails, this process does not trace: each request would otherwise repeat the failing call on the
    event loop (against an unreachable server, minutes of MLflow's retries per request).
    """
    import mlflow

    experiment_id = os.environ.get("MLFLOW_EXPERIMENT_ID")
    experiment_name = os.environ.get("MLFLOW_EXPERIMENT_NAME")
    if not (experiment_id or experiment_name):
        return
    try:
        with bounded_tracking_calls():
            if experiment_name:  # MLflow's own order: the name, when both are given
                mlflow.set_experiment(experiment_name=experiment_name)
            else:
                mlflow.set_experiment(experiment_id=experiment_id)
    except Exception as error:
        logging.getLogger(__name__).warning(
            "Traces are off in this server process: the experiment %s could not be looked up on %s (%s). Check "
            "MLFLOW_TRACKING_URI, the experiment and the app's permission on it, then restart the app.",
            experiment_name or experiment_id, os.environ["MLFLOW_TRACKING_URI"], error)
        mlflow.tracing.disable()


# MLflow's defaults retry an unreachable tracking server for minutes; at start-up the app would not listen meanwhile.
STARTUP_CALL_LIMITS = {"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "1", "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
                       "MLFLOW_HTTP_REQUEST_TIMEOUT": "10"}


@contextlib.contextmanager
def bounded_tracking_calls() -> Iterator[None]:
    """MLflow's calls to the tracking server in this block give up within seconds, unless the app set its own limits."""
    added = [name for name in STARTUP_CALL_LIMITS if name not in os.environ]
    os.environ.update({name: STARTUP_CALL_LIMITS[name] for name in added})
    try:
        yield
    finally:
        for name in added:
            del os.environ[name]


def remember_absent_notebook_modules() -> None:
    """Make the imports MLflow tries for each call to the tracking server fail at once.

    Before every request it sends (three or more per trace exported), MLflow asks whether it runs in a Databricks
    notebook or job by importing `dbruntime` and `IPython`. In an app they are absent, and a failed import is not
    remembered: each attempt searches every folder on sys.path again. Measured with py-spy under load, that search
    was 61% of the CPU the trace export threads used. A module that is None in sys.modules fails to import at once,
    as it did before (ModuleNotFoundError); a module that is installed is left alone.
    """
    for name in NOTEBOOK_MODULES:
        if name not in sys.modules and importlib.util.find_spec(name) is None:
            sys.modules[name] = None  # type: ignore[assignment]


SAMPLING_RATIO = "MLFLOW_TRACE_SAMPLING_RATIO"  # from the trace_sampling_ratio variable in databricks.yml


def check_sampling_ratio() -> None:
    """A share of requests to trace that is not a number from 0.0 to 1.0 means every request is traced, with a warning.

    That is what MLflow does with a number out of range; a value that is not a number (a typo, an empty variable)
    MLflow would take for no tracing at all, without a word.
    """
    value = os.environ.get(SAMPLING_RATIO)
    if value is None:
        return
    try:
        valid = 0.0 <= float(value) <= 1.0
    except ValueError:
        valid = False
    if not valid:
        logging.getLogger(__name__).warning(
            "%s is %r, not a share of requests from 0.0 to 1.0: every request is traced. Set the trace_sampling_ratio "
            "variable in databricks.yml to a number such as 0.05, then deploy again.", SAMPLING_RATIO, value)
        del os.environ[SAMPLING_RATIO]


CHAT_PAGE = Path(__file__).resolve().parent / "chat.html"


def build_app() -> "FastAPI":
    """The agent server's app with the chat page: imports the agent, so it runs in each process that serves."""
    import mlflow
    from fastapi.responses import HTMLResponse
    from mlflow.genai.agent_server import AgentServer

    from agent_server.chat_interface import add_chat_route

    if not os.environ.get("MLFLOW_TRACKING_URI"):
        # Traces go where the app is told to send them (the app's config in databricks.yml on Apps,
        # .env from `uv run quickstart` locally).
        # Told nothing, MLflow would build a local store in the working folder during the first request (seconds).
        mlflow.tracing.disable()
    else:
        check_sampling_ratio()
        resolve_trace_experiment()
        remember_absent_notebook_modules()

    import agent_server.agent  # importing it registers the @invoke/@stream functions

    built = AgentServer("ResponsesAgent").app
    if "/" in {getattr(route, "path", None) for route in built.routes}:
        raise RuntimeError("the agent server already answers GET /; the chat page would shadow it")
    built.add_api_route("/", lambda: HTMLResponse(CHAT_PAGE.read_text()), methods=["GET"], name="chat_page",
                        include_in_schema=False)
    # An agent migrated from ChatAgent or ChatModel also answers its old callers in the chat shapes.
    add_chat_route(built, agent_server.agent)
    return built


def __getattr__(name: str) -> "FastAPI":
    """`agent_server.start_server:app`, built on first use: by uvicorn, in the process that serves it."""
    if name != "app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    global app
    app = build_app()
    return app


def main(argv: list[str] | None = None, app_path: str = "agent_server.start_server:app") -> None:
    on_apps = "DATABRICKS_APP_PORT" in os.environ
    parser = argparse.ArgumentParser(description="Serve the agent with the MLflow agent server.")
    parser.add_argument("--host", default="0.0.0.0" if on_apps else "127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("DATABRICKS_APP_PORT", "8000")))
    # On Apps the command in databricks.yml passes --workers from the `workers` bundle variable, which serving2apps
    # sets to one process per vCPU of the app's compute size, or one when the agent keeps state in its process.
    # WEB_CONCURRENCY (uvicorn's own convention) is what apps rendered before template 2.0 set in app.yaml.
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY") or 1))
    parser.add_argument("--reload", action="store_true", help="restart when the code changes (development)")
    args = parser.parse_args(argv)
    if args.workers > 1 and not args.reload:
        # Each worker is a spawned process that first re-runs the parent's main module; worker_processes is light.
        os.execv(sys.executable, [sys.executable, "-m", "agent_server.worker_processes", app_path, "--host",
                                  args.host, "--port", str(args.port), "--workers", str(args.workers)])
    if not args.reload:
        # Built before uvicorn starts its event loop, as worker_processes does: the agent's import may run coroutines
        # to completion (asyncio.run at import), which raises inside a running loop, and uvicorn releases before 0.47
        # imported the app inside it. uvicorn then finds the built app on the module.
        import_from_string(app_path)
    # An import string, not the app object: uvicorn needs it for --reload.
    uvicorn.run(
        app_path,
        host=args.host,
        port=args.port,
        workers=args.workers,
        reload=args.reload,
    )


if __name__ == "__main__":
    main()
