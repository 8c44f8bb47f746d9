"""Post-generation, second half: the agent's permissions and settings into the app's bundle configuration.

- MLmodel resources (both `resources:` and `auth_policy.system_auth_policy.resources`) → entries of
  `resources.apps.<key>.resources` in databricks.yml, with the least permission that works; a type with no
  app equivalent is reported (S2A202), never dropped silently.
- `auth_policy.user_auth_policy.api_scopes`, and the resources the agent used on behalf of the user → the app's
  `user_api_scopes`, in the scopes Apps accepts (user_scopes); those resources are not granted to the app's
  service principal, and the code change they need is reported (S2A203).
- the endpoint's environment variables (from the provenance record) → the app's `config.env` in databricks.yml
  (app.yaml's `env` in a v1 app): a `{{secrets/scope/key}}` reference becomes a `secret` app resource plus
  `value_from`; plain values are copied; values that were redacted at download are reported (S2A204) and never
  written. The workspace SDK's credential variables are never copied (sdk_credentials, S2A212/S2A213), and code
  that reads such a variable itself is reported (S2A214).
- the worker count (sizing.workers) → the `workers` bundle variable's default (WEB_CONCURRENCY in a v1 app).

The files are edited round-trip (bundle_yaml): the user's comments, order and quoting survive, entries merge by
type + target, and a second run adds nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from serving2apps.bundle_yaml import (V1_WORKERS_ENV, AppSettings, app_yaml_settings, bundle_settings, dump, load,
                                      the_app, workers_variable)
from serving2apps.codemod.findings import Finding
from serving2apps.environment_secrets import REDACTED, holds_credential, is_sensitive, secret_reference
from serving2apps.errors import MigrationError
from serving2apps.model_reader import ModelInfo, Resource, distinct
from serving2apps.sdk_credentials import SDK_CREDENTIALS, WORKSPACE_HOST, absent_credentials_read
from serving2apps.sizing import app_size, model_gigabytes, workers
from serving2apps.user_scopes import acting_as_user, user_api_scopes
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class AppResourceType:
    key: str  # the block name in databricks.yml
    since: str  # first Databricks CLI that accepts it (research/bundle-init.md §6)

    def block(self, resource: Resource) -> dict:
        return _BLOCKS[resource.type](resource.name)


# MLmodel resource type → (app resource type, its block). Least permission that lets the agent work.
_BLOCKS = {
    "serving_endpoint": lambda n: {"name": n, "permission": "CAN_QUERY"},
    "vector_search_index": lambda n: {"securable_full_name": n, "securable_type": "TABLE", "permission": "SELECT"},
    "table": lambda n: {"securable_full_name": n, "securable_type": "TABLE", "permission": "SELECT"},
    "function": lambda n: {"securable_full_name": n, "securable_type": "FUNCTION", "permission": "EXECUTE"},
    "uc_connection": lambda n: {"securable_full_name": n, "securable_type": "CONNECTION", "permission": "USE_CONNECTION"},
    "sql_warehouse": lambda n: {"id": n, "permission": "CAN_USE"},
    "genie_space": lambda n: {"name": n, "space_id": n, "permission": "CAN_RUN"},
    # The seed's mapping: Lakebase agents use the instance's default database.
    "lakebase": lambda n: {"instance_name": n, "database_name": "databricks_postgres", "permission": "CAN_CONNECT_AND_CREATE"},
    "app": lambda n: {"name": n, "permission": "CAN_USE"},
}
RESOURCE_TYPES = {
    "serving_endpoint": AppResourceType("serving_endpoint", "v0.253.0"),
    "vector_search_index": AppResourceType("uc_securable", "v0.283.0"),
    "table": AppResourceType("uc_securable", "v0.283.0"),
    "function": AppResourceType("uc_securable", "v0.283.0"),
    "uc_connection": AppResourceType("uc_securable", "v0.283.0"),
    "sql_warehouse": AppResourceType("sql_warehouse", "v0.253.0"),
    "genie_space": AppResourceType("genie_space", "v0.273.0"),
    "lakebase": AppResourceType("database", "v0.270.0"),
    "app": AppResourceType("app", "v0.290.0"),
}
SECRET_SINCE = "v0.253.0"
# Lakebase autoscaling (projects and branches) is the `postgres` app resource; `lakebase` in an MLmodel names a
# provisioned instance (the `database` resource) unless it is a project path. The official agent templates tell
# the agent its project and branch in these variables.
POSTGRES = AppResourceType("postgres", "v0.294.0")
_POSTGRES_PATH = re.compile(r"^projects/[^/]+/branches/[^/]+")
_AUTOSCALING_VARIABLES = ("LAKEBASE_AUTOSCALING_PROJECT", "LAKEBASE_AUTOSCALING_BRANCH")
# The field that names what a block points at, for merging by type + target.
_TARGET_FIELDS = ("name", "securable_full_name", "id", "space_id", "instance_name", "experiment_id", "scope", "branch")


def _version(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in v.lstrip("v").split("."))


def check_cli_version(min_cli: str, written: set[str]) -> None:
    too_new = sorted(t for t in written if _version(t) > _version(min_cli))
    if too_new:
        raise MigrationError(
            f"the template's min_databricks_cli_version {min_cli} is older than the CLI that accepts the app "
            f"resources this migration writes (needs {too_new[-1]})",
            "raise min_databricks_cli_version in databricks_template_schema.json",
        )


def _slug(text: str) -> str:
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", text.lower())).strip("-")


def _target(entry) -> tuple[str, str] | None:
    for key, block in entry.items():
        if isinstance(block, dict):
            for field in _TARGET_FIELDS:
                if field in block:
                    target = f"{block.get('scope')}/{block.get('key')}" if key == "secret" else str(block[field])
                    return key, target
    return None


class _AppResources:
    """The app's resources list, with merge-by-target and unique names."""

    def __init__(self, entries: CommentedSeq):
        self.entries = entries
        self.names = {str(e.get("name")) for e in entries if isinstance(e, dict)}
        self.targets = {_target(e): str(e.get("name")) for e in entries if isinstance(e, dict) and _target(e)}

    def add(self, type_key: str, block: dict, wanted_name: str) -> str:
        """Adds the entry unless one with the same type and target exists; returns its name."""
        block = {key: _literal(value, f"the {type_key} resource") for key, value in block.items()}
        target = _target({type_key: block})
        if target in self.targets:
            return self.targets[target]
        name = wanted_name[:60].strip("-")
        n = 2
        while name in self.names:
            name = f"{wanted_name[:57]}-{n}"
            n += 1
        entry = CommentedMap([("name", name), (type_key, CommentedMap(block.items()))])
        self.entries.append(entry)
        self.names.add(name)
        self.targets[target] = name
        return name


