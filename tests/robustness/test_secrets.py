"""No credential reaches a generated file, the report, the provenance record or any output."""

import os
import subprocess
import sys

import pytest

from workspace_server import WorkspaceServer, custom_model_endpoint

TOKEN_IN_CFG = "dapi-PLANTED-CFG-7f3a9c1e5b"
TOKEN_IN_ENV = "dapi-PLANTED-ENV-2d8e4f6a0c"
PLAIN_SECRET = "sk-PLANTED-PLAIN-9b1d3f5e7a"
URL_PASSWORD = "pg-PLANTED-URL-5c7e9a1b3d"  # in a variable whose name says nothing of it
SECRET_REF = "{{secrets/agents/openai}}"


@pytest.fixture
def workspace(mlflow_server, registered):
    with WorkspaceServer(token=TOKEN_IN_CFG) as ws:
        ws.serving_endpoints["echo-endpoint"] = custom_model_endpoint(
            "echo-endpoint",
            [{"name": "echo_full-1", "entity_name": "echo_full", "entity_version": registered["echo_full"],
              "environment_vars": {"OPENAI_API_KEY": SECRET_REF, "VENDOR_API_KEY": PLAIN_SECRET, "MODE": "prod",
                                   "HISTORY_DB": f"postgresql://agent:{URL_PASSWORD}@db.example:5432/h"}}],
        )
        yield ws


def test_no_planted_credential_leaks(workspace, mlflow_server, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / ".databrickscfg").write_text(f"[staging]\nhost = {workspace.url}\ntoken = {TOKEN_IN_CFG}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABRICKS_")}
    # A token in the environment too (for another workspace); the profile's is the one that works here.
    env.update(HOME=str(home), MLFLOW_TRACKING_URI=mlflow_server, MLFLOW_REGISTRY_URI=mlflow_server,
               DATABRICKS_TOKEN_OTHER=TOKEN_IN_ENV, OPENAI_API_KEY=TOKEN_IN_ENV)
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "serving2apps.cli", "init", "--endpoint", "echo-endpoint", "--profile", "staging",
         "--app-name", "secret-app", "--output-dir", str(out), "--engine", "copier"],
        capture_output=True, text=True, env=env, timeout=600,
    )
    assert result.returncode in (0, 1), result.stderr
    captured = result.stdout + result.stderr
    files = [p for p in out.rglob("*") if p.is_file()]
    assert any(p.name == "serving2apps-provenance.json" for p in files)
    assert any(p.name == "MIGRATION_REPORT.md" for p in files)
    for planted in (TOKEN_IN_CFG, TOKEN_IN_ENV, PLAIN_SECRET, URL_PASSWORD):
        assert planted not in captured
        for path in files:
            assert planted.encode() not in path.read_bytes(), f"{planted} leaked into {path}"
    # The secret reference stays a reference, wired through a secret resource.
    bundle = (out / "secret-app" / "databricks.yml").read_text()
    assert "value_from: secret-agents-openai" in bundle and "MODE" in bundle
    assert "VENDOR_API_KEY" not in bundle and "HISTORY_DB" not in bundle
    assert ".env\n" in (out / "secret-app" / ".gitignore").read_text()
