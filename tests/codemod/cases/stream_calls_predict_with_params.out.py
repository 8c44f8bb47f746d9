# expect: functions S2A100 S2A110
from mlflow.types.responses import ResponsesAgentRequest, create_text_output_item, ResponsesAgentResponse, ResponsesAgentStreamEvent
from agent_server.adapters import in_worker_thread, iterate_in_worker_thread
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


def predict(request):
    return ResponsesAgentResponse(output=[create_text_output_item(text="relayed", id="r")])


def predict_stream(request):
    # The stream is the whole answer, item by item, as many notebook agents do it.
    for item in predict(request).output:
        yield ResponsesAgentStreamEvent(type="response.output_item.done", item=item)


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    async for event in iterate_in_worker_thread(predict_stream, request):
        yield event
