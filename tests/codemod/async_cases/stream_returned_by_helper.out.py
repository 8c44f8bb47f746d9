# expect: functions S2A100 S2A170 S2A173
import mlflow
from mlflow.types.responses import create_text_delta, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent
from agent_server.http_clients import async_http_client
from openai import AsyncOpenAI
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream

client = AsyncOpenAI(http_client=async_http_client())


@mlflow.trace(span_type="LLM")
async def call_llm(messages, stream=False):
    # The same helper answers whole or streamed: awaited, its value is iterated with `async for` where the
    # caller iterates it, and read as a completion elsewhere.
    return await client.chat.completions.create(model="databricks-gpt-5", messages=messages, stream=stream)


async def stream_llm(messages):
    response = await call_llm(messages, stream=True)  # a stream returned through a local, and through a second helper
    return response


def to_messages(request):
    return [{"role": m.role, "content": m.content} for m in request.input]


async def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    first = (await call_llm(to_messages(request))).choices[0].message.content
    response = await call_llm(to_messages(request))  # a whole answer, read through a local
    text = first if first == response.choices[0].message.content else "differs"
    return ResponsesAgentResponse(output=[create_text_output_item(text=text, id="h")])


async def predict_stream(request: ResponsesAgentRequest):
    parts = []
    async for chunk in await call_llm(to_messages(request), stream=True):
        if chunk.choices and chunk.choices[0].delta.content:
            parts.append(chunk.choices[0].delta.content)
            yield ResponsesAgentStreamEvent(**create_text_delta(delta=chunk.choices[0].delta.content, item_id="h"))
    chunks = await stream_llm(to_messages(request))
    count = len([chunk async for chunk in chunks])
    yield ResponsesAgentStreamEvent(type="response.output_item.done",
                                    item=create_text_output_item(text="".join(parts) + f" ({count > 0})", id="h"))


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    async for event in predict_stream(request):
        yield event
