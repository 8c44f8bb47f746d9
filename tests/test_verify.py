"""verify: the migrated app served locally answers the input example like the original model."""

import re
import shutil
import subprocess
import sys

import pytest

from serving2apps.errors import MigrationError
from serving2apps.init import init
from serving2apps.model_reader import read_model
from serving2apps.verify import DEFAULT_REQUEST, requests_for, verify


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    out = tmp_path_factory.mktemp("verify")
    init(None, "verify-app", out, example=True, log=lambda m: None)
    return out / "verify-app", out / "original_mlflow_model"


def test_same_answers(migrated):
    app, model = migrated
    result = subprocess.run([sys.executable, "-m", "serving2apps.cli", "verify", "--app-dir", str(app)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "S2A400" in result.stdout
    assert re.search(r"input example: invoke \(whole answer\)\s+3\s+3\s+same", result.stdout)
    assert re.search(r"input example: stream \(finished items\)\s+3\s+3\s+same", result.stdout)
    assert re.search(r"second turn: invoke \(whole answer\)\s+3\s+3\s+same", result.stdout)
    assert re.search(r"earlier tool call: stream \(finished items\)\s+3\s+3\s+same", result.stdout)


def test_a_different_answer_is_reported_for_review(migrated, tmp_path):
    app, model = migrated
    agent = app / "agent_server" / "agent.py"
    original = agent.read_text()
    changed = original.replace('return f"{prefix}: {_text(request)}"', 'return f"{prefix}! {_text(request)}"')
    assert changed != original
    agent.write_text(changed)
    try:
        findings = verify(app, model, log=lambda m: None)
    finally:
        agent.write_text(original)
    # The echo agent calls no model: nothing was recorded, and the report says so.
    assert [(f.code, f.kind) for f in findings] == [("S2A401", "review"), ("S2A403", "review")]
    assert "input example (whole and streamed)" in findings[0].message


def test_an_app_that_does_not_start_is_an_error(migrated):
    app, model = migrated
    agent = app / "agent_server" / "agent.py"
    original = agent.read_text()
    agent.write_text(original + "\nraise RuntimeError('broken on purpose')\n")
    try:
        with pytest.raises(MigrationError, match="did not start") as failed:
            verify(app, model, timeout=120, log=lambda m: None)
    finally:
        agent.write_text(original)
    assert "broken on purpose" in str(failed.value)


def test_the_app_runs_in_its_own_environment_when_this_one_lacks_a_dependency(tmp_path):
    """A package this interpreter has no installation of at all (a wheel the model shipped, installed from the app's
    wheels/ folder) sends the app to `uv run` in its own folder; a version apart is no reason to build it."""
    import sys

    from serving2apps.verify import app_python

    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "a"\nversion = "0"\ndependencies = ["mlflow>=1", "uvicorn==0.0.1"]\n')
    assert app_python(tmp_path) == [sys.executable]
    pyproject.write_text('[project]\nname = "a"\nversion = "0"\n'
                         'dependencies = ["mlflow>=1", "private-greeting==0.1", "absent-elsewhere; sys_platform == \'x\'"]\n')
    assert app_python(tmp_path) == ["uv", "run", "--project", str(tmp_path), "python"]


def test_an_original_that_cannot_start_here_says_what_it_lacks(migrated, monkeypatch):
    """An agent that reads at load what its endpoint's environment gave it fails here without it: the error says to
    export it, not to look at dependencies, and with it exported the original starts and verify compares."""
    app, model = migrated
    agent = model / "agent.py"
    original = agent.read_text()
    agent.write_text("import os\n\nGREETING_KEY = os.environ['ECHO_GREETING_KEY']\n" + original)
    try:
        monkeypatch.delenv("ECHO_GREETING_KEY", raising=False)
        with pytest.raises(MigrationError) as failed:
            verify(app, model, timeout=120, log=lambda m: None)
        assert "ECHO_GREETING_KEY" in str(failed.value)
        assert "export the environment variables" in failed.value.fix
        monkeypatch.setenv("ECHO_GREETING_KEY", "set in this shell")
        assert [f.code for f in verify(app, model, timeout=120, log=lambda m: None)] == ["S2A400"]
    finally:
        agent.write_text(original)


def test_an_original_that_calls_more_than_the_offline_model_answers_is_sent_to_the_workspace(migrated):
    """--offline answers model calls only: an agent that also asks the workspace something fails there, and the
    error says to verify against the workspace instead."""
    app, model = migrated
    agent = model / "agent.py"
    original = agent.read_text()
    asks = ("        import os, requests\n        requests.get(os.environ['DATABRICKS_HOST'] + "
            "'/api/2.0/preview/scim/v2/Me', timeout=30).raise_for_status()\n")
    agent.write_text(original.replace("    def _reply(self, request: ResponsesAgentRequest) -> str:\n",
                                      "    def _reply(self, request: ResponsesAgentRequest) -> str:\n" + asks))
    try:
        with pytest.raises(MigrationError) as failed:
            verify(app, model, timeout=120, log=lambda m: None, offline=True)
    finally:
        agent.write_text(original)
    assert "scim/v2/Me" in str(failed.value)
    assert "--profile" in failed.value.fix


def test_an_input_example_the_app_cannot_be_asked_gives_way_to_a_greeting(migrated, tmp_path):
    """A list, or several DataFrame rows, is no request (S2A141 in the migration): verify asks a greeting instead of
    stopping on it."""
    model = tmp_path / "model"
    shutil.copytree(migrated[1], model)
    (model / "input_example.json").write_text("[1, 2]")
    asked = requests_for(read_model(model), "", None)
    assert asked[0].name == "input example" and asked[0].body == DEFAULT_REQUEST
