"""The report's section for the people and programs that call the old serving endpoint: where to call now, how
to authenticate, what changes in the request and the answer, and a client snippet for each way in."""

from __future__ import annotations

_CHAT_ANSWERS = {"ChatAgent": '`{"messages": [...], "custom_outputs": {...}}`',
                 "ChatModel": '`{"choices": [{"message": {...}}], ...}`'}


def callers_section(summary: dict) -> list[str]:
    """Markdown lines; `summary` is the migration's (interface, endpoint and host when known, app name)."""
    interface = summary.get("interface", "ResponsesAgent")
    endpoint = summary.get("endpoint") or "<endpoint>"
    host = (summary.get("host") or "https://<workspace>").rstrip("/")
    app = summary.get("app_name") or "<app>"
    lines = [
        "## For the endpoint's callers",
        "",
        f"Before: `POST {host}/serving-endpoints/{endpoint}/invocations`. After: `POST <app url>/invocations`, where "
        f"`<app url>` is what `databricks apps get {app}` shows as `url` once the app is deployed.",
        "",
        "- **Auth:** an app takes OAuth tokens only, of a user or a service principal (`databricks auth token`, or "
        "the SDK's `WorkspaceClient().config.authenticate()`); a personal access token that called the endpoint "
        "does not work with the app. A caller needs CAN_USE on the app, in place of CAN_QUERY on the endpoint.",
    ]
    if interface in _CHAT_ANSWERS:
        lines += [
            f"- **Format:** the endpoint served a {interface}, which spoke the chat format. The app speaks the "
            "Responses format (as the agent server, its chat page, evaluation and the AI Playground do), and keeps "
            "the chat format at a route of its own, `<app url>/chat/invocations`, for callers that cannot change yet:",
            "",
            "| | the endpoint, and the app's `/chat/invocations` | the app's `/invocations` |",
            "|---|---|---|",
            '| request | `{"messages": [...], "custom_inputs": {...}}` | `{"input": [...], "custom_inputs": {...}}`: '
            "the same message dicts under `input` |",
            f'| answer | {_CHAT_ANSWERS[interface]} | `{{"output": [items], "custom_outputs": {{...}}}}`: text items, '
            "`function_call` and `function_call_output` items |",
            '| `"stream": true` | chat chunks | Responses events: text deltas, then `response.output_item.done` per '
            "item |",
        ]
    else:
        lines.append("- **Format:** unchanged: the same Responses request and answer, streamed with "
                     '`"stream": true`; the app also answers the OpenAI client at `<app url>/responses`.')
    lines.append('- **Traces:** a caller that asked the endpoint for the trace (`"databricks_options": {"return_trace": '
                 'true}`, answered in `databricks_output.trace`) sends the header `x-mlflow-return-trace-id: true` to '
                 "the app instead, and gets the trace's id in the answer's `metadata.trace_id`; the trace is in the "
                 "app's MLflow experiment. The app ignores `databricks_options`.")
    lines += [
        "",
        "```bash",
        "TOKEN=$(databricks auth token | python -c \"import json,sys; print(json.load(sys.stdin)['access_token'])\")",
        'curl -s "<app url>/invocations" -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \\',
        "  -d '{\"input\": [{\"role\": \"user\", \"content\": \"Hello\"}]}'",
        "```",
        "",
        "```python",
        "from databricks.sdk import WorkspaceClient",
        "from openai import OpenAI",
        "",
        "headers = WorkspaceClient().config.authenticate()  # an OAuth token for you, or for a service principal",
        'client = OpenAI(base_url="<app url>", api_key="unused", default_headers=headers)',
        f'answer = client.responses.create(model="{app}", input=[{{"role": "user", "content": "Hello"}}])',
        "print(answer.output_text)",
        "```",
    ]
    return lines
