# expect: functions S2A100 S2A110 S2A172
from mlflow.types.responses import create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent
from agent_server.adapters import in_worker_thread, iterate_in_worker_thread
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return ResponsesAgentResponse(output=[create_text_output_item(text=request.input[-1].content, id="m")])


def predict_stream(request: ResponsesAgentRequest):
    yield ResponsesAgentStreamEvent(type="response.output_item.done",
                                    item=create_text_output_item(text=request.input[-1].content, id="m"))


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    async for event in iterate_in_worker_thread(predict_stream, request):
        yield event
