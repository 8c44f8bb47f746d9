"""verify runs the original model in its own environment, as Model Serving did: built with uv from the model's
requirements.txt and python_env.yaml, cached, and skipped when the app's environment satisfies the model already.
An agent that answers with the version of `six` it was served with shows which environment answered."""

import contextlib
import sys
from importlib import metadata
from pathlib import Path

import pytest
from test_verify_replay import REQUEST, migrated_app

from serving2apps.model_reader import read_model
from serving2apps.original_env import cache_root, original_environment, python_version
from serving2apps.verify import verify

AGENT = Path(__file__).parent / "verify_agents" / "versions_agent.py"
MLFLOW = f"mlflow-skinny=={metadata.version('mlflow-skinny')}"  # the loader, without the tracking server's stack
OLD_SIX = "1.16.0"  # the app's environment (this interpreter) has another
THIS_PYTHON = "%d.%d" % sys.version_info[:2]


def saved(folder: Path, requirements: list[str]) -> Path:
    import mlflow

    # From a neutral folder: mlflow copies the uv project it finds in the working directory into the model.
    with contextlib.chdir(folder.parent):
        mlflow.pyfunc.save_model(str(folder), python_model=str(AGENT), input_example=REQUEST,
                                 pip_requirements=requirements)
    return folder


def answers(findings) -> dict[str, str]:
    return {f.code: f.message for f in findings}


@pytest.mark.parametrize(("files", "expected"), [
    ({"python_env.yaml": "python: 3.10.14\ndependencies:\n- -r requirements.txt\n"}, "3.10"),
    ({"conda.yaml": "dependencies:\n- python=3.12.3\n- pip:\n  - mlflow\n"}, "3.12"),
    ({"conda.yaml": "dependencies:\n- python==3.9\n"}, "3.9"),
    ({"python_env.yaml": "build_dependencies: [pip]\n"}, None),
    ({}, None),
])
def test_the_python_version_comes_from_python_env_yaml_else_conda_yaml(tmp_path, files, expected):
    model = saved(tmp_path / "model", [MLFLOW])
    for name in ("python_env.yaml", "conda.yaml"):
        (model / name).unlink()
    for name, text in files.items():
        (model / name).write_text(text)
    assert python_version(read_model(model)) == expected


@pytest.fixture(scope="module", autouse=True)
def own_cache(tmp_path_factory):
    """One cache for this file's tests: the environment with the old `six` is built once, by the first test that
    needs it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SERVING2APPS_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        yield


def test_an_app_environment_that_satisfies_the_model_is_used_as_it_is(tmp_path):
    model = saved(tmp_path / "model", [MLFLOW, f"six>={OLD_SIX}"])
    lines = []
    chosen = original_environment(read_model(model), [sys.executable], log=lines.append)
    assert chosen.python == [sys.executable] and chosen.fallback is None
    assert "satisfies" in chosen.description and not lines  # nothing built


@pytest.mark.parametrize(("requirements", "unmet"), [
    ([MLFLOW, f"six=={OLD_SIX}"], f"six {metadata.version('six')} is installed, the model needs =={OLD_SIX}"),
    ([MLFLOW, "serving2apps-absent-package"], "serving2apps-absent-package is not installed"),
    ([f"{MLFLOW}", "httpx[serving2apps-no-such-extra]"], None),  # an unknown extra adds nothing
])
def test_what_the_app_environment_lacks_is_named(tmp_path, monkeypatch, requirements, unmet):
    import serving2apps.original_env as original_env

    def not_built(model, version, lines, target, log):
        raise original_env.MigrationError("not built in this test")

    monkeypatch.setattr(original_env, "_build", not_built)
    lines = []
    chosen = original_environment(read_model(saved(tmp_path / "model", requirements)), [sys.executable],
                                  log=lines.append)
    if unmet is None:
        assert chosen.fallback is None and not lines
    else:
        assert lines == [f"The model's requirements differ from the app's environment ({unmet})."]
        assert chosen.fallback == "not built in this test" and chosen.python == [sys.executable]


def test_the_original_answers_from_its_own_environment_built_once_and_cached(go_renderer, tmp_path):
    model = saved(tmp_path / "model", [MLFLOW, f"six=={OLD_SIX}"])
    app = migrated_app(go_renderer, model, tmp_path / "apps", "sync")
    lines = []
    findings = verify(app, model, offline=True, log=lines.append)
    # The original said "six 1.16.0" (its environment), the app its own version: the difference is real.
    assert set(answers(findings)) == {"S2A401"}, answers(findings)
    assert any("its own environment" in line for line in lines)
    assert not any(p.name.startswith(".") for p in (cache_root() / "original-envs").iterdir())  # nothing half-made

    again = []
    assert set(answers(verify(app, model, offline=True, log=again.append))) == {"S2A401"}
    assert not any(line.startswith("Building") for line in again), again  # the cached environment

    # Asked to use the app's environment, both sides run the same `six`.
    assert [f.code for f in verify(app, model, offline=True, log=lambda m: None, own_environment=False)] == [
        "S2A400"]


@pytest.mark.parametrize(("change", "reason"), [
    (lambda model: (model / "requirements.txt").write_text(
        f"{MLFLOW}\nserving2apps-no-such-package==1.0\n"), "serving2apps-no-such-package"),
    (lambda model: (model / "python_env.yaml").write_text(
        "python: 3.1\ndependencies:\n- -r requirements.txt\n"), "python: input should be a valid string"),
])
def test_a_model_environment_that_cannot_be_built_falls_back_to_the_app_and_says_why(go_renderer, tmp_path, change,
                                                                                    reason):
    model = saved(tmp_path / "model", [MLFLOW, f"six=={OLD_SIX}"])
    app = migrated_app(go_renderer, model, tmp_path / "apps", "async")
    change(model)
    findings = answers(verify(app, model, offline=True, log=lambda m: None))
    assert set(findings) == {"S2A400", "S2A405"}, findings
    assert "the app's packages" in findings["S2A405"] and reason in findings["S2A405"], findings["S2A405"]
    assert not any(p.name.startswith(".") for p in (cache_root() / "original-envs").iterdir())


def test_an_original_that_fails_in_its_own_environment_is_asked_again_in_the_apps(go_renderer, tmp_path,
                                                                                 monkeypatch):
    # Requirements without MLflow get it added, as MLflow's environment builder does; the agent then fails to load
    # there because it needs the app's six.
    model = saved(tmp_path / "model", [f"six=={OLD_SIX}"])
    app = migrated_app(go_renderer, model, tmp_path / "apps", "sync")
    monkeypatch.setenv("VERSIONS_AGENT_NEEDS_SIX", metadata.version("six"))
    findings = answers(verify(app, model, offline=True, log=lambda m: None))
    assert set(findings) == {"S2A400", "S2A405"}, findings
    assert "did not answer in its own environment" in findings["S2A405"]
    assert f"this agent needs six {metadata.version('six')}" in findings["S2A405"], findings["S2A405"]
