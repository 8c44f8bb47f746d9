"""The Python environment verify runs the original model in: the model's own, as Model Serving built it.

Model Serving installed the model's requirements.txt on the Python of its python_env.yaml (or conda.yaml); verify
does the same with uv, so the original answers with the package versions it was served with, not the app's:
- when the app's own environment already satisfies every requirement (and has the same Python minor version), it
  is that environment: nothing to build, and the answers cannot differ by version;
- otherwise a virtual environment is built with `uv venv` + `uv pip install -r requirements.txt` (run in the model
  folder, so a requirement naming a wheel under code/ resolves), cached under the user's cache folder by a hash of
  the Python version, the requirements and any local files they name, and reused on the next run. A build goes to
  a private folder and is renamed into place when complete, so an interrupted or concurrent build never leaves a
  half-made environment in the cache.
When no environment can be built (a package only a private index has, a Python uv cannot get), verify runs the
original with the app's environment and says why (OriginalEnvironment.fallback).

MLflow itself is added when the requirements do not name it (MLflow's own environment builder does the same).

Not handled: the uv.lock that newer MLflow versions copy into a model logged from a uv project (requirements.txt
is what the model's environment is built from); conda-only dependencies (non-pip packages of conda.yaml); pip options in requirements.txt (`-i`,
`--extra-index-url`) are passed to uv as they are, so an index that needs credentials must be configured for uv.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml
from packaging.utils import canonicalize_name

from serving2apps import installed_requirements
from serving2apps.dependencies import model_requirements
from serving2apps.environment_secrets import without_credentials
from serving2apps.errors import MigrationError
from serving2apps.input_shapes import CondaEnv, PythonEnv, checked
from serving2apps.model_reader import ModelInfo
from serving2apps.yaml_limits import plain_yaml_problem

BUILD_TIMEOUT = 900  # seconds: a cold uv cache downloads an agent's whole stack once


@dataclass(frozen=True)
class OriginalEnvironment:
    python: list[str]  # the command that runs the original's Python
    description: str  # for the log: which environment, and why
    fallback: str | None = None  # why the model's own environment could not be used, when it could not


def cache_root() -> Path:
    if os.environ.get("SERVING2APPS_CACHE_DIR"):
        return Path(os.environ["SERVING2APPS_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "serving2apps"


def python_version(model: ModelInfo) -> str | None:
    """The Python minor version ("3.11") the model was served with, from python_env.yaml, else conda.yaml."""
    for relative, shape in ((model.python_env, PythonEnv), (model.conda_env, CondaEnv)):
        if not relative:
            continue
        text = (model.root / relative).read_text(encoding="utf-8", errors="replace")
        problem = plain_yaml_problem(text)
        if problem:
            raise MigrationError(f"{relative} {problem}", "download the model again")
        data = checked(shape, yaml.safe_load(text) or {}, str(model.root / relative))
        if shape is PythonEnv:
            found = data.python
        else:
            found = next((dep.split("=", 1)[1].lstrip("=") for dep in data.dependencies or []
                          if isinstance(dep, str) and dep.replace(" ", "").startswith("python=")), None)
        if found:
            return ".".join(found.strip().split(".")[:2])
    return None


def _plain(lines: list[str]) -> list[str] | None:
    """The requirement lines, or None when one is more than a name and a version (an option, a path, a URL): the
    app's environment cannot be shown to satisfy those."""
    wanted = [line.split(" #", 1)[0].strip() for line in lines]
    wanted = [line for line in wanted if line and not line.startswith("#")]
    if any(line.startswith("-") or "@" in line or "/" in line or line.endswith(".whl") for line in wanted):
        return None
    return wanted


def _satisfied_by(python: list[str], lines: list[str], version: str | None) -> str | None:
    """None when the app's Python satisfies the requirements, else the first reason it does not."""
    wanted = _plain(lines)
    if wanted is None:
        return "the model's requirements name files, URLs or pip options"
    # Its source, not its path: a script's folder goes first on sys.path, where this package's modules would be.
    script = Path(installed_requirements.__file__).read_text()
    run = subprocess.run([*python, "-c", script, json.dumps([wanted, version])], capture_output=True, text=True,
                         timeout=300)
    if run.returncode != 0:
        return "the app's environment could not be checked: " + (run.stderr.strip().splitlines() or ["?"])[-1]
    return json.loads(run.stdout.strip().splitlines()[-1])


