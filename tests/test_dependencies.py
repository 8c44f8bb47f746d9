"""The agent's requirements merged into the app's pyproject.toml."""

import json

import pytest
import tomlkit

from engines import render_bundle_init
from example import original_model
from serving2apps.cli import main
from serving2apps.dependencies import merge_requirements
from serving2apps.errors import MigrationError


@pytest.fixture(scope="module")
def pyproject(go_renderer, tmp_path_factory):
    out = tmp_path_factory.mktemp("deps")
    assert render_bundle_init(go_renderer, {"app_name": "deps-app"}, out).returncode == 0
    return (out / "deps-app" / "pyproject.toml").read_text()


def deps(text):
    return list(tomlkit.parse(text)["project"]["dependencies"])


@pytest.mark.parametrize(
    "lines, expected_added, codes",
    [
        (["langgraph==0.3.1"], ["langgraph==0.3.1"], []),
        (["langchain>=0.3,<0.4"], ["langchain<0.4,>=0.3"], []),
        (["openai[datalib]>=1.0"], ["openai[datalib]>=1.0"], []),
        (["pywin32>=300; sys_platform == 'win32'"], ['pywin32>=300; sys_platform == "win32"'], []),
        (["LangGraph==0.3.1", "langgraph>=0.3"], ["LangGraph==0.3.1,>=0.3"], []),
        (["Databricks_LangChain", "databricks-langchain[memory]"], ["Databricks_LangChain[memory]"], []),
        (["mypkg @ git+https://example.com/mypkg.git@v1"], ["mypkg @ git+https://example.com/mypkg.git@v1"], ["S2A302"]),
        (["cloudpickle==3.1.2", "mlflow-skinny==3.17.2"], [], ["S2A300", "S2A300"]),
        (["--extra-index-url https://pypi.example.com/simple", "-e ./local"], [], ["S2A303", "S2A303"]),
        (["", "# a comment", "requests  # inline comment"], ["requests"], []),
        (["numpy<2; python_version < '3.12'", "numpy>=2; python_version >= '3.12'"],
         ['numpy<2; python_version < "3.12"', 'numpy>=2; python_version >= "3.12"'], []),
        (["numpy<2; python_version < '3.12'", "numpy>=1.26; python_version < '3.12'"],
         ['numpy<2,>=1.26; python_version < "3.12"'], []),
    ],
)
def test_agent_requirements_are_added(pyproject, lines, expected_added, codes):
    merged, findings, _ = merge_requirements(pyproject, lines)
    assert deps(merged)[len(deps(pyproject)):] == expected_added
    assert [f.code for f in findings] == codes


@pytest.mark.parametrize(
    "line, expected, code",
    [
        ("mlflow==3.17.2", "mlflow==3.17.2,>=3.10.0", None),  # the agent's pin is kept: it satisfies the server
        ("mlflow==2.20.1", "mlflow>=3.10.0", "S2A301"),  # an old mlflow cannot run the agent server
        ("mlflow[databricks]<3", "mlflow[databricks]>=3.10.0", "S2A301"),
        ("databricks-sdk>=0.40", "databricks-sdk>=0.150,>=0.40", None),
        ("databricks-sdk~=0.40.0", "databricks-sdk>=0.150", "S2A301"),
        ("httpx>=0.28", "httpx>=0.27,>=0.28", None),
    ],
)
def test_packages_the_app_needs_too(pyproject, line, expected, code):
    merged, findings, _ = merge_requirements(pyproject, [line])
    assert expected in deps(merged)
    assert [f.code for f in findings] == ([code] if code else [])
    assert len(deps(merged)) == len(deps(pyproject))


def test_merging_twice_is_a_no_op_and_comments_survive(pyproject):
    lines = ["mlflow==3.17.2", "langgraph==0.3.1", "mypkg @ git+https://example.com/x.git"]
    once, _, _ = merge_requirements(pyproject, lines)
    twice, _, _ = merge_requirements(once, lines)
    assert once == twice
    assert "# mlflow.genai.agent_server imports httpx but mlflow does not declare it." in once
    assert tomlkit.parse(once)["tool"]["hatch"]["metadata"]["allow-direct-references"] is True


