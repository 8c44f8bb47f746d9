# expect: functions S2A100 S2A111 S2A170 S2A171 S2A173
import sqlite3
import time
from databricks_langchain import ChatDatabricks
from openai import AsyncOpenAI, OpenAI
from mlflow.types.responses import ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse
from agent_server.adapters import stream_events_from_response, in_worker_thread
from agent_server.http_clients import async_http_client
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream

DB = sqlite3.connect(":memory:", check_same_thread=False)


class Retriever:
    def search(self, query: str) -> str:
        time.sleep(0.01)  # stands for a vector search request
        return f"[docs for {query}]"


class Services:
    """What the agent holds, built once: each attribute's calls are classified by what built it."""

    def __init__(self):
        self.client = OpenAI()
        self.llm = ChatDatabricks(endpoint="databricks-gpt-5")
        self.db = sqlite3.connect(":memory:", check_same_thread=False)
        self.retriever = Retriever()


def ask(client, msgs):
    return client.chat.completions.create(model="databricks-gpt-5", messages=msgs).choices[0].message.content


def first_row():
    # The cursor execute() returns is read on the spot: the whole function runs in a worker thread.
    return str(DB.execute("select 1").fetchone()[0])


async def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    msgs = [{"role": m.role, "content": m.content} for m in request.input]
    a = (await in_worker_thread(svc.client.chat.completions.create, model="databricks-gpt-5", messages=msgs)).choices[0].message.content
    b = (await svc.llm.ainvoke(msgs)).content
    c = await in_worker_thread(svc.db.execute, "select 2")
    d = await in_worker_thread(svc.retriever.search, "q") + await in_worker_thread(ask, svc.client, msgs) + await in_worker_thread(first_row)
    e = (await agent_client.chat.completions.create(model="databricks-gpt-5", messages=msgs)).choices[0].message.content
    return ResponsesAgentResponse(output=[create_text_output_item(text=a + b + str(c is not None) + d + e, id="t")])


# The agent's set-up, formerly its __init__ and load_context.
svc = Services()
agent_client = AsyncOpenAI(http_client=async_http_client())


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await predict(request)
    for event in stream_events_from_response(response):
        yield event
