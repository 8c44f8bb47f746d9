"""The independent self-check, one rule at a time: each broken output below is one that a transformer bug has
produced or could produce, and the check must name the problem. A correct output passes."""

import textwrap

import pytest

from serving2apps.codemod.agent_file import _blocking_messages
from serving2apps.codemod.self_check import check_output

BEFORE = textwrap.dedent('''
    import mlflow
    from mlflow.pyfunc import ResponsesAgent
    from mlflow.types.responses import ResponsesAgentResponse

    try:
        SUFFIX = "!"
    finally:
        pass
    mlflow.autolog()


    class Agent(ResponsesAgent):
        def predict(self, request, params=None):
            return ResponsesAgentResponse(output=[self.create_text_output_item(text="hi" + SUFFIX, id="a")])


    AGENT = Agent()
    mlflow.models.set_model(AGENT)
''')

HANDLERS = textwrap.dedent('''
    @invoke()
    async def invoke_agent(request):
        return await in_worker_thread(predict, request)


    @stream()
    async def stream_agent(request):
        response = await in_worker_thread(predict, request)
        for event in stream_events_from_response(response):
            yield event
''')

GOOD = textwrap.dedent('''
    import mlflow
    from agent_server.adapters import in_worker_thread, stream_events_from_response
    from mlflow.genai.agent_server import invoke, stream
    from mlflow.types.responses import ResponsesAgentResponse, create_text_output_item

    try:
        SUFFIX = "!"
    finally:
        pass
    mlflow.autolog()


    def predict(request):
        return ResponsesAgentResponse(output=[create_text_output_item(text="hi" + SUFFIX, id="a")])
''') + HANDLERS


def problems(after: str, before: str = BEFORE) -> list[str]:
    return check_output(before, after, _blocking_messages).problems


def test_a_correct_output_passes():
    assert problems(GOOD) == []


def test_the_input_unchanged_would_fail():
    assert any("set_model" in p for p in problems(BEFORE))
    assert any("@invoke() is registered 0 times" in p for p in problems(BEFORE))


@pytest.mark.parametrize("broken, expected", [
    (GOOD.replace("def predict(request):", "def predict(request)"), "does not compile"),
    (GOOD.replace('text="hi" + SUFFIX', 'text=self.greeting'), "self is used but no longer defined"),
    (GOOD.replace('text="hi" + SUFFIX', 'text=AGENT.greeting'), "AGENT is used but no longer defined"),
    (GOOD.replace("async def invoke_agent", "def invoke_agent").replace(
        "return await in_worker_thread(predict, request)", "return predict(request)"), "is not async"),
    (GOOD.replace("@stream()\n", ""), "@stream() is registered 0 times"),
    (GOOD.replace("@invoke()\nasync def invoke_agent", "@invoke()\nasync def other(request):\n    return None\n\n\n"
                  "@invoke()\nasync def invoke_agent"), "@invoke() is registered 2 times"),
    (GOOD + "\nmlflow.models.set_model(None)\n", "set_model() is still called"),
    (GOOD.replace('try:\n    SUFFIX = "!"\nfinally:\n    pass\n', 'SUFFIX = "!"\n').replace('SUFFIX = "!"\n', ""),
     "SUFFIX"),
    (GOOD.replace("mlflow.autolog()\n", ""), "the module-level call mlflow.autolog() was lost"),
    (GOOD + "\n\ndef relay(request):\n    return predict(request, None)\n", "predict() takes 1 positional"),
    (GOOD + "\n\ndef relay(request):\n    return predict(request, params=None)\n", "no parameter params"),
    (GOOD.replace("def predict(request):", "@functools.cached_property\ndef predict(request):"),
     "predict is a module function decorated with @cached_property"),
    # What a strategy wrote where it found no entry point to call.
    (GOOD.replace("return await in_worker_thread(predict, request)", "return await in_worker_thread(None, request)"),
     "invoke_agent calls None, which is not a function"),
    (GOOD.replace("response = await in_worker_thread(predict, request)", "response = None(request)"),
     "stream_agent calls None, which is not a function"),
])
def test_each_rule_names_the_problem(broken, expected):
    found = problems(broken)
    assert any(expected in p for p in found), found


