"""The migration report: MIGRATION_REPORT.md for people, .serving2apps/report.json for tools."""

from __future__ import annotations

import json

from serving2apps.callers import callers_section
from serving2apps.codemod.findings import Finding

REPORT_MD = "MIGRATION_REPORT.md"
REPORT_JSON = ".serving2apps/report.json"


def render_json(findings: list[Finding], summary: dict) -> str:
    return json.dumps({"summary": summary, "findings": [f.as_dict() for f in findings]}, indent=2, sort_keys=True) + "\n"


def render_markdown(findings: list[Finding], summary: dict) -> str:
    review = [f for f in findings if f.kind == "review"]
    done = [f for f in findings if f.kind == "info"]
    lines = [
        "# Migration report",
        "",
        f"Agent: `{summary['agent_file']}` from `{summary['source']}`, migrated in **{summary['mode']}** mode "
        f"(strategy: {summary['strategy']}).",
        "",
        f"## To review ({len(review)})",
        "",
    ]
    lines += [_item(f) for f in review] or ["Nothing: the migration needs no manual step."]
    lines += ["", f"## Done ({len(done)})", ""]
    lines += [_item(f) for f in done]
    lines += ["", *callers_section(summary)]
    lines += ["", "Codes are documented in the serving2apps README.", ""]
    return "\n".join(lines)


def _item(f: Finding) -> str:
    where = f" ({f.file}:{f.line})" if f.file and f.line else f" ({f.file})" if f.file else ""
    if f.original_line:
        where = where[:-1] + f"; line {f.original_line} in the model's file)" if where else \
            f" (line {f.original_line} in the model's file)"
    fix = "" if f.kind == "info" else f" Fix: {f.hint}."
    return f"- **{f.code}**{where}: {f.message}.{fix}"
