"""The agent's Python dependencies into the app's pyproject.toml.

The model's requirements.txt (or, without one, the pip section of conda.yaml) is merged into
`[project].dependencies`: the agent's libraries and pins are kept where they agree with what the agent server
needs; a pin that excludes the app's minimum (an old `mlflow==2.x`, say) is raised to it and reported (S2A301);
packages only Model Serving needed are dropped (S2A300); names differing only in case or `-`/`_` are one
package. Direct references (`pkg @ git+https://...`) are kept and hatchling is told to allow them (S2A302). Lines
naming a file or a bare URL are read by `requirement_files` (a wheel the model ships is installed from the app's
wheels/ folder, S2A306).
The app's requirements.txt stays `uv`.

A `-r` of another requirements file the model ships is read in its place; a `-c` of a constraints file it ships
(MLflow saves one beside requirements.txt when the model was logged with `-c`) becomes uv's
`[tool.uv] constraint-dependencies` (S2A309).

Not handled: other pip options in requirements files (`-i`, `--extra-index-url`, `-e`, a `-r`/`-c` of a file the
model does not ship): reported (S2A303), since indexes belong in uv's configuration, not in the project's
dependencies. Credentials in a URL (`https://user:token@`)
are never copied or reported: a direct reference is written without them (S2A305), an option is named with ***.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Collection, Mapping
from pathlib import Path

import tomlkit
import yaml
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from serving2apps.codemod.findings import Finding
from serving2apps.environment_secrets import holds_credential, without_credentials
from serving2apps.errors import MigrationError
from serving2apps.yaml_limits import plain_yaml_problem
from serving2apps.input_shapes import AppPyproject, CondaEnv, PipSection, checked
from serving2apps.model_reader import ModelInfo
from serving2apps.requirement_files import ShippedWheel, named_url, names_a_file_or_url, shipped_wheel

# Only the model server needed these (mlflow itself is merged with the app's own minimum, like any package).
SERVING_ONLY = {"cloudpickle", "mlflow-skinny"}
# The requirements a model had before MLflow's add_libraries_to_model turned them into wheels.
_ORIGINAL = "original_requirements.txt"


def _text(model: ModelInfo, relative: str) -> str:
    try:
        return (model.root / relative).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise MigrationError(f"{model.root / relative} is not UTF-8 text ({exc.reason} at byte {exc.start})",
                             "save it as UTF-8 (pip reads requirements files as UTF-8), or download the model "
                             "again") from None


# pip's options that name another file: requirements, read in place, and constraints.
_INCLUDE = re.compile(r"^(?:-r|--requirement)(?:\s*=\s*|\s+)(\S+)$")
_CONSTRAINTS = re.compile(r"^(?:-c|--constraint)(?:\s*=\s*|\s+)(\S+)$")


def _shipped(model: ModelInfo, including: str, named: str) -> str | None:
    """The model file an option names (pip reads it relative to the file that names it), if the model has it."""
    path = posixpath.normpath(posixpath.join(posixpath.dirname(including), named))
    return path if path in model.files else None


def _lines_with_includes(model: ModelInfo, name: str, seen: set[str]) -> list[str]:
    seen.add(name)
    lines = []
    for line in _text(model, name).splitlines():
        option = _INCLUDE.match(line.strip())
        included = option and _shipped(model, name, option[1])
        if included and included not in seen:  # a file including itself is read once, as pip refuses to loop
            lines += _lines_with_includes(model, included, seen)
        else:
            lines.append(line)
    return lines


def model_constraints(model: ModelInfo, requirements: list[str]) -> dict[str, list[str]]:
    """The constraints files the model's requirement lines (model_requirements) name with `-c` and the model
    ships: name as written → its lines."""
    found = {}
    for line in requirements:
        option = _CONSTRAINTS.match(line.strip())
        shipped = option and _shipped(model, model.requirements or "", option[1])
        if shipped:
            found[option[1]] = _text(model, shipped).splitlines()
    return found


def model_requirements(model: ModelInfo) -> list[str]:
    if model.requirements:
        lines = _lines_with_includes(model, model.requirements, set())
        if _ORIGINAL in model.files and all(line.strip().startswith("wheels/") for line in lines
                                            if line.strip() and not line.lstrip().startswith("#")):
            # MLflow's add_libraries_to_model replaced each line with a wheel of it (to serve without an index) and
            # kept the author's lines: the app installs from its index, and the wheels those lines name.
            return _text(model, _ORIGINAL).splitlines()
        return lines
    if model.conda_env:
        text = _text(model, model.conda_env)
        problem = plain_yaml_problem(text)
        if problem:
            raise MigrationError(f"{model.conda_env} {problem}", "download the model again")
        conda = checked(CondaEnv, yaml.safe_load(text) or {}, str(model.root / model.conda_env))
        for dep in conda.dependencies or []:
            if isinstance(dep, PipSection):
                return list(dep.pip)
    return []


def _minimum(requirement: Requirement) -> Version | None:
    """The highest lower bound the requirement sets, if any."""
    bounds = [Version(s.version) for s in requirement.specifier
              if s.operator in (">=", "==", "~=") and "*" not in s.version]
    return max(bounds, default=None)


def _excludes(requirement: Requirement, minimum: Version) -> bool:
    """True when the requirement admits no version at or above `minimum` (a pin or a ceiling below it)."""
    for spec in requirement.specifier:
        version = Version(spec.version.rstrip(".*")) if spec.version.rstrip(".*") else None
        if version is None:
            continue
        if spec.operator in ("==", "===", "~=", "<=") and version < minimum:
            return True
        if spec.operator == "<" and version <= minimum:
            return True
    return False


def _logical_lines(lines: list[str]) -> list[str]:
    """pip's lines: one ending in a backslash continues on the next (pip-compile writes hashes that way)."""
    joined: list[str] = []
    pending = ""
    for line in lines:
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        joined.append(pending + line)
        pending = ""
    return joined + ([pending] if pending else [])


