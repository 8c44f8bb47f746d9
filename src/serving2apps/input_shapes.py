"""The shapes of the files serving2apps reads, from a model folder and from the app, declared once.

Every input is checked against its model before any of it is used, so a wrong type (a string where a list
belongs, a list where a mapping belongs) is refused with the file and the key, never turned into something
else (a string iterated into one-letter packages) or into a traceback. Only the keys serving2apps reads are
declared; anything else in the files is allowed and ignored.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, RootModel, ValidationError

from serving2apps.errors import MigrationError, first_line


class _Shape(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


class ArtifactSpec(_Shape):
    path: str


class PyFuncFlavor(_Shape):
    model_code_path: str | None = None
    python_model: str | None = None
    artifacts: dict[str, ArtifactSpec] | None = None
    config: dict[str, Any] | None = None


class ResourceEntry(_Shape):
    name: str
    on_behalf_of_user: bool | None = None


class ResourcesSection(_Shape):
    api_version: str | int = "1"
    databricks: dict[str, list[ResourceEntry] | None] | None = None


class SystemAuthPolicy(_Shape):
    resources: ResourcesSection | None = None


class UserAuthPolicy(_Shape):
    api_scopes: list[str] | None = None


class AuthPolicy(_Shape):
    system_auth_policy: SystemAuthPolicy | None = None
    user_auth_policy: UserAuthPolicy | None = None


class MLmodel(_Shape):
    flavors: dict[str, dict[str, Any]]
    metadata: dict[str, Any] | None = None
    resources: ResourcesSection | None = None
    auth_policy: AuthPolicy | None = None
    mlflow_version: str | None = None


class ProvenanceSource(_Shape):
    environment_vars: dict[str, str] | None = None
    workload_size: str | None = None
    workload_type: str | None = None
    scale_to_zero_enabled: bool | None = None
    min_provisioned_concurrency: int | None = None
    max_provisioned_concurrency: int | None = None
    gateway: list[str] | None = None  # what the endpoint's AI Gateway did (endpoint.gateway_features)


class Provenance(_Shape):
    source: ProvenanceSource | None = None


class PipSection(_Shape):
    pip: list[str]


class CondaEnv(_Shape):
    dependencies: list[str | PipSection] | None = None


class PythonEnv(_Shape):
    python: str | None = None


# The app's own files, as the scaffold writes them and migrate edits them.


class PyprojectProject(_Shape):
    dependencies: list[str]


class AppPyproject(_Shape):
    project: PyprojectProject


class EnvEntry(_Shape):
    name: str


class AppConfig(_Shape):
    """The app's command and env: databricks.yml's resources.apps.<app>.config, or app.yaml in a v1 app."""

    command: list[str] | None = None
    env: list[EnvEntry] | None = None


class RecordedAnswers(_Shape):
    """.serving2apps/answers.json: the template's answers."""

    app_name: str | None = None
    endpoint_name: str | None = None
    profile: str | None = None
    async_mode: str | None = None


class WrittenRecord(RootModel[dict[str, str]]):
    """.serving2apps/written.json: path → sha256 of what migrate wrote."""

    model_config = ConfigDict(strict=True)


def read_json(path: Path, fix: str, shape: type[BaseModel] | None = None) -> Any:
    """The JSON document in `path`, checked against `shape` when one is given; a MigrationError naming the file
    (and the key) when it is not JSON or not of that shape."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise MigrationError(f"{path} is not valid JSON: {first_line(exc)}", fix) from None
    if shape is not None:
        checked(shape, data, str(path), fix)
    return data


def checked(shape: type[BaseModel], data: object, file: str, fix: str = "download the model again") -> Any:
    """`data` as `shape`, or a MigrationError naming the file, the key and what was expected."""
    try:
        return shape.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"]) or "the top level"
        raise MigrationError(f"{file}: {where}: {error['msg'].lower()} (found {type(error['input']).__name__})",
                             fix) from None
