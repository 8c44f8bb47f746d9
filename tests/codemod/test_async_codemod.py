"""Before/after fixtures for async mode (async_cases/*.in.py → *.out.py), in the format of test_agent_file.

One case per entry of the sync → async table, plus the thread fallback and the don't-touch cases. Each case
also checks that the output parses, that a second run changes nothing, that no undefined name appears, and
that the blocking-call check finds nothing (S2A179 would be a codemod bug). Every sync-mode case is run in
async mode too: the same checks hold, and an agent with nothing async to convert comes out as in sync mode.
Regenerate the outputs with SERVING2APPS_UPDATE_GOLDENS=1, then read every diff before committing.
"""

import os
from pathlib import Path

import libcst as cst
import pytest

from test_agent_file import CASES, NAMES, artifacts_of, check_refused, header, python311_can_parse, undefined_names

from serving2apps.codemod.agent_file import migrate_agent_source
from serving2apps.codemod.to_async import blocking_calls_in_async, per_thread_state_in

ASYNC_CASES = Path(__file__).parent / "async_cases"
ASYNC_NAMES = sorted(p.name[: -len(".in.py")] for p in ASYNC_CASES.glob("*.in.py"))


def migrate(source, before=""):
    return migrate_agent_source(source, "agent.py", artifacts_of(before or source), header(before or source, "model_config"),
                                mode="async")


def check_output(before: str, result) -> None:
    cst.parse_module(result.code)
    assert "S2A179" not in {f.code for f in result.findings}
    again = migrate(result.code, before)
    assert again.code == result.code and again.strategy == "unchanged"
    if python311_can_parse(before):
        assert undefined_names(result.code) <= undefined_names(before)


@pytest.mark.parametrize("name", ASYNC_NAMES)
def test_async_case(name):
    before = (ASYNC_CASES / f"{name}.in.py").read_text()
    expected_strategy, *expected_codes = header(before, "expect").split()
    result = migrate(before)
    golden = ASYNC_CASES / f"{name}.out.py"
    if os.environ.get("SERVING2APPS_UPDATE_GOLDENS"):
        golden.write_text(result.code)
    assert result.code == golden.read_text()
    assert result.strategy == expected_strategy
    assert sorted({f.code for f in result.findings}) == sorted(expected_codes)
    check_output(before, result)


@pytest.mark.parametrize("name", NAMES)
def test_sync_cases_in_async_mode(name):
    before = (CASES / f"{name}.in.py").read_text()
    expected_strategy, *expected_codes = header(before, "expect").split()
    if expected_strategy == "refused":
        return check_refused(before, expected_codes, mode="async")
    result = migrate(before)
    check_output(before, result)
    codes = {f.code for f in result.findings}
    if codes & {"S2A172", "S2A176"} or result.strategy == "unchanged":
        sync = migrate_agent_source(before, "agent.py", artifacts_of(before), header(before, "model_config"))
        assert result.code == sync.code


def test_thread_fallback_is_reported_per_call_site():
    result = migrate((ASYNC_CASES / "thread_fallback.in.py").read_text())
    fallbacks = sorted(f.message for f in result.findings if f.code == "S2A171")
    assert len(fallbacks) == 5
    assert any("vendor_search.rerank" in m for m in fallbacks)
    assert any("_weather()" in m for m in fallbacks)
    assert all(m.startswith("in predict,") for m in fallbacks)


def test_a_client_built_on_every_call_says_why_it_stays_synchronous():
    """Only a client built once, at start-up, is swapped for its async class: the report names the one built per
    call rather than saying nothing has an async form."""
    result = migrate((ASYNC_CASES / "user_client_per_request.in.py").read_text())
    assert [f.message for f in result.findings if f.code == "S2A172"] == [
        "client is built in predict, on every call: only a client built once, at start-up, is swapped for its async "
        "class, and nothing else the agent calls has an async form serving2apps knows; predict/predict_stream stay "
        "synchronous and run in worker threads"]


def test_a_handle_a_client_returned_blocks_like_the_client():
    result = migrate((ASYNC_CASES / "client_handle.in.py").read_text())
    (fallback,) = [f.message for f in result.findings if f.code == "S2A171"]
    assert fallback.startswith("in _search, index.similarity_search (an object from "
                               "databricks.vector_search.client.VectorSearchClient)")


