"""Pre-generation: resolve the endpoint and download the agent, against a loopback workspace (real
databricks-sdk over HTTP) and a real MLflow tracking server with a model registry."""

import json
import os
import subprocess
import sys

import pytest
from databricks.sdk.service.serving import ServingEndpointDetailed

from fault_proxy import FaultProxy
from workspace_server import Reply, WorkspaceServer, custom_model_endpoint
from serving2apps.download import Retry, Source, download
from serving2apps.endpoint import gateway_features
from serving2apps.errors import MigrationError
from serving2apps.provenance import PROVENANCE_FILE, sha256_files

TOKEN = "dapi-fixture-0123456789abcdef"
FAST = Retry(attempts=2, first_delay=0.0)


@pytest.fixture
def workspace(mlflow_server, registered, monkeypatch, tmp_path):
    with WorkspaceServer(token=TOKEN) as ws:
        ws.serving_endpoints["echo-endpoint"] = custom_model_endpoint(
            "echo-endpoint",
            [
                {
                    "name": "echo_full-1",
                    "entity_name": "echo_full",
                    "entity_version": registered["echo_full"],
                    "environment_vars": {
                        "OPENAI_API_KEY": "{{secrets/agents/openai}}",
                        "LOG_LEVEL": "info",
                        "VENDOR_TOKEN": "plain-secret-value-do-not-copy",
                    },
                    "workload_size": "Medium",
                    "scale_to_zero_enabled": False,
                    "min_provisioned_concurrency": 8,
                    "max_provisioned_concurrency": 96,
                }
            ],
        )
        # What the endpoint's AI Gateway did for each call, which the app will not (S2A216).
        ws.serving_endpoints["echo-endpoint"]["ai_gateway"] = {
            "inference_table_config": {"catalog_name": "main", "schema_name": "serving", "enabled": True},
            "rate_limits": [{"calls": 100, "renewal_period": "minute", "key": "user"}],
            "guardrails": {"output": {"pii": {"behavior": "BLOCK"}}},
            "usage_tracking_config": {"enabled": True},
        }
        monkeypatch.setenv("DATABRICKS_HOST", ws.url)
        monkeypatch.setenv("DATABRICKS_TOKEN", TOKEN)
        monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(tmp_path / "no-databrickscfg"))
        monkeypatch.delenv("DATABRICKS_CONFIG_PROFILE", raising=False)
        monkeypatch.setenv("MLFLOW_TRACKING_URI", mlflow_server)
        monkeypatch.setenv("MLFLOW_REGISTRY_URI", mlflow_server)
        yield ws


def test_endpoint_download_with_provenance(workspace, registered, tmp_path):
    dest = tmp_path / "original_mlflow_model"
    result = download(Source(endpoint="echo-endpoint"), dest, retry=FAST, log=lambda m: None)

    # Auth is checked before anything else.
    assert workspace.authenticated_requests()[0].path == "/api/2.0/preview/scim/v2/Me"
    model = result.model
    assert model.root == dest and model.agent_file == "agent.py"
    assert {"code/helpers/__init__.py", "code/helpers/text.py"} <= set(model.code_files)
    assert model.artifacts == {"prompt": "artifacts/prompt.txt"}
    assert model.input_example == "input_example.json"
    assert model.model_config == {"temperature": 0.1, "tools": ["search"]}
    assert {(r.type, r.name, r.on_behalf_of_user) for r in model.resources} == {
        ("serving_endpoint", "databricks-claude-sonnet-4-5", None),
        ("function", "system.ai.python_exec", None),
        ("vector_search_index", "main.docs.index", True),
    }
    assert not list(tmp_path.glob(".original_mlflow_model*")), "no staging folder left behind"

    record = json.loads((dest / PROVENANCE_FILE).read_text())
    source = record["source"]
    assert source["kind"] == "endpoint" and source["endpoint"] == "echo-endpoint"
    assert source["host"] == workspace.url and source["served_entity"] == "echo_full-1"
    assert (source["model_name"], source["model_version"]) == ("echo_full", registered["echo_full"])
    assert source["model_uri"] == f"models:/echo_full/{registered['echo_full']}"
    assert source["workload_size"] == "Medium" and source["scale_to_zero_enabled"] is False
    assert (source["min_provisioned_concurrency"], source["max_provisioned_concurrency"]) == (8, 96)
    assert source["environment_vars"]["OPENAI_API_KEY"] == "{{secrets/agents/openai}}"
    assert source["environment_vars"]["LOG_LEVEL"] == "info"
    assert source["environment_vars"]["VENDOR_TOKEN"].startswith("<redacted")
    assert source["gateway"] == [
        "logged every request and answer to the inference table main.serving.echo-endpoint_payload",
        "rate-limited its callers (100 calls per minute per user)",
        "applied AI Gateway guardrails to answers",
        "tracked usage per caller (system.serving.endpoint_usage)",
    ]
    files = sorted(f for f in model.files if f != PROVENANCE_FILE)
    assert record["files"] == sha256_files(dest, files)
    assert record["tool"] == "serving2apps" and record["created_at"]
    text = (dest / PROVENANCE_FILE).read_text()
    assert TOKEN not in text and "plain-secret-value" not in text


