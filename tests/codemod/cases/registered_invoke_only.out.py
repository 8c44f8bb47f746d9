# expect: registered S2A104 S2A111
from mlflow.genai.agent_server import stream, invoke
from mlflow.types.responses import ResponsesAgentStreamEvent, ResponsesAgentRequest, ResponsesAgentResponse, create_text_output_item
from agent_server.adapters import in_worker_thread, stream_events_from_response
from collections.abc import AsyncIterator


def answer(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return ResponsesAgentResponse(output=[create_text_output_item(text="only invoke", id="o")])


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(answer, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await in_worker_thread(answer, request)
    for event in stream_events_from_response(response):
        yield event
