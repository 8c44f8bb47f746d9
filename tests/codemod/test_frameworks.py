"""Agents built on LangGraph (ChatDatabricks), the OpenAI client and the OpenAI Agents SDK, each with a tool call,
answer the same before migration, after sync migration and after async migration. Their model is the fake
OpenAI-compatible server on the loopback workspace (ChatDatabricks reaches it through DATABRICKS_HOST, the
OpenAI clients through OPENAI_BASE_URL)."""

import json
from pathlib import Path

import httpx
import pytest

from engines import render_bundle_init
from servers import running_agent_app
from test_behaviour import REQUEST, run_migrated, run_original

from serving2apps.codemod.agent_file import migrate_agent_source

AGENTS = Path(__file__).parent.parent / "framework_agents"


def essentials(answer: dict) -> list[tuple]:
    """What a user sees of each output item, without ids (LangGraph makes random message ids)."""
    seen = []
    for item in answer["output"]:
        if item["type"] == "message":
            seen.append(("text", "".join(part["text"] for part in item["content"])))
        elif item["type"] == "function_call":
            seen.append(("call", item["name"], item["arguments"]))
        elif item["type"] == "function_call_output":
            seen.append(("result", item["output"]))
    return seen


def streamed(events: list[dict]) -> tuple[str, list[tuple]]:
    deltas = "".join(e["delta"] for e in events if e["type"] == "response.output_text.delta")
    return deltas, essentials({"output": [e["item"] for e in events if e["type"] == "response.output_item.done"]})


EXPECTED = {
    "langgraph_weather": [("call", "get_weather", '{"city": "hello"}'), ("result", "sunny in hello"),
                          ("text", "Answer: sunny in hello")],
    # The graph comes from a factory function: async mode reads its returned StateGraph(...).compile() to pair
    # graph.stream with astream.
    "langgraph_factory_weather": [("call", "get_weather", '{"city": "hello"}'), ("result", "sunny in hello"),
                                  ("text", "Answer: sunny in hello")],
    "openai_orders": [("call", "lookup_order", '{"order_id": "hello"}'), ("result", "order hello shipped"),
                      ("text", "Answer: order hello shipped")],
    "agents_sdk_orders": [("text", "Answer: order hello shipped")],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_original_sync_and_async_forms_answer_the_same(name, model_env, agent_scaffold, tmp_path):
    source = (AGENTS / f"{name}.py").read_text()
    original_answer, original_events = run_original(tmp_path / "original.py", source)
    assert essentials(original_answer) == EXPECTED[name]
    model_env.requests.clear()
    for mode in ("sync", "async"):
        result = migrate_agent_source(source, "agent.py", mode=mode)
        assert result.strategy == "functions"
        codes = {f.code for f in result.findings}
        assert ("S2A170" in codes) == (mode == "async") and "S2A179" not in codes
        answer, events = run_migrated(tmp_path / f"{mode}.py", result.code)
        assert essentials(answer) == EXPECTED[name], mode
        if original_events is not None:
            assert streamed(events) == streamed(original_events), mode
    # Every model call went to the fake server, authenticated.
    assert model_env.requests and all(r.headers["authorization"] == f"Bearer {model_env.token}"
                                      for r in model_env.authenticated_requests())


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_an_agent_that_runs_its_coroutines_on_the_threads_event_loop_serves(mode, model_env, go_renderer, tmp_path):
    """Served by the real agent server, not in this process: nest_asyncio patches asyncio process-wide. Sync mode
    keeps nest_asyncio.apply(); async mode removes it (S2A174), converts predict, and leaves predict_stream
    (a nested coroutine driven by run_until_complete) synchronous in a worker thread, whose own event loop
    asyncio.get_event_loop() then returns."""
    result = migrate_agent_source((AGENTS / "agents_sdk_event_loop.py").read_text(), "agent.py", mode=mode)
    codes = {f.code for f in result.findings}
    assert result.strategy == "functions" and "S2A179" not in codes
    assert ("S2A174" in codes) == ("S2A170" in codes) == (mode == "async")
    assert render_bundle_init(go_renderer, {"app_name": "loop-app"}, tmp_path).returncode == 0
    app = tmp_path / "loop-app"
    (app / "agent_server" / "agent.py").write_text(result.code)
    env = {"OPENAI_BASE_URL": f"{model_env.url}/v1", "OPENAI_API_KEY": model_env.token}
    with running_agent_app(app, tmp_path / "server.log", env) as base:
        whole = httpx.post(f"{base}/invocations", json=REQUEST, timeout=60)
        assert whole.status_code == 200, whole.text
        assert essentials(whole.json()) == EXPECTED["agents_sdk_orders"]
        with httpx.stream("POST", f"{base}/invocations", json={**REQUEST, "stream": True}, timeout=60) as answer:
            events = [json.loads(line[len("data: "):]) for line in answer.iter_lines()
                      if line.startswith("data: ") and line != "data: [DONE]"]
    assert not [e for e in events if "error" in e], events
    assert streamed(events) == ("Answer: order hello shipped", EXPECTED["agents_sdk_orders"])
