"""A workspace at a time: `scan` lists every endpoint that serves a custom model with a forecast, and
`init --all-agents` makes one app per agent endpoint, with a summary, the worst exit code, a resumable re-run and
nothing half-written after an interrupt. The loopback workspace serves a dozen endpoints of mixed kinds, backed by
a real MLflow registry."""

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from fault_proxy import FaultProxy
from workspace_server import WorkspaceServer, custom_model_endpoint
from serving2apps.app_names import app_name_for, unique_app_names
from serving2apps.batch import LOGS, SUMMARY_JSON, SUMMARY_MD
from serving2apps.cli import main
from serving2apps.scan import scan

TOKEN = "dapi-batch-0123456789abcdef"
CHAT_AGENT = Path(__file__).parent / "chat_agents" / "whole_agent.py"


def _register(tracking_uri: str, name: str, **kwargs) -> str:
    import mlflow

    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_registry_uri(tracking_uri)
    mlflow.set_experiment("serving2apps-batch")
    with contextlib.chdir(tempfile.mkdtemp()), mlflow.start_run():
        info = mlflow.pyfunc.log_model(name="model", registered_model_name=name, pip_requirements=["mlflow"],
                                       await_registration_for=0, **kwargs)
    return str(info.registered_model_version)


def entity(name: str, model: str, version: str, **extra) -> dict:
    return {"name": name, "entity_name": model, "entity_version": version, **extra}


@pytest.fixture(scope="module")
def many(mlflow_server, registered, tmp_path_factory):
    import mlflow.pyfunc

    class Pickled(mlflow.pyfunc.PythonModel):  # logged as an object: no source to migrate
        def predict(self, context, model_input, params=None):
            return model_input

    folder = tmp_path_factory.mktemp("many-models")
    loader = folder / "classic_loader.py"
    loader.write_text("def _load_pyfunc(path):\n    return None\n")
    (folder / "weights.txt").write_text("0.5\n")
    versions = {
        "chat_counter": _register(mlflow_server, "chat_counter", python_model=str(CHAT_AGENT)),
        "classic": _register(mlflow_server, "classic", loader_module="classic_loader",
                             data_path=str(folder / "weights.txt"), code_paths=[str(loader)]),
        "pickled": _register(mlflow_server, "pickled", python_model=Pickled()),
    }
    from mlflow_registry import INPUT_EXAMPLE, log_agent

    versions["flaky"] = log_agent(mlflow_server, "flaky", input_example=INPUT_EXAMPLE)
    source = mlflow.MlflowClient(mlflow_server, mlflow_server).get_model_version("flaky", versions["flaky"]).source
    flaky = re.search(r"m-[0-9a-f]+", source).group(0)  # the logged model's id, in its artifacts' paths

    def midway(method: str, path: str) -> bool:
        """The flaky model's files break after its MLmodel and agent file (what scan needs; it asks for the input
        example too, and forecasts without it): a download fails part of the way through."""
        file = path.split("?")[0]
        return f"/{flaky}/" in file and "mlflow-artifacts/artifacts/" in file and not file.endswith(
            ("/MLmodel", "/agent.py"))

    plain, full, auth = registered["echo_plain"], registered["echo_full"], registered["echo_auth"]
    endpoints = {
        "agent-plain": [entity("plain-1", "echo_plain", plain)],
        "agent-auth": [entity("auth-1", "echo_auth", auth)],
        # Given a personal access token on the endpoint, which the app must not get (S2A212).
        "Support_Bot_v2": [entity("bot", "echo_plain", plain, environment_vars={
            "DATABRICKS_HOST": "https://example.cloud.databricks.com", "DATABRICKS_TOKEN": "{{secrets/bots/pat}}"})],
        "chat-counter": [entity("chat-1", "chat_counter", versions["chat_counter"])],
        "classic-model": [entity("classic-1", "classic", versions["classic"])],
        "pickled-model": [entity("pickled-1", "pickled", versions["pickled"])],
        "split-traffic": [entity("a", "echo_plain", plain), entity("b", "echo_full", full)],
        "gone-version": [entity("gone-1", "echo_plain", "99")],
        "flaky-download": [entity("flaky-1", "flaky", versions["flaky"])],
        "llama": [entity("llama", "system.ai.llama", "1", foundation_model={"name": "llama"})],
        "gpt": [entity("gpt", "openai-gpt", "", external_model={"name": "gpt", "provider": "openai"})],
    }
    with WorkspaceServer(token=TOKEN) as ws, FaultProxy(mlflow_server, cut=midway) as registry:
        ws.registry = registry.url
        for name, entities in endpoints.items():
            routes = [("a", 80), ("b", 20)] if name == "split-traffic" else None
            ws.serving_endpoints[name] = custom_model_endpoint(name, entities, routes)
        # An AI Gateway rate limit, which the app will not have (S2A216).
        ws.serving_endpoints["agent-auth"]["ai_gateway"] = {"rate_limits": [{"calls": 5, "renewal_period": "minute"}]}
        ws.serving_endpoints["legacy-shape"] = {
            "name": "legacy-shape", "state": {"ready": "READY"},
            "config": {"served_models": [{"name": "legacy-1", "model_name": "echo_auth", "model_version": auth,
                                          "workload_size": "Small", "scale_to_zero_enabled": True}],
                       "traffic_config": {"routes": [{"served_model_name": "legacy-1", "traffic_percentage": 100}]}},
        }
        yield ws