def test_a_legacy_auto_capture_table_is_named_and_a_disabled_one_is_not():
    def endpoint(enabled):
        return ServingEndpointDetailed.from_dict({"name": "old-bot", "config": {"auto_capture_config": {
            "catalog_name": "main", "schema_name": "logs", "enabled": enabled}}})

    assert gateway_features(endpoint(True)) == (
        "logged every request and answer to the inference table main.logs.old-bot_payload (auto capture)",)
    assert gateway_features(endpoint(False)) == ()


def test_auth_policy_model(workspace, registered, tmp_path):
    model = download(Source(model_uri=f"models:/echo_auth/{registered['echo_auth']}"), tmp_path / "m", retry=FAST,
                     log=lambda m: None).model
    assert [(r.type, r.name, r.origin) for r in model.resources] == [
        ("serving_endpoint", "llm", "auth_policy.system_auth_policy")
    ]
    assert model.user_api_scopes == ("serving.serving-endpoints",)
    record = json.loads((tmp_path / "m" / PROVENANCE_FILE).read_text())
    assert record["auth_policy"]["user_auth_policy"]["api_scopes"] == ["serving.serving-endpoints"]


def test_plain_model_without_code_paths(workspace, registered, tmp_path):
    model = download(Source(model_uri="models:/echo_plain/1"), tmp_path / "m", retry=FAST, log=lambda m: None).model
    assert model.agent_file == "agent.py" and model.code_files == () and model.artifacts == {}
    assert model.resources == () and model.model_config is None


def test_traffic_split_needs_a_served_entity(workspace, registered, tmp_path):
    workspace.serving_endpoints["split"] = custom_model_endpoint(
        "split",
        [
            {"name": "full", "entity_name": "echo_full", "entity_version": registered["echo_full"]},
            {"name": "plain", "entity_name": "echo_plain", "entity_version": registered["echo_plain"]},
        ],
        routes=[("full", 60), ("plain", 40)],
    )
    with pytest.raises(MigrationError) as refused:
        download(Source(endpoint="split"), tmp_path / "m", retry=FAST, log=lambda m: None)
    assert "60% of traffic" in str(refused.value) and "40% of traffic" in str(refused.value)
    assert "--served-entity" in refused.value.fix
    assert not (tmp_path / "m").exists()

    model = download(Source(endpoint="split", served_entity="plain"), tmp_path / "m", retry=FAST, log=lambda m: None).model
    assert model.code_files == ()


def test_split_with_all_traffic_on_one_entity_picks_it(workspace, registered, tmp_path):
    workspace.serving_endpoints["shadow"] = custom_model_endpoint(
        "shadow",
        [
            {"name": "old", "entity_name": "echo_plain", "entity_version": "1"},
            {"name": "new", "entity_name": "echo_full", "entity_version": registered["echo_full"]},
        ],
        routes=[("old", 0), ("new", 100)],
    )
    model = download(Source(endpoint="shadow"), tmp_path / "m", retry=FAST, log=lambda m: None).model
    assert model.artifacts


