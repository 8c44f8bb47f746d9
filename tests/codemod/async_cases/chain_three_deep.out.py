# expect: functions S2A100 S2A170 S2A173
from mlflow.types.responses import ResponsesAgentRequest, create_text_output_item, ResponsesAgentResponse, ResponsesAgentStreamEvent, to_chat_completions_input
from agent_server.http_clients import async_http_client
from openai import AsyncOpenAI
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream

client = AsyncOpenAI(http_client=async_http_client())


async def _ask(messages):
    return (await client.chat.completions.create(model="databricks-gpt-5", messages=messages)).choices[0].message.content


async def _answer(request):
    return await _ask(to_chat_completions_input([i.model_dump() for i in request.input]))


async def _decorated(request):
    return f"<{await _answer(request)}>"


async def predict(request):
    return ResponsesAgentResponse(output=[create_text_output_item(text=await _decorated(request), id="d")])


async def predict_stream(request):
    yield ResponsesAgentStreamEvent(type="response.output_item.done",
                                    item=create_text_output_item(text=await _decorated(request), id="d"))


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    async for event in predict_stream(request):
        yield event