def test_invalid_requirement_is_refused(pyproject):
    with pytest.raises(MigrationError, match="not valid"):
        merge_requirements(pyproject, ["this is not a requirement!"])


def test_invalid_pyproject_is_refused():
    with pytest.raises(MigrationError, match="not valid TOML"):
        merge_requirements("[project\n", ["x"])


# What pip takes but PEP 508 does not: files and bare URLs. The model folder holds a wheel under code/ (Databricks'
# code_paths way of serving a private library) and one in MLflow's wheels/ folder.
SHIPPED = ("code/agent.py", "code/private_lib-0.1-py3-none-any.whl", "wheels/vendored_lib-2.0-py3-none-any.whl")


@pytest.mark.parametrize(
    "line, added, source, codes",
    [
        # Shipped in the model: installed from the app's wheels/ folder, at the version the file name gives.
        ("code/private_lib-0.1-py3-none-any.whl", "private-lib==0.1", "wheels/private_lib-0.1-py3-none-any.whl",
         ["S2A306"]),
        ("./code/private_lib-0.1-py3-none-any.whl", "private-lib==0.1", "wheels/private_lib-0.1-py3-none-any.whl",
         ["S2A306"]),
        ("wheels/vendored_lib-2.0-py3-none-any.whl", "vendored-lib==2.0", "wheels/vendored_lib-2.0-py3-none-any.whl",
         ["S2A306"]),
        # The notebook's path to the wheel, the wheel itself shipped in code/.
        ("/Volumes/main/libs/whl/private_lib-0.1-py3-none-any.whl", "private-lib==0.1",
         "wheels/private_lib-0.1-py3-none-any.whl", ["S2A306"]),
        # Bare URLs whose package name can be read: direct references.
        ("https://files.example.com/p/fancy_pkg-1.2-py3-none-any.whl",
         "fancy-pkg@ https://files.example.com/p/fancy_pkg-1.2-py3-none-any.whl", None, ["S2A302"]),
        ("git+https://github.com/org/repo.git@v1#egg=repo_pkg", "repo_pkg@ git+https://github.com/org/repo.git@v1",
         None, ["S2A302"]),
        ("https://files.example.com/p/plain-3.0.tar.gz", "plain@ https://files.example.com/p/plain-3.0.tar.gz", None,
         ["S2A302"]),
        # Nothing the app can install from: for review, not carried over.
        ("/Volumes/main/libs/whl/absent_lib-1.0-py3-none-any.whl", None, None, ["S2A307"]),
        ("code/private_lib-0.1.tar.gz", None, None, ["S2A307"]),  # a source archive would be built
        ("./code/mylib", None, None, ["S2A307"]),
        ("https://files.example.com/download?id=7", None, None, ["S2A307"]),
    ],
)
def test_files_and_bare_urls(pyproject, line, added, source, codes):
    merged, findings, wheels = merge_requirements(pyproject, [line], SHIPPED)
    new = [str(d).replace(" @", "@") for d in deps(merged)[len(deps(pyproject)):]]
    assert new == ([added.replace(" @", "@")] if added else [])
    assert [f.code for f in findings] == codes
    sources = tomlkit.parse(merged).get("tool", {}).get("uv", {}).get("sources", {})
    if source:
        assert sources[added.split("==")[0]]["path"] == source
        assert wheels == {source: next(f for f in SHIPPED if f.endswith(source.split("/")[-1]))}
    else:
        assert not sources and not wheels
    assert merge_requirements(merged, [line], SHIPPED)[0] == merged  # a second merge changes nothing


def test_a_shipped_wheel_of_a_version_the_server_cannot_run_is_not_used(pyproject):
    merged, findings, wheels = merge_requirements(pyproject, ["wheels/mlflow-2.20.1-py3-none-any.whl"],
                                                  ("wheels/mlflow-2.20.1-py3-none-any.whl",))
    assert [f.code for f in findings] == ["S2A301"] and not wheels
    assert "uv" not in tomlkit.parse(merged).get("tool", {})


