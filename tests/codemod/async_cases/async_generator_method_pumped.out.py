# expect: functions S2A100 S2A170
"""The Lakebase templates' shape: the work is an async generator method, and predict_stream pumps it one step at a
time through `agen.__aiter__()` on the thread's event loop. Sync mode keeps the pump; async mode awaits each step."""
import asyncio
from typing import AsyncGenerator
from mlflow.types.responses import create_text_delta, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent
from openai import AsyncOpenAI
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


async def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    outputs = [e.item async for e in predict_stream(request) if e.type == "response.output_item.done"]
    return ResponsesAgentResponse(output=outputs, custom_outputs=request.custom_inputs)


async def _predict_stream_async(request: ResponsesAgentRequest) -> AsyncGenerator[ResponsesAgentStreamEvent, None]:
    client = AsyncOpenAI()
    msgs = [{"role": m.role, "content": m.content} for m in request.input]
    stream = await client.chat.completions.create(model=model, messages=msgs, stream=True)
    parts = []
    async for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            parts.append(chunk.choices[0].delta.content)
            yield ResponsesAgentStreamEvent(**create_text_delta(delta=parts[-1], item_id="m1"))
    yield ResponsesAgentStreamEvent(type="response.output_item.done", item=create_text_output_item("".join(parts), "m1"))


async def predict_stream(request: ResponsesAgentRequest) -> AsyncGenerator[ResponsesAgentStreamEvent, None]:
    agen = _predict_stream_async(request)
    try:
        loop = asyncio.get_event_loop()
    except RuntimeError:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
    ait = agen.__aiter__()
    while True:
        try:
            item = await ait.__anext__()
        except StopAsyncIteration:
            break
        else:
            yield item


# The agent's set-up, formerly its __init__ and load_context.
model = "databricks-gpt-5"


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    async for event in predict_stream(request):
        yield event
