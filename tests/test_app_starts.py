"""The rendered scaffold serves an agent with the real MLflow agent server under real uvicorn."""

import json
import textwrap
from pathlib import Path

import httpx
import pytest

from engines import render_bundle_init
from servers import running_agent_app, trace_store

ECHO_AGENT = textwrap.dedent(
    '''
    from mlflow.genai.agent_server import invoke, stream
    from mlflow.types.responses import (
        ResponsesAgentRequest,
        ResponsesAgentResponse,
        create_text_delta,
        create_text_output_item,
    )

    from agent_server.utils import get_session_id


    def _reply(request):
        text = request.input[-1].content if isinstance(request.input[-1].content, str) else "?"
        return f"echo: {text} (session {get_session_id(request)})"


    @invoke()
    def answer(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        return ResponsesAgentResponse(output=[create_text_output_item(_reply(request), "m1")])


    @stream()
    def answer_stream(request: ResponsesAgentRequest):
        text = _reply(request)
        for word in text.split(" "):
            yield {**create_text_delta(word + " ", "m1")}
        yield {"type": "response.output_item.done", "item": create_text_output_item(text, "m1")}
    '''
)

REQUEST = {"input": [{"role": "user", "content": "hi"}], "custom_inputs": {"thread_id": "t-1"}}


@pytest.fixture
def app_dir(go_renderer, tmp_path):
    assert render_bundle_init(go_renderer, {"app_name": "echo-app"}, tmp_path).returncode == 0
    return tmp_path / "echo-app"


def test_scaffold_serves_health_and_invocations(app_dir, tmp_path):
    (app_dir / "agent_server" / "agent.py").write_text(ECHO_AGENT)
    with running_agent_app(app_dir, tmp_path / "server.log") as base:
        assert httpx.get(base + "/health").json() == {"status": "healthy"}

        answer = httpx.post(base + "/invocations", json=REQUEST, timeout=30)
        assert answer.status_code == 200, answer.text
        assert answer.json()["output"][0]["content"][0]["text"] == "echo: hi (session t-1)"

        with httpx.stream("POST", base + "/invocations", json={**REQUEST, "stream": True}, timeout=30) as events:
            lines = [line for line in events.iter_lines() if line.startswith("data: ")]
        assert lines[-1] == "data: [DONE]"
        chunks = [json.loads(line[len("data: ") :]) for line in lines[:-1]]
        deltas = "".join(c["delta"] for c in chunks if c["type"] == "response.output_text.delta")
        assert deltas.strip() == "echo: hi (session t-1)"
        assert chunks[-1]["type"] == "response.output_item.done"


def test_placeholder_agent_registers_nothing(app_dir, tmp_path):
    with running_agent_app(app_dir, tmp_path / "server.log") as base:
        answer = httpx.post(base + "/invocations", json=REQUEST, timeout=30)
    assert answer.status_code == 500
    assert "No invoke function registered" in answer.text


def test_server_loads_dotenv_before_the_agent(app_dir, tmp_path):
    (app_dir / ".env").write_text("ECHO_PREFIX=from-dotenv\n")
    # The agent reads the setting at import time, as module-level set-up code does.
    (app_dir / "agent_server" / "agent.py").write_text(
        "import os\nPREFIX = os.environ['ECHO_PREFIX']\n" + ECHO_AGENT.replace('return f"echo:', 'return PREFIX + f" echo:')
    )
    with running_agent_app(app_dir, tmp_path / "server.log") as base:
        answer = httpx.post(base + "/invocations", json=REQUEST, timeout=30)
    assert answer.json()["output"][0]["content"][0]["text"].startswith("from-dotenv echo: hi")


def test_with_no_tracking_uri_traces_are_off_and_nothing_is_created_in_the_app(app_dir, tmp_path):
    """Not told where to trace (no .env yet, not on Apps), the server does not build a local trace store in the
    working folder during the first request; told (the fixture's sqlite URI, the app's config on Apps), it traces there."""
    import os

    (app_dir / "agent_server" / "agent.py").write_text(ECHO_AGENT)
    before = {p.name for p in app_dir.iterdir()}
    untold = {k: "" for k in os.environ if k.startswith("MLFLOW_")} | {"MLFLOW_TRACKING_URI": ""}
    with running_agent_app(app_dir, tmp_path / "server.log", env=untold) as base:
        assert httpx.post(base + "/invocations", json=REQUEST, timeout=30).status_code == 200
    assert {p.name for p in app_dir.iterdir()} == before
    # A store of its own (not the tests' pre-made copy), so that it is the server that makes it.
    told = {"MLFLOW_TRACKING_URI": f"sqlite:///{app_dir / 'traces.db'}"}
    with running_agent_app(app_dir, tmp_path / "server-traced.log", env=told) as base:
        assert httpx.post(base + "/invocations", json=REQUEST, timeout=30).status_code == 200
    assert (app_dir / "traces.db").is_file()


def _preflight(app_dir):
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(app_dir), **trace_store(app_dir)}
    env.pop("DATABRICKS_APP_PORT", None)
    return subprocess.run([sys.executable, "-m", "scripts.preflight", "--timeout", "60"], cwd=app_dir, env=env,
                          capture_output=True, text=True, timeout=300)


def test_preflight_passes_on_a_working_app_and_fails_on_a_broken_one(app_dir):
    (app_dir / "agent_server" / "agent.py").write_text(ECHO_AGENT)
    passed = _preflight(app_dir)
    assert passed.returncode == 0, passed.stderr
    assert "preflight passed" in passed.stdout

    (app_dir / "agent_server" / "agent.py").write_text(ECHO_AGENT.replace(
        "def _reply(request):", "def _reply(request):\n    raise RuntimeError('the agent is broken')"))
    failed = _preflight(app_dir)
    assert failed.returncode == 1
    assert "preflight FAILED" in failed.stderr and "/invocations answered 500" in failed.stderr
    assert "the agent is broken" in failed.stderr  # the server's log is shown


def test_workers_set_the_worker_processes(app_dir, tmp_path):
    """--workers (the command in databricks.yml passes the `workers` variable, set by migrate, S2A209) reaches the
    server: that many worker processes, each serving the registered agent."""
    import os
    import sys

    from serving2apps.local_server import free_port, running_server

    (app_dir / "agent_server" / "agent.py").write_text(ECHO_AGENT)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(app_dir), **trace_store(app_dir)}
    env.pop("DATABRICKS_APP_PORT", None)
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "agent_server.start_server", "--port", str(port), "--workers", "2"]
    with running_server(command, app_dir, env, tmp_path / "server.log", base + "/health") as server:
        for _ in range(4):
            assert httpx.post(base + "/invocations", json=REQUEST, timeout=30).status_code == 200
        children = (Path(f"/proc/{server.pid}/task/{server.pid}/children")).read_text().split()
    # uvicorn's supervisor starts one process per worker (Python's multiprocessing may add a resource tracker).
    assert len(children) >= 2
    assert "Started parent process" in (tmp_path / "server.log").read_text()
