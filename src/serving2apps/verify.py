"""Verify a migrated app locally: serve it with its own start-server entry point on a loopback port, replay
the model's input example through /invocations (whole and streamed), and compare with what the original
model answers when loaded with mlflow.pyfunc.load_model.

Generated ids are ignored in the comparison. An agent that calls an LLM may answer differently each time, so a
difference is reported for review (S2A401), not treated as a failure; a server that does not start or does not
answer is an error.

Tracing is off on both sides: nothing is sent to the workspace, and no local trace store is built (MLflow takes
seconds to create one).
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

from serving2apps.codemod.findings import Finding
from serving2apps.errors import MigrationError
from serving2apps.local_server import ServerDidNotStart, free_port, running_server
from serving2apps.model_reader import read_model

DEFAULT_REQUEST = {"input": [{"role": "user", "content": "Hello!"}]}
_IDS = {"id", "item_id", "call_id", "trace_id"}
_SERVER_MODULES = ("mlflow.genai.agent_server", "uvicorn", "fastapi", "dotenv", "httpx")
_ORIGINAL = """
import json, sys
import mlflow
mlflow.tracing.disable()
model = mlflow.pyfunc.load_model(sys.argv[1])
request = json.loads(sys.argv[2])
answer = {"invoke": model.predict(request)}
try:
    answer["stream"] = list(model.predict_stream(request))
except NotImplementedError:
    answer["stream"] = None
print(json.dumps(answer, default=lambda o: o.model_dump(exclude_none=True) if hasattr(o, "model_dump") else str(o)))
"""


def app_python(app_dir: Path) -> list[str]:
    """How to run Python with the app's dependencies: this interpreter when it has them, else uv in the app."""
    if all(importlib.util.find_spec(m.split(".")[0]) for m in _SERVER_MODULES):
        with contextlib.suppress(ImportError):
            __import__("mlflow.genai.agent_server")
            return [sys.executable]
    if shutil.which("uv") is None:
        raise MigrationError(
            "cannot verify: this Python lacks the agent server's packages and uv is not installed",
            "install uv (pip install uv), or run `uv sync` in the app and verify from its environment",
        )
    return ["uv", "run", "--project", str(app_dir), "python"]


def _strip_ids(value):
    if isinstance(value, dict):
        return {k: _strip_ids(v) for k, v in value.items() if k not in _IDS and v is not None}
    if isinstance(value, list):
        return [_strip_ids(v) for v in value]
    return value


@contextlib.contextmanager
def _serving(python: list[str], app_dir: Path, env: dict, scratch: Path, timeout: float):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [*python, "-m", "agent_server.start_server", "--port", str(port), "--host", "127.0.0.1"]
    try:
        with running_server(command, app_dir, env, scratch / "server.log", base + "/health", timeout):
            yield base
    except ServerDidNotStart as exc:
        raise MigrationError(f"the migrated app did not start:\n{exc.log_tail}",
                             "run `uv run start-server` in the app to see the error") from None


def _stream_events(response) -> list[dict]:
    events = []
    for line in response.iter_lines():
        if line.startswith("data: ") and line != "data: [DONE]":
            events.append(json.loads(line[len("data: "):]))
    return events


def _parity_table(rows: list[tuple[str, int, int, bool]]) -> str:
    lines = [f"{'request':<26}{'original':>9}{'migrated':>9}  result"]
    for name, original, migrated, same in rows:
        lines.append(f"{name:<26}{original:>9}{migrated:>9}  {'same' if same else 'DIFFERENT'}")
    return "\n".join(lines)


def verify(app_dir: Path, model_dir: Path, timeout: float = 180, log=print) -> list[Finding]:
    app_dir, model_dir = Path(app_dir).resolve(), Path(model_dir).resolve()
    model = read_model(model_dir)
    request = json.loads((model_dir / model.input_example).read_text()) if model.input_example else DEFAULT_REQUEST
    agent_code = (app_dir / "agent_server" / "agent.py").read_text(errors="replace")
    if "custom_inputs" in agent_code and "custom_inputs" not in request:
        # The agent reads conversation state: exercise that path too.
        request = {**request, "custom_inputs": {"thread_id": "serving2apps-verify", "user_id": "serving2apps-verify"}}
    python = app_python(app_dir)
    with tempfile.TemporaryDirectory(prefix="serving2apps-verify-") as scratch:
        # No tracking URI: the app's start_server then turns tracing off (the original script does it itself).
        env = {**os.environ, "PYTHONPATH": str(app_dir), "MLFLOW_TRACKING_URI": ""}
        env.pop("DATABRICKS_APP_PORT", None)
        original = subprocess.run([*python, "-c", _ORIGINAL, str(model_dir), json.dumps(request)], cwd=scratch,
                                  env=env, capture_output=True, text=True, timeout=timeout)
        if original.returncode != 0:
            raise MigrationError(f"the original model did not answer its input example:\n{original.stderr[-2000:]}",
                                 "check that the model's dependencies are in the app's pyproject.toml")
        expected = json.loads(original.stdout.strip().splitlines()[-1])
        with _serving(python, app_dir, env, Path(scratch), timeout) as base:
            answer = httpx.post(base + "/invocations", json=request, timeout=timeout)
            with httpx.stream("POST", base + "/invocations", json={**request, "stream": True}, timeout=timeout) as s:
                events = _stream_events(s)
    if answer.status_code != 200:
        raise MigrationError(f"the migrated app answered /invocations with HTTP {answer.status_code}: {answer.text[:500]}",
                             "run `uv run start-server` in the app and send the input example to see the error")
    errors = [e for e in events if "error" in e]
    if errors:
        raise MigrationError(f"the migrated app's stream failed: {errors[0]['error']}",
                             "run `uv run start-server` in the app and stream the input example to see the error")
    findings = []
    same_invoke = _strip_ids(answer.json().get("output")) == _strip_ids(expected["invoke"].get("output"))
    done = [e["item"] for e in events if e.get("type") == "response.output_item.done"]
    original_done = ([e["item"] for e in expected["stream"] if e.get("type") == "response.output_item.done"]
                     if expected["stream"] is not None else expected["invoke"].get("output"))
    same_stream = _strip_ids(done) == _strip_ids(original_done)
    log(_parity_table([
        ("invoke (whole answer)", len(expected["invoke"].get("output") or []), len(answer.json().get("output") or []),
         same_invoke),
        ("stream (finished items)", len(original_done or []), len(done), same_stream),
    ]))
    if same_invoke and same_stream:
        findings.append(Finding("S2A400", "the migrated app answers the input example like the original, whole and streamed"))
    else:
        which = " and ".join(w for w, same in (("whole", same_invoke), ("streamed", same_stream)) if not same)
        findings.append(Finding("S2A401", f"the migrated app's {which} answer to the input example differs from the original's"))
    for f in findings:
        log(f"{f.code}: {f.message}")
    return findings
