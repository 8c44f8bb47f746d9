"""Every databricks.yml the template renders is a valid bundle configuration, and its app config agrees with it."""

import pytest
import yaml

from bundle_schema import bundle_errors
from engines import render_bundle_init

ANSWERS = [
    {"app_name": "my-agent", "endpoint_name": "ep"},
    {"app_name": "a1", "async_mode": "no", "profile": "prod"},
    {"app_name": "z" * 30},
]


@pytest.mark.parametrize("answers", ANSWERS, ids=lambda a: a["app_name"])
def test_rendered_bundle_validates_against_the_official_schema(answers, go_renderer, tmp_path):
    assert render_bundle_init(go_renderer, answers, tmp_path).returncode == 0
    app = tmp_path / answers["app_name"]
    assert bundle_errors(app / "databricks.yml") == []

    bundle = yaml.safe_load((app / "databricks.yml").read_text())
    (key,) = bundle["resources"]["apps"]
    app_resource = bundle["resources"]["apps"][key]
    # The seed: the app name in both places, and an experiment the bundle creates and grants to the app.
    assert app_resource["name"] == answers["app_name"]
    assert bundle["targets"]["prod"]["resources"]["apps"][key]["name"] == answers["app_name"]
    assert {"dev", "prod"} <= set(bundle["targets"])
    (experiment_key,) = bundle["resources"]["experiments"]
    granted = {r["name"]: r for r in app_resource["resources"]}
    assert granted["experiment"]["experiment"]["experiment_id"] == f"${{resources.experiments.{experiment_key}.id}}"

    # Today's Apps layout: the command and env in the app's config, no app.yaml; the workers from a variable.
    assert not (app / "app.yaml").exists()
    assert app_resource["config"]["command"] == ["uv", "run", "start-server", "--workers", "${var.workers}"]
    assert bundle["variables"]["workers"]["default"] == "1"
    # The share of requests traced: MLflow's setting, from a variable; all of them unless the user lowers it.
    assert {"name": "MLFLOW_TRACE_SAMPLING_RATIO", "value": "${var.trace_sampling_ratio}"} in app_resource["config"]["env"]
    assert bundle["variables"]["trace_sampling_ratio"]["default"] == "1.0"
    for env in app_resource["config"]["env"]:
        if "value_from" in env:
            assert env["value_from"] in granted, env


@pytest.mark.parametrize("flaw, named", [
    ("      not_a_field: 1\n", "not_a_field"),
    ("      resources:\n        - name: e\n          serving_endpoint: {name: ep, permission: CAN_EAT}\n", "CAN_EAT"),
    ("      compute_size: ENORMOUS\n", "ENORMOUS"),
    ("    b:\n      source_code_path: ./\n", "name"),
    ("", "nonsense"),
], ids=["unknown-field", "bad-permission", "bad-compute-size", "missing-name", "unknown-top-level-key"])
def test_the_validator_catches_an_invalid_bundle(tmp_path, flaw, named):
    bad = tmp_path / "databricks.yml"
    top = "nonsense: 1\n" if named == "nonsense" else ""
    bad.write_text(f"{top}bundle: {{name: x}}\nresources:\n  apps:\n    a:\n      name: x\n      source_code_path: ./\n{flaw}")
    errors = bundle_errors(bad)
    assert any(named in e for e in errors), errors
