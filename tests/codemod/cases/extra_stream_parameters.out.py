# expect: functions S2A100 S2A110
from mlflow.types.responses import ResponsesAgentRequest, create_text_delta, create_text_output_item, ResponsesAgentResponse, ResponsesAgentStreamEvent
from agent_server.adapters import in_worker_thread, iterate_in_worker_thread
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


def predict(request):
    done = [e.item for e in predict_stream(request, chunk_size=100) if e.type == "response.output_item.done"]
    return ResponsesAgentResponse(output=done)


def predict_stream(request, chunk_size: int = 4):
    text = "abcdefghij"
    for start in range(0, len(text), chunk_size):
        yield ResponsesAgentStreamEvent(**create_text_delta(delta=text[start:start + chunk_size], item_id="c"))
    yield ResponsesAgentStreamEvent(
        type="response.output_item.done", item=create_text_output_item(text=text, id="c")
    )


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    async for event in iterate_in_worker_thread(predict_stream, request):
        yield event
