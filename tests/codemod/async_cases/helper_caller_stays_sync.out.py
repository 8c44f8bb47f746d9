# expect: functions S2A100 S2A110 S2A172
from openai import OpenAI
from mlflow.types.responses import ResponsesAgentRequest, create_text_output_item, ResponsesAgentResponse, ResponsesAgentStreamEvent, to_chat_completions_input
from agent_server.adapters import in_worker_thread, iterate_in_worker_thread
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


def _chunks(request):
    messages = to_chat_completions_input([i.model_dump() for i in request.input])
    for chunk in client.chat.completions.create(model="databricks-gpt-5", messages=messages, stream=True):
        if chunk.choices and chunk.choices[0].delta.content:
            yield chunk.choices[0].delta.content


def predict(request):
    text = "".join(predict_text(request))
    return ResponsesAgentResponse(output=[create_text_output_item(text=text, id="c")])


def predict_text(request):
    # list() of the helper: if the helper became an async generator, this caller could not follow.
    return list(_chunks(request))


def predict_stream(request):
    for item in predict(request).output:
        yield ResponsesAgentStreamEvent(type="response.output_item.done", item=item)


# The agent's set-up, formerly its __init__ and load_context.
client = OpenAI()


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    async for event in iterate_in_worker_thread(predict_stream, request):
        yield event
