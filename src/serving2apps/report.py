"""The migration report: MIGRATION_REPORT.md for people, .serving2apps/report.json for tools."""

from __future__ import annotations

import json

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
    if summary.get("interface") in _CHAT_ANSWERS:
        lines += ["", *_chat_callers(summary["interface"])]
    lines += ["", "Codes are documented in the serving2apps README.", ""]
    return "\n".join(lines)


_CHAT_ANSWERS = {"ChatAgent": '`{"messages": [...], "custom_outputs": {...}}`',
                 "ChatModel": '`{"choices": [{"message": {...}}], ...}`'}


def _chat_callers(interface: str) -> list[str]:
    """What changes for the programs that called the endpoint in the chat format."""
    return [
        "## For the endpoint's callers",
        "",
        f"The endpoint served a {interface}, which spoke the chat format. The app speaks the Responses format (as the "
        "agent server, its chat page, evaluation and the AI Playground do), and keeps the chat format at a route of "
        "its own for callers that cannot change yet:",
        "",
        "| | Model Serving endpoint | the app (Responses) | the app (chat format) |",
        "|---|---|---|---|",
        "| URL | `<workspace>/serving-endpoints/<endpoint>/invocations` | `<app url>/invocations` "
        "| `<app url>/chat/invocations` |",
        '| request | `{"messages": [...], "custom_inputs": {...}}` | `{"input": [...], "custom_inputs": {...}}`: the '
        "same message dicts under `input` | unchanged |",
        f"| answer | {_CHAT_ANSWERS[interface]} | `{{\"output\": [items], \"custom_outputs\": {{...}}}}`: text "
        "items, `function_call` and `function_call_output` items | unchanged |",
        '| streaming | `"stream": true`, chat chunks | `"stream": true`, Responses events (text deltas, then '
        '`response.output_item.done` per item) | `"stream": true`, chat chunks |',
        "| auth | a personal access token or OAuth token | an OAuth token of a user or service principal (`databricks "
        "auth token`); apps do not take personal access tokens | the same as the app |",
        "",
        "```bash",
        'TOKEN=$(databricks auth token --profile <profile> | python -c "import json,sys; '
        'print(json.load(sys.stdin)[\'access_token\'])")',
        'curl -s "<app url>/invocations" -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \\',
        "  -d '{\"input\": [{\"role\": \"user\", \"content\": \"Hello\"}]}'",
        "```",
    ]


def _item(f: Finding) -> str:
    where = f" ({f.file}:{f.line})" if f.file and f.line else f" ({f.file})" if f.file else ""
    if f.original_line:
        where = where[:-1] + f"; line {f.original_line} in the model's file)" if where else \
            f" (line {f.original_line} in the model's file)"
    fix = "" if f.kind == "info" else f" Fix: {f.hint}."
    return f"- **{f.code}**{where}: {f.message}.{fix}"