def _key(model: ModelInfo, lines: list[str], version: str | None) -> str:
    digest = hashlib.sha256(json.dumps([version, lines]).encode())
    for line in lines:  # a requirement naming a local file (a wheel under code/) changes with that file
        path = model.root / line.strip()
        if line.strip() and path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def _interpreter(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


def _with_mlflow(model: ModelInfo, lines: list[str]) -> list[str]:
    """The requirements plus MLflow itself when they do not name it, as MLflow's own environment builder adds it
    (a model that lists only mlflow-skinny, or nothing of MLflow, was still served by MLflow)."""
    names = {canonicalize_name(re.split(r"[\s\[<>=!~;@]", line.strip(), maxsplit=1)[0]) for line in lines
             if line.strip() and not line.lstrip().startswith(("#", "-"))}
    if "mlflow" in names:
        return lines
    return [*lines, f"mlflow=={model.mlflow_version}" if model.mlflow_version else "mlflow"]


def _build(model: ModelInfo, version: str | None, lines: list[str], target: Path, log) -> None:
    """Build the environment in a private folder beside `target`, then rename it into place."""
    uv = shutil.which("uv")
    if uv is None:
        raise MigrationError("uv is not installed", "install uv (pip install uv)")
    building = target.with_name(f".{target.name}-{os.getpid()}")
    shutil.rmtree(building, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT")}
    requirements = model.root / (model.requirements or "requirements.txt")
    log(f"Building the original model's environment (Python {version or 'of the app'}, "
        f"{requirements.name}) in {target} ...")
    steps = [[uv, "venv", "--quiet", "--no-project", "--relocatable", "--python",
              version or "%d.%d" % sys.version_info[:2], str(building)]]
    # requirements.txt itself, so its pip options and relative paths mean what they meant to pip; what it lacks
    # (MLflow, or everything when the requirements are in conda.yaml) is named on the command line.
    listed = model_requirements(model) if model.requirements else []
    install = ["-r", str(requirements)] if model.requirements else []
    install += [line.strip() for line in lines[len(listed):] if line.strip()]
    steps.append([uv, "pip", "install", "--quiet", "--python", str(_interpreter(building)), *install])
    try:
        for step in steps:
            run = subprocess.run(step, cwd=model.root, env=env, capture_output=True, text=True,
                                 timeout=BUILD_TIMEOUT)
            if run.returncode != 0:
                detail = [line for line in run.stderr.strip().splitlines() if line.strip()]
                raise MigrationError(f"`uv {step[1]}` failed: " + without_credentials(" / ".join(detail[:3]))[:600])
        try:
            building.rename(target)
        except OSError:  # another run built the same environment first: keep theirs
            if not _interpreter(target).exists():
                raise
    except subprocess.TimeoutExpired:
        raise MigrationError(f"building the environment took longer than {BUILD_TIMEOUT} s") from None
    finally:
        shutil.rmtree(building, ignore_errors=True)


def original_environment(model: ModelInfo, app_python: list[str], log=print) -> OriginalEnvironment:
    """The Python to run the original model with: its own environment when it can be had, else the app's."""
    try:
        version = python_version(model)
        lines = _with_mlflow(model, model_requirements(model))
        unmet = _satisfied_by(app_python, lines, version)
        if unmet is None:
            return OriginalEnvironment(app_python, "the app's environment, which satisfies the model's requirements")
        target = cache_root() / "original-envs" / _key(model, lines, version)
        if not _interpreter(target).exists():
            log(f"The model's requirements differ from the app's environment ({unmet}).")
            target.parent.mkdir(parents=True, exist_ok=True)
            _build(model, version, lines, target, log)
        return OriginalEnvironment([str(_interpreter(target))], f"its own environment, {target}")
    except (MigrationError, OSError, subprocess.TimeoutExpired) as exc:
        reason = exc.problem if isinstance(exc, MigrationError) else str(exc)
        return OriginalEnvironment(app_python, "the app's environment", fallback=reason)
