"""serving2apps init: the embedded example end to end, and the guarantees around the output folder."""

import contextlib
import json
import os
import subprocess
import sys

import httpx
import pytest

from engines import REPO_ROOT, tree
from example import echo
from servers import running_agent_app
from serving2apps.download import Source
from serving2apps.errors import MigrationError
from serving2apps.init import init
from serving2apps.model_reader import read_model


def cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "serving2apps.cli", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


def test_init_example_end_to_end(tmp_path):
    result = cli("init", "--example", "--app-name", "demo-agent", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo-agent", "original_mlflow_model"]
    app = tmp_path / "demo-agent"
    assert "@invoke()" in (app / "agent_server" / "agent.py").read_text()
    assert json.loads((app / ".serving2apps" / "answers.json").read_text())["async_mode"] == "yes"
    assert "app_name: demo-agent" in (app / ".copier-answers.yml").read_text()
    assert "cd demo-agent && uv run start-app" in result.stdout
    elsewhere = cli("init", "--example", "--app-name", "other-agent", "--output-dir", "apps/new agents",
                    "--no-lock", cwd=tmp_path)
    assert elsewhere.returncode == 0, elsewhere.stderr
    # From where the user stands, quoted for the shell: the line can be pasted as it is.
    command = next(line for line in elsewhere.stdout.splitlines() if "uv run start-app" in line)
    assert command.strip().startswith("cd 'apps/new agents/other-agent' && uv run start-app")
    landed = subprocess.run(["bash", "-c", command.split("&&")[0] + "&& pwd"], cwd=tmp_path, capture_output=True,
                            text=True)
    assert landed.stdout.strip() == str(tmp_path / "apps" / "new agents" / "other-agent")
    # Messages name where files end up, never the staging folder they were built in.
    assert f"in {app / 'MIGRATION_REPORT.md'}" in result.stdout and ".serving2apps-init-" not in result.stdout
    with running_agent_app(app, tmp_path / "server.log") as base:
        answer = httpx.post(base + "/invocations", json=echo.INPUT_EXAMPLE, timeout=30).json()
    assert answer["output"][-1]["content"][0]["text"] == "bonjour: hello world"
    assert [i["type"] for i in answer["output"]] == ["function_call", "function_call_output", "message"]


def test_existing_folders_are_never_touched(tmp_path):
    (tmp_path / "demo-agent").mkdir()
    (tmp_path / "demo-agent" / "mine.txt").write_text("mine")
    with pytest.raises(MigrationError, match="already exists"):
        init(None, "demo-agent", tmp_path, example=True, log=lambda m: None)
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["demo-agent", "mine.txt"]


def test_bad_app_name_stops_before_anything(tmp_path):
    result = cli("init", "--example", "--app-name", "Demo_Agent", cwd=tmp_path)
    assert result.returncode == 2 and "app_name" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_failing_migration_leaves_nothing(tmp_path):
    broken = tmp_path / "broken-model"
    echo.save(broken)
    (broken / "agent.py").write_text("class Broken(:\n")
    out = tmp_path / "out" / "nested"
    with pytest.raises(MigrationError, match="syntax error"):
        init(Source(model_dir=broken), "demo-agent", out, log=lambda m: None)
    assert not (tmp_path / "out").exists()  # the folders init made for the output are gone too
    existing = tmp_path / "existing"
    existing.mkdir()
    with pytest.raises(MigrationError, match="syntax error"):
        init(Source(model_dir=broken), "demo-agent", existing, log=lambda m: None)
    assert existing.is_dir() and list(existing.iterdir()) == []  # the user's folder stays


def test_the_embedded_example_is_current():
    model = read_model(REPO_ROOT / "examples" / "echo_agent" / "model")
    assert (model.root / "agent.py").read_text() == (echo.SOURCE / "agent.py").read_text()
    assert model.artifacts == {"prompt": "artifacts/prompt.txt"}
    # Paths as a notebook-logged model records them, nothing of the machine that built it.
    recorded = (model.root / "MLmodel").read_text()
    assert str(REPO_ROOT) not in recorded and "/Workspace/Users/" in recorded
    assert (model.root / "code" / "helpers" / "text.py").read_text() == (echo.SOURCE / "helpers" / "text.py").read_text()


def test_dry_run_writes_nothing(tmp_path):
    result = cli("init", "--example", "--app-name", "dry-agent", "--dry-run", "--no-lock", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert list(tmp_path.iterdir()) == []
    assert "Dry run: nothing was written." in result.stdout
    assert "dry-agent/agent_server/agent.py" in result.stdout and "# Migration report" in result.stdout


def test_without_a_terminal_a_missing_answer_names_its_flag(tmp_path):
    result = subprocess.run([sys.executable, "-m", "serving2apps.cli", "init", "--example"], capture_output=True,
                            text=True, cwd=tmp_path, stdin=subprocess.DEVNULL, timeout=120)
    assert result.returncode == 2 and "--app-name is required" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_on_a_terminal_the_app_name_and_mode_are_asked_and_checked(tmp_path):
    command = [sys.executable, "-m", "serving2apps.cli", "init", "--example", "--engine", "copier", "--no-lock"]
    code, screen = _drive(command, [(b"Name of the new Databricks App", b"Bad_Name\n"),
                                    (b'invalid value for app_name: "Bad_Name"', b"asked-agent\n"),
                                    (b"Convert the agent's I/O to async", b"n\n")], tmp_path)
    assert code == 0, screen
    assert (tmp_path / "asked-agent" / "agent_server" / "agent.py").is_file()
    answers = json.loads((tmp_path / "asked-agent" / ".serving2apps" / "answers.json").read_text())
    assert answers["async_mode"] == "no"


def test_bundle_engine_drives_the_databricks_cli_and_matches_copier(go_renderer, tmp_path, monkeypatch):
    """A `databricks` on PATH that renders like the CLI (our reference renderer) stands in for the real one,
    which cannot be installed here; init must produce the same app with either engine."""
    shim = tmp_path / "bin" / "databricks"
    shim.parent.mkdir()
    shim.write_text(
        "#!/bin/sh\n"
        "# databricks bundle init TEMPLATE --config-file F --output-dir D [--profile P]\n"
        f'exec "{go_renderer}" -template "$3" -config "$5" -output "$7"\n'
    )
    shim.chmod(0o755)
    monkeypatch.setenv("PATH", f"{shim.parent}:{os.environ['PATH']}")
    from serving2apps.init import default_engine

    assert default_engine() == "bundle"
    init(None, "same-agent", tmp_path / "bundle", example=True, log=lambda m: None)
    init(None, "same-agent", tmp_path / "copier", example=True, engine="copier", log=lambda m: None)
    bundle_app, copier_app = tmp_path / "bundle" / "same-agent", tmp_path / "copier" / "same-agent"
    assert not (bundle_app / ".copier-answers.yml").exists()
    assert tree(bundle_app) == tree(copier_app, ignore={".copier-answers.yml"})


def test_a_failing_bundle_cli_is_explained(tmp_path, monkeypatch):
    shim = tmp_path / "bin" / "databricks"
    shim.parent.mkdir()
    shim.write_text("#!/bin/sh\necho 'Error: default auth: cannot configure default credentials' >&2\nexit 1\n")
    shim.chmod(0o755)
    monkeypatch.setenv("PATH", f"{shim.parent}:{os.environ['PATH']}")
    with pytest.raises(MigrationError, match="cannot configure default credentials") as failed:
        init(None, "cli-agent", tmp_path / "out", example=True, log=lambda m: None)
    assert "--engine copier" in failed.value.fix
    assert not (tmp_path / "out").exists()


def _drive(command, answers, cwd, env=None, timeout=120):
    """Run command on a pseudo-terminal; for each (prompt, reply) wait for the prompt, then type the reply."""
    import pty
    import select

    leader, follower = pty.openpty()
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdin=follower, stdout=follower, stderr=follower)
    os.close(follower)
    seen = b""
    for prompt, reply in answers:
        while prompt not in seen:
            ready, _, _ = select.select([leader], [], [], timeout)
            assert ready, f"no {prompt!r} in {seen[-500:]!r}"
            seen += os.read(leader, 4096)
        os.write(leader, reply)
    code = proc.wait(timeout=300)
    with contextlib.suppress(OSError):
        while select.select([leader], [], [], 1)[0]:
            chunk = os.read(leader, 4096)
            if not chunk:
                break
            seen += chunk
    os.close(leader)
    return code, seen.decode(errors="replace")


def test_on_a_terminal_the_profile_is_chosen_from_the_configured_ones(tmp_path):
    cfg = tmp_path / "databrickscfg"
    cfg.write_text("[DEFAULT]\nhost = https://dev.example.com\n\n[prod]\nhost = https://prod.example.com\ntoken = x\n")
    env = {**os.environ, "DATABRICKS_CONFIG_FILE": str(cfg)}
    command = [sys.executable, "-c", "from serving2apps.cli import ask_profile; print('chosen=' + ask_profile())"]
    code, screen = _drive(command, [(b"Profile [DEFAULT]: ", b"staging\n"), (b"Profile [DEFAULT]: ", b"2\n")],
                          tmp_path, env)
    assert code == 0
    assert "1) DEFAULT  https://dev.example.com" in screen and "2) prod  https://prod.example.com" in screen
    assert "no profile 'staging'" in screen and "chosen=prod" in screen
    assert "token" not in screen.replace("--profile", "")


def test_yes_never_asks(tmp_path):
    code, screen = _drive([sys.executable, "-m", "serving2apps.cli", "init", "--example", "--yes", "--no-lock"], [],
                          tmp_path)
    assert code == 2 and "--app-name is required" in screen
