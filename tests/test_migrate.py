"""serving2apps migrate: placement of code and artifacts, the report, the dry run, bad input, and the
migrated app serving under real uvicorn."""

import json
import os
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import httpx
import pytest

from engines import render_bundle_init
from example import echo
from mlflow_registry import INPUT_EXAMPLE
from servers import running_agent_app
from workspace_server import WorkspaceServer
from serving2apps.dependencies import lock as lock_dependencies
from serving2apps.errors import MigrationError
from serving2apps.migrate import migrate, plan_migration, write_plan
from serving2apps.model_reader import read_model
from serving2apps.report import REPORT_JSON, REPORT_MD

REQUEST = {"input": [{"role": "user", "content": "hello world"}]}


@pytest.fixture(scope="session")
def saved_echo(tmp_path_factory):
    """The echo example saved as a model folder, with code_paths, artifacts and a model_config."""
    return echo.save(tmp_path_factory.mktemp("saved") / "echo")


@pytest.fixture
def model(saved_echo, tmp_path):
    shutil.copytree(saved_echo, tmp_path / "original_mlflow_model")
    return tmp_path / "original_mlflow_model"


@pytest.fixture
def app(go_renderer, tmp_path):
    assert render_bundle_init(go_renderer, {"app_name": "echo-app", "async_mode": "no"}, tmp_path).returncode == 0
    return tmp_path / "echo-app"


def run(model, app, **kwargs):
    lines = []
    code = migrate(model, app, log=lines.append, **kwargs)
    return code, "\n".join(lines)


def test_migrate_places_code_artifacts_and_report(model, app):
    code, output = run(model, app)
    assert code == 0, output
    agent = (app / "agent_server" / "agent.py").read_text()
    assert "@invoke()" in agent and "class EchoAgent" not in agent
    assert "from agent_server.helpers.text import count_words, words" in agent
    assert (app / "agent_server" / "helpers" / "text.py").is_file()
    assert (app / "agent_server" / "helpers" / "__init__.py").is_file()
    assert (app / "agent_server" / "artifacts" / "prompt.txt").read_text().strip() == "bonjour"
    assert (app / "agent_server" / "model_config.yaml").read_text() == "temperature: 0.1\n"
    assert json.loads((app / "input_example.json").read_text()) == INPUT_EXAMPLE
    report = json.loads((app / REPORT_JSON).read_text())
    assert report["summary"]["strategy"] == "functions" and report["summary"]["mode"] == "sync"
    assert {f["code"] for f in report["findings"]} >= {"S2A100", "S2A110", "S2A140", "S2A150"}
    assert all(f["hint"] for f in report["findings"])
    assert "## To review (0)" in (app / REPORT_MD).read_text()


def test_an_input_example_in_dataframe_form_is_the_apps_request_and_one_it_cannot_be_asked_is_left(model, app):
    """The app's scripts send input_example.json to /invocations: one row of MLflow's DataFrame form becomes the
    Responses request; an example the app cannot be asked is not copied, for review (S2A141), rather than failing
    the preflight and the smoke test later."""
    (model / "input_example.json").write_text(json.dumps({"columns": ["input"], "data": [[INPUT_EXAMPLE["input"]]]}))
    assert run(model, app, lock=False)[0] == 0
    assert json.loads((app / "input_example.json").read_text()) == INPUT_EXAMPLE
    (model / "input_example.json").write_text("[1, 2]")
    (app / "input_example.json").unlink()
    code, output = run(model, app, lock=False)
    assert code == 1, output
    assert not (app / "input_example.json").exists()
    assert [f["code"] for f in json.loads((app / REPORT_JSON).read_text())["findings"] if f["kind"] == "review"] \
        == ["S2A141"]


def test_second_run_changes_nothing(model, app):
    run(model, app)
    before = {p: p.read_bytes() for p in app.rglob("*") if p.is_file()}
    code, output = run(model, app)
    assert "0 files written" in output
    assert {p: p.read_bytes() for p in app.rglob("*") if p.is_file()} == before


def test_dry_run_shows_diffs_and_writes_nothing(model, app):
    before = {p: p.read_bytes() for p in app.rglob("*") if p.is_file()}
    code, output = run(model, app, dry_run=True)
    assert "+++ b/agent_server/agent.py" in output and "-class EchoAgent" not in output
    assert "+@invoke()" in output and "# Migration report" in output
    assert {p: p.read_bytes() for p in app.rglob("*") if p.is_file()} == before