def _last_node(node):
    """The innermost last (container, key) of a mapping/sequence: where ruamel keeps a trailing comment."""
    while True:
        if isinstance(node, CommentedMap) and node:
            key = list(node)[-1]
        elif isinstance(node, CommentedSeq) and node:
            key = len(node) - 1
        else:
            return None
        if isinstance(node[key], (CommentedMap, CommentedSeq)) and node[key]:
            node = node[key]
            continue
        return node, key


def _take_trailing_comment(node):
    last = _last_node(node)
    if last is None:
        return None
    container, key = last
    slots = container.ca.items.pop(key, None) or []
    # ruamel keeps a mapping value's end-of-line comment in slot 2, a sequence item's in slot 0.
    return next((token for token in slots if token is not None), None)


def _put_trailing_comment(node, token) -> None:
    last = _last_node(node)
    if token is not None and last is not None:
        container, key = last
        container.ca.items[key] = [token, None] if isinstance(container, CommentedSeq) else [None, None, token, None]


@dataclass
class BundleUpdate:
    databricks_yml: str
    app_yaml: str | None  # v1 apps only
    findings: list[Finding]
    cli_versions: set[str]


_YAML_1_1 = yaml.resolver.Resolver()


def _literal(value: object, what: str) -> object:
    """A value taken from the model, checked before it is written into bundle files: the bundle CLI would
    read `${...}` in it as its own variable interpolation, and YAML offers no escape for it. A string a YAML 1.1
    reader would take for something else (`on`, `no`, `1:20`, `0x1F`, `~`, a date) is written quoted: ruamel
    writes YAML 1.2, where those are plain strings, but not every reader of these files is a 1.2 one."""
    if not isinstance(value, str):
        return value
    if "${" in value:
        raise MigrationError(f"{what} has the value {value!r}, which holds '${{': the bundle CLI would substitute it",
                             "rename it on the workspace (or in the model's MLmodel) so it holds no '${', then run "
                             "migrate again")
    if _YAML_1_1.resolve(yaml.ScalarNode, value, (True, False)) != "tag:yaml.org,2002:str":
        return DoubleQuotedScalarString(value)
    return value


