"""Limits on the YAML serving2apps reads from models and apps: no aliases, no custom tags, bounded nesting.

MLmodel, conda.yaml and databricks.yml are plain configuration; mlflow and the bundle CLI never write anchors
and aliases, and an alias-based "billion laughs" document stays small when parsed but explodes when written
back out. Deep nesting exhausts the parser's recursion. Both are refused before any loader builds the document.
"""

from __future__ import annotations

import yaml

MAX_DEPTH = 64


def plain_yaml_problem(text: str) -> str | None:
    """Why this text is not plain configuration YAML, as a predicate ("is not valid YAML: ..."), or None."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                return "uses YAML aliases (*name), which configuration files here never need"
            tag = getattr(event, "tag", None)
            if tag and not tag.startswith("tag:yaml.org,2002:") or (tag or "").startswith("tag:yaml.org,2002:python/"):
                return f"uses the YAML tag {tag}, which configuration files here never need"
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    return f"nests deeper than {MAX_DEPTH} levels"
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError as exc:
        return f"is not valid YAML: {str(exc).splitlines()[0]}"
    return None
