"""serving2apps' offline model (serving2apps.offline_model) on the loopback workspace server, with timing.

It answers at `{host}/serving-endpoints/...` (where ChatDatabricks and DatabricksOpenAI send a serving endpoint's
traffic) and at `{host}/v1/...` (a plain OpenAI client with base_url), with the offline model's deterministic
answers. Timing is configurable (before the first token, between tokens) so tests and benchmarks measure our code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from workspace_server import Recorded, Reply, WorkspaceServer

from serving2apps.offline_model import ModelReply, chat_completion, response, text_of


@dataclass
class Timing:
    first_token: float = 0.0  # seconds before the reply starts
    between_tokens: float = 0.0
    words_per_token: int = 1
    slow: float = 0.0  # extra seconds for a conversation whose last user text contains "slow"


def _wait(messages: list[dict], timing: Timing) -> float:
    user = [m for m in messages if m.get("role") == "user"]
    return timing.first_token + (timing.slow if user and "slow" in text_of(user[-1].get("content")) else 0.0)


def install_fake_llm(server: WorkspaceServer, timing: Timing | None = None) -> Timing:
    timing = timing or Timing()
    for prefix in ("/serving-endpoints", "/v1"):
        server.add_route("POST", f"{prefix}/chat/completions", lambda s, r, p: chat_reply(r, timing))
        server.add_route("POST", f"{prefix}/responses", lambda s, r, p: responses_reply(r, timing))
    return timing


def _is_later_delta(payload: str, seen: list[int]) -> bool:
    """Whether this event is a text delta after the first (the ones `between_tokens` spaces out)."""
    if payload == "[DONE]":
        return False
    event = json.loads(payload)
    delta = event.get("type") == "response.output_text.delta" or any(
        "content" in choice.get("delta", {}) for choice in event.get("choices", []))
    if delta:
        seen.append(1)
    return delta and len(seen) > 1


def _reply(model: ModelReply, timing: Timing, wait: float) -> Reply:
    if model.events is None:
        return Reply(model.status, model.body, delay=wait)
    seen: list[int] = []
    delays = [timing.between_tokens if _is_later_delta(e, seen) else 0.0 for e in model.events]
    return Reply(model.status, events=[f"data: {e}\n\n".encode() for e in model.events], delays=delays, delay=wait)


def chat_reply(request: Recorded, timing: Timing) -> Reply:
    body = json.loads(request.body)
    return _reply(chat_completion(body, timing.words_per_token), timing, _wait(body.get("messages", []), timing))


def responses_reply(request: Recorded, timing: Timing) -> Reply:
    body = json.loads(request.body)
    given = body.get("input")
    messages = [{"role": "user", "content": given}] if isinstance(given, str) else list(given or [])
    return _reply(response(body, timing.words_per_token), timing, _wait(messages, timing))
