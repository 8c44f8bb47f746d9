"""Scaffold v1 → v2: a v1 app (settings in app.yaml) moves to v2 (settings in databricks.yml's app config) by
copier update with the template's migration, by `serving2apps migrate` on a bundle-init app, or by
`serving2apps upgrade`; and the result is what a fresh v2 migration writes.

v1 is the template as tag v1.0.0 had it: today's template with the two files 2.0.0 changed put back
(tests/fixtures/scaffold_v1, taken from that tag; a test below checks them against it when the tag is there).
"""

import json
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import copier
import pytest
import yaml
from plumbum import local

from bundle_schema import bundle_errors
from engines import REPO_ROOT, TEMPLATE_PARTS, commit_all, render_bundle_init
from serving2apps.cli import main
from serving2apps.errors import MigrationError
from serving2apps.migrate import migrate
from serving2apps.scaffold_upgrade import STASH, V2_COMMAND, upgrade

V1_FILES = Path(__file__).parent / "fixtures" / "scaffold_v1"
APP_TEMPLATE = Path("template") / "{{.app_name}}"
ENV = {"OPENAI_API_KEY": "{{secrets/agents/openai}}", "LOG_LEVEL": "debug"}
# What a v1 migration of MODEL writes into app.yaml (for the unit tests of upgrade()).
V1_MIGRATED_APP_YAML = (V1_FILES / "app.yaml").read_text() + """  - name: WEB_CONCURRENCY
    value: "4"
  - name: LOG_LEVEL
    value: debug
  - name: OPENAI_API_KEY
    valueFrom: secret-agents-openai
"""


def copy_template(dest: Path, version: int) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for part in TEMPLATE_PARTS:
        src = REPO_ROOT / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True)
        else:
            shutil.copy2(src, dest / part)
    if version == 1:
        for name in ("app.yaml", "databricks.yml.tmpl"):
            shutil.copy2(V1_FILES / name, dest / APP_TEMPLATE / name)
    else:
        (dest / APP_TEMPLATE / "app.yaml").unlink(missing_ok=True)
    return dest


@pytest.fixture(scope="module")
def endpoint_model(tmp_path_factory):
    """The example model as served by an endpoint with a secret and a plain variable, on a Medium workload,
    with resources and on-behalf-of-user scopes."""
    model = tmp_path_factory.mktemp("upgrade") / "original_mlflow_model"
    shutil.copytree(REPO_ROOT / "examples" / "echo_agent" / "model", model)
    # Scopes the agent used on behalf of its users (MLflow writes them under auth_policy).
    (model / "MLmodel").write_text((model / "MLmodel").read_text() + "auth_policy:\n  user_auth_policy:\n"
                                   "    api_scopes:\n    - serving.serving-endpoints\n    - sql.statement-execution\n")
    (model / "serving2apps-provenance.json").write_text(json.dumps(
        {"source": {"environment_vars": ENV, "workload_size": "Medium"}}))
    return model


def v1_bundle_app(renderer, out: Path) -> Path:
    template = copy_template(out / "template-v1", 1)
    assert render_bundle_init(renderer, {"app_name": "up-app"}, out / "apps", template).returncode == 0
    return out / "apps" / "up-app"


def fresh_v2_migration(renderer, model: Path, out: Path) -> Path:
    assert render_bundle_init(renderer, {"app_name": "up-app"}, out).returncode == 0
    app = out / "up-app"
    assert migrate(model, app, log=lambda m: None) == 0
    return app


def bundle(app: Path) -> dict:
    return yaml.safe_load((app / "databricks.yml").read_text())


def config_of(app: Path) -> dict:
    (settings,) = bundle(app)["resources"]["apps"].values()
    return settings["config"]


def report_codes(app: Path) -> list[str]:
    return [f["code"] for f in json.loads((app / ".serving2apps" / "report.json").read_text())["findings"]]


# upgrade(): the rule itself, before and after.

def test_upgrade_moves_env_workers_and_command(go_renderer, tmp_path):
    v1 = v1_bundle_app(go_renderer, tmp_path)
    databricks_yml, moved = upgrade((v1 / "databricks.yml").read_text(), V1_MIGRATED_APP_YAML)
    bundle = yaml.safe_load(databricks_yml)
    (settings,) = bundle["resources"]["apps"].values()
    assert settings["config"]["command"] == V2_COMMAND
    assert settings["config"]["env"][-2:] == [{"name": "LOG_LEVEL", "value": "debug"},
                                             {"name": "OPENAI_API_KEY", "value_from": "secret-agents-openai"}]
    assert {"name": "MLFLOW_EXPERIMENT_ID", "value_from": "experiment"} in settings["config"]["env"]
    assert "WEB_CONCURRENCY" not in databricks_yml and bundle["variables"]["workers"]["default"] == "4"
    assert moved == ["env MLFLOW_TRACKING_URI", "env MLFLOW_REGISTRY_URI", "env MLFLOW_EXPERIMENT_ID",
                     "env LOG_LEVEL", "env OPENAI_API_KEY", "WEB_CONCURRENCY=4 as variable workers"]
    # The comments the user had in databricks.yml stay; the config sits where the v2 template has it.
    assert list(settings) == ["name", "description", "source_code_path", "config", "resources"]
    (tmp_path / "out.yml").write_text(databricks_yml)
    assert bundle_errors(tmp_path / "out.yml") == []
    # A second run on its own output moves nothing new.
    again, _ = upgrade(databricks_yml, V1_MIGRATED_APP_YAML)
    assert again == databricks_yml


