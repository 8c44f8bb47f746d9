# expect: functions S2A100 S2A110 S2A111 S2A182
# behaviour: not compared (needs files, services or packages the tests do not have)
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentResponse
from agent_server.adapters import in_worker_thread, stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream

type Reply = str


def first[T](items: list[T]) -> T:
    return items[0]


def predict(request):
    match request.input[-1].content:
        case "ping":
            text: Reply = "pong"
        case other:
            text = first([other])
    return ResponsesAgentResponse(output=[create_text_output_item(text=text, id="m")])


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await in_worker_thread(predict, request)
    for event in stream_events_from_response(response):
        yield event
