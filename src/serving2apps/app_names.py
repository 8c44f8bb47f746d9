"""App names derived from endpoint names: valid for Databricks Apps (the template's app_name pattern: 2 to 30
lowercase letters, digits and hyphens, starting and ending with a letter or digit) and unique in one run."""

from __future__ import annotations

import re

MAX = 30


def app_name_for(endpoint: str) -> str:
    """`Support_Agent.v2` → `support-agent-v2`; names too short or made of nothing usable get an `app-` prefix."""
    name = re.sub(r"[^a-z0-9]+", "-", endpoint.lower()).strip("-")[:MAX].strip("-")
    if len(name) < 2:
        name = f"app-{name}".strip("-") if name else "app"
        name = name if len(name) >= 2 else "app"
    return name


def unique_app_names(endpoints: list[str], taken: dict[str, str] | None = None) -> dict[str, str]:
    """Endpoint → app name. `taken` (from an earlier run) keeps the names already given; the rest are derived and
    made unique with a numeric suffix, shortened to fit."""
    names = dict(taken or {})
    used = set(names.values())
    for endpoint in endpoints:
        if endpoint in names:
            continue
        base = app_name_for(endpoint)
        name, number = base, 1
        while name in used:
            number += 1
            suffix = f"-{number}"
            name = base[:MAX - len(suffix)].rstrip("-") + suffix
        names[endpoint] = name
        used.add(name)
    return {endpoint: names[endpoint] for endpoint in endpoints}
