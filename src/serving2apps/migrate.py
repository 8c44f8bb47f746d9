"""Post-generation, first half: migrate the downloaded agent into a rendered app scaffold.

Reads the model, rewrites the agent file (codemod), copies code/ modules and artifacts under agent_server/
with their imports fixed, and writes the report. Every output is computed before anything is written, and a
dry run shows the diffs instead. The model folder is never changed.
"""

from __future__ import annotations

import difflib
import fcntl
import hashlib
import json
import os
import shlex
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath

import yaml
from pydantic import BaseModel

from serving2apps.bundle_config import check_cli_version, update_bundle
from serving2apps.bundle_yaml import APP_YAML, is_v1
from serving2apps.codemod.agent_file import MODES, migrate_agent_source, refuse_oversized
from serving2apps.codemod.app_runtime import code_module_for_the_app
from serving2apps.codemod.findings import Finding
from serving2apps.codemod.imports import rewrite_code_imports
from serving2apps.codemod.to_async import per_thread_state_in
from serving2apps.dependencies import lock as lock_dependencies
from serving2apps.dependencies import merge_requirements, model_constraints, model_requirements, python_difference
from serving2apps.requirement_files import WHEELS_DIR
from serving2apps.errors import EXIT_OK, EXIT_REVIEW, MigrationError
from serving2apps.input_shapes import RecordedAnswers, WrittenRecord, read_json
from serving2apps.model_reader import ModelInfo, read_model, refuse_inside_model_dir
from serving2apps.original_env import python_version
from serving2apps.provenance import read_provenance
from serving2apps.request_format import app_request
from serving2apps.scaffold_helpers import UPDATE_SCAFFOLD, helper_requirements
from serving2apps.scaffold_upgrade import STASH, upgrade
from serving2apps.report import REPORT_JSON, REPORT_MD, render_json, render_markdown
from serving2apps.sizing import per_process_state
from serving2apps.template_schema import TemplateSchema
from serving2apps.template_source import template_root

AGENT_DIR = "agent_server"
# Files the scaffold owns in agent_server/; model modules with these names are copied under another name.
SCAFFOLD_MODULES = {"__init__", "agent", "start_server", "utils", "evaluate_agent", "adapters", "chat_interface",
                    "http_clients", "worker_processes"}
# What migrate wrote last time (path → sha256), so a re-run can tell the user's edits from its own output.
WRITTEN = ".serving2apps/written.json"
COPIER_ANSWERS = ".copier-answers.yml"
# Files migrate merges into (round-trip), keeping the user's edits: never a conflict.
MERGED = {"databricks.yml", APP_YAML, "pyproject.toml"}


_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class CopiedFile:
    """A model file copied as it is (an artifact, a data file under code/): streamed in chunks when compared,
    hashed or written, never held whole, so memory stays flat whatever the artifacts weigh."""

    path: Path

    def chunks(self) -> Iterator[bytes]:
        with self.path.open("rb") as f:
            while chunk := f.read(_CHUNK):
                yield chunk

    @cached_property
    def sha256(self) -> str:
        digest = hashlib.sha256()
        for chunk in self.chunks():
            digest.update(chunk)
        return digest.hexdigest()


Content = bytes | CopiedFile


def _sha256(content: Content | Path) -> str:
    if isinstance(content, bytes):
        return hashlib.sha256(content).hexdigest()
    return (content if isinstance(content, CopiedFile) else CopiedFile(content)).sha256


def _size(content: Content) -> int:
    return len(content) if isinstance(content, bytes) else content.path.stat().st_size


def _holds(target: Path, content: Content) -> bool:
    """The file at `target` has exactly this content (sizes first, so a changed artifact is rarely read)."""
    if not target.is_file() or target.stat().st_size != _size(content):
        return False
    if isinstance(content, bytes):
        return target.read_bytes() == content
    return _sha256(target) == _sha256(content)