ASYNC_GOOD = textwrap.dedent('''
    import time
    from openai import AsyncOpenAI
    from agent_server.adapters import iterate_sync_consumer
    from mlflow.genai.agent_server import invoke, stream
    from mlflow.types.responses import ResponsesAgentResponse, output_to_responses_items_stream

    client = AsyncOpenAI()


    async def ask(request):
        return await client.responses.create(model="m", input="hi")


    async def chunks(request):
        stream = await client.chat.completions.create(model="m", messages=[], stream=True)
        async for item in iterate_sync_consumer(output_to_responses_items_stream, (c.to_dict() async for c in stream)):
            yield item


    @invoke()
    async def invoke_agent(request):
        await ask(request)
        return ResponsesAgentResponse(output=[e.item async for e in chunks(request)])


    @stream()
    async def stream_agent(request):
        async for event in chunks(request):
            yield event
''')
ASYNC_BEFORE = "from openai import OpenAI\nclient = OpenAI()\nimport time\n"


def test_a_correct_async_output_passes():
    assert problems(ASYNC_GOOD, ASYNC_BEFORE) == []


@pytest.mark.parametrize("broken, expected", [
    (ASYNC_GOOD.replace("    await ask(request)\n", "    ask(request)\n"), "ask() (coroutine function) is called without await"),
    (ASYNC_GOOD.replace("[e.item async for e in chunks(request)]", "list(chunks(request))"),
     "chunks() (async generator) is called without async for"),
    (ASYNC_GOOD.replace("iterate_sync_consumer(output_to_responses_items_stream, (c.to_dict() async for c in stream))",
                        "output_to_responses_items_stream(c.to_dict() async for c in stream)"),
     "async generator expression is passed to output_to_responses_items_stream()"),
    (ASYNC_GOOD + "\n\ndef helper():\n    return client.responses.create(model='m', input='x')\n",
     "the async client client.responses.create() is called from synchronous code"),
    (ASYNC_GOOD + "\n\ndef pump(request):\n    for event in chunks(request):\n        yield event\n",
     "chunks() (async generator) is called without async for"),
    (ASYNC_GOOD.replace("async for item in iterate_sync_consumer", "for item in iterate_sync_consumer"),
     "iterate_sync_consumer() (async generator) is called without async for"),
    (ASYNC_GOOD + "\n\nasync def later():\n    time.sleep(1)\n", "time.sleep"),
    (ASYNC_GOOD.replace("    async for item in", "    stream.close()\n    async for item in"),
     "stream.close() closes an async stream only when awaited"),
    (ASYNC_GOOD + "\n\nclass Conn:\n    def __enter__(self):\n        time.sleep(1)\n        return self\n\n"
                  "    def __exit__(self, *exc):\n        return False\n\n\nasync def later():\n    with Conn():\n"
                  "        pass\n", "enters a context manager whose __enter__ or __exit__ may block"),
])
def test_each_async_rule_names_the_problem(broken, expected):
    found = problems(broken, ASYNC_BEFORE)
    assert any(expected in p for p in found), found


PUMP = """

def pump(request):
    loop = asyncio.new_event_loop()
    steps = chunks(request)
    while True:
        try:
            yield loop.run_until_complete(steps.__anext__())
        except StopAsyncIteration:
            break
    loop.run_until_complete(anext(steps, None))
    loop.run_until_complete(steps.aclose())
"""


def test_an_async_generator_driven_step_by_step_through_an_event_loop_passes():
    # Synchronous code may drive an async generator one step at a time on a loop of its own: each step's
    # awaitable is run, so nothing is left unawaited.
    assert problems("import asyncio\n" + ASYNC_GOOD + PUMP, ASYNC_BEFORE) == []


