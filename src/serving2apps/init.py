"""`serving2apps init`: the whole migration in one command, built in a temporary folder and moved into place.

pre-gen (download, or the embedded example) → render the scaffold (the real `databricks bundle init` when the
CLI is installed, else copier: the same tree either way) →
post-gen (migrate) → move `<app-name>/` and `original_mlflow_model/` into the output folder. A failure at any
step leaves the output folder as it was.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import tempfile
import warnings
from dataclasses import replace
from pathlib import Path

from serving2apps.download import DEFAULT_DEST, Source, download
from serving2apps.errors import INSTALL_DATABRICKS_CLI, MigrationError, refused_by_machine
from serving2apps.interrupts import scratch
from serving2apps.migrate import migrate
from serving2apps.model_reader import refuse_inside_model_dir
from serving2apps.report import REPORT_MD
from serving2apps.template_schema import TemplateSchema
from serving2apps.template_source import EXAMPLE_MODEL, template_root


def render_scaffold(answers: dict[str, str], dest: Path, template: Path | None = None, skip_tasks: bool = True) -> None:
    """Render the app scaffold with copier (the same tree bundle init renders) into dest."""
    import copier

    root = template or template_root()
    with warnings.catch_warnings():
        # copier warns that a source checkout has uncommitted changes; rendering them is intended here.
        warnings.simplefilter("ignore")
        copier.run_copy(
            str(root),
            str(dest),
            data=answers,
            defaults=True,
            unsafe=True,  # our own template: its Jinja extension and tasks
            quiet=True,
            skip_tasks=skip_tasks,  # init runs the hook steps itself, in order
            vcs_ref="HEAD" if (root / ".git").exists() else None,
        )


def render_with_bundle_cli(answers: dict[str, str], output_dir: Path, profile: str | None) -> None:
    """Render the scaffold with the real `databricks bundle init` (it needs workspace auth, like every bundle command)."""
    config = output_dir / "bundle-init-answers.json"
    config.write_text(json.dumps(answers))
    command = ["databricks", "bundle", "init", str(template_root()), "--config-file", str(config),
               "--output-dir", str(output_dir)]
    if profile:
        command += ["--profile", profile]
    result = subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    config.unlink()
    if result.returncode != 0:
        raise MigrationError(
            f"`databricks bundle init` failed: {result.stderr.strip()[-1500:]}",
            "check the message above; --engine copier renders the same files without the Databricks CLI",
        )


def default_engine() -> str:
    return "bundle" if shutil.which("databricks") else "copier"


def init(
    source: Source | None,
    app_name: str,
    output_dir: Path = Path("."),
    mode: str = "async",
    example: bool = False,
    verify: bool = False,
    engine: str | None = None,
    dry_run: bool = False,
    log=print,
    lock: bool | str = False,
) -> int:
    """`lock`: write the app's uv.lock (see dependencies.lock); the CLI asks for it unless --no-lock."""
    output_dir = Path(output_dir).resolve()
    if example:
        source = Source(model_dir=template_root() / EXAMPLE_MODEL)
    if source is None:
        raise MigrationError("give a source: --endpoint, --model-uri, --model-dir or --example")
    answers = {
        "app_name": app_name,
        "endpoint_name": source.endpoint or "",
        "profile": source.profile or "DEFAULT",
        "async_mode": "yes" if mode == "async" else "no",
    }
    problems = TemplateSchema.load(template_root()).problems(answers)
    if problems:
        raise MigrationError("; ".join(problems), "pass a valid value (an app name: lowercase letters, digits and "
                             "hyphens, 2 to 30 characters) and run the command again")
    if output_dir.exists() and not output_dir.is_dir():
        raise MigrationError(f"--output-dir {output_dir} is a file, not a folder", "choose a folder for --output-dir")
    if source.model_dir and not example:
        refuse_inside_model_dir(source.model_dir, output_dir, "--output-dir")
    app_dir, model_dir = output_dir / app_name, output_dir / DEFAULT_DEST
    for existing in (app_dir, model_dir):
        if existing.exists():
            raise MigrationError(
                f"{existing} already exists",
                "choose another --output-dir or --app-name, or move the folder away (serving2apps never overwrites it)",
            )
    engine = engine or default_engine()
    if engine == "bundle" and shutil.which("databricks") is None:
        raise MigrationError("--engine bundle renders with `databricks bundle init`, and the databricks CLI is not on "
                             "PATH", f"{INSTALL_DATABRICKS_CLI}, or pass --engine copier (the same files)")
    made = [] if dry_run else [d for d in (output_dir, *output_dir.parents) if not d.exists()]
    for folder in reversed(made):
        folder.mkdir()
    try:
        status = _build(source, answers, output_dir, app_dir, model_dir, engine, mode, verify, dry_run, lock, log)
    except BaseException:
        for folder in made:  # deepest first; a folder something else wrote into stays
            try:
                folder.rmdir()
            except OSError:
                break
        raise
    if not dry_run:
        log(f"\nDone: {app_dir} (and the original model in {model_dir}).\nNext:\n"
            f"  cd {shlex.quote(_shown(app_dir))} && uv run start-app        # serve it locally\n"
            f"  see {_shown(app_dir / REPORT_MD)} for anything to review")
    return status


def _shown(path: Path) -> str:
    """The path as the user can find it from where they stand: relative below the current folder."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _staging(output_dir: Path, dry_run: bool) -> tempfile.TemporaryDirectory:
    """Staged beside the destination so the final renames are atomic; a dry run touches nothing there."""
    try:
        return tempfile.TemporaryDirectory(prefix=".serving2apps-init-", dir=None if dry_run else output_dir)
    except OSError as exc:
        raise MigrationError(f"cannot write in {output_dir}: {exc.strerror or exc}",
                             "choose a folder you can write to with --output-dir") from None


def _build(source: Source, answers: dict[str, str], output_dir: Path, app_dir: Path, model_dir: Path, engine: str,
           mode: str, verify: bool, dry_run: bool, lock: bool | str, log) -> int:
    with _staging(output_dir, dry_run) as work, scratch(Path(work)):
        staged_model, staged_app = Path(work) / DEFAULT_DEST, Path(work) / app_dir.name
        if not dry_run:
            # Messages name the places the files end up in, not the staging folder they are built in.
            shown = log
            log = lambda message: shown(str(message).replace(work, str(output_dir)))  # noqa: E731
        try:
            with refused_by_machine(Path(work)):
                download(replace(source), staged_model, log=log)
                if engine == "bundle":
                    render_with_bundle_cli(answers, Path(work), source.profile)
                else:
                    render_scaffold(answers, staged_app)
                status = migrate(staged_model, staged_app, mode=mode, verify=verify, lock=lock, log=log)
        except MigrationError as exc:
            if not dry_run:  # named where the user will look for it; the staging folder is removed on the way out
                exc.problem = exc.problem.replace(work, str(output_dir))
            raise
        if dry_run:
            created = sorted(str(p.relative_to(work)) for p in Path(work).rglob("*") if p.is_file())
            log(f"\nDry run: nothing was written. {len(created)} files would be created in {output_dir}:")
            for path in created:
                log(f"  {path}")
            log("\n" + (staged_app / REPORT_MD).read_text())
            return status
        staged_model.rename(model_dir)
        try:
            staged_app.rename(app_dir)
        except BaseException:
            shutil.rmtree(model_dir, ignore_errors=True)
            raise
    return status