@dataclass
class MigrationPlan:
    files: dict[str, Content] = field(default_factory=dict)  # path relative to the app → content
    removed: set[str] = field(default_factory=set)  # paths the migration deletes (a v1 app's app.yaml)
    findings: list[Finding] = field(default_factory=list)
    strategy: str = ""
    summary: dict = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return EXIT_REVIEW if any(f.kind == "review" for f in self.findings) else EXIT_OK

    def add_report(self) -> None:
        self.files[REPORT_JSON] = render_json(self.findings, self.summary).encode()
        self.files[REPORT_MD] = render_markdown(self.findings, self.summary).encode()
        owned = {path: _sha256(data) for path, data in self.files.items() if path not in MERGED | {WRITTEN}}
        self.files[WRITTEN] = (json.dumps(owned, indent=2, sort_keys=True) + "\n").encode()

    def text(self, relative: str) -> str:
        """A file the plan generated (the report, a rewritten module)."""
        content = self.files[relative]
        assert isinstance(content, bytes), relative
        return content.decode()


def user_edits(plan: MigrationPlan, app_dir: Path) -> list[str]:
    """Files the plan would replace that the user changed since migrate (or the template) wrote them."""
    written = _recorded_json(app_dir / WRITTEN, WrittenRecord,
                             f"delete {WRITTEN} and run migrate with --force (the record is rebuilt)")
    placeholder = template_root() / "template" / "{{.app_name}}" / AGENT_DIR / "agent.py"
    edited = []
    for relative, data in sorted(plan.files.items()):
        target = app_dir / relative
        if relative in MERGED or relative == WRITTEN or not target.is_file() or _holds(target, data):
            continue
        if relative in written:
            if _sha256(target) != written[relative]:
                edited.append(relative)
        elif not (relative == f"{AGENT_DIR}/agent.py" and target.read_bytes() == placeholder.read_bytes()):
            edited.append(relative)
    return edited


def check_app_dir(app_dir: Path) -> None:
    missing = [p for p in (f"{AGENT_DIR}/start_server.py", f"{AGENT_DIR}/adapters.py", "databricks.yml")
               if not (app_dir / p).is_file()]
    if missing:
        raise MigrationError(
            f"{app_dir} is not an app made by the serving2apps template (missing {', '.join(missing)})",
            "render the scaffold first (databricks bundle init or copier copy), then run migrate inside it",
        )


def _module_mapping(model: ModelInfo) -> dict[str, str]:
    """Top-level names under code/ → their dotted path in the app."""
    roots = sorted({PurePosixPath(f).parts[1] for f in model.code_files if f != model.agent_file})
    mapping = {}
    for root in roots:
        name = root[:-3] if root.endswith(".py") else root
        if not name.isidentifier():
            continue
        target = f"model_{name}" if name in SCAFFOLD_MODULES else name
        mapping[name] = f"{AGENT_DIR}.{target}"
    return mapping


def _destination(code_file: str, mapping: dict[str, str]) -> str:
    parts = list(PurePosixPath(code_file).parts[1:])
    stem = parts[0][:-3] if parts[0].endswith(".py") else parts[0]
    if stem in mapping:
        new = mapping[stem].split(".")[-1]
        parts[0] = new + (".py" if parts[0].endswith(".py") else "")
    return "/".join([AGENT_DIR, *parts])


