"""The model reader over every fixture shape, including each refusal."""

import json
import shutil

import pytest
import yaml

from serving2apps.errors import MigrationError
from serving2apps.model_reader import read_model


@pytest.fixture(scope="module")
def downloaded(mlflow_server, registered, tmp_path_factory):
    import mlflow.artifacts

    root = tmp_path_factory.mktemp("reader")
    for name, version in registered.items():
        mlflow.artifacts.download_artifacts(
            artifact_uri=f"models:/{name}/{version}", dst_path=str(root / name),
            tracking_uri=mlflow_server, registry_uri=mlflow_server,
        )
    return root


@pytest.fixture
def model(downloaded, tmp_path):
    """A writable copy of the full fixture model."""
    shutil.copytree(downloaded / "echo_full", tmp_path / "model")
    return tmp_path / "model"


def edit_mlmodel(root, change):
    data = yaml.safe_load((root / "MLmodel").read_text())
    change(data)
    (root / "MLmodel").write_text(yaml.safe_dump(data))


def test_full_shape(downloaded):
    info = read_model(downloaded / "echo_full")
    assert info.agent_file == "agent.py"
    assert info.code_files == ("code/helpers/__init__.py", "code/helpers/text.py")
    assert info.artifacts == {"prompt": "artifacts/prompt.txt"}
    assert (info.input_example, info.requirements, info.python_env, info.conda_env) == (
        "input_example.json", "requirements.txt", "python_env.yaml", "conda.yaml")
    assert info.task == "agent/v1/responses"
    assert info.mlflow_version


def test_auth_policy_shape(downloaded):
    info = read_model(downloaded / "echo_auth")
    assert [(r.type, r.name, r.origin) for r in info.resources] == [
        ("serving_endpoint", "llm", "auth_policy.system_auth_policy")]
    assert info.user_api_scopes == ("serving.serving-endpoints",)


def test_resources_from_both_places_are_read(model):
    def both(data):
        data["auth_policy"] = {"system_auth_policy": {"resources": {"api_version": "1", "databricks": {
            "genie_space": [{"name": "space-1"}]}}}, "user_auth_policy": {"api_scopes": ["sql"]}}
    edit_mlmodel(model, both)
    info = read_model(model)
    assert ("genie_space", "space-1", "auth_policy.system_auth_policy") in {(r.type, r.name, r.origin) for r in info.resources}
    assert ("function", "system.ai.python_exec", "resources") in {(r.type, r.name, r.origin) for r in info.resources}
    assert info.user_api_scopes == ("sql",)


def test_agent_file_found_in_code_when_not_at_root(model):
    (model / "agent.py").rename(model / "code" / "agent.py")
    assert read_model(model).agent_file == "code/agent.py"


def test_agent_file_found_by_set_model_when_model_code_path_is_missing(model):
    edit_mlmodel(model, lambda d: d["flavors"]["python_function"].pop("model_code_path"))
    (model / "agent.py").rename(model / "my_agent.py")
    assert read_model(model).agent_file == "my_agent.py"


@pytest.mark.parametrize(
    "break_it, message",
    [
        (lambda m: (m / "MLmodel").unlink(), "no MLmodel file"),
        (lambda m: (m / "MLmodel").write_text("flavors: [unclosed"), "not valid YAML"),
        (lambda m: (m / "MLmodel").write_text("- a list\n"), "YAML mapping"),
        (lambda m: (m / "MLmodel").write_text("a: &a [*a, *a]\n" + "b: " + "[" * 5000 + "]" * 5000), "YAML aliases"),
        (lambda m: edit_mlmodel(m, lambda d: d["flavors"].pop("python_function")), "no python_function flavor"),
        (lambda m: edit_mlmodel(m, lambda d: d["flavors"]["python_function"].update(
            model_code_path=None, python_model="python_model.pkl")), "pickled"),
        (lambda m: ((m / "agent.py").unlink(), edit_mlmodel(m, lambda d: None)), "no agent file"),
        (lambda m: edit_mlmodel(m, lambda d: d["flavors"]["python_function"]["artifacts"]["prompt"].update(
            path="../../etc/passwd")), "outside the model folder"),
        (lambda m: edit_mlmodel(m, lambda d: d["flavors"]["python_function"]["artifacts"]["prompt"].update(
            path="/etc/passwd")), "outside the model folder"),
        (lambda m: (m / "input_example.json").write_text("{not json"), "not valid JSON"),
        (lambda m: edit_mlmodel(m, lambda d: d.update(resources={"api_version": "1", "databricks": {
            "table": [{"no_name": 1}]}})), "table.0.name: field required"),
    ],
    ids=["no-mlmodel", "corrupt-yaml", "not-a-mapping", "deep-yaml", "no-pyfunc",
         "pickled", "no-agent-file", "artifact-escapes", "artifact-absolute", "bad-input-example", "nameless-resource"],
)
def test_refusals(model, break_it, message):
    break_it(model)
    with pytest.raises(MigrationError, match=message) as refused:
        read_model(model)
    assert refused.value.problem


def test_several_set_model_callers_are_ambiguous(model):
    edit_mlmodel(model, lambda d: d["flavors"]["python_function"].pop("model_code_path"))
    shutil.copy(model / "agent.py", model / "other.py")
    with pytest.raises(MigrationError, match="several files call set_model"):
        read_model(model)


def test_symlink_inside_the_folder_is_fine_outside_is_not(model, tmp_path):
    (model / "artifacts" / "alias.txt").symlink_to(model / "artifacts" / "prompt.txt")
    read_model(model)
    (tmp_path / "outside.txt").write_text("x")
    (model / "code" / "leak.py").symlink_to(tmp_path / "outside.txt")
    with pytest.raises(MigrationError, match="symlink"):
        read_model(model)


def test_not_a_folder(tmp_path):
    with pytest.raises(MigrationError, match="not a folder"):
        read_model(tmp_path / "missing")


def test_input_example_must_parse(model):
    (model / "input_example.json").write_text(json.dumps({"input": []}))
    assert read_model(model).input_example == "input_example.json"
