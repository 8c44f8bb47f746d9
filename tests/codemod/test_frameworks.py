"""Agents built on LangGraph (ChatDatabricks), the OpenAI client and the OpenAI Agents SDK, each with a tool call,
answer the same before migration, after sync migration and after async migration. Their model is the fake
OpenAI-compatible server on the loopback workspace (ChatDatabricks reaches it through DATABRICKS_HOST, the
OpenAI clients through OPENAI_BASE_URL)."""

from pathlib import Path

import pytest

from test_behaviour import run_migrated, run_original

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