def _requirement(line: str, model_files: Collection[str], shipped: dict[NormalizedName, ShippedWheel],
                 findings: list[Finding]) -> Requirement | None:
    """The requirement a line stands for; None when it names a file or URL the app cannot install from (S2A307)."""
    try:
        return Requirement(line)
    except InvalidRequirement as exc:
        problem = str(exc)
    wheel = shipped_wheel(line, model_files)
    if wheel is not None:
        shipped[canonicalize_name(wheel.requirement.name)] = wheel
        return wheel.requirement
    requirement = named_url(line)
    if requirement is None and names_a_file_or_url(line):
        findings.append(Finding("S2A307", f"{without_credentials(line)!r} names a file or URL the app cannot install "
                                          "from; it was not carried over"))
    elif requirement is None:
        raise MigrationError(f"the model's requirement {without_credentials(line)!r} is not valid: "
                             f"{without_credentials(problem)}",
                             "fix the model's requirements.txt and download it again")
    return requirement


def merge_requirements(app_pyproject: str, lines: list[str], model_files: Collection[str] = (),
                       constraints: Mapping[str, list[str]] | None = None) -> tuple[str, list[Finding], dict[str, str]]:
    """The app's pyproject.toml with the model's requirement lines merged in, the findings, and the wheels the
    model ships that the app installs (app path → path in the model folder, `model_files`). `constraints` holds
    the lines of the constraints files the model ships, by the name its `-c` lines give them."""
    try:
        document = tomlkit.parse(app_pyproject)
    except tomlkit.exceptions.ParseError as exc:
        raise MigrationError(f"pyproject.toml is not valid TOML: {exc}", "fix pyproject.toml (serving2apps did not change it)") from None
    checked(AppPyproject, document.unwrap(), "pyproject.toml",
            "fix pyproject.toml (serving2apps did not change it): [project] needs a dependencies list")
    dependencies = document["project"]["dependencies"]
    app = {canonicalize_name(Requirement(str(d)).name): i for i, d in enumerate(dependencies)}
    findings: list[Finding] = []
    merged: dict[tuple[NormalizedName, str], Requirement] = {}
    shipped: dict[NormalizedName, ShippedWheel] = {}
    wheels: dict[str, str] = {}
    model_files = frozenset(model_files)  # looked up once per line naming a file
    for raw in _logical_lines(lines):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        option = _CONSTRAINTS.match(line)
        if option and option[1] in (constraints or {}):
            findings += _constrain(document, option[1], constraints[option[1]])
            continue
        if line.startswith("-"):
            findings.append(Finding("S2A303", f"requirements option {without_credentials(line)!r} was not carried over"))
            continue
        line, _, options = line.partition(" --")
        # A requirement's own options: uv.lock records the hashes of what it resolves, so pip-compile's --hash
        # lines are not needed; any other (--config-settings, ...) is named.
        others = [f"--{name}" for name in re.findall(r"(?:^|\s)--(\w[\w-]*)", f"--{options}") if name != "hash"]
        if others:
            findings.append(Finding("S2A303", f"requirements option {' '.join(others)} of {line.strip()} was not "
                                              "carried over"))
        requirement = _requirement(line, model_files, shipped, findings)
        if requirement is None:
            continue
        if requirement.url and holds_credential(requirement.url):
            # The app's files are committed and deployed: the credential stays with the model.
            requirement.url = without_credentials(requirement.url, shown=False)
            findings.append(Finding("S2A305", f"{requirement.name}'s URL carried credentials; pyproject.toml has it "
                                              f"without them ({requirement.url})"))
        name = canonicalize_name(requirement.name)
        if name in SERVING_ONLY:
            findings.append(Finding("S2A300", f"{line} is not needed by the app"))
            continue
        # The same package twice under the same marker: both constraints apply. Under different markers (one
        # version below Python 3.12, another from it) they are alternatives, and stay separate lines.
        key = (name, str(requirement.marker or ""))
        if key in merged:
            previous = merged[key]
            previous.specifier &= requirement.specifier
            previous.extras |= requirement.extras
            continue
        merged[key] = requirement

    for (name, marker), requirement in merged.items():
        if requirement.url:
            document.setdefault("tool", tomlkit.table()).setdefault("hatch", tomlkit.table()) \
                .setdefault("metadata", tomlkit.table())["allow-direct-references"] = True
            findings.append(Finding("S2A302", f"{requirement} is a direct reference"))
        if name in app:
            ours = Requirement(str(dependencies[app[name]]))
            minimum = _minimum(ours)
            if minimum is not None and _excludes(requirement, minimum):
                # The app installs its own version from the index: a wheel the model shipped of an older one is unused.
                findings.append(Finding("S2A301", f"{requirement} raised to {ours} (the agent server needs it)"))
                ours.extras |= requirement.extras
                dependencies[app[name]] = str(ours)
                continue
            if marker:  # a conditional line beside the app's own, not merged into it
                dependencies.append(str(requirement))
            else:
                ours.specifier &= requirement.specifier
                ours.extras |= requirement.extras
                dependencies[app[name]] = str(ours)
        else:
            dependencies.append(str(requirement))
        if name in shipped:
            wheel = shipped[name]
            sources = document.setdefault("tool", tomlkit.table()).setdefault("uv", tomlkit.table()) \
                .setdefault("sources", tomlkit.table())
            sources[name] = tomlkit.inline_table()
            sources[name]["path"] = wheel.app_file
            wheels[wheel.app_file] = wheel.model_file
            findings.append(Finding("S2A306", f"{wheel.model_file} (shipped in the model) is copied to {wheel.app_file} "
                                              f"and installed from there ([tool.uv.sources])"))
    return tomlkit.dumps(document), findings, wheels