def plan_migration(model: ModelInfo, app_dir: Path, mode: str = "async") -> MigrationPlan:
    """Every file of the migrated app, computed, nothing written; uv.lock is added by `add_lock`."""
    if mode not in MODES:
        raise MigrationError(f"unknown mode {mode!r}", f"use --mode {' or --mode '.join(MODES)}")
    plan = MigrationPlan()
    mapping = _module_mapping(model)
    for name, dotted in mapping.items():
        if not dotted.endswith(f".{name}"):
            plan.findings.append(Finding("S2A152", f"code/{name} is copied as {dotted.replace('.', '/')}"))
    package_dirs = set()
    code_sources: dict[str, str] = {}  # the agent's own modules as copied, read for what they need of the app
    for code_file in model.code_files:
        if code_file == model.agent_file:
            continue
        target = _destination(code_file, mapping)
        if code_file.endswith(".py"):
            text, findings = rewrite_code_imports(_decode((model.root / code_file).read_bytes(), code_file), mapping,
                                                  target)
            text, runtime_findings = code_module_for_the_app(text, target)
            code_sources[target] = text
            plan.files[target] = text.encode()
            plan.findings += findings + runtime_findings
        else:
            plan.files[target] = CopiedFile(model.root / code_file)
        package_dirs.update(str(p) for p in PurePosixPath(target).parents if str(p).startswith(f"{AGENT_DIR}/"))
    for package in sorted(package_dirs):
        plan.files.setdefault(f"{package}/__init__.py", b"")
    if mapping:
        plan.findings.append(Finding("S2A150", f"copied {', '.join(sorted(mapping))} from code/ into {AGENT_DIR}/"))

    # Artifacts keep their paths, now relative to agent.py instead of the model root.
    artifacts = dict(model.artifacts)
    for path in model.files:
        if path.startswith("artifacts/"):
            plan.files[f"{AGENT_DIR}/{path}"] = CopiedFile(model.root / path)

    config_file = None
    if model.model_config is not None:
        config_file = "model_config.yaml"
        plan.files[f"{AGENT_DIR}/{config_file}"] = yaml.safe_dump(model.model_config, sort_keys=False).encode()

    source = _decode((model.root / model.agent_file).read_bytes(), model.agent_file)
    refuse_oversized(source, model.agent_file)
    source, findings = rewrite_code_imports(source, mapping, f"{AGENT_DIR}/agent.py")
    plan.findings += findings
    # On the event loop, a module of the agent's own that keeps per-thread state would share it between requests.
    per_thread = next((f"{found} in {target}" for target, text in code_sources.items()
                       if (found := per_thread_state_in(text))), None) if mode == "async" else None
    result = migrate_agent_source(source, f"{AGENT_DIR}/agent.py", artifacts, config_file, mode, per_thread)
    plan.files[f"{AGENT_DIR}/agent.py"] = result.code.encode()
    plan.findings += result.findings
    plan.strategy = result.strategy
    if result.interface != "ResponsesAgent" and not (app_dir / AGENT_DIR / "chat_interface.py").is_file():
        raise MigrationError(
            f"the agent is a {result.interface}, and this app's scaffold has no chat conversion layer "
            f"({AGENT_DIR}/chat_interface.py, template 2.1.0 and later)", UPDATE_SCAFFOLD)
    # The agent file and its own modules alike: a module of code/ may use a helper too (S2A133).
    helpers = helper_requirements([result.code, *code_sources.values()], app_dir, AGENT_DIR,
                                  SCAFFOLD_MODULES - {"agent"})
    if model.input_example:
        # The app's scripts (preflight, agent-evaluate, deploy's smoke test) send it to /invocations, in Responses form.
        example = model.root / model.input_example
        written = json.loads(example.read_text())
        request = app_request(written)
        if request is None:
            plan.findings.append(Finding("S2A141", f"the model's {model.input_example} is not a request the app "
                                                   "answers; it was not copied"))
        else:
            plan.files["input_example.json"] = CopiedFile(example) if request == written else \
                (json.dumps(request, indent=2) + "\n").encode()

    provenance = read_provenance(model.root) or {}
    databricks_yml, app_yaml = _scaffold_settings(plan, app_dir)
    update = update_bundle(
        databricks_yml,
        app_yaml,
        model,
        (provenance.get("source") or {}).get("environment_vars") or {},
        "\n".join([result.code, *code_sources.values()]),
        provenance.get("source") or {},
        per_process_state(source, result.findings),
    )
    check_cli_version(TemplateSchema.load(template_root()).raw["min_databricks_cli_version"], update.cli_versions)
    requirements = model_requirements(model)
    pyproject, dependency_findings, wheels = merge_requirements((app_dir / "pyproject.toml").read_text(),
                                                                requirements + helpers, model.files,
                                                                model_constraints(model, requirements))
    plan.files["pyproject.toml"] = pyproject.encode()
    plan.findings += python_difference(python_version(model), app_dir)
    for app_file, model_file in wheels.items():
        plan.files[app_file] = CopiedFile(model.root / model_file)
        if model_file in model.code_files:  # installed from wheels/, not carried inside the agent's package too
            del plan.files[_destination(model_file, mapping)]
    plan.findings += dependency_findings
    plan.files["databricks.yml"] = update.databricks_yml.encode()
    if update.app_yaml is not None:
        plan.files[APP_YAML] = update.app_yaml.encode()
    plan.findings += update.findings

    origin = provenance.get("source") or {}
    plan.summary = {"agent_file": model.agent_file, "source": model.root.name, "mode": mode,
                    "strategy": plan.strategy, "interface": result.interface, "app_name": app_dir.name,
                    **{key: origin[key] for key in ("endpoint", "host") if origin.get(key)}, "files": sorted(plan.files),
                    **({"removed": sorted(plan.removed)} if plan.removed else {})}
    plan.add_report()
    return plan


