# expect: functions S2A100 S2A110 S2A111 S2A172
import json
from openai import OpenAI
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentResponse, to_chat_completions_input
from agent_server.adapters import in_worker_thread, stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


def _joined(parts):
    return "".join(parts)


def predict(request):
    messages = to_chat_completions_input([i.model_dump() for i in request.input])
    stream = client.chat.completions.create(model="databricks-gpt-5", messages=messages, stream=True)
    # A generator expression handed to the agent's own synchronous function: it must stay synchronous.
    text = _joined(c.choices[0].delta.content or "" for c in stream if c.choices)
    return ResponsesAgentResponse(output=[create_text_output_item(text=json.loads(json.dumps(text)), id="j")])


# The agent's set-up, formerly its __init__ and load_context.
client = OpenAI()


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await in_worker_thread(predict, request)
    for event in stream_events_from_response(response):
        yield event
