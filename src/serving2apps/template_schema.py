"""The template's questions, as `databricks_template_schema.json` states them, and checks of answers.

bundle init enforces the schema itself; copier mirrors it in copier.yml. The hooks and the CLI check answers
here, with the same rules, so an answer that one engine would refuse never reaches the migration.
"""

from __future__ import annotations

import functools
import importlib.util
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

SCHEMA_FILE = "databricks_template_schema.json"
# Go's regexp semantics for Python live with the template, in the copier extension; both engines' checks
# and ours then agree on every pattern.
GO_SYNTAX_FILE = Path("extensions") / "go_syntax.py"

_PYTHON_TYPES = {"string": str, "boolean": bool, "integer": int, "number": (int, float)}


@dataclass(frozen=True)
class Question:
    name: str
    type: str
    description: str
    order: int | None = None
    default: Any = None
    enum: tuple[Any, ...] | None = None
    pattern: str | None = None
    pattern_message: str | None = None
    go_match: Callable[[str, str], bool] = field(default=None, repr=False, compare=False)

    def problem(self, value: Any) -> str | None:
        """Why `value` is not a valid answer (the bundle CLI's wording), or None."""
        expected = _PYTHON_TYPES[self.type]
        if not isinstance(value, expected) or (self.type != "boolean" and isinstance(value, bool)):
            return f"incorrect type for property {self.name}: expected type {self.type}, but value is {value!r}"
        if self.enum is not None and value not in self.enum:
            return f"expected value of property {self.name} to be one of {list(self.enum)}. Found: {value}"
        if self.pattern is not None and not self.go_match(value, self.pattern):
            return f'invalid value for {self.name}: "{value}". ' + (
                self.pattern_message or f"Expected to match regex pattern: {self.pattern}"
            )
        return None


@dataclass(frozen=True)
class TemplateSchema:
    raw: dict[str, Any]
    questions: tuple[Question, ...]

    @classmethod
    def load(cls, template_root: Path) -> TemplateSchema:
        raw = json.loads((template_root / SCHEMA_FILE).read_text())
        go_match = _go_matcher(template_root / GO_SYNTAX_FILE)
        questions = [
            Question(
                name=name,
                type=spec["type"],
                description=spec.get("description", ""),
                order=spec.get("order"),
                default=spec.get("default"),
                enum=tuple(spec["enum"]) if "enum" in spec else None,
                pattern=spec.get("pattern"),
                pattern_message=spec.get("pattern_match_failure_message"),
                go_match=go_match,
            )
            for name, spec in raw["properties"].items()
        ]
        # The CLI's order: properties with `order` first, ascending, then the rest by name.
        questions.sort(key=lambda q: (q.order is None, q.order or 0, q.name))
        return cls(raw=raw, questions=tuple(questions))

    def question(self, name: str) -> Question:
        return next(q for q in self.questions if q.name == name)

    def problems(self, answers: dict[str, Any], require_all: bool = True) -> list[str]:
        """Every reason `answers` (after defaults) would be refused, in question order. With
        require_all=False only the answers given are checked."""
        found = []
        for q in self.questions:
            if q.name in answers:
                problem = q.problem(answers[q.name])
            elif q.default is None and require_all:
                problem = f"no value provided for required property {q.name}"
            else:
                problem = None
            if problem:
                found.append(problem)
        return found


def _go_matcher(path: Path) -> Callable[[str, str], bool]:
    """Go's regexp match, loaded on first use: the extension imports jinja2, which a caller that only reads the
    schema (migrate) does not otherwise import."""
    @functools.cache
    def loaded() -> Callable[[str, str], bool]:
        return _load_go_syntax(path).go_regexp_match

    return lambda value, pattern: loaded()(value, pattern)


def _load_go_syntax(path: Path):
    spec = importlib.util.spec_from_file_location("serving2apps_template_go_syntax", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
