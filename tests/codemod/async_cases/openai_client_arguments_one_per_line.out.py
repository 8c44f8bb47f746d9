# expect: functions S2A100 S2A170 S2A173
from mlflow.types.responses import create_text_delta, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent, to_chat_completions_input
from agent_server.http_clients import async_http_client
from openai import AsyncOpenAI
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


def _messages(request):
    return to_chat_completions_input([i.model_dump() for i in request.input])


async def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    response = await client.chat.completions.create(model=model, messages=_messages(request))
    text = response.choices[0].message.content
    return ResponsesAgentResponse(output=[create_text_output_item(text=text, id=response.id)])


async def predict_stream(request: ResponsesAgentRequest):
    text = ""
    async for chunk in await client.chat.completions.create(model=model, messages=_messages(request), stream=True):
        delta = chunk.choices[0].delta.content if chunk.choices else None
        if delta:
            text += delta
            yield ResponsesAgentStreamEvent(**create_text_delta(delta=delta, item_id="msg-1"))
    yield ResponsesAgentStreamEvent(type="response.output_item.done", item=create_text_output_item(text=text, id="msg-1"))


# The agent's set-up, formerly its __init__ and load_context.
client = AsyncOpenAI(
    base_url="https://example.invalid/serving-endpoints",
    max_retries=5,
    http_client=async_http_client(),
)
model = "databricks-gpt-5"


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    async for event in predict_stream(request):
        yield event
