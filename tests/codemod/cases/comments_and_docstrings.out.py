# expect: functions S2A100 S2A110 S2A111
"""An agent whose comments and formatting must survive."""
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentResponse
from agent_server.adapters import in_worker_thread, stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


# -- entry point --------------------------------------------------------
def predict(request):
    """Reply to the request."""
    return ResponsesAgentResponse(
        output=[
            create_text_output_item(
                text=reply,  # always the same
                id="d",
            )
        ]
    )


# The agent's set-up, formerly its __init__ and load_context.
# The reply every request gets.
reply = "Hello!"  # keep it short


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await in_worker_thread(predict, request)
    for event in stream_events_from_response(response):
        yield event
