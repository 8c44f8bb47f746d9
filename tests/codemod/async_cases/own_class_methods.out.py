# expect: functions S2A100 S2A111 S2A170 S2A171 S2A173
import time
from pydantic import BaseModel
from mlflow.types.responses import ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse
from agent_server.adapters import stream_events_from_response, in_worker_thread
from agent_server.http_clients import async_http_client
from openai import AsyncOpenAI
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


class BaseRetriever:
    def search(self, query: str) -> str:
        time.sleep(0.01)  # stands for a vector search request
        return f"[docs for {query}]"


class Retriever(BaseRetriever):
    """Its search is inherited: it blocks, so its calls run in a worker thread."""


class Tagger:
    def __init__(self, tag: str):
        self.tag = tag

    def wrap(self, text: str) -> str:
        # Only builtins: called directly.
        return f"<{self.tag}>{text}</{self.tag}>" + str(len(text))


class Search:
    """Called like a function: its __call__ blocks, so the call runs in a worker thread."""

    def __call__(self, query: str) -> str:
        time.sleep(0.01)
        return f"<{query}>"


class Settings(BaseModel):
    """A pydantic model's own methods (model_dump) do no I/O: called directly."""

    tag: str = "ctx"


class Services:
    def __init__(self):
        self.retriever = Retriever()  # holds what blocks: so do its instances


def ground(retriever, query):
    # Handed the retriever, whose methods block: runs in a worker thread as a whole.
    return retriever.search(query)


def ground_through(services, query):
    # Likewise, handed an object that holds one.
    return services.retriever.search(query)


async def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    msgs = [{"role": m.role, "content": m.content} for m in request.input]
    found = await in_worker_thread(agent_retriever.search, msgs[-1]["content"]) + await in_worker_thread(ground, agent_retriever, "again") + await in_worker_thread(ground_through, agent_services, "third")
    r = await client.chat.completions.create(model="databricks-gpt-5", messages=msgs)
    return ResponsesAgentResponse(output=[create_text_output_item(text=r.choices[0].message.content + tagger.wrap(found) + str(len(settings.model_dump())) + await in_worker_thread(agent_search, "q"), id="t")])


# The agent's set-up, formerly its __init__ and load_context.
client = AsyncOpenAI(http_client=async_http_client())
agent_retriever = Retriever()
tagger = Tagger("ctx")
agent_services = Services()
settings = Settings()
agent_search = Search()


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await predict(request)
    for event in stream_events_from_response(response):
        yield event
