"""Validation of generated databricks.yml files against the bundle JSON schema the Databricks CLI publishes."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import jsonschema
import regex
import yaml
from jsonschema.exceptions import ValidationError

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "shared" / "schemas" / "databricks-bundle-config.schema.json"


def _pattern(validator, pattern, instance, schema):
    # The schema's patterns use \p{L} / \p{N}, which Python's re lacks; `regex` has them.
    if validator.is_type(instance, "string") and not regex.search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


@lru_cache(maxsize=1)
def _validator():
    schema = json.loads(SCHEMA_PATH.read_text())
    cls = jsonschema.validators.extend(jsonschema.Draft202012Validator, {"pattern": _pattern})
    return cls(schema)


def bundle_errors(databricks_yml: Path) -> list[str]:
    """Every schema violation in the file, as 'path: message' lines (empty when valid)."""
    config = yaml.safe_load(databricks_yml.read_text())
    return [
        "/".join(str(p) for p in error.absolute_path) + ": " + error.message
        for error in sorted(_validator().iter_errors(config), key=lambda e: list(map(str, e.absolute_path)))
    ]