def test_the_reason_names_what_had_to_stay_synchronous():
    code = (
        "import time\n"
        "import mlflow\n"
        "import requests\n"
        "from mlflow.pyfunc import ResponsesAgent\n"
        "from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse\n\n\n"
        "class A(ResponsesAgent):\n"
        "    def _pages(self):\n"
        "        time.sleep(0.01)\n"
        "        return [(lambda u: requests.get(u).text)(u) for u in ['https://a.example']]\n\n"
        "    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:\n"
        "        return ResponsesAgentResponse(output=[self.create_text_output_item(text=str(self._pages()), id='m')])\n\n\n"
        "mlflow.models.set_model(A())\n"
    )
    (reason,) = [f.message for f in migrate(code).findings if f.code == "S2A172"]
    assert reason.startswith("the calls with an async form sit in functions that must stay synchronous (_pages)")


STREAM_AGENT = (
    "import mlflow\n"
    "from openai import OpenAI\n"
    "from mlflow.pyfunc import ResponsesAgent\n"
    "from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse\n\n"
    "client = OpenAI()\n\n\n"
    "def collect(stream):\n"
    "    return ''.join(c.choices[0].delta.content or '' for c in stream if c.choices)\n\n\n"
    "class A(ResponsesAgent):\n"
    "    def _text(self, msgs, streaming):\n"
    "{body}\n\n"
    "    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:\n"
    "        msgs = [{{'role': m.role, 'content': m.content}} for m in request.input]\n"
    "        return ResponsesAgentResponse(output=[self.create_text_output_item(text=self._text(msgs, True), id='m')])\n\n\n"
    "mlflow.models.set_model(A())\n"
)


@pytest.mark.parametrize("body", [
    # chosen by a conditional expression
    "        s = client.chat.completions.create(model='m', messages=msgs, stream=True) if streaming else None\n"
    "        return ''.join(c.choices[0].delta.content or '' for c in s if c.choices)",
    # kept in a list, iterated later
    "        streams = [client.chat.completions.create(model='m', messages=msgs, stream=True)]\n"
    "        return ''.join(''.join(c.choices[0].delta.content or '' for c in s if c.choices) for s in streams)",
    # bound by a walrus in the loop itself
    "        parts = []\n"
    "        for c in (s := client.chat.completions.create(model='m', messages=msgs, stream=True)):\n"
    "            parts.append(c.choices[0].delta.content or '' if c.choices else '')\n"
    "        return ''.join(parts)",
    # handed to a synchronous helper, directly or through a local
    "        return collect(client.chat.completions.create(model='m', messages=msgs, stream=streaming))",
    "        s = client.chat.completions.create(model='m', messages=msgs, stream=True)\n"
    "        return collect(s)",
    # its options in **kwargs, which may hold stream=True
    "        options = {'model': 'm', 'messages': msgs, 'stream': streaming}\n"
    "        return collect(client.chat.completions.create(**options))",
], ids=["conditional", "list", "walrus", "helper", "helper_through_local", "kwargs"])
def test_a_stream_that_goes_where_async_for_cannot_follow_stays_synchronous(body):
    """Each of these would hand an async stream to code that iterates it synchronously ('AsyncStream' object is
    not iterable at the first request), so the function stays synchronous, and the reason names it."""
    result = migrate(STREAM_AGENT.format(body=body))
    (reason,) = [f.message for f in result.findings if f.code == "S2A172"]
    assert reason.startswith("the calls with an async form sit in functions that must stay synchronous (_text)")
    assert "AsyncOpenAI" not in result.code


LAZY_RESULT_AGENT = (
    "import mlflow\n"
    "import requests\n"
    "from openai import OpenAI\n"
    "from mlflow.pyfunc import ResponsesAgent\n"
    "from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse\n\n"
    "client = OpenAI()\n\n\n"
    "class A(ResponsesAgent):\n"
    "    def _text(self, msgs):\n"
    "{body}\n"
    "        return client.chat.completions.create(model='m', messages=msgs).choices[0].message.content + str(rows)\n\n"
    "    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:\n"
    "        msgs = [{{'role': m.role, 'content': m.content}} for m in request.input]\n"
    "        return ResponsesAgentResponse(output=[self.create_text_output_item(text=self._text(msgs), id='m')])\n\n\n"
    "mlflow.models.set_model(A())\n"
)


@pytest.mark.parametrize("body", [
    "        response = requests.get('https://example', stream=True)\n        rows = response.json()",
    "        rows = requests.get('https://example', stream=True).json()",
], ids=["through_a_local", "chained"])
def test_a_method_called_on_what_a_worker_thread_returned_keeps_the_function_synchronous(body):
    """The response may be lazy (here a streamed body): reading it on the event loop would block it, so the function
    runs in a worker thread as a whole, whether the result is held in a local or used on the spot."""
    result = migrate(LAZY_RESULT_AGENT.format(body=body))
    (reason,) = [f.message for f in result.findings if f.code == "S2A172"]
    assert reason.startswith("the calls with an async form sit in functions that must stay synchronous (_text)")
    assert "in_worker_thread(requests.get" not in result.code


