# expect: functions S2A100 S2A111 S2A170 S2A171
from databricks_langchain import ChatDatabricks
from mlflow.types.responses import ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse
from openai import OpenAI
from vendor_kb import KnowledgeBase
import asyncio
from agent_server.adapters import stream_events_from_response, in_worker_thread
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


# Objects built by the agent's own factory functions are what those functions return: a chat model (its async
# pair is used), a client of a library the table does not know (also through a getter of a global), an OpenAI
# client built elsewhere (it stays synchronous: its construction is not here to change), and plain data (left
# alone).
def make_llm():
    return ChatDatabricks(endpoint="databricks-claude-sonnet-4-5", temperature=0)


def make_kb(name):
    kb = KnowledgeBase(name)
    kb.warm()
    return kb


def make_client():
    return OpenAI()


def settings():
    return {"top_k": 3}


ARCHIVE = KnowledgeBase("archive")


def get_archive():
    return ARCHIVE


llm = make_llm()
kb = make_kb("docs")
client = make_client()
config = settings()


async def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    await asyncio.sleep(0.01)
    hits = await in_worker_thread(kb.search, request.input[-1].content, k=config.get("top_k")) + await in_worker_thread(get_archive().search, "older")
    summary = await in_worker_thread(client.chat.completions.create, model="m", messages=[{"role": "user", "content": f"{hits}"}])
    answer = await llm.ainvoke(summary.choices[0].message.content)
    return ResponsesAgentResponse(output=[create_text_output_item(text=answer.content, id="m")])


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await predict(request)
    for event in stream_events_from_response(response):
        yield event
