# expect: functions S2A100 S2A110 S2A111
"""A parameter and a local named like the module's instance (`agent`) are other variables, not uses of the instance:
the class still becomes functions."""
from mlflow.types.responses import ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse
from agent_server.adapters import in_worker_thread, stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


def build(name):
    return {"name": name}


def _label(agent):
    return agent["name"]


def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    label = _label(config)
    return ResponsesAgentResponse(output=[create_text_output_item(text=f"{label}: {request.input[-1].content}", id="m")])


# The agent's set-up, formerly its __init__ and load_context.
agent_name = "echo"
agent_agent = build(agent_name)
config = agent_agent


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await in_worker_thread(predict, request)
    for event in stream_events_from_response(response):
        yield event
