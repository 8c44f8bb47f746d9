"""The app's guide for coding agents (AGENTS.md, loaded by CLAUDE.md) names only files, commands and helpers the
rendered app has, so it cannot drift from the scaffold."""

import re
import tomllib

import pytest

from engines import render_bundle_init

# Written after rendering: by migrate (the report, the lock), by quickstart (.env), or beside the app (the model).
MADE_LATER = {"MIGRATION_REPORT.md", "uv.lock", ".env", "../original_mlflow_model/", "app.yaml"}


@pytest.fixture(scope="module")
def app(go_renderer, tmp_path_factory):
    out = tmp_path_factory.mktemp("guide")
    assert render_bundle_init(go_renderer, {"app_name": "guide-app", "profile": "staging"}, out).returncode == 0
    return out / "guide-app"


def test_claude_md_loads_the_guide(app):
    assert (app / "CLAUDE.md").read_text().strip() == "@AGENTS.md"


def test_the_guide_names_files_that_exist(app):
    guide = (app / "AGENTS.md").read_text()
    paths = {p for p in re.findall(r"`([\w./-]+)`", guide) if re.search(r"/|\.(py|yml|toml|md|lock)$", p)}
    assert "agent_server/agent.py" in paths
    for path in paths - MADE_LATER:
        if "/" not in path and not (app / path).exists():
            path = f"agent_server/{path}"  # the template's own modules are named without their folder
        assert (app / path).exists(), path


def test_the_guide_runs_commands_and_helpers_the_app_has(app):
    guide = (app / "AGENTS.md").read_text()
    scripts = tomllib.loads((app / "pyproject.toml").read_text())["project"]["scripts"]
    commands = set(re.findall(r"uv run ([\w-]+)", guide))
    assert commands and commands - {"pytest"} <= set(scripts)
    for module, name in re.findall(r"agent_server\.(\w+)\.(\w+)\(", guide) + [
            ("adapters", "in_worker_thread"), ("adapters", "iterate_in_worker_thread")]:
        assert re.search(rf"^(async )?def {name}\(", (app / "agent_server" / f"{module}.py").read_text(), re.M), name
    assert "--profile staging" in guide and "{{" not in guide
