"""Async fixtures that call a model through the OpenAI client are run, not only read: original class, sync
migration and async migration each answer the same request, whole and streamed, against the deterministic
fake model on the loopback workspace. Answers are compared, not status codes: an agent that catches its own
errors (`except Exception: yield "Error: ..."`) would otherwise hide a broken conversion behind a 200."""

from pathlib import Path

import pytest

from test_behaviour import load, reset_registry, run_migrated, run_original, run_registered

from serving2apps.codemod.agent_file import migrate_agent_source

ASYNC_CASES = Path(__file__).parent / "async_cases"
# Every async fixture whose model the fake serves and that needs nothing else. Not here: client_used_elsewhere
# (lists /v1/models), openai_embeddings (embeddings), langgraph_state (a Lakebase checkpointer), runnable_batch_and_events
# (the original cannot stream: LangChain's synchronous stream_events raises NotImplementedError, and only the
# async form streams), and the
# fixtures for MCP, Lakebase and the stores, which need those services.
LIVE = [
    "chain_three_deep",
    "generator_annotations",
    "openai_responses_databricks",
    "runnable_invoke",
    "langgraph_stream",
    "openai_agents_runner",
    "sleep_and_run_until_complete",
    "transitive_helpers",
    "no_async_api",
    "kept_class",
    "generator_to_sync_helper",
    "generator_to_unknown_consumer",
    "helper_caller_stays_sync",
    "helper_used_at_import",
    "openai_chat_stream",
    "stream_returned_by_helper",
    "stream_entered_with",
    "stream_entered_with_a_lock",
    "stream_passed_to_helper",
    "client_passed_to_helper",
    "generator_returns_a_value",
    "tool_functions_looked_up",
    "tool_functions_from_a_loop_or_an_argument",
    "own_class_methods",
    "attributes_of_an_own_instance",
    "attributes_set_outside_init",
    "own_instances_in_containers",
    "lock_held_across_a_call",
    "clients_built_conditionally",
    "coroutine_of_an_own_class",
    "factory_handed_a_model",
    "per_thread_state",
    "own_context_managers",
    "attributes_from_init_parameters",
    "async_generator_pumped",
    "stream_closed_in_finally",
    "own_coroutine_that_blocks",
    "async_generator_method_pumped",
    "generator_function_to_sync_helper",
    "graph_with_sync_checkpointer",
    "graph_with_in_memory_checkpointer",
    "own_contextmanager_generators",
    "own_contextmanager_that_does_not_block",
    "model_built_per_request",
    "user_client_per_request",
    "user_client_beside_an_async_client",
]


def texts(answer: dict) -> list[str]:
    return ["".join(part["text"] for part in item["content"]) for item in answer["output"] if item["type"] == "message"]


# A coroutine left unawaited (an async stream's close(), say) only warns, when it is collected: here it fails the
# case.
@pytest.mark.filterwarnings("error:coroutine .* was never awaited:RuntimeWarning")
@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("name", LIVE)
def test_async_fixture_answers_like_the_original(name, model_env, agent_scaffold, tmp_path):
    source = (ASYNC_CASES / f"{name}.in.py").read_text()
    original_answer, original_events = run_original(tmp_path / "original.py", source)
    assert texts(original_answer) and not any(t.startswith("Error") for t in texts(original_answer))
    for mode in ("sync", "async"):
        result = migrate_agent_source(source, "agent.py", mode=mode)
        answer, events = run_migrated(tmp_path / f"{mode}.py", result.code)
        assert texts(answer) == texts(original_answer), mode
        if events is None:  # the class was kept and cannot stream, like the original
            assert original_events is None, mode
            continue
        done = [e["item"] for e in events if e["type"] == "response.output_item.done"]
        if original_events is not None:
            assert texts({"output": done}) == texts({"output": [e["item"] for e in original_events
                                                                if e["type"] == "response.output_item.done"]}), mode
        else:
            assert texts({"output": done}) == texts(original_answer), mode


def test_a_converted_openai_client_runs_on_aiohttps_transport_and_answers(model_env, agent_scaffold, tmp_path):
    import httpx_aiohttp

    source = (ASYNC_CASES / "openai_chat_stream.in.py").read_text()
    reset_registry()
    migrated = load(tmp_path / "async.py", migrate_agent_source(source, "agent.py", mode="async").code)
    assert isinstance(migrated.client._client, httpx_aiohttp.HttpxAiohttpClient)
    answer, events = run_registered()
    assert texts(answer) and texts(answer) == texts({"output": [
        e["item"] for e in events if e["type"] == "response.output_item.done"]})


@pytest.mark.parametrize("missing", ["the transport", "httpx-aiohttp"])
def test_without_aiohttps_transport_the_client_keeps_openais_default(agent_scaffold, monkeypatch, missing):
    import openai

    from agent_server.http_clients import async_http_client

    if missing == "the transport":  # an openai older than DefaultAioHttpClient
        monkeypatch.delattr(openai, "DefaultAioHttpClient")
    else:  # openai's own stand-in when httpx-aiohttp is not installed
        class NoAiohttp:
            def __init__(self, **kwargs):
                raise RuntimeError("To use the aiohttp client you must have installed the package with the `aiohttp` extra")

        monkeypatch.setattr(openai, "DefaultAioHttpClient", NoAiohttp)
    assert async_http_client() is None
    client = openai.AsyncOpenAI(api_key="unused", base_url="http://127.0.0.1:9", http_client=async_http_client())
    assert not type(client._client).__module__.startswith("httpx_aiohttp")
