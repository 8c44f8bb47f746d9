"""Reads a downloaded MLflow model folder: MLmodel, the agent file, code, artifacts, examples, resources.

Later steps (analysis, codemod, bundle configuration) take the `ModelInfo` this returns and never parse
MLmodel themselves. The reader refuses, with a reason, models the migration cannot handle.

Not handled here: which agent interface the class implements (ResponsesAgent, ChatAgent, ChatModel): the codemod
finds the class.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import yaml

from serving2apps.errors import MigrationError
from serving2apps.input_shapes import MLmodel, PyFuncFlavor, checked, read_json
from serving2apps.yaml_limits import plain_yaml_problem

_SET_MODEL_CALL = re.compile(r"\bset_model\s*\(")
_MAX_MLMODEL_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Resource:
    """One Databricks resource the served agent was granted (MLmodel `resources` or `auth_policy`)."""

    type: str  # the MLmodel key: serving_endpoint, vector_search_index, function, ...
    name: str
    on_behalf_of_user: bool | None = None
    origin: str = "resources"  # or "auth_policy.system_auth_policy"


@dataclass(frozen=True)
class ModelInfo:
    root: Path
    mlmodel: dict
    agent_file: str  # relative to root, POSIX
    code_files: tuple[str, ...]  # everything under code/, relative to root
    artifacts: dict[str, str]  # artifact key → path relative to root
    input_example: str | None
    requirements: str | None
    python_env: str | None
    conda_env: str | None
    model_config: dict | None
    resources: tuple[Resource, ...]
    user_api_scopes: tuple[str, ...]
    task: str | None
    mlflow_version: str | None
    files: tuple[str, ...] = field(default=())  # every file, relative to root


def check_tree_is_contained(root: Path) -> list[str]:
    """Every file below root, relative and POSIX; refuses symlinks that lead outside root."""
    root = root.resolve()
    files = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in [*dirnames, *filenames]:
            path = Path(dirpath) / name
            kind = path.lstat().st_mode
            if not (stat.S_ISREG(kind) or stat.S_ISDIR(kind) or stat.S_ISLNK(kind)):
                # A FIFO would hang the copy, a device would be copied until the disk is full.
                raise MigrationError(
                    f"{path.relative_to(root)} in the model folder is not a regular file (a pipe, socket or device)",
                    "remove it from the model folder; a model holds only files and folders",
                )
            if path.is_symlink():
                target = path.resolve()
                if target != root and root not in target.parents:
                    raise MigrationError(
                        f"{path.relative_to(root)} in the model folder is a symlink to {os.readlink(path)}, "
                        "outside the model folder",
                        "remove the link or replace it with the file itself, then try again",
                    )
        files.extend((Path(dirpath) / n).relative_to(root).as_posix() for n in filenames)
    return sorted(files)


def _inside(root: Path, relative: str, what: str) -> str:
    """A path from MLmodel, checked to stay inside the model folder."""
    pure = PurePosixPath(relative)
    if pure.is_absolute() or ".." in pure.parts:
        raise MigrationError(
            f"MLmodel names {what} at {relative!r}, which is outside the model folder",
            "this MLmodel was not written by mlflow or was tampered with; download the model again",
        )
    return pure.as_posix()


def _load_mlmodel(root: Path) -> dict:
    path = root / "MLmodel"
    if not path.is_file():
        raise MigrationError(
            f"{root} has no MLmodel file, so it is not an MLflow model folder",
            "point at the folder that holds MLmodel (serving2apps download writes one)",
        )
    if path.stat().st_size > _MAX_MLMODEL_BYTES:
        raise MigrationError(f"{path} is larger than {_MAX_MLMODEL_BYTES} bytes; an MLmodel file is a few KB",
                             "download the model again; if it is really this large, move data out of its metadata")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise MigrationError(f"{path} is not valid YAML: {exc}", "download the model again") from None
    problem = plain_yaml_problem(text)
    if problem:
        raise MigrationError(f"{path} {problem}", "download the model again")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise MigrationError(f"{path} does not hold a YAML mapping", "download the model again")
    checked(MLmodel, data, str(path))
    return data


def _resources(section: object, origin: str) -> list[Resource]:
    if not section:
        return []
    if not isinstance(section, dict) or not isinstance(section.get("databricks", {}), dict) \
            or str(section.get("api_version", "1")) != "1":
        raise MigrationError(f"MLmodel {origin} is not in mlflow's resources format (api_version 1)",
                             "download the model again; if it was logged with a newer mlflow, upgrade serving2apps")
    found = []
    for rtype, entries in sorted((section.get("databricks") or {}).items()):
        for entry in entries or []:
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                raise MigrationError(f"MLmodel {origin}: a {rtype} entry has no name: {entry!r}",
                                     "download the model again, or log it with resources that name what they use")
            found.append(Resource(rtype, entry["name"], entry.get("on_behalf_of_user"), origin))
    return found


def granted_access(mlmodel: dict) -> tuple[tuple[Resource, ...], tuple[str, ...]]:
    """The resources the model was logged with (MLmodel `resources` and the auth policy's system resources) and the
    API scopes it asked its users for (the auth policy's user policy)."""
    auth_policy = mlmodel.get("auth_policy") or {}
    system = (auth_policy.get("system_auth_policy") or {}) if isinstance(auth_policy, dict) else {}
    user = (auth_policy.get("user_auth_policy") or {}) if isinstance(auth_policy, dict) else {}
    resources = _resources(mlmodel.get("resources"), "resources") + _resources(
        system.get("resources"), "auth_policy.system_auth_policy"
    )
    return tuple(resources), tuple(user.get("api_scopes") or ())


def distinct(resources):
    """The resources in order, each (type, name, on behalf of the user) once: a model may list one twice, in
    `resources` and in the auth policy."""
    seen = set()
    for resource in resources:
        key = (resource.type, resource.name, resource.on_behalf_of_user)
        if key not in seen:
            seen.add(key)
            yield resource


def _find_agent_file(root: Path, flavor: dict, files: list[str]) -> str:
    """Where mlflow's loader finds the agent: <root>/<basename>, then code/<basename>, then set_model()."""
    code_path = flavor.get("model_code_path")
    if code_path:
        basename = PurePosixPath(str(code_path).replace("\\", "/")).name
        for candidate in (basename, f"code/{basename}"):
            if candidate in files:
                return candidate
    callers = [f for f in files if f.endswith(".py") and _calls_set_model(root / f)]
    if len(callers) == 1:
        return callers[0]
    if len(callers) > 1:
        raise MigrationError(
            f"several files call set_model(): {', '.join(callers)}; cannot tell which is the agent",
            "pass the agent file explicitly (a later version adds --agent-file)",
        )
    raise MigrationError(
        f"no agent file in {root}: MLmodel's model_code_path is {code_path!r} and no file calls set_model()",
        "the model must be logged from code (mlflow.pyfunc.log_model(python_model='agent.py', ...))",
    )


def _calls_set_model(path: Path) -> bool:
    try:
        return bool(_SET_MODEL_CALL.search(path.read_text(encoding="utf-8", errors="replace")))
    except OSError:
        return False


def read_model(root: Path) -> ModelInfo:
    root = Path(root)
    if not root.is_dir():
        raise MigrationError(f"{root} is not a folder", "pass the folder that holds the model's MLmodel file")
    files = check_tree_is_contained(root)
    mlmodel = _load_mlmodel(root)
    flavors = mlmodel.get("flavors") or {}
    flavor = flavors.get("python_function")
    if not isinstance(flavor, dict):
        raise MigrationError(
            f"the model in {root} has no python_function flavor (flavors: {', '.join(flavors) or 'none'})",
            "only pyfunc agents (mlflow.pyfunc ResponsesAgent, ChatAgent or ChatModel) can be migrated to the agent server",
        )
    checked(PyFuncFlavor, flavor, f"{root / 'MLmodel'} flavors.python_function")
    metadata = mlmodel.get("metadata") or {}
    if not flavor.get("model_code_path") and flavor.get("python_model"):
        raise MigrationError(
            f"the model is a pickled Python model ({flavor['python_model']}) with no source code",
            "log the agent from code (python_model='agent.py') so its source can be migrated",
        )
    agent_file = _find_agent_file(root, flavor, files)

    artifacts = {}
    for key, spec in (flavor.get("artifacts") or {}).items():
        relative = _inside(root, str(spec.get("path", "")), f"artifact {key!r}")
        if relative not in files and not any(f.startswith(relative.rstrip("/") + "/") for f in files):
            # Model Serving would have failed to load it too; the app would fail at import.
            raise MigrationError(f"MLmodel names artifact {key!r} at {relative}, which is not in the model folder",
                                 "download the model again (the download was incomplete or the folder was edited)")
        artifacts[key] = relative

    resources, user_api_scopes = granted_access(mlmodel)

    def optional(name: str) -> str | None:
        return name if name in files else None

    input_example = optional("input_example.json")
    if input_example:
        read_json(root / input_example, "delete input_example.json from the model folder (verify then sends a built "
                                        "request), or download the model again")

    return ModelInfo(
        root=root,
        mlmodel=mlmodel,
        agent_file=agent_file,
        code_files=tuple(f for f in files if f.startswith("code/")),
        artifacts=artifacts,
        input_example=input_example,
        requirements=optional("requirements.txt"),
        python_env=optional("python_env.yaml"),
        conda_env=optional("conda.yaml"),
        model_config=flavor.get("config") if isinstance(flavor.get("config"), dict) else None,
        resources=resources,
        user_api_scopes=user_api_scopes,
        task=metadata.get("task") if isinstance(metadata, dict) else None,
        mlflow_version=mlmodel.get("mlflow_version"),
        files=tuple(files),
    )


def refuse_inside_model_dir(model_dir: Path, target: Path, what: str) -> None:
    """The model folder is copied whole: a target inside it would be copied into itself, again and again."""
    model_dir, target = Path(model_dir).resolve(), Path(target).resolve()
    if target == model_dir or model_dir in target.parents:
        raise MigrationError(f"{what} {target} is inside the model folder {model_dir}, which is copied whole",
                             f"choose a {what} outside {model_dir}")