def test_review_items_give_exit_code_1(model, app):
    source = (model / "agent.py").read_text().replace(
        "    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:\n",
        "    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:\n        self.last = request\n",
    )
    (model / "agent.py").write_text(source)
    code, output = run(model, app)
    assert code == 1
    report = (app / REPORT_MD).read_text()
    assert "S2A130" in report and "agent_server/agent.py:" in report


def test_code_modules_are_renamed_away_from_scaffold_files(model, app):
    (model / "code" / "utils.py").write_text("def shout(text):\n    return text.upper()\n")
    (model / "agent.py").write_text((model / "agent.py").read_text().replace(
        "from pathlib import Path\n", "from pathlib import Path\n\nimport utils\nimport helpers.text\n"))
    code, output = run(model, app)
    agent = (app / "agent_server" / "agent.py").read_text()
    assert "from agent_server import model_utils as utils" in agent
    assert (app / "agent_server" / "model_utils.py").is_file()
    assert "shout" not in (app / "agent_server" / "utils.py").read_text()  # the scaffold's own utils survive
    findings = json.loads((app / REPORT_JSON).read_text())["findings"]
    assert {"S2A151", "S2A152"} <= {f["code"] for f in findings} and code == 1
    line = (model / "agent.py").read_text().splitlines().index("import helpers.text") + 1
    assert [f["line"] for f in findings if f["code"] == "S2A151"] == [line]


@pytest.mark.parametrize(
    "break_it, message",
    [
        (lambda m: (m / "agent.py").write_text("class Broken(:\n"), "syntax error"),
        (lambda m: (m / "agent.py").write_text("import mlflow\nmlflow.models.set_model(lambda x: x)\n"),
         "no mlflow.pyfunc.ResponsesAgent subclass"),
        (lambda m: (m / "agent.py").write_text(
            "from mlflow.pyfunc import ChatAgent\nclass A(ChatAgent):\n    pass\n"), "never calls mlflow.models.set_model"),
        (lambda m: (m / "agent.py").write_text(textwrap.dedent('''
            from mlflow.pyfunc import ResponsesAgent
            class A(ResponsesAgent):
                def predict(self, request): ...
            class B(ResponsesAgent):
                def predict(self, request): ...
        ''')), "several ResponsesAgent classes"),
        (lambda m: (m / "agent.py").write_bytes(b"# \xff\xfe not utf-8\n"), "not UTF-8"),
        (lambda m: (m / "agent.py").unlink(), "no agent file"),
    ],
    ids=["syntax-error", "no-subclass", "chat-agent", "ambiguous", "not-utf8", "no-agent-file"],
)
def test_bad_agents_are_refused_and_nothing_is_written(model, app, break_it, message):
    break_it(model)
    before = {p: p.read_bytes() for p in app.rglob("*") if p.is_file()}
    with pytest.raises(MigrationError, match=message):
        run(model, app)
    assert {p: p.read_bytes() for p in app.rglob("*") if p.is_file()} == before


def test_app_dir_must_be_a_rendered_scaffold(model, tmp_path):
    (tmp_path / "not-an-app").mkdir()
    with pytest.raises(MigrationError, match="not an app made by the serving2apps template"):
        run(model, tmp_path / "not-an-app")


def test_async_mode_on_an_agent_with_no_async_api_serves_it_from_threads(model, app):
    code, output = run(model, app, mode="async")
    assert code == 0, output
    report = json.loads((app / REPORT_JSON).read_text())
    assert report["summary"]["mode"] == "async"
    assert {"S2A172", "S2A110"} <= {f["code"] for f in report["findings"]}
    assert "in_worker_thread(predict, request)" in (app / "agent_server" / "agent.py").read_text()


def test_unknown_mode_is_refused(model, app):
    with pytest.raises(MigrationError, match="unknown mode 'fast'"):
        run(model, app, mode="fast")


