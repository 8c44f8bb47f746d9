"""serving2apps init: the embedded example end to end, and the guarantees around the output folder."""

import json
import subprocess
import sys

import httpx
import pytest

from engines import REPO_ROOT
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
    assert json.loads((app / ".serving2apps" / "answers.json").read_text())["async_mode"] == "no"
    assert "app_name: demo-agent" in (app / ".copier-answers.yml").read_text()
    assert "uv run start-app" in result.stdout
    with running_agent_app(app, tmp_path / "server.log") as base:
        answer = httpx.post(base + "/invocations", json=echo.INPUT_EXAMPLE, timeout=30).json()
    assert answer["output"][0]["content"][0]["text"] == "bonjour: hello world"


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
    out = tmp_path / "out"
    with pytest.raises(MigrationError, match="syntax error"):
        init(Source(model_dir=broken), "demo-agent", out, log=lambda m: None)
    assert list(out.iterdir()) == []


def test_the_embedded_example_is_current():
    model = read_model(REPO_ROOT / "examples" / "echo_agent" / "model")
    assert (model.root / "agent.py").read_text() == (echo.SOURCE / "agent.py").read_text()
    assert model.artifacts == {"prompt": "artifacts/prompt.txt"}
    assert (model.root / "code" / "helpers" / "text.py").read_text() == (echo.SOURCE / "helpers" / "text.py").read_text()
