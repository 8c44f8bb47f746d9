"""The sync → async table the async codemod works from: data only, one entry per verified pair.

Every pair was checked against the installed libraries (openai 2.54, openai-agents 0.24, langchain-core 1.7,
langgraph 1.2, databricks-langchain 0.22, databricks-openai 0.17, databricks-sdk 0.156) by
tests/codemod/test_async_api.py, which imports each name and checks that each async member is a coroutine
function or an async iterator method. The codemod only rewrites what is listed here; any other call it
cannot prove non-blocking runs in a worker thread and is reported.

Receivers are tracked by *kind*: the codemod infers a variable's kind from the call that created it
(`PRODUCERS`), from a method that returns another receiver (`CHAINS`), or from `a | b` of runnables.
"""

from __future__ import annotations

from dataclasses import dataclass

from serving2apps.codemod.names import USER_CLIENT_HELPER, USER_VECTOR_SEARCH_HELPER

# How the async form is consumed.
AWAIT = "await"  # `await x.amethod(...)`
ITERATE = "iterate"  # `async for item in x.amethod(...)`

RUNNABLE = "runnable"  # a LangChain Runnable: chat models, chains, LangGraph compiled graphs
GRAPH_BUILDER = "graph_builder"  # langgraph StateGraph before compile()
OPENAI_CLIENT = "openai_client"  # openai.OpenAI and DatabricksOpenAI (an AsyncOpenAI twin exists)
CHECKPOINTER = "checkpointer"  # databricks_langchain.CheckpointSaver (an async twin exists)
STORE = "store"  # databricks_langchain.DatabricksStore (an async twin exists)
SDK_OPENAI_CLIENT = "sdk_openai_client"  # WorkspaceClient().serving_endpoints.get_open_ai_client(): no async twin
WORKSPACE_CLIENT = "workspace_client"  # databricks.sdk.WorkspaceClient: synchronous only
HTTP_SESSION = "http_session"  # requests.Session, httpx.Client
NATIVE_ASYNC = "native_async"  # already asynchronous clients: their calls are awaited by the code that has them
# A LangGraph graph given a checkpointer or store whose async methods do not work (PostgresSaver, SqliteSaver, a
# saver of the agent's own): LangGraph's base classes raise NotImplementedError from ainvoke/astream's reads and
# writes, so the graph keeps its synchronous methods, in worker threads.
SYNC_GRAPH = "sync_graph"

# Qualified name of a callable → the kind of what it returns.
PRODUCERS: dict[str, str] = {
    "databricks_langchain.ChatDatabricks": RUNNABLE,
    "langchain_openai.ChatOpenAI": RUNNABLE,
    "langchain.chat_models.init_chat_model": RUNNABLE,
    "langgraph.prebuilt.create_react_agent": RUNNABLE,
    "langchain.agents.create_agent": RUNNABLE,
    "langchain_core.prompts.ChatPromptTemplate.from_messages": RUNNABLE,
    "langchain_core.runnables.RunnableLambda": RUNNABLE,
    "langgraph.graph.StateGraph": GRAPH_BUILDER,
    "langgraph.graph.state.StateGraph": GRAPH_BUILDER,
    "openai.OpenAI": OPENAI_CLIENT,
    "databricks_openai.DatabricksOpenAI": OPENAI_CLIENT,
    "databricks_langchain.CheckpointSaver": CHECKPOINTER,
    "databricks_langchain.DatabricksStore": STORE,
    "databricks.sdk.WorkspaceClient": WORKSPACE_CLIENT,
    USER_CLIENT_HELPER: WORKSPACE_CLIENT,  # what user_clients rewrites to
    "requests.Session": HTTP_SESSION,
    "httpx.Client": HTTP_SESSION,
    "openai.AsyncOpenAI": NATIVE_ASYNC,
    "databricks_openai.AsyncDatabricksOpenAI": NATIVE_ASYNC,
    "databricks_langchain.AsyncCheckpointSaver": NATIVE_ASYNC,
    "databricks_langchain.AsyncDatabricksStore": NATIVE_ASYNC,
    "databricks_langchain.DatabricksMultiServerMCPClient": NATIVE_ASYNC,
    # In memory, with working async methods beside the sync ones (nothing blocks): a graph given one runs async.
    "langgraph.checkpoint.memory.InMemorySaver": NATIVE_ASYNC,
    "langgraph.checkpoint.memory.MemorySaver": NATIVE_ASYNC,
    "langgraph.store.memory.InMemoryStore": NATIVE_ASYNC,
}