def _grant_postgres(resources: _AppResources, path: str, what: str, versions: set[str]) -> list[Finding]:
    """A `postgres` app resource for a Lakebase autoscaling branch (and database, when `path` names one)."""
    match = _POSTGRES_PATH.match(path)
    assert match, path
    branch = match.group(0)
    block = {"branch": branch, **({"database": path} if "/databases/" in path else {}),
             "permission": "CAN_CONNECT_AND_CREATE"}
    name = resources.add(POSTGRES.key, block, _slug(f"postgres-{branch.split('/')[1]}"))
    versions.add(POSTGRES.since)
    findings = [Finding("S2A200", f"{what} granted to the app as {name} (Lakebase autoscaling)")]
    if "database" not in block:
        findings.append(Finding("S2A211", f"{name} names branch {branch} but no database"))
    return findings


def _set_workers(bundle: CommentedMap, settings: AppSettings, count: int) -> None:
    """v2: the `workers` variable's default, while it is the template's "1" (a count the user chose stays);
    v1: a WEB_CONCURRENCY entry in app.yaml, unless there is one."""
    if settings.file == "app.yaml":
        if V1_WORKERS_ENV not in {str(e.get("name")) for e in settings.env if isinstance(e, dict)}:
            settings.env.append(CommentedMap([("name", V1_WORKERS_ENV), ("value", DoubleQuotedScalarString(str(count)))]))
        return
    variable = workers_variable(bundle)
    if variable is not None and str(variable.get("default")) == "1":
        variable["default"] = DoubleQuotedScalarString(str(count))


def _set_from_endpoint(env: list, resources: list, var: str, value: str, secret: tuple[str, str] | None,
                       settings: AppSettings) -> bool:
    """Whether the app's entry for var is what an earlier migration copied from the endpoint: the same plain value,
    or a value_from naming the app's resource for the same secret."""
    entry = next(e for e in env if isinstance(e, dict) and str(e.get("name")) == var)
    if secret is None:
        return "value" in entry and str(entry["value"]) == value
    named = next((r for r in resources if isinstance(r, dict) and r.get("name") == entry.get(settings.value_from)), {})
    held = named.get("secret") or {}
    return isinstance(held, dict) and (held.get("scope"), held.get("key")) == secret