def test_upgrade_passes_the_share_of_requests_traced_from_a_variable_unless_app_yaml_set_it(go_renderer, tmp_path):
    v1 = v1_bundle_app(go_renderer, tmp_path)
    bundle = yaml.safe_load(upgrade((v1 / "databricks.yml").read_text(), V1_MIGRATED_APP_YAML)[0])
    (settings,) = bundle["resources"]["apps"].values()
    names = [e["name"] for e in settings["config"]["env"]]
    # Where the v2 template has it: after the experiment.
    assert names[names.index("MLFLOW_EXPERIMENT_ID") + 1] == "MLFLOW_TRACE_SAMPLING_RATIO"
    assert bundle["variables"]["trace_sampling_ratio"]["default"] == "1.0"

    mine = V1_MIGRATED_APP_YAML.replace("env:\n", "env:\n  - name: MLFLOW_TRACE_SAMPLING_RATIO\n    value: '0.1'\n", 1)
    databricks_yml, moved = upgrade((v1 / "databricks.yml").read_text(), mine)
    bundle = yaml.safe_load(databricks_yml)
    (settings,) = bundle["resources"]["apps"].values()
    assert [e for e in settings["config"]["env"] if e["name"] == "MLFLOW_TRACE_SAMPLING_RATIO"] == [
        {"name": "MLFLOW_TRACE_SAMPLING_RATIO", "value": "0.1"}]
    assert "trace_sampling_ratio" not in bundle["variables"] and "env MLFLOW_TRACE_SAMPLING_RATIO" in moved


def test_a_command_the_user_changed_is_kept(go_renderer, tmp_path):
    v1 = v1_bundle_app(go_renderer, tmp_path)
    mine = V1_MIGRATED_APP_YAML.replace('command: ["uv", "run", "start-server"]', 'command: ["python", "serve.py"]')
    databricks_yml, moved = upgrade((v1 / "databricks.yml").read_text(), mine)
    (settings,) = yaml.safe_load(databricks_yml)["resources"]["apps"].values()
    assert settings["config"]["command"] == ["python", "serve.py"]
    assert "command python serve.py (yours; it does not pass the workers variable)" in moved


def test_app_yaml_keys_v2_has_no_place_for_are_refused_not_dropped(go_renderer, tmp_path):
    v1 = v1_bundle_app(go_renderer, tmp_path)
    with pytest.raises(MigrationError, match="app.yaml sets resources, which the v2 scaffold has no place for"):
        upgrade((v1 / "databricks.yml").read_text(), V1_MIGRATED_APP_YAML + "resources: []\n")


# migrate and upgrade on apps made by bundle init.

def test_migrate_upgrades_a_v1_bundle_init_app_to_what_a_fresh_v2_migration_writes(go_renderer, endpoint_model,
                                                                                    tmp_path):
    v1 = v1_bundle_app(go_renderer, tmp_path)
    dry = subprocess.run([sys.executable, "-m", "serving2apps.cli", "migrate", "--dry-run", "--no-lock", "--source", str(endpoint_model)],
                         cwd=v1, capture_output=True, text=True)
    assert "File app.yaml removed" in dry.stdout and (v1 / "app.yaml").is_file()
    assert migrate(endpoint_model, v1, log=lambda m: None) == 0
    assert not (v1 / "app.yaml").exists()
    assert "S2A311" in report_codes(v1)
    fresh = fresh_v2_migration(go_renderer, endpoint_model, tmp_path / "fresh")
    # The same settings (the template's comments, which v1's databricks.yml never had, aside).
    assert bundle(v1) == bundle(fresh)
    assert bundle_errors(v1 / "databricks.yml") == []


