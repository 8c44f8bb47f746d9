"""The scaffold's adapters (agent_server/adapters.py) run synchronous agent code for the async handlers: a
synchronous stream is iterated in one worker thread from start to close, as Model Serving ran a request."""

import asyncio
import contextvars
import importlib.util
import threading
import time

import pytest

from engines import render_bundle_init


@pytest.fixture(scope="module")
def adapters(go_renderer, tmp_path_factory):
    out = tmp_path_factory.mktemp("adapters-app")
    assert render_bundle_init(go_renderer, {"app_name": "adapters"}, out).returncode == 0
    path = out / "adapters" / "agent_server" / "adapters.py"
    spec = importlib.util.spec_from_file_location("scaffold_adapters", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


REQUEST_USER = contextvars.ContextVar("request_user", default=None)


def test_a_stream_runs_in_one_thread_from_its_call_to_its_close(adapters):
    local = threading.local()
    seen: list[tuple[str, int]] = []

    def stream(user):
        local.user = user  # kept across the yields, as an agent keeps a thread-bound value
        try:
            for word in ("one", "two", "three"):
                seen.append((word, threading.get_ident()))
                yield f"{word} for {local.user} ({REQUEST_USER.get()})"
        finally:
            seen.append(("closed", threading.get_ident()))

    async def consume(user):
        REQUEST_USER.set(user)
        return [item async for item in adapters.iterate_in_worker_thread(stream, user)]

    async def both():
        return await asyncio.gather(consume("ann"), consume("bob"))

    ann, bob = asyncio.run(both())
    assert ann == ["one for ann (ann)", "two for ann (ann)", "three for ann (ann)"]
    assert bob == ["one for bob (bob)", "two for bob (bob)", "three for bob (bob)"]
    threads = {thread for _, thread in seen}
    assert len(threads) == 2 and threading.get_ident() not in threads  # one worker thread per stream
    for thread in threads:
        assert [word for word, t in seen if t == thread] == ["one", "two", "three", "closed"]


def test_a_caller_that_stops_early_gets_the_stream_closed_in_its_thread(adapters):
    steps: list[tuple[str, int]] = []
    closed = threading.Event()

    def stream():
        try:
            for n in range(100):
                steps.append(("step", threading.get_ident()))
                yield n
        finally:
            steps.append(("closed", threading.get_ident()))
            closed.set()

    async def first_two():
        iterator = adapters.iterate_in_worker_thread(stream)
        taken = [await anext(iterator), await anext(iterator)]
        await iterator.aclose()
        return taken

    assert asyncio.run(first_two()) == [0, 1]
    assert closed.wait(5)
    assert [kind for kind, _ in steps] == ["step", "step", "closed"]  # no step beyond what was asked for
    assert len({thread for _, thread in steps}) == 1


def test_a_cancelled_caller_leaves_the_step_to_finish_then_the_stream_is_closed(adapters):
    closed = threading.Event()
    errors: list[BaseException] = []

    def stream():
        try:
            yield "first"
            time.sleep(0.3)  # a model call in flight when the request is cancelled
            yield "second"
        except BaseException as error:  # GeneratorExit expected; anything else is a bug
            if not isinstance(error, GeneratorExit):
                errors.append(error)
            raise
        finally:
            closed.set()

    async def cancelled():
        async def consume():
            async for _ in adapters.iterate_in_worker_thread(stream):
                pass

        task = asyncio.create_task(consume())
        await asyncio.sleep(0.1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(cancelled())
    assert closed.wait(5) and not errors


def test_an_error_in_the_stream_reaches_the_caller(adapters):
    def stream():
        yield "ok"
        raise ValueError("the tool failed")

    def not_a_stream():
        raise KeyError("no such index")

    async def consume(func):
        return [item async for item in adapters.iterate_in_worker_thread(func)]

    with pytest.raises(ValueError, match="the tool failed"):
        asyncio.run(consume(stream))
    with pytest.raises(KeyError, match="no such index"):
        asyncio.run(consume(not_a_stream))


def test_agent_code_can_drive_a_coroutine_on_its_threads_event_loop(adapters):
    """Model Serving ran a request on a thread with an event loop; agent code that calls
    asyncio.get_event_loop().run_until_complete(...) keeps working in a worker thread, streams included, and after
    asyncio.run() on that thread."""
    async def lookup(word):
        await asyncio.sleep(0)
        return word.upper()

    def answer(text):
        return asyncio.get_event_loop().run_until_complete(lookup(text))

    def stream(text):
        first, *rest = text.split()
        yield asyncio.run(lookup(first))  # leaves the thread without an event loop
        for word in rest:  # a later step, on the same thread
            yield asyncio.get_event_loop().run_until_complete(lookup(word))

    async def both():
        return (await adapters.in_worker_thread(answer, "hi"),
                [word async for word in adapters.iterate_in_worker_thread(stream, "a b c")])

    assert asyncio.run(both()) == ("HI", ["A", "B", "C"])
