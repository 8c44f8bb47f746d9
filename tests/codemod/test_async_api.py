"""Every entry of the sync → async table exists in the installed libraries, with the shape the codemod assumes."""

import importlib
import inspect

import pytest

from serving2apps.codemod import async_api as api

# A class standing for each receiver kind: (sync class, async class or None when the same object has both).
KIND_CLASSES = {
    api.RUNNABLE: ("langgraph.graph.state.CompiledStateGraph", None),
    api.OPENAI_CLIENT: ("openai.OpenAI", "openai.AsyncOpenAI"),
    api.CHECKPOINTER: ("databricks_langchain.CheckpointSaver", "databricks_langchain.AsyncCheckpointSaver"),
    # DatabricksStore's methods come from LangGraph's BaseStore, which it extends once databricks-langchain's
    # memory extra is installed (get/put/search/delete and their a-prefixed coroutines).
    api.STORE: ("langgraph.store.base.BaseStore", None),
    (api.STORE, "setup"): ("databricks_langchain.DatabricksStore", "databricks_langchain.AsyncDatabricksStore"),
}


def resolve(dotted: str):
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            value = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            value = getattr(value, attr)
        return value
    raise ImportError(dotted)


def member(cls, path: str):
    """cls's member at a dotted path; OpenAI's resources (client.chat.completions) exist on instances only."""
    if cls.__module__.startswith("openai"):
        target = cls(api_key="not-a-key", base_url="http://127.0.0.1:9/v1")
    else:
        target = cls
    for part in path.split("."):
        target = getattr(target, part)
    return target


def is_async(fn) -> bool:
    fn = inspect.unwrap(fn)
    return inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn)


@pytest.mark.parametrize("name", sorted(api.PRODUCERS))
def test_producers_exist(name, request):
    if name.startswith("agent_server."):  # the app's own helpers: importable from a rendered scaffold
        request.getfixturevalue("agent_scaffold")
    assert callable(resolve(name))


@pytest.mark.parametrize("pair", sorted(api.METHOD_PAIRS), ids=lambda p: f"{p[0]}.{p[1]}")
def test_method_pairs_exist(pair):
    kind, method = pair
    sync_name, async_name = KIND_CLASSES.get(pair) or KIND_CLASSES[kind]
    sync_cls = resolve(sync_name)
    async_cls = resolve(async_name) if async_name else sync_cls
    target = api.METHOD_PAIRS[pair]
    assert callable(member(sync_cls, method)) and not is_async(member(sync_cls, method))
    async_member = member(async_cls, target.name)
    if target.style == api.ITERATE:
        # An async generator method, or a plain method declared to return an async iterator.
        returns = str(inspect.signature(async_member).return_annotation)
        assert inspect.isasyncgenfunction(inspect.unwrap(async_member)) or "AsyncIterator" in returns
    else:
        assert is_async(async_member), f"{async_name or sync_name}.{target.name} is not a coroutine function"


@pytest.mark.parametrize("sync_name", sorted(api.CLASS_TWINS))
def test_class_twins_exist(sync_name):
    sync_cls, async_cls = resolve(sync_name), resolve(api.CLASS_TWINS[sync_name])
    assert inspect.isclass(sync_cls) and inspect.isclass(async_cls)
    if sync_name in api.CONTEXT_MANAGER_TWINS:
        assert hasattr(sync_cls, "__enter__") and hasattr(async_cls, "__aenter__")


@pytest.mark.parametrize("sync_name", sorted(api.FUNCTION_PAIRS))
def test_function_pairs_exist(sync_name):
    pair = api.FUNCTION_PAIRS[sync_name]
    assert not is_async(resolve(sync_name))
    assert is_async(resolve(pair.name))


def test_the_mcp_client_discovers_tools_asynchronously():
    assert is_async(resolve("databricks_langchain.DatabricksMultiServerMCPClient.get_tools"))


@pytest.mark.parametrize("name", sorted(api.BLOCKING_CALLS))
def test_blocking_calls_exist(name):
    assert callable(resolve(name))