def _scaffold_settings(plan: MigrationPlan, app_dir: Path) -> tuple[str, str | None]:
    """databricks.yml, and app.yaml when the app keeps its settings there (v1). A v1 app made by bundle init is
    upgraded to v2 on the way (app.yaml's settings move into databricks.yml, the file is removed); one made by
    copier is left to `copier update`, which upgrades it with the template's own migration."""
    databricks_yml = (app_dir / "databricks.yml").read_text()
    app_yaml_path = app_dir / APP_YAML
    app_yaml = app_yaml_path.read_text() if app_yaml_path.is_file() else None
    if not is_v1(databricks_yml, app_yaml):
        return databricks_yml, None
    assert app_yaml is not None
    if (app_dir / COPIER_ANSWERS).is_file():
        plan.findings.append(Finding("S2A310", f"{APP_YAML} holds the app's settings"))
        return databricks_yml, app_yaml
    databricks_yml, moved = upgrade(databricks_yml, app_yaml)
    plan.removed.add(APP_YAML)
    plan.findings.append(Finding("S2A311", f"moved from {APP_YAML}: {', '.join(moved) or 'the template defaults'}"))
    return databricks_yml, None


def add_lock(plan: MigrationPlan, app_dir: Path, lock: bool | str) -> None:
    """uv.lock for the planned pyproject.toml (`lock`: see dependencies.lock). Separate from the plan because it
    takes seconds and the package index: the cheap refusals (a user's edits) come first."""
    previous = app_dir / "uv.lock"
    wheels = {name: data.path for name, data in plan.files.items()
              if name.startswith(f"{WHEELS_DIR}/") and isinstance(data, CopiedFile)}
    locked, findings = lock_dependencies(plan.text("pyproject.toml"), app_dir.name, lock,
                                         previous.read_bytes() if previous.is_file() else None, wheels)
    plan.findings += findings
    if locked is not None:
        plan.files["uv.lock"] = locked
        plan.summary["files"] = sorted({*plan.summary["files"], "uv.lock"})
    plan.add_report()


# An agent file this large is generated code or data, and libcst would take minutes on it.
_MAX_AGENT_BYTES = 2 * 1024 * 1024


