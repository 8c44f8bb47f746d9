"""Two answers to the same request compared as verify compares them: whole answers by their output items, streams by
their finished items, ids and empty fields ignored (they differ on every run).

Standard library and httpx only: verify copies this module into the app (tests/replay_support/) with the replay
server, for the regression test the app keeps; both ask the app with `ask_app`.
"""

from __future__ import annotations

import json

import httpx

_IDS = {"id", "item_id", "call_id", "trace_id"}


def strip_ids(value):
    if isinstance(value, dict):
        return {k: strip_ids(v) for k, v in value.items() if k not in _IDS and v is not None}
    if isinstance(value, list):
        return [strip_ids(v) for v in value]
    return value


def finished_items(events: list[dict]) -> list[dict]:
    return [e["item"] for e in events if e.get("type") == "response.output_item.done"]


def original_finished(expected: dict) -> list[dict]:
    """The original's streamed items; its whole answer's items when it could not stream."""
    if expected["stream"] is not None:
        return finished_items(expected["stream"])
    return expected["invoke"].get("output") or []


def same(expected: dict, answer: dict, events: list[dict]) -> tuple[bool, bool]:
    """(whole answers the same, streamed answers the same), ids ignored. `expected` holds the original's whole
    answer ("invoke") and its stream events ("stream", None when it had no stream)."""
    return (strip_ids(answer.get("output")) == strip_ids(expected["invoke"].get("output")),
            strip_ids(finished_items(events)) == strip_ids(original_finished(expected)))


class AppAnswerError(Exception):
    """The app answered a request with an error; `streaming` says whether it was the streamed call."""

    def __init__(self, problem: str, streaming: bool):
        super().__init__(problem)
        self.streaming = streaming


def ask_app(base: str, request: dict, timeout: float) -> tuple[dict, list[dict]]:
    """The app's whole answer and its stream's events for one request (POST /invocations, then with "stream")."""
    answer = httpx.post(base + "/invocations", json=request, timeout=timeout)
    if answer.status_code != 200:
        raise AppAnswerError(f"the migrated app answered /invocations with HTTP {answer.status_code}: "
                             f"{answer.text[:500]}", streaming=False)
    with httpx.stream("POST", base + "/invocations", json={**request, "stream": True}, timeout=timeout) as s:
        events = [json.loads(line[len("data: "):]) for line in s.iter_lines()
                  if line.startswith("data: ") and line != "data: [DONE]"]
    errors = [e for e in events if "error" in e]
    if errors:
        raise AppAnswerError(f"the migrated app's stream failed: {errors[0]['error']}", streaming=True)
    return answer.json(), events
