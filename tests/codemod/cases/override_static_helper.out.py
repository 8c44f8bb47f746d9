# expect: functions S2A100 S2A110
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent
from agent_server.adapters import in_worker_thread, iterate_in_worker_thread
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


def create_text_output_item(text: str, id: str) -> dict:
    return {
        "id": id, "type": "message", "role": "assistant",
        "content": [{"type": "output_text", "text": text + " -- signed", "annotations": []}],
    }


def create_text_delta(delta: str, item_id: str) -> dict:
    return {"type": "response.output_text.delta", "item_id": item_id, "delta": delta.upper()}


def predict(request):
    return ResponsesAgentResponse(output=[create_text_output_item("answer", "s")])


def predict_stream(request):
    yield ResponsesAgentStreamEvent(**create_text_delta("answer", "s"))
    yield ResponsesAgentStreamEvent(type="response.output_item.done",
                                    item=create_text_output_item("answer", "s"))


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    async for event in iterate_in_worker_thread(predict_stream, request):
        yield event
