"""Round-trip YAML for the app's bundle files, and where in them the app's settings live.

databricks.yml (and app.yaml, in a v1 app) are edited with ruamel.yaml: the user's comments, order and quoting
survive. The app's command and environment live in databricks.yml under `resources.apps.<app>.config` (scaffold v2,
the layout of today's Apps templates) or, in an app rendered by the template before 2.0.0, in app.yaml.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from serving2apps.errors import MigrationError
from serving2apps.input_shapes import AppConfig, checked
from serving2apps.yaml_limits import plain_yaml_problem

APP_YAML = "app.yaml"  # where a v1 app keeps its settings
# The bundle variable the v2 command passes to start-server as --workers.
WORKERS_VARIABLE = "workers"
# How a v1 app set the worker count: an app.yaml env entry start_server still reads.
V1_WORKERS_ENV = "WEB_CONCURRENCY"


def _yaml() -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    return yaml


def load(text: str, name: str) -> CommentedMap:
    problem = plain_yaml_problem(text)
    if problem:
        raise MigrationError(f"{name} {problem}", f"fix {name} (serving2apps did not change it)")
    try:
        data = _yaml().load(text)
    except (YAMLError, RecursionError) as exc:
        raise MigrationError(f"{name} is not valid YAML: {str(exc).splitlines()[0]}",
                             f"fix {name} (serving2apps did not change it)") from None
    if not isinstance(data, CommentedMap):
        raise MigrationError(f"{name} does not hold a YAML mapping", f"fix {name} (serving2apps did not change it)")
    return data


def dump(data) -> str:
    out = io.StringIO()
    _yaml().dump(data, out)
    return out.getvalue()


def the_app(bundle) -> CommentedMap:
    apps = (bundle.get("resources") or {}).get("apps") or {}
    if len(apps) != 1:
        raise MigrationError(
            f"databricks.yml declares {len(apps)} apps under resources.apps; serving2apps expects exactly one",
            "keep the app the template made (resources.apps.agent_migration) and try again",
        )
    (app,) = apps.values()
    return app


def is_v1(databricks_yml: str, app_yaml: str | None) -> bool:
    """A v1 app: app.yaml holds the settings and databricks.yml declares no `config` for the app. Both present
    happens inside `copier update` to v2, between the new render and copier's migration: v2 wins."""
    return app_yaml is not None and "config" not in the_app(load(databricks_yml, "databricks.yml"))


@dataclass
class AppSettings:
    """The app's command and env, wherever the scaffold keeps them; `value_from` is the key an env entry names
    its app resource with there (app.yaml says valueFrom, the bundle schema value_from)."""

    holder: CommentedMap  # databricks.yml's app `config`, or app.yaml's top level
    file: str
    value_from: str

    @property
    def env(self) -> CommentedSeq:
        if self.holder.get("env") is None:
            self.holder["env"] = CommentedSeq()
        return self.holder["env"]

    def resource_of(self, entry) -> str | None:
        return str(entry[self.value_from]) if isinstance(entry, dict) and self.value_from in entry else None


def _shape_checked(holder: CommentedMap, file: str) -> CommentedMap:
    checked(AppConfig, holder, file, f"fix {file} (serving2apps did not change it): command is a list of strings, "
                                     "env a list of entries with a name")
    return holder


def bundle_settings(app: CommentedMap) -> AppSettings:
    if app.get("config") is None:
        # Where the v2 template has it: before the app's resources (and clear of the comment that ends the block).
        app.insert(list(app).index("resources") if "resources" in app else len(app), "config", CommentedMap())
    return AppSettings(_shape_checked(app["config"], "databricks.yml (the app's config)"),
                       "databricks.yml", "value_from")


def app_yaml_settings(app_config: CommentedMap) -> AppSettings:
    return AppSettings(_shape_checked(app_config, "app.yaml"), "app.yaml", "valueFrom")


def workers_variable(bundle: CommentedMap) -> CommentedMap | None:
    variable = (bundle.get("variables") or {}).get(WORKERS_VARIABLE)
    return variable if isinstance(variable, CommentedMap) else None