def test_legacy_served_models_shape(workspace, registered, tmp_path):
    workspace.serving_endpoints["legacy"] = {
        "name": "legacy",
        "state": {"ready": "READY"},
        "config": {
            "served_models": [{"name": "echo-plain-1", "model_name": "echo_plain", "model_version": "1",
                               "workload_size": "Small", "scale_to_zero_enabled": True}],
            "traffic_config": {"routes": [{"served_model_name": "echo-plain-1", "traffic_percentage": 100}]},
        },
    }
    result = download(Source(endpoint="legacy"), tmp_path / "m", retry=FAST, log=lambda m: None)
    assert result.provenance["source"]["served_entity"] == "echo-plain-1"


@pytest.mark.parametrize("kind", ["foundation_model", "external_model"])
def test_endpoint_without_a_custom_model_is_refused(workspace, tmp_path, kind):
    workspace.serving_endpoints["fm"] = custom_model_endpoint(
        "fm", [{"name": "llama", "entity_name": "system.ai.llama", kind: {"name": "llama"}}]
    )
    with pytest.raises(MigrationError, match="not a custom MLflow agent"):
        download(Source(endpoint="fm"), tmp_path / "m", retry=FAST, log=lambda m: None)
    assert not (tmp_path / "m").exists()


def test_unknown_endpoint(workspace, tmp_path):
    with pytest.raises(MigrationError, match="no serving endpoint named 'nope'") as refused:
        download(Source(endpoint="nope"), tmp_path / "m", retry=FAST, log=lambda m: None)
    assert "serving-endpoints list" in refused.value.fix
    assert not (tmp_path / "m").exists()


def test_bad_token_names_the_fix_and_stops_first(workspace, monkeypatch, tmp_path):
    monkeypatch.setenv("DATABRICKS_TOKEN", "expired-token")
    with pytest.raises(MigrationError, match="authentication failed") as refused:
        download(Source(endpoint="echo-endpoint"), tmp_path / "m", retry=FAST, log=lambda m: None)
    assert "databricks auth login --profile" in refused.value.fix
    assert "expired-token" not in str(refused.value)
    assert [r.path for r in workspace.requests if r.path.startswith("/api/2.0/serving")] == []


def test_permission_denied_on_the_endpoint(workspace, tmp_path):
    workspace.fail_next("GET", "/api/2.0/serving-endpoints/echo-endpoint",
                        Reply(403, {"error_code": "PERMISSION_DENIED", "message": "no access"}))
    with pytest.raises(MigrationError, match="no permission"):
        download(Source(endpoint="echo-endpoint"), tmp_path / "m", retry=FAST, log=lambda m: None)


def test_a_503_is_retried(workspace, tmp_path):
    workspace.fail_next(
        "GET", "/api/2.0/serving-endpoints/echo-endpoint",
        Reply(503, {"error_code": "TEMPORARILY_UNAVAILABLE", "message": "try later"}, {"Retry-After": "0"}),
    )
    download(Source(endpoint="echo-endpoint"), tmp_path / "m", retry=FAST, log=lambda m: None)
    gets = [r for r in workspace.requests if r.path == "/api/2.0/serving-endpoints/echo-endpoint"]
    assert len(gets) == 2


def test_a_429_with_retry_after_is_retried(workspace, tmp_path):
    workspace.fail_next(
        "GET", "/api/2.0/serving-endpoints/echo-endpoint",
        Reply(429, {"error_code": "REQUEST_LIMIT_EXCEEDED", "message": "slow down"}, {"Retry-After": "1"}),
    )
    download(Source(endpoint="echo-endpoint"), tmp_path / "m", retry=FAST, log=lambda m: None)
    gets = [r for r in workspace.requests if r.path == "/api/2.0/serving-endpoints/echo-endpoint"]
    assert len(gets) == 2


