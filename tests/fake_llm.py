"""A deterministic OpenAI-compatible model on the loopback workspace server.

Chat completions and responses, streaming (server-sent events) and not, with tool calls. It answers at
`{host}/serving-endpoints/...` (where ChatDatabricks and DatabricksOpenAI send a serving endpoint's traffic)
and at `{host}/v1/...` (a plain OpenAI client with base_url). The reply depends only on the request:

- tools offered and no tool result yet → one call of the first tool, each required argument set to the
  last user text;
- a tool result present → "Answer: <the tool result>";
- no tools → "echo: <the last user text>".

Timing is configurable (before the first token, between tokens) so tests and benchmarks measure our code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from workspace_server import Recorded, Reply, WorkspaceServer


@dataclass
class Timing:
    first_token: float = 0.0  # seconds before the reply starts
    between_tokens: float = 0.0
    words_per_token: int = 1
    slow: float = 0.0  # extra seconds for a conversation whose last user text contains "slow"


def _wait(messages: list[dict], timing: Timing) -> float:
    user = [m for m in messages if m.get("role") == "user"]
    return timing.first_token + (timing.slow if user and "slow" in _text_of(user[-1].get("content")) else 0.0)


def install_fake_llm(server: WorkspaceServer, timing: Timing | None = None) -> Timing:
    timing = timing or Timing()
    for prefix in ("/serving-endpoints", "/v1"):
        server.add_route("POST", f"{prefix}/chat/completions", lambda s, r, p: _chat(r, timing))
        server.add_route("POST", f"{prefix}/responses", lambda s, r, p: _responses(r, timing))
    return timing


def _text_of(content) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""


def decide(messages: list[dict], tools: list[dict]) -> tuple[str | None, dict | None]:
    """(text, tool call {name, arguments}) the model answers with."""
    tool_results = [m for m in messages if m.get("role") == "tool" or m.get("type") == "function_call_output"]
    user = [m for m in messages if m.get("role") == "user"]
    last_user = _text_of(user[-1].get("content")) if user else ""
    if tools and not tool_results:
        tool = tools[0].get("function", tools[0])
        required = (tool.get("parameters") or {}).get("required") or []
        return None, {"name": tool["name"], "arguments": json.dumps({name: last_user for name in required})}
    if tool_results:
        last = tool_results[-1]
        return f"Answer: {_text_of(last.get('content', last.get('output')))}", None
    return f"echo: {last_user}", None


def _tokens(text: str, timing: Timing) -> list[str]:
    words = text.split(" ")
    n = max(1, timing.words_per_token)
    return [" ".join(words[i:i + n]) + (" " if i + n < len(words) else "") for i in range(0, len(words), n)]


def _sse(payload: dict | str) -> bytes:
    return f"data: {payload if isinstance(payload, str) else json.dumps(payload)}\n\n".encode()


def _chat(request: Recorded, timing: Timing) -> Reply:
    body = json.loads(request.body)
    text, call = decide(body.get("messages", []), body.get("tools") or [])
    wait = _wait(body.get("messages", []), timing)
    model = body.get("model", "fake")
    base = {"id": "chatcmpl-1", "created": 0, "model": model}
    tool_calls = [{"id": "call-1", "type": "function", "function": call}] if call else None
    if not body.get("stream"):
        message = {"role": "assistant", "content": text, **({"tool_calls": tool_calls} if tool_calls else {})}
        return Reply(200, {**base, "object": "chat.completion", "choices": [
            {"index": 0, "message": message, "finish_reason": "tool_calls" if call else "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}, delay=wait)
    chunk = {**base, "object": "chat.completion.chunk"}
    events, delays = [], []
    if call:
        delta = {"role": "assistant", "tool_calls": [{"index": 0, **tool_calls[0]}]}
        events.append(_sse({**chunk, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}))
        delays.append(0.0)
    else:
        for i, token in enumerate(_tokens(text, timing)):
            delta = {"role": "assistant", "content": token} if i == 0 else {"content": token}
            events.append(_sse({**chunk, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}))
            delays.append(timing.between_tokens if i else 0.0)
    events.append(_sse({**chunk, "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls" if call else "stop"}]}))
    delays.append(0.0)
    events.append(_sse("[DONE]"))
    return Reply(200, events=events, delays=delays, delay=wait)


def _responses(request: Recorded, timing: Timing) -> Reply:
    body = json.loads(request.body)
    given = body.get("input")
    messages = [{"role": "user", "content": given}] if isinstance(given, str) else list(given or [])
    text, call = decide(messages, body.get("tools") or [])
    wait = _wait(messages, timing)
    if call:
        item = {"type": "function_call", "id": "fc-1", "call_id": "call-1", "name": call["name"],
                "arguments": call["arguments"], "status": "completed"}
    else:
        item = {"type": "message", "id": "msg-1", "role": "assistant", "status": "completed",
                "content": [{"type": "output_text", "text": text, "annotations": []}]}
    response = {"id": "resp-1", "object": "response", "created_at": 0, "model": body.get("model", "fake"),
                "status": "completed", "output": [item], "parallel_tool_calls": False, "tool_choice": "auto",
                "tools": [], "usage": {"input_tokens": 1, "output_tokens": 1, "total_tokens": 2,
                                       "input_tokens_details": {"cached_tokens": 0},
                                       "output_tokens_details": {"reasoning_tokens": 0}}}
    if not body.get("stream"):
        return Reply(200, response, delay=wait)
    events, delays, seq = [], [], 0

    def add(payload, wait=0.0):
        nonlocal seq
        events.append(_sse({**payload, "sequence_number": seq}))
        delays.append(wait)
        seq += 1

    add({"type": "response.created", "response": {**response, "status": "in_progress", "output": []}})
    if not call:
        for i, token in enumerate(_tokens(text, timing)):
            add({"type": "response.output_text.delta", "item_id": "msg-1", "output_index": 0, "content_index": 0,
                 "delta": token, "logprobs": []}, timing.between_tokens if i else 0.0)
    add({"type": "response.output_item.done", "output_index": 0, "item": item})
    add({"type": "response.completed", "response": response})
    return Reply(200, events=events, delays=delays, delay=wait)