def test_an_async_generator_stepped_through_its_aiter_passes():
    pump = PUMP.replace("    steps = chunks(request)\n", "    steps = chunks(request).__aiter__()\n") \
        .replace("    steps = chunks(request).__aiter__()\n", "    agen = chunks(request)\n    steps = agen.__aiter__()\n")
    assert "agen.__aiter__()" in pump
    assert problems("import asyncio\n" + ASYNC_GOOD + pump, ASYNC_BEFORE) == []
    unrun = pump.replace("yield loop.run_until_complete(steps.__anext__())", "yield steps.__anext__()")
    assert any("chunks() (async generator) is called without async for" in p
               for p in problems("import asyncio\n" + ASYNC_GOOD + unrun, ASYNC_BEFORE))


def test_an_async_generator_step_that_is_never_run_fails():
    broken = "import asyncio\n" + ASYNC_GOOD + PUMP.replace("yield loop.run_until_complete(steps.__anext__())",
                                                           "yield steps.__anext__()")
    assert any("chunks() (async generator) is called without async for" in p for p in problems(broken, ASYNC_BEFORE))


def test_an_input_this_python_cannot_parse_is_reported_not_failed():
    result = check_output("type Alias = int\n", "type Alias = int\n")
    assert result.ok and "newer Python" in result.unchecked


def test_an_async_method_of_the_input_is_the_authors_not_one_the_migration_wrote():
    # The blocking check is for async defs the migration wrote; an async method of the input, now a module
    # function of the same name, keeps what its author put in it (here run by asyncio.run in a worker thread).
    before = ("import asyncio\nfrom tools import lookup\n\n\nclass Agent:\n    async def answer(self, q):\n"
              "        return lookup(q)\n\n    def predict(self, request):\n"
              "        return asyncio.run(self.answer(request))\n")
    after = ("import asyncio\nfrom tools import lookup\n\n\nasync def answer(q):\n    return lookup(q)\n\n\n"
             "def predict(request):\n    return asyncio.run(answer(request))\n")
    assert not any("lookup" in p for p in problems(after, before))
    assert any("lookup" in p for p in problems(after, before.replace("async def answer", "def answer")))


def test_an_agent_driving_its_own_coroutines_migrates_as_functions_in_sync_mode():
    from pathlib import Path

    from serving2apps.codemod.agent_file import migrate_agent_source

    source = (Path(__file__).parent / "async_cases" / "imported_coroutines_awaited.in.py").read_text()
    result = migrate_agent_source(source, "agent.py", mode="sync")
    assert result.strategy == "functions" and not [f for f in result.findings if f.code == "S2A180"]


def test_an_async_context_manager_factory_entered_with_async_with_passes():
    session = ("from contextlib import asynccontextmanager\n\n\n@asynccontextmanager\nasync def session(url):\n"
               "    yield url\n\n\nasync def tools(url):\n    async with session(url) as s:\n        return s\n")
    assert problems(ASYNC_GOOD + "\n\n" + session, ASYNC_BEFORE) == []


def test_what_the_input_already_did_is_not_the_migrations_problem():
    # The input, served as it was, calls its own coroutine function from synchronous code (a callback it hands to
    # a library, say): the output keeping that call is not a new problem; a second such call would be.
    before = "async def ping():\n    return 1\n\n\ndef register(hooks):\n    hooks.append(ping())\n"
    assert problems(ASYNC_GOOD + "\n\n" + before, ASYNC_BEFORE + before) == []
    twice = before + "\n\ndef again(hooks):\n    hooks.append(ping())\n"
    assert any("ping() (coroutine function) is called without await" in p
               for p in problems(ASYNC_GOOD + "\n\n" + twice, ASYNC_BEFORE + before))