def test_pip_compile_output_hashes_and_continued_lines(pyproject):
    """pip-compile writes each pin with its hashes on continued lines; uv.lock records hashes itself, so they are
    dropped quietly, while another option of a requirement is named."""
    lines = ["requests==2.31.0 \\", "    --hash=sha256:aaa \\", "    --hash=sha256:bbb", "    # via langchain",
             "numpy==1.26.4 --hash=sha256:ccc --config-settings=opt=1", "pandas==2.2.0  # a comment"]
    merged, findings, _ = merge_requirements(pyproject, lines)
    assert deps(merged)[len(deps(pyproject)):] == ["requests==2.31.0", "numpy==1.26.4", "pandas==2.2.0"]
    assert [(f.code, f.message) for f in findings] == [
        ("S2A303", "requirements option --config-settings of numpy==1.26.4 was not carried over")]


def test_a_model_served_on_another_python_is_told_what_the_app_runs_on(example_app):
    """The endpoint ran the model on Python 3.12 (python_env.yaml); Apps runs the app on 3.11: said (S2A308, info, so
    the run is still done), nothing changed. An app whose .python-version chose a Python is not told again."""
    python_env = original_model(example_app) / "python_env.yaml"
    python_env.write_text(python_env.read_text().replace("python: 3.11.7", "python: 3.12.3"))
    assert main(["migrate", "--app-dir", str(example_app), "--force", "--no-lock"]) == 0

    def codes() -> dict[str, str]:
        report = json.loads((example_app / ".serving2apps" / "report.json").read_text())
        return {f["code"]: f["message"] for f in report["findings"]}

    assert "Python 3.12" in codes()["S2A308"] and not (example_app / ".python-version").exists()
    (example_app / ".python-version").write_text("3.12\n")
    assert main(["migrate", "--app-dir", str(example_app), "--force", "--no-lock"]) == 0
    assert "S2A308" not in codes()


def test_a_constraints_file_the_model_ships_constrains_the_apps_resolution(example_app):
    """MLflow saves a model logged with `-c constraints.txt` with that line and the file beside requirements.txt;
    a `-r` names another requirements file. The constraints become uv's constraint-dependencies, which the lock
    obeys (S2A309), and the included file's requirements are merged; neither is an option left behind (S2A303)."""
    model = original_model(example_app)
    (model / "requirements.txt").write_text("mlflow\n-r extra/more.txt\n-c constraints.txt\n")
    (model / "extra").mkdir()
    (model / "extra" / "more.txt").write_text("pydantic>=2  # the agent's models\n")
    (model / "constraints.txt").write_text("# pins\nhttpx<0.28\nrequests==2.32.3 \\\n    --hash=sha256:abc\n")
    assert main(["migrate", "--app-dir", str(example_app), "--force", "--lock"]) == 0
    pyproject = tomlkit.parse((example_app / "pyproject.toml").read_text())
    assert "pydantic>=2" in pyproject["project"]["dependencies"]
    assert list(pyproject["tool"]["uv"]["constraint-dependencies"]) == ["httpx<0.28", "requests==2.32.3"]
    report = json.loads((example_app / ".serving2apps" / "report.json").read_text())
    assert "S2A309" in {f["code"] for f in report["findings"]}
    assert "S2A303" not in {f["code"] for f in report["findings"]}
    locked = tomlkit.parse((example_app / "uv.lock").read_text())
    versions = {p["name"]: p["version"] for p in locked["package"]}
    assert versions["httpx"].startswith("0.27.") and versions["requests"] == "2.32.3"
    # A second run adds nothing twice.
    assert main(["migrate", "--app-dir", str(example_app), "--force", "--no-lock"]) == 0
    again = tomlkit.parse((example_app / "pyproject.toml").read_text())
    assert list(again["tool"]["uv"]["constraint-dependencies"]) == ["httpx<0.28", "requests==2.32.3"]


def test_a_constraints_file_the_model_does_not_ship_is_left_for_review(pyproject):
    merged, findings, _ = merge_requirements(pyproject, ["-c constraints.txt"], constraints={})
    assert [f.code for f in findings] == ["S2A303"] and "constraint-dependencies" not in merged