def test_a_workspace_slower_than_the_timeout_is_explained(workspace, monkeypatch, tmp_path):
    monkeypatch.setenv("SERVING2APPS_HTTP_TIMEOUT_SECONDS", "1")
    monkeypatch.setenv("SERVING2APPS_RETRY_TIMEOUT_SECONDS", "3")
    slow = Reply(200, workspace.serving_endpoints["echo-endpoint"], delay=2.5)
    workspace.fail_next("GET", "/api/2.0/serving-endpoints/echo-endpoint", *[slow] * 10)
    with pytest.raises(MigrationError) as refused:
        download(Source(endpoint="echo-endpoint"), tmp_path / "m", retry=FAST, log=lambda m: None)
    assert "echo-endpoint" in refused.value.problem and "time" in str(refused.value).lower()
    assert refused.value.fix
    assert list(tmp_path.iterdir()) == []


def test_a_token_that_expires_between_resolve_and_download_is_explained(workspace, mlflow_server, monkeypatch,
                                                                        tmp_path):
    with FaultProxy(mlflow_server, refuse=lambda method, path: 401) as proxy:
        monkeypatch.setenv("MLFLOW_TRACKING_URI", proxy.url)
        monkeypatch.setenv("MLFLOW_REGISTRY_URI", proxy.url)
        with pytest.raises(MigrationError) as refused:
            download(Source(endpoint="echo-endpoint"), tmp_path / "m", retry=FAST, log=lambda m: None)
    assert proxy.refused_count >= 1
    assert "401" in refused.value.problem or "auth" in refused.value.problem.lower()
    assert "databricks auth login" in refused.value.fix
    assert list(tmp_path.iterdir()) == []


def test_deleted_model_version(workspace, tmp_path):
    workspace.serving_endpoints["gone"] = custom_model_endpoint(
        "gone", [{"name": "g", "entity_name": "echo_plain", "entity_version": "99"}]
    )
    with pytest.raises(MigrationError, match="cannot download models:/echo_plain/99") as refused:
        download(Source(endpoint="gone"), tmp_path / "m", retry=FAST, log=lambda m: None)
    assert "deleted" in refused.value.fix
    assert not (tmp_path / "m").exists() and list(tmp_path.iterdir()) == []


def test_connection_reset_mid_download_is_retried_then_explained(workspace, mlflow_server, monkeypatch, tmp_path):
    with FaultProxy(mlflow_server, cut=lambda method, path: "mlflow-artifacts/artifacts/" in path) as proxy:
        monkeypatch.setenv("MLFLOW_TRACKING_URI", proxy.url)
        monkeypatch.setenv("MLFLOW_REGISTRY_URI", proxy.url)
        with pytest.raises(MigrationError, match="after 2 attempts") as refused:
            download(Source(model_uri="models:/echo_full/1"), tmp_path / "m", retry=FAST, log=lambda m: None)
    assert proxy.cut_count >= 2
    assert "attempt 1" in str(refused.value) and "attempt 2" in str(refused.value)
    assert "network" in refused.value.fix
    assert list(tmp_path.iterdir()) == []


def test_a_listing_with_names_that_escape_is_refused(workspace, mlflow_server, monkeypatch, tmp_path):
    def add_escaping_names(method, path, body):
        if method == "GET" and path.startswith("/api/2.0/mlflow-artifacts/artifacts?"):
            listing = json.loads(body)
            listing.setdefault("files", []).extend(
                [{"path": "../escaped.txt", "is_dir": False, "file_size": 3},
                 {"path": "/tmp/absolute.txt", "is_dir": False, "file_size": 3}])
            return json.dumps(listing).encode()
        return body

    with FaultProxy(mlflow_server, rewrite=add_escaping_names) as proxy:
        monkeypatch.setenv("MLFLOW_TRACKING_URI", proxy.url)
        monkeypatch.setenv("MLFLOW_REGISTRY_URI", proxy.url)
        dest = tmp_path / "inner" / "m"
        with pytest.raises(MigrationError, match="would escape the download folder"):
            download(Source(model_uri="models:/echo_plain/1"), dest, retry=FAST, log=lambda m: None)
    assert not dest.exists() and list((tmp_path / "inner").iterdir()) == []
    assert not (tmp_path / "escaped.txt").exists() and not (tmp_path / "inner" / "escaped.txt").exists()


