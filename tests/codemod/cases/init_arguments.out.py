# expect: functions S2A100 S2A110 S2A111
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentResponse
from agent_server.adapters import in_worker_thread, stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream

ENDPOINT = "databricks-claude-sonnet-4-5"


def predict(request):
    text = f"{endpoint} {settings['temperature']} {system}"
    return ResponsesAgentResponse(output=[create_text_output_item(text=text, id="c")])


# The agent's set-up, formerly its __init__ and load_context.
endpoint = ENDPOINT
temperature = 0.2
max_tokens = 1024
agent_system = "You help."
settings = {"temperature": temperature, "max_tokens": max_tokens}
system = agent_system.strip()


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await in_worker_thread(predict, request)
    for event in stream_events_from_response(response):
        yield event
