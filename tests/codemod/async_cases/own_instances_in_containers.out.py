# expect: functions S2A100 S2A111 S2A170 S2A171 S2A173
import time
from mlflow.types.responses import ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse
from agent_server.adapters import stream_events_from_response, in_worker_thread
from agent_server.http_clients import async_http_client
from openai import AsyncOpenAI
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


class Retriever:
    """Held in a list and a dict: a call on an item cannot be typed, but only this class has a `search`."""

    def __init__(self, name: str):
        self.name = name

    def search(self, query: str) -> str:
        time.sleep(0.01)  # stands for a vector search request
        return f"[{self.name} docs for {query}]"

    def label(self) -> str:
        return self.name.upper()


RETRIEVERS = {"a": Retriever("a"), "b": Retriever("b")}


class Api:
    """Its method shares a dict's name: known as Api's through the container it is taken from."""

    def __init__(self, name: str):
        self.name = name

    def get(self, path: str) -> str:
        time.sleep(0.01)  # stands for an HTTP call
        return f"[{self.name}{path}]"


APIS = {"crm": Api("crm"), "erp": Api("erp")}
SETTINGS = {"path": "/orders"}


async def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    msgs = [{"role": m.role, "content": m.content} for m in request.input]
    docs = ""
    for r in retrievers:
        docs += await in_worker_thread(r.search, "q") + await in_worker_thread(r.label)
    docs += await in_worker_thread(RETRIEVERS["a"].search, "q")
    for key in sorted(RETRIEVERS):
        docs += await in_worker_thread(RETRIEVERS.get(key).search, key)
    docs += await in_worker_thread(APIS["crm"].get, SETTINGS.get("path"))
    for api in APIS.values():
        docs += await in_worker_thread(api.get, "/status")
    e = (await client.chat.completions.create(model="databricks-gpt-5", messages=msgs)).choices[0].message.content
    return ResponsesAgentResponse(output=[create_text_output_item(text=docs + e, id="t")])


# The agent's set-up, formerly its __init__ and load_context.
client = AsyncOpenAI(http_client=async_http_client())
retrievers = [Retriever("x"), Retriever("y")]


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await predict(request)
    for event in stream_events_from_response(response):
        yield event