def test_existing_destination_needs_force(workspace, tmp_path):
    dest = tmp_path / "m"
    dest.mkdir()
    (dest / "notes.txt").write_text("mine")
    with pytest.raises(MigrationError, match="already exists") as refused:
        download(Source(model_uri="models:/echo_plain/1"), dest, retry=FAST, log=lambda m: None)
    assert "--force" in refused.value.fix
    assert [p.name for p in dest.iterdir()] == ["notes.txt"]
    download(Source(model_uri="models:/echo_plain/1"), dest, force=True, retry=FAST, log=lambda m: None)
    assert (dest / "MLmodel").is_file() and not (dest / "notes.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]


def test_model_dir_is_validated_and_copied(workspace, tmp_path):
    first = download(Source(model_uri="models:/echo_full/1"), tmp_path / "a", retry=FAST, log=lambda m: None)
    second = download(Source(model_dir=tmp_path / "a"), tmp_path / "b", log=lambda m: None)
    assert second.model.files == first.model.files
    assert second.provenance["source"] == {"kind": "model_dir", "model_dir": str((tmp_path / "a").resolve())}


def test_model_dir_with_a_symlink_outside_is_refused(workspace, tmp_path):
    download(Source(model_uri="models:/echo_plain/1"), tmp_path / "a", retry=FAST, log=lambda m: None)
    (tmp_path / "secret.txt").write_text("outside")
    (tmp_path / "a" / "artifacts").mkdir()
    (tmp_path / "a" / "artifacts" / "link.txt").symlink_to(tmp_path / "secret.txt")
    with pytest.raises(MigrationError, match="symlink"):
        download(Source(model_dir=tmp_path / "a"), tmp_path / "b", log=lambda m: None)
    assert not (tmp_path / "b").exists()


def test_exactly_one_source():
    with pytest.raises(MigrationError, match="exactly one source"):
        Source(endpoint="e", model_uri="models:/x/1")
    with pytest.raises(MigrationError, match="exactly one source"):
        Source()


def test_copier_pre_gen_downloads_beside_the_app(workspace, template_repo, monkeypatch, tmp_path):
    from engines import render_copier

    cfg = tmp_path / "databrickscfg"
    cfg.write_text(f"[DEFAULT]\nhost = {workspace.url}\ntoken = {TOKEN}\n")
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(cfg))
    monkeypatch.delenv("DATABRICKS_HOST")
    monkeypatch.delenv("DATABRICKS_TOKEN")
    work = tmp_path / "work"
    work.mkdir()
    answers = {"app_name": "echo-app", "endpoint_name": "echo-endpoint"}
    result = render_copier(template_repo, answers, work / "echo-app", skip_tasks=False)
    assert result.returncode == 0, result.output
    assert sorted(p.name for p in work.iterdir()) == ["echo-app", "original_mlflow_model"]
    assert (work / "original_mlflow_model" / "agent.py").is_file()
    # post-gen migrated it (in sync mode: async is not available yet, and the hook says so).
    assert "@invoke()" in (work / "echo-app" / "agent_server" / "agent.py").read_text()
    assert "serving-endpoint-databricks-claude-sonnet-4-5" in (work / "echo-app" / "databricks.yml").read_text()
    assert "value_from: secret-agents-openai" in (work / "echo-app" / "databricks.yml").read_text()

    # A second app from the same endpoint reuses the download.
    assert render_copier(template_repo, {**answers, "app_name": "echo-two"}, work / "echo-two", skip_tasks=False).returncode == 0

    failed = render_copier(template_repo, {"app_name": "bad-one", "endpoint_name": "nope"}, tmp_path / "w2" / "bad-one",
                           skip_tasks=False)
    assert failed.returncode != 0
    assert not (tmp_path / "w2" / "bad-one").exists() and not (tmp_path / "w2" / "original_mlflow_model").exists()


