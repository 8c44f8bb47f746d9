"""Every bad input, at every stage, in one table: the CLI exits 2, names the problem and the fix, and writes or
changes nothing. A second, shorter table holds inputs that look hostile but must work.

Each case builds its inputs in a fresh folder (a copy of the embedded example model and of an app migrated
from it), runs `serving2apps ...` in-process, and compares a snapshot of the folder (every file's bytes and
mode, every folder) before and after.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest
import yaml

from workspace_server import WorkspaceServer, custom_model_endpoint

from serving2apps.cli import main
from serving2apps.init import init
from serving2apps.template_source import EXAMPLE_MODEL, template_root

AGENT = "agent.py"  # the example model's agent file


@dataclass
class Case:
    id: str
    setup: Callable[[Path], list[str]]  # builds the inputs in the case folder, returns the CLI arguments
    problem: str  # a phrase the error must contain
    fix: str  # a phrase the fix must contain


def model(root: Path) -> Path:
    dest = root / "model"
    if not dest.exists():
        shutil.copytree(template_root() / EXAMPLE_MODEL, dest)
    return dest


def mlmodel(root: Path, change: Callable[[dict], None] | None = None, text: str | None = None) -> Path:
    folder = model(root)
    path = folder / "MLmodel"
    if text is not None:
        path.write_text(text)
    else:
        data = yaml.safe_load(path.read_text())
        change(data)
        path.write_text(yaml.safe_dump(data))
    return folder


def flavor(data: dict) -> dict:
    return data["flavors"]["python_function"]


def app(root: Path) -> Path:
    """An app migrated from the example, beside its original_mlflow_model."""
    shutil.copytree(SHARED["pristine"], root, dirs_exist_ok=True)
    return root / "app"


def download(root: Path, *extra: str) -> list[str]:
    return ["download", "--model-dir", str(model(root)), "--dest", str(root / "out"), *extra]


def migrate_args(root: Path, *extra: str) -> list[str]:
    return ["migrate", "--app-dir", str(root / "app"), *extra]


def verify_requests(text: str | None):
    """verify of a migrated app, asked the requests in a file (None: a file that is not there)."""
    def setup(root):
        app(root)
        if text is not None:
            write(root / "requests.jsonl", text)
        return ["verify", "--app-dir", str(root / "app"), "--requests", str(root / "requests.jsonl")]
    return setup


def yaml_bomb() -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [*a{i - 1},*a{i - 1},*a{i - 1},*a{i - 1},*a{i - 1},*a{i - 1},*a{i - 1},*a{i - 1},*a{i - 1}]"
              for i in range(1, 10)]
    return "\n".join(lines) + "\n"


def deep_yaml(depth: int = 5000) -> str:
    return "x: " + "[" * depth + "]" * depth + "\n"


def write(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode())


def with_file(relative: str, data: str | bytes, then=download):
    def setup(root):
        write(model(root) / relative, data)
        return then(root)
    return setup


def changed_mlmodel(change, then=download):
    def setup(root):
        mlmodel(root, change)
        return then(root)
    return setup


def mlmodel_text(text, then=download):
    def setup(root):
        mlmodel(root, text=text)
        return then(root)
    return setup


def in_app(prepare: Callable[[Path], None], *extra: str):
    def setup(root):
        prepare(app(root))
        return migrate_args(root, *extra)
    return setup


def app_inside_its_model(root):
    """The app moved under the model's code/ folder, which migrate copies into the app."""
    inside = root / "original_mlflow_model" / "code" / "app"
    shutil.move(app(root), inside)
    return ["migrate", "--source", str(root / "original_mlflow_model"), "--app-dir", str(inside)]


def symlink_out(root):
    (root / "secret.txt").write_text("outside")
    os.symlink(root / "secret.txt", model(root) / "artifacts" / "link.txt")
    return download(root)


MOUNTED: list[Path] = []  # read-only mounts a case made, unmounted after it


