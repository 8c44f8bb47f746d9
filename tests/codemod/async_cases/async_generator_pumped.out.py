# expect: functions S2A100 S2A170
"""predict_stream drives an async generator one step at a time on an event loop of its own. Sync mode keeps the
pump (each step is run by the loop, which the self-check accepts); async mode awaits each step instead."""
import asyncio
from mlflow.types.responses import create_text_delta, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent
from openai import AsyncOpenAI
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


async def _agen(msgs):
    client = AsyncOpenAI()
    stream = await client.chat.completions.create(model="databricks-gpt-5", messages=msgs, stream=True)
    async for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            yield chunk.choices[0].delta.content


async def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    items = [e.item async for e in predict_stream(request) if e.type == "response.output_item.done"]
    return ResponsesAgentResponse(output=items)


async def predict_stream(request):
    msgs = [{"role": m.role, "content": m.content} for m in request.input]
    loop = asyncio.new_event_loop()
    agen = _agen(msgs)
    parts = []
    try:
        while True:
            try:
                d = await agen.__anext__()
            except StopAsyncIteration:
                break
            parts.append(d)
            yield ResponsesAgentStreamEvent(**create_text_delta(delta=d, item_id="m1"))
    finally:
        loop.close()
    yield ResponsesAgentStreamEvent(type="response.output_item.done", item=create_text_output_item("".join(parts), "m1"))


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    async for event in predict_stream(request):
        yield event
