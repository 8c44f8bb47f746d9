"""ChatAgent and ChatModel models migrate like ResponsesAgent ones: logged from code, migrated in both modes, served
by the app's own start-server and compared by `verify` with the original model asked in its chat format, on the
input example, a second turn, custom_inputs, a conversation with an earlier tool call, and sampling parameters.
The app also answers the old callers in the chat shapes at /chat/invocations."""

import json
import os
import shutil
import sys
from pathlib import Path

import httpx
import pytest

from engines import render_bundle_init
from serving2apps.local_server import free_port, running_server
from serving2apps.migrate import migrate
from serving2apps.report import REPORT_JSON, REPORT_MD
from serving2apps.verify import verify

AGENTS = Path(__file__).parent / "chat_agents"
EXAMPLES = {
    "tool_agent": {"messages": [{"role": "user", "content": "What is the weather in Oslo?"}],
                   "custom_inputs": {"units": "fahrenheit"}, "context": {"conversation_id": "c1", "user_id": "ann"}},
    "whole_agent": {"messages": [{"role": "user", "content": "Count this."}]},
    "echo_model": {"messages": [{"role": "user", "content": "Hello"}], "temperature": 0.2, "max_tokens": 30},
}
# Requests beyond verify's own: a conversation whose earlier turn called a tool, and parameters a ChatModel reads.
MORE_REQUESTS = [
    {"input": [{"role": "user", "content": "Weather in Oslo?"},
               {"type": "function_call", "call_id": "c0", "name": "weather", "arguments": '{"city": "Oslo"}'},
               {"type": "function_call_output", "call_id": "c0", "output": '{"celsius": 4}'},
               {"role": "assistant", "content": "Oslo: 4 celsius."},
               {"role": "user", "content": "And in Paris?"}],
     "custom_inputs": {"units": "celsius", "tone": "dry"}},
    {"input": [{"role": "user", "content": "Quick one"}], "temperature": 0.7, "max_output_tokens": 12},
]


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    import mlflow

    folder = tmp_path_factory.mktemp("chat-models")
    for name, example in EXAMPLES.items():
        mlflow.pyfunc.save_model(str(folder / name), python_model=str(AGENTS / f"{name}.py"), input_example=example)
    return folder


def migrated(go_renderer, model: Path, out: Path, mode: str) -> Path:
    name = f"chat-{mode}"
    assert render_bundle_init(go_renderer, {"app_name": name}, out).returncode == 0
    app = out / name
    assert migrate(model, app, mode=mode, log=lambda m: None) == 1  # S2A108 asks for a look at the callers
    return app


@pytest.mark.parametrize("name, mode", [("tool_agent", "async"), ("tool_agent", "sync"), ("whole_agent", "sync"),
                                        ("echo_model", "async"), ("echo_model", "sync")])
def test_a_chat_agent_answers_like_the_original(models, go_renderer, tmp_path, name, mode):
    app = migrated(go_renderer, models / name, tmp_path, mode)
    report = json.loads((app / REPORT_JSON).read_text())
    interface = "ChatModel" if name == "echo_model" else "ChatAgent"
    assert report["summary"]["interface"] == interface and report["summary"]["strategy"] == "instance"
    assert "S2A108" in {f["code"] for f in report["findings"]}
    assert "## For the endpoint's callers" in (app / REPORT_MD).read_text()
    # The app's scripts send its input example to /invocations: it is kept in the Responses form.
    assert json.loads((app / "input_example.json").read_text())["input"] == EXAMPLES[name]["messages"]
    requests = tmp_path / "requests.jsonl"
    requests.write_text("".join(json.dumps(r) + "\n" for r in MORE_REQUESTS))
    lines: list[str] = []
    findings = verify(app, models / name, offline=True, requests_file=requests, log=lines.append)
    assert [f.code for f in findings] == ["S2A400"], "\n".join(lines)
    table = next(line for line in lines if line.startswith("request"))
    assert "input example: stream" in table and "earlier tool call: invoke" in table
    assert "requests.jsonl:1: invoke" in table and "DIFFERENT" not in table
    shutil.rmtree(app)


def test_old_callers_keep_the_chat_shapes(models, go_renderer, tmp_path):
    import mlflow

    app = migrated(go_renderer, models / "tool_agent", tmp_path, "async")
    original = mlflow.pyfunc.load_model(str(models / "tool_agent"))
    request = EXAMPLES["tool_agent"]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(app), "MLFLOW_TRACKING_URI": ""}
    command = [sys.executable, "-m", "agent_server.start_server", "--port", str(port)]
    with running_server(command, app, env, tmp_path / "server.log", base + "/health"):
        whole = httpx.post(base + "/chat/invocations", json=request, timeout=60)
        with httpx.stream("POST", base + "/chat/invocations", json={**request, "stream": True}, timeout=60) as s:
            chunks = [json.loads(line[len("data: "):]) for line in s.iter_lines() if line.startswith("data: ")]
        bad = httpx.post(base + "/chat/invocations", json={"input": []}, timeout=60)
        responses = httpx.post(base + "/invocations", json={"input": request["messages"]}, timeout=60)
    assert whole.status_code == 200 and whole.json() == original.predict(request)
    assert chunks == list(original.predict_stream(request))
    assert bad.status_code == 400 and "messages" in bad.text
    assert [i["type"] for i in responses.json()["output"]] == [
        "message", "function_call", "function_call_output", "message"]


def test_an_app_without_the_conversion_layer_is_told_to_update(models, go_renderer, tmp_path):
    from serving2apps.errors import MigrationError

    assert render_bundle_init(go_renderer, {"app_name": "old-scaffold"}, tmp_path).returncode == 0
    app = tmp_path / "old-scaffold"
    (app / "agent_server" / "chat_interface.py").unlink()  # as rendered by template 2.0.0
    before = {p: p.read_bytes() for p in app.rglob("*") if p.is_file()}
    with pytest.raises(MigrationError, match="no chat conversion layer") as refused:
        migrate(models / "whole_agent", app, mode="sync", log=lambda m: None)
    assert "copier update" in refused.value.fix
    assert {p: p.read_bytes() for p in app.rglob("*") if p.is_file()} == before
