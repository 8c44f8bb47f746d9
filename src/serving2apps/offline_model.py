"""A deterministic stand-in for the model endpoints an agent calls, for `verify --offline` (no workspace).

It speaks the OpenAI-compatible shapes Databricks serving endpoints speak: chat completions and responses, whole
and streamed (server-sent events), with tool calls. The answer depends only on the request, so an agent that
sends the same requests before and after migration gets the same answers:

- tools offered and no tool result yet → one call of the first tool, each required argument set to the last
  user text;
- a tool result present → "Answer: <the tool result>";
- no tools → "echo: <the last user text>".

Not handled: embeddings, vector search, Genie and UC functions (an agent that needs them offline gets an HTTP
404 naming the call, and verify reports it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

MODEL_PATHS = ("/chat/completions", "/responses")


@dataclass
class ModelReply:
    status: int
    body: dict | None = None
    events: list[str] | None = None  # server-sent event payloads (JSON text, or "[DONE]")


def text_of(content) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""


def decide(messages: list[dict], tools: list[dict]) -> tuple[str | None, dict | None]:
    """(text, tool call {name, arguments}) the model answers with."""
    tool_results = [m for m in messages if m.get("role") == "tool" or m.get("type") == "function_call_output"]
    user = [m for m in messages if m.get("role") == "user"]
    last_user = text_of(user[-1].get("content")) if user else ""
    if tools and not tool_results:
        tool = tools[0].get("function", tools[0])
        required = (tool.get("parameters") or {}).get("required") or []
        return None, {"name": tool["name"], "arguments": json.dumps({name: last_user for name in required})}
    if tool_results:
        last = tool_results[-1]
        return f"Answer: {text_of(last.get('content', last.get('output')))}", None
    return f"echo: {last_user}", None


def words(text: str, per_token: int = 1) -> list[str]:
    """The text as the stream's deltas, `per_token` words each (spaces kept, so they join back to the text)."""
    parts = text.split(" ")
    n = max(1, per_token)
    return [" ".join(parts[i:i + n]) + (" " if i + n < len(parts) else "") for i in range(0, len(parts), n)]


def chat_completion(body: dict, per_token: int = 1) -> ModelReply:
    text, call = decide(body.get("messages", []), body.get("tools") or [])
    base = {"id": "chatcmpl-1", "created": 0, "model": body.get("model", "offline")}
    tool_calls: list[dict[str, Any]] = [{"id": "call-1", "type": "function", "function": call}] if call else []
    finish = "tool_calls" if call else "stop"
    if not body.get("stream"):
        message = {"role": "assistant", "content": text, **({"tool_calls": tool_calls} if tool_calls else {})}
        return ModelReply(200, {**base, "object": "chat.completion",
                                "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})
    chunk = {**base, "object": "chat.completion.chunk"}
    deltas: list[dict[str, Any]]
    if call:
        deltas = [{"role": "assistant", "tool_calls": [{"index": 0, **tool_calls[0]}]}]
    else:
        deltas = [{"role": "assistant", "content": token} if i == 0 else {"content": token}
                  for i, token in enumerate(words(text or "", per_token))]
    events = [json.dumps({**chunk, "choices": [{"index": 0, "delta": d, "finish_reason": None}]}) for d in deltas]
    events.append(json.dumps({**chunk, "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]}))
    return ModelReply(200, events=[*events, "[DONE]"])


def response(body: dict, per_token: int = 1) -> ModelReply:
    given = body.get("input")
    messages = [{"role": "user", "content": given}] if isinstance(given, str) else list(given or [])
    text, call = decide(messages, body.get("tools") or [])
    if call:
        item = {"type": "function_call", "id": "fc-1", "call_id": "call-1", "name": call["name"],
                "arguments": call["arguments"], "status": "completed"}
    else:
        item = {"type": "message", "id": "msg-1", "role": "assistant", "status": "completed",
                "content": [{"type": "output_text", "text": text, "annotations": []}]}
    whole = {"id": "resp-1", "object": "response", "created_at": 0, "model": body.get("model", "offline"),
             "status": "completed", "output": [item], "parallel_tool_calls": False, "tool_choice": "auto",
             "tools": [], "usage": {"input_tokens": 1, "output_tokens": 1, "total_tokens": 2,
                                    "input_tokens_details": {"cached_tokens": 0},
                                    "output_tokens_details": {"reasoning_tokens": 0}}}
    if not body.get("stream"):
        return ModelReply(200, whole)
    payloads: list[dict[str, Any]] = [{"type": "response.created", "response": {**whole, "status": "in_progress", "output": []}}]
    if not call:
        payloads += [{"type": "response.output_text.delta", "item_id": "msg-1", "output_index": 0, "content_index": 0,
                      "delta": token, "logprobs": []} for token in words(text or "", per_token)]
    payloads += [{"type": "response.output_item.done", "output_index": 0, "item": item},
                 {"type": "response.completed", "response": whole}]
    return ModelReply(200, events=[json.dumps({**p, "sequence_number": i}) for i, p in enumerate(payloads)])


def answer(method: str, path: str, body: bytes) -> ModelReply:
    """The reply to one request the agent sent to the workspace (`path` without the query)."""
    if method == "POST" and path.endswith(MODEL_PATHS):
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            return ModelReply(400, {"error": {"message": "the request body is not JSON"}})
        return chat_completion(request) if path.endswith("/chat/completions") else response(request)
    return ModelReply(404, {"error_code": "NOT_FOUND", "message": f"serving2apps verify --offline answers model "
                                                                   f"calls only, not {method} {path}"})