def read_only_output(root):
    out = root / "locked"
    out.mkdir()
    if os.geteuid() == 0:
        # root writes through permission bits: only a read-only file system refuses it
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(out)]).returncode != 0:
            pytest.skip("running as root without the right to mount a read-only folder")
        MOUNTED.append(out)
    else:
        out.chmod(stat.S_IRUSR | stat.S_IXUSR)
    return ["init", "--example", "--app-name", "ro-agent", "--yes", "--engine", "copier", "--output-dir", str(out)]


def endpoint(name: str, spec: dict | None = None, *extra: str):
    def setup(root):
        if spec is not None:
            SHARED["workspace"].serving_endpoints[name] = spec
        return ["download", "--endpoint", name, "--dest", str(root / "out"), *extra]
    return setup


def init_args(*extra: str):
    # Locking is tested on its own (test_hardening); here it would only spend seconds on the index.
    return lambda root: ["init", "--yes", "--engine", "copier", "--no-lock", "--output-dir", str(root), *extra]


def edit_agent(app_dir: Path) -> None:
    path = app_dir / "agent_server" / "agent.py"
    path.write_text(path.read_text() + "\n# my own change\n")


def edit_bundle(change: Callable[[dict], None]) -> Callable[[Path], None]:
    def edit(app_dir: Path) -> None:
        path = app_dir / "databricks.yml"
        data = yaml.safe_load(path.read_text())
        change(data)
        path.write_text(yaml.safe_dump(data))
    return edit


def the_app_of(bundle: dict) -> dict:
    (app_settings,) = bundle["resources"]["apps"].values()
    return app_settings


two_apps = edit_bundle(lambda b: b["resources"]["apps"].update(second={"name": "second", "source_code_path": "./"}))


def v1_app_yaml(text: str) -> Callable[[Path], None]:
    """A v1 app made by bundle init (settings in app.yaml, none in databricks.yml, no copier answers: migrate
    upgrades it) whose app.yaml holds `text`."""
    def prepare(app_dir: Path) -> None:
        edit_bundle(lambda b: the_app_of(b).pop("config"))(app_dir)
        write(app_dir / "app.yaml", text)
        (app_dir / ".copier-answers.yml").unlink(missing_ok=True)
    return prepare


SPLIT = custom_model_endpoint("split", [{"name": "a", "entity_name": "m_a", "entity_version": "1"},
                                        {"name": "b", "entity_name": "m_b", "entity_version": "1"}],
                              routes=[("a", 50), ("b", 50)])
FOUNDATION = custom_model_endpoint("fm", [{"name": "llama", "entity_name": "system.ai.llama",
                                           "foundation_model": {"name": "llama"}}])

