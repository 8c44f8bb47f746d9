"""`serving2apps deploy`: the CLI half against a `databricks` stand-in that records its calls, the smoke-test half
against a loopback server standing in for the deployed app (it checks the OAuth token like Databricks Apps)."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from workspace_server import Reply, WorkspaceServer

from serving2apps.deploy import deploy
from serving2apps.errors import MigrationError

OAUTH_TOKEN = "oauth-token-PLANTED-4f2a"
FAKE_CLI = textwrap.dedent('''\
    #!{python}
    """A databricks CLI stand-in: records argv, answers from $FAKE_DATABRICKS (JSON)."""
    import json, os, sys
    args = sys.argv[1:]
    with open(os.environ["FAKE_DATABRICKS_LOG"], "a") as log:
        log.write(json.dumps(args) + "\\n")
    spec = json.loads(os.environ.get("FAKE_DATABRICKS", "{{}}"))
    verb = " ".join(a for a in args if not a.startswith("-"))
    for prefix, failure in spec.get("fail", {{}}).items():
        if verb.startswith(prefix):
            print(failure, file=sys.stderr)
            sys.exit(1)
    if args[:2] == ["apps", "get"]:
        print(json.dumps({{"name": args[2], "url": spec["url"]}}))
    elif args[:2] == ["auth", "token"]:
        print(json.dumps({{"access_token": spec["token"], "token_type": "Bearer"}}))
    else:
        print("ok: " + verb)
''')


@pytest.fixture
def app(tmp_path):
    app = tmp_path / "my-agent"
    app.mkdir()
    (app / "databricks.yml").write_text(
        "bundle:\n  name: my-agent\nresources:\n  apps:\n    agent_migration:\n      name: my-agent\n"
        "      source_code_path: ./\n")
    (app / "input_example.json").write_text(json.dumps({"input": [{"role": "user", "content": "hi"}]}))
    return app


@pytest.fixture
def deployed_app():
    """The deployed app's URL: answers /invocations only with the OAuth token."""
    with WorkspaceServer(token=OAUTH_TOKEN) as server:
        server.add_route("POST", "/invocations", lambda s, r, p: Reply(200, {"output": [{
            "type": "message", "role": "assistant", "id": "m",
            "content": [{"type": "output_text", "text": "echo: " + json.loads(r.body)["input"][-1]["content"]}]}]}))
        yield server


@pytest.fixture
def fake_cli(tmp_path, monkeypatch, deployed_app):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    cli = bin_dir / "databricks"
    cli.write_text(FAKE_CLI.format(python=sys.executable))
    cli.chmod(0o755)
    log = tmp_path / "calls.jsonl"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_DATABRICKS_LOG", str(log))

    def configure(**spec):
        monkeypatch.setenv("FAKE_DATABRICKS", json.dumps({"url": deployed_app.url, "token": OAUTH_TOKEN, **spec}))

    configure()

    def calls():
        return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []

    configure.calls = calls
    return configure


def test_validate_deploy_run_then_the_app_answers(app, fake_cli, deployed_app):
    lines = []
    assert deploy(app, profile="prod-ws", log=lines.append) == 0
    assert [c[:3] for c in fake_cli.calls()] == [
        ["bundle", "validate", "--profile"], ["bundle", "deploy", "--profile"],
        ["bundle", "run", "agent_migration"], ["apps", "get", "my-agent"], ["auth", "token", "--output"]]
    assert all(c[c.index("--profile") + 1] == "prod-ws" for c in fake_cli.calls())
    assert "The app answered:\necho: hi" in "\n".join(lines)
    # The token went to the app only, and was never printed.
    (call,) = [r for r in deployed_app.requests if r.path == "/invocations"]
    assert call.headers["authorization"] == f"Bearer {OAUTH_TOKEN}"
    assert OAUTH_TOKEN not in "\n".join(lines)


def test_bind_adopts_an_existing_app_before_deploying(app, fake_cli):
    deploy(app, profile="p", target="prod", bind=True, smoke_test=False, log=lambda m: None)
    calls = fake_cli.calls()
    assert calls[1][:6] == ["bundle", "deployment", "bind", "agent_migration", "my-agent", "--auto-approve"]
    assert [c[1] for c in calls] == ["validate", "deployment", "deploy", "run"]
    assert all(c[c.index("--target") + 1] == "prod" for c in calls)


@pytest.mark.parametrize("failing, message, hint", [
    ("bundle deploy", "Error: An app with the same name already exists: my-agent", "--bind"),
    ("bundle validate", "Error: Unauthenticated: invalid access token", "databricks auth login --profile p"),
    ("bundle run", "Error: PERMISSION_DENIED: cannot start app", "permission"),
    ("bundle deploy", "Error: something new", "databricks bundle validate"),
])
def test_a_failing_command_is_named_with_a_hint_and_stops_the_rest(app, fake_cli, failing, message, hint):
    fake_cli(fail={failing: message})
    with pytest.raises(MigrationError) as caught:
        deploy(app, profile="p", log=lambda m: None)
    assert f"`databricks {failing}" in caught.value.problem and message in caught.value.problem
    assert hint in caught.value.fix
    verbs = [" ".join(c[:2]) for c in fake_cli.calls()]
    assert verbs[-1] == failing and "apps get" not in verbs


def test_an_app_that_does_not_answer_is_reported(app, fake_cli, deployed_app):
    fake_cli(token="not-the-token")
    with pytest.raises(MigrationError, match="answered HTTP 401") as caught:
        deploy(app, log=lambda m: None)
    assert "databricks apps logs my-agent" in caught.value.fix


def test_cli_deploy_without_the_databricks_cli(app, tmp_path):
    env = {**os.environ, "PATH": str(tmp_path / "empty")}
    done = subprocess.run([sys.executable, "-m", "serving2apps.cli", "deploy", "--app-dir", str(app)],
                          capture_output=True, text=True, env=env)
    assert done.returncode == 2
    assert "databricks CLI is not on PATH" in done.stderr and "install" in done.stderr
