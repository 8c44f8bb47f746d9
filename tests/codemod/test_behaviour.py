"""The migrated functions answer like the original class: each runnable case is executed both ways, invoke
and stream, on the same request, and the outputs are compared."""

import asyncio
import inspect
import importlib.util
import uuid

import mlflow.genai.agent_server.server as agent_server_registry
import mlflow.models.model
import pytest
from mlflow.types.responses import ResponsesAgentRequest

from test_agent_file import CASES, NAMES, artifacts_of, header

from serving2apps.codemod.agent_file import migrate_agent_source

RUNNABLE = [n for n in NAMES if header((CASES / f"{n}.in.py").read_text(), "behaviour") is None]
REQUEST = {"input": [{"role": "user", "content": "hello"}], "custom_inputs": {"thread_id": "t-1"}}


def load(path, source):
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(f"case_{uuid.uuid4().hex}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def plain(value):
    return value if isinstance(value, dict) else value.model_dump(exclude_none=True)


def reset_registry():
    agent_server_registry._invoke_function = None
    agent_server_registry._stream_function = None


def run_original(path, source):
    mlflow.models.model.__mlflow_model__ = None
    reset_registry()
    load(path, source)
    agent = mlflow.models.model.__mlflow_model__
    if agent is None:  # a file that only registers handlers: they are what it serves
        return run_registered()
    request = ResponsesAgentRequest(**REQUEST)
    answer = plain(agent.predict(request))
    try:
        events = [plain(e) for e in agent.predict_stream(ResponsesAgentRequest(**REQUEST))]
    except NotImplementedError:
        events = None  # the original could not stream; the migrated one builds a stream from predict
    return answer, events


def run_migrated(path, source):
    reset_registry()
    load(path, source)
    return run_registered()


def run_registered():
    invoke = agent_server_registry.get_invoke_function()
    stream = agent_server_registry.get_stream_function()

    async def both():
        # An original file may register synchronous handlers, or only @invoke.
        answer = invoke(ResponsesAgentRequest(**REQUEST))
        answer = plain(await answer if inspect.isawaitable(answer) else answer)
        if stream is None:
            return answer, None
        try:
            events = stream(ResponsesAgentRequest(**REQUEST))
            if hasattr(events, "__aiter__"):
                events = [plain(e) async for e in events]
            else:
                events = [plain(e) for e in events]
        except NotImplementedError:
            events = None  # the class is kept and cannot stream, like the original
        return answer, events

    return asyncio.run(both())


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("name", RUNNABLE)
def test_migrated_answers_like_the_original(name, mode, agent_scaffold, tmp_path):
    before = (CASES / f"{name}.in.py").read_text()
    after = migrate_agent_source(before, "agent.py", artifacts_of(before), mode=mode).code
    original_answer, original_events = run_original(tmp_path / "original.py", before)
    migrated_answer, migrated_events = run_migrated(tmp_path / "migrated.py", after)
    assert migrated_answer == original_answer
    if original_events is None and migrated_events is not None:
        done = [e["item"] for e in migrated_events if e["type"] == "response.output_item.done"]
        assert done == original_answer["output"]
    else:
        assert migrated_events == original_events


def test_most_cases_are_compared():
    assert len(RUNNABLE) >= 25