def test_bundle_init_then_migrate_downloads_from_the_recorded_endpoint(workspace, go_renderer, tmp_path):
    from engines import render_bundle_init

    cfg = tmp_path / "databrickscfg"
    cfg.write_text(f"[staging]\nhost = {workspace.url}\ntoken = {TOKEN}\n")
    answers = {"app_name": "echo-app", "endpoint_name": "echo-endpoint", "profile": "staging", "async_mode": "no"}
    assert render_bundle_init(go_renderer, answers, tmp_path).returncode == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABRICKS_")}
    env["DATABRICKS_CONFIG_FILE"] = str(cfg)
    result = _cli(["migrate"], env, tmp_path / "echo-app")
    assert result.returncode in (0, 1), result.stderr
    assert (tmp_path / "original_mlflow_model" / "MLmodel").is_file()
    assert "@invoke()" in (tmp_path / "echo-app" / "agent_server" / "agent.py").read_text()
    assert TOKEN not in result.stdout + result.stderr


def test_migrate_without_a_model_or_endpoint_says_what_to_do(go_renderer, tmp_path):
    from engines import render_bundle_init

    assert render_bundle_init(go_renderer, {"app_name": "echo-app", "async_mode": "no"}, tmp_path).returncode == 0
    result = _cli(["migrate"], dict(os.environ), tmp_path / "echo-app")
    assert result.returncode == 2
    assert "no model in" in result.stderr and "serving2apps download" in result.stderr


