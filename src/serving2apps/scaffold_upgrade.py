"""Scaffold v1 → v2: the app's command and environment move from app.yaml into databricks.yml.

An app rendered by the template before 2.0.0 keeps them in app.yaml. v2 declares them in databricks.yml under
`resources.apps.<app>.config`, as today's Apps templates do, so a bundle variable (`workers`) and a target's
overrides reach them. Two callers: copier's migration to v2.0.0 (hooks/upgrade_scaffold.py, after copier has
rendered v2 and migrate has written the endpoint's variables into `config`) and `serving2apps migrate` on a
bundle-init app it finds at v1.

- every env entry moves, `valueFrom` renamed `value_from`; a name `config.env` already sets keeps the value there
  (copier update has just written it from the same record);
- WEB_CONCURRENCY, v1's worker count, becomes the `workers` variable's default;
- v1's own command becomes v2's (which passes `--workers`); a command the user changed is kept as it is;
- v2's `trace_sampling_ratio` variable and the env entry that passes it are added, unless app.yaml set
  MLFLOW_TRACE_SAMPLING_RATIO itself (that entry moves as it is).

Not handled: app.yaml keys other than `command` and `env` (Apps reads no others): the upgrade refuses rather
than drop them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from serving2apps.bundle_yaml import (APP_YAML, V1_WORKERS_ENV, WORKERS_VARIABLE, app_yaml_settings, bundle_settings,
                                      dump, is_v1, load, the_app, workers_variable)
from serving2apps.errors import MigrationError

V1_COMMAND = ["uv", "run", "start-server"]
V2_COMMAND = [*V1_COMMAND, "--workers", f"${{var.{WORKERS_VARIABLE}}}"]
WORKERS_DESCRIPTION = ("Worker processes of the app's server (serving2apps sets one per vCPU of the app's compute size, "
                       "or one for an agent that keeps state in its process)")
SAMPLING_VARIABLE = "trace_sampling_ratio"
SAMPLING_ENV = "MLFLOW_TRACE_SAMPLING_RATIO"
SAMPLING_DESCRIPTION = ("Share of requests traced to the app's experiment, 0.0 to 1.0 (MLflow's "
                        "MLFLOW_TRACE_SAMPLING_RATIO). Exporting a trace costs a worker about as much CPU as answering a "
                        "request; lower it on an app whose workers are CPU-bound")
EXPERIMENT_ENV = "MLFLOW_EXPERIMENT_ID"  # the template's entry the sampling entry follows
# Where copier's migration keeps app.yaml between its two stages: copier removes the file the template no longer
# has before the second stage runs.
STASH = ".serving2apps/app.v1.yaml"


def _flow(items: list[str]) -> CommentedSeq:
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def upgrade(databricks_yml: str, app_yaml: str) -> tuple[str, list[str]]:
    """databricks.yml with app.yaml's settings in the app's `config`; and what was moved, one line each."""
    bundle = load(databricks_yml, "databricks.yml")
    app = the_app(bundle)
    old = app_yaml_settings(load(app_yaml, "app.yaml"))
    unknown = sorted(set(old.holder) - {"command", "env"})
    if unknown:
        raise MigrationError(f"app.yaml sets {', '.join(unknown)}, which the v2 scaffold has no place for",
                             "move them by hand into resources.apps.<app>.config in databricks.yml, remove them "
                             "from app.yaml, then run the upgrade again")
    fresh = app.get("config") is None
    new = bundle_settings(app)
    moved = []
    command = [str(part) for part in old.holder.get("command") or []]
    if command and command != V1_COMMAND:
        new.holder["command"] = _flow(command)
        moved.append(f"command {' '.join(command)} (yours; it does not pass the workers variable)")
    elif fresh or "command" not in new.holder:
        new.holder["command"] = _flow(V2_COMMAND)
    present = {str(e.get("name")) for e in new.env if isinstance(e, dict)}
    workers = None
    for entry in old.env:
        name = str(entry.get("name"))
        if name == V1_WORKERS_ENV:
            workers = entry.get("value")
            continue
        if name in present:
            continue
        converted = CommentedMap((new.value_from if key == old.value_from else key, value)
                                 for key, value in entry.items())
        new.env.append(converted)
        moved.append(f"env {name}")
    variable = workers_variable(bundle)
    if variable is None:
        variable = _declare(bundle, WORKERS_VARIABLE, WORKERS_DESCRIPTION, "1")
    if workers is not None:
        variable["default"] = DoubleQuotedScalarString(str(workers))
        moved.append(f"{V1_WORKERS_ENV}={workers} as variable {WORKERS_VARIABLE}")
    names = [str(e.get("name")) if isinstance(e, dict) else None for e in new.env]
    if SAMPLING_ENV not in names:
        # v2 passes the share of requests traced from a variable; where v1 set none, MLflow's default (all) stays.
        _declare(bundle, SAMPLING_VARIABLE, SAMPLING_DESCRIPTION, "1.0")
        at = names.index(EXPERIMENT_ENV) + 1 if EXPERIMENT_ENV in names else len(names)
        new.env.insert(at, CommentedMap([("name", SAMPLING_ENV),
                                         ("value", DoubleQuotedScalarString(f"${{var.{SAMPLING_VARIABLE}}}"))]))
    return dump(bundle), moved


def _declare(bundle: CommentedMap, name: str, description: str, default: str) -> CommentedMap:
    """A bundle variable the v2 template declares, unless the bundle has one by that name."""
    if bundle.get("variables") is None:
        # Before `resources`, where the v2 template declares them, a blank line between them.
        bundle.insert(list(bundle).index("resources") if "resources" in bundle else len(bundle), "variables",
                      CommentedMap())
        if "resources" in bundle:
            bundle.yaml_set_comment_before_after_key("resources", before="\n")
    if not isinstance(bundle["variables"].get(name), CommentedMap):
        bundle["variables"][name] = CommentedMap([("description", description),
                                                  ("default", DoubleQuotedScalarString(default))])
    return bundle["variables"][name]


def stash(app_dir: Path) -> bool:
    """copier's `before` stage: keep a v1 app's app.yaml where copier will not remove it."""
    app_yaml = app_dir / APP_YAML
    if not app_yaml.is_file() or not is_v1((app_dir / "databricks.yml").read_text(), app_yaml.read_text()):
        return False
    (app_dir / STASH).parent.mkdir(exist_ok=True)
    shutil.copyfile(app_yaml, app_dir / STASH)
    return True