def test_cli_exit_codes(model, app):
    ok = subprocess.run([sys.executable, "-m", "serving2apps.cli", "migrate", "--app-dir", str(app)],
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run([sys.executable, "-m", "serving2apps.cli", "migrate", "--app-dir", str(model)],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "not an app made by the serving2apps template" in bad.stderr


SLOW_AGENT = '''
import time

import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse


class Slow(ResponsesAgent):
    def predict(self, request):
        time.sleep(float(request.input[-1].content))
        return ResponsesAgentResponse(output=[self.create_text_output_item(text="slept", id="s")])


AGENT = Slow()
mlflow.models.set_model(AGENT)
'''


def test_migrated_app_serves_and_stays_responsive(model, app, tmp_path):
    run(model, app)
    with running_agent_app(app, tmp_path / "server.log") as base:
        answer = httpx.post(base + "/invocations", json=REQUEST, timeout=30).json()
        assert answer["output"][-1]["content"][0]["text"] == "bonjour: hello world"
        assert answer["output"][1]["output"] == "2 words"
        with httpx.stream("POST", base + "/invocations", json={**REQUEST, "stream": True}, timeout=30) as events:
            deltas = [json.loads(line[6:])["delta"] for line in events.iter_lines()
                      if line.startswith("data: {") and "output_text.delta" in line]
        assert "".join(deltas).strip() == "bonjour: hello world"


def test_an_agent_class_built_on_a_base_class_from_code_is_served_as_it_is(model, app, tmp_path):
    """The agent file's class derives from a base agent kept in a code/ module: the file shows no ResponsesAgent
    subclass, yet what set_model() gets may be one, so the object is served as it is (kept instance), not refused."""
    base = (model / "agent.py").read_text().replace("AGENT = EchoAgent()\nmlflow.models.set_model(AGENT)\n", "")
    (model / "code" / "echo_base.py").write_text(base)
    (model / "agent.py").write_text("import mlflow\nfrom echo_base import EchoAgent\n\n\n"
                                    "class SupportAgent(EchoAgent):\n    \"\"\"The base agent, as this endpoint serves it.\"\"\"\n\n\n"
                                    "mlflow.models.set_model(SupportAgent())\n")
    code, output = run(model, app)
    assert code in (0, 1), output
    assert json.loads((app / REPORT_JSON).read_text())["summary"]["strategy"] == "instance"
    with running_agent_app(app, tmp_path / "server.log") as base_url:
        answer = httpx.post(base_url + "/invocations", json=REQUEST, timeout=30).json()
    assert answer["output"][-1]["content"][0]["text"] == "bonjour: hello world"


def test_health_answers_while_a_slow_sync_request_runs(model, app, tmp_path):
    (model / "agent.py").write_text(SLOW_AGENT)
    run(model, app)
    with running_agent_app(app, tmp_path / "server.log") as base:
        # The server's first traced request sets up MLflow's trace store on the event loop; get it done first.
        httpx.post(base + "/invocations", json={"input": [{"role": "user", "content": "0"}]}, timeout=60)
        slow = threading.Thread(target=httpx.post, args=(base + "/invocations",),
                                kwargs={"json": {"input": [{"role": "user", "content": "5"}]}, "timeout": 30})
        slow.start()
        time.sleep(0.5)
        assert httpx.get(base + "/health", timeout=10).json() == {"status": "healthy"}
        fast = httpx.post(base + "/invocations", json={"input": [{"role": "user", "content": "0"}]}, timeout=30)
        assert fast.json()["output"][0]["content"][0]["text"] == "slept"
        slow_still_running = slow.is_alive()
        slow.join()
    # Functional, not a benchmark: the health check and the fast request came back while the slow one slept
    # (a blocked event loop would have answered them only after it).
    assert slow_still_running


def test_a_broken_databricks_yml_is_left_untouched(model, app):
    (app / "databricks.yml").write_text("bundle: [unclosed\n")
    before = {p: p.read_bytes() for p in app.rglob("*") if p.is_file()}
    with pytest.raises(MigrationError, match="databricks.yml is not valid YAML"):
        run(model, app)
    assert {p: p.read_bytes() for p in app.rglob("*") if p.is_file()} == before


def test_resources_and_endpoint_environment_reach_the_bundle(model, app, tmp_path):
    from bundle_schema import bundle_errors

    mlmodel = (model / "MLmodel").read_text()
    (model / "MLmodel").write_text(mlmodel + "resources:\n  api_version: '1'\n  databricks:\n"
                                   "    serving_endpoint:\n    - name: databricks-claude-sonnet-4-5\n")
    (model / "serving2apps-provenance.json").write_text(json.dumps(
        {"source": {"environment_vars": {"OPENAI_API_KEY": "{{secrets/agents/openai}}"}}}))
    code, output = run(model, app)
    assert "serving-endpoint-databricks-claude-sonnet-4-5" in (app / "databricks.yml").read_text()
    assert "value_from: secret-agents-openai" in (app / "databricks.yml").read_text()
    assert not (app / "app.yaml").exists()
    assert bundle_errors(app / "databricks.yml") == []


def test_lock_resolves_the_merged_dependencies(model, app):
    (model / "requirements.txt").write_text("mlflow\nhttpx>=0.27\n")
    code, output = run(model, app, lock=True)
    lock = (app / "uv.lock").read_text()
    assert 'name = "mlflow"' in lock and 'name = "httpx"' in lock


def _locked_version(lock_text: str, name: str) -> str:
    entry = lock_text.split(f'name = "{name}"\nversion = "', 1)[1]
    return entry.split('"', 1)[0]


def test_the_lock_keeps_the_versions_the_app_already_locked(model, app):
    (model / "requirements.txt").write_text("httpx>=0.27\n")
    pinned = (app / "pyproject.toml").read_text().replace('"httpx>=0.27"', '"httpx==0.27.0"')
    # The user locked it when 0.27.0 was the newest; --force, since migrate did not write that uv.lock.
    (app / "uv.lock").write_bytes(lock_dependencies(pinned, "echo-app")[0])
    code, output = run(model, app, lock=True, force=True)
    assert _locked_version((app / "uv.lock").read_text(), "httpx") == "0.27.0", output
    fresh, _ = lock_dependencies((app / "pyproject.toml").read_text(), "echo-app")
    assert _locked_version(fresh.decode(), "httpx") != "0.27.0"  # left to itself, uv takes the newest


def test_a_previous_lock_uv_cannot_read_is_ignored():
    pyproject = '[project]\nname = "echo-app"\nversion = "0.1.0"\ndependencies = ["httpx>=0.27"]\n'
    locked, _ = lock_dependencies(pyproject, "echo-app", previous=b"garbage = [\n")
    assert 'name = "httpx"' in locked.decode()


def test_lock_refuses_conflicting_dependencies_and_writes_nothing(model, app):
    (model / "requirements.txt").write_text("httpx==0.27.0\nhttpx>=0.28\n")
    before = {p: p.read_bytes() for p in app.rglob("*") if p.is_file()}
    with pytest.raises(MigrationError, match="do not resolve") as refused:
        run(model, app, lock=True)
    assert "httpx" in str(refused.value)
    assert {p: p.read_bytes() for p in app.rglob("*") if p.is_file()} == before


def test_user_edits_are_never_overwritten_without_force(model, app):
    run(model, app)
    agent = app / "agent_server" / "agent.py"
    agent.write_text(agent.read_text() + "\n# my own change\n")
    (model / "artifacts" / "prompt.txt").write_text("hola\n")  # the migration's output changes too
    before = {p: p.read_bytes() for p in app.rglob("*") if p.is_file()}
    with pytest.raises(MigrationError, match="agent_server/agent.py") as refused:
        run(model, app)
    assert "--force" in refused.value.fix
    assert {p: p.read_bytes() for p in app.rglob("*") if p.is_file()} == before
    code, _ = run(model, app, force=True)
    assert "# my own change" not in agent.read_text()
    assert (app / "agent_server" / "artifacts" / "prompt.txt").read_text() == "hola\n"


def test_a_new_model_version_replaces_files_migrate_wrote(model, app):
    run(model, app)
    (model / "artifacts" / "prompt.txt").write_text("hola\n")
    run(model, app)  # no user edits: the fresh output replaces the old one
    assert (app / "agent_server" / "artifacts" / "prompt.txt").read_text() == "hola\n"


def test_a_hand_made_file_in_the_way_is_not_overwritten(model, app):
    (app / "agent_server" / "helpers").mkdir()
    (app / "agent_server" / "helpers" / "text.py").write_text("# mine\n")
    with pytest.raises(MigrationError, match="agent_server/helpers/text.py"):
        run(model, app)
    assert (app / "agent_server" / "helpers" / "text.py").read_text() == "# mine\n"


def test_artifacts_larger_than_a_chunk_are_copied_exactly_and_an_edit_to_one_is_caught(model, app):
    """Artifacts are streamed (benchmarks/migrate_speed.py measures memory with 1 GiB); what lands must be the
    same bytes, a re-run must find them unchanged, and a user's edit of one must still be noticed."""
    weights = os.urandom(3 * 1024 * 1024 + 17)
    (model / "artifacts" / "weights.bin").write_bytes(weights)
    run(model, app)
    copied = app / "agent_server" / "artifacts" / "weights.bin"
    assert copied.read_bytes() == weights
    assert write_plan(plan_migration(read_model(model), app, mode="sync"), app) == []  # nothing differs
    copied.write_bytes(weights[:-1] + bytes([weights[-1] ^ 1]))
    with pytest.raises(MigrationError, match="agent_server/artifacts/weights.bin"):
        run(model, app)


def test_an_async_openai_agent_brings_its_transport_and_an_old_scaffold_is_refused(model, app):
    """The converted AsyncOpenAI client runs on aiohttp's transport (agent_server/http_clients.py), whose package
    joins the app's dependencies; an app rendered before that helper existed is refused, nothing written."""
    openai_agent = (Path(__file__).parent / "codemod" / "async_cases" / "openai_chat_stream.in.py").read_text()
    (model / read_model(model).agent_file).write_text(openai_agent)
    (app / "agent_server" / "http_clients.py").rename(app / "http_clients.py.kept")
    before = {p: p.read_bytes() for p in app.rglob("*") if p.is_file()}
    with pytest.raises(MigrationError, match="async_http_client from agent_server/http_clients.py") as refused:
        run(model, app, mode="async", lock=False)
    assert "copier update" in refused.value.fix
    assert {p: p.read_bytes() for p in app.rglob("*") if p.is_file()} == before

    (app / "http_clients.py.kept").rename(app / "agent_server" / "http_clients.py")
    code, output = run(model, app, mode="async", lock=False)
    assert code in (0, 1), output
    assert "http_client=async_http_client()" in (app / "agent_server" / "agent.py").read_text()
    assert '"httpx-aiohttp>=0.1.9"' in (app / "pyproject.toml").read_text()
    assert "on aiohttp's transport when installed" in (app / REPORT_MD).read_text()



def test_a_code_module_keeping_per_thread_state_keeps_async_mode_synchronous(model, app):
    """On the event loop every request runs on the loop's one thread: a module of the agent's own (code/) that keeps
    a threading.local would hand one request's values to the next, as the agent file's own would. So the agent
    stays synchronous in worker threads (S2A172), each request on a thread of its own, as on Model Serving."""
    openai_agent = (Path(__file__).parent / "codemod" / "async_cases" / "openai_chat_stream.in.py").read_text()
    (model / read_model(model).agent_file).write_text(openai_agent)
    (model / "code" / "request_state.py").write_text(
        "import threading\n\n_current = threading.local()\n\n\n"
        "def remember(user):\n    _current.user = user\n\n\n"
        "def who():\n    return getattr(_current, 'user', None)\n")
    code, output = run(model, app, mode="async", lock=False)
    assert code in (0, 1), output
    agent = (app / "agent_server" / "agent.py").read_text()
    assert "AsyncOpenAI" not in agent and "await in_worker_thread(predict, request)" in agent
    assert ("the agent keeps per-thread state (threading.local in agent_server/request_state.py)"
            in (app / REPORT_MD).read_text())

    (model / "code" / "request_state.py").write_text("STATE = {}\n")  # nothing per thread: converted
    code, output = run(model, app, mode="async", lock=False)
    assert code in (0, 1), output
    assert "AsyncOpenAI" in (app / "agent_server" / "agent.py").read_text()

OBO_AGENT = '''import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse

from user_tools import caller_name


class Agent(ResponsesAgent):
    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=caller_name(), id="msg_1")])


mlflow.models.set_model(Agent())
'''
OBO_TOOLS = '''from databricks.sdk import WorkspaceClient
from databricks_ai_bridge import ModelServingUserCredentials


def caller_name() -> str:
    return WorkspaceClient(credentials_strategy=ModelServingUserCredentials()).current_user.me().user_name
'''


def test_a_code_module_using_a_helper_the_old_scaffold_lacks_is_refused(model, app):
    """A module from code/ that now builds the user's client from the scaffold's helper needs that helper in the
    app too: an app rendered before it existed is refused with the update to run, nothing written."""
    (model / "code" / "user_tools.py").write_text(OBO_TOOLS)
    utils = app / "agent_server" / "utils.py"
    utils.write_text(utils.read_text().replace("def get_user_workspace_client(", "def _renamed_for_the_test("))
    before = {p: p.read_bytes() for p in app.rglob("*") if p.is_file()}
    with pytest.raises(MigrationError, match="get_user_workspace_client from agent_server/utils.py") as refused:
        run(model, app, lock=False)
    assert "copier update" in refused.value.fix
    assert {p: p.read_bytes() for p in app.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("scopes", [["serving.serving-endpoints"], []])
def test_a_code_module_acting_for_the_user_uses_the_forwarded_token(scopes, app, tmp_path, monkeypatch):
    """The on-behalf-of-user client of a module from code/ is rewritten like the agent file's (S2A133), and its
    import-time choice of experiment goes (S2A134). The app
    only gets a user's token with user_api_scopes: a model that declared none is flagged (S2A203)."""
    import mlflow
    from mlflow.models.auth_policy import AuthPolicy, SystemAuthPolicy, UserAuthPolicy

    (tmp_path / "agent.py").write_text(OBO_AGENT)
    (tmp_path / "user_tools.py").write_text(OBO_TOOLS)
    policy = AuthPolicy(system_auth_policy=SystemAuthPolicy(resources=[]),
                        user_auth_policy=UserAuthPolicy(api_scopes=scopes)) if scopes else None
    monkeypatch.syspath_prepend(str(tmp_path))  # saving imports the agent file, which imports its module
    monkeypatch.delitem(sys.modules, "user_tools", raising=False)
    with WorkspaceServer() as workspace:  # saving a ResponsesAgent runs it once
        monkeypatch.setenv("DATABRICKS_HOST", workspace.url)
        monkeypatch.setenv("DATABRICKS_TOKEN", workspace.token)
        monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(tmp_path / "none.databrickscfg"))
        mlflow.pyfunc.save_model(str(tmp_path / "original_mlflow_model"), python_model=str(tmp_path / "agent.py"),
                                 code_paths=[str(tmp_path / "user_tools.py")], auth_policy=policy)
    monkeypatch.delitem(sys.modules, "user_tools")
    # As a notebook wrote it (added after saving, which would have run it here): the app picks its own experiment.
    shipped = tmp_path / "original_mlflow_model" / "code" / "user_tools.py"
    shipped.write_text(shipped.read_text().replace(
        "\n\n\ndef caller_name", "\nimport mlflow\n\nmlflow.set_experiment('/Users/alice@example.com/tools')\n\n\ndef caller_name"))
    code, output = run(tmp_path / "original_mlflow_model", app, lock=False)
    tools = (app / "agent_server" / "user_tools.py").read_text()
    assert "return get_user_workspace_client().current_user.me().user_name" in tools
    assert "from agent_server.utils import get_user_workspace_client" in tools
    assert "ModelServingUserCredentials" not in tools and "WorkspaceClient" not in tools.replace("get_user_workspace_client", "")
    findings = json.loads((app / REPORT_JSON).read_text())["findings"]
    assert [f["file"] for f in findings if f["code"] in ("S2A133", "S2A134")] == ["agent_server/user_tools.py"] * 2
    assert "set_experiment" not in tools and "import mlflow" not in tools
    flagged = [f["message"] for f in findings if f["code"] == "S2A203"]
    if scopes:
        assert code == 0, output
        assert flagged == [] and "serving.serving-endpoints" in (app / "databricks.yml").read_text()
    else:
        assert code == 1, output
        assert flagged == ["the agent acts on behalf of the user (get_user_workspace_client), but the model "
                           "declared no user scopes: add the ones it needs to user_api_scopes"]
