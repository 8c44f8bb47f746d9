# expect: functions S2A100 S2A110 S2A111 S2A130
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentResponse
from agent_server.adapters import in_worker_thread, stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


def predict(request):
    global cache
    # `del self.cache` deletes the global cache: the function must declare it global.
    cache = {"warm": False}
    del cache
    return ResponsesAgentResponse(output=[create_text_output_item(text="forgot", id="f")])


# The agent's set-up, formerly its __init__ and load_context.
cache = {"warm": True}


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await in_worker_thread(predict, request)
    for event in stream_events_from_response(response):
        yield event
