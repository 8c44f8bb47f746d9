# expect: functions S2A100 S2A110 S2A111 S2A120
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentResponse
from agent_server.adapters import in_worker_thread, stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


def predict(request):
    """Answers, honouring an optional prefix."""
    params = None  # serving2apps: the agent server passes no params
    prefix = (params or {}).get("prefix", "")
    return ResponsesAgentResponse(output=[create_text_output_item(text=prefix + "ok", id="p")])


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await in_worker_thread(predict, request)
    for event in stream_events_from_response(response):
        yield event