CASES = [
    # download: the model folder
    Case("model-dir-missing", lambda r: ["download", "--model-dir", str(r / "nope"), "--dest", str(r / "out")],
         "is not a folder", "MLmodel"),
    Case("model-dir-without-mlmodel", lambda r: (model(r) / "MLmodel").unlink() or download(r),
         "has no MLmodel file", "MLmodel"),
    Case("mlmodel-not-yaml", mlmodel_text("flavors: [unclosed\n"), "not valid YAML", "download the model again"),
    Case("mlmodel-yaml-bomb", mlmodel_text(yaml_bomb()), "MLmodel", "download the model again"),
    Case("mlmodel-deeply-nested", mlmodel_text(deep_yaml()), "MLmodel", "download the model again"),
    Case("mlmodel-not-a-mapping", mlmodel_text("- just\n- a list\n"), "does not hold a YAML mapping", "download"),
    Case("mlmodel-huge", mlmodel_text("x: " + "a" * (6 * 1024 * 1024) + "\n"), "larger than", "download"),
    Case("no-pyfunc-flavor", changed_mlmodel(lambda d: d["flavors"].pop("python_function")),
         "no python_function flavor", "ResponsesAgent"),
    Case("pickled-model", changed_mlmodel(lambda d: (flavor(d).pop("model_code_path", None),
                                                     flavor(d).update(python_model="python_model.pkl"))),
         "pickled", "log the agent from code"),
    Case("artifact-path-escapes", changed_mlmodel(lambda d: flavor(d)["artifacts"]["prompt"].update(path="../x")),
         "outside the model folder", "download the model again"),
    Case("artifact-path-absolute",
         changed_mlmodel(lambda d: flavor(d)["artifacts"]["prompt"].update(path="/etc/passwd")),
         "outside the model folder", "download the model again"),
    Case("agent-file-missing", lambda r: (model(r) / AGENT).unlink() or download(r), "no agent file",
         "logged from code"),
    Case("symlink-outside", symlink_out, "symlink", "remove the link"),
    Case("resources-not-api-v1", changed_mlmodel(lambda d: d.update(resources={"api_version": "9", "x": 1})),
         "resources format", "download the model again"),
    Case("resource-without-name",
         changed_mlmodel(lambda d: d.update(resources={"api_version": "1",
                                                       "databricks": {"serving_endpoint": [{}]}})),
         "name: field required", "download the model again"),
    Case("input-example-empty", with_file("input_example.json", ""), "not valid JSON", "input_example.json"),
    Case("input-example-not-json", with_file("input_example.json", "{nope"), "not valid JSON", "input_example.json"),
    Case("input-example-nested-too-deep", with_file("input_example.json", "[" * 5000 + "]" * 5000), "not valid JSON",
         "input_example.json"),
    Case("dest-inside-the-model-folder",
         lambda r: ["download", "--model-dir", str(model(r)), "--dest", str(model(r) / "copy")],
         "inside the model folder", "--dest outside"),
    Case("dest-not-empty", lambda r: write(r / "out" / "keep.txt", "mine") or download(r),
         "out", "--force"),
    # download: the workspace
    Case("endpoint-unknown", endpoint("nope"), "no serving endpoint named 'nope'", "serving-endpoints list"),
    Case("endpoint-foundation-model", endpoint("fm", FOUNDATION), "not a custom MLflow agent", "serving_endpoint resource"),
    Case("endpoint-split-needs-entity", endpoint("split", SPLIT), "traffic", "--served-entity"),
    Case("endpoint-unknown-entity", endpoint("split", SPLIT, "--served-entity", "zzz"), "zzz", "--served-entity"),
    Case("model-uri-malformed", lambda r: ["download", "--model-uri", "not-a-uri", "--dest", str(r / "out")],
         "not-a-uri", "models:/"),
    # init
    Case("app-name-uppercase", init_args("--example", "--app-name", "Bad_Name"), "app_name", "lowercase"),
    Case("app-name-too-long", init_args("--example", "--app-name", "a" * 31), "app_name", "lowercase"),
    Case("app-name-empty", init_args("--example", "--app-name", ""), "app_name", "lowercase"),
    Case("app-name-missing-without-terminal", init_args("--example"), "--app-name is required", "--app-name"),
    Case("app-folder-exists", lambda r: write(r / "taken" / "file.txt", "mine") or
         init_args("--example", "--app-name", "taken")(r), "taken", "never overwrites"),
    Case("example-with-another-source", init_args("--example", "--model-dir", "x", "--app-name", "a-b"),
         "--example takes no other source", "drop"),
    Case("no-source", init_args("--app-name", "a-b"), "give exactly one source", "--endpoint"),
    Case("output-dir-is-the-model-folder",
         lambda r: init_args("--model-dir", str(model(r)), "--app-name", "a-b", "--output-dir", str(model(r)))(r),
         "inside the model folder", "--output-dir outside"),
    Case("output-dir-inside-the-model-folder",
         lambda r: init_args("--model-dir", str(model(r)), "--app-name", "a-b",
                             "--output-dir", str(model(r) / "artifacts" / "apps"))(r),
         "inside the model folder", "--output-dir outside"),
    Case("output-dir-read-only", read_only_output, "cannot write in", "--output-dir"),
    Case("output-dir-is-a-file", lambda r: write(r / "plain-file", "x") or
         init_args("--example", "--app-name", "a-b", "--output-dir", str(r / "plain-file"))(r), "plain-file",
         "choose a folder"),
    Case("output-dir-name-too-long",
         lambda r: init_args("--example", "--app-name", "a-b", "--output-dir", str(r / ("x" * 300)))(r),
         "File name too long", "shorter path"),
    Case("dest-name-too-long", lambda r: ["download", "--model-dir", str(model(r)), "--dest", str(r / ("x" * 300))],
         "File name too long", "shorter path"),
    # migrate: the app and its files
    Case("app-dir-not-an-app", lambda r: ["migrate", "--app-dir", str(r)], "not an app made by the serving2apps",
         "render the scaffold"),
    Case("user-edited-agent", in_app(edit_agent), "agent.py", "--force"),
    Case("app-dir-inside-the-model-folder", app_inside_its_model, "inside the model folder", "--app-dir outside"),
    Case("databricks-yml-invalid", in_app(lambda a: write(a / "databricks.yml", "bundle: [\n")), "databricks.yml",
         "databricks.yml"),
    Case("databricks-yml-yaml-bomb", in_app(lambda a: write(a / "databricks.yml", yaml_bomb())), "databricks.yml",
         "databricks.yml"),
    Case("databricks-yml-deeply-nested", in_app(lambda a: write(a / "databricks.yml", deep_yaml())),
         "databricks.yml", "databricks.yml"),
    Case("databricks-yml-two-apps", in_app(two_apps), "apps", "agent_migration"),
    Case("pyproject-invalid", in_app(lambda a: write(a / "pyproject.toml", "[project\nname=")), "pyproject.toml",
         "pyproject.toml"),
    # The app's own files and records, wrongly shaped (edited by hand, or by another tool).
    Case("pyproject-without-project", in_app(lambda a: write(a / "pyproject.toml", "[tool.x]\n")),
         "pyproject.toml: project", "dependencies list"),
    Case("pyproject-dependencies-a-string", in_app(lambda a: write(a / "pyproject.toml", "[project]\nname = 'x'\n"
                                                                   "dependencies = 'mlflow'\n")),
         "project.dependencies", "dependencies list"),
    Case("app-config-env-a-string", in_app(edit_bundle(lambda b: the_app_of(b)["config"].update(env="x"))),
         "databricks.yml (the app's config): env", "env a list"),
    Case("app-config-command-a-string",
         in_app(edit_bundle(lambda b: the_app_of(b)["config"].update(command="uv run start-server"))),
         "databricks.yml (the app's config): command", "command is a list"),
    Case("v1-app-yaml-env-a-string", in_app(v1_app_yaml("command: [uv, run, start-server]\nenv: x\n")),
         "app.yaml: env", "env a list"),
    Case("v1-app-yaml-unknown-key", in_app(v1_app_yaml("command: [uv, run, start-server]\nresources: []\n")),
         "app.yaml sets resources", "by hand"),
    Case("answers-not-json", in_app(lambda a: write(a / ".serving2apps" / "answers.json", "{bad")),
         "answers.json is not valid JSON", "--mode"),
    Case("answers-a-list", in_app(lambda a: write(a / ".serving2apps" / "answers.json", "[1]")),
         "answers.json", "render the app again"),
    Case("written-record-a-list", in_app(lambda a: write(a / ".serving2apps" / "written.json", "[1]")),
         "written.json", "--force"),
    Case("agent-not-utf8", in_app(lambda a: write(a.parent / "original_mlflow_model" / AGENT, b"\xff\xfe\x00bad")),
         "not UTF-8", "UTF-8"),
    Case("agent-syntax-error", in_app(lambda a: write(a.parent / "original_mlflow_model" / AGENT, "def broken(:\n")),
         "syntax", "fix the syntax error"),
    Case("agent-without-responses-agent",
         in_app(lambda a: write(a.parent / "original_mlflow_model" / AGENT, "x = 1\n")),
         "no mlflow.pyfunc.ResponsesAgent subclass", "ResponsesAgent"),
    # An exported notebook: 50,000 statements, well under the byte limit; refused before any parsing (S2A196).
    Case("agent-50000-statements", in_app(lambda a: write(
        a.parent / "original_mlflow_model" / AGENT,
        (a.parent / "original_mlflow_model" / AGENT).read_text() + "".join(f"v{i} = {i}\n" for i in range(50_000)))),
         "migrates agent files of up to 5000 lines", "code/ modules"),
    Case("agent-huge", in_app(lambda a: write(a.parent / "original_mlflow_model" / AGENT,
                                              "# filler\n" * (400_000))),
         "MB", "artifacts"),
    Case("model-missing-no-endpoint-recorded", in_app(lambda a: shutil.rmtree(a.parent / "original_mlflow_model")),
         "no model in", "serving2apps download"),
    Case("endpoint-env-name-invalid",
         in_app(lambda a: write(a.parent / "original_mlflow_model" / "serving2apps-provenance.json", json.dumps(
             {"source": {"environment_vars": {"BAD NAME": "1"}}}))),
         "not a valid variable name", "rename"),
    # shapes: every input is checked against its declared type before use, with the file and the key
    Case("flavors-not-a-mapping", changed_mlmodel(lambda d: d.update(flavors=["python_function"])),
         "flavors: input should be a valid dictionary", "download the model again"),
    Case("artifacts-a-list", changed_mlmodel(lambda d: flavor(d).update(artifacts=["prompt"])),
         "flavors.python_function: artifacts", "download the model again"),
    Case("api-scopes-a-string", changed_mlmodel(lambda d: d.update(
        auth_policy={"user_auth_policy": {"api_scopes": "serving.serving-endpoints"}})),
         "auth_policy.user_auth_policy.api_scopes: input should be a valid list", "download the model again"),
    Case("model-code-path-a-number", changed_mlmodel(lambda d: flavor(d).update(model_code_path=7)),
         "model_code_path", "download the model again"),
    Case("mlmodel-yaml-tag", mlmodel_text("flavors: !!python/object:os.system {}\n"), "uses the YAML tag",
         "download"),
    Case("artifact-missing", lambda r: shutil.rmtree(model(r) / "artifacts") or download(r),
         "which is not in the model folder", "download the model again"),
    Case("model-folder-holds-a-fifo", lambda r: os.mkfifo(model(r) / "artifacts" / "pipe") or download(r),
         "artifacts/pipe in the model folder is not a regular file", "remove it"),
    Case("conda-pip-a-string",
         in_app(lambda a: ((a.parent / "original_mlflow_model" / "requirements.txt").unlink(),
                           write(a.parent / "original_mlflow_model" / "conda.yaml",
                                 "dependencies:\n- python=3.11\n- pip: mlflow>=3\n"))),
         "conda.yaml: dependencies.1", "download the model again"),
    Case("requirements-not-utf8",
         in_app(lambda a: write(a.parent / "original_mlflow_model" / "requirements.txt", b"mlflow\xff\n")),
         "requirements.txt is not UTF-8", "UTF-8"),
    Case("provenance-not-json",
         in_app(lambda a: write(a.parent / "original_mlflow_model" / "serving2apps-provenance.json", "{nope")),
         "serving2apps-provenance.json is not valid JSON", "delete"),
    Case("provenance-env-a-list",
         in_app(lambda a: write(a.parent / "original_mlflow_model" / "serving2apps-provenance.json",
                                json.dumps({"source": {"environment_vars": ["OPENAI_API_KEY=sk-1"]}}))),
         "source.environment_vars: input should be a valid dictionary", "delete"),
    # deploy
    Case("deploy-outside-an-app", lambda r: ["deploy", "--app-dir", str(r)], "no databricks.yml", "inside"),
    Case("verify-requests-missing", verify_requests(None), "cannot read the requests file", "JSON request per line"),
    Case("verify-requests-not-json", verify_requests('{"input": []}\n{nope\n'), "line 2, is not a JSON request",
         "JSON request per line"),
    Case("verify-without-an-agent", lambda r: (app(r) / "agent_server" / "agent.py").unlink() or
         ["verify", "--app-dir", str(r / "app")], "no agent_server/agent.py", "migrate"),
    Case("verify-outside-an-app", lambda r: ["verify", "--app-dir", str(r / "nowhere")],
         "not an app made by the serving2apps template", "render the scaffold"),
]