LOCK_AGENT = (
    "import threading\n"
    "import mlflow\n"
    "from databricks_langchain import ChatDatabricks\n"
    "from mlflow.pyfunc import ResponsesAgent\n"
    "from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse\n\n"
    "llm = ChatDatabricks(endpoint='m')\n"
    "GUARD = threading.RLock()\n\n\n"
    "class A(ResponsesAgent):\n"
    "    def __init__(self):\n"
    "        self.state_lock = make_guard()\n"
    "        self.clock = Clock()\n\n"
    "    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:\n"
    "        msgs = [{{'role': m.role, 'content': m.content}} for m in request.input]\n"
    "{body}\n"
    "        return ResponsesAgentResponse(output=[self.create_text_output_item(text=text, id='m')])\n\n\n"
    "mlflow.models.set_model(A())\n"
)


@pytest.mark.parametrize("body, converts", [
    ("        with GUARD:\n            text = llm.invoke(msgs).content", False),  # built by threading
    ("        with self.state_lock:\n            text = llm.invoke(msgs).content", False),  # named like a lock
    ("        GUARD.acquire()\n        text = llm.invoke(msgs).content\n        GUARD.release()", False),
    ("        with GUARD:\n            n = len(msgs)\n        text = llm.invoke(msgs).content", True),  # not held
    ("        with self.clock:\n            text = llm.invoke(msgs).content", True),  # a clock is no lock
], ids=["threading", "named", "acquire", "not_across", "clock"])
def test_a_thread_lock_is_never_held_across_an_await(body, converts):
    result = migrate(LOCK_AGENT.format(body=body))
    assert ("async def predict" in result.code) is converts
    if not converts:
        (reason,) = [f.message for f in result.findings if f.code == "S2A172"]
        assert "(predict)" in reason


def test_the_blocking_call_check_finds_what_was_left():
    code = (
        "import time\n"
        "import requests\n"
        "from databricks_langchain import ChatDatabricks\n"
        "llm = ChatDatabricks(endpoint='x')\n"
        "def helper():\n"
        "    return requests.get('https://example').text\n"
        "async def handler(request):\n"
        "    time.sleep(1)\n"
        "    text = helper()\n"
        "    return llm.invoke(text), await llm.ainvoke(text)\n"
    )
    found = blocking_calls_in_async(code, "agent.py", {"handler"})
    assert [(f.code, f.line) for f in found] == [("S2A179", 8), ("S2A179", 9), ("S2A179", 10)]
    assert "time.sleep" in found[0].message and "helper" in found[1].message and "invoke" in found[2].message
    assert blocking_calls_in_async(code, "agent.py", set()) == []


def test_the_blocking_call_check_finds_a_lock_held_across_an_await_and_a_client_it_cannot_type():
    code = (
        "import threading\n"
        "LOCK = threading.Lock()\n"
        "async def handler(clients, msgs):\n"
        "    with LOCK:\n"
        "        await other()\n"
        "    return clients['a'].chat.completions.create(model='m', messages=msgs)\n"
    )
    found = blocking_calls_in_async(code, "agent.py", {"handler"})
    assert sorted((f.line, f.message) for f in found) == [
        (4, "handler awaits while holding a thread lock"),
        (6, "handler calls clients['a'].chat.completions.create() directly inside async def")]


UNTYPED_RECEIVER_AGENT = (
    "import requests\n"
    "import mlflow\n"
    "from databricks_langchain import ChatDatabricks\n"
    "from mlflow.pyfunc import ResponsesAgent\n"
    "from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse\n\n"
    "llm = ChatDatabricks(endpoint='m')\n\n\n"
    "class Source:\n"
    "    def __init__(self, url):\n"
    "        self.url = url\n\n"
    "    def search(self, q):\n"
    "        return requests.get(self.url, params={{'q': q}}).text\n\n"
    "    def get(self, key):\n"
    "        return requests.get(self.url + key).text\n\n"
    "    def size(self):\n"
    "        return len(self.url)\n\n\n"
    "SOURCES = [Source('https://a'), Source('https://b')]\n"
    "OPTIONS = {{'k': 'v'}}\n\n\n"
    "class A(ResponsesAgent):\n"
    "    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:\n"
    "        msgs = [{{'role': m.role, 'content': m.content}} for m in request.input]\n"
    "        text = llm.invoke(msgs).content\n"
    "        for source in SOURCES:\n"
    "            text += {call}\n"
    "        return ResponsesAgentResponse(output=[self.create_text_output_item(text=text, id='m')])\n\n\n"
    "mlflow.models.set_model(A())\n"
)


