# expect: functions S2A100 S2A170 S2A173
from mlflow.types.responses import create_text_delta, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent
from agent_server.http_clients import async_http_client
from openai import AsyncOpenAI
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream

async def predict_stream(request: ResponsesAgentRequest):
    msgs = [{"role": m.role, "content": m.content} for m in request.input]
    buf = []
    # The stream is a context manager that closes the response: `async with await ...` on the async client.
    async with await client.chat.completions.create(model="databricks-gpt-5", messages=msgs, stream=True) as stream:
        async for chunk in stream:
            delta = chunk.choices[0].delta.content if chunk.choices else None
            if delta:
                buf.append(delta)
                yield ResponsesAgentStreamEvent(**create_text_delta(delta=delta, item_id="c"))
    yield ResponsesAgentStreamEvent(type="response.output_item.done",
                                    item=create_text_output_item(text="".join(buf), id="c"))


async def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    items = [e.item async for e in predict_stream(request) if e.type == "response.output_item.done"]
    return ResponsesAgentResponse(output=items)


# The agent's set-up, formerly its __init__ and load_context.
client = AsyncOpenAI(http_client=async_http_client())


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    async for event in predict_stream(request):
        yield event