# What the module's fixtures set up once, for the cases' setup functions.
SHARED: dict = {}


@pytest.fixture(scope="module", autouse=True)
def pristine(tmp_path_factory):
    SHARED["pristine"] = tmp_path_factory.mktemp("pristine")
    init(None, "app", SHARED["pristine"], example=True, engine="copier", log=lambda m: None)


@pytest.fixture(scope="module", autouse=True)
def workspace():
    with WorkspaceServer() as server:
        SHARED["workspace"] = server
        yield server


def snapshot(root: Path) -> dict:
    seen = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.is_symlink():
            seen[relative] = ("link", os.readlink(path))
        elif path.is_dir():
            seen[relative] = ("dir", stat.S_IMODE(path.stat().st_mode))
        elif not path.is_file():  # a FIFO or device a case planted: reading it would hang
            seen[relative] = ("special", stat.S_IFMT(path.lstat().st_mode))
        else:
            seen[relative] = ("file", path.read_bytes(), stat.S_IMODE(path.stat().st_mode))
    return seen


@pytest.fixture
def case_env(monkeypatch, tmp_path, workspace):
    monkeypatch.setenv("DATABRICKS_HOST", workspace.url)
    monkeypatch.setenv("DATABRICKS_TOKEN", workspace.token)
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(tmp_path / "no-databrickscfg"))
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    monkeypatch.chdir(tmp_path)


