"""Requirement lines that name a file or a bare URL instead of a package.

pip takes them in requirements.txt; `[project].dependencies` does not (PEP 508 wants a package name). Databricks'
way to serve a private library is a wheel shipped inside the model: logged with `code_paths=[wheel]` and the
requirement `code/<wheel>`, or written by MLflow's `add_libraries_to_model` as `wheels/<wheel>` lines. Such a wheel is
copied into the app's `wheels/` folder and installed from there through `[tool.uv.sources]` (S2A306): installing a
wheel runs none of its code, so the lock stays safe. A bare URL of a wheel or source archive, or a VCS URL with
`#egg=<name>`, becomes the direct reference `name @ url`.

Not handled (S2A307, for review, nothing carried over): a file the model does not hold (`/Volumes/...`, `/dbfs/...`:
nothing of it reaches the app), a shipped source archive or project folder (installing it would build it, running
its code), a URL whose package name cannot be read from it.
"""

from __future__ import annotations

import posixpath
from collections.abc import Collection
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from packaging.requirements import Requirement
from packaging.utils import InvalidSdistFilename, InvalidWheelFilename, parse_sdist_filename, parse_wheel_filename

# Where the app keeps the wheels the model shipped.
WHEELS_DIR = "wheels"
# Where a model holds the wheels its requirements name by another path: MLflow's wheels/ folder, and code/
# (code_paths).
_WHEEL_FOLDERS = ("wheels", "code")


@dataclass(frozen=True)
class ShippedWheel:
    requirement: Requirement  # name==version, read from the file name
    model_file: str  # relative to the model folder
    app_file: str  # relative to the app folder


def names_a_file_or_url(line: str) -> bool:
    """A line that is no PEP 508 requirement but points somewhere (a name alone never holds a slash)."""
    return "/" in line or "\\" in line or line.endswith((".whl", ".tar.gz", ".zip"))


def shipped_wheel(line: str, model_files: Collection[str]) -> ShippedWheel | None:
    """The wheel in the model folder that the line names: by its path from the model's root, or by its file name in
    wheels/ or code/ (a requirement written as the notebook's /Volumes/... path, the wheel shipped beside it)."""
    if "://" in line:
        return None
    name = posixpath.basename(line.replace("\\", "/"))
    try:
        package, version, _, _ = parse_wheel_filename(name)
    except InvalidWheelFilename:
        return None
    relative = posixpath.normpath(line.replace("\\", "/").removeprefix("./"))
    for candidate in (relative, *(f"{folder}/{name}" for folder in _WHEEL_FOLDERS)):
        if candidate in model_files:
            return ShippedWheel(Requirement(f"{package}=={version}"), candidate, f"{WHEELS_DIR}/{name}")
    return None


def named_url(line: str) -> Requirement | None:
    """`name @ url` for a bare URL whose package name can be read: a wheel's or source archive's file name, or a VCS
    URL's #egg= fragment."""
    parts = urlsplit(line)
    if not parts.scheme or not parts.netloc:
        return None
    fragment = dict(p.partition("=")[::2] for p in parts.fragment.split("&") if p)
    if fragment.get("egg"):
        url = urlunsplit(parts._replace(fragment="&".join(f"{k}={v}" for k, v in fragment.items() if k != "egg")))
        return Requirement(f"{fragment['egg']} @ {url}")
    file_name = posixpath.basename(parts.path)
    for parse in (parse_wheel_filename, parse_sdist_filename):
        try:
            return Requirement(f"{parse(file_name)[0]} @ {line}")
        except (InvalidWheelFilename, InvalidSdistFilename):
            continue
    return None