def _constrain(document: tomlkit.TOMLDocument, name: str, lines: list[str]) -> list[Finding]:
    """A constraints file's lines added to `[tool.uv] constraint-dependencies`, which uv applies when it resolves
    the app as pip applied `-c` (each only limits a package something else asks for)."""
    findings, kept = [], []
    for raw in _logical_lines(lines):
        line = raw.split(" #", 1)[0].strip().partition(" --")[0].strip()  # uv.lock records hashes of its own
        if not line or line.startswith("#"):
            continue
        try:
            kept.append(str(Requirement(line)))
        except InvalidRequirement:
            findings.append(Finding("S2A303", f"constraint {without_credentials(line)!r} of {name} was not carried "
                                              "over"))
    if kept:
        uv = document.setdefault("tool", tomlkit.table()).setdefault("uv", tomlkit.table())
        present = [str(c) for c in uv.get("constraint-dependencies", [])]
        uv["constraint-dependencies"] = present + [c for c in dict.fromkeys(kept) if c not in present]
        findings.append(Finding("S2A309", f"the constraints of {name} ({len(kept)}) are uv's constraint-dependencies "
                                          "in pyproject.toml"))
    return findings


# The Python Databricks Apps runs an app on: uv picks it for the app's `requires-python = ">=3.11"` unless a
# .python-version file in the app asks for another.
APPS_PYTHON = "3.11"


