# expect: functions S2A100 S2A110 S2A111
import functools
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentResponse
from agent_server.adapters import in_worker_thread, stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream

BUILDS = []


@functools.cache
def model_name():
    BUILDS.append("model_name")
    return f"{base}-v2"


@functools.cache
def prompt():
    return f"You answer with {model_name()}."


def predict(request):
    text = f"{prompt()} {model_name()} built {len(BUILDS)} time(s)"
    return ResponsesAgentResponse(output=[create_text_output_item(text=text, id="p")])


# The agent's set-up, formerly its __init__ and load_context.
base = "model"


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await in_worker_thread(predict, request)
    for event in stream_events_from_response(response):
        yield event