def update_bundle(databricks_yml: str, app_yaml: str | None, model: ModelInfo, environment: dict[str, str],
                  agent_source: str = "", serving: dict | None = None, state: str | None = None) -> BundleUpdate:
    """`app_yaml` is given for a v1 app only (its settings stay there); `agent_source` is the agent's Python code as
    migrated (its file and its code/ modules); `serving` is how the endpoint served the model (the provenance's
    source), for the app's size; `state` says why the agent must stay in one process (sizing.per_process_state), if it must."""
    bundle = load(databricks_yml, "databricks.yml")
    app = the_app(bundle)
    app_config = None if app_yaml is None else load(app_yaml, "app.yaml")
    # The blank line or comment after the app's block belongs after whatever we append to it.
    trailing = _take_trailing_comment(app)
    settings = bundle_settings(app) if app_config is None else app_yaml_settings(app_config)
    if app.get("resources") is None:
        app["resources"] = CommentedSeq()
    resources = _AppResources(app["resources"])
    findings: list[Finding] = []
    versions: set[str] = set()

    for resource in distinct(model.resources):
        kind = RESOURCE_TYPES.get(resource.type)
        if resource.on_behalf_of_user:
            continue  # acting_as_user reports it
        if resource.type == "lakebase" and _POSTGRES_PATH.match(resource.name):
            findings += _grant_postgres(resources, resource.name, f"lakebase {resource.name}", versions)
            continue
        if kind is None:
            findings.append(Finding("S2A202", f"{resource.type} {resource.name} has no Databricks Apps resource type"))
            continue
        name = resources.add(kind.key, kind.block(resource), _slug(f"{resource.type}-{resource.name}"))
        versions.add(kind.since)
        findings.append(Finding("S2A200", f"{resource.type} {resource.name} granted to the app as {name}"))
    if all(environment.get(var) for var in _AUTOSCALING_VARIABLES):
        project, branch = (environment[var] for var in _AUTOSCALING_VARIABLES)
        findings += _grant_postgres(resources, f"projects/{project}/branches/{branch}",
                                    f"the Lakebase project in {' and '.join(_AUTOSCALING_VARIABLES)}", versions)

    wanted, scope_findings = user_api_scopes(model.user_api_scopes, model.resources, agent_source)
    findings += scope_findings
    if wanted:
        scopes = app.get("user_api_scopes")
        if scopes is None:
            app["user_api_scopes"] = scopes = CommentedSeq()
        scopes.extend(s for s in wanted if s not in scopes)
    size = app_size(serving or {}, state)
    findings += size.findings
    for feature in (serving or {}).get("gateway") or []:
        findings.append(Finding("S2A216", f"the endpoint {feature}; an app does not"))
    if size.compute_size and "compute_size" not in app:  # a size the user chose stays
        app["compute_size"] = size.compute_size
    if size.instances and "compute_min_instances" not in app and "compute_max_instances" not in app:
        app["compute_min_instances"], app["compute_max_instances"] = size.instances
    findings += acting_as_user(model.resources, agent_source, bool(app.get("user_api_scopes")))
    for var in absent_credentials_read(agent_source):
        findings.append(Finding("S2A214", f"the agent's code reads {var}, which an app does not have"))

    env = settings.env
    present = {str(e.get("name")) for e in env if isinstance(e, dict)}
    count, worker_findings = workers(app.get("compute_size"), state, model_gigabytes(model.root, model.files))
    findings += worker_findings
    _set_workers(bundle, settings, count)
    for var, value in sorted(environment.items()):
        if not _ENV_NAME.match(var):
            raise MigrationError(f"the endpoint's environment variable {var!r} is not a valid variable name",
                                 "rename it on the endpoint, or remove it from the provenance record")
        secret = secret_reference(value)
        if var == WORKSPACE_HOST:
            findings.append(Finding("S2A213", f"{var} is set by Databricks Apps; the endpoint's value was not copied"))
            continue
        if var in SDK_CREDENTIALS:
            described = f"secret {secret[0]}/{secret[1]}" if secret else "its value"
            findings.append(Finding("S2A212", f"{var} ({described}) gave the agent workspace credentials on the "
                                              "endpoint; not copied: the app authenticates as its service principal"))
            continue
        if var in present and not _set_from_endpoint(env, app["resources"], var, value, secret, settings):
            # The app's own value (the scaffold's MLFLOW_EXPERIMENT_ID, say, or the user's) is kept.
            findings.append(Finding("S2A206", f"{var} is set differently in {settings.file}; kept, the endpoint's "
                                              "value was not copied"))
            continue
        # Judged here, where it would be written, whatever the record says (redaction happens in download,
        # but a record written by hand or by an older version may still hold the value).
        if value == REDACTED or (secret is None and (is_sensitive(var) or holds_credential(value))):
            findings.append(Finding("S2A204", f"{var} had a plain value on the endpoint; it was not copied"))
            continue
        if secret:
            scope, key = secret
            name = resources.add("secret", {"scope": scope, "key": key, "permission": "READ"},
                                 _slug(f"secret-{scope}-{key}"))
            versions.add(SECRET_SINCE)
            entry = CommentedMap([("name", var), (settings.value_from, name)])
            findings.append(Finding("S2A205", f"{var} reads secret {scope}/{key} through app resource {name}"))
        else:
            entry = CommentedMap([("name", var), ("value", _literal(value, f"the endpoint variable {var}"))])
            findings.append(Finding("S2A206", f"{var} copied from the endpoint into {settings.file}"))
        if var not in present:  # copied by an earlier run
            env.append(entry)
    _put_trailing_comment(app, trailing)
    declared = {str(e.get("name")) for e in app["resources"] if isinstance(e, dict)}
    for entry in env:
        resource_name = settings.resource_of(entry)
        if resource_name is not None and resource_name not in declared:
            raise MigrationError(
                f"{settings.file} sets {entry.get('name')} from resource {resource_name!r}, which databricks.yml "
                "does not declare",
                f"add the resource to resources.apps.<app>.resources in databricks.yml, or fix the name in "
                f"{settings.file}",
            )
    return BundleUpdate(dump(bundle), None if app_config is None else dump(app_config), findings, versions)
