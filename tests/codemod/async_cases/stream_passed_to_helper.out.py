# expect: functions S2A100 S2A110 S2A111 S2A172
from openai import OpenAI
from mlflow.types.responses import ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse
from agent_server.adapters import in_worker_thread, stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream

client = OpenAI()


def collect(stream):
    return "".join(c.choices[0].delta.content or "" for c in stream if c.choices)


def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    msgs = [{"role": m.role, "content": m.content} for m in request.input]
    # Don't touch: the stream goes to a synchronous helper that iterates it, which an async stream would
    # break; predict stays synchronous and runs in a worker thread.
    text = collect(client.chat.completions.create(model="databricks-gpt-5", messages=msgs, stream=True))
    return ResponsesAgentResponse(output=[create_text_output_item(text=text, id="co")])


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await in_worker_thread(predict, request)
    for event in stream_events_from_response(response):
        yield event
