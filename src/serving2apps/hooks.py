"""The template's generation hooks. copier runs them as tasks (hooks/*.py at the template root call these);
bundle init has no hooks, so `serving2apps` runs the same steps itself.

In this version both hooks check their inputs and stop there: the download (pre-gen) and the migration
(post-gen) are not built yet, and the hooks say so rather than pretend.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from serving2apps.template_schema import TemplateSchema

EXIT_BAD_INPUT = 2


def _answers(argv: list[str], names: list[str]) -> dict[str, str]:
    parser = argparse.ArgumentParser(add_help=False)
    for name in names:
        parser.add_argument("--" + name.replace("_", "-"), dest=name, required=True)
    return vars(parser.parse_args(argv))


def _check(template_root: Path, answers: dict[str, str], hook: str) -> int:
    schema = TemplateSchema.load(template_root)
    problems = [p for p in schema.problems(answers) if not p.startswith("no value provided")]
    for problem in problems:
        print(f"serving2apps {hook}: {problem}", file=sys.stderr)
    return EXIT_BAD_INPUT if problems else 0


def pre_gen(template_root: Path, argv: list[str]) -> int:
    answers = _answers(argv, ["app_name", "endpoint_name", "profile", "async_mode"])
    status = _check(template_root, answers, "pre-gen")
    if status == 0:
        print("serving2apps pre-gen: answers checked; downloading the agent is not available in this version.")
    return status


def post_gen(template_root: Path, argv: list[str]) -> int:
    answers = _answers(argv, ["app_name", "async_mode"])
    status = _check(template_root, answers, "post-gen")
    if status == 0:
        print("serving2apps post-gen: answers checked; migrating the agent is not available in this version.")
    return status