# How a report names a kind whose identifier does not say it.
KIND_NAMES = {SYNC_GRAPH: "a LangGraph graph whose checkpointer or store has no async methods"}
# Kinds that have async methods the codemod does not use, and why.
WITHHELD = {SYNC_GRAPH: f"{KIND_NAMES[SYNC_GRAPH]} (its ainvoke/astream would raise NotImplementedError)"}

# Producers whose instances set up their async client on their first async call, synchronously (ChatDatabricks
# builds a WorkspaceClient then, which asks the workspace for its host metadata over blocking HTTP). Built once, at
# start-up, that is one wait; built by the function that calls it, on every request, so those calls stay
# synchronous, in worker threads.
ASYNC_SETUP_ON_FIRST_CALL = {"databricks_langchain.ChatDatabricks"}

# Keywords that give a graph (compile(), create_react_agent(), create_agent()) its persistence.
PERSISTENCE_KEYWORDS = {"checkpointer", "store"}

# (kind, method) → kind of the result, for builder-style chains such as llm.bind_tools(tools).
CHAINS: dict[tuple[str, str], str] = {
    **{(RUNNABLE, m): RUNNABLE for m in ("bind_tools", "bind", "with_config", "with_structured_output",
                                          "with_retry", "with_fallbacks", "with_types")},
    # A graph whose persistence is synchronous stays so through the same chains.
    **{(SYNC_GRAPH, m): SYNC_GRAPH for m in ("with_config", "with_retry", "with_fallbacks", "with_types")},
    (GRAPH_BUILDER, "compile"): RUNNABLE,
    (WORKSPACE_CLIENT, "serving_endpoints.get_open_ai_client"): SDK_OPENAI_CLIENT,
}


@dataclass(frozen=True)
class MethodPair:
    name: str  # the async method, on the same receiver (or on its async twin, see CLASS_TWINS)
    style: str  # AWAIT or ITERATE
    # The awaited result is an async iterator when it is iterated (OpenAI's create(stream=True)).
    iterable_result: bool = False


# (kind, dotted method path) → its async form.
METHOD_PAIRS: dict[tuple[str, str], MethodPair] = {
    (RUNNABLE, "invoke"): MethodPair("ainvoke", AWAIT),
    (RUNNABLE, "stream"): MethodPair("astream", ITERATE),
    (RUNNABLE, "batch"): MethodPair("abatch", AWAIT),
    (RUNNABLE, "stream_events"): MethodPair("astream_events", ITERATE),
    (RUNNABLE, "get_state"): MethodPair("aget_state", AWAIT),
    (RUNNABLE, "update_state"): MethodPair("aupdate_state", AWAIT),
    # On the async client the same paths are coroutines; with stream=True the awaited value is an async
    # iterator, so a `for` over it becomes `async for` (the codemod tracks that).
    (OPENAI_CLIENT, "chat.completions.create"): MethodPair("chat.completions.create", AWAIT, iterable_result=True),
    (OPENAI_CLIENT, "responses.create"): MethodPair("responses.create", AWAIT, iterable_result=True),
    (OPENAI_CLIENT, "embeddings.create"): MethodPair("embeddings.create", AWAIT),
    (CHECKPOINTER, "setup"): MethodPair("setup", AWAIT),
    (STORE, "setup"): MethodPair("setup", AWAIT),
    (STORE, "get"): MethodPair("aget", AWAIT),
    (STORE, "put"): MethodPair("aput", AWAIT),
    (STORE, "search"): MethodPair("asearch", AWAIT),
    (STORE, "delete"): MethodPair("adelete", AWAIT),
    (STORE, "batch"): MethodPair("abatch", AWAIT),
}

# Kinds whose async methods live on a different class: the construction changes too, and only when every
# use of the object is converted (otherwise its calls stay synchronous, in a worker thread).
CLASS_TWINS: dict[str, str] = {
    "openai.OpenAI": "openai.AsyncOpenAI",
    "databricks_openai.DatabricksOpenAI": "databricks_openai.AsyncDatabricksOpenAI",
    "databricks_langchain.CheckpointSaver": "databricks_langchain.AsyncCheckpointSaver",
    "databricks_langchain.DatabricksStore": "databricks_langchain.AsyncDatabricksStore",
}
# Twins whose construction also names the app's choice of HTTP transport (agent_server/http_clients.py).
TRANSPORT_CHOICE = {"openai.OpenAI": "agent_server.http_clients.async_http_client"}
# Twins used as context managers: `with` becomes `async with`.
CONTEXT_MANAGER_TWINS = {"databricks_langchain.CheckpointSaver"}