def test_a_v1_copier_app_keeps_its_layout_and_is_told_what_to_run(go_renderer, endpoint_model, tmp_path):
    v1 = v1_bundle_app(go_renderer, tmp_path)
    (v1 / ".copier-answers.yml").write_text("_commit: v1.0.0\n_src_path: /somewhere\napp_name: up-app\n")
    assert migrate(endpoint_model, v1, log=lambda m: None) == 1  # S2A310 is for review
    assert "valueFrom: secret-agents-openai" in (v1 / "app.yaml").read_text()
    assert "config" not in bundle(v1)["resources"]["apps"]["agent_migration"]
    assert "S2A310" in report_codes(v1)


def test_the_upgrade_command(go_renderer, tmp_path, capsys):
    v1 = v1_bundle_app(go_renderer, tmp_path)
    (v1 / "app.yaml").write_text(V1_MIGRATED_APP_YAML)
    assert main(["upgrade", "--app-dir", str(v1)]) == 0
    assert "moved into databricks.yml: env MLFLOW_TRACKING_URI" in capsys.readouterr().out
    assert not (v1 / "app.yaml").exists() and config_of(v1)["env"][-1]["name"] == "OPENAI_API_KEY"
    assert main(["upgrade", "--app-dir", str(v1)]) == 0
    assert "nothing to do" in capsys.readouterr().out


# copier update from v1 to v2, with the template's migration.

def git(*args, cwd):
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t.invalid", *args], cwd=cwd,
                          capture_output=True, text=True, check=True).stdout


def test_copier_update_moves_a_migrated_v1_app_to_v2(go_renderer, endpoint_model, tmp_path):
    template = copy_template(tmp_path / "template", 1)
    git("init", "-q", "-b", "main", cwd=template)
    commit_all(template, "v1")
    git("tag", "v1.0.0", cwd=template)
    copy_template(template, 2)
    commit_all(template, "v2")
    git("tag", "v2.0.0", cwd=template)

    work = tmp_path / "work"
    app = work / "up-app"
    shutil.copytree(endpoint_model, work / "original_mlflow_model")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        copier.run_copy(str(template), str(app), data={"app_name": "up-app"}, defaults=True, unsafe=True,
                        quiet=True, skip_tasks=True, vcs_ref="v1.0.0")
    assert (app / "app.yaml").is_file()
    assert migrate(work / "original_mlflow_model", app, log=lambda m: None) == 1  # S2A310: run copier update
    # The user's own hand: a variable added to app.yaml.
    (app / "app.yaml").write_text((app / "app.yaml").read_text() + "  - name: TEAM\n    value: agents\n")
    git("init", "-q", "-b", "main", cwd=app)
    commit_all(app, "migrated on v1")
    agent = (app / "agent_server" / "agent.py").read_text()

    with local.cwd(app), local.env(DATABRICKS_HOST="http://127.0.0.1:9", DATABRICKS_TOKEN="x"), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore")
        copier.run_update(str(app), defaults=True, overwrite=True, unsafe=True, quiet=True, vcs_ref="v2.0.0")

    assert not (app / "app.yaml").exists() and not (app / STASH).exists()
    assert (app / "agent_server" / "agent.py").read_text() == agent
    assert "_commit: v2.0.0" in (app / ".copier-answers.yml").read_text()
    status = git("status", "--porcelain", cwd=app)
    assert "UU" not in status and ".rej" not in status
    assert not any("<<<<<<<" in p.read_text(errors="ignore") for p in app.rglob("*") if p.is_file()
                   and ".git" not in p.parts)
    assert bundle_errors(app / "databricks.yml") == []
    env = {e["name"]: e for e in config_of(app)["env"]}
    assert env["TEAM"] == {"name": "TEAM", "value": "agents"}
    assert env["OPENAI_API_KEY"] == {"name": "OPENAI_API_KEY", "value_from": "secret-agents-openai"}
    (settings,) = bundle(app)["resources"]["apps"].values()
    assert settings["user_api_scopes"] == ["serving.serving-endpoints", "sql"]
    assert bundle(app)["variables"]["workers"]["default"] == "4"  # Medium workload: LARGE, 4 vCPUs
    # Apart from the variable the user added by hand, the same databricks.yml as a fresh v2 migration.
    fresh = fresh_v2_migration(go_renderer, endpoint_model, tmp_path / "fresh")
    updated = (app / "databricks.yml").read_text().replace("          - name: TEAM\n            value: agents\n", "")
    assert updated == (fresh / "databricks.yml").read_text()


def test_the_v1_fixture_is_the_v1_tag():
    """When this checkout has its history, the fixture holds exactly what tag v1.0.0 rendered from."""
    for name in ("app.yaml", "databricks.yml.tmpl"):
        shown = subprocess.run(["git", "show", f"v1.0.0:{APP_TEMPLATE / name}"], cwd=REPO_ROOT, capture_output=True)
        if shown.returncode != 0:
            pytest.skip("this checkout has no tag v1.0.0 (a shallow clone or an exported tree)")
        assert shown.stdout == (V1_FILES / name).read_bytes()
