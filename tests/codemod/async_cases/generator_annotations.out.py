# expect: functions S2A100 S2A170 S2A173
"""Generators annotated as what they return: made async, `Iterator[...]` and `Generator[..., None, None]` (from typing,
collections.abc or through the module) become `AsyncIterator[...]` and `AsyncGenerator[...]`, which they now are."""
from mlflow.types.responses import create_text_delta, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent
from agent_server.http_clients import async_http_client
from collections.abc import AsyncGenerator, AsyncIterator
from openai import AsyncOpenAI
from mlflow.genai.agent_server import invoke, stream

client = AsyncOpenAI(http_client=async_http_client())


async def tokens(messages: list[dict]) -> AsyncIterator[str]:
    async for chunk in await client.chat.completions.create(model="fake-llm", messages=messages, stream=True):
        if chunk.choices and chunk.choices[0].delta.content:
            yield chunk.choices[0].delta.content


async def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    items = [e.item async for e in predict_stream(request) if e.type == "response.output_item.done"]
    return ResponsesAgentResponse(output=items)


async def predict_stream(request: ResponsesAgentRequest) -> AsyncGenerator[ResponsesAgentStreamEvent, None]:
    text = ""
    async for token in tokens([{"role": m.role, "content": m.content} for m in request.input]):
        text += token
        yield ResponsesAgentStreamEvent(**create_text_delta(delta=token, item_id="m1"))
    yield ResponsesAgentStreamEvent(type="response.output_item.done",
                                    item=create_text_output_item(text=text, id="m1"))


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    async for event in predict_stream(request):
        yield event
