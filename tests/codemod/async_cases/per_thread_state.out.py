# expect: functions S2A100 S2A110 S2A172
import threading
from typing import Generator
from mlflow.types.responses import create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent
from openai import OpenAI
from agent_server.adapters import in_worker_thread, iterate_in_worker_thread
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


def _remember(request):
    _local.user = request.input[-1].content


def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    outputs = [e.item for e in predict_stream(request) if e.type == "response.output_item.done"]
    return ResponsesAgentResponse(output=outputs)


def predict_stream(request: ResponsesAgentRequest) -> Generator[ResponsesAgentStreamEvent, None, None]:
    _remember(request)
    msgs = [{"role": m.role, "content": m.content} for m in request.input]
    r = client.chat.completions.create(model="databricks-gpt-5", messages=msgs)
    text = f"{r.choices[0].message.content} (for {_local.user})"
    yield ResponsesAgentStreamEvent(type="response.output_item.done", item=create_text_output_item(text, "m1"))


# The agent's set-up, formerly its __init__ and load_context.
client = OpenAI()
_local = threading.local()


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    async for event in iterate_in_worker_thread(predict_stream, request):
        yield event
