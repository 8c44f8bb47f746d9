"""The generated app's `quickstart` against the loopback workspace: profile check, experiment create-or-reuse,
.env written without overwriting what the user set, and idempotent re-runs."""

import subprocess
import sys

import pytest

from engines import render_bundle_init
from workspace_server import WorkspaceServer


@pytest.fixture
def workspace():
    with WorkspaceServer() as server:
        yield server


@pytest.fixture
def app(go_renderer, tmp_path):
    assert render_bundle_init(go_renderer, {"app_name": "quick-agent", "profile": "ws"}, tmp_path).returncode == 0
    return tmp_path / "quick-agent"


def quickstart(app, workspace, tmp_path, *args, token=None):
    config = tmp_path / "databrickscfg"
    config.write_text(f"[ws]\nhost = {workspace.url}\ntoken = {token or workspace.token}\n")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "DATABRICKS_CONFIG_FILE": str(config)}
    return subprocess.run([sys.executable, "scripts/quickstart.py", *args], cwd=app, capture_output=True, text=True,
                          env=env)


def env_values(app):
    return dict(line.split("=", 1) for line in (app / ".env").read_text().splitlines() if "=" in line
                and not line.startswith("#"))


def test_creates_the_experiment_and_writes_env(app, workspace, tmp_path):
    done = quickstart(app, workspace, tmp_path)
    assert done.returncode == 0, done.stderr
    path = "/Users/migrator@example.com/quick-agent"
    assert workspace.experiments == {path: "1000"}
    assert f"Created MLflow experiment {path} (id 1000)" in done.stdout
    assert env_values(app) == {"DATABRICKS_CONFIG_PROFILE": "ws", "MLFLOW_EXPERIMENT_ID": "1000",
                               "MLFLOW_TRACKING_URI": "databricks", "MLFLOW_REGISTRY_URI": "databricks-uc"}
    # Missing tools are named with a hint, not fatal (the PATH here has neither uv nor databricks).
    assert "warning: databricks not found" in done.stderr and "install" in done.stderr
    assert workspace.token not in done.stdout + done.stderr + (app / ".env").read_text()


def test_a_second_run_reuses_the_experiment_and_changes_nothing(app, workspace, tmp_path):
    assert quickstart(app, workspace, tmp_path).returncode == 0
    before = (app / ".env").read_text()
    again = quickstart(app, workspace, tmp_path)
    assert again.returncode == 0, again.stderr
    assert "Using MLflow experiment" in again.stdout and ".env: already complete" in again.stdout
    assert (app / ".env").read_text() == before
    assert sum(r.path.endswith("/experiments/create") for r in workspace.requests) == 1


def test_values_the_user_set_are_kept(app, workspace, tmp_path):
    (app / ".env").write_text("# mine\nMLFLOW_EXPERIMENT_ID=777\nEXTRA=1\n")
    done = quickstart(app, workspace, tmp_path, "--app-name", "other-name")
    assert done.returncode == 0, done.stderr
    values = env_values(app)
    assert values["MLFLOW_EXPERIMENT_ID"] == "777" and values["EXTRA"] == "1"
    assert values["DATABRICKS_CONFIG_PROFILE"] == "ws"
    assert "kept your MLFLOW_EXPERIMENT_ID" in done.stdout
    assert "/Users/migrator@example.com/other-name" in workspace.experiments
    assert (app / ".env").read_text().startswith("# mine\n")


def test_a_profile_that_cannot_log_in_is_explained(app, workspace, tmp_path):
    done = quickstart(app, workspace, tmp_path, token="dapi-expired")
    assert done.returncode == 2
    assert "databricks auth login --profile ws" in done.stderr
    assert not (app / ".env").exists()