def test_there_are_enough_cases():
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_bad_input_is_refused_and_nothing_changes(case, case_env, tmp_path, capsys):
    root = tmp_path / "case"
    root.mkdir()
    argv = case.setup(root)
    try:
        before = snapshot(root)
        capsys.readouterr()
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse's own refusals
            code = exc.code
        err = capsys.readouterr().err
        after = snapshot(root)
    finally:
        while MOUNTED:
            subprocess.run(["umount", str(MOUNTED.pop())], check=True)
    assert code == 2, err
    problem, _, fix = err.partition("\n  fix: ")
    assert case.problem in problem, err
    assert fix.strip(), f"no fix given: {err}"
    assert case.fix in fix, err
    assert after == before, "the failed command changed files"
    assert not [p for p in root.parent.iterdir() if p.name.startswith(".serving2apps")]


@dataclass
class Works:
    id: str
    setup: Callable[[Path], list[str]]
    check: Callable[[Path], None]


def py312_agent(root):
    source = (model(root) / AGENT).read_text()
    write(model(root) / AGENT, source + "\ntype Words = list[str]\n\ndef first[T](items: list[T]) -> T:\n"
                                        "    return items[0]\n")
    return ["init", "--model-dir", str(model(root)), "--app-name", "py312-agent", "--yes", "--no-lock", "--engine", "copier",
            "--output-dir", str(root / "out")]


