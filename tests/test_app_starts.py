"""The rendered scaffold serves an agent with the real MLflow agent server under real uvicorn."""

import json
import textwrap

import httpx
import pytest

from engines import render_bundle_init
from servers import running_agent_app, trace_store

from serving2apps.callers import callers_section

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


EXPERIMENT_LOOKUP = "/mlflow/experiments/get"  # by id, and get-by-name


def _experiment_lookups(seen: list[tuple[str, str]]) -> list[str]:
    return [path for _, path in seen if EXPERIMENT_LOOKUP in path]


def test_traces_reach_a_tracking_server_and_the_experiment_is_looked_up_once(app_dir, tmp_path, mlflow_server):
    """Told a tracking server and an experiment by name (on Apps: MLFLOW_EXPERIMENT_ID from the experiment resource),
    the server looks the experiment up at start-up, not for each trace: MLflow resolves an experiment given only in the
    environment with a blocking call per trace, made on the server's event loop (without the start-up lookup, each
    request here made one)."""
    import time

    from mlflow import MlflowClient

    from fault_proxy import FaultProxy

    (app_dir / "agent_server" / "agent.py").write_text(ECHO_AGENT)
    seen: list[tuple[str, str]] = []
    experiment = f"traces-once-{time.time_ns()}"
    with FaultProxy(mlflow_server, refuse=lambda method, path: seen.append((method, path))) as proxy:
        # The suite's own MLflow calls leave MLFLOW_EXPERIMENT_ID in this process's environment.
        env = {"MLFLOW_TRACKING_URI": proxy.url, "MLFLOW_EXPERIMENT_NAME": experiment, "MLFLOW_EXPERIMENT_ID": ""}
        with running_agent_app(app_dir, tmp_path / "server.log", env=env) as base:
            at_start_up = _experiment_lookups(seen)
            # What a caller that asked the endpoint for its trace (databricks_options.return_trace) asks the app, as the
            # report's section for callers tells them.
            assert "`x-mlflow-return-trace-id: true`" in "\n".join(callers_section({}))
            asked = httpx.post(base + "/invocations", json=REQUEST, headers={"x-mlflow-return-trace-id": "true"},
                               timeout=30)
            assert asked.status_code == 200
            trace_id = asked.json()["metadata"]["trace_id"]
            for _ in range(2):
                assert httpx.post(base + "/invocations", json=REQUEST, timeout=30).status_code == 200
            with httpx.stream("POST", base + "/invocations", json={**REQUEST, "stream": True}, timeout=30) as events:
                assert events.status_code == 200 and list(events.iter_lines())
            client = MlflowClient(mlflow_server)
            experiment_id = client.get_experiment_by_name(experiment).experiment_id

            def traces() -> int:  # their info only: reading spans would need this process's tracking URI to be http
                return len(client.search_traces(locations=[experiment_id], include_spans=False))

            deadline = time.monotonic() + 60
            while traces() < 4 and time.monotonic() < deadline:
                time.sleep(0.5)  # MLflow exports traces from a queue in the background
            assert traces() == 4
            assert trace_id in {t.info.trace_id for t in client.search_traces(locations=[experiment_id],
                                                                               include_spans=False)}
    assert at_start_up and _experiment_lookups(seen) == at_start_up  # none while serving


def test_an_experiment_that_cannot_be_looked_up_at_start_up_turns_tracing_off_and_the_app_serves(app_dir, tmp_path,
                                                                                                  mlflow_server):
    from fault_proxy import FaultProxy

    (app_dir / "agent_server" / "agent.py").write_text(ECHO_AGENT)
    seen: list[tuple[str, str]] = []

    def forbidden(method, path):
        seen.append((method, path))
        return 403 if EXPERIMENT_LOOKUP in path else None

    with FaultProxy(mlflow_server, refuse=forbidden) as proxy:
        env = {"MLFLOW_TRACKING_URI": proxy.url, "MLFLOW_EXPERIMENT_ID": "12345", "MLFLOW_EXPERIMENT_NAME": ""}
        with running_agent_app(app_dir, tmp_path / "server.log", env=env) as base:
            at_start_up = len(seen)
            answers = [httpx.post(base + "/invocations", json=REQUEST, timeout=30).status_code for _ in range(2)]
    assert answers == [200, 200]
    assert len(seen) == at_start_up  # no lookup, and no trace sent, while serving
    log = (tmp_path / "server.log").read_text()
    assert "Traces are off in this server process: the experiment 12345 could not be looked up" in log
    assert "MLFLOW_TRACKING_URI" in log  # what to check


