# expect: functions S2A100 S2A110 S2A172
import threading
from openai import OpenAI
from mlflow.types.responses import create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent
from agent_server.adapters import in_worker_thread, iterate_in_worker_thread
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


def predict_stream(request: ResponsesAgentRequest):
    msgs = [{"role": m.role, "content": m.content} for m in request.input]
    # Don't touch: `async with` needs every item to be an async context manager, and the lock is not one;
    # the agent stays synchronous and runs in worker threads.
    with lock, client.chat.completions.create(model="databricks-gpt-5", messages=msgs, stream=True) as stream:
        parts = [c.choices[0].delta.content or "" for c in stream if c.choices]
    text = "".join(parts)
    yield ResponsesAgentStreamEvent(type="response.output_item.done",
                                    item=create_text_output_item(text=text, id="l"))


def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    items = [e.item for e in predict_stream(request) if e.type == "response.output_item.done"]
    return ResponsesAgentResponse(output=items)


# The agent's set-up, formerly its __init__ and load_context.
client = OpenAI()
lock = threading.Lock()


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    async for event in iterate_in_worker_thread(predict_stream, request):
        yield event