def injecting_resource(root):
    mlmodel(root, lambda d: d.update(resources={"api_version": "1", "databricks": {"serving_endpoint": [
        {"name": "ep\n      evil: true\n#"}]}}))
    return ["init", "--model-dir", str(model(root)), "--app-name", "inject-agent", "--yes", "--no-lock", "--engine", "copier",
            "--output-dir", str(root / "out")]


def no_injection(root):
    bundle = yaml.safe_load((root / "out" / "inject-agent" / "databricks.yml").read_text())
    (app_entry,) = bundle["resources"]["apps"].values()
    names = [r.get("serving_endpoint", {}).get("name") for r in app_entry["resources"] if "serving_endpoint" in r]
    assert names == ["ep\n      evil: true\n#"]
    assert "evil" not in json.dumps({k: v for k, v in app_entry.items() if k != "resources"})


WORKS = [
    Works("python-3.12-syntax", py312_agent,
          lambda r: "def first[T]" in (r / "out" / "py312-agent" / "agent_server" / "agent.py").read_text()),
    Works("app-name-at-min-length", init_args("--example", "--app-name", "ab"),
          lambda r: (r / "ab" / "agent_server" / "agent.py").is_file()),
    Works("app-name-at-max-length", init_args("--example", "--app-name", "a" * 30),
          lambda r: (r / ("a" * 30) / "agent_server" / "agent.py").is_file()),
    Works("resource-name-that-looks-like-yaml", injecting_resource, no_injection),
]


@pytest.mark.parametrize("case", WORKS, ids=lambda c: c.id)
def test_hostile_looking_input_that_must_work(case, case_env, tmp_path, capsys):
    root = tmp_path / "case"
    root.mkdir()
    code = main(case.setup(root))
    assert code in (0, 1), capsys.readouterr().err
    assert case.check(root) is not False