def test_an_unreachable_tracking_server_does_not_hold_up_the_start(app_dir, tmp_path):
    """MLflow's own retries would keep the server from listening for minutes (longer than the start-up wait here)."""
    from serving2apps.local_server import free_port

    (app_dir / "agent_server" / "agent.py").write_text(ECHO_AGENT)
    env = {"MLFLOW_TRACKING_URI": f"http://127.0.0.1:{free_port()}", "MLFLOW_EXPERIMENT_ID": "1",
           "MLFLOW_EXPERIMENT_NAME": ""}
    with running_agent_app(app_dir, tmp_path / "server.log", env=env) as base:
        assert httpx.post(base + "/invocations", json=REQUEST, timeout=30).status_code == 200
    assert "Traces are off in this server process" in (tmp_path / "server.log").read_text()


def test_with_tracing_on_the_notebook_modules_mlflow_probes_fail_at_once(app_dir):
    """MLflow imports dbruntime and IPython before each call to the tracking server to learn whether it runs in a
    notebook; absent, each failed import searched sys.path again. The server remembers they are absent."""
    import os
    import subprocess
    import sys

    (app_dir / "agent_server" / "agent.py").write_text(ECHO_AGENT)
    probe = ("import sys, agent_server.start_server\nagent_server.start_server.app\n"
             "print(sys.modules.get('dbruntime', 'not remembered'))\n"
             "try:\n    import dbruntime.databricks_repl_context\nexcept ModuleNotFoundError:\n    print('absent')\n")
    env = {**os.environ, "PYTHONPATH": str(app_dir), **trace_store(app_dir)}
    done = subprocess.run([sys.executable, "-c", probe], cwd=app_dir, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["None", "absent"]


@pytest.mark.parametrize("ratio, traced, warned", [("0.0", 0, False), ("1", 3, False), ("abc", 3, True),
                                                  ("", 3, True), ("2", 3, True)])
def test_the_share_of_requests_traced_is_the_apps_setting_and_a_bad_one_traces_all_with_a_warning(app_dir, ratio,
                                                                                                 traced, warned):
    """MLFLOW_TRACE_SAMPLING_RATIO comes from the trace_sampling_ratio variable; MLflow alone would stop tracing
    without a word when it is not a number."""
    import os
    import subprocess
    import sys

    (app_dir / "agent_server" / "agent.py").write_text(ECHO_AGENT)
    probe = ("import mlflow, agent_server.start_server\nagent_server.start_server.app\n"
             "traced = mlflow.trace(lambda: 1, name='probe')\n"
             "for _ in range(3):\n    traced()\n"
             "mlflow.flush_trace_async_logging()\n"
             "print(len(mlflow.search_traces(return_type='list')))\n")
    # The suite's own MLflow calls leave an experiment in this process's environment: the store's default here.
    mine = {name: value for name, value in os.environ.items() if not name.startswith("MLFLOW_EXPERIMENT")}
    env = {**mine, "PYTHONPATH": str(app_dir), **trace_store(app_dir), "MLFLOW_TRACE_SAMPLING_RATIO": ratio}
    done = subprocess.run([sys.executable, "-c", probe], cwd=app_dir, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-1] == str(traced)
    assert ("not a share of requests from 0.0 to 1.0: every request is traced" in done.stderr) == warned
    assert ("trace_sampling_ratio" in done.stderr) == warned


def test_an_agent_that_picked_its_experiment_at_import_traces_to_the_apps(app_dir, tmp_path, mlflow_server):
    """The notebook-style agent file of the experiment_set_at_import case, migrated (S2A134) and served: it answers,
    and its trace lands in the app's experiment, not the one the file named (nor does that one get made)."""
    import time
    from pathlib import Path

    from mlflow import MlflowClient

    from serving2apps.codemod.agent_file import migrate_agent_source

    case = Path(__file__).parent / "codemod" / "cases" / "experiment_set_at_import.in.py"
    result = migrate_agent_source(case.read_text(), "agent.py", mode="async")
    assert "S2A134" in {f.code for f in result.findings}
    (app_dir / "agent_server" / "agent.py").write_text(result.code)
    experiment = f"app-experiment-{time.time_ns()}"
    env = {"MLFLOW_TRACKING_URI": mlflow_server, "MLFLOW_EXPERIMENT_NAME": experiment, "MLFLOW_EXPERIMENT_ID": ""}
    with running_agent_app(app_dir, tmp_path / "server.log", env=env) as base:
        asked = httpx.post(base + "/invocations", json=REQUEST, headers={"x-mlflow-return-trace-id": "true"},
                           timeout=30)
        assert asked.status_code == 200 and asked.json()["output"][0]["content"][0]["text"] == "ok"
        trace_id = asked.json()["metadata"]["trace_id"]
        client = MlflowClient(mlflow_server)
        experiment_id = client.get_experiment_by_name(experiment).experiment_id

        def traced() -> set[str]:  # their info only: reading spans would need this process's tracking URI to be http
            return {t.info.trace_id for t in client.search_traces(locations=[experiment_id], include_spans=False)}

        deadline = time.monotonic() + 60
        while trace_id not in traced() and time.monotonic() < deadline:
            time.sleep(0.5)  # MLflow exports traces from a queue in the background
        assert trace_id in traced()
    assert client.get_experiment_by_name("/Users/alice@example.com/support-agent") is None
