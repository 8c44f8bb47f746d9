"""The template's generation hooks. copier runs them as tasks (hooks/*.py at the template root call these),
with the new app folder as the working directory; bundle init has no hooks, so `serving2apps` runs the same
steps itself.

pre-gen downloads the served agent into `original_mlflow_model/` beside the app folder (the seed's layout),
or reuses one already there. post-gen migrates it into the new app, on copy only: during copier update the
migrated files are the user's, and copier merges them.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from serving2apps.errors import EXIT_ERROR, run_guarded
from serving2apps.template_schema import TemplateSchema


def _answers(argv: list[str], names: list[str]) -> dict[str, str]:
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    for name in names:
        parser.add_argument("--" + name.replace("_", "-"), dest=name, required=True)
    return vars(parser.parse_args(argv))


def _check(template_root: Path, answers: dict[str, str], hook: str) -> int:
    schema = TemplateSchema.load(template_root)
    problems = schema.problems(answers, require_all=False)
    for problem in problems:
        print(f"serving2apps {hook}: {problem}", file=sys.stderr)
    return EXIT_ERROR if problems else 0


def pre_gen(template_root: Path, argv: list[str]) -> int:
    answers = _answers(argv, ["app_name", "endpoint_name", "profile", "async_mode"])
    status = _check(template_root, answers, "pre-gen")
    if status:
        return status
    # Imported here: databricks-sdk and mlflow take seconds to import, and a bad answer needs neither.
    from serving2apps.download import DEFAULT_DEST, Source, download

    dest = Path.cwd().parent / DEFAULT_DEST
    if not answers["endpoint_name"]:
        print("serving2apps pre-gen: no endpoint given; nothing to download "
              "(serving2apps download --model-uri/--model-dir fetches the model).")
        return 0
    if (dest / "MLmodel").is_file():
        return run_guarded(lambda: _reuse(dest), "serving2apps pre-gen: error")
    source = Source(endpoint=answers["endpoint_name"], profile=answers["profile"])

    def fetch() -> int:
        download(source, dest)
        return 0

    return run_guarded(fetch, "serving2apps pre-gen: error")


def _reuse(model: Path) -> int:
    from serving2apps.model_reader import read_model

    read_model(model)
    print(f"serving2apps pre-gen: using the model already in {model}.")
    return 0


def post_gen(template_root: Path, argv: list[str]) -> int:
    answers = _answers(argv, ["app_name", "async_mode"])
    status = _check(template_root, answers, "post-gen")
    if status or os.environ.get("COPIER_OPERATION") != "copy":
        return status
    from serving2apps.download import DEFAULT_DEST
    from serving2apps.migrate import migrate

    model = Path.cwd().parent / DEFAULT_DEST
    if not (model / "MLmodel").is_file():
        print(f"serving2apps post-gen: no model in {model}; run `serving2apps migrate` in the app once it is there.")
        return 0
    mode = "async" if answers["async_mode"] == "yes" else "sync"

    def run() -> int:
        migrate(model, Path.cwd(), mode=mode)
        return 0  # review items are in MIGRATION_REPORT.md; only an error should stop copier

    return run_guarded(run, "serving2apps post-gen: error")


def upgrade_scaffold(argv: list[str]) -> int:
    """copier's migration to template 2.0.0, in two stages: `before` keeps a copy of a v1 app's app.yaml (copier
    removes the file, gone from the template, before `after` runs); `after` moves its settings into the
    databricks.yml copier has just rendered and merged."""
    stage = _answers(argv, ["stage"])["stage"]
    from serving2apps.migrate import upgrade_scaffold as upgrade
    from serving2apps.scaffold_upgrade import stash

    def run() -> int:
        if stage == "before":
            stash(Path.cwd())
        else:
            moved = upgrade(Path.cwd())
            if moved:
                print(f"serving2apps: scaffold v2: moved into databricks.yml: {', '.join(moved)}.")
        return 0

    return run_guarded(run, "serving2apps upgrade: error (resolve it, then run `serving2apps upgrade` in the app)")
