# expect: functions S2A100 S2A110 S2A172
import httpx
from openai import OpenAI
from mlflow.types.responses import create_text_delta, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent, to_chat_completions_input
from agent_server.adapters import in_worker_thread, iterate_in_worker_thread
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


def _messages(request):
    return to_chat_completions_input([i.model_dump() for i in request.input])


def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    response = client.chat.completions.create(model=model, messages=_messages(request))
    text = response.choices[0].message.content
    return ResponsesAgentResponse(output=[create_text_output_item(text=text, id=response.id)])


def predict_stream(request: ResponsesAgentRequest):
    text = ""
    for chunk in client.chat.completions.create(model=model, messages=_messages(request), stream=True):
        delta = chunk.choices[0].delta.content if chunk.choices else None
        if delta:
            text += delta
            yield ResponsesAgentStreamEvent(**create_text_delta(delta=delta, item_id="msg-1"))
    yield ResponsesAgentStreamEvent(type="response.output_item.done", item=create_text_output_item(text=text, id="msg-1"))


# The agent's set-up, formerly its __init__ and load_context.
# Its own (synchronous) HTTP client, which AsyncOpenAI would refuse: the client stays synchronous.
client = OpenAI(http_client=httpx.Client(timeout=20))
model = "databricks-gpt-5"


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    async for event in iterate_in_worker_thread(predict_stream, request):
        yield event
