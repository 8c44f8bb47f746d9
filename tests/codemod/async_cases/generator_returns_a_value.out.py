# expect: functions S2A100 S2A110 S2A172
from openai import OpenAI
from mlflow.types.responses import create_text_delta, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent
from agent_server.adapters import in_worker_thread, iterate_in_worker_thread
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream

client = OpenAI()


def deltas(msgs):
    total = ""
    for chunk in client.chat.completions.create(model="databricks-gpt-5", messages=msgs, stream=True):
        if chunk.choices and chunk.choices[0].delta.content:
            total += chunk.choices[0].delta.content
            yield chunk.choices[0].delta.content
    return total  # Don't touch: an async generator cannot return a value, so deltas stays synchronous


def predict_stream(request: ResponsesAgentRequest):
    msgs = [{"role": m.role, "content": m.content} for m in request.input]
    text = ""
    for d in deltas(msgs):
        text += d
        yield ResponsesAgentStreamEvent(**create_text_delta(delta=d, item_id="g"))
    yield ResponsesAgentStreamEvent(type="response.output_item.done", item=create_text_output_item(text=text, id="g"))


def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    items = [e.item for e in predict_stream(request) if e.type == "response.output_item.done"]
    return ResponsesAgentResponse(output=items)


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    async for event in iterate_in_worker_thread(predict_stream, request):
        yield event
