"""verify for an agent that calls an LLM: the original's workspace calls are recorded and replayed to the migrated
app. The loopback workspace's model answers with random text on every call, so only record-and-replay can say
"same" for a faithful migration; an unfaithful one is named by its first diverging call. Offline, both sides get
serving2apps' deterministic model instead of a workspace."""

import json
import os
import shutil
import subprocess
import sys
import uuid
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from workspace_server import Reply, WorkspaceServer

from engines import render_bundle_init
from serving2apps.local_server import LoopbackHTTPServer
from serving2apps.migrate import migrate
from serving2apps.offline_model import chat_completion
from serving2apps.verify import KEPT, verify

AGENT = Path(__file__).parent / "verify_agents" / "llm_agent.py"
PLANTED = "dapi-planted-verify-token-7f3a"
REQUEST = {"input": [{"role": "user", "content": "Where is order 42?"}]}


def random_model(server, request, params) -> Reply:
    """The deterministic model's reply shape, with words no run can predict."""
    body = json.loads(request.body)
    reply = chat_completion({**body, "messages": [{"role": "user", "content": uuid.uuid4().hex}], "tools": []})
    if reply.events is None:
        return Reply(200, reply.body)
    return Reply(200, events=[f"data: {e}\n\n".encode() for e in reply.events])


def statement(server, request, params) -> Reply:
    return Reply(200, {"statement_id": uuid.uuid4().hex, "status": {"state": "SUCCEEDED"},
                       "manifest": {"schema": {"column_count": 1}}, "result": {"data_array": [["shipped"]]}})


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    folder = tmp_path_factory.mktemp("replay-workspace")
    with WorkspaceServer(token=PLANTED) as server:
        server.add_route("POST", "/serving-endpoints/chat/completions", random_model)
        server.add_route("POST", "/api/2.0/sql/statements", statement)
        config = folder / "databrickscfg"
        config.write_text(f"[replay]\nhost = {server.url}\ntoken = {PLANTED}\n")
        saved = {k: os.environ.get(k) for k in ("DATABRICKS_CONFIG_FILE", "LOOKUP_WAREHOUSE")}
        os.environ.update(DATABRICKS_CONFIG_FILE=str(config), LOOKUP_WAREHOUSE="abc123")
        try:
            yield server, save_model(server, folder / "original_mlflow_model")
        finally:
            for key, value in saved.items():
                os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)


def save_model(server, dest: Path, agent: Path = AGENT) -> Path:
    """Logged from code, as from a notebook: saving runs the agent file, which builds its clients."""
    import mlflow

    saved = {k: os.environ.get(k) for k in ("DATABRICKS_HOST", "DATABRICKS_TOKEN")}
    os.environ.update(DATABRICKS_HOST=server.url, DATABRICKS_TOKEN=PLANTED)
    try:
        mlflow.pyfunc.save_model(str(dest), python_model=str(agent), input_example=REQUEST)
    finally:
        for key, value in saved.items():
            os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)
    return dest


def app_tests(app: Path) -> subprocess.CompletedProcess:
    """`uv run pytest` in the app, with this interpreter (it has the app's packages), and no workspace at all."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABRICKS_", "PYTEST_"))}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=app, env=env,
                          capture_output=True, text=True, timeout=600)


def migrated_app(go_renderer, model: Path, out: Path, mode: str) -> Path:
    assert render_bundle_init(go_renderer, {"app_name": f"replay-{mode}"}, out).returncode == 0
    app = out / f"replay-{mode}"
    assert migrate(model, app, mode=mode, log=lambda m: None) in (0, 1)
    return app


@pytest.mark.parametrize("mode", ["async", "sync"])
def test_a_faithful_migration_is_the_same_and_an_unfaithful_one_names_its_call(workspace, go_renderer, tmp_path,
                                                                                 mode):
    server, model = workspace
    app = migrated_app(go_renderer, model, tmp_path, mode)
    findings = verify(app, model, profile="replay", log=lambda m: None)
    assert [f.code for f in findings] == ["S2A400"], [f.message for f in findings]
    recording = (app / KEPT / "recording.json").read_text()
    calls = json.loads(recording)["exchanges"]
    # Per request: predict and predict_stream, each a statement and a model call (whole, then streamed).
    assert {("POST", "/serving-endpoints/chat/completions"), ("POST", "/api/2.0/sql/statements")} <= {
        (c["method"], c["path"]) for c in calls}  # and the SDK's own look-ups, which are replayed as well
    assert any(c["events"] for c in calls) and any(c["body"] for c in calls)
    assert PLANTED not in recording and PLANTED not in (app / KEPT / "requests.jsonl").read_text()
    if mode == "sync":
        return  # the diverging call is the same test in either mode; one is enough for the suite's time

    # The app keeps the check: its own test replays the recording (no workspace needed) and passes.
    kept = app_tests(app)
    assert kept.returncode == 0 and "1 passed" in kept.stdout, kept.stdout[-3000:]

    agent = app / "agent_server" / "agent.py"
    agent.write_text(agent.read_text().replace("You answer questions about orders.", "You answer about parcels."))
    changed = app_tests(app)
    assert changed.returncode == 1 and "a workspace call the original never made" in changed.stdout, \
        changed.stdout[-3000:]
    findings = verify(app, model, profile="replay", log=lambda m: None)
    codes = [f.code for f in findings]
    assert "S2A402" in codes, [f.message for f in findings]
    diverging = next(f.message for f in findings if f.code == "S2A402")
    assert "POST /serving-endpoints/chat/completions" in diverging
    assert "You answer questions about orders." in diverging and "You answer about parcels." in diverging


def test_an_agent_without_a_stream_is_the_same(workspace, go_renderer, tmp_path):
    """The app builds the stream from predict (S2A111), so its stream asks the model what predict asked, where the
    original could not stream and asked once: the replay gives the repeated call the original's answer, so "same"
    still means the migration kept the agent's behaviour (the model answers at random on every call)."""
    server, _ = workspace
    source = AGENT.read_text()
    stream = source[source.index("    def predict_stream("):source.index("\n\nmlflow.models.set_model")]
    no_stream = tmp_path / "llm_agent_no_stream.py"  # llm_agent.py without predict_stream, as many agents are
    no_stream.write_text(source.replace(stream, ""))
    model = save_model(server, tmp_path / "original_mlflow_model", no_stream)
    app = migrated_app(go_renderer, model, tmp_path / "out", "async")
    findings = verify(app, model, profile="replay", log=lambda m: None)
    assert [f.code for f in findings] == ["S2A400"], [f.message for f in findings]
    kept = app_tests(app)
    assert kept.returncode == 0 and "1 passed" in kept.stdout, kept.stdout[-3000:]


