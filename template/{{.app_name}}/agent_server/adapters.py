"""Run synchronous agent code from the agent server's async handlers without blocking its event loop.

The MLflow agent server calls handlers on its event loop, so a synchronous handler that waits on a model
stalls every other request (and /health). Migrated sync agents therefore register async handlers that run the
agent's own synchronous code in worker threads. The thread pool size comes from AGENT_WORKER_THREADS
(default 64: the work is mostly waiting on I/O, and each request in flight holds a thread for as long as its
model call takes). Each call runs in a copy of the caller's context, so MLflow
tracing spans and the request headers reach the agent's code. The agent's code always finds an event loop (not
running) in its worker thread, as the thread that served a request in Model Serving had one: code that drives a
coroutine with `asyncio.get_event_loop().run_until_complete(...)` works as it did there.
"""

import asyncio
import contextvars
import os
import queue
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from mlflow.types.responses import ResponsesAgentResponse, ResponsesAgentStreamEvent

T = TypeVar("T")

_pool: ThreadPoolExecutor | None = None
_DONE = object()


def worker_pool() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        size = int(os.environ.get("AGENT_WORKER_THREADS", "64"))
        _pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="agent-worker")
    return _pool


def _with_event_loop(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """func(*args, **kwargs) with an open event loop set for this thread. A thread other than the main one has none
    until it is given one (asyncio.get_event_loop() raises there; nest_asyncio, which async mode removes, used to
    make one on demand), and asyncio.run() leaves none behind, so it is checked before every call."""
    try:
        usable = not asyncio.get_event_loop().is_closed()
    except RuntimeError:
        usable = False
    if not usable:
        asyncio.set_event_loop(asyncio.new_event_loop())
    return func(*args, **kwargs)


async def in_worker_thread(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Await func(*args, **kwargs) run in a worker thread, in a copy of the current context."""
    context = contextvars.copy_context()
    return await asyncio.get_running_loop().run_in_executor(
        worker_pool(), lambda: context.run(_with_event_loop, func, *args, **kwargs))


async def iterate_in_worker_thread(func: Callable[..., Iterable[T]], *args: Any, **kwargs: Any) -> AsyncIterator[T]:
    """Iterate the sync iterable that func(*args, **kwargs) returns, one step each time the caller asks for an item.

    Every step runs in the same worker thread, from the call to the generator's close, as Model Serving ran a whole
    request on one thread: what the generator keeps across its yields and is bound to a thread (a threading.local,
    an RLock held, an sqlite3 connection) stays valid. One context is used for every step, so a span opened by the
    generator stays open across its steps. If the caller stops early (or its request is cancelled), the thread
    closes the generator once the step it is running ends.
    """
    context = contextvars.copy_context()
    loop = asyncio.get_running_loop()
    asks: queue.SimpleQueue[asyncio.Future[Any] | None] = queue.SimpleQueue()

    def answer(future: asyncio.Future[Any], item: Any = None, error: BaseException | None = None) -> None:
        if not future.done():  # a cancelled caller no longer waits
            future.set_exception(error) if error is not None else future.set_result(item)

    def steps() -> None:
        iterator: Iterator[T] | None = None
        try:
            while (future := asks.get()) is not None:
                try:
                    if iterator is None:
                        iterator = iter(_with_event_loop(func, *args, **kwargs))
                    item = _with_event_loop(next, iterator, _DONE)
                except BaseException as error:  # noqa: BLE001  (handed to the caller, raised there)
                    loop.call_soon_threadsafe(answer, future, None, error)
                    return
                loop.call_soon_threadsafe(answer, future, item)
                if item is _DONE:
                    return
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()

    loop.run_in_executor(worker_pool(), context.run, steps)
    try:
        while True:
            future = loop.create_future()
            asks.put(future)
            item = await future
            if item is _DONE:
                return
            yield item
    finally:
        asks.put(None)


async def iterate_sync_consumer(consumer: Callable[..., Iterable[T]], items: AsyncIterable[Any], *args: Any,
                                **kwargs: Any) -> AsyncIterator[T]:
    """Iterate consumer(items, ...) for a synchronous generator function (such as MLflow's
    output_to_responses_items_stream) handed an async iterable: the consumer runs in a worker thread, and each
    item it pulls is fetched on the event loop."""
    loop = asyncio.get_running_loop()
    source = aiter(items)

    async def fetch() -> Any:
        return await anext(source, _DONE)

    def pull() -> Iterator[Any]:
        while (item := asyncio.run_coroutine_threadsafe(fetch(), loop).result()) is not _DONE:
            yield item

    async for event in iterate_in_worker_thread(consumer, pull(), *args, **kwargs):
        yield event


def stream_events_from_response(response: Any) -> Iterator[ResponsesAgentStreamEvent]:
    """The stream of an agent that only answers whole: one output_item.done event per output item."""
    output = response["output"] if isinstance(response, dict) else response.output
    for item in output:
        yield ResponsesAgentStreamEvent(type="response.output_item.done", item=item)


def response_from_stream_events(events: Iterable[Any]) -> ResponsesAgentResponse:
    """The whole answer of an agent that only streams: the items of its output_item.done events."""
    return ResponsesAgentResponse(output=[item for item in map(_done_item, events) if item is not None])


async def response_from_async_stream_events(events: AsyncIterable[Any]) -> ResponsesAgentResponse:
    """response_from_stream_events for an agent whose stream is an async generator."""
    return ResponsesAgentResponse(output=[item async for event in events if (item := _done_item(event)) is not None])


def _overrides(agent: Any, method: str) -> bool:
    """The agent's class defines `method` itself, not only MLflow's base class."""
    for cls in type(agent).__mro__:
        if method in vars(cls):
            return not cls.__module__.startswith("mlflow.")
    return False


class ServedAgent:
    """The agent instance the file handed to mlflow.models.set_model(), served as it is.

    The kept-instance migration replaces `set_model(X)` with `SERVED_AGENT.set(X)`, wherever it was called.
    load_context runs once, when the agent is set, as Model Serving ran it after loading the file; predict and
    predict_stream run in worker threads; a missing entry point is built from the other one. A ChatAgent or
    ChatModel is served through `chat_interface`.
    """

    def __init__(self, context: Any = None):
        self._context = context
        self._agent: Any = None

    def set(self, agent: Any) -> Any:
        if _overrides(agent, "load_context"):
            agent.load_context(self._context)
        from agent_server.chat_interface import ChatAsResponses, chat_kind

        # A ChatAgent or ChatModel answers through the conversion layer, in the Responses format.
        self._agent = ChatAsResponses(agent, self._context) if chat_kind(agent) else agent
        return agent

    @property
    def is_set(self) -> bool:
        return self._agent is not None

    @property
    def agent(self) -> Any:
        if self._agent is None:
            raise RuntimeError("the agent file never reached its set_model() call, so there is no agent to serve")
        return self._agent

    async def invoke(self, request: Any) -> Any:
        agent = self.agent
        if _overrides(agent, "predict") or not _overrides(agent, "predict_stream"):
            return await in_worker_thread(agent.predict, request)
        return await in_worker_thread(lambda: response_from_stream_events(agent.predict_stream(request)))

    async def stream(self, request: Any) -> AsyncIterator[Any]:
        agent = self.agent
        if _overrides(agent, "predict_stream"):
            async for event in iterate_in_worker_thread(agent.predict_stream, request):
                yield event
            return
        for event in stream_events_from_response(await in_worker_thread(agent.predict, request)):
            yield event


def _done_item(event: Any) -> Any:
    data = event if isinstance(event, dict) else event.model_dump(exclude_none=True)
    return data["item"] if data.get("type") == "response.output_item.done" else None
