# expect: functions S2A100 S2A111 S2A170 S2A171 S2A173
import os
import sqlite3
import time
from databricks_langchain import ChatDatabricks
from mlflow.types.responses import ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse
from agent_server.adapters import stream_events_from_response, in_worker_thread
from agent_server.http_clients import async_http_client
from openai import AsyncOpenAI
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


class Retriever:
    def search(self, query: str) -> str:
        time.sleep(0.01)  # stands for a vector search request
        return f"[docs for {query}]"


class Rows:
    """An in-process stand-in for the database, with nothing that blocks."""

    def execute(self, query: str) -> str:
        return query


class Services:
    """Attributes set in a set-up method __init__ calls, and set again later: classified by what built them."""

    def __init__(self):
        self.db = None
        self.llm = None
        self.connect()

    def connect(self):
        self.db = sqlite3.connect(":memory:", check_same_thread=False)
        self.llm = ChatDatabricks(endpoint="databricks-gpt-5")
        self.retriever = Retriever()

    def reconnect(self):
        self.db = sqlite3.connect(":memory:", check_same_thread=False)


class Backends:
    """An attribute set to different objects, one of which blocks: its calls run in a worker thread."""

    def __init__(self, local: bool):
        if local:
            self.rows = sqlite3.connect(":memory:", check_same_thread=False)
        else:
            self.rows = Rows()
        self.name = os.environ.get("AGENT_NAME", "agent")


async def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    msgs = [{"role": m.role, "content": m.content} for m in request.input]
    a = (await svc.llm.ainvoke(msgs)).content
    b = str(await in_worker_thread(svc.db.execute, "select 2") is not None)
    c = await in_worker_thread(svc.retriever.search, "q")
    d = str(await in_worker_thread(backends.rows.execute, "select 3") is not None) + backends.name.upper()
    e = (await client.chat.completions.create(model="databricks-gpt-5", messages=msgs)).choices[0].message.content
    return ResponsesAgentResponse(output=[create_text_output_item(text=a + b + c + d + e, id="t")])


# The agent's set-up, formerly its __init__ and load_context.
svc = Services()
backends = Backends(local=not os.environ.get("REMOTE_ROWS"))
client = AsyncOpenAI(http_client=async_http_client())


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await predict(request)
    for event in stream_events_from_response(response):
        yield event