def test_offline_needs_no_workspace(workspace, go_renderer, tmp_path, monkeypatch):
    server, model = workspace
    monkeypatch.delenv("LOOKUP_WAREHOUSE")  # offline answers model calls only
    app = migrated_app(go_renderer, model, tmp_path, "async")
    before = len(server.requests)
    findings = verify(app, model, offline=True, log=lambda m: None)
    assert [f.code for f in findings] == ["S2A400"]
    assert len(server.requests) == before  # nothing reached the workspace


def test_without_credentials_a_workspace_call_is_explained(workspace, go_renderer, tmp_path, monkeypatch):
    server, model = workspace
    app = migrated_app(go_renderer, model, tmp_path, "sync")
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(tmp_path / "none"))
    for key in [k for k in os.environ if k.startswith("DATABRICKS_") and k != "DATABRICKS_CONFIG_FILE"]:
        monkeypatch.delenv(key)
    from serving2apps.errors import MigrationError

    with pytest.raises(MigrationError, match="no credentials were found") as failed:
        verify(app, model, profile="missing", log=lambda m: None)
    assert "--offline" in failed.value.fix
    shutil.rmtree(app)


@pytest.mark.parametrize("client", ["httpx", "aiohttp", "http.client"])
def test_calls_outside_the_workspace_are_named(go_renderer, tmp_path, monkeypatch, client):
    """A hard-coded URL is neither recorded nor replayed: each side gets its own answer, and the verdict names the
    host the agent went to, through the proxy (httpx) or past it (aiohttp ignores the proxy variables, http.client
    opens a plain socket)."""
    import mlflow

    class Facts(BaseHTTPRequestHandler):
        def do_GET(self):
            body = uuid.uuid4().hex.encode()
            self.send_response(200)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    with LoopbackHTTPServer(Facts) as facts:
        # "localhost", not the loopback address the recording and replay servers use (those are not proxied).
        monkeypatch.setenv("FACTS_URL", facts.url.replace("127.0.0.1", "localhost") + "/fact")
        monkeypatch.setenv("FACTS_CLIENT", client)
        model = tmp_path / "outside_model"
        mlflow.pyfunc.save_model(str(model), python_model=str(AGENT.parent / "outside_agent.py"), input_example=REQUEST)
        app = migrated_app(go_renderer, model, tmp_path / "apps", "sync")
        findings = verify(app, model, offline=True, log=lambda m: None)
    codes = {f.code: f.message for f in findings}
    assert set(codes) == {"S2A401", "S2A404"}, codes
    # Three requests: the original answers each whole only (it has no predict_stream), the app whole and streamed
    # (its stream built from the whole answer): nine calls, each counted once, whichever way it went.
    assert "went to localhost (9)" in codes["S2A404"], codes["S2A404"]


def test_the_replay_matches_a_call_whatever_ids_and_times_the_agent_made_afresh():
    """An agent may write a uuid4() or the time of day into what it sends (a tool call's id, 'It is now ...' in a
    prompt): the app's call then differs from the original's in that alone, and still gets the original's answer.
    Anything else that differs is a call the original never made."""
    import httpx

    from serving2apps.workspace_traffic import Exchange, Recording, ReplayServer, normalise

    def body(call_id: str, now: str, question: str = "Where is order 42?") -> bytes:
        return json.dumps({"messages": [{"role": "system", "content": f"It is now {now}."},
                                        {"role": "tool", "tool_call_id": call_id, "content": question}]}).encode()

    original = body(str(uuid.uuid4()), "2026-12-04T07:55:12.123456+00:00")
    recording = Recording([Exchange("POST", "/serving-endpoints/chat/completions", normalise(original), 200,
                                    body='{"answer": "shipped"}')])
    with ReplayServer(recording) as replay:
        url = f"{replay.url}/serving-endpoints/chat/completions"
        same = httpx.post(url, content=body(uuid.uuid4().hex, "2026-12-04 07:55:13"))
        other = httpx.post(url, content=body(str(uuid.uuid4()), "2026-12-04 07:55:14", "Where is order 43?"))
    assert (same.status_code, same.json()) == (200, {"answer": "shipped"})
    assert other.status_code == 404 and len(replay.misses) == 1


def test_both_sides_list_a_set_in_the_same_order(tmp_path):
    """Python orders a set of strings by their hashes, which differ per process unless seeded: an agent that lists
    its tools from a set would send them in another order from the app than from the original."""
    from serving2apps.workspace_traffic import pointed_at

    script = "print(list({'search', 'lookup', 'weather', 'orders', 'refund', 'escalate'}))"
    env = pointed_at(dict(os.environ), "http://127.0.0.1:9", tmp_path)
    orders = {subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                             check=True).stdout for _ in range(4)}
    assert len(orders) == 1
