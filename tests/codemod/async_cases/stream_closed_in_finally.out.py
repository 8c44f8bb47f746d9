# expect: functions S2A100 S2A170 S2A173
"""The stream is closed in a `finally`: on the async client close() is a coroutine, so it is awaited (left as a
plain call it would close nothing and warn that a coroutine was never awaited)."""
import threading
from mlflow.types.responses import create_text_delta, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent
from agent_server.http_clients import async_http_client
from openai import AsyncOpenAI
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream

M = "databricks-gpt-5"

client = AsyncOpenAI(http_client=async_http_client())


async def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    items = [e.item async for e in predict_stream(request) if e.type == "response.output_item.done"]
    return ResponsesAgentResponse(output=items)


async def predict_stream(request):
    stream = await client.chat.completions.create(model=M, messages=[{"role": "user", "content": request.input[-1].content}], stream=True)
    parts = []
    try:
        async for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                parts.append(chunk.choices[0].delta.content)
                yield ResponsesAgentStreamEvent(**create_text_delta(delta=parts[-1], item_id="m1"))
    finally:
        await stream.close()
    yield ResponsesAgentStreamEvent(type="response.output_item.done", item=create_text_output_item("".join(parts), "m1"))


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    async for event in predict_stream(request):
        yield event