@dataclass(frozen=True)
class FunctionPair:
    name: str  # qualified name of the async function
    style: str


FUNCTION_PAIRS: dict[str, FunctionPair] = {
    "time.sleep": FunctionPair("asyncio.sleep", AWAIT),
    "agents.Runner.run_sync": FunctionPair("agents.Runner.run", AWAIT),
}

# Ways sync code drives a coroutine; inside an async function they become `await <the coroutine>`.
RUN_COROUTINE = {"asyncio.run"}
RUN_COROUTINE_METHODS = {"run_until_complete"}
# A loop made only to run those is dropped with them.
EVENT_LOOP_FACTORIES = {"asyncio.new_event_loop", "asyncio.get_event_loop"}

# Synchronous generator functions that consume an iterable of chunks and yield events. Handed an async
# iterable, they run in a worker thread that pulls each chunk from the event loop
# (`agent_server.adapters.iterate_sync_consumer`); anything else handed an async iterable keeps its path
# synchronous.
SYNC_STREAM_CONSUMERS = {"mlflow.types.responses.output_to_responses_items_stream"}
SYNC_CONSUMER_BRIDGE = "iterate_sync_consumer"

# Statements that only exist to let sync code nest event loops; an async app must not patch its loop.
DROPPED_CALLS = {"nest_asyncio.apply"}

# Known blocking calls with no pair in this table: they run in a worker thread.
BLOCKING_CALLS = {
    *(f"requests.{m}" for m in ("get", "post", "put", "patch", "delete", "head", "options", "request")),
    *(f"httpx.{m}" for m in ("get", "post", "put", "patch", "delete", "head", "options", "request", "stream")),
    "urllib.request.urlopen",
    *(f"subprocess.{m}" for m in ("run", "call", "check_call", "check_output")),
    "socket.create_connection",
    "builtins.open",
    "builtins.input",
}
# Building these asks the workspace for its host metadata over blocking HTTP (databricks-sdk's Config does, for any
# workspace client, and DatabricksOpenAI and the user's vector search credentials build one): in an async function
# they run in a worker thread.
BLOCKING_CONSTRUCTION = {
    "databricks.sdk.WorkspaceClient",
    USER_CLIENT_HELPER,
    USER_VECTOR_SEARCH_HELPER,
    "databricks_openai.DatabricksOpenAI",
}
# Every method of these kinds blocks (there is no async twin, or it was not swapped).
# (A runnable's other methods, such as bind_tools or get_graph, do not block.)
BLOCKING_KINDS = {SDK_OPENAI_CLIENT, WORKSPACE_CLIENT, HTTP_SESSION, OPENAI_CLIENT, CHECKPOINTER, STORE, SYNC_GRAPH}

# Method paths only an OpenAI client has: on a value whose type the codemod cannot infer (a client picked from a
# tuple or a dict, or built where the table cannot follow) the call is a synchronous client's, so it runs in a
# worker thread (the original, synchronous code could not have used an async client's result unawaited).
OPENAI_METHOD_PATHS = {method for kind, method in METHOD_PAIRS if kind == OPENAI_CLIENT}

# Methods that run a LangChain Runnable (a tool, a retriever, a chain): on a value whose type the codemod cannot
# infer (a tool looked up by name, a parameter) they may do I/O, so they run in a worker thread.
RUNNABLE_METHODS = {"invoke", "batch", "run"}

# Imported callables known not to block: called directly from async code. Anything imported and not known
# (here, in the pairs or in BLOCKING_CALLS) runs in a worker thread.
NON_BLOCKING_PREFIXES = (
    "builtins.", "json.", "uuid.", "re.", "datetime.", "math.", "random.", "itertools.", "functools.",
    "collections.", "typing.", "dataclasses.", "copy.", "logging.", "os.environ", "os.getenv", "os.path.",
    "pathlib.PurePath", "pathlib.Path", "string.", "textwrap.", "enum.", "operator.", "asyncio.",
    "mlflow.types.", "mlflow.update_current_trace", "mlflow.get_current_active_span", "mlflow.trace",
    "mlflow.start_span", "mlflow.entities.", "pydantic.", "langchain_core.messages.", "agents.Agent",
    "agents.function_tool", "langchain_core.tools.tool", "time.time", "time.monotonic", "time.perf_counter",
    "agent_server.adapters.", "mlflow.models.ModelConfig",
)
