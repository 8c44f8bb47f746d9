# expect: functions S2A100 S2A111 S2A170 S2A171
import time
from concurrent.futures import ThreadPoolExecutor
import requests
from mlflow.types.responses import ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse
import asyncio
from agent_server.adapters import stream_events_from_response, in_worker_thread
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream

URLS = ["https://a.example", "https://b.example"]
pool = ThreadPoolExecutor(max_workers=4)


# Each helper would become async for its sleep, but calls blocking code the conversion cannot reach: a
# nested function, a lambda, futures waited on. They stay synchronous and run in worker threads.
def _nested() -> list[str]:
    def fetch(u):
        return requests.get(u, timeout=5).text

    time.sleep(0.01)
    return [fetch(u) for u in URLS]


def _lambda() -> list[str]:
    get = lambda u: requests.get(u, timeout=5).text  # noqa: E731
    time.sleep(0.01)
    return [get(u) for u in URLS]


def _futures() -> list[str]:
    time.sleep(0.01)
    futures = [pool.submit(requests.get, u) for u in URLS]
    return [f.result().text for f in futures]


async def _plain() -> int:
    # A lambda that only computes: the helper still becomes async.
    await asyncio.sleep(0.01)
    return sorted(URLS, key=lambda u: len(u))[0].count(".")


async def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    await asyncio.sleep(0.01)
    text = f"{await in_worker_thread(_nested)} {await in_worker_thread(_lambda)} {await in_worker_thread(_futures)} {await _plain()}"
    return ResponsesAgentResponse(output=[create_text_output_item(text=text, id="m")])


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await predict(request)
    for event in stream_events_from_response(response):
        yield event