@pytest.fixture
def workspace(many, monkeypatch, tmp_path):
    monkeypatch.setenv("DATABRICKS_HOST", many.url)
    monkeypatch.setenv("DATABRICKS_TOKEN", TOKEN)
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(tmp_path / "no-databrickscfg"))
    monkeypatch.delenv("DATABRICKS_CONFIG_PROFILE", raising=False)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", many.registry)
    monkeypatch.setenv("MLFLOW_REGISTRY_URI", many.registry)
    return many


AGENT_ENDPOINTS = ["agent-plain", "agent-auth", "Support_Bot_v2", "chat-counter", "split-traffic", "flaky-download",
                   "legacy-shape"]


def test_scan_lists_the_custom_model_endpoints_with_forecasts(workspace):
    rows = {r.endpoint: r for r in scan(None)}
    assert "llama" not in rows and "gpt" not in rows  # foundation and external models: nothing to migrate
    assert len(rows) == 10
    assert [e for e, r in rows.items() if r.is_agent] == AGENT_ENDPOINTS
    assert rows["agent-plain"].interface == "ResponsesAgent" and rows["agent-plain"].outcome == "functions"
    assert rows["chat-counter"].interface == "ChatAgent" and rows["chat-counter"].outcome == "instance"
    assert "S2A108" in rows["chat-counter"].codes
    assert rows["Support_Bot_v2"].codes == ["S2A212"] and rows["agent-plain"].codes == []
    assert "S2A216" in rows["agent-auth"].codes
    assert rows["classic-model"].outcome == "refused" and "classic_loader" in rows["classic-model"].reason
    assert rows["pickled-model"].outcome == "refused" and "pickled" in rows["pickled-model"].reason
    assert rows["gone-version"].outcome == "error" and "echo_plain v99" in rows["gone-version"].reason
    split = rows["split-traffic"]
    assert [(s["model"], s["traffic"]) for s in split.served] == [("echo_plain", 80), ("echo_full", 20)]
    assert rows["split-traffic"].size == "Small, scales to zero"
    assert rows["agent-plain"].size == "Small, scales to zero" and rows["agent-plain"].state == "READY"


