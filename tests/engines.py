"""Render the template with each engine, the way a user would: bundle init (our Go reference renderer, or the
real CLI when present) and copier (the real one, from a git repository of the template)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from plumbum import local

from serving2apps.init import render_scaffold

REPO_ROOT = Path(__file__).resolve().parent.parent
# What a template checkout holds; the rest of the repository is the package and its tests.
TEMPLATE_PARTS = [
    "databricks_template_schema.json",
    "copier.yml",
    "template",
    "library",
    "extensions",
    "hooks",
]
COPIER_ONLY_FILES = {".copier-answers.yml"}


@dataclass
class RenderResult:
    returncode: int
    output: str


def make_template_repo(dest: Path) -> Path:
    """A git repository holding the template files, committed, as copier wants its source."""
    dest.mkdir(parents=True)
    for part in TEMPLATE_PARTS:
        src = REPO_ROOT / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dest / part)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=dest, check=True)
    commit_all(dest, "template")
    return dest


def commit_all(repo: Path, message: str) -> None:
    git = ["git", "-c", "user.name=serving2apps tests", "-c", "user.email=tests@serving2apps.invalid"]
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-q", "-m", message], cwd=repo, check=True)


def build_go_renderer(dest: Path, cache: Path | None = None) -> Path:
    binary = dest / "bundle_init_reference"
    env = {**os.environ, "GOCACHE": str(cache or dest / "gocache"), "GO111MODULE": "off", "GOFLAGS": "-mod=mod"}
    subprocess.run(
        ["go", "build", "-o", str(binary), str(REPO_ROOT / "tests" / "bundle_init_reference" / "main.go")],
        check=True,
        env=env,
        cwd=dest,
    )
    return binary


def render_bundle_init(renderer: Path, answers: dict, output_dir: Path, template_root: Path = REPO_ROOT) -> RenderResult:
    """bundle init semantics: the project lands in output_dir/<app_name>/."""
    config = output_dir.parent / f"{output_dir.name}.config.json"
    config.write_text(json.dumps(answers))
    proc = subprocess.run(
        [str(renderer), "-template", str(template_root), "-config", str(config), "-output", str(output_dir)],
        capture_output=True,
        text=True,
    )
    return RenderResult(proc.returncode, proc.stdout + proc.stderr)


def render_copier(template_repo: Path, answers: dict, dest: Path, skip_tasks: bool = True) -> RenderResult:
    """copier semantics: the project lands in dest itself."""
    try:
        # copier runs tasks with plumbum's copy of the environment, taken when plumbum was imported;
        # give it this test's environment.
        with local.env():
            local.env.clear()
            local.env.update(**os.environ)
            render_scaffold(answers, dest, template=template_repo, skip_tasks=skip_tasks)
    except Exception as exc:  # copier raises ValueError, TaskError, ...: the message is what users see
        return RenderResult(1, f"{type(exc).__name__}: {exc}")
    return RenderResult(0, "")


def tree(root: Path, ignore: set[str] = frozenset()) -> dict[str, tuple[bytes, int]]:
    """Relative path → (content, permission bits) of every file under root."""
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mode & 0o777)
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.relative_to(root).as_posix() not in ignore
    }