def python_difference(served: str | None, app_dir: Path) -> list[Finding]:
    """S2A308 when the endpoint ran the model on another Python than the app will run on. Told, not changed: a
    .python-version would have uv download that Python when the app starts, which a workspace without
    outbound access refuses, and agent code rarely depends on the minor version."""
    if served is None or served == APPS_PYTHON or (app_dir / ".python-version").is_file():
        return []
    return [Finding("S2A308", f"the endpoint ran the model on Python {served}; on Databricks Apps the app runs on "
                              f"Python {APPS_PYTHON}")]


# `lock` values: True (asked for: refuse what cannot be locked), False (skip), LOCK_IF_SAFE (the default: lock,
# but skip with a review finding where locking would run the model's code).
LOCK_IF_SAFE = "if-safe"


def lock(pyproject: str, app_name: str, when: bool | str = True, previous: bytes | None = None,
         wheels: Mapping[str, Path] | None = None) -> tuple[bytes | None, list[Finding]]:
    """uv.lock for the app's pyproject.toml, resolved in a scratch folder so a failure writes nothing; None (and
    S2A304) when `when` is LOCK_IF_SAFE and locking would run a package's own code: a direct reference, or a
    package published only as a source distribution (uv builds one to read its metadata, running its setup.py;
    the lock runs with --no-build, so it never does).

    `previous` is the app's uv.lock from the last run: uv keeps every version it pins that still satisfies the
    dependencies, so migrating again moves no package the change does not touch (and, when nothing changed,
    resolves in milliseconds instead of asking the index about ~100 packages). A previous lock uv cannot read is
    ignored: it is a preference, never an input that can fail the run. `wheels` are the wheels the model shipped
    (app path → file), which the lock reads where pyproject.toml's [tool.uv.sources] says."""
    import shutil
    import subprocess
    import tempfile

    if shutil.which("uv") is None:
        raise MigrationError("locking the app's dependencies needs uv, which is not installed",
                             "pip install uv, or pass --no-lock")
    for line in tomlkit.parse(pyproject).get("project", {}).get("dependencies", []):
        requirement = Requirement(str(line))
        if requirement.url:
            # Locking a local path or VCS reference builds it, which runs the package's own setup code.
            return _would_build(when, requirement.name, f"is a direct reference ({requirement.url})")
    with tempfile.TemporaryDirectory(prefix="serving2apps-lock-") as scratch:
        (Path(scratch) / "pyproject.toml").write_text(pyproject)
        (Path(scratch) / "README.md").write_text(f"# {app_name}\n")
        for app_file, source in (wheels or {}).items():
            (Path(scratch) / app_file).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, Path(scratch) / app_file)
        command = ["uv", "lock", "--no-build", "--directory", scratch]
        if previous is not None:
            (Path(scratch) / "uv.lock").write_bytes(previous)
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0 and previous is not None:  # the previous lock may be what uv could not read
            (Path(scratch) / "uv.lock").unlink()
            result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0 and (source_only := _SOURCE_ONLY.search(result.stderr)):
            return _would_build(when, source_only.group(1), "is published only as a source distribution")
        if result.returncode != 0:
            raise MigrationError(
                f"the app's dependencies do not resolve (uv lock):\n{result.stderr.strip()[-2000:]}",
                "adjust the conflicting requirement in the model's requirements.txt (or the app's pyproject.toml) "
                "and run again; offline, pass --no-lock. Nothing was written",
            )
        return (Path(scratch) / "uv.lock").read_bytes(), []


# uv's hint when --no-build meets a package that has no wheel.
_SOURCE_ONLY = re.compile(r"Wheels are required for\s+`([^`]+)`")


def _would_build(when: bool | str, name: str, why: str) -> tuple[None, list[Finding]]:
    """Locking `name` would build it, running its own setup code: skipped with S2A304 when locking was not
    asked for, refused when it was."""
    if when == LOCK_IF_SAFE:
        return None, [Finding("S2A304", f"uv.lock was not written: {name} {why}, and locking it would build it, "
                                        "running the package's own code")]
    raise MigrationError(
        f"cannot lock {name}: it {why}, and locking it would build it, running the package's own code",
        "run migrate with --no-lock (and publish a wheel of the package to an index you trust), or remove it "
        "from the model's requirements",
    )
