# expect: functions S2A100 S2A110 S2A111
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentResponse
from agent_server.adapters import in_worker_thread, stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


def _last_message(request):
    return request.input[-1].content


def _shout(text: str) -> str:
    return text.upper()


def _answer(request):
    return _shout(_last_message(request))


def predict(request):
    formatter = _shout  # a bound method used as a value
    return ResponsesAgentResponse(
        output=[create_text_output_item(text=formatter(_answer(request)), id="h")]
    )


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await in_worker_thread(predict, request)
    for event in stream_events_from_response(response):
        yield event