def _cli(args, env, cwd):
    return subprocess.run([sys.executable, "-m", "serving2apps.cli", *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=300)


def test_cli_download_with_a_profile_from_databrickscfg(workspace, mlflow_server, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / ".databrickscfg").write_text(f"[staging]\nhost = {workspace.url}\ntoken = {TOKEN}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABRICKS_")}
    env.update(HOME=str(home), MLFLOW_TRACKING_URI=mlflow_server, MLFLOW_REGISTRY_URI=mlflow_server)
    ok = _cli(["download", "--endpoint", "echo-endpoint", "--profile", "staging"], env, tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert (tmp_path / "original_mlflow_model" / "agent.py").is_file()
    assert "echo_full-1" in ok.stdout and TOKEN not in ok.stdout + ok.stderr

    again = _cli(["download", "--endpoint", "echo-endpoint", "--profile", "staging"], env, tmp_path)
    assert again.returncode == 2
    assert "already exists" in again.stderr and "--force" in again.stderr

    wrong = _cli(["download", "--endpoint", "echo-endpoint", "--profile", "nope", "--dest", "x"], env, tmp_path)
    assert wrong.returncode == 2
    assert "databricks auth login --profile nope" in wrong.stderr
    assert not (tmp_path / "x").exists()


@pytest.mark.skipif(
    not (os.environ.get("DATABRICKS_HOST") and os.environ.get("SERVING2APPS_TEST_ENDPOINT")),
    reason="opt-in: set DATABRICKS_HOST, credentials and SERVING2APPS_TEST_ENDPOINT to download from a real workspace",
)
def test_real_workspace_download(tmp_path):
    result = download(Source(endpoint=os.environ["SERVING2APPS_TEST_ENDPOINT"]), tmp_path / "m")
    assert (tmp_path / "m" / "MLmodel").is_file() and result.model.agent_file


@pytest.mark.parametrize(
    "name, profile, expected",
    [
        ("main.agents.support_bot", "prod", "databricks-uc://prod"),
        ("main.agents.support_bot", None, "databricks-uc"),
        ("support_bot", "prod", "databricks://prod"),
    ],
)
def test_registry_is_chosen_from_the_model_name(name, profile, expected, monkeypatch):
    from serving2apps.download import registry_uri_for

    monkeypatch.delenv("MLFLOW_REGISTRY_URI", raising=False)
    assert registry_uri_for(name, profile) == expected
    monkeypatch.setenv("MLFLOW_REGISTRY_URI", "http://127.0.0.1:5000")
    assert registry_uri_for(name, profile) == "http://127.0.0.1:5000"


def test_an_unknown_model_uri_shape_is_refused(tmp_path):
    with pytest.raises(MigrationError, match="not a model URI"):
        download(Source(model_uri="s3://bucket/model"), tmp_path / "m", retry=FAST, log=lambda m: None)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("source, mode", [(Source(endpoint="echo-endpoint"), "async"),
                                          (Source(model_uri="models:/echo_full/1"), "sync")],
                         ids=["endpoint-async", "model-uri-sync"])
def test_init_downloads_migrates_and_verifies(workspace, source, mode, tmp_path):
    from serving2apps.init import init

    lines = []
    code = init(source, "remote-agent", tmp_path, mode=mode, verify=True, engine="copier", log=lines.append)
    assert code in (0, 1), "\n".join(lines)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["original_mlflow_model", "remote-agent"]
    report = json.loads((tmp_path / "remote-agent" / ".serving2apps" / "report.json").read_text())
    assert report["summary"]["mode"] == mode
    assert "S2A400" in {f["code"] for f in report["findings"]}, "\n".join(lines)


def test_missing_credentials_stop_at_once_with_the_login_hint_and_leave_nothing(tmp_path):
    """No profile, no environment: one clear refusal before any download attempt (no retries, which no retry
    could fix), and no `mlflow.db` left in the folder the user stands in."""
    home, cwd = tmp_path / "home", tmp_path / "cwd"
    home.mkdir()
    cwd.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABRICKS_", "MLFLOW_"))}
    env["HOME"] = str(home)
    result = _cli(["download", "--model-uri", "models:/support_bot/1"], env, cwd)
    assert result.returncode == 2, result.stderr
    assert "cannot configure Databricks authentication" in result.stderr
    assert "databricks auth login --profile DEFAULT" in result.stderr
    assert "attempt" not in result.stderr and "retrying" not in result.stdout
    assert list(cwd.iterdir()) == []


def test_an_unreachable_workspace_says_what_it_is_contacting_and_gives_up_within_the_budget(monkeypatch, tmp_path):
    """A host that accepts connections and never answers (a black-holed proxy): a progress line first, then a
    refusal that names the workspace and the budget; nothing written."""
    import socket

    hole = socket.socket()
    hole.bind(("127.0.0.1", 0))
    hole.listen(16)
    try:
        monkeypatch.setenv("DATABRICKS_HOST", f"http://127.0.0.1:{hole.getsockname()[1]}")
        monkeypatch.setenv("DATABRICKS_TOKEN", TOKEN)
        monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(tmp_path / "no-databrickscfg"))
        monkeypatch.setenv("SERVING2APPS_HTTP_TIMEOUT_SECONDS", "1")
        monkeypatch.setenv("SERVING2APPS_RETRY_TIMEOUT_SECONDS", "2")
        lines = []
        with pytest.raises(MigrationError) as refused:
            download(Source(endpoint="echo-endpoint"), tmp_path / "m", retry=FAST, log=lines.append)
    finally:
        hole.close()
    assert lines == ["Contacting the workspace of profile DEFAULT ..."]
    assert "127.0.0.1" in refused.value.problem and "SERVING2APPS_RETRY_TIMEOUT_SECONDS" in refused.value.fix
    assert list(tmp_path.iterdir()) == []


def test_the_default_budget_is_about_a_minute(monkeypatch):
    from serving2apps.endpoint import workspace_client

    monkeypatch.setenv("DATABRICKS_HOST", "http://127.0.0.1:9")
    monkeypatch.setenv("DATABRICKS_TOKEN", TOKEN)
    monkeypatch.delenv("SERVING2APPS_HTTP_TIMEOUT_SECONDS", raising=False)
    monkeypatch.delenv("SERVING2APPS_RETRY_TIMEOUT_SECONDS", raising=False)
    config = workspace_client(None).config
    assert config.retry_timeout_seconds <= 90 and config.http_timeout_seconds <= 30
    monkeypatch.setenv("SERVING2APPS_RETRY_TIMEOUT_SECONDS", "soon")
    with pytest.raises(MigrationError, match="SERVING2APPS_RETRY_TIMEOUT_SECONDS"):
        workspace_client(None)


def test_long_error_lines_are_cut_between_words():
    from serving2apps.errors import first_line

    text = "word " * 100
    cut = first_line(text, 50)
    assert cut.endswith(" …") and len(cut) <= 52 and cut[:-2].split(" ")[-1] == "word"
    assert first_line("short\nsecond line") == "short"
