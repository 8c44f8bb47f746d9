# expect: functions S2A100 S2A111 S2A170 S2A171
import time
import requests
from mlflow.types.responses import ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse
from vendor_kb import KnowledgeBase
import asyncio
from agent_server.adapters import stream_events_from_response, in_worker_thread
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream

URLS = ["https://a.example", "https://b.example"]
kb = KnowledgeBase("docs")


def fetch(u):
    return requests.get(u, timeout=5).text


def short(u):
    return u.split("//")[1]


# Awaiting inside a generator expression would make it an async one, which join/sum/any cannot take: these
# two stay synchronous and run in worker threads.
def _pages() -> str:
    time.sleep(0.01)
    return "\n".join(fetch(u) for u in URLS)


def _known() -> bool:
    time.sleep(0.01)
    return any(kb.has(u) for u in URLS)


async def _names() -> str:
    # A generator of plain local calls: the helper still becomes async.
    await asyncio.sleep(0.01)
    return ",".join(short(u) for u in URLS)


async def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    await asyncio.sleep(0.01)
    text = f"{await in_worker_thread(_pages)} {await in_worker_thread(_known)} {await _names()}"
    return ResponsesAgentResponse(output=[create_text_output_item(text=text, id="m")])


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await predict(request)
    for event in stream_events_from_response(response):
        yield event