def _decode(data: bytes, name: str) -> str:
    if len(data) > _MAX_AGENT_BYTES:
        raise MigrationError(
            f"{name} is {len(data) / 1024 / 1024:.1f} MB; serving2apps migrates agent files up to "
            f"{_MAX_AGENT_BYTES // 1024 // 1024} MB",
            "move data out of the agent file (into artifacts or a code/ module read at run time) and log the model again",
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MigrationError(f"{name} is not UTF-8 text ({exc})", "save the file as UTF-8 and log the model again") from None


def diff(plan: MigrationPlan, app_dir: Path) -> str:
    chunks = []
    for relative, data in sorted(plan.files.items()):
        current = app_dir / relative
        if _holds(current, data):
            continue
        if isinstance(data, CopiedFile):
            chunks.append(f"File {relative} {'replaced' if current.is_file() else 'copied'} from the model "
                          f"({_size(data)} bytes)\n")
            continue
        old = current.read_bytes() if current.is_file() else b""
        try:
            old_lines, new_lines = old.decode().splitlines(True), data.decode().splitlines(True)
        except UnicodeDecodeError:
            chunks.append(f"Binary file {relative} {'changed' if old else 'created'}\n")
            continue
        chunks.append("".join(difflib.unified_diff(old_lines, new_lines, f"a/{relative}", f"b/{relative}")))
    chunks += [f"File {relative} removed\n" for relative in sorted(plan.removed) if (app_dir / relative).exists()]
    return "".join(chunks)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_plan(plan: MigrationPlan, app_dir: Path) -> list[str]:
    """Writes every changed file (each via a temporary file and a rename), then removes what the plan removes,
    then the record of what was written, so an interrupted run (a full disk) never leaves a record that claims
    files it did not write, nor a v1 app.yaml gone before its settings are in databricks.yml."""
    changed = [relative for relative, data in sorted(plan.files.items())
               if relative != WRITTEN and _write_file(app_dir, relative, data)]
    for gone in sorted(plan.removed):
        if (app_dir / gone).exists():
            (app_dir / gone).unlink()
            changed.append(gone)
    if WRITTEN in plan.files and _write_file(app_dir, WRITTEN, plan.files[WRITTEN]):
        changed.append(WRITTEN)
    return changed


def _write_file(app_dir: Path, relative: str, data: Content) -> bool:
    """Whether the file changed. A replaced file keeps its mode (executable bits included); a new one gets the
    umask's (0644 for the usual 022)."""
    target = app_dir / relative
    if _holds(target, data):
        return False
    if not app_dir.is_dir():  # removed or moved while we ran: never rebuild a partial app in its place
        raise MigrationError(f"the app folder {app_dir} disappeared while migrate was writing it",
                             "render the app again (or restore it), then run migrate again")
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = target.stat().st_mode & 0o7777 if target.is_file() else 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            for chunk in [data] if isinstance(data, bytes) else data.chunks():
                f.write(chunk)
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def _write(plan: MigrationPlan, app_dir: Path) -> list[str]:
    try:
        return write_plan(plan, app_dir)
    except OSError as exc:
        raise MigrationError(
            f"writing the app in {app_dir} failed: {exc.strerror or exc}"
            + (f" ({exc.filename})" if exc.filename else ""),
            "free some space (or fix the permissions) and run the command again: each file is whole, old or new, "
            "and the record of what was written is updated last, so the next run completes this one",
        ) from None


def _recorded_json(path: Path, shape: type[BaseModel], fix: str) -> dict:
    """A record serving2apps keeps in the app (.serving2apps/), checked before use; {} when there is none."""
    return read_json(path, fix, shape) if path.is_file() else {}


def recorded_answers(app_dir: Path) -> dict:
    """The answers the template recorded when it rendered the app (bundle init and copier alike)."""
    return _recorded_json(app_dir / ".serving2apps" / "answers.json", RecordedAnswers,
                          "render the app again (the template writes this file), or delete it and pass --mode")


def recorded_mode(app_dir: Path) -> str | None:
    return {"yes": "async", "no": "sync"}.get(recorded_answers(app_dir).get("async_mode"))


def ensure_model(source: Path, app_dir: Path, log=print) -> None:
    """Download the model into `source` from the endpoint the template recorded, unless it is there already."""
    if (source / "MLmodel").is_file():
        return
    answers = recorded_answers(app_dir)
    if not answers.get("endpoint_name"):
        raise MigrationError(
            f"no model in {source}, and the app records no serving endpoint to download it from",
            f"run `serving2apps download --endpoint NAME --dest {shlex.quote(str(source))}` (or --model-uri/--model-dir "
            "in place of --endpoint)",
        )
    from serving2apps.download import Source, download

    log(f"No model in {source}: downloading it from endpoint {answers['endpoint_name']}.")
    download(Source(endpoint=answers["endpoint_name"], profile=answers.get("profile")), source, log=log)


@contextmanager
def _one_run_at_a_time(app_dir: Path):
    """An exclusive lock on the app folder for the whole run: two runs on one app would interleave their
    writes. The lock is the folder's own (flock on it), so nothing is left behind."""
    fd = os.open(app_dir, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise MigrationError(f"another serving2apps run is migrating {app_dir} right now",
                                 "wait for it to finish, then run migrate again") from None
        yield
    finally:
        os.close(fd)


def migrate(source: Path, app_dir: Path, mode: str | None = None, dry_run: bool = False, verify: bool = False,
            lock: bool | str = False, force: bool = False, log=print) -> int:
    app_dir = Path(app_dir)
    check_app_dir(app_dir)
    refuse_inside_model_dir(source, app_dir, "--app-dir")  # its code/ would be copied into the app itself
    with _one_run_at_a_time(app_dir):
        return _migrate(source, app_dir, mode, dry_run, verify, lock, force, log)


def upgrade_scaffold(app_dir: Path) -> list[str]:
    """`serving2apps upgrade`, and copier's migration to template 2.0.0: a v1 app's settings move from app.yaml
    (or from the copy copier's `before` stage kept of it) into databricks.yml, and app.yaml goes. What moved, one
    line each; [] when the app is v2 already."""
    app_dir = Path(app_dir)
    with _one_run_at_a_time(app_dir):
        kept = next((p for p in (app_dir / STASH, app_dir / APP_YAML) if p.is_file()), None)
        if kept is None:
            return []
        text, moved = upgrade((app_dir / "databricks.yml").read_text(), kept.read_text())
        _write(MigrationPlan(files={"databricks.yml": text.encode()}, removed={APP_YAML, STASH}), app_dir)
        return moved or ["nothing but the template's own settings"]


def _refuse_user_edits(plan: MigrationPlan, app_dir: Path, force: bool) -> None:
    edited = user_edits(plan, app_dir)
    if edited and not force:
        raise MigrationError(
            f"migrate would overwrite files changed since they were written: {', '.join(edited)}",
            "keep your changes (commit or move them), or pass --force to replace them with a fresh migration",
        )


def _migrate(source: Path, app_dir: Path, mode: str | None, dry_run: bool, verify: bool, lock: bool | str, force: bool,
             log) -> int:
    model = read_model(Path(source))
    plan = plan_migration(model, app_dir, mode or recorded_mode(app_dir) or "async")
    if dry_run:  # uv.lock is not resolved: a dry run needs no package index
        log(diff(plan, app_dir) or "No changes.")
        log(plan.text(REPORT_MD))
        return plan.exit_code
    _refuse_user_edits(plan, app_dir, force)
    if lock:
        add_lock(plan, app_dir, lock)
        _refuse_user_edits(plan, app_dir, force)  # a uv.lock edited by hand
    changed = _write(plan, app_dir)
    if verify:
        from serving2apps.verify import verify as verify_app

        plan.findings += verify_app(app_dir, Path(source), log=log, profile=recorded_answers(app_dir).get("profile"))
        plan.add_report()
        _write(plan, app_dir)
    review = sum(f.kind == "review" for f in plan.findings)
    log(f"Migrated {model.agent_file} ({plan.strategy}); {len(changed)} files written; "
        f"{review} item(s) to review in {app_dir / REPORT_MD}.")
    return plan.exit_code
