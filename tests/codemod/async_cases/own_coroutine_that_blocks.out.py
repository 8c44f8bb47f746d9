# expect: functions S2A100 S2A110 S2A111 S2A172
"""predict runs the agent's own coroutine with asyncio.run, on a loop of its own in the request's thread. That coroutine
awaits another that calls time.sleep: awaited on the server's loop it would stall every request, so predict stays
synchronous and runs in a worker thread, as the original did."""
import asyncio
import time
from mlflow.types.responses import ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse
from openai import AsyncOpenAI, OpenAI
from agent_server.adapters import in_worker_thread, stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream

SYNC = OpenAI()


async def _lookup(q):
    time.sleep(0.02)
    return q.upper()


async def _answer(q):
    found = await _lookup(q)
    client = AsyncOpenAI()
    r = await client.chat.completions.create(model="databricks-gpt-5", messages=[{"role": "user", "content": found}])
    return r.choices[0].message.content


def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    text = asyncio.run(_answer(request.input[-1].content))
    r = SYNC.chat.completions.create(model="databricks-gpt-5", messages=[{"role": "user", "content": text}])
    return ResponsesAgentResponse(output=[create_text_output_item(r.choices[0].message.content, "m1")])


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await in_worker_thread(predict, request)
    for event in stream_events_from_response(response):
        yield event