@pytest.mark.parametrize("call, method, threaded", [
    ("source.search('q')", "source.search", True),  # only the module's class has a `search`, and it blocks
    ("str(source.size())", "source.size", False),  # the module's `size` calls nothing but builtins
    ("OPTIONS.get('k')", "OPTIONS.get", False),  # `get` is a dict's before it is the module class's
], ids=["blocking_method", "pure_method", "builtin_method_name"])
def test_a_method_of_the_modules_class_on_a_value_of_unknown_type(call, method, threaded):
    """An item of a container or a loop variable cannot be typed: a call of a method only the module's own classes
    define, and that may block, runs in a worker thread; a builtin value's method name is left alone."""
    result = migrate(UNTYPED_RECEIVER_AGENT.format(call=call))
    assert "async def predict" in result.code
    assert (f"in_worker_thread({method}" in result.code) is threaded
    check_output(UNTYPED_RECEIVER_AGENT.format(call=call), result)


def test_a_graph_with_a_synchronous_checkpointer_is_named_as_the_reason():
    result = migrate((ASYNC_CASES / "graph_with_sync_checkpointer.in.py").read_text())
    [reason] = [f.message for f in result.findings if f.code == "S2A172"]
    assert "a LangGraph graph whose checkpointer or store has no async methods" in reason
    assert "NotImplementedError" in reason


def test_a_generator_annotation_whose_async_name_means_something_else_stays():
    """The async counterpart's name is the module's own class here: importing it would shadow that, so the
    annotation of the generator made async stays as written (it only annotates)."""
    source = (ASYNC_CASES / "generator_annotations.in.py").read_text().replace(
        "client = OpenAI()\n", "client = OpenAI()\n\n\nclass AsyncGenerator:\n    pass\n")
    result = migrate_agent_source(source, "agent.py", mode="async")
    assert "S2A170" in {f.code for f in result.findings}
    assert "-> typing.Generator[ResponsesAgentStreamEvent, None, None]:" in result.code
    assert "class AsyncGenerator:" in result.code and "import AsyncGenerator" not in result.code
    assert "-> AsyncIterator[str]:" in result.code  # the other generator's name is free


def test_a_module_with_a_context_thread_pool_of_its_own_keeps_its_pools():
    """langchain_core has a ContextThreadPoolExecutor too: importing the scaffold's would shadow it, so the module's
    pools stay as they are (its user clients are still rewritten)."""
    source = (ASYNC_CASES / "user_clients_in_a_thread_pool.in.py").read_text().replace(
        "import mlflow\n", "import mlflow\nfrom langchain_core.runnables.config import ContextThreadPoolExecutor\n")
    result = migrate_agent_source(source, "agent.py", mode="async")
    assert "get_user_workspace_client()" in result.code
    assert "with ThreadPoolExecutor(max_workers=2) as pool:" in result.code
    assert "from agent_server.utils import get_user_workspace_client\n" in result.code


def test_threads_imported_by_name_are_carried_and_a_module_with_its_own_context_thread_keeps_them():
    source = (ASYNC_CASES / "user_clients_in_a_thread.in.py").read_text().replace(
        "import threading\n", "from threading import Thread\n").replace("threading.Thread(", "Thread(")
    result = migrate_agent_source(source, "agent.py", mode="async")
    assert "[ContextThread(target=ask" in result.code and "import Thread\n" not in result.code
    [message] = [f.message for f in result.findings if f.code == "S2A133"]
    assert "its 1 threading.Thread(s) are now ContextThreads, whose threads see the request" in message

    own = source.replace("import mlflow\n", "import mlflow\nfrom my_threads import ContextThread\n")
    result = migrate_agent_source(own, "agent.py", mode="async")
    assert "get_user_workspace_client()" in result.code
    assert "[Thread(target=ask" in result.code and "from threading import Thread\n" in result.code
    assert "from agent_server.utils import get_user_workspace_client\n" in result.code



@pytest.mark.parametrize("source, found", [
    ("import threading\n\nSTATE = threading.local()\n", "threading.local"),
    ("from threading import local as per_thread\n\n\nclass Context(per_thread):\n    pass\n", "threading.local"),
    ("import threading\n\n\ndef key():\n    return threading.get_ident()\n", "threading.get_ident"),
    ("import threading\n\nLOCK = threading.Lock()  # a thread lock keeps nothing per thread\n", None),
    ("def f():\n    return 'thread'\n", None),
    ("print 'threading.local()'\n", None),  # Python 2: nothing can import it
])
def test_per_thread_state_in_a_module_of_the_agents_own(source, found):
    assert per_thread_state_in(source) == found