def test_scan_prints_a_table_or_json_and_writes_nothing(workspace, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["scan"]) == 0
    table = capsys.readouterr().out
    assert table.splitlines()[0].split() == ["ENDPOINT", "MODEL", "(TRAFFIC)", "INTERFACE", "SIZE", "STATE",
                                             "FORECAST"]
    assert "echo_plain v1 (80%), echo_full v1 (20%)" in table
    assert "10 endpoint(s) serve a custom model; 7 serve an agent, 7 can migrate." in table
    assert main(["scan", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {r["endpoint"] for r in listed} >= {"agent-plain", "chat-counter"}
    assert all("forecast" in r for r in listed)
    assert list(tmp_path.iterdir()) == []


def test_app_names_are_valid_and_unique():
    assert app_name_for("Support_Bot_v2") == "support-bot-v2"
    assert app_name_for("x") == "app-x" and app_name_for("__") == "app"
    assert len(app_name_for("a" * 60)) == 30
    names = unique_app_names(["My_Agent", "my-agent", "MY.AGENT", "b" * 40, "b" * 41])
    assert list(names.values()) == ["my-agent", "my-agent-2", "my-agent-3", "b" * 30, "b" * 28 + "-2"]
    assert unique_app_names(["new", "old"], {"old": "new"}) == {"new": "new-2", "old": "new"}


def test_init_all_agents_then_resume(workspace, tmp_path, capsys):
    out = tmp_path / "apps"
    code = main(["init", "--all-agents", "--output-dir", str(out), "--no-lock", "--yes", "--engine", "copier"])
    printed = capsys.readouterr()
    summary = json.loads((out / SUMMARY_JSON).read_text())["endpoints"]
    results = {r["endpoint"]: r for r in summary}
    assert list(results) == AGENT_ENDPOINTS
    assert code == 2  # the worst result: the split endpoint needs a choice of served entity, a download broke
    assert results["flaky-download"]["status"] == "failed" and "after 4 attempts" in results["flaky-download"]["message"]
    assert not (out / "flaky-download").exists()  # nothing half-downloaded
    assert results["split-traffic"]["status"] == "failed" and "--served-entity" in results["split-traffic"]["message"]
    for endpoint in ("agent-plain", "agent-auth", "Support_Bot_v2", "chat-counter", "legacy-shape"):
        row = results[endpoint]
        assert row["status"] in ("ok", "review"), row
        app = out / row["app_name"] / row["app_name"]
        assert (app / "agent_server" / "agent.py").is_file() and (out / row["report"]).is_file()
        assert (out / row["app_name"] / "original_mlflow_model" / "MLmodel").is_file()
    assert results["Support_Bot_v2"]["app_name"] == "support-bot-v2"
    bot = out / "support-bot-v2" / "support-bot-v2"
    assert results["Support_Bot_v2"]["status"] == "review"
    assert "DATABRICKS_TOKEN" not in (bot / "databricks.yml").read_text()
    report = (out / results["agent-plain"]["report"]).read_text()
    assert f"Before: `POST {workspace.url}/serving-endpoints/agent-plain/invocations`" in report
    assert "`databricks apps get agent-plain`" in report and "Format:** unchanged" in report
    assert results["chat-counter"]["status"] == "review" and results["chat-counter"]["to_review"] >= 1
    assert "| agent-plain | agent-plain |" in (out / SUMMARY_MD).read_text()
    assert "ENDPOINT" in printed.out and "split-traffic" in printed.out
    assert (out / LOGS / "split-traffic.log").is_file()
    assert not [p for p in out.rglob(".serving2apps-init-*")]

    # The split endpoint is fixed (all traffic on one entity); a re-run makes it and skips the rest.
    workspace.serving_endpoints["split-traffic"]["config"]["traffic_config"]["routes"][1]["traffic_percentage"] = 0
    workspace.serving_endpoints["split-traffic"]["config"]["traffic_config"]["routes"][0]["traffic_percentage"] = 100
    made = {p: p.stat().st_mtime_ns for p in out.rglob("MIGRATION_REPORT.md")}
    assert main(["init", "--endpoints", ",".join(AGENT_ENDPOINTS[:5]), "--output-dir", str(out), "--no-lock",
                 "--yes", "--engine", "copier"]) == 1
    printed = capsys.readouterr().out
    assert printed.count("skipped") == 4
    assert {p: p.stat().st_mtime_ns for p in made} == made  # the apps already made were not touched
    rerun = {r["endpoint"]: r for r in json.loads((out / SUMMARY_JSON).read_text())["endpoints"]}
    assert rerun["split-traffic"]["status"] in ("ok", "review")


def test_an_interrupted_run_leaves_complete_apps_only(workspace, tmp_path):
    out = tmp_path / "apps"
    endpoints = ["agent-plain", "agent-auth", "legacy-shape"]
    command = [sys.executable, "-m", "serving2apps.cli", "init", "--endpoints", ",".join(endpoints), "--output-dir",
               str(out), "--no-lock", "--yes", "--engine", "copier", "--jobs", "1"]
    run = subprocess.Popen(command, env=os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           start_new_session=True)
    deadline = time.monotonic() + 240
    while not (out / SUMMARY_JSON).is_file() and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.2)
    os.killpg(run.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group: the run and its workers
    output = run.communicate(timeout=120)[0].decode()
    assert run.returncode != 0, output
    done = json.loads((out / SUMMARY_JSON).read_text())["endpoints"]
    assert 1 <= len(done) < len(endpoints)
    for folder in [p for p in out.iterdir() if p.is_dir() and p.name != LOGS]:
        # Each endpoint's folder holds a whole app, or nothing at all.
        assert (folder / folder.name / "MIGRATION_REPORT.md").is_file() or not any(folder.iterdir()), \
            f"half-made: {sorted(p.name for p in folder.rglob('*'))[:20]}"
    assert not [p for p in out.rglob(".serving2apps-init-*")] and not [p for p in out.rglob("*.partial")]
    assert main(["init", "--endpoints", ",".join(endpoints), "--output-dir", str(out), "--no-lock", "--yes",
                 "--engine", "copier"]) in (0, 1)
    assert len(json.loads((out / SUMMARY_JSON).read_text())["endpoints"]) == len(endpoints)


def test_scan_lists_who_called_an_endpoint_from_its_inference_table(workspace, capsys):
    from workspace_server import Reply

    workspace.serving_endpoints["agent-plain"]["ai_gateway"] = {"inference_table_config": {
        "catalog_name": "main", "schema_name": "serving", "table_name_prefix": "agent_plain", "enabled": True}}
    warehouses = [{"id": "stopped-wh", "name": "big", "state": "STOPPED"}]
    statements = []

    def statement(server, request, params):
        body = json.loads(request.body)
        statements.append(body)
        return Reply(200, {"statement_id": "s-1", "status": {"state": "SUCCEEDED"},
                           "manifest": {"schema": {"column_count": 3}},
                           "result": {"data_array": [["alice@example.com", "12", "2026-11-30 10:00:00"],
                                                     ["sp-analytics", "3", "2026-11-29 08:00:00"]]}})

    workspace.add_route("GET", "/api/2.0/sql/warehouses", lambda s, r, p: Reply(200, {"warehouses": warehouses}))
    workspace.add_route("POST", "/api/2.0/sql/statements", statement)
    try:
        rows = {r.endpoint: r for r in scan(None, callers=True)}
        assert "no running SQL warehouse" in rows["agent-plain"].callers_note and not statements  # none started
        warehouses.append({"id": "small-wh", "name": "small", "state": "RUNNING"})
        assert main(["scan", "--callers"]) == 0
        table = capsys.readouterr().out
    finally:
        workspace.serving_endpoints["agent-plain"].pop("ai_gateway")
    [query] = statements
    assert query["warehouse_id"] == "small-wh" and "FROM `main`.`serving`.`agent_plain_payload`" in query["statement"]
    assert "agent-plain: alice@example.com (12, last 2026-11-30 10:00:00), sp-analytics (3," in table
    assert "agent-auth: no AI Gateway inference table" in table
